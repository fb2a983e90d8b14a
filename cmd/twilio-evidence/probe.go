package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
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
	maxProbeInterval     = probe.MaxInterval
)

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
	if done, err := parseArgs("probe", fs, args, s); done || err != nil {
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

// runProbe probes the URLs (probe.Command), showing on stderr how far each
// URL got: a bar per URL with its attempt k of n on a terminal, plain
// lines otherwise, nothing with --quiet; then prints the table or JSON.
func runProbe(ctx context.Context, o probeOptions, s streams) error {
	// The progress starts with the first URL: what is refused or warned
	// about before comes first, alone.
	var progress progressReporter
	start := func(label string, n int) probe.Task {
		if progress == nil {
			progress = newProgress(s, o.quiet)
			if lp, ok := progress.(*lineProgress); ok {
				lp.attempts = true
			}
		}
		return progress.Start(label, n)
	}
	report, err := probe.Command(ctx, probe.CommandOptions{
		URLs: o.urls, Resolve: o.resolve, Style: o.style, Method: o.method, Channel: o.channel,
		Count: o.count, Interval: o.interval, PerAddress: o.perAddress, AllowPrivate: o.allowPrivate,
		Lang: o.lang, Record: o.record,
		Credentials: pipeline.Source{AuthTokenFile: o.authTokenFile, Getenv: s.getenv}.AuthToken,
		Warn:        func(line string) { fmt.Fprintln(s.err, line) },
		Progress:    start,
	})
	if progress != nil {
		progress.Close()
	}
	var ie *probe.InputError
	switch {
	case errors.As(err, &ie):
		return usageErr("%v", ie.Err)
	case err != nil && runerr.KindOf(err) != runerr.Unclassed:
		return err
	case err != nil:
		return envErr(err)
	}
	if o.json {
		if err := writeJSON(report.Report, s); err != nil {
			return err
		}
	} else if err := writeProbeTable(s.out, report.Targets, o); err != nil {
		return envErr(err)
	}
	switch {
	case report.RecordErr != nil:
		return envErr(report.RecordErr)
	case report.Interrupted:
		return runerr.Incompletef("probe: interrupted after %d attempts; the results above are partial", len(report.Attempts))
	}
	if bad := report.Failing(); len(bad) > 0 {
		return runerr.New(runerr.Incidents, fmt.Errorf("probe: %s", strings.Join(bad, "; ")))
	}
	return nil
}

// writeProbeTable prints the table: --wide has every column.
func writeProbeTable(w io.Writer, targets []probe.TargetSummary, o probeOptions) error {
	if o.wide {
		return probe.WriteWideTable(w, targets, o.lang)
	}
	return probe.WriteTable(w, targets, o.lang)
}
