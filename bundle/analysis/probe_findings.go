package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// Finding IDs of the probes (steps 2 and 3 of the isolation procedure) and
// of the fallback audit.
const (
	FindingProbeOK              = "probe.ok"
	FindingProbeURLWrong        = "probe.url_wrong"
	FindingProbeIntermittent    = "probe.intermittent"
	FindingProbeOneAddressFails = "probe.one_address_fails"
	FindingProbeLBFails         = "probe.lb_fails"
	FindingProbePrivate         = "probe.private"
	FindingProbeOverrideInvalid = "probe.override_invalid"
	FindingFallbackNone         = "probe.fallback.none"
	FindingFallbackSameNetwork  = "probe.fallback.same_network"
	FindingFallbackFails        = "probe.fallback.fails"
	FindingFallbackIntermittent = "probe.fallback.intermittent"
)

// Files a probe finding points at.
const (
	probeFiles        = collect.ProbeSummaryFile
	probeAttemptFiles = collect.ProbeAttemptsFile
)

// probeFindings turns the probe evidence and the webhook configuration into
// findings: one per probed URL (its verdict, with the recorded history when
// there is one), one per connection override Twilio rejects, and the
// fallback audit of every effective webhook. The audit needs no probes: a
// missing fallback is reported even when the probes were skipped.
func probeFindings(ev *collect.Evidence) []Finding {
	var out []Finding
	pe := ev.Probes
	if pe != nil {
		out = append(out, overrideFindings(pe)...)
		out = append(out, targetFindings(pe)...)
	}
	return append(out, fallbackAudit(ev)...)
}

func overrideFindings(pe *collect.ProbeEvidence) []Finding {
	var out []Finding
	for _, pt := range pe.Targets {
		if pt.Invalid != nil {
			v := fmt.Sprintf("The webhook URL %s carries a connection override that Twilio rejects (%s=%q: %s)", pt.URL, pt.Invalid.Key, pt.Invalid.Value, pt.Invalid.Message)
			if pt.Invalid.Code != 0 {
				v += fmt.Sprintf(": Twilio answers it with error %d instead of requesting your server", pt.Invalid.Code)
			}
			out = append(out, Finding{ID: FindingProbeOverrideInvalid, Step: 2, Severity: Fail,
				Verdict:  v + ". Correct or remove the part after '#'; the URL was not probed.",
				Evidence: append([]string{probeFiles, "code: " + codeOrNone(pt.Invalid.Code)}, sourcesOf(pt)...),
				Figures:  map[string]any{"url": pt.URL, "key": pt.Invalid.Key, "value": pt.Invalid.Value, "code": pt.Invalid.Code}})
		}
		for _, w := range pt.Warnings {
			out = append(out, Finding{ID: FindingProbeOverrideInvalid, Step: 2, Severity: Warn,
				Verdict: fmt.Sprintf("The webhook URL %s asks for the edge %q: %s, otherwise Twilio rejects it with error %d.",
					pt.URL, w.Value, w.Message, w.Code),
				Evidence: append([]string{probeFiles, "code: " + codeOrNone(w.Code)}, sourcesOf(pt)...),
				Figures:  map[string]any{"url": pt.URL, "key": w.Key, "value": w.Value, "code": w.Code}})
		}
	}
	return out
}

func codeOrNone(code int) string {
	if code == 0 {
		return "none documented"
	}
	return fmt.Sprint(code)
}

// maxSources bounds the sources a finding lists; summary.json has them all.
const maxSources = 5

func sourcesOf(pt collect.ProbeTarget) []string {
	out := make([]string, 0, min(len(pt.Sources), maxSources+1))
	for i, s := range pt.Sources {
		if i == maxSources {
			out = append(out, fmt.Sprintf("source: %d more, listed in %s", len(pt.Sources)-maxSources, probeFiles))
			break
		}
		out = append(out, "source: "+s)
	}
	return out
}

// targetFindings gives each probed URL its finding. A history recorded
// with `probe --record` adds its figures; failures in the history turn a
// URL that answers now into an intermittent one.
func targetFindings(pe *collect.ProbeEvidence) []Finding {
	var fresh []probe.TargetSummary
	if pe.Report != nil {
		fresh = pe.Report.Targets
	}
	history := map[string]probe.TargetSummary{}
	var historyAttempts []probe.Attempt
	if pe.History != nil {
		for _, ts := range pe.History.Targets {
			history[ts.Target] = ts
		}
		historyAttempts = pe.History.Attempts
	}
	sources := map[string]collect.ProbeTarget{}
	for _, pt := range pe.Targets {
		sources[pt.Target] = pt
	}
	var out []Finding
	done := map[string]bool{}
	for _, ts := range fresh {
		done[ts.Target] = true
		h, hasHistory := history[ts.Target]
		f, ok := targetFinding(ts, "probes")
		if !ok {
			continue
		}
		if hasHistory {
			f = withHistory(f, ts, h, historyAttempts)
		}
		f.Evidence = append(f.Evidence, sourcesOf(sources[ts.Target])...)
		out = append(out, f)
	}
	if pe.History != nil {
		for _, h := range pe.History.Targets {
			if done[h.Target] {
				continue
			}
			f, ok := targetFinding(h, "recorded probes")
			if !ok {
				continue
			}
			f.Evidence = append(f.Evidence, collect.ProbeHistoryFile, collect.ProbeByHourFile)
			f.Evidence = append(f.Evidence, hourFigures(h.Target, historyAttempts)...)
			out = append(out, f)
		}
	}
	return out
}

// targetFinding maps one target's verdict to its finding; what names the
// attempts ("probes", "recorded probes").
func targetFinding(ts probe.TargetSummary, what string) (Finding, bool) {
	o := ts.Overall
	f := Finding{Step: 2, Severity: Fail, Evidence: []string{probeFiles, probeAttemptFiles}, Figures: summaryValues(ts, what != "probes")}
	f.Evidence = append(f.Evidence, summaryFigures("through DNS", o)...)
	switch ts.Verdict {
	case probe.VerdictOK:
		f.ID, f.Severity = FindingProbeOK, Pass
		f.Verdict = fmt.Sprintf("%s answered all %d %s: the URL itself is right, and from here the server answered in time.", ts.Target, o.Attempts, what)
	case probe.VerdictNearTimeout:
		f.ID, f.Severity = FindingProbeOK, Warn
		f.Verdict = fmt.Sprintf("%s answered all %d %s, but its slowest answers (%.0f ms to the first byte) come close to the read timeout Twilio applies to it: under more load, Twilio gives up with error 11205.",
			ts.Target, o.Attempts, what, o.Phases.TTFB.P95)
	case probe.VerdictIntermittent:
		f.ID = FindingProbeIntermittent
		f.Verdict = fmt.Sprintf("%s failed %d of %d %s (%.0f%%; %s): failures now and then point at server load or the network, not at the URL. Check the server's load at those times, and record probes at different times of day (probe --record from cron).",
			ts.Target, o.Failures, o.Attempts, what, 100*o.FailureRate, failureText(o))
	case probe.VerdictOneAddress, probe.CauseDNSChanging:
		f.ID, f.Step = FindingProbeOneAddressFails, 3
		f.Verdict = fmt.Sprintf("%s resolves to several addresses, and %s failed every %s while the others answered: one server behind the name is broken. Fix it or take it out of DNS; Twilio's requests fail whenever they land on it.",
			ts.Target, strings.Join(ts.BadAddresses, ", "), strings.TrimSuffix(what, "s"))
		for _, s := range ts.PerAddress {
			f.Evidence = append(f.Evidence, summaryFigures("address "+s.Address, s)...)
		}
	case probe.CauseLoadBalancer:
		f.ID, f.Step = FindingProbeLBFails, 3
		f.Verdict = fmt.Sprintf("%s failed %d of %d %s through the load balancer (%s) while every direct request to the origin succeeded: the load balancer, firewall or DNS in front of the origin is at fault, not the application.",
			ts.Target, o.Failures, o.Attempts, what, failureText(o))
		for _, s := range ts.Direct {
			f.Evidence = append(f.Evidence, summaryFigures("direct "+s.Address, s)...)
		}
	case probe.CausePrivateAddress:
		f.ID = FindingProbePrivate
		f.Verdict = fmt.Sprintf("%s resolves only to private, loopback or link-local addresses: Twilio connects from the internet and cannot reach it. Publish the webhook on a public address.", ts.Target)
	case probe.VerdictNoData:
		return Finding{}, false
	default:
		// Every or most probes failed, and ts.Cause names why (ts.Facts
		// hold the figures).
		f.ID = FindingProbeURLWrong
		f.Verdict = fmt.Sprintf("%s failed %d of %d %s (%s): %s. Twilio's requests fail the same way; fix this before contacting support.",
			ts.Target, o.Failures, o.Attempts, what, failureText(o), ts.Explanation)
	}
	if ts.DNSChanged {
		f.Verdict += " Its DNS answer changed between samples (dynamic DNS or a flapping record)."
		for _, a := range ts.DNSAnswers {
			f.Evidence = append(f.Evidence, fmt.Sprintf("dns answer %s: %d samples", strings.Join(a.Addresses, " "), a.Samples))
		}
	}
	return f, true
}

// withHistory adds the history's figures to a fresh finding; a URL that
// answers now but failed in the history is intermittent.
func withHistory(f Finding, fresh, h probe.TargetSummary, attempts []probe.Attempt) Finding {
	ho := h.Overall
	f.Evidence = append(f.Evidence, collect.ProbeHistoryFile, collect.ProbeByHourFile)
	f.Evidence = append(f.Evidence, summaryFigures("recorded history", ho)...)
	f.Evidence = append(f.Evidence, hourFigures(h.Target, attempts)...)
	f.Figures["history_attempts"], f.Figures["history_failures"] = ho.Attempts, ho.Failures
	if f.ID == FindingProbeOK && ho.Failures > 0 {
		f.ID, f.Severity = FindingProbeIntermittent, Fail
		f.Figures["from_history"] = true
		f.Verdict = fmt.Sprintf("%s answered all %d probes now, but failed %d of %d recorded probes (%.0f%%; %s)%s: failures at certain times point at server load or the network, not at the URL.",
			fresh.Target, fresh.Overall.Attempts, ho.Failures, ho.Attempts, 100*ho.FailureRate, failureText(ho), worstHourText(h.Target, attempts))
	}
	return f
}

// summaryValues are a target finding's figures, for its sentence in other
// languages.
func summaryValues(ts probe.TargetSummary, recorded bool) map[string]any {
	o := ts.Overall
	return map[string]any{
		"url": ts.Target, "verdict": ts.Verdict, "cause": ts.Cause, "recorded": recorded,
		"attempts": o.Attempts, "failures": o.Failures, "failure_pct": int(100*o.FailureRate + 0.5),
		"failures_by_class": failureText(o), "ttfb_p95_ms": int(o.Phases.TTFB.P95 + 0.5),
		"bad_addresses": strings.Join(ts.BadAddresses, ", "), "dns_changed": ts.DNSChanged,
	}
}

func summaryFigures(label string, s probe.Summary) []string {
	out := []string{fmt.Sprintf("%s: %d attempts, %d failed (%.0f%%)", label, s.Attempts, s.Failures, 100*s.FailureRate)}
	if len(s.FailuresByClass) > 0 {
		out = append(out, fmt.Sprintf("%s failures: %s", label, failureText(s)))
	}
	if t := s.Phases.TTFB; t.P95 > 0 {
		out = append(out, fmt.Sprintf("%s time to first byte: p50 %.0f ms, p95 %.0f ms", label, t.P50, t.P95))
	}
	return out
}

// failureText lists the failure classes with their Twilio error codes,
// the most frequent first: "http_status×3 (Twilio 11217)".
func failureText(s probe.Summary) string {
	if len(s.FailuresByClass) == 0 {
		return "no failure"
	}
	classes := make([]string, 0, len(s.FailuresByClass))
	for c := range s.FailuresByClass {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool {
		if s.FailuresByClass[classes[i]] != s.FailuresByClass[classes[j]] {
			return s.FailuresByClass[classes[i]] > s.FailuresByClass[classes[j]]
		}
		return classes[i] < classes[j]
	})
	parts := make([]string, 0, len(classes))
	for _, c := range classes {
		parts = append(parts, fmt.Sprintf("%s×%d", c, s.FailuresByClass[c]))
	}
	codes := make([]string, 0, len(s.TwilioCodes))
	for c := range s.TwilioCodes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	text := strings.Join(parts, ", ")
	if len(codes) > 0 {
		text += " — Twilio error " + strings.Join(codes, "/")
	}
	return text
}

// hourFigures are the hours of day (UTC) in which the target's recorded
// probes failed.
func hourFigures(target string, attempts []probe.Attempt) []string {
	var out []string
	for _, h := range probe.FailureByHour(attemptsOf(target, attempts), nil) {
		if h.Failures > 0 {
			out = append(out, fmt.Sprintf("recorded history %02d:00 UTC: %d of %d failed", h.Hour, h.Failures, h.Attempts))
		}
	}
	return out
}

func worstHourText(target string, attempts []probe.Attempt) string {
	best := probe.HourStat{Hour: -1}
	for _, h := range probe.FailureByHour(attemptsOf(target, attempts), nil) {
		if h.Failures > 0 && (best.Hour < 0 || h.FailureRate > best.FailureRate) {
			best = h
		}
	}
	if best.Hour < 0 {
		return ""
	}
	return fmt.Sprintf(", most often at %02d:00 UTC (%d of %d)", best.Hour, best.Failures, best.Attempts)
}

func attemptsOf(target string, attempts []probe.Attempt) []probe.Attempt {
	var out []probe.Attempt
	for _, a := range attempts {
		if a.Target == target {
			out = append(out, a)
		}
	}
	return out
}

// fallbackAudit checks the fallback URL of every effective webhook: none,
// on the primary's host, addresses or network, or failing its probe. The
// same problem on many numbers with the same URLs is one finding.
func fallbackAudit(ev *collect.Evidence) []Finding {
	var summaries []probe.TargetSummary
	var attempts []probe.Attempt
	if pe := ev.Probes; pe != nil {
		if pe.Report != nil {
			summaries = pe.Report.Targets
			attempts = append(attempts, pe.Report.Attempts...)
		}
		if pe.History != nil {
			attempts = append(attempts, pe.History.Attempts...)
		}
	}
	resolved := probe.ResolvedAddresses(attempts)
	type group struct {
		f      probe.FallbackFinding
		owners []string
	}
	var order []string
	groups := map[string]*group{}
	for _, e := range ev.Endpoints {
		if !e.Effective || e.URL == "" {
			continue
		}
		owner := fmt.Sprintf("%s %s (%s) %s", e.OwnerKind, e.OwnerName, e.OwnerSID, e.Channel)
		for _, ff := range probe.AuditFallback(probe.Endpoint{Owner: owner, URL: e.URL, FallbackURL: e.FallbackURL}, resolved, summaries) {
			key := strings.Join([]string{ff.Kind, e.Channel, ff.URL, ff.FallbackURL}, "\x00")
			g, ok := groups[key]
			if !ok {
				g = &group{f: ff}
				groups[key] = g
				order = append(order, key)
			}
			g.owners = append(g.owners, owner)
		}
	}
	out := make([]Finding, 0, len(order))
	for _, key := range order {
		g := groups[key]
		out = append(out, fallbackFinding(g.f, g.owners))
	}
	return out
}

func fallbackFinding(ff probe.FallbackFinding, owners []string) Finding {
	who := owners[0]
	if len(owners) > 1 {
		who = fmt.Sprintf("%d webhooks (%s and %d more)", len(owners), owners[0], len(owners)-1)
	}
	f := Finding{Step: 0, Severity: Warn, Evidence: []string{collect.EndpointsFile, "fallback audit: " + ff.Kind},
		Figures: map[string]any{"kind": ff.Kind, "webhooks": len(owners), "first_webhook": owners[0], "url": ff.URL, "fallback_url": ff.FallbackURL}}
	for _, o := range owners {
		f.Evidence = append(f.Evidence, "webhook: "+o)
	}
	const advice = "Put the fallback on a TwiML Bin or on a server in a different network: it keeps the service up when the primary fails, and shows whether Twilio made the request at all."
	switch ff.Kind {
	case probe.FindingNoFallback:
		f.ID = FindingFallbackNone
		f.Verdict = fmt.Sprintf("%s: %s has no fallback URL, so when it fails the call or message is lost. %s", who, ff.URL, advice)
	case probe.FindingSameHost, probe.FindingSameAddresses, probe.FindingSameNetwork:
		f.ID = FindingFallbackSameNetwork
		f.Verdict = fmt.Sprintf("%s: the fallback %s fails together with the primary %s — %s. %s", who, ff.FallbackURL, ff.URL, sameNetworkReason(ff), advice)
	case probe.FindingFallbackFails:
		f.ID, f.Step, f.Severity = FindingFallbackFails, 2, Fail
		f.Verdict = fmt.Sprintf("%s: the fallback %s failed every probe, so when the primary %s fails, the fallback fails too. %s", who, ff.FallbackURL, ff.URL, advice)
		f.Evidence = append(f.Evidence, probeFiles)
	case probe.FindingFallbackIsFlaky:
		f.ID, f.Step = FindingFallbackIntermittent, 2
		f.Verdict = fmt.Sprintf("%s: the fallback %s is not reliable — %s; a fallback has to answer when the primary does not.", who, ff.FallbackURL, ff.Message)
		f.Evidence = append(f.Evidence, probeFiles)
	default:
		f.ID = "probe.fallback." + strings.ReplaceAll(ff.Kind, "-", "_")
		f.Verdict = who + ": " + ff.Message
	}
	return f
}

func sameNetworkReason(ff probe.FallbackFinding) string {
	switch ff.Kind {
	case probe.FindingSameHost:
		return "it is on the same host"
	case probe.FindingSameAddresses:
		return "it resolves to the same address"
	default:
		return "it is in the same network (/24 or IPv6 /48)"
	}
}
