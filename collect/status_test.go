package collect

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// statusEnv is an Env over the week from testFrom, without API access.
func statusEnv(t *testing.T) *Env {
	t.Helper()
	stage, err := NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	return &Env{
		Evidence: &Evidence{
			Account:   Account{SID: testAccount},
			Window:    Window{From: testFrom, To: testFrom.Add(7 * 24 * time.Hour)},
			Incidents: []Incident{{AlertSID: "NO1", Time: testFrom.Add(50 * time.Hour), ErrorCode: "11200"}},
		},
		Stage:    stage,
		Progress: &warnings{},
	}
}

// statusIncidents are an overlapping webhook incident, one resolved before
// the window, one still open, and one inside the window on the Console.
func statusIncidents() []twiliostatus.FakeIncident {
	return []twiliostatus.FakeIncident{
		{Name: "Delays in inbound webhook delivery", Start: testFrom.Add(49 * time.Hour), End: testFrom.Add(51 * time.Hour),
			Components: []string{"Voice Webhooks"}},
		{Name: "Elevated latency on outbound calls", Start: testFrom.Add(-72 * time.Hour), End: testFrom.Add(-70 * time.Hour),
			Components: []string{"Outbound Calls"}},
		{Name: "Degraded SMS delivery", Start: testFrom.Add(6 * 24 * time.Hour), Components: []string{"Outbound SMS"}},
		{Name: "Twilio Console login errors", Start: testFrom.Add(24 * time.Hour), End: testFrom.Add(25 * time.Hour),
			Components: []string{"Console"}},
	}
}

func TestStatusPage_KeepsTheIncidentsOverlappingTheWindowAndStagesThePage(t *testing.T) {
	srv := twiliostatus.NewFakeServer(statusIncidents())
	defer srv.Close()
	env := statusEnv(t)
	Run(context.Background(), env, time.Minute, StatusPage{BaseURL: srv.URL})

	st := env.Evidence.Collectors[0]
	if st.Name != "twilio-status" || st.State != StateOK || st.Source != "status-page" {
		t.Fatalf("collector = %+v", st)
	}
	ts := env.Evidence.TwilioStatus
	if ts == nil {
		t.Fatal("TwilioStatus not set")
	}
	var got []string
	for _, inc := range ts.Incidents {
		got = append(got, inc.Name)
	}
	sort.Strings(got)
	want := []string{"Degraded SMS delivery", "Delays in inbound webhook delivery", "Twilio Console login errors"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("incidents = %q, want %q (the outbound-calls one ended before the window)", got, want)
	}
	rel := ts.Relevant()
	if len(rel) != 2 {
		t.Errorf("relevant = %d, want 2 (the Console one is not)", len(rel))
	}
	for _, inc := range rel {
		if inc.Name == "Degraded SMS delivery" && !inc.Open() {
			t.Errorf("the unresolved incident is not open")
		}
		if inc.Shortlink == "" {
			t.Errorf("%s has no shortlink", inc.Name)
		}
	}
	if ts.Listed != 4 || !ts.Covered || ts.PageURL != srv.URL {
		t.Errorf("listed %d, covered %v, page %q", ts.Listed, ts.Covered, ts.PageURL)
	}

	resp, err := http.Get(srv.URL + twiliostatus.IncidentsPath)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := env.Stage.Open(StatusIncidentsFile)
	if err != nil {
		t.Fatalf("%s not staged: %v", StatusIncidentsFile, err)
	}
	staged, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(staged, served) {
		t.Errorf("%s is not the page's incidents.json as served", StatusIncidentsFile)
	}
	if w := env.Progress.(*warnings).joined(); !strings.Contains(w, "2 incident(s)") {
		t.Errorf("no warning about the relevant incidents: %q", w)
	}
}

func TestStatusPage_FailureIsTheCollectorsErrorAndNothingElse(t *testing.T) {
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	serving := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		state   CollectorState
		reason  string
	}{
		{"unreachable page", refused(), 0, StateError, "connection refused"},
		{"page answers 503", serving(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "maintenance", 503) }), 0, StateError, "HTTP 503"},
		{"not a status page", serving(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }), 0, StateError, "decode"},
		{"page never answers", serving(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}), 300 * time.Millisecond, StateTimeout, "deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := statusEnv(t)
			before := len(env.Evidence.Incidents)
			start := time.Now()
			Run(context.Background(), env, time.Minute, StatusPage{BaseURL: tc.url, Timeout: tc.timeout})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			st := env.Evidence.Collectors[0]
			if st.State != tc.state || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("collector = %s (%s), want %s mentioning %q", st.State, st.Reason, tc.state, tc.reason)
			}
			if env.Evidence.TwilioStatus != nil {
				t.Errorf("TwilioStatus set after a failure")
			}
			if files := env.Stage.Files(); len(files) != 0 {
				t.Errorf("staged %v after a failure", files)
			}
			if len(env.Evidence.Incidents) != before {
				t.Errorf("incidents changed")
			}
		})
	}
}

func TestStatusPage_SkippedWithItsReasonWithoutARequest(t *testing.T) {
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++ }))
	defer srv.Close()
	env := statusEnv(t)
	Run(context.Background(), env, time.Minute, StatusPage{BaseURL: srv.URL, Skip: "turned off with --no-status"})
	if st := env.Evidence.Collectors[0]; st.State != StateSkipped || !strings.Contains(st.Reason, "--no-status") {
		t.Errorf("collector = %s (%s), want skipped because of --no-status", st.State, st.Reason)
	}
	if requests != 0 || env.Evidence.TwilioStatus != nil {
		t.Errorf("%d requests, TwilioStatus %v", requests, env.Evidence.TwilioStatus)
	}
}

func TestStatusPage_UsesItsTransportAndNamesTheTool(t *testing.T) {
	srv := twiliostatus.NewFakeServer(nil)
	defer srv.Close()
	var agent string
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		agent = r.Header.Get("User-Agent")
		return http.DefaultTransport.RoundTrip(r)
	})
	env := statusEnv(t)
	env.Evidence.Tool = Tool{Name: "twilio-evidence", Version: "1.2.3"}
	Run(context.Background(), env, time.Minute, StatusPage{BaseURL: srv.URL, Transport: rt})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("collector = %s (%s)", st.State, st.Reason)
	}
	if agent != "twilio-evidence/1.2.3" {
		t.Errorf("User-Agent = %q (the transport was not used, or the tool not named)", agent)
	}
	if len(env.Evidence.TwilioStatus.Incidents) != 0 {
		t.Errorf("incidents on an empty page")
	}
}

// roundTrip is a RoundTripper from a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
