package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
)

// APIConfig says how to reach the Twilio REST API of one account. Every
// client it makes shares one pool of requests (see Client): copy an
// APIConfig only before its first request.
type APIConfig struct {
	Credentials Credentials
	// BaseURL, when set, receives every request meant for *.twilio.com; the
	// original host travels in the Host header. Used for the demo and tests.
	BaseURL string
	// Region and Edge select Twilio's regional hosts; empty means what the
	// TWILIO_REGION and TWILIO_EDGE variables say (twilio-go reads them).
	Region, Edge string
	// RequestTimeout bounds one attempt of one request, its answer read
	// whole (default DefaultRequestTimeout, --request-timeout): an attempt
	// that takes longer is abandoned and retried like a 5xx.
	RequestTimeout time.Duration
	// MaxAttempts bounds the tries of one request on 5xx, timeouts and
	// dropped connections (default 5; 1 = no retry; 429s are retried five
	// times as often); MaxBackoff bounds one back-off between them
	// (default 30 s).
	// A Retry-After is waited out whole, as long as the deadline allows.
	MaxAttempts int
	MaxBackoff  time.Duration
	// MaxConcurrency is the hard bound on requests in flight at once
	// (default DefaultAPIConcurrency, --api-concurrency).
	MaxConcurrency int
	// Transport is the underlying transport; nil means a clone of
	// http.DefaultTransport, which honours HTTPS_PROXY, NO_PROXY and
	// SSL_CERT_FILE. An *http.Transport is cloned to keep as many idle
	// connections as requests may be in flight.
	Transport http.RoundTripper

	// pool is shared by every client of this APIConfig (see pool).
	pool *apiPool
}

// poolMu guards the creation of every APIConfig's pool.
var poolMu sync.Mutex

// requests returns the pool of requests of c, made on first use from c's
// settings.
func (c *APIConfig) requests() *apiPool {
	poolMu.Lock()
	defer poolMu.Unlock()
	if c.pool == nil {
		c.pool = newAPIPool(c)
	}
	return c.pool
}

// Client returns a twilio-go client whose every request is bound to ctx,
// goes through the account's shared pool of requests (bounded, adapting to
// throttling, on reused connections), is retried with back-off, and, with
// BaseURL set, is sent to the fake.
func (c *APIConfig) Client(ctx context.Context) *twilio.RestClient {
	hc := &http.Client{
		Transport:     noteRequests(ctx, &retryTransport{ctx: ctx, pool: c.requests()}), // failure.go: which host failed
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	cl := &client.Client{Credentials: client.NewCredentials(c.Credentials.Username, c.Credentials.Secret), HTTPClient: hc}
	cl.SetAccountSid(c.Credentials.AccountSID)
	cl.UserAgentExtensions = []string{"twilio-evidence"}
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{
		Username: c.Credentials.Username, Password: c.Credentials.Secret,
		AccountSid: c.Credentials.AccountSID, Client: cl,
	})
	if c.Region != "" {
		rc.RequestHandler.Region = c.Region
	}
	if c.Edge != "" {
		rc.RequestHandler.Edge = c.Edge
	}
	return rc
}

// listClient is Client for the pages of one list, which come one after
// another and which what follows the list waits for: until endList is
// called, the pool keeps a place for them, and a page waiting for a place
// goes before every other request.
func (c *APIConfig) listClient(ctx context.Context) (rc *twilio.RestClient, endList func()) {
	endList = c.requests().lim.openList()
	return c.Client(context.WithValue(ctx, listKey{}, true)), endList
}

// concurrency is the hard bound on c's requests in flight.
func (c *APIConfig) concurrency() int { return c.requests().lim.bound }

// Stats says how the requests of c went so far.
func (c *APIConfig) Stats() APIStats { return c.requests().stats() }

// DefaultRegion is the region Twilio serves an account from when none is
// named.
const DefaultRegion = "us1"

// hostLabel is what a region or edge name must look like: one label of a
// host name (they become part of api.{edge}.{region}.twilio.com).
var hostLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// ResolveRegion returns the region and edge the API requests go to: the
// given ones (--region, --edge), else TWILIO_REGION and TWILIO_EDGE from
// getenv, as twilio-go reads them. Names are trimmed and lower-cased; a name
// that is not a host-name label (ie1, dublin, sao-paulo) is an error naming
// where it came from. An edge without a region is in DefaultRegion, as
// twilio-go routes it; the region is returned empty then, and when nothing
// is named, so that the default hosts stay in use (see EffectiveRegion).
func ResolveRegion(region, edge string, getenv func(string) string) (string, string, error) {
	pick := func(flag, value, variable string) (string, error) {
		from := "--" + flag
		if value == "" {
			value, from = getenv(variable), variable
		}
		value = strings.ToLower(strings.TrimSpace(value))
		if value != "" && !hostLabel.MatchString(value) {
			return "", fmt.Errorf("%s %q is not a Twilio %s name (like %s)", from, value, flag, map[string]string{"region": "us1, ie1 or au1", "edge": "dublin, sydney or tokyo"}[flag])
		}
		return value, nil
	}
	r, err := pick("region", region, "TWILIO_REGION")
	if err != nil {
		return "", "", err
	}
	e, err := pick("edge", edge, "TWILIO_EDGE")
	if err != nil {
		return "", "", err
	}
	return r, e, nil
}

// EffectiveRegion is the region requests go to: region, or DefaultRegion
// when it is empty.
func EffectiveRegion(region string) string {
	if region == "" {
		return DefaultRegion
	}
	return region
}

// rewriteTransport sends requests for Twilio's hosts to a local fake.
type rewriteTransport struct {
	base   http.RoundTripper
	target string
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Hostname(), ".twilio.com") {
		return t.base.RoundTrip(req)
	}
	u, err := url.Parse(t.target)
	if err != nil {
		return nil, fmt.Errorf("API base URL: %w", err)
	}
	r := req.Clone(req.Context())
	r.Host = req.URL.Host
	r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
	return t.base.RoundTrip(r)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// apiErr is err as describeAPIError says it, still wrapping err (a
// deadline in it still names itself to Run).
func apiErr(err error) error {
	if err == nil {
		return nil
	}
	return &describedError{err}
}

type describedError struct{ err error }

func (e *describedError) Error() string { return describeAPIError(e.err) }
func (e *describedError) Unwrap() error { return e.err }

// joinErrors joins errors on one line ("; "), wrapping each of them; nil
// when there are none.
func joinErrors(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return joined(kept)
}

type joined []error

func (j joined) Error() string {
	msgs := make([]string, len(j))
	for i, err := range j {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (j joined) Unwrap() []error { return j }

// describeAPIError turns a twilio-go error into a sentence for the manifest.
// An error that wraps one says it in its own words (apiErr has described
// it already).
func describeAPIError(err error) string {
	if te, ok := err.(*client.TwilioRestError); ok {
		return fmt.Sprintf("Twilio API error %d (HTTP %d): %s", te.Code, te.Status, te.Message)
	}
	return err.Error()
}
