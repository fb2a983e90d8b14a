package collect

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DeadlineError is a named deadline that passed: the run's (--timeout), a
// collector's (--collector-timeout) or one request attempt's
// (--request-timeout). It matches context.DeadlineExceeded, so a collector
// that ran out of time is recorded as timed out, with the deadline's name.
type DeadlineError struct {
	// Name says which deadline it is, with its flag and value, e.g.
	// "the collector's deadline (--collector-timeout 5m0s)".
	Name string
	// After is how long the deadline was (0 when not known).
	After time.Duration
}

func (e *DeadlineError) Error() string { return e.Name + " passed" }

// Is makes a DeadlineError match context.DeadlineExceeded.
func (e *DeadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// Names of the deadlines, for WithTimeout.
func runDeadlineName(d time.Duration) string {
	return fmt.Sprintf("the run's deadline (--timeout %s)", d)
}

func collectorDeadlineName(d time.Duration) string {
	return fmt.Sprintf("the collector's deadline (--collector-timeout %s)", d)
}

func requestDeadlineName(d time.Duration) string {
	return fmt.Sprintf("the per-request deadline (--request-timeout %s)", d)
}

// WithRunTimeout bounds ctx by the run's deadline (--timeout d): collectors
// that run out of it say so by name.
func WithRunTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return withNamedTimeout(ctx, d, runDeadlineName(d))
}

// namedDeadline is one deadline of a context with its name.
type namedDeadline struct {
	at  time.Time
	err *DeadlineError
}

type deadlinesKey struct{}

// withNamedTimeout bounds ctx by d from now; when the deadline passes,
// context.Cause(ctx) is a *DeadlineError with name, and nearestDeadline
// finds the name before it passes.
func withNamedTimeout(ctx context.Context, d time.Duration, name string) (context.Context, context.CancelFunc) {
	de := &DeadlineError{Name: name, After: d}
	at := time.Now().Add(d)
	parent, _ := ctx.Value(deadlinesKey{}).([]namedDeadline)
	list := append(append([]namedDeadline(nil), parent...), namedDeadline{at: at, err: de})
	ctx, cancel := context.WithDeadlineCause(ctx, at, de)
	return context.WithValue(ctx, deadlinesKey{}, list), cancel
}

// nearestDeadline returns the deadline of ctx that comes first and its
// name; ok is false when ctx has no deadline. A deadline set without a name
// is called "a deadline".
func nearestDeadline(ctx context.Context) (at time.Time, de *DeadlineError, ok bool) {
	at, ok = ctx.Deadline()
	if !ok {
		return at, nil, false
	}
	list, _ := ctx.Value(deadlinesKey{}).([]namedDeadline)
	var best *namedDeadline
	for i := range list {
		if best == nil || list[i].at.Before(best.at) {
			best = &list[i]
		}
	}
	// ctx.Deadline is the effective one: the earliest named one, unless a
	// deadline without a name comes first.
	if best != nil && best.at.Equal(at) {
		return at, best.err, true
	}
	return at, &DeadlineError{Name: "a deadline"}, true
}

// ctxError is why ctx is done: the named deadline that passed, or the
// cancellation.
func ctxError(ctx context.Context) error {
	if c := context.Cause(ctx); c != nil {
		return c
	}
	return ctx.Err()
}

// deadlineIn returns the deadline that ran out for a collector: the one
// that ended cctx, else one err names. A deadline without a name that ended
// the run's ctx is the run's.
func deadlineIn(ctx, cctx context.Context, err error) (*DeadlineError, bool) {
	var de *DeadlineError
	switch {
	case errors.Is(cctx.Err(), context.DeadlineExceeded) && errors.As(context.Cause(cctx), &de):
		return de, true
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &DeadlineError{Name: "the run's deadline"}, true
	case errors.As(err, &de):
		return de, true
	case errors.Is(cctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return &DeadlineError{Name: "a deadline"}, true
	}
	return nil, false
}
