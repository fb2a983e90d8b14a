package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// runFlags are the flags bundle and report share beyond the window and the
// output: offline inputs, quiet progress and many accounts.
type runFlags struct {
	quiet          bool
	alertsFile     string
	incidentsFile  string
	allSubaccounts bool
	concurrency    int
	// fileAccount is the account the offline inputs name (found by prepare).
	fileAccount string
}

func (r *runFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&r.quiet, "quiet", "q", false, "no progress bars or progress lines on stderr (warnings and errors are still shown)")
	fs.StringVar(&r.alertsFile, "alerts-file", "", "read the alerts from this file instead of the API: the Monitor API's JSON as saved by curl or twilio-cli (a page, an array or NDJSON; .gz too)")
	fs.StringVar(&r.incidentsFile, "incidents-file", "", "read the failed requests from this CSV instead of the API: the tool's incidents.csv, or columns named like Sid, Date Created, Error Code, Resource Sid, Request URL")
	fs.BoolVar(&r.allSubaccounts, "all-subaccounts", false, "one bundle for each subaccount of the parent account, plus an index ranking them")
	fs.IntVar(&r.concurrency, "concurrency", 4, "with --all-subaccounts: how many subaccounts are collected at once (1–16)")
}

// offline reports whether the run reads files instead of the API.
func (r runFlags) offline() bool { return r.alertsFile != "" || r.incidentsFile != "" }

// collectors are the collectors that read the offline inputs; none when
// the run uses the API.
func (r runFlags) collectors() []collect.Collector {
	var out []collect.Collector
	if r.alertsFile != "" {
		out = append(out, collect.AlertsFromFile{Path: r.alertsFile})
	}
	if r.incidentsFile != "" {
		out = append(out, collect.IncidentsFromFile{Path: r.incidentsFile})
	}
	return out
}

// offlineFlagNames names the offline inputs given, for messages.
func (r runFlags) offlineFlagNames() string {
	switch {
	case r.alertsFile != "" && r.incidentsFile != "":
		return "--alerts-file and --incidents-file"
	case r.alertsFile != "":
		return "--alerts-file"
	}
	return "--incidents-file"
}

// explainSkips says, in the manifest, why the API collectors of an offline
// run did not run.
func (r runFlags) explainSkips(ev *collect.Evidence) {
	if !r.offline() {
		return
	}
	for i, c := range ev.Collectors {
		if c.State == collect.StateSkipped && c.Source == "api" {
			ev.Collectors[i].Reason = "offline run: the data came from " + r.offlineFlagNames() + " and the Twilio API was not contacted"
		}
	}
}

// prepareInputs checks the run's flags that need no network before
// anything starts: the offline input files are read through once (a file
// that cannot be read is a usage error, exit 2), and when no window was
// given the window becomes the span of the files' records, to the minute.
func (o *bundleOptions) prepareInputs(s streams) error {
	r := &o.run
	if r.concurrency < 1 || r.concurrency > 16 {
		return usageErr("--concurrency %d: give 1 to 16", r.concurrency)
	}
	if !r.offline() {
		return nil
	}
	if o.demo {
		return usageErr("--demo brings its own data: leave out %s", r.offlineFlagNames())
	}
	if r.allSubaccounts {
		return usageErr("--all-subaccounts reads the subaccounts from the API: it cannot be combined with %s", r.offlineFlagNames())
	}
	if o.accountSID != "" && !collect.ValidSID(o.accountSID, "AC") {
		return usageErr("--account-sid %q is not an account SID (AC followed by 32 hex digits)", o.accountSID)
	}
	loc, err := collect.LoadLocation(o.window.tz)
	if err != nil {
		return usageErr("%v", err)
	}
	var span collect.FileSummary
	add := func(f collect.FileSummary) {
		if !f.First.IsZero() && (span.First.IsZero() || f.First.Before(span.First)) {
			span.First = f.First
		}
		if f.Last.After(span.Last) {
			span.Last = f.Last
		}
		span.Records += f.Records
		if r.fileAccount == "" {
			r.fileAccount = f.AccountSID
		}
	}
	if r.alertsFile != "" {
		f, err := collect.ScanAlertsFile(r.alertsFile)
		if err != nil {
			return usageErr("%v", err)
		}
		add(f)
	}
	if r.incidentsFile != "" {
		f, _, err := collect.ScanIncidentsFile(r.incidentsFile, loc)
		if err != nil {
			return usageErr("%v", err)
		}
		add(f)
	}
	w := o.window
	if w.since == "" && w.from == "" && w.to == "" && !span.First.IsZero() {
		o.window.from = span.First.Truncate(time.Minute).Format(time.RFC3339)
		o.window.to = span.Last.Truncate(time.Minute).Add(time.Minute).Format(time.RFC3339)
	}
	return nil
}

// offlineAccount is the account of an offline run: --account-sid, else the
// one the files name, else TWILIO_ACCOUNT_SID; empty when none is known.
func (o *bundleOptions) offlineAccount(s streams) string {
	switch {
	case o.accountSID != "":
		return o.accountSID
	case o.run.fileAccount != "":
		return o.run.fileAccount
	}
	if sid := s.getenv("TWILIO_ACCOUNT_SID"); collect.ValidSID(sid, "AC") {
		return sid
	}
	return ""
}

// accountFor is the account SID a run is about.
func (o *bundleOptions) accountFor(api *collect.APIConfig, s streams) string {
	if api != nil {
		return api.Credentials.AccountSID
	}
	return o.offlineAccount(s)
}
