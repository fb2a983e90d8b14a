package bundle

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

func findingByID(fs []analysis.Finding, id string) (analysis.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return analysis.Finding{}, false
}

func TestWrite_StatsFilesInTheDisplayZone(t *testing.T) {
	// 16:00 UTC on Wednesday the 18th is 01:00 on Thursday the 19th in Tokyo.
	incs := []collect.Incident{testkit.FailedAt(16*time.Hour, "11200", "https://ivr.example.com/voice")}
	for _, tc := range []struct {
		name     string
		loc      *time.Location
		wantDay  string
		wantZone string
	}{
		{"UTC keeps it on the 18th", time.UTC, "UTC,2026-11-18,false,1,", "UTC"},
		{"Tokyo moves it to the 19th", testkit.Tokyo(t), "Asia/Tokyo,2026-11-19,false,1,", "Asia/Tokyo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := writeBundle(t, testkit.Week(tc.loc, incs, nil), Options{Reproducible: true})
			for _, name := range StatsFiles {
				if len(files[name]) == 0 {
					t.Errorf("the bundle has no %s", name)
				}
			}
			if !strings.Contains(string(files[stats.DailyPath]), "\n"+tc.wantDay) {
				t.Errorf("%s lacks the row %q:\n%s", stats.DailyPath, tc.wantDay, files[stats.DailyPath])
			}
			st, err := stats.ReadSummary(strings.NewReader(string(files[stats.SummaryPath])))
			if err != nil {
				t.Fatal(err)
			}
			if st.Total != 1 || st.Window.Zone != tc.wantZone {
				t.Errorf("summary.json: total %d in %s, want 1 in %s", st.Total, st.Window.Zone, tc.wantZone)
			}
			var manifest Manifest
			if err := json.Unmarshal(files[ManifestFile], &manifest); err != nil {
				t.Fatal(err)
			}
			listed := map[string]bool{}
			for _, f := range manifest.Files {
				listed[f.Name] = true
			}
			for _, name := range StatsFiles {
				if !listed[name] {
					t.Errorf("the manifest does not list %s", name)
				}
			}
		})
	}
}

func TestWrite_SummaryJSONInTheBundlesLanguage(t *testing.T) {
	needJapaneseFont(t)
	ev := testkit.Week(time.UTC, testkit.Every(time.Hour, 3, time.Hour, "https://ivr.example.com/voice"), nil)
	st, err := stats.ReadSummary(strings.NewReader(string(writeBundle(t, ev, Options{Reproducible: true, Lang: "ja"})[stats.SummaryPath])))
	if err != nil {
		t.Fatal(err)
	}
	if st.Lang != "ja" || !strings.Contains(st.Findings[0].Sentence, "は3件です") {
		t.Errorf("summary.json in %s: %q", st.Lang, st.Findings[0].Sentence)
	}
	// The analysis stays in English, with the figures to translate it.
	f, _ := findingByID(analysis.Analyze(ev).Findings, "stats.summary")
	if !strings.HasPrefix(f.Sentence, "3 incidents (failed webhook requests) between") || f.Figures["total"] != 3 {
		t.Errorf("stats.summary = %q %v", f.Sentence, f.Figures)
	}
}

// summaryOf reads stats/summary.json out of the bundle zip at path.
func summaryOf(t *testing.T, path string) []byte {
	t.Helper()
	return testkit.ReadZip(t, path)[stats.SummaryPath]
}

func TestWrite_NoSummaryWithoutStatistics(t *testing.T) {
	ev := testkit.Week(time.UTC, nil, []collect.UsageDay{{Day: testkit.WeekFrom}, {Day: testkit.WeekFrom.Add(time.Hour)}})
	files := writeBundle(t, ev, Options{Reproducible: true})
	if _, ok := files[stats.SummaryPath]; ok {
		t.Errorf("a summary.json without statistics")
	}
}

func TestWrite_TrendOnAPreviousBundle(t *testing.T) {
	const voice, sms = "https://ivr.example.com/voice", "https://sms.example.com/sms"
	// The previous week: 10 incidents, 8 of 11200 and 2 of 12300.
	prevFrom := testkit.WeekFrom.Add(-7 * 24 * time.Hour)
	first := testkit.Week(time.UTC, nil, testkit.DailyUsage(1000, 0))
	first.Window.From, first.Window.To = prevFrom, testkit.WeekFrom
	for i := 0; i < 10; i++ {
		inc := testkit.FailedAt(-7*24*time.Hour+time.Duration(i)*5*time.Hour, "11200", voice)
		if i >= 8 {
			inc.ErrorCode, inc.URL = "12300", sms
		}
		first.Incidents = append(first.Incidents, inc)
	}
	for i := range first.Usage {
		first.Usage[i].Day = first.Usage[i].Day.AddDate(0, 0, -7)
	}
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Remove()
	firstPath, err := Write(first, analysis.Analyze(first), stage, Options{Dir: t.TempDir(), Reproducible: true})
	if err != nil {
		t.Fatal(err)
	}

	// This week: 14 incidents of 11200 over half the traffic.
	second := testkit.Week(time.UTC, testkit.Every(time.Hour, 14, 5*time.Hour, voice), testkit.DailyUsage(500, 0))
	second.Previous = &collect.Previous{Source: collect.PreviousFromBundle, Bundle: firstPath, Summary: summaryOf(t, firstPath)}
	files := writeBundle(t, second, Options{Reproducible: true})

	st, err := stats.ReadSummary(strings.NewReader(string(files[stats.SummaryPath])))
	if err != nil {
		t.Fatal(err)
	}
	tr := st.Trend
	if tr == nil || !tr.Comparable || tr.Total.Current != 14 || tr.Total.Previous != 10 || tr.Total.Change != 4 || tr.Total.Percent == nil || *tr.Total.Percent != 0.4 {
		t.Fatalf("trend = %+v, want 14 against 10, +4, +40%%", tr)
	}
	if !tr.PreviousWindow.From.Equal(prevFrom) {
		t.Errorf("previous window from %s, want %s", tr.PreviousWindow.From, prevFrom)
	}
	if !strings.Contains(string(files[stats.ByCodePath]), "\n11200,14,1,0.004,8,6,0.75\n") {
		t.Errorf("%s lacks 11200 with 8 before and +75%%:\n%s", stats.ByCodePath, files[stats.ByCodePath])
	}
	fs := analysis.Analyze(second).Findings
	for id, want := range map[string]string{
		"stats.trend.up":        "Incidents up 40% on the previous 7 days (14 against 10).",
		"stats.trend.rate":      "The error rate was 0.40% against 0.14% in the previous window.",
		"stats.trend.code_up":   "Error 11200 up 75% (14 against 8).",
		"stats.trend.code_gone": "Error 12300 did not occur, against 2 incidents in the previous window.",
	} {
		f, ok := findingByID(fs, id)
		if !ok || f.Sentence != want {
			t.Errorf("%s = %q, want %q", id, f.Sentence, want)
		}
	}
}

func TestDemoBundle_HasTheStatisticsTheTrendAndTheirSentencesInThePDF(t *testing.T) {
	w := collect.Window{From: testkit.WeekFrom, To: testkit.WeekFrom.Add(7 * 24 * time.Hour), Location: testkit.Tokyo(t)}
	ev := testkit.Demo(t, w, func() time.Time { return w.To.Add(time.Hour) },
		collect.AccountInfo{}, collect.Alerts{MaxDetails: -1}, collect.Usage{}, collect.PreviousAlerts{})
	if ev.Previous == nil || len(ev.Previous.Incidents) == 0 {
		t.Fatalf("the demo's API gave no previous week: %+v", ev.Collectors)
	}
	files := writeBundle(t, ev, Options{Reproducible: true})
	for _, name := range StatsFiles {
		if len(files[name]) == 0 {
			t.Errorf("the demo bundle has no %s", name)
		}
	}
	var findings []analysis.Finding
	if err := json.Unmarshal(files[FindingsFile], &findings); err != nil {
		t.Fatal(err)
	}
	text := flat(testkit.PDFText(t, files[SummaryFile]))
	for _, id := range []string{"stats.summary", "stats.first_last", "stats.rate", "stats.band", "stats.burst", "stats.dominant_url", "stats.trend.up"} {
		f, ok := findingByID(findings, id)
		if !ok {
			t.Errorf("findings.json has no %s", id)
			continue
		}
		if !strings.Contains(text, flat(f.Sentence)) {
			t.Errorf("summary.pdf lacks the %s sentence %q", id, f.Sentence)
		}
	}

	// In Japanese, from the same figures.
	needJapaneseFont(t)
	ja := flat(testkit.PDFText(t, writeBundle(t, ev, Options{Reproducible: true, Lang: "ja"})[SummaryFile]))
	for _, id := range []string{"stats.summary", "stats.band", "stats.trend.up"} {
		f, _ := findingByID(findings, id)
		want, err := stats.Sentence(id, "ja", f.Figures)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ja, flat(want)) {
			t.Errorf("the Japanese summary.pdf lacks the %s sentence %q", id, want)
		}
	}
}
