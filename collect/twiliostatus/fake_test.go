package twiliostatus

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDemoIncidents_OneRelevantIncidentOverlapsTheWindow(t *testing.T) {
	customer := []time.Time{winFrom.Add(30 * time.Hour), winFrom.Add(100 * time.Hour), winFrom.Add(100*time.Hour + 5*time.Minute), winFrom.Add(140 * time.Hour)}
	for _, tc := range []struct {
		name     string
		customer []time.Time
	}{{"without customer incidents", nil}, {"around the customer incidents", customer}} {
		t.Run(tc.name, func(t *testing.T) {
			got := fetchFrom(t, DemoIncidents(winFrom, winTo, tc.customer))
			if got.Listed != 3 {
				t.Errorf("Listed = %d, want 3", got.Listed)
			}
			rel := got.Relevant()
			if len(rel) != 1 || rel[0].Name != "Delays in inbound webhook delivery" {
				t.Fatalf("relevant in window = %v, want only the webhook delays", names(rel))
			}
			if len(got.Incidents) != 2 {
				t.Errorf("in window = %v, want the webhook delays and the Console incident", names(got.Incidents))
			}
			if rel[0].Open() {
				t.Errorf("demo webhook incident is open")
			}
			if tc.customer != nil {
				ov := Touching(Analyze(rel, tc.customer, nil))
				if len(ov) != 1 || ov[0].Inside == 0 {
					t.Errorf("no demo customer incident inside the demo status incident: %+v", ov)
				}
			}
		})
	}
}

func TestFakePage_SameIncidentsServeTheSameBytes(t *testing.T) {
	serve := func(path string) []byte {
		h := FakePage{Incidents: DemoIncidents(winFrom, winTo, nil)}.Handler()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://status.example.test"+path, nil))
		if rec.Code != 200 {
			t.Fatalf("%s: HTTP %d", path, rec.Code)
		}
		return rec.Body.Bytes()
	}
	for _, path := range []string{IncidentsPath, SummaryPath} {
		if a, b := serve(path), serve(path); !bytes.Equal(a, b) {
			t.Errorf("%s differs between two serves of the same incidents", path)
		}
	}
}

func TestFakePage_WritesTimesInThePagesZone(t *testing.T) {
	pdt := time.FixedZone("PDT", -7*3600)
	start := time.Date(2026, 11, 20, 4, 48, 0, 0, time.UTC)
	page := FakePage{Location: pdt, Incidents: []FakeIncident{{Name: "Voice Webhooks errors", Start: start, End: start.Add(time.Hour)}}}
	srv := httptest.NewServer(page.Handler())
	defer srv.Close()
	c := &Client{BaseURL: srv.URL}
	got, err := c.Fetch(context.Background(), winFrom, winTo)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"started_at":"2026-11-19T21:48:00.000-07:00"`; !bytes.Contains(got.Raw, []byte(want)) {
		t.Errorf("body lacks %s:\n%s", want, got.Raw)
	}
	if len(got.Incidents) != 1 || !got.Incidents[0].Start().Equal(start) {
		t.Errorf("incidents = %+v, want one starting %s", got.Incidents, start)
	}
}

func TestFakePage_LinksResolveOnThePage(t *testing.T) {
	srv := NewFakeServer(DemoIncidents(winFrom, winTo, nil))
	defer srv.Close()
	res, err := (&Client{BaseURL: srv.URL}).Fetch(context.Background(), winFrom, winTo)
	if err != nil {
		t.Fatal(err)
	}
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, inc := range res.Incidents {
		if code := get(inc.Shortlink); code != 200 {
			t.Errorf("%s: HTTP %d", inc.Shortlink, code)
		}
	}
	if code := get(srv.URL + "/incidents/nosuchid"); code != 404 {
		t.Errorf("unknown incident: HTTP %d, want 404", code)
	}
}

func TestFakePage_PublishesItsBaseURLWhateverThePort(t *testing.T) {
	page := FakePage{Incidents: DemoIncidents(winFrom, winTo, nil), BaseURL: "https://status.example.com/"}
	var bodies [][]byte
	for i := 0; i < 2; i++ {
		srv := httptest.NewServer(page.Handler())
		res, err := (&Client{BaseURL: srv.URL}).Fetch(context.Background(), winFrom, winTo)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.Page.URL != "https://status.example.com" {
			t.Errorf("page url = %q", res.Page.URL)
		}
		for _, inc := range res.Incidents {
			if !strings.HasPrefix(inc.Shortlink, "https://status.example.com/incidents/") {
				t.Errorf("shortlink = %q, want it on the published base", inc.Shortlink)
			}
		}
		bodies = append(bodies, res.Raw)
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("two servers on different ports served different incidents.json")
	}
}
