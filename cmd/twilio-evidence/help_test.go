package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// TestHelp_EachCommandHasItsOwnHelp checks every command's --help: help CMD
// prints the same, the flags are listed under one heading with no empty
// heading, boolean flags read --demo, and the exit codes are the command's
// own.
func TestHelp_EachCommandHasItsOwnHelp(t *testing.T) {
	// notOwn are exit-code lines that belong to other commands.
	notOwn := map[string][]string{
		"bundle":  {"--fail-on-incidents", "lock"},
		"trace":   {"--fail-on-incidents", "bundle is written", "lock", "--max-size"},
		"flow":    {"--fail-on-incidents", "bundle is written", "lock", "--max-size"},
		"redact":  {"--fail-on-incidents", "collector", "lock", "\n  1  ", "\n  3  "},
		"probe":   {"--fail-on-incidents", "bundle is written", "lock"},
		"version": {"bundle", "credentials"},
	}
	for _, cmd := range commands {
		if cmd == "help" {
			continue
		}
		t.Run(cmd, func(t *testing.T) {
			code, out, errOut := runCmd(t, cmd, "--help")
			if code != 0 || errOut != "" {
				t.Fatalf("%s --help: exit %d, stderr %q", cmd, code, errOut)
			}
			code2, out2, _ := runCmd(t, "help", cmd)
			if code2 != 0 || out2 != out {
				t.Errorf("help %s (exit %d) differs from %s --help:\n%s\n---\n%s", cmd, code2, cmd, out2, out)
			}
			if !strings.HasPrefix(out, "Usage: twilio-evidence "+cmd) {
				t.Errorf("%s --help does not start with its usage line:\n%s", cmd, out)
			}
			if strings.Contains(out, "[=true|false]") {
				t.Errorf("a boolean flag reads --flag[=true|false]:\n%s", out)
			}
			if n := strings.Count(out, "Flags:"); n > 1 {
				t.Errorf("%d Flags: headings:\n%s", n, out)
			}
			if i := strings.Index(out, "Flags:\n"); i >= 0 && !regexp.MustCompile(`^Flags:\n( {6}--|  -\w, --)\w`).MatchString(out[i:]) {
				t.Errorf("the Flags: heading is not followed by a flag:\n%s", out[i:])
			}
			codes := out[strings.Index(out, "\nExit codes:"):]
			if strings.Count(out, "Exit codes:") != 1 || !strings.Contains(codes, "  0  ") {
				t.Fatalf("no single exit codes section:\n%s", out)
			}
			for _, w := range notOwn[cmd] {
				if strings.Contains(codes, w) {
					t.Errorf("%s's exit codes mention %q, which is not its own:\n%s", cmd, w, codes)
				}
			}
			if i := strings.Index(out, "Flags:\n"); i >= 0 {
				for _, line := range strings.Split(out[i:strings.Index(out, "\nExit codes:")], "\n") {
					if n := len([]rune(line)); n > helpWidth {
						t.Errorf("flag line of %d columns, over %d: %q", n, helpWidth, line)
					}
				}
			}
		})
	}
}

// TestHelp_BooleanFlagsAndDefaults checks the flag listing: --demo with no
// value, report's required --output without bundle's default ".", and the
// flag --demo's description on its line.
func TestHelp_BooleanFlagsAndDefaults(t *testing.T) {
	_, bundleHelp, _ := runCmd(t, "bundle", "--help")
	if !regexp.MustCompile(`(?m)^      --demo +run on built-in sample data`).MatchString(bundleHelp) {
		t.Errorf("bundle --help does not list --demo as a plain switch:\n%s", bundleHelp)
	}
	_, reportHelp, _ := runCmd(t, "report", "--help")
	line := regexp.MustCompile(`(?m)^  -o, --output.*(\n {20,}.*)*`).FindString(reportHelp)
	if !strings.Contains(line, "(required)") || strings.Contains(line, "default") {
		t.Errorf("report's --output should say required and no default: %q", line)
	}
}

// TestHelp_UnknownCommandListsEachCommandOnce checks the list of commands
// an unknown command gets.
func TestHelp_UnknownCommandListsEachCommandOnce(t *testing.T) {
	code, _, errOut := runCmd(t, "zzzzzzzzzz")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	list := regexp.MustCompile(`the commands are ([a-z, ]+)`).FindStringSubmatch(errOut)
	if list == nil {
		t.Fatalf("no list of commands: %q", errOut)
	}
	seen := map[string]bool{}
	for _, c := range strings.Split(list[1], ", ") {
		if seen[c] {
			t.Errorf("%s listed twice: %q", c, errOut)
		}
		seen[c] = true
	}
	for _, c := range []string{"bundle", "report", "probe", "trace", "flow", "redact", "version"} {
		if !seen[c] {
			t.Errorf("%s missing from %q", c, errOut)
		}
	}
	if code, _, errOut := runCmd(t, "help", "bundel"); code != exitUsage || !strings.Contains(errOut, "did you mean bundle?") {
		t.Errorf("help bundel: exit %d, %q", code, errOut)
	}
}

// TestHelp_ToolsOwnWordsAreNotRedacted checks the help passes the stream
// redactor untouched.
func TestHelp_ToolsOwnWordsAreNotRedacted(t *testing.T) {
	for _, cmd := range commands {
		if _, out, _ := runCmd(t, cmd, "--help"); strings.Contains(out, "[REDACTED") {
			t.Errorf("%s --help has redacted words:\n%s", cmd, out)
		}
	}
	if _, out, _ := runCmd(t, "--help"); strings.Contains(out, "[REDACTED") {
		t.Errorf("--help has redacted words:\n%s", out)
	}
}

// TestHelp_APIConcurrencyIsDocumented checks that --api-concurrency, the
// bound on the Twilio API requests in flight, is explained where a user
// looks: bundle --help gives its range, where the run starts and its
// default, and the README's performance section its default and range.
func TestHelp_APIConcurrencyIsDocumented(t *testing.T) {
	_, help, _ := runCmd(t, "bundle", "--help")
	entry := regexp.MustCompile(`(?m)^      --api-concurrency int +.*(\n {20,}.*)*`).FindString(help)
	flat := strings.Join(strings.Fields(entry), " ")
	for _, want := range []string{
		"most Twilio API requests in flight at once",
		fmt.Sprintf("(1–%d)", pipeline.MaxAPIConcurrency),
		fmt.Sprintf("starts at %d", collect.StartAPIConcurrency),
		"halves on throttling",
		fmt.Sprintf("(default %d)", collect.DefaultAPIConcurrency),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("bundle --help's --api-concurrency does not say %q: %q", want, flat)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, perf, ok := strings.Cut(string(readme), "\n## Performance\n")
	if !ok {
		t.Fatal("README.md has no Performance section")
	}
	perf, _, _ = strings.Cut(perf, "\n## ")
	flat = strings.Join(strings.Fields(perf), " ")
	if want := fmt.Sprintf("`--api-concurrency` (default %d, 1–%d)", collect.DefaultAPIConcurrency, pipeline.MaxAPIConcurrency); !strings.Contains(flat, want) {
		t.Errorf("README.md's Performance section does not say %q", want)
	}
}
