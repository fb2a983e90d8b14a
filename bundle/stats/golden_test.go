package stats

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestWriteFiles_Golden writes the stats files of a small, fixed two-day
// window in Tokyo (with usage, probes and a previous window) and compares
// them with testdata/golden/. Run with -update after an intended change.
func TestWriteFiles_Golden(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	from := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	w := collect.Window{From: from, To: from.Add(48 * time.Hour), Location: tokyo}
	var incidents []collect.Incident
	// A burst of 12 at 10:00 UTC (19:00 Tokyo), then one an hour.
	for i := 0; i < 12; i++ {
		incidents = append(incidents, collect.Incident{
			Time: from.Add(10*time.Hour + time.Duration(i)*15*time.Second), ErrorCode: "11200", HTTPStatus: 502,
			Kind: collect.KindCall, URL: "https://app.example.com/voice?From=%2B8150",
		})
	}
	for h := 0; h < 6; h++ {
		incidents = append(incidents, collect.Incident{
			Time: from.Add(time.Duration(20+h) * time.Hour), ErrorCode: "11205",
			Kind: collect.KindMessage, URL: "https://app.example.com/sms",
		})
	}
	usage := []collect.UsageDay{{Day: from, Calls: 1200, Messages: 300}}
	probes := []Probe{{Time: from.Add(10*time.Hour + 30*time.Minute), OK: false}, {Time: from.Add(30 * time.Hour), OK: true}}
	s := compute(t, Input{Window: w, Incidents: incidents, Usage: usage, Probes: probes}, Options{})
	prev := compute(t, Input{Window: PreviousWindow(w), Incidents: []collect.Incident{
		{Time: from.Add(-time.Hour), ErrorCode: "11200", Kind: collect.KindCall, URL: "https://app.example.com/voice"},
		{Time: from.Add(-2 * time.Hour), ErrorCode: "12300", Kind: collect.KindCall, URL: "https://old.example.com/voice"},
	}}, Options{})
	if err := s.AddTrend(prev); err != nil {
		t.Fatal(err)
	}
	files, err := s.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range files {
		path := filepath.Join("testdata", "golden", filepath.Base(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n%s", name, path, got)
		}
	}
}
