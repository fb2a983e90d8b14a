package probe

import (
	"bytes"
	"context"
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
)

// TestProbe_FailureClassesMapToTwilioCodes runs each kind of broken
// endpoint and checks what a user would read: the failed phase, the error
// class, the Twilio error code and the verdict.
func TestProbe_FailureClassesMapToTwilioCodes(t *testing.T) {
	ca := newCA(t)
	good := serveTLS(t, leaf(t, ca, time.Now().Add(30*24*time.Hour), "probe.test"), twiml)
	expired := serveTLS(t, leaf(t, ca, time.Now().Add(-time.Hour), "probe.test"), twiml)
	wrongHost := serveTLS(t, leaf(t, ca, time.Now().Add(30*24*time.Hour), "other.test"), twiml)
	selfSigned := serveTLS(t, leaf(t, nil, time.Now().Add(30*24*time.Hour), "probe.test"), twiml)

	healthy := serve(t, twiml)
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
			return
		}
		twiml(w, r)
	})
	noType := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = nil
		_, _ = w.Write([]byte("<Response/>"))
	})
	big := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(bytes.Repeat([]byte("x"), MaxBody+100))
	})
	loop := serve(t, func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"/a": "/b", "/b": "/a"}[r.URL.Path]
		http.Redirect(w, r, next, http.StatusFound)
	})
	permanent := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusPermanentRedirect)
	})
	serverError := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	garbage := rawServer(t, "this is not HTTP\r\n\r\n")

	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()

	resolver := mapResolver{"probe.test": {"127.0.0.1"}}
	tests := []struct {
		name     string
		url      string
		resolver Resolver
		ok       bool
		phase    string
		class    string
		code     int
		verdict  string
	}{
		{name: "healthy", url: healthy.URL + "/voice", ok: true, verdict: VerdictOK},
		{name: "healthy https", url: "https://probe.test:" + port(t, good) + "/voice", ok: true, verdict: VerdictOK},
		{name: "slower than overridden rt", url: slow.URL + "/voice#rt=150", phase: PhaseResponse, class: ClassReadTimeout, code: 11205, verdict: VerdictAllFail},
		{name: "total timeout tt", url: slow.URL + "/voice#tt=200", phase: PhaseResponse, class: ClassTotalTimeout, code: 11203, verdict: VerdictAllFail},
		{name: "missing content type", url: noType.URL + "/voice", phase: PhaseContentType, class: ClassContentType, code: 12300, verdict: VerdictAllFail},
		{name: "body over 64 kB", url: big.URL + "/voice", phase: PhaseBody, class: ClassBodyTooLarge, code: 11750, verdict: VerdictAllFail},
		{name: "redirect loop", url: loop.URL + "/a", phase: PhaseRedirect, class: ClassRedirectLoop, code: 11215, verdict: VerdictAllFail},
		{name: "308 is not followed", url: permanent.URL + "/", phase: PhaseRedirect, class: ClassBadRedirect, code: 11216, verdict: VerdictAllFail},
		{name: "500", url: serverError.URL + "/", phase: PhaseStatus, class: ClassHTTPStatus, code: 11217, verdict: VerdictAllFail},
		{name: "malformed HTTP", url: "http://" + garbage + "/", phase: PhaseResponse, class: ClassProtocol, code: 11206, verdict: VerdictAllFail},
		{name: "refused port", url: "http://" + refusedAddr + "/", phase: PhaseConnect, class: ClassRefused, code: 11202, verdict: VerdictAllFail},
		{name: "name under .invalid", url: "http://no-such-webhook.invalid/voice#tt=2000", resolver: net.DefaultResolver, phase: PhaseDNS, class: ClassDNS, code: 11210, verdict: VerdictAllFail},
		{name: "expired certificate", url: "https://probe.test:" + port(t, expired) + "/", phase: PhaseTLS, class: ClassTLSExpired, code: 11236, verdict: VerdictAllFail},
		{name: "wrong-host certificate", url: "https://probe.test:" + port(t, wrongHost) + "/", phase: PhaseTLS, class: ClassTLSName, code: 11235, verdict: VerdictAllFail},
		{name: "self-signed certificate", url: "https://probe.test:" + port(t, selfSigned) + "/", phase: PhaseTLS, class: ClassTLSUnknownCA, code: 11237, verdict: VerdictAllFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := tc.resolver
			if res == nil {
				res = resolver
			}
			p := mustProber(t, Options{Count: 2, Resolver: res, ExtraRoots: []*x509.Certificate{ca.cert}, AllowPrivate: true})
			r := p.Run(context.Background(), []Target{mustTarget(t, tc.url)})
			if len(r.Attempts) != 2 {
				t.Fatalf("attempts = %d, want 2", len(r.Attempts))
			}
			a := r.Attempts[0]
			if a.OK != tc.ok || a.FailedPhase != tc.phase || a.ErrorClass != tc.class || a.TwilioCode != tc.code {
				t.Errorf("attempt ok=%v phase=%q class=%q code=%d (error %q), want ok=%v phase=%q class=%q code=%d",
					a.OK, a.FailedPhase, a.ErrorClass, a.TwilioCode, a.Error, tc.ok, tc.phase, tc.class, tc.code)
			}
			if got := r.Targets[0].Verdict; got != tc.verdict {
				t.Errorf("verdict = %q (%s), want %q", got, r.Targets[0].Explanation, tc.verdict)
			}
			if !tc.ok && a.Error == "" {
				t.Error("failed attempt carries no error text")
			}
		})
	}
}

func TestProbe_HealthyHTTPSRecordsPhasesAndCertificate(t *testing.T) {
	ca := newCA(t)
	s := serveTLS(t, leaf(t, ca, time.Now().Add(10*24*time.Hour+time.Hour), "probe.test"), twiml)
	p := mustProber(t, Options{Resolver: mapResolver{"probe.test": {"127.0.0.1", "::1"}}, ExtraRoots: []*x509.Certificate{ca.cert}, PerAddress: PerAddressOff})
	a := p.Probe(context.Background(), mustTarget(t, "https://probe.test:"+port(t, s)+"/voice"), Via{Mode: ModeDNS})
	if !a.OK {
		t.Fatalf("attempt failed: %s", a.Error)
	}
	if len(a.Resolved) != 2 || a.Address != "127.0.0.1" {
		t.Errorf("resolved %v, used %q; want both addresses, 127.0.0.1 used", a.Resolved, a.Address)
	}
	if a.Phases.Connect <= 0 || a.Phases.TLS <= 0 || a.Phases.TTFB <= 0 || a.Phases.Total < a.Phases.TTFB {
		t.Errorf("phases not measured: %+v", a.Phases)
	}
	if a.TLSVersion == "" || a.Cipher == "" || a.HTTPVersion == "" || a.Status != 200 || a.ContentType != "text/xml" || a.BodyBytes != int64(len("<Response/>")) {
		t.Errorf("response not recorded: tls=%q cipher=%q http=%q status=%d type=%q bytes=%d", a.TLSVersion, a.Cipher, a.HTTPVersion, a.Status, a.ContentType, a.BodyBytes)
	}
	if len(a.Certificates) != 1 || a.Certificates[0].DaysToExpiry != 10 || a.Certificates[0].SANs[0] != "probe.test" || !strings.Contains(a.Certificates[0].Issuer, "probe test CA") {
		t.Errorf("certificates = %+v", a.Certificates)
	}
	if !a.Private || !containsString(a.Notes, NotePrivate) {
		t.Errorf("loopback address not flagged: private=%v notes=%v", a.Private, a.Notes)
	}
}

func TestProbe_FailedTLSKeepsConnectPhaseAndChain(t *testing.T) {
	ca := newCA(t)
	s := serveTLS(t, leaf(t, ca, time.Now().Add(-24*time.Hour), "probe.test"), twiml)
	p := mustProber(t, Options{Resolver: mapResolver{"probe.test": {"127.0.0.1"}}, ExtraRoots: []*x509.Certificate{ca.cert}})
	a := p.Probe(context.Background(), mustTarget(t, "https://probe.test:"+port(t, s)+"/"), Via{})
	if a.OK || a.Phases.Connect <= 0 || a.Phases.TTFB != 0 {
		t.Errorf("want failure with connect measured and no TTFB; got ok=%v phases=%+v", a.OK, a.Phases)
	}
	if len(a.Certificates) != 1 || a.Certificates[0].DaysToExpiry >= 0 {
		t.Errorf("expired chain not recorded: %+v", a.Certificates)
	}
}

func TestRun_IntermittentBadGatewayIsIntermittent(t *testing.T) {
	var n atomic.Int64
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		twiml(w, r)
	})
	p := mustProber(t, Options{Count: 9, AllowPrivate: true})
	r := p.Run(context.Background(), []Target{mustTarget(t, s.URL+"/voice")})
	ts := r.Targets[0]
	if ts.Overall.Attempts != 9 || ts.Overall.Failures != 3 {
		t.Fatalf("attempts=%d failures=%d, want 9 and 3", ts.Overall.Attempts, ts.Overall.Failures)
	}
	if ts.Overall.FailureRate < 0.33 || ts.Overall.FailureRate > 0.34 {
		t.Errorf("failure rate = %v, want ~0.33", ts.Overall.FailureRate)
	}
	if ts.Verdict != VerdictIntermittent || ts.Overall.FailuresByClass[ClassHTTPStatus] != 3 || ts.Overall.TwilioCodes["11217"] != 3 {
		t.Errorf("verdict=%q classes=%v codes=%v", ts.Verdict, ts.Overall.FailuresByClass, ts.Overall.TwilioCodes)
	}
}

func TestRun_OneOfTwoAddressesFailsIsNamed(t *testing.T) {
	s := serve(t, twiml) // listens on 127.0.0.1 only: 127.0.0.2 refuses
	p := mustProber(t, Options{Count: 2, AllowPrivate: true, Resolver: mapResolver{"multi.test": {"127.0.0.1", "127.0.0.2"}}})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://multi.test:"+port(t, s)+"/voice")})
	ts := r.Targets[0]
	if ts.Verdict != VerdictOneAddress {
		t.Fatalf("verdict = %q (%s), want %q", ts.Verdict, ts.Explanation, VerdictOneAddress)
	}
	if len(ts.BadAddresses) != 1 || ts.BadAddresses[0] != "127.0.0.2" || !strings.Contains(ts.Explanation, "127.0.0.2") {
		t.Errorf("bad addresses = %v, explanation %q", ts.BadAddresses, ts.Explanation)
	}
	if len(ts.PerAddress) != 2 || ts.PerAddress[1].FailuresByClass[ClassRefused] != 2 || ts.PerAddress[1].TwilioCodes["11202"] != 2 {
		t.Errorf("per-address = %+v", ts.PerAddress)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r.Targets); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "address 127.0.0.2") || !strings.Contains(buf.String(), VerdictOneAddress) {
		t.Errorf("table does not name the bad address:\n%s", buf.String())
	}
}

func TestRun_ResolveBypassComparesLoadBalancerAndOrigin(t *testing.T) {
	lb := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	})
	ln, err := net.Listen("tcp", "127.0.0.2:"+port(t, lb))
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	origin := &http.Server{Handler: http.HandlerFunc(twiml), ReadHeaderTimeout: time.Second}
	go func() { _ = origin.Serve(ln) }()
	t.Cleanup(func() { origin.Close() })

	ro, err := ParseResolve("shop.test:" + port(t, lb) + ":127.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	p := mustProber(t, Options{Count: 2, AllowPrivate: true, Resolve: []ResolveOverride{ro}, Resolver: mapResolver{"shop.test": {"127.0.0.1"}}})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://shop.test:"+port(t, lb)+"/voice")})
	ts := r.Targets[0]
	if ts.Verdict != VerdictLBFails || len(ts.Direct) != 1 || ts.Direct[0].Failures != 0 || ts.Overall.Failures != 2 {
		t.Errorf("verdict=%q overall=%+v direct=%+v", ts.Verdict, ts.Overall, ts.Direct)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r.Targets); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "direct 127.0.0.2") {
		t.Errorf("table lacks the direct row:\n%s", buf.String())
	}
}

func TestRun_PrivateTargetIsUnreachableForTwilio(t *testing.T) {
	s := serve(t, twiml)
	p := mustProber(t, Options{Count: 1})
	r := p.Run(context.Background(), []Target{mustTarget(t, s.URL)})
	if !r.Attempts[0].OK {
		t.Fatalf("loopback attempt should still succeed: %s", r.Attempts[0].Error)
	}
	if r.Targets[0].Verdict != VerdictPrivate {
		t.Errorf("verdict = %q, want %q", r.Targets[0].Verdict, VerdictPrivate)
	}
}

func TestRun_DNSAnswersThatChangeAreReported(t *testing.T) {
	s := serve(t, twiml)
	var calls atomic.Int64
	res := resolverFunc(func(_ context.Context, _ string) ([]net.IPAddr, error) {
		if calls.Add(1)%2 == 0 {
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}, {IP: net.ParseIP("127.0.0.3")}}, nil
		}
		return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
	})
	p := mustProber(t, Options{Count: 2, AllowPrivate: true, Resolver: res, PerAddress: PerAddressOff})
	r := p.Run(context.Background(), []Target{mustTarget(t, "http://dyn.test:"+port(t, s)+"/")})
	ts := r.Targets[0]
	if !ts.DNSChanged || len(ts.DNSAnswers) != 2 || !strings.Contains(ts.Explanation, "DNS answer changed") {
		t.Errorf("dns changed=%v answers=%+v explanation=%q", ts.DNSChanged, ts.DNSAnswers, ts.Explanation)
	}
}

type resolverFunc func(ctx context.Context, host string) ([]net.IPAddr, error)

func (f resolverFunc) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return f(ctx, host)
}

func TestRun_CancelKeepsWhatWasMeasured(t *testing.T) {
	s := serve(t, twiml)
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
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		twiml(w, r)
	})
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

func TestProbe_ProxyFromEnvironmentIsUsed(t *testing.T) {
	envProxyOnce.Do(func() {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			envProxySaw.Store(r.URL.Host == "webhook.example:80")
			twiml(w, r)
		}))
		envProxyURL = s.URL
	})
	envProxySaw.Store(false)
	t.Setenv("HTTP_PROXY", envProxyURL)
	t.Setenv("NO_PROXY", "")
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

// rawServer answers every connection with reply and closes it.
func rawServer(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				_, _ = c.Read(buf)
				_, _ = c.Write([]byte(reply))
			}()
		}
	}()
	return ln.Addr().String()
}
