package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestRedact_LookAlikesSurvive(t *testing.T) {
	runCases(t, Options{}, []rcase{
		same("URL paths", "POST https://example.com/design?id=5 then /signup?plan=pro and /author?id=7 HTTP/1.1"),
		same("WWW-Authenticate header", "WWW-Authenticate: Basic realm=\"hooks\", charset=\"UTF-8\""),
		same("WWW-Authenticate in a form dump", "WWW-Authenticate=Basic+realm%3D%22hooks%22&Content-Type=text%2Fhtml"),
		same("log words", "monkey patch applied; keyspace=3 cache_key=user42 signal=SIGTERM sort_key=name"),
		same("JSON members that only hold a secret word", `{"cache_key": "user42", "keyspace": "main", "signal": "TERM", "author": "ann", "design": "v2"}`),
		same("names about a secret", "token_type=bearer&token_count=3&PageToken=PA50&ApiKeySid="+apiKeySID),
		same("prose with a colon", "Signature: J. Smith; Key: value; Auth: required"),
	})
}

func TestRedact_WholeNamesThatMeanSecret(t *testing.T) {
	p := "[REDACTED:secret-param]"
	runCases(t, Options{}, []rcase{
		{name: "snake, kebab and camel case", in: "x_api_key=a&X-Auth-Token=b&AuthToken=c&APIKey=d&client_secret=e&authtoken=f",
			want: "x_api_key=" + p + "&X-Auth-Token=" + p + "&AuthToken=" + p + "&APIKey=" + p + "&client_secret=" + p + "&authtoken=" + p},
		{name: "version suffix", in: "X-Hub-Signature-256: sha256=abc", want: "X-Hub-Signature-256: " + p},
		{name: "compound header names", in: "X-Auth: abc\nX-Signature: def", want: "X-Auth: " + p + "\nX-Signature: " + p},
		{name: "form array", in: "user[password]=hunter2&user[name]=ann", want: "user[password]=" + p + "&user[name]=ann"},
		{name: "value ends at the comma of a CSV log", in: "2026-11-18,password=hunter2,502,seen", want: "2026-11-18,password=" + p + ",502,seen"},
	})
}

func TestRedact_CookiesInEveryShape(t *testing.T) {
	c := "[REDACTED:cookie-header]"
	runCases(t, Options{}, []rcase{
		{name: "after an encoded ampersand", in: "Content-Type=text%2Fhtml%26Set-Cookie%3Dsid%3Dabc%26Server%3Dx", want: "Content-Type=text%2Fhtml%26Set-Cookie%3D" + c + "%26Server%3Dx"},
		{name: "after a JSON-escaped ampersand", in: `{"response_headers":"Server=x\u0026Set-Cookie=sid%3Dabc\u0026Cookie=a%3Db"}`,
			want: `{"response_headers":"Server=x\u0026Set-Cookie=` + c + `\u0026Cookie=` + c + `"}`},
	})
}

func TestRedact_URLUserinfoInMixedEncodings(t *testing.T) {
	u := "[REDACTED:url-userinfo]"
	runCases(t, Options{}, []rcase{
		{name: "encoded colon and at, plain slashes", in: "Msg=Got+502+from+https%3A//hook%3Apa55w0rd%40example.com/voice", want: "Msg=Got+502+from+https%3A//hook%3A" + u + "%40example.com/voice"},
		{name: "plain colon, encoded slashes", in: "https:%2F%2Fhook:pa55w0rd@example.com%2Fvoice", want: "https:%2F%2Fhook:" + u + "@example.com%2Fvoice"},
		{name: "lowercase escapes", in: "https%3a%2f%2fhook%3apa55w0rd%40example.com%2fvoice", want: "https%3a%2f%2fhook%3a" + u + "%40example.com%2fvoice"},
		{name: "encoded twice", in: "Msg=to+https%253A%252F%252Fhook%253Apa55w0rd%2540example.com%252Fvoice", want: "Msg=to+https%253A%252F%252Fhook%253A" + u + "%2540example.com%252Fvoice"},
		same("encoded URL without userinfo", "https%3A//example.com%3A8443/voice%40x"),
	})
}

func TestRedact_OwnTextKeepsItsWords(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, Extra: []string{`CUST-\d+`}})
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Join([]string{
		`{"by_code": [{"key": "11200", "incidents": 3}], "by_url": [{"key": "https://example.com/voice?x=1"}]}`,
		"Secrets: the values in --secret-file are removed wherever they appear.",
		"probe --style twilio signs its requests with the auth token: set TWILIO_AUTH_TOKEN",
		"evidence: key=11200 share=0.58 Authorization: none Cookie: none",
	}, "\n")
	if got := string(r.Redact("stats/summary.json", Own, []byte(own))); got != own {
		t.Errorf("own text changed:\n%s", got)
	}
	got := string(r.Redact("ticket.txt", Own, []byte("token "+authToken+" for CUST-42")))
	if got != "token [REDACTED:secret] for [REDACTED:user-1]" {
		t.Errorf("value rules in own text: %q", got)
	}
	if c := r.Counts()["ticket.txt"]; c[RuleSecret] != 1 || c["user-1"] != 1 {
		t.Errorf("counts = %v", c)
	}
}

// alertDetail is an alert's details as the bundle writes them: the header
// dumps decoded into maps of lists, indented.
const alertDetail = `{
  "sid": "NO00000000000000000000000000000001",
  "request_url": "https://hook:pa55w0rd@example.com/voice?token=abc123&id=5",
  "request_headers": {
    "Authorization": [
      "Basic dXNlcjpwYXNz"
    ],
    "Cookie": [
      "session=s3ss10nvalue; theme=dark"
    ],
    "WWW-Authenticate": [
      "Basic realm=\"hooks\""
    ],
    "X-Twilio-Signature": [
      "Nc2r0/4BkPt1ZGqQ5g6ZQ7X8hFw="
    ]
  },
  "response_headers": {
    "Set-Cookie": [
      "sid=c00k1evalue; Path=/",
      "lang=en"
    ]
  },
  "request_variables": {
    "CallSid": [
      "CA00112233445566778899aabbccddeeff"
    ],
    "Password": [
      "hunter2"
    ],
    "cache_key": [
      "user42"
    ]
  },
  "credentials": {"user": "ann", "pin": 1234},
  "meta": {"key": "alerts", "page": 0},
  "response_body": "<p>api_key=AbCd1234 monkey</p>"
}
`

func TestRedact_JSONMembersByName(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := r.Redact("logs/twilio/alerts/NO1.json", JSON, []byte(alertDetail))
	var got struct {
		RequestURL       string              `json:"request_url"`
		RequestHeaders   map[string][]string `json:"request_headers"`
		ResponseHeaders  map[string][]string `json:"response_headers"`
		RequestVariables map[string][]string `json:"request_variables"`
		Credentials      map[string]any      `json:"credentials"`
		Meta             map[string]any      `json:"meta"`
		ResponseBody     string              `json:"response_body"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the output is no JSON: %v\n%s", err, out)
	}
	want := map[string]string{
		"url":            "https://hook:[REDACTED:url-userinfo]@example.com/voice?token=[REDACTED:secret-param]&id=5",
		"authorization":  "Basic [REDACTED:authorization-header]",
		"cookie":         "[REDACTED:cookie-header]",
		"www-auth":       `Basic realm="hooks"`,
		"signature":      "[REDACTED:twilio-signature]",
		"set-cookie 1":   "[REDACTED:cookie-header]",
		"set-cookie 2":   "[REDACTED:cookie-header]",
		"call sid":       "CA00112233445566778899aabbccddeeff",
		"password":       "[REDACTED:secret-param]",
		"cache key":      "user42",
		"credentials":    "[REDACTED:secret-param]",
		"credential pin": "[REDACTED:secret-param]",
		"meta key":       "alerts",
		"body":           "<p>api_key=[REDACTED:secret-param] monkey</p>",
	}
	have := map[string]string{
		"url":            got.RequestURL,
		"authorization":  got.RequestHeaders["Authorization"][0],
		"cookie":         got.RequestHeaders["Cookie"][0],
		"www-auth":       got.RequestHeaders["WWW-Authenticate"][0],
		"signature":      got.RequestHeaders["X-Twilio-Signature"][0],
		"set-cookie 1":   got.ResponseHeaders["Set-Cookie"][0],
		"set-cookie 2":   got.ResponseHeaders["Set-Cookie"][1],
		"call sid":       got.RequestVariables["CallSid"][0],
		"password":       got.RequestVariables["Password"][0],
		"cache key":      got.RequestVariables["cache_key"][0],
		"credentials":    fmt.Sprint(got.Credentials["user"]),
		"credential pin": fmt.Sprint(got.Credentials["pin"]),
		"meta key":       fmt.Sprint(got.Meta["key"]),
		"body":           got.ResponseBody,
	}
	for k, w := range want {
		if have[k] != w {
			t.Errorf("%s = %q, want %q", k, have[k], w)
		}
	}
	// The layout of what was not redacted is kept line for line.
	if a, b := strings.Count(alertDetail, "\n"), strings.Count(string(out), "\n"); a != b {
		t.Errorf("the text has %d lines, it had %d", b, a)
	}
	c := r.Counts()["logs/twilio/alerts/NO1.json"]
	if c[RuleCookie] != 3 || c[RuleAuthorization] != 1 || c[RuleTwilioSignature] != 1 || c[RuleSecretParam] != 5 || c[RuleURLUserinfo] != 1 {
		t.Errorf("counts = %v, want one a value removed", c)
	}
	// A second pass finds nothing more.
	r2, _ := New(Options{})
	if again := r2.Redact("f", JSON, out); !bytes.Equal(again, out) || len(r2.Counts()["f"]) != 0 {
		t.Errorf("a second pass changed the text or counted %v", r2.Counts()["f"])
	}
}

func TestRedact_NDJSONWithEscapedFormStrings(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, Usernames: []string{accountSID}})
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken))
	var b bytes.Buffer
	for i := 0; i < 3; i++ {
		json.NewEncoder(&b).Encode(map[string]string{
			"sid":              fmt.Sprintf("NO%032d", i),
			"request_headers":  "Authorization=" + url.QueryEscape("Basic "+basic) + "&Cookie=" + url.QueryEscape("session=abc<&>") + "&User-Agent=TwilioProxy%2F1.1",
			"response_headers": "Set-Cookie=" + url.QueryEscape("sid=xyz; Path=/") + "&WWW-Authenticate=Basic+realm%3D%22x%22",
			"alert_text":       "Msg=Got+HTTP+502+response+to+https%3A//hook%3Apa55w0rd%40example.com/design&url=" + url.QueryEscape("https%3A%2F%2Fhook%3Apa55w0rd%40example.com") + "&ErrorCode=11200",
		})
	}
	out := string(r.Redact("alerts.ndjson", JSON, b.Bytes()))
	for _, leak := range []string{"session", "sid%3Dxyz", "pa55w0rd", authToken, basic, url.QueryEscape(basic)} {
		if strings.Contains(out, leak) {
			t.Errorf("output holds %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"WWW-Authenticate=Basic+realm%3D%22x%22", "design", "ErrorCode=11200", "TwilioProxy"} {
		if !strings.Contains(out, kept) {
			t.Errorf("output lost %q:\n%s", kept, out)
		}
	}
}

func TestRedact_CSVCellsKeepTheirColumns(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	in := "incident,url,hop,seen,status,outcome\n" +
		"CA1,https://example.com/voice?token=abc123,lb,true,502,error\n" +
		`CA2,"https://example.com/sms?a=1,2&password=x y",app,false,,"quoted ""cell"""` + "\r\n" +
		"CA3,https://example.com/design?id=5," + authToken + ",true,200,ok\n" +
		`CA4,"multi` + "\n" + `line token=abc",lb,true,502,error`
	out := r.Redact("trace/hops.csv", CSV, []byte(in))
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	want := [][]string{
		{"incident", "url", "hop", "seen", "status", "outcome"},
		{"CA1", "https://example.com/voice?token=[REDACTED:secret-param]", "lb", "true", "502", "error"},
		{"CA2", "https://example.com/sms?a=1,2&password=[REDACTED:secret-param] y", "app", "false", "", `quoted "cell"`},
		{"CA3", "https://example.com/design?id=5", "[REDACTED:secret]", "true", "200", "ok"},
		{"CA4", "multi\nline token=[REDACTED:secret-param]", "lb", "true", "502", "error"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows =\n%q\nwant\n%q", rows, want)
	}
	// The Writer gives the same, whatever the pieces.
	for _, size := range []int{1, 5, 17, len(in)} {
		var buf bytes.Buffer
		w := r.WriterOf("trace/hops.csv", CSV, &buf)
		for s := in; len(s) > 0; {
			n := min(size, len(s))
			w.Write([]byte(s[:n]))
			s = s[n:]
		}
		w.Close()
		if !bytes.Equal(buf.Bytes(), out) {
			t.Errorf("Writer in pieces of %d:\n%s\nwant\n%s", size, buf.Bytes(), out)
		}
	}
}

func TestWriter_JSONInPiecesEqualsWhole(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	in := alertDetail + `{"auth_token": "` + authToken + `", "x": "` + authToken + `"}` + "\n"
	want := r.Redact("f", JSON, []byte(in))
	for _, size := range []int{1, 3, 64, len(in)} {
		var buf bytes.Buffer
		w := r.WriterOf("f", JSON, &buf)
		for s := in; len(s) > 0; {
			n := min(size, len(s))
			w.Write([]byte(s[:n]))
			s = s[n:]
		}
		w.Close()
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("pieces of %d:\n%s\nwant\n%s", size, buf.Bytes(), want)
		}
	}
}

func TestAddSecrets_LearnedValuesReachOpenWriters(t *testing.T) {
	r, err := New(Options{Usernames: []string{accountSID}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := r.WriterOf("stderr", Own, &buf)
	io.WriteString(w, "before "+authToken+"\n")
	r.AddSecrets([]string{authToken, "short"}, nil)
	basic := base64.StdEncoding.EncodeToString([]byte(accountSID + ":" + authToken))
	io.WriteString(w, "after "+authToken+" "+url.QueryEscape(basic)+" "+strings.ToUpper(authToken)+"\n")
	w.Close()
	want := "before " + authToken + "\nafter [REDACTED:secret] [REDACTED:secret] [REDACTED:secret]\n"
	if buf.String() != want {
		t.Errorf("got %q\nwant %q", buf.String(), want)
	}
	if got := r.Rules()[0]; got != RuleSecret {
		t.Errorf("first rule %q, want the secret rule once a secret is known", got)
	}
}

func TestWriter_ConcurrentWritesKeepLinesWhole(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := r.WriterOf("stderr", Own, &buf)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				fmt.Fprintf(w, "line %s\n", authToken)
			}
		}()
	}
	wg.Wait()
	w.Close()
	if strings.Contains(buf.String(), authToken) || strings.Count(buf.String(), "line [REDACTED:secret]\n") != 1600 {
		t.Error("concurrent writes leaked or broke lines")
	}
}

func TestValue_OwnFieldsAndSecretMapKeys(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	type status struct {
		Reason string `redact:"own"`
		URL    string
	}
	v := &struct {
		Status  status
		Headers map[string]any
		Summary []byte `redact:"own"`
		Raw     []byte
	}{
		Status:  status{Reason: "rejected the auth token: key=11200 " + authToken, URL: "https://h/x?token=abc"},
		Headers: map[string]any{"Cookie": []any{"a=b"}, "Accept": "text/html", "api_key": "k123"},
		Summary: []byte(`{"key": "11200"}`),
		Raw:     []byte(`{"key": "11200", "n": 1}`),
	}
	r.Value("(evidence)", v)
	if v.Status.Reason != "rejected the auth token: key=11200 [REDACTED:secret]" {
		t.Errorf("own field = %q", v.Status.Reason)
	}
	if v.Status.URL != "https://h/x?token=[REDACTED:secret-param]" {
		t.Errorf("outside field = %q", v.Status.URL)
	}
	if fmt.Sprint(v.Headers["Cookie"]) != "[[REDACTED:cookie-header]]" || v.Headers["Accept"] != "text/html" || v.Headers["api_key"] != "[REDACTED:secret-param]" {
		t.Errorf("headers = %v", v.Headers)
	}
	if string(v.Summary) != `{"key": "11200"}` || string(v.Raw) != `{"key": "[REDACTED:secret-param]", "n": 1}` {
		t.Errorf("own bytes %s, outside JSON %s", v.Summary, v.Raw)
	}

	f := &struct{ Evidence []string }{[]string{"key=11200 " + authToken}}
	r.OwnValue("(evidence)", f)
	if f.Evidence[0] != "key=11200 [REDACTED:secret]" {
		t.Errorf("OwnValue = %q", f.Evidence[0])
	}
}

func TestCleanReport_RedactsOldFileNames(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	rep := r.CleanReport(Report{Files: map[string]map[string]int{
		"logs/web" + authToken + ".log": {RuleSecret: 2},
		"logs/web[REDACTED:secret].log": {RuleSecret: 1},
	}})
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), authToken) || rep.Files["logs/web[REDACTED:secret].log"][RuleSecret] != 3 {
		t.Errorf("report = %s", b)
	}
}
