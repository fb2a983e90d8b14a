package redact

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// plantedForm returns a secret in one of the forms it may take in the wild.
func plantedForm(form uint8) (secret, planted string) {
	secret = authToken
	if form&8 != 0 {
		secret = oddSecret
	}
	switch form % 8 {
	case 0:
		return secret, secret
	case 1:
		return secret, url.QueryEscape(secret)
	case 2:
		return secret, url.PathEscape(secret)
	case 3:
		return secret, base64.StdEncoding.EncodeToString([]byte(secret))
	case 4:
		return secret, base64.URLEncoding.EncodeToString([]byte(secret))
	case 5:
		return secret, base64.RawStdEncoding.EncodeToString([]byte(accountSID + ":" + secret))
	case 6:
		return secret, strings.ToUpper(secret)
	default:
		return secret, base64.StdEncoding.EncodeToString([]byte("anyone:" + secret))[8:] // the part that encodes the whole secret
	}
}

// FuzzRedact plants a secret in arbitrary text, read as any Kind, and checks
// that no output holds it, that nothing panics, that the streaming Writer
// agrees with Redact, and that redacting the output again changes nothing.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"",
		"Authorization: Basic ",
		`{"X-Twilio-Signature":"`,
		"GET /sms?AuthToken=",
		"https://user:",
		"url=https%3A%2F%2Fuser%3A",
		"From=%2B14155551234&Body=",
		`{"request_headers":"Host: a\nAuthorization: Digest username=\"`,
		"Bearer ",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"aws_secret_access_key = ",
		`"{\"token\":\"`,
		"password: ",
		"x\r\ny\\",
	} {
		f.Add(s, " tail", uint(len(s)), uint8(0), uint(7))
		f.Add(s, "&x=1\n"+s, uint(0), uint8(13), uint(1))
		f.Add(s, "\"}\n", uint(len(s)), uint8(0x10), uint(3))
		f.Add(s, "\",x\n"+s, uint(0), uint8(0x25), uint(2))
	}
	opts := Options{
		Secrets:          []string{authToken, oddSecret},
		Usernames:        []string{accountSID},
		MaskPhoneNumbers: true,
		MaskBodies:       true,
		Extra:            []string{`order-\d+`},
	}
	f.Fuzz(func(t *testing.T, prefix, suffix string, at uint, form uint8, chunk uint) {
		secret, planted := plantedForm(form)
		cut := int(at % uint(len(prefix)+1))
		in := prefix[:cut] + planted + prefix[cut:] + suffix

		r, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		kind := Kind(form >> 4 % 4)
		out := string(r.Redact("f", kind, []byte(in)))
		for _, s := range []string{secret, planted} {
			if strings.Contains(out, s) {
				t.Fatalf("output holds the secret %q:\nin  %q\nout %q", s, in, out)
			}
		}

		var buf bytes.Buffer
		w := r.WriterOf("w", kind, &buf)
		step := int(chunk%64) + 1
		for rest := in; rest != ""; {
			n := step
			if n > len(rest) {
				n = len(rest)
			}
			if _, err := w.Write([]byte(rest[:n])); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{secret, planted} {
			if strings.Contains(buf.String(), s) {
				t.Fatalf("Writer output of kind %d holds the secret %q:\nin  %q\nout %q", kind, s, in, buf.String())
			}
		}
		if kind == CSV {
			// Text that is no CSV may be split into records differently
			// by the Writer; only the secret's absence is certain.
			return
		}
		if buf.String() != out {
			t.Fatalf("Writer and Redact of kind %d differ:\nin     %q\nRedact %q\nWriter %q", kind, in, out, buf.String())
		}

		again := string(r.Redact("again", kind, []byte(out)))
		if again != out {
			t.Fatalf("redacting the output again changed it:\nonce  %q\ntwice %q", out, again)
		}
	})
}
