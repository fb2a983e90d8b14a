package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

func hopEvidence(groups ...hoplog.Reach) *collect.Evidence {
	total := 0
	for _, g := range groups {
		total += g.Count
	}
	rep := hoplog.Report{Hops: []string{"firewall", "lb", "web"}, Reached: []int{total, 0, 0}, Total: total, Mixed: len(groups) > 1, Summary: "s"}
	for _, g := range groups {
		g.Total = total
		rep.Reaches = append(rep.Reaches, g)
	}
	return &collect.Evidence{Hops: &collect.HopEvidence{Report: rep}}
}

func TestHopFindings_OneFindingPerOutcomeForTheCustomer(t *testing.T) {
	tests := []struct {
		name   string
		v      hoplog.Reach
		id     string
		step   int
		phrase string
	}{
		{"lost", hoplog.Reach{Outcome: hoplog.OutcomeLost, From: "firewall", To: "lb", Count: 4}, "hops.lost", 3, "firewall is the last component whose log has them, so they stopped there. Check firewall's configuration"},
		{"dropped", hoplog.Reach{Outcome: hoplog.OutcomeDropped, From: "firewall", Count: 4}, "hops.firewall_drop", 3, "refused by firewall"},
		{"nowhere", hoplog.Reach{Outcome: hoplog.OutcomeNotReached, Count: 4}, "hops.never_reached", 3, "send this bundle to Twilio support"},
		{"5xx", hoplog.Reach{Outcome: hoplog.OutcomeAppError, From: "web", Count: 4, Statuses: map[int]int{502: 4}}, "hops.app_failed", 1, "answered 502 ×4"},
		{"slow", hoplog.Reach{Outcome: hoplog.OutcomeTooSlow, From: "web", Count: 4, Timeout: 15 * time.Second, Slowest: 16 * time.Second}, "hops.app_failed", 1, "too slow"},
		{"answered", hoplog.Reach{Outcome: hoplog.OutcomeAnswered, From: "web", Count: 4, Statuses: map[int]int{200: 4}}, "hops.answered", 1, "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := hopFindings(hopEvidence(tt.v))
			if len(fs) != 1 || fs[0].ID != tt.id || fs[0].Step != tt.step || !strings.Contains(fs[0].Sentence, tt.phrase) || !strings.Contains(fs[0].Sentence, "4 of 4") {
				t.Fatalf("findings = %+v, want one %s (step %d) saying %q", fs, tt.id, tt.step, tt.phrase)
			}
		})
	}
}

func TestHopFindings_MixedGivesProportionsAndEachGroup(t *testing.T) {
	fs := hopFindings(hopEvidence(
		hoplog.Reach{Outcome: hoplog.OutcomeLost, From: "lb", To: "web", Count: 3},
		hoplog.Reach{Outcome: hoplog.OutcomeAppError, From: "web", Count: 1, Statuses: map[int]int{500: 1}},
	))
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	if strings.Join(ids, ",") != "hops.mixed,hops.lost,hops.app_failed" {
		t.Fatalf("ids = %v", ids)
	}
	if !strings.Contains(fs[0].Sentence, "lost between lb and web: 3 of 4 (75%)") || !strings.Contains(fs[0].Sentence, "1 of 4 (25%)") {
		t.Errorf("mixed = %q", fs[0].Sentence)
	}
}

func TestHopFindings_NoneWithoutTrace(t *testing.T) {
	if fs := hopFindings(&collect.Evidence{}); len(fs) != 0 {
		t.Errorf("findings = %+v, want none", fs)
	}
}

// TestHopFindings_UndecidedIsNeverNeverReached: incidents a hop could not
// read give hops.undecided naming the hop and the reason, and the headline
// does not say "never reached".
func TestHopFindings_UndecidedIsNeverNeverReached(t *testing.T) {
	ev := hopEvidence(hoplog.Reach{Outcome: hoplog.OutcomeUndecided, To: "web", Reason: hoplog.ReasonNoLineParsed, Count: 4})
	ev.Incidents = []collect.Incident{{AlertSID: "NO1", URL: "https://hooks.example.com/voice"}}
	fs := hopFindings(ev)
	if len(fs) != 1 || fs[0].ID != FindingHopsUndecided || !strings.Contains(fs[0].Sentence, "web's log could not be read") || !strings.Contains(fs[0].Sentence, "not in the format") {
		t.Fatalf("findings = %+v", fs)
	}
	for _, f := range Analyze(ev).Findings {
		if f.ID == FindingHopsNeverReached || strings.Contains(f.Sentence, "never reached") || strings.Contains(f.Sentence, "did not reach your network") {
			t.Errorf("finding %s says the requests never reached: %q", f.ID, f.Sentence)
		}
	}
	if d := Diagnose(ev); d.Cause == CauseOutsideNetwork {
		t.Errorf("headline = %s from unread evidence", d.Cause)
	}
}

// TestHopFindings_DropWithBackgroundScansStatesRateAndLowerConfidence: a
// drop finding whose firewall drops connections to the webhook all the time
// says how often and that its confidence is lower, and the diagnosis takes
// it with that confidence.
func TestHopFindings_DropWithBackgroundScansStatesRateAndLowerConfidence(t *testing.T) {
	bg := &hoplog.Background{Drops: 540, Minutes: 180, Window: 90 * time.Second, Targets: []string{"203.0.113.10:443"}}
	fs := hopFindings(hopEvidence(hoplog.Reach{Outcome: hoplog.OutcomeDropped, From: "firewall", Count: 4, Background: bg, Confidence: bg.Confidence()}))
	if len(fs) != 1 || fs[0].ID != FindingHopsFirewallDrop {
		t.Fatalf("findings = %+v", fs)
	}
	for _, want := range []string{"refused by firewall", "also drops connections to 203.0.113.10:443 outside the incidents' windows, 180.0 an hour", "confidence low"} {
		if !strings.Contains(fs[0].Sentence, want) {
			t.Errorf("verdict = %q, want %q", fs[0].Sentence, want)
		}
	}
	quiet := hopFindings(hopEvidence(hoplog.Reach{Outcome: hoplog.OutcomeDropped, From: "firewall", Count: 4, Confidence: "high"}))
	if strings.Contains(quiet[0].Sentence, "outside the incidents' windows") {
		t.Errorf("verdict without background = %q", quiet[0].Sentence)
	}
}

// TestHopFindings_AWebhookChangeIsSaidInTheDisplayZone: the time of a
// webhook change Monitor recorded is in the window's zone, like every other
// time of the bundle.
func TestHopFindings_AWebhookChangeIsSaidInTheDisplayZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip(err)
	}
	ev := &collect.Evidence{Window: collect.Window{Location: tokyo}, TwilioLogs: &collect.TwilioLogs{ConfigChanges: []collect.ConfigChange{{
		Time: time.Date(2026, 11, 29, 20, 31, 0, 0, time.UTC), EventSID: "AE1", ResourceSID: "PN1", Field: "voice_url",
		Previous: "https://ivr.example.com/voice", Updated: "https://ivr.example.com/twilio/voice"}}}}
	fs := hopFindings(ev)
	if len(fs) != 1 || fs[0].ID != FindingWebhookChanged {
		t.Fatalf("findings %+v", fs)
	}
	if !strings.Contains(fs[0].Sentence, "2026-11-30 05:31 JST") {
		t.Errorf("%q does not say the change's time in Asia/Tokyo (2026-11-30 05:31 JST)", fs[0].Sentence)
	}
}
