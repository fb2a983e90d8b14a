package probe

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint is the part of a webhook configuration the fallback audit
// needs.
type Endpoint struct {
	// Owner names the number, application or service (SID or name).
	Owner       string `json:"owner"`
	URL         string `json:"url"`
	FallbackURL string `json:"fallback_url"`
}

// Fallback finding kinds.
const (
	FindingNoFallback      = "no-fallback"
	FindingSameHost        = "fallback-same-host"
	FindingSameAddresses   = "fallback-same-addresses"
	FindingSameNetwork     = "fallback-same-network"
	FindingFallbackFails   = "fallback-fails"
	FindingFallbackIsFlaky = "fallback-intermittent"
)

// Severities of a finding.
const (
	SeverityWarn = "warn"
	SeverityFail = "fail"
)

// FallbackFinding is one problem with an endpoint's fallback URL, written
// for the person reading the bundle.
type FallbackFinding struct {
	Owner       string `json:"owner"`
	Kind        string `json:"kind"`
	Severity    string `json:"severity"`
	URL         string `json:"url"`
	FallbackURL string `json:"fallback_url,omitempty"`
	Message     string `json:"message"`
}

const differentNetwork = "put the fallback on a TwiML Bin or on a server in a different network, so it still answers when the primary's network fails and shows whether Twilio made the request at all"

// TwilioHosted reports whether a URL is served by Twilio itself (TwiML
// Bins on handler.twilio.com, Functions and Assets on *.twil.io), which is
// always on a different network from the customer's.
func TwilioHosted(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "handler.twilio.com" || strings.HasSuffix(h, ".twil.io")
}

// AuditFallback checks one endpoint's fallback URL. resolved maps host
// names to the addresses they resolve to (e.g. from ResolvedAddresses);
// probes are the probe summaries, looked up by URL (fragment removed).
// A missing fallback, a fallback on the primary's host, addresses or /24
// (IPv6 /48), and a fallback failing its probe each give a finding; a
// Twilio-hosted fallback is fine.
func AuditFallback(ep Endpoint, resolved map[string][]string, probes []TargetSummary) []FallbackFinding {
	f := func(kind, sev, msg string) FallbackFinding {
		return FallbackFinding{Owner: ep.Owner, Kind: kind, Severity: sev, URL: ep.URL, FallbackURL: ep.FallbackURL, Message: msg}
	}
	if strings.TrimSpace(ep.FallbackURL) == "" {
		if strings.TrimSpace(ep.URL) == "" || TwilioHosted(ep.URL) {
			return nil
		}
		return []FallbackFinding{f(FindingNoFallback, SeverityWarn, "no fallback URL: "+differentNetwork)}
	}
	var out []FallbackFinding
	fb, fbErr := ParseTarget(ep.FallbackURL)
	if !TwilioHosted(ep.FallbackURL) && fbErr == nil {
		if pt, err := ParseTarget(ep.URL); err == nil && !TwilioHosted(ep.URL) {
			ph, fh := strings.ToLower(pt.URL.Hostname()), strings.ToLower(fb.URL.Hostname())
			pa, fa := addressesOf(ph, resolved), addressesOf(fh, resolved)
			switch {
			case ph == fh:
				out = append(out, f(FindingSameHost, SeverityWarn, fmt.Sprintf("the fallback is on the same host as the primary (%s): %s", ph, differentNetwork)))
			case len(intersect(pa, fa)) > 0:
				out = append(out, f(FindingSameAddresses, SeverityWarn, fmt.Sprintf("the fallback resolves to the same address as the primary (%s): %s", strings.Join(intersect(pa, fa), ", "), differentNetwork)))
			default:
				if a, b, ok := sameNetwork(pa, fa); ok {
					out = append(out, f(FindingSameNetwork, SeverityWarn, fmt.Sprintf("the fallback (%s) is in the same network as the primary (%s): %s", b, a, differentNetwork)))
				}
			}
		}
	}
	if fbErr == nil {
		for _, ts := range probes {
			if ts.Target != fb.String() || ts.Overall.Attempts == 0 {
				continue
			}
			switch {
			case ts.Overall.Failures == ts.Overall.Attempts:
				out = append(out, f(FindingFallbackFails, SeverityFail, fmt.Sprintf("the fallback URL failed every probe (%s): when the primary fails, the fallback fails too", ts.Explanation)))
			case ts.Overall.Failures > 0:
				out = append(out, f(FindingFallbackIsFlaky, SeverityWarn, fmt.Sprintf("the fallback URL failed %d of %d probes", ts.Overall.Failures, ts.Overall.Attempts)))
			}
		}
	}
	return out
}

// ResolvedAddresses collects, from attempts, the addresses each host
// resolved to (for AuditFallback).
func ResolvedAddresses(attempts []Attempt) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, a := range attempts {
		h := strings.ToLower(hostOf(a.Target))
		addrs := a.Resolved
		if a.Mode == ModeDirect {
			continue
		}
		for _, ad := range addrs {
			if !seen[h+" "+ad] {
				seen[h+" "+ad] = true
				out[h] = append(out[h], ad)
			}
		}
	}
	return out
}

func addressesOf(host string, resolved map[string][]string) []string {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}
	}
	return resolved[host]
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if net.ParseIP(x).Equal(net.ParseIP(y)) {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// sameNetwork finds an address of a and one of b in the same /24 (IPv4)
// or /48 (IPv6).
func sameNetwork(a, b []string) (string, string, bool) {
	for _, x := range a {
		for _, y := range b {
			if prefix(x) != "" && prefix(x) == prefix(y) {
				return x, y, true
			}
		}
	}
	return "", "", false
}

func prefix(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.Mask(net.CIDRMask(24, 32)).String() + "/24"
	}
	return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
}
