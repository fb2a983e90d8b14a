package demo

import (
	"context"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

func TestDemoWebhooks_VoiceIsFlakySMSIsHealthyNothingElseIsReachable(t *testing.T) {
	to := time.Now().UTC().Truncate(time.Hour)
	d, err := Start(collect.Window{From: to.Add(-7 * 24 * time.Hour), To: to})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	opts := d.Probe
	opts.Count, opts.Interval = 6, time.Millisecond
	p, err := probe.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var targets []probe.Target
	for _, raw := range []string{
		"https://ivr.example-clinic.com/twilio/voice",
		"https://sms.example-clinic.com/twilio/sms",
		"https://www.example.com/#ct=200&tt=500",
		"https://203.0.113.1/#ct=200&tt=500",
	} {
		tg, err := probe.ParseTarget(raw)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	r := p.Run(context.Background(), targets)
	want := []struct {
		verdict  probe.Outcome
		failures int
		class    probe.ErrorClass
	}{
		{probe.OutcomeIntermittent, 2, probe.ClassHTTPStatus},
		{probe.OutcomeOK, 0, ""},
		{probe.CauseDNSNoSuchHost, 6, probe.ClassDNS},
		{probe.CauseConnectTimeout, 6, probe.ClassConnect},
	}
	for i, w := range want {
		ts := r.Targets[i]
		if ts.Outcome != w.verdict || ts.Overall.Failures != w.failures || (w.class != "" && ts.Overall.FailuresByClass[w.class] != w.failures) {
			t.Errorf("%s: verdict=%q failures=%d classes=%v, want %q, %d %s", ts.Target, ts.Outcome, ts.Overall.Failures, ts.Overall.FailuresByClass, w.verdict, w.failures, w.class)
		}
	}
	for _, a := range r.Attempts[:12] {
		if a.Address != VoiceAddr && a.Address != SMSAddr {
			t.Errorf("attempt on %s used address %q, want the demo host's documentation address", a.Target, a.Address)
		}
	}
}
