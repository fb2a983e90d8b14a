package collect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

// AlertsFile is the bundle file holding the alerts as Twilio returned them.
const AlertsFile = "alerts.ndjson"

// Alerts collects every Monitor alert in the window, turns the webhook
// failures among them into incidents, and fetches the details (request and
// response headers and bodies) of up to MaxDetails of them while later
// pages are still coming. Where the Monitor Alerts API does not answer for
// the account, it reads the API v2010 Notifications resource instead (see
// collectNotifications) and says so. The collectors of the same Run may
// follow its list as it arrives (Env.followIncidents).
type Alerts struct {
	// MaxDetails bounds the FetchAlert calls (default 200; negative = none).
	MaxDetails int
	// MaxAlerts bounds the alerts read (default 1,000,000).
	MaxAlerts int
}

// listPageSize is the page size of the lists of alerts and notifications:
// Twilio's largest.
const listPageSize = 1000

// Name implements Collector.
func (Alerts) Name() string { return "alerts" }

// Off implements Switchable.
func (Alerts) Off(env *Env) string { return noAPI(env) }

func (Alerts) listsIncidents() {}

// Collect implements Collector.
func (a Alerts) Collect(ctx context.Context, env *Env) error {
	if why := noAPI(env); why != "" {
		return Skip("%s", why)
	}
	maxAlerts := a.MaxAlerts
	if maxAlerts <= 0 {
		maxAlerts = 1_000_000
	}
	api := env.API.Client(ctx)
	w := env.Evidence.Window
	params := &monitor.ListAlertParams{}
	params.SetStartDate(w.From).SetEndDate(w.To).SetPageSize(listPageSize).SetLimit(maxAlerts)

	feed := env.incidentFeed()
	defer feed.close()
	details := a.detailFetcher(ctx, env, func(sid string) (any, error) { return api.MonitorV1.FetchAlert(sid) })
	defer env.Stage.Delete(AlertsFile + ".list")
	list, endList := env.API.listClient(ctx)
	got, writeErr, err := streamRecords(env, feed, AlertsFile+".list", "alerts",
		func() (chan monitor.MonitorV1Alert, chan error) { return streamAlerts(list, params) },
		func(al monitor.MonitorV1Alert) (Incident, bool) { return incidentFromAlert(al, w) },
		details.add)
	endList()
	if err != nil {
		details.wait()
		return err
	}
	seen, streamErr := got.seen, got.streamErr
	if seen == 0 && alertsUnavailable(streamErr) {
		details.wait()
		return a.collectNotifications(ctx, env, api, feed, maxAlerts, streamErr)
	}
	feed.close()
	incidents := feed.sorted()
	if streamErr == nil {
		details.finish(incidents)
	}
	fetched, detailErr := details.wait()
	env.Evidence.AlertsSource = AlertsFromMonitor
	env.Evidence.AlertsSeen += seen
	addIncidents(env.Evidence, incidents)
	if writeErr != nil {
		return fmt.Errorf("write %s: %w", AlertsFile, writeErr)
	}
	if err := mergeDetails(env.Stage, AlertsFile+".list", AlertsFile, fetched); err != nil {
		return err
	}
	if streamErr != nil {
		return fmt.Errorf("list alerts (after %d): %w", seen, apiErr(streamErr))
	}
	if seen >= maxAlerts {
		env.progress().Warnf("alerts: stopped after %d alerts (the limit); the window holds more", seen)
	}
	return detailErr
}

// addIncidents adds sorted incidents to ev's (taking the slice when ev has
// none yet, so that a long list is not copied once more).
func addIncidents(ev *Evidence, incidents []Incident) {
	if len(ev.Incidents) == 0 {
		ev.Incidents = incidents
		return
	}
	ev.Incidents = append(ev.Incidents, incidents...)
	sortIncidents(ev.Incidents)
}

// streamed is what streamRecords read from one of twilio-go's streams.
type streamed struct {
	seen      int
	streamErr error // the paging failed
}

// streamRecords stages every record of a twilio-go stream as a JSON line in
// the bundle file name and publishes the incidents among them to feed, a
// page at a time (listPageSize records), handing each page's incidents to
// onPage too. The stream is started only once the file is open and is
// drained to its end, so the paging goroutine always ends. It returns the
// error of writing the file apart from err, which means nothing was read.
func streamRecords[T any](env *Env, feed *incidentFeed, name, task string, start func() (chan T, chan error), incident func(T) (Incident, bool), onPage func([]Incident)) (got streamed, writeErr, err error) {
	raw, err := env.Stage.Create(name)
	if err != nil {
		return got, nil, err
	}
	bw := bufio.NewWriterSize(raw, 256<<10)
	enc := json.NewEncoder(bw)
	t := env.progress().Start(task, 0)
	var page []Incident
	flush := func() {
		feed.publish(page)
		onPage(page)
		page = nil
	}
	records, errs := start()
	for r := range records {
		got.seen++
		t.Add(1)
		if writeErr == nil {
			writeErr = enc.Encode(r)
		}
		if inc, ok := incident(r); ok {
			page = append(page, inc)
		}
		if got.seen%listPageSize == 0 {
			flush()
		}
	}
	flush()
	t.Done()
	got.streamErr = <-errs
	if writeErr == nil {
		writeErr = bw.Flush()
	}
	if cerr := raw.Close(); writeErr == nil {
		writeErr = cerr
	}
	return got, writeErr, nil
}

// sidKey is how a staged record's "sid" field begins.
var sidKey = []byte(`"sid":"`)

// lineSID is the "sid" of a staged record (a JSON line as twilio-go
// encodes it, which has no other key ending in "sid" with a quote before
// it); the line is decoded only when that is not found.
func lineSID(line []byte) string {
	if i := bytes.Index(line, sidKey); i >= 0 {
		v := line[i+len(sidKey):]
		if j := bytes.IndexAny(v, `"\`); j >= 0 && v[j] == '"' {
			return string(v[:j])
		}
	}
	var head struct {
		Sid string `json:"sid"`
	}
	if json.Unmarshal(line, &head) != nil {
		return ""
	}
	return head.Sid
}

// incidentFromAlert makes an incident of a webhook-failure alert inside w.
func incidentFromAlert(al monitor.MonitorV1Alert, w Window) (Incident, bool) {
	code := deref(al.ErrorCode)
	if !twiliocodes.IsWebhookFailure(code) {
		return Incident{}, false
	}
	t := time.Time{}
	switch {
	case al.DateGenerated != nil:
		t = *al.DateGenerated
	case al.DateCreated != nil:
		t = *al.DateCreated
	}
	t = t.UTC()
	if !w.Contains(t) {
		return Incident{}, false
	}
	text := ParseAlertText(deref(al.AlertText))
	return NewIncident(deref(al.Sid), t, code, text, deref(al.ResourceSid), deref(al.RequestMethod), deref(al.RequestUrl)), true
}

// NewIncident builds an incident from an alert's fields and its parsed text.
func NewIncident(sid string, t time.Time, code string, text AlertText, resource, method, reqURL string) Incident {
	if reqURL == "" {
		reqURL = text.URL
	}
	msg := text.Msg
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return Incident{
		AlertSID: sid, Time: t.UTC(), ErrorCode: code, HTTPStatus: text.HTTPStatus,
		ResourceSID: resource, Kind: KindOfSID(resource), Method: strings.ToUpper(method),
		URL: reqURL, Message: msg,
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mergeDetails writes the final alerts.ndjson: the listed alerts in order,
// each replaced by its details where they were fetched.
func mergeDetails(stage *Stage, from, to string, details map[string]json.RawMessage) error {
	in, err := stage.Open(from)
	if err != nil {
		return fmt.Errorf("read staged alerts: %w", err)
	}
	defer in.Close()
	out, err := stage.Create(to)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	br := bufio.NewReaderSize(in, 256<<10)
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			if len(details) > 0 {
				if d, ok := details[lineSID(line)]; ok {
					line = append(append([]byte{}, d...), '\n')
				}
			}
			if _, err := bw.Write(line); err != nil {
				out.Close()
				return fmt.Errorf("write %s: %w", to, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return fmt.Errorf("read staged alerts: %w", rerr)
		}
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", to, err)
	}
	return out.Close()
}
