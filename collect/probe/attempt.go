package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// MaxBody is the largest response body Twilio accepts (error 11750 above).
const MaxBody = 64 * 1024

// maxMeasuredBody bounds how much of a body is read to measure its size.
const maxMeasuredBody = 1 << 20

// Modes of an attempt: how the address to connect to was chosen.
const (
	// ModeDNS resolves the name as Twilio does (through the load balancer,
	// round-robin DNS …); successive samples rotate through the answers.
	ModeDNS = "dns"
	// ModeAddress connects to one address of the DNS answer, to find the
	// bad backend behind round-robin DNS.
	ModeAddress = "address"
	// ModeDirect connects to the address of a --resolve override (the
	// origin behind the load balancer).
	ModeDirect = "direct"
)

// Failed phases.
const (
	PhaseDNS         = "dns"
	PhaseConnect     = "connect"
	PhaseTLS         = "tls"
	PhaseResponse    = "response"
	PhaseBody        = "body"
	PhaseStatus      = "status"
	PhaseRedirect    = "redirect"
	PhaseContentType = "content_type"
)

// ErrorClass is what kind of failure ended one attempt.
type ErrorClass string

// Error classes, each with the Twilio error code the same failure produces.
const (
	ClassDNS            ErrorClass = "dns"                  // 11210
	ClassRefused        ErrorClass = "connect_refused"      // 11202
	ClassConnectTimeout ErrorClass = "connect_timeout"      // 11201 (11205)
	ClassConnect        ErrorClass = "connect_error"        // 11205
	ClassTLS            ErrorClass = "tls_handshake"        // 11220
	ClassTLSName        ErrorClass = "tls_name_mismatch"    // 11235
	ClassTLSExpired     ErrorClass = "tls_expired"          // 11236
	ClassTLSUnknownCA   ErrorClass = "tls_unknown_chain"    // 11237: self-signed or an unknown root
	ClassTLSIncomplete  ErrorClass = "tls_incomplete_chain" // 11237: the server does not send its intermediate
	ClassReadTimeout    ErrorClass = "read_timeout"         // 11205 (11200)
	ClassTotalTimeout   ErrorClass = "total_timeout"        // 11203
	ClassProtocol       ErrorClass = "http_protocol"        // 11206
	ClassClosed         ErrorClass = "connection_closed"    // 11205 (11200)
	ClassHTTPStatus     ErrorClass = "http_status"          // 11217
	ClassRedirectLoop   ErrorClass = "redirect_loop"        // 11215
	ClassBadRedirect    ErrorClass = "invalid_redirect"     // 11216
	ClassContentType    ErrorClass = "no_content_type"      // 12300
	ClassBodyTooLarge   ErrorClass = "body_too_large"       // 11750
	ClassCanceled       ErrorClass = "canceled"             // stopped by the user; not a failure
)

// NoteRefusedGet is the note on a plain GET the application refused with
// 403 or 405: the URL reaches the application, which expects Twilio's signed
// request (or its POST); such an attempt counts as reachable. A 405 to a GET
// when the webhook is configured for GET is no such note: it is the cause.
const NoteRefusedGet = "HTTP %d to a plain GET: the URL reaches the application, which expects Twilio's signed request (check it with --style twilio)"

// NotePrivate is the note on an attempt whose address Twilio cannot reach.
const NotePrivate = "Twilio cannot reach this address (private, loopback or link-local)"

// Phases are the durations of one attempt in milliseconds. Phases that did
// not run (or did not finish) are 0. TTFB and Total count from the start of
// the attempt, like curl's time_starttransfer and time_total.
type Phases struct {
	DNS        float64 `json:"dns_ms" csv:"dns_ms"`
	Connect    float64 `json:"connect_ms" csv:"connect_ms"`
	TLS        float64 `json:"tls_ms" csv:"tls_ms"`
	Processing float64 `json:"processing_ms" csv:"processing_ms"`
	Transfer   float64 `json:"transfer_ms" csv:"transfer_ms"`
	TTFB       float64 `json:"ttfb_ms" csv:"ttfb_ms"`
	Total      float64 `json:"total_ms" csv:"total_ms"`
}

// Cert describes one certificate of the chain the server presented.
type Cert struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SANs         []string  `json:"sans,omitempty"`
	NotAfter     time.Time `json:"not_after"`
	DaysToExpiry int       `json:"days_to_expiry"`
}

// Attempt is one request to one target, with everything measured.
type Attempt struct {
	Time   time.Time `json:"time"`
	Target string    `json:"target"`
	Mode   string    `json:"mode"`
	Sample int       `json:"sample"`
	Style  string    `json:"style"`
	Method string    `json:"method"`
	// ReadTimeoutMs is the effective read timeout (rt) the URL gives Twilio.
	ReadTimeoutMs float64 `json:"read_timeout_ms"`
	// ConnectTimeoutMs and TotalTimeoutMs are the effective connect (ct)
	// and total (tt) timeouts.
	ConnectTimeoutMs float64 `json:"connect_timeout_ms,omitempty"`
	TotalTimeoutMs   float64 `json:"total_timeout_ms,omitempty"`
	// WebhookMethod is the method the webhook is configured with, when the
	// caller knew it (Target.Method).
	WebhookMethod string `json:"webhook_method,omitempty"`
	// Resolved is every address (A and AAAA) the name resolved to.
	Resolved []string `json:"resolved,omitempty"`
	// Address is the address connected to (or tried).
	Address string `json:"address,omitempty"`
	// Private is true when Address is one Twilio cannot reach.
	Private      bool   `json:"private,omitempty"`
	Phases       Phases `json:"phases"`
	TLSVersion   string `json:"tls_version,omitempty"`
	Cipher       string `json:"cipher,omitempty"`
	Certificates []Cert `json:"certificates,omitempty"`
	HTTPVersion  string `json:"http_version,omitempty"`
	Status       int    `json:"status,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	BodyBytes    int64  `json:"body_bytes"`
	// Allow is the response's Allow header (the methods a 405 accepts).
	Allow string `json:"allow,omitempty"`
	// Location is the Location of a redirect that was not followed.
	Location  string   `json:"location,omitempty"`
	Redirects []string `json:"redirects,omitempty"`
	// MissingIssuer is the certificate the server should have sent: the
	// issuer of the last certificate of its chain, when that certificate is
	// not self-signed. IssuerURL is where the certificate says its issuer
	// can be fetched (AIA); IssuerFetched is true when the certificate
	// fetched from there completed a chain to a trusted root.
	MissingIssuer string     `json:"missing_issuer,omitempty"`
	IssuerURL     string     `json:"issuer_url,omitempty"`
	IssuerFetched bool       `json:"issuer_fetched,omitempty"`
	OK            bool       `json:"ok"`
	FailedPhase   string     `json:"failed_phase,omitempty"`
	ErrorClass    ErrorClass `json:"error_class,omitempty"`
	// TwilioCode is the Twilio error the same failure produces; TwilioAltCode
	// the other code Twilio shows for it in some products (11205/11200).
	TwilioCode    int      `json:"twilio_code,omitempty"`
	TwilioAltCode int      `json:"twilio_alt_code,omitempty"`
	Error         string   `json:"error,omitempty"`
	Notes         []string `json:"notes,omitempty"`
}

// Via says how one attempt picks the address it connects to.
type Via struct {
	// Mode is ModeDNS, ModeAddress or ModeDirect.
	Mode string
	// Addr is the address to connect to (ModeAddress, ModeDirect).
	Addr string
	// Sample numbers the sample; ModeDNS uses it to rotate through the
	// addresses of the answer, as round-robin DNS clients do.
	Sample int
}

// recorder collects httptrace events; hooks can run on the Transport's
// dialing goroutine, hence the lock.
type recorder struct {
	mu sync.Mutex

	dns                             time.Duration
	dnsStart                        time.Time
	connectStart, connectDone       time.Time
	connect                         time.Duration
	tlsStart, tlsDone               time.Time
	tls                             time.Duration
	wrote, firstByte                time.Time
	connState                       *tls.ConnectionState
	certs                           []*x509.Certificate
	remote                          string
	dnsFailed, connFailed, tlsFaild bool
}

func (r *recorder) lock() func() { r.mu.Lock(); return r.mu.Unlock }

func (r *recorder) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectStart: func(_, _ string) {
			defer r.lock()()
			r.connectStart = time.Now()
		},
		ConnectDone: func(_, _ string, err error) {
			defer r.lock()()
			if err != nil {
				r.connFailed = true
				return
			}
			r.connectDone = time.Now()
			r.connect += r.connectDone.Sub(r.connectStart)
		},
		TLSHandshakeStart: func() {
			defer r.lock()()
			r.tlsStart = time.Now()
		},
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			defer r.lock()()
			if err != nil {
				r.tlsFaild = true
				return
			}
			r.tlsDone = time.Now()
			r.tls += r.tlsDone.Sub(r.tlsStart)
			r.connState = &cs
		},
		GotConn: func(info httptrace.GotConnInfo) {
			defer r.lock()()
			if info.Conn != nil {
				r.remote = info.Conn.RemoteAddr().String()
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			defer r.lock()()
			r.wrote = time.Now()
		},
		GotFirstResponseByte: func() {
			defer r.lock()()
			r.firstByte = time.Now()
		},
	}
}

// Probe makes one attempt on t and returns what it measured. It never
// returns an error: a failure is described in the Attempt.
func (p *Prober) Probe(ctx context.Context, t Target, via Via) Attempt {
	release := p.acquire(ctx, t.URL.Hostname())
	defer release()

	start := time.Now()
	a := Attempt{Time: p.now().UTC(), Target: t.String(), Mode: via.Mode, Sample: via.Sample, Style: p.opts.Style}
	if a.Mode == "" {
		a.Mode = ModeDNS
	}
	a.ReadTimeoutMs = float64(t.Overrides.ReadTimeout.Milliseconds())
	a.ConnectTimeoutMs = float64(t.Overrides.ConnectTimeout.Milliseconds())
	a.TotalTimeoutMs = float64(t.Overrides.TotalTimeout.Milliseconds())
	a.WebhookMethod = t.Method
	rec := &recorder{}
	// Twilio gives up at tt; the attempt keeps waiting a little longer, so
	// that a slow answer is measured ("needs 3 s") rather than only known to
	// be late. judge fails it all the same.
	total := t.Overrides.TotalTimeout
	ctx, cancel := context.WithTimeoutCause(ctx, total+Grace(total), errTotalTimeout)
	defer cancel()

	host := t.URL.Hostname()
	forced := via.Addr
	proxied := p.proxyFor(t.URL) != nil
	if proxied {
		a.Notes = append(a.Notes, "sent through the HTTP proxy from the environment; DNS and connect timings are the proxy's")
	}
	if forced == "" && !proxied {
		if ip := net.ParseIP(host); ip != nil {
			a.Resolved = []string{ip.String()}
		} else {
			dnsStart := time.Now()
			addrs, err := p.resolver.LookupIPAddr(ctx, host)
			rec.dns = time.Since(dnsStart)
			if err == nil && len(addrs) == 0 {
				err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
			}
			if err != nil {
				rec.dnsFailed = true
				p.finish(ctx, &a, t, rec, start, fmt.Errorf("resolve %s: %w", host, err))
				return a
			}
			for _, ad := range addrs {
				a.Resolved = append(a.Resolved, ad.IP.String())
			}
		}
		forced = a.Resolved[via.Sample%len(a.Resolved)]
	}
	if forced != "" {
		a.Address = forced
		if ip := net.ParseIP(forced); ip != nil && !Reachable(ip) {
			a.Private = true
			a.Notes = append(a.Notes, NotePrivate)
		}
	}

	u := *t.URL
	cur := &u
	method, body, header, err := p.request(cur)
	if err != nil {
		p.finish(ctx, &a, t, rec, start, err)
		return a
	}
	a.Method = method
	tr := p.transport(t, forced, rec)
	defer tr.CloseIdleConnections()

	seen := map[string]bool{cur.String(): true}
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, rec.trace()), method, cur.String(), strings.NewReader(body))
		if err != nil {
			p.finish(ctx, &a, t, rec, start, fmt.Errorf("build request: %w", err))
			return a
		}
		req.Header = header.Clone()
		if cur.User != nil {
			// Twilio authenticates with the credentials of the URL.
			pw, _ := cur.User.Password()
			req.SetBasicAuth(cur.User.Username(), pw)
		}
		if p.opts.Style == StyleTwilio {
			req.Header.Set("X-Twilio-Signature", p.sign(cur, body))
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			p.finish(ctx, &a, t, rec, start, err)
			return a
		}
		a.Status = resp.StatusCode
		a.HTTPVersion = resp.Proto
		a.ContentType = resp.Header.Get("Content-Type")
		a.Allow = resp.Header.Get("Allow")
		n, readErr := io.Copy(io.Discard, io.LimitReader(resp.Body, maxMeasuredBody))
		resp.Body.Close()
		a.BodyBytes = n
		if readErr != nil {
			p.finish(ctx, &a, t, rec, start, &phaseError{phase: PhaseBody, err: fmt.Errorf("read body: %w", readErr)})
			return a
		}
		if !isRedirect(resp.StatusCode) {
			p.finish(ctx, &a, t, rec, start, nil)
			return a
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode == http.StatusPermanentRedirect || loc == "" {
			a.Location = loc
			p.finish(ctx, &a, t, rec, start, &failure{phase: PhaseRedirect, class: ClassBadRedirect, code: twiliocodes.HTTPBadRedirect,
				msg: fmt.Sprintf("HTTP %d redirect%s: Twilio follows only 301, 302, 303 and 307 with a Location", resp.StatusCode, map[bool]string{true: " without Location"}[loc == ""])})
			return a
		}
		next, err := cur.Parse(loc)
		if err != nil {
			p.finish(ctx, &a, t, rec, start, &failure{phase: PhaseRedirect, class: ClassBadRedirect, code: twiliocodes.HTTPBadRedirect, msg: fmt.Sprintf("redirect to unparsable Location %q", loc)})
			return a
		}
		next.Fragment, next.RawFragment = "", ""
		a.Redirects = append(a.Redirects, next.String())
		if seen[next.String()] || hop+1 >= p.opts.MaxRedirects {
			p.finish(ctx, &a, t, rec, start, &failure{phase: PhaseRedirect, class: ClassRedirectLoop, code: twiliocodes.HTTPTooManyRedirects,
				msg: fmt.Sprintf("redirect loop or more than %d redirects (last to %s)", p.opts.MaxRedirects, next)})
			return a
		}
		seen[next.String()] = true
		if resp.StatusCode != http.StatusTemporaryRedirect && method != http.MethodGet && method != http.MethodHead {
			method, body = http.MethodGet, ""
			header.Del("Content-Type")
		}
		cur = next
		rec.mu.Lock()
		rec.wrote, rec.firstByte = time.Time{}, time.Time{}
		rec.mu.Unlock()
	}
}

// Grace is how much longer than a timeout d an attempt waits, to measure
// an answer that comes too late for Twilio: d itself, at most 3 s.
func Grace(d time.Duration) time.Duration { return min(d, 3*time.Second) }

func isRedirect(code int) bool {
	return code >= 300 && code < 400 && code != http.StatusNotModified
}

var errTotalTimeout = errors.New("total timeout (tt) reached")

// failure is a failure decided from a response (not a transport error).
type failure struct {
	phase     string
	class     ErrorClass
	code, alt twiliocodes.Code
	msg       string
}

// seconds formats a timeout the way the fragment gives it: "2 s", "1.5 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func (f *failure) Error() string { return f.msg }

// phaseError pins an error to the phase it happened in.
type phaseError struct {
	phase string
	err   error
}

func (e *phaseError) Error() string { return e.err.Error() }
func (e *phaseError) Unwrap() error { return e.err }

// finish fills the phases, judges the response and classifies err.
func (p *Prober) finish(ctx context.Context, a *Attempt, t Target, rec *recorder, start time.Time, err error) {
	end := time.Now()
	defer rec.lock()()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	a.Phases.DNS = ms(rec.dns)
	a.Phases.Connect = ms(rec.connect)
	a.Phases.TLS = ms(rec.tls)
	if !rec.firstByte.IsZero() {
		if !rec.wrote.IsZero() {
			a.Phases.Processing = ms(rec.firstByte.Sub(rec.wrote))
		}
		a.Phases.TTFB = ms(rec.firstByte.Sub(start))
		a.Phases.Transfer = ms(end.Sub(rec.firstByte))
	}
	a.Phases.Total = ms(end.Sub(start))
	if rec.remote != "" {
		if h, _, splitErr := net.SplitHostPort(rec.remote); splitErr == nil {
			a.Address = h
		}
	}
	if cs := rec.connState; cs != nil {
		a.TLSVersion = tls.VersionName(cs.Version)
		a.Cipher = tls.CipherSuiteName(cs.CipherSuite)
	}
	now := p.now()
	for _, c := range rec.certs {
		a.Certificates = append(a.Certificates, Cert{
			Subject:      c.Subject.String(),
			Issuer:       c.Issuer.String(),
			SANs:         sans(c),
			NotAfter:     c.NotAfter.UTC(),
			DaysToExpiry: int(c.NotAfter.Sub(now).Hours() / 24),
		})
	}

	if err == nil {
		err = judge(a, t)
	}
	if f := (*failure)(nil); errors.As(err, &f) && f.class == ClassHTTPStatus && refusedGet(a) {
		// A plain GET refused by the application (signature validation,
		// POST-only route) shows the URL reaches it; Twilio's signed POST is
		// another matter, which --style twilio checks.
		a.Notes = append(a.Notes, fmt.Sprintf(NoteRefusedGet, a.Status))
		err = nil
	}
	if err == nil {
		a.OK = true
		return
	}
	a.Error = err.Error()
	var f *failure
	if errors.As(err, &f) {
		a.FailedPhase, a.ErrorClass, a.TwilioCode, a.TwilioAltCode = f.phase, f.class, int(f.code), int(f.alt)
		return
	}
	a.FailedPhase = rec.phase(err)
	if a.FailedPhase == PhaseBody && a.Status == 0 {
		// Bytes arrived but never made a response.
		a.FailedPhase = PhaseResponse
	}
	class, code, alt := classify(ctx, err, a.FailedPhase, t)
	a.ErrorClass, a.TwilioCode, a.TwilioAltCode = class, int(code), int(alt)
	if a.ErrorClass == ClassTLSUnknownCA && len(rec.certs) > 0 {
		p.diagnoseChain(ctx, a, rec.certs)
	}
}

// refusedGet reports whether a plain GET was refused the way an
// application that wants Twilio's signed POST refuses it: 403, or 405
// unless the webhook itself is configured for GET.
func refusedGet(a *Attempt) bool {
	if a.Style != StyleGet {
		return false
	}
	return a.Status == http.StatusForbidden || a.Status == http.StatusMethodNotAllowed && a.WebhookMethod != http.MethodGet
}

// judge applies Twilio's rules to a response that arrived: in time, with a
// status below 400, a body of at most 64 kB with a Content-Type.
func judge(a *Attempt, t Target) error {
	rt, tt := t.Overrides.ReadTimeout, t.Overrides.TotalTimeout
	late := func(ms float64, limit time.Duration) bool { return ms > float64(limit.Milliseconds()) }
	switch {
	case late(a.Phases.Processing, rt):
		return &failure{phase: PhaseResponse, class: ClassReadTimeout, code: twiliocodes.HTTPConnectionFailure, alt: twiliocodes.HTTPRetrievalFailure,
			msg: fmt.Sprintf("answered after %.1f s, past the %s read timeout (rt): Twilio gives up first", a.Phases.Processing/1000, seconds(rt))}
	case late(a.Phases.Total, tt) && t.Overrides.IsSet("tt"):
		return &failure{phase: PhaseResponse, class: ClassTotalTimeout, code: twiliocodes.HTTPTotalTimeout, alt: twiliocodes.HTTPConnectionFailure,
			msg: fmt.Sprintf("took %.1f s in all, past the %s total timeout (tt): Twilio gives up first", a.Phases.Total/1000, seconds(tt))}
	case late(a.Phases.Total, tt):
		return &failure{phase: PhaseResponse, class: ClassReadTimeout, code: twiliocodes.HTTPConnectionFailure, alt: twiliocodes.HTTPRetrievalFailure,
			msg: fmt.Sprintf("took %.1f s in all, past Twilio's %s limit", a.Phases.Total/1000, seconds(tt))}
	case a.Status >= 400:
		return &failure{phase: PhaseStatus, class: ClassHTTPStatus, code: twiliocodes.HTTPErrorResponse, msg: fmt.Sprintf("HTTP %d response", a.Status)}
	case a.BodyBytes > MaxBody:
		return &failure{phase: PhaseBody, class: ClassBodyTooLarge, code: twiliocodes.ResponseBodyTooLarge, msg: fmt.Sprintf("response body larger than %d bytes", MaxBody)}
	case a.Status < 300 && a.BodyBytes > 0 && strings.TrimSpace(a.ContentType) == "":
		return &failure{phase: PhaseContentType, class: ClassContentType, code: twiliocodes.InvalidContentType, msg: "response has a body but no Content-Type"}
	}
	return nil
}

// phase names the phase err interrupted, from what the trace saw finish.
func (r *recorder) phase(err error) string {
	var pe *phaseError
	switch {
	case errors.As(err, &pe):
		return pe.phase
	case r.dnsFailed:
		return PhaseDNS
	case r.connectDone.IsZero():
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return PhaseDNS
		}
		return PhaseConnect
	case r.tlsFaild || (!r.tlsStart.IsZero() && r.tlsDone.IsZero()):
		return PhaseTLS
	case r.firstByte.IsZero():
		if isTLSError(err) {
			return PhaseTLS
		}
		return PhaseResponse
	default:
		return PhaseBody
	}
}

func isTLSError(err error) bool {
	var (
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		ua  x509.UnknownAuthorityError
		cve *tls.CertificateVerificationError
		ae  tls.AlertError
		rhe tls.RecordHeaderError
	)
	return errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &ua) || errors.As(err, &cve) || errors.As(err, &ae) || errors.As(err, &rhe)
}

// classify maps a transport error to an error class and Twilio's codes.
func classify(ctx context.Context, err error, phase string, t Target) (class ErrorClass, code, alt twiliocodes.Code) {
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return ClassCanceled, 0, 0
	}
	var (
		dnsErr *net.DNSError
		he     x509.HostnameError
		ci     x509.CertificateInvalidError
		ua     x509.UnknownAuthorityError
	)
	switch {
	case phase == PhaseDNS || errors.As(err, &dnsErr) && !isTimeout(err):
		return ClassDNS, twiliocodes.HTTPBadHostName, 0
	case errors.As(err, &he):
		return ClassTLSName, twiliocodes.CertificateNameInvalid, 0
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return ClassTLSExpired, twiliocodes.CertificateExpired, 0
	case errors.As(err, &ua):
		return ClassTLSUnknownCA, twiliocodes.CertificateChainError, 0
	case isRefused(err):
		return ClassRefused, twiliocodes.HTTPConnectRefused, 0
	case isTimeout(err) || errors.Is(context.Cause(ctx), errTotalTimeout):
		switch phase {
		case PhaseConnect:
			return ClassConnectTimeout, twiliocodes.HTTPConnectTimeout, twiliocodes.HTTPConnectionFailure
		case PhaseTLS:
			return ClassTLS, twiliocodes.TLSHandshakeError, twiliocodes.HTTPConnectionFailure
		}
		if errors.Is(context.Cause(ctx), errTotalTimeout) && t.Overrides.IsSet("tt") {
			return ClassTotalTimeout, twiliocodes.HTTPTotalTimeout, twiliocodes.HTTPConnectionFailure
		}
		return ClassReadTimeout, twiliocodes.HTTPConnectionFailure, twiliocodes.HTTPRetrievalFailure
	case phase == PhaseTLS || isTLSError(err):
		return ClassTLS, twiliocodes.TLSHandshakeError, 0
	case phase == PhaseConnect:
		return ClassConnect, twiliocodes.HTTPConnectionFailure, 0
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err):
		return ClassClosed, twiliocodes.HTTPConnectionFailure, twiliocodes.HTTPRetrievalFailure
	default:
		return ClassProtocol, twiliocodes.HTTPProtocolViolation, 0
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func sans(c *x509.Certificate) []string {
	out := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// Reachable reports whether Twilio could connect to ip: false for private
// (RFC 1918, RFC 4193), loopback, link-local, unspecified and CGNAT
// (100.64.0.0/10) addresses.
func Reachable(ip net.IP) bool {
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	if v4 := ip.To4(); v4 != nil && v4[0] == 100 && v4[1]&0xc0 == 64 {
		return false
	}
	return true
}

// transport builds a fresh Transport for one attempt: no connection reuse,
// Twilio's connect and read timeouts, the chosen address, certificate
// capture and verification.
func (p *Prober) transport(t Target, forced string, rec *recorder) *http.Transport {
	targetHost := t.URL.Hostname()
	targetHostPort := t.HostPort()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		ip := host
		switch {
		case forced != "" && addr == targetHostPort:
			ip = forced
		case net.ParseIP(host) == nil:
			// A redirect to another host or the proxy: resolve it through
			// the same resolver, timed as DNS.
			rec.mu.Lock()
			rec.dnsStart = time.Now()
			rec.mu.Unlock()
			ip, err = p.lookupFirst(ctx, host)
			rec.mu.Lock()
			rec.dns += time.Since(rec.dnsStart)
			rec.mu.Unlock()
			if err != nil {
				return nil, err
			}
		}
		return p.dial(ctx, network, net.JoinHostPort(ip, port), t.Overrides.ConnectTimeout)
	}
	tlsConfig := func(serverName string) *tls.Config {
		cfg := &tls.Config{
			// Verification is done in VerifyConnection so that the chain
			// is recorded even when it does not verify.
			InsecureSkipVerify: true, //nolint:gosec // verified below
			VerifyConnection: func(cs tls.ConnectionState) error {
				rec.mu.Lock()
				rec.certs = cs.PeerCertificates
				rec.mu.Unlock()
				if len(cs.PeerCertificates) == 0 {
					return errors.New("server sent no certificate")
				}
				opts := x509.VerifyOptions{DNSName: serverName, Roots: p.roots, Intermediates: x509.NewCertPool()}
				for _, c := range cs.PeerCertificates[1:] {
					opts.Intermediates.AddCert(c)
				}
				_, err := cs.PeerCertificates[0].Verify(opts)
				return err
			},
			NextProtos: []string{"http/1.1"},
		}
		if p.opts.Style != StyleTwilio {
			cfg.NextProtos = []string{"h2", "http/1.1"}
		}
		if t.Overrides.SNI {
			cfg.ServerName = serverName
		}
		return cfg
	}
	return &http.Transport{
		Proxy:       p.proxyFunc,
		DialContext: dial,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			rec.mu.Lock()
			rec.tlsStart = time.Now()
			rec.mu.Unlock()
			hctx, cancel := context.WithTimeout(ctx, t.Overrides.ReadTimeout)
			defer cancel()
			tc := tls.Client(conn, tlsConfig(host))
			if err := tc.HandshakeContext(hctx); err != nil {
				conn.Close()
				rec.mu.Lock()
				rec.tlsFaild = true
				rec.mu.Unlock()
				return nil, fmt.Errorf("TLS handshake with %s: %w", addr, err)
			}
			cs := tc.ConnectionState()
			rec.mu.Lock()
			rec.tlsDone = time.Now()
			rec.tls += rec.tlsDone.Sub(rec.tlsStart)
			rec.connState = &cs
			rec.mu.Unlock()
			return tc, nil
		},
		TLSClientConfig:        tlsConfig(targetHost),
		TLSHandshakeTimeout:    t.Overrides.ReadTimeout,
		ResponseHeaderTimeout:  t.Overrides.ReadTimeout + Grace(t.Overrides.ReadTimeout),
		DisableKeepAlives:      true,
		ForceAttemptHTTP2:      p.opts.Style != StyleTwilio,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// lookupFirst resolves host through the prober's resolver to its first
// address.
func (p *Prober) lookupFirst(ctx context.Context, host string) (string, error) {
	addrs, err := p.resolver.LookupIPAddr(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", host, err)
	}
	return addrs[0].IP.String(), nil
}

// dial connects to ip:port with the connect timeout ct, through
// Options.Dial when it is set.
func (p *Prober) dial(ctx context.Context, network, ipPort string, ct time.Duration) (net.Conn, error) {
	if p.opts.Dial != nil {
		dctx, cancel := context.WithTimeout(ctx, ct)
		defer cancel()
		return p.opts.Dial(dctx, network, ipPort)
	}
	d := net.Dialer{Timeout: ct}
	return d.DialContext(ctx, network, ipPort)
}

func (p *Prober) proxyFor(u *url.URL) *url.URL {
	pu, err := p.proxyFunc(&http.Request{URL: u})
	if err != nil {
		return nil
	}
	return pu
}
