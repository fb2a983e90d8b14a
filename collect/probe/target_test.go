package probe

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

func TestParseTarget_OverridesAndTwilioCodes(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		code    int
		wantErr bool
		check   func(t *testing.T, tg Target)
	}{
		{name: "defaults without fragment", raw: "https://example.com/voice", check: func(t *testing.T, tg Target) {
			o := tg.Overrides
			if o.ConnectTimeout != 5*time.Second || o.ReadTimeout != 15*time.Second || o.TotalTimeout != 15*time.Second || o.RetryCount != 1 || o.RetryPolicy[0] != "ct" || !o.SNI {
				t.Errorf("defaults = %+v", o)
			}
		}},
		{name: "every override applied, fragment not requested", raw: "https://example.com/voice?x=1#ct=1000&rt=2000&tt=3000&rc=3&rp=4xx,5xx&e=dublin&sni=n", check: func(t *testing.T, tg Target) {
			o := tg.Overrides
			if o.ConnectTimeout != time.Second || o.ReadTimeout != 2*time.Second || o.TotalTimeout != 3*time.Second || o.RetryCount != 3 || strings.Join(o.RetryPolicy, ",") != "4xx,5xx" || o.Edges[0] != "dublin" || o.SNI {
				t.Errorf("overrides = %+v", o)
			}
			if tg.URL.String() != "https://example.com/voice?x=1" || tg.String() != "https://example.com/voice?x=1" {
				t.Errorf("requested URL = %q", tg.URL)
			}
			if !o.IsSet("rt") || o.IsSet("xx") {
				t.Errorf("set = %v", o.Set)
			}
		}},
		{name: "interconnect edge is a warning", raw: "https://example.com/#e=tokyo-ix", check: func(t *testing.T, tg Target) {
			if len(tg.Warnings) != 1 || tg.Warnings[0].Code != 11242 {
				t.Errorf("warnings = %+v", tg.Warnings)
			}
		}},
		{name: "userinfo not shown", raw: "https://user:pw@example.com/voice", check: func(t *testing.T, tg Target) {
			if strings.Contains(tg.String(), "pw") {
				t.Errorf("String() = %q shows the password", tg.String())
			}
		}},
		{name: "invalid edge", raw: "https://example.com/#e=atlantis", code: 11240, wantErr: true},
		{name: "edge not supported for webhooks", raw: "https://example.com/#e=roaming", code: 11241, wantErr: true},
		{name: "invalid retry policy", raw: "https://example.com/#rp=sometimes", code: 11243, wantErr: true},
		{name: "connect timeout below range", raw: "https://example.com/#ct=50", wantErr: true},
		{name: "read timeout above range", raw: "https://example.com/#rt=20000", wantErr: true},
		{name: "total timeout not a number", raw: "https://example.com/#tt=fast", wantErr: true},
		{name: "retry count above range", raw: "https://example.com/#rc=9", wantErr: true},
		{name: "sni neither y nor n", raw: "https://example.com/#sni=maybe", wantErr: true},
		{name: "unknown override", raw: "https://example.com/#zz=1", wantErr: true},
		{name: "not http", raw: "ftp://example.com/", wantErr: true},
		{name: "no host", raw: "https:///voice", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := ParseTarget(tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseTarget(%q) accepted an invalid value", tc.raw)
				}
				var oe *OverrideError
				if tc.code != 0 && (!errors.As(err, &oe) || oe.Code != tc.code) {
					t.Errorf("error %v, want Twilio code %d", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tg)
		})
	}
}

func TestParseResolve_CurlSyntax(t *testing.T) {
	tests := []struct {
		in   string
		want ResolveOverride
		bad  bool
	}{
		{in: "example.com:443:203.0.113.7", want: ResolveOverride{Host: "example.com", Port: "443", Addr: "203.0.113.7"}},
		{in: "Example.com:8443:[2001:db8::1]", want: ResolveOverride{Host: "example.com", Port: "8443", Addr: "2001:db8::1"}},
		{in: "example.com:443", bad: true},
		{in: "example.com:http:203.0.113.7", bad: true},
		{in: "example.com:443:origin.internal", bad: true},
	}
	for _, tc := range tests {
		got, err := ParseResolve(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseResolve(%q) accepted it", tc.in)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseResolve(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestStyleTwilio_SignatureValidatesWithTwilioGo checks the request a
// webhook handler receives: Twilio's headers, the fake SIDs, no fragment,
// and a signature twilio-go's own validator accepts.
func TestStyleTwilio_SignatureValidatesWithTwilioGo(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct{ method, channel, sid, prefix string }{
		{http.MethodPost, ChannelVoice, "CallSid", "CA"},
		{http.MethodPost, ChannelSMS, "MessageSid", "SM"},
		{http.MethodGet, ChannelVoice, "CallSid", "CA"},
	} {
		t.Run(tc.method+" "+tc.channel, func(t *testing.T) {
			var (
				mu   sync.Mutex
				got  *http.Request
				body []byte
			)
			s := webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, body = r, b
				mu.Unlock()
				webhooktest.TwiML().ServeHTTP(w, r)
			}))
			p := mustProber(t, Options{Style: StyleTwilio, Method: tc.method, Channel: tc.channel, AuthToken: token})
			a := p.Probe(t.Context(), mustTarget(t, s.URL+"/hook?tenant=7#rt=3000"), Via{})
			if !a.OK {
				t.Fatalf("attempt failed: %s", a.Error)
			}
			mu.Lock()
			defer mu.Unlock()
			full := s.URL + got.URL.RequestURI()
			if strings.Contains(got.RequestURI, "#") || strings.Contains(got.RequestURI, "rt=3000") {
				t.Errorf("fragment was sent: %q", got.RequestURI)
			}
			if got.Method != tc.method || got.Header.Get("User-Agent") != TwilioUserAgent || got.Header.Get("I-Twilio-Idempotency-Token") == "" {
				t.Errorf("method %s, headers %v", got.Method, got.Header)
			}
			v := client.NewRequestValidator(token)
			sig := got.Header.Get("X-Twilio-Signature")
			var params url.Values
			if tc.method == http.MethodPost {
				if got.Header.Get("Content-Type") != TwilioContentType {
					t.Errorf("Content-Type = %q", got.Header.Get("Content-Type"))
				}
				if !v.ValidateBody(full, body, sig) {
					t.Errorf("twilio-go rejects signature %q for %s with body %s", sig, full, body)
				}
				params, _ = url.ParseQuery(string(body))
			} else {
				if !v.Validate(full, map[string]string{}, sig) {
					t.Errorf("twilio-go rejects signature %q for %s", sig, full)
				}
				params = got.URL.Query()
			}
			if !strings.HasPrefix(params.Get(tc.sid), tc.prefix) || strings.Trim(params.Get(tc.sid)[2:], "0") != "" {
				t.Errorf("%s = %q, want a clearly fake all-zero SID", tc.sid, params.Get(tc.sid))
			}
			if v.ValidateBody(full, []byte("CallSid=CA1"), sig) && tc.method == http.MethodPost {
				t.Error("signature also validates a different body")
			}
		})
	}
}

func TestNew_RejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"unknown style":        {Style: "curl"},
		"twilio without token": {Style: StyleTwilio},
		"PUT method":           {Style: StyleTwilio, AuthToken: "x", Method: http.MethodPut},
		"unknown channel":      {Channel: "fax"},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New accepted %+v", name, opts)
		}
	}
	p, err := New(Options{Count: 100000, MaxPerHost: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if p.Options().Count != MaxCount || p.Options().MaxPerHost != MaxPerHostLimit {
		t.Errorf("caps not applied: %+v", p.Options())
	}
}
