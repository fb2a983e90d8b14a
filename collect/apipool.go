package collect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the API requests.
const (
	// DefaultRequestTimeout bounds one attempt of one request
	// (--request-timeout): long enough for a page of 1,000 alerts on a slow
	// link, short enough that one stalled answer leaves time to retry
	// within a collector's deadline.
	DefaultRequestTimeout = 30 * time.Second
	defaultMaxAttempts    = 5
	defaultMaxBackoff     = 30 * time.Second
	// throttledAttempts is how many more retries a 429 gets than a
	// failure: throttling says "later", not "broken".
	throttledAttempts = 5
	// maxAnswer bounds one answer read into memory.
	maxAnswer = 64 << 20
)

// apiPool is what every request to one account's API shares: the transport
// and its connections, the adaptive bound on requests in flight, the retry
// settings and the counts the manifest reports.
type apiPool struct {
	// base carries the requests; pages the pages of lists (listContext),
	// on connections of their own: a page, which what follows its list
	// waits for, never finds every connection taken by the other requests
	// and never waits for a new one while they have them all.
	base, pages http.RoundTripper
	lim         *limiter
	timeout     time.Duration
	attempts    int
	maxWait     time.Duration

	mu                                 sync.Mutex
	requests, retries, timedOut, conns int
}

func newAPIPool(c *APIConfig) *apiPool {
	p := &apiPool{
		lim:      newLimiter(c.MaxConcurrency),
		timeout:  c.RequestTimeout,
		attempts: c.MaxAttempts,
		maxWait:  c.MaxBackoff,
	}
	if p.timeout <= 0 {
		p.timeout = DefaultRequestTimeout
	}
	if p.attempts <= 0 {
		p.attempts = defaultMaxAttempts
	}
	if p.maxWait <= 0 {
		p.maxWait = defaultMaxBackoff
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	pages := base
	if t, ok := base.(*http.Transport); ok {
		base, pages = p.reusing(t), p.reusing(t)
	}
	if c.BaseURL != "" {
		base = &rewriteTransport{base: base, target: c.BaseURL}
		pages = &rewriteTransport{base: pages, target: c.BaseURL}
	}
	p.base, p.pages = base, pages
	return p
}

// reusing clones t to keep an idle connection for every request that may
// be in flight (Go keeps two per host by default, so a pool of 16 would
// open new TLS connections all the time) and no more connections than
// that (a request that starts as another ends waits for its connection
// instead of opening one), to offer HTTP/2, and to count the connections
// it opens.
func (p *apiPool) reusing(t *http.Transport) *http.Transport {
	t = t.Clone()
	bound := p.lim.bound
	t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, bound)
	if t.MaxConnsPerHost == 0 || t.MaxConnsPerHost > bound {
		t.MaxConnsPerHost = bound
	}
	if t.MaxIdleConns != 0 && t.MaxIdleConns < bound {
		t.MaxIdleConns = bound
	}
	t.ForceAttemptHTTP2 = true
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err == nil {
			p.count(&p.conns)
		}
		return conn, err
	}
	return t
}

func (p *apiPool) count(n *int) {
	p.mu.Lock()
	*n++
	p.mu.Unlock()
}

// APIStats is how a run used the Twilio API of its account: manifest.json's
// "api".
type APIStats struct {
	// Requests counts the attempts sent, Retries those that repeated one,
	// TimedOut those abandoned at the per-request deadline.
	Requests int `json:"requests"`
	Retries  int `json:"retries"`
	TimedOut int `json:"attempts_timed_out"`
	// Throttled counts the 429 answers, BackOffs the times they halved the
	// requests in flight.
	Throttled   int              `json:"throttled"`
	BackOffs    int              `json:"backoffs"`
	Concurrency ConcurrencyStats `json:"concurrency"`
	// Connections counts the connections opened; it depends on timing, so
	// reproducible bundles leave it out.
	Connections int `json:"connections_opened,omitempty"`
}

func (p *apiPool) stats() APIStats {
	c, backoffs, throttled := p.lim.stats()
	p.mu.Lock()
	defer p.mu.Unlock()
	return APIStats{Requests: p.requests, Retries: p.retries, TimedOut: p.timedOut,
		Throttled: throttled, BackOffs: backoffs, Concurrency: c, Connections: p.conns}
}

// retryTransport sends a request through the pool, bound to ctx (a
// collector's), and retries it: a 5xx, a dropped connection or an attempt
// past the per-request deadline up to MaxAttempts times with exponential
// back-off, a 429 more often. A Retry-After is waited out whole; when the
// wait would pass ctx's deadline, it stops at once with an error naming
// that deadline. twilio-go never retries.
type retryTransport struct {
	ctx  context.Context
	pool *apiPool
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, ctx := t.pool, t.ctx
	retryable := req.Body == nil || req.GetBody != nil
	backoff := 500 * time.Millisecond
	failures, throttled := 0, 0
	for try := 1; ; try++ {
		if try > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := p.attempt(ctx, req)
		if ctx.Err() != nil {
			return nil, ctxError(ctx)
		}
		switch {
		case err == nil && resp.StatusCode == http.StatusTooManyRequests:
			throttled++
		case err != nil || resp.StatusCode >= 500:
			failures++
		default:
			return resp, nil
		}
		if !retryable || failures >= p.attempts || throttled > throttledAttempts*(p.attempts-1) {
			return resp, err
		}
		wait, what := backoff, ""
		if err != nil {
			what = err.Error()
		} else {
			what = fmt.Sprintf("HTTP %d from %s", resp.StatusCode, req.URL.Host)
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = ra
				what += fmt.Sprintf(" (Retry-After %s)", ra)
			}
		}
		if at, de, ok := nearestDeadline(ctx); ok && time.Until(at) < wait {
			return nil, &noTimeLeftError{what: what, wait: wait, left: time.Until(at), deadline: de}
		}
		p.count(&p.retries)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctxError(ctx)
		}
		backoff = min(backoff*2, p.maxWait)
	}
}

// attempt sends req once: it waits for a place in the pool, then gives the
// attempt the per-request deadline, within which the answer is read whole
// (so that a stall in the middle of a page is retried too).
func (p *apiPool) attempt(ctx context.Context, req *http.Request) (*http.Response, error) {
	s, err := p.lim.acquire(ctx)
	if err != nil {
		return nil, err
	}
	actx, cancel := withNamedTimeout(ctx, p.timeout, requestDeadlineName(p.timeout))
	defer cancel()
	p.count(&p.requests)
	rt := p.base
	if s.page {
		rt = p.pages
	}
	resp, err := rt.RoundTrip(req.WithContext(actx))
	if err == nil {
		if err = readWhole(resp, req.URL.Host); err != nil {
			resp = nil
		}
	}
	o, wait := outcomeFailed, time.Duration(0)
	switch {
	case err != nil || resp.StatusCode >= 500:
	case resp.StatusCode == http.StatusTooManyRequests:
		o = outcomeThrottled
		wait, _ = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	default:
		o = outcomeOK
	}
	p.lim.release(s, o, wait)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		p.count(&p.timedOut)
		err = fmt.Errorf("no answer from %s: %w", req.URL.Host, context.Cause(actx))
	}
	return resp, err
}

// readWhole reads resp's body into memory and closes the connection's
// stream, so that the attempt's deadline covers the whole answer.
func readWhole(resp *http.Response, host string) error {
	defer resp.Body.Close()
	var buf bytes.Buffer
	if resp.ContentLength > 0 && resp.ContentLength <= maxAnswer {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return err
	}
	if n > maxAnswer {
		return fmt.Errorf("the answer of %s is larger than %d MiB", host, maxAnswer>>20)
	}
	resp.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	return nil
}

// noTimeLeftError is a request given up because the wait before its next
// try would pass a deadline: the error names that deadline.
type noTimeLeftError struct {
	what       string
	wait, left time.Duration
	deadline   *DeadlineError
}

func (e *noTimeLeftError) Error() string {
	return fmt.Sprintf("%s; waiting %s to retry would pass %s (%s left)", e.what, e.wait.Round(time.Millisecond), e.deadline.Name, max(e.left, 0).Round(time.Millisecond))
}

func (e *noTimeLeftError) Unwrap() error { return e.deadline }
