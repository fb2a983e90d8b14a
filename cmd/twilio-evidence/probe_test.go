package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

// runProbeArgs runs the command line in-process with env as the
// environment.
func runProbeArgs(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, streams{out: &out, err: &errb, getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func TestProbeCmd_PrintsTheTableOrJSONAndExitsByVerdict(t *testing.T) {
	ok := webhooktest.Start(t, webhooktest.TwiML()).URL + "/voice#rt=2000"
	var n atomic.Int64
	flaky := webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			webhooktest.Status(http.StatusBadGateway).ServeHTTP(w, r)
			return
		}
		webhooktest.TwiML().ServeHTTP(w, r)
	})).URL + "/voice"
	fast := []string{"--count", "3", "--interval", "1ms", "--allow-private"}

	code, out, errs := runProbeArgs(t, nil, append([]string{"probe", ok}, fast...)...)
	if code != exitOK || errs != "" {
		t.Fatalf("healthy: exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"TARGET / VIA", "TOTAL p50/p95", strings.TrimSuffix(ok, "#rt=2000"), "every attempt succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if _, wide, _ := runProbeArgs(t, nil, append([]string{"probe", ok, "--wide"}, fast...)...); !strings.Contains(wide, "TTFB p50/p95") || !strings.Contains(wide, "DNS p50/p95") {
		t.Errorf("--wide lacks the phase columns:\n%s", wide)
	}
	if strings.Contains(out, "#rt=") {
		t.Errorf("the override fragment is shown as part of the URL:\n%s", out)
	}

	code, out, errs = runProbeArgs(t, nil, append([]string{"probe", flaky, "--json"}, fast...)...)
	if code != exitIncidents {
		t.Fatalf("intermittent: exit %d, want %d; stderr %q", code, exitIncidents, errs)
	}
	if lines := strings.Count(strings.TrimSpace(errs), "\n"); lines != 0 || !strings.Contains(errs, string(probe.OutcomeIntermittent)) {
		t.Errorf("stderr should be one line naming the verdict: %q", errs)
	}
	var r probe.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	ts := r.Targets[0]
	if len(r.Attempts) != 3 || ts.Outcome != probe.OutcomeIntermittent || ts.Overall.Failures != 1 || ts.Overall.TwilioCodes["11217"] != 1 {
		t.Errorf("report: %d attempts, verdict %q, overall %+v", len(r.Attempts), ts.Outcome, ts.Overall)
	}
}

func TestProbeCmd_BadInputIsOneLineAndExit2(t *testing.T) {
	u := webhooktest.Start(t, webhooktest.TwiML()).URL
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"no URL", []string{"probe"}, "no URL given"},
		{"not http", []string{"probe", "ftp://example.com/voice"}, "scheme must be http or https"},
		{"read timeout out of range", []string{"probe", u + "#rt=50"}, `rt="50"`},
		{"edge not for webhooks", []string{"probe", u + "#e=roaming"}, "11241"},
		{"bad retry policy", []string{"probe", u + "#rp=never"}, "11243"},
		{"bad --resolve", []string{"probe", u, "--resolve", "example.com:443"}, "HOST:PORT:ADDR"},
		{"count out of range", []string{"probe", u, "--count", "0"}, "--count 0"},
		{"method with a plain GET", []string{"probe", u, "--method", "POST"}, "--style twilio only"},
		{"unknown style", []string{"probe", u, "--style", "curl"}, `--style "curl"`},
		{"misspelt flag", []string{"probe", u, "--cuont", "3"}, "did you mean --count?"},
		{"unknown language", []string{"probe", u, "--lang", "fr"}, `--lang "fr"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runProbeArgs(t, nil, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.says) {
				t.Errorf("stdout %q, stderr %q: want one line saying %q", out, errs, tc.says)
			}
		})
	}
}

func TestProbeCmd_TwilioStyleIsSignedWithTheTokenFromTheEnvironment(t *testing.T) {
	const (
		account = "AC0123456789abcdef0123456789abcdef"
		token   = "probeCmdToken0123456789"
	)
	var valid atomic.Bool
	u := webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		params := map[string]string{}
		for k := range r.PostForm {
			params[k] = r.PostForm.Get(k)
		}
		full := "http://" + r.Host + r.URL.RequestURI()
		rv := client.NewRequestValidator(token)
		valid.Store(rv.Validate(full, params, r.Header.Get("X-Twilio-Signature")) && r.PostForm.Get("AccountSid") == account)
		webhooktest.TwiML().ServeHTTP(w, r)
	})).URL + "/sms"
	env := map[string]string{"TWILIO_ACCOUNT_SID": account, "TWILIO_AUTH_TOKEN": token,
		// An API key must not be used to sign: the auth token is.
		"TWILIO_API_KEY": "SK0123456789abcdef0123456789abcdef", "TWILIO_API_SECRET": "keysecret"}
	code, _, errs := runProbeArgs(t, env, "probe", u, "--style", "twilio", "--channel", "sms", "--count", "1", "--allow-private")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !valid.Load() {
		t.Error("X-Twilio-Signature did not validate with twilio-go's request validator")
	}
	if strings.TrimSpace(errs) != probe.Warning {
		t.Errorf("stderr = %q, want the one-line warning", errs)
	}
	if strings.Contains(errs, token) {
		t.Error("the token was printed")
	}

	code, _, errs = runProbeArgs(t, nil, "probe", u, "--style", "twilio", "--count", "1", "--allow-private")
	if code != exitEnv || !strings.Contains(errs, "signs its requests with the auth token") || strings.Count(errs, "\n") != 1 {
		t.Errorf("without credentials: exit %d, stderr %q; want %d and one line about the auth token", code, errs, exitEnv)
	}
}

func TestProbeCmd_RecordAppendsToTheHistory(t *testing.T) {
	u := webhooktest.Start(t, webhooktest.TwiML()).URL
	hist := filepath.Join(t.TempDir(), "probes.csv")
	for i := 0; i < 2; i++ {
		if code, _, errs := runProbeArgs(t, nil, "probe", u, "--count", "2", "--interval", "1ms", "--allow-private", "--record", hist); code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, errs)
		}
	}
	attempts, err := probe.ReadHistoryFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 4 {
		t.Errorf("history holds %d attempts, want 4", len(attempts))
	}
	code, _, errs := runProbeArgs(t, nil, "probe", u, "--record", filepath.Join(t.TempDir(), "missing", "dir", "p.csv"))
	if code != exitEnv || !strings.Contains(errs, "--record") {
		t.Errorf("unwritable --record: exit %d, stderr %q", code, errs)
	}
}

func TestBundleDemo_ContainsProbesAndFallbackFindings(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runProbeArgs(t, nil, "bundle", "--demo", "--output", dir, "--quiet", "--probe-interval", "1ms")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(out))
	attempts, ok := files[collect.ProbeAttemptsFile]
	if !ok || !bytes.Contains(attempts, []byte("https://ivr.example-clinic.com/twilio/voice,dns")) {
		t.Errorf("%s missing or without the voice webhook:\n%s", collect.ProbeAttemptsFile, attempts)
	}
	if _, ok := files[collect.ProbeSummaryFile]; !ok {
		t.Errorf("%s missing", collect.ProbeSummaryFile)
	}
	var findings []analysis.Finding
	if err := json.Unmarshal(files[bundle.FindingsFile], &findings); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, f := range findings {
		ids[f.ID] = f.Sentence
	}
	for _, id := range []string{analysis.FindingFallbackNone, analysis.FindingFallbackSameNetwork, analysis.FindingProbeIntermittent, analysis.FindingProbeOK} {
		if _, ok := ids[id]; !ok {
			t.Errorf("findings.json lacks %s; it has %v", id, findingIDs(ids))
		}
	}
	if v := ids[analysis.FindingProbeIntermittent]; !strings.Contains(v, "ivr.example-clinic.com") || !strings.Contains(v, "11217") {
		t.Errorf("intermittent finding does not name the flaky voice host and its Twilio error: %s", v)
	}
}

func findingIDs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
