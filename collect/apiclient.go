package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
)

// APIConfig says how to reach the Twilio REST API.
type APIConfig struct {
	Credentials Credentials
	// BaseURL, when set, receives every request meant for *.twilio.com; the
	// original host travels in the Host header. Used for the demo and tests.
	BaseURL string
	// Region and Edge select Twilio's regional hosts; empty means what the
	// TWILIO_REGION and TWILIO_EDGE variables say (twilio-go reads them).
	Region, Edge string
	// RequestTimeout bounds one HTTP request (default 30 s).
	RequestTimeout time.Duration
	// MaxAttempts bounds the tries of one request on 429, 5xx and dropped
	// connections (default 5); MaxBackoff bounds one wait (default 30 s).
	MaxAttempts int
	MaxBackoff  time.Duration
	// Transport is the underlying transport; nil means a clone of
	// http.DefaultTransport, which honours HTTPS_PROXY, NO_PROXY and
	// SSL_CERT_FILE.
	Transport http.RoundTripper
}

// Client returns a twilio-go client whose every request is bound to ctx,
// retried with back-off, and, with BaseURL set, sent to the fake.
func (c APIConfig) Client(ctx context.Context) *twilio.RestClient {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if c.BaseURL != "" {
		base = &rewriteTransport{base: base, target: c.BaseURL}
	}
	rt := &retryTransport{ctx: ctx, base: base, attempts: c.MaxAttempts, maxWait: c.MaxBackoff}
	if rt.attempts <= 0 {
		rt.attempts = 5
	}
	if rt.maxWait <= 0 {
		rt.maxWait = 30 * time.Second
	}
	timeout := c.RequestTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	hc := &http.Client{
		Transport:     noteRequests(ctx, rt), // failure.go: which host failed
		Timeout:       timeout,
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

// retryTransport retries throttled (429), failed (5xx) and dropped requests
// with exponential back-off, honouring Retry-After. twilio-go never retries.
type retryTransport struct {
	ctx      context.Context
	base     http.RoundTripper
	attempts int
	maxWait  time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(t.ctx)
	retryable := req.Body == nil || req.GetBody != nil
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := t.base.RoundTrip(req)
		if t.ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, t.ctx.Err()
		}
		again := err != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		if !again || !retryable || attempt >= t.attempts {
			return resp, err
		}
		d := wait
		if resp != nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				d = ra
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if d > t.maxWait {
			d = t.maxWait
		}
		if dl, ok := t.ctx.Deadline(); ok && time.Until(dl) < d {
			if err == nil {
				err = fmt.Errorf("HTTP %d from %s and no time left to retry", resp.StatusCode, req.URL.Host)
			}
			return nil, err
		}
		select {
		case <-time.After(d):
		case <-t.ctx.Done():
			return nil, t.ctx.Err()
		}
		wait *= 2
	}
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

// describeAPIError turns a twilio-go error into a sentence for the manifest.
func describeAPIError(err error) string {
	var te *client.TwilioRestError
	if errors.As(err, &te) {
		return fmt.Sprintf("Twilio API error %d (HTTP %d): %s", te.Code, te.Status, te.Message)
	}
	return err.Error()
}
