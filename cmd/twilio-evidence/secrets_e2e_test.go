package main

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// Values planted in every input channel; none may leave the machine.
const (
	plantQuery    = "QryS3cretValue4242"
	plantPassword = "UrlPassw0rd4242x"
	plantBearer   = "BearerT0kenValue4242xyz"
	plantSig      = "SigValueAbCdEf0123456789+/="
	plantJWT      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJTSzEyMyIsInN1YiI6IkFDMTIzIn0.c2lnbmF0dXJlLXZhbHVlLTQyNDI"
	plantAWS      = "AKIAIOSFODNN7EXAMPL3"
	plantProxy    = "ProxyPassw0rd4242"
	plantCustom   = "CUSTOMER-4711-XYZ"
	plantPhone    = "+14155550100"
	plantPhone2   = "+819012345678"
)

// forms are the shapes a value may take on its way into a file.
func forms(v string) []string {
	return []string{v, url.QueryEscape(v), url.PathEscape(v),
		base64.StdEncoding.EncodeToString([]byte(v)), base64.URLEncoding.EncodeToString([]byte(v))}
}

// plantSecrets puts secrets into every alert the fake serves: the request
// URL (userinfo and a key parameter), the alert text, the request and
// response headers and the response body.
func plantSecrets(data *faketwilio.AccountData) {
	alerts := data.Alerts.(faketwilio.Alerts)
	basic := base64.StdEncoding.EncodeToString([]byte(e2eAccount + ":" + e2eToken))
	for i := range alerts {
		a := &alerts[i]
		if a.RequestURL == "" {
			continue
		}
		u, _ := url.Parse(a.RequestURL)
		u.User = url.UserPassword("hook", plantPassword)
		u.RawQuery = "api_key=" + plantQuery
		a.RequestURL = u.String()
		a.AlertText = "Msg=" + url.QueryEscape("Got HTTP 502 response to "+a.RequestURL) + "&ErrorCode=" + a.ErrorCode + "&LogLevel=ERROR"
		a.RequestHeaders = "Authorization=" + url.QueryEscape("Basic "+basic) + "&X-Twilio-Signature=" + url.QueryEscape(plantSig) + "&User-Agent=TwilioProxy%2F1.1"
		a.ResponseHeaders = "Set-Cookie=" + url.QueryEscape("session="+plantBearer) + "&Content-Type=text%2Fhtml"
		a.ResponseBody = "<html>debug token=" + e2eToken + " Authorization: Bearer " + plantBearer + " jwt " + plantJWT +
			" aws " + plantAWS + " customer " + plantCustom + " caller " + plantPhone + "</html>"
	}
}

// plantedLogs writes an access log and an application log whose lines fall
// on the first incidents and carry the secrets.
func plantedLogs(t *testing.T, data *faketwilio.AccountData) (hop, app string) {
	from, to := e2eWindow()
	var access, applog strings.Builder
	n := 0
	for i := data.Alerts.Len() - 1; i >= 0 && n < 20; i-- {
		a := data.Alerts.At(i)
		if !collect.IsWebhookFailure(a.ErrorCode) || a.Generated.Before(from) || !a.Generated.Before(to) || a.RequestURL == "" {
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

func TestE2E_NoSecretLeavesTheMachine(t *testing.T) {
	fake, data := e2eFake(t)
	plantSecrets(data)
	hop, app := plantedLogs(t, data)
	flow := filepath.Join(t.TempDir(), "flow.md")
	os.WriteFile(flow, []byte("# Our flow\n\nCallers reach "+plantPhone+"; the IVR posts to https://hook:"+plantPassword+
		"@ivr.example-clinic.com/twilio/voice?token="+e2eToken+" and "+plantCustom+" answers.\n"), 0o600)
	env := append(e2eEnv(), "HTTPS_PROXY=http://proxyuser:"+plantProxy+"@127.0.0.1:9", "https_proxy=http://proxyuser:"+plantProxy+"@127.0.0.1:9")
	out := t.TempDir()
	r := runE2E(t, env, e2eBundleArgs(fake, out,
		"--hop", "web"+e2eToken+"="+hop, "--log", "app="+app, "--flow", flow,
		"--no-probe", "--no-status", "--mask-phone-numbers", "--mask-bodies",
		"--redact", `CUSTOMER-[0-9]+-[A-Z]+`)...)
	if r.code != 0 && r.code != 3 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	path := strings.TrimSpace(r.stdout)
	files := readZip(t, path)
	if len(files) < 8 {
		t.Fatalf("bundle has only %d files", len(files))
	}
	// What the planted channels must have produced, so that the test
	// cannot pass on a bundle that simply lacks them.
	for _, want := range []string{"alerts.ndjson", "logs/app.log", "flow.md"} {
		if files[want] == nil {
			t.Errorf("bundle lacks %s: the planted channel did not reach it", want)
		}
	}
	hasHopLog := false
	for name := range files {
		hasHopLog = hasHopLog || strings.HasPrefix(name, "logs/web")
	}
	if !hasHopLog {
		t.Errorf("bundle has no hop log excerpt: %v", mapKeys(files))
	}
	if !strings.Contains(string(files["alerts.ndjson"]), "[REDACTED:") || !strings.Contains(string(files["redactions.json"]), `"secret"`) {
		t.Error("alerts.ndjson shows no redaction: the planted secrets did not reach it")
	}
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	if b := files["summary.pdf"]; b != nil {
		texts["summary.pdf text"] = pdfText(t, b)
	}
	for name, b := range files {
		texts["zip entry "+name] = string(b)
		texts["zip entry name "+name] = name
	}
	texts["zip file name"] = filepath.Base(path)
	secrets := []string{e2eToken, plantQuery, plantPassword, plantBearer, plantSig, plantJWT, plantAWS, plantProxy, plantCustom, plantPhone, plantPhone2,
		base64.StdEncoding.EncodeToString([]byte(e2eAccount + ":" + e2eToken))}
	for where, text := range texts {
		for _, s := range secrets {
			for _, f := range forms(s) {
				if strings.Contains(text, f) {
					t.Errorf("%s holds %q (a form of %q)", where, f, s)
				}
			}
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
