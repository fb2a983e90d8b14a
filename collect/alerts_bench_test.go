package collect

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// peakHeap samples the heap in use until stop is called and returns the peak.
func peakHeap() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkAlerts100k collects 100,000 alerts (100 pages of 1,000) from the
// loopback fake into incidents and alerts.ndjson. Peak heap is reported in
// MB; it includes the in-process fake.
func BenchmarkAlerts100k(b *testing.B) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(100_000))
	defer fake.Close()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		stop := peakHeap()
		stage, err := NewStage()
		if err != nil {
			b.Fatal(err)
		}
		env := &Env{
			Evidence: &Evidence{Account: Account{SID: testAccount}, Window: Window{From: testFrom.Add(-90 * 24 * time.Hour), To: testFrom.Add(7 * 24 * time.Hour)}},
			Stage:    stage,
			API:      &APIConfig{BaseURL: fake.URL, Credentials: Credentials{AccountSID: testAccount, Username: testAccount, Secret: testToken}},
		}
		Run(context.Background(), env, 0, Alerts{MaxDetails: 200})
		peak := stop()
		if env.Evidence.AlertsSeen != 100_000 || env.Evidence.Collectors[0].State != StateOK {
			b.Fatalf("seen %d, status %+v", env.Evidence.AlertsSeen, env.Evidence.Collectors[0])
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		stage.Remove()
	}
}
