package main

import (
	"cmp"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// e2eFault is one webhook server on 127.0.0.1 with one fault, and the
// cause the tool must name for it.
type e2eFault struct {
	name  string
	cause probe.Outcome
	// url is the webhook URL, connection-override fragment included.
	url string
	// method is the webhook's configured method (POST when empty); probe
	// sends it with --style twilio when the fault needs it.
	method string
	// code and status are what Twilio's alerts say of the failures: the
	// error code and the HTTP status the server answered, if any.
	code   string
	status int
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
		{name: "404", cause: probe.CauseURLNotFound, url: start(webhooktest.Status(http.StatusNotFound)) + "/twilio/voice", code: "11200", status: 404},
		{name: "405", cause: probe.CauseMethodNotAllowed, url: start(webhooktest.AllowOnly(http.MethodPost)) + "/twilio/voice", method: http.MethodGet, code: "11200", status: 405},
		{name: "401", cause: probe.CauseAuthRequired, url: start(webhooktest.BasicAuth("twilio", "s3cret")) + "/twilio/voice", code: "11200", status: 401},
		{name: "500", cause: probe.CauseServerError, url: start(webhooktest.Status(http.StatusInternalServerError)) + "/twilio/voice", code: "11200", status: 500},
		{name: "slower than rt", cause: probe.CauseTooSlow, url: start(webhooktest.Slow(1500*time.Millisecond)) + "/twilio/voice#rt=1000", code: "11205"},
		{name: "no Content-Type", cause: probe.CauseContentType, url: start(webhooktest.NoContentType()) + "/twilio/voice", code: "12300", status: 200},
		{name: "70 kB body", cause: probe.CauseBodyTooLarge, url: start(webhooktest.LargeBody(70_000)) + "/twilio/voice", code: "11750", status: 200},
		{name: "308", cause: probe.CauseRedirectUnfollowed, url: start(webhooktest.Redirect(http.StatusPermanentRedirect, "/twilio/voice2")) + "/twilio/voice", code: "11216", status: 308},
		{name: "redirect loop", cause: probe.CauseRedirectLoop, url: start(webhooktest.RedirectLoop()) + "/loop/a", code: "11215", status: 302},
		{name: "closed mid-body", cause: probe.CauseConnectionClosed, url: start(webhooktest.ClosedMidBody()) + "/twilio/voice", code: "11206"},
		{name: "refused port", cause: probe.CauseConnectRefused, url: webhooktest.RefusedURL(t) + "/twilio/voice", code: "11202"},
		{name: ".invalid name", cause: probe.CauseDNSNoSuchHost, url: webhooktest.UnresolvableURL, code: "11210"},
		{name: "expired certificate", cause: probe.CauseTLSExpired, url: startTLS(pki.Leaf(t, time.Now().Add(-48*time.Hour), "127.0.0.1")) + "/twilio/voice", code: "11236"},
		{name: "name mismatch", cause: probe.CauseTLSNameMismatch, url: startTLS(pki.Leaf(t, year, "webhook.example.com")) + "/twilio/voice", code: "11235"},
		{name: "intermediate not sent", cause: probe.CauseTLSIncompleteChain, url: startTLS(pki.LeafAlone(t, year, "127.0.0.1")) + "/twilio/voice", code: "11237"},
		{name: "self-signed", cause: probe.CauseTLSUntrusted, url: startTLS(webhooktest.SelfSigned(t, "127.0.0.1")) + "/twilio/voice", code: "11237"},
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
			if got := tableVerdict(r.stdout, wire); got != string(f.cause) {
				t.Errorf("table row verdict %q, want %q:\n%s", got, f.cause, r.stdout)
			}
			if !strings.Contains(r.stdout, wire+": "+string(f.cause)+" — ") {
				t.Errorf("no line %q below the table:\n%s", wire+": "+string(f.cause)+" — …", r.stdout)
			}
			if !strings.Contains(r.stderr, string(f.cause)) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Errorf("stderr does not name %s in a line: %q", f.cause, r.stderr)
			}

			r = runE2E(t, env, append(args, "--json")...)
			var rep probe.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("--json: %v\n%s", err, r.stdout)
			}
			ts := rep.Targets[0]
			if ts.Outcome != f.cause || ts.Cause != f.cause || ts.Overall.Outcome != f.cause || ts.CauseFailures != 2 {
				t.Errorf("--json verdict %q cause %q row %q facts %+v, want %q", ts.Outcome, ts.Cause, ts.Overall.Outcome, ts.Facts, f.cause)
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
	for _, want := range []string{"対象 / 経路", "判定", u + ": " + string(probe.CauseURLNotFound) + " — 1回中1回HTTP 404が返りました", "Twilioからは届きません"} {
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
	if r.code != exitOK || tableVerdict(r.stdout, u) != string(probe.OutcomeOK) {
		t.Errorf("--allow-private: exit %d, verdict %q:\n%s%s", r.code, tableVerdict(r.stdout, u), r.stdout, r.stderr)
	}
	r = runE2E(t, nil, "probe", u, "--count", "2", "--interval", "1ms")
	if r.code != exitIncidents || tableVerdict(r.stdout, u) != string(probe.CausePrivateAddress) {
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

// faultAccount is an account with one phone number whose voice webhook is
// the fault's URL (its fallback a TwiML Bin, which is not probed), and
// twelve alerts of the fault's error over the window, as Twilio would have
// raised them.
func faultAccount(f e2eFault) *faketwilio.AccountData {
	from, to := e2eWindow()
	created := from.Add(-90 * 24 * time.Hour)
	method := cmp.Or(f.method, http.MethodPost)
	wire := strings.SplitN(f.url, "#", 2)[0]
	num := faketwilio.IncomingPhoneNumber{
		AccountSid: e2eAccount, APIVersion: "2010-04-01", Capabilities: map[string]bool{"voice": true, "sms": true},
		DateCreated: created.Format(faketwilio.RFC2822), DateUpdated: created.Format(faketwilio.RFC2822),
		FriendlyName: "Front desk", PhoneNumber: "+14155550123", Sid: faketwilio.SID("PN", f.name), Status: "in-use",
		VoiceURL: f.url, VoiceMethod: method,
		VoiceFallbackURL: "https://handler.twilio.com/twiml/EH" + faketwilio.SID("", "bin")[:32], VoiceFallbackMethod: http.MethodPost,
		SmsMethod: http.MethodPost, SmsFallbackMethod: http.MethodPost, StatusCallbackMethod: http.MethodPost,
		URI: "/2010-04-01/Accounts/" + e2eAccount + "/IncomingPhoneNumbers/" + faketwilio.SID("PN", f.name) + ".json",
	}
	var alerts faketwilio.Alerts
	for i := range 12 {
		at := to.Add(-time.Duration(12*i+5) * time.Hour).Truncate(time.Second)
		sid := faketwilio.SID("NO", f.name+fmt.Sprint(i))
		call := faketwilio.SID("CA", f.name+fmt.Sprint(i))
		text := fmt.Sprintf("Msg=%s&url=%s&ErrorCode=%s&LogLevel=ERROR", url.QueryEscape("HTTP retrieval failure"), url.QueryEscape(wire), f.code)
		if f.status != 0 {
			text = fmt.Sprintf("sourceComponent=12000&httpResponse=%d&url=%s&ErrorCode=%s&LogLevel=ERROR&Msg=%s",
				f.status, url.QueryEscape(wire), f.code, url.QueryEscape("HTTP retrieval failure"))
		}
		params := url.Values{"AccountSid": {e2eAccount}, "CallSid": {call}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "To": {num.PhoneNumber}, "From": {"+819012345678"}}
		alerts = append(alerts, faketwilio.Alert{
			AccountSid: e2eAccount, AlertText: text, APIVersion: "2010-04-01",
			DateCreated: at.Add(2 * time.Second).Format(faketwilio.ISO8601), DateGenerated: at.Format(faketwilio.ISO8601), DateUpdated: at.Add(2 * time.Second).Format(faketwilio.ISO8601),
			ErrorCode: f.code, LogLevel: "error", MoreInfo: "https://www.twilio.com/docs/errors/" + f.code,
			RequestMethod: &method, RequestURL: wire, RequestVariables: params.Encode(), ResourceSid: call, Sid: sid,
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: at,
		})
	}
	return &faketwilio.AccountData{
		Account: faketwilio.Account{Sid: e2eAccount, OwnerAccountSid: e2eAccount, FriendlyName: "Fault " + f.name, Status: "active", Type: "Full",
			DateCreated: created.Format(faketwilio.RFC2822), DateUpdated: created.Format(faketwilio.RFC2822),
			URI: "/2010-04-01/Accounts/" + e2eAccount + ".json"},
		Numbers:       []faketwilio.IncomingPhoneNumber{num},
		Alerts:        alerts,
		Notifications: faketwilio.NotificationsFromAlerts(alerts),
	}
}

// TestE2E_BundleNamesTheCauseOfEachFault: a bundle of an account whose
// webhook points at a faulty server probes it (live, 127.0.0.1, no switch
// for private addresses): its probe evidence names the cause, and so does
// its headline — in findings.json (the verdict finding's cause, a sentence
// naming the host) and as the last line on stderr.
func TestE2E_BundleNamesTheCauseOfEachFault(t *testing.T) {
	pki := webhooktest.NewPKI(t)
	env := append(e2eTLSEnv(t, pki), "TWILIO_ACCOUNT_SID="+e2eAccount, "TWILIO_AUTH_TOKEN="+e2eToken)
	for _, f := range e2eFaults(t, pki) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			fake := faketwilio.New(map[string]string{e2eAccount: e2eToken}, faultAccount(f))
			t.Cleanup(fake.Close)
			r := runE2E(t, env, e2eBundleArgs(fake, t.TempDir(), "--no-status", "--probe-count", "2", "--probe-interval", "1ms")...)
			if r.code != exitOK {
				t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
			}
			files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
			var summary struct {
				Results []probe.TargetSummary `json:"results"`
			}
			if err := json.Unmarshal(files[collect.ProbeSummaryFile], &summary); err != nil {
				t.Fatalf("%s: %v", collect.ProbeSummaryFile, err)
			}
			wire := strings.SplitN(f.url, "#", 2)[0]
			var got *probe.TargetSummary
			for i := range summary.Results {
				if summary.Results[i].Target == wire {
					got = &summary.Results[i]
				}
			}
			if got == nil {
				t.Fatalf("%s has no result for %s: %+v", collect.ProbeSummaryFile, wire, summary.Results)
			}
			if got.Outcome != f.cause || got.Cause != f.cause {
				t.Errorf("probes: verdict %q cause %q (%s), want %q", got.Outcome, got.Cause, got.Explanation, f.cause)
			}

			var findings []analysis.Finding
			if err := json.Unmarshal(files[bundle.FindingsFile], &findings); err != nil {
				t.Fatalf("%s: %v", bundle.FindingsFile, err)
			}
			head := findings[0]
			host := hostOf(t, wire)
			if head.ID != "verdict" || string(head.Cause) != string(f.cause) || !strings.Contains(head.Sentence, host) || head.Explained != 12 {
				t.Errorf("headline: %s cause %q explaining %d: %q; want %s naming %s and all 12 failures", head.ID, head.Cause, head.Explained, head.Sentence, f.cause, host)
			}
			if first := strings.SplitN(string(files["README.txt"]), "\n", 2)[0]; !strings.HasPrefix(first, "Diagnosis: "+head.Sentence) {
				t.Errorf("README.txt opens with %q, want the headline %q", first, head.Sentence)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, head.Sentence) {
				t.Errorf("stderr does not end with the headline %q:\n%s", head.Sentence, r.stderr)
			}
		})
	}
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}
