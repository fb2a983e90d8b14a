// Package weekly runs the weekly report: one bundle of an account's last
// week (or of the window given) into a directory that keeps the reports,
// under a lock so that two runs never write there at once, with the
// account's previous bundle in that directory as the trend baseline, and
// the account's older bundles pruned down to the newest Keep. Summary is
// the run in figures: report --json, the line in the cron mail and the
// subaccount index read it.
package weekly

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/collect/runlock"
)

// LockFile is the lock a report holds in its output directory.
const LockFile = ".twilio-evidence.lock"

// DefaultSince is the window of a report given no window: the last 7 days.
const DefaultSince = "7d"

// Options say which report to make.
type Options struct {
	// Bundle are the options of the bundle run. A report replaces the
	// bundle of its own window (Force is set).
	Bundle pipeline.Options
	// Week is "last" for the last full week, Monday 00:00 to Monday 00:00
	// in the window's zone; "" for Bundle.Window (DefaultSince when empty).
	Week string
	// Keep is how many of the account's newest bundles stay in the output
	// directory; older ones are deleted. 0 keeps all.
	Keep int

	prepared bool
}

// Result is what a report wrote.
type Result struct {
	// Run is the bundle run's result (its Path is "" when no bundle was
	// written).
	Run pipeline.Result
	// Summary is the run in figures; nil when no bundle was written.
	Summary *Summary
	// LockTakenOver says whose stale lock the run took over; "" when the
	// lock was free.
	LockTakenOver string
	// PruneErr says which older bundles could not be deleted.
	PruneErr error
}

// Run makes one account's report: it checks the options, takes the lock
// of the output directory and runs One.
func Run(ctx context.Context, o Options) (Result, error) {
	o, err := Prepare(o)
	if err != nil {
		return Result{}, err
	}
	release, stale, err := Lock(o.Bundle.Output)
	if err != nil {
		return Result{}, err
	}
	defer release()
	res, err := One(ctx, o)
	res.LockTakenOver = stale
	return res, err
}

// Prepare checks the options before anything runs and fixes the window:
// Week, or the window given (DefaultSince from now when none), as From and
// To, so that the runs of all subaccounts, the bundles' names and the
// search for the previous bundle agree on it. The output directory must
// be writable.
func Prepare(o Options) (Options, error) {
	if o.prepared {
		return o, nil
	}
	if o.Keep < 0 {
		return o, runerr.Usagef("--keep %d: give the number of bundles to keep, or 0 to keep all", o.Keep)
	}
	o.Bundle.Force = true
	b, err := pipeline.Prepare(o.Bundle)
	if err != nil {
		return o, err
	}
	o.Bundle = b
	if err := o.fixWindow(time.Now()); err != nil {
		return o, err
	}
	if err := pipeline.CheckOutputDir(o.Bundle.Output); err != nil {
		return o, err
	}
	o.prepared = true
	return o, nil
}

// fixWindow sets the bundle's window to From and To: the last week, or
// the window given.
func (o *Options) fixWindow(now time.Time) error {
	w := &o.Bundle.Window
	if o.Week != "" {
		if !w.Empty() {
			return runerr.Usagef("--week cannot be combined with --since or --from/--to")
		}
		if o.Week != "last" {
			return runerr.Usagef("--week %q: the only week known is 'last' (Monday 00:00 to Monday 00:00 in --tz)", o.Week)
		}
		loc, err := collect.LoadLocation(w.TZ)
		if err != nil {
			return runerr.Usagef("%v", err)
		}
		from, to := LastWeek(now, loc)
		w.From, w.To = from.Format(time.RFC3339), to.Format(time.RFC3339)
		return nil
	}
	fixed, _, err := w.Fixed(DefaultSince, now)
	*w = fixed
	return err
}

// LastWeek is the last full week before now: Monday 00:00 to Monday 00:00
// in loc.
func LastWeek(now time.Time, loc *time.Location) (time.Time, time.Time) {
	t := now.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	monday := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
	return time.Date(monday.Year(), monday.Month(), monday.Day()-7, 0, 0, 0, 0, loc), monday
}

// Lock takes the lock of the output directory dir. Another run holding it
// makes this one pointless; a lock left by a run that is gone is taken
// over, and stale says whose it was. release lets the lock go.
func Lock(dir string) (release func(), stale string, err error) {
	lock, owner, err := runlock.Acquire(filepath.Join(dir, LockFile))
	if errors.Is(err, runlock.ErrHeld) {
		return nil, "", runerr.Env(fmt.Errorf("another run is writing into --output: %v; wait for it to finish, or check the timer does not start runs closer together than they take", err))
	}
	if err != nil {
		return nil, "", runerr.Env(err)
	}
	if owner != nil {
		why := "it is no longer running"
		if runlock.Alive(owner.PID) {
			why = "it no longer held the lock (the number now belongs to another process)"
		}
		stale = fmt.Sprintf("took over the lock %s left by %s: %s", lock.Path(), owner, why)
	}
	return func() { lock.Release() }, stale, nil
}

// One runs the bundle of one account with the account's previous bundle
// in the output directory as the trend baseline, then deletes the bundles
// beyond Keep. It takes no lock: Run, or the subaccount run, holds it. o
// must have been prepared.
func One(ctx context.Context, o Options) (Result, error) {
	b := o.Bundle
	dir := b.Output
	account := b.ExpectedAccount()
	win, err := b.Window.Resolve(DefaultSince, time.Now())
	if err != nil {
		return Result{}, err
	}
	prev := ""
	if account != "" {
		prev = PreviousBundle(dir, account, win)
		b.Previous = prev
	}
	var res Result
	res.Run, err = pipeline.Run(ctx, b)
	if res.Run.Path == "" {
		return res, err
	}
	res.Summary = Summarize(res.Run, prev)
	if o.Keep > 0 {
		deleted, derr := Prune(dir, res.Run.Evidence.Account.SID, o.Keep, res.Run.Path)
		res.Summary.Deleted = deleted
		if derr != nil {
			res.PruneErr = fmt.Errorf("--keep %d: %w", o.Keep, derr)
		}
	}
	return res, err
}
