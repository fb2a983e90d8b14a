package analysis

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// probedKey is one probed URL's group.
type probedKey struct{ key, host, path, url string }

// probedKeys are the groups of the URLs probed as webhooks (not only as
// some webhook's fallback), in the probes' order.
func probedKeys(ev *collect.Evidence) []probedKey {
	if ev.Probes == nil || ev.Probes.Report == nil {
		return nil
	}
	primary := map[string]bool{}
	fallback := map[string]bool{}
	for _, e := range ev.Endpoints {
		h, p := hostPath(e.URL)
		primary[h+p] = true
		if e.FallbackURL != "" {
			h, p := hostPath(e.FallbackURL)
			fallback[h+p] = true
		}
	}
	var out []probedKey
	for _, ts := range ev.Probes.Report.Targets {
		h, p := hostPath(ts.Target)
		if fallback[h+p] && !primary[h+p] {
			continue
		}
		out = append(out, probedKey{key: h + p, host: h, path: p, url: stripQuery(ts.Target)})
	}
	return out
}

// detectProbes claims the group's incidents from the probes of its URL: a
// failure class the probes reproduce names its cause (high when it failed
// more than once); one address failing while the others answer, probes
// through the load balancer failing while direct ones pass, a connection
// override Twilio rejects. A URL that answers every probe is remembered:
// it makes "nobody saw the requests" firmer and failures bunched in some
// hours a matter of load.
func detectProbes(d *diag, g *group) {
	pe := d.ev.Probes
	if pe == nil {
		return
	}
	for _, pt := range pe.Targets {
		if pt.Invalid == nil {
			continue
		}
		if h, p := hostPath(pt.URL); h+p != g.key() {
			continue
		}
		g.add(&claim{cause: CauseOverrideInvalid, conf: ConfidenceHigh, where: pt.URL, inc: allOf(g.inc),
			figs:  map[string]any{"url": pt.URL, "key": pt.Invalid.Key, "value": pt.Invalid.Value},
			proof: []Proof{proof("proof.override", collect.ProbeSummaryFile, "url", pt.URL, "key", pt.Invalid.Key, "value", pt.Invalid.Value, "code", codeOrNone(pt.Invalid.Code))}})
	}
	if pe.Report == nil {
		return
	}
	for _, ts := range pe.Report.Targets {
		if h, p := hostPath(ts.Target); h+p != g.key() {
			continue
		}
		probeClaims(d, g, ts, attemptsOf(ts.Target, pe.Report.Attempts))
	}
}

// probeClaims are the claims of one probed target on group g.
func probeClaims(d *diag, g *group, ts probe.TargetSummary, attempts []probe.Attempt) {
	o := ts.Overall
	if o.Attempts == 0 {
		return
	}
	g.probed = true
	host := g.host
	var viaDNS []probe.Attempt
	for _, a := range attempts {
		if a.Mode == "" || a.Mode == probe.ModeDNS {
			viaDNS = append(viaDNS, a)
		}
	}
	summary := proof("proof.probe", collect.ProbeSummaryFile, "url", ts.Target, "failures", o.Failures, "attempts", o.Attempts, "classes", failureText(o))
	if o.Private {
		addrs := resolvedOf(viaDNS)
		g.add(&claim{cause: CausePrivateAddress, conf: ConfidenceHigh, where: host, inc: allOf(g.inc),
			figs:  map[string]any{"host": host, "addresses": addrs},
			proof: []Proof{proof("proof.private", collect.ProbeAttemptsFile, "host", host, "addresses", addrs), summary}})
	}
	directOK, directN := 0, 0
	for _, s := range ts.Direct {
		directN += s.Attempts
		directOK += s.Attempts - s.Failures
	}
	someGood := false
	for _, s := range ts.PerAddress {
		someGood = someGood || s.Attempts > 0 && s.Failures == 0
	}
	switch {
	case len(ts.BadAddresses) > 0 && someGood:
		c := CauseOneAddressFails
		figs := map[string]any{"host": host, "address": strings.Join(ts.BadAddresses, ", "), "addresses": len(resolvedList(viaDNS)), "answers": len(ts.DNSAnswers)}
		ps := []Proof{summary}
		for _, s := range ts.PerAddress {
			ps = append(ps, proof("proof.address", collect.ProbeSummaryFile, "address", s.Address, "failures", s.Failures, "attempts", s.Attempts))
		}
		if ts.DNSChanged {
			c = CauseDNSChanging
			var answers []string
			for _, a := range ts.DNSAnswers {
				answers = append(answers, strings.Join(a.Addresses, " "))
			}
			ps = append([]Proof{proof("proof.dns_answers", collect.ProbeAttemptsFile, "host", host, "answers", strings.Join(answers, " | "))}, ps...)
		}
		g.add(&claim{cause: c, conf: ConfidenceHigh, where: host, inc: covered(d, g, c), figs: figs, proof: ps})
		return
	case o.Failures > 0 && directN > 0 && directOK == directN:
		g.add(&claim{cause: CausePathLoadBalancer, conf: ConfidenceHigh, where: host, inc: covered(d, g, CausePathLoadBalancer),
			figs:  map[string]any{"component": host, "status": "", "basis": "probe"},
			proof: []Proof{summary, proof("proof.direct", collect.ProbeSummaryFile, "ok", directOK, "attempts", directN)}})
		return
	case o.Failures == 0:
		g.probeOK = true
		rt := readTimeout(viaDNS)
		if rt > 0 && o.Phases.TTFB.P95 >= 0.8*rt*1000 {
			// Near the timeout: under more load Twilio gives up.
			c := &claim{cause: CauseAppTooSlow, conf: ConfidenceMedium, where: g.url, inc: covered(d, g, CauseAppTooSlow),
				figs:  map[string]any{"url": g.url, "limit": seconds(rt), "needed": seconds(o.Phases.TTFB.P95 / 1000), "override": overrideOf(d, g)},
				proof: []Proof{proof("proof.probe_slow", collect.ProbeSummaryFile, "url", ts.Target, "attempts", o.Attempts, "p95", seconds(o.Phases.TTFB.P95/1000), "limit", seconds(rt))}}
			if len(c.inc) > 0 {
				g.add(c)
			}
			return
		}
		return
	}
	// The causes of the failed attempts, most frequent first: each names
	// its cause, with the figures the probes measured.
	byCause := map[Cause][]probe.Attempt{}
	var causes []Cause
	for _, a := range viaDNS {
		if a.OK || a.ErrorClass == probe.ClassCanceled {
			continue
		}
		c := Cause(probe.CauseOf(a))
		if c == "" {
			c = classCause(a.ErrorClass, []probe.Attempt{a})
		}
		if c == "" {
			continue
		}
		if _, ok := byCause[c]; !ok {
			causes = append(causes, c)
		}
		byCause[c] = append(byCause[c], a)
	}
	sort.SliceStable(causes, func(i, j int) bool { return len(byCause[causes[i]]) > len(byCause[causes[j]]) })
	for _, c := range causes {
		failing := byCause[c]
		conf := ConfidenceHigh
		if n := len(failing); n < 2 && n < o.Attempts {
			conf = ConfidenceMedium
		}
		cl := &claim{cause: c, conf: conf, where: whereOf(c, g), inc: covered(d, g, c), proof: []Proof{summary}}
		cl.figs = probeFigures(d, g, c, failing, viaDNS)
		if string(c) == string(ts.Facts.Cause) {
			factFigures(d, cl.figs, c, ts.Facts)
		}
		if c == CauseTLSExpired || c == CauseTLSNameMismatch || c == CauseTLSIncompleteChain || c == CauseTLSUntrusted {
			if cert, ok := leafOf(failing); ok {
				cl.proof = append(cl.proof, proof("proof.cert", collect.ProbeAttemptsFile, "host", host, "subject", cert.Subject,
					"issuer", cert.Issuer, "names", strings.Join(cert.SANs, ", "), "not_after", cert.NotAfter.UTC().Format(time.RFC3339), "chain", len(certsOf(failing))))
				if c == CauseTLSExpired {
					if t := firstIncident(d, g); !t.IsZero() && !t.Before(cert.NotAfter) && t.Sub(cert.NotAfter) < 48*time.Hour {
						cl.figs["at_expiry"] = true
						cl.since = cert.NotAfter
					}
				}
			}
		}
		g.add(cl)
	}
}

// factFigures fills the headline figures of cause c from the facts the
// probe gathered for it.
func factFigures(d *diag, f map[string]any, c Cause, facts probe.Facts) {
	switch c {
	case CauseURLNotFound, CauseAuthRequired:
		if facts.Status != 0 {
			f["status"] = facts.Status
		}
	case CauseMethodNotAllowed:
		f["allow"] = facts.Allow
	case CauseAppServerError:
		if facts.Status != 0 {
			f["statuses"] = fmt.Sprint(facts.Status)
		}
	case CauseAppTooSlow:
		if facts.TimeoutSeconds > 0 {
			f["limit"] = seconds(roundTenth(facts.TimeoutSeconds))
		}
		if facts.Override != "" {
			f["override"] = facts.Override
		}
		if facts.Seconds > 0 && !facts.Unanswered {
			f["needed"] = seconds(roundTenth(facts.Seconds))
		}
	case CauseAppBodyTooLarge:
		if facts.BodyBytes > 0 {
			f["kb"] = fmt.Sprint((facts.BodyBytes + 1023) / 1024)
		}
	case CauseRedirectUnfollowed:
		if facts.Status != 0 {
			f["status"] = fmt.Sprint(facts.Status)
		}
	case CauseRedirectLoop:
		if facts.Redirects > 0 {
			f["redirects"] = fmt.Sprint(facts.Redirects)
		}
	case CauseTLSExpired:
		if !facts.NotAfter.IsZero() {
			f["not_after"] = facts.NotAfter.In(d.loc).Format(timeLayout)
		}
	case CauseTLSNameMismatch:
		if len(facts.Names) > 0 {
			f["names"] = strings.Join(facts.Names, ", ")
		}
	case CauseTLSIncompleteChain, CauseTLSUntrusted:
		if facts.Issuer != "" {
			f["issuer"] = facts.Issuer
		}
	}
}

// classCause is the cause a probe failure class names; failing are the
// attempts that failed with it.
func classCause(class probe.ErrorClass, failing []probe.Attempt) Cause {
	switch class {
	case probe.ClassDNS:
		return CauseDNSNoSuchHost
	case probe.ClassRefused:
		return CauseConnectRefused
	case probe.ClassConnectTimeout, probe.ClassConnect:
		return CauseConnectTimeout
	case probe.ClassTLS:
		return CauseTLSHandshake
	case probe.ClassTLSName:
		return CauseTLSNameMismatch
	case probe.ClassTLSExpired:
		return CauseTLSExpired
	case probe.ClassTLSIncomplete:
		return CauseTLSIncompleteChain
	case probe.ClassTLSUnknownCA:
		return CauseTLSUntrusted
	case probe.ClassReadTimeout, probe.ClassTotalTimeout:
		return CauseAppTooSlow
	case probe.ClassProtocol, probe.ClassClosed:
		return CauseConnectionClosed
	case probe.ClassHTTPStatus:
		s := map[int]int{}
		for _, a := range failing {
			s[a.Status]++
		}
		return statusCause(topStatus(s))
	case probe.ClassRedirectLoop:
		return CauseRedirectLoop
	case probe.ClassBadRedirect:
		return CauseRedirectUnfollowed
	case probe.ClassContentType:
		return CauseAppContentType
	case probe.ClassBodyTooLarge:
		return CauseAppBodyTooLarge
	}
	return ""
}

// probeFigures are the headline figures the probes give for cause c.
func probeFigures(d *diag, g *group, c Cause, failing, all []probe.Attempt) map[string]any {
	f := codeFigures(d, g, c, nil)
	first := probe.Attempt{}
	if len(failing) > 0 {
		first = failing[0]
	}
	statuses := map[int]int{}
	for _, a := range failing {
		if a.Status != 0 {
			statuses[a.Status]++
		}
	}
	switch c {
	case CauseURLNotFound, CauseAuthRequired:
		f["status"] = topStatus(statuses)
		f["changed"] = ""
	case CauseMethodNotAllowed:
		f["method"] = methodOf(d, g, first.Method)
	case CauseAppServerError:
		f["statuses"] = statusList(statuses)
	case CauseAppTooSlow:
		f["limit"], f["override"] = seconds(readTimeout(all)), overrideOf(d, g)
	case CauseAppContentType:
		f["content_type"] = first.ContentType
	case CauseAppBodyTooLarge:
		f["kb"] = fmt.Sprint((first.BodyBytes + 1023) / 1024)
	case CauseRedirectUnfollowed:
		f["status"] = fmt.Sprint(first.Status)
	case CauseRedirectLoop:
		f["redirects"] = fmt.Sprint(len(first.Redirects))
	case CauseConnectRefused, CauseConnectTimeout:
		f["address"] = first.Address
	case CauseTLSExpired:
		if cert, ok := leafOf(failing); ok {
			f["not_after"] = cert.NotAfter.In(d.loc).Format(timeLayout)
		}
	case CauseTLSNameMismatch:
		if cert, ok := leafOf(failing); ok {
			f["names"] = strings.Join(cert.SANs, ", ")
		}
	case CauseTLSIncompleteChain, CauseTLSUntrusted:
		if cert, ok := leafOf(failing); ok {
			f["issuer"] = cert.Issuer
		}
	}
	return f
}

// timeLayout is how the diagnosis writes times, in the display zone.
const timeLayout = "2006-01-02 15:04 MST"

// covered are the group's incidents a probe-found cause c explains: those
// whose code names c (or names nothing c contradicts), and those whose
// code names two causes, one of them c or one c explains.
func covered(d *diag, g *group, c Cause) map[int]bool {
	out := map[int]bool{}
	for _, i := range g.inc {
		one, pair := codeCause(d.ev.Incidents[i])
		switch {
		case one == "" && pair[0] == "":
			out[i] = true
		case one != "":
			if one == c || explainsCause(c, one) {
				out[i] = true
			}
		default:
			if pair[0] == c || pair[1] == c || explainsCause(c, pair[0]) || explainsCause(c, pair[1]) || pair[1] == CauseOutsideNetwork {
				out[i] = true
			}
		}
	}
	return out
}

// explainsCause reports whether a explains b's evidence.
func explainsCause(a, b Cause) bool {
	for _, k := range explains[a] {
		if k == b {
			return true
		}
	}
	return false
}

func certsOf(as []probe.Attempt) []probe.Cert {
	for _, a := range as {
		if len(a.Certificates) > 0 {
			return a.Certificates
		}
	}
	return nil
}

func leafOf(as []probe.Attempt) (probe.Cert, bool) {
	if cs := certsOf(as); len(cs) > 0 {
		return cs[0], true
	}
	return probe.Cert{}, false
}

// readTimeout is the effective read timeout of the attempts in seconds:
// the URL's #rt= when set, else Twilio's 15 s.
func readTimeout(as []probe.Attempt) float64 {
	rt := 0.0
	for _, a := range as {
		rt = max(rt, a.ReadTimeoutMs)
	}
	if rt == 0 {
		return 15
	}
	return rt / 1000
}

// overrideOf is the timeout override in the group's webhook URL ("rt=2000"),
// empty when it has none.
func overrideOf(d *diag, g *group) string {
	var raws []string
	if d.ev.Probes != nil {
		for _, pt := range d.ev.Probes.Targets {
			raws = append(raws, pt.URL)
		}
	}
	for _, e := range d.ev.Endpoints {
		raws = append(raws, e.URL)
	}
	for _, raw := range raws {
		if h, p := hostPath(raw); h+p != g.key() {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Fragment == "" {
			continue
		}
		q, err := url.ParseQuery(u.Fragment)
		if err != nil {
			continue
		}
		var parts []string
		for _, k := range []string{"rt", "tt"} {
			if v := q.Get(k); v != "" {
				parts = append(parts, k+"="+v)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "&")
		}
	}
	return ""
}

// methodOf is the webhook's configured method, else the probe's.
func methodOf(d *diag, g *group, probed string) string {
	for _, e := range d.ev.Endpoints {
		if h, p := hostPath(e.URL); h+p == g.key() && e.Method != "" {
			return strings.ToUpper(e.Method)
		}
	}
	for _, i := range g.inc {
		if m := d.ev.Incidents[i].Method; m != "" {
			return strings.ToUpper(m)
		}
	}
	if probed == "" {
		return "POST"
	}
	return probed
}

func resolvedList(as []probe.Attempt) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range as {
		for _, r := range a.Resolved {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

func resolvedOf(as []probe.Attempt) string { return strings.Join(resolvedList(as), ", ") }

func firstIncident(d *diag, g *group) time.Time {
	var first time.Time
	for _, i := range g.inc {
		if t := d.ev.Incidents[i].Time; !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// seconds writes a number of seconds for a sentence: "15", "2.5".
func seconds(s float64) string {
	if s == float64(int64(s)) {
		return fmt.Sprint(int64(s))
	}
	return fmt.Sprintf("%.1f", s)
}
