package stats

import (
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// FuzzCompute feeds windows, zones and incident times of any shape to
// Compute: it must return statistics or an error, never panic, and the
// statistics must account for every incident.
func FuzzCompute(f *testing.F) {
	f.Add(int64(1763424000), int64(7*24*3600), uint8(0), int64(3600), int64(-60), "https://a.example/x?y", 502)
	f.Add(int64(1761955200), int64(3*24*3600), uint8(2), int64(5*3600+1800), int64(1<<40), "", -1)
	f.Add(int64(-62135596800), int64(3600), uint8(3), int64(0), int64(1), "http://[::1]:80", 0)
	zones := []string{"UTC", "Asia/Tokyo", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"}
	f.Fuzz(func(t *testing.T, fromSec, length int64, zone uint8, at1, at2 int64, url string, status int) {
		loc, err := time.LoadLocation(zones[int(zone)%len(zones)])
		if err != nil {
			t.Skip()
		}
		from := time.Unix(fromSec, 0)
		w := collect.Window{From: from, To: from.Add(time.Duration(length) * time.Second), Location: loc}
		incidents := []collect.Incident{
			{Time: from.Add(time.Duration(at1) * time.Second), URL: url, HTTPStatus: status, Kind: collect.KindCall},
			{Time: from.Add(time.Duration(at2) * time.Second), URL: url, HTTPStatus: status, Kind: "x"},
		}
		probes := []Probe{{Time: incidents[0].Time}, {Time: incidents[1].Time, OK: true}}
		usage := []collect.UsageDay{{Day: from, Calls: 5}}
		s, err := Compute(Input{Window: w, Incidents: incidents, Probes: probes, Usage: usage}, Options{})
		if err != nil {
			return
		}
		if s.Total+s.OutsideWindow != len(incidents) {
			t.Errorf("total %d + outside %d != %d", s.Total, s.OutsideWindow, len(incidents))
		}
		sum := func(f func(Kinds) int) (d, u, h int) {
			for _, r := range s.Daily {
				d += f(r.Incidents)
			}
			for _, r := range s.DailyUTC {
				u += f(r.Incidents)
			}
			for _, r := range s.Hourly {
				h += f(r.Incidents)
			}
			return
		}
		d, u, h := sum(Kinds.Total)
		if d != s.Total || u != s.Total || h != s.Total {
			t.Errorf("daily %d, UTC daily %d, hourly %d, want %d each", d, u, h, s.Total)
		}
		if _, err := s.Files(); err != nil {
			t.Errorf("files: %v", err)
		}
	})
}
