package collect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// The alerts list stalls on its second page past the collector's deadline:
// the collector is recorded as timed out and the incidents of the first
// page are kept.
func TestRun_TimedOutAlertsKeepTheFirstPage(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(2500))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", After: 1, Stall: 10 * time.Second})
	env := newTestEnv(t, fake)
	Run(context.Background(), env, 1500*time.Millisecond, Alerts{MaxDetails: -1})
	st := env.Evidence.Collectors[0]
	if st.State != StateTimeout {
		t.Fatalf("alerts = %+v, want timeout", st)
	}
	// The first page holds 1000 alerts, two in three of them webhook failures.
	if got := len(env.Evidence.Incidents); got < 600 || got > 700 {
		t.Errorf("%d incidents kept, want the ~667 of the first page", got)
	}
	if env.Evidence.AlertsSeen != 1000 {
		t.Errorf("AlertsSeen = %d, want the 1000 of the first page", env.Evidence.AlertsSeen)
	}
}

func TestRun_RecordsHowARunEndedForEveryCollector(t *testing.T) {
	cases := []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		state  CollectorState
		reason string
	}{
		{"interrupted", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, StateError, "interrupted"},
		{"run deadline", func() (context.Context, context.CancelFunc) {
			return WithRunTimeout(context.Background(), 200*time.Millisecond)
		}, StateTimeout, "the run's deadline (--timeout 200ms) passed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
			defer fake.Close()
			fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: 10 * time.Second})
			env := newTestEnv(t, fake)
			ctx, cancel := c.ctx()
			defer cancel()
			Run(ctx, env, time.Minute, Alerts{}, afterAlerts{}, AccountInfo{})
			if len(env.Evidence.Collectors) != 3 {
				t.Fatalf("collectors = %+v", env.Evidence.Collectors)
			}
			for _, st := range env.Evidence.Collectors[:2] {
				// The one that was running and the one that waited for it
				// both miss their evidence: neither may pass as ok or skipped.
				if st.State != c.state || !strings.Contains(st.Reason, c.reason) {
					t.Errorf("%s = %+v, want %s mentioning %q", st.Name, st, c.state, c.reason)
				}
			}
			// The account collector did not wait for the stalled list.
			if st := env.Evidence.Collectors[2]; st.State != StateOK {
				t.Errorf("account = %+v, want ok: it runs alongside the alerts", st)
			}
		})
	}
}

// TestRun_SwitchedOffCollectorsAreSkippedWhenInterrupted: a run interrupted
// (or out of time) before their turn still records the collectors its
// flags switched off as skipped, with the reason, and the others as missing.
func TestRun_SwitchedOffCollectorsAreSkippedWhenInterrupted(t *testing.T) {
	for _, end := range []string{"interrupted", "deadline"} {
		t.Run(end, func(t *testing.T) {
			fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(1))
			defer fake.Close()
			env := newTestEnv(t, fake)
			ctx, cancel := context.WithCancel(context.Background())
			if end == "deadline" {
				ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			}
			cancel()
			Run(ctx, env, time.Minute, StatusPage{Skip: "--no-status"}, Probes{Disabled: true}, Hops{}, Alerts{})
			want := map[string]CollectorState{"twilio-status": StateSkipped, "probes": StateSkipped, "hops": StateSkipped, "alerts": StateError}
			if end == "deadline" {
				want["alerts"] = StateTimeout
			}
			for _, st := range env.Evidence.Collectors {
				if st.State != want[st.Name] {
					t.Errorf("%s = %s (%s), want %s", st.Name, st.State, st.Reason, want[st.Name])
				}
				if st.State == StateSkipped && !strings.Contains(st.Reason, "--") {
					t.Errorf("%s skipped without naming the flag: %q", st.Name, st.Reason)
				}
			}
		})
	}
}

// afterAlerts waits for the alerts collector and then has nothing to do.
type afterAlerts struct{}

func (afterAlerts) Name() string                        { return "after-alerts" }
func (afterAlerts) After() []string                     { return []string{"alerts"} }
func (afterAlerts) Collect(context.Context, *Env) error { return nil }
