package stats

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

func TestCatalog_EveryLanguageHasEverySentence(t *testing.T) {
	var ref []string
	for id := range catalog["en"] {
		ref = append(ref, id)
	}
	slices.Sort(ref)
	for _, lang := range Languages() {
		var ids []string
		for id := range catalog[lang] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, ref) {
			t.Errorf("%s sentences %v, want the same IDs as en %v", lang, ids, ref)
		}
	}
}

// TestCatalog_FindingsRenderInEveryLanguage renders every finding produced by
// a busy data set, with a trend, in every language from its Figures alone.
func TestCatalog_FindingsRenderInEveryLanguage(t *testing.T) {
	incidents := join(spaced(time.Hour, 30, time.Second), spaced(40*time.Hour, 5, time.Hour))
	in := Input{
		Window: week(mustLoc(t, "Asia/Tokyo")), Incidents: incidents,
		Usage:  []collect.UsageDay{{Day: weekFrom, Calls: 1000, Messages: 100}},
		Probes: []Probe{{Time: weekFrom.Add(time.Hour)}},
	}
	s := compute(t, in, Options{})
	prev := compute(t, Input{Window: PreviousWindow(in.Window), Incidents: incidents[:3]}, Options{})
	if err := s.AddTrend(prev); err != nil {
		t.Fatal(err)
	}
	if len(s.Findings) < 8 {
		t.Fatalf("only %d findings: %v", len(s.Findings), s.Findings)
	}
	for _, f := range s.Findings {
		for _, lang := range Languages() {
			got, err := Sentence(f.ID, lang, f.Figures)
			if err != nil {
				t.Errorf("%s in %s: %v", f.ID, lang, err)
				continue
			}
			if strings.Contains(got, "<no value>") || strings.Contains(got, "%!") {
				t.Errorf("%s in %s renders badly: %q", f.ID, lang, got)
			}
		}
	}
}

func TestSentence_Errors(t *testing.T) {
	tests := []struct {
		name, id, lang string
		figures        map[string]any
		want           string
	}{
		{"unknown language", "stats.none", "de", nil, `language "de"`},
		{"unknown sentence", "stats.nothing", "en", nil, "no en text"},
		{"missing figure", "stats.none", "en", map[string]any{"from": "a"}, `"to"`},
		{"figure of the wrong type", "stats.no_bursts", "en", map[string]any{"min": "ten", "span_seconds": 300}, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sentence(tt.id, tt.lang, tt.figures)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"thousands", func() (string, error) { return formatNum(1234567) }, "1,234,567"},
		{"small count", func() (string, error) { return formatNum(999) }, "999"},
		{"negative", func() (string, error) { return formatNum(-1234) }, "-1,234"},
		{"fraction", func() (string, error) { return formatNum(1234.5) }, "1,234.5"},
		{"json number", func() (string, error) { return formatNum(float64(10)) }, "10"},
		{"share", func() (string, error) { return formatPct(0.42) }, "42%"},
		{"small share", func() (string, error) { return formatPct(0.042) }, "4.2%"},
		{"tiny rate", func() (string, error) { return formatPct(0.0042) }, "0.42%"},
		{"zero", func() (string, error) { return formatPct(0.0) }, "0%"},
		{"week", func() (string, error) { return formatSpan(int64(7*24*3600), "en") }, "7 days"},
		{"one day", func() (string, error) { return formatSpan(int64(24*3600), "en") }, "1 day"},
		{"minutes in Japanese", func() (string, error) { return formatSpan(300, "ja") }, "5分"},
		{"seconds", func() (string, error) { return formatSpan(90, "en") }, "90 seconds"},
		{"hours", func() (string, error) { return formatSpan(float64(36*3600), "ja") }, "36時間"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil || got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		raw, want, host, path string
	}{
		{"https://example.com/voice", "https://example.com/voice", "example.com", "/voice"},
		{"https://example.com", "https://example.com/", "example.com", "/"},
		{"HTTPS://Example.COM/Voice?x=1#ct=100", "https://example.com/Voice", "example.com", "/Voice"},
		{"https://user:p%40ss@example.com:8443/a/b", "https://example.com:8443/a/b", "example.com:8443", "/a/b"},
		{"example.com/voice", "example.com/voice", "example.com", "/voice"},
		{"/relative/path?q", "/relative/path", "", "/relative/path"},
		{"", "", "", ""},
		{"   ", "", "", ""},
		{"garbage", "garbage", "", "garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			k := splitURL(tt.raw)
			if k.String() != tt.want || k.host != tt.host || k.path != tt.path {
				t.Errorf("splitURL(%q) = %q host %q path %q, want %q host %q path %q", tt.raw, k.String(), k.host, k.path, tt.want, tt.host, tt.path)
			}
		})
	}
}

func TestInLang_RendersTheSameFindingsInAnotherLanguage(t *testing.T) {
	w := week(mustLoc(t, "Asia/Tokyo"))
	in := Input{Window: w, Incidents: spaced(time.Hour, 20, time.Minute)}
	en := compute(t, in, Options{})
	ja, err := en.InLang("ja")
	if err != nil {
		t.Fatal(err)
	}
	direct := compute(t, in, Options{Lang: "ja"})
	if ja.Lang != "ja" || len(ja.Findings) != len(direct.Findings) {
		t.Fatalf("InLang gave %s with %d findings, want ja with %d", ja.Lang, len(ja.Findings), len(direct.Findings))
	}
	for i := range ja.Findings {
		if ja.Findings[i].ID != direct.Findings[i].ID || ja.Findings[i].Sentence != direct.Findings[i].Sentence {
			t.Errorf("finding %d = %s %q, want %s %q", i, ja.Findings[i].ID, ja.Findings[i].Sentence, direct.Findings[i].ID, direct.Findings[i].Sentence)
		}
	}
	if en.Lang != "en" || en.Findings[0].Sentence == ja.Findings[0].Sentence {
		t.Errorf("InLang changed the original: %s %q", en.Lang, en.Findings[0].Sentence)
	}
	if _, err := en.InLang("fr"); err == nil {
		t.Errorf("InLang(fr) gave no error")
	}
}
