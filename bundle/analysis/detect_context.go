package analysis

import (
	"fmt"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// detectContext claims the group's incidents from what surrounds them: a
// Twilio status incident over them, a webhook change just before they
// began, failures bunched in some hours while the probes pass now, and the
// webhook's fallback configuration.
func detectContext(d *diag, g *group) {
	detectTwilioIncident(d, g)
	detectWebhookChange(d, g)
	detectPeakLoad(d, g)
	detectFallback(d, g)
}

// detectTwilioIncident claims the incidents inside a Twilio status
// incident: medium when it covers most of the group's failures.
func detectTwilioIncident(d *diag, g *group) {
	st := d.ev.TwilioStatus
	if st == nil || len(g.inc) == 0 {
		return
	}
	for _, si := range st.Relevant() {
		inside := map[int]bool{}
		for _, i := range g.inc {
			if t := d.ev.Incidents[i].Time; !t.IsZero() && si.Contains(t) {
				inside[i] = true
			}
		}
		if len(inside) == 0 {
			continue
		}
		conf := ConfidenceLow
		if 2*len(inside) >= len(g.inc) {
			conf = ConfidenceMedium
		}
		figs := map[string]any{"name": si.Name, "link": si.Shortlink, "inside": len(inside), "total": len(g.inc)}
		g.add(&claim{cause: CauseTwilioIncident, conf: conf, where: si.Name, inc: inside, figs: figs,
			proof: []Proof{proof("proof.status_incident", collect.StatusIncidentsFile, "name", si.Name, "link", si.Shortlink, "inside", len(inside), "total", len(g.inc))}})
	}
}

// changeLead is how long before the first failure a webhook change counts
// as the likely trigger.
const changeLead = 24 * time.Hour

// detectWebhookChange names a Monitor event that set the group's URL (or
// moved it away) shortly before its failures began, with none before. A
// 404 or 405 found by other evidence takes the change as its "since".
func detectWebhookChange(d *diag, g *group) {
	tl := d.ev.TwilioLogs
	first := firstIncident(d, g)
	if tl == nil || first.IsZero() {
		return
	}
	for _, c := range tl.ConfigChanges {
		h1, p1 := hostPath(c.Updated)
		h0, p0 := hostPath(c.Previous)
		if h1+p1 != g.key() && h0+p0 != g.key() {
			continue
		}
		if c.Time.After(first) || first.Sub(c.Time) > changeLead {
			continue
		}
		when := c.Time.In(d.loc).Format(timeLayout)
		figs := map[string]any{"field": c.Field, "resource": c.ResourceSID, "time": when, "from": noneIfEmpty(c.Previous), "to": noneIfEmpty(c.Updated)}
		pr := proof("proof.config_change", collect.TwilioConfigChangesFile, "field", c.Field, "resource", c.ResourceSID, "time", when,
			"from", noneIfEmpty(c.Previous), "to", noneIfEmpty(c.Updated), "event", c.EventSID)
		g.add(&claim{cause: CauseWebhookChanged, conf: ConfidenceMedium, where: c.ResourceSID, inc: allOf(g.inc), figs: figs, since: c.Time, proof: []Proof{pr}})
		// The cause the change brought about says when and how it began.
		for _, k := range g.order {
			cl := g.claims[k]
			switch cl.cause {
			case CauseURLNotFound, CauseMethodNotAllowed, CauseAuthRequired, CauseDNSNoSuchHost, CauseTLSNameMismatch:
				cl.figs = copyFigs(cl.figs)
				cl.figs["changed"] = fmt.Sprintf("%s: %s → %s", when, noneIfEmpty(c.Previous), noneIfEmpty(c.Updated))
				cl.proof = appendProofs(cl.proof, pr)
				cl.since = c.Time
			}
		}
		return
	}
}

func copyFigs(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Peak load: a band of peakHours consecutive hours of the day holding at
// least peakShare of at least peakMin failures, while the URL answers now.
const (
	peakHours = 3
	peakShare = 0.5
	peakMin   = 10
)

// detectPeakLoad names load at peak hours when the group's failures are
// bunched in one band of hours (display zone) while the probes of its URL
// pass now.
func detectPeakLoad(d *diag, g *group) {
	if !g.probeOK || len(g.inc) < peakMin {
		return
	}
	var perHour [24][]int
	for _, i := range g.inc {
		t := d.ev.Incidents[i].Time
		if t.IsZero() {
			continue
		}
		h := t.In(d.loc).Hour()
		perHour[h] = append(perHour[h], i)
	}
	// The busiest band; among equal ones the first that opens on a busy
	// hour, as the statistics choose it.
	best, bestN, bestOpens := 0, -1, false
	for start := 0; start < 24; start++ {
		n := 0
		for k := 0; k < peakHours; k++ {
			n += len(perHour[(start+k)%24])
		}
		opens := len(perHour[start]) > 0
		if n > bestN || n == bestN && opens && !bestOpens {
			best, bestN, bestOpens = start, n, opens
		}
	}
	if float64(bestN) < peakShare*float64(len(g.inc)) || bestN == len(g.inc) && spanOf(d, g) < 24*time.Hour {
		return // spread out, or all within one day: a burst, not a daily peak
	}
	inside := map[int]bool{}
	for k := 0; k < peakHours; k++ {
		for _, i := range perHour[(best+k)%24] {
			inside[i] = true
		}
	}
	share := fmt.Sprintf("%.0f%%", 100*float64(bestN)/float64(len(g.inc)))
	figs := map[string]any{"host": g.host, "from_hour": fmt.Sprintf("%02d:00", best), "to_hour": fmt.Sprintf("%02d:00", (best+peakHours)%24),
		"zone": d.loc.String(), "share": share}
	g.add(&claim{cause: CauseAppPeakLoad, conf: ConfidenceMedium, where: g.host, inc: inside, figs: figs,
		proof: []Proof{proof("proof.band", "stats/hourly.csv", "count", bestN, "total", len(g.inc), "share", share,
			"from_hour", figs["from_hour"], "to_hour", figs["to_hour"], "zone", figs["zone"])}})
}

// spanOf is the time between the group's first and last failure.
func spanOf(d *diag, g *group) time.Duration {
	var first, last time.Time
	for _, i := range g.inc {
		t := d.ev.Incidents[i].Time
		if t.IsZero() {
			continue
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return last.Sub(first)
}

// detectFallback names what is wrong with the fallback of the group's
// webhook: none, one that fails with the primary (same host, addresses or
// network), one that fails its probes. Each concerns every failure of the
// group: those calls and messages were lost instead of falling back.
func detectFallback(d *diag, g *group) {
	var summaries []probe.TargetSummary
	var attempts []probe.Attempt
	if pe := d.ev.Probes; pe != nil && pe.Report != nil {
		summaries, attempts = pe.Report.Targets, pe.Report.Attempts
	}
	resolved := probe.ResolvedAddresses(attempts)
	seen := map[Cause]*claim{}
	// of is how many numbers and services use the webhook: a fault of the
	// fallback of some of them says so.
	of := 0
	for _, e := range d.ev.Endpoints {
		if h, p := hostPath(e.URL); e.Effective && e.URL != "" && h+p == g.key() {
			of++
		}
	}
	for _, e := range d.ev.Endpoints {
		if !e.Effective || e.URL == "" {
			continue
		}
		if h, p := hostPath(e.URL); h+p != g.key() {
			continue
		}
		owner := fmt.Sprintf("%s (%s) %s", e.OwnerName, e.OwnerSID, e.Channel)
		for _, ff := range probe.AuditFallback(probe.Endpoint{Owner: owner, URL: e.URL, FallbackURL: e.FallbackURL}, resolved, summaries) {
			var c Cause
			var pr Proof
			switch ff.Kind {
			case probe.FindingNoFallback:
				c, pr = CauseFallbackMissing, proof("proof.no_fallback", collect.EndpointsFile, "owner", owner, "url", e.URL)
			case probe.FindingSameHost, probe.FindingSameAddresses, probe.FindingSameNetwork:
				c, pr = CauseFallbackSameHost, proof("proof.fallback_same", collect.EndpointsFile, "owner", owner, "url", e.URL, "fallback", e.FallbackURL)
			case probe.FindingFallbackFails:
				c, pr = CauseFallbackFailing, proof("proof.fallback_failing", collect.ProbeSummaryFile, "owner", owner, "fallback", e.FallbackURL)
			default:
				continue
			}
			if cl, ok := seen[c]; ok {
				cl.figs["webhooks"] = cl.figs["webhooks"].(int) + 1
				cl.proof = appendProofs(cl.proof, pr)
				continue
			}
			cl := &claim{cause: c, conf: ConfidenceHigh, where: e.URL, inc: allOf(g.inc),
				figs: map[string]any{"url": e.URL, "fallback": e.FallbackURL, "webhooks": 1, "of": of}, proof: []Proof{pr}}
			seen[c] = cl
			g.add(cl)
		}
	}
}
