package stats

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// trendWindows builds a previous week with 10 incidents and the current week
// with 14: code 11200 5 → 9, 11205 3 → 5, 12300 2 → 0; calls 6 → 10,
// messages 4 → 4.
func trendWindows(t *testing.T) (cur, prev Input) {
	t.Helper()
	w := week(mustLoc(t, "Asia/Tokyo"))
	pw := PreviousWindow(w)
	make1 := func(from time.Time, code, kind, url string, n int) []collect.Incident {
		out := make([]collect.Incident, n)
		for i := range out {
			out[i] = collect.Incident{Time: from.Add(time.Duration(i+1) * 7 * time.Hour), ErrorCode: code, Kind: kind, URL: url}
		}
		return out
	}
	prev = Input{Window: pw, Incidents: join(
		make1(pw.From, "11200", collect.KindCall, "https://example.com/voice", 5),
		make1(pw.From, "11205", collect.KindCall, "https://example.com/voice", 1),
		make1(pw.From, "11205", collect.KindMessage, "https://example.com/sms", 2),
		make1(pw.From, "12300", collect.KindMessage, "https://example.com/sms", 2),
	)}
	cur = Input{Window: w, Incidents: join(
		make1(w.From, "11200", collect.KindCall, "https://example.com/voice", 9),
		make1(w.From, "11205", collect.KindCall, "https://example.com/voice", 1),
		make1(w.From, "11205", collect.KindMessage, "https://example.com/sms", 4),
	)}
	return cur, prev
}

func TestAddTrend_KnownDeltas(t *testing.T) {
	curIn, prevIn := trendWindows(t)
	prevStats := compute(t, prevIn, Options{})
	summary, err := prevStats.SummaryJSON()
	if err != nil {
		t.Fatal(err)
	}
	baselines := []struct {
		name string
		load func() (*Stats, error)
	}{
		{"previous-window incidents", func() (*Stats, error) { return Compute(prevIn, Options{}) }},
		{"summary.json of a previous bundle", func() (*Stats, error) { return ReadSummary(bytes.NewReader(summary)) }},
	}
	for _, bl := range baselines {
		t.Run(bl.name, func(t *testing.T) {
			prev, err := bl.load()
			if err != nil {
				t.Fatalf("baseline: %v", err)
			}
			s := compute(t, curIn, Options{})
			if err := s.AddTrend(prev); err != nil {
				t.Fatal(err)
			}
			tr := s.Trend
			checks := []struct {
				name string
				got  Delta
				want string // current previous change percent
			}{
				{"total", tr.Total, "14 10 4 0.4"},
				{"calls", tr.ByKind[0], "10 6 4 0.6667"},
				{"messages", tr.ByKind[1], "4 4 0 0"},
				{"code 11200", deltaOf(tr.ByCode, "11200"), "9 5 4 0.8"},
				{"code 11205", deltaOf(tr.ByCode, "11205"), "5 3 2 0.6667"},
				{"code 12300", deltaOf(tr.ByCode, "12300"), "0 2 -2 -1"},
				{"url voice", deltaOf(tr.ByURL, "https://example.com/voice"), "10 6 4 0.6667"},
				{"url sms", deltaOf(tr.ByURL, "https://example.com/sms"), "4 4 0 0"},
			}
			for _, c := range checks {
				if got := deltaString(c.got); got != c.want {
					t.Errorf("%s delta = %s, want %s", c.name, got, c.want)
				}
			}
			f, ok := finding(s, "stats.trend.up")
			if !ok {
				t.Fatalf("no stats.trend.up finding in %v", s.Findings)
			}
			if want := "Incidents up 40% on the previous 7 days (14 against 10)."; f.Sentence != want {
				t.Errorf("sentence = %q, want %q", f.Sentence, want)
			}
			if _, ok := finding(s, "stats.trend.rate"); ok {
				t.Errorf("a rate trend without usage in either window")
			}
			if _, ok := finding(s, "stats.trend.code_gone"); !ok {
				t.Errorf("no sentence for the vanished code 12300")
			}
			var b bytes.Buffer
			if err := s.WriteByCodeCSV(&b); err != nil {
				t.Fatal(err)
			}
			want := "error_code,incidents,share,rate,previous,change,change_pct\n" +
				"11200,9,0.6428571428571429,,5,4,0.8\n" +
				"11205,5,0.35714285714285715,,3,2,0.6666666666666666\n" +
				"12300,0,0,,2,-2,-1\n"
			if b.String() != want {
				t.Errorf("by_code.csv =\n%s\nwant\n%s", b.String(), want)
			}
		})
	}
}

func TestAddTrend_Sentences(t *testing.T) {
	w := week(time.UTC)
	n := func(k int) []collect.Incident { return spaced(time.Hour, k, time.Hour) }
	tests := []struct {
		name       string
		cur, prev  int
		prevWindow collect.Window
		lang       string
		wantID     string
		want       string
	}{
		{"down", 6, 10, PreviousWindow(w), "en", "stats.trend.down", "Incidents down 40% on the previous 7 days (6 against 10)."},
		{"unchanged", 10, 10, PreviousWindow(w), "en", "stats.trend.same", "Incidents unchanged on the previous 7 days (10)."},
		{"from nothing", 5, 0, PreviousWindow(w), "en", "stats.trend.from_zero", "5 incidents against none in the previous 7 days."},
		{"up in Japanese", 14, 10, PreviousWindow(w), "ja", "stats.trend.up", "インシデントは前の7日間より40%増えました（10件から14件）。"},
		{
			"windows of different lengths give no change", 14, 10,
			collect.Window{From: weekFrom.Add(-24 * time.Hour), To: weekFrom}, "en", "stats.trend.length_differs",
			"14 incidents in this window (7 days) against 10 in the previous one (1 day); the lengths differ, so no change is given.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: w, Incidents: n(tt.cur)}, Options{Lang: tt.lang})
			prevIncidents := n(tt.prev)
			for i := range prevIncidents {
				prevIncidents[i].Time = tt.prevWindow.From.Add(time.Duration(i) * time.Minute)
			}
			prev := compute(t, Input{Window: tt.prevWindow, Incidents: prevIncidents}, Options{})
			if err := s.AddTrend(prev); err != nil {
				t.Fatal(err)
			}
			// A second call replaces the trend findings, not adds to them.
			if err := s.AddTrend(prev); err != nil {
				t.Fatal(err)
			}
			var got []Finding
			for _, f := range s.Findings {
				if f.ID == tt.wantID {
					got = append(got, f)
				}
			}
			if len(got) != 1 || got[0].Sentence != tt.want {
				t.Errorf("findings %s = %v, want one saying %q", tt.wantID, got, tt.want)
			}
		})
	}
}

func TestAddTrend_ErrorRate(t *testing.T) {
	w := week(time.UTC)
	pw := PreviousWindow(w)
	usage := func(from time.Time, calls int) []collect.UsageDay {
		var out []collect.UsageDay
		for d := 0; d < 7; d++ {
			out = append(out, collect.UsageDay{Day: from.AddDate(0, 0, d), Calls: calls})
		}
		return out
	}
	// 70 incidents over 7,000 calls now, 70 over 14,000 before.
	cur := compute(t, Input{Window: w, Incidents: spaced(time.Hour, 70, time.Hour), Usage: usage(w.From, 1000)}, Options{})
	prevIncidents := spaced(time.Hour, 70, time.Hour)
	for i := range prevIncidents {
		prevIncidents[i].Time = prevIncidents[i].Time.Add(-7 * 24 * time.Hour)
	}
	prev := compute(t, Input{Window: pw, Incidents: prevIncidents, Usage: usage(pw.From, 2000)}, Options{})
	if err := cur.AddTrend(prev); err != nil {
		t.Fatal(err)
	}
	f, ok := finding(cur, "stats.trend.rate")
	if !ok {
		t.Fatalf("no stats.trend.rate finding in %v", cur.Findings)
	}
	if want := "The error rate was 1.0% against 0.50% in the previous window."; f.Sentence != want || f.Severity != SeverityWarn {
		t.Errorf("finding = %s %q, want warn %q", f.Severity, f.Sentence, want)
	}
}

func deltaOf(ds []Delta, key string) Delta {
	for _, d := range ds {
		if d.Key == key {
			return d
		}
	}
	return Delta{Key: "missing " + key}
}

func deltaString(d Delta) string {
	p := "none"
	if d.Percent != nil {
		p = strings.TrimRight(strings.TrimRight(formatFloat(float64(int64(*d.Percent*10000+sign(*d.Percent)*0.5))/10000), "0"), ".")
		if p == "" || p == "-" {
			p = "0"
		}
	}
	return itoa(d.Current) + " " + itoa(d.Previous) + " " + itoa(d.Change) + " " + p
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
