package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

// commandUsage is the text above a command's flags in its --help.
var commandUsage = map[string]string{
	"bundle":  bundleUsage + bundleMoreExamples,
	"report":  reportUsage,
	"version": versionUsage,
}

// commandExitCodes are the exit codes each command's --help lists: only
// those the command can end with.
var commandExitCodes = map[string]string{
	"bundle":  templates.Help("bundle.exit"),
	"report":  templates.Help("report.exit"),
	"version": templates.Help("version.exit"),
}

var versionUsage = templates.Help("version")

var bundleMoreExamples = templates.Help("bundle-examples")

var reportUsage = templates.Help("report")

// exitCodesHelp is the summary of the exit codes in the top-level help;
// each command's --help lists its own (commandExitCodes).
var exitCodesHelp = templates.Help("exit-codes")

// parseFlags parses a command's flags. --help prints the command's help
// on stdout (done is true: the command has nothing more to do). A bad flag
// gives one line that says what to do: the closest flag for a misspelt
// one, the right command for another command's flag.
func parseFlags(cmd string, fs *pflag.FlagSet, args []string, s streams) (done bool, err error) {
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
	if err := checkDurations(cmd, fs); err != nil {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, usageErr("%s: unexpected argument %q: flags start with -- (see twilio-evidence %s --help)", cmd, fs.Arg(0), cmd)
	}
	return false, nil
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

// printHelp writes a command's help: what it does, examples, flags, exit codes.
func printHelp(cmd string, fs *pflag.FlagSet, w io.Writer) {
	fmt.Fprint(w, commandUsage[cmd])
	if flags := flagUsages(fs); flags != "" {
		fmt.Fprint(w, "\nFlags:\n"+flags)
	}
	fmt.Fprint(w, commandExitCodes[cmd])
}

// helpWidth is the width flag descriptions are wrapped to.
const helpWidth = 100

// flagUsages lists the visible flags of fs, one a line, their descriptions
// wrapped to helpWidth: a boolean flag reads --demo (pflag's own listing
// writes --demo[=true|false]); a default shows when it is not the zero value.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ name, usage string }
	var rows []row
	width := 0
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
		rows = append(rows, row{name, usage})
		width = max(width, len([]rune(name)))
	})
	var b strings.Builder
	for _, r := range rows {
		indent := strings.Repeat(" ", width+3)
		line := r.name + strings.Repeat(" ", width+3-len([]rune(r.name)))
		col := width + 3
		for i, word := range strings.Fields(r.usage) {
			n := len([]rune(word))
			if i > 0 && col+1+n > helpWidth {
				b.WriteString(line + "\n")
				line, col = indent+word, width+3+n
				continue
			}
			if i > 0 {
				line += " "
				col++
			}
			line += word
			col += n
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

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

// closestFlag is the visible flag of fs nearest to name: a unique prefix
// match, else the smallest edit distance within a third of the name's
// length (at least 2); "" when nothing is close.
func closestFlag(name string, fs *pflag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	var prefixed []string
	for _, n := range names {
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", max(2, len(name)/3)+1
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// closestWord is the word of words nearest to w within two edits.
func closestWord(w string, words []string) string {
	best, bestD := "", 3
	for _, c := range words {
		if d := editDistance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (adjacent swaps count
// one edit: "sinse" → "since" is one substitution, "snice" one swap).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// commands are the subcommands, for suggestions and for help CMD.
var commands = []string{"bundle", "report", "probe", "trace", "flow", "redact", "doctor", "version", "help"}

// isCommand tells whether name is one of the subcommands.
func isCommand(name string) bool {
	for _, c := range commands {
		if c == name {
			return true
		}
	}
	return false
}

// runHelp is `twilio-evidence help [CMD]`: the top-level help, or exactly
// what `CMD --help` prints.
func runHelp(args []string, s streams) error {
	switch {
	case len(args) == 0 || args[0] == "help":
		fmt.Fprint(s.out, mainUsage)
		return nil
	case len(args) > 1:
		return usageErr("help takes one command: twilio-evidence help %s", args[0])
	case !isCommand(args[0]):
		return unknownCommand(args[0])
	}
	return dispatch([]string{args[0], "--help"}, s)
}

// unknownCommand says what to run instead of an unknown command.
func unknownCommand(name string) error {
	if strings.HasPrefix(name, "-") {
		if c := closestWord(strings.TrimLeft(name, "-"), []string{"help", "version"}); c != "" {
			return usageErr("unknown flag %s; did you mean --%s? (or put flags after a command: twilio-evidence bundle %s)", name, c, name)
		}
		return usageErr("flags go after a command: twilio-evidence bundle %s (see twilio-evidence --help)", name)
	}
	if c := closestWord(name, commands); c != "" {
		return usageErr("unknown command %q; did you mean %s? (see twilio-evidence --help)", name, c)
	}
	return usageErr("unknown command %q: the commands are %s (see twilio-evidence --help)", name, strings.Join(commands, ", "))
}
