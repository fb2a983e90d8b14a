// Command twilio-evidence gathers the evidence Twilio support asks for when
// webhooks fail (errors 11200, 11205, 11217 … — the "502" of the console),
// works through Twilio's isolation procedure on it, and writes one zip with
// a PDF summary to attach to a support ticket.
//
// The command only parses flags, builds the collectors, runs them and picks
// the exit code; the work is done in the collect and bundle packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	_ "time/tzdata" // --tz works on machines without a zone database
)

// Exit codes (DESIGN.md §4).
const (
	exitOK         = 0
	exitIncidents  = 1
	exitUsage      = 2
	exitIncomplete = 3
	exitEnv        = 4
)

// exitError carries the exit code an error should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

func envErr(err error) error { return &exitError{exitEnv, err} }

// streams are the process's standard streams.
type streams struct {
	out, err io.Writer
	getenv   func(string) string
}

const mainUsage = `twilio-evidence — evidence for Twilio webhook failures (11200, 11205, 11217 …)

Usage:
  twilio-evidence bundle   [--since 24h | --from T --to T] [--output DIR] [--demo]   write the support bundle
  twilio-evidence version                                                       print the version

Run 'twilio-evidence COMMAND --help' for the flags of a command.

Credentials come from the environment: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN,
or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID.

Exit codes:
  0  done, no incidents
  1  done, incidents found (report --fail-on-incidents only)
  2  usage or input error
  3  done, but incomplete: a collector failed (the bundle says which)
  4  could not run: no credentials, output not writable
`

func main() {
	os.Exit(run(os.Args[1:], streams{out: os.Stdout, err: os.Stderr, getenv: os.Getenv}))
}

// run executes one command line and returns the exit code.
func run(args []string, s streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.err, mainUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "bundle":
		err = runBundleCmd(args[1:], s)
	case "version", "--version", "-v":
		fmt.Fprintln(s.out, versionString())
	case "help", "--help", "-h":
		fmt.Fprint(s.out, mainUsage)
	default:
		err = usageErr("unknown command %q (commands: bundle, version)", args[0])
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	code := exitUsage
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(s.err, "twilio-evidence: "+strings.TrimSpace(msg))
	}
	return code
}
