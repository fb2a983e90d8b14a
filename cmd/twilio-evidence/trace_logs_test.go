package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// syslogFile writes a syslog-style file: other programs' lines every few
// seconds and, among them, the firewall's lines for the fates (drops for
// fateFWDrop, accepts otherwise) and some of its own traffic.
func syslogFile(t *testing.T, dir string, incs []traceInc, fates []fate) string {
	t.Helper()
	var b strings.Builder
	start, end := incs[0].t.Add(-30*time.Minute), incs[len(incs)-1].t.Add(30*time.Minute)
	next := 0
	for now := start; now.Before(end); now = now.Add(3 * time.Second) {
		for next < len(incs) && !incs[next].t.Add(-2*time.Second).After(now) {
			action := "ACCEPT"
			if fates[next] == fateFWDrop {
				action = "DROP"
			}
			b.WriteString(fwLine("iptables", incs[next].t.Add(-2*time.Second), action) + "\n")
			next++
		}
		ts := now.In(time.FixedZone("", 9*3600)).Format("2006-01-02T15:04:05.000000-07:00")
		fmt.Fprintf(&b, "%s gw sshd[%d]: Connection closed by 198.51.100.23 port %d [preauth]\n", ts, 4000+now.Second(), 50000+now.Second())
		fmt.Fprintf(&b, "%s gw systemd[1]: Starting Daily apt download activities...\n", ts)
	}
	p := filepath.Join(dir, "syslog")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrace_FirewallInSyslogReadAndOtherLinesCounted: a firewall whose
// lines share /var/log/syslog with other programs' lines is read as
// iptables without being told; trace, the bundle's manifest and the PDF
// appendix say how many firewall lines were read and how many other lines
// skipped.
func TestTrace_FirewallInSyslogReadAndOtherLinesCounted(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(3)
	fates := []fate{fateFWDrop, fateFWDrop, fateFWDrop}
	fw := syslogFile(t, dir, incs, fates)
	csv := writeIncidentsCSV(t, dir, incs)
	r := traceJSON(t, "--hop", "firewall="+fw, "--incidents-file", csv, "--hop-addr", traceAddr)
	h := r.Hops[0]
	if h.Format != "iptables" || h.Kind != "firewall" || h.LinesRead == 0 || h.Other == 0 {
		t.Fatalf("hop = %+v, want iptables read among other lines", h)
	}
	if len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != "dropped" || r.Verdicts[0].Count != 3 {
		t.Errorf("verdicts = %+v, want all three dropped at the firewall", r.Verdicts)
	}
	read := regexp.MustCompile(`\d+ firewall lines? read, [\d,]+ other lines skipped`)
	_, text, _ := runCmd(t, "trace", "--quiet", "--hop", "firewall="+fw, "--incidents-file", csv, "--hop-addr", traceAddr)
	if !read.MatchString(text) || !strings.Contains(text, "iptables (detected: ") {
		t.Errorf("trace output lacks the counts:\n%s", text)
	}

	out := t.TempDir()
	code, stdout, errs := runCmd(t, "bundle", "--quiet", "--no-probe", "--output", out, "--incidents-file", csv, "--hop", "firewall="+fw)
	if code != exitOK && code != exitIncomplete {
		t.Fatalf("bundle exit %d: %s", code, errs)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(stdout))
	var m struct {
		Hops []struct {
			Name, Format, Kind, Read string
			LinesRead                int64 `json:"lines_read"`
			Other                    int64 `json:"other_lines_skipped"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Hops) != 1 || m.Hops[0].Format != "iptables" || m.Hops[0].LinesRead == 0 || m.Hops[0].Other == 0 || !read.MatchString(m.Hops[0].Read) {
		t.Errorf("manifest hops = %+v", m.Hops)
	}
	pdf := strings.Join(strings.Fields(testkit.PDFText(t, files["summary.pdf"], "-layout")), " ")
	if !strings.Contains(pdf, "iptables (detected)") || !read.MatchString(pdf) {
		t.Errorf("summary.pdf appendix lacks the format and the counts:\n%s", pdf)
	}
}

// onUTCMachine makes the machine's zone UTC for one test.
func onUTCMachine(t *testing.T) {
	t.Setenv("TZ", "UTC")
	old := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = old })
}

// TestTrace_TokyoLogWithoutOffsetsOnAUTCMachine: a web log written in Tokyo
// time without offsets, traced on a machine in UTC without --log-tz, is read
// at the offset inferred from its Twilio requests, which trace states, and
// every incident is matched; a log whose times fit no offset is warned of.
func TestTrace_TokyoLogWithoutOffsetsOnAUTCMachine(t *testing.T) {
	onUTCMachine(t)
	dir := t.TempDir()
	incs := traceIncidents(4)
	jst := time.FixedZone("JST", 9*3600)
	write := func(name string, shift time.Duration) string {
		var b strings.Builder
		line := func(at time.Time, path string, status int) {
			fmt.Fprintf(&b, `{"time":"%s","remote_addr":"54.172.60.9","method":"POST","uri":"%s","status":%d,"request_time":0.2,"user_agent":"TwilioProxy/1.1"}`+"\n",
				at.Add(shift).In(jst).Format("2006-01-02 15:04:05"), path, status)
		}
		for _, in := range incs {
			line(in.t.Add(-10*time.Minute), "/health", 200)
			line(in.t.Add(-2*time.Second), "/voice", 502)
			line(in.t.Add(10*time.Minute), "/health", 200)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p
	}
	csv := writeIncidentsCSV(t, dir, incs)
	r := traceJSON(t, "--hop", "web="+write("access.json", 0), "--incidents-file", csv)
	h := r.Hops[0]
	if h.Zone != "UTC+09:00" || h.ZoneNote != "times read as UTC+09:00, the offset that matches 4 of 4 incidents; set --log-tz to choose" {
		t.Errorf("zone = %q, note %q", h.Zone, h.ZoneNote)
	}
	if len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != "app_error" || r.Verdicts[0].Count != 4 {
		t.Errorf("verdicts = %+v, want every incident answered 502", r.Verdicts)
	}
	_, text, _ := runCmd(t, "trace", "--quiet", "--hop", "web="+filepath.Join(dir, "access.json"), "--incidents-file", csv)
	if !strings.Contains(text, "times read as UTC+09:00, the offset that matches 4 of 4 incidents") {
		t.Errorf("trace output does not state the offset:\n%s", text)
	}

	// Seven minutes off every quarter hour: no offset fits, and it says so.
	code, text, errs := runCmd(t, "trace", "--hop", "web="+write("skewed.json", 7*time.Minute), "--incidents-file", csv)
	if code != exitOK || !strings.Contains(errs, "fit none from UTC-12:00 to UTC+14:00") || !strings.Contains(text, "warning: the log's times carry no offset and fit none") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant a warning that no offset fits", code, errs, text)
	}
}

// TestTrace_PortScansOnTheWebhookPortLowerTheDropsConfidence: a firewall
// log with background scans on the webhook's port: trace's drop verdict
// states how often drops happen outside the incidents' windows, with low
// confidence.
func TestTrace_PortScansOnTheWebhookPortLowerTheDropsConfidence(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(3)
	var b strings.Builder
	start, end := incs[0].t.Add(-30*time.Minute), incs[len(incs)-1].t.Add(30*time.Minute)
	next := 0
	for now := start; now.Before(end); now = now.Add(15 * time.Second) {
		for next < len(incs) && !incs[next].t.Add(-2*time.Second).After(now) {
			b.WriteString(fwLine("iptables", incs[next].t.Add(-2*time.Second), "DROP") + "\n")
			next++
		}
		// A scanner's SYN to the webhook's port, dropped, every 15 s.
		b.WriteString(strings.Replace(fwLine("iptables", now, "DROP"), "SRC=54.172.60.9", "SRC=45.155.205.77", 1) + "\n")
	}
	fw := filepath.Join(dir, "kern.log")
	os.WriteFile(fw, []byte(b.String()), 0o644)
	r := traceJSON(t, "--hop", "firewall="+fw, "--incidents-file", writeIncidentsCSV(t, dir, incs), "--hop-addr", traceAddr)
	if len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != "dropped" {
		t.Fatalf("verdicts = %+v", r.Verdicts)
	}
	v := r.Verdicts[0]
	if v.Confidence != "low" || v.BackgroundPerHour == nil || *v.BackgroundPerHour < 200 ||
		!strings.Contains(v.Sentence, "also drops connections to "+traceAddr+":443 outside the incidents' windows") || !strings.Contains(v.Sentence, "confidence low") {
		t.Errorf("verdict = %+v", v)
	}
}
