package hoplog

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestScanHop_InfersTheOffsetOfTimesWithout: logs written in local time
// without offsets (Tokyo, and the half- and three-quarter-hour zones of
// India, Newfoundland and Nepal), read on a machine in UTC without a zone
// given, are read at the log's offset, inferred from its Twilio requests,
// and every incident is matched.
func TestScanHop_InfersTheOffsetOfTimesWithout(t *testing.T) {
	for _, zone := range []struct {
		name   string
		offset time.Duration
		want   string
	}{
		{"Tokyo", 9 * time.Hour, "UTC+09:00"},
		{"Kolkata", 5*time.Hour + 30*time.Minute, "UTC+05:30"},
		{"StJohns", -(3*time.Hour + 30*time.Minute), "UTC-03:30"},
		{"Kathmandu", 5*time.Hour + 45*time.Minute, "UTC+05:45"},
	} {
		loc := time.FixedZone(zone.name, int(zone.offset.Seconds()))
		for _, v := range []variant{
			{name: "json-naive", format: "json", unit: time.Millisecond, line: func(e logEvent) string {
				return fmt.Sprintf(`{"time":"%s","method":"%s","uri":"%s","status":%d,"request_time":%.3f,"user_agent":"%s"}`,
					e.t.In(loc).Format("2006-01-02 15:04:05.000"), e.method, e.target, e.status, e.dur.Seconds(), e.ua)
			}},
			{name: "iptables-syslog", format: "iptables", conn: true, line: func(e logEvent) string {
				return fmt.Sprintf(`%s fw kernel: [1.2] %s IN=eth0 OUT= SRC=%s DST=%s LEN=60 PROTO=TCP SPT=40000 DPT=%d SYN`, e.t.In(loc).Format(time.Stamp), e.action, e.src, e.dst, e.dport)
			}},
		} {
			t.Run(zone.name+"/"+v.name, func(t *testing.T) {
				incs := traceIncidents(len(variantFates) * 2)
				path := writeVariant(t, v, incs)
				h, err := ScanHop(context.Background(), Spec{Name: "hop", Pattern: path}, incs, Options{LocalZone: time.UTC, BlockSize: 64 << 10})
				if err != nil {
					t.Fatal(err)
				}
				z := h.Zone
				if z == nil || !z.Fits || z.Offset != zone.offset || z.Matched != len(incs) || z.Total != len(incs) {
					t.Fatalf("zone = %+v, want %s matching all %d", z, zone.want, len(incs))
				}
				if want := fmt.Sprintf("times read as %s, the offset that matches %d of %d incidents; set --log-tz to choose", zone.want, len(incs), len(incs)); z.Sentence() != want {
					t.Errorf("sentence = %q", z.Sentence())
				}
				for i, m := range h.Matches {
					if !m.Seen {
						t.Errorf("incident %d not matched: %+v", i, m)
					}
				}
			})
		}
	}
}

// TestScanHop_TimesFittingNoOffsetWarn: a log whose requests line up with
// the incidents at no offset is read in the local zone and says so.
func TestScanHop_TimesFittingNoOffsetWarn(t *testing.T) {
	v := variant{name: "json-off", format: "json", line: func(e logEvent) string {
		// Seven minutes off any quarter hour: no offset explains them.
		return fmt.Sprintf(`{"time":"%s","method":"%s","uri":"%s","status":%d}`, e.t.Add(9*time.Hour+7*time.Minute).UTC().Format("2006-01-02 15:04:05"), e.method, e.target, e.status)
	}}
	incs := traceIncidents(4)
	path := writeVariant(t, v, incs)
	h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path}, incs, Options{LocalZone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if z := h.Zone; z == nil || z.Fits || z.Offset != 0 || !strings.Contains(z.Sentence(), "fit none") || !strings.Contains(z.Sentence(), "set --log-tz") {
		t.Fatalf("zone = %+v", h.Zone)
	}
}

// TestScanHop_NoInferenceWithOffsetsOrAZoneGiven: times with offsets, or a
// zone given, are read as they say.
func TestScanHop_NoInferenceWithOffsetsOrAZoneGiven(t *testing.T) {
	incs := traceIncidents(2)
	path := writeVariant(t, variant{name: "clf", line: lineWriters["combined"]}, incs)
	if h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path}, incs, Options{LocalZone: time.UTC}); err != nil || h.Zone != nil {
		t.Errorf("zone = %+v, %v; want none for times with offsets", h.Zone, err)
	}
}
