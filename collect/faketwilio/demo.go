package faketwilio

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"time"
)

// Demo credentials: the built-in demo account and its auth token.
const (
	DemoAccountSID = "AC0123456789abcdef0123456789abcdef"
	DemoAuthToken  = "demo0auth0token0not0a0real0secret"
)

// Demo hosts the demo's webhooks point at.
const (
	DemoVoiceHost = "ivr.example-clinic.com"
	DemoSMSHost   = "sms.example-clinic.com"
)

// SID makes a deterministic SID with the given prefix from a seed string.
func SID(prefix, seed string) string {
	h := sha256.Sum256([]byte(seed))
	return prefix + hex.EncodeToString(h[:16])
}

// DemoAlerts is how many alerts DemoData draws.
const DemoAlerts = 320

// DemoData builds a realistic week for the demo account ending at to: a dozen
// numbers (one without a fallback URL), a TwiML app, a messaging service, a
// few hundred alerts of mixed codes on two hosts, daily usage, call events
// and one webhook change. The same `to` gives the same data.
func DemoData(from, to time.Time) *AccountData { return SizedDemoData(from, to, DemoAlerts) }

// SizedDemoData is DemoData with n alerts drawn instead of DemoAlerts (a
// busy account, for benchmarks), and the call events of one affected call
// in a hundred (at least 20).
func SizedDemoData(from, to time.Time, n int) *AccountData {
	rng := rand.New(rand.NewPCG(uint64(to.Unix()), 42))
	acc := DemoAccountSID
	created := from.Add(-400 * 24 * time.Hour)
	d := &AccountData{
		Account: Account{
			DateCreated: created.Format(RFC2822), DateUpdated: created.Format(RFC2822),
			FriendlyName: "Example Clinic (demo)", OwnerAccountSid: acc, Sid: acc, Status: "active", Type: "Full",
			SubresourceURIs: map[string]string{"notifications": "/2010-04-01/Accounts/" + acc + "/Notifications.json"},
			URI:             "/2010-04-01/Accounts/" + acc + ".json",
		},
		CallEvents: map[string][]CallEvent{},
	}
	voiceURL := "https://" + DemoVoiceHost + "/twilio/voice"
	app := Application{
		AccountSid: acc, APIVersion: "2010-04-01", DateCreated: created.Format(RFC2822), DateUpdated: created.Format(RFC2822),
		FriendlyName: "Reception IVR", Sid: SID("AP", "app"),
		SmsMethod: "POST", SmsFallbackMethod: "POST", StatusCallbackMethod: "POST",
		VoiceURL: "https://" + DemoVoiceHost + "/twilio/reception", VoiceMethod: "POST",
		VoiceFallbackURL: "https://handler.twilio.com/twiml/EH" + SID("", "bin")[:32], VoiceFallbackMethod: "POST",
		StatusCallback: "https://" + DemoVoiceHost + "/twilio/status",
		URI:            "/2010-04-01/Accounts/" + acc + "/Applications/" + SID("AP", "app") + ".json",
	}
	d.Applications = []Application{app}
	svcInbound := "https://" + DemoSMSHost + "/twilio/sms"
	svcFallback := "https://" + DemoSMSHost + "/twilio/sms-fallback"
	svc := MessagingService{
		AccountSid: acc, DateCreated: created.Format(ISO8601), DateUpdated: created.Format(ISO8601),
		FallbackMethod: "POST", FallbackURL: &svcFallback, FriendlyName: "Appointment reminders",
		InboundMethod: "POST", InboundRequestURL: &svcInbound, Sid: SID("MG", "svc"),
		URL:   "https://messaging.twilio.com/v1/Services/" + SID("MG", "svc"),
		Links: map[string]string{"phone_numbers": "https://messaging.twilio.com/v1/Services/" + SID("MG", "svc") + "/PhoneNumbers"},
	}
	for i := 0; i < 12; i++ {
		num := fmt.Sprintf("+1415555%04d", 100+i)
		sid := SID("PN", num)
		n := IncomingPhoneNumber{
			AccountSid: acc, APIVersion: "2010-04-01", Capabilities: map[string]bool{"voice": true, "sms": true, "mms": true, "fax": false},
			DateCreated: created.Format(RFC2822), DateUpdated: created.Format(RFC2822),
			FriendlyName: fmt.Sprintf("Clinic line %d", i+1), PhoneNumber: num, Sid: sid,
			SmsMethod: "POST", SmsFallbackMethod: "POST", StatusCallbackMethod: "POST",
			URI: "/2010-04-01/Accounts/" + acc + "/IncomingPhoneNumbers/" + sid + ".json", Status: "in-use",
			VoiceMethod: "POST", VoiceFallbackMethod: "POST",
			VoiceURL: voiceURL, VoiceFallbackURL: "https://" + DemoVoiceHost + "/twilio/voice-fallback",
			SmsURL: "https://" + DemoSMSHost + "/twilio/sms", SmsFallbackURL: "https://handler.twilio.com/twiml/EH" + SID("", "smsbin")[:32],
			StatusCallback: "https://" + DemoVoiceHost + "/twilio/status",
		}
		switch {
		case i == 3: // the number without a fallback URL
			n.VoiceFallbackURL = ""
		case i == 10: // answered by the TwiML app
			n.VoiceApplicationSid = app.Sid
		case i >= 6: // in the messaging service's sender pool
			svc.PhoneNumbers = append(svc.PhoneNumbers, sid)
		}
		d.Numbers = append(d.Numbers, n)
	}
	d.Services = []MessagingService{svc}

	// Alerts: a few hundred over the window, more in the morning (JST), a
	// burst on the 4th day, mostly on the voice host.
	type spec struct {
		code, host, path, kind string
		status                 int
		weight                 int
	}
	specs := []spec{
		{"11200", DemoVoiceHost, "/twilio/voice", "CA", 502, 40},
		{"11205", DemoVoiceHost, "/twilio/voice", "CA", 0, 20},
		{"11217", DemoSMSHost, "/twilio/sms", "SM", 503, 15},
		{"12300", DemoSMSHost, "/twilio/sms", "SM", 200, 5},
		{"15003", DemoVoiceHost, "/twilio/status", "CA", 500, 5},
		{"13227", "", "", "CA", 0, 8}, // not a webhook failure
		{"30003", "", "", "SM", 0, 7}, // not a webhook failure
	}
	total := 0
	for _, s := range specs {
		total += s.weight
	}
	pick := func() spec {
		r := rng.IntN(total)
		for _, s := range specs {
			if r < s.weight {
				return s
			}
			r -= s.weight
		}
		return specs[0]
	}
	jst := time.FixedZone("JST", 9*3600)
	var alerts Alerts
	span := to.Sub(from)
	burst := from.Add(span * 4 / 7).Truncate(time.Hour).Add(23*time.Hour + 10*time.Minute) // 08:10 JST
	for i := 0; i < n; i++ {
		var t time.Time
		if i < 40 {
			t = burst.Add(time.Duration(rng.IntN(8*60)) * time.Second)
		} else {
			for {
				t = from.Add(time.Duration(rng.Int64N(int64(span))))
				h := t.In(jst).Hour()
				if h >= 9 && h < 12 || rng.IntN(4) == 0 {
					break
				}
			}
		}
		t = t.Truncate(time.Second)
		if !t.Before(to) || t.Before(from) {
			continue
		}
		s := pick()
		if i < 40 {
			s = specs[0]
		}
		alerts = append(alerts, demoAlert(acc, i, t, s.code, s.host, s.path, s.kind, s.status))
	}
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].Generated.After(alerts[j].Generated) })
	d.Alerts = alerts
	d.Notifications = NotificationsFromAlerts(alerts) // the same events in the v2010 debugger log
	for _, a := range alerts {
		if a.ResourceSid[:2] == "CA" && a.ErrorCode == "11200" && len(d.CallEvents) < max(20, n/100) {
			d.CallEvents[a.ResourceSid] = demoCallEvents(a)
		}
	}
	// Daily usage.
	for day := from.UTC().Truncate(24 * time.Hour); day.Before(to); day = day.Add(24 * time.Hour) {
		for _, cat := range []struct{ name, unit string }{{"calls", "calls"}, {"sms", "messages"}} {
			n := 900 + rng.IntN(400)
			if cat.name == "sms" {
				n = 1500 + rng.IntN(600)
			}
			d.Usage = append(d.Usage, UsageRecord{
				AccountSid: acc, APIVersion: "2010-04-01", AsOf: to.Format(time.RFC3339), Category: cat.name,
				Count: fmt.Sprint(n), CountUnit: cat.unit, Description: cat.name, StartDate: day.Format("2006-01-02"),
				EndDate: day.Format("2006-01-02"), Price: "0", PriceUnit: "usd",
				URI: "/2010-04-01/Accounts/" + acc + "/Usage/Records/Daily.json?Category=" + cat.name, Usage: fmt.Sprint(n), UsageUnit: cat.unit,
			})
		}
	}
	// One webhook change in the window.
	changed := from.Add(span / 3).Truncate(time.Second)
	d.Events = []MonitorEvent{{
		AccountSid: acc, ActorSid: "US" + SID("", "user")[:32], ActorType: "account",
		EventData: map[string]any{"voice_url": map[string]string{"previous": "https://" + DemoVoiceHost + "/voice", "updated": voiceURL}},
		EventDate: changed.Format(ISO8601), EventType: "phone-number.updated", ResourceSid: d.Numbers[0].Sid,
		ResourceType: "phone-number", Sid: SID("AE", "event"), Source: "web", SourceIPAddress: "203.0.113.10",
		URL: "https://monitor.twilio.com/v1/Events/" + SID("AE", "event"), Date: changed,
		Links: map[string]string{"actor": "", "resource": ""},
	}}
	return d
}

func demoAlert(acc string, i int, t time.Time, code, host, path, kind string, status int) Alert {
	sid := SID("NO", fmt.Sprint("alert", i))
	res := SID(kind, fmt.Sprint("res", i))
	method := "POST"
	u := "https://" + host + path
	var text string
	switch {
	case host == "":
		u = ""
		text = "Msg=Not+a+webhook+failure&ErrorCode=" + code + "&LogLevel=WARN"
	case i%2 == 0 && status != 0:
		text = fmt.Sprintf("Msg=Got+HTTP+%d+response+to+%s&ErrorCode=%s&LogLevel=ERROR", status, url.QueryEscape(u), code)
	case status != 0:
		text = fmt.Sprintf("sourceComponent=%s&httpResponse=%d&url=%s&ErrorCode=%s&LogLevel=ERROR&Msg=%s",
			map[string]string{"CA": "12000", "SM": "14100"}[kind], status, url.QueryEscape(u), code, url.QueryEscape("HTTP retrieval failure"))
	default:
		text = fmt.Sprintf("Msg=%s&url=%s&ErrorCode=%s&LogLevel=ERROR", url.QueryEscape("HTTP connection failure: read timed out"), url.QueryEscape(u), code)
	}
	a := Alert{
		AccountSid: acc, AlertText: text, APIVersion: "2010-04-01",
		DateCreated: t.Add(2 * time.Second).UTC().Format(ISO8601), DateGenerated: t.UTC().Format(ISO8601), DateUpdated: t.Add(2 * time.Second).UTC().Format(ISO8601),
		ErrorCode: code, LogLevel: "error", MoreInfo: "https://www.twilio.com/docs/errors/" + code,
		RequestURL: u, ResourceSid: res, Sid: sid, URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: t.UTC(),
	}
	if host != "" {
		a.RequestMethod = &method
		params := url.Values{"AccountSid": {acc}, "ApiVersion": {"2010-04-01"}, "From": {"+819012345678"}, "To": {"+14155550100"}}
		if kind == "CA" {
			params.Set("CallSid", res)
			params.Set("CallStatus", "ringing")
			params.Set("Direction", "inbound")
		} else {
			params.Set("MessageSid", res)
			params.Set("SmsSid", res)
			params.Set("Body", "予約を確認しました")
			params.Set("NumMedia", "0")
		}
		a.RequestVariables = params.Encode()
		a.RequestHeaders = "User-Agent=TwilioProxy%2F1.1&Content-Type=application%2Fx-www-form-urlencoded%3B+charset%3DUTF-8"
		if status != 0 {
			a.ResponseHeaders = "Content-Type=text%2Fhtml&Server=nginx"
			a.ResponseBody = fmt.Sprintf("<html><head><title>%d</title></head><body>%d</body></html>", status, status)
		}
	} else {
		a.RequestMethod = nil
	}
	return a
}

func demoCallEvents(a Alert) []CallEvent {
	t, _ := time.Parse(ISO8601, a.DateGenerated)
	return []CallEvent{{
		Request: map[string]any{"method": "POST", "url": a.RequestURL, "parameters": map[string]any{"call_sid": a.ResourceSid, "call_status": "ringing"}},
		Response: map[string]any{"response_code": 502, "request_duration": 15000, "content_type": "text/html",
			"response_body": "<html><body>502 Bad Gateway</body></html>", "date_created": t.Format(RFC2822)},
	}}
}
