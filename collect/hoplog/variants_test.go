package hoplog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// variant is one log format or variant as its program writes it: lines
// rendered from events, detected without being told.
type variant struct {
	name string
	// format is the name detection must give; detail a part of what it
	// must say beyond the name (a JSON shape, a unit), if anything.
	format, detail string
	conn           bool
	// header is written once at the start of the file (W3C #Fields:, a
	// flow log's field names).
	header string
	line   func(e logEvent) string
	// unit is the precision of the response time the format writes.
	unit time.Duration
	// noStatus: the format logs no status (connection logs).
	noStatus bool
}

// variantIncidents are the incidents each variant plants: answers of
// different statuses and response times, in the log's units.
var variantFates = []struct {
	status int
	dur    time.Duration
	action string
}{
	{502, 1500 * time.Millisecond, "DROP"},
	{200, 250 * time.Millisecond, "ACCEPT"},
	{504, 16200 * time.Millisecond, "DROP"},
	{500, 3 * time.Millisecond, "ACCEPT"},
}

// writeVariant writes three hours of ordinary traffic with the incidents'
// requests among it, in the variant's format, each answered as
// variantFates say.
func writeVariant(t *testing.T, v variant, incs []Incident) string {
	t.Helper()
	return writeVariantEvents(t, v, incs, func(i int, in Incident) logEvent {
		f := variantFates[i%len(variantFates)]
		return reqEvent(in, f.status, f.dur, f.action)
	})
}

// writeVariantEvents is writeVariant with the incidents' requests made by
// event, from each incident and its index.
func writeVariantEvents(t *testing.T, v variant, incs []Incident, event func(i int, in Incident) logEvent) string {
	t.Helper()
	var b bytes.Buffer
	if v.header != "" {
		b.WriteString(v.header + "\n")
	}
	ei := 0
	for s := 0; s < 3*3600; s += 2 {
		now := traceStart.Add(time.Duration(s) * time.Second)
		for ei < len(incs) && !incs[ei].Time.Add(-15*time.Second).After(now) {
			e := event(ei, incs[ei])
			e.src = fmt.Sprintf("54.172.60.%d", ei+1)
			b.WriteString(v.line(e) + "\n")
			ei++
		}
		e := logEvent{t: now, method: "GET", target: fmt.Sprintf("/static/%d.css", s%50), status: 200, dur: 3 * time.Millisecond,
			ua: "Mozilla/5.0 (X11; Linux x86_64)", src: "198.51.100.7", dst: "203.0.113.99", dport: 80, action: "ACCEPT"}
		b.WriteString(v.line(e) + "\n")
	}
	path := filepath.Join(t.TempDir(), v.name+".log")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkVariant scans a variant's log without a format and checks that it
// is detected and that every planted incident is found with its status,
// response time and action.
func checkVariant(t *testing.T, v variant) {
	t.Helper()
	incs := traceIncidents(len(variantFates) * 2)
	path := writeVariant(t, v, incs)
	h, err := ScanHop(context.Background(), Spec{Name: "hop", Pattern: path}, incs, Options{Location: time.UTC, BlockSize: 64 << 10})
	if err != nil {
		t.Fatalf("%s: %v", v.name, err)
	}
	if h.Detection.Format != v.format || !strings.Contains(h.Detection.Detail, v.detail) {
		t.Fatalf("%s detected as %s, want %s [%s]", v.name, h.Detection, v.format, v.detail)
	}
	if tot := h.Totals(); tot.Unparsed != 0 {
		t.Errorf("%s: %d unreadable lines", v.name, tot.Unparsed)
	}
	for i, m := range h.Matches {
		f := variantFates[i%len(variantFates)]
		if !m.Seen {
			t.Errorf("%s: incident %d not found: %+v", v.name, i, m)
			continue
		}
		if v.conn {
			wantDrop := f.action == "DROP"
			if m.Dropped != wantDrop {
				t.Errorf("%s: incident %d action %q, want %s", v.name, i, m.Action, f.action)
			}
			continue
		}
		if !v.noStatus && m.Status != f.status {
			t.Errorf("%s: incident %d status %d, want %d", v.name, i, m.Status, f.status)
		}
		if v.unit > 0 && (!m.HasDuration || m.Duration.Round(v.unit) != f.dur.Round(v.unit)) {
			t.Errorf("%s: incident %d response time %v (%v), want %v", v.name, i, m.Duration, m.HasDuration, f.dur)
		}
	}
}

func clfTS(t time.Time) string { return t.UTC().Format("02/Jan/2006:15:04:05 -0700") }

// TestVariants_UnitsOfResponseTimes: response times in the units each log
// writes them, read without being told.
func TestVariants_UnitsOfResponseTimes(t *testing.T) {
	for _, v := range []variant{
		{name: "apache-D", format: "combined", detail: "Apache %D", unit: time.Microsecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" %d`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, e.dur.Microseconds())
		}},
		{name: "apache-T-D", format: "combined", detail: "Apache %D", unit: time.Microsecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" %d/%d`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, int(e.dur.Seconds()), e.dur.Microseconds())
		}},
		{name: "traefik-clf", format: "combined", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" 1042 "voice@docker" "http://172.18.0.4:8080" %dms`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, e.dur.Milliseconds())
		}},
		// A Go service appending time.Since(start): "1.5s", "250ms", "16.2s".
		{name: "combined-go-duration", format: "combined", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" %s`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, e.dur)
		}},
		{name: "combined-µs-suffix", format: "combined", unit: time.Microsecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" "hooks.example.com" %dµs`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, e.dur.Microseconds())
		}},
		{name: "combined-us-suffix", format: "combined", unit: time.Microsecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512 "-" "%s" %dus`, e.src, clfTS(e.t), e.method, e.target, e.status, e.ua, e.dur.Microseconds())
		}},
		{name: "envoy-json", format: "json", detail: "envoy: ", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`{"start_time":"%s","method":"%s","path":"%s","protocol":"HTTP/1.1","response_code":%d,"response_flags":"-","bytes_received":0,"bytes_sent":120,"duration":%d,"upstream_service_time":"%d","x_forwarded_for":"%s","user_agent":"%s","request_id":"3f6e1c0a-1b2c-4d5e-8f90-0123456789ab","authority":"hooks.example.com","upstream_host":"10.8.0.12:8080","downstream_remote_address":"%s:40512"}`,
				e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.method, e.target, e.status, e.dur.Milliseconds(), e.dur.Milliseconds(), e.src, e.ua, e.src)
		}},
		{name: "traefik-json", format: "json", detail: "traefik: ", unit: time.Nanosecond, line: func(e logEvent) string {
			return fmt.Sprintf(`{"ClientAddr":"%s:40512","ClientHost":"%s","ClientPort":"40512","DownstreamContentSize":120,"DownstreamStatus":%d,"Duration":%d,"OriginDuration":%d,"OriginStatus":%d,"RequestHost":"hooks.example.com","RequestMethod":"%s","RequestPath":"%s","RequestProtocol":"HTTP/1.1","RouterName":"voice@docker","StartUTC":"%s","entryPointName":"websecure","level":"info","msg":"","request_User-Agent":"%s","time":"%s"}`,
				e.src, e.src, e.status, e.dur.Nanoseconds(), e.dur.Nanoseconds()-1000, e.status, e.method, e.target, e.t.UTC().Format(time.RFC3339Nano), e.ua, e.t.Add(e.dur).Format(time.RFC3339))
		}},
		{name: "caddy-json", format: "json", detail: "caddy: ", unit: time.Microsecond, line: func(e logEvent) string {
			return fmt.Sprintf(`{"level":"info","ts":%.6f,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"%s","remote_port":"40512","proto":"HTTP/1.1","method":"%s","host":"hooks.example.com","uri":"%s","headers":{"User-Agent":["%s"],"Content-Type":["application/x-www-form-urlencoded"]}},"bytes_read":312,"user_id":"","duration":%.6f,"size":120,"status":%d,"resp_headers":{"Server":["Caddy"],"Content-Type":["text/xml"]}}`,
				float64(e.t.UnixMicro())/1e6, e.src, e.method, e.target, e.ua, e.dur.Seconds(), e.status)
		}},
		{name: "gitlab-json", format: "json", detail: "gitlab: ", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`{"method":"%s","path":"%s","format":"html","controller":"WebhooksController","action":"create","status":%d,"time":"%s","params":[],"remote_ip":"%s","user_id":null,"username":null,"ua":"%s","queue_duration_s":0.01,"db_duration_s":0.2,"view_duration_s":0.01,"duration_s":%.3f,"correlation_id":"01HZX3T5Q2","worker_id":"puma_0"}`,
				e.method, e.target, e.status, e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.src, e.ua, e.dur.Seconds())
		}},
	} {
		t.Run(v.name, func(t *testing.T) { checkVariant(t, v) })
	}
}

// TestJSONMapping_DurationUnitGiven: json:duration=KEY:UNIT reads the
// duration in that unit.
func TestJSONMapping_DurationUnitGiven(t *testing.T) {
	for _, tt := range []struct {
		spec string
		want time.Duration
	}{
		{"json:time=when,path=target,status=code,duration=Took:ns", 1500 * time.Millisecond},
		{"json:time=when,path=target,status=code,duration=Took:us", 1500 * time.Second},
		{"json:time=when,path=target,status=code,duration=Took:µs", 1500 * time.Second},
	} {
		f, err := ParseFormat(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Parse([]byte(`{"when":"2026-11-25T01:00:00Z","target":"/voice","code":502,"took":1500000000}`), time.UTC, sampleRef)
		if err != nil || r.Duration != tt.want || r.Status != 502 {
			t.Errorf("%s: %+v, %v; want %v", tt.spec, r, err, tt.want)
		}
		if !strings.Contains(f.Detail(), "duration=took:") {
			t.Errorf("%s: detail %q lacks the unit", tt.spec, f.Detail())
		}
	}
	for _, bad := range []string{"json:duration=x:parsecs", "json:status=x:ms"} {
		if _, err := ParseFormat(bad); err == nil {
			t.Errorf("ParseFormat(%q) accepted", bad)
		}
	}
}

// TestTrace_ResponseTimeOverAnHourIsAUnitError: a JSON log whose duration is
// in milliseconds under a key that says nothing reads as hours; that is
// reported as a probable unit error, not as "too slow".
func TestTrace_ResponseTimeOverAnHourIsAUnitError(t *testing.T) {
	v := variant{name: "ms-as-seconds", format: "json", line: func(e logEvent) string {
		return fmt.Sprintf(`{"time":"%s","uri":"%s","method":"%s","status":%d,"latency":%d}`, e.t.UTC().Format(time.RFC3339), e.target, e.method, e.status, e.dur.Milliseconds()*1000)
	}}
	incs := traceIncidents(2)
	path := writeVariant(t, v, incs)
	h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path}, incs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Note, "response time over an hour") || !strings.Contains(h.Note, "unit") {
		t.Errorf("note = %q", h.Note)
	}
	rep := Trace(incs, []*HopResult{h})
	for _, vd := range rep.Reaches {
		if vd.Outcome == OutcomeTooSlow {
			t.Errorf("verdict %q from a unit error", vd.Sentence)
		}
	}
	for _, vd := range rep.Reaches {
		if vd.UnitErrors != 1 || !strings.Contains(vd.Sentence, "taken for a unit error, not for slowness") {
			t.Errorf("verdict = %+v", vd)
		}
	}
}

// TestELB_KeepsFractionsOfSeconds: classic ELB times keep their fractions.
func TestELB_KeepsFractionsOfSeconds(t *testing.T) {
	f, _ := ParseFormat("elb")
	r, err := f.Parse([]byte(`2026-11-25T01:00:00.945958Z my-lb 54.172.60.5:2817 10.0.0.1:80 0.000040 4.980000 0.000060 504 504 0 29 "POST http://hooks.example.com:80/voice HTTP/1.1" "TwilioProxy/1.1" - -`), time.UTC, sampleRef)
	if err != nil || r.Duration != 4980100*time.Microsecond {
		t.Errorf("record = %+v, %v; want 4.9801 s", r, err)
	}
}

func syslogTS(t time.Time) string { return t.UTC().Format(time.Stamp) }

// TestVariants_ProxiesAndServers: the common log format, HAProxy, IIS and
// CloudFront (W3C with their #Fields: lines), Envoy and Istio, each
// detected without being told, every planted request found with its status
// and response time (where the format logs one).
func TestVariants_ProxiesAndServers(t *testing.T) {
	for _, v := range []variant{
		// Apache's and nginx's common log format: no user agent, no time
		// taken; the status is all it tells.
		{name: "common", format: "common", line: func(e logEvent) string {
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 512`, e.src, clfTS(e.t), e.method, e.target, e.status)
		}},
		{name: "haproxy-syslog", format: "haproxy", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s lb1 haproxy[2211]: %s:40512 [%s] fe_https~ be_twilio/app1 0/0/1/%d/%d %d 198 - - ---- 12/12/3/1/0 0/0 "%s %s HTTP/1.1"`,
				syslogTS(e.t.Add(e.dur)), e.src, e.t.UTC().Format("02/Jan/2006:15:04:05.000"), e.dur.Milliseconds()-1, e.dur.Milliseconds(), e.status, e.method, e.target)
		}},
		{name: "haproxy-stdout", format: "haproxy", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`%s:40512 [%s] fe_http be_twilio/app2 0/0/0/%d/%d %d 0 - - ---- 3/3/1/1/0 0/0 {hooks.example.com|%s} {} "%s %s HTTP/1.1"`,
				e.src, e.t.UTC().Format("02/Jan/2006:15:04:05.000"), e.dur.Milliseconds(), e.dur.Milliseconds(), e.status, e.ua, e.method, e.target)
		}},
		{name: "iis", format: "w3c", detail: "time-taken", unit: time.Millisecond,
			header: "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-11-24 22:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
			line: func(e logEvent) string {
				return fmt.Sprintf(`%s 10.0.0.4 %s %s - 443 - %s %s - %d 0 0 %d`, e.t.UTC().Format("2006-01-02 15:04:05"), e.method, e.target, e.src, strings.ReplaceAll(e.ua, " ", "+"), e.status, e.dur.Milliseconds())
			}},
		{name: "iis-own-fields", format: "w3c", detail: "date time c-ip cs-method", unit: time.Millisecond,
			header: "#Software: Microsoft Internet Information Services 8.5\n#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken cs(User-Agent)",
			line: func(e logEvent) string {
				return fmt.Sprintf(`%s %s %s %s %d %d %s`, e.t.UTC().Format("2006-01-02 15:04:05"), e.src, e.method, e.target, e.status, e.dur.Milliseconds(), strings.ReplaceAll(e.ua, " ", "+"))
			}},
		{name: "cloudfront", format: "cloudfront", unit: time.Millisecond,
			header: "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version",
			line: func(e logEvent) string {
				return strings.Join([]string{e.t.UTC().Format("2006-01-02"), e.t.UTC().Format("15:04:05"), "NRT57-P3", "520", e.src, e.method, "d111111abcdef8.cloudfront.net",
					e.target, fmt.Sprint(e.status), "-", strings.ReplaceAll(e.ua, " ", "%20"), "-", "-", "Miss", "Qx3Kp2Z8vWjR1tYbN0cLmA==", "hooks.example.com", "https", "812",
					fmt.Sprintf("%.3f", e.dur.Seconds()), "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Miss", "HTTP/1.1"}, "\t")
			}},
		{name: "envoy", format: "envoy", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`[%s] "%s %s HTTP/1.1" %d - 312 91 %d %d "%s" "%s" "4b8e2f0a-5d1c-4e7b-9a3f-2c6d8e1f0a7b" "hooks.example.com" "10.8.0.12:8080"`,
				e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.method, e.target, e.status, e.dur.Milliseconds(), e.dur.Milliseconds(), e.src, e.ua)
		}},
		{name: "istio", format: "envoy", unit: time.Millisecond, line: func(e logEvent) string {
			return fmt.Sprintf(`[%s] "%s %s HTTP/1.1" %d - via_upstream - "-" 312 120 %d %d "%s" "%s" "9c1d2e3f-0000-4a5b-8c7d-112233445566" "hooks.example.com" "10.44.1.27:8080" inbound|8080|| 127.0.0.6:51249 10.44.1.27:8080 %s:0 outbound_.8080_._.web.default.svc.cluster.local default`,
				e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.method, e.target, e.status, e.dur.Milliseconds(), e.dur.Milliseconds(), e.src, e.ua, e.src)
		}},
	} {
		t.Run(v.name, func(t *testing.T) { checkVariant(t, v) })
	}
}

// TestVariants_ContainerPrefixes: CRI's and docker compose's prefixes, and
// Docker's json-file records, around known formats, detected without being
// told; a compose log of several services is read for the one whose format
// it is.
func TestVariants_ContainerPrefixes(t *testing.T) {
	docker := func(inner func(logEvent) string) func(logEvent) string {
		return func(e logEvent) string {
			b, err := json.Marshal(struct {
				Log    string `json:"log"`
				Stream string `json:"stream"`
				Time   string `json:"time"`
			}{inner(e) + "\n", "stdout", e.t.Add(e.dur).UTC().Format(time.RFC3339Nano)})
			if err != nil {
				panic(err)
			}
			return string(b)
		}
	}
	cri := func(inner func(logEvent) string) func(logEvent) string {
		return func(e logEvent) string {
			return e.t.Add(e.dur).UTC().Format("2006-01-02T15:04:05.000000000Z") + " stdout F " + inner(e)
		}
	}
	for _, v := range []variant{
		{name: "cri-combined", format: "cri+combined", unit: time.Millisecond, line: cri(lineWriters["combined"])},
		{name: "cri-envoy", format: "cri+envoy", unit: time.Millisecond, line: cri(func(e logEvent) string {
			return fmt.Sprintf(`[%s] "%s %s HTTP/1.1" %d - 312 91 %d - "%s" "%s" "id" "hooks.example.com" "10.8.0.12:8080"`, e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.method, e.target, e.status, e.dur.Milliseconds(), e.src, e.ua)
		})},
		{name: "cri-haproxy", format: "cri+haproxy", unit: time.Millisecond, line: cri(func(e logEvent) string {
			return fmt.Sprintf(`%s:40512 [%s] fe_http be_twilio/app2 0/0/0/%d/%d %d 0 - - ---- 3/3/1/1/0 0/0 "%s %s HTTP/1.1"`,
				e.src, e.t.UTC().Format("02/Jan/2006:15:04:05.000"), e.dur.Milliseconds(), e.dur.Milliseconds(), e.status, e.method, e.target)
		})},
		{name: "compose-traefik-json", format: "compose+json", detail: "traefik: ", unit: time.Nanosecond, line: func(e logEvent) string {
			return fmt.Sprintf(`traefik-1  | {"ClientHost":"%s","DownstreamStatus":%d,"Duration":%d,"OriginStatus":%d,"RequestMethod":"%s","RequestPath":"%s","RequestProtocol":"HTTP/1.1","RouterName":"voice@docker","StartUTC":"%s","level":"info","msg":"","time":"%s"}`,
				e.src, e.status, e.dur.Nanoseconds(), e.status, e.method, e.target, e.t.UTC().Format(time.RFC3339Nano), e.t.Add(e.dur).Format(time.RFC3339))
		}},
		// Docker's json-file driver: the line as a JSON string, escaped.
		{name: "docker-combined", format: "docker+combined", unit: time.Millisecond, line: docker(lineWriters["combined"])},
		{name: "docker-traefik-json", format: "docker+json", detail: "traefik: ", unit: time.Nanosecond, line: docker(func(e logEvent) string {
			return fmt.Sprintf(`{"ClientHost":"%s","DownstreamStatus":%d,"Duration":%d,"OriginStatus":%d,"RequestMethod":"%s","RequestPath":"%s","RequestProtocol":"HTTP/1.1","StartUTC":"%s","level":"info","msg":"","request_User-Agent":"%s","time":"%s"}`,
				e.src, e.status, e.dur.Nanoseconds(), e.status, e.method, e.target, e.t.UTC().Format(time.RFC3339Nano), e.ua, e.t.Add(e.dur).Format(time.RFC3339))
		})},
		{name: "compose-combined", format: "compose+combined", unit: time.Millisecond, line: func(e logEvent) string {
			return "web-1  | " + lineWriters["combined"](e)
		}},
		{name: "compose-json-among-services", format: "compose+json", unit: time.Millisecond, line: func(e logEvent) string {
			return "proxy-1   | " + lineWriters["json"](e) + "\n" +
				fmt.Sprintf("worker-1  | %s INFO job done id=%d", e.t.UTC().Format(time.RFC3339), e.t.Unix()%1000)
		}},
	} {
		t.Run(v.name, func(t *testing.T) { checkVariant(t, v) })
	}
}

// TestVariants_Firewalls: pfSense and OPNsense filterlog, MikroTik,
// iptables with a log prefix lacking its trailing space, EdgeOS and UniFi
// rule tags, and VPC Flow Logs in a field order given by their header, each
// detected without being told, every planted connection found with its
// action.
func TestVariants_Firewalls(t *testing.T) {
	act := func(e logEvent, drop, accept string) string {
		if e.action == "DROP" {
			return drop
		}
		return accept
	}
	for _, v := range []variant{
		{name: "pfsense", format: "filterlog", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s pfSense filterlog[31523]: 5,,,1000000103,igb0,match,%s,in,4,0x0,,49,41733,0,DF,6,tcp,60,%s,%s,40006,%d,0,S,3390741137,,64240,,mss;sackOK;TS;nop;wscale`,
				syslogTS(e.t), act(e, "block", "pass"), e.src, e.dst, e.dport)
		}},
		{name: "opnsense", format: "filterlog", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`<134>1 %s opnsense.example.net filterlog 61221 - [meta sequenceId="12"] 77,,,02f4bab031b57d1e30553ce08e0ec131,vtnet0,match,%s,in,4,0x0,,50,7113,0,DF,6,tcp,60,%s,%s,40007,%d,0,S,1288211123,,62727,,mss;sackOK;TS;nop;wscale`,
				e.t.Format(time.RFC3339), act(e, "block", "pass"), e.src, e.dst, e.dport)
		}},
		{name: "mikrotik", format: "mikrotik", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s gw.example.net firewall,info %s input: in:ether1 out:(unknown 0), src-mac 4c:5e:0c:11:22:33, proto TCP (SYN), %s:40009->%s:%d, len 60`,
				syslogTS(e.t), act(e, "DROP-WAN", "ACCEPT-WEB"), e.src, e.dst, e.dport)
		}},
		// Sent to a syslog server with bsd-syslog=yes: no topics, the
		// connection state logged, the rule's prefix before the chain.
		{name: "mikrotik-bsd-syslog", format: "mikrotik", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s edge-rtr.example.net %s input: in:pppoe-out1 out:(unknown 0), connection-state:new proto TCP (SYN), %s:40011->%s:%d, len 60`,
				syslogTS(e.t), act(e, "wan-drop", "wan-accept"), e.src, e.dst, e.dport)
		}},
		// A dst-nat forward: the address Twilio connected to is the one
		// before translation.
		{name: "mikrotik-dstnat", format: "mikrotik", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s edge-rtr.example.net firewall,info %s forward: in:ether1 out:bridge1, connection-state:new src-mac 4c:5e:0c:11:22:33, proto TCP (SYN), %s:40012->10.0.0.5:8443, NAT %s:40012->(%s:%d->10.0.0.5:8443), len 60`,
				syslogTS(e.t), act(e, "fwd-drop", "fwd-accept"), e.src, e.src, e.dst, e.dport)
		}},
		{name: "iptables-prefix-with-space", format: "iptables", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s gw kernel: [7.1] %s IN=eth0 OUT= MAC=00:16:3e:00:00:01 SRC=%s DST=%s LEN=60 PROTO=TCP SPT=40000 DPT=%d SYN`,
				syslogTS(e.t), act(e, "[fw-in-drop]", "[fw-in-accept]"), e.src, e.dst, e.dport)
		}},
		{name: "iptables-prefix-without-space", format: "iptables", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s gw kernel: [7.1] %sIN=eth0 OUT= MAC=00:16:3e:00:00:01 SRC=%s DST=%s LEN=60 PROTO=TCP SPT=40000 DPT=%d SYN`,
				e.t.Format(time.RFC3339Nano), act(e, "FW-DROP:", "FW-OK:"), e.src, e.dst, e.dport)
		}},
		{name: "edgeos", format: "iptables", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`%s ubnt kernel: [WAN_IN-%s]IN=eth0 OUT=eth1 MAC=00:16:3e:00:00:01 SRC=%s DST=%s LEN=60 TOS=0x00 PROTO=TCP SPT=40000 DPT=%d SYN URGP=0`,
				syslogTS(e.t), act(e, "default-D", "20-A"), e.src, e.dst, e.dport)
		}},
		{name: "unifi", format: "iptables", conn: true, line: func(e logEvent) string {
			return fmt.Sprintf(`<4>%s udm kernel: [WAN_IN-%s] DESCR="webhooks" IN=eth8 OUT=br0 SRC=%s DST=%s LEN=60 PROTO=TCP SPT=40000 DPT=%d SYN`,
				syslogTS(e.t), act(e, "D-2000", "RET-3006"), e.src, e.dst, e.dport)
		}},
		{name: "vpcflow-custom-order", format: "vpcflow", detail: "fields: version vpc-id", conn: true,
			header: "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status",
			line: func(e logEvent) string {
				return fmt.Sprintf(`5 vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f67890 eni-0a1b2c3d4e5f67890 123456789012 IPv4 %s %s 40000 %d %s %s 6 4249 20 %d %d %s 2 OK`,
					e.src, e.dst, e.dport, e.src, e.dst, e.t.Unix(), e.t.Unix()+10, act(e, "REJECT", "ACCEPT"))
			}},
	} {
		t.Run(v.name, func(t *testing.T) { checkVariant(t, v) })
	}
}
