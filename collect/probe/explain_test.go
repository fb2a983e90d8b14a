package probe

import (
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

// TestExplain_EveryVerdictHasItsSentenceInBothLanguages walks every
// verdict: each has a sentence in English and in Japanese that its figures
// fill without a gap, and the Japanese one is not the English one.
func TestExplain_EveryVerdictHasItsSentenceInBothLanguages(t *testing.T) {
	facts := Facts{Class: ClassHTTPStatus, TwilioCode: 11217, CauseFailures: 3, Status: 401, Method: "POST", Allow: "GET",
		Seconds: 3, TimeoutSeconds: 2, Override: "rt=2000", NotAfter: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Names: []string{"www.example.com"}, Issuer: "CN=R11", IssuerURL: "http://r11.i.lencr.org/", IssuerFetched: true,
		Location: "https://example.com/next", Redirects: 10, BodyBytes: 70000, Address: "203.0.113.7"}
	seen := map[Outcome]bool{}
	for _, v := range Outcomes {
		if seen[v] {
			t.Errorf("%s listed twice", v)
		}
		seen[v] = true
		f := facts
		f.Cause = v
		ts := TargetSummary{Target: "https://example.com/voice", Outcome: v, Facts: f, Private: true, DNSChanged: true,
			Overall:      Summary{Attempts: 3, Failures: 3, FailureRate: 1},
			BadAddresses: []string{"203.0.113.7"}, GoodAddresses: []string{"203.0.113.8"},
			DNSAnswers: []AnswerSet{{Addresses: []string{"10.0.0.5"}}}, Direct: []Summary{{Address: "10.0.0.9"}}}
		text := map[string]string{}
		for _, lang := range templates.Languages {
			for _, key := range []string{"probe.verdict." + string(v), "probe.note.private", "probe.note.dns_changed", "probe.note.direct_failed"} {
				s, err := templates.Sentence(lang, key, Figures(ts))
				if err != nil {
					t.Errorf("%s: %v", lang, err)
				}
				if strings.Contains(s, "<no value>") {
					t.Errorf("%s %s has a gap: %s", lang, key, s)
				}
			}
			text[lang] = Explain(ts, lang)
		}
		if text["en"] == text["ja"] || !strings.Contains(text["ja"], "。") {
			t.Errorf("%s: the Japanese explanation is not Japanese: %q", v, text["ja"])
		}
	}
}

// TestSummarize_FactsFromAHistoryFile: a history row keeps the status, the
// timings and the leaf's days to expiry, so a diagnosis of recorded probes
// gets the figures too.
func TestSummarize_FactsFromAHistoryFile(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	rows := func(a Attempt) []Attempt {
		var out []Attempt
		for range 3 {
			r, err := a.Row().Attempt()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	expired := Summarize(rows(Attempt{Time: at, Target: "https://a.example/", Mode: ModeDNS, ErrorClass: ClassTLSExpired, TwilioCode: 11236,
		Certificates: []Cert{{Subject: "CN=a.example", Issuer: "CN=R11", DaysToExpiry: -2}}}), SummaryOptions{})[0]
	if expired.Outcome != CauseTLSExpired || !expired.NotAfter.Equal(time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expired: verdict %q not after %v", expired.Outcome, expired.NotAfter)
	}
	slow := Summarize(rows(Attempt{Time: at, Target: "https://b.example/", Mode: ModeDNS, ErrorClass: ClassReadTimeout, TwilioCode: 11205,
		ReadTimeoutMs: 2000, Phases: Phases{Processing: 3100, TTFB: 3150, Total: 3160}}), SummaryOptions{})[0]
	if slow.Outcome != CauseTooSlow || slow.Seconds != 3.1 || slow.TimeoutSeconds != 2 || slow.Override != "rt=2000" || slow.Unanswered {
		t.Errorf("slow: verdict %q facts %+v", slow.Outcome, slow.Facts)
	}
	if !strings.Contains(slow.Explanation, "rt=2000 makes Twilio give up after 2 s") || !strings.Contains(slow.Explanation, "needs 3.1 s") {
		t.Errorf("slow: %s", slow.Explanation)
	}
}

// TestWriteTable_JapaneseIsAligned: the Japanese headings are twice as
// wide on a terminal as they are long, and the columns still line up.
func TestWriteTable_JapaneseIsAligned(t *testing.T) {
	ts := Summarize([]Attempt{{Target: "https://a.example/voice", Mode: ModeDNS, OK: true, Phases: Phases{TTFB: 12, Total: 15}}}, SummaryOptions{AllowPrivate: true})
	table := writeTable(t, ts, "ja")
	lines := strings.Split(table, "\n")
	if !strings.HasPrefix(lines[0], "対象 / 経路") || !strings.Contains(table, "すべての試行が成功しました") {
		t.Fatalf("not in Japanese:\n%s", table)
	}
	head, row := lines[0], lines[1]
	col := func(line, cell string) int {
		i := strings.Index(line, cell)
		return runewidth.StringWidth(line[:i])
	}
	if col(head, "判定") != col(row, string(OutcomeOK)) {
		t.Errorf("the verdict column is not aligned:\n%s", table)
	}
}
