package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// TestE2E_CSVCellsOpenAsText collects alerts whose URL and message begin
// with '=', '+', '-' and '@': in incidents.csv and stats/by_url.csv those
// cells start with a quote, so a spreadsheet shows them as text; the JSON
// keeps the raw values; and the incidents.csv read back as
// --incidents-file gives the same file.
func TestE2E_CSVCellsOpenAsText(t *testing.T) {
	from, to := repDays(7), repDays(0)
	hostile := []string{`=cmd|' /C calc'!A0`, `+1415555010`, `-2+3+cmd|' /C calc'!A0`, `@SUM(1+1)*cmd|' /C calc'!A0`}
	d := faketwilio.DemoData(from, to)
	var alerts faketwilio.Alerts
	for i, v := range hostile {
		ts := to.Add(-time.Duration(i+1) * time.Hour)
		sid := faketwilio.SID("NO", "csv"+v)
		alerts = append(alerts, faketwilio.Alert{
			AccountSid: faketwilio.DemoAccountSID, Sid: sid, ErrorCode: "11200", LogLevel: "error", APIVersion: "2010-04-01",
			AlertText:   "Msg=" + url.QueryEscape(v) + "&ErrorCode=11200&LogLevel=ERROR",
			DateCreated: ts.Format(faketwilio.ISO8601), DateGenerated: ts.Format(faketwilio.ISO8601), DateUpdated: ts.Format(faketwilio.ISO8601),
			RequestURL: v, ResourceSid: faketwilio.SID("CA", "csv"+v),
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: ts,
		})
	}
	d.Alerts = alerts
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, d)
	defer fake.Close()
	window := []string{"--from", rfc(from), "--to", rfc(to), "--tz", "UTC", "--no-status", "--no-probe", "--quiet"}
	r := runRep(t, repCreds(), append([]string{"bundle", "--api-url", fake.URL, "--output", t.TempDir()}, window...)...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))

	cells := func(name, column string) map[string]bool {
		t.Helper()
		recs, err := csv.NewReader(bytes.NewReader(files[name])).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %v\n%s", name, err, files[name])
		}
		col := -1
		for i, h := range recs[0] {
			if h == column {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s has no column %s: %v", name, column, recs[0])
		}
		out := map[string]bool{}
		for _, rec := range recs[1:] {
			out[rec[col]] = true
		}
		return out
	}
	for _, column := range []string{"url", "message"} {
		got := cells("incidents.csv", column)
		for _, v := range hostile {
			if !got["'"+v] {
				t.Errorf("incidents.csv %s: no cell %q (the value opened as text); cells: %v", column, "'"+v, got)
			}
		}
	}
	// No cell of any CSV opens as a formula (stats/by_url.csv holds the
	// URLs normalised).
	for name, data := range files {
		if !strings.HasSuffix(name, ".csv") {
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) || strings.HasPrefix(cell, "-") && strings.ContainsAny(cell, "+|!(") {
					t.Errorf("%s: cell %q opens as a formula", name, cell)
				}
			}
		}
	}
	for _, v := range hostile {
		raw, _ := json.Marshal(v)
		if !bytes.Contains(files["alerts.ndjson"], raw) {
			t.Errorf("alerts.ndjson does not hold the raw value %s", raw)
		}
	}

	in := filepath.Join(t.TempDir(), "incidents.csv")
	os.WriteFile(in, files["incidents.csv"], 0o600)
	r = runRep(t, nil, append([]string{"bundle", "--incidents-file", in, "--output", t.TempDir()}, window...)...)
	if r.code != exitOK {
		t.Fatalf("--incidents-file: exit %d\n%s", r.code, r.stderr)
	}
	if again := testkit.ReadZip(t, strings.TrimSpace(r.stdout))["incidents.csv"]; !bytes.Equal(again, files["incidents.csv"]) {
		t.Errorf("incidents.csv read back and written again differs:\n%s", firstDiff(again, files["incidents.csv"]))
	}
}
