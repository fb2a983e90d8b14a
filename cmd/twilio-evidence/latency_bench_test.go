package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// BenchmarkBundleLatency runs the built command's bundle against the fake
// Twilio API served over TLS (HTTP/1.1, the worst case for connection reuse)
// with a simulated round trip per request and two more per new connection:
// 0 ms is loopback, 150 ms what a customer in Tokyo sees from Twilio's US1
// region. Two accounts: the demo's (320 alerts) and a busy one of 10,000
// alerts, with 200 alert details and 50 call-event lists; no probes and no
// status page. It reports the wall time (ns/op), the requests the fake
// answered, the connections opened, the command's CPU time (user and
// system: what the machine's load does not change) and its peak memory
// (maximum resident set). TWILIO_EVIDENCE_BENCH_BIN runs another build of
// the command instead (scripts/bench-latency.sh compares with an earlier
// commit in the same conditions):
//
//	go test -run '^$' -bench BundleLatency -benchtime 1x ./cmd/twilio-evidence/
func BenchmarkBundleLatency(b *testing.B) {
	bin := os.Getenv("TWILIO_EVIDENCE_BENCH_BIN")
	if bin == "" {
		bin = e2eCommand.Path(b)
	}
	from, to := e2eWindow()
	for _, size := range []struct {
		name   string
		alerts int
	}{{"demo", faketwilio.DemoAlerts}, {"10k", 10_000}} {
		data := faketwilio.SizedDemoData(from, to, size.alerts)
		for _, rtt := range []time.Duration{0, 150 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/rtt=%s", size.name, rtt), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					benchBundle(b, bin, data, rtt, from, to)
				}
			})
		}
	}
}

// benchBundle runs one bundle against a new fake and reports its figures.
func benchBundle(b *testing.B, bin string, data *faketwilio.AccountData, rtt time.Duration, from, to time.Time) {
	b.StopTimer()
	fake := faketwilio.NewWith(faketwilio.Options{RTT: rtt, TLS: true},
		map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, data)
	defer fake.Close()
	dir := b.TempDir()
	cert := filepath.Join(dir, "fake.pem")
	if err := os.WriteFile(cert, fake.Certificate(), 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "bundle", "--api-url", fake.URL, "--output", out,
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--tz", "UTC",
		"--max-details", "200", "--no-probe", "--no-status", "--quiet")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir(), "SSL_CERT_FILE=" + cert,
		"TWILIO_ACCOUNT_SID=" + faketwilio.DemoAccountSID, "TWILIO_AUTH_TOKEN=" + faketwilio.DemoAuthToken}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b.StartTimer()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatalf("bundle: %v\n%s", err, stderr.String())
	}
	peak := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = ru.Maxrss << 10 // kilobytes on Linux
	}
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), "cpu-s")
	b.ReportMetric(float64(fake.TotalRequests()), "requests")
	b.ReportMetric(float64(fake.Connections()), "conns")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.StartTimer()
}
