package probe

import "testing"

func TestAuditFallback_Findings(t *testing.T) {
	resolved := map[string][]string{
		"app.example":    {"203.0.113.10"},
		"backup.example": {"203.0.113.99"},
		"alias.example":  {"203.0.113.10"},
		"far.example":    {"198.51.100.5"},
		"v6.example":     {"2001:db8:1:1::1"},
		"v6b.example":    {"2001:db8:1:2::2"},
		"dead.example":   {"192.0.2.1"},
	}
	probes := []TargetSummary{
		{Target: "https://dead.example/fallback", Overall: Summary{Attempts: 3, Failures: 3}, Explanation: "every attempt failed"},
		{Target: "https://far.example/fallback", Overall: Summary{Attempts: 3}},
	}
	tests := []struct {
		name string
		ep   Endpoint
		want []string
	}{
		{name: "no fallback", ep: Endpoint{URL: "https://app.example/voice"}, want: []string{FindingNoFallback}},
		{name: "same host", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://app.example/fallback"}, want: []string{FindingSameHost}},
		{name: "same addresses", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://alias.example/fallback"}, want: []string{FindingSameAddresses}},
		{name: "same /24", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://backup.example/fallback"}, want: []string{FindingSameNetwork}},
		{name: "same IPv6 /48", ep: Endpoint{URL: "https://v6.example/voice", FallbackURL: "https://v6b.example/fallback"}, want: []string{FindingSameNetwork}},
		{name: "other network and answering", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://far.example/fallback"}, want: nil},
		{name: "fallback failing its probe", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://dead.example/fallback"}, want: []string{FindingFallbackFails}},
		{name: "TwiML Bin fallback", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://handler.twilio.com/twiml/EH0000"}, want: nil},
		{name: "Functions fallback", ep: Endpoint{URL: "https://app.example/voice", FallbackURL: "https://fallback-1234.twil.io/voice"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.ep.Owner = "PN00000000000000000000000000000000"
			got := AuditFallback(tc.ep, resolved, probes)
			if len(got) != len(tc.want) {
				t.Fatalf("findings = %+v, want kinds %v", got, tc.want)
			}
			for i, f := range got {
				if f.Kind != tc.want[i] || f.Owner != tc.ep.Owner || f.Message == "" {
					t.Errorf("finding %d = %+v, want kind %s", i, f, tc.want[i])
				}
			}
		})
	}
}

func TestResolvedAddresses_FromAttempts(t *testing.T) {
	got := ResolvedAddresses([]Attempt{
		{Target: "https://a.example/x", Mode: ModeDNS, Resolved: []string{"203.0.113.1", "203.0.113.2"}},
		{Target: "https://a.example/y", Mode: ModeDNS, Resolved: []string{"203.0.113.2", "203.0.113.3"}},
		{Target: "https://a.example/x", Mode: ModeDirect, Resolved: []string{"10.0.0.1"}},
	})
	if len(got["a.example"]) != 3 {
		t.Errorf("resolved = %v", got)
	}
}
