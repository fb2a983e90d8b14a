package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/twilio/twilio-go"
	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

// Where the previous window's figures came from (Previous.Source).
const (
	// PreviousFromAPI: its incidents were listed from the Twilio API.
	PreviousFromAPI = "api"
	// PreviousFromBundle: the statistics of a previous bundle (--previous).
	PreviousFromBundle = "bundle"
)

// Previous is the baseline of the trend: the window of the same length just
// before the evidence's window. Its incidents are kept apart from
// Evidence.Incidents, which holds the window's own only.
type Previous struct {
	Window Window
	Source string
	// Bundle is the path of the previous bundle when Source is
	// PreviousFromBundle, and Summary its stats/summary.json.
	Bundle  string `redact:"own"`
	Summary []byte `redact:"own"`
	// Incidents, Usage and AlertsSeen are the previous window's when Source
	// is PreviousFromAPI. Usage is nil when the Usage Records API did not
	// answer for that window.
	Incidents  []Incident
	Usage      []UsageDay
	AlertsSeen int
}

// PreviousWindow is the window of the same length just before w, in w's
// display zone.
func PreviousWindow(w Window) Window {
	d := w.Duration()
	return Window{From: w.From.Add(-d), To: w.From, Location: w.Location}
}

// PreviousAlerts lists the incidents and daily usage of the previous window
// from the API, as long as Twilio still holds that window's alerts
// (AlertRetention), into Evidence.Previous. It does nothing when a previous
// bundle already gave the baseline. It reads the resource Alerts reads,
// deciding the same way on its own (Monitor alerts or, where the Monitor
// API does not answer for the account, API v2010 notifications), so that
// it runs alongside Alerts.
type PreviousAlerts struct {
	// MaxAlerts bounds the alerts read (default 1,000,000).
	MaxAlerts int
}

// Name implements Collector.
func (PreviousAlerts) Name() string { return "previous-window" }

// Off implements Switchable: --previous gives the baseline, or there are
// no credentials.
func (PreviousAlerts) Off(env *Env) string {
	if p := env.Evidence.Previous; p != nil && p.Source == PreviousFromBundle {
		return fmt.Sprintf("the previous bundle %s is the trend's baseline", p.Bundle)
	}
	return noAPI(env)
}

// Collect implements Collector.
func (p PreviousAlerts) Collect(ctx context.Context, env *Env) error {
	ev := env.Evidence
	if why := p.Off(env); why != "" {
		return Skip("%s", why)
	}
	pw := PreviousWindow(ev.Window)
	if oldest := env.now().Add(-AlertRetention); pw.From.Before(oldest) {
		return Skip("the previous window starts %s, and Twilio keeps alerts for 30 days only: give --previous BUNDLE.zip for a trend", pw.From.UTC().Format(time.RFC3339))
	}
	maxAlerts := p.MaxAlerts
	if maxAlerts <= 0 {
		maxAlerts = 1_000_000
	}
	var (
		incidents []Incident
		seen      int
		err       error
		listed    = "alerts"
	)
	list, endList := env.API.listClient(ctx)
	incidents, seen, err = previousFromMonitor(list, pw, maxAlerts)
	if seen == 0 && alertsUnavailable(err) {
		listed = "notifications"
		incidents, seen, err = previousFromNotifications(list, pw, maxAlerts)
	}
	endList()
	if err != nil {
		return fmt.Errorf("previous window %s to %s: list %s (after %d): %w",
			pw.From.UTC().Format(time.RFC3339), pw.To.UTC().Format(time.RFC3339), listed, seen, apiErr(err))
	}
	if seen >= maxAlerts {
		env.progress().Warnf("previous window: stopped after %d alerts (the limit); the trend's baseline is short", seen)
	}
	sortIncidents(incidents)
	prev := &Previous{Window: pw, Source: PreviousFromAPI, Incidents: incidents, AlertsSeen: seen}
	// The usage collector, run over the previous window on an evidence of
	// its own: only its figures are taken.
	usageEnv := &Env{Evidence: &Evidence{Account: ev.Account, Window: pw}, API: env.API, Progress: env.Progress, Now: env.Now}
	if uerr := (Usage{}).Collect(ctx, usageEnv); uerr != nil {
		env.progress().Warnf("previous window: no usage totals, so no error-rate trend: %s", describeAPIError(uerr))
	} else {
		prev.Usage = usageEnv.Evidence.Usage
	}
	ev.Previous = prev
	return nil
}

// previousFromMonitor lists the Monitor alerts of pw and keeps its webhook
// failures as incidents.
func previousFromMonitor(rc *twilio.RestClient, pw Window, maxAlerts int) ([]Incident, int, error) {
	params := &monitor.ListAlertParams{}
	params.SetStartDate(pw.From).SetEndDate(pw.To).SetPageSize(1000).SetLimit(maxAlerts)
	records, errs := streamAlerts(rc, params)
	var out []Incident
	seen := 0
	for al := range records { // drained to the end so the paging goroutine ends
		seen++
		if inc, ok := incidentFromAlert(al, pw); ok {
			out = append(out, inc)
		}
	}
	return out, seen, <-errs
}

// previousFromNotifications lists the API v2010 notifications of pw (by UTC
// day, then the exact window) and keeps its webhook failures as incidents.
func previousFromNotifications(rc *twilio.RestClient, pw Window, maxRecords int) ([]Incident, int, error) {
	records, errs := streamNotifications(rc, notificationParams(pw, maxRecords))
	var out []Incident
	seen := 0
	for n := range records { // drained to the end so the paging goroutine ends
		seen++
		if inc, ok := incidentFromNotification(n, pw); ok {
			out = append(out, inc)
		}
	}
	return out, seen, <-errs
}
