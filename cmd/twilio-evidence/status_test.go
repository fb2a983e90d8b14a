package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// bundleManifest is what these tests read of manifest.json.
type bundleManifest struct {
	Region             string `json:"region"`
	Edge               string `json:"edge"`
	AlertsSource       string `json:"alerts_source"`
	AlertsSourceReason string `json:"alerts_source_reason"`
	Incomplete         bool   `json:"incomplete"`
	Collectors         []struct {
		Name, State, Reason, Source string
	} `json:"collectors"`
}

func (m bundleManifest) collector(name string) (state, reason string) {
	for _, c := range m.Collectors {
		if c.Name == name {
			return c.State, c.Reason
		}
	}
	return "", ""
}

// readBundle runs the command, expects exit code want and returns the
// bundle's files, its manifest and its findings.
func readBundle(t *testing.T, want int, env []string, args ...string) (map[string][]byte, bundleManifest, []map[string]any) {
	t.Helper()
	r := runE2E(t, env, args...)
	if r.code != want {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, want, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	var m bundleManifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(files["findings.json"], &fs); err != nil {
		t.Fatalf("findings.json: %v", err)
	}
	return files, m, fs
}

func findingsWithID(fs []map[string]any, id string) []map[string]any {
	var out []map[string]any
	for _, f := range fs {
		if f["id"] == id {
			out = append(out, f)
		}
	}
	return out
}

// failureTimes are the times of the webhook failures in the fake's alerts.
func failureTimes(d *faketwilio.AccountData) []time.Time {
	var out []time.Time
	for i := 0; i < d.Alerts.Len(); i++ {
		if a := d.Alerts.At(i); twiliocodes.IsWebhookFailure(a.ErrorCode) {
			out = append(out, a.Generated)
		}
	}
	return out
}

func TestE2E_TwilioStatusIncidentOverTheFailuresIsAFinding(t *testing.T) {
	fake, data := e2eFake(t)
	from, to := e2eWindow()
	published := twiliostatus.DemoIncidents(from, to, failureTimes(data)) // one overlapping, one before the window
	published = append(published, twiliostatus.FakeIncident{Name: "Degraded inbound SMS delivery",
		Start: to.Add(-2 * time.Hour), Components: []string{"Inbound SMS"}}) // still open
	page := twiliostatus.NewFakeServer(published)
	defer page.Close()

	files, m, fs := readBundle(t, exitOK, e2eEnv(), e2eBundleArgs(fake, t.TempDir(), "--status-url", page.URL)...)
	if st, reason := m.collector("twilio-status"); st != "ok" {
		t.Fatalf("twilio-status collector = %s (%s)", st, reason)
	}
	raw := files[collect.StatusIncidentsFile]
	if !strings.Contains(string(raw), `"incident_updates"`) {
		t.Errorf("%s is not the page's incidents.json", collect.StatusIncidentsFile)
	}
	got := findingsWithID(fs, "twilio.status_incident")
	if len(got) != 2 {
		t.Fatalf("%d twilio.status_incident findings, want 2 (the webhook delays, the open SMS incident): %v", len(got), got)
	}
	delays, _ := got[0]["verdict"].(string)
	if !strings.Contains(delays, "Twilio reported 'Delays in inbound webhook delivery' from ") ||
		!strings.Contains(delays, " incidents fall inside it. "+page.URL+"/incidents/") {
		t.Errorf("verdict %q does not name and link the incident", delays)
	}
	open, _ := got[1]["verdict"].(string)
	if !strings.Contains(open, "Twilio reported 'Degraded inbound SMS delivery' from ") || !strings.Contains(open, "still unresolved") {
		t.Errorf("verdict %q does not say the SMS incident is unresolved", open)
	}
	for _, f := range fs {
		if s, _ := f["verdict"].(string); strings.Contains(s, "outbound calls") || strings.Contains(s, "Console") {
			t.Errorf("finding about an incident outside the window or irrelevant: %s", s)
		}
	}
	var verdict string
	for _, f := range findingsWithID(fs, "verdict") {
		verdict, _ = f["verdict"].(string)
	}
	if !strings.Contains(string(files["ticket.txt"]), "Delays in inbound webhook delivery") {
		t.Errorf("ticket.txt does not cite the incident (verdict finding: %q)", verdict)
	}
}

// The status page is context: its failure is the collector's error, and
// the bundle is complete (exit 0).
func TestE2E_UnreachableStatusPageIsTheCollectorsErrorAndTheBundleIsComplete(t *testing.T) {
	fake, _ := e2eFake(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	_, good, goodFindings := readBundle(t, exitOK, e2eEnv(), e2eBundleArgs(fake, t.TempDir())...)
	files, m, fs := readBundle(t, exitOK, e2eEnv(), e2eBundleArgs(fake, t.TempDir(), "--status-url", closed)...)
	if st, reason := m.collector("twilio-status"); st != "error" || !strings.Contains(reason, "status page") {
		t.Errorf("twilio-status = %s (%s), want error", st, reason)
	}
	for _, c := range m.Collectors {
		if c.Name != "twilio-status" && c.State != "ok" && c.State != "skipped" {
			t.Errorf("%s = %s (%s): only the status collector should fail", c.Name, c.State, c.Reason)
		}
	}
	if m.Incomplete {
		t.Errorf("manifest marked incomplete for context that could not be read")
	}
	if _, ok := files[collect.StatusIncidentsFile]; ok {
		t.Errorf("%s in the bundle after a failure", collect.StatusIncidentsFile)
	}
	if len(findingsWithID(fs, "twilio.status_incident"))+len(findingsWithID(fs, "twilio.status_none")) != 0 {
		t.Errorf("status findings without a status page")
	}
	count := func(fs []map[string]any) string {
		f := findingsWithID(fs, "incidents.count")
		if len(f) != 1 {
			return ""
		}
		s, _ := f[0]["verdict"].(string)
		return s
	}
	if a, b := count(goodFindings), count(fs); a == "" || a != b {
		t.Errorf("incidents differ: %q without a status page, %q with one", b, a)
	}
	if st, _ := good.collector("twilio-status"); st != "skipped" {
		t.Errorf("against a mock API without --status-url the status collector = %s, want skipped", st)
	}
}

func TestE2E_DemoBundleShowsTwilioStatusIncident(t *testing.T) {
	files, m, fs := readBundle(t, exitOK, nil, "bundle", "--demo", "--output", t.TempDir(), "--tz", "UTC")
	if st, reason := m.collector("twilio-status"); st != "ok" {
		t.Fatalf("twilio-status = %s (%s)", st, reason)
	}
	got := findingsWithID(fs, "twilio.status_incident")
	if len(got) != 1 {
		t.Fatalf("%d twilio.status_incident findings in the demo, want 1", len(got))
	}
	if v, _ := got[0]["verdict"].(string); !strings.Contains(v, "https://status.example.com/incidents/") {
		t.Errorf("demo verdict %q does not link the demo page's incident", v)
	}
	if _, ok := files[collect.StatusIncidentsFile]; !ok {
		t.Errorf("no %s in the demo bundle", collect.StatusIncidentsFile)
	}
	if m.Region != "us1" || m.AlertsSource != "api:alerts" {
		t.Errorf("manifest region %q, alerts source %q", m.Region, m.AlertsSource)
	}
}

func TestE2E_NoStatusSkipsThePage(t *testing.T) {
	_, m, fs := readBundle(t, exitOK, nil, "bundle", "--demo", "--no-status", "--output", t.TempDir())
	if st, reason := m.collector("twilio-status"); st != "skipped" || !strings.Contains(reason, "--no-status") {
		t.Errorf("twilio-status = %s (%s), want skipped because of --no-status", st, reason)
	}
	if n := len(findingsWithID(fs, "twilio.status_incident")); n != 0 {
		t.Errorf("%d status findings with --no-status", n)
	}
}

func TestE2E_RegionAndEdgeAreUsedAndRecorded(t *testing.T) {
	tests := []struct {
		name         string
		env, args    []string
		region, edge string
		wantCode     int
		wantErr      string
	}{
		{"flags", nil, []string{"--region", "ie1", "--edge", "dublin"}, "ie1", "dublin", exitOK, ""},
		{"variables", []string{"TWILIO_REGION=au1", "TWILIO_EDGE=sydney"}, nil, "au1", "sydney", exitOK, ""},
		{"default", nil, nil, "us1", "", exitOK, ""},
		{"bad region", nil, []string{"--region", "ie1.twilio.com"}, "", "", exitUsage, `--region "ie1.twilio.com" is not a Twilio region name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, _ := e2eFake(t)
			args := e2eBundleArgs(fake, t.TempDir(), tc.args...)
			env := append(e2eEnv(), tc.env...)
			if tc.wantCode != exitOK {
				r := runE2E(t, env, args...)
				if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
					t.Fatalf("exit %d, stderr %q; want %d and one line with %q", r.code, r.stderr, tc.wantCode, tc.wantErr)
				}
				return
			}
			files, m, _ := readBundle(t, tc.wantCode, env, args...)
			if m.Region != tc.region || m.Edge != tc.edge {
				t.Errorf("manifest region %q edge %q, want %q %q", m.Region, m.Edge, tc.region, tc.edge)
			}
			if st, reason := m.collector("alerts"); st != "ok" {
				t.Errorf("alerts = %s (%s): the regional hosts did not reach the fake", st, reason)
			}
			if lines := strings.Count(string(files["incidents.csv"]), "\n"); lines < 50 {
				t.Errorf("incidents.csv has %d lines", lines)
			}
		})
	}
}

func TestE2E_NotificationsFallbackGivesTheSameIncidentsCSV(t *testing.T) {
	fake, _ := e2eFake(t)
	alerts, m, _ := readBundle(t, exitOK, e2eEnv(), e2eBundleArgs(fake, t.TempDir(), "--max-details", "1000")...)
	if m.AlertsSource != collect.AlertsFromMonitor {
		t.Errorf("alerts_source = %q", m.AlertsSource)
	}

	from, to := e2eWindow()
	d := faketwilio.DemoData(from, to)
	d.Account.Sid, d.Account.OwnerAccountSid = e2eAccount, e2eAccount
	d.AlertsUnavailable = true
	fb := faketwilio.New(map[string]string{e2eAccount: e2eToken}, d)
	defer fb.Close()
	notes, m, fs := readBundle(t, exitOK, e2eEnv(), e2eBundleArgs(fb, t.TempDir(), "--max-details", "1000")...)
	if m.AlertsSource != collect.AlertsFromNotifications || !strings.Contains(m.AlertsSourceReason, "404") {
		t.Errorf("manifest alerts_source %q (%q), want %q with the reason", m.AlertsSource, m.AlertsSourceReason, collect.AlertsFromNotifications)
	}
	if string(notes["incidents.csv"]) != string(alerts["incidents.csv"]) {
		t.Errorf("incidents.csv differs between the alerts and the notifications:\n%.600s\n---\n%.600s", alerts["incidents.csv"], notes["incidents.csv"])
	}
	if _, ok := notes[collect.NotificationsFile]; !ok {
		t.Errorf("no %s in the fallback bundle", collect.NotificationsFile)
	}
	if len(findingsWithID(fs, "incidents.from_notifications")) != 1 {
		t.Errorf("no finding says the incidents come from the notifications")
	}
}
