package analysis

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// BenchmarkStatsInBundle1M is the statistics of a bundle of 1,000,000
// incidents over a week in Asia/Tokyo, with usage and a previous window
// from the API of 100,000 incidents, as Analyze and Write meet them: the
// findings, then the stats files in Japanese from the same computation.
// Besides time per op it reports the heap held by the evidence (input-MB)
// and the highest heap in use while computing (peak-heap-MB).
func BenchmarkStatsInBundle1M(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		b.Fatal(err)
	}
	w := collect.Window{From: testkit.WeekFrom, To: testkit.WeekFrom.Add(7 * 24 * time.Hour), Location: loc}
	r := rand.New(rand.NewPCG(3, 4))
	gen := func(n int, from time.Time) []collect.Incident {
		codes := []string{"11200", "11205", "11217", "12300", "15003"}
		out := make([]collect.Incident, n)
		for i := range out {
			out[i] = collect.Incident{
				Time: from.Add(time.Duration(r.Int64N(int64(w.Duration())))), ErrorCode: codes[r.IntN(len(codes))],
				HTTPStatus: 502, Kind: collect.KindCall, Method: "POST",
				URL: fmt.Sprintf("https://app%d.example.com/voice?n=%d", r.IntN(4), r.IntN(50)),
			}
		}
		return out
	}
	incidents := gen(1_000_000, w.From)
	previous := &collect.Previous{Source: collect.PreviousFromAPI, Window: collect.PreviousWindow(w), Incidents: gen(100_000, w.From.Add(-w.Duration()))}
	usage := testkit.DailyUsage(400_000, 300_000)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := &collect.Evidence{Window: w, Incidents: incidents, Usage: usage, Previous: previous}
		res := newStats(ev)
		if fs := statsFindings(res); len(fs) < 5 {
			b.Fatalf("%d findings", len(fs))
		}
		st, err := res.st.InLang("ja")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Files(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(before.HeapInuse)/1e6, "input-MB")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
