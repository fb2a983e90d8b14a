package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleAttempts() []Attempt {
	base := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	return []Attempt{
		{Time: base, Target: "https://shop.example/voice", Mode: ModeDNS, Style: StyleGet, Method: "GET", ReadTimeoutMs: 15000,
			Resolved: []string{"203.0.113.7", "2001:db8::7"}, Address: "203.0.113.7",
			Phases:     Phases{DNS: 1.5, Connect: 10, TLS: 20, Processing: 30, Transfer: 1, TTFB: 62, Total: 63},
			TLSVersion: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", HTTPVersion: "HTTP/1.1", Status: 200,
			Certificates: []Cert{{Subject: "CN=shop.example", Issuer: "CN=R3", DaysToExpiry: 12,
				SANs: []string{"shop.example", "www.shop.example"}, NotAfter: base.Add(12*24*time.Hour + 3*time.Hour)}},
			ContentType: "text/xml", BodyBytes: 11, OK: true, ConnectTimeoutMs: 5000, TotalTimeoutMs: 15000, WebhookMethod: "POST"},
		{Time: base.Add(time.Hour), Target: "https://shop.example/voice", Mode: ModeDNS, Style: StyleGet, Method: "GET", ReadTimeoutMs: 15000,
			Resolved: []string{"203.0.113.7"}, Address: "203.0.113.7", Phases: Phases{DNS: 1, Total: 15000},
			FailedPhase: PhaseResponse, ErrorClass: ClassReadTimeout, TwilioCode: 11205, TwilioAltCode: 11200,
			Error: "timeout, awaiting headers", Notes: []string{"a, b", "c"}, Redirects: []string{"https://shop.example/a"},
			Allow: "POST", Location: "https://shop.example/b", MissingIssuer: "CN=R3", IssuerURL: "http://r3.i.lencr.org/", IssuerFetched: true},
		{Time: base.Add(time.Hour + time.Minute), Target: "https://shop.example/voice", Mode: ModeAddress, Address: "203.0.113.7", OK: true},
	}
}

func TestHistory_AppendTwiceAndReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.csv")
	in := sampleAttempts()
	if err := AppendHistory(path, in[:1]); err != nil {
		t.Fatal(err)
	}
	if err := AppendHistory(path, in[1:]); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "time,target,"); n != 1 {
		t.Errorf("header written %d times:\n%s", n, raw)
	}
	out, err := ReadHistoryFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d attempts, want %d", len(out), len(in))
	}
	for i := range in {
		if !reflect.DeepEqual(in[i], out[i]) {
			t.Errorf("attempt %d changed on the way through CSV:\n in  %+v\n out %+v", i, in[i], out[i])
		}
	}
}

// TestHistory_AppendToAnOlderFileKeepsItsColumns: a history begun before
// a column existed gets new rows under its own header, and reads back.
func TestHistory_AppendToAnOlderFileKeepsItsColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.csv")
	old := "time,target,mode,sample,style,method,read_timeout_ms,ok,error_class,twilio_code\n" +
		"2026-11-20T08:00:00Z,https://shop.example/voice,dns,0,get,GET,15000,true,,0\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := AppendHistory(path, sampleAttempts()[1:2]); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 3 || lines[2] != "2026-11-20T10:15:00Z,https://shop.example/voice,dns,0,get,GET,15000,false,read_timeout,11205" {
		t.Fatalf("appended under other columns:\n%s", raw)
	}
	got, err := ReadHistoryFile(path)
	if err != nil || len(got) != 2 || got[1].ErrorClass != ClassReadTimeout || !got[0].OK {
		t.Errorf("read back %+v, %v", got, err)
	}
}

func TestHistory_MissingFileIsEmptyAndBadRowIsNamed(t *testing.T) {
	got, err := ReadHistoryFile(filepath.Join(t.TempDir(), "none.csv"))
	if err != nil || len(got) != 0 {
		t.Errorf("missing file: %v, %v", got, err)
	}
	var buf bytes.Buffer
	if err := WriteAttempts(&buf, sampleAttempts()[:1]); err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(buf.String(), "2026-11-20T09:15:00Z", "yesterday", 1)
	if _, err := ReadHistory(strings.NewReader(broken)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad row error = %v, want one naming line 2", err)
	}
}

func TestFailureByHour_CountsDNSAttemptsByHour(t *testing.T) {
	hours := FailureByHour(sampleAttempts(), time.UTC)
	if len(hours) != 24 {
		t.Fatalf("%d hours", len(hours))
	}
	if h := hours[9]; h.Attempts != 1 || h.Failures != 0 {
		t.Errorf("09h = %+v", h)
	}
	if h := hours[10]; h.Attempts != 1 || h.Failures != 1 || h.FailureRate != 1 {
		t.Errorf("10h = %+v (the per-address attempt must not count)", h)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if h := FailureByHour(sampleAttempts(), tokyo)[19]; h.Failures != 1 {
		t.Errorf("19h JST = %+v", h)
	}
}

func TestSummarize_PercentilesFromHistory(t *testing.T) {
	var attempts []Attempt
	for i := 1; i <= 20; i++ {
		attempts = append(attempts, Attempt{Target: "https://a.example/", Mode: ModeDNS, OK: true, ReadTimeoutMs: 15000,
			Phases: Phases{TTFB: float64(i * 10), Total: float64(i * 10)}})
	}
	s := Summarize(attempts, SummaryOptions{})[0]
	if s.Overall.Phases.TTFB.P50 != 100 || s.Overall.Phases.TTFB.P95 != 190 || s.Outcome != OutcomeOK {
		t.Errorf("ttfb = %+v verdict %q", s.Overall.Phases.TTFB, s.Outcome)
	}
	for i := range attempts {
		attempts[i].Phases.TTFB = 13000
	}
	if v := Summarize(attempts, SummaryOptions{})[0].Outcome; v != OutcomeNearTimeout {
		t.Errorf("verdict = %q, want %q for TTFB close to rt", v, OutcomeNearTimeout)
	}
}

func TestCheckRecord_RefusesWhatIsNoHistory(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := AppendHistory(good, sampleAttempts()); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	for _, p := range []string{good, empty, filepath.Join(dir, "new.csv")} {
		if err := CheckRecord(p); err != nil {
			t.Errorf("%s: %v, want it accepted", filepath.Base(p), err)
		}
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	for path, want := range map[string]string{
		"/dev/zero": "not a regular file",
		dir:         "not a regular file",
		write("gz.csv", []byte{0x1f, 0x8b, 8, 0, 0, 0}):                     "gzip-compressed",
		write("notes.txt", []byte("shopping list\nmilk\n")):                 "not a probe history",
		write("long.csv", bytes.Repeat([]byte("x"), MaxHistoryRowBytes+10)): "larger than 64 KiB",
	} {
		err := CheckRecord(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}
