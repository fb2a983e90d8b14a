package hoplog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// syslogNoise are lines other programs write to syslog and kern.log.
var syslogNoise = []string{
	"sshd[%d]: Accepted publickey for deploy from 198.51.100.23 port 52144 ssh2: ED25519 SHA256:Zm9vYmFy",
	"CRON[%d]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
	"systemd[1]: Started Session %d of User deploy.",
	"rsyslogd: [origin software=\"rsyslogd\" swVersion=\"8.2112.0\" x-pid=\"%d\"] rsyslogd was HUPed",
	"kernel: [%d.123456] EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro",
	"sshd[%d]: pam_unix(sshd:session): session closed for user deploy",
	// A firewall format's marker (" out:") in another program's line.
	"dockerd[%d]: proxy timed out: 10.0.0.5:8080->172.18.0.2:80",
}

// TestScanHop_FirewallLinesAmongSyslogLines: a syslog-style file whose
// firewall lines are few among other programs' lines is read as iptables
// without being told, every planted drop is found, and the other lines are
// skipped and counted.
func TestScanHop_FirewallLinesAmongSyslogLines(t *testing.T) {
	incs := traceIncidents(5)
	jst := time.FixedZone("JST", 9*3600)
	var b bytes.Buffer
	ev := 0
	other, fw := 0, 0
	for s := 0; s < 3*3600; s++ {
		now := traceStart.Add(time.Duration(s) * time.Second)
		for ev < len(incs) && !incs[ev].Time.Add(-15*time.Second).After(now) {
			fmt.Fprintf(&b, "%s gw kernel: [%d.5] [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:00:00:01:00:16:3e:00:00:02:08:00 SRC=54.172.60.%d DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=48 ID=0 DF PROTO=TCP SPT=%d DPT=443 WINDOW=62727 RES=0x00 SYN URGP=0\n",
				now.In(jst).Format(time.Stamp), s, ev+1, webhookIP, 40000+ev)
			ev++
			fw++
		}
		// Many other lines, the first fifty among them.
		for k := 0; k < 2; k++ {
			fmt.Fprintf(&b, "%s gw %s\n", now.In(jst).Format(time.Stamp), fmt.Sprintf(syslogNoise[(s+k)%len(syslogNoise)], 1000+s))
			other++
		}
		if s%600 == 300 {
			fmt.Fprintf(&b, "%s gw kernel: [%d.7] [UFW ALLOW] IN=eth0 OUT= MAC=00:16:3e:00:00:01 SRC=198.51.100.7 DST=%s LEN=52 PROTO=TCP SPT=51000 DPT=22 SYN\n", now.In(jst).Format(time.Stamp), s, webhookIP)
			fw++
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "syslog")
	os.WriteFile(path, b.Bytes(), 0o644)
	h, err := ScanHop(context.Background(), Spec{Name: "firewall", Pattern: path}, incs, Options{Location: jst, BlockSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if h.Detection.Format != "iptables" || !h.Detection.Mixed || h.Detection.Kind != KindFirewall {
		t.Fatalf("detection = %+v, want iptables among other lines", h.Detection)
	}
	for i, m := range h.Matches {
		if !m.Seen || !m.Dropped || m.Action != ActionDrop {
			t.Errorf("incident %d: %+v, want its drop", i, m)
		}
	}
	tot := h.Totals()
	if tot.Other == 0 || tot.Unparsed != 0 || tot.Parsed == 0 || tot.Parsed > int64(fw) {
		t.Errorf("totals = %+v; want other lines counted apart, none unreadable", tot)
	}
	sum := ReadSummary(h.Detection, tot)
	if !regexp.MustCompile(`^\d+ firewall lines? read, [\d,]+ other lines skipped$`).MatchString(sum) {
		t.Errorf("summary = %q", sum)
	}
	if rep := Trace(incs, []*HopResult{h}); rep.Reaches[0].Outcome != OutcomeDropped || rep.Reaches[0].Count != 5 {
		t.Errorf("trace = %q", rep.Summary)
	}
}

// TestDetect_FirewallLinesAnywhereInTheFile: the firewall's lines may start
// deep in the file; detection samples its middle and end too.
func TestDetect_FirewallLinesAnywhereInTheFile(t *testing.T) {
	var b bytes.Buffer
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for s := 0; s < 20000; s++ {
		fmt.Fprintf(&b, "%s gw %s\n", t0.Add(time.Duration(s)*time.Second).Format(time.Stamp), fmt.Sprintf(syslogNoise[s%len(syslogNoise)], s))
		if s > 15000 && s%100 == 0 {
			fmt.Fprintf(&b, "%s gw kernel: DROP IN=eth0 OUT= SRC=54.172.60.1 DST=203.0.113.10 LEN=60 PROTO=TCP SPT=1 DPT=443\n", t0.Add(time.Duration(s)*time.Second).Format(time.Stamp))
		}
	}
	path := filepath.Join(t.TempDir(), "kern.log")
	os.WriteFile(path, b.Bytes(), 0o644)
	f, det, err := DetectFiles([]string{path}, time.UTC, t0)
	if err != nil || f.Name != "iptables" || !det.Mixed {
		t.Fatalf("detected %+v, %v; want iptables", det, err)
	}
	if !strings.Contains(det.String(), "sampled lines, the others skipped") {
		t.Errorf("detection = %q", det)
	}
}

// TestDetect_OnlyTextFitsSaysSoWithARegexFromTheFirstLine: a log no known
// format reads but text is read as text, with a regex: suggestion built from
// its first line that reads that line's time, method, path, status and
// response time.
func TestDetect_OnlyTextFitsSaysSoWithARegexFromTheFirstLine(t *testing.T) {
	tests := []struct {
		line   string
		want   Record
		groups []string
	}{
		{"2026-11-25 10:00:00,250 INFO [http-nio-8080-exec-3] POST /twilio/voice -> 502 in 15.003s",
			Record{Method: "POST", Path: "/twilio/voice", Status: 502, Duration: 15003 * time.Millisecond, HasDuration: true}, []string{"time", "method", "path", "status", "duration"}},
		{`2026-11-25T01:00:00Z app method=POST path="/sms?x=1" status=504 duration=15000ms`,
			Record{Method: "POST", Path: "/sms", Query: "x=1", Status: 504, Duration: 15 * time.Second, HasDuration: true}, []string{"time", "method", "path", "status", "duration"}},
		{`Nov 25 10:00:00 web app[311]: 54.172.60.1 "POST /voice HTTP/1.1" 200 0.120`,
			Record{Method: "POST", Path: "/voice", Status: 200, Duration: 120 * time.Millisecond, HasDuration: true}, []string{"time", "method", "path", "status", "duration"}},
		{"1795568400 worker tick", Record{}, []string{"time"}},
	}
	for _, tt := range tests {
		lines := [][]byte{[]byte(tt.line), []byte(tt.line)}
		f, det, err := Detect(lines, time.UTC, sampleRef)
		if err != nil || f.Name != "text" || det.Kind != KindText {
			t.Errorf("%q: detected %+v, %v; want text", tt.line, det, err)
			continue
		}
		rf, err := ParseFormat(det.Suggestion)
		if err != nil {
			t.Errorf("%q: suggestion %q: %v", tt.line, det.Suggestion, err)
			continue
		}
		for _, g := range tt.groups {
			if !strings.Contains(det.Suggestion, "(?P<"+g+">") {
				t.Errorf("%q: suggestion %q lacks %s", tt.line, det.Suggestion, g)
			}
		}
		r, err := rf.Parse([]byte(tt.line), time.UTC, sampleRef)
		r.Time, r.Src, r.UA = time.Time{}, tt.want.Src, ""
		if err != nil || r != tt.want {
			t.Errorf("%q: suggestion %q reads %+v, %v; want %+v", tt.line, det.Suggestion, r, err, tt.want)
		}
		note := TextNote(Spec{Name: "app", Pattern: "/var/log/app.log"}, det)
		if !strings.Contains(note, "only text reads this log") || !strings.Contains(note, "combined") || !strings.Contains(note, "app=/var/log/app.log:"+det.Suggestion) {
			t.Errorf("note = %q", note)
		}
	}
}

// TestDetect_NothingFitsNamesTheFormatsAndARegex: the error for a log no
// format reads lists the known formats and a regex built from its first line.
func TestDetect_NothingFitsNamesTheFormatsAndARegex(t *testing.T) {
	_, det, err := Detect([][]byte{[]byte(`web01 | POST /voice 502 (15.2s) at 10:00:00`)}, time.UTC, sampleRef)
	if err == nil || !strings.Contains(err.Error(), "known formats: alb, ") || !strings.Contains(err.Error(), "regex:") || det.Suggestion == "" {
		t.Errorf("err = %v, det %+v", err, det)
	}
}
