package probe

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // Twilio's signature is defined as HMAC-SHA1
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Fake SIDs of StyleTwilio requests: well-formed, obviously not real, so an
// application log shows at a glance that the request was a probe.
const (
	FakeAccountSID = "AC00000000000000000000000000000000"
	FakeCallSID    = "CA00000000000000000000000000000000"
	FakeMessageSID = "SM00000000000000000000000000000000"
)

// Twilio's webhook request headers.
const (
	TwilioUserAgent   = "TwilioProxy/1.1"
	TwilioContentType = "application/x-www-form-urlencoded; charset=UTF-8"
)

// Warning is the line to print before StyleTwilio probes: the application
// will process them as if Twilio had sent them.
const Warning = "warning: --style twilio sends signed requests with fake CallSid/MessageSid; your application will process them"

// Signature computes X-Twilio-Signature: base64 of HMAC-SHA1, keyed with
// the auth token, over the full URL followed by each POST parameter sorted
// by name as name+value (for a parameter given several times, each value
// in order).
func Signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range params[name] {
			b.WriteString(name)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// FakeParams are the form parameters of a StyleTwilio request for channel
// (ChannelVoice or ChannelSMS).
func FakeParams(channel, accountSID string) url.Values {
	if accountSID == "" {
		accountSID = FakeAccountSID
	}
	v := url.Values{}
	v.Set("AccountSid", accountSID)
	v.Set("ApiVersion", "2010-04-01")
	v.Set("From", "+15005550006")
	v.Set("To", "+15005550001")
	if channel == ChannelSMS {
		v.Set("MessageSid", FakeMessageSID)
		v.Set("SmsSid", FakeMessageSID)
		v.Set("SmsMessageSid", FakeMessageSID)
		v.Set("SmsStatus", "received")
		v.Set("Body", "twilio-evidence probe (not a real message)")
		v.Set("NumMedia", "0")
		v.Set("NumSegments", "1")
		return v
	}
	v.Set("CallSid", FakeCallSID)
	v.Set("CallStatus", "ringing")
	v.Set("Direction", "inbound")
	v.Set("Caller", "+15005550006")
	v.Set("Called", "+15005550001")
	return v
}

// request builds the method, body and headers of an attempt on u.
func (p *Prober) request(u *url.URL) (method, body string, header http.Header, err error) {
	header = http.Header{}
	if p.opts.Style != StyleTwilio {
		header.Set("User-Agent", "twilio-evidence-probe")
		header.Set("Accept", "*/*")
		return http.MethodGet, "", header, nil
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return "", "", nil, fmt.Errorf("idempotency token: %w", err)
	}
	header.Set("User-Agent", TwilioUserAgent)
	header.Set("Accept", "*/*")
	header.Set("I-Twilio-Idempotency-Token", hex.EncodeToString(token))
	header.Set("X-Home-Region", "us1")
	params := FakeParams(p.opts.Channel, p.opts.AccountSID)
	if p.opts.Method == http.MethodGet {
		q := u.Query()
		for k, vs := range params {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		return http.MethodGet, "", header, nil
	}
	header.Set("Content-Type", TwilioContentType)
	return http.MethodPost, params.Encode(), header, nil
}

// sign is the X-Twilio-Signature of a request to u with the form body.
func (p *Prober) sign(u *url.URL, body string) string {
	params, err := url.ParseQuery(body)
	if err != nil {
		params = url.Values{}
	}
	return Signature(p.opts.AuthToken, u.String(), params)
}
