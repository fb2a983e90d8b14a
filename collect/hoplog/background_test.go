package hoplog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// firewallLog writes three hours of an iptables log: the incidents' drops
// from Twilio and, every scanEvery, a scanner's drop to the webhook's port
// (none when zero), and SSH scans to port 22 all along.
func firewallLog(t *testing.T, incs []Incident, scanEvery time.Duration) string {
	t.Helper()
	var b bytes.Buffer
	ev := 0
	line := func(at time.Time, src string, dport int) {
		fmt.Fprintf(&b, "%s fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=%s DST=%s LEN=44 TOS=0x00 PROTO=TCP SPT=%d DPT=%d SYN URGP=0\n",
			at.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), src, webhookIP, 30000+at.Second(), dport)
	}
	for s := 0; s < 3*3600; s++ {
		now := traceStart.Add(time.Duration(s) * time.Second)
		for ev < len(incs) && !incs[ev].Time.Add(-15*time.Second).After(now) {
			line(now, "54.172.60.1", 443)
			ev++
		}
		if scanEvery > 0 && s%int(scanEvery.Seconds()) == 7 {
			line(now, fmt.Sprintf("45.155.205.%d", s%200), 443)
		}
		if s%30 == 0 {
			line(now, "193.32.162.9", 22)
		}
	}
	path := filepath.Join(t.TempDir(), "kern.log")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrace_BackgroundScansLowerTheDropsConfidence: a firewall that drops
// connections to the webhook's port all the time (a port scan) states how
// often, and a drop near an incident is then weak evidence; drops to other
// ports never count.
func TestTrace_BackgroundScansLowerTheDropsConfidence(t *testing.T) {
	incs := traceIncidents(5)
	tests := []struct {
		name       string
		scanEvery  time.Duration
		confidence string
		phrase     string
	}{
		{"NoScans", 0, "high", ""},
		{"ScannedEvery20s", 20 * time.Second, "low", "180.0 an hour"},
		{"ScannedEvery15min", 15 * time.Minute, "medium", "an hour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := firewallLog(t, incs, tt.scanEvery)
			h, err := ScanHop(context.Background(), Spec{Name: "firewall", Pattern: path}, incs, Options{BlockSize: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			rep := Trace(incs, []*HopResult{h})
			if len(rep.Reaches) != 1 || rep.Reaches[0].Outcome != OutcomeDropped || rep.Reaches[0].Count != 5 {
				t.Fatalf("verdicts = %q", rep.Summary)
			}
			v := rep.Reaches[0]
			if v.Confidence != tt.confidence {
				t.Errorf("confidence = %s, want %s (background %+v, chance %.2f)", v.Confidence, tt.confidence, v.Background, v.Background.Chance())
			}
			if tt.phrase == "" {
				if strings.Contains(v.Sentence, "outside the incidents' windows") || h.Background.Drops != 0 {
					t.Errorf("sentence = %q, background %+v; want none", v.Sentence, h.Background)
				}
				return
			}
			if !strings.Contains(v.Sentence, "also drops connections to 203.0.113.10:443 outside the incidents' windows") ||
				!strings.Contains(v.Sentence, tt.phrase) || !strings.Contains(v.Sentence, "confidence "+tt.confidence) {
				t.Errorf("sentence = %q", v.Sentence)
			}
		})
	}
}

// TestScanHop_DropsToOtherPortsAreNotTheIncidents: an SSH scan dropped at
// an incident's time is not Twilio's connection.
func TestScanHop_DropsToOtherPortsAreNotTheIncidents(t *testing.T) {
	incs := traceIncidents(2)
	var b bytes.Buffer
	for s := 0; s < 3*3600; s += 10 {
		fmt.Fprintf(&b, "%s fw kernel: DROP IN=eth0 OUT= SRC=193.32.162.9 DST=%s LEN=44 PROTO=TCP SPT=1 DPT=22\n",
			traceStart.Add(time.Duration(s)*time.Second).Format(time.RFC3339), webhookIP)
	}
	path := filepath.Join(t.TempDir(), "kern.log")
	os.WriteFile(path, b.Bytes(), 0o644)
	h, err := ScanHop(context.Background(), Spec{Name: "firewall", Pattern: path}, incs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range h.Matches {
		if m.Seen || m.Dropped {
			t.Errorf("match = %+v, want the port-22 drops ignored", m)
		}
	}
}
