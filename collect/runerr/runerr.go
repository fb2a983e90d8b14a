// Package runerr classes the errors a run ends with by what they mean for
// the person who started it: bad input (fix the command line), a run that
// cannot work here (rejected credentials, no network: nothing is written),
// an incomplete result (something was written, but not all of it), the
// failures the user asked to be told about, and an interruption. The
// libraries return these; the command maps each class to its exit code in
// one place.
package runerr

import (
	"errors"
	"fmt"
)

// Kind is the class of a run's error.
type Kind int

// The classes of errors. The zero Kind is an error no library classed.
const (
	Unclassed Kind = iota
	// Usage is bad input: a flag, a file or a combination that cannot
	// work. The message says what and where.
	Usage
	// Pointless is a run that cannot work on this machine or with these
	// credentials; it wrote nothing.
	Pointless
	// Incomplete is a result that was written but lacks part of what it
	// should hold.
	Incomplete
	// Incidents is a complete result that holds the failures the user asked
	// to be told about (--fail-on-incidents, a probe whose attempts fail).
	Incidents
	// Interrupted is a run stopped by the user before it wrote anything.
	Interrupted
)

// Error is an error of a known class.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New classes err as kind; nil stays nil.
func New(kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err}
}

// Usagef is a usage error with a formatted message.
func Usagef(format string, args ...any) error {
	return &Error{Kind: Usage, Err: fmt.Errorf(format, args...)}
}

// Env is a run that cannot work here, for the reason err.
func Env(err error) error { return New(Pointless, err) }

// Incompletef is an incomplete result with a formatted message.
func Incompletef(format string, args ...any) error {
	return &Error{Kind: Incomplete, Err: fmt.Errorf(format, args...)}
}

// KindOf is the class of err: Unclassed for nil and for errors no library
// classed.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unclassed
}

// The exit codes of the command line, one for each class of error.
const (
	ExitOK          = 0
	ExitIncidents   = 1
	ExitUsage       = 2
	ExitIncomplete  = 3
	ExitPointless   = 4
	ExitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// ExitCode is the exit code of a run that ended with err: ExitOK for nil,
// ExitUsage for an error no library classed.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	switch KindOf(err) {
	case Pointless:
		return ExitPointless
	case Incomplete:
		return ExitIncomplete
	case Incidents:
		return ExitIncidents
	case Interrupted:
		return ExitInterrupted
	}
	return ExitUsage
}
