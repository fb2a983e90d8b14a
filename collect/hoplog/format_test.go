package hoplog

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

var sampleRef = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// TestFormats_SamplesParseToTheirRecords runs every sample line of every
// format definition, lnav style.
func TestFormats_SamplesParseToTheirRecords(t *testing.T) {
	regex, err := ParseFormat(`regex:^(?P<time>\S+) (?P<src>\S+) (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<duration>\S+) "(?P<ua>[^"]*)"`)
	if err != nil {
		t.Fatal(err)
	}
	regex.Samples = []Sample{{
		Line: `2026-11-25T01:00:00Z 54.172.60.11 POST /voice?a=1 502 1.5s "TwilioProxy/1.1"`,
		Want: Record{Time: at("2026-11-25T01:00:00Z"), Src: netip.MustParseAddr("54.172.60.11"), Method: "POST", Path: "/voice", Query: "a=1", Status: 502, Duration: 1500 * time.Millisecond, HasDuration: true, UA: "TwilioProxy/1.1"},
	}}
	for _, f := range append(Formats(), regex) {
		if len(f.Samples) == 0 {
			t.Errorf("format %s carries no samples", f.Name)
		}
		for i, s := range f.Samples {
			got, err := f.Parse([]byte(s.Line), time.UTC, sampleRef)
			if err != nil {
				t.Errorf("%s sample %d: %v", f.Name, i, err)
				continue
			}
			if got != s.Want {
				t.Errorf("%s sample %d:\n got %+v\nwant %+v", f.Name, i, got, s.Want)
			}
			tm, ok := f.Time([]byte(s.Line), time.UTC, sampleRef)
			if !ok || !tm.Equal(s.Want.Time) {
				t.Errorf("%s sample %d: Time = %v, %v; want %v", f.Name, i, tm, ok, s.Want.Time)
			}
		}
	}
}

// TestDetect_RecognisesEachFormatFromItsSamples checks that auto-detection
// names the right format for each format's own samples.
func TestDetect_RecognisesEachFormatFromItsSamples(t *testing.T) {
	for _, f := range Formats() {
		var lines [][]byte
		for _, s := range f.Samples {
			lines = append(lines, []byte(s.Line))
		}
		got, det, err := Detect(lines, time.UTC, sampleRef)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if got.Name != f.Name {
			t.Errorf("%s samples detected as %s", f.Name, got.Name)
		}
		if det.Parsed != len(lines) || !strings.HasPrefix(det.String(), f.Name) {
			t.Errorf("%s: detection %q", f.Name, det)
		}
	}
}

func TestDetect_RefusesUnknownLines(t *testing.T) {
	_, _, err := Detect([][]byte{[]byte("hello world"), []byte("\x00\x01binary")}, time.UTC, sampleRef)
	if err == nil {
		t.Fatal("Detect accepted lines in no known format")
	}
}

func TestDetect_ReportsJSONFieldsFound(t *testing.T) {
	lines := [][]byte{[]byte(`{"ts":"2026-11-25T01:00:00Z","req":{"url":"/voice","method":"POST"},"res":{"statusCode":200},"responseTime":12}`)}
	f, det, err := Detect(lines, time.UTC, sampleRef)
	if err != nil {
		t.Fatal(err)
	}
	if det.Detail != "duration=responsetime,method=req.method,path=req.url,status=res.statuscode,time=ts" {
		t.Errorf("detail = %q", det.Detail)
	}
	r, err := f.Parse(lines[0], time.UTC, sampleRef)
	if err != nil || r.Duration != 12*time.Millisecond || r.Status != 200 || r.Path != "/voice" {
		t.Errorf("record = %+v, %v", r, err)
	}
}

func TestParseFormat_GivenJSONFieldsAreUsed(t *testing.T) {
	f, err := ParseFormat("json:time=when,path=target,status=code")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.Parse([]byte(`{"when":"2026-11-25 10:00:00","target":"/x?y=1","code":"504","path":"/wrong"}`), time.FixedZone("JST", 9*3600), sampleRef)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Time.Equal(at("2026-11-25T01:00:00Z")) || r.Path != "/x" || r.Query != "y=1" || r.Status != 504 {
		t.Errorf("record = %+v", r)
	}
}

func TestParseFormat_Errors(t *testing.T) {
	for _, spec := range []string{"nope", "regex:", "regex:(", "regex:(?P<bogus>x)", "regex:(?P<path>x)", "text:x", "json:color=x", "combined:x"} {
		if _, err := ParseFormat(spec); err == nil {
			t.Errorf("ParseFormat(%q) accepted", spec)
		}
	}
}

func TestSyslogTime_TakesYearAndZoneFromContext(t *testing.T) {
	f, _ := ParseFormat("iptables")
	line := []byte("Dec 31 23:59:59 fw kernel: DROP IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=443")
	jst := time.FixedZone("JST", 9*3600)
	r, err := f.Parse(line, jst, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 31, 14, 59, 59, 0, time.UTC); !r.Time.Equal(want) {
		t.Errorf("time = %v, want %v (year from reference, zone from location)", r.Time, want)
	}
}

// TestSyslogTime_FastPathAgreesWithTheParser: the hand-read syslog time
// gives what the time package's parser gives, across zones with daylight
// saving (the hours that repeat and that are skipped), the turn of the
// year, fractions and single-digit days; what it does not read, the parser
// still does or refuses.
func TestSyslogTime_FastPathAgreesWithTheParser(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	inputs := []string{
		"Mar 8 01:59:59", "Mar 8 02:30:00", "Mar 8 03:00:01", "Nov 1 01:30:00", "Nov 1 02:00:00",
		"Dec 31 23:59:59", "Jan 1 00:00:00", "Jan  1 00:00:00", "Feb 29 12:00:00", "Jun 15 10:00:00.5",
		"Jun 15 10:00:00.123456", "Jun 15 10:00:00.123456789", "Feb 30 10:00:00", "Jun 15 24:00:00",
		"Jun 15 10:60:00", "Jun 15 10:00:00.", "Jun 15 10:00:00.1234567890", "Jun 15 10:00", "Jnu 15 10:00:00", "Jun 015 10:00:00",
	}
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("", 9*3600), time.FixedZone("", -(3*3600 + 1800)), ny} {
		for _, ref := range []time.Time{sampleRef, time.Date(2027, 1, 1, 0, 0, 30, 0, time.UTC), time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)} {
			pc := newParseContext(loc, ref)
			for _, s := range inputs {
				want, wok := slowSyslogTime(s, newParseContext(loc, ref))
				got, gok := parseSyslogTime(s, pc)
				if gok != wok || !got.Equal(want) {
					t.Errorf("%s in %s, ref %s: got %v, %v; the parser gives %v, %v", s, loc, ref, got, gok, want, wok)
				}
			}
		}
	}
}
