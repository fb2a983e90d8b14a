package pipeline

import (
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Window is the window as given: a span back from now (Since), or a start
// and an end (From, To, RFC 3339), and the zone the bundle shows times in
// (TZ: local, UTC or an IANA name). All empty means the default span.
type Window struct {
	Since, From, To, TZ string
}

// Empty reports whether no span was given.
func (w Window) Empty() bool { return w.Since == "" && w.From == "" && w.To == "" }

// Resolve turns w into a collect.Window, with defSince when no span was
// given. A bad value is a usage error.
func (w Window) Resolve(defSince string, now time.Time) (collect.Window, error) {
	loc, err := collect.LoadLocation(w.TZ)
	if err != nil {
		return collect.Window{}, runerr.Usagef("%v", err)
	}
	since := w.Since
	if w.Empty() {
		since = defSince
	}
	win, err := collect.ParseWindow(since, w.From, w.To, loc, now)
	if err != nil {
		return win, runerr.Usagef("%v", err)
	}
	return win, nil
}

// Fixed is the window w resolves to now, as From and To: every later run
// with it (subaccounts taking their turns, the search for the previous
// bundle) then agrees on it.
func (w Window) Fixed(defSince string, now time.Time) (Window, collect.Window, error) {
	win, err := w.Resolve(defSince, now)
	if err != nil {
		return w, win, err
	}
	w.Since, w.From, w.To = "", win.From.Format(time.RFC3339), win.To.Format(time.RFC3339)
	return w, win, nil
}

// Inputs are the offline inputs, read in place of the Twilio API.
type Inputs struct {
	// AlertsFile is the Monitor API's alerts as saved (a page, an array
	// or NDJSON; .gz too).
	AlertsFile string
	// IncidentsFile is a CSV of failed requests: the tool's incidents.csv
	// or the console's export.
	IncidentsFile string
}

// Offline reports whether the run reads files instead of the API.
func (in Inputs) Offline() bool { return in.AlertsFile != "" || in.IncidentsFile != "" }

// Collectors are the collectors that read the offline inputs; none when
// the run uses the API.
func (in Inputs) Collectors() []collect.Collector {
	var out []collect.Collector
	if in.AlertsFile != "" {
		out = append(out, collect.AlertsFromFile{Path: in.AlertsFile})
	}
	if in.IncidentsFile != "" {
		out = append(out, collect.IncidentsFromFile{Path: in.IncidentsFile})
	}
	return out
}

// flagNames names the offline inputs given, for messages.
func (in Inputs) flagNames() string {
	switch {
	case in.AlertsFile != "" && in.IncidentsFile != "":
		return "--alerts-file and --incidents-file"
	case in.AlertsFile != "":
		return "--alerts-file"
	}
	return "--incidents-file"
}

// explainSkips says, in the manifest, why the API collectors of an offline
// run did not run.
func (in Inputs) explainSkips(ev *collect.Evidence) {
	if !in.Offline() {
		return
	}
	for i, c := range ev.Collectors {
		if c.State == collect.StateSkipped && c.Source == "api" {
			ev.Collectors[i].Reason = "offline run: the data came from " + in.flagNames() + " and the Twilio API was not contacted"
		}
	}
}

// Prepare checks the options that need no network before anything starts
// and returns them ready for Run: the offline input files are read through
// once (a file that cannot be read is a usage error), and when no window
// was given the window becomes the span of the files' records, to the
// minute. A --previous bundle is checked too.
func Prepare(o Options) (Options, error) {
	if err := o.prepareInputs(); err != nil {
		return o, err
	}
	if err := o.checkPrevious(); err != nil {
		return o, err
	}
	o.prepared = true
	return o, nil
}

func (o *Options) prepareInputs() error {
	in := o.Inputs
	if o.Concurrency < 1 || o.Concurrency > 16 {
		return runerr.Usagef("--concurrency %d: give 1 to 16", o.Concurrency)
	}
	if !in.Offline() {
		return nil
	}
	if o.Demo {
		return runerr.Usagef("--demo brings its own data: leave out %s", in.flagNames())
	}
	if o.AllSubaccounts {
		return runerr.Usagef("--all-subaccounts reads the subaccounts from the API: it cannot be combined with %s", in.flagNames())
	}
	if o.AccountSID != "" && !collect.ValidSID(o.AccountSID, "AC") {
		return runerr.Usagef("--account-sid %q is not an account SID (AC followed by 32 hex digits)", o.AccountSID)
	}
	loc, err := collect.LoadLocation(o.Window.TZ)
	if err != nil {
		return runerr.Usagef("%v", err)
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
		if o.fileAccount == "" {
			o.fileAccount = f.AccountSID
		}
	}
	if in.AlertsFile != "" {
		f, err := collect.ScanAlertsFile(in.AlertsFile)
		if err != nil {
			return runerr.Usagef("%v", err)
		}
		add(f)
	}
	if in.IncidentsFile != "" {
		f, _, err := collect.ScanIncidentsFile(in.IncidentsFile, loc)
		if err != nil {
			return runerr.Usagef("%v", err)
		}
		add(f)
	}
	if o.Window.Empty() && !span.First.IsZero() {
		o.Window.From = span.First.Truncate(time.Minute).Format(time.RFC3339)
		o.Window.To = span.Last.Truncate(time.Minute).Add(time.Minute).Format(time.RFC3339)
	}
	return nil
}

// offlineAccount is the account of an offline run: AccountSID, else the
// one the files name, else TWILIO_ACCOUNT_SID; empty when none is known.
func (o *Options) offlineAccount() string {
	switch {
	case o.AccountSID != "":
		return o.AccountSID
	case o.fileAccount != "":
		return o.fileAccount
	}
	if o.Getenv != nil {
		if sid := o.Getenv("TWILIO_ACCOUNT_SID"); collect.ValidSID(sid, "AC") {
			return sid
		}
	}
	return ""
}

// accountFor is the account SID a run is about.
func (o *Options) accountFor(api *collect.APIConfig) string {
	if api != nil {
		return api.Credentials.AccountSID
	}
	return o.offlineAccount()
}

// ExpectedAccount is the account a run will be about, known before it
// runs (to find its previous bundle): "" when the credentials are missing,
// which the run itself then reports. o must have been prepared.
func (o Options) ExpectedAccount() string {
	switch {
	case o.Demo:
		return faketwilio.DemoAccountSID
	case o.Inputs.Offline():
		return o.offlineAccount()
	}
	creds, err := o.source().Credentials(o.AccountSID)
	if err != nil {
		return ""
	}
	return creds.AccountSID
}

// getenv is o.Getenv, or an empty environment.
func (o *Options) getenv() func(string) string {
	if o.Getenv == nil {
		return func(string) string { return "" }
	}
	return o.Getenv
}
