package collect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// FailureClass is what kind of failure ended a request or a collector.
type FailureClass string

// Failure classes.
const (
	// FailDNS: the host's name does not resolve.
	FailDNS FailureClass = "dns"
	// FailConnect: no TCP connection to the host (refused, unreachable,
	// timed out while connecting).
	FailConnect FailureClass = "connect"
	// FailTLS: the TLS handshake failed (a certificate not trusted, a
	// protocol error).
	FailTLS FailureClass = "tls"
	// FailProxy: the proxy of HTTPS_PROXY did not open the connection.
	FailProxy FailureClass = "proxy"
	// FailDropped: the connection was made, then closed before the answer.
	FailDropped FailureClass = "dropped"
	// FailHTTP: the server answered with an error status.
	FailHTTP FailureClass = "http"
	// FailTimeout: no answer before a deadline.
	FailTimeout FailureClass = "timeout"
	// FailDeadline: the run's deadline (--timeout) passed.
	FailDeadline FailureClass = "deadline"
	// FailInterrupted: the run was interrupted (Ctrl-C).
	FailInterrupted FailureClass = "interrupted"
	// FailOther: anything else (a file that cannot be read …).
	FailOther FailureClass = "error"
)

// Failure is a failure classified for the people who read about it: its
// class, the host it happened with, Twilio's answer when there was one and
// a short cause. The raw error stays in CollectorStatus.Reason (the
// manifest); sentences are made from a Failure by the writers' catalogs.
type Failure struct {
	Class FailureClass `json:"class"`
	// Host is the host name of the request that failed (the name that does
	// not resolve, for FailDNS).
	Host string `json:"host,omitempty"`
	// Addr is the address connected to when it says more than Host: the
	// IP and port, or the proxy.
	Addr string `json:"addr,omitempty"`
	// HTTPStatus and TwilioCode are the error answer (FailHTTP).
	HTTPStatus int `json:"http_status,omitempty"`
	TwilioCode int `json:"twilio_code,omitempty"`
	// After is the deadline that passed (FailTimeout), as a duration.
	After string `json:"after,omitempty"`
	// Detail is the short cause in the words of the system: "no such host",
	// "connection refused", "certificate signed by unknown authority".
	Detail string `json:"detail,omitempty"`
}

// Unreachable reports whether the failure means the host could not be
// reached at all: its name, a connection, TLS or the proxy failed.
func (f Failure) Unreachable() bool {
	switch f.Class {
	case FailDNS, FailConnect, FailTLS, FailProxy:
		return true
	}
	return false
}

// Rejected reports whether the failure is Twilio refusing the credentials
// (HTTP 401, error 20003).
func (f Failure) Rejected() bool {
	return f.Class == FailHTTP && (f.HTTPStatus == http.StatusUnauthorized || f.TwilioCode == 20003)
}

// maxDetail bounds Failure.Detail: it is one part of one line.
const maxDetail = 160

// decodeStatus finds the status code in twilio-go's error for an error
// answer whose body is not Twilio's JSON (a proxy's HTML page).
var decodeStatus = regexp.MustCompile(`HTTP error code: (\d{3})`)

// ClassifyError classifies err, the error of one request or of a collector
// made of many (the first failure found in a joined error decides).
func ClassifyError(err error) Failure {
	var f Failure
	if err == nil {
		return f
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			f.Host = u.Hostname()
		}
	}
	var (
		te   *client.TwilioRestError
		ve   *client.RestErrorV1
		se   *twiliostatus.HTTPError
		dns  *net.DNSError
		op   *net.OpError
		cert *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &te):
		f.Class, f.HTTPStatus, f.TwilioCode = FailHTTP, te.Status, te.Code
	case errors.As(err, &ve):
		f.Class, f.HTTPStatus, f.TwilioCode = FailHTTP, ve.HttpStatusCode, ve.Code
	case errors.As(err, &se):
		f.Class, f.HTTPStatus, f.Host = FailHTTP, se.StatusCode, hostOnly(se.Host)
	case errors.As(err, &cert) || isTLSError(err):
		f.Class, f.Detail = FailTLS, tlsDetail(err)
	case errors.As(err, &op) && op.Op == "proxyconnect":
		f.Class, f.Detail = FailProxy, shortCause(op.Err)
		if inner := (*net.OpError)(nil); errors.As(op.Err, &inner) && inner.Addr != nil {
			f.Addr = inner.Addr.String()
		} else if d := (*net.DNSError)(nil); errors.As(op.Err, &d) {
			f.Addr = d.Name
		}
	case errors.As(err, &dns):
		f.Class, f.Host, f.Detail = FailDNS, dns.Name, dns.Err
	case errors.As(err, &op) && op.Op == "dial":
		f.Class, f.Detail = FailConnect, shortCause(op.Err)
		if op.Addr != nil {
			f.Addr = op.Addr.String()
		}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
		f.Class, f.Detail = FailDropped, shortCause(err)
	case errors.Is(err, context.Canceled):
		f.Class = FailInterrupted
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		f.Class = FailTimeout
	default:
		if m := decodeStatus.FindStringSubmatch(err.Error()); m != nil {
			f.Class = FailHTTP
			f.HTTPStatus, _ = strconv.Atoi(m[1])
			break
		}
		f.Class, f.Detail = FailOther, shorten(err.Error())
	}
	return f
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isTLSError reports the errors of a TLS handshake and of verifying the
// server's certificate.
func isTLSError(err error) bool {
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		rh  tls.RecordHeaderError
		al  tls.AlertError
		ech *tls.ECHRejectionError
	)
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) ||
		errors.As(err, &rh) || errors.As(err, &al) || errors.As(err, &ech) ||
		strings.Contains(err.Error(), "tls: ")
}

// tlsDetail is the certificate's or the handshake's own words, without the
// package prefix.
func tlsDetail(err error) string {
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		err = cert.Err
	}
	s := err.Error()
	if i := strings.LastIndex(s, "x509: "); i >= 0 {
		s = s[i+len("x509: "):]
	} else if i := strings.LastIndex(s, "tls: "); i >= 0 {
		s = s[i+len("tls: "):]
	}
	return shorten(s)
}

// shortCause is the innermost words of a network error: "connection
// refused", "i/o timeout", "no such host".
func shortCause(err error) string {
	if err == nil {
		return ""
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Name + ": " + dns.Err
	}
	if isTimeout(err) {
		return "timed out"
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the answer"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return shorten(s)
}

// shorten keeps one line of at most maxDetail runes.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxDetail {
		s = string(r[:maxDetail-1]) + "…"
	}
	return s
}

// requestNote remembers the host of the last request a collector sent and
// of the last one answered with an error status: a Twilio error answer does
// not say which host gave it, nor does a deadline that passed mid-request.
type requestNote struct {
	mu           sync.Mutex
	last, failed string
	failedStatus int
	// date is the Date header of the last answer.
	date time.Time
}

type noteKey struct{}

// withRequestNote returns ctx carrying a new note for the clients made
// from it (APIConfig.Client).
func withRequestNote(ctx context.Context) (context.Context, *requestNote) {
	n := &requestNote{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// noteRequests wraps rt so that the requests it sends are noted in the
// note ctx carries; rt itself when there is none.
func noteRequests(ctx context.Context, rt http.RoundTripper) http.RoundTripper {
	n, _ := ctx.Value(noteKey{}).(*requestNote)
	if n == nil {
		return rt
	}
	return &noteTransport{note: n, base: rt}
}

type noteTransport struct {
	note *requestNote
	base http.RoundTripper
}

func (t *noteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	t.note.mu.Lock()
	t.note.last = host
	t.note.mu.Unlock()
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		t.note.mu.Lock()
		if d, derr := http.ParseTime(resp.Header.Get("Date")); derr == nil {
			t.note.date = d
		}
		if resp.StatusCode >= 400 {
			t.note.failed, t.note.failedStatus = host, resp.StatusCode
		}
		t.note.mu.Unlock()
	}
	return resp, err
}

// fill completes f with what the note saw: the host of the error answer,
// else of the last request.
func (n *requestNote) fill(f *Failure) {
	if n == nil || f.Host != "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if f.Class == FailHTTP && n.failed != "" {
		f.Host = n.failed
		if f.HTTPStatus == 0 {
			f.HTTPStatus = n.failedStatus
		}
		return
	}
	f.Host = n.last
}
