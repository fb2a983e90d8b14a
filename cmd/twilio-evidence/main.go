// Command twilio-evidence gathers the evidence Twilio support asks for when
// webhooks fail (errors 11200, 11205, 11217 … — the "502" of the console),
// works through Twilio's isolation procedure on it, and writes one zip with
// a PDF summary to attach to a support ticket.
//
// The command only parses flags, builds the collectors, runs them and picks
// the exit code; the work is done in the collect and bundle packages.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	_ "time/tzdata" // --tz works on machines without a zone database

	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Exit codes (DESIGN.md §4).
const (
	exitOK         = 0
	exitIncidents  = 1
	exitUsage      = 2
	exitIncomplete = 3
	exitEnv        = 4
)

// exitInterrupted is the exit code of a command stopped by Ctrl-C before it
// wrote anything (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// exitCodeOf is the exit code of an error a command ended with: the one
// place where the libraries' classes of errors (collect/runerr) become exit
// codes. An error no library classed is a usage error.
func exitCodeOf(err error) int {
	switch runerr.KindOf(err) {
	case runerr.Pointless:
		return exitEnv
	case runerr.Incomplete:
		return exitIncomplete
	case runerr.Incidents:
		return exitIncidents
	case runerr.Interrupted:
		return exitInterrupted
	}
	return exitUsage
}

func usageErr(format string, args ...any) error { return runerr.Usagef(format, args...) }

func envErr(err error) error { return runerr.Env(err) }

// streams are the process's standard streams.
type streams struct {
	out, err io.Writer
	getenv   func(string) string
	// redactor redacts out and err (redact.go); nil when they are not
	// redacted (tests of a single function).
	redactor *redact.Redactor
}

const mainUsage = `twilio-evidence — evidence for Twilio webhook failures (11200, 11205, 11217 …)

Usage:
  twilio-evidence bundle   [--since 24h | --from T --to T] [--output DIR]   write the support bundle (zip + PDF)
  twilio-evidence report   --output DIR [--since 7d | --week last] [--keep N] [--json]
                                                    the weekly report, for cron and systemd timers
  twilio-evidence probe    URL… [--count N] [--resolve HOST:PORT:ADDR] [--json]
                                                    steps 2 and 3: is the webhook URL reachable, always?
  twilio-evidence trace    --hop NAME=PATH… [--log NAME=PATH…] [--since 24h]
                                                    how far each failed request got through your logs
  twilio-evidence flow     [--lang en|ja] [--demo]   print the flow description, pre-filled from the configuration
  twilio-evidence redact   IN.zip -o OUT.zip [--mask-phone-numbers]   redact a bundle made earlier again
  twilio-evidence doctor   [--output DIR] [--lang ja]   check credentials, network, proxy, CA bundle, font, clock
  twilio-evidence version                            print the version, commit and build date

The three ways it is used:
  # a ticket: the last 24 hours in one zip to attach as it is
  twilio-evidence bundle --since 24h --output ~/tickets
  # every week from cron: dated bundles, week-over-week trend, exit codes
  0 6 * * 1  twilio-evidence report --week last --output /var/lib/twilio-evidence --keep 8 --quiet
  # before contacting support: is it your side? (no credentials to share: use saved alerts)
  twilio-evidence bundle --alerts-file alerts.json

Run 'twilio-evidence COMMAND --help' for the flags and examples of a command,
or 'twilio-evidence bundle --demo' to see a bundle without an account.
When a first run fails, 'twilio-evidence doctor' says which step does not work.

Credentials come from the environment: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN,
or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID (never from flags).
Progress goes to stderr (bars on a terminal, plain lines otherwise; --quiet for none).
` + exitCodesHelp

func main() {
	os.Exit(run(os.Args[1:], streams{out: os.Stdout, err: os.Stderr, getenv: os.Getenv}))
}

// run executes one command line and returns the exit code.
func run(args []string, s streams) int {
	s, flushStreams := redactStreams(s) // redact.go: no secret on stdout or stderr
	defer flushStreams()
	if len(args) == 0 {
		fmt.Fprint(s.err, mainUsage)
		return exitUsage
	}
	err := dispatch(args, s)
	if err == nil {
		return exitOK
	}
	code := exitCodeOf(err)
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(s.err, "twilio-evidence: "+strings.TrimSpace(msg))
	}
	return code
}

// dispatch runs the command args[0] with the rest of args.
func dispatch(args []string, s streams) error {
	switch args[0] {
	case "bundle":
		return runBundleCmd(args[1:], s)
	case "flow":
		return runFlowCmd(args[1:], s)
	case "report":
		return runReportCmd(args[1:], s)
	case "probe":
		return runProbeCmd(args[1:], s)
	case "redact":
		return runRedactCmd(args[1:], s)
	case "trace":
		return runTraceCmd(args[1:], s)
	case "doctor":
		return runDoctorCmd(args[1:], s)
	case "version":
		return runVersionCmd(args[1:], s)
	case "--version", "-v":
		fmt.Fprintln(s.out, versionString())
		return nil
	case "help", "--help", "-h":
		return runHelp(args[1:], s)
	default:
		return unknownCommand(args[0])
	}
}
