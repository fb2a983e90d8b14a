package analysis

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

func findingByID(fs []Finding, id string) (Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

func TestAnalyze_StatesTheStatisticsOfConstructedIncidents(t *testing.T) {
	const voice, sms = "https://ivr.example.com/voice", "https://sms.example.com/sms"
	type want struct {
		id       string
		severity Severity
		verdict  string
	}
	for _, tc := range []struct {
		name   string
		ev     *collect.Evidence
		want   []want
		absent []string
	}{
		{
			name: "a burst",
			ev: testkit.Week(time.UTC, slices.Concat(
				testkit.Every(2*24*time.Hour+10*time.Hour, 12, 20*time.Second, voice),
				testkit.Every(5*time.Hour, 3, 24*time.Hour, voice),
			), nil),
			want: []want{{"stats.burst", Warn, "1 burst of at least 10 incidents within 5 minutes: 12 incidents from 2026-11-20 10:00:00 to 2026-11-20 10:03:40 (UTC)."}},
		},
		{
			name: "a dominant hour band in the display zone",
			// Three a day at 10:00 Tokyo (01:00 UTC) for six days, and six at 20:00 UTC.
			ev: testkit.Week(testkit.Tokyo(t), slices.Concat(
				testkit.Every(time.Hour, 6, 24*time.Hour, voice), testkit.Every(time.Hour+time.Minute, 6, 24*time.Hour, voice),
				testkit.Every(time.Hour+2*time.Minute, 6, 24*time.Hour, voice), testkit.Every(20*time.Hour, 6, 24*time.Hour, voice),
			), nil),
			want: []want{{"stats.band", Warn, "75% of incidents (18 of 24) fell between 10:00 and 13:00 (Asia/Tokyo), the busiest 3-hour band of the day."}},
		},
		{
			name: "a dominant URL and host",
			ev: testkit.Week(time.UTC, slices.Concat(
				testkit.Every(time.Hour, 16, 7*time.Hour, voice+"?From=%2B14155550100"), testkit.Every(3*time.Hour, 4, 30*time.Hour, sms),
			), nil),
			want: []want{
				{"stats.dominant_url", Warn, "80% of incidents (16 of 20) were requests to https://ivr.example.com/voice."},
				{"stats.dominant_host", Warn, "80% of incidents (16 of 20) were requests to host ivr.example.com."},
				{"stats.dominant_code", Warn, "Error 11200 accounts for 100% of incidents (20 of 20)."},
			},
		},
		{
			name: "zero incidents",
			ev:   testkit.Week(time.UTC, nil, testkit.DailyUsage(100, 100)),
			want: []want{
				{"stats.none", Info, "No incidents between 2026-11-18 00:00:00 and 2026-11-25 00:00:00 (UTC)."},
				{"stats.rate", Info, "On the 7 full UTC days with usage totals (2026-11-18 to 2026-11-24), 0 of 1,400 calls and messages failed: an error rate of 0%."},
			},
			absent: []string{"stats.band", "stats.burst", "stats.bursts", "stats.no_bursts", "stats.first_last", "stats.dominant_url"},
		},
		{
			name:   "usage missing: the rate is unknown, not guessed",
			ev:     testkit.Week(time.UTC, testkit.Every(time.Hour, 35, 4*time.Hour, voice), nil),
			want:   []want{{"stats.rate_no_usage", Info, "The error rate is unknown: no usage totals were available for the window."}},
			absent: []string{"stats.rate"},
		},
		{
			name: "usage given: the rate is a figure",
			ev:   testkit.Week(time.UTC, testkit.Every(time.Hour, 35, 4*time.Hour, voice), testkit.DailyUsage(500, 500)),
			want: []want{
				{"stats.rate", Info, "On the 7 full UTC days with usage totals (2026-11-18 to 2026-11-24), 35 of 7,000 calls and messages failed: an error rate of 0.50%."},
				{"stats.first_last", Info, "The first incident was at 2026-11-18 01:00:00 and the last at 2026-11-23 17:00:00 (UTC)."},
			},
			absent: []string{"stats.rate_no_usage"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := Analyze(tc.ev).Findings
			for _, w := range tc.want {
				f, ok := findingByID(fs, w.id)
				if !ok {
					t.Errorf("no %s finding among %v", w.id, ids(fs))
					continue
				}
				if f.Sentence != w.verdict || f.Severity != w.severity || f.Step != statsStep {
					t.Errorf("%s = step %d %s %q\nwant step %d %s %q", w.id, f.Step, f.Severity, f.Sentence, statsStep, w.severity, w.verdict)
				}
				if len(f.Evidence) != 1+len(f.Figures) || !strings.HasPrefix(f.Evidence[0], "stats/") && f.Evidence[0] != IncidentsFile {
					t.Errorf("%s evidence = %v, want a stats file and the figures", w.id, f.Evidence)
				}
			}
			for _, id := range tc.absent {
				if f, ok := findingByID(fs, id); ok {
					t.Errorf("unexpected %s: %q", id, f.Sentence)
				}
			}
		})
	}
}

func ids(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func TestAnalyze_TrendOnThePreviousWindowFromTheAPI(t *testing.T) {
	ev := testkit.Week(time.UTC, testkit.Every(time.Hour, 6, 24*time.Hour, "https://ivr.example.com/voice"), nil)
	ev.Previous = &collect.Previous{Source: collect.PreviousFromAPI, Window: collect.PreviousWindow(ev.Window),
		Incidents: testkit.Every(-7*24*time.Hour, 10, time.Hour, "https://ivr.example.com/voice")}
	f, ok := findingByID(Analyze(ev).Findings, "stats.trend.down")
	if want := "Incidents down 40% on the previous 7 days (6 against 10)."; !ok || f.Sentence != want {
		t.Errorf("stats.trend.down = %q, want %q", f.Sentence, want)
	}
}

func TestAnalyze_BrokenBaselineIsSaidNotFatal(t *testing.T) {
	ev := testkit.Week(time.UTC, testkit.Every(time.Hour, 6, time.Hour, "https://ivr.example.com/voice"), nil)
	ev.Previous = &collect.Previous{Source: collect.PreviousFromBundle, Bundle: "old.zip", Summary: []byte(`{"schema": 99}`)}
	fs := Analyze(ev).Findings
	f, ok := findingByID(fs, "stats.trend_unavailable")
	if !ok || !strings.Contains(f.Sentence, "old.zip") || !strings.Contains(f.Sentence, "schema version 99") {
		t.Errorf("stats.trend_unavailable = %q", f.Sentence)
	}
	if _, ok := findingByID(fs, "stats.summary"); !ok {
		t.Errorf("the window's own statistics went missing with the baseline")
	}
}

func TestAnalyze_ProbeHistoryLinesUpWithIncidents(t *testing.T) {
	// Incidents in three hours; the history probed every 10 minutes for two
	// days and failed in exactly those hours.
	ev := testkit.Week(time.UTC, slices.Concat(
		testkit.Every(3*time.Hour, 4, 5*time.Minute, "https://ivr.example.com/voice"),
		testkit.Every(9*time.Hour, 4, 5*time.Minute, "https://ivr.example.com/voice"),
		testkit.Every(30*time.Hour, 4, 5*time.Minute, "https://ivr.example.com/voice"),
	), nil)
	h := &collect.ProbeHistory{File: "history.csv"}
	for t0 := testkit.WeekFrom; t0.Before(testkit.WeekFrom.Add(48 * time.Hour)); t0 = t0.Add(10 * time.Minute) {
		hour := t0.Sub(testkit.WeekFrom) / time.Hour
		h.Attempts = append(h.Attempts, probe.Attempt{Time: t0, Target: "https://ivr.example.com/voice", OK: hour != 3 && hour != 9 && hour != 30})
	}
	ev.Probes = &collect.ProbeEvidence{History: h}
	f, ok := findingByID(Analyze(ev).Findings, "stats.probes_aligned")
	if !ok || f.Severity != Warn || f.Figures["both"] != 3 || f.Figures["incident_hours"] != 3 {
		t.Errorf("stats.probes_aligned = %s %q %v", f.Severity, f.Sentence, f.Figures)
	}
}

func TestAnalyze_StatsAreTheFindingsFigures(t *testing.T) {
	// The statistics the writers read and the findings that state them are
	// one computation: the summary finding's total is the statistics' total,
	// and incidents added to the evidence are counted by the next analysis.
	ev := testkit.Week(time.UTC, testkit.Every(time.Hour, 3, time.Hour, "https://ivr.example.com/voice"), nil)
	res := Analyze(ev)
	if res.StatsErr != nil || res.Stats == nil || res.Stats.Total != 3 {
		t.Fatalf("stats = %+v, %v", res.Stats, res.StatsErr)
	}
	if f, ok := findingByID(res.Findings, "stats.summary"); !ok || f.Figures["total"] != res.Stats.Total {
		t.Errorf("stats.summary figures %v, statistics total %d", f.Figures, res.Stats.Total)
	}
	ev.Incidents = append(ev.Incidents, testkit.FailedAt(5*time.Hour, "11205", ""))
	if again := Analyze(ev); again.Stats == res.Stats || again.Stats.Total != 4 {
		t.Errorf("incidents added after the first analysis were not counted: total %d", again.Stats.Total)
	}
}

func TestAnalyze_StatsUnavailableIsAFinding(t *testing.T) {
	ev := testkit.Week(time.UTC, nil, []collect.UsageDay{{Day: testkit.WeekFrom}, {Day: testkit.WeekFrom.Add(time.Hour)}})
	f, ok := findingByID(Analyze(ev).Findings, "stats.unavailable")
	if !ok || f.Severity != Warn || !strings.Contains(f.Sentence, "day given twice") {
		t.Errorf("stats.unavailable = %s %q", f.Severity, f.Sentence)
	}
}
