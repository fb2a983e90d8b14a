package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/subaccounts"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// bundleOptions are the flags of `twilio-evidence bundle`: the pipeline's
// options, and how the command reports.
type bundleOptions struct {
	pipeline.Options
	// quiet is --quiet: no progress, no advice.
	quiet bool
	// asJSON prints the run's summary as JSON on stdout instead of the
	// bundle's path (bundle --json; report has its own flag).
	asJSON bool
}

// registerWindow adds the flags every command that looks at a time window
// takes.
func registerWindow(fs *pflag.FlagSet, w *pipeline.Window, defSince string) {
	fs.StringVar(&w.Since, "since", "", "look back this long from now: 24h, 7d, 2w (default "+defSince+")")
	fs.StringVar(&w.From, "from", "", "window start, RFC 3339 (with --to)")
	fs.StringVar(&w.To, "to", "", "window end, RFC 3339 (with --from)")
	fs.StringVar(&w.TZ, "tz", "local", "time zone for display: local, UTC or an IANA name like Asia/Tokyo")
}

func newBundleFlags(o *bundleOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle", pflag.ContinueOnError)
	p := &o.Options
	registerWindow(fs, &p.Window, "24h")
	fs.StringVarP(&p.Output, "output", "o", ".", "directory to write the bundle into")
	fs.BoolVar(&p.Force, "force", false, "replace a bundle of the same name")
	fs.BoolVar(&p.Demo, "demo", false, "run on built-in sample data against an in-process fake Twilio API (no credentials, no network)")
	fs.StringVar(&p.AccountSID, "account-sid", "", "look at this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&p.AuthTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.IntVar(&p.MaxDetails, "max-details", pipeline.DefaultMaxDetails, "fetch the full details of at most this many alerts")
	fs.DurationVar(&p.CollectorTimeout, "collector-timeout", pipeline.DefaultCollectorTimeout, "deadline of each collector")
	fs.IntVar(&p.APIConcurrency, "api-concurrency", collect.DefaultAPIConcurrency, fmt.Sprintf("most Twilio API requests in flight at once (1–%d); the run starts at %d, doubles each round until Twilio throttles it, then halves on throttling and grows back slowly", pipeline.MaxAPIConcurrency, collect.StartAPIConcurrency))
	fs.DurationVar(&p.RequestTimeout, "request-timeout", collect.DefaultRequestTimeout, "deadline of one attempt of one Twilio API request; an attempt that takes longer is retried")
	fs.StringVar(&p.APIURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	_ = fs.MarkHidden("api-url")
	// Offline inputs, quiet progress and many accounts.
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress bars or progress lines on stderr (warnings and errors are still shown)")
	fs.StringVar(&p.Inputs.AlertsFile, "alerts-file", "", "read the alerts from this file instead of the API: the Monitor API's JSON as saved by curl or twilio-cli (a page, an array or NDJSON; .gz too)")
	fs.StringVar(&p.Inputs.IncidentsFile, "incidents-file", "", "read the failed requests from this CSV instead of the API: the tool's incidents.csv, or columns named like Sid, Date Created, Error Code, Resource Sid, Request URL")
	fs.BoolVar(&p.AllSubaccounts, "all-subaccounts", false, "one bundle for each subaccount of the parent account, plus an index ranking them")
	fs.IntVar(&p.Concurrency, "concurrency", 4, "with --all-subaccounts: how many subaccounts are collected at once (1–16)")
	// Probes.
	fs.StringArrayVar(&p.Probes.URLs, "probe", nil, "also probe this URL (repeatable); every configured webhook and alert URL is probed anyway")
	fs.BoolVar(&p.Probes.Off, "no-probe", false, "do not request the webhook URLs (steps 2 and 3 are then left to you)")
	fs.StringVar(&p.Probes.History, "probe-history", "", "include this CSV written by 'probe --record': failure rate by hour of day")
	fs.IntVar(&p.Probes.Count, "probe-count", collect.DefaultProbeCount, fmt.Sprintf("samples per webhook URL (1–%d)", probe.MaxCount))
	fs.DurationVar(&p.Probes.Interval, "probe-interval", collect.DefaultProbeInterval, "pause between samples")
	// The customer's logs.
	fs.StringArrayVar(&p.Hops.Hops, "hop", nil, "a component's access log, NAME=PATH[:FORMAT] (glob, .gz too), repeated in path order from the edge inward: traced and excerpted into logs/NAME.log")
	fs.StringArrayVar(&p.Hops.Logs, "log", nil, "an application or debug log, NAME=PATH[:FORMAT], repeated: the lines near each incident and those naming an affected SID go into logs/NAME.log")
	fs.DurationVar(&p.Hops.MatchWindow, "match-window", pipeline.DefaultMatchWindow, "how far from an alert's time a log line may be and still be its request")
	fs.StringVar(&p.Hops.LogTZ, "log-tz", "auto", "time zone of log times that carry no offset: auto (the offset that lines the log's Twilio requests up with the alerts), local, UTC or an IANA name")
	fs.Int64Var(&p.Hops.MaxLogBytes, "max-log-bytes", collect.DefaultMaxLogBytes, "bound of each excerpt in logs/ (a note says where it was cut)")
	// Safety: redaction, size budget, deadline.
	registerRedactFlags(fs, &p.Safety.MaskPhones, &p.Safety.MaskBodies, &p.Safety.Redact)
	fs.StringVar(&p.Safety.MaxSize, "max-size", pipeline.DefaultMaxSize, "size budget of the zip (kB, MB, GB or KiB, MiB, GiB; 0 = none): log excerpts, then alert details, then other raw files are cut to fit; the PDF, ticket.txt, incidents.csv, findings and manifest never are")
	fs.DurationVar(&p.Safety.Timeout, "timeout", 0, "deadline of the whole run (0 = none beyond --collector-timeout); collectors still running are recorded as timed out and the bundle is written")
	// Twilio's side.
	fs.StringVar(&p.Twilio.Region, "region", "", "Twilio region of the account: us1, ie1, au1 (default: TWILIO_REGION, else us1)")
	fs.StringVar(&p.Twilio.Edge, "edge", "", "Twilio edge location to reach the API through: dublin, sydney, tokyo … (default: TWILIO_EDGE)")
	fs.BoolVar(&p.Twilio.NoStatus, "no-status", false, "do not read Twilio's status page (status.twilio.com): for machines without Internet access")
	fs.StringVar(&p.Twilio.StatusURL, "status-url", "", "read Twilio's status page at this base URL (a mock of the page, for testing)")
	_ = fs.MarkHidden("status-url")
	// Texts.
	fs.StringVar(&p.Text.Lang, "lang", "en", "language of the PDF, ticket.txt and README.txt: en or ja")
	fs.StringVar(&p.Text.Font, "font", "", "Japanese TrueType font for the PDF (.ttf, or .ttc: the first face is used); default: IPAex/IPA Gothic, Noto Sans CJK or the system's Japanese font")
	fs.StringVar(&p.Text.Flow, "flow", "", "your edited flow description (start from 'twilio-evidence flow'); included as flow.md")
	return fs
}

func runBundleCmd(args []string, s streams) error {
	var o bundleOptions
	fs := newBundleFlags(&o)
	fs.StringVar(&o.Previous, "previous", "", "compare with this earlier bundle (its stats/summary.json): the trend, e.g. \"up 40% on the previous 7 days\"; without it the trend comes from the API while Twilio still holds the previous window (30 days)")
	fs.BoolVar(&o.asJSON, "json", false, "print a JSON summary on stdout instead of the bundle's path (the same as report --json)")
	if done, err := parseFlags("bundle", fs, args, s); done || err != nil {
		return err // help.go: --help, and bad flags with a suggestion
	}
	o.CommandLine = append([]string{"twilio-evidence", "bundle"}, args...)
	o.withProcess(s)
	p, err := pipeline.Prepare(o.Options)
	if err != nil {
		return err
	}
	o.Options = p
	ctx, stop := interruptContext(s)
	defer stop()
	if o.AllSubaccounts {
		return runSubaccounts(ctx, subaccounts.BundlesOptions{Bundle: o.Options}, o.quiet, o.asJSON, s)
	}
	return runBundle(ctx, o, s)
}

// withProcess gives the options what comes from the process: the
// environment, the redactor of stdout and stderr, the partial files an
// interruption removes, the tool's version and the progress display.
func (o *bundleOptions) withProcess(s streams) {
	o.Getenv, o.Streams, o.Partials, o.Tool = s.getenv, s.redactor, partials, toolInfo()
	quiet := o.quiet
	o.StartProgress = func() (collect.Progress, func()) {
		p := newProgress(s, quiet)
		return p, p.Close
	}
}

// runBundle makes one bundle and says how it went: the path on stdout,
// then what to do first and the result on stderr.
func runBundle(ctx context.Context, o bundleOptions, s streams) error {
	res, err := pipeline.Run(ctx, o.Options)
	if res.Path != "" {
		if o.asJSON {
			if err := printSummaryJSON(res, o.Previous, s); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(s.out, res.Path)
		}
		if !o.quiet {
			for _, a := range res.Advice {
				fmt.Fprintln(s.err, "twilio-evidence: "+a)
			}
			fmt.Fprintln(s.err, "twilio-evidence: "+res.Done)
		}
	}
	printNotes(res, s)
	return err
}

// printNotes prints the warnings of a run and the lines of the collectors
// that failed.
func printNotes(res pipeline.Result, s streams) {
	for _, l := range res.Warnings {
		fmt.Fprintln(s.err, "twilio-evidence: warning: "+l)
	}
	for _, l := range res.Failed {
		fmt.Fprintln(s.err, "twilio-evidence: "+l)
	}
}

// partials are the temporary files of the bundles this process is writing;
// a second Ctrl-C removes them before exiting (interruptContext).
var partials = &bundle.Partials{}

// interruptContext is cancelled by the first SIGINT/SIGTERM; a second one
// ends the process at once (the bundle's final path is never half-written).
func interruptContext(s streams) (context.Context, context.CancelFunc) {
	return interruptSaying(s, "writing what was collected")
}

// interruptSaying is interruptContext saying what the first signal does.
func interruptSaying(s streams, does string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			fmt.Fprintf(s.err, "twilio-evidence: interrupted: %s (Ctrl-C again to stop at once)\n", does)
			cancel()
		case <-ctx.Done():
			return
		}
		<-ch
		partials.Abort() // no half-written zip or staging area is left behind
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

func toolInfo() collect.Tool {
	c, _ := buildCommit()
	return collect.Tool{Name: "twilio-evidence", Version: version, Commit: c}
}

// localizer is the catalog of lang, English when lang is not one.
func localizer(lang string) *bundle.Localizer { return bundle.LocalizerFor(lang) }
