package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// probeOptions are the flags of `twilio-evidence probe`.
type probeOptions struct {
	urls          []string
	count         int
	interval      time.Duration
	resolve       []string
	style         string
	method        string
	channel       string
	perAddress    probe.PerAddress
	record        string
	json          bool
	allowPrivate  bool
	authTokenFile string
	lang          string
	wide          bool
	quiet         bool
}

// Bounds of the probe command's sampling.
const (
	defaultProbeCount    = 5
	defaultProbeInterval = 2 * time.Second
	maxProbeInterval     = time.Hour
)

const probeUsage = `Usage: twilio-evidence probe URL… [flags]

Requests each webhook URL by other means than Twilio, many times — steps 2 and
3 of Twilio's isolation procedure — and names for each the cause when its
attempts all or mostly fail (url_not_found, app_server_error, app_too_slow,
tls_expired, connect_refused …), or says it answers (ok, near_timeout), fails
now and then (intermittent), fails on one of its addresses or only through the
load balancer. Every attempt records DNS, connect, TLS, time to first byte
and total, the certificate, the status, Content-Type and size, and names the
Twilio error the same failure gives (11200, 11205, 11217, 12300 …). A
connection-override fragment (#ct=…&rt=…&tt=…) sets the timeouts and is never
sent. The table (or --json) goes to stdout.

Examples:
  # five samples, two seconds apart, each address of the name on its own
  twilio-evidence probe https://example.com/twilio/voice
  # compare the load balancer with the origin behind it (curl's --resolve)
  twilio-evidence probe https://example.com/twilio/voice --resolve example.com:443:10.0.0.12
  # the request Twilio sends, signed with TWILIO_AUTH_TOKEN (your application processes it)
  twilio-evidence probe https://example.com/twilio/voice --style twilio --method POST
  # from cron every 5 minutes, for failures by hour of day (bundle --probe-history)
  twilio-evidence probe https://example.com/twilio/voice --count 1 --record ~/probes.csv
`

const probeExitCodes = `
Exit codes:
  0  every URL answered (also when slowly: see the table)
  1  at least one URL failed, or Twilio cannot reach it (the table says why)
  2  usage error: a bad URL, connection override, --resolve or flag
  3  interrupted: what was measured is printed (and recorded)
  4  could not run: no auth token for --style twilio, --record file not writable
`

func init() {
	commandUsage["probe"] = probeUsage
	commandExitCodes["probe"] = probeExitCodes
	otherCommands["probe"] = func() *pflag.FlagSet { return newProbeFlags(&probeOptions{}) }
}

func newProbeFlags(o *probeOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("probe", pflag.ContinueOnError)
	fs.IntVarP(&o.count, "count", "n", defaultProbeCount, fmt.Sprintf("samples per URL (1–%d)", probe.MaxCount))
	fs.DurationVar(&o.interval, "interval", defaultProbeInterval, "pause between samples")
	fs.StringArrayVar(&o.resolve, "resolve", nil, "HOST:PORT:ADDR: also connect to ADDR for HOST:PORT, like curl, to reach the origin behind a load balancer (repeatable)")
	fs.StringVar(&o.style, "style", probe.StyleGet, "get: a plain GET, like a browser; twilio: Twilio's request, signed, with fake CallSid/MessageSid")
	fs.StringVar(&o.method, "method", "", "method of --style twilio: POST (default) or GET, as configured for the webhook")
	fs.StringVar(&o.channel, "channel", probe.ChannelVoice, "parameters of --style twilio: voice or sms")
	fs.Bool("per-address", false, "probe each address of the name on its own (default: when it has several); --per-address=false never")
	fs.StringVar(&o.record, "record", "", "append every attempt to this CSV file (for bundle --probe-history)")
	fs.BoolVar(&o.json, "json", false, "print the attempts and summaries as JSON instead of the table")
	fs.BoolVar(&o.allowPrivate, "allow-private", false, "judge private and loopback addresses like public ones (a test server on your network)")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "--style twilio: read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.StringVar(&o.lang, "lang", "en", "language of the table's headings and explanations: en or ja")
	fs.BoolVar(&o.wide, "wide", false, "every column: the failure classes and the DNS, connect, TLS and first-byte times (wider than 120 columns)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress on stderr (a bar per URL on a terminal, plain lines otherwise)")
	return fs
}

func runProbeCmd(args []string, s streams) error {
	var o probeOptions
	fs := newProbeFlags(&o)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printHelp("probe", fs, s.out)
			return nil
		}
		return usageErr("probe: %s (see twilio-evidence probe --help)", explainFlagError("probe", err, fs))
	}
	if err := checkDurations("probe", fs); err != nil {
		return err
	}
	if fs.Changed("per-address") {
		on, _ := fs.GetBool("per-address")
		o.perAddress = probe.PerAddressOff
		if on {
			o.perAddress = probe.PerAddressOn
		}
	}
	o.urls = fs.Args()
	ctx, stop := interruptContext(s)
	defer stop()
	return runProbe(ctx, o, s)
}

// probeRequest is what runProbe checked and built from the options.
type probeRequest struct {
	targets []probe.Target
	opts    probe.Options
}

// parseProbe checks the options and builds the targets and prober options;
// every problem is a usage error naming the flag or URL.
func parseProbe(o probeOptions, getenv func(string) string) (probeRequest, error) {
	var r probeRequest
	if len(o.urls) == 0 {
		return r, usageErr("probe: no URL given (see twilio-evidence probe --help)")
	}
	if o.count < 1 || o.count > probe.MaxCount {
		return r, usageErr("probe: --count %d: want 1 to %d", o.count, probe.MaxCount)
	}
	if o.interval < 0 || o.interval > maxProbeInterval {
		return r, usageErr("probe: --interval %s: want 0 to %s", o.interval, maxProbeInterval)
	}
	if !validLang(o.lang) {
		return r, usageErr("probe: --lang %q: want one of %v", o.lang, templates.Languages)
	}
	for _, raw := range o.urls {
		t, err := probe.ParseTarget(raw)
		if err != nil {
			return r, usageErr("probe: %v", err)
		}
		r.targets = append(r.targets, t)
	}
	for _, v := range o.resolve {
		ro, err := probe.ParseResolve(v)
		if err != nil {
			return r, usageErr("probe: --%v", err)
		}
		r.opts.Resolve = append(r.opts.Resolve, ro)
	}
	r.opts.Style = o.style
	switch o.style {
	case probe.StyleGet:
		if o.method != "" {
			return r, usageErr("probe: --method applies to --style twilio only (--style get always sends GET)")
		}
	case probe.StyleTwilio:
		r.opts.Method = strings.ToUpper(o.method)
		if r.opts.Method != "" && r.opts.Method != "GET" && r.opts.Method != "POST" {
			return r, usageErr("probe: --method %q: Twilio webhooks use GET or POST", o.method)
		}
		if o.channel != probe.ChannelVoice && o.channel != probe.ChannelSMS {
			return r, usageErr("probe: --channel %q: want voice or sms", o.channel)
		}
		if err := pipeline.CheckTokenFile(o.authTokenFile); err != nil {
			return r, err
		}
		creds, err := collect.CredentialsFromEnv(withoutAPIKey(getenv), o.authTokenFile, "")
		if err != nil {
			return r, envErr(fmt.Errorf("probe --style twilio signs its requests with the auth token: %w", err))
		}
		r.opts.AuthToken, r.opts.AccountSID, r.opts.Channel = creds.Secret, creds.AccountSID, o.channel
	default:
		return r, usageErr("probe: --style %q: want get or twilio", o.style)
	}
	r.opts.Count, r.opts.Interval = o.count, o.interval
	if o.interval == 0 {
		r.opts.Interval = time.Nanosecond // back to back; zero would mean the default
	}
	r.opts.PerAddress, r.opts.AllowPrivate = o.perAddress, o.allowPrivate
	return r, nil
}

// withoutAPIKey hides the API key variables: a webhook signature is made
// with the auth token, never with an API key secret.
func withoutAPIKey(getenv func(string) string) func(string) string {
	return func(name string) string {
		if name == "TWILIO_API_KEY" || name == "TWILIO_API_SECRET" {
			return ""
		}
		return getenv(name)
	}
}

func runProbe(ctx context.Context, o probeOptions, s streams) error {
	req, err := parseProbe(o, s.getenv)
	if err != nil {
		return err
	}
	if o.record != "" {
		if err := probe.CheckRecord(o.record); err != nil {
			return usageErr("--record %s: %v", o.record, err)
		}
		f, err := os.OpenFile(o.record, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return envErr(fmt.Errorf("--record: %w", err))
		}
		f.Close()
	}
	if req.opts.Style == probe.StyleTwilio {
		fmt.Fprintln(s.err, probe.Warning)
	}
	for _, t := range req.targets {
		for _, w := range t.Warnings {
			fmt.Fprintf(s.err, "warning: %s: %v\n", t, &w)
		}
	}
	report, err := runWithProgress(ctx, req, o, s)
	if err != nil {
		return usageErr("probe: %v", err)
	}

	var recordErr error
	if o.record != "" {
		recordErr = probe.AppendHistory(o.record, report.Attempts)
	}
	for i := range report.Targets {
		report.Targets[i].Explanation = probe.Explain(report.Targets[i], o.lang)
	}
	if o.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return envErr(fmt.Errorf("write JSON: %w", err))
		}
	} else if err := writeProbeTable(s.out, report.Targets, o); err != nil {
		return envErr(err)
	}
	switch {
	case recordErr != nil:
		return envErr(recordErr)
	case report.Interrupted:
		return runerr.Incompletef("probe: interrupted after %d attempts; the results above are partial", len(report.Attempts))
	}
	if bad := failingTargets(report.Targets); len(bad) > 0 {
		return runerr.New(runerr.Incidents, fmt.Errorf("probe: %s", strings.Join(bad, "; ")))
	}
	return nil
}

// runWithProgress probes the targets, showing on stderr how far each URL
// got: a bar per URL with its attempt k of n on a terminal, plain lines
// otherwise, nothing with --quiet.
func runWithProgress(ctx context.Context, req probeRequest, o probeOptions, s streams) (probe.Report, error) {
	progress := newProgress(s, o.quiet)
	if lp, ok := progress.(*lineProgress); ok {
		lp.attempts = true
	}
	defer progress.Close()
	tasks := make([]collect.Task, len(req.targets))
	for i, t := range req.targets {
		tasks[i] = progress.Start(shortURL(t.String(), 28), max(1, min(o.count, probe.MaxCount)))
	}
	req.opts.OnAttempt = func(i int, a probe.Attempt) {
		if a.Mode == probe.ModeDNS { // one per sample; its per-address attempts go with it
			tasks[i].Add(1)
		}
	}
	p, err := probe.New(req.opts)
	if err != nil {
		return probe.Report{}, err
	}
	report := p.Run(ctx, req.targets)
	for _, t := range tasks {
		t.Done()
	}
	return report, nil
}

// writeProbeTable prints the table: --wide has every column.
func writeProbeTable(w io.Writer, targets []probe.TargetSummary, o probeOptions) error {
	if o.wide {
		return probe.WriteWideTable(w, targets, o.lang)
	}
	return probe.WriteTable(w, targets, o.lang)
}

// shortURL shortens a URL for a progress label of n runes: the scheme goes,
// and the middle gives way to "…" so that the host's start and the path's
// end stay.
func shortURL(u string, n int) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	r := []rune(u)
	if len(r) <= n {
		return u
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// failingTargets names each target whose verdict is a failure.
func failingTargets(targets []probe.TargetSummary) []string {
	var out []string
	for _, t := range targets {
		switch t.Verdict {
		case probe.VerdictOK, probe.VerdictNearTimeout, probe.VerdictNoData:
		default:
			out = append(out, t.Target+" "+t.Verdict)
		}
	}
	return out
}
