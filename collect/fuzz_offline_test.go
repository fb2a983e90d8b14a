package collect

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gocarina/gocsv"
)

// FuzzScanAlertsFile feeds arbitrary bytes as a saved alerts file: an error
// or a summary, never a panic, and a summary's span is ordered.
func FuzzScanAlertsFile(f *testing.F) {
	f.Add([]byte(`{"alerts":[{"sid":"NO00000000000000000000000000000001","error_code":"11200","date_generated":"2026-11-20T01:02:03Z","alert_text":"Msg=x&ErrorCode=11200"}],"meta":{}}`))
	f.Add([]byte(`[{"sid":"NO1","errorCode":"11205","dateCreated":"2026-11-20T01:02:03Z"}]`))
	f.Add([]byte("{\"sid\":\"NO1\"}\n{\"sid\":\n"))
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "alerts.json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sum, err := ScanAlertsFile(p)
		if err != nil {
			return
		}
		if !sum.First.IsZero() && sum.Last.Before(sum.First) {
			t.Errorf("span %v … %v is reversed", sum.First, sum.Last)
		}
	})
}

// FuzzScanIncidentsFile feeds arbitrary CSV as --incidents-file.
func FuzzScanIncidentsFile(f *testing.F) {
	f.Add([]byte("alert_sid,time,error_code,http_status,resource_sid,kind,method,url,message\nNO1,2026-11-20T01:02:03Z,11200,502,CA1,call,POST,https://h/,x\n"))
	f.Add([]byte("Sid,Date Created,Error Code,Resource Sid,Request URL\n\"NO1\",\"2026-11-20 01:02:03\",11205,SM1,https://h/\n"))
	f.Add([]byte("a,b\n\"unterminated\n"))
	f.Add([]byte("\xef\xbb\xbfSid;Error Code\r\nNO1;11200\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "incidents.csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sum, _, err := ScanIncidentsFile(p, time.UTC)
		if err != nil {
			return
		}
		if !sum.First.IsZero() && sum.Last.Before(sum.First) {
			t.Errorf("span %v … %v is reversed", sum.First, sum.Last)
		}
	})
}

// FuzzIncidentsCSVRoundTrip writes an incident with arbitrary text into
// incidents.csv and reads it back: every field survives (the CSV a support
// engineer opens holds exactly what was collected).
func FuzzIncidentsCSVRoundTrip(f *testing.F) {
	f.Add("NO1", "11200", "https://h/x?a=1,2", "Got \"HTTP\" 502\nsecond line", 502)
	f.Add("", "", "", "", 0)
	f.Add("NO\x00", "=cmd|' /C calc'!A0", "\r\n", ",,,", -1)
	f.Fuzz(func(t *testing.T, sid, code, u, msg string, status int) {
		in := []Incident{{AlertSID: sid, Time: time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC), ErrorCode: code, HTTPStatus: status,
			ResourceSID: "CA1", Kind: KindCall, Method: "POST", URL: u, Message: msg}}
		var b bytes.Buffer
		if err := gocsv.Marshal(in, &b); err != nil {
			return
		}
		var out []Incident
		if err := gocsv.UnmarshalBytes(b.Bytes(), &out); err != nil {
			t.Fatalf("read back: %v\n%q", err, b.String())
		}
		if len(out) != 1 {
			t.Fatalf("%d rows read back from %q", len(out), b.String())
		}
		// encoding/csv turns \r\n inside quoted fields into \n.
		norm := func(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n"))) }
		g, w := out[0], in[0]
		if g.AlertSID != norm(w.AlertSID) || g.ErrorCode != norm(w.ErrorCode) || g.URL != norm(w.URL) || g.Message != norm(w.Message) || g.HTTPStatus != w.HTTPStatus || !g.Time.Equal(w.Time) {
			t.Errorf("round trip changed the row:\n in %+v\nout %+v", w, g)
		}
	})
}
