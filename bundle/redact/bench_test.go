package redact

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// accessLog returns about size bytes of nginx combined access-log lines of a
// Twilio webhook endpoint: form posts with SIDs in the query, status
// callbacks, health checks, a browser now and then, and every 500th line a
// leaked token in a query string.
func accessLog(size int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		ts := fmt.Sprintf("%02d/Nov/2026:%02d:%02d:%02d +0000", 18+i%7, i%24, i%60, (i*7)%60)
		switch {
		case i%500 == 0:
			fmt.Fprintf(&b, `203.0.113.%d - - [%s] "GET /admin/sync?access_token=%s&page=%d HTTP/1.1" 200 512 "-" "curl/8.5.0" 0.004`+"\n", i%250, ts, authToken, i)
		case i%7 == 0:
			fmt.Fprintf(&b, `54.172.60.%d - - [%s] "POST /sms/status?MessageSid=SM%032x&AccountSid=%s HTTP/1.1" 204 0 "-" "TwilioProxy/1.1" 0.011 0.010`+"\n", i%250, ts, i, accountSID)
		case i%11 == 0:
			fmt.Fprintf(&b, `10.0.0.%d - - [%s] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0" 0.000`+"\n", i%250, ts)
		case i%13 == 0:
			fmt.Fprintf(&b, `198.51.100.%d - - [%s] "GET /static/app.js?v=3.2.%d HTTP/2.0" 200 48213 "https://example.com/dashboard" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36" 0.002`+"\n", i%250, ts, i%40)
		default:
			fmt.Fprintf(&b, `54.172.60.%d - - [%s] "POST /voice/incoming?CallSid=CA%032x&From=%%2B1415555%04d&To=%%2B1650555%04d HTTP/1.1" 200 187 "-" "TwilioProxy/1.1" 0.%03d 0.%03d`+"\n", i%250, ts, i, i%10000, (i*3)%10000, i%900, i%800)
		}
	}
	return []byte(b.String())
}

// BenchmarkRedactLog measures redaction of an access log through the
// streaming Writer, the way bundle files and log excerpts are written. The
// MB/s column is the throughput.
func BenchmarkRedactLog(b *testing.B) {
	data := accessLog(8 << 20)
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"secrets", Options{Secrets: []string{authToken, apiSecret}, Usernames: []string{accountSID, apiKeySID}}},
		{"secrets+phones+bodies", Options{Secrets: []string{authToken, apiSecret}, Usernames: []string{accountSID, apiKeySID}, MaskPhoneNumbers: true, MaskBodies: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := New(bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := r.Writer("access.log", io.Discard)
				for off := 0; off < len(data); off += 32 << 10 {
					end := off + 32<<10
					if end > len(data) {
						end = len(data)
					}
					if _, err := w.Write(data[off:end]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestAccessLogFixtureLeaksNothing(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	data := accessLog(1 << 20)
	out := r.Bytes("access.log", data)
	if strings.Contains(string(out), authToken) {
		t.Fatal("benchmark log still holds the token")
	}
	if !strings.Contains(string(out), "CallSid=CA") || !strings.Contains(string(out), "AccountSid="+accountSID) {
		t.Error("SIDs in the access log were not kept")
	}
	if strings.Contains(string(out), "%2B1415555") {
		t.Error("phone numbers in the access log were not masked")
	}
}

// alertsNDJSON returns about size bytes of alerts.ndjson as the bundle
// stages it: Monitor alerts of a list page, every tenth with its details
// (header dumps, a response body), every 50th holding a cookie and the
// token.
func alertsNDJSON(size int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		sid := fmt.Sprintf("NO%032x", i)
		line := fmt.Sprintf(`{"account_sid":"%s","alert_text":"Msg=Got+HTTP+502+response+to+https%%3A%%2F%%2Fivr.example.com%%2Fvoice\u0026ErrorCode=11200\u0026LogLevel=ERROR","api_version":"2010-04-01","date_created":"2026-11-18T10:00:02Z","date_generated":"2026-11-18T10:00:00Z","date_updated":"2026-11-18T10:00:02Z","error_code":"11200","log_level":"error","more_info":"https://www.twilio.com/docs/errors/11200","request_method":"POST","request_url":"https://ivr.example.com/voice","resource_sid":"CA%032x","service_sid":null,"sid":"%s","url":"https://monitor.twilio.com/v1/Alerts/%s"`, accountSID, i, sid, sid)
		if i%10 == 0 {
			cookie := "theme=dark"
			if i%50 == 0 {
				cookie = "session=" + authToken
			}
			line += fmt.Sprintf(`,"request_headers":"User-Agent=TwilioProxy%%2F1.1\u0026Cookie=%s","response_headers":"Content-Type=text%%2Fhtml\u0026Server=nginx","response_body":"\u003chtml\u003e\u003cbody\u003e502 Bad Gateway\u003c/body\u003e\u003c/html\u003e"`, cookie)
		}
		b.WriteString(line + "}\n")
	}
	return []byte(b.String())
}

// BenchmarkRedactAlerts measures alerts.ndjson read as JSON (string by
// string, members by name), the way the bundle stages it, against the same
// bytes read as plain text line by line.
func BenchmarkRedactAlerts(b *testing.B) {
	data := alertsNDJSON(8 << 20)
	r, err := New(Options{Secrets: []string{authToken, apiSecret}, Usernames: []string{accountSID, apiKeySID}})
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []struct {
		name string
		kind Kind
	}{{"text", Text}, {"json", JSON}} {
		b.Run(kind.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				w := r.WriterOf("alerts.ndjson", kind.kind, io.Discard)
				for off := 0; off < len(data); off += 32 << 10 {
					w.Write(data[off:min(off+32<<10, len(data))])
				}
				w.Close()
			}
		})
	}
}

func TestAlertsFixtureLeaksNothingAsJSON(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.Redact("alerts.ndjson", JSON, alertsNDJSON(1<<20)))
	if strings.Contains(out, authToken) || strings.Contains(out, "session=") || !strings.Contains(out, "Cookie=[REDACTED:cookie-header]") {
		t.Fatal("the benchmark's alerts keep a cookie or the token")
	}
	if !strings.Contains(out, `"request_url":"https://ivr.example.com/voice"`) {
		t.Error("the benchmark's alerts lost their URL")
	}
}
