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
	files := readZip(t, strings.TrimSpace(stdout))
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
	pdf := strings.Join(strings.Fields(pdfText(t, files["summary.pdf"])), " ")
	if !strings.Contains(pdf, "iptables (detected)") || !read.MatchString(pdf) {
		t.Errorf("summary.pdf appendix lacks the format and the counts:\n%s", pdf)
	}
}
