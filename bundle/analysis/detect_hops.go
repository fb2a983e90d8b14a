package analysis

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// Kinds of component on the hop path.
const (
	hopFirewall     = "firewall"
	hopLoadBalancer = "load_balancer"
	hopOther        = "component"
)

// hopIndex is the hop trace as the diagnosis reads it: each incident's
// trace, the hop names in path order, and what each hop is.
type hopIndex struct {
	names   []string
	traces  map[int]hoplog.IncidentTrace
	timeout map[int]time.Duration
	logs    map[string]collect.HopLog
}

func newHopIndex(ev *collect.Evidence) *hopIndex {
	he := ev.Hops
	if he == nil || len(he.Report.Hops) == 0 {
		return nil
	}
	x := &hopIndex{names: he.Report.Hops, traces: map[int]hoplog.IncidentTrace{}, timeout: map[int]time.Duration{}, logs: map[string]collect.HopLog{}}
	for _, h := range he.Hops {
		x.logs[h.Name] = h
	}
	byID := map[string]int{}
	for i, inc := range ev.Incidents {
		if inc.AlertSID != "" {
			byID[inc.AlertSID] = i
		}
	}
	aligned := len(he.Report.Incidents) == len(ev.Incidents)
	for k, tr := range he.Report.Incidents {
		i, ok := byID[tr.IncidentID]
		if !ok && aligned {
			i, ok = k, true
		}
		if ok {
			x.traces[i] = tr
		}
	}
	for k, hi := range he.Incidents {
		if k < len(ev.Incidents) {
			x.timeout[k] = hi.Timeout
		}
	}
	return x
}

// lbName and firewallName recognise a component by the name the customer
// gave it, when its log format does not say.
var (
	lbName       = regexp.MustCompile(`(?i)(^|[^a-z])(lb|alb|elb|nlb|balancer|loadbalancer|haproxy|proxy|ingress|envoy|traefik|cdn|gateway)([^a-z]|$)`)
	firewallName = regexp.MustCompile(`(?i)(^|[^a-z])(fw|firewall|waf|iptables|nftables|ufw|pf|vpc)([^a-z]|$)`)
)

// kind is what the named hop is: a firewall (a connection-level log), a
// load balancer (an ALB/ELB log, or so named), or another component.
func (x *hopIndex) kind(name string) string {
	h := x.logs[name]
	switch {
	case h.Conn || firewallName.MatchString(name):
		return hopFirewall
	case h.Detection.Format == "alb" || h.Detection.Format == "elb" || lbName.MatchString(name):
		return hopLoadBalancer
	}
	return hopOther
}

// file is the bundle file that holds the hop's lines.
func (x *hopIndex) file(name string) string {
	if h := x.logs[name]; h.Excerpt != "" {
		return h.Excerpt
	}
	return collect.HopsFile
}

func (x *hopIndex) at(tr hoplog.IncidentTrace, name string) (hoplog.Match, int) {
	for k, n := range x.names {
		if n == name && k < len(tr.Hops) {
			return tr.Hops[k], k
		}
	}
	return hoplog.Match{}, -1
}

// pathCause is the step-3 cause of a request that stopped at the named hop.
func (x *hopIndex) pathCause(name string) Cause {
	switch x.kind(name) {
	case hopFirewall:
		return CausePathFirewall
	case hopLoadBalancer:
		return CausePathLoadBalancer
	}
	return CausePathComponent
}

// detectHops claims the group's incidents from the hop trace, by the
// procedure's rule: the last component whose log has the request is where
// it stopped. Its own lines prove it: a firewall's DROP/REJECT, a load
// balancer's 502 without a target status, 503 or 504, a web server's 5xx,
// 4xx, slow or in-time answer. An incident whose log lines could not be
// decided at some hop never counts as "no component saw it".
func detectHops(d *diag, g *group) {
	x := d.hops
	if x == nil {
		return
	}
	for _, i := range g.inc {
		tr, ok := x.traces[i]
		if !ok {
			continue
		}
		for _, c := range x.claims(d, g, i, tr) {
			g.add(c)
		}
	}
}

// claims are the claims of one incident's trace.
func (x *hopIndex) claims(d *diag, g *group, i int, tr hoplog.IncidentTrace) []*claim {
	one := map[int]bool{i: true}
	line := func(name string, m hoplog.Match) Proof {
		return proof("proof.hop_line", x.file(name), "hop", name, "line", strings.TrimSpace(m.Line))
	}
	at := func(c Cause, conf Confidence, where string, figs map[string]any, ps ...Proof) *claim {
		// A component's headline names the webhook host it stops.
		if _, ok := figs["component"]; ok {
			figs["host"] = g.host
		}
		return &claim{cause: c, conf: conf, where: where, figs: figs, inc: one, proof: ps}
	}
	switch tr.Outcome {
	case hoplog.OutcomeDropped:
		m, _ := x.at(tr, tr.From)
		// A firewall that drops connections to the webhook all the time (a
		// port scan) proves less by a drop near the incident.
		conf := ConfidenceHigh
		if b := tr.Background; b != nil {
			conf = Confidence(b.Confidence())
		}
		return []*claim{at(CausePathFirewall, conf, tr.From, map[string]any{"component": tr.From, "next": "", "status": "", "basis": "drop"}, line(tr.From, m))}
	case hoplog.OutcomeLost:
		m, k := x.at(tr, tr.From)
		ps := []Proof{line(tr.From, m), proof("proof.hop_missing", x.file(tr.To), "hop", tr.To, "from", tr.From)}
		// A hop between them that could not tell may be where it stopped.
		for j := k + 1; j < len(x.names) && x.names[j] != tr.To; j++ {
			if j < len(tr.Hops) && tr.Hops[j].Undecided {
				u := x.names[j]
				return alternatives(
					at(x.pathCause(tr.From), ConfidenceLow, tr.From, pathFigures(tr.From, u, m), ps...),
					at(x.pathCause(u), ConfidenceLow, u, pathFigures(u, tr.To, hoplog.Match{}), proof("proof.hop_undecided", x.file(u), "hop", u)))
			}
		}
		return []*claim{at(x.pathCause(tr.From), ConfidenceHigh, tr.From, pathFigures(tr.From, tr.To, m), ps...)}
	case hoplog.OutcomeAppError, hoplog.OutcomeTooSlow, hoplog.OutcomeClientError, hoplog.OutcomeAnswered:
		m, _ := x.at(tr, tr.From)
		if x.kind(tr.From) == hopLoadBalancer && lbFault(m) {
			return []*claim{at(CausePathLoadBalancer, ConfidenceHigh, tr.From, map[string]any{"component": tr.From, "status": lbStatus(m), "basis": "answer"}, line(tr.From, m))}
		}
		switch tr.Outcome {
		case hoplog.OutcomeAppError:
			return []*claim{at(CauseAppServerError, ConfidenceHigh, g.url, map[string]any{"url": g.url, "statuses": fmt.Sprintf("%d", m.Status)}, line(tr.From, m))}
		case hoplog.OutcomeTooSlow:
			limit := x.timeout[i]
			if limit <= 0 {
				limit = hoplog.DefaultTimeout
			}
			needed := ""
			if m.HasDuration {
				needed = seconds(roundTenth(m.Duration.Seconds()))
			}
			return []*claim{at(CauseAppTooSlow, ConfidenceHigh, g.url, map[string]any{"url": g.url, "limit": seconds(limit.Seconds()), "needed": needed, "override": overrideOf(d, g)}, line(tr.From, m))}
		case hoplog.OutcomeClientError:
			c := statusCause(m.Status)
			figs := codeFigures(d, g, c, one)
			figs["status"], figs["statuses"] = m.Status, fmt.Sprintf("%d", m.Status)
			return []*claim{at(c, ConfidenceHigh, whereOf(c, g), figs, line(tr.From, m))}
		default:
			return []*claim{at(CausePathResponse, ConfidenceHigh, tr.From, map[string]any{"component": tr.From, "status": m.Status}, line(tr.From, m))}
		}
	case hoplog.OutcomeUndecided:
		// The hop that would tell could not be read: where the requests
		// stopped is that hop, or the last one that has them (or outside
		// the network when none has); that hop's log decides.
		u := tr.To
		if u == "" {
			return nil
		}
		pu := proof("proof.hop_undecided", x.file(u), "hop", u)
		if tr.From == "" {
			return alternatives(
				at(CauseOutsideNetwork, ConfidenceLow, g.host, map[string]any{"host": g.host, "first": x.names[0], "answers": g.probeOK}, pu),
				at(x.pathCause(u), ConfidenceLow, u, pathFigures(u, "", hoplog.Match{}), pu))
		}
		m, _ := x.at(tr, tr.From)
		return alternatives(
			at(x.pathCause(tr.From), ConfidenceLow, tr.From, pathFigures(tr.From, u, m), line(tr.From, m)),
			at(x.pathCause(u), ConfidenceLow, u, pathFigures(u, "", hoplog.Match{}), pu))
	case hoplog.OutcomeNotReached:
		for k, m := range tr.Hops {
			if m.Undecided && k < len(x.names) {
				u := x.names[k]
				return alternatives(
					at(CauseOutsideNetwork, ConfidenceLow, g.host, map[string]any{"host": g.host, "first": x.names[0], "answers": g.probeOK},
						proof("proof.hops_none", collect.HopsFile, "hops", strings.Join(x.names, ", "))),
					at(x.pathCause(u), ConfidenceLow, u, pathFigures(u, "", hoplog.Match{}), proof("proof.hop_undecided", x.file(u), "hop", u)))
			}
		}
		conf := ConfidenceMedium
		if g.probeOK {
			conf = ConfidenceHigh
		}
		return []*claim{at(CauseOutsideNetwork, conf, g.host, map[string]any{"host": g.host, "first": x.names[0], "answers": g.probeOK},
			proof("proof.hops_none", collect.HopsFile, "hops", strings.Join(x.names, ", ")))}
	}
	return nil
}

// alternatives are two weak claims the evidence cannot tell apart.
func alternatives(a, b *claim) []*claim {
	a.alt, b.alt = b.cause, a.cause
	return []*claim{a, b}
}

// lbFault reports whether a load balancer's own answer shows it could not
// get one from its targets: a 502 with no target status, a 503 (no healthy
// target) or a 504 (the target timed out).
func lbFault(m hoplog.Match) bool {
	switch m.Status {
	case 503, 504:
		return true
	case 502:
		return m.TargetStatus == "-" || m.TargetStatus == ""
	}
	return false
}

// lbStatus is the load balancer's answer with its target status.
func lbStatus(m hoplog.Match) string {
	if m.TargetStatus != "" {
		return fmt.Sprintf("%d (target_status %s)", m.Status, m.TargetStatus)
	}
	return fmt.Sprint(m.Status)
}

// pathFigures are the headline figures of a path cause at component; the
// status is said when the component's own answer shows the fault.
func pathFigures(component, next string, m hoplog.Match) map[string]any {
	status := ""
	if m.Seen && lbFault(m) {
		status = lbStatus(m)
	}
	return map[string]any{"component": component, "next": next, "status": status, "basis": "log"}
}

func roundTenth(s float64) float64 { return float64(int64(s*10+0.5)) / 10 }
