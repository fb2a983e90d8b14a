package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
)

// bundleOptions are the flags of `twilio-evidence bundle`.
type bundleOptions struct {
	window           windowFlags
	output           string
	force            bool
	demo             bool
	accountSID       string
	authTokenFile    string
	maxDetails       int
	apiURL           string
	collectorTimeout time.Duration
	// apiConcurrency and requestTimeout shape the API requests
	// (--api-concurrency, --request-timeout).
	apiConcurrency int
	requestTimeout time.Duration
	commandLine    []string
	// run holds the offline inputs, --quiet and --all-subaccounts (inputs.go).
	run runFlags
	// hopLogs are --hop, --log and their settings (trace.go).
	hopLogs hopFlags
	// previousBundle is the bundle whose statistics are the trend baseline
	// (report finds it in --output).
	previousBundle string
	// progress, when set, is used instead of a new reporter on stderr (the
	// runs of many subaccounts share one).
	progress collect.Progress
	// result, when set, receives what the run wrote (report.go).
	result *bundleResult
	// asJSON prints the run's summary as JSON on stdout instead of the
	// bundle's path (bundle --json; report has its own flag).
	asJSON bool
	// probes holds --probe, --no-probe and --probe-history (probe.go).
	probes bundleProbeFlags
	// safety holds --mask-phone-numbers, --mask-bodies, --redact, --max-size
	// and --timeout (redact.go).
	safety safetyFlags
	// twilio holds --region, --edge, --no-status and --status-url (twilioside.go).
	twilio twilioSideFlags
	// text holds --lang, --font and --flow (flow.go).
	text textFlags
	// learned are secrets an earlier step learned (the parent's auth token
	// under --all-subaccounts): the run's redactor knows them from the start.
	learned []string
	// apiChecked is set when the credentials were checked already (the
	// runs of subaccounts): the run sends no check request of its own.
	apiChecked bool
}

// windowFlags are the flags every command that looks at a time window takes.
type windowFlags struct {
	since, from, to, tz string
}

func (w *windowFlags) register(fs *pflag.FlagSet, defSince string) {
	fs.StringVar(&w.since, "since", "", "look back this long from now: 24h, 7d, 2w (default "+defSince+")")
	fs.StringVar(&w.from, "from", "", "window start, RFC 3339 (with --to)")
	fs.StringVar(&w.to, "to", "", "window end, RFC 3339 (with --from)")
	fs.StringVar(&w.tz, "tz", "local", "time zone for display: local, UTC or an IANA name like Asia/Tokyo")
}

// parse turns the flags into a Window, defaulting --since to defSince.
func (w windowFlags) parse(defSince string, now time.Time) (collect.Window, error) {
	loc, err := collect.LoadLocation(w.tz)
	if err != nil {
		return collect.Window{}, usageErr("%v", err)
	}
	since := w.since
	if since == "" && w.from == "" && w.to == "" {
		since = defSince
	}
	win, err := collect.ParseWindow(since, w.from, w.to, loc, now)
	if err != nil {
		return win, usageErr("%v", err)
	}
	return win, nil
}

const bundleUsage = `Usage: twilio-evidence bundle [flags]

Collects the Account SID, the failed webhook requests (CallSid/MessageSid),
their frequency, the webhook configuration and the alerts' details, works
through Twilio's isolation procedure, and writes one zip to attach to a
support ticket. The zip's path is printed on stdout.

Examples:
  # the last 24 hours, for a ticket
  twilio-evidence bundle --since 24h
  # a fixed window, shown in Tokyo time
  twilio-evidence bundle --from 2026-11-18T00:00:00Z --to 2026-11-25T00:00:00Z --tz Asia/Tokyo
  # try it without an account: a built-in demo
  twilio-evidence bundle --demo
`

func newBundleFlags(o *bundleOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bundle", pflag.ContinueOnError)
	o.window.register(fs, "24h")
	fs.StringVarP(&o.output, "output", "o", ".", "directory to write the bundle into")
	fs.BoolVar(&o.force, "force", false, "replace a bundle of the same name")
	fs.BoolVar(&o.demo, "demo", false, "run on built-in sample data against an in-process fake Twilio API (no credentials, no network)")
	fs.StringVar(&o.accountSID, "account-sid", "", "look at this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.IntVar(&o.maxDetails, "max-details", 200, "fetch the full details of at most this many alerts")
	fs.DurationVar(&o.collectorTimeout, "collector-timeout", 5*time.Minute, "deadline of each collector")
	fs.IntVar(&o.apiConcurrency, "api-concurrency", collect.DefaultAPIConcurrency, fmt.Sprintf("most Twilio API requests in flight at once (1–%d); the run starts at %d, halves on throttling and grows back slowly", maxAPIConcurrency, collect.StartAPIConcurrency))
	fs.DurationVar(&o.requestTimeout, "request-timeout", collect.DefaultRequestTimeout, "deadline of one attempt of one Twilio API request; an attempt that takes longer is retried")
	fs.StringVar(&o.apiURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	_ = fs.MarkHidden("api-url")
	o.run.register(fs)
	o.probes.register(fs)
	o.hopLogs.register(fs)
	o.safety.register(fs)
	o.twilio.register(fs)
	o.text.register(fs)
	return fs
}

func runBundleCmd(args []string, s streams) error {
	var o bundleOptions
	fs := newBundleFlags(&o)
	registerPrevious(fs, &o)
	fs.BoolVar(&o.asJSON, "json", false, "print a JSON summary on stdout instead of the bundle's path (the same as report --json)")
	if done, err := parseFlags("bundle", fs, args, s); done || err != nil {
		return err // help.go: --help, and bad flags with a suggestion
	}
	o.commandLine = append([]string{"twilio-evidence", "bundle"}, args...)
	if err := o.prepareInputs(s); err != nil {
		return err
	}
	if err := o.checkPrevious(s); err != nil {
		return err
	}
	ctx, stop := interruptContext(s)
	defer stop()
	if o.run.allSubaccounts {
		return runBundleSubaccounts(ctx, o, s)
	}
	return runBundle(ctx, o, s)
}

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
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

func runBundle(ctx context.Context, o bundleOptions, s streams) error {
	now := time.Now()
	defSince := "24h"
	if o.demo {
		defSince = "7d" // the demo's data is a week
	}
	win, err := o.window.parse(defSince, now)
	if err != nil {
		return err
	}
	ctx, stopRun, err := o.safety.start(ctx, &o)
	if err != nil {
		return err
	}
	defer stopRun()
	if err := checkOutputDir(o.output); err != nil {
		return err
	}
	if err := o.checkAPIFlags(); err != nil {
		return err
	}
	if err := o.probes.check(); err != nil {
		return err
	}
	if err := o.hopLogs.check(); err != nil {
		return err
	}
	text, err := o.text.prepare()
	if err != nil {
		return err
	}
	var api *collect.APIConfig
	var demoStatusURL string
	switch {
	case o.demo:
		d, err := demo.Start(win)
		if err != nil {
			return envErr(fmt.Errorf("demo: %w", err))
		}
		defer d.Close()
		api = d.API
		o.hopLogs.demo = d
		demoStatusURL = d.StatusURL
		o.probes.network = d.Probe
	case o.run.offline():
		// The offline inputs replace the API (inputs.go).
	default:
		creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, o.accountSID)
		if err != nil {
			return envErr(err)
		}
		api = &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL}
	}
	if api != nil {
		api.MaxConcurrency, api.RequestTimeout = o.apiConcurrency, o.requestTimeout
	}
	if api != nil && win.From.Before(now.Add(-collect.AlertRetention)) {
		return usageErr("the window starts %s, but Twilio keeps alerts for 30 days only: choose a later --from or a shorter --since", win.From.Format(time.RFC3339))
	}

	ev := &collect.Evidence{
		Tool:        toolInfo(),
		CommandLine: o.commandLine,
		GeneratedAt: now.UTC(),
		Window:      win,
		Account:     collect.Account{SID: o.accountFor(api, s)},
	}
	o.applyPrevious(ev, s)
	if err := o.twilio.apply(api, ev, s.getenv); err != nil {
		return err
	}
	if err := o.refuseExisting(ev); err != nil {
		return err
	}
	if api != nil && !o.demo && !o.apiChecked {
		if err := o.checkAPI(ctx, api); err != nil {
			return err
		}
	}
	reproducible := false
	if epoch := s.getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return usageErr("SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
		}
		ev.GeneratedAt, reproducible = time.Unix(sec, 0).UTC(), true
	}
	stage, err := collect.NewStage()
	if err != nil {
		return envErr(err)
	}
	defer stage.Remove()
	red, untrack, err := o.safety.attach(stage, api, &o, s, reproducible)
	if err != nil {
		return err
	}
	defer untrack()
	defer stage.Remove() // while tracked: a second Ctrl-C meanwhile removes it too
	progress, closeProgress := o.startProgress(s)
	defer closeProgress()
	env := &collect.Env{Evidence: ev, Stage: stage, API: api, Progress: progress, LearnSecret: learnSecrets(red, s)}
	collect.Run(ctx, env, o.collectorTimeout, o.run.collectors()...)
	// Together: the probes and the hops wait for what they need, the Twilio
	// logs follow the alerts as their pages arrive.
	collect.Run(ctx, env, o.collectorTimeout, append([]collect.Collector{
		collect.AccountInfo{},
		collect.Alerts{MaxDetails: o.maxDetails},
		o.twilio.statusCollector(demoStatusURL, o.apiURL),
		collect.Config{},
		collect.Usage{},
		collect.PreviousAlerts{},
		o.probes.collector(reproducible),
	}, o.hopLogs.collectors()...)...)
	o.run.explainSkips(ev)
	o.safety.redactEvidence(red, ev, &text)
	res := analysis.Analyze(ev)
	path, err := o.safety.write(ctx, red, ev, res, stage, text.apply(bundle.Options{Dir: o.output, Force: o.force, Reproducible: reproducible}))
	if errors.Is(err, bundle.ErrExists) {
		return usageErr("%v", err)
	}
	if err != nil {
		return envErr(err)
	}
	closeProgress()
	if o.result != nil {
		*o.result = bundleResult{Path: path, Evidence: ev, Result: res, Lang: text.lang}
	}
	if o.asJSON && o.result == nil {
		if err := printSummaryJSON(&bundleResult{Path: path, Evidence: ev, Result: res, Lang: text.lang}, o.previousBundle, s); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(s.out, path)
	}
	if o.result == nil && !o.run.quiet {
		// What the customer should do first, then the result: the last line.
		for _, a := range bundle.Advice(ev, res, text.lang, text.flow) {
			fmt.Fprintln(s.err, "twilio-evidence: "+a)
		}
		fmt.Fprintln(s.err, "twilio-evidence: "+bundle.DoneLine(res, text.lang, path))
	}
	if err := o.safety.overBudget(); err != nil {
		return err
	}
	// Context that could not be read is said, without changing the exit
	// code (--no-status leaves the status page out).
	for _, l := range bundle.ContextUnread(ev, localizer(o.text.lang)) {
		fmt.Fprintln(s.err, "twilio-evidence: warning: "+l)
	}
	if analysis.Incomplete(ev) {
		lines, names := failedCollectors(ev, localizer(o.text.lang))
		for _, l := range lines {
			fmt.Fprintln(s.err, "twilio-evidence: "+l)
		}
		return &exitError{code: exitIncomplete, err: fmt.Errorf("the bundle is incomplete: %s did not finish (manifest.json holds the errors)", strings.Join(names, ", "))}
	}
	return nil
}

// maxAPIConcurrency is the highest --api-concurrency: Twilio's usual limit
// of concurrent requests per account.
const maxAPIConcurrency = 100

// checkAPIFlags refuses an --api-concurrency or --request-timeout that
// cannot work.
func (o *bundleOptions) checkAPIFlags() error {
	if o.apiConcurrency < 1 || o.apiConcurrency > maxAPIConcurrency {
		return usageErr("--api-concurrency %d: give 1 to %d", o.apiConcurrency, maxAPIConcurrency)
	}
	if o.requestTimeout <= 0 {
		return usageErr("--request-timeout %s: give a positive duration such as 30s", o.requestTimeout)
	}
	return nil
}

// failedCollectors are one short line for each collector of evidence that
// failed or timed out (collector, class of failure, host), and their names.
func failedCollectors(ev *collect.Evidence, l *bundle.Localizer) (lines, names []string) {
	for _, c := range ev.Collectors {
		if c.MissingEvidence() {
			lines = append(lines, l.CollectorFailure(c))
			names = append(names, c.Name)
		}
	}
	return lines, names
}

// incompleteSummary is the failed collectors' lines on one line, "" when
// none failed.
func incompleteSummary(ev *collect.Evidence) string {
	lines, _ := failedCollectors(ev, localizer("en"))
	return strings.Join(lines, "; ")
}

// checkOutputDir makes sure dir exists, is a directory and is writable.
func checkOutputDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return usageErr("--output %s does not exist: create it first", dir)
		}
		return envErr(fmt.Errorf("--output %s: %w", dir, err))
	}
	if !st.IsDir() {
		return usageErr("--output %s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".twilio-evidence-write-test-*")
	if err != nil {
		return envErr(fmt.Errorf("--output %s is not writable: %v", dir, errors.Unwrap(err)))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

func toolInfo() collect.Tool {
	c, _ := buildCommit()
	return collect.Tool{Name: "twilio-evidence", Version: version, Commit: c}
}
