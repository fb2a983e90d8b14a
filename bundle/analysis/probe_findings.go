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
			figs := map[string]any{"url": pt.URL, "key": pt.Invalid.Key, "value": pt.Invalid.Value, "code": pt.Invalid.Code,
				"message": pt.Invalid.Message, "warning": false}
			out = append(out, Finding{ID: FindingProbeOverrideInvalid, Step: 2, Severity: Fail, Figures: figs,
				Sentence: findingText(FindingProbeOverrideInvalid, figs),
				Evidence: append([]string{probeFiles, "code: " + codeOrNone(pt.Invalid.Code)}, sourcesOf(pt)...)})
		}
		for _, w := range pt.Warnings {
			figs := map[string]any{"url": pt.URL, "key": w.Key, "value": w.Value, "code": w.Code, "message": w.Message, "warning": true}
			out = append(out, Finding{ID: FindingProbeOverrideInvalid, Step: 2, Severity: Warn, Figures: figs,
				Sentence: findingText(FindingProbeOverrideInvalid, figs),
				Evidence: append([]string{probeFiles, "code: " + codeOrNone(w.Code)}, sourcesOf(pt)...)})
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

// targetFinding maps one target's verdict to its finding, its sentence
// the catalogs' "finding.<ID>"; what names the attempts ("probes",
// "recorded probes").
func targetFinding(ts probe.TargetSummary, what string) (Finding, bool) {
	o := ts.Overall
	f := Finding{Step: 2, Severity: Fail, Evidence: []string{probeFiles, probeAttemptFiles}, Figures: summaryValues(ts, what != "probes")}
	f.Evidence = append(f.Evidence, summaryFigures("through DNS", o)...)
	switch ts.Outcome {
	case probe.OutcomeOK:
		f.ID, f.Severity = FindingProbeOK, Pass
	case probe.OutcomeNearTimeout:
		f.ID, f.Severity = FindingProbeOK, Warn
		f.Figures["near_timeout"] = true
	case probe.OutcomeIntermittent:
		f.ID = FindingProbeIntermittent
	case probe.OutcomeOneAddress, probe.CauseDNSChanging:
		f.ID, f.Step = FindingProbeOneAddressFails, 3
		for _, s := range ts.PerAddress {
			f.Evidence = append(f.Evidence, summaryFigures("address "+s.Address, s)...)
		}
	case probe.CauseLoadBalancer:
		f.ID, f.Step = FindingProbeLBFails, 3
		for _, s := range ts.Direct {
			f.Evidence = append(f.Evidence, summaryFigures("direct "+s.Address, s)...)
		}
	case probe.CausePrivateAddress:
		f.ID = FindingProbePrivate
	case probe.OutcomeNoData:
		return Finding{}, false
	default:
		// Every or most probes failed, and ts.Cause names why (ts.Facts
		// hold the figures); the probe says it in either language.
		f.ID = FindingProbeURLWrong
	}
	if ts.DNSChanged {
		for _, a := range ts.DNSAnswers {
			f.Evidence = append(f.Evidence, fmt.Sprintf("dns answer %s: %d samples", strings.Join(a.Addresses, " "), a.Samples))
		}
	}
	f.Sentence = findingText(f.ID, f.Figures)
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
		f.Figures["history_pct"] = fmt.Sprintf("%.0f", 100*ho.FailureRate)
		f.Figures["history_classes"], f.Figures["history_codes"] = failureParts(ho)
		f.Figures["worst_hour"], f.Figures["worst_failures"], f.Figures["worst_attempts"] = "", 0, 0
		if w, ok := worstHour(h.Target, attempts); ok {
			f.Figures["worst_hour"], f.Figures["worst_failures"], f.Figures["worst_attempts"] = fmt.Sprintf("%02d:00", w.Hour), w.Failures, w.Attempts
		}
		f.Sentence = findingText(f.ID, f.Figures)
	}
	return f
}

// summaryValues are a target finding's figures, for its sentence in other
// languages.
func summaryValues(ts probe.TargetSummary, recorded bool) map[string]any {
	o := ts.Overall
	classes, codes := failureParts(o)
	return map[string]any{
		"url": ts.Target, "verdict": string(ts.Outcome), "cause": string(ts.Cause), "recorded": recorded,
		"attempts": o.Attempts, "failures": o.Failures, "failure_pct": fmt.Sprintf("%.0f", 100*o.FailureRate),
		"failures_by_class": failureText(o), "classes": classes, "codes": codes, "ttfb_p95_ms": fmt.Sprintf("%.0f", o.Phases.TTFB.P95),
		"bad_addresses": strings.Join(ts.BadAddresses, ", "), "dns_changed": ts.DNSChanged, "near_timeout": false, "from_history": false,
		"explanation_en": strings.TrimSuffix(probe.Explain(ts, "en"), "."), "explanation_ja": strings.TrimSuffix(probe.Explain(ts, "ja"), "。"),
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
// the most frequent first: "http_status×3 — Twilio error 11217".
func failureText(s probe.Summary) string {
	if len(s.FailuresByClass) == 0 {
		return "no failure"
	}
	classes, codes := failureParts(s)
	if codes != "" {
		return classes + " — Twilio error " + codes
	}
	return classes
}

// failureParts are the failure classes with their counts, most frequent
// first ("http_status×3, read_timeout×1"), and the Twilio error codes they
// map to ("11205/11217").
func failureParts(s probe.Summary) (classes, codes string) {
	cs := make([]probe.ErrorClass, 0, len(s.FailuresByClass))
	for c := range s.FailuresByClass {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if s.FailuresByClass[cs[i]] != s.FailuresByClass[cs[j]] {
			return s.FailuresByClass[cs[i]] > s.FailuresByClass[cs[j]]
		}
		return cs[i] < cs[j]
	})
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s×%d", c, s.FailuresByClass[c]))
	}
	tc := make([]string, 0, len(s.TwilioCodes))
	for c := range s.TwilioCodes {
		tc = append(tc, c)
	}
	sort.Strings(tc)
	return strings.Join(parts, ", "), strings.Join(tc, "/")
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

// worstHour is the hour of day (UTC) in which the target's recorded probes
// failed most often.
func worstHour(target string, attempts []probe.Attempt) (probe.HourStat, bool) {
	best := probe.HourStat{Hour: -1}
	for _, h := range probe.FailureByHour(attemptsOf(target, attempts), nil) {
		if h.Failures > 0 && (best.Hour < 0 || h.FailureRate > best.FailureRate) {
			best = h
		}
	}
	return best, best.Hour >= 0
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
		owner := fmt.Sprintf("%s (%s) %s", e.OwnerName, e.OwnerSID, e.Channel)
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
		out = append(out, fallbackFinding(g.f, g.owners, summaries))
	}
	return out
}

func fallbackFinding(ff probe.FallbackFinding, owners []string, summaries []probe.TargetSummary) Finding {
	f := Finding{Step: 0, Severity: Warn, Evidence: []string{collect.EndpointsFile, "fallback audit: " + ff.Kind},
		Figures: map[string]any{"kind": ff.Kind, "webhooks": len(owners), "more": len(owners) - 1, "first_webhook": owners[0],
			"url": ff.URL, "fallback_url": ff.FallbackURL, "fb_failures": 0, "fb_attempts": 0}}
	for _, o := range owners {
		f.Evidence = append(f.Evidence, "webhook: "+o)
	}
	for _, ts := range summaries {
		if ts.Target == stripQuery(ff.FallbackURL) || ts.Target == ff.FallbackURL {
			f.Figures["fb_failures"], f.Figures["fb_attempts"] = ts.Overall.Failures, ts.Overall.Attempts
		}
	}
	switch ff.Kind {
	case probe.FindingNoFallback:
		f.ID = FindingFallbackNone
	case probe.FindingSameHost, probe.FindingSameAddresses, probe.FindingSameNetwork:
		f.ID = FindingFallbackSameNetwork
	case probe.FindingFallbackFails:
		f.ID, f.Step, f.Severity = FindingFallbackFails, 2, Fail
		f.Evidence = append(f.Evidence, probeFiles)
	case probe.FindingFallbackIsFlaky:
		f.ID, f.Step = FindingFallbackIntermittent, 2
		f.Evidence = append(f.Evidence, probeFiles)
	default:
		f.ID = "probe.fallback." + strings.ReplaceAll(ff.Kind, "-", "_")
		f.Sentence = owners[0] + ": " + ff.Message
		return f
	}
	f.Sentence = findingText(f.ID, f.Figures)
	return f
}
