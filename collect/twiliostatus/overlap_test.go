package twiliostatus

import (
	"strings"
	"testing"
	"time"
)

func TestAnalyze_CountsCustomerIncidentsInsideEachRelevantSpan(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	start := time.Date(2026, 11, 20, 0, 12, 0, 0, time.UTC)
	hook := Incident{
		Name: "Delays in inbound webhook delivery", StartedAt: start, CreatedAt: start.Add(5 * time.Minute),
		ResolvedAt: start.Add(95 * time.Minute), Shortlink: "https://stspg.io/hook1", Relevant: true,
	}
	open := Incident{
		Name: "Degraded SMS delivery", CreatedAt: start.Add(48 * time.Hour), Shortlink: "https://stspg.io/open1", Relevant: true,
	}
	console := Incident{Name: "Console login errors", CreatedAt: start, ResolvedAt: start.Add(10 * time.Hour)}
	customer := []time.Time{
		start.Add(-time.Minute),     // before the webhook incident
		start,                       // at its start: inside
		start.Add(30 * time.Minute), // inside
		start.Add(95 * time.Minute), // at its end: inside
		start.Add(96 * time.Minute), // after
		start.Add(72 * time.Hour),   // inside the open one
	}
	got := Analyze([]Incident{open, console, hook}, customer, jst)
	if len(got) != 2 {
		t.Fatalf("got %d overlaps, want 2 (the Console incident is not relevant)", len(got))
	}
	h, o := got[0], got[1]
	if h.Incident.Name != hook.Name || o.Incident.Name != open.Name {
		t.Fatalf("order = %q, %q; want by start", h.Incident.Name, o.Incident.Name)
	}
	if h.Inside != 3 || h.Total != 6 {
		t.Errorf("webhook incident: %d of %d inside, want 3 of 6", h.Inside, h.Total)
	}
	if !h.First.Equal(start) || !h.Last.Equal(start.Add(95*time.Minute)) {
		t.Errorf("first/last = %s/%s", h.First, h.Last)
	}
	if o.Inside != 1 {
		t.Errorf("open incident: %d inside, want 1", o.Inside)
	}
	wantEN := "Twilio reported 'Delays in inbound webhook delivery' from 2026-11-20 09:12 to 10:47 JST " +
		"(2026-11-20 00:12 to 01:47 UTC); 3 of your 6 incidents fall inside it. https://stspg.io/hook1"
	if h.English != wantEN {
		t.Errorf("English =\n%s\nwant\n%s", h.English, wantEN)
	}
	wantJA := "Twilio は 2026-11-20 09:12 から 10:47 JST まで「Delays in inbound webhook delivery」を報告しました" +
		"（UTC 2026-11-20 00:12〜01:47）。お客様のインシデント 6 件のうち 3 件がこの期間に含まれます。 https://stspg.io/hook1"
	if h.Japanese != wantJA {
		t.Errorf("Japanese =\n%s\nwant\n%s", h.Japanese, wantJA)
	}
	if h.Sentence("ja") != wantJA || h.Sentence("en") != wantEN {
		t.Errorf("Sentence does not pick the language")
	}
	wantOpen := "Twilio reported 'Degraded SMS delivery' from 2026-11-22 09:12 JST, still unresolved " +
		"(2026-11-22 00:12 UTC); 1 of your 6 incidents falls inside it. https://stspg.io/open1"
	if o.English != wantOpen {
		t.Errorf("open English =\n%s\nwant\n%s", o.English, wantOpen)
	}
	if !strings.Contains(o.Japanese, "まだ解決していません") {
		t.Errorf("open Japanese does not say it is unresolved: %s", o.Japanese)
	}
	if n := len(Touching(got)); n != 2 {
		t.Errorf("Touching = %d, want 2", n)
	}
}

func TestAnalyze_SentenceWording(t *testing.T) {
	start := time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC)
	inc := Incident{Name: "Voice outage", StartedAt: start, ResolvedAt: start.Add(2 * time.Hour), Relevant: true}
	in, out := start.Add(time.Hour), start.Add(-time.Hour)
	tests := []struct {
		name     string
		customer []time.Time
		en, ja   string
	}{
		{"span over midnight, UTC display, none inside", []time.Time{out, out},
			"Twilio reported 'Voice outage' from 2026-11-20 23:00 to 2026-11-21 01:00 UTC; 0 of your 2 incidents fall inside it.",
			"Twilio は 2026-11-20 23:00 から 2026-11-21 01:00 UTC まで「Voice outage」を報告しました。お客様のインシデント 2 件のうち 0 件がこの期間に含まれます。"},
		{"one customer incident, inside", []time.Time{in},
			"Twilio reported 'Voice outage' from 2026-11-20 23:00 to 2026-11-21 01:00 UTC; your one incident falls inside it.", ""},
		{"one customer incident, outside", []time.Time{out},
			"Twilio reported 'Voice outage' from 2026-11-20 23:00 to 2026-11-21 01:00 UTC; your one incident falls outside it.", ""},
		{"no customer incidents", nil,
			"Twilio reported 'Voice outage' from 2026-11-20 23:00 to 2026-11-21 01:00 UTC; you have no incidents in the window.",
			"Twilio は 2026-11-20 23:00 から 2026-11-21 01:00 UTC まで「Voice outage」を報告しました。期間中にお客様のインシデントはありません。"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Analyze([]Incident{inc}, tc.customer, nil)
			if len(got) != 1 {
				t.Fatalf("got %d overlaps", len(got))
			}
			if got[0].English != tc.en {
				t.Errorf("English =\n%s\nwant\n%s", got[0].English, tc.en)
			}
			if tc.ja != "" && got[0].Japanese != tc.ja {
				t.Errorf("Japanese =\n%s\nwant\n%s", got[0].Japanese, tc.ja)
			}
		})
	}
	if n := len(Touching(Analyze([]Incident{inc}, []time.Time{out}, nil))); n != 0 {
		t.Errorf("Touching kept an overlap with nothing inside")
	}
}
