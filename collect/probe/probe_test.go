package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

// TestProbe_EachFaultIsNamedByItsCause runs every kind of broken webhook
// server on 127.0.0.1 and checks what a user reads: the failed phase, the
// error class, the Twilio error code, the verdict (the cause) and the
// figure that proves it.
func TestProbe_EachFaultIsNamedByItsCause(t *testing.T) {
	pki := webhooktest.NewPKI(t)
	stranger := webhooktest.NewPKI(t) // a CA this machine does not trust
	year := time.Now().Add(365 * 24 * time.Hour)
	expiredAt := time.Now().Add(-49 * time.Hour).Truncate(time.Second)
	start := func(h http.Handler) string { return webhooktest.Start(t, h).URL }
	startTLS := func(c tls.Certificate) string { return webhooktest.StartTLS(t, c, webhooktest.TwiML()).URL }

	tests := []struct {
		name    string
		url     string
		style   string
		method  string // the webhook's configured method
		ok      bool
		phase   string
		class   ErrorClass
		code    int
		verdict Outcome
		facts   func(t *testing.T, f Facts)
	}{
		{name: "healthy", url: start(webhooktest.TwiML()) + "/voice", ok: true, verdict: OutcomeOK},
		{name: "healthy https", url: startTLS(pki.Leaf(t, year, "127.0.0.1")) + "/voice", ok: true, verdict: OutcomeOK},
		{name: "404", url: start(webhooktest.Status(404)) + "/voice", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseURLNotFound,
			facts: func(t *testing.T, f Facts) { wantInt(t, "status", f.Status, 404) }},
		{name: "410", url: start(webhooktest.Status(410)) + "/voice", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseURLNotFound},
		{name: "405 to Twilio's POST", url: start(webhooktest.AllowOnly(http.MethodGet)) + "/voice", style: StyleTwilio, phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseMethodNotAllowed,
			facts: func(t *testing.T, f Facts) {
				if f.Method != http.MethodPost || f.Allow != http.MethodGet {
					t.Errorf("method %q allow %q, want POST refused, GET allowed", f.Method, f.Allow)
				}
			}},
		{name: "405 to a GET webhook", url: start(webhooktest.AllowOnly(http.MethodPost)) + "/voice", method: http.MethodGet, phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseMethodNotAllowed},
		{name: "401", url: start(webhooktest.BasicAuth("twilio", "s3cret")) + "/voice", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseAuthRequired,
			facts: func(t *testing.T, f Facts) { wantInt(t, "status", f.Status, 401) }},
		{name: "403 to Twilio's signed request", url: start(webhooktest.Status(403)) + "/voice", style: StyleTwilio, phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseAuthRequired},
		{name: "500", url: start(webhooktest.Status(500)) + "/voice", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: CauseServerError,
			facts: func(t *testing.T, f Facts) { wantInt(t, "status", f.Status, 500) }},
		{name: "400 names no cause", url: start(webhooktest.Status(400)) + "/voice", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: OutcomeFails},
		{name: "answers after rt", url: start(webhooktest.Slow(1300*time.Millisecond)) + "/voice#rt=1000", phase: PhaseResponse, class: ClassReadTimeout, code: 11205, verdict: CauseTooSlow,
			facts: func(t *testing.T, f Facts) {
				if f.TimeoutSeconds != 1 || f.Override != "rt=1000" || f.Seconds < 1.3 {
					t.Errorf("timeout %v s (%q), measured %v s (unanswered %v); want 1 s from rt=1000 and at least 1.3 s", f.TimeoutSeconds, f.Override, f.Seconds, f.Unanswered)
				}
			}},
		{name: "answers close to rt", url: start(webhooktest.Slow(2600*time.Millisecond)) + "/voice#rt=3000", ok: true, verdict: OutcomeNearTimeout,
			facts: func(t *testing.T, f Facts) {
				if f.TimeoutSeconds != 3 || f.Override != "rt=3000" || f.Seconds < 2.6 {
					t.Errorf("timeout %v s (%q), measured %v s; want 3 s from rt=3000 and at least 2.6 s", f.TimeoutSeconds, f.Override, f.Seconds)
				}
			}},
		{name: "no answer at all", url: start(webhooktest.Slow(time.Minute)) + "/voice#rt=150", phase: PhaseResponse, class: ClassReadTimeout, code: 11205, verdict: CauseTooSlow,
			facts: func(t *testing.T, f Facts) {
				if !f.Unanswered || f.Seconds < 0.3 || f.Override != "rt=150" {
					t.Errorf("unanswered %v after %v s (%q), want unanswered after rt plus grace, 0.3 s", f.Unanswered, f.Seconds, f.Override)
				}
			}},
		{name: "total timeout tt", url: start(webhooktest.Slow(time.Minute)) + "/voice#tt=200", phase: PhaseResponse, class: ClassTotalTimeout, code: 11203, verdict: CauseTooSlow,
			facts: func(t *testing.T, f Facts) {
				if f.Override != "tt=200" || f.TimeoutSeconds != 0.2 {
					t.Errorf("override %q timeout %v, want tt=200 and 0.2 s", f.Override, f.TimeoutSeconds)
				}
			}},
		{name: "missing content type", url: start(webhooktest.NoContentType()) + "/voice", phase: PhaseContentType, class: ClassContentType, code: 12300, verdict: CauseContentType},
		{name: "70 kB body", url: start(webhooktest.LargeBody(70_000)) + "/voice", phase: PhaseBody, class: ClassBodyTooLarge, code: 11750, verdict: CauseBodyTooLarge,
			facts: func(t *testing.T, f Facts) { wantInt(t, "body bytes", int(f.BodyBytes), 70_000) }},
		{name: "308 is not followed", url: start(webhooktest.Redirect(308, "/elsewhere")) + "/voice", phase: PhaseRedirect, class: ClassBadRedirect, code: 11216, verdict: CauseRedirectUnfollowed,
			facts: func(t *testing.T, f Facts) {
				if f.Status != 308 || f.Location != "/elsewhere" {
					t.Errorf("status %d location %q", f.Status, f.Location)
				}
			}},
		{name: "302 without Location", url: start(webhooktest.Redirect(302, "")) + "/voice", phase: PhaseRedirect, class: ClassBadRedirect, code: 11216, verdict: CauseRedirectUnfollowed},
		{name: "redirect loop", url: start(webhooktest.RedirectLoop()) + "/loop/a", phase: PhaseRedirect, class: ClassRedirectLoop, code: 11215, verdict: CauseRedirectLoop,
			facts: func(t *testing.T, f Facts) {
				if f.Redirects < 2 || !strings.Contains(f.Location, "/loop/") {
					t.Errorf("redirects %d, last %q", f.Redirects, f.Location)
				}
			}},
		{name: "closed mid-body", url: start(webhooktest.ClosedMidBody()) + "/voice", phase: PhaseBody, class: ClassClosed, code: 11205, verdict: CauseConnectionClosed},
		{name: "not HTTP", url: webhooktest.StartRaw(t, "this is not HTTP\r\n\r\n").URL + "/", phase: PhaseResponse, class: ClassProtocol, code: 11206, verdict: CauseConnectionClosed},
		{name: "refused port", url: webhooktest.RefusedURL(t) + "/voice", phase: PhaseConnect, class: ClassRefused, code: 11202, verdict: CauseConnectRefused,
			facts: func(t *testing.T, f Facts) { wantString(t, "address", f.Address, "127.0.0.1") }},
		{name: "name under .invalid", url: webhooktest.UnresolvableURL + "#tt=2000", phase: PhaseDNS, class: ClassDNS, code: 11210, verdict: CauseDNSNoSuchHost},
		{name: "expired certificate", url: startTLS(pki.Leaf(t, expiredAt, "127.0.0.1")) + "/", phase: PhaseTLS, class: ClassTLSExpired, code: 11236, verdict: CauseTLSExpired,
			facts: func(t *testing.T, f Facts) {
				if !f.NotAfter.Equal(expiredAt) {
					t.Errorf("not after %v, want %v", f.NotAfter, expiredAt)
				}
			}},
		{name: "certificate for another name", url: startTLS(pki.Leaf(t, year, "webhook.example.com", "www.example.com")) + "/", phase: PhaseTLS, class: ClassTLSName, code: 11235, verdict: CauseTLSNameMismatch,
			facts: func(t *testing.T, f Facts) {
				wantString(t, "names", strings.Join(f.Names, " "), "webhook.example.com www.example.com")
			}},
		{name: "intermediate not sent", url: startTLS(pki.LeafAlone(t, year, "127.0.0.1")) + "/", phase: PhaseTLS, class: ClassTLSIncomplete, code: 11237, verdict: CauseTLSIncompleteChain,
			facts: func(t *testing.T, f Facts) {
				if !f.IssuerFetched || !strings.Contains(f.Issuer, "Intermediate") || f.IssuerURL != pki.IssuerURL {
					t.Errorf("issuer %q from %q fetched %v, want the intermediate fetched from %s", f.Issuer, f.IssuerURL, f.IssuerFetched, pki.IssuerURL)
				}
			}},
		{name: "self-signed certificate", url: startTLS(webhooktest.SelfSigned(t, "127.0.0.1")) + "/", phase: PhaseTLS, class: ClassTLSUnknownCA, code: 11237, verdict: CauseTLSUntrusted,
			facts: func(t *testing.T, f Facts) {
				if !f.SelfSigned {
					t.Error("not said to be self-signed")
				}
			}},
		{name: "full chain to an unknown root", url: startTLS(stranger.Leaf(t, year, "127.0.0.1")) + "/", phase: PhaseTLS, class: ClassTLSUnknownCA, code: 11237, verdict: CauseTLSUntrusted},
		{name: "intermediate not sent, unknown root", url: startTLS(stranger.LeafAlone(t, year, "127.0.0.1")) + "/", phase: PhaseTLS, class: ClassTLSUnknownCA, code: 11237, verdict: CauseTLSUntrusted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustProber(t, Options{Count: 2, Style: tc.style, AuthToken: "token", Resolver: net.DefaultResolver, ExtraRoots: []*x509.Certificate{pki.Root}, AllowPrivate: true})
			target := mustTarget(t, tc.url)
			target.Method = tc.method
			r := p.Run(context.Background(), []Target{target})
			if len(r.Attempts) != 2 {
				t.Fatalf("attempts = %d, want 2", len(r.Attempts))
			}
			a := r.Attempts[0]
			if a.OK != tc.ok || a.FailedPhase != tc.phase || a.ErrorClass != tc.class || a.TwilioCode != tc.code {
				t.Errorf("attempt ok=%v phase=%q class=%q code=%d (error %q), want ok=%v phase=%q class=%q code=%d",
					a.OK, a.FailedPhase, a.ErrorClass, a.TwilioCode, a.Error, tc.ok, tc.phase, tc.class, tc.code)
			}
			ts := r.Targets[0]
			if ts.Outcome != tc.verdict || ts.Overall.Outcome != tc.verdict {
				t.Errorf("verdict = %q, row %q (%s), want %q", ts.Outcome, ts.Overall.Outcome, ts.Explanation, tc.verdict)
			}
			if !tc.ok && (a.Error == "" || ts.Class != tc.class || ts.CauseFailures != 2) {
				t.Errorf("error %q, facts %+v", a.Error, ts.Facts)
			}
			if cause := CauseOf(a); !tc.ok && tc.verdict != OutcomeFails && ts.Cause != cause {
				t.Errorf("cause %q, the attempt's %q", ts.Cause, cause)
			}
			if strings.Contains(ts.Explanation, "probe.") || strings.Contains(ts.Explanation, "<no value>") {
				t.Errorf("explanation has a gap: %q", ts.Explanation)
			}
			if tc.facts != nil {
				tc.facts(t, ts.Facts)
			}
		})
	}
}

func wantInt(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func wantString(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestProbe_HealthyHTTPSRecordsPhasesAndCertificate(t *testing.T) {
	pki := webhooktest.NewPKI(t)
	s := webhooktest.StartTLS(t, pki.Leaf(t, time.Now().Add(10*24*time.Hour+time.Hour), "probe.test"), webhooktest.TwiML())
	p := mustProber(t, Options{Resolver: mapResolver{"probe.test": {"127.0.0.1", "::1"}}, ExtraRoots: []*x509.Certificate{pki.Root}, PerAddress: PerAddressOff})
	a := p.Probe(context.Background(), mustTarget(t, "https://probe.test:"+s.Port()+"/voice"), Via{Mode: ModeDNS})
	if !a.OK {
		t.Fatalf("attempt failed: %s", a.Error)
	}
	if len(a.Resolved) != 2 || a.Address != "127.0.0.1" {
		t.Errorf("resolved %v, used %q; want both addresses, 127.0.0.1 used", a.Resolved, a.Address)
	}
	if a.Phases.Connect <= 0 || a.Phases.TLS <= 0 || a.Phases.TTFB <= 0 || a.Phases.Total < a.Phases.TTFB {
		t.Errorf("phases not measured: %+v", a.Phases)
	}
	if a.TLSVersion == "" || a.Cipher == "" || a.HTTPVersion == "" || a.Status != 200 || a.ContentType != "text/xml; charset=utf-8" || a.BodyBytes != int64(len(webhooktest.TwiMLBody)) {
		t.Errorf("response not recorded: tls=%q cipher=%q http=%q status=%d type=%q bytes=%d", a.TLSVersion, a.Cipher, a.HTTPVersion, a.Status, a.ContentType, a.BodyBytes)
	}
	if len(a.Certificates) != 2 || a.Certificates[0].DaysToExpiry != 10 || a.Certificates[0].SANs[0] != "probe.test" || !strings.Contains(a.Certificates[0].Issuer, "webhooktest Intermediate") {
		t.Errorf("certificates = %+v", a.Certificates)
	}
	if !a.Private || !containsString(a.Notes, NotePrivate) {
		t.Errorf("loopback address not flagged: private=%v notes=%v", a.Private, a.Notes)
	}
}

func TestProbe_FailedTLSKeepsConnectPhaseAndChain(t *testing.T) {
	pki := webhooktest.NewPKI(t)
	s := webhooktest.StartTLS(t, pki.Leaf(t, time.Now().Add(-24*time.Hour), "probe.test"), webhooktest.TwiML())
	p := mustProber(t, Options{Resolver: mapResolver{"probe.test": {"127.0.0.1"}}, ExtraRoots: []*x509.Certificate{pki.Root}})
	a := p.Probe(context.Background(), mustTarget(t, "https://probe.test:"+s.Port()+"/"), Via{})
	if a.OK || a.Phases.Connect <= 0 || a.Phases.TTFB != 0 {
		t.Errorf("want failure with connect measured and no TTFB; got ok=%v phases=%+v", a.OK, a.Phases)
	}
	if len(a.Certificates) != 2 || a.Certificates[0].DaysToExpiry >= 0 {
		t.Errorf("expired chain not recorded: %+v", a.Certificates)
	}
}

// everyNth answers 502 to every n-th request and TwiML to the others.
func everyNth(n int64) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1)%n == 0 {
			webhooktest.Status(http.StatusBadGateway).ServeHTTP(w, r)
			return
		}
		webhooktest.TwiML().ServeHTTP(w, r)
	})
}

func TestRun_IntermittentBadGatewayIsIntermittent(t *testing.T) {
	s := webhooktest.Start(t, everyNth(3))
	p := mustProber(t, Options{Count: 9, AllowPrivate: true})
	r := p.Run(context.Background(), []Target{mustTarget(t, s.URL+"/voice")})
	ts := r.Targets[0]
	if ts.Overall.Attempts != 9 || ts.Overall.Failures != 3 {
		t.Fatalf("attempts=%d failures=%d, want 9 and 3", ts.Overall.Attempts, ts.Overall.Failures)
	}
	if ts.Overall.FailureRate < 0.33 || ts.Overall.FailureRate > 0.34 {
		t.Errorf("failure rate = %v, want ~0.33", ts.Overall.FailureRate)
	}
	if ts.Outcome != OutcomeIntermittent || ts.Overall.FailuresByClass[ClassHTTPStatus] != 3 || ts.Overall.TwilioCodes["11217"] != 3 {
		t.Errorf("verdict=%q classes=%v codes=%v", ts.Outcome, ts.Overall.FailuresByClass, ts.Overall.TwilioCodes)
	}
	// The cause of the failures is said beside the verdict.
	if ts.Cause != CauseServerError || ts.Status != http.StatusBadGateway || ts.CauseFailures != 3 {
		t.Errorf("facts = %+v, want 3 × app_server_error 502", ts.Facts)
	}
}

func TestRun_MostlyFailingTargetIsNamedByItsCause(t *testing.T) {
	s := webhooktest.Start(t, everyNth(3))
	p := mustProber(t, Options{Count: 3, AllowPrivate: true})
	// Two of three fail: the 502s are the verdict, not "intermittent".
	r := p.Run(context.Background(), []Target{mustTarget(t, s.URL+"/voice"), mustTarget(t, s.URL+"/sms")})
	var failed int
	for _, a := range r.Attempts {
		if !a.OK {
			failed++
		}
	}
	if failed != 2 {
		t.Fatalf("%d of 6 attempts failed, want 2", failed)
	}
	for _, ts := range r.Targets {
		want := OutcomeOK
		switch ts.Overall.Failures {
		case 1:
			want = OutcomeIntermittent
		case 2, 3:
			want = CauseServerError
		}
		if ts.Outcome != want {
			t.Errorf("%s: %d of %d failed, verdict %q, want %q", ts.Target, ts.Overall.Failures, ts.Overall.Attempts, ts.Outcome, want)
		}
	}
}

func TestRun_OneOfTwoAddressesFailsIsNamed(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML()) // listens on 127.0.0.1 only: 127.0.0.2 refuses
	p := mustProber(t, Options{Count: 2, AllowPrivate: true, Resolver: mapResolver{"multi.test": {"127.0.0.1", "127.0.0.2"}}})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://multi.test:"+s.Port()+"/voice")})
	ts := r.Targets[0]
	if ts.Outcome != OutcomeOneAddress {
		t.Fatalf("verdict = %q (%s), want %q", ts.Outcome, ts.Explanation, OutcomeOneAddress)
	}
	if len(ts.BadAddresses) != 1 || ts.BadAddresses[0] != "127.0.0.2" || !strings.Contains(ts.Explanation, "127.0.0.2") {
		t.Errorf("bad addresses = %v, explanation %q", ts.BadAddresses, ts.Explanation)
	}
	if len(ts.PerAddress) != 2 || ts.PerAddress[1].FailuresByClass[ClassRefused] != 2 || ts.PerAddress[1].TwilioCodes["11202"] != 2 {
		t.Errorf("per-address = %+v", ts.PerAddress)
	}
	if ts.Cause != CauseConnectRefused || ts.Address != "127.0.0.2" || len(ts.GoodAddresses) != 1 {
		t.Errorf("facts = %+v, good %v; want 127.0.0.2 refused", ts.Facts, ts.GoodAddresses)
	}
	table := writeTable(t, r.Targets, "en")
	if !strings.Contains(table, "address 127.0.0.2") || rowOutcome(table, "  address 127.0.0.2") != OutcomeFails ||
		rowOutcome(table, "  address 127.0.0.1") != OutcomeOK || rowOutcome(table, ts.Target) != OutcomeOneAddress {
		t.Errorf("table does not name the bad address and the verdict of each row:\n%s", table)
	}
}

func TestRun_ResolveBypassComparesLoadBalancerAndOrigin(t *testing.T) {
	lb := webhooktest.Start(t, webhooktest.Status(http.StatusBadGateway))
	ln, err := net.Listen("tcp", "127.0.0.2:"+lb.Port())
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	origin := &http.Server{Handler: webhooktest.TwiML(), ReadHeaderTimeout: time.Second}
	go func() { _ = origin.Serve(ln) }()
	t.Cleanup(func() { origin.Close() })

	ro, err := ParseResolve("shop.test:" + lb.Port() + ":127.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	// Without AllowPrivate: the origin on a private address is judged as
	// an origin (it answers), not as unreachable.
	p := mustProber(t, Options{Count: 2, Resolve: []ResolveOverride{ro}, Resolver: mapResolver{"shop.test": {"127.0.0.1"}}})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://shop.test:"+lb.Port()+"/voice")})
	ts := r.Targets[0]
	if ts.Outcome != CauseLoadBalancer || len(ts.Direct) != 1 || ts.Direct[0].Failures != 0 || ts.Overall.Failures != 2 {
		t.Errorf("verdict=%q overall=%+v direct=%+v", ts.Outcome, ts.Overall, ts.Direct)
	}
	if ts.Cause != CauseServerError || ts.Status != http.StatusBadGateway || ts.Direct[0].Outcome != OutcomeOK {
		t.Errorf("facts %+v, origin verdict %q", ts.Facts, ts.Direct[0].Outcome)
	}
	if !ts.Private || !strings.Contains(ts.Explanation, "private or loopback") {
		t.Errorf("the private address of the name is not said beside the verdict: %q", ts.Explanation)
	}
	table := writeTable(t, r.Targets, "en")
	if rowOutcome(table, "  direct 127.0.0.2") != OutcomeOK || rowOutcome(table, ts.Target) != CauseLoadBalancer {
		t.Errorf("table rows disagree:\n%s", table)
	}
}

func TestRun_PrivateAddressIsSaidBesideWhatWasMeasured(t *testing.T) {
	healthy := webhooktest.Start(t, webhooktest.TwiML())
	missing := webhooktest.Start(t, webhooktest.Status(http.StatusNotFound))
	p := mustProber(t, Options{Count: 1})
	r := p.Run(context.Background(), []Target{mustTarget(t, healthy.URL), mustTarget(t, missing.URL+"/voice")})
	if !r.Attempts[0].OK {
		t.Fatalf("loopback attempt should still succeed: %s", r.Attempts[0].Error)
	}
	ok, notFound := r.Targets[0], r.Targets[1]
	if ok.Outcome != CausePrivateAddress || !ok.Private || !strings.Contains(ok.Explanation, "127.0.0.1") {
		t.Errorf("answering loopback URL: verdict %q (%s), want %q", ok.Outcome, ok.Explanation, CausePrivateAddress)
	}
	// A failure measured on a private address is the verdict; the
	// address is said beside it, never instead of it.
	if notFound.Outcome != CauseURLNotFound || !notFound.Private || !strings.Contains(notFound.Explanation, "Twilio cannot reach") {
		t.Errorf("404 on loopback: verdict %q private %v (%s)", notFound.Outcome, notFound.Private, notFound.Explanation)
	}
}

func TestRun_DNSAnswersThatChangeAreReported(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML())
	var calls atomic.Int64
	res := resolverFunc(func(_ context.Context, _ string) ([]net.IPAddr, error) {
		if calls.Add(1)%2 == 0 {
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}, {IP: net.ParseIP("127.0.0.3")}}, nil
		}
		return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
	})
	p := mustProber(t, Options{Count: 2, AllowPrivate: true, Resolver: res, PerAddress: PerAddressOff})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://dyn.test:"+s.Port()+"/")})
	ts := r.Targets[0]
	if !ts.DNSChanged || len(ts.DNSAnswers) != 2 {
		t.Errorf("dns changed=%v answers=%+v", ts.DNSChanged, ts.DNSAnswers)
	}
	// The second answer sent the request to 127.0.0.3, where nothing
	// listens, while 127.0.0.1 answered: a record that changes and one
	// address that fails.
	if ts.Outcome != CauseDNSChanging || strings.Join(ts.BadAddresses, " ") != "127.0.0.3" || ts.Cause != CauseConnectRefused ||
		!strings.Contains(ts.Explanation, "changed between samples") {
		t.Errorf("verdict %q bad %v facts %+v: %s", ts.Outcome, ts.BadAddresses, ts.Facts, ts.Explanation)
	}
}

type resolverFunc func(ctx context.Context, host string) ([]net.IPAddr, error)

func (f resolverFunc) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return f(ctx, host)
}

func TestRun_CancelKeepsWhatWasMeasured(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML())
	p := mustProber(t, Options{Count: 50, Interval: 40 * time.Millisecond, AllowPrivate: true})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := p.Run(ctx, []Target{mustTarget(t, s.URL)})
	if time.Since(start) > 2*time.Second {
		t.Errorf("run did not stop promptly: %v", time.Since(start))
	}
	if !r.Interrupted || len(r.Attempts) == 0 || len(r.Attempts) >= 50 {
		t.Errorf("interrupted=%v attempts=%d; want interrupted with some attempts kept", r.Interrupted, len(r.Attempts))
	}
	for _, a := range r.Attempts {
		if !a.OK {
			t.Errorf("kept a failed attempt after cancel: %+v", a)
		}
	}
}

func TestRun_PerHostConcurrencyIsCapped(t *testing.T) {
	var inFlight, peak atomic.Int64
	s := webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		webhooktest.TwiML().ServeHTTP(w, r)
	}))
	var targets []Target
	for i := range 4 {
		targets = append(targets, mustTarget(t, fmt.Sprintf("%s/path%d", s.URL, i)))
	}
	p := mustProber(t, Options{Count: 2, MaxPerHost: 1, Concurrency: 4, AllowPrivate: true})
	r := p.Run(context.Background(), targets)
	if len(r.Attempts) != 8 {
		t.Fatalf("attempts = %d, want 8", len(r.Attempts))
	}
	if peak.Load() != 1 {
		t.Errorf("peak concurrent requests on one host = %d, want 1", peak.Load())
	}
}

// envProxy is one HTTP proxy for the whole test process: net/http reads
// the proxy variables once per process, so the test must not change them.
var (
	envProxyOnce sync.Once
	envProxyURL  string
	envProxySaw  atomic.Bool
)

// setEnvProxy sets HTTP_PROXY to the process's one test proxy; every test
// whose requests read the proxy variables calls it first.
func setEnvProxy(t *testing.T) {
	envProxyOnce.Do(func() {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			envProxySaw.Store(r.URL.Host == "webhook.example:80")
			webhooktest.TwiML().ServeHTTP(w, r)
		}))
		envProxyURL = s.URL
	})
	t.Setenv("HTTP_PROXY", envProxyURL)
	t.Setenv("NO_PROXY", "")
}

func TestProbe_ProxyFromEnvironmentIsUsed(t *testing.T) {
	setEnvProxy(t)
	envProxySaw.Store(false)
	p, err := New(Options{Resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	a := p.Probe(context.Background(), mustTarget(t, "http://webhook.example:80/voice"), Via{})
	if !a.OK || !envProxySaw.Load() {
		t.Errorf("request did not go through HTTP_PROXY: ok=%v err=%q", a.OK, a.Error)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
