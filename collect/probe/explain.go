package probe

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

// Explain says in a sentence or two, in lang ("en" or "ja"), what a
// target's verdict means: what failed, the figure that proves it and the
// fix. The sentences are the catalogs' "probe.verdict.<verdict>", with
// "probe.note.*" added for what is said beside the verdict (private
// addresses, a changing DNS answer, a failing origin).
func Explain(ts TargetSummary, lang string) string {
	figs := Figures(ts)
	text := sentence(lang, "probe.verdict."+string(ts.Outcome), figs)
	if ts.Private && ts.Outcome != CausePrivateAddress {
		text += sentence(lang, "probe.note.private", figs)
	}
	if ts.DNSChanged && ts.Outcome != CauseDNSChanging {
		text += sentence(lang, "probe.note.dns_changed", figs)
	}
	if ts.Outcome == OutcomeOK && len(ts.Direct) > 0 {
		for _, s := range ts.Direct {
			if s.Failures > 0 {
				text += sentence(lang, "probe.note.direct_failed", figs)
				break
			}
		}
	}
	return text
}

// sentence renders a catalog entry; a gap in the catalog (a test checks
// there is none) shows the key rather than nothing.
func sentence(lang, key string, figs map[string]any) string {
	s, err := templates.Sentence(lang, key, figs)
	if err != nil {
		return key
	}
	return s
}

// Figures are the values the sentences of a target's verdict are filled
// with: its counts and its Facts, formatted.
func Figures(ts TargetSummary) map[string]any {
	o, f := ts.Overall, ts.Facts
	host, port := ts.Target, ""
	if u, err := url.Parse(ts.Target); err == nil {
		host, port = u.Hostname(), u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		}
	}
	var resolved, origins []string
	for _, a := range ts.DNSAnswers {
		resolved = append(resolved, a.Addresses...)
	}
	for _, s := range ts.Direct {
		origins = append(origins, s.Address)
	}
	notAfter := ""
	if !f.NotAfter.IsZero() {
		notAfter = f.NotAfter.UTC().Format("2006-01-02 15:04 UTC")
	}
	return map[string]any{
		"url": ts.Target, "host": host, "port": port, "verdict": string(ts.Outcome),
		"cause": string(f.Cause), "class": string(f.Class), "what": cmpOr(string(f.Cause), string(f.Class)), "code": f.TwilioCode,
		"attempts": o.Attempts, "failures": o.Failures, "failed": f.CauseFailures,
		"pct":    int(100*o.FailureRate + 0.5),
		"status": f.Status, "method": f.Method, "allow": f.Allow,
		"seconds": number(f.Seconds), "timeout": strconv.FormatFloat(f.TimeoutSeconds, 'f', -1, 64), "override": f.Override, "unanswered": f.Unanswered,
		"not_after": notAfter, "days_ago": daysAgo(f.NotAfter), "names": strings.Join(f.Names, ", "),
		"issuer": f.Issuer, "issuer_url": f.IssuerURL, "fetched": f.IssuerFetched, "self_signed": f.SelfSigned,
		"location": f.Location, "redirects": f.Redirects,
		"body_bytes": f.BodyBytes, "at_least": f.BodyBytes >= maxMeasuredBody,
		"address": hostOnly(f.Address), "addresses": strings.Join(ts.BadAddresses, ", "), "good": strings.Join(ts.GoodAddresses, ", "),
		"resolved": strings.Join(resolved, ", "), "origins": strings.Join(origins, ", "),
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// number formats a figure with at most one decimal: "2", "3.4".
func number(x float64) string {
	return strconv.FormatFloat(round1(x), 'f', -1, 64)
}

func daysAgo(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return int(time.Since(t).Hours() / 24)
}

func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// classes lists the failures of a row by class with their Twilio codes:
// "http_status×3 (11217)".
func classes(s Summary) string {
	if len(s.FailuresByClass) == 0 {
		return "-"
	}
	var parts []string
	for _, c := range sortedKeys(s.FailuresByClass) {
		parts = append(parts, fmt.Sprintf("%s×%d", c, s.FailuresByClass[c]))
	}
	codes := sortedKeys(s.TwilioCodes)
	if len(codes) > 0 {
		return strings.Join(parts, ",") + " (" + strings.Join(codes, ",") + ")"
	}
	return strings.Join(parts, ",")
}
