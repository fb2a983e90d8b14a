package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

var probeT0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// attempts makes n attempts on target through DNS, the last failures of
// them failed with class and code.
func attempts(target string, n, failures int, class probe.ErrorClass, code int, resolved ...string) []probe.Attempt {
	if len(resolved) == 0 {
		resolved = []string{"203.0.113.10"}
	}
	var out []probe.Attempt
	for i := 0; i < n; i++ {
		a := probe.Attempt{Time: probeT0.Add(time.Duration(i) * time.Minute), Target: target, Mode: probe.ModeDNS, Sample: i,
			ReadTimeoutMs: 15000, Resolved: resolved, Address: resolved[0], OK: true, Phases: probe.Phases{TTFB: 80, Total: 90}}
		if i >= n-failures {
			a.OK, a.ErrorClass, a.TwilioCode = false, class, code
		}
		out = append(out, a)
	}
	return out
}

func withMode(as []probe.Attempt, mode, addr string, ok bool) []probe.Attempt {
	out := make([]probe.Attempt, len(as))
	for i, a := range as {
		a.Mode, a.Address, a.OK = mode, addr, ok
		if !ok {
			a.ErrorClass, a.TwilioCode = probe.ClassRefused, 11202
		} else {
			a.ErrorClass, a.TwilioCode = "", 0
		}
		out[i] = a
	}
	return out
}

func probed(as ...[]probe.Attempt) *collect.ProbeEvidence {
	var all []probe.Attempt
	for _, a := range as {
		all = append(all, a...)
	}
	return &collect.ProbeEvidence{Report: &probe.Report{Attempts: all, Targets: probe.Summarize(all, probe.SummaryOptions{})}}
}

func TestProbeFindings_VerdictsBecomeFindings(t *testing.T) {
	const u = "https://app.example/voice"
	slow := attempts(u, 3, 0, "", 0)
	for i := range slow {
		slow[i].Phases.TTFB = 14000
	}
	history := attempts(u, 4, 2, probe.ClassReadTimeout, 11205)
	tests := []struct {
		name     string
		pe       *collect.ProbeEvidence
		id       string
		step     int
		severity Severity
		says     []string
	}{
		{name: "every probe answered", pe: probed(attempts(u, 3, 0, "", 0)),
			id: FindingProbeOK, step: 2, severity: Pass, says: []string{u, "all 3 probes"}},
		{name: "answers close to the read timeout", pe: probed(slow),
			id: FindingProbeOK, step: 2, severity: Warn, says: []string{"14000 ms", "11205"}},
		{name: "every probe failed", pe: probed(attempts(u, 3, 3, probe.ClassTLSExpired, 11236)),
			id: FindingProbeURLWrong, step: 2, severity: Fail, says: []string{"failed 3 of 3 probes", "tls_expired×3", "11236", "certificate of app.example expired"}},
		{name: "one probe in three failed", pe: probed(attempts(u, 9, 3, probe.ClassHTTPStatus, 11217)),
			id: FindingProbeIntermittent, step: 2, severity: Fail, says: []string{"3 of 9", "33%", "11217", "server load or the network"}},
		{name: "one address of two fails", pe: probed(attempts(u, 2, 0, "", 0, "203.0.113.10", "203.0.113.11"),
			withMode(attempts(u, 2, 0, "", 0), probe.ModeAddress, "203.0.113.10", true),
			withMode(attempts(u, 2, 0, "", 0), probe.ModeAddress, "203.0.113.11", false)),
			id: FindingProbeOneAddressFails, step: 3, severity: Fail, says: []string{"203.0.113.11 failed every probe"}},
		{name: "load balancer fails, origin answers", pe: probed(attempts(u, 2, 2, probe.ClassHTTPStatus, 11217),
			withMode(attempts(u, 2, 0, "", 0), probe.ModeDirect, "10.0.0.5", true)),
			id: FindingProbeLBFails, step: 3, severity: Fail, says: []string{"load balancer", "origin"}},
		{name: "private address", pe: func() *collect.ProbeEvidence {
			as := attempts(u, 2, 0, "", 0, "10.1.2.3")
			for i := range as {
				as[i].Private = true
			}
			return probed(as)
		}(), id: FindingProbePrivate, step: 2, severity: Fail, says: []string{"cannot reach it"}},
		{name: "answers now, failed in the recorded history", pe: func() *collect.ProbeEvidence {
			pe := probed(attempts(u, 3, 0, "", 0))
			pe.History = &collect.ProbeHistory{Attempts: history, Targets: probe.Summarize(history, probe.SummaryOptions{})}
			return pe
		}(), id: FindingProbeIntermittent, step: 2, severity: Fail, says: []string{"2 of 4 recorded probes", "09:00 UTC"}},
		{name: "only in the recorded history", pe: &collect.ProbeEvidence{History: &collect.ProbeHistory{Attempts: history, Targets: probe.Summarize(history, probe.SummaryOptions{})}},
			id: FindingProbeIntermittent, step: 2, severity: Fail, says: []string{"2 of 4 recorded probes"}},
		{name: "override Twilio rejects", pe: &collect.ProbeEvidence{Targets: []collect.ProbeTarget{{URL: u + "#e=roaming", Target: u, Sources: []string{"number +14155550100 voice url"},
			Invalid: &probe.OverrideError{Key: "e", Value: "roaming", Code: 11241, Message: "not supported for webhooks"}}}},
			id: FindingProbeOverrideInvalid, step: 2, severity: Fail, says: []string{"11241", "e=\"roaming\""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := probeFindings(&collect.Evidence{Probes: tc.pe})
			if len(got) != 1 {
				t.Fatalf("findings = %+v, want one", got)
			}
			f := got[0]
			if f.ID != tc.id || f.Step != tc.step || f.Severity != tc.severity {
				t.Errorf("finding %s step %d %s, want %s step %d %s: %s", f.ID, f.Step, f.Severity, tc.id, tc.step, tc.severity, f.Sentence)
			}
			for _, s := range tc.says {
				if !strings.Contains(f.Sentence, s) {
					t.Errorf("verdict does not say %q: %s", s, f.Sentence)
				}
			}
			if len(f.Evidence) == 0 {
				t.Error("no evidence")
			}
			if u, _ := f.Figures["url"].(string); !strings.HasPrefix(u, "https://app.example/voice") {
				t.Errorf("figures = %v, want the URL among them", f.Figures)
			}
		})
	}
}

func TestProbeFindings_FallbackAudit(t *testing.T) {
	ep := func(sid, url, fallback string) collect.Endpoint {
		return collect.Endpoint{OwnerKind: collect.OwnerNumber, OwnerSID: sid, OwnerName: "+1415555" + sid[len(sid)-4:], Channel: collect.ChannelVoice,
			URL: url, Method: "POST", FallbackURL: fallback, Effective: true}
	}
	const (
		pn1 = "PN00000000000000000000000000000001"
		pn2 = "PN00000000000000000000000000000002"
	)
	tests := []struct {
		name   string
		eps    []collect.Endpoint
		probes *collect.ProbeEvidence
		want   []string
		says   string
	}{
		{name: "no fallback, probes skipped", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", "")},
			want: []string{FindingFallbackNone}, says: "no fallback URL"},
		{name: "two numbers without fallback are one finding", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", ""), ep(pn2, "https://app.example/voice", "")},
			want: []string{FindingFallbackNone}, says: "2 webhooks"},
		{name: "fallback on the same host", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", "https://app.example/fallback")},
			want: []string{FindingFallbackSameNetwork}, says: "same host"},
		{name: "fallback in the same /24", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", "https://backup.example/fallback")},
			probes: probed(attempts("https://app.example/voice", 1, 0, "", 0, "203.0.113.10"), attempts("https://backup.example/fallback", 1, 0, "", 0, "203.0.113.20")),
			want:   []string{FindingFallbackSameNetwork}, says: "same network"},
		{name: "fallback failing its probes", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", "https://other.example/fallback")},
			probes: probed(attempts("https://app.example/voice", 2, 0, "", 0, "203.0.113.10"), attempts("https://other.example/fallback", 2, 2, probe.ClassRefused, 11202, "198.51.100.7")),
			want:   []string{FindingFallbackFails}, says: "fallback fails too"},
		{name: "fallback on a TwiML Bin", eps: []collect.Endpoint{ep(pn1, "https://app.example/voice", "https://handler.twilio.com/twiml/EH00000000000000000000000000000000")}},
		{name: "not effective (handled by an application)", eps: []collect.Endpoint{func() collect.Endpoint {
			e := ep(pn1, "https://app.example/voice", "")
			e.Effective, e.HandledBy = false, "AP00000000000000000000000000000001"
			return e
		}()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Finding
			for _, f := range probeFindings(&collect.Evidence{Endpoints: tc.eps, Probes: tc.probes}) {
				if strings.HasPrefix(f.ID, "probe.fallback.") {
					got = append(got, f)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("fallback findings = %+v, want %v", got, tc.want)
			}
			for i, f := range got {
				if f.ID != tc.want[i] || !strings.Contains(f.Sentence, tc.says) || !strings.Contains(f.Sentence, "different network") {
					t.Errorf("finding %s: %s; want %s saying %q", f.ID, f.Sentence, tc.want[i], tc.says)
				}
			}
		})
	}
}

func TestAnalyze_ReportsAMissingFallbackWithoutProbes(t *testing.T) {
	ev := &collect.Evidence{Endpoints: []collect.Endpoint{{OwnerKind: collect.OwnerNumber, OwnerSID: "PN00000000000000000000000000000001",
		OwnerName: "+14155550100", Channel: collect.ChannelVoice, URL: "https://app.example/voice", Effective: true}}}
	n := 0
	for _, f := range Analyze(ev).Findings {
		if f.ID == FindingFallbackNone {
			n++
		}
		if f.ID == "config.no_fallback" {
			t.Errorf("the old finding is still made: %+v", f)
		}
	}
	if n != 1 {
		t.Errorf("%d %s findings, want 1", n, FindingFallbackNone)
	}
}
