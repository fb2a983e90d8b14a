package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// Styles of request.
const (
	// StyleGet is a plain GET, like the guide's browser or wget check.
	StyleGet = "get"
	// StyleTwilio is the request Twilio sends: its method, headers, a form
	// body with clearly fake SIDs and a valid X-Twilio-Signature.
	StyleTwilio = "twilio"
)

// Channels select the parameters of a StyleTwilio request.
const (
	ChannelVoice = "voice"
	ChannelSMS   = "sms"
)

// PerAddress says whether each resolved address is probed separately.
type PerAddress int

// PerAddress values; the zero value is PerAddressAuto.
const (
	// PerAddressAuto probes each address when a name has several.
	PerAddressAuto PerAddress = iota
	// PerAddressOn always probes each address.
	PerAddressOn
	// PerAddressOff never does.
	PerAddressOff
)

// Bounds that keep a probe run polite whatever the options say.
const (
	DefaultCount       = 3
	MaxCount           = 100
	DefaultInterval    = 2 * time.Second
	MaxAddresses       = 8
	MaxAttempts        = 2000
	DefaultMaxPerHost  = 2
	MaxPerHostLimit    = 8
	DefaultRedirects   = 10
	DefaultConcurrency = 4
)

// Resolver looks up every address (A and AAAA) of a host; *net.Resolver
// satisfies it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configure a Prober. The zero value probes with plain GETs,
// DefaultCount samples DefaultInterval apart, the system resolver, the
// system certificate pool (which honours SSL_CERT_FILE) and the proxy from
// HTTPS_PROXY/NO_PROXY.
type Options struct {
	// Style is StyleGet (default) or StyleTwilio.
	Style string
	// Method of a StyleTwilio request (default POST).
	Method string
	// Channel picks voice (default) or SMS parameters for StyleTwilio.
	Channel string
	// AuthToken signs StyleTwilio requests. Never written anywhere.
	AuthToken string
	// AccountSID goes into the StyleTwilio form body (a fake one if empty).
	AccountSID string

	// Count is the number of samples per target (capped at MaxCount).
	Count int
	// Interval is the pause between samples.
	Interval time.Duration
	// PerAddress chooses per-address probing.
	PerAddress PerAddress
	// Resolve are curl-style overrides; each adds direct attempts.
	Resolve []ResolveOverride
	// AllowPrivate judges private and loopback addresses like public ones
	// (loopback demos and tests): no private_address verdict.
	AllowPrivate bool

	// MaxPerHost caps concurrent attempts on one host (default 2).
	MaxPerHost int
	// Concurrency caps targets probed at once (default 4).
	Concurrency int
	// MaxRedirects bounds redirects followed (default 10).
	MaxRedirects int

	// Resolver replaces the system resolver (tests, custom DNS).
	Resolver Resolver
	// ExtraRoots are trusted in addition to the system pool.
	ExtraRoots []*x509.Certificate
	// Proxy replaces http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// Dial replaces the TCP dialer: it gets the IP:port an attempt connects
	// to, with the connect timeout (ct) in ctx. It routes addresses to local
	// servers (the built-in demo, tests); nil dials the network.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now replaces time.Now for attempt time stamps.
	Now func() time.Time
	// Sleep waits between samples; replaced in tests. It returns early
	// with ctx's error when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnAttempt, when set, is told of every attempt Run keeps, with the
	// index of its target in Run's list, as soon as it is made: progress
	// per attempt. Run calls it from several goroutines at once.
	OnAttempt func(target int, a Attempt)
}

// Prober runs attempts with one set of Options. It is safe for concurrent
// use.
type Prober struct {
	opts      Options
	resolver  Resolver
	roots     *x509.CertPool
	proxyFunc func(*http.Request) (*url.URL, error)
	now       func() time.Time

	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// New validates opts, applies defaults and caps, and loads the root
// certificates.
func New(opts Options) (*Prober, error) {
	switch opts.Style {
	case "":
		opts.Style = StyleGet
	case StyleGet, StyleTwilio:
	default:
		return nil, fmt.Errorf("probe style %q: want %s or %s", opts.Style, StyleGet, StyleTwilio)
	}
	if opts.Style == StyleTwilio && opts.AuthToken == "" {
		return nil, errors.New("probe style twilio needs the auth token to sign requests")
	}
	if opts.Method == "" {
		opts.Method = http.MethodPost
	}
	if opts.Method != http.MethodPost && opts.Method != http.MethodGet {
		return nil, fmt.Errorf("probe method %q: Twilio webhooks use GET or POST", opts.Method)
	}
	switch opts.Channel {
	case "":
		opts.Channel = ChannelVoice
	case ChannelVoice, ChannelSMS:
	default:
		return nil, fmt.Errorf("probe channel %q: want %s or %s", opts.Channel, ChannelVoice, ChannelSMS)
	}
	if opts.Count <= 0 {
		opts.Count = DefaultCount
	}
	opts.Count = min(opts.Count, MaxCount)
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.MaxPerHost <= 0 {
		opts.MaxPerHost = DefaultMaxPerHost
	}
	opts.MaxPerHost = min(opts.MaxPerHost, MaxPerHostLimit)
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultRedirects
	}
	p := &Prober{opts: opts, resolver: opts.Resolver, proxyFunc: opts.Proxy, now: opts.Now, hosts: map[string]chan struct{}{}}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.proxyFunc == nil {
		p.proxyFunc = http.ProxyFromEnvironment
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.opts.Sleep == nil {
		p.opts.Sleep = sleep
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, c := range opts.ExtraRoots {
		pool.AddCert(c)
	}
	p.roots = pool
	return p, nil
}

// Options returns the options in effect, defaults and caps applied.
func (p *Prober) Options() Options { return p.opts }

// acquire takes one of the host's MaxPerHost slots; the returned function
// gives it back. When ctx ends first, the attempt goes ahead without a slot
// and fails on its own canceled context at once.
func (p *Prober) acquire(ctx context.Context, host string) func() {
	p.mu.Lock()
	sem, ok := p.hosts[host]
	if !ok {
		sem = make(chan struct{}, p.opts.MaxPerHost)
		p.hosts[host] = sem
	}
	p.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }
	case <-ctx.Done():
		return func() {}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
