package analysis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

var testWindow = collect.Window{
	From: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
}

// incidents makes n incidents of one error code and HTTP status.
func incidents(n int, code string, status int) []collect.Incident {
	out := make([]collect.Incident, n)
	for i := range out {
		out[i] = collect.Incident{
			AlertSID: fmt.Sprintf("NO%032x", i), Time: testWindow.From.Add(time.Duration(i) * time.Hour),
			ErrorCode: code, HTTPStatus: status, ResourceSID: fmt.Sprintf("CA%032x", i), Kind: collect.KindCall,
			Method: "POST", URL: "https://ivr.example.com/voice",
		}
	}
	return out
}

func finding(id string) Finding {
	return Finding{ID: id, Severity: Fail, Verdict: "sentence of " + id}
}

// evidenceWith is an Evidence whose alerts collector finished, with the
// given incidents.
func evidenceWith(incs ...[]collect.Incident) *collect.Evidence {
	ev := &collect.Evidence{Window: testWindow, Account: collect.Account{SID: "AC0123456789abcdef0123456789abcdef"},
		Collectors: []collect.CollectorStatus{{Name: "alerts", State: collect.StateOK}}}
	for _, in := range incs {
		ev.Incidents = append(ev.Incidents, in...)
	}
	return ev
}

func TestIsolate_OneVerdictPerCase(t *testing.T) {
	probed := func(ids ...string) []Finding {
		fs := []Finding{}
		for _, id := range ids {
			fs = append(fs, finding(id))
		}
		return fs
	}
	cases := []struct {
		name       string
		ev         *collect.Evidence
		findings   []Finding
		kind, step string
		confidence string
		basis      string // a finding ID or catalog key that must be in the basis
	}{
		{"probe says the URL is wrong", evidenceWith(incidents(5, "11200", 0)), probed("probe.url_wrong", "hops.never_reached"),
			VerdictURLWrong, "2", ConfidenceHigh, "probe.url_wrong"},
		{"expired certificate from the error codes alone", evidenceWith(incidents(8, "11236", 0)), nil,
			VerdictURLWrong, "2", ConfidenceMedium, "reason.codes_certificate"},
		{"host name does not resolve", evidenceWith(incidents(3, "11210", 0)), nil,
			VerdictURLWrong, "2", ConfidenceMedium, "reason.codes_dns"},
		{"probes fail now and then", evidenceWith(incidents(9, "11205", 0)), probed("probe.intermittent"),
			VerdictIntermittent, "2", ConfidenceMedium, "probe.intermittent"},
		{"one address behind the name fails", evidenceWith(incidents(9, "11205", 0)), probed("probe.one_address_fails", "probe.intermittent"),
			VerdictOneAddress, "2/3", ConfidenceHigh, "probe.one_address_fails"},
		{"hop trace: the application failed", evidenceWith(incidents(4, "11200", 0)), probed("hops.app_failed", "probe.ok"),
			VerdictAppFailed, "1", ConfidenceHigh, "hops.app_failed"},
		{"application answered 500 and without Content-Type", evidenceWith(incidents(6, "11217", 500), incidents(2, "12300", 200)), nil,
			VerdictAppFailed, "1", ConfidenceMedium, "reason.codes_app_status"},
		{"firewall dropped the requests", evidenceWith(incidents(7, "11205", 0)), probed("hops.firewall_drop", "probe.ok"),
			VerdictDropped, "3", ConfidenceHigh, "hops.firewall_drop"},
		{"load balancer lost them", evidenceWith(incidents(7, "11205", 0)), probed("hops.lost"),
			VerdictDropped, "3", ConfidenceHigh, "hops.lost"},
		{"probe through the load balancer fails", evidenceWith(incidents(7, "11205", 0)), probed("probe.lb_fails"),
			VerdictDropped, "3", ConfidenceHigh, "probe.lb_fails"},
		{"nobody saw the requests, the URL works", evidenceWith(incidents(12, "11205", 0)), probed("hops.never_reached", "probe.ok"),
			VerdictNeverReached, "4", ConfidenceHigh, "hops.never_reached"},
		{"Twilio incident with only weak customer-side evidence", evidenceWith(incidents(12, "11200", 502)), probed("twilio.status_incident"),
			VerdictTwilioSide, "4", ConfidenceMedium, "twilio.status_incident"},
		{"no failures", evidenceWith(), nil, VerdictNoFailures, "", ConfidenceHigh, ""},
		{"connection failures and nothing else", evidenceWith(incidents(10, "11205", 0)), nil,
			VerdictInsufficient, "", ConfidenceLow, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iso := Isolate(c.ev, c.findings)
			if iso.Kind != c.kind || iso.Step != c.step || iso.Confidence != c.confidence {
				t.Fatalf("got %s step %q confidence %s, want %s step %q confidence %s (basis %+v, conflicts %+v)",
					iso.Kind, iso.Step, iso.Confidence, c.kind, c.step, c.confidence, iso.Basis, iso.Conflicts)
			}
			if c.basis != "" && !hasReason(iso.Basis, c.basis) {
				t.Errorf("basis %+v lacks %s", iso.Basis, c.basis)
			}
			l, err := NewText("en")
			if err != nil {
				t.Fatal(err)
			}
			if h := l.Headline(iso); strings.HasPrefix(h, "verdict.") || strings.Contains(h, "no value") {
				t.Errorf("headline not rendered: %q", h)
			}
		})
	}
}

func hasReason(rs []Reason, id string) bool {
	for _, r := range rs {
		if r.FindingID == id || r.Key == id {
			return true
		}
	}
	return false
}

func TestIsolate_ConflictingEvidenceIsShown(t *testing.T) {
	t.Run("equally strong evidence both ways is a conflict", func(t *testing.T) {
		iso := Isolate(evidenceWith(incidents(5, "11200", 0)), []Finding{finding("hops.app_failed"), finding("probe.url_wrong")})
		if iso.Kind != VerdictConflict || iso.Confidence != ConfidenceLow {
			t.Fatalf("got %s (%s), want a low-confidence conflict", iso.Kind, iso.Confidence)
		}
		if !hasReason(iso.Basis, "probe.url_wrong") || !hasReason(iso.Conflicts, "hops.app_failed") {
			t.Errorf("both sides must be listed: basis %+v conflicts %+v", iso.Basis, iso.Conflicts)
		}
		l, _ := NewText("en")
		h := l.Headline(iso)
		if !strings.Contains(h, "URL or certificate wrong") || !strings.Contains(h, "the application failed") {
			t.Errorf("headline %q does not name both sides", h)
		}
	})
	t.Run("weaker evidence elsewhere lowers the confidence and stays listed", func(t *testing.T) {
		// Hops say the requests never arrived; the codes say HTTP 500
		// answers from the application.
		iso := Isolate(evidenceWith(incidents(6, "11217", 500)), []Finding{finding("hops.never_reached")})
		if iso.Kind != VerdictNeverReached || iso.Confidence != ConfidenceMedium {
			t.Fatalf("got %s (%s), want never_reached at medium", iso.Kind, iso.Confidence)
		}
		if !hasReason(iso.Conflicts, "reason.codes_app_status") {
			t.Errorf("conflicting code evidence hidden: %+v", iso.Conflicts)
		}
	})
	t.Run("a Twilio incident does not hide strong customer-side evidence", func(t *testing.T) {
		iso := Isolate(evidenceWith(incidents(6, "11200", 0)), []Finding{finding("hops.app_failed"), finding("twilio.status_incident")})
		if iso.Kind != VerdictAppFailed {
			t.Fatalf("got %s, want app_failed", iso.Kind)
		}
		if iso.TwilioIncident == nil || !hasReason(iso.Conflicts, "twilio.status_incident") {
			t.Errorf("the Twilio incident must be shown as conflicting: %+v", iso.Conflicts)
		}
	})
	t.Run("Twilio side keeps the customer-side evidence in view", func(t *testing.T) {
		iso := Isolate(evidenceWith(incidents(6, "11217", 500)), []Finding{finding("twilio.status_incident")})
		if iso.Kind != VerdictTwilioSide {
			t.Fatalf("got %s, want twilio_side", iso.Kind)
		}
		if !hasReason(iso.CustomerSide, "reason.codes_app_status") {
			t.Errorf("customer-side evidence hidden: %+v", iso.CustomerSide)
		}
	})
	t.Run("a Twilio incident over a few of many failures does not lead", func(t *testing.T) {
		few := finding("twilio.status_incident")
		few.Figures = map[string]any{"inside": 4, "total": 280}
		iso := Isolate(evidenceWith(incidents(6, "11217", 500)), []Finding{few})
		if iso.Kind == VerdictTwilioSide {
			t.Fatalf("got twilio_side for an incident covering 4 of 280 failures")
		}
		if !hasReason(iso.Conflicts, "twilio.status_incident") {
			t.Errorf("the Twilio incident must still be shown: %+v", iso.Conflicts)
		}
		most := finding("twilio.status_incident")
		most.Figures = map[string]any{"inside": 200, "total": 280}
		if iso := Isolate(evidenceWith(incidents(6, "11217", 500)), []Finding{most}); iso.Kind != VerdictTwilioSide {
			t.Errorf("got %s for an incident covering 200 of 280 failures, want twilio_side", iso.Kind)
		}
	})
	t.Run("a Twilio incident leads when nothing on the customer's side explains the failures", func(t *testing.T) {
		few := finding("twilio.status_incident")
		few.Figures = map[string]any{"inside": 4, "total": 280}
		if iso := Isolate(evidenceWith(incidents(6, "11200", 0)), []Finding{few, finding("hops.never_reached")}); iso.Kind != VerdictTwilioSide {
			t.Errorf("got %s, want twilio_side", iso.Kind)
		}
	})
	t.Run("a wrong URL explains why nothing arrived: no conflict", func(t *testing.T) {
		iso := Isolate(evidenceWith(incidents(5, "11200", 0)), []Finding{finding("probe.url_wrong"), finding("hops.never_reached")})
		if iso.Kind != VerdictURLWrong || len(iso.Conflicts) != 0 {
			t.Fatalf("got %s with conflicts %+v", iso.Kind, iso.Conflicts)
		}
	})
}

func TestIsolate_SaysWhatToAdd(t *testing.T) {
	cases := []struct {
		name    string
		ev      *collect.Evidence
		fs      []Finding
		missing []string
	}{
		{"nothing but alerts", evidenceWith(incidents(10, "11205", 0)), nil, []string{MissingProbes, MissingHops}},
		{"probes given", evidenceWith(incidents(10, "11205", 0)), []Finding{finding("probe.ok")}, []string{MissingHops}},
		{"alerts failed", &collect.Evidence{Window: testWindow, Collectors: []collect.CollectorStatus{{Name: "alerts", State: collect.StateError, Reason: "401"}}},
			nil, []string{MissingAlerts}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iso := Isolate(c.ev, c.fs)
			if iso.Kind != VerdictInsufficient {
				t.Fatalf("got %s, want insufficient", iso.Kind)
			}
			if strings.Join(iso.Missing, ",") != strings.Join(c.missing, ",") {
				t.Errorf("missing %v, want %v", iso.Missing, c.missing)
			}
			l, _ := NewText("en")
			if h := l.Headline(iso); !strings.Contains(h, "Not enough evidence — add") {
				t.Errorf("headline %q", h)
			}
		})
	}
}

func TestAnalyze_VerdictHeadsFindings(t *testing.T) {
	fs := Analyze(evidenceWith(incidents(3, "11236", 0)))
	if len(fs) == 0 || fs[0].ID != "verdict" {
		t.Fatalf("first finding is not the verdict: %+v", fs)
	}
	if fs[0].Verdict != "URL or certificate wrong (step 2)." || fs[0].Step != 2 || fs[0].Severity != Fail {
		t.Errorf("verdict finding %+v", fs[0])
	}
}

func TestIsolate_DifferentCausesOnDifferentHostsAreNoConflict(t *testing.T) {
	sms := incidents(3, "11200", 503)
	for i := range sms {
		sms[i].URL = "https://sms.example.com/sms"
	}
	ev := evidenceWith(incidents(9, "11205", 0), sms)
	lost := Finding{ID: "hops.lost", Verdict: "ivr.example.com: 9 of 9 failed requests reached firewall but never arrived at lb."}
	app := Finding{ID: "hops.app_failed", Verdict: "sms.example.com: 3 of 3 failed requests reached web, which answered 503."}
	iso := Isolate(ev, []Finding{app, lost, lost}) // the same finding twice counts once
	if iso.Kind != VerdictDropped {
		t.Fatalf("got %s, want dropped (the host with the most incidents)", iso.Kind)
	}
	if len(iso.Elsewhere) != 1 || iso.Elsewhere[0].Scope != "sms.example.com" || len(iso.Basis) != 1 {
		t.Errorf("elsewhere %+v, basis %+v: want the SMS host's failure as a second problem and one basis line", iso.Elsewhere, iso.Basis)
	}
	for _, r := range iso.Conflicts {
		if r.FindingID == "hops.app_failed" {
			t.Errorf("another host's cause is listed as a conflict: %+v", r)
		}
	}
}
