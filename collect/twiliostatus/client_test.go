package twiliostatus

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	winFrom = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	winTo   = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
)

// fetchFrom serves incidents on a fake page and fetches the window.
func fetchFrom(t *testing.T, incidents []FakeIncident) *Incidents {
	t.Helper()
	srv := NewFakeServer(incidents)
	t.Cleanup(srv.Close)
	c := &Client{BaseURL: srv.URL, HTTPClient: srv.Client()}
	got, err := c.Fetch(context.Background(), winFrom, winTo)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return got
}

// names lists the incidents' names.
func names(incs []Incident) []string {
	var out []string
	for _, i := range incs {
		out = append(out, i.Name)
	}
	return out
}

func TestFetch_KeepsIncidentsWhoseSpanOverlapsTheWindow(t *testing.T) {
	at := func(d time.Duration) time.Time { return winFrom.Add(d) }
	day := 24 * time.Hour
	tests := []struct {
		name string
		inc  FakeIncident
		keep bool
	}{
		{"inside the window", FakeIncident{Start: at(2 * day), End: at(2*day + time.Hour)}, true},
		{"resolved before the window", FakeIncident{Start: at(-3 * day), End: at(-3*day + time.Hour)}, false},
		{"starts after the window", FakeIncident{Start: winTo.Add(time.Hour), End: winTo.Add(2 * time.Hour)}, false},
		{"starts exactly at the window's end", FakeIncident{Start: winTo, End: winTo.Add(time.Hour)}, false},
		{"started before, resolved inside", FakeIncident{Start: at(-time.Hour), End: at(time.Hour)}, true},
		{"resolved exactly at the window's start", FakeIncident{Start: at(-time.Hour), End: winFrom}, true},
		{"spans the whole window", FakeIncident{Start: at(-day), End: winTo.Add(day)}, true},
		{"still open, started before the window", FakeIncident{Start: at(-10 * day)}, true},
		{"still open, started inside", FakeIncident{Start: at(3 * day)}, true},
		{"still open, started after the window", FakeIncident{Start: winTo.Add(time.Hour)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inc := tc.inc
			inc.Name = "Voice outage"
			inc.Components = []string{"Inbound Calls"}
			got := fetchFrom(t, []FakeIncident{inc})
			if kept := len(got.Incidents) == 1; kept != tc.keep {
				t.Fatalf("kept = %v, want %v (incidents %v)", kept, tc.keep, names(got.Incidents))
			}
			if got.Listed != 1 {
				t.Errorf("Listed = %d, want 1", got.Listed)
			}
		})
	}
}

func TestFetch_ReportsTheIncidentAsPublished(t *testing.T) {
	start := time.Date(2026, 11, 20, 4, 48, 0, 0, time.UTC)
	got := fetchFrom(t, []FakeIncident{{
		ID:         "abc123def456",
		Name:       "Delays in inbound webhook delivery",
		Impact:     "major",
		Start:      start,
		Posted:     start.Add(7 * time.Minute),
		End:        start.Add(2 * time.Hour),
		Components: []string{"Voice Webhooks", "Messaging Webhooks"},
		Body:       "We are investigating.",
		Shortlink:  "https://stspg.io/abc",
	}})
	if len(got.Incidents) != 1 {
		t.Fatalf("incidents = %v, want one", names(got.Incidents))
	}
	want := Incident{
		ID:           "abc123def456",
		Name:         "Delays in inbound webhook delivery",
		Impact:       "major",
		Status:       "resolved",
		CreatedAt:    start.Add(7 * time.Minute),
		StartedAt:    start,
		ResolvedAt:   start.Add(2 * time.Hour),
		UpdatedAt:    start.Add(2 * time.Hour),
		Components:   []string{"Messaging Webhooks", "Voice Webhooks"},
		Shortlink:    "https://stspg.io/abc",
		LatestUpdate: "This incident has been resolved.",
		Concerns:     []string{ConcernMessaging, ConcernVoice, ConcernWebhooks},
		Relevant:     true,
	}
	if !reflect.DeepEqual(got.Incidents[0], want) {
		t.Errorf("incident =\n%+v\nwant\n%+v", got.Incidents[0], want)
	}
	if got.Page.Name != "Twilio" || got.Page.ID == "" {
		t.Errorf("page = %+v, want Twilio's page object", got.Page)
	}
	if len(got.Raw) == 0 || !strings.Contains(string(got.Raw), `"incident_updates"`) {
		t.Errorf("Raw does not hold the body as received")
	}
}

func TestFetch_FlagsIncidentsOnRelevantComponents(t *testing.T) {
	start := winFrom.Add(48 * time.Hour)
	tests := []struct {
		name       string
		incName    string
		components []string
		relevant   bool
	}{
		{"webhook component", "Elevated errors", []string{"Messaging Webhooks"}, true},
		{"voice component", "Elevated errors", []string{"Outbound Calls"}, true},
		{"messaging component", "Elevated errors", []string{"Inbound SMS"}, true},
		{"REST API component", "Elevated errors", []string{"REST API"}, true},
		{"irrelevant component", "Login errors", []string{"Console"}, false},
		{"irrelevant product API", "Elevated errors", []string{"Verify"}, false},
		{"relevant name, no component", "Delays in inbound webhook delivery", nil, true},
		{"relevant name, irrelevant component", "SMS verification codes delayed", []string{"Verify"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fetchFrom(t, []FakeIncident{{Name: tc.incName, Start: start, End: start.Add(time.Hour), Components: tc.components}})
			if len(got.Incidents) != 1 {
				t.Fatalf("incidents = %v, want one", names(got.Incidents))
			}
			if r := got.Incidents[0].Relevant; r != tc.relevant {
				t.Errorf("Relevant = %v, want %v (concerns %v)", r, tc.relevant, got.Incidents[0].Concerns)
			}
			if n := len(got.Relevant()); (n == 1) != tc.relevant {
				t.Errorf("Relevant() returned %d incidents", n)
			}
		})
	}
}

func TestFetch_ReadsStatuspageTimesAndFallbacks(t *testing.T) {
	body, err := os.ReadFile("testdata/incidents.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL}
	got, err := c.Fetch(context.Background(), winFrom, winTo)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if got.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1 (the incident with no readable time)", got.Skipped)
	}
	if len(got.Incidents) != 2 {
		t.Fatalf("incidents = %v, want the webhook delays and the open SMS one", names(got.Incidents))
	}
	hook, sms := got.Incidents[0], got.Incidents[1]

	// No started_at: the span starts at created_at. Postmortem without
	// resolved_at: it ends at the resolving update, not at the postmortem.
	if want := time.Date(2026, 11, 19, 10, 20, 0, 0, time.UTC); !hook.Start().Equal(want) {
		t.Errorf("webhook incident start = %s, want %s", hook.Start(), want)
	}
	if want := time.Date(2026, 11, 19, 11, 35, 0, 0, time.UTC); !hook.ResolvedAt.Equal(want) {
		t.Errorf("webhook incident end = %s, want %s (the resolved update)", hook.ResolvedAt, want)
	}
	if hook.ResolvedAt.Location() != time.UTC {
		t.Errorf("times are not in UTC: %v", hook.ResolvedAt.Location())
	}

	// started_at earlier than created_at, in -08:00 with milliseconds; still open.
	if want := time.Date(2026, 11, 21, 1, 45, 0, 0, time.UTC); !sms.Start().Equal(want) {
		t.Errorf("SMS incident start = %s, want %s (started_at, not created_at)", sms.Start(), want)
	}
	if !sms.Open() {
		t.Errorf("SMS incident is not open: resolved %s", sms.ResolvedAt)
	}
	if !reflect.DeepEqual(sms.Components, []string{"Outbound SMS"}) {
		t.Errorf("SMS components = %v, want the one named in its updates", sms.Components)
	}
	if sms.LatestUpdate != "A fix has been implemented and we are monitoring the results." {
		t.Errorf("LatestUpdate = %q", sms.LatestUpdate)
	}
	if got.Page.URL != "https://status.twilio.com" {
		t.Errorf("page URL = %q", got.Page.URL)
	}
}

func TestFetch_SaysWhenTheListingDoesNotReachTheWindow(t *testing.T) {
	many := func(n int, start time.Time) []FakeIncident {
		var out []FakeIncident
		for i := 0; i < n; i++ {
			s := start.Add(time.Duration(i) * time.Hour)
			out = append(out, FakeIncident{Name: "Console errors " + s.String(), Start: s, End: s.Add(time.Minute)})
		}
		return out
	}
	tests := []struct {
		name    string
		incs    []FakeIncident
		covered bool
	}{
		{"fewer than the list limit", many(10, winFrom.Add(time.Hour)), true},
		{"full list reaching before the window", many(ListLimit, winFrom.Add(-time.Hour)), true},
		{"full list all newer than the window's start", many(ListLimit, winFrom.Add(time.Hour)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fetchFrom(t, tc.incs)
			if got.Covered != tc.covered {
				t.Errorf("Covered = %v, want %v (listed %d, oldest %s)", got.Covered, tc.covered, got.Listed, got.OldestListed)
			}
		})
	}
}

func TestFetch_UnreachablePageIsAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &Client{BaseURL: "http://" + addr}
	got, err := c.Fetch(context.Background(), winFrom, winTo)
	if err == nil {
		t.Fatalf("Fetch on a closed port returned %+v and no error", got)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not say which page", err)
	}
	if _, err := c.Summary(context.Background()); err == nil {
		t.Errorf("Summary on a closed port returned no error")
	}
}

func TestFetch_DeadlineErrorWrapsContextDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &Client{BaseURL: srv.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Fetch(ctx, winFrom, winTo)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want one wrapping context.DeadlineExceeded", err)
	}
}

func TestFetch_ClientTimeoutAppliesWithoutContextDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &Client{BaseURL: srv.URL, Timeout: 50 * time.Millisecond}
	start := time.Now()
	_, err := c.Fetch(context.Background(), winFrom, winTo)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s despite a 50ms timeout", d)
	}
}

func TestFetch_BadAnswersAreErrors(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		maxBody int64
		want    string
	}{
		{"truncated JSON", 200, `{"page":{"id":"x"},"incidents":[{"id":"a","name":`, 0, "decode"},
		{"HTML instead of JSON", 200, `<html><body>Sign in to the proxy</body></html>`, 0, "decode"},
		{"JSON without an incidents list", 200, `{"page":{"id":"x"}}`, 0, `no "incidents"`},
		{"incidents of the wrong type", 200, `{"incidents":{"id":"a"}}`, 0, "decode"},
		{"trailing data", 200, `{"incidents":[]} {"incidents":[]}`, 0, "trailing"},
		{"HTTP 503", 503, `<html>Service Unavailable</html>`, 0, "HTTP 503"},
		{"HTTP 404", 404, ``, 0, "HTTP 404"},
		{"body over the bound", 200, `{"incidents":[],"pad":"` + strings.Repeat("x", 200) + `"}`, 100, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &Client{BaseURL: srv.URL, MaxBody: tc.maxBody}
			got, err := c.Fetch(context.Background(), winFrom, winTo)
			if err == nil {
				t.Fatalf("no error, got %+v", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestFetch_RefusesBadBaseURLAndWindow(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		from, to time.Time
	}{
		{"no scheme", "status.twilio.com", winFrom, winTo},
		{"unsupported scheme", "ftp://status.twilio.com", winFrom, winTo},
		{"window ends before it starts", "http://127.0.0.1:1", winTo, winFrom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{BaseURL: tc.base}
			if _, err := c.Fetch(context.Background(), tc.from, tc.to); err == nil {
				t.Errorf("no error")
			}
		})
	}
}

func TestFetch_UsesTheCallersHTTPClient(t *testing.T) {
	srv := NewFakeServer(nil)
	defer srv.Close()
	var seen []string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.Path+" "+r.Header.Get("User-Agent"))
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := &Client{BaseURL: srv.URL + "/", HTTPClient: hc, UserAgent: "twilio-evidence/test"}
	if _, err := c.Fetch(context.Background(), winFrom, winTo); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Summary(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{IncidentsPath + " twilio-evidence/test", SummaryPath + " twilio-evidence/test"}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("requests = %q, want %q", seen, want)
	}
}

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSummary_ReportsCurrentComponentStatuses(t *testing.T) {
	start := winFrom.Add(time.Hour)
	srv := NewFakeServer([]FakeIncident{
		{Name: "Inbound SMS delays", Impact: "major", Start: start, Components: []string{"Inbound SMS"}},
		{Name: "Old voice issue", Start: start.Add(-48 * time.Hour), End: start.Add(-47 * time.Hour), Components: []string{"Inbound Calls"}},
	})
	defer srv.Close()
	c := &Client{BaseURL: srv.URL}
	sum, err := c.Summary(context.Background())
	if err != nil {
		t.Fatalf("Summary: %v", err)
	}
	if sum.Indicator != "major" {
		t.Errorf("Indicator = %q, want major", sum.Indicator)
	}
	byName := map[string]Component{}
	for _, comp := range sum.Components {
		byName[comp.Name] = comp
	}
	if s := byName["Inbound SMS"]; s.Status != "partial_outage" || s.Group != "Programmable Messaging" || !s.Relevant {
		t.Errorf("Inbound SMS = %+v, want partial_outage in Programmable Messaging, relevant", s)
	}
	if s := byName["Inbound Calls"]; s.Status != "operational" {
		t.Errorf("Inbound Calls = %q, want operational (its incident is resolved)", s.Status)
	}
	if s := byName["Console"]; s.Relevant {
		t.Errorf("Console flagged relevant: %+v", s)
	}
	if g := byName["Programmable Messaging"]; !g.IsGroup || g.Status == "operational" {
		t.Errorf("group = %+v, want a degraded group heading", g)
	}
	deg := sum.Degraded()
	if len(deg) != 1 || deg[0].Name != "Inbound SMS" {
		t.Errorf("Degraded = %+v, want only Inbound SMS", deg)
	}
	if len(sum.Unresolved) != 1 || sum.Unresolved[0].Name != "Inbound SMS delays" {
		t.Errorf("Unresolved = %v", names(sum.Unresolved))
	}
}

func TestSummary_MalformedJSONIsAnError(t *testing.T) {
	for _, body := range []string{`{"status":`, `{"page":{}}`, `[]`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(body))
		}))
		c := &Client{BaseURL: srv.URL}
		if _, err := c.Summary(context.Background()); err == nil {
			t.Errorf("body %q: no error", body)
		}
		srv.Close()
	}
}
