package probe

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// Twilio's documented defaults and bounds of the connection overrides.
const (
	DefaultConnectTimeout = 5000 * time.Millisecond
	DefaultReadTimeout    = 15000 * time.Millisecond
	DefaultTotalTimeout   = 15000 * time.Millisecond
	DefaultRetryCount     = 1
	DefaultRetryPolicy    = "ct"
)

// Edges lists the Twilio edge locations a webhook may egress from (the `e`
// override). The "-ix" variant of each (Twilio Interconnect) is accepted too.
var Edges = []string{"ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla"}

// nonWebhookEdges are Twilio edge names that exist for other products (the
// SDKs' "roaming", the legacy region codes) but are not webhook egress edges.
var nonWebhookEdges = []string{"roaming", "gll", "us1", "us2", "ie1", "de1", "au1", "jp1", "br1", "sg1"}

// Retry policies accepted in the `rp` override.
var retryPolicies = []string{"ct", "4xx", "5xx", "rt", "all"}

// Overrides are the connection settings of a webhook URL after its fragment
// (`#ct=…&rt=…`) is applied to Twilio's defaults.
type Overrides struct {
	ConnectTimeout time.Duration `json:"connect_timeout_ms"`
	ReadTimeout    time.Duration `json:"read_timeout_ms"`
	TotalTimeout   time.Duration `json:"total_timeout_ms"`
	RetryCount     int           `json:"retry_count"`
	RetryPolicy    []string      `json:"retry_policy"`
	Edges          []string      `json:"edges,omitempty"`
	// SNI is false only when the fragment says sni=n.
	SNI bool `json:"sni"`
	// Set lists the override keys the fragment gave explicitly.
	Set []string `json:"set,omitempty"`
}

// IsSet reports whether the fragment gave key explicitly.
func (o Overrides) IsSet(key string) bool {
	for _, k := range o.Set {
		if k == key {
			return true
		}
	}
	return false
}

// Target is one URL to probe: the URL that goes on the wire (never with the
// fragment) and the effective connection settings from its fragment.
type Target struct {
	// Raw is the URL as configured, fragment included.
	Raw string `json:"raw"`
	// URL is what is requested: Raw without its fragment.
	URL *url.URL `json:"-"`
	// Overrides are Twilio's defaults with the fragment applied.
	Overrides Overrides `json:"overrides"`
	// Warnings are override values Twilio accepts only under conditions the
	// probe cannot check (an Interconnect edge), each with its Twilio code.
	Warnings []OverrideError `json:"warnings,omitempty"`
	// Method is the method the webhook is configured with (GET or POST),
	// when the caller knows it. A plain GET answered 405 counts as
	// reachable (the application wants Twilio's POST) unless it is GET.
	Method string `json:"method,omitempty"`
}

// String is the requested URL with any user:password removed.
func (t Target) String() string {
	if t.URL == nil {
		return t.Raw
	}
	u := *t.URL
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}

// HostPort is the host and port the URL connects to.
func (t Target) HostPort() string {
	port := t.URL.Port()
	if port == "" {
		port = "80"
		if t.URL.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(t.URL.Hostname(), port)
}

// OverrideError is an invalid or questionable connection-override value,
// with the Twilio error code the same value produces (0 when Twilio
// documents none).
type OverrideError struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Code    int    `json:"twilio_code,omitempty"`
	Message string `json:"message"`
}

// Error says which override is wrong, how, and Twilio's code for it.
func (e *OverrideError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("connection override %s=%q: %s (Twilio error %d)", e.Key, e.Value, e.Message, e.Code)
	}
	return fmt.Sprintf("connection override %s=%q: %s", e.Key, e.Value, e.Message)
}

// ErrBadURL is wrapped by ParseTarget errors about the URL itself.
var ErrBadURL = errors.New("invalid webhook URL")

// ParseTarget parses a webhook URL with its optional connection-override
// fragment. Values Twilio rejects give an *OverrideError carrying Twilio's
// code: 11240 an invalid edge, 11241 an edge not supported for webhooks,
// 11243 an invalid retry policy. Out-of-range timeouts, retry counts and sni
// values give an *OverrideError without a code. An Interconnect edge
// ("-ix") is accepted with a warning (11242 unless the account has it).
func ParseTarget(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %q: %v", ErrBadURL, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Target{}, fmt.Errorf("%w: %q: scheme must be http or https", ErrBadURL, raw)
	}
	if u.Hostname() == "" {
		return Target{}, fmt.Errorf("%w: %q: no host", ErrBadURL, raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Target{}, fmt.Errorf("%w: %q: port %q out of range", ErrBadURL, raw, p)
		}
	}
	t := Target{Raw: raw, Overrides: Overrides{
		ConnectTimeout: DefaultConnectTimeout,
		ReadTimeout:    DefaultReadTimeout,
		TotalTimeout:   DefaultTotalTimeout,
		RetryCount:     DefaultRetryCount,
		RetryPolicy:    []string{DefaultRetryPolicy},
		SNI:            true,
	}}
	frag := u.EscapedFragment()
	u.Fragment, u.RawFragment = "", ""
	t.URL = u
	if frag == "" {
		return t, nil
	}
	values, err := url.ParseQuery(frag)
	if err != nil {
		return Target{}, &OverrideError{Key: "#", Value: frag, Message: "fragment is not key=value pairs separated by &"}
	}
	for key, vals := range values {
		v := vals[len(vals)-1]
		if err := t.apply(key, v); err != nil {
			return Target{}, err
		}
		t.Overrides.Set = append(t.Overrides.Set, key)
	}
	sort.Strings(t.Overrides.Set)
	return t, nil
}

func (t *Target) apply(key, v string) error {
	o := &t.Overrides
	ms := func(lo, hi int) (time.Duration, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, &OverrideError{Key: key, Value: v, Message: fmt.Sprintf("must be milliseconds between %d and %d", lo, hi)}
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	var err error
	switch key {
	case "ct":
		o.ConnectTimeout, err = ms(100, 10000)
	case "rt":
		o.ReadTimeout, err = ms(100, 15000)
	case "tt":
		o.TotalTimeout, err = ms(100, 15000)
	case "rc":
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 0 || n > 5 {
			return &OverrideError{Key: key, Value: v, Message: "retry count must be between 0 and 5"}
		}
		o.RetryCount = n
	case "rp":
		o.RetryPolicy = nil
		for _, p := range strings.Split(v, ",") {
			if !contains(retryPolicies, p) {
				return &OverrideError{Key: key, Value: v, Code: int(twiliocodes.OverrideRetryInvalid), Message: fmt.Sprintf("retry policy %q is not one of %s", p, strings.Join(retryPolicies, ", "))}
			}
			o.RetryPolicy = append(o.RetryPolicy, p)
		}
	case "e":
		o.Edges = nil
		for _, e := range strings.Split(v, ",") {
			base := strings.TrimSuffix(e, "-ix")
			switch {
			case contains(Edges, base):
				if base != e {
					t.Warnings = append(t.Warnings, OverrideError{Key: key, Value: e, Code: int(twiliocodes.OverrideEdgeNotEnabled),
						Message: "an Interconnect edge works only if the account is enabled for HTTP over Twilio Interconnect"})
				}
			case contains(nonWebhookEdges, e):
				return &OverrideError{Key: key, Value: v, Code: int(twiliocodes.OverrideEdgeUnsupported), Message: fmt.Sprintf("edge %q is not supported for webhooks; use one of %s", e, strings.Join(Edges, ", "))}
			default:
				return &OverrideError{Key: key, Value: v, Code: int(twiliocodes.OverrideEdgeUnknown), Message: fmt.Sprintf("edge %q is not a Twilio edge location; use one of %s", e, strings.Join(Edges, ", "))}
			}
			o.Edges = append(o.Edges, e)
		}
	case "sni":
		switch v {
		case "y":
			o.SNI = true
		case "n":
			o.SNI = false
		default:
			return &OverrideError{Key: key, Value: v, Message: "sni must be y or n"}
		}
	default:
		return &OverrideError{Key: key, Value: v, Message: "unknown connection override (known: ct, rt, tt, rc, rp, e, sni)"}
	}
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ResolveOverride is curl's --resolve HOST:PORT:ADDR: connections to
// HOST:PORT go to ADDR instead of the addresses DNS returns.
type ResolveOverride struct {
	Host string `json:"host"`
	Port string `json:"port"`
	Addr string `json:"addr"`
}

// String gives the override back in curl's form.
func (r ResolveOverride) String() string {
	addr := r.Addr
	if strings.Contains(addr, ":") {
		addr = "[" + addr + "]"
	}
	return r.Host + ":" + r.Port + ":" + addr
}

// ParseResolve parses curl's HOST:PORT:ADDR (ADDR may be a bracketed IPv6
// address, as in curl).
func ParseResolve(s string) (ResolveOverride, error) {
	host, rest, ok := strings.Cut(s, ":")
	if !ok || host == "" {
		return ResolveOverride{}, fmt.Errorf("resolve %q: want HOST:PORT:ADDR", s)
	}
	port, addr, ok := strings.Cut(rest, ":")
	if !ok {
		return ResolveOverride{}, fmt.Errorf("resolve %q: want HOST:PORT:ADDR", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return ResolveOverride{}, fmt.Errorf("resolve %q: port %q is not a number from 1 to 65535", s, port)
	}
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if net.ParseIP(addr) == nil {
		return ResolveOverride{}, fmt.Errorf("resolve %q: %q is not an IP address", s, addr)
	}
	return ResolveOverride{Host: strings.ToLower(host), Port: port, Addr: addr}, nil
}
