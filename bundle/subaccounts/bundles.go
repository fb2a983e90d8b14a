package subaccounts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// BundlesOptions say how to make a bundle, or a weekly report, for every
// subaccount of the parent account the credentials name.
type BundlesOptions struct {
	// Bundle are the options every subaccount's bundle is made with,
	// prepared (pipeline.Prepare, or weekly.Prepare for a report); the run
	// sets the account, the progress and the secrets learned for each.
	Bundle pipeline.Options
	// Report makes each bundle a weekly report (weekly.One) that keeps
	// Keep bundles of its subaccount; the caller holds the lock of the
	// output directory. FailOnIncidents makes incidents an error.
	Report          bool
	Keep            int
	FailOnIncidents bool
	// StartProgress starts the display of the run's progress after the
	// checks, and returns it with the function that closes it; nil shows
	// none.
	StartProgress func() (collect.Progress, func())
	// Notes is told how each subaccount's run went, for its warnings; nil
	// is told nothing.
	Notes func(weekly.Result)
}

// Bundles checks the options and the parent's credentials, makes every
// subaccount's bundle (Run) and returns the ranked index. Its errors are
// classed with collect/runerr: options that cannot work are Usage, the
// parent's credentials or an index that cannot be written Pointless; a
// subaccount that failed or is incomplete makes the run Incomplete, and
// with FailOnIncidents incidents make it Incidents. The result is nil when
// no index was written.
func Bundles(ctx context.Context, o BundlesOptions) (*Result, error) {
	b := o.Bundle
	if b.Demo {
		return nil, runerr.Usagef("--all-subaccounts needs the credentials of a parent account: the demo has no subaccounts")
	}
	if b.AccountSID != "" {
		return nil, runerr.Usagef("--all-subaccounts runs every subaccount: leave out --account-sid")
	}
	// Every subaccount gets the same window, whenever its turn comes.
	fixed, win, err := b.Window.Fixed(weekly.DefaultSince, time.Now())
	if err != nil {
		return nil, err
	}
	b.Window = fixed
	if err := pipeline.CheckOutputDir(b.Output); err != nil {
		return nil, err
	}
	parentAPI, err := b.ParentAPI()
	if err != nil {
		return nil, err
	}
	if err := b.CheckAPI(ctx, parentAPI); err != nil {
		return nil, err
	}
	// Each subaccount is checked on its own (Run).
	b.APIChecked = true
	progress, closeProgress := collect.Progress(collect.NoProgress{}), func() {}
	if o.StartProgress != nil {
		progress, closeProgress = o.StartProgress()
	}
	defer closeProgress()
	src := pipeline.Source{AuthTokenFile: b.AuthTokenFile, Getenv: b.Getenv}
	run, err := Run(ctx, Options{
		Parent: parentAPI, Window: win, Output: b.Output, Concurrency: b.Concurrency,
		Progress: progress, Tool: b.Tool, Partials: b.Partials, Credentials: src.Credentials,
		// The list carries every account's auth token: none may be
		// printed, and every subaccount's bundle removes the parent's (a
		// run with an API key knows it from here only); each run learns
		// its own from its account.
		Tokens: func(tokens map[string]string) {
			if b.Streams != nil {
				b.Streams.AddSecrets(sortedValues(tokens), nil)
			}
			if t := tokens[parentAPI.Credentials.AccountSID]; t != "" {
				b.Learned = append(b.Learned, t)
			}
		},
		Refuse: func(sub collect.Account) error { return b.RefuseExisting(sub.SID, win) },
		Run: func(ctx context.Context, sub collect.Account, p collect.Progress) (*Bundle, error) {
			return o.one(ctx, b, sub, p)
		},
	})
	closeProgress()
	var none *NoSubaccountsError
	switch {
	case errors.As(err, &none):
		return nil, runerr.Usagef("%v: run without --all-subaccounts", err)
	case err != nil:
		return run, runerr.Env(err)
	}
	return run, run.outcome(o.FailOnIncidents)
}

// one makes the bundle of subaccount sub with the options b, its progress
// shown on p; nil when no bundle was written.
func (o BundlesOptions) one(ctx context.Context, b pipeline.Options, sub collect.Account, p collect.Progress) (*Bundle, error) {
	b.AccountSID = sub.SID
	b.StartProgress = func() (collect.Progress, func()) { return p, func() {} }
	var res weekly.Result
	var err error
	if o.Report {
		res, err = weekly.One(ctx, weekly.Options{Bundle: b, Keep: o.Keep})
	} else if res.Run, err = pipeline.Run(ctx, b); res.Run.Path != "" {
		res.Summary = weekly.Summarize(res.Run, "")
	}
	if o.Notes != nil {
		o.Notes(res)
	}
	sum := res.Summary
	if sum == nil {
		return nil, err
	}
	if o.Report {
		_ = sum.Conclude(err, o.FailOnIncidents) // the exit code in the index
	}
	return &Bundle{
		Path: sum.Path, Incidents: sum.Incidents, Traffic: sum.Traffic, ErrorRate: sum.ErrorRate, Verdict: sum.Verdict,
		Incomplete: sum.Incomplete || runerr.KindOf(err) == runerr.Incomplete, Reason: failures(sum), Summary: sum,
	}, nil
}

// outcome is the error a run that wrote its index ends with: Incomplete
// when a subaccount failed or is incomplete, else Incidents with
// failOnIncidents and incidents, else nil.
func (r *Result) outcome(failOnIncidents bool) error {
	counts, incidents := r.Counts()
	if failed, incomplete := counts[Failed], counts[Incomplete]; failed+incomplete > 0 {
		return runerr.Incompletef("%d subaccounts failed and %d are incomplete (see %s)", failed, incomplete, r.IndexCSV)
	}
	if failOnIncidents && incidents > 0 {
		return runerr.New(runerr.Incidents, fmt.Errorf("%d webhook failures across the subaccounts (--fail-on-incidents): see %s", incidents, r.IndexCSV))
	}
	return nil
}

// failures are the short lines of the collectors of evidence that failed
// or timed out, joined: why a subaccount's bundle is incomplete.
func failures(sum *weekly.Summary) string {
	var parts []string
	for _, c := range sum.Collectors {
		if (c.State == collect.StateError || c.State == collect.StateTimeout) && !c.Context {
			parts = append(parts, c.Failure)
		}
	}
	return strings.Join(parts, "; ")
}

// sortedValues are the values of m, sorted.
func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
