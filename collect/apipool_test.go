package collect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// apiCollectors are every collector of a bundle that uses the API.
func apiCollectors() []Collector {
	return []Collector{AccountInfo{}, Alerts{}, Config{}, Usage{}, PreviousAlerts{}, TwilioDebugLogs{}}
}

// TestAPI_ReusesConnections runs every API collector against a fake served
// over TLS and counts the connections it accepted: a few, however many
// requests there are and whatever the concurrency (over HTTP/1.1, a
// connection for each request in flight at most, and one for each list
// paged at once — the alerts and the previous window's — which have their
// own; over HTTP/2, one for each collector that starts at once).
func TestAPI_ReusesConnections(t *testing.T) {
	for _, tc := range []struct {
		name      string
		http2     bool
		bound     int
		mostConns int
	}{
		{"HTTP/1.1, 4 in flight", false, 4, 4 + 2},
		{"HTTP/1.1, 32 in flight", false, 32, 32 + 2},
		// Over HTTP/2, the collectors that start together may each dial
		// before the first connection is up; then they share it.
		{"HTTP/2, 32 in flight", true, 32, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := faketwilio.NewWith(faketwilio.Options{TLS: true, HTTP2: tc.http2, RTT: 2 * time.Millisecond},
				map[string]string{testAccount: testToken}, testData(3000))
			defer fake.Close()
			env := newTestEnv(t, fake)
			env.API.Transport = fake.Client().Transport // trusts the fake's certificate
			env.API.MaxConcurrency = tc.bound
			Run(context.Background(), env, time.Minute, apiCollectors()...)
			for _, st := range env.Evidence.Collectors {
				if st.State != StateOK {
					t.Errorf("%s = %+v", st.Name, st)
				}
			}
			requests, conns := fake.TotalRequests(), fake.Connections()
			if requests < 250 {
				t.Errorf("%d requests, want the 250 and more of 3 pages of alerts, 200 details and 50 call-event lists", requests)
			}
			if conns < 1 || conns > tc.mostConns {
				t.Errorf("%d connections for %d requests, want 1 to %d", conns, requests, tc.mostConns)
			}
			if st := env.Evidence.API; st == nil || st.Connections != conns || st.Requests != requests {
				t.Errorf("the run's figures %+v, want %d connections and %d requests as the fake counted", st, conns, requests)
			}
		})
	}
}

// A stall on the first page of alerts longer than the per-request deadline
// but within the collector's: the attempt is abandoned and retried, and
// every incident is collected.
func TestAlerts_StalledPageIsRetriedWithinTheCollectorsDeadline(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(2500))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: 20 * time.Second, Times: 1})
	env := newTestEnv(t, fake)
	env.API.RequestTimeout = 500 * time.Millisecond
	Run(context.Background(), env, time.Minute, Alerts{MaxDetails: -1})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("alerts = %+v, want ok after one stalled attempt", st)
	}
	if got, want := len(env.Evidence.Incidents), 2500-2500/3; got != want {
		t.Errorf("%d incidents, want every one of the %d", got, want)
	}
	if st := env.Evidence.API; st.TimedOut != 1 || st.Retries != 1 {
		t.Errorf("API figures %+v, want one attempt timed out and retried", st)
	}
}

// Two 429s with Retry-After on the account fetch are waited out.
func TestAccountInfo_WaitsOutTwoRetryAfters(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + testAccount + ".json", Status: 429, RetryAfter: "1", Times: 2})
	env := newTestEnv(t, fake)
	Run(context.Background(), env, time.Minute, AccountInfo{})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("account = %+v, want ok after two Retry-After", st)
	}
	if env.Evidence.Account.FriendlyName != "Test" {
		t.Errorf("account = %+v", env.Evidence.Account)
	}
	if st := env.Evidence.API; st.Throttled != 2 || st.Retries != 2 || st.BackOffs != 2 {
		t.Errorf("API figures %+v, want 2 throttled answers, 2 retries, 2 back-offs", st)
	}
}

// TestRun_ReasonNamesTheDeadlineThatPassed: the run's, the collector's or
// the per-request deadline, each named with its flag and value, also when
// a Retry-After would pass it.
func TestRun_ReasonNamesTheDeadlineThatPassed(t *testing.T) {
	cases := []struct {
		name      string
		fault     faketwilio.Fault
		run       time.Duration // --timeout; 0 = none
		collector time.Duration
		request   time.Duration
		want      string
	}{
		{"collector", faketwilio.Fault{Stall: time.Minute}, 0, time.Second, 0, "the collector's deadline (--collector-timeout 1s) passed"},
		{"run", faketwilio.Fault{Stall: time.Minute}, time.Second, time.Minute, 0, "the run's deadline (--timeout 1s) passed"},
		{"every attempt", faketwilio.Fault{Stall: time.Minute}, 0, time.Minute, 200 * time.Millisecond, "the per-request deadline (--request-timeout 200ms) passed"},
		{"Retry-After past the deadline", faketwilio.Fault{Status: 429, RetryAfter: "120"}, 0, 30 * time.Second, 0, "would pass the collector's deadline (--collector-timeout 30s)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
			defer fake.Close()
			c.fault.PathPrefix = "/v1/Alerts"
			fake.AddFault(c.fault)
			env := newTestEnv(t, fake)
			env.API.RequestTimeout, env.API.MaxAttempts = c.request, 2
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if c.run > 0 {
				ctx, cancel = WithRunTimeout(ctx, c.run)
			}
			defer cancel()
			Run(ctx, env, c.collector, Alerts{})
			st := env.Evidence.Collectors[0]
			if st.State != StateTimeout || !strings.Contains(st.Reason, c.want) {
				t.Errorf("alerts = %s (%s), want timeout naming %q", st.State, st.Reason, c.want)
			}
			if c.name != "collector" && strings.Contains(st.Reason, "--collector-timeout 1s") ||
				c.name != "run" && strings.Contains(st.Reason, "--timeout") {
				t.Errorf("reason %q names a deadline that did not pass", st.Reason)
			}
		})
	}
}
