package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// traceOptions are the flags of `twilio-evidence trace`.
type traceOptions struct {
	window        pipeline.Window
	hops, logs    []string
	hopAddrs      []string
	matchWindow   time.Duration
	logTZ         string
	asJSON        bool
	demo          bool
	accountSID    string
	authTokenFile string
	apiURL        string
	inputs        pipeline.Inputs
	quiet         bool
	timeout       time.Duration
}

const traceUsage = `Usage: twilio-evidence trace --hop NAME=PATH[:FORMAT]… [--log NAME=PATH…] [window] [flags]

Steps 1 and 3 of Twilio's isolation procedure: for every failed webhook
request of the window, reads the access log of each component the request
passes through — given in path order from the edge inward — and says how far
it got: lost between two components, dropped by a firewall, never reached
your network, or answered by your application with an error, too slowly or
in time.

PATH may be a glob and may include gzip-rotated files (access.log*). The
format is detected and reported with how many lines were read; a firewall's
lines among other programs' lines (/var/log/syslog, kern.log) are found and
the others skipped. Give the format as NAME=PATH:FORMAT when detection cannot
tell. Times without an offset are read at the offset that lines the log's
Twilio requests up with the alerts, and trace says which; --log-tz chooses.

Formats: combined and common (nginx, apache, Traefik), ltsv, json (Envoy,
Istio, Traefik, Caddy, GitLab known by their fields; json:time=F,path=F,
duration=F:ms,… to name them), haproxy, envoy, w3c (IIS), cloudfront, alb,
elb, iptables (UFW, EdgeOS, UniFi), filterlog (pfSense, OPNsense),
mikrotik, vpcflow, text; cri+FORMAT and compose+FORMAT behind a container
runtime's prefix; and regex:PATTERN with named groups time, method, path,
status, duration, ua (src, dst, dport, action for connection logs).

The failed requests come from the Twilio API (the same credentials as
bundle) or from --alerts-file / --incidents-file.

Examples:
  # firewall, load balancer and web server, the last 24 hours
  twilio-evidence trace --hop firewall=/var/log/kern.log --hop lb='/var/log/alb/*.log.gz' \
    --hop web='/var/log/nginx/access.log*'
  # a CSV exported from the console, logs written in Tokyo time without offsets
  # (inferred when not given)
  twilio-evidence trace --incidents-file export.csv --hop web=access.log --log-tz Asia/Tokyo
  # an application log in a format of its own
  twilio-evidence trace --hop 'app=app.log:regex:^(?P<time>\S+) (?P<method>\S+) (?P<path>\S+) (?P<status>\d+)'
  # try it without an account or logs
  twilio-evidence trace --demo
`

func init() {
	commandUsage["trace"] = traceUsage
	commandExitCodes["trace"] = `
Exit codes:
  0  done: every failed request is traced as far as the logs tell
  2  usage or input error: a bad --hop, format, window or file
  3  done, but incomplete: the alerts or a log could not be read in full (the result says which)
  4  could not run: no or rejected credentials, no network
`
	otherCommands["trace"] = func() *pflag.FlagSet { return newTraceFlags(&traceOptions{}) }
}

func newTraceFlags(o *traceOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("trace", pflag.ContinueOnError)
	registerWindow(fs, &o.window, "24h")
	fs.StringArrayVar(&o.hops, "hop", nil, "a component's access log, NAME=PATH[:FORMAT], repeated in path order from the edge inward")
	fs.StringArrayVar(&o.logs, "log", nil, "an application or debug log, NAME=PATH[:FORMAT], repeated (read for context, not traced)")
	fs.StringArrayVar(&o.hopAddrs, "hop-addr", nil, "an address connection-level hops (firewalls) match on instead of the webhook host's DNS answer, repeated (e.g. the server's address behind NAT)")
	fs.DurationVar(&o.matchWindow, "match-window", hoplog.DefaultWindow, "how far from an alert's time a log line may be and still be its request")
	fs.StringVar(&o.logTZ, "log-tz", "auto", "time zone of log times that carry no offset: auto (the offset that lines the log's Twilio requests up with the alerts), local, UTC or an IANA name")
	fs.BoolVar(&o.asJSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&o.demo, "demo", false, "trace the built-in demo's incidents through its sample firewall, load balancer and web server logs")
	fs.StringVar(&o.accountSID, "account-sid", "", "look at this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.StringVar(&o.inputs.AlertsFile, "alerts-file", "", "read the alerts from this file instead of the API (Monitor API JSON, array or NDJSON; .gz too)")
	fs.StringVar(&o.inputs.IncidentsFile, "incidents-file", "", "read the failed requests from this CSV instead of the API (incidents.csv or a console export)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress on stderr")
	fs.DurationVar(&o.timeout, "collector-timeout", 5*time.Minute, "deadline of reading the alerts, and of reading the logs")
	fs.StringVar(&o.apiURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	_ = fs.MarkHidden("api-url")
	return fs
}

func runTraceCmd(args []string, s streams) error {
	var o traceOptions
	fs := newTraceFlags(&o)
	if done, err := parseFlags("trace", fs, args, s); done || err != nil {
		return err
	}
	ctx, stop := interruptContext(s)
	defer stop()
	return runTrace(ctx, o, s)
}

// traceInputs checks the hop and log arguments, the log zone and the
// addresses: bad input is a usage error before anything is read.
func (o traceOptions) checkInputs() (hops, logs []hoplog.Spec, loc *time.Location, addrs []netip.Addr, err error) {
	hops, logs, loc, err = pipeline.CheckLogs(o.hops, o.logs, o.logTZ, o.matchWindow)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, a := range o.hopAddrs {
		ip, perr := netip.ParseAddr(strings.TrimSpace(a))
		if perr != nil {
			return nil, nil, nil, nil, usageErr("--hop-addr %q is not an IP address", a)
		}
		addrs = append(addrs, ip.Unmap())
	}
	return hops, logs, loc, addrs, nil
}

func runTrace(ctx context.Context, o traceOptions, s streams) error {
	if len(o.hops) == 0 && !o.demo {
		return usageErr("trace: give at least one --hop NAME=PATH (e.g. --hop web=/var/log/nginx/access.log); see twilio-evidence trace --help")
	}
	if len(o.hops) > 0 {
		// Bad logs are refused before credentials are looked for.
		if _, _, _, _, err := o.checkInputs(); err != nil {
			return err
		}
	}
	// The window and the offline inputs are checked the way bundle checks
	// them.
	bo, err := pipeline.Prepare(pipeline.Options{Window: o.window, Demo: o.demo, AccountSID: o.accountSID, Inputs: o.inputs, Concurrency: 1, Getenv: s.getenv})
	if err != nil {
		return err
	}
	now := time.Now()
	defSince := "24h"
	if o.demo {
		defSince = "7d"
	}
	win, err := bo.Window.Resolve(defSince, now)
	if err != nil {
		return err
	}
	var api *collect.APIConfig
	var d *demo.Demo
	switch {
	case o.demo:
		if d, err = demo.Start(win); err != nil {
			return envErr(fmt.Errorf("demo: %w", err))
		}
		defer d.Close()
		api = d.API
		if len(o.hops) == 0 {
			o.hops, o.logs = d.Hops, d.Logs
		}
	case o.inputs.Offline():
	default:
		creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, o.accountSID)
		if err != nil {
			return envErr(err)
		}
		api = &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL}
	}
	hops, logs, loc, addrs, err := o.checkInputs()
	if err != nil {
		return err
	}
	if api != nil && win.From.Before(now.Add(-collect.AlertRetention)) {
		return usageErr("the window starts %s, but Twilio keeps alerts for 30 days only: choose a later --from or a shorter --since", win.From.Format(time.RFC3339))
	}
	stage, err := collect.NewStage()
	if err != nil {
		return envErr(err)
	}
	defer stage.Remove()
	account := bo.ExpectedAccount()
	if api != nil {
		account = api.Credentials.AccountSID
	}
	ev := &collect.Evidence{Window: win, Account: collect.Account{SID: account}}
	progress := newProgress(s, o.quiet || o.asJSON && !isTerminal(s.err))
	env := &collect.Env{Evidence: ev, Stage: stage, API: api, Progress: progress}
	collect.Run(ctx, env, o.timeout, o.inputs.Collectors()...)
	collect.Run(ctx, env, o.timeout, collect.Alerts{MaxDetails: -1})
	hc := collect.Hops{Hops: hops, Logs: logs, Window: o.matchWindow, Location: loc, LocalZone: pipeline.LocalZone(), DestAddrs: addrs, NoExcerpts: true}
	if d != nil {
		hc.Resolver, hc.ShownRoot = d.Probe.Resolver, d.LogDir
	}
	collect.Run(ctx, env, o.timeout, hc)
	progress.Close()

	res := newTraceResult(ev, o.matchWindow)
	if o.asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return envErr(fmt.Errorf("write JSON: %w", err))
		}
	} else {
		res.print(s.out)
	}
	if bundleIncomplete := pipeline.IncompleteSummary(ev); bundleIncomplete != "" {
		return runerr.Incompletef("the trace is incomplete: %s", bundleIncomplete)
	}
	return nil
}

// traceResult is what trace prints, as text or JSON.
type traceResult struct {
	From        time.Time                 `json:"from"`
	To          time.Time                 `json:"to"`
	Incidents   int                       `json:"incidents"`
	Source      string                    `json:"source"`
	MatchWindow float64                   `json:"match_window_seconds"`
	Hops        []traceHopJSON            `json:"hops"`
	Logs        []traceHopJSON            `json:"logs,omitempty"`
	Summary     string                    `json:"summary"`
	Mixed       bool                      `json:"mixed"`
	Verdicts    []traceVerdict            `json:"verdicts"`
	ByHost      []traceHostResult         `json:"by_host,omitempty"`
	Collectors  []collect.CollectorStatus `json:"collectors"`
	loc         *time.Location
}

type traceHopJSON struct {
	Name      string             `json:"name"`
	Pattern   string             `json:"pattern"`
	Format    string             `json:"format"`
	Detected  string             `json:"detection"`
	Conn      bool               `json:"connection_level,omitempty"`
	Reached   *int               `json:"reached,omitempty"`
	Files     []hoplog.FileStats `json:"files"`
	Kind      string             `json:"kind,omitempty"`
	LinesRead int64              `json:"lines_read"`
	Other     int64              `json:"other_lines_skipped"`
	Read      string             `json:"read"`
	Zone      string             `json:"zone,omitempty"`
	ZoneNote  string             `json:"zone_note,omitempty"`
	ZoneFits  *bool              `json:"zone_fits,omitempty"`
	Problems  string             `json:"problems,omitempty"`
	Note      string             `json:"note,omitempty"`
	Error     string             `json:"error,omitempty"`
	BytesRead int64              `json:"bytes_read"`
	Skipped   int64              `json:"bytes_skipped"`
}

type traceVerdict struct {
	Outcome   string   `json:"outcome"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Count     int      `json:"count"`
	Total     int      `json:"total"`
	Percent   float64  `json:"percent"`
	Sentence  string   `json:"sentence"`
	Incidents []string `json:"incidents"`
	// Confidence is what a drop proves (dropped verdicts): lower when the
	// firewall drops connections to the webhook outside the incidents'
	// windows too, BackgroundPerHour times an hour.
	Confidence        string   `json:"confidence,omitempty"`
	BackgroundPerHour *float64 `json:"background_drops_per_hour,omitempty"`
}

type traceHostResult struct {
	Host     string         `json:"host"`
	Summary  string         `json:"summary"`
	Verdicts []traceVerdict `json:"verdicts"`
}

func verdictsJSON(vs []hoplog.Verdict) []traceVerdict {
	out := []traceVerdict{}
	for _, v := range vs {
		tv := traceVerdict{Outcome: string(v.Outcome), From: v.From, To: v.To, Count: v.Count, Total: v.Total,
			Percent: float64(int(1000*float64(v.Count)/float64(v.Total)+0.5)) / 10, Sentence: v.Sentence, Incidents: v.Incidents, Confidence: v.Confidence}
		if b := v.Background; b != nil {
			rate := float64(int(b.PerHour()*10+0.5)) / 10
			tv.BackgroundPerHour = &rate
		}
		out = append(out, tv)
	}
	return out
}

func newTraceResult(ev *collect.Evidence, window time.Duration) *traceResult {
	r := &traceResult{From: ev.Window.From, To: ev.Window.To, Incidents: len(ev.Incidents), Source: ev.AlertsSource,
		MatchWindow: window.Seconds(), Verdicts: []traceVerdict{}, Hops: []traceHopJSON{}, Collectors: ev.Collectors, loc: ev.Window.Loc()}
	for _, c := range ev.Collectors {
		if c.Name != "hops" && c.State == collect.StateOK && r.Source == "" {
			r.Source = c.Name
		}
	}
	he := ev.Hops
	if he == nil {
		r.Summary = "nothing traced"
		for _, c := range ev.Collectors {
			if c.Name == "hops" && c.Reason != "" {
				r.Summary = "nothing traced: " + c.Reason
			}
		}
		return r
	}
	k := 0
	for _, h := range he.Hops {
		j := hopJSON(h)
		if h.Result != nil && k < len(he.Report.Reached) {
			n := he.Report.Reached[k]
			j.Reached = &n
			k++
		}
		r.Hops = append(r.Hops, j)
	}
	for _, h := range he.Logs {
		r.Logs = append(r.Logs, hopJSON(h))
	}
	r.Summary, r.Mixed, r.Verdicts = he.Report.Summary, he.Report.Mixed, verdictsJSON(he.Report.Verdicts)
	for _, bh := range he.ByHost {
		r.ByHost = append(r.ByHost, traceHostResult{Host: bh.Host, Summary: bh.Report.Summary, Verdicts: verdictsJSON(bh.Report.Verdicts)})
	}
	return r
}

func hopJSON(h collect.HopLog) traceHopJSON {
	t := h.Totals()
	j := traceHopJSON{Name: h.Name, Pattern: h.Pattern, Format: h.Detection.Format, Detected: h.Detection.String(), Conn: h.Conn,
		Files: h.Files, Kind: h.Detection.Kind, LinesRead: t.Parsed, Other: t.Other, Read: h.ReadSummary(),
		Problems: h.Problems(), Note: h.Note, Error: h.Err, BytesRead: t.Bytes, Skipped: t.SkippedBytes, ZoneNote: h.ZoneNote}
	if z := h.Zone; z != nil {
		fits := z.Fits
		j.Zone, j.ZoneNote, j.ZoneFits = hoplog.OffsetName(z.Offset), z.Sentence(), &fits
	}
	return j
}

// print writes the result for a person: the hops with their detection and
// counts, then the verdicts.
func (r *traceResult) print(w io.Writer) {
	layout := "2006-01-02 15:04 MST"
	fmt.Fprintf(w, "Traced %d failed webhook requests (%s → %s) through %d hops, matching within ±%s.\n",
		r.Incidents, r.From.In(r.loc).Format(layout), r.To.In(r.loc).Format(layout), len(r.Hops), time.Duration(r.MatchWindow*float64(time.Second)))
	if r.Incidents == 0 {
		fmt.Fprintln(w, "No webhook failures in the window: nothing to trace.")
		return
	}
	width := 0
	for _, h := range append(append([]traceHopJSON{}, r.Hops...), r.Logs...) {
		width = max(width, len(h.Name))
	}
	for i, h := range r.Hops {
		reached := "not read"
		if h.Reached != nil {
			reached = fmt.Sprintf("reached %d of %d", *h.Reached, r.Incidents)
		}
		fmt.Fprintf(w, "  %d. %-*s  %-16s  %s  (%s)\n", i+1, width, h.Name, reached, h.Detected, readFigures(h))
		printHopNotes(w, h)
	}
	for _, h := range r.Logs {
		fmt.Fprintf(w, "  log %-*s  %s  (%s)\n", width, h.Name, h.Detected, readFigures(h))
		printHopNotes(w, h)
	}
	fmt.Fprintln(w)
	if r.Mixed {
		fmt.Fprintln(w, "Mixed results:")
	} else {
		fmt.Fprintln(w, "Verdict:")
	}
	for _, v := range r.Verdicts {
		fmt.Fprintf(w, "  %s\n", v.Sentence)
	}
	if len(r.Verdicts) == 0 {
		fmt.Fprintf(w, "  %s\n", r.Summary)
	}
	if len(r.ByHost) > 0 {
		fmt.Fprintln(w, "\nBy webhook host:")
		for _, h := range r.ByHost {
			fmt.Fprintf(w, "  %s: %s\n", h.Host, h.Summary)
		}
	}
}

func readFigures(h traceHopJSON) string {
	if h.Error != "" && len(h.Files) == 0 {
		return "not read"
	}
	return fmt.Sprintf("%d %s, %s read, %s skipped as far from every incident", len(h.Files), plural(len(h.Files), "file", "files"), byteSize(h.BytesRead), byteSize(h.Skipped))
}

func printHopNotes(w io.Writer, h traceHopJSON) {
	if h.Error == "" || len(h.Files) > 0 {
		fmt.Fprintf(w, "     %s\n", h.Read)
	}
	if h.ZoneNote != "" {
		prefix := ""
		if h.ZoneFits != nil && !*h.ZoneFits {
			prefix = "warning: "
		}
		fmt.Fprintf(w, "     %s%s\n", prefix, h.ZoneNote)
	}
	if h.Error != "" {
		fmt.Fprintf(w, "     error: %s\n", h.Error)
	}
	if h.Problems != "" {
		fmt.Fprintf(w, "     counted, not fatal: %s\n", h.Problems)
	}
	if h.Note != "" {
		fmt.Fprintf(w, "     note: %s\n", h.Note)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
