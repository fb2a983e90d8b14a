package collect

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// twoWeeks is the demo account's data over the week before testFrom and the
// week after it.
func twoWeeks(unavailable bool) *faketwilio.AccountData {
	d := faketwilio.DemoData(testFrom.Add(-7*24*time.Hour), testFrom.Add(7*24*time.Hour))
	d.AlertsUnavailable = unavailable
	return d
}

// weekEnv is an Env on data over the week from testFrom, an hour after it ended.
func weekEnv(t *testing.T, data *faketwilio.AccountData) *Env {
	t.Helper()
	env, _ := demoEnv(t, data)
	env.Evidence.Window = Window{From: testFrom, To: testFrom.Add(7 * 24 * time.Hour)}
	env.Now = func() time.Time { return testFrom.Add(7*24*time.Hour + time.Hour) }
	return env
}

func TestPreviousAlerts_KeepsThePreviousWindowApart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		unavailable bool
	}{
		{"monitor alerts", false},
		{"notifications where the Monitor API does not answer", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := weekEnv(t, twoWeeks(tc.unavailable))
			Run(context.Background(), env, time.Minute, Alerts{MaxDetails: -1}, PreviousAlerts{})
			for _, st := range env.Evidence.Collectors {
				if st.State != StateOK {
					t.Fatalf("collector %s: %s (%s)", st.Name, st.State, st.Reason)
				}
			}
			ev := env.Evidence
			pw := PreviousWindow(ev.Window)
			if ev.Previous == nil || ev.Previous.Source != PreviousFromAPI || ev.Previous.Window != pw {
				t.Fatalf("previous = %+v, want the API's over %v", ev.Previous, pw)
			}

			// The alerts collector over the previous window is the answer.
			want := weekEnv(t, twoWeeks(tc.unavailable))
			want.Evidence.Window = pw
			Run(context.Background(), want, time.Minute, Alerts{MaxDetails: -1})
			if len(want.Evidence.Incidents) < 50 {
				t.Fatalf("only %d incidents in the previous week: the test data is too small", len(want.Evidence.Incidents))
			}
			if !reflect.DeepEqual(ev.Previous.Incidents, want.Evidence.Incidents) {
				t.Errorf("previous incidents: got %d, want the %d the alerts collector finds over %v", len(ev.Previous.Incidents), len(want.Evidence.Incidents), pw)
			}
			for _, inc := range ev.Incidents {
				if !ev.Window.Contains(inc.Time) {
					t.Fatalf("incident %s at %s is outside the window: the previous window leaked into Incidents", inc.AlertSID, inc.Time)
				}
			}
			if len(ev.Previous.Usage) != 7 {
				t.Fatalf("previous usage has %d days, want 7", len(ev.Previous.Usage))
			}
			for _, d := range ev.Previous.Usage {
				if !pw.Contains(d.Day) || d.Calls == 0 {
					t.Errorf("previous usage day %s (%d calls) is not a day of %v with traffic", d.Day, d.Calls, pw)
				}
			}
			if len(ev.Usage) != 0 {
				t.Errorf("the previous window's usage went into Evidence.Usage")
			}
		})
	}
}

func TestPreviousAlerts_Skips(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(env *Env)
		reason string
	}{
		{"older than Twilio keeps alerts", func(env *Env) {
			env.Now = func() time.Time { return testFrom.Add(24 * 24 * time.Hour) }
		}, "Twilio keeps alerts for 30 days only"},
		{"a previous bundle gave the baseline", func(env *Env) {
			env.Evidence.Previous = &Previous{Source: PreviousFromBundle, Bundle: "last-week.zip"}
		}, "last-week.zip"},
		{"no credentials", func(env *Env) { env.API = nil }, "no API credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := weekEnv(t, twoWeeks(false))
			tc.setup(env)
			before := env.Evidence.Previous
			Run(context.Background(), env, time.Minute, PreviousAlerts{})
			st := env.Evidence.Collectors[0]
			if st.State != StateSkipped || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("collector = %s (%s), want skipped saying %q", st.State, st.Reason, tc.reason)
			}
			if env.Evidence.Previous != before {
				t.Errorf("previous changed to %+v", env.Evidence.Previous)
			}
		})
	}
}

func TestPreviousAlerts_FailureIsTheCollectors(t *testing.T) {
	env := weekEnv(t, twoWeeks(false))
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, twoWeeks(false))
	t.Cleanup(fake.Close)
	env.API.BaseURL = fake.URL
	env.API.MaxAttempts = 1
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Status: 500})
	Run(context.Background(), env, time.Minute, PreviousAlerts{})
	st := env.Evidence.Collectors[0]
	if st.State != StateError || !strings.Contains(st.Reason, "previous window") {
		t.Errorf("collector = %s (%s), want an error naming the previous window", st.State, st.Reason)
	}
	if env.Evidence.Previous != nil {
		t.Errorf("a baseline from a failed listing: %+v", env.Evidence.Previous)
	}
}
