package bundle

import (
	"fmt"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// probeTable is the probes appendix: one row per URL considered, with the
// verdict of its probes or why it was not probed. ok is false when the
// probe collector did not run.
func probeTable(r *Report) (t pdfdoc.Table, ok bool) {
	p := r.Ev.Probes
	if p == nil || (p.Report == nil && len(p.Targets) == 0) {
		return t, false
	}
	L := r.L
	t.Columns = []pdfdoc.Column{{Title: L.S("col.url"), Width: 3}, {Title: L.S("col.probe_verdict"), Width: 1.1},
		{Title: L.S("col.failures"), Width: 1, AlignRight: true}, {Title: L.S("col.explanation"), Width: 3.5}}
	probed := map[string]bool{}
	if p.Report != nil {
		for _, ts := range p.Report.Targets {
			probed[ts.Target] = true
			t.Rows = append(t.Rows, []string{ts.Target, outcomeName(L, ts.Outcome),
				fmt.Sprintf("%d / %d", ts.Overall.Failures, ts.Overall.Attempts), probe.Explain(ts, L.Lang())})
		}
	}
	for _, pt := range p.Targets {
		if pt.Skipped != "" && !probed[pt.Target] {
			why := pt.Skipped
			if key := "probe_skipped." + pt.SkipKind; pt.SkipKind != "" && L.Has(key) {
				why = L.S(key)
			}
			t.Rows = append(t.Rows, []string{pt.URL, L.S("state.skipped"), "-", why})
		}
	}
	return t, len(t.Rows) > 0
}

// outcomeName is a probe outcome in words: the cause's name for a cause
// ID, the verdict's own name for the probe-only verdicts (ok, near
// timeout, intermittent, no data, fails).
func outcomeName(L *Localizer, outcome probe.Outcome) string {
	for _, key := range []string{"cause." + string(outcome) + ".name", "verdict_name." + string(outcome)} {
		if L.Has(key) {
			return L.S(key)
		}
	}
	return string(outcome)
}

// hopTable is the hop trace appendix: how many of the incidents each hop
// saw, in path order (what that means is said once, in the steps of the
// isolation result). ok is false when no hop log was given.
func hopTable(r *Report) (t pdfdoc.Table, ok bool) {
	h := r.Ev.Hops
	if h == nil || len(h.Hops) == 0 {
		return t, false
	}
	L := r.L
	t.Columns = []pdfdoc.Column{{Title: L.S("col.hop"), Width: 1.5}, {Title: L.S("col.role"), Width: 1},
		{Title: L.S("col.seen"), Width: 1, AlignRight: true}, {Title: L.S("col.format"), Width: 3.5}}
	reached := map[string]int{}
	for i, name := range h.Report.Hops {
		if i < len(h.Report.Reached) {
			reached[name] = h.Report.Reached[i]
		}
	}
	for _, hop := range h.Hops {
		seen := "-"
		if n, found := reached[hop.Name]; found {
			seen = fmt.Sprintf("%d / %d", n, h.Report.Total)
		}
		role := hop.Role
		if L.Has("role." + role) {
			role = L.S("role." + role)
		}
		t.Rows = append(t.Rows, []string{hop.Name, role, seen, hopLogText(L, hop)})
	}
	return t, true
}

// hopLogText says for the appendix which files a hop's log is, the format
// detected (or given), how many lines were read and how many other lines
// skipped, and why incidents stayed undecided there.
func hopLogText(L *Localizer, hop collect.HopLog) string {
	if hop.Err != "" && len(hop.Files) == 0 {
		return hop.Pattern + " — " + hop.Err
	}
	parts := []string{hop.Pattern}
	d := hop.Detection
	if d.Format != "" {
		key := "hop.format_detected"
		if d.Given {
			key = "hop.format_given"
		}
		parts = append(parts, L.F(key, "format", d.Format))
	}
	tot := hop.Totals()
	kind := L.S("hop.kind." + d.Kind)
	if d.Kind == "" {
		kind = L.S("hop.kind.log")
	}
	if tot.Other > 0 {
		parts = append(parts, L.F("hop.read_other", "read", hoplog.Thousands(tot.Parsed), "kind", kind, "other", hoplog.Thousands(tot.Other)))
	} else {
		parts = append(parts, L.F("hop.read", "read", hoplog.Thousands(tot.Parsed), "kind", kind))
	}
	if z := hop.Zone; z != nil && z.Fits {
		parts = append(parts, L.F("hop.zone_inferred", "zone", hoplog.OffsetName(z.Offset), "matched", z.Matched, "total", z.Total))
	} else if z != nil {
		parts = append(parts, L.F("hop.zone_none", "zone", hoplog.OffsetName(z.Offset)))
	} else if hop.ZoneName != "" {
		parts = append(parts, L.F("hop.zone_from", "zone", hop.ZoneName, "from", hop.ZoneFrom))
	}
	if hop.Role == collect.RoleHop && d.Kind == hoplog.KindText {
		parts = append(parts, L.F("hop.text_only", "formats", strings.Join(hoplog.FormatNames(), ", "), "suggestion", d.Suggestion))
	}
	if hop.Result != nil {
		counts := map[hoplog.Reason]int{}
		for _, m := range hop.Result.Matches {
			if m.Undecided {
				counts[m.Reason]++
			}
		}
		for _, r := range []hoplog.Reason{hoplog.ReasonFormatUnknown, hoplog.ReasonNoLineParsed, hoplog.ReasonOutsideSpan, hoplog.ReasonNoAddress} {
			if n := counts[r]; n > 0 && !(r == hoplog.ReasonFormatUnknown && d.Kind == hoplog.KindText) {
				parts = append(parts, L.F("hop.undecided."+string(r), "count", n, "format", d.Format))
			}
		}
	}
	if hop.Err != "" {
		parts = append(parts, hop.Err)
	}
	return strings.Join(parts, " — ")
}
