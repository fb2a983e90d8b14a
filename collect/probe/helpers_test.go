package probe

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// mapResolver answers from a fixed table; other names do not exist.
type mapResolver map[string][]string

func (m mapResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	addrs, ok := m[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, a := range addrs {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	return out, nil
}

func mustTarget(t *testing.T, raw string) Target {
	t.Helper()
	tg, err := ParseTarget(raw)
	if err != nil {
		t.Fatalf("ParseTarget(%q): %v", raw, err)
	}
	return tg
}

func mustProber(t *testing.T, opts Options) *Prober {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = time.Millisecond
	}
	if opts.Proxy == nil {
		opts.Proxy = func(*http.Request) (*url.URL, error) { return nil, nil }
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeTable renders the table in lang.
func writeTable(t *testing.T, targets []TargetSummary, lang string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, targets, lang); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// rowVerdict is the last column of the table row whose label is label.
func rowOutcome(table, label string) Outcome {
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, label+"  ") {
			f := strings.Fields(line)
			return Outcome(f[len(f)-1])
		}
	}
	return ""
}
