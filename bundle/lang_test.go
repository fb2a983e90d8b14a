package bundle

import (
	"strings"
	"testing"
)

// TestLocalizer_SingularAndPlural checks that a count of one reads in the
// singular: "1 webhook that has none", not "1 webhooks".
func TestLocalizer_SingularAndPlural(t *testing.T) {
	l, err := NewLocalizer("en")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key  string
		figs map[string]any
		want string
	}{
		{"rec.fallback_missing", map[string]any{"count": 1, "owners": "+14155550103 (voice)"}, "on 1 webhook that has none"},
		{"rec.fallback_missing", map[string]any{"count": 3, "owners": "…"}, "on 3 webhooks that have none"},
		{"rec.fallback_same_host", map[string]any{"count": 1, "owners": "…"}, "1 webhook has its fallback URL"},
		{"affected.summary", map[string]any{"count": 1, "sids": 1, "file": "incidents.csv"}, "1 failed webhook request affecting 1 call or message;"},
		{"flow.blanks", map[string]any{"count": 1}, "still has 1 blank ("},
		{"finding.incidents.count", map[string]any{"count": 1, "sids": 1}, "1 webhook failure in the window, affecting 1 call or message."},
	}
	for _, c := range cases {
		if got := l.T(c.key, c.figs); !strings.Contains(got, c.want) {
			t.Errorf("%s %v = %q, want it to contain %q", c.key, c.figs, got, c.want)
		}
	}
}
