package redact

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestCounts_PerFileAndRuleNeverValues(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	r.String("alerts.ndjson", `{"auth_token":"x","url":"https://u:p@h/"} `+authToken)
	r.Bytes("alerts.ndjson", []byte("Authorization: Basic abc"))
	r.String("logs/app.log", "+14155551234 "+authToken+" "+authToken)
	r.String("README.txt", "nothing to see")
	w := r.Writer("stderr", &bytes.Buffer{})
	fmt.Fprintf(w, "X-Twilio-Signature: abc\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	want := map[string]map[string]int{
		"alerts.ndjson": {RuleSecret: 1, RuleSecretParam: 1, RuleURLUserinfo: 1, RuleAuthorization: 1},
		"logs/app.log":  {RuleSecret: 2, RulePhone: 1},
		"README.txt":    {},
		"stderr":        {RuleTwilioSignature: 1},
	}
	if got := r.Counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("Counts() = %v\nwant %v", got, want)
	}

	var buf bytes.Buffer
	if err := r.WriteReport(&buf); err != nil {
		t.Fatal(err)
	}
	rep := buf.String()
	if !strings.Contains(rep, `"logs/app.log"`) {
		t.Errorf("report lacks a file:\n%s", rep)
	}
	for _, leak := range []string{authToken, "14155551234", `"p"`, "abc"} {
		if strings.Contains(rep, leak) {
			t.Errorf("report holds %q:\n%s", leak, rep)
		}
	}
	if !strings.Contains(rep, `"secret": 3`) {
		t.Errorf("report totals lack secret 3:\n%s", rep)
	}
}

func TestReport_RedactsFileNames(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	r.String("dump-"+authToken+".txt", authToken)
	var buf bytes.Buffer
	if err := r.WriteReport(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), authToken) || !strings.Contains(buf.String(), `"dump-[REDACTED:secret].txt": {`) {
		t.Errorf("file name not redacted in the report:\n%s", buf.String())
	}
}

func TestWriteReport_Deterministic(t *testing.T) {
	report := func() string {
		r, err := New(Options{Secrets: []string{authToken}, Extra: []string{`zz\d+`}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r.String(fmt.Sprintf("f%d", i%3), "zz1 token="+authToken)
			}(i)
		}
		wg.Wait()
		var buf bytes.Buffer
		if err := r.WriteReport(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	want := `{
  "rules": [
    {
      "name": "secret",
      "description": "the auth token and API secret values, plain, URL-encoded and base64 (also inside basic-auth credentials)"
    },`
	a, b := report(), report()
	if a != b {
		t.Fatalf("two runs differ:\n%s\n---\n%s", a, b)
	}
	if !strings.HasPrefix(a, want) {
		t.Errorf("report starts\n%s\nwant\n%s", a[:200], want)
	}
	if !strings.Contains(a, `"description": "--redact expression 1"`) || strings.Contains(a, `zz\\d+`) {
		t.Errorf("user rule must be described by position, not by its expression:\n%s", a)
	}
	if !strings.Contains(a, `"f0": {
      "secret": 3,
      "user-1": 3
    }`) {
		t.Errorf("counts from concurrent calls do not add up:\n%s", a)
	}
}

func TestRedact_TwiceChangesNothing(t *testing.T) {
	in := strings.Join([]string{
		"Authorization: Basic dXNlcjpwYXNz",
		`{"X-Twilio-Signature":"abc=","auth_token":"x","body":"hi","response_body":"<p>"}`,
		"https://u:p@h/x?token=abc&From=%2B14155551234&Body=Hello+there",
		"Bearer abcdefgh12345 eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"password: hunter2 " + authToken + " Cookie: a=b",
		"order-42",
	}, "\n")
	opts := Options{Secrets: []string{authToken}, MaskPhoneNumbers: true, MaskBodies: true, Extra: []string{`order-\d+`}}
	r1, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	once := r1.String("f", in)
	r2, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	twice := r2.String("f", once)
	if twice != once {
		t.Errorf("second redaction changed the text:\n%s\n---\n%s", once, twice)
	}
	if c := r2.Counts()["f"]; len(c) != 0 {
		t.Errorf("second redaction counted %v, want nothing", c)
	}
}

func TestBytes_DoesNotModifyInput(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("a " + authToken + "\nb")
	orig := string(in)
	out := r.Bytes("f", in)
	if string(in) != orig {
		t.Error("Bytes modified its input")
	}
	if string(out) != "a [REDACTED:secret]\nb" {
		t.Errorf("Bytes = %q", out)
	}
}

func TestString_LargeTextAcrossBlocks(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	line := "127.0.0.1 - - [18/Nov/2026:10:00:00 +0000] \"POST /sms HTTP/1.1\" 200 12\n"
	n := 0
	for b.Len() < 3*blockSize {
		if b.Len()%(blockSize/2) < len(line) {
			b.WriteString(authToken + "\n")
			n++
		}
		b.WriteString(line)
	}
	out := r.String("big", b.String())
	if strings.Contains(out, authToken) {
		t.Error("secret left in a large text")
	}
	if got := r.Counts()["big"][RuleSecret]; got != n {
		t.Errorf("counted %d secrets, planted %d", got, n)
	}
	if len(out) != b.Len()+n*(len("[REDACTED:secret]")-len(authToken)) {
		t.Error("text outside the secrets changed")
	}
}

func TestLowerASCII_MatchesByteByByte(t *testing.T) {
	var in []byte
	for i := 0; i < 256; i++ {
		in = append(in, byte(i))
	}
	in = append(in, "AZaz@[`{ÄÖÜ Authorization X-TWILIO-SIGNATURE"...)
	for start := 0; start < 9; start++ {
		b := in[start:]
		got := lowerASCII([]byte("keep"), b)
		want := []byte("keep")
		for _, ch := range b {
			if 'A' <= ch && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			want = append(want, ch)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("lowerASCII(%q) = %q, want %q", b, got, want)
		}
	}
}

func TestRules_OptionalRulesOnlyWhenAsked(t *testing.T) {
	plain, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true, MaskBodies: true, Extra: []string{"a+", "b+"}})
	if err != nil {
		t.Fatal(err)
	}
	base := []string{RuleTwilioSignature, RuleAuthorization, RuleCookie, RuleURLUserinfo, RuleBearer, RuleJWT, RuleAWSAccessKey, RuleAWSSecretKey, RuleSecretParam}
	if got := plain.Rules(); !reflect.DeepEqual(got, base) {
		t.Errorf("Rules() without options = %v, want %v", got, base)
	}
	want := append(append([]string{RuleSecret}, base...), RuleBody, RulePhone, "user-1", "user-2")
	if got := all.Rules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Rules() with every option = %v, want %v", got, want)
	}
}
