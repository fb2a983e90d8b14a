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
	"runtime/debug"
	"strings"
	_ "time/tzdata" // --tz works on machines without a zone database

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Exit codes (collect/runerr; docs/ARCHITECTURE.md, "Exit codes").
const (
	exitOK         = runerr.ExitOK
	exitIncidents  = runerr.ExitIncidents
	exitUsage      = runerr.ExitUsage
	exitIncomplete = runerr.ExitIncomplete
	exitEnv        = runerr.ExitPointless
	// exitInterrupted ends a command stopped by a second Ctrl-C.
	exitInterrupted = runerr.ExitInterrupted
)

func usageErr(format string, args ...any) error { return runerr.Usagef(format, args...) }

func envErr(err error) error { return runerr.Env(err) }

// streams are the process's standard streams.
type streams struct {
	out, err io.Writer
	getenv   func(string) string
	// redactor redacts out and err (redact.go); nil when they are not
	// redacted (tests of a single function).
	redactor *pipeline.OutputRedactor
}

// softMemoryLimit is the heap size past which the garbage collector works
// harder instead of letting the heap double: a bundle's live data is far
// smaller, and the default target (twice the live heap after each
// collection) lets the decoded pages of alerts pile up as garbage.
// GOMEMLIMIT, when set, decides instead.
const softMemoryLimit = 40 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
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
	code := runerr.ExitCode(err)
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
