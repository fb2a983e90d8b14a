package main

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

// e2eFault is one webhook server on 127.0.0.1 with one fault, and the
// cause the tool must name for it.
type e2eFault struct {
	name  string
	cause string
	// url is the webhook URL, connection-override fragment included.
	url string
	// method is the webhook's configured method (POST when empty); probe
	// sends it with --style twilio when the fault needs it.
	method string
	// twilioStyle makes `probe` send Twilio's signed request.
	twilioStyle bool
}

// e2eFaults starts one server per probe-detectable cause. The TLS servers
// use certificates of pki, whose root the binary trusts through
// SSL_CERT_FILE (e2eTLSEnv).
func e2eFaults(t *testing.T, pki *webhooktest.PKI) []e2eFault {
	t.Helper()
	year := time.Now().Add(365 * 24 * time.Hour)
	start := func(h http.Handler) string { return webhooktest.Start(t, h).URL }
	startTLS := func(c tls.Certificate) string { return webhooktest.StartTLS(t, c, webhooktest.TwiML()).URL }
	return []e2eFault{
		{name: "404", cause: probe.CauseURLNotFound, url: start(webhooktest.Status(http.StatusNotFound)) + "/twilio/voice"},
		{name: "405", cause: probe.CauseMethodNotAllowed, url: start(webhooktest.AllowOnly(http.MethodPost)) + "/twilio/voice", method: http.MethodGet},
		{name: "401", cause: probe.CauseAuthRequired, url: start(webhooktest.BasicAuth("twilio", "s3cret")) + "/twilio/voice"},
		{name: "500", cause: probe.CauseServerError, url: start(webhooktest.Status(http.StatusInternalServerError)) + "/twilio/voice"},
		{name: "slower than rt", cause: probe.CauseTooSlow, url: start(webhooktest.Slow(1500*time.Millisecond)) + "/twilio/voice#rt=1000"},
		{name: "no Content-Type", cause: probe.CauseContentType, url: start(webhooktest.NoContentType()) + "/twilio/voice"},
		{name: "70 kB body", cause: probe.CauseBodyTooLarge, url: start(webhooktest.LargeBody(70_000)) + "/twilio/voice"},
		{name: "308", cause: probe.CauseRedirectUnfollowed, url: start(webhooktest.Redirect(http.StatusPermanentRedirect, "/twilio/voice2")) + "/twilio/voice"},
		{name: "redirect loop", cause: probe.CauseRedirectLoop, url: start(webhooktest.RedirectLoop()) + "/loop/a"},
		{name: "closed mid-body", cause: probe.CauseConnectionClosed, url: start(webhooktest.ClosedMidBody()) + "/twilio/voice"},
		{name: "refused port", cause: probe.CauseConnectRefused, url: webhooktest.RefusedURL(t) + "/twilio/voice"},
		{name: ".invalid name", cause: probe.CauseDNSNoSuchHost, url: webhooktest.UnresolvableURL},
		{name: "expired certificate", cause: probe.CauseTLSExpired, url: startTLS(pki.Leaf(t, time.Now().Add(-48*time.Hour), "127.0.0.1")) + "/twilio/voice"},
		{name: "name mismatch", cause: probe.CauseTLSNameMismatch, url: startTLS(pki.Leaf(t, year, "webhook.example.com")) + "/twilio/voice"},
		{name: "intermediate not sent", cause: probe.CauseTLSIncompleteChain, url: startTLS(pki.LeafAlone(t, year, "127.0.0.1")) + "/twilio/voice"},
		{name: "self-signed", cause: probe.CauseTLSUntrusted, url: startTLS(webhooktest.SelfSigned(t, "127.0.0.1")) + "/twilio/voice"},
	}
}

// e2eTLSEnv makes the binary trust pki's root, and nothing else.
func e2eTLSEnv(t *testing.T, pki *webhooktest.PKI) []string {
	return []string{"SSL_CERT_FILE=" + pki.RootFile(t), "SSL_CERT_DIR=" + t.TempDir()}
}

// TestE2E_ProbeNamesTheCauseOfEachFault: for every probe-detectable fault,
// `probe URL` names the cause on the URL's row, in the line below the
// table and in --json, and exits 1. The servers are on 127.0.0.1 and the
// probe runs without --allow-private: a failure measured on a loopback
// address is the verdict, and the address is said beside it.
func TestE2E_ProbeNamesTheCauseOfEachFault(t *testing.T) {
	pki := webhooktest.NewPKI(t)
	env := append(e2eTLSEnv(t, pki), "TWILIO_ACCOUNT_SID="+e2eAccount, "TWILIO_AUTH_TOKEN="+e2eToken)
	for _, f := range e2eFaults(t, pki) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"probe", f.url, "--count", "2", "--interval", "1ms"}
			if f.method == http.MethodGet {
				args = append(args, "--style", "twilio", "--method", "GET")
			}
			wire := strings.SplitN(f.url, "#", 2)[0]

			r := runE2E(t, env, args...)
			if r.code != exitIncidents {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr: %s", r.code, exitIncidents, r.stdout, r.stderr)
			}
			if got := tableVerdict(r.stdout, wire); got != f.cause {
				t.Errorf("table row verdict %q, want %q:\n%s", got, f.cause, r.stdout)
			}
			if !strings.Contains(r.stdout, wire+": "+f.cause+" — ") {
				t.Errorf("no line %q below the table:\n%s", wire+": "+f.cause+" — …", r.stdout)
			}
			if !strings.Contains(r.stderr, f.cause) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Errorf("stderr does not name %s in a line: %q", f.cause, r.stderr)
			}

			r = runE2E(t, env, append(args, "--json")...)
			var rep probe.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("--json: %v\n%s", err, r.stdout)
			}
			ts := rep.Targets[0]
			if ts.Verdict != f.cause || ts.Cause != f.cause || ts.Overall.Verdict != f.cause || ts.CauseFailures != 2 {
				t.Errorf("--json verdict %q cause %q row %q facts %+v, want %q", ts.Verdict, ts.Cause, ts.Overall.Verdict, ts.Facts, f.cause)
			}
			if ts.Explanation == "" || strings.Contains(ts.Explanation, "probe.verdict") {
				t.Errorf("--json explanation %q", ts.Explanation)
			}
		})
	}
}

// TestE2E_ProbeSaysItInJapanese: --lang ja gives the headings and the
// explanation in Japanese, with the same verdict.
func TestE2E_ProbeSaysItInJapanese(t *testing.T) {
	u := webhooktest.Start(t, webhooktest.Status(http.StatusNotFound)).URL + "/twilio/voice"
	r := runE2E(t, nil, "probe", u, "--count", "1", "--lang", "ja")
	if r.code != exitIncidents {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"対象 / 経路", "判定", u + ": " + probe.CauseURLNotFound + " — 1回中1回HTTP 404が返りました", "Twilioからは届きません"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestE2E_ProbeOfAHealthyLoopbackServer: what answers is ok with
// --allow-private, and private_address without it (Twilio cannot reach
// 127.0.0.1), exit 0 and 1.
func TestE2E_ProbeOfAHealthyLoopbackServer(t *testing.T) {
	u := webhooktest.Start(t, webhooktest.TwiML()).URL + "/twilio/voice"
	r := runE2E(t, nil, "probe", u, "--count", "2", "--interval", "1ms", "--allow-private")
	if r.code != exitOK || tableVerdict(r.stdout, u) != probe.VerdictOK {
		t.Errorf("--allow-private: exit %d, verdict %q:\n%s%s", r.code, tableVerdict(r.stdout, u), r.stdout, r.stderr)
	}
	r = runE2E(t, nil, "probe", u, "--count", "2", "--interval", "1ms")
	if r.code != exitIncidents || tableVerdict(r.stdout, u) != probe.CausePrivateAddress {
		t.Errorf("exit %d, verdict %q:\n%s%s", r.code, tableVerdict(r.stdout, u), r.stdout, r.stderr)
	}
}

// tableVerdict is the verdict column of the row of url in probe's table.
func tableVerdict(table, url string) string {
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, url+" ") {
			f := strings.Fields(line)
			return f[len(f)-1]
		}
	}
	return ""
}
