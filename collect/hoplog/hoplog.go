// Package hoplog reads the logs of the components a webhook request passes
// through (firewall, load balancer, web server, application) and finds out how
// far each failed request got: step 1 and step 3 of the isolation procedure.
//
// A hop is named and given by a spec NAME=PATH[:FORMAT]. ScanHop streams the
// hop's files once, skipping the blocks that cannot hold a line near an
// incident, and returns, per incident, whether the hop saw the request. Trace
// turns the results of the hops, in path order from the edge inward, into
// verdicts. Excerpts of the lines around each incident are written on the way.
package hoplog

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// DefaultWindow is how far from an incident's time a log line may be and
// still be taken for the incident's request.
const DefaultWindow = 90 * time.Second

// DefaultTimeout is Twilio's total webhook timeout when the URL does not
// override it (tt=15000).
const DefaultTimeout = 15 * time.Second

// Incident is one failed webhook request as the hop reader needs it. It is
// filled from the alerts by the caller.
type Incident struct {
	// ID identifies the incident in results, e.g. the alert SID.
	ID string
	// Time is when Twilio made (or gave up on) the request.
	Time time.Time
	// Method is the HTTP method, e.g. POST; empty when unknown.
	Method string
	// Path is the URL path Twilio requested, e.g. /voice; empty when unknown.
	Path string
	// Query is the raw query string without '?', empty when the URL has none.
	Query string
	// SID is the CallSid or MessageSid of the request, empty when unknown.
	SID string
	// DestAddrs are the addresses the webhook's host resolves to (or the ones
	// given); connection-level hops match on them.
	DestAddrs []netip.Addr
	// DestPort is the webhook's TCP port (443 or 80 unless the URL says).
	DestPort int
	// Timeout is Twilio's effective total timeout for the URL; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

func (in Incident) timeout() time.Duration {
	if in.Timeout <= 0 {
		return DefaultTimeout
	}
	return in.Timeout
}

// Spec is a parsed NAME=PATH[:FORMAT] hop or log argument.
type Spec struct {
	// Name names the hop, e.g. firewall, lb, web.
	Name string
	// Pattern is a file path or a glob such as /var/log/nginx/access.log*.
	Pattern string
	// Format is a format spec for ParseFormat; empty means detect it.
	Format string
}

// String gives the spec back in the NAME=PATH[:FORMAT] form.
func (s Spec) String() string {
	if s.Format == "" {
		return s.Name + "=" + s.Pattern
	}
	return s.Name + "=" + s.Pattern + ":" + s.Format
}

// ParseSpec parses NAME=PATH[:FORMAT]. The name ends at the first '='. The
// path ends at the first ':' that is followed by a known format name (itself
// followed by the end or by ':'), so a regex format full of ':' and a path
// holding a ':' that is not followed by a format name both parse as meant.
func ParseSpec(s string) (Spec, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return Spec{}, fmt.Errorf("hop %q: want NAME=PATH[:FORMAT]", s)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return Spec{}, fmt.Errorf("hop %q: empty name before '='", s)
	}
	if strings.ContainsAny(name, "/\\:") {
		return Spec{}, fmt.Errorf("hop %q: name %q may not hold '/', '\\' or ':'", s, name)
	}
	spec := Spec{Name: name, Pattern: rest}
	for i := 0; i < len(rest); i++ {
		if rest[i] != ':' {
			continue
		}
		if isFormatSpec(rest[i+1:]) {
			spec.Pattern, spec.Format = rest[:i], rest[i+1:]
			break
		}
	}
	if spec.Pattern == "" {
		return Spec{}, fmt.Errorf("hop %q: empty path", s)
	}
	if spec.Format != "" && spec.Format != "auto" {
		if _, err := ParseFormat(spec.Format); err != nil {
			return Spec{}, fmt.Errorf("hop %q: %w", s, err)
		}
	}
	return spec, nil
}

// isFormatSpec reports whether s starts with a known format name followed by
// the end of s or by ':'.
func isFormatSpec(s string) bool {
	head, _, _ := strings.Cut(s, ":")
	for _, w := range wrappers {
		head = strings.TrimPrefix(head, w.name+"+")
	}
	if head == "auto" {
		return true
	}
	for _, n := range FormatNames() {
		if head == n {
			return true
		}
	}
	return false
}
