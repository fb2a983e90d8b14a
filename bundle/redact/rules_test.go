package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// Values used across the tests. The SIDs share no text with the secrets.
const (
	authToken  = "f3a9c2e17b5d48a6901c3e2f7a8b4d5c"
	apiSecret  = "Zq8LmN2pR4sT6vW1xY3zA5bC7dE9fG0h"
	accountSID = "AC1b2c3d4e5f60718293a4b5c6d7e8f901"
	apiKeySID  = "SK9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
	callSID    = "CA00112233445566778899aabbccddeeff"
	oddSecret  = "~~~s3cret>>>v@lue&more/+="
)

// rcase is one redaction example: in must come out as want (when want is set),
// and the output must hold none of absent and all of present.
type rcase struct {
	name    string
	in      string
	want    string
	absent  []string
	present []string
}

func runCases(t *testing.T, opts Options, cases []rcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got := r.String("f", tc.in)
			if tc.want != "" && got != tc.want {
				t.Errorf("redact(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("redact(%q) = %q still holds %q", tc.in, got, a)
				}
			}
			for _, p := range tc.present {
				if !strings.Contains(got, p) {
					t.Errorf("redact(%q) = %q lost %q", tc.in, got, p)
				}
			}
		})
	}
}

// same is a case whose text must come out unchanged.
func same(name, in string) rcase { return rcase{name: name, in: in, want: in} }

func withSecrets() Options {
	return Options{Secrets: []string{authToken, apiSecret, oddSecret}, Usernames: []string{accountSID, apiKeySID}}
}

func TestRedact_SecretValuesInEveryForm(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	b64url := func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	runCases(t, withSecrets(), []rcase{
		{name: "plain auth token in prose", in: "using " + authToken + " now", want: "using [REDACTED:secret] now"},
		{name: "API secret inside a word", in: "x" + apiSecret + "y", want: "x[REDACTED:secret]y"},
		{name: "uppercased token", in: strings.ToUpper(authToken), want: "[REDACTED:secret]"},
		{name: "query-escaped secret", in: "v=" + url.QueryEscape(oddSecret) + "&n=1", want: "v=[REDACTED:secret]&n=1"},
		{name: "path-escaped secret", in: "/x/" + url.PathEscape(oddSecret) + "/y", want: "/x/[REDACTED:secret]/y"},
		{name: "JSON-escaped secret", in: `{"v":"~~~s3cret\u003e\u003e\u003ev@lue\u0026more\/+="}`, want: `{"v":"[REDACTED:secret]"}`},
		{name: "base64 std", in: "blob " + b64(oddSecret) + " end", want: "blob [REDACTED:secret] end"},
		{name: "base64 url", in: "blob " + b64url(oddSecret) + " end", want: "blob [REDACTED:secret] end"},
		{name: "base64 raw url", in: "blob " + raw(oddSecret) + " end", want: "blob [REDACTED:secret] end"},
		{name: "basic auth of account SID and token is one redaction",
			in: "Authorization: Basic " + b64(accountSID+":"+authToken), want: "Authorization: Basic [REDACTED:secret]"},
		{name: "basic auth of API key and secret",
			in: "creds " + b64(apiKeySID+":"+apiSecret), want: "creds [REDACTED:secret]"},
		{name: "base64 with an unknown user name still loses the secret",
			in: "creds " + b64("someone-else:"+authToken), absent: []string{b64("someone-else:" + authToken)}, present: []string{"[REDACTED:secret]"}},
		{name: "base64 at every offset inside a larger blob",
			in:     b64("a"+authToken) + " " + b64("ab"+authToken) + " " + b64("abc"+authToken),
			absent: []string{b64("a" + authToken), b64("ab" + authToken), b64("abc" + authToken)}},
		same("SIDs that are not secrets are kept", "AccountSid="+accountSID+" CallSid="+callSID),
		same("text without secrets is unchanged", "POST /sms HTTP/1.1 200 0.012"),
	})
}

func TestRedact_TwilioSignature(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "header line", in: "X-Twilio-Signature: Nc2r0/4BkPt1ZGqQ5g6ZQ7X8hFw=", want: "X-Twilio-Signature: [REDACTED:twilio-signature]"},
		{name: "header line lower case with CRLF", in: "x-twilio-signature: abc+/=\r\nHost: h", want: "x-twilio-signature: [REDACTED:twilio-signature]\r\nHost: h"},
		{name: "JSON object", in: `{"X-Twilio-Signature":"abc+/=","Host":"h"}`, want: `{"X-Twilio-Signature":"[REDACTED:twilio-signature]","Host":"h"}`},
		{name: "JSON with spaces", in: `{"X-Twilio-Signature" : "abc="}`, want: `{"X-Twilio-Signature" : "[REDACTED:twilio-signature]"}`},
		{name: "JSON escaped in a JSON string", in: `{"h":"{\"X-Twilio-Signature\":\"abc=\",\"A\":\"b\"}"}`, want: `{"h":"{\"X-Twilio-Signature\":\"[REDACTED:twilio-signature]\",\"A\":\"b\"}"}`},
		{name: "form dump", in: "X-Twilio-Signature=abc%3D&To=x", want: "X-Twilio-Signature=[REDACTED:twilio-signature]&To=x"},
		{name: "headers in a JSON string", in: `{"request_headers":"X-Twilio-Signature: abc=\nHost: h"}`, want: `{"request_headers":"X-Twilio-Signature: [REDACTED:twilio-signature]\nHost: h"}`},
		{name: "form-encoded alert request headers", in: "request_headers=X-Twilio-Signature%3Dabc%252B%3D%26Host%3Dh", want: "request_headers=X-Twilio-Signature%3D[REDACTED:twilio-signature]%26Host%3Dh"},
		same("prose about the header", "the X-Twilio-Signature header was missing"),
	})
}

func TestRedact_AuthorizationHeader(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "basic keeps the scheme", in: "Authorization: Basic dXNlcjpwYXNz", want: "Authorization: Basic [REDACTED:authorization-header]"},
		{name: "bearer", in: "authorization: Bearer abc.def.ghi", want: "authorization: Bearer [REDACTED:authorization-header]"},
		{name: "proxy authorization", in: "Proxy-Authorization: Negotiate YIIabc", want: "Proxy-Authorization: Negotiate [REDACTED:authorization-header]"},
		{name: "value without scheme", in: "Authorization: s3cr3tvalue", want: "Authorization: [REDACTED:authorization-header]"},
		{name: "digest with quoted parts", in: `Authorization: Digest username="u", response="6629fae49393a05397450978507c4ef1"`, want: "Authorization: Digest [REDACTED:authorization-header]"},
		{name: "CRLF keeps the next header", in: "Authorization: Basic abc\r\nHost: x", want: "Authorization: Basic [REDACTED:authorization-header]\r\nHost: x"},
		{name: "JSON", in: `{"Authorization":"Basic abc","Host":"h"}`, want: `{"Authorization":"Basic [REDACTED:authorization-header]","Host":"h"}`},
		{name: "dict with single quotes", in: `{'Authorization': 'Basic abc', 'Host': 'h'}`, want: `{'Authorization': 'Basic [REDACTED:authorization-header]', 'Host': 'h'}`},
		{name: "escaped line break in a JSON string", in: `{"request_headers":"Host: a\nAuthorization: Digest username=\"x\", response=\"y\"","x":1}`,
			want: `{"request_headers":"Host: a\nAuthorization: Digest [REDACTED:authorization-header]","x":1}`},
		{name: "form-encoded alert request headers", in: "request_headers=Authorization%3DBasic+dXNlcjpwYXNz%26Host%3Dh",
			want: "request_headers=Authorization%3DBasic+[REDACTED:authorization-header]%26Host%3Dh"},
		{name: "form dump", in: "Authorization=Basic+dXNlcjpwYXNz&Host=h", want: "Authorization=Basic+[REDACTED:authorization-header]&Host=h"},
		{name: "plus inside a header value is no scheme", in: "Authorization: dXNl+cjpw", want: "Authorization: [REDACTED:authorization-header]"},
		same("prose", "authorization failed for user bob"),
		same("unauthorized", "401 Unauthorized: please log in"),
	})
}

func TestRedact_CookieHeader(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "cookie", in: "Cookie: session=abc; theme=dark", want: "Cookie: [REDACTED:cookie-header]"},
		{name: "set-cookie", in: "Set-Cookie: sid=abc; Path=/; HttpOnly", want: "Set-Cookie: [REDACTED:cookie-header]"},
		{name: "form-encoded response headers", in: "Set-Cookie=sid%3Dabc%3B+Path%3D%2F&Server=x", want: "Set-Cookie=[REDACTED:cookie-header]&Server=x"},
		same("prose", "cookies: 3 set"),
	})
}

func TestRedact_URLUserinfo(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "password in URL", in: "GET https://user:pa55@example.com/x", want: "GET https://user:[REDACTED:url-userinfo]@example.com/x"},
		{name: "SID user name kept", in: "https://" + accountSID + ":t0ken@api.twilio.com/", want: "https://" + accountSID + ":[REDACTED:url-userinfo]@api.twilio.com/"},
		{name: "URL-encoded in alert_text", in: "url=https%3A%2F%2Fuser%3Apa55%40example.com%2Fsms&Msg=x", want: "url=https%3A%2F%2Fuser%3A[REDACTED:url-userinfo]%40example.com%2Fsms&Msg=x"},
		{name: "JSON with escaped slashes", in: `{"url":"https:\/\/user:pa55@example.com\/x"}`, want: `{"url":"https:\/\/user:[REDACTED:url-userinfo]@example.com\/x"}`},
		{name: "@ in the password", in: "https://user:p@ss@example.com/", want: "https://user:[REDACTED:url-userinfo]@example.com/"},
		same("@ in the path", "https://example.com/a:b@c"),
		same("port is not a password", "https://example.com:8443/sms?x=1"),
		same("user without password", "ssh://deploy@example.com/repo"),
		same("encoded port and @ in path", "https%3A%2F%2Fexample.com%3A8443%2Fpath%40x"),
		same("mail address", "mailto:someone@example.com"),
	})
}

func TestRedact_BearerToken(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "bearer in a log", in: "msg=ok bearer abcDEF123456 sent", want: "msg=ok bearer [REDACTED:bearer-token] sent"},
		{name: "url-encoded", in: "h=Bearer%20abcdefgh12345", want: "h=Bearer%20[REDACTED:bearer-token]"},
		same("prose", "a bearer token is required"),
		same("short", "Bearer abc"),
	})
}

func TestRedact_JWT(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0.eyJqdGkiOiJTSzEyMyIsImdyYW50cyI6e319.dGhlLXNpZ25hdHVyZQ"
	runCases(t, Options{}, []rcase{
		{name: "in a query", in: "/token?jwt=" + jwt + "&x=1", want: "/token?jwt=[REDACTED:jwt]&x=1"},
		{name: "in JSON", in: `{"access":"` + jwt + `"}`, want: `{"access":"[REDACTED:jwt]"}`},
		{name: "unsigned", in: "t eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end", want: "t [REDACTED:jwt] end"},
		same("a word starting eyJ", "eyJust kidding.not.a.token"),
	})
}

func TestRedact_AWSKeys(t *testing.T) {
	runCases(t, Options{}, []rcase{
		{name: "access key", in: "id AKIAIOSFODNN7EXAMPLE used", want: "id [REDACTED:aws-access-key] used"},
		{name: "session access key", in: "ASIAY34FZKBOKMUTVV7A", want: "[REDACTED:aws-access-key]"},
		{name: "secret key in ini", in: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", want: "aws_secret_access_key = [REDACTED:aws-secret-key]"},
		{name: "secret key in JSON", in: `{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`, want: `{"SecretAccessKey": "[REDACTED:aws-secret-key]"}`},
		same("longer word", "AKIAIOSFODNN7EXAMPLEXYZ"),
		same("name without key", "aws_secret_access_key is not set"),
	})
}

func TestRedact_SecretNamedParameters(t *testing.T) {
	p := "[REDACTED:secret-param]"
	runCases(t, Options{}, []rcase{
		{name: "AuthToken query", in: "GET /x?AuthToken=abc&page=2 HTTP/1.1", want: "GET /x?AuthToken=" + p + "&page=2 HTTP/1.1"},
		{name: "every secret word", in: "token=a&client_secret=b&password=c&passwd=d&pwd=e&api_key=f&apikey=g&signature=h&sig=i&auth=j&access_token=k&x=y",
			want: "token=" + p + "&client_secret=" + p + "&password=" + p + "&passwd=" + p + "&pwd=" + p + "&api_key=" + p + "&apikey=" + p + "&signature=" + p + "&sig=" + p + "&auth=" + p + "&access_token=" + p + "&x=y"},
		{name: "case-insensitive", in: "?API_KEY=abc", want: "?API_KEY=" + p},
		{name: "form body", in: "From=x&Password=hunter2&To=y", want: "From=x&Password=" + p + "&To=y"},
		{name: "quoted logfmt value", in: `level=info password="two words" ok=1`, want: `level=info password="` + p + `" ok=1`},
		{name: "JSON field", in: `{"auth_token": "abc", "sid": "` + accountSID + `"}`, want: `{"auth_token": "` + p + `", "sid": "` + accountSID + `"}`},
		{name: "dict field", in: `{'secret': 'abc'}`, want: `{'secret': '` + p + `'}`},
		{name: "JSON escaped in a JSON string", in: `"{\"token\":\"abc\"}"`, want: `"{\"token\":\"` + p + `\"}"`},
		{name: "URL-encoded query in alert_text", in: "url=https%3A%2F%2Fh%2Fsms%3Ftoken%3Dabc%26x%3D1&Msg=m", want: "url=https%3A%2F%2Fh%2Fsms%3Ftoken%3D" + p + "%26x%3D1&Msg=m"},
		{name: "header-like pair", in: "X-Api-Key: abc123", want: "X-Api-Key: " + p},
		{name: "yaml password", in: "  password: hunter2", want: "  password: " + p},
		same("SID under a key name is an identifier", "key="+apiKeySID+"&ApiKeySid="+apiKeySID),
		same("names ending in sid", `{"signing_key_sid":"`+apiKeySID+`","AuthTokenSid":"x"}`),
		same("SIDs in a webhook URL", "GET /voice?AccountSid="+accountSID+"&CallSid="+callSID+" HTTP/1.1"),
		same("prose with key", "the key to success is practice; a monkey has no keyboard"),
		same("ambiguous header-like name", "Key: points to remember"),
		same("idempotency token header", "I-Twilio-Idempotency-Token: 4c1b5a2e-1d2b"),
		same("paging envelope key", `"meta":{"key":"alerts","next_page_url":null}`),
		same("links to Twilio key lists", `"subresource_uris": {"keys": "/2010-04-01/Accounts/`+accountSID+`/Keys.json"}, "links": {"signing_keys": "https://api.twilio.com/v1/SigningKeys"}`),
		{name: "token in a Twilio link", in: `{"keys": "https://api.twilio.com/x?token=abc"}`, want: `{"keys": "https://api.twilio.com/x?token=[REDACTED:secret-param]"}`},
		{name: "look-alike host", in: `{"key": "https://twilio.com.evil.example/x"}`, want: `{"key": "[REDACTED:secret-param]"}`},
		same("a list of keys is no key", `{"keys": "https://example.com/x"}`),
		same("booleans", "has_auth=true sig=false"),
		same("numbers in JSON", `{"token_count": 3}`),
		same("URL without credentials", "https://example.com/sms?From=x&To=y#ct=1000&rt=2000"),
	})
}

func TestRedact_UserExpressions(t *testing.T) {
	runCases(t, Options{Extra: []string{`order-\d+`, `pin=(?P<redact>\d+)`, `(?i)internal\.corp`}}, []rcase{
		{name: "whole match", in: "see order-12345 now", want: "see [REDACTED:user-1] now"},
		{name: "named group", in: "pin=4321&x=1", want: "pin=[REDACTED:user-2]&x=1"},
		{name: "case-insensitive", in: "host INTERNAL.corp", want: "host [REDACTED:user-3]"},
		same("no match", "order-x"),
	})
}

func TestNew_RejectsBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"invalid expression names it", Options{Extra: []string{`ok`, `a(b`}}, `--redact rule 2 "a(b"`},
		{"empty-matching expression", Options{Extra: []string{`x*`}}, "matches the empty string"},
		{"short secret", Options{Secrets: []string{"abc"}}, "secret 1 is 3 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := New(Options{Secrets: []string{"", authToken}}); err != nil {
		t.Errorf("an empty secret (credential not configured) must be ignored, got %v", err)
	}
}

func TestNew_ErrorNeverHoldsTheSecret(t *testing.T) {
	_, err := New(Options{Secrets: []string{"short12"}})
	if err == nil || strings.Contains(err.Error(), "short12") {
		t.Fatalf("error %v must name the secret by position only", err)
	}
}
