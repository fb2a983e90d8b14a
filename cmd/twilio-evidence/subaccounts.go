package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/subaccounts"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// oneAccount runs the pipeline for one subaccount (o.accountSID set) and
// returns its summary, nil when no bundle was written.
type oneAccount func(ctx context.Context, o bundleOptions, s streams) (*weekly.Summary, error)

// runSubaccounts checks the flags and the parent's credentials, then runs
// one bundle for each subaccount through subaccounts.Run.
func runSubaccounts(ctx context.Context, o bundleOptions, s streams, one oneAccount) (*subaccounts.Result, error) {
	if o.Demo {
		return nil, usageErr("--all-subaccounts needs the credentials of a parent account: the demo has no subaccounts")
	}
	if o.AccountSID != "" {
		return nil, usageErr("--all-subaccounts runs every subaccount: leave out --account-sid")
	}
	// Every subaccount gets the same window, whenever its turn comes.
	fixed, win, err := o.Window.Fixed(reportDefaultSince, time.Now())
	if err != nil {
		return nil, err
	}
	o.Window = fixed
	if err := pipeline.CheckOutputDir(o.Output); err != nil {
		return nil, err
	}
	parentAPI, err := o.ParentAPI()
	if err != nil {
		return nil, err
	}
	creds := parentAPI.Credentials
	if err := o.CheckAPI(ctx, parentAPI); err != nil {
		return nil, err
	}
	// Each subaccount is checked on its own (subaccounts.Run).
	o.APIChecked = true
	shown := newProgress(s, o.quiet)
	progress, closeProgress := collect.Progress(shown), shown.Close
	defer closeProgress()
	quiet := s
	quiet.out = io.Discard
	run, err := subaccounts.Run(ctx, subaccounts.Options{
		Parent: parentAPI, Window: win, Output: o.Output, Concurrency: o.Concurrency,
		Progress: progress, Tool: toolInfo(), Partials: partials,
		Credentials: func(sid string) (collect.Credentials, error) {
			return collect.CredentialsFromEnv(s.getenv, o.AuthTokenFile, sid)
		},
		// The list carries every account's auth token: none may be
		// printed, and every subaccount's bundle removes the parent's (a
		// run with an API key knows it from here only); each run learns
		// its own from its account.
		Tokens: func(tokens map[string]string) {
			if s.redactor != nil {
				s.redactor.AddSecrets(mapValues(tokens), nil)
			}
			if t := tokens[creds.AccountSID]; t != "" {
				o.Learned = append(o.Learned, t)
			}
		},
		Refuse: func(sub collect.Account) error {
			return o.RefuseExisting(sub.SID, win)
		},
		Run: func(ctx context.Context, sub collect.Account, p collect.Progress) (*subaccounts.Bundle, error) {
			ao := o
			ao.AccountSID = sub.SID
			ao.StartProgress = func() (collect.Progress, func()) { return p, func() {} }
			sum, err := one(ctx, ao, quiet)
			if sum == nil {
				return nil, err
			}
			incomplete := sum.Incomplete || runerr.KindOf(err) == runerr.Incomplete
			return &subaccounts.Bundle{
				Path: sum.Path, Incidents: sum.Incidents, Traffic: sum.Traffic, ErrorRate: sum.ErrorRate,
				Verdict: sum.Verdict, Incomplete: incomplete, Reason: incompleteReasons(sum), Summary: sum,
			}, nil
		},
	})
	closeProgress()
	var none *subaccounts.NoSubaccountsError
	switch {
	case errors.As(err, &none):
		return nil, usageErr("%v: run without --all-subaccounts", err)
	case err != nil:
		return run, envErr(err)
	case run.PDFError != nil:
		fmt.Fprintf(s.err, "twilio-evidence: warning: %v (the CSV index is written)\n", run.PDFError)
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

func incompleteReasons(sum *weekly.Summary) string {
	var parts []string
	for _, c := range sum.Collectors {
		if (c.State == collect.StateError || c.State == collect.StateTimeout) && !c.Context {
			parts = append(parts, c.Failure)
		}
	}
	return strings.Join(parts, "; ")
}

// subaccountsExit is the exit of a many-account run: 3 when a subaccount
// failed or is incomplete, else 1 with --fail-on-incidents and incidents.
func subaccountsExit(run *subaccounts.Result, failOnIncidents bool) error {
	counts, incidents := run.Counts()
	if failed, incomplete := counts[subaccounts.Failed], counts[subaccounts.Incomplete]; failed+incomplete > 0 {
		return runerr.Incompletef("%d subaccounts failed and %d are incomplete (see %s)", failed, incomplete, run.IndexCSV)
	}
	if failOnIncidents && incidents > 0 {
		return runerr.New(runerr.Incidents, fmt.Errorf("%d webhook failures across the subaccounts (--fail-on-incidents): see %s", incidents, run.IndexCSV))
	}
	return nil
}

// printSubaccountRun prints the paths written (bundles, then the index) or,
// with asJSON, the run as JSON.
func printSubaccountRun(run *subaccounts.Result, asJSON bool, s streams) error {
	if asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(run); err != nil {
			return envErr(fmt.Errorf("write the JSON summary: %w", err))
		}
		return nil
	}
	for _, r := range run.Accounts {
		if r.Path != "" {
			fmt.Fprintln(s.out, r.Path)
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
	run, err := runSubaccounts(ctx, o, s, func(ctx context.Context, o bundleOptions, s streams) (*weekly.Summary, error) {
		res, err := pipeline.Run(ctx, o.Options)
		printNotes(res, s)
		if res.Path == "" {
			return nil, err
		}
		return weekly.Summarize(res, ""), err
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
	run, err := runSubaccounts(ctx, o.bundle, s, func(ctx context.Context, bo bundleOptions, s streams) (*weekly.Summary, error) {
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
