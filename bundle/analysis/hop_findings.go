package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// Finding IDs of the hop trace (steps 1 and 3 of the isolation procedure).
const (
	FindingHopsLost         = "hops.lost"
	FindingHopsNeverReached = "hops.never_reached"
	FindingHopsAppFailed    = "hops.app_failed"
	FindingHopsAnswered     = "hops.answered"
	FindingHopsMixed        = "hops.mixed"
	FindingHopsFirewallDrop = "hops.firewall_drop"
	// FindingHopsUndecided is a group of incidents a hop's log could not
	// decide (lines unread, format unknown, times outside the log): it
	// names the hop and the reason, and supports no verdict.
	FindingHopsUndecided = "hops.undecided"
	// FindingWebhookChanged is a webhook setting changed in the window
	// (Monitor Events).
	FindingWebhookChanged = "config.webhook_changed"
)

// hopFindings turns the hop trace into findings: one per outcome shared by
// a group of incidents (per webhook host when the incidents name several),
// and hops.mixed with the proportions when they do not share one. It also
// cites the webhook changes Twilio's Monitor Events recorded in the window.
func hopFindings(ev *collect.Evidence) []Finding {
	var out []Finding
	if he := ev.Hops; he != nil && len(he.Report.Hops) > 0 && he.Report.Total > 0 {
		if len(he.ByHost) > 0 {
			for _, h := range he.ByHost {
				out = append(out, traceFindings(he, h.Report, h.Host)...)
			}
		} else {
			out = append(out, traceFindings(he, he.Report, "")...)
		}
	}
	if tl := ev.TwilioLogs; tl != nil {
		for _, c := range tl.ConfigChanges {
			figs := map[string]any{"field": c.Field, "resource": c.ResourceSID, "time": c.Time.In(ev.Window.Loc()).Format(timeLayout),
				"from": noneIfEmpty(c.Previous), "to": noneIfEmpty(c.Updated), "source": c.Source}
			out = append(out, Finding{ID: FindingWebhookChanged, Step: 0, Severity: Info, Figures: figs,
				Sentence: findingText(FindingWebhookChanged, figs),
				Evidence: []string{collect.TwilioConfigChangesFile, "event: " + c.EventSID}})
		}
	}
	return out
}

// traceFindings makes the findings of one report; host names the webhook
// host the report is about, empty for all incidents. Their sentences are
// the catalogs' ("finding.<ID>"), from the figures they carry.
func traceFindings(he *collect.HopEvidence, rep hoplog.Report, host string) []Finding {
	var out []Finding
	files := []string{collect.HopsFile}
	for _, h := range he.Hops {
		if h.Excerpt != "" {
			files = append(files, h.Excerpt)
		}
	}
	reached := func() []string {
		var ev []string
		for k, name := range rep.Hops {
			ev = append(ev, fmt.Sprintf("reached %s: %d of %d", name, rep.Reached[k], rep.Total))
		}
		return ev
	}
	if rep.Mixed {
		var groups []map[string]any
		for _, v := range rep.Reaches {
			groups = append(groups, map[string]any{"outcome": string(v.Outcome), "from": v.From, "to": v.To, "reason": string(v.Reason),
				"count": v.Count, "total": v.Total, "pct": percent(v.Count, v.Total)})
		}
		figs := map[string]any{"host": host, "total": rep.Total, "groups": groups}
		out = append(out, Finding{ID: FindingHopsMixed, Step: 3, Severity: Warn, Sentence: findingText(FindingHopsMixed, figs), Figures: figs,
			Evidence: append(append(append([]string{}, files...), reached()...), "summary: "+rep.Summary)})
	}
	for _, v := range rep.Reaches {
		f, ok := verdictFinding(v, host)
		if !ok {
			continue
		}
		f.Evidence = append(append(append(f.Evidence, files...), reached()...), "sentence: "+v.Sentence)
		f.Evidence = append(f.Evidence, sampleIDs(v.Incidents, 5)...)
		out = append(out, f)
	}
	return out
}

// findingText is a finding's sentence in English, from the catalog.
func findingText(id string, figs map[string]any) string { return english.T("finding."+id, figs) }

// verdictFinding turns one verdict of the trace into a finding for the
// customer; outcomes that decide nothing (no time) give none.
func verdictFinding(v hoplog.Reach, host string) (Finding, bool) {
	counts := []string{fmt.Sprintf("incidents: %d of %d", v.Count, v.Total)}
	figs := map[string]any{"host": host, "count": v.Count, "total": v.Total, "from": v.From, "to": v.To,
		"outcome": string(v.Outcome), "statuses": statusText(v.Statuses)}
	f := Finding{Step: 3, Severity: Fail, Figures: figs}
	switch v.Outcome {
	case hoplog.OutcomeLost:
		f.ID, f.Evidence = FindingHopsLost, append(counts, "from: "+v.From, "to: "+v.To)
	case hoplog.OutcomeDropped:
		f.ID, f.Evidence = FindingHopsFirewallDrop, append(counts, "at: "+v.From)
		// Drops to the webhook outside the incidents' windows (a port
		// scan) make a drop near an incident weaker evidence: say how often.
		figs["confidence"], figs["background"] = v.Confidence, ""
		if b := v.Background; b != nil && b.Drops > 0 {
			figs["background"] = fmt.Sprintf("%.1f", b.PerHour())
			figs["targets"] = strings.Join(b.Targets, ", ")
			figs["chance"] = fmt.Sprintf("%.0f", 100*b.Chance())
			figs["window"] = b.Window.String()
			f.Evidence = append(f.Evidence, fmt.Sprintf("background drops: %d in %.0f min outside the incidents' windows", b.Drops, b.Minutes), "confidence: "+v.Confidence)
		}
	case hoplog.OutcomeNotReached:
		f.ID, f.Evidence = FindingHopsNeverReached, counts
	case hoplog.OutcomeAppError, hoplog.OutcomeClientError:
		f.ID, f.Step = FindingHopsAppFailed, 1
		f.Evidence = append(counts, "at: "+v.From, "statuses: "+statusText(v.Statuses))
	case hoplog.OutcomeTooSlow:
		f.ID, f.Step = FindingHopsAppFailed, 1
		figs["timeout"], figs["slowest"] = fmt.Sprintf("%.0f", v.Timeout.Seconds()), ""
		if v.Slowest > 0 {
			figs["slowest"] = fmt.Sprintf("%.1f", v.Slowest.Seconds())
		}
		f.Evidence = append(counts, "at: "+v.From, fmt.Sprintf("slowest: %.3f s", v.Slowest.Seconds()), fmt.Sprintf("timeout: %.0f s", v.Timeout.Seconds()))
	case hoplog.OutcomeAnswered, hoplog.OutcomeNoStatus:
		f.ID, f.Step, f.Severity = FindingHopsAnswered, 1, Warn
		f.Evidence = append(counts, "at: "+v.From)
		if v.Outcome == hoplog.OutcomeAnswered {
			f.Evidence = append(f.Evidence, "statuses: "+statusText(v.Statuses))
		}
	case hoplog.OutcomeUndecided:
		// The catalog's sentence has no host; the English one leads with it.
		figs = map[string]any{"count": v.Count, "total": v.Total, "from": v.From, "at": v.To, "reason": string(v.Reason)}
		f = Finding{ID: FindingHopsUndecided, Step: 3, Severity: Warn, Figures: figs,
			Evidence: append(counts, "at: "+v.To, "reason: "+string(v.Reason))}
		f.Sentence = findingText(f.ID, figs)
		if host != "" {
			f.Sentence = host + ": " + f.Sentence
		}
		return f, true
	default:
		return Finding{}, false
	}
	f.Sentence = findingText(f.ID, figs)
	return f, true
}

func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

func statusText(m map[int]int) string {
	var codes []int
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d ×%d", c, m[c]))
	}
	if len(parts) == 0 {
		return "no status"
	}
	return strings.Join(parts, ", ")
}

func sampleIDs(ids []string, n int) []string {
	var out []string
	for i, id := range ids {
		if i == n {
			out = append(out, fmt.Sprintf("… %d more in %s", len(ids)-n, collect.HopsFile))
			break
		}
		out = append(out, "alert: "+id)
	}
	return out
}
