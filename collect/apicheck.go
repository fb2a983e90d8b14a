package collect

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// CheckTimeout bounds the check request of CheckAPI; CheckDialTimeout
// bounds its connection (a network that drops packets answers nothing);
// CheckResolveTimeout bounds the name lookup within it: a resolver that
// does not answer (no network) is given one timeout of resolv.conf's
// default (5 s) and an answer from the next, so that the run gives up
// within seconds.
const (
	CheckTimeout        = 15 * time.Second
	CheckDialTimeout    = 8 * time.Second
	CheckResolveTimeout = 6 * time.Second
)

// APIError is a failure that makes a whole run pointless: Twilio rejected
// the credentials, or its API could not be reached.
type APIError struct {
	// Account is the account the run is about; Username is what
	// authenticated (the account SID or an API key SID).
	Account, Username string
	Failure           Failure
	// Err is the raw error.
	Err error
}

func (e *APIError) Error() string {
	if e.Failure.Rejected() {
		return fmt.Sprintf("Twilio rejected the credentials %s for %s: %v", e.Username, e.Account, e.Err)
	}
	return fmt.Sprintf("the Twilio API could not be reached: %v", e.Err)
}

func (e *APIError) Unwrap() error { return e.Err }

// APIKey reports whether the credentials were an API key (SK…), not the
// account's auth token.
func (e *APIError) APIKey() bool { return ValidSID(e.Username, "SK") }

// AccountCheck is what one check request found.
type AccountCheck struct {
	// Account is the account as Twilio describes it; nil when the request
	// failed.
	Account *Account
	// TwilioTime is the Date header of Twilio's answer; zero when none came.
	TwilioTime time.Time
	// Failure classifies Err; Err is nil when the account was fetched.
	Failure Failure
	Err     error
}

// CheckAccountOnce fetches the Account resource of cfg's account once,
// without retries, within CheckTimeout (the connection within
// CheckDialTimeout), and says what came of it.
func CheckAccountOnce(ctx context.Context, cfg *APIConfig) AccountCheck {
	c := *cfg
	c.pool = nil // the check's own: one attempt, its own deadlines
	c.MaxAttempts, c.RequestTimeout = 1, CheckTimeout
	if c.Transport == nil {
		c.Transport = checkTransport()
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	ctx, note := withRequestNote(ctx)
	acc, err := c.Client(ctx).Api.FetchAccount(c.Credentials.AccountSID)
	var out AccountCheck
	note.mu.Lock()
	out.TwilioTime = note.date
	note.mu.Unlock()
	if err != nil {
		out.Err, out.Failure = err, ClassifyError(err)
		note.fill(&out.Failure)
		return out
	}
	a := &Account{SID: c.Credentials.AccountSID, FriendlyName: deref(acc.FriendlyName), Type: deref(acc.Type), Status: deref(acc.Status)}
	if owner := deref(acc.OwnerAccountSid); owner != a.SID {
		a.ParentSID = owner
	}
	out.Account = a
	return out
}

// checkTransport is a clone of http.DefaultTransport (HTTPS_PROXY,
// NO_PROXY, SSL_CERT_FILE) that gives up connecting within
// CheckDialTimeout.
func checkTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: CheckDialTimeout, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if err := resolveWithin(ctx, network, addr, CheckResolveTimeout); err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, addr)
	}
	t.TLSHandshakeTimeout = CheckDialTimeout
	return t
}

// resolveWithin looks up the host of addr within limit, so that a resolver
// that does not answer fails the dial as a DNS error (*net.DNSError) before
// the dial's own timeout. An address that is an IP needs no lookup.
func resolveWithin(ctx context.Context, network, addr string, limit time.Duration) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if _, err := net.DefaultResolver.LookupIPAddr(ctx, host); err != nil {
		return &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return nil
}

// CheckAPI sends one cheap authenticated request, the fetch of the Account
// resource, once and without retries, and returns an *APIError when the
// run cannot go on: Twilio answered 401 (error 20003), or the API host does
// not resolve, refuses or drops the connection attempt, fails the TLS
// handshake or cannot be reached through the proxy. Any other outcome —
// success, a 5xx, a throttled answer, a slow one — returns nil: the
// collectors then record what happens to them. It takes at most
// CheckTimeout.
func CheckAPI(ctx context.Context, cfg *APIConfig) (*Account, error) {
	r := CheckAccountOnce(ctx, cfg)
	if r.Err == nil {
		return r.Account, nil
	}
	if !r.Failure.Rejected() && !r.Failure.Unreachable() {
		return nil, nil
	}
	return nil, &APIError{Account: cfg.Credentials.AccountSID, Username: cfg.Credentials.Username, Failure: r.Failure, Err: r.Err}
}

// ReachHost sends one unauthenticated HTTPS request to host (a Twilio API
// host such as monitor.twilio.com) the way the API's requests go —
// through the proxy of HTTPS_PROXY, trusting SSL_CERT_FILE, to the fake of
// cfg.BaseURL in tests — and returns nil when any HTTP answer comes back,
// else the error (ClassifyError tells its class). It returns the answer's
// Date header too.
func ReachHost(ctx context.Context, cfg *APIConfig, host string) (time.Time, error) {
	var base http.RoundTripper = checkTransport()
	if cfg.Transport != nil {
		base = cfg.Transport
	}
	if cfg.BaseURL != "" {
		base = &rewriteTransport{base: base, target: cfg.BaseURL}
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/", nil)
	if err != nil {
		return time.Time{}, err
	}
	hc := &http.Client{Transport: base, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return time.Time{}, err
	}
	resp.Body.Close()
	d, _ := http.ParseTime(resp.Header.Get("Date"))
	return d, nil
}

// APIHost is the host name of a Twilio product's API (api, monitor,
// messaging) in region and edge, as twilio-go builds it: an edge without a
// region is in DefaultRegion.
func APIHost(product, region, edge string) string {
	if edge != "" && region == "" {
		region = DefaultRegion
	}
	parts := []string{product}
	for _, p := range []string{edge, region} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, "twilio", "com"), ".")
}
