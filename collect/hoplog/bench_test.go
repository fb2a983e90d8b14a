package hoplog

import (
	"bufio"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"
)

// benchIncidents reads the incidents scripts/gen-access-log wrote beside
// the log.
func benchIncidents(b *testing.B, path string) []Incident {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []Incident
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var in struct {
			ID, Method, Path, Query, SID string
			Time                         time.Time
			DestAddr                     string `json:"dest_addr"`
			DestPort                     int    `json:"dest_port"`
		}
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			b.Fatal(err)
		}
		inc := Incident{ID: in.ID, Time: in.Time, Method: in.Method, Path: in.Path, Query: in.Query, SID: in.SID, DestPort: in.DestPort}
		if in.DestAddr != "" {
			inc.DestAddrs = []netip.Addr{netip.MustParseAddr(in.DestAddr)}
		}
		out = append(out, inc)
	}
	if len(out) == 0 {
		b.Fatal("no incidents in ", path)
	}
	return out
}

// BenchmarkScan1GB scans the log HOPLOG_BENCH_FILE names (made by
// scripts/gen-access-log, see scripts/bench-hoplog.sh): "windowed" as a hop
// is scanned, "scanall" reading every block for SID lines as an application
// log is. Every incident must be found.
func BenchmarkScan1GB(b *testing.B) {
	path := os.Getenv("HOPLOG_BENCH_FILE")
	if path == "" {
		b.Skip("HOPLOG_BENCH_FILE not set; run scripts/bench-hoplog.sh")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	incs := benchIncidents(b, path+".incidents.json")
	for _, mode := range []struct {
		name string
		opts Options
	}{
		{"windowed", Options{}},
		{"scanall", Options{ScanAll: true}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path}, incs, mode.opts)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range h.Matches {
					if !m.Seen || m.Status != 502 || !m.ByUserAgent {
						b.Fatalf("incident %s not matched: %+v", m.IncidentID, m)
					}
				}
				if i == 0 {
					tot := h.Totals()
					b.ReportMetric(float64(tot.Lines), "lines-looked-at")
					b.ReportMetric(float64(tot.SkippedBytes)/float64(fi.Size())*100, "%skipped")
				}
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
		})
	}
}

// BenchmarkScanSyslog1GB scans the syslog file HOPLOG_BENCH_SYSLOG names
// (scripts/gen-access-log -kind syslog, see scripts/bench-hoplog.sh): a
// firewall's UFW lines among other programs' lines, their times without a
// year or an offset, detected and read as a firewall hop is, the zone
// inferred. Every incident must be found dropped.
func BenchmarkScanSyslog1GB(b *testing.B) {
	path := os.Getenv("HOPLOG_BENCH_SYSLOG")
	if path == "" {
		b.Skip("HOPLOG_BENCH_SYSLOG not set; run scripts/bench-hoplog.sh")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	incs := benchIncidents(b, path+".incidents.json")
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h, err := ScanHop(context.Background(), Spec{Name: "firewall", Pattern: path}, incs, Options{LocalZone: time.UTC})
		if err != nil {
			b.Fatal(err)
		}
		if h.Detection.Format != "iptables" || !h.Detection.Mixed {
			b.Fatalf("detected %s, want iptables among other lines", h.Detection)
		}
		for _, m := range h.Matches {
			if !m.Seen || !m.Dropped {
				b.Fatalf("incident %s not matched: %+v", m.IncidentID, m)
			}
		}
		if i == 0 {
			tot := h.Totals()
			b.ReportMetric(float64(tot.Lines), "lines-looked-at")
			b.ReportMetric(float64(tot.SkippedBytes)/float64(fi.Size())*100, "%skipped")
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
}
