package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// e2eFakeWith is e2eFake with a network of its own (faketwilio.Options).
func e2eFakeWith(t *testing.T, o faketwilio.Options) (*faketwilio.Server, *faketwilio.AccountData) {
	t.Helper()
	from, to := e2eWindow()
	d := faketwilio.DemoData(from, to)
	d.Account.Sid, d.Account.OwnerAccountSid = e2eAccount, e2eAccount
	fake := faketwilio.NewWith(o, map[string]string{e2eAccount: e2eToken}, d)
	t.Cleanup(fake.Close)
	return fake, d
}

// apiManifest is what these tests read from manifest.json.
type apiManifest struct {
	Collectors []struct {
		Name, Reason string
		State        collect.CollectorState
	} `json:"collectors"`
	API *collect.APIStats `json:"api"`
}

func readAPIManifest(t *testing.T, files map[string][]byte) apiManifest {
	t.Helper()
	var m apiManifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.API == nil {
		t.Fatal(`manifest.json has no "api"`)
	}
	return m
}

// checkEveryIncident checks that incidents.csv holds every webhook failure
// the fake served, and alerts.ndjson every alert.
func checkEveryIncident(t *testing.T, files map[string][]byte, data *faketwilio.AccountData) {
	t.Helper()
	want := fakeIncidents(data)
	var rows []collect.Incident
	if err := gocsv.UnmarshalBytes(files["incidents.csv"], &rows); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rows {
		got[r.AlertSID] = true
	}
	for sid := range want {
		if !got[sid] {
			t.Errorf("incident %s is missing from incidents.csv", sid)
		}
	}
	if n := strings.Count(string(files["alerts.ndjson"]), "\n"); n != data.Alerts.Len() {
		t.Errorf("alerts.ndjson holds %d alerts, the fake served %d", n, data.Alerts.Len())
	}
}

// TestE2E_ThrottledAboveSixInFlight: the fake answers 429 to every request
// above 6 in flight. The bundle is complete, no alert and no detail is
// lost, the concurrency ends at or below 6 and the manifest says how often
// the run backed off.
func TestE2E_ThrottledAboveSixInFlight(t *testing.T) {
	fake, data := e2eFakeWith(t, faketwilio.Options{MaxInFlight: 6, RTT: 20 * time.Millisecond})
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status")...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	if fake.Throttled() == 0 {
		t.Fatal("the fake throttled nothing: the test did not test")
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	checkEveryIncident(t, files, data)
	details := 0
	for name := range files {
		if strings.HasPrefix(name, collect.TwilioAlertsDir) {
			details++
		}
	}
	if details != 200 {
		t.Errorf("%d alert details in the bundle, want 200 (--max-details)", details)
	}
	m := readAPIManifest(t, files)
	for _, c := range m.Collectors {
		if c.State == collect.StateError || c.State == collect.StateTimeout {
			t.Errorf("%s = %s (%s)", c.Name, c.State, c.Reason)
		}
	}
	a := m.API
	t.Logf("fake: %d requests, %d throttled, %d in flight at most; manifest: %+v", fake.TotalRequests(), fake.Throttled(), fake.PeakInFlight(), *a)
	if a.BackOffs < 1 || a.Throttled < 1 || a.Concurrency.Final > 6 || a.Concurrency.Lowest > 6 || a.Concurrency.Start != 16 {
		t.Errorf(`manifest "api" = %+v; want back-offs recorded and the concurrency settled at 6 or below`, *a)
	}
}

// TestE2E_StalledFirstPageIsRetried: the first page of alerts stalls past
// the per-request deadline (--request-timeout, short here; 30 s by default
// against a 40 s stall) within the collector's deadline: it is retried and
// every incident is collected.
func TestE2E_StalledFirstPageIsRetried(t *testing.T) {
	fake, data := e2eFake(t)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: 40 * time.Second, Times: 1})
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status", "--request-timeout", "1s")...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	checkEveryIncident(t, files, data)
	if m := readAPIManifest(t, files); m.API.TimedOut != 1 {
		t.Errorf(`manifest "api" = %+v, want the one stalled attempt timed out`, *m.API)
	}
}

// TestE2E_TwoRetryAftersOnTheAccount: two 429s with Retry-After on the
// account fetch are waited out and the account is read. Scaled down from
// two Retry-After: 20 against the 30 s per-request timeout: the two waits
// (6 s) outlast --request-timeout 4s, which bounds each attempt, not the
// waits between them.
func TestE2E_TwoRetryAftersOnTheAccount(t *testing.T) {
	fake, _ := e2eFake(t)
	// The check request goes first, once; then the account collector meets
	// the two 429s.
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + e2eAccount + ".json", Status: 429, RetryAfter: "3", After: 1, Times: 2})
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status", "--request-timeout", "4s")...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	m := readAPIManifest(t, testkit.ReadZip(t, strings.TrimSpace(r.stdout)))
	for _, c := range m.Collectors {
		if c.Name == "account" && c.State != collect.StateOK {
			t.Errorf("account = %s (%s), want ok after two Retry-After", c.State, c.Reason)
		}
	}
	if m.API.Throttled != 2 {
		t.Errorf(`manifest "api" = %+v, want the 2 throttled answers`, *m.API)
	}
}

// TestE2E_ReasonsNameTheDeadlineThatRanOut: a stalled list ends at the
// run's deadline with --timeout, at the collector's with
// --collector-timeout, and the manifest's reasons say which.
func TestE2E_ReasonsNameTheDeadlineThatRanOut(t *testing.T) {
	for _, c := range []struct {
		flags      []string
		want, not  string
		stateAlert collect.CollectorState
	}{
		{[]string{"--timeout", "3s"}, "the run's deadline (--timeout 3s) passed", "--collector-timeout", collect.StateTimeout},
		{[]string{"--collector-timeout", "3s"}, "the collector's deadline (--collector-timeout 3s) passed", "--timeout", collect.StateTimeout},
	} {
		t.Run(c.flags[0], func(t *testing.T) {
			fake, _ := e2eFake(t)
			fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: time.Minute})
			out := t.TempDir()
			r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, append([]string{"--no-probe", "--no-status"}, c.flags...)...)...)
			if r.code != exitIncomplete {
				t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
			}
			m := readAPIManifest(t, testkit.ReadZip(t, strings.TrimSpace(r.stdout)))
			for _, col := range m.Collectors {
				if col.Name != "alerts" {
					continue
				}
				if col.State != c.stateAlert || !strings.Contains(col.Reason, c.want) || strings.Contains(col.Reason, c.not) {
					t.Errorf("alerts = %s (%s), want %s naming %q only", col.State, col.Reason, c.stateAlert, c.want)
				}
			}
		})
	}
}
