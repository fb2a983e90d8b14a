// Package subaccounts runs one bundle for every subaccount of a parent
// account, a few at a time, and writes the index that ranks them: a CSV for
// scripts and a one-page PDF for people. A subaccount that cannot be read
// or whose run fails is recorded with its reason, and the others go on.
package subaccounts

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Status is how the run of one subaccount ended.
type Status string

// The statuses of a subaccount in the index.
const (
	OK         Status = "ok"
	Incomplete Status = "incomplete"
	Failed     Status = "failed"
	Skipped    Status = "skipped"
)

// Bundle is what the run of one subaccount wrote.
type Bundle struct {
	// Path is the bundle's zip.
	Path      string
	Incidents int
	// Traffic is calls plus messages and ErrorRate incidents over Traffic,
	// as a fraction; nil when unknown.
	Traffic   *int
	ErrorRate *float64
	// Verdict is the diagnosis in one line.
	Verdict string
	// Incomplete is set when a collector failed; Reason then names the
	// failures.
	Incomplete bool
	Reason     string
	// Summary is the run's machine summary, given whole in the index's
	// JSON form.
	Summary any
}

// RunOne runs the bundle of one subaccount, its progress labelled with the
// subaccount. It returns nil and why when no bundle was written; the error
// of a run that wrote a bundle is not recorded (Bundle.Incomplete is).
type RunOne func(ctx context.Context, sub collect.Account, progress collect.Progress) (*Bundle, error)

// Options are what a subaccount run reads and writes.
type Options struct {
	// Parent is the API configuration of the parent account, already
	// checked.
	Parent *collect.APIConfig
	// Credentials gives the credentials to read one subaccount with.
	Credentials func(sid string) (collect.Credentials, error)
	// Window is the time range every subaccount's bundle covers; it names
	// the index files.
	Window collect.Window
	// Output is the directory the index is written into.
	Output string
	// Concurrency is how many subaccounts run at a time (at least one).
	Concurrency int
	// Progress shows the run (nil: nothing).
	Progress collect.Progress
	// Tokens is told the auth tokens the list of subaccounts carries,
	// before any subaccount runs: none may be printed or kept in a bundle.
	Tokens func(map[string]string)
	// Refuse says why a subaccount must not run (its bundle exists
	// already), nil when it may; nil Refuse refuses none.
	Refuse func(sub collect.Account) error
	// Run runs one subaccount.
	Run RunOne
	// Tool names the program in the PDF index's footer.
	Tool collect.Tool
	// Partials tracks the index's temporary files, so that a second
	// interrupt removes them (nil: not tracked).
	Partials *bundle.Partials
}

// Window is the index's time range, in the zone the bundles use.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	TZ   string    `json:"tz"`
}

// Result is what a subaccount run did; its JSON form is the machine
// summary of `report --all-subaccounts --json`.
type Result struct {
	Parent   string `json:"parent_sid"`
	Window   Window `json:"window"`
	IndexCSV string `json:"index_csv"`
	IndexPDF string `json:"index_pdf,omitempty"`
	// Accounts is the index, ranked (see Rank).
	Accounts []Row `json:"accounts"`
	// PDFError says why the PDF index is missing (IndexPDF empty); the CSV
	// is written.
	PDFError error `json:"-"`
}

// Counts are the number of subaccounts in each status and the webhook
// failures of all the bundles written.
func (r *Result) Counts() (byStatus map[Status]int, incidents int) {
	byStatus = map[Status]int{}
	for _, row := range r.Accounts {
		byStatus[row.Status]++
		incidents += row.numbers.incidents
	}
	return byStatus, incidents
}

// NoSubaccountsError is returned when the parent account has none.
type NoSubaccountsError struct{ Parent string }

func (e *NoSubaccountsError) Error() string {
	return fmt.Sprintf("account %s has no subaccounts", e.Parent)
}

// Run lists the parent's subaccounts and runs opt.Run for each, at most
// opt.Concurrency at a time, then writes the index (CSV, then PDF) into
// opt.Output. It returns a nil Result when the subaccounts could not be
// listed or there are none; a Result with an error when the CSV index
// could not be written.
func Run(ctx context.Context, opt Options) (*Result, error) {
	parent := opt.Parent.Credentials.AccountSID
	subs, tokens, err := collect.ListSubaccounts(ctx, opt.Parent)
	if err != nil {
		return nil, fmt.Errorf("%w: check that TWILIO_ACCOUNT_SID is the parent account and its credentials may list subaccounts", err)
	}
	if opt.Tokens != nil {
		opt.Tokens(tokens)
	}
	if len(subs) == 0 {
		return nil, &NoSubaccountsError{Parent: parent}
	}
	if opt.Progress == nil {
		opt.Progress = collect.NoProgress{}
	}
	overall := opt.Progress.Start("subaccounts", len(subs))
	rows := make([]Row, len(subs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(max(opt.Concurrency, 1), len(subs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rows[i] = runOne(ctx, opt, subs[i])
				overall.Add(1)
			}
		}()
	}
	for i := range subs {
		next <- i
	}
	close(next)
	wg.Wait()
	overall.Done()

	loc := opt.Window.Loc()
	res := &Result{
		Parent:   parent,
		Window:   Window{From: opt.Window.From.In(loc), To: opt.Window.To.In(loc), TZ: loc.String()},
		Accounts: Rank(rows),
	}
	base := filepath.Join(opt.Output, IndexBaseName(parent, opt.Window))
	res.IndexCSV = base + ".csv"
	if err := writeCSV(opt.Partials, res.IndexCSV, res.Accounts); err != nil {
		return res, err
	}
	res.IndexPDF = base + ".pdf"
	if err := writePDF(opt.Partials, res.IndexPDF, res, opt.Tool); err != nil {
		res.IndexPDF, res.PDFError = "", err
	}
	return res, nil
}

// runOne checks that the subaccount can be read, then runs it.
func runOne(ctx context.Context, opt Options, sub collect.Account) Row {
	row := Row{AccountSID: sub.SID, FriendlyName: sub.FriendlyName}
	fail := func(st Status, reason string) Row {
		row.Status, row.Reason = st, reason
		return row
	}
	if ctx.Err() != nil {
		return fail(Skipped, "interrupted before it started")
	}
	if sub.Status == "closed" {
		return fail(Skipped, "the subaccount is closed")
	}
	progress := labelled{inner: opt.Progress, prefix: accountLabel(sub.SID)}
	if opt.Refuse != nil {
		if err := opt.Refuse(sub); err != nil {
			progress.Warnf("%v; the other subaccounts go on", err)
			return fail(Failed, err.Error())
		}
	}
	creds, err := opt.Credentials(sub.SID)
	if err != nil {
		return fail(Failed, err.Error())
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	acc, err := collect.CheckAccount(cctx, &collect.APIConfig{Credentials: creds, BaseURL: opt.Parent.BaseURL, MaxAttempts: 3}, sub.SID)
	cancel()
	if err != nil {
		progress.Warnf("%v; the other subaccounts go on", err)
		return fail(Failed, err.Error())
	}
	if acc.FriendlyName != "" {
		row.FriendlyName = acc.FriendlyName
		sub.FriendlyName = acc.FriendlyName
	}
	b, err := opt.Run(ctx, sub, progress)
	switch {
	case b == nil:
		reason := "no bundle"
		if err != nil {
			reason = err.Error()
		}
		progress.Warnf("%s; the other subaccounts go on", reason)
		return fail(Failed, reason)
	case b.Incomplete:
		row.Status, row.Reason = Incomplete, b.Reason
	default:
		row.Status = OK
	}
	row.setBundle(b)
	return row
}

// accountLabel is the short label of an account in progress lines.
func accountLabel(sid string) string {
	if len(sid) > 10 {
		return strings.ToUpper(sid[:2]) + sid[2:8] + "…: "
	}
	return sid + ": "
}

// TransientProgress is a Progress that can show a task only while it runs
// (a terminal's bars): the tasks of one subaccount among many disappear
// when done.
type TransientProgress interface {
	StartTransient(name string, total int) collect.Task
}

// labelled labels every task and warning of one subaccount.
type labelled struct {
	inner  collect.Progress
	prefix string
}

// Start implements collect.Progress.
func (p labelled) Start(name string, total int) collect.Task {
	if t, ok := p.inner.(TransientProgress); ok {
		return t.StartTransient(p.prefix+name, total)
	}
	return p.inner.Start(p.prefix+name, total)
}

// Warnf implements collect.Progress.
func (p labelled) Warnf(format string, args ...any) {
	p.inner.Warnf("%s%s", p.prefix, fmt.Sprintf(format, args...))
}

// Row is one subaccount in the index (CSV and JSON).
type Row struct {
	Rank         int    `csv:"rank" json:"rank"`
	AccountSID   string `csv:"account_sid" json:"account_sid"`
	FriendlyName string `csv:"friendly_name" json:"friendly_name"`
	Status       Status `csv:"status" json:"status"`
	Incidents    string `csv:"incidents" json:"-"`
	// ErrorRate is incidents over calls plus messages, as a fraction; empty
	// when unknown.
	ErrorRate string `csv:"error_rate" json:"-"`
	Traffic   string `csv:"traffic" json:"-"`
	Verdict   string `csv:"verdict" json:"verdict,omitempty"`
	Bundle    string `csv:"bundle" json:"bundle,omitempty"`
	Reason    string `csv:"reason" json:"reason,omitempty"`
	// Path is the bundle's zip, empty when none was written.
	Path    string     `csv:"-" json:"-"`
	Summary any        `csv:"-" json:"summary,omitempty"`
	numbers rowNumbers `csv:"-"`
}

type rowNumbers struct {
	incidents int
	rate      *float64
	has       bool
}

func (r *Row) setBundle(b *Bundle) {
	r.numbers = rowNumbers{incidents: b.Incidents, rate: b.ErrorRate, has: true}
	r.Incidents = strconv.Itoa(b.Incidents)
	if b.ErrorRate != nil {
		r.ErrorRate = strconv.FormatFloat(*b.ErrorRate, 'f', 6, 64)
	}
	if b.Traffic != nil {
		r.Traffic = strconv.Itoa(*b.Traffic)
	}
	r.Verdict, r.Bundle, r.Path, r.Summary = b.Verdict, filepath.Base(b.Path), b.Path, b.Summary
}

// Rank orders the subaccounts and numbers them from 1: those with a bundle
// by incidents, then error rate (unknown last), most first; then those
// without, by SID.
func Rank(rows []Row) []Row {
	rows = append([]Row(nil), rows...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].numbers, rows[j].numbers
		if a.has != b.has {
			return a.has
		}
		if a.has {
			if a.incidents != b.incidents {
				return a.incidents > b.incidents
			}
			if (a.rate == nil) != (b.rate == nil) {
				return a.rate != nil
			}
			if a.rate != nil && *a.rate != *b.rate {
				return *a.rate > *b.rate
			}
		}
		return rows[i].AccountSID < rows[j].AccountSID
	})
	for i := range rows {
		rows[i].Rank = i + 1
	}
	return rows
}

// IndexBaseName names the index files after the parent and the window, in
// the bundles' style (no ':').
func IndexBaseName(parent string, w collect.Window) string {
	const f = "2006-01-02T1504Z"
	return fmt.Sprintf("twilio-evidence-index_%s_%s_%s", parent, w.From.UTC().Format(f), w.To.UTC().Format(f))
}
