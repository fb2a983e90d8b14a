package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
)

// Outcomes of one subaccount in the index.
const (
	outcomeOK         = "ok"
	outcomeIncomplete = "incomplete"
	outcomeFailed     = "failed"
	outcomeSkipped    = "skipped"
)

// accountOutcome is how the run of one subaccount ended.
type accountOutcome struct {
	Account collect.Account
	Status  string
	Reason  string
	Summary *runSummary
}

// oneAccount runs the pipeline for one subaccount (o.accountSID set) and
// returns its summary, nil when no bundle was written.
type oneAccount func(ctx context.Context, o bundleOptions, s streams) (*runSummary, error)

// subaccountRun is the outcome of --all-subaccounts.
type subaccountRun struct {
	Parent   string           `json:"parent_sid"`
	Window   windowJSON       `json:"window"`
	IndexCSV string           `json:"index_csv"`
	IndexPDF string           `json:"index_pdf,omitempty"`
	Accounts []indexRow       `json:"accounts"`
	outcomes []accountOutcome `json:"-"`
}

// runSubaccounts lists the parent's subaccounts and runs one for each, at
// most o.run.concurrency at a time. A subaccount that cannot be read or
// whose run fails is recorded, and the others go on. It writes the index
// (CSV and PDF) into --output.
func runSubaccounts(ctx context.Context, o bundleOptions, s streams, one oneAccount) (*subaccountRun, error) {
	if o.demo {
		return nil, usageErr("--all-subaccounts needs the credentials of a parent account: the demo has no subaccounts")
	}
	if o.accountSID != "" {
		return nil, usageErr("--all-subaccounts runs every subaccount: leave out --account-sid")
	}
	win, err := o.window.parse(reportDefaultSince, time.Now())
	if err != nil {
		return nil, err
	}
	// Every subaccount gets the same window, whenever its turn comes.
	o.window.since, o.window.from, o.window.to = "", win.From.Format(time.RFC3339), win.To.Format(time.RFC3339)
	if err := checkOutputDir(o.output); err != nil {
		return nil, err
	}
	creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, "")
	if err != nil {
		return nil, envErr(err)
	}
	parentAPI := &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL}
	if err := o.twilio.apply(parentAPI, &collect.Evidence{}, s.getenv); err != nil {
		return nil, err
	}
	if err := o.checkAPI(ctx, parentAPI); err != nil {
		return nil, err
	}
	// Each subaccount is checked on its own (runOneSubaccount).
	o.apiChecked = true
	subs, tokens, err := collect.ListSubaccounts(ctx, parentAPI)
	if err != nil {
		return nil, envErr(fmt.Errorf("%w: check that TWILIO_ACCOUNT_SID is the parent account and its credentials may list subaccounts", err))
	}
	// The list carries every account's auth token: none may be printed, and
	// every subaccount's bundle removes the parent's (a run with an API key
	// knows it from here only); each run learns its own from its account.
	if s.redactor != nil {
		s.redactor.AddSecrets(mapValues(tokens), nil)
	}
	if t := tokens[creds.AccountSID]; t != "" {
		o.learned = append(o.learned, t)
	}
	if len(subs) == 0 {
		return nil, usageErr("account %s has no subaccounts: run without --all-subaccounts", creds.AccountSID)
	}

	progress, closeProgress := o.startProgress(s)
	defer closeProgress()
	overall := progress.Start("subaccounts", len(subs))
	outcomes := make([]accountOutcome, len(subs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(o.run.concurrency, len(subs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				outcomes[i] = runOneSubaccount(ctx, o, s, subs[i], progress, one)
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
	closeProgress()

	run := &subaccountRun{Parent: creds.AccountSID, outcomes: outcomes}
	loc := win.Loc()
	run.Window = windowJSON{From: win.From.In(loc), To: win.To.In(loc), TZ: loc.String()}
	run.Accounts = rankIndex(outcomes)
	base := filepath.Join(o.output, indexBaseName(creds.AccountSID, win))
	run.IndexCSV = base + ".csv"
	if err := writeIndexCSV(run.IndexCSV, run.Accounts); err != nil {
		return run, envErr(err)
	}
	run.IndexPDF = base + ".pdf"
	if err := writeIndexPDF(run.IndexPDF, run, o.commandLine); err != nil {
		fmt.Fprintf(s.err, "twilio-evidence: warning: %v (the CSV index is written)\n", err)
		run.IndexPDF = ""
	}
	return run, nil
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// runOneSubaccount checks that the subaccount can be read, then runs it.
func runOneSubaccount(ctx context.Context, o bundleOptions, s streams, sub collect.Account, progress collect.Progress, one oneAccount) accountOutcome {
	out := accountOutcome{Account: sub}
	if ctx.Err() != nil {
		out.Status, out.Reason = outcomeSkipped, "interrupted before it started"
		return out
	}
	if sub.Status == "closed" {
		out.Status, out.Reason = outcomeSkipped, "the subaccount is closed"
		return out
	}
	o.accountSID = sub.SID
	o.progress = prefixedProgress{inner: progress, prefix: accountLabel(sub.SID)}
	if win, err := o.window.parse(reportDefaultSince, time.Now()); err == nil {
		if err := o.refuseExisting(&collect.Evidence{Account: collect.Account{SID: sub.SID}, Window: win}); err != nil {
			out.Status, out.Reason = outcomeFailed, err.Error()
			o.progress.Warnf("%v; the other subaccounts go on", err)
			return out
		}
	}
	creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, sub.SID)
	if err != nil {
		out.Status, out.Reason = outcomeFailed, err.Error()
		return out
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	acc, err := collect.CheckAccount(cctx, &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL, MaxAttempts: 3}, sub.SID)
	cancel()
	if err != nil {
		out.Status, out.Reason = outcomeFailed, err.Error()
		o.progress.Warnf("%v; the other subaccounts go on", err)
		return out
	}
	if acc.FriendlyName != "" {
		out.Account.FriendlyName = acc.FriendlyName
	}
	quiet := s
	quiet.out = io.Discard
	sum, err := one(ctx, o, quiet)
	out.Summary = sum
	var ee *exitError
	switch {
	case sum == nil:
		out.Status = outcomeFailed
		out.Reason = "no bundle"
		if err != nil {
			out.Reason = err.Error()
		}
		o.progress.Warnf("%s; the other subaccounts go on", out.Reason)
	case err != nil && errors.As(err, &ee) && ee.code == exitIncomplete, sum.Incomplete:
		out.Status, out.Reason = outcomeIncomplete, incompleteReasons(sum)
	default:
		out.Status = outcomeOK
	}
	return out
}

func incompleteReasons(sum *runSummary) string {
	var parts []string
	for _, c := range sum.Collectors {
		if (c.State == collect.StateError || c.State == collect.StateTimeout) && !c.Context {
			parts = append(parts, c.Failure)
		}
	}
	return strings.Join(parts, "; ")
}

// indexRow is one row of the subaccount index (CSV and PDF).
type indexRow struct {
	Rank         int    `csv:"rank" json:"rank"`
	AccountSID   string `csv:"account_sid" json:"account_sid"`
	FriendlyName string `csv:"friendly_name" json:"friendly_name"`
	Status       string `csv:"status" json:"status"`
	Incidents    string `csv:"incidents" json:"-"`
	// ErrorRate is incidents over calls plus messages, as a fraction; empty
	// when unknown.
	ErrorRate string          `csv:"error_rate" json:"-"`
	Traffic   string          `csv:"traffic" json:"-"`
	Verdict   string          `csv:"verdict" json:"verdict,omitempty"`
	Bundle    string          `csv:"bundle" json:"bundle,omitempty"`
	Reason    string          `csv:"reason" json:"reason,omitempty"`
	Summary   *runSummary     `csv:"-" json:"summary,omitempty"`
	numbers   indexRowNumbers `csv:"-"`
}

type indexRowNumbers struct {
	incidents int
	rate      *float64
	has       bool
}

// rankIndex orders the subaccounts: those with a bundle by incidents, then
// error rate (unknown last), most first; then those without, by SID.
func rankIndex(outcomes []accountOutcome) []indexRow {
	rows := make([]indexRow, 0, len(outcomes))
	for _, oc := range outcomes {
		r := indexRow{AccountSID: oc.Account.SID, FriendlyName: oc.Account.FriendlyName, Status: oc.Status, Reason: oc.Reason, Summary: oc.Summary}
		if sum := oc.Summary; sum != nil {
			r.numbers = indexRowNumbers{incidents: sum.Incidents, rate: sum.ErrorRate, has: true}
			r.Incidents = strconv.Itoa(sum.Incidents)
			if sum.ErrorRate != nil {
				r.ErrorRate = strconv.FormatFloat(*sum.ErrorRate, 'f', 6, 64)
			}
			if sum.Traffic != nil {
				r.Traffic = strconv.Itoa(*sum.Traffic)
			}
			r.Verdict, r.Bundle = sum.Verdict, filepath.Base(sum.Path)
		}
		rows = append(rows, r)
	}
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

// indexBaseName names the index files after the parent and the window, in
// the bundles' style (no ':').
func indexBaseName(parent string, w collect.Window) string {
	const f = "2006-01-02T1504Z"
	return fmt.Sprintf("twilio-evidence-index_%s_%s_%s", parent, w.From.UTC().Format(f), w.To.UTC().Format(f))
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it: path never holds half a file. The file is created 0600 (less the
// umask), readable by its owner only, as it holds the accounts' data.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".twilio-evidence-*.part")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeIndexCSV(path string, rows []indexRow) error {
	var b bytes.Buffer
	if err := csvsafe.Marshal(rows, &b); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writeFileAtomic(path, b.Bytes())
}

// writeIndexPDF writes the one-page ranking.
func writeIndexPDF(path string, run *subaccountRun, commandLine []string) error {
	d, err := pdfdoc.New(pdfdoc.Options{
		Title: "twilio-evidence subaccount index " + run.Parent, Created: run.Window.To,
		FooterLeft: "twilio-evidence " + version, FooterRight: run.Parent,
	})
	if err != nil {
		return fmt.Errorf("index PDF: %w", err)
	}
	counts := map[string]int{}
	total := 0
	for _, r := range run.Accounts {
		counts[r.Status]++
		if r.numbers.has {
			total += r.numbers.incidents
		}
	}
	d.Heading(1, "Webhook failures by subaccount")
	d.KeyValue("Parent account", run.Parent)
	d.KeyValue("Window", fmt.Sprintf("%s to %s (%s)", run.Window.From.Format("2006-01-02 15:04"), run.Window.To.Format("2006-01-02 15:04"), run.Window.TZ))
	d.KeyValue("Subaccounts", fmt.Sprintf("%d: %d complete, %d incomplete, %d failed, %d skipped; %d webhook failures in all",
		len(run.Accounts), counts[outcomeOK], counts[outcomeIncomplete], counts[outcomeFailed], counts[outcomeSkipped], total))
	if counts[outcomeFailed] > 0 {
		d.Banner(fmt.Sprintf("%d subaccounts could not be collected: see the reason column and %s", counts[outcomeFailed], filepath.Base(run.IndexCSV)))
	}
	d.Paragraph("Ranked by webhook failures, then by error rate (failures over calls and messages). Each subaccount's bundle holds its evidence and summary.")
	t := pdfdoc.Table{Columns: []pdfdoc.Column{
		{Title: "#", Width: 0.5, AlignRight: true}, {Title: "Subaccount", Width: 3.2}, {Title: "Name", Width: 2},
		{Title: "Failures", Width: 1, AlignRight: true}, {Title: "Error rate", Width: 1.1, AlignRight: true}, {Title: "Status / reason", Width: 3},
	}}
	for _, r := range run.Accounts {
		rate := "unknown"
		if r.numbers.rate != nil {
			rate = strconv.FormatFloat(*r.numbers.rate*100, 'f', 2, 64) + "%"
		}
		inc := r.Incidents
		if !r.numbers.has {
			inc, rate = "—", "—"
		}
		status := r.Status
		if r.Reason != "" {
			status += ": " + r.Reason
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(r.Rank), r.AccountSID, r.FriendlyName, inc, rate, status})
	}
	d.Table(t)
	var b bytes.Buffer
	if err := d.Render(&b); err != nil {
		return fmt.Errorf("index PDF: %w", err)
	}
	return writeFileAtomic(path, b.Bytes())
}

// subaccountsExit is the exit of a many-account run: 3 when a subaccount
// failed or is incomplete, else 1 with --fail-on-incidents and incidents.
func subaccountsExit(run *subaccountRun, failOnIncidents bool) error {
	var failed, incomplete []string
	incidents := 0
	for _, r := range run.Accounts {
		switch r.Status {
		case outcomeFailed:
			failed = append(failed, r.AccountSID)
		case outcomeIncomplete:
			incomplete = append(incomplete, r.AccountSID)
		}
		incidents += r.numbers.incidents
	}
	if len(failed)+len(incomplete) > 0 {
		return &exitError{code: exitIncomplete, err: fmt.Errorf("%d subaccounts failed and %d are incomplete (see %s)", len(failed), len(incomplete), run.IndexCSV)}
	}
	if failOnIncidents && incidents > 0 {
		return &exitError{code: exitIncidents, err: fmt.Errorf("%d webhook failures across the subaccounts (--fail-on-incidents): see %s", incidents, run.IndexCSV)}
	}
	return nil
}

// printSubaccountRun prints the paths written (bundles, then the index) or,
// with asJSON, the run as JSON.
func printSubaccountRun(run *subaccountRun, asJSON bool, s streams) error {
	if asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(run); err != nil {
			return envErr(fmt.Errorf("write the JSON summary: %w", err))
		}
		return nil
	}
	for _, r := range run.Accounts {
		if r.Summary != nil {
			fmt.Fprintln(s.out, r.Summary.Path)
		}
	}
	fmt.Fprintln(s.out, run.IndexCSV)
	if run.IndexPDF != "" {
		fmt.Fprintln(s.out, run.IndexPDF)
	}
	return nil
}

// runBundleSubaccounts is `bundle --all-subaccounts`.
func runBundleSubaccounts(ctx context.Context, o bundleOptions, s streams) error {
	run, err := runSubaccounts(ctx, o, s, func(ctx context.Context, o bundleOptions, s streams) (*runSummary, error) {
		var res bundleResult
		o.result = &res
		err := runBundle(ctx, o, s)
		if res.Path == "" {
			return nil, err
		}
		return summarize(&res, "", s), err
	})
	if run == nil {
		return err
	}
	if perr := printSubaccountRun(run, o.asJSON, s); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	return subaccountsExit(run, false)
}

// runReportSubaccounts is `report --all-subaccounts`: each subaccount gets
// its own trend baseline and --keep.
func runReportSubaccounts(ctx context.Context, o reportOptions, s streams) error {
	run, err := runSubaccounts(ctx, o.bundle, s, func(ctx context.Context, bo bundleOptions, s streams) (*runSummary, error) {
		sum, err := reportOne(ctx, o, bo, s)
		if sum != nil {
			sum.ExitCode = exitOK
			if err != nil {
				sum.ExitCode = exitIncomplete
			} else if o.failOnIncidents && sum.Incidents > 0 {
				sum.ExitCode = exitIncidents
			}
		}
		return sum, err
	})
	if run == nil {
		return err
	}
	if perr := printSubaccountRun(run, o.json, s); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	return subaccountsExit(run, o.failOnIncidents)
}
