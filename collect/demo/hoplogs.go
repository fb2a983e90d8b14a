package demo

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// demoZone is the zone the demo's servers log in (the clinic is in Tokyo).
var demoZone = time.FixedZone("JST", 9*3600)

// demoLine is one log line at its time, for sorting.
type demoLine struct {
	t    time.Time
	text string
}

// writeHopLogs writes the logs of the demo's components into a temporary
// directory and sets d.Hops and d.Logs to their specs: an iptables firewall
// log, AWS ALB access logs (gzipped, as ALB delivers them) and nginx
// combined access logs (rotated, the older one gzipped), all made from the
// alerts of faketwilio.DemoData so that they line up with the incidents,
// among ordinary traffic. The requests for the voice host pass the firewall
// and vanish at the load balancer; those for the SMS host reach the web
// server, which answers what the alerts say. An application log names the
// failed messages' SIDs.
func (d *Demo) writeHopLogs(w collect.Window) error {
	dir, err := os.MkdirTemp("", "twilio-evidence-demo-logs-*")
	if err != nil {
		return fmt.Errorf("demo logs: %w", err)
	}
	d.closers = append(d.closers, func() { os.RemoveAll(dir) })
	d.LogDir = dir
	data := faketwilio.DemoData(w.From, w.To)
	rng := rand.New(rand.NewPCG(uint64(w.To.Unix()), 7))
	addr := map[string]string{faketwilio.DemoVoiceHost: VoiceAddr, faketwilio.DemoSMSHost: SMSAddr}
	var fw, lb, web, app []demoLine

	// Ordinary traffic: health checks every five minutes, browsers now and
	// then, a scanner the firewall drops.
	for t := w.From.Truncate(5 * time.Minute); t.Before(w.To); t = t.Add(5 * time.Minute) {
		hc := t.Add(time.Duration(rng.IntN(60)) * time.Second)
		lb = append(lb, demoLine{hc, albLine(hc, "10.0.1.17", "GET", "http", faketwilio.DemoSMSHost, 80, "/health", 200, 0.002, "ELB-HealthChecker/2.0")})
		web = append(web, demoLine{hc, combinedLine(hc, "10.0.1.17", "GET", "/health", 200, 2, "ELB-HealthChecker/2.0", 0.001)})
		if rng.IntN(3) == 0 {
			bt := t.Add(time.Duration(rng.IntN(300)) * time.Second)
			src := fmt.Sprintf("198.51.100.%d", 100+rng.IntN(100))
			fw = append(fw, demoLine{bt, iptablesLine(bt, "ACCEPT", src, SMSAddr, 443)})
			lb = append(lb, demoLine{bt.Add(20 * time.Millisecond), albLine(bt, src, "GET", "https", faketwilio.DemoSMSHost, 443, "/", 200, 0.012, "Mozilla/5.0")})
			web = append(web, demoLine{bt.Add(30 * time.Millisecond), combinedLine(bt, "10.0.1.17", "GET", "/", 200, 5120, "Mozilla/5.0", 0.011)})
		}
		if rng.IntN(4) == 0 {
			st := t.Add(time.Duration(rng.IntN(300)) * time.Second)
			fw = append(fw, demoLine{st, iptablesLine(st, "DROP", fmt.Sprintf("192.0.2.%d", 1+rng.IntN(250)), VoiceAddr, 22)})
		}
	}

	// The failed webhook requests, from the demo's alerts.
	for i := 0; i < data.Alerts.Len(); i++ {
		a := data.Alerts.At(i)
		if !twiliocodes.IsWebhookFailure(a.ErrorCode) || a.RequestURL == "" || !w.Contains(a.Generated) {
			continue
		}
		host, path := splitURL(a.RequestURL)
		dst, ok := addr[host]
		if !ok {
			continue
		}
		status := collect.ParseAlertText(a.AlertText).HTTPStatus
		took := 0.2 + rng.Float64()
		if status == 0 {
			status, took = 504, 15.0
		}
		sent := a.Generated.Add(-time.Duration(took*float64(time.Second)) - 300*time.Millisecond)
		src := fmt.Sprintf("54.172.60.%d", 1+rng.IntN(250))
		fw = append(fw, demoLine{sent, iptablesLine(sent, "ACCEPT", src, dst, 443)})
		if host == faketwilio.DemoVoiceHost {
			continue // lost between the firewall and the load balancer
		}
		lb = append(lb, demoLine{sent, albLine(sent, src, "POST", "https", host, 443, path, status, took, "TwilioProxy/1.1")})
		web = append(web, demoLine{sent, combinedLine(sent, "10.0.1.17", "POST", path, status, 166, "TwilioProxy/1.1", took)})
		app = append(app, demoLine{sent.Add(time.Duration(took * float64(time.Second))),
			fmt.Sprintf("%s ERROR sms-handler: reply failed with %d after %.3fs MessageSid=%s", sent.Add(time.Duration(took*float64(time.Second))).In(demoZone).Format("2006-01-02T15:04:05.000-07:00"), status, took, a.ResourceSid)})
	}

	mid := w.From.Add(w.To.Sub(w.From) / 2)
	files := []struct {
		name  string
		lines []demoLine
		from  time.Time
		to    time.Time
		gz    bool
	}{
		{"kern.log", fw, w.From, w.To, false},
		{"alb/123456789012_elasticloadbalancing_ap-northeast-1_app.clinic-lb.log.gz", lb, w.From, w.To, true},
		{"nginx/access.log.1.gz", web, w.From, mid, true},
		{"nginx/access.log", web, mid, w.To, false},
		{"app.log", app, w.From, w.To, false},
	}
	for _, f := range files {
		if err := writeDemoLog(filepath.Join(dir, filepath.FromSlash(f.name)), f.lines, f.from, f.to, f.gz); err != nil {
			return err
		}
	}
	d.Hops = []string{
		"firewall=" + filepath.Join(dir, "kern.log"),
		"lb=" + filepath.Join(dir, "alb", "*.log.gz"),
		"web=" + filepath.Join(dir, "nginx", "access.log*"),
	}
	d.Logs = []string{"app=" + filepath.Join(dir, "app.log")}
	return nil
}

func splitURL(u string) (host, path string) {
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, path, _ = strings.Cut(rest, "/")
	return host, "/" + path
}

// writeDemoLog writes the lines in [from, to) in time order.
func writeDemoLog(path string, lines []demoLine, from, to time.Time, gz bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("demo logs: %w", err)
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].t.Before(lines[j].t) })
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("demo logs: %w", err)
	}
	var out io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		out = zw
	}
	bw := bufio.NewWriter(out)
	for _, l := range lines {
		if !l.t.Before(from) && l.t.Before(to) {
			bw.WriteString(l.text)
			bw.WriteByte('\n')
		}
	}
	err = bw.Flush()
	if zw != nil {
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("demo logs: write %s: %w", path, err)
	}
	return nil
}

func iptablesLine(t time.Time, action, src, dst string, port int) string {
	return fmt.Sprintf("%s clinic-fw kernel: %s: IN=eth0 OUT=eth1 SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0",
		t.In(demoZone).Format("2006-01-02T15:04:05.000000-07:00"), action, src, dst, t.Nanosecond()%65536, 30000+t.Second()*500+t.Nanosecond()%500, port)
}

func albLine(t time.Time, client, method, scheme, host string, port int, path string, status int, took float64, ua string) string {
	ts := t.UTC().Format("2006-01-02T15:04:05.000000Z")
	done := t.Add(time.Duration(took * float64(time.Second))).UTC().Format("2006-01-02T15:04:05.000000Z")
	return fmt.Sprintf(`%s %s app/clinic-lb/50dc6c495c0c9188 %s:%d 10.0.1.17:80 0.000 %.3f 0.000 %d %d 412 166 "%s %s://%s:%d%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/clinic/73e2d6bc24d8a067 "Root=1-%08x-000000000000000000000000" "%s" "-" 0 %s "forward" "-" "-" "10.0.1.17:80" "%d" "-" "-"`,
		scheme, done, client, 40000+t.Second(), took, status, status, method, scheme, host, port, path, ua, t.Unix(), host, ts, status)
}

func combinedLine(t time.Time, client, method, path string, status, size int, ua string, took float64) string {
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s" %.3f`, client, t.In(demoZone).Format("02/Jan/2006:15:04:05 -0700"), method, path, status, size, ua, took)
}
