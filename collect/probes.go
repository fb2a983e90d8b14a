package collect

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// Bundle files of the probe collector.
const (
	// ProbeAttemptsFile holds every attempt of this run with its phase timings.
	ProbeAttemptsFile = "probes/attempts.csv"
	// ProbeSummaryFile holds the per-target and per-address summaries, where
	// each target came from, and the history's summary.
	ProbeSummaryFile = "probes/summary.json"
	// ProbeHistoryFile holds the attempts of the --probe-history file.
	ProbeHistoryFile = "probes/history.csv"
	// ProbeByHourFile holds the history's failure rate by hour of day.
	ProbeByHourFile = "probes/failure_by_hour.csv"
)

// Defaults of a bundle's probe run: a few samples close together, a cap on
// the whole run and on the number of targets, so that probing never
// dominates the time a bundle takes.
const (
	DefaultProbeCount      = 3
	DefaultProbeInterval   = time.Second
	DefaultProbeBudget     = time.Minute
	DefaultMaxProbeTargets = 30
	// ProbeHistoryRetention is how far back from the window's end history
	// attempts are kept, like Twilio's alerts.
	ProbeHistoryRetention = AlertRetention
)

// Sources of a probe target.
const (
	SourceFlag   = "--probe"
	SourceAlerts = "alerts"
)

// Probes requests every webhook URL the way steps 2 and 3 of the isolation
// procedure ask: the explicit --probe URLs, every URL of the effective
// webhook configuration (primary, fallback, status callback) and every
// distinct request URL of the alerts, de-duplicated. It waits for the
// config and alerts collectors of its Run. URLs hosted by Twilio are not
// probed.
type Probes struct {
	// URLs are explicit targets (--probe), probed first and never capped.
	URLs []string
	// Disabled skips the probes (--no-probe); the history is still read.
	// DisabledReason is recorded as the reason (default "--no-probe").
	Disabled       bool
	DisabledReason string
	// HistoryFile is a CSV written by `probe --record` (--probe-history).
	HistoryFile string
	// Count and Interval are the samples per target (defaults
	// DefaultProbeCount, DefaultProbeInterval).
	Count    int
	Interval time.Duration
	// Budget caps the whole probe run (default DefaultProbeBudget); what
	// was measured when it runs out is kept.
	Budget time.Duration
	// MaxTargets caps the targets from the configuration and the alerts
	// (default DefaultMaxProbeTargets).
	MaxTargets int
	// Network carries the prober's network settings: resolver, dialer,
	// extra roots, proxy, AllowPrivate (the demo routes its webhook hosts to
	// local servers this way). Its sampling fields are ignored.
	Network probe.Options
}

// ProbeEvidence is what the probe collector found.
type ProbeEvidence struct {
	// Report is the probe run; nil when nothing was probed.
	Report *probe.Report `json:"-"`
	// Targets lists every URL considered, where it came from, and why it was
	// not probed when it was not.
	Targets []ProbeTarget `json:"targets"`
	// History is the --probe-history file's content; nil without one.
	History *ProbeHistory `json:"history,omitempty"`
}

// Why a URL was not probed (ProbeTarget.SkipKind).
const (
	SkipBadURL       = "bad_url"       // the URL does not parse
	SkipTwilioHosted = "twilio_hosted" // TwiML Bin, Function, Studio: Twilio's own
	SkipOverLimit    = "over_limit"    // more URLs than are probed
)

// ProbeTarget is one URL the probe collector considered.
type ProbeTarget struct {
	// URL is the URL as configured (fragment kept, user:password removed).
	URL string `json:"url"`
	// Target is the URL probes are filed under (Attempt.Target): no fragment.
	Target string `json:"target"`
	// Sources say where the URL came from: "--probe", "alerts (N)" or the
	// webhook setting ("number +1415… PN… voice url").
	Sources []string `json:"sources"`
	// Skipped says why the URL was not probed; empty when it was.
	// SkipKind names the reason (Skip* constants) for the documents'
	// languages.
	Skipped  string `json:"skipped,omitempty"`
	SkipKind string `json:"skip_kind,omitempty"`
	// Invalid is the connection-override value Twilio rejects, when any.
	Invalid *probe.OverrideError `json:"invalid_override,omitempty"`
	// Warnings are override values Twilio accepts only under conditions.
	Warnings []probe.OverrideError `json:"override_warnings,omitempty"`
	// Method is the method the configuration requests the URL with, when
	// every webhook setting that names it agrees; empty otherwise.
	Method string `json:"method,omitempty"`

	// raw is the URL as given, credentials included: what is probed.
	raw string
}

// ProbeHistory is the attempts of a history file recorded by `probe
// --record`, over the ProbeHistoryRetention before the window's end.
type ProbeHistory struct {
	// File is the history file's base name.
	File     string          `json:"file"`
	Attempts []probe.Attempt `json:"-"`
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	// Dropped counts attempts older than the retention or after the window.
	Dropped int                   `json:"dropped,omitempty"`
	Targets []probe.TargetSummary `json:"targets"`
	// Zone names the time zone of ByHour.
	Zone   string           `json:"zone"`
	ByHour []probe.HourStat `json:"failure_by_hour"`
}

// Name implements Collector.
func (Probes) Name() string { return "probes" }

// After implements Waiter: the URLs come from the configuration and the
// alerts.
func (Probes) After() []string { return []string{Config{}.Name(), Alerts{}.Name()} }

// Source implements the collector's data source for the manifest.
func (Probes) Source() string { return "probe" }

// Off implements Switchable: probes switched off with nothing recorded
// to read instead.
func (c Probes) Off(*Env) string {
	if c.Disabled && c.HistoryFile == "" {
		return cmp.Or(c.DisabledReason, "--no-probe")
	}
	return ""
}

// Collect implements Collector.
func (c Probes) Collect(ctx context.Context, env *Env) error {
	pe := &ProbeEvidence{}
	env.Evidence.Probes = pe
	var histErr error
	if c.HistoryFile != "" {
		histErr = c.readHistory(env, pe)
	}
	if c.Disabled {
		if histErr != nil {
			return histErr
		}
		return Skip("%s", cmp.Or(c.DisabledReason, "--no-probe"))
	}
	pe.Targets = c.targets(env.Evidence)
	var targets []probe.Target
	for _, pt := range pe.Targets {
		if pt.Skipped != "" || pt.Invalid != nil {
			continue
		}
		t, err := probe.ParseTarget(pt.raw)
		if err != nil {
			continue
		}
		t.Method = pt.Method
		targets = append(targets, t)
	}
	if err := stageJSON(env.Stage, ProbeSummaryFile, probeSummary(pe)); err != nil {
		return err
	}
	if len(targets) == 0 {
		if histErr != nil {
			return histErr
		}
		return Skip("no webhook URL to probe")
	}

	opts := c.Network
	opts.Style, opts.Method, opts.AuthToken = probe.StyleGet, "", ""
	opts.Count = cmp.Or(c.Count, DefaultProbeCount)
	opts.Interval = cmp.Or(c.Interval, DefaultProbeInterval)
	opts.Resolve = nil
	// The bar advances per sample: one attempt through DNS each; the
	// attempts on each address and origin go with it.
	var task Task
	opts.OnAttempt = func(_ int, a probe.Attempt) {
		if a.Mode == probe.ModeDNS {
			task.Add(1)
		}
	}
	p, err := probe.New(opts)
	if err != nil {
		return fmt.Errorf("probes: %w", err)
	}
	budget := cmp.Or(c.Budget, DefaultProbeBudget)
	task = env.progress().Start("probes", len(targets)*p.Options().Count)
	rctx, cancel := context.WithTimeout(ctx, budget)
	report := p.Run(rctx, targets)
	cancel()
	task.Done()
	pe.Report = &report

	var buf bytes.Buffer
	if err := probe.WriteAttempts(&buf, report.Attempts); err != nil {
		return err
	}
	if err := env.Stage.WriteFile(ProbeAttemptsFile, buf.Bytes()); err != nil {
		return err
	}
	if err := stageJSON(env.Stage, ProbeSummaryFile, probeSummary(pe)); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("probes stopped after %d attempts: %w", len(report.Attempts), ctx.Err())
	case report.Interrupted:
		env.progress().Warnf("probes: the %s budget ran out after %d attempts; what was measured is kept", budget, len(report.Attempts))
	case report.Capped:
		env.progress().Warnf("probes: stopped at %d attempts (the limit)", len(report.Attempts))
	}
	return histErr
}

// targets gathers the URLs to probe, de-duplicated by the URL on the wire
// (a configured URL with a connection-override fragment wins over the same
// URL without one, as it carries the timeouts Twilio uses).
func (c Probes) targets(ev *Evidence) []ProbeTarget {
	var out []ProbeTarget
	index := map[string]int{}
	methods := map[string][]string{} // target → the methods configured for it
	add := func(raw, source, method string) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return
		}
		pt := ProbeTarget{URL: withoutUserinfo(raw), Target: withoutUserinfo(raw), raw: raw}
		defer func() {
			if method != "" && !slices.Contains(methods[pt.Target], method) {
				methods[pt.Target] = append(methods[pt.Target], method)
			}
		}()
		t, err := probe.ParseTarget(raw)
		var oe *probe.OverrideError
		switch {
		case errors.As(err, &oe):
			pt.Invalid = oe
			if wire, ok := wireURL(raw); ok {
				pt.Target = wire
			}
		case err != nil:
			pt.Skipped, pt.SkipKind = err.Error(), SkipBadURL
		default:
			pt.Target = t.String()
			pt.Warnings = t.Warnings
			if TwilioHostedURL(raw) && source != SourceFlag {
				pt.Skipped, pt.SkipKind = "hosted by Twilio (TwiML Bin, Functions, Studio): not probed", SkipTwilioHosted
			}
		}
		if i, ok := index[pt.Target]; ok {
			prev := &out[i]
			if !slices.Contains(prev.Sources, source) {
				prev.Sources = append(prev.Sources, source)
			}
			if !strings.Contains(prev.URL, "#") && strings.Contains(pt.URL, "#") {
				prev.URL, prev.raw, prev.Invalid, prev.Warnings = pt.URL, pt.raw, pt.Invalid, pt.Warnings
			}
			return
		}
		pt.Sources = []string{source}
		index[pt.Target] = len(out)
		out = append(out, pt)
	}
	for _, u := range c.URLs {
		add(u, SourceFlag, "")
	}
	explicit := len(out)
	for _, e := range ev.Endpoints {
		if !e.Effective {
			continue
		}
		owner := e.OwnerKind + " " + strings.TrimSpace(e.OwnerName+" "+e.OwnerSID)
		add(e.URL, owner+" "+e.Channel+" url", e.Method)
		add(e.FallbackURL, owner+" "+e.Channel+" fallback url", e.FallbackMethod)
		add(e.StatusCallback, owner+" "+e.Channel+" status callback", e.StatusCallbackMethod)
	}
	// Alert request URLs, the most frequent first.
	count := map[string]int{}
	for _, inc := range ev.Incidents {
		if inc.URL != "" {
			count[inc.URL]++
		}
	}
	urls := make([]string, 0, len(count))
	for u := range count {
		urls = append(urls, u)
	}
	sort.Slice(urls, func(i, j int) bool {
		if count[urls[i]] != count[urls[j]] {
			return count[urls[i]] > count[urls[j]]
		}
		return urls[i] < urls[j]
	})
	for _, u := range urls {
		add(u, fmt.Sprintf("%s (%d incidents)", SourceAlerts, count[u]), "")
	}
	for i := range out {
		if m := methods[out[i].Target]; len(m) == 1 {
			out[i].Method = m[0]
		}
	}
	limit := cmp.Or(c.MaxTargets, DefaultMaxProbeTargets)
	probed := 0
	for i := explicit; i < len(out); i++ {
		if out[i].Skipped != "" || out[i].Invalid != nil {
			continue
		}
		if probed++; probed > limit {
			out[i].Skipped, out[i].SkipKind = fmt.Sprintf("more than %d webhook URLs: only the first %d are probed", limit, limit), SkipOverLimit
		}
	}
	return out
}

// TwilioHostedURL reports whether a URL is served by Twilio itself: TwiML
// Bins (handler.twilio.com), Studio and other *.twilio.com hosts, Functions
// and Assets (*.twil.io). Such URLs are not the customer's to probe.
func TwilioHostedURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "twilio.com" || strings.HasSuffix(h, ".twilio.com") || strings.HasSuffix(h, ".twil.io")
}

// wireURL is raw without its fragment and user:password.
func wireURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	u.User, u.Fragment, u.RawFragment = nil, "", ""
	return u.String(), true
}

// withoutUserinfo removes user:password from a URL, keeping its fragment.
func withoutUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// readHistory reads the history file, keeps the attempts of the retention
// before the window's end, and stages them with their failure rate by hour
// of day in the window's display zone.
func (c Probes) readHistory(env *Env, pe *ProbeEvidence) error {
	all, err := probe.ReadHistoryFile(c.HistoryFile)
	if err != nil {
		return fmt.Errorf("probe history: %w", err)
	}
	w := env.Evidence.Window
	from := w.To.Add(-ProbeHistoryRetention)
	h := &ProbeHistory{File: filepath.Base(c.HistoryFile), Zone: w.Loc().String()}
	for _, a := range all {
		if a.Time.Before(from) || !a.Time.Before(w.To) {
			h.Dropped++
			continue
		}
		h.Attempts = append(h.Attempts, a)
		if h.From.IsZero() || a.Time.Before(h.From) {
			h.From = a.Time
		}
		if a.Time.After(h.To) {
			h.To = a.Time
		}
	}
	h.Targets = probe.Summarize(h.Attempts, probe.SummaryOptions{AllowPrivate: c.Network.AllowPrivate})
	h.ByHour = probe.FailureByHour(h.Attempts, w.Loc())
	pe.History = h
	if h.Dropped > 0 {
		env.progress().Warnf("probe history: %d of %d attempts lie outside the %d days before the window's end and are left out", h.Dropped, len(all), int(ProbeHistoryRetention.Hours()/24))
	}
	var buf bytes.Buffer
	if err := probe.WriteAttempts(&buf, h.Attempts); err != nil {
		return err
	}
	if err := env.Stage.WriteFile(ProbeHistoryFile, buf.Bytes()); err != nil {
		return err
	}
	buf.Reset()
	if err := csvsafe.Marshal(h.ByHour, &buf); err != nil {
		return fmt.Errorf("write %s: %w", ProbeByHourFile, err)
	}
	if err := env.Stage.WriteFile(ProbeByHourFile, buf.Bytes()); err != nil {
		return err
	}
	return stageJSON(env.Stage, ProbeSummaryFile, probeSummary(pe))
}

// probeSummaryDoc is probes/summary.json.
type probeSummaryDoc struct {
	Started     *time.Time            `json:"started,omitempty"`
	Finished    *time.Time            `json:"finished,omitempty"`
	Style       string                `json:"style,omitempty"`
	Count       int                   `json:"count,omitempty"`
	IntervalMs  float64               `json:"interval_ms,omitempty"`
	Interrupted bool                  `json:"interrupted,omitempty"`
	Capped      bool                  `json:"capped,omitempty"`
	Attempts    int                   `json:"attempts"`
	Results     []probe.TargetSummary `json:"results"`
	*ProbeEvidence
}

func probeSummary(pe *ProbeEvidence) probeSummaryDoc {
	d := probeSummaryDoc{ProbeEvidence: pe, Results: []probe.TargetSummary{}}
	if pe.Targets == nil {
		pe.Targets = []ProbeTarget{}
	}
	if r := pe.Report; r != nil {
		d.Started, d.Finished = &r.Started, &r.Finished
		d.Style, d.Count, d.IntervalMs = r.Style, r.Count, r.IntervalMs
		d.Interrupted, d.Capped, d.Attempts = r.Interrupted, r.Capped, len(r.Attempts)
		if r.Targets != nil {
			d.Results = r.Targets
		}
	}
	return d
}

func stageJSON(stage *Stage, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return stage.WriteFile(name, append(b, '\n'))
}
