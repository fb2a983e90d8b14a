package stats

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// benchIncidents generates n incidents over window w: 12 URLs on 4 hosts,
// 8 error codes, calls, messages and a few others, with a busy evening and
// some bursts.
func benchIncidents(n int, w collect.Window) []collect.Incident {
	r := rand.New(rand.NewPCG(1, 2))
	var urls []string
	for h := 0; h < 4; h++ {
		for _, p := range []string{"/voice", "/sms", "/status"} {
			urls = append(urls, fmt.Sprintf("https://app%d.example.com%s?AccountSid=AC1", h, p))
		}
	}
	codes := []string{"11200", "11205", "11217", "12300", "11210", "11220", "12100", "15003"}
	kinds := []string{collect.KindCall, collect.KindMessage, collect.KindCall, collect.KindOther}
	statuses := []int{502, 503, 504, 0, 500, 404}
	span := int64(w.Duration())
	out := make([]collect.Incident, n)
	for i := range out {
		var off int64
		if i%10 == 0 {
			// A busy evening hour every day.
			off = int64(r.IntN(int(w.Duration()/(24*time.Hour))))*int64(24*time.Hour) + int64(19*time.Hour) + r.Int64N(int64(time.Hour))
		} else {
			off = r.Int64N(span)
		}
		out[i] = collect.Incident{
			Time:       w.From.Add(time.Duration(off)),
			ErrorCode:  codes[r.IntN(len(codes))],
			HTTPStatus: statuses[r.IntN(len(statuses))],
			Kind:       kinds[r.IntN(len(kinds))],
			Method:     "POST",
			URL:        urls[r.IntN(len(urls))],
		}
	}
	return out
}

// peakHeap samples HeapInuse until stop is closed and returns the highest.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkCompute1M computes the statistics of 1,000,000 incidents over a
// week in Asia/Tokyo, with usage and probes, and writes the files. Besides
// time and allocations per op it reports the heap held by the input
// (input-MB), the highest heap in use while computing (peak-heap-MB) and the
// bytes Compute allocated (compute-MB/op).
func BenchmarkCompute1M(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		b.Fatal(err)
	}
	w := collect.Window{From: weekFrom, To: weekFrom.Add(7 * 24 * time.Hour), Location: loc}
	incidents := benchIncidents(1_000_000, w)
	var usage []collect.UsageDay
	for d := 0; d < 7; d++ {
		usage = append(usage, collect.UsageDay{Day: weekFrom.AddDate(0, 0, d), Calls: 400_000, Messages: 300_000})
	}
	var probes []Probe
	for t := w.From; t.Before(w.To); t = t.Add(5 * time.Minute) {
		probes = append(probes, Probe{Time: t, OK: t.Hour() != 10})
	}
	in := Input{Window: w, Incidents: incidents, Usage: usage, Probes: probes}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := peakHeap(stop)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Compute(in, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if s.Total != len(incidents) {
			b.Fatalf("total %d, want %d", s.Total, len(incidents))
		}
		if _, err := s.Files(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(before.HeapInuse)/1e6, "input-MB")
	b.ReportMetric(float64(<-peak)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "compute-MB/op")
}
