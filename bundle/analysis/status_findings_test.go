package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

var statusFrom = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

// statusEvidence is a week with customer incidents at the given hours after
// the window's start and the given incidents on Twilio's status page.
func statusEvidence(hours []float64, published ...twiliostatus.Incident) *collect.Evidence {
	ev := &collect.Evidence{
		Account: collect.Account{SID: "AC" + strings.Repeat("0", 32)},
		Window:  collect.Window{From: statusFrom, To: statusFrom.Add(7 * 24 * time.Hour), Location: time.FixedZone("JST", 9*3600)},
		TwilioStatus: &collect.TwilioStatus{PageURL: "https://status.twilio.com", Incidents: published,
			Listed: len(published), Covered: true},
	}
	for i, h := range hours {
		ev.Incidents = append(ev.Incidents, collect.Incident{AlertSID: "NO" + strings.Repeat("1", 31) + string(rune('a'+i)),
			Time: statusFrom.Add(time.Duration(h * float64(time.Hour))), ErrorCode: "11200"})
	}
	return ev
}

// published is a status incident from start to end hours after the
// window's start (end < 0: still open); relevant as the name says.
func published(name string, start, end float64, relevant bool) twiliostatus.Incident {
	inc := twiliostatus.Incident{Name: name, Impact: "minor", Status: "resolved",
		StartedAt: statusFrom.Add(time.Duration(start * float64(time.Hour))),
		Shortlink: "https://stspg.io/" + strings.ToLower(strings.Fields(name)[0]), Relevant: relevant,
		Components: []string{"Voice Webhooks"}}
	inc.CreatedAt = inc.StartedAt
	if end >= 0 {
		inc.ResolvedAt = statusFrom.Add(time.Duration(end * float64(time.Hour)))
	} else {
		inc.Status = "investigating"
	}
	return inc
}

func byID(fs []Finding, id string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestStatusFindings_IncidentOverlappingTheFailuresIsCitedByNameAndLink(t *testing.T) {
	ev := statusEvidence([]float64{10, 49.5, 50, 50.5, 120},
		published("Delays in inbound webhook delivery", 49, 51, true))
	got := byID(statusFindings(ev), FindingTwilioStatusIncident)
	if len(got) != 1 {
		t.Fatalf("got %d twilio.status_incident findings, want 1", len(got))
	}
	f := got[0]
	if f.Step != 4 || f.Severity != Warn {
		t.Errorf("step %d severity %s, want 4 warn", f.Step, f.Severity)
	}
	want := "Twilio reported 'Delays in inbound webhook delivery' from 2026-11-20 10:00 to 12:00 JST " +
		"(2026-11-20 01:00 to 03:00 UTC); 3 of your 5 incidents fall inside it. https://stspg.io/delays"
	if f.Sentence != want {
		t.Errorf("Verdict =\n%s\nwant\n%s", f.Sentence, want)
	}
	if len(f.Evidence) == 0 || f.Evidence[0] != "https://stspg.io/delays" {
		t.Errorf("Evidence does not start with the shortlink: %q", f.Evidence)
	}
	if !strings.Contains(strings.Join(f.Evidence, "|"), collect.StatusIncidentsFile) {
		t.Errorf("Evidence does not point at %s: %q", collect.StatusIncidentsFile, f.Evidence)
	}
	if f.Figures["inside"] != 3 || f.Figures["total"] != 5 || f.Figures["link"] != "https://stspg.io/delays" {
		t.Errorf("Figures = %v", f.Figures)
	}
	if ja, _ := f.Figures["ja"].(string); !strings.Contains(ja, "「Delays in inbound webhook delivery」") {
		t.Errorf("no Japanese sentence in the figures: %q", ja)
	}
	if n := len(byID(statusFindings(ev), FindingTwilioStatusNone)); n != 0 {
		t.Errorf("twilio.status_none alongside an overlapping incident")
	}
}

func TestStatusFindings_Cases(t *testing.T) {
	tests := []struct {
		name      string
		ev        *collect.Evidence
		count     int      // twilio.status_incident findings
		incidents []string // fragments of their verdicts, in order
		none      string   // verdict fragment of twilio.status_none, "" for none
	}{
		{"unresolved incident with failures inside",
			statusEvidence([]float64{100, 150}, published("Degraded SMS delivery", 140, -1, true)),
			1, []string{"'Degraded SMS delivery' from 2026-11-24 05:00 JST, still unresolved", "1 of your 2 incidents falls inside it. https://stspg.io/degraded"}, ""},
		{"two incidents, each with failures inside",
			statusEvidence([]float64{5, 100}, published("Voice outage", 4, 6, true), published("Callback delays", 99, 101, true)),
			2, []string{"'Voice outage'", "'Callback delays'"}, ""},
		{"relevant incident at another time",
			statusEvidence([]float64{10}, published("Voice outage", 100, 101, true)),
			0, nil, "lists no incident on webhooks, voice, messaging or the REST API while your webhooks failed; at other times of the window it lists 'Voice outage' https://stspg.io/voice."},
		{"irrelevant incident over the failures",
			statusEvidence([]float64{10}, published("Console login errors", 9, 11, false)),
			0, nil, "lists no incident on webhooks, voice, messaging or the REST API in the window."},
		{"relevant incident, no failures",
			statusEvidence(nil, published("Voice outage", 9, 11, true)),
			0, nil, "lists 'Voice outage' https://stspg.io/voice on webhooks, voice, messaging or the REST API in the window; you had no webhook failures."},
		{"page does not reach back to the window",
			func() *collect.Evidence {
				ev := statusEvidence([]float64{10})
				ev.TwilioStatus.Covered, ev.TwilioStatus.Listed = false, 50
				return ev
			}(),
			0, nil, "latest 50 incidents only"},
		{"status page not read", func() *collect.Evidence {
			ev := statusEvidence([]float64{10})
			ev.TwilioStatus = nil
			return ev
		}(), 0, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := statusFindings(tc.ev)
			got := byID(fs, FindingTwilioStatusIncident)
			if len(got) != tc.count {
				t.Fatalf("%d twilio.status_incident findings, want %d: %+v", len(got), tc.count, fs)
			}
			var verdicts []string
			for _, f := range got {
				verdicts = append(verdicts, f.Sentence)
			}
			all := strings.Join(verdicts, "\n")
			last := 0
			for _, frag := range tc.incidents {
				i := strings.Index(all[last:], frag)
				if i < 0 {
					t.Fatalf("verdicts\n%s\ndo not contain %q (in order)", all, frag)
				}
				last += i
			}
			none := byID(fs, FindingTwilioStatusNone)
			switch {
			case tc.none == "" && len(none) != 0:
				t.Errorf("unexpected twilio.status_none: %s", none[0].Sentence)
			case tc.none != "" && len(none) != 1:
				t.Errorf("no twilio.status_none")
			case tc.none != "" && !strings.Contains(none[0].Sentence, tc.none):
				t.Errorf("twilio.status_none = %q, want it to contain %q", none[0].Sentence, tc.none)
			}
		})
	}
}

func TestStatusFindings_SayWhenIncidentsComeFromNotifications(t *testing.T) {
	ev := statusEvidence([]float64{10})
	if n := len(byID(statusFindings(ev), FindingIncidentsFromNotifications)); n != 0 {
		t.Fatalf("from_notifications without the fallback")
	}
	ev.AlertsSource, ev.AlertsSourceReason = collect.AlertsFromNotifications, "the Monitor Alerts API does not answer (HTTP 404)"
	got := byID(statusFindings(ev), FindingIncidentsFromNotifications)
	if len(got) != 1 || got[0].Step != 1 || !strings.Contains(got[0].Sentence, "Notifications") {
		t.Fatalf("got %+v", got)
	}
	if !strings.Contains(strings.Join(got[0].Evidence, "|"), "HTTP 404") {
		t.Errorf("the reason is not in the evidence: %q", got[0].Evidence)
	}
}

func TestAnalyze_IncludesTwilioStatusFindings(t *testing.T) {
	ev := statusEvidence([]float64{50}, published("Delays in inbound webhook delivery", 49, 51, true))
	if n := len(byID(Analyze(ev).Findings, FindingTwilioStatusIncident)); n != 1 {
		t.Errorf("Analyze gave %d twilio.status_incident findings, want 1", n)
	}
}

// TestStatusPageUnread_IsContextNotEvidence: a status page that could not
// be read leaves the bundle complete, says so in a finding of step 4 and
// in the verdict's missing evidence, and no collector finding marks the
// bundle incomplete; an evidence collector's failure still does.
func TestStatusPageUnread_IsContextNotEvidence(t *testing.T) {
	ev := statusEvidence([]float64{1, 2, 3})
	ev.TwilioStatus = nil
	ev.Collectors = []collect.CollectorStatus{
		{Name: "alerts", State: collect.StateOK},
		{Name: "twilio-status", State: collect.StateError, Context: true, Reason: "twilio status: get https://status.twilio.com/api/v2/incidents.json: dial tcp: lookup status.twilio.com: no such host",
			Failure: &collect.Failure{Class: collect.FailDNS, Host: "status.twilio.com", Detail: "no such host"}},
	}
	if Incomplete(ev) {
		t.Error("an unread status page made the bundle incomplete")
	}
	res := Analyze(ev)
	var unread *Finding
	for i, f := range res.Findings {
		if strings.HasPrefix(f.ID, "collector.") {
			t.Errorf("finding %s: %s", f.ID, f.Sentence)
		}
		if f.ID == FindingTwilioStatusUnread {
			unread = &res.Findings[i]
		}
	}
	if unread == nil || unread.Step != 4 || unread.Figures["host"] != "status.twilio.com" || strings.Contains(unread.Sentence, "lookup") {
		t.Fatalf("unread finding = %+v, want step 4 with the failure's host and no raw error", unread)
	}
	found := false
	for _, m := range res.Diagnosis.Missing {
		found = found || m == MissingStatusPage
	}
	if !found {
		t.Errorf("missing = %v, want %s", res.Diagnosis.Missing, MissingStatusPage)
	}

	ev.Collectors = append(ev.Collectors, collect.CollectorStatus{Name: "config", State: collect.StateTimeout, Failure: &collect.Failure{Class: collect.FailTimeout}})
	if !Incomplete(ev) {
		t.Error("a timed-out config collector left the bundle complete")
	}
}
