package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

// mainUsage is the top-level help: the commands and the exit codes.
var mainUsage = templates.Help("main") + templates.Help("exit-codes")

// parseFlags parses the flags of a command that takes no arguments (see
// parseArgs).
func parseFlags(cmd string, fs *pflag.FlagSet, args []string, s streams) (done bool, err error) {
	if done, err = parseArgs(cmd, fs, args, s); done || err != nil {
		return done, err
	}
	if fs.NArg() > 0 {
		return false, usageErr("%s: unexpected argument %q: flags start with -- (see twilio-evidence %s --help)", cmd, fs.Arg(0), cmd)
	}
	return false, nil
}

// parseArgs parses a command's flags. --help prints the command's help
// on stdout (done is true: the command has nothing more to do). A bad flag
// gives one line that says what to do: the closest flag for a misspelt
// one, the right command for another command's flag.
func parseArgs(cmd string, fs *pflag.FlagSet, args []string, s streams) (done bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err = fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		printHelp(cmd, fs, s.out)
		return true, nil
	}
	if err != nil {
		return false, usageErr("%s: %s (see twilio-evidence %s --help)", cmd, explainFlagError(cmd, err, fs), cmd)
	}
	return false, checkDurations(cmd, fs)
}

// checkDurations refuses a negative value of any duration flag of fs (a
// deadline, an interval, a window): a usage error naming the flag.
func checkDurations(cmd string, fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() != "duration" {
			return
		}
		if d, perr := time.ParseDuration(f.Value.String()); perr == nil && d < 0 {
			hint := "such as " + f.DefValue + " (the default)"
			if f.DefValue == "0s" {
				hint = "such as 30m, or 0 for none"
			}
			err = usageErr("%s: --%s %s: a duration cannot be negative: give one %s", cmd, f.Name, f.Value, hint)
		}
	})
	return err
}

// printHelp writes a command's help (templates/help): what it does,
// examples, flags, exit codes.
func printHelp(cmd string, fs *pflag.FlagSet, w io.Writer) {
	fmt.Fprint(w, templates.Help(cmd))
	if flags := flagUsages(fs); flags != "" {
		fmt.Fprint(w, "\nFlags:\n"+flags)
	}
	fmt.Fprint(w, templates.Help(cmd+".exit"))
}

// flagUsages lists the visible flags of fs (templates.FlagList): a
// boolean flag reads --demo (pflag's own listing writes
// --demo[=true|false]); a default shows when it is not the zero value.
func flagUsages(fs *pflag.FlagSet) string {
	var rows []templates.FlagRow
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "      --" + f.Name
		if f.Shorthand != "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			name += " " + strings.TrimSuffix(varname, "Array")
		}
		if def := shownDefault(f); def != "" {
			usage += " (default " + def + ")"
		}
		rows = append(rows, templates.FlagRow{Name: name, Usage: usage})
	})
	return templates.FlagList(rows, helpWidth)
}

// helpWidth is the width flag descriptions are wrapped to.
const helpWidth = 100

// shownDefault is how a flag's default reads in the help, "" when it is
// the zero value of its type (false, 0, "" or none).
func shownDefault(f *pflag.Flag) string {
	switch d := f.DefValue; {
	case d == "" || d == "[]" || d == "false" || d == "0" || d == "0s":
		return ""
	case f.Value.Type() == "string":
		return fmt.Sprintf("%q", d)
	default:
		return d
	}
}

var (
	unknownLong  = regexp.MustCompile(`^unknown flag: --(\S+)$`)
	unknownShort = regexp.MustCompile(`^unknown shorthand flag: '(.)' in (\S+)$`)
)

// otherCommands builds the flags of the commands a mistaken flag may
// belong to.
var otherCommands = map[string]func() *pflag.FlagSet{
	"bundle": func() *pflag.FlagSet { return newBundleFlags(&bundleOptions{}) },
	"report": func() *pflag.FlagSet { return newReportFlags(&reportOptions{}) },
	"probe":  func() *pflag.FlagSet { return newProbeFlags(&probeOptions{}) },
	"trace":  func() *pflag.FlagSet { return newTraceFlags(&traceOptions{}) },
	"redact": func() *pflag.FlagSet { return newRedactFlags(&redactCmdOptions{}) },
}

// explainFlagError rewrites pflag's message into one that says what to do.
func explainFlagError(cmd string, err error, fs *pflag.FlagSet) string {
	msg := err.Error()
	if m := unknownLong.FindStringSubmatch(msg); m != nil {
		name, _, _ := strings.Cut(m[1], "=")
		if s := closestFlag(name, fs); s != "" {
			return fmt.Sprintf("unknown flag --%s; did you mean --%s?", name, s)
		}
		var owners []string
		for other, mk := range otherCommands {
			if f := mk().Lookup(name); other != cmd && f != nil && !f.Hidden {
				owners = append(owners, other)
			}
		}
		sort.Strings(owners)
		if len(owners) > 0 {
			return fmt.Sprintf("--%s is a flag of %s, not of %s", name, strings.Join(owners, " and "), cmd)
		}
		return fmt.Sprintf("unknown flag --%s", name)
	}
	if m := unknownShort.FindStringSubmatch(msg); m != nil {
		if strings.HasPrefix(m[2], "-") && len(m[2]) > 2 {
			if s := closestFlag(strings.TrimLeft(m[2], "-"), fs); s != "" {
				return fmt.Sprintf("unknown flag %s; did you mean --%s? (long flags take two dashes)", m[2], s)
			}
		}
		return fmt.Sprintf("unknown flag -%s", m[1])
	}
	return msg
}

// closestFlag is the visible flag of fs nearest to name
// (templates.ClosestName); "" when nothing is close.
func closestFlag(name string, fs *pflag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return templates.ClosestName(name, names)
}

// commands are the subcommands, for suggestions and for help CMD.
var commands = []string{"bundle", "report", "probe", "trace", "flow", "redact", "doctor", "version", "help"}

// runHelp is `twilio-evidence help [CMD]`: the top-level help, or exactly
// what `CMD --help` prints.
func runHelp(args []string, s streams) error {
	switch {
	case len(args) == 0 || args[0] == "help":
		fmt.Fprint(s.out, mainUsage)
		return nil
	case len(args) > 1:
		return usageErr("help takes one command: twilio-evidence help %s", args[0])
	case !slices.Contains(commands, args[0]):
		return unknownCommand(args[0])
	}
	return dispatch([]string{args[0], "--help"}, s)
}

// unknownCommand says what to run instead of an unknown command.
func unknownCommand(name string) error {
	if strings.HasPrefix(name, "-") {
		if c := templates.Closest(strings.TrimLeft(name, "-"), []string{"help", "version"}, 2); c != "" {
			return usageErr("unknown flag %s; did you mean --%s? (or put flags after a command: twilio-evidence bundle %s)", name, c, name)
		}
		return usageErr("flags go after a command: twilio-evidence bundle %s (see twilio-evidence --help)", name)
	}
	if c := templates.Closest(name, commands, 2); c != "" {
		return usageErr("unknown command %q; did you mean %s? (see twilio-evidence --help)", name, c)
	}
	return usageErr("unknown command %q: the commands are %s (see twilio-evidence --help)", name, strings.Join(commands, ", "))
}
