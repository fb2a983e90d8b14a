package faketwilio

import (
	"encoding/base64"
	"net/url"
)

// Planted are secrets an account's data carries where Twilio's answers carry
// them in real life, for tests that check that none leaves the machine.
type Planted struct {
	// AuthToken is the account's own auth token: the Account resource's
	// auth_token, the basic-auth credentials (AccountSid:token) of a webhook
	// request, and a response body that echoes it.
	AuthToken string
	// Cookie and SetCookie are the values of the Cookie request header and
	// the Set-Cookie response header of the webhook requests.
	Cookie, SetCookie string
	// Signature is the X-Twilio-Signature request header.
	Signature string
	// URLPassword is the password of the user:password@ of the voice webhook
	// URL: in request_url, URL-encoded in alert_text, and in the number's
	// voice_url.
	URLPassword string
	// QueryToken is the value of a ?token= parameter of the same URL.
	QueryToken string
}

// LookAlikes are planted next to the secrets by Plant: values that hold a
// secret word inside another word or name, and must survive redaction
// untouched.
var LookAlikes = []string{
	"/design", "/signup", "/author", "WWW-Authenticate", "monkey", "keyspace", "cache_key=user42", "signal=SIGTERM",
}

// Plant puts p into d the way Twilio returns such values, on the alerts of
// the voice webhook (DemoVoiceHost/twilio/voice) and its number's settings
// only, so that the other alerts and URLs stay free of secrets. Field names
// are those of Twilio's OpenAPI specs: auth_token of api.v2010.account;
// request_url, alert_text, request_headers, response_headers and
// response_body of monitor.v1.alert (the header dumps form-encoded, as Twilio
// stores them); voice_url of api.v2010.account.incoming_phone_number; the
// response of api.v2010.account.call.call_event. The look-alikes go into
// the same places and into the settings of another number.
func Plant(d *AccountData, p Planted) {
	d.Account.AuthToken = p.AuthToken
	acc := d.Account.Sid
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(acc+":"+p.AuthToken))
	webhook := "https://hook:" + url.QueryEscape(p.URLPassword) + "@" + DemoVoiceHost + "/twilio/voice?token=" + url.QueryEscape(p.QueryToken)
	body := "<html><body>502 Bad Gateway: upstream rejected token " + p.AuthToken +
		"; see /design, /signup and /author; monkey keyspace cache_key=user42 signal=SIGTERM</body></html>"
	planted := map[string]bool{}
	if alerts, ok := d.Alerts.(Alerts); ok {
		for i := range alerts {
			a := &alerts[i]
			if a.RequestURL != "https://"+DemoVoiceHost+"/twilio/voice" {
				continue
			}
			planted[a.ResourceSid] = true
			a.RequestURL = webhook
			// Twilio writes the URL in the message URL-encoded, slashes
			// left as they are.
			encoded := "https%3A//hook%3A" + url.QueryEscape(p.URLPassword) + "%40" + DemoVoiceHost + "/twilio/voice%3Ftoken%3D" + url.QueryEscape(p.QueryToken)
			a.AlertText = "Msg=Got+HTTP+502+response+to+" + encoded + "&ErrorCode=" + a.ErrorCode + "&LogLevel=ERROR"
			a.RequestHeaders = url.Values{
				"User-Agent":         {"TwilioProxy/1.1"},
				"Authorization":      {basic},
				"Cookie":             {"session=" + p.Cookie + "; lang=ja"},
				"X-Twilio-Signature": {p.Signature},
				"Content-Type":       {"application/x-www-form-urlencoded; charset=UTF-8"},
			}.Encode()
			a.ResponseHeaders = url.Values{
				"Content-Type":     {"text/html"},
				"Set-Cookie":       {"sid=" + p.SetCookie + "; Path=/; HttpOnly"},
				"WWW-Authenticate": {`Basic realm="clinic"`},
				"Server":           {"nginx"},
			}.Encode()
			a.ResponseBody = body
		}
	}
	for call, events := range d.CallEvents {
		if !planted[call] {
			continue
		}
		for i := range events {
			events[i].Request["url"] = webhook
			events[i].Response["response_body"] = body
		}
	}
	for i := range d.Numbers {
		n := &d.Numbers[i]
		switch {
		case i == 0:
			n.VoiceURL = webhook
		case i == 1:
			n.VoiceURL = "https://" + DemoVoiceHost + "/design?id=5"
			n.VoiceFallbackURL = "https://" + DemoVoiceHost + "/author?id=7"
			n.StatusCallback = "https://" + DemoVoiceHost + "/signup?plan=pro"
		}
	}
}
