package templates_test

import (
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

func TestEditDistance_CountsASwapAsOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"since", "since", 0}, {"sinse", "since", 1}, {"snice", "since", 1},
		{"", "keep", 4}, {"kepe", "keep", 1}, {"ouptut", "output", 1}, {"ouptt", "output", 2}, {"東京", "東京都", 1},
	} {
		if got := templates.EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest_WithinTheEditsOnlyAndFirstOnATie(t *testing.T) {
	commands := []string{"bundle", "report", "probe", "trace", "flow", "redact", "doctor", "version", "help"}
	for in, want := range map[string]string{
		"bundel": "bundle", "reprot": "report", "porbe": "probe", "hlep": "help", "zzzzzz": "", "": "",
	} {
		if got := templates.Closest(in, commands, 2); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := templates.Closest("ab", []string{"xb", "ax"}, 1); got != "xb" {
		t.Errorf("tie: %q, want the first, xb", got)
	}
}

func TestClosestName_PrefersAUniquePrefix(t *testing.T) {
	names := []string{"since", "output", "fail-on-incidents", "keep", "alerts-file", "incidents-file", "from", "to"}
	for in, want := range map[string]string{
		"sinse": "since", "ouptut": "output", "fail-on-incident": "fail-on-incidents", "kepe": "keep",
		"alerts": "alerts-file", "api-url": "", "zzzzzz": "", "fr": "from",
	} {
		if got := templates.ClosestName(in, names); got != want {
			t.Errorf("ClosestName(%q) = %q, want %q", in, got, want)
		}
	}
	if names[0] != "since" {
		t.Error("ClosestName sorted its argument in place")
	}
}

func TestFlagList_LinesUpAndWraps(t *testing.T) {
	got := templates.FlagList([]templates.FlagRow{
		{"      --demo", "run on built-in sample data"},
		{"  -o, --output string", "directory to write the bundle into, which must exist already"},
	}, 50)
	want := "" +
		"      --demo            run on built-in sample\n" +
		"                        data\n" +
		"  -o, --output string   directory to write the\n" +
		"                        bundle into, which must\n" +
		"                        exist already\n"
	if got != want {
		t.Errorf("FlagList:\n%s\nwant:\n%s", got, want)
	}
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if n := len([]rune(l)); n > 50 {
			t.Errorf("line of %d runes over the width: %q", n, l)
		}
	}
}
