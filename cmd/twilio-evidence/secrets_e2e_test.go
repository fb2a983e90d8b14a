package main

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// Values planted in every input channel; none may leave the machine.
const (
	plantQuery     = "QryS3cretValue4242"
	plantPassword  = "UrlPassw0rd4242x"
	plantBearer    = "BearerT0kenValue4242xyz"
	plantSig       = "SigValueAbCdEf0123456789+/="
	plantJWT       = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJTSzEyMyIsInN1YiI6IkFDMTIzIn0.c2lnbmF0dXJlLXZhbHVlLTQyNDI"
	plantAWS       = "AKIAIOSFODNN7EXAMPL3"
	plantProxy     = "ProxyPassw0rd4242"
	plantCustom    = "CUSTOMER-4711-XYZ"
	plantPhone     = "+14155550100"
	plantPhone2    = "+819012345678"
	plantCookie    = "C00kieSessi0nValue4242"
	plantSetCookie = "SetC00kieValue4242zz"

	// The API key the second run authenticates with: the account's auth
	// token (e2eToken) is then known only from the Account resource.
	e2eAPIKey    = "SK00000000000000000000000000000e2e"
	e2eAPISecret = "e2eAPIsecret000000000000000000000"
)

// forms are the shapes a value may take on its way into a file.
func forms(v string) []string {
	return []string{v, url.QueryEscape(v), url.PathEscape(v),
		base64.StdEncoding.EncodeToString([]byte(v)), base64.URLEncoding.EncodeToString([]byte(v))}
}

// plantSecrets puts secrets into the fake's account the way Twilio returns
// them (faketwilio.Plant: the Account's auth_token, basic-auth credentials,
// cookies, the signature, a user:password@ and ?token= webhook URL, plain and
// URL-encoded) and, into the same response bodies, more shapes a customer's
// server may echo.
func plantSecrets(data *faketwilio.AccountData) {
	faketwilio.Plant(data, faketwilio.Planted{
		AuthToken: e2eToken, Cookie: plantCookie, SetCookie: plantSetCookie, Signature: plantSig,
		URLPassword: plantPassword, QueryToken: plantQuery,
	})
	alerts := data.Alerts.(faketwilio.Alerts)
	for i := range alerts {
		if a := &alerts[i]; a.ResponseBody != "" && strings.Contains(a.RequestURL, plantQuery) {
			a.ResponseBody += " Authorization: Bearer " + plantBearer + " jwt " + plantJWT +
				" aws " + plantAWS + " customer " + plantCustom + " caller " + plantPhone
		}
	}
}

// e2eSecretFake is a fake of the account with the secrets planted, that
// takes both the auth token and the API key.
func e2eSecretFake(t *testing.T) (*faketwilio.Server, *faketwilio.AccountData) {
	t.Helper()
	from, to := e2eWindow()
	d := faketwilio.DemoData(from, to)
	d.Account.Sid, d.Account.OwnerAccountSid = e2eAccount, e2eAccount
	plantSecrets(d)
	fake := faketwilio.New(map[string]string{e2eAccount: e2eToken, e2eAPIKey: e2eAPISecret}, d)
	t.Cleanup(fake.Close)
	return fake, d
}

// plantedLogs writes an access log and an application log whose lines fall
// on the first incidents and carry the secrets.
func plantedLogs(t *testing.T, data *faketwilio.AccountData) (hop, app string) {
	from, to := e2eWindow()
	var access, applog strings.Builder
	n := 0
	for i := data.Alerts.Len() - 1; i >= 0 && n < 20; i-- {
		a := data.Alerts.At(i)
		if !twiliocodes.IsWebhookFailure(a.ErrorCode) || a.Generated.Before(from) || !a.Generated.Before(to) || a.RequestURL == "" {
			continue
		}
		n++
		ts := a.Generated.UTC()
		fmt.Fprintf(&access, "203.0.113.7 - hook [%s] \"POST /twilio/voice?token=%s&api_key=%s HTTP/1.1\" 502 157 \"-\" \"TwilioProxy/1.1\"\n",
			ts.Format("02/Jan/2006:15:04:05 -0700"), e2eToken, plantQuery)
		fmt.Fprintf(&applog, "%s ERROR %s failed for %s: Authorization: Bearer %s password=%s aws=%s from %s\n",
			ts.Format(time.RFC3339), a.ResourceSid, plantCustom, plantBearer, plantPassword, plantAWS, plantPhone)
	}
	dir := t.TempDir()
	hop, app = filepath.Join(dir, "access.log"), filepath.Join(dir, "app.log")
	os.WriteFile(hop, []byte(access.String()), 0o600)
	os.WriteFile(app, []byte(applog.String()), 0o600)
	return hop, app
}

// TestE2E_NoSecretLeavesTheMachine plants secrets in every channel — the
// fake account's alerts, webhook settings and Account resource, hop and
// application logs, the flow file, a proxy URL in the environment — and runs
// a bundle once with the auth token and once with an API key, which knows
// the account's auth token only from the Account resource: no form of any
// secret may be in a file, an entry name, the PDF's text, stdout or stderr,
// while every SID, error code, secret-free URL and look-alike is still there.
func TestE2E_NoSecretLeavesTheMachine(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"auth token", e2eEnv(), nil},
		{"API key", []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_API_KEY=" + e2eAPIKey, "TWILIO_API_SECRET=" + e2eAPISecret, "SOURCE_DATE_EPOCH=1764000000"}, nil},
		{"bodies masked", e2eEnv(), []string{"--mask-bodies"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake, data := e2eSecretFake(t)
			hop, app := plantedLogs(t, data)
			flow := filepath.Join(t.TempDir(), "flow.md")
			os.WriteFile(flow, []byte("# Our flow\n\nCallers reach "+plantPhone+"; the IVR posts to https://hook:"+plantPassword+
				"@ivr.example-clinic.com/twilio/voice?token="+e2eToken+" and "+plantCustom+" answers.\n"), 0o600)
			env := append(c.env, "HTTPS_PROXY=http://proxyuser:"+plantProxy+"@127.0.0.1:9", "https_proxy=http://proxyuser:"+plantProxy+"@127.0.0.1:9")
			out := t.TempDir()
			r := runE2E(t, env, e2eBundleArgs(fake, out, append([]string{
				"--hop", "web" + e2eToken + "=" + hop, "--log", "app=" + app, "--flow", flow,
				"--no-probe", "--no-status", "--mask-phone-numbers",
				"--redact", `CUSTOMER-[0-9]+-[A-Z]+`}, c.args...)...)...)
			if r.code != 0 && r.code != 3 {
				t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
			}
			path := strings.TrimSpace(r.stdout)
			files := testkit.ReadZip(t, path)
			if len(files) < 8 {
				t.Fatalf("bundle has only %d files", len(files))
			}
			// What the planted channels must have produced, so that the
			// test cannot pass on a bundle that simply lacks them.
			for _, want := range []string{"alerts.ndjson", "logs/app.log", "flow.md", "config/endpoints.csv", "trace/hops.csv"} {
				if files[want] == nil {
					t.Errorf("bundle lacks %s: the planted channel did not reach it", want)
				}
			}
			hasHopLog, details := false, 0
			for name := range files {
				hasHopLog = hasHopLog || strings.HasPrefix(name, "logs/web")
				if strings.HasPrefix(name, "logs/twilio/alerts/") {
					details++
				}
			}
			if !hasHopLog || details == 0 {
				t.Errorf("bundle has no hop log excerpt or no alert details: %v", mapKeys(files))
			}
			for _, rule := range []string{`"secret"`, `"cookie-header"`, `"url-userinfo"`, `"twilio-signature"`} {
				if !strings.Contains(string(files["redactions.json"]), rule) {
					t.Errorf("redactions.json counts nothing under %s: the planted secrets did not reach the bundle", rule)
				}
			}
			texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
			if b := files["summary.pdf"]; b != nil {
				texts["summary.pdf text"] = testkit.PDFText(t, b, "-layout")
			}
			for name, b := range files {
				texts["zip entry "+name] = string(b)
				texts["zip entry name "+name] = name
			}
			texts["zip file name"] = filepath.Base(path)
			secrets := []string{e2eToken, e2eAPISecret, plantQuery, plantPassword, plantBearer, plantSig, plantJWT, plantAWS, plantProxy,
				plantCustom, plantPhone, plantPhone2, plantCookie, plantSetCookie,
				base64.StdEncoding.EncodeToString([]byte(e2eAccount + ":" + e2eToken)),
				base64.StdEncoding.EncodeToString([]byte(e2eAPIKey + ":" + e2eAPISecret))}
			for where, text := range texts {
				for _, s := range secrets {
					for _, f := range forms(s) {
						if strings.Contains(text, f) {
							t.Errorf("%s holds %q (a form of %q)", where, f, s)
						}
					}
				}
			}
			assertEvidenceKept(t, data, files, c.name != "bodies masked")
		})
	}
}

// assertEvidenceKept checks that redaction took nothing but the secrets:
// every webhook failure's alert SID, resource SID and error code, the URLs
// without secrets, the planted webhook's host and path, every column of the
// hop trace, and the look-alikes (those in response bodies only when bodies
// are kept).
func assertEvidenceKept(t *testing.T, data *faketwilio.AccountData, files map[string][]byte, bodies bool) {
	t.Helper()
	from, to := e2eWindow()
	incidents := string(files["incidents.csv"])
	for i := 0; i < data.Alerts.Len(); i++ {
		a := data.Alerts.At(i)
		if !twiliocodes.IsWebhookFailure(a.ErrorCode) || a.Generated.Before(from) || !a.Generated.Before(to) {
			continue
		}
		for _, v := range []string{a.Sid, a.ResourceSid, a.ErrorCode} {
			if !strings.Contains(incidents, v) {
				t.Errorf("incidents.csv lost %s", v)
			}
		}
		if !strings.Contains(a.RequestURL, plantQuery) && !strings.Contains(incidents, a.RequestURL) {
			t.Errorf("incidents.csv lost the secret-free URL %s", a.RequestURL)
		}
	}
	redactedHook := "https://hook:[REDACTED:url-userinfo]@" + faketwilio.DemoVoiceHost + "/twilio/voice?token=[REDACTED:secret-param]"
	for _, name := range []string{"incidents.csv", "config/endpoints.csv"} {
		if !strings.Contains(string(files[name]), redactedHook) {
			t.Errorf("%s lacks the planted webhook with only its secrets removed (%s)", name, redactedHook)
		}
	}
	byURL := string(files["stats/by_url.csv"])
	for _, u := range []string{"https://" + faketwilio.DemoSMSHost + "/twilio/sms", "https://" + faketwilio.DemoVoiceHost + "/twilio/voice"} {
		if !strings.Contains(byURL, u) {
			t.Errorf("stats/by_url.csv lacks %s", u)
		}
	}
	all := ""
	for _, b := range files {
		all += string(b)
	}
	for _, l := range faketwilio.LookAlikes {
		inBodyOnly := strings.Contains(l, "monkey") || strings.Contains(l, "keyspace") || strings.Contains(l, "cache_key") || strings.Contains(l, "signal")
		if (bodies || !inBodyOnly) && !strings.Contains(all, l) {
			t.Errorf("the look-alike %q did not survive", l)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(files["trace/hops.csv"])).ReadAll()
	if err != nil {
		t.Fatalf("trace/hops.csv: %v", err)
	}
	hooked := 0
	for _, row := range rows[1:] {
		if len(row) != len(rows[0]) {
			t.Errorf("trace/hops.csv row has %d columns, the header %d: %q", len(row), len(rows[0]), row)
			continue
		}
		if strings.HasSuffix(row[3], "?token=[REDACTED:secret-param]") {
			hooked++
			if row[4] == "" || row[6] == "" || row[14] == "" {
				t.Errorf("trace/hops.csv row of the ?token= webhook lost its hop, seen or outcome: %q", row)
			}
		}
	}
	if hooked == 0 {
		t.Errorf("trace/hops.csv has no row of the ?token= webhook:\n%s", files["trace/hops.csv"])
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestE2E_AllSubaccountsLeakNoToken gives two subaccounts their own auth
// tokens, planted in their alerts the way Twilio returns them: no
// subaccount's token — which the parent's credentials never name — may be in
// any bundle, the index or what is printed.
func TestE2E_AllSubaccountsLeakNoToken(t *testing.T) {
	from, to := e2eWindow()
	const parentToken = "isvparenttoken0000000000000000000"
	parent := faketwilio.SID("AC", "isv-parent")
	accounts := []*faketwilio.AccountData{{Account: faketwilio.Account{Sid: parent, OwnerAccountSid: parent, FriendlyName: "ISV", Status: "active", Type: "Full", AuthToken: parentToken}}}
	var tokens []string
	for i := 0; i < 2; i++ {
		d := faketwilio.DemoData(from, to)
		d.Account.Sid, d.Account.OwnerAccountSid, d.Account.FriendlyName = faketwilio.SID("AC", fmt.Sprint("tenant", i)), parent, fmt.Sprintf("Tenant %d", i)
		tok := fmt.Sprintf("tenant%dOwnAuthToken00000000000000", i)
		tokens = append(tokens, tok)
		faketwilio.Plant(d, faketwilio.Planted{AuthToken: tok, Cookie: plantCookie, SetCookie: plantSetCookie, Signature: plantSig, URLPassword: plantPassword, QueryToken: plantQuery})
		accounts = append(accounts, d)
	}
	fake := faketwilio.New(map[string]string{parent: parentToken}, accounts...)
	t.Cleanup(fake.Close)
	out := t.TempDir()
	r := runE2E(t, []string{"TWILIO_ACCOUNT_SID=" + parent, "TWILIO_AUTH_TOKEN=" + parentToken},
		"bundle", "--all-subaccounts", "--api-url", fake.URL, "--output", out, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339),
		"--tz", "UTC", "--max-details", "20", "--concurrency", "2", "--no-status", "--no-probe")
	if r.code != 0 && r.code != 3 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	entries, _ := os.ReadDir(out)
	zips := 0
	for _, e := range entries {
		p := filepath.Join(out, e.Name())
		texts["file name "+e.Name()] = e.Name()
		switch filepath.Ext(e.Name()) {
		case ".zip":
			zips++
			for name, b := range testkit.ReadZip(t, p) {
				texts[e.Name()+": "+name] = name + "\n" + string(b)
				if name == "summary.pdf" {
					texts[e.Name()+": PDF text"] = testkit.PDFText(t, b, "-layout")
				}
			}
		case ".pdf":
			b, _ := os.ReadFile(p)
			texts[e.Name()+" text"] = testkit.PDFText(t, b, "-layout")
		default:
			b, _ := os.ReadFile(p)
			texts[e.Name()] = string(b)
		}
	}
	if zips != 2 {
		t.Fatalf("%d bundles in %s, want one a subaccount", zips, out)
	}
	planted := 0
	for where, text := range texts {
		planted += strings.Count(text, "[REDACTED:secret]")
		for _, tok := range append(tokens, parentToken, plantCookie, plantPassword) {
			for _, f := range append(forms(tok), base64.StdEncoding.EncodeToString([]byte(accounts[1].Account.Sid+":"+tok))) {
				if strings.Contains(text, f) {
					t.Errorf("%s holds %q (a form of a token)", where, f)
				}
			}
		}
	}
	if planted == 0 {
		t.Error("no token was redacted: the planted tokens did not reach the bundles")
	}
}

// TestE2E_DemoBundleHoldsNoPlaceholder checks that the demo bundle, which
// holds no secret, has nothing redacted: its statistics keep the codes and
// URLs they are keyed by, its findings their evidence.
func TestE2E_DemoBundleHoldsNoPlaceholder(t *testing.T) {
	out := t.TempDir()
	r := runE2E(t, []string{"SOURCE_DATE_EPOCH=1764000000"}, "bundle", "--demo", "--output", out)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr, "summary.pdf text": testkit.PDFText(t, files["summary.pdf"], "-layout")}
	for name, b := range files {
		texts[name] = name + "\n" + string(b)
	}
	for where, text := range texts {
		if i := strings.Index(text, "[REDACTED"); i >= 0 {
			t.Errorf("%s holds a placeholder: …%s…", where, text[max(i-80, 0):min(i+40, len(text))])
		}
	}
	var sum struct {
		ByCode []struct{ Key string } `json:"by_code"`
		ByURL  []struct{ Key string } `json:"by_url"`
	}
	if err := json.Unmarshal(files["stats/summary.json"], &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.ByCode) == 0 || len(sum.ByURL) == 0 {
		t.Fatalf("stats/summary.json has %d by-code and %d by-URL rows", len(sum.ByCode), len(sum.ByURL))
	}
	for _, row := range sum.ByCode {
		if !twiliocodes.IsWebhookFailure(row.Key) {
			t.Errorf("a by-code row is keyed %q, not an error code", row.Key)
		}
	}
	for _, row := range sum.ByURL {
		if !strings.HasPrefix(row.Key, "https://") {
			t.Errorf("a by-URL row is keyed %q, not a URL", row.Key)
		}
	}
}

// TestE2E_HelpAndErrorsAreNeverRedacted checks that the tool's own words on
// stdout and stderr keep what a name rule would have taken ("Secrets:",
// "the auth token:"), while a secret value of the environment is still
// removed from them.
func TestE2E_HelpAndErrorsAreNeverRedacted(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"redact help", nil, []string{"redact", "--help"}, "The values in --secret-file (one a line), TWILIO_AUTH_TOKEN and"},
		{"probe without an auth token", nil, []string{"probe", "--style", "twilio", "https://example.com/voice"}, "signs its requests with the auth token: no Twilio credentials: set TWILIO_ACCOUNT_SID"},
		{"bundle without credentials", nil, []string{"bundle", "--output", t.TempDir()}, "no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"},
		{"a token pasted into a flag", []string{"TWILIO_AUTH_TOKEN=" + e2eToken}, []string{"bundle", "--since", e2eToken}, "--since"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runE2E(t, c.env, c.args...)
			both := r.stdout + r.stderr
			if !strings.Contains(both, c.want) || strings.Contains(both, e2eToken) {
				t.Errorf("exit %d; output lacks %q or holds the token:\n%s", r.code, c.want, both)
			}
			if strings.Contains(both, "[REDACTED") && !strings.Contains(c.name, "token") {
				t.Errorf("the tool's own words were redacted:\n%s", both)
			}
		})
	}
}
