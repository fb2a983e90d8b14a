package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runlock"
)

// bundleResult is what one run of the pipeline wrote.
type bundleResult struct {
	Path     string
	Evidence *collect.Evidence
	Result   *analysis.Result
	// Lang is the bundle's language (--lang).
	Lang string
}

// reportOptions are the flags of `twilio-evidence report`: those of bundle,
// plus what an unattended weekly run needs.
type reportOptions struct {
	bundle          bundleOptions
	week            string
	keep            int
	json            bool
	failOnIncidents bool
}

// LockFile is the lock a report holds in its output directory.
const lockFile = ".twilio-evidence.lock"

// reportDefaultSince is the window of a report without window flags.
const reportDefaultSince = "7d"

func newReportFlags(o *reportOptions) *pflag.FlagSet {
	fs := newBundleFlags(&o.bundle)
	fs.Init("report", pflag.ContinueOnError)
	fs.Lookup("since").Usage = "look back this long from now: 24h, 7d, 2w (default " + reportDefaultSince + ")"
	fs.Lookup("output").Usage = "directory that keeps the reports (required); the lock file and older bundles live there too"
	fs.Lookup("output").DefValue = ""
	fs.Lookup("force").Usage = "ignored: a report replaces a bundle of the same window"
	_ = fs.MarkHidden("force")
	fs.StringVar(&o.week, "week", "", "'last': the last full week, Monday 00:00 to Monday 00:00 in --tz")
	fs.IntVar(&o.keep, "keep", 0, "keep this many newest bundles of the account in --output and delete older ones (0 = keep all)")
	fs.BoolVar(&o.json, "json", false, "print a JSON summary on stdout instead of the bundle's path")
	fs.BoolVar(&o.failOnIncidents, "fail-on-incidents", false, "exit 1 when the window holds webhook failures")
	return fs
}

func runReportCmd(args []string, s streams) error {
	var o reportOptions
	fs := newReportFlags(&o)
	if done, err := parseFlags("report", fs, args, s); done || err != nil {
		return err
	}
	if !fs.Changed("output") {
		return usageErr("report needs --output DIR: the directory that keeps the weekly bundles (see twilio-evidence report --help)")
	}
	if o.keep < 0 {
		return usageErr("--keep %d: give the number of bundles to keep, or 0 to keep all", o.keep)
	}
	o.bundle.commandLine = append([]string{"twilio-evidence", "report"}, args...)
	o.bundle.force = true
	if err := o.bundle.prepareInputs(s); err != nil {
		return err
	}
	if err := o.resolveWindow(time.Now()); err != nil {
		return err
	}
	if err := checkOutputDir(o.bundle.output); err != nil {
		return err
	}
	lock, stale, err := runlock.Acquire(filepath.Join(o.bundle.output, lockFile))
	if errors.Is(err, runlock.ErrHeld) {
		return envErr(fmt.Errorf("another run is writing into --output: %v; wait for it to finish, or check the timer does not start runs closer together than they take", err))
	}
	if err != nil {
		return envErr(err)
	}
	defer lock.Release()
	if stale != nil {
		why := "it is no longer running"
		if runlock.Alive(stale.PID) {
			why = "it no longer held the lock (the number now belongs to another process)"
		}
		fmt.Fprintf(s.err, "twilio-evidence: warning: took over the lock %s left by %s: %s\n", lock.Path(), stale, why)
	}
	ctx, stop := interruptContext(s)
	defer stop()
	if o.bundle.run.allSubaccounts {
		return runReportSubaccounts(ctx, o, s)
	}
	sum, err := reportOne(ctx, o, o.bundle, s)
	if sum == nil {
		return err
	}
	return o.finish(sum, err, s)
}

// resolveWindow fixes the report's window to --from/--to before anything
// runs: --week last, or --since (default 7d) from now. The runs of all
// subaccounts, the bundle names and the search for the previous bundle then
// agree on it.
func (o *reportOptions) resolveWindow(now time.Time) error {
	w := &o.bundle.window
	if o.week != "" {
		if w.since != "" || w.from != "" || w.to != "" {
			return usageErr("--week cannot be combined with --since or --from/--to")
		}
		if o.week != "last" {
			return usageErr("--week %q: the only week known is 'last' (Monday 00:00 to Monday 00:00 in --tz)", o.week)
		}
		loc, err := collect.LoadLocation(w.tz)
		if err != nil {
			return usageErr("%v", err)
		}
		from, to := lastWeek(now, loc)
		w.from, w.to = from.Format(time.RFC3339), to.Format(time.RFC3339)
		return nil
	}
	win, err := w.parse(reportDefaultSince, now)
	if err != nil {
		return err
	}
	w.since, w.from, w.to = "", win.From.Format(time.RFC3339), win.To.Format(time.RFC3339)
	return nil
}

// lastWeek is the last full week before now: Monday 00:00 to Monday 00:00
// in loc.
func lastWeek(now time.Time, loc *time.Location) (time.Time, time.Time) {
	t := now.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	monday := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
	return time.Date(monday.Year(), monday.Month(), monday.Day()-7, 0, 0, 0, 0, loc), monday
}

// reportOne runs the pipeline for one account with the previous bundle of
// that account in --output as the trend baseline, then applies --keep. The
// summary is nil when no bundle was written.
func reportOne(ctx context.Context, ro reportOptions, o bundleOptions, s streams) (*runSummary, error) {
	dir := o.output
	account := o.expectedAccount(s)
	win, err := o.window.parse(reportDefaultSince, time.Now())
	if err != nil {
		return nil, err
	}
	prev := ""
	if account != "" {
		prev = previousBundle(dir, account, win)
		o.previousBundle = prev
	}
	var res bundleResult
	o.result = &res
	quiet := s
	quiet.out = io.Discard
	err = runBundle(ctx, o, quiet)
	if res.Path == "" {
		return nil, err
	}
	sum := summarize(&res, prev, s)
	if ro.keep > 0 {
		deleted, derr := pruneBundles(dir, res.Evidence.Account.SID, ro.keep, res.Path)
		sum.Deleted = deleted
		if derr != nil {
			fmt.Fprintf(s.err, "twilio-evidence: warning: --keep %d: %v\n", ro.keep, derr)
		}
	}
	return sum, err
}

// expectedAccount is the account a run will be about, known before it runs
// (to find its previous bundle): "" when the credentials are missing, which
// the run itself then reports.
func (o *bundleOptions) expectedAccount(s streams) string {
	switch {
	case o.demo:
		return faketwilio.DemoAccountSID
	case o.run.offline():
		return o.offlineAccount(s)
	}
	creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, o.accountSID)
	if err != nil {
		return ""
	}
	return creds.AccountSID
}

// finish prints one account's report and picks the exit code: 3 when the
// bundle is incomplete (before 1: a broken collection matters more), 1 for
// incidents with --fail-on-incidents, else 0.
func (o reportOptions) finish(sum *runSummary, runErr error, s streams) error {
	code := exitOK
	var ee *exitError
	switch {
	case errors.As(runErr, &ee):
		code = ee.code
	case runErr != nil:
		code = exitIncomplete
	case o.failOnIncidents && sum.Incidents > 0:
		code = exitIncidents
	}
	sum.ExitCode = code
	if o.json {
		if err := writeJSON(sum, s); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(s.out, sum.Path)
		if !o.bundle.run.quiet {
			fmt.Fprintln(s.err, "twilio-evidence: "+sum.sentence())
		}
	}
	switch {
	case runErr != nil:
		return runErr
	case code == exitIncidents:
		return &exitError{code: exitIncidents, err: fmt.Errorf("%d webhook failures in the window (--fail-on-incidents): see %s", sum.Incidents, sum.Path)}
	}
	return nil
}

// printSummaryJSON prints the summary of one bundle run as report --json
// does (bundle --json): exit code 3 when the bundle is incomplete.
func printSummaryJSON(res *bundleResult, prev string, s streams) error {
	sum := summarize(res, prev, s)
	if sum.Incomplete {
		sum.ExitCode = exitIncomplete
	}
	return writeJSON(sum, s)
}

// writeJSON prints v as indented JSON on stdout.
func writeJSON(v any, s streams) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return envErr(fmt.Errorf("write the JSON summary: %w", err))
	}
	return nil
}

// runSummary is the machine summary of one account's run (report --json,
// the subaccount index).
type runSummary struct {
	Path         string     `json:"path"`
	AccountSID   string     `json:"account_sid"`
	FriendlyName string     `json:"friendly_name,omitempty"`
	Window       windowJSON `json:"window"`
	Incidents    int        `json:"incidents"`
	AlertsSeen   int        `json:"alerts_seen"`
	// Traffic is calls plus messages over the days the rate covers; nil
	// when unknown, as is ErrorRate (RateNote says why).
	Traffic   *int     `json:"traffic"`
	ErrorRate *float64 `json:"error_rate"`
	RateNote  string   `json:"error_rate_note,omitempty"`
	// Verdict and Headline are the diagnosis in one English line; Cause
	// and Confidence its cause ID and how sure it is; HeadlineFinding the
	// verdict finding of findings.json.
	Verdict         string              `json:"verdict"`
	Headline        string              `json:"headline"`
	Cause           analysis.Cause      `json:"cause"`
	Confidence      analysis.Confidence `json:"confidence"`
	HeadlineFinding *analysis.Finding   `json:"headline_finding,omitempty"`
	// Done is the line the run ends with, in the bundle's language.
	Done       string          `json:"-"`
	Incomplete bool            `json:"incomplete"`
	Collectors []collectorJSON `json:"collectors"`
	Previous   *previousJSON   `json:"previous,omitempty"`
	Deleted    []string        `json:"deleted,omitempty"`
	ExitCode   int             `json:"exit_code"`
}

type windowJSON struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	TZ   string    `json:"tz"`
}

type collectorJSON struct {
	Name   string                 `json:"name"`
	State  collect.CollectorState `json:"state"`
	Source string                 `json:"source,omitempty"`
	Reason string                 `json:"reason,omitempty"`
	// Failure is the short line of a collector that failed: class of
	// failure and host (Reason holds the raw error).
	Failure string `json:"failure,omitempty"`
	// Context is true for context (Twilio's status page), whose failure
	// leaves the bundle complete.
	Context bool `json:"context,omitempty"`
}

// previousJSON is the trend against the previous bundle.
type previousJSON struct {
	Bundle    string     `json:"bundle"`
	Window    windowJSON `json:"window"`
	Incidents int        `json:"incidents"`
	Change    int        `json:"change"`
	// Percent is Change over the previous count (0.4 = up 40%); nil when
	// the previous count is 0.
	Percent    *float64 `json:"percent"`
	Comparable bool     `json:"comparable"`
	Error      string   `json:"error,omitempty"`
}

// sentence is the one-line summary for a person (cron mail, journal): the
// diagnosis' headline, the failures and the bundle's path, then the window,
// the error rate and the change on the previous bundle.
func (r *runSummary) sentence() string {
	s := fmt.Sprintf("%s to %s", r.Window.From.Format("2006-01-02 15:04"), r.Window.To.Format("2006-01-02 15:04 MST"))
	if r.ErrorRate != nil {
		s += fmt.Sprintf(", error rate %.2f%%", *r.ErrorRate*100)
	}
	if p := r.Previous; p != nil && p.Error == "" {
		s += fmt.Sprintf(", previous bundle: %d, change %+d", p.Incidents, p.Change)
	}
	if r.Incomplete {
		s += "; INCOMPLETE"
	}
	return r.Done + " (" + s + ")"
}

// summarize computes the summary of a run from its evidence; prev is the
// baseline bundle ("" for none).
func summarize(res *bundleResult, prev string, s streams) *runSummary {
	ev := res.Evidence
	loc := ev.Window.Loc()
	sum := &runSummary{
		Path: res.Path, AccountSID: ev.Account.SID, FriendlyName: ev.Account.FriendlyName,
		Window:     windowJSON{From: ev.Window.From.In(loc), To: ev.Window.To.In(loc), TZ: loc.String()},
		Incidents:  len(ev.Incidents),
		AlertsSeen: ev.AlertsSeen,
		Incomplete: analysis.Incomplete(ev),
		Collectors: []collectorJSON{},
	}
	en := localizer("en")
	for _, c := range ev.Collectors {
		cj := collectorJSON{Name: c.Name, State: c.State, Source: c.Source, Reason: c.Reason, Context: c.Context}
		if c.Failed() {
			cj.Failure = en.CollectorFailure(c)
		}
		sum.Collectors = append(sum.Collectors, cj)
	}
	if r := res.Result; r != nil {
		v := r.Findings[0]
		sum.HeadlineFinding, sum.Verdict, sum.Headline = &v, v.Sentence, v.Sentence
		sum.Cause, sum.Confidence = r.Diagnosis.Cause, r.Diagnosis.Confidence
		sum.Done = bundle.DoneLine(r, res.Lang, res.Path)
	}
	st, err := stats.Compute(stats.Input{Window: ev.Window, Incidents: ev.Incidents, Usage: ev.Usage}, stats.Options{})
	if err != nil {
		sum.RateNote = err.Error()
		return sum
	}
	sum.ErrorRate, sum.Traffic, sum.RateNote = st.Rate.Value, st.Rate.Traffic, st.Rate.Note
	if prev != "" {
		sum.Previous = trendAgainst(st, prev)
	}
	return sum
}

// trendAgainst compares st with the bundle at prev.
func trendAgainst(st *stats.Stats, prev string) *previousJSON {
	p := &previousJSON{Bundle: prev}
	base, err := readBaseline(prev)
	if err == nil {
		err = st.AddTrend(base)
	}
	if err != nil {
		p.Error = err.Error()
		return p
	}
	t := st.Trend
	loc := time.UTC
	if base.Window.Zone != "" {
		if l, err := time.LoadLocation(base.Window.Zone); err == nil {
			loc = l
		}
	}
	p.Window = windowJSON{From: base.Window.From.In(loc), To: base.Window.To.In(loc), TZ: loc.String()}
	p.Incidents, p.Change, p.Percent, p.Comparable = t.Total.Previous, t.Total.Change, t.Total.Percent, t.Comparable
	return p
}

// readBaseline reads the statistics of a previous bundle: its
// stats/summary.json, or, in a bundle written without one, statistics
// computed from its incidents.csv over the window its manifest names.
func readBaseline(path string) (*stats.Stats, error) {
	st, err := bundle.ReadStatsSummary(path)
	if err == nil {
		return st, nil
	}
	zr, zerr := bundlezip.Open(path)
	if zerr != nil {
		return nil, err
	}
	defer zr.Close()
	var m bundle.Manifest
	if err := readZipJSON(zr, bundle.ManifestFile, &m); err != nil {
		return nil, fmt.Errorf("previous bundle %s: %w", path, err)
	}
	var incidents []collect.Incident
	f := zr.File(bundle.IncidentsFile)
	if f == nil {
		return nil, fmt.Errorf("previous bundle %s: no %s in the bundle", path, bundle.IncidentsFile)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("previous bundle %s: %w", path, err)
	}
	defer rc.Close()
	if err := csvsafe.Unmarshal(rc, &incidents); err != nil {
		return nil, fmt.Errorf("previous bundle %s: %s: %w", path, bundle.IncidentsFile, err)
	}
	return stats.Compute(stats.Input{Window: m.Window, Incidents: incidents}, stats.Options{})
}

// bundleName matches the names bundle.FileName gives, and nothing else.
var bundleName = regexp.MustCompile(`^twilio-evidence_(AC[0-9a-fA-F]{32})?_(\d{4}-\d{2}-\d{2}T\d{4}Z)_(\d{4}-\d{2}-\d{2}T\d{4}Z)\.zip$`)

// dirBundle is one bundle found in a directory.
type dirBundle struct {
	path     string
	from, to time.Time
}

// accountBundles lists the bundles of account in dir, newest window end
// first (then newest start).
func accountBundles(dir, account string) ([]dirBundle, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	const f = "2006-01-02T1504Z"
	var out []dirBundle
	for _, e := range entries {
		m := bundleName.FindStringSubmatch(e.Name())
		if m == nil || m[1] != account || !e.Type().IsRegular() {
			continue
		}
		from, err1 := time.Parse(f, m[2])
		to, err2 := time.Parse(f, m[3])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, dirBundle{path: filepath.Join(dir, e.Name()), from: from, to: to})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].to.Equal(out[j].to) {
			return out[i].to.After(out[j].to)
		}
		return out[i].from.After(out[j].from)
	})
	return out, nil
}

// previousBundle is the newest bundle of account in dir whose window ends
// no later than w, other than w's own bundle; "" when there is none.
func previousBundle(dir, account string, w collect.Window) string {
	list, err := accountBundles(dir, account)
	if err != nil {
		return ""
	}
	own := bundle.FileName(&collect.Evidence{Account: collect.Account{SID: account}, Window: w})
	for _, b := range list {
		if filepath.Base(b.path) == own || b.to.After(w.To) {
			continue
		}
		return b.path
	}
	return ""
}

// pruneBundles deletes the bundles of account in dir beyond the keep
// newest; the bundle just written always stays. Only files named like the
// tool's own bundles are touched.
func pruneBundles(dir, account string, keep int, written string) ([]string, error) {
	list, err := accountBundles(dir, account)
	if err != nil {
		return nil, err
	}
	var deleted []string
	var errs []string
	kept := 1 // the one just written
	for _, b := range list {
		if b.path == written {
			continue
		}
		if kept < keep {
			kept++
			continue
		}
		if err := os.Remove(b.path); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		deleted = append(deleted, b.path)
	}
	if len(errs) > 0 {
		return deleted, fmt.Errorf("could not delete %s", strings.Join(errs, "; "))
	}
	return deleted, nil
}

// readZipJSON decodes the JSON file name of a bundle into v.
func readZipJSON(zr *bundlezip.Reader, name string, v any) error {
	b, err := zr.ReadFile(name, 64<<20)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
