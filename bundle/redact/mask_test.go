package redact

import (
	"regexp"
	"strings"
	"testing"
)

var maskShape = regexp.MustCompile(`^\+XX[a-z]{6}[0-9]{4}$`)

func TestMaskPhoneNumbers_SameNumberSameMaskDifferentNumbersDiffer(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	a := r.String("a.txt", "from +14155551234 to +14155551234")
	b := r.String("b.txt", "From=%2B14155551234&To=%2b16505551234")
	fields := strings.Fields(a)
	m1, m2 := fields[1], fields[3]
	if m1 != m2 {
		t.Errorf("same number masked twice differently: %q vs %q", m1, m2)
	}
	if !maskShape.MatchString(m1) || !strings.HasSuffix(m1, "1234") {
		t.Errorf("mask %q is not +XX<6 letters><last 4 digits>", m1)
	}
	if want := "From=%2B" + m1[1:] + "&To=%2b"; !strings.HasPrefix(b, want) {
		t.Errorf("URL-encoded number masked as %q, want prefix %q (same mask, encoding kept)", b, want)
	}
	other := strings.TrimPrefix(b, "From=%2B"+m1[1:]+"&To=%2b")
	if other == m1[1:] || !strings.HasSuffix(other, "1234") {
		t.Errorf("two numbers sharing the last 4 digits got %q and %q", m1[1:], other)
	}
	if got := r.MaskPhone("+14155551234"); got != m1 {
		t.Errorf("MaskPhone = %q, want the mask used in text %q", got, m1)
	}
	if got := r.Counts()["a.txt"][RulePhone]; got != 2 {
		t.Errorf("phone count for a.txt = %d, want 2", got)
	}
}

func TestMaskPhoneNumbers_StableForOneAccountOnly(t *testing.T) {
	mask := func(secret string) string {
		r, err := New(Options{Secrets: []string{secret}, MaskPhoneNumbers: true})
		if err != nil {
			t.Fatal(err)
		}
		return r.MaskPhone("+14155551234")
	}
	if mask(authToken) != mask(authToken) {
		t.Error("two Redactors with the same secrets mask a number differently: bundles would not be reproducible")
	}
	if mask(authToken) == mask(apiSecret) {
		t.Error("different accounts give the same mask: the hash is not keyed")
	}
}

func TestMaskPhoneNumbers_OnlyE164(t *testing.T) {
	on := Options{MaskPhoneNumbers: true}
	runCases(t, on, []rcase{
		same("too short", "+1415555"),
		same("too long", "+1234567890123456"),
		same("leading zero", "+0414555512345"),
		same("time zone offset", "2026-11-18T10:00:00+09:00 +0900"),
		same("SID", "CallSid="+callSID),
		same("already masked", "+XXkqvmbz1234"),
		{name: "JSON escape", in: `"from":"\u002B14155551234"`, absent: []string{"14155551234"}, present: []string{`\u002BXX`}},
		{name: "in alert_text", in: "Msg=Message+from+%2B447700900123+failed", absent: []string{"447700900123"}, present: []string{"%2BXX", "0123+failed"}},
	})
	runCases(t, Options{}, []rcase{same("masking off", "From=%2B14155551234 +14155551234")})
}

func TestMaskBodies(t *testing.T) {
	on := Options{MaskBodies: true}
	runCases(t, on, []rcase{
		{name: "SMS form body", in: "From=x&Body=Hello+world&To=y", want: "From=x&Body=[REDACTED:body:11-bytes]&To=y"},
		{name: "lowercase form body", in: "body=hi", want: "body=[REDACTED:body:2-bytes]"},
		{name: "URL-encoded form body", in: "x=To%3Dy%26Body%3DHello%26From%3Dz", want: "x=To%3Dy%26Body%3D[REDACTED:body:5-bytes]%26From%3Dz"},
		{name: "JSON body", in: `{"body": "hi there", "sid": "x"}`, want: `{"body": "[REDACTED:body:8-bytes]", "sid": "x"}`},
		{name: "alert response body", in: `{"response_body":"<html>502</html>"}`, want: `{"response_body":"[REDACTED:body:16-bytes]"}`},
		same("other names", "SmsBody=x&nobody=1&Body_len=2"),
		same("empty body", "Body=&x=1"),
	})
	runCases(t, Options{}, []rcase{same("masking off", "Body=Hello")})
}

func TestBody_DropsOnlyWhenAsked(t *testing.T) {
	on, err := New(Options{MaskBodies: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := on.Body("resp.html", "<html>x</html>"); got != "[REDACTED:body:14-bytes]" {
		t.Errorf("Body with masking = %q", got)
	}
	if got := on.Counts()["resp.html"][RuleBody]; got != 1 {
		t.Errorf("body count = %d, want 1", got)
	}
	off, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	if got := off.Body("resp.html", "token "+authToken); got != "token [REDACTED:secret]" {
		t.Errorf("Body without masking = %q, want the body redacted like text", got)
	}
	if MaskBody("") != "" {
		t.Error("an empty body must stay empty")
	}
}
