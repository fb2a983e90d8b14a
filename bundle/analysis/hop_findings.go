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
			out = append(out, Finding{ID: FindingWebhookChanged, Step: 0, Severity: Info,
				Verdict:  fmt.Sprintf("The webhook setting %s. If failures began then, the change is the first thing to check.", c.Sentence()),
				Evidence: []string{collect.TwilioConfigChangesFile, "event: " + c.EventSID}})
		}
	}
	return out
}

// traceFindings makes the findings of one report; host names the webhook
// host the report is about, empty for all incidents.
func traceFindings(he *collect.HopEvidence, rep hoplog.Report, host string) []Finding {
	var out []Finding
	prefix := ""
	if host != "" {
		prefix = host + ": "
	}
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
		var parts []string
		for _, v := range rep.Verdicts {
			parts = append(parts, fmt.Sprintf("%s: %d of %d (%s)", describeOutcome(v), v.Count, v.Total, percent(v.Count, v.Total)))
		}
		out = append(out, Finding{ID: FindingHopsMixed, Step: 3, Severity: Warn,
			Verdict: prefix + fmt.Sprintf("The %d failed requests did not all stop at the same place: %s. Each group is a finding of its own; the largest is the likeliest cause, the others may be a second problem.",
				rep.Total, strings.Join(parts, "; ")),
			Evidence: append(append(append([]string{}, files...), reached()...), "summary: "+rep.Summary)})
	}
	for _, v := range rep.Verdicts {
		f, ok := verdictFinding(v)
		if !ok {
			continue
		}
		f.Verdict = prefix + f.Verdict
		f.Evidence = append(append(append(f.Evidence, files...), reached()...), "sentence: "+v.Sentence)
		f.Evidence = append(f.Evidence, sampleIDs(v.Incidents, 5)...)
		out = append(out, f)
	}
	return out
}

// verdictFinding turns one verdict of the trace into a finding for the
// customer; outcomes that decide nothing (no time, no hop could tell) give
// none.
func verdictFinding(v hoplog.Verdict) (Finding, bool) {
	of := fmt.Sprintf("%d of %d failed requests", v.Count, v.Total)
	counts := []string{fmt.Sprintf("incidents: %d of %d", v.Count, v.Total)}
	switch v.Outcome {
	case hoplog.OutcomeLost:
		return Finding{ID: FindingHopsLost, Step: 3, Severity: Fail,
			Verdict: fmt.Sprintf("%s reached %s but never arrived at %s: they were lost between %s and %s, and %s is the last component whose log has them, so they stopped there. Check %s's configuration, health checks and its own logs for these times.",
				of, v.From, v.To, v.From, v.To, v.From, v.From),
			Evidence: append(counts, "from: "+v.From, "to: "+v.To)}, true
	case hoplog.OutcomeDropped:
		return Finding{ID: FindingHopsFirewallDrop, Step: 3, Severity: Fail,
			Verdict: fmt.Sprintf("%s were refused by %s (its log shows DROP/REJECT for Twilio's connection). Allow Twilio's addresses to the webhook's port in its rules.",
				of, v.From),
			Evidence: append(counts, "at: "+v.From)}, true
	case hoplog.OutcomeNotReached:
		return Finding{ID: FindingHopsNeverReached, Step: 3, Severity: Fail,
			Verdict:  fmt.Sprintf("%s appear in none of your logs, not even at the first component: the requests did not reach your network. The problem lies between Twilio and you: send this bundle to Twilio support.", of),
			Evidence: counts}, true
	case hoplog.OutcomeAppError:
		return Finding{ID: FindingHopsAppFailed, Step: 1, Severity: Fail,
			Verdict: fmt.Sprintf("%s reached %s, which answered %s: the request arrived and your application failed. Its error log at these times holds the cause.",
				of, v.From, statusText(v.Statuses)),
			Evidence: append(counts, "at: "+v.From, "statuses: "+statusText(v.Statuses))}, true
	case hoplog.OutcomeTooSlow:
		s := fmt.Sprintf("%s reached %s and were not answered within Twilio's timeout of %.0f s", of, v.From, v.Timeout.Seconds())
		if v.Slowest > 0 {
			s += fmt.Sprintf(" (slowest %.1f s)", v.Slowest.Seconds())
		}
		return Finding{ID: FindingHopsAppFailed, Step: 1, Severity: Fail,
			Verdict:  s + ": your application was too slow. Answer within the timeout (do slow work after responding) or raise it with a #rt=…&tt=… override.",
			Evidence: append(counts, "at: "+v.From, fmt.Sprintf("slowest: %.3f s", v.Slowest.Seconds()), fmt.Sprintf("timeout: %.0f s", v.Timeout.Seconds()))}, true
	case hoplog.OutcomeClientError:
		return Finding{ID: FindingHopsAppFailed, Step: 1, Severity: Fail,
			Verdict: fmt.Sprintf("%s reached %s, which answered %s: your server refused Twilio's request. Check the URL, the method and the request validation (X-Twilio-Signature).",
				of, v.From, statusText(v.Statuses)),
			Evidence: append(counts, "at: "+v.From, "statuses: "+statusText(v.Statuses))}, true
	case hoplog.OutcomeAnswered:
		return Finding{ID: FindingHopsAnswered, Step: 1, Severity: Warn,
			Verdict: fmt.Sprintf("%s reached %s, which answered in time (%s): your server answered, yet Twilio counted a failure. Look at the response (Content-Type, size, TwiML) and at the way back to Twilio.",
				of, v.From, statusText(v.Statuses)),
			Evidence: append(counts, "at: "+v.From, "statuses: "+statusText(v.Statuses))}, true
	case hoplog.OutcomeNoStatus:
		return Finding{ID: FindingHopsAnswered, Step: 1, Severity: Warn,
			Verdict:  fmt.Sprintf("%s reached %s, whose log has no status: the requests arrived. Whether your application finished them is in its own log.", of, v.From),
			Evidence: append(counts, "at: "+v.From)}, true
	case hoplog.OutcomeUndecided:
		reached := ""
		if v.From != "" {
			reached = fmt.Sprintf(" reached %s, but they", v.From)
		}
		return Finding{ID: FindingHopsUndecided, Step: 3, Severity: Warn,
			Verdict: fmt.Sprintf("%s%s could not be traced further: %s's log could not be read for them (%s). Where they stopped is not decided; make the log readable and trace again.",
				of, reached, v.To, undecidedWhy(v.Reason)),
			Evidence: append(counts, "at: "+v.To, "reason: "+string(v.Reason)),
			Figures:  map[string]any{"count": v.Count, "total": v.Total, "from": v.From, "at": v.To, "reason": string(v.Reason)}}, true
	}
	return Finding{}, false
}

func describeOutcome(v hoplog.Verdict) string {
	switch v.Outcome {
	case hoplog.OutcomeLost:
		return fmt.Sprintf("lost between %s and %s", v.From, v.To)
	case hoplog.OutcomeDropped:
		return "refused by " + v.From
	case hoplog.OutcomeNotReached:
		return "never reached your network"
	case hoplog.OutcomeAppError:
		return "your application failed (5xx)"
	case hoplog.OutcomeTooSlow:
		return "your application was too slow"
	case hoplog.OutcomeClientError:
		return "refused by your server (4xx)"
	case hoplog.OutcomeAnswered:
		return "answered in time"
	case hoplog.OutcomeNoStatus:
		return "arrived, no status logged"
	case hoplog.OutcomeUntimed:
		return "without a time"
	case hoplog.OutcomeUndecided:
		return fmt.Sprintf("not decided at %s (%s)", v.To, undecidedWhy(v.Reason))
	}
	return "undecided"
}

// undecidedWhy says in a few words why a hop could not decide.
func undecidedWhy(r hoplog.Reason) string {
	switch r {
	case hoplog.ReasonNoLineParsed:
		return "its lines near their times are not in the format it was read as"
	case hoplog.ReasonFormatUnknown:
		return "no known format reads it: give one as NAME=PATH:FORMAT or NAME=PATH:regex:…"
	case hoplog.ReasonOutsideSpan:
		return "it does not cover their times: add the rotated files"
	case hoplog.ReasonNoAddress:
		return "a connection log needs the webhook's address: give --hop-addr"
	}
	return string(r)
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
