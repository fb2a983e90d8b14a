// Package pipeline runs one bundle from start to end: it checks the
// options, finds the account and the credentials (or the demo, or the
// offline files), runs the collectors with their deadlines, redacts what
// they gathered, analyses it once, writes the zip within its size budget
// and says whether the bundle is complete. The command line, the weekly
// report and the subaccount run all call Run.
//
// Errors are classed with collect/runerr: bad options are runerr.Usage,
// a run that cannot work here (rejected credentials, no network, an output
// directory that cannot be written) is runerr.Pointless and writes nothing,
// and a bundle written without all its evidence is runerr.Incomplete.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Options say which bundle to make and how. The zero value of a field is
// its flag's zero, not its flag's default: the command fills in the
// defaults (DefaultOptions holds them).
type Options struct {
	// Window is --since, or --from and --to, and --tz.
	Window Window
	// Output is the directory the bundle is written into; Force replaces
	// a bundle of the same name there.
	Output string
	Force  bool
	// Demo runs on built-in sample data against an in-process fake API.
	Demo bool
	// AccountSID is a subaccount to look at with the parent's credentials;
	// AuthTokenFile holds the auth token in place of TWILIO_AUTH_TOKEN.
	AccountSID, AuthTokenFile string
	// MaxDetails bounds the alerts whose full details are fetched.
	MaxDetails int
	// APIURL sends the API's requests to a fake of the API.
	APIURL string
	// CollectorTimeout is the deadline of each collector.
	CollectorTimeout time.Duration
	// APIConcurrency and RequestTimeout shape the API requests.
	APIConcurrency int
	RequestTimeout time.Duration
	// CommandLine is the command line recorded in the manifest (the values
	// of --redact are hidden there).
	CommandLine []string
	// Inputs are the offline inputs, read in place of the API.
	Inputs Inputs
	// AllSubaccounts and Concurrency are the subaccount run's: they are
	// checked here, against the options they cannot be combined with.
	AllSubaccounts bool
	Concurrency    int
	// Hops are the customer's logs to trace the incidents through.
	Hops Hops
	// Previous is the earlier bundle whose statistics are the trend
	// baseline ("" for the API's previous window).
	Previous string
	// Probes say which webhook URLs are requested and how often.
	Probes Probes
	// Safety keeps the bundle safe to attach: redaction, size, deadline.
	Safety Safety
	// Twilio is the region, the edge and the status page.
	Twilio TwilioSide
	// Text is the language, the font and the flow description.
	Text Text
	// Learned are secrets an earlier step learned (the parent's auth token
	// of a subaccount run): the bundle's redactor knows them from the start.
	Learned []string
	// APIChecked is set when the credentials were checked already (the
	// runs of subaccounts): the run sends no check request of its own.
	APIChecked bool
	// Getenv reads the environment: credentials, SOURCE_DATE_EPOCH.
	Getenv func(string) string
	// StartProgress starts the display of the collectors' progress and
	// returns it with the function that closes it; nil shows none.
	StartProgress func() (collect.Progress, func())
	// Streams is the redactor of the process's own output: it learns the
	// run's secrets, phone masks and expressions too. Nil when the output
	// is not redacted.
	Streams *redact.Redactor
	// Partials tracks the files being written, for an interruption that
	// must leave nothing behind. Nil tracks nothing.
	Partials *bundle.Partials
	// Tool names the program in the manifest.
	Tool collect.Tool

	// prepared is set by Prepare; fileAccount is the account the offline
	// inputs name.
	prepared    bool
	fileAccount string
}

// Result is what a run wrote and what it has to say.
type Result struct {
	// Path is the bundle written; "" when none was.
	Path     string
	Evidence *collect.Evidence
	Analysis *analysis.Result
	// Lang is the bundle's language.
	Lang string
	// Advice is what the customer should do first, and Done the line a
	// run ends with, in the bundle's language.
	Advice []string
	Done   string
	// Warnings are what could not be used without making the bundle
	// incomplete: a previous bundle that cannot be read, context that
	// could not be read (Twilio's status page).
	Warnings []string
	// Failed is one short line for each collector of evidence that failed
	// or timed out (the bundle is then incomplete).
	Failed []string
}

// Defaults of the options the command's flags leave alone.
const (
	DefaultMaxDetails       = 200
	DefaultCollectorTimeout = 5 * time.Minute
	DefaultMaxSize          = "20MB"
	// MaxAPIConcurrency is the highest APIConcurrency: Twilio's usual
	// limit of concurrent requests per account.
	MaxAPIConcurrency = 100
)

// Run makes one bundle.
func Run(ctx context.Context, o Options) (Result, error) {
	if !o.prepared {
		var err error
		if o, err = Prepare(o); err != nil {
			return Result{}, err
		}
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	now := time.Now()
	win, err := o.Window.Resolve(o.defaultSince(), now)
	if err != nil {
		return Result{}, err
	}
	ctx, stopRun, err := o.Safety.start(ctx, &o)
	if err != nil {
		return Result{}, err
	}
	defer stopRun()
	if err := CheckOutputDir(o.Output); err != nil {
		return Result{}, err
	}
	if err := o.checkAPIFlags(); err != nil {
		return Result{}, err
	}
	if err := o.Probes.check(); err != nil {
		return Result{}, err
	}
	if err := o.Hops.check(); err != nil {
		return Result{}, err
	}
	text, err := o.Text.prepare()
	if err != nil {
		return Result{}, err
	}
	api, d, err := o.source().Open(win)
	if err != nil {
		return Result{}, err
	}
	var demoStatusURL string
	if d != nil {
		defer d.Close()
		o.Hops.demo = d
		demoStatusURL = d.StatusURL
		o.Probes.network = d.Probe
	}
	if api != nil {
		api.MaxConcurrency, api.RequestTimeout = o.APIConcurrency, o.RequestTimeout
	}
	if api != nil && win.From.Before(now.Add(-collect.AlertRetention)) {
		return Result{}, runerr.Usagef("the window starts %s, but Twilio keeps alerts for 30 days only: choose a later --from or a shorter --since", win.From.Format(time.RFC3339))
	}

	ev := &collect.Evidence{
		Tool:        o.Tool,
		CommandLine: o.CommandLine,
		GeneratedAt: now.UTC(),
		Window:      win,
		Account:     collect.Account{SID: o.accountFor(api)},
	}
	var res Result
	if w := o.applyPrevious(ev); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	if err := o.Twilio.apply(api, ev, o.Getenv); err != nil {
		return res, err
	}
	if err := o.refuseExisting(ev); err != nil {
		return res, err
	}
	if api != nil && !o.Demo && !o.APIChecked {
		if err := o.checkAPI(ctx, api); err != nil {
			return res, err
		}
	}
	reproducible := false
	if epoch := o.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return res, runerr.Usagef("SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
		}
		ev.GeneratedAt, reproducible = time.Unix(sec, 0).UTC(), true
	}
	stage, err := collect.NewStage()
	if err != nil {
		return res, runerr.Env(err)
	}
	defer stage.Remove()
	red, untrack, err := o.Safety.attach(stage, api, &o, reproducible)
	if err != nil {
		return res, err
	}
	defer untrack()
	defer stage.Remove() // while tracked: a second Ctrl-C meanwhile removes it too
	progress, closeProgress := collect.Progress(collect.NoProgress{}), func() {}
	if o.StartProgress != nil {
		progress, closeProgress = o.StartProgress()
	}
	defer closeProgress()
	env := &collect.Env{Evidence: ev, Stage: stage, API: api, Progress: progress, LearnSecret: o.learnSecrets(red)}
	collect.Run(ctx, env, o.CollectorTimeout, o.Inputs.Collectors()...)
	// Together: the probes and the hops wait for what they need, the Twilio
	// logs follow the alerts as their pages arrive.
	collect.Run(ctx, env, o.CollectorTimeout, append([]collect.Collector{
		collect.AccountInfo{},
		collect.Alerts{MaxDetails: o.MaxDetails},
		o.Twilio.statusCollector(demoStatusURL, o.APIURL),
		collect.Config{},
		collect.Usage{},
		collect.PreviousAlerts{},
		o.Probes.collector(reproducible),
	}, o.Hops.collectors()...)...)
	o.Inputs.explainSkips(ev)
	o.Safety.redactEvidence(red, ev, &text)
	an := analysis.Analyze(ev)
	path, outcome, err := o.Safety.write(ctx, red, ev, an, stage, text.apply(bundle.Options{Dir: o.Output, Force: o.Force, Reproducible: reproducible}), o.Partials)
	if errors.Is(err, bundle.ErrExists) {
		return res, runerr.Usagef("%v", err)
	}
	if err != nil {
		return res, runerr.Env(err)
	}
	closeProgress()
	res.Path, res.Evidence, res.Analysis, res.Lang = path, ev, an, text.lang
	res.Advice = bundle.Advice(ev, an, text.lang, text.flow)
	res.Done = bundle.DoneLine(an, text.lang, path)
	if err := o.Safety.overBudget(outcome); err != nil {
		return res, err
	}
	// Context that could not be read is said, without making the bundle
	// incomplete (--no-status leaves the status page out).
	l := bundle.LocalizerFor(o.Text.Lang)
	res.Warnings = append(res.Warnings, bundle.ContextUnread(ev, l)...)
	if analysis.Incomplete(ev) {
		lines, names := FailedCollectors(ev, l)
		res.Failed = lines
		return res, runerr.Incompletef("the bundle is incomplete: %s did not finish (manifest.json holds the errors)", strings.Join(names, ", "))
	}
	return res, nil
}

// defaultSince is the window of a run without window flags: a day, or the
// demo's week.
func (o *Options) defaultSince() string {
	if o.Demo {
		return "7d"
	}
	return "24h"
}

// checkAPIFlags refuses an APIConcurrency or RequestTimeout that cannot
// work.
func (o *Options) checkAPIFlags() error {
	if o.APIConcurrency < 1 || o.APIConcurrency > MaxAPIConcurrency {
		return runerr.Usagef("--api-concurrency %d: give 1 to %d", o.APIConcurrency, MaxAPIConcurrency)
	}
	if o.RequestTimeout <= 0 {
		return runerr.Usagef("--request-timeout %s: give a positive duration such as 30s", o.RequestTimeout)
	}
	return nil
}

// FailedCollectors are one short line for each collector of evidence that
// failed or timed out (collector, class of failure, host), and their names.
func FailedCollectors(ev *collect.Evidence, l *bundle.Localizer) (lines, names []string) {
	for _, c := range ev.Collectors {
		if c.MissingEvidence() {
			lines = append(lines, l.CollectorFailure(c))
			names = append(names, c.Name)
		}
	}
	return lines, names
}

// IncompleteSummary is the failed collectors' lines on one line, in
// English; "" when none failed.
func IncompleteSummary(ev *collect.Evidence) string {
	lines, _ := FailedCollectors(ev, bundle.LocalizerFor("en"))
	return strings.Join(lines, "; ")
}

// CheckOutputDir makes sure dir exists, is a directory and is writable.
func CheckOutputDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return runerr.Usagef("--output %s does not exist: create it first", dir)
		}
		return runerr.Env(fmt.Errorf("--output %s: %w", dir, err))
	}
	if !st.IsDir() {
		return runerr.Usagef("--output %s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".twilio-evidence-write-test-*")
	if err != nil {
		return runerr.Env(fmt.Errorf("--output %s is not writable: %v", dir, errors.Unwrap(err)))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
