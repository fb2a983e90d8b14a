package bundlezip

import (
	"errors"
	"strings"
	"testing"
)

// A zip bomb's message is one short sentence in each catalog's language,
// naming the entry and the bound.
func TestLimitError_OneShortLineInEveryLanguage(t *testing.T) {
	for _, e := range []*LimitError{
		{Key: "zip.bomb", Figures: map[string]any{"entry": "incidents.csv", "ratio": MaxRatio}},
		{Key: "zip.entry_too_large", Figures: map[string]any{"entry": "incidents.csv", "max": "4 GiB"}},
	} {
		if !errors.Is(e, ErrTooLarge) {
			t.Errorf("%s is not ErrTooLarge", e.Key)
		}
		for _, lang := range []string{"en", "ja"} {
			s := e.Text(lang)
			bound := "200"
			if e.Key == "zip.entry_too_large" {
				bound = "4 GiB"
			}
			if !strings.Contains(s, "incidents.csv") || !strings.Contains(s, bound) || strings.Contains(s, "\n") || len([]rune(s)) > 100 {
				t.Errorf("%s in %s: %q, want one short line naming the entry and %s", e.Key, lang, s, bound)
			}
		}
	}
}
