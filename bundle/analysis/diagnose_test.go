package analysis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// diagT0 is when the failures of the diagnosis tests begin.
var diagT0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

const (
	ivr = "https://ivr.example.com/voice"
	sms = "https://sms.example.com/sms"
)

// fails makes n failures of url with one code and status, 7 minutes apart.
func fails(n int, url, code string, status int) []collect.Incident {
	out := make([]collect.Incident, n)
	for i := range out {
		out[i] = collect.Incident{AlertSID: fmt.Sprintf("NO%s%03d%s", code, i, strings.Repeat("0", 24)), Time: diagT0.Add(time.Duration(i) * 7 * time.Minute),
			ErrorCode: code, HTTPStatus: status, ResourceSID: fmt.Sprintf("CA%032x", i), Kind: collect.KindCall, Method: "POST", URL: url}
	}
	return out
}

// caseEvidence is a week around diagT0 whose alerts were read, with the
// failures given, and a fallback on another network for each webhook (so
// that a missing fallback is only named where a case leaves it out).
func caseEvidence(incs ...[]collect.Incident) *collect.Evidence {
	ev := &collect.Evidence{Window: collect.Window{From: diagT0.Add(-2 * 24 * time.Hour), To: diagT0.Add(5 * 24 * time.Hour)},
		Account:    collect.Account{SID: "AC0123456789abcdef0123456789abcdef"},
		Collectors: []collect.CollectorStatus{{Name: "alerts", State: collect.StateOK}}}
	for _, in := range incs {
		ev.Incidents = append(ev.Incidents, in...)
	}
	for _, u := range []string{ivr, sms} {
		ev.Endpoints = append(ev.Endpoints, collect.Endpoint{OwnerKind: collect.OwnerNumber, OwnerName: "+15005550006", OwnerSID: "PN" + strings.Repeat("1", 32),
			Channel: collect.ChannelVoice, URL: u, Method: "POST", FallbackURL: "https://handler.twilio.com/twiml/EH" + strings.Repeat("2", 32), Effective: true})
	}
	return ev
}

// tries makes n probe attempts on target, the last failures of them failed
// with class; set adjusts every attempt (i is its number, failed whether
// it failed).
func tries(target string, n, failures int, class probe.ErrorClass, set func(a *probe.Attempt, i int, failed bool)) []probe.Attempt {
	out := make([]probe.Attempt, n)
	for i := range out {
		a := probe.Attempt{Time: diagT0.Add(72*time.Hour + time.Duration(i)*time.Minute), Target: target, Mode: probe.ModeDNS, Sample: i,
			Method: "POST", ReadTimeoutMs: 15000, Resolved: []string{"203.0.113.10"}, Address: "203.0.113.10", OK: true,
			Status: 200, ContentType: "text/xml", Phases: probe.Phases{TTFB: 80, Total: 90}}
		failed := i >= n-failures
		if failed {
			a.OK, a.ErrorClass, a.Status = false, class, 0
		}
		if set != nil {
			set(&a, i, failed)
		}
		out[i] = a
	}
	return out
}

func withProbes(ev *collect.Evidence, as ...[]probe.Attempt) *collect.Evidence {
	var all []probe.Attempt
	for _, a := range as {
		all = append(all, a...)
	}
	ev.Probes = &collect.ProbeEvidence{Report: &probe.Report{Attempts: all, Targets: probe.Summarize(all, probe.SummaryOptions{AllowPrivate: true})}}
	for _, ts := range ev.Probes.Report.Targets {
		ev.Probes.Targets = append(ev.Probes.Targets, collect.ProbeTarget{URL: ts.Target, Target: ts.Target})
	}
	return ev
}

// hop is one component of a test's hop path: its name, whether its log is
// a connection log, its format, and for each incident what it logged.
type hop struct {
	name, format string
	conn         bool
	match        func(i int) hoplog.Match
}

// withHops traces every incident of ev through the hops, as the hop
// collector does.
func withHops(ev *collect.Evidence, hops ...hop) *collect.Evidence {
	var incs []hoplog.Incident
	for _, in := range ev.Incidents {
		incs = append(incs, hoplog.Incident{ID: in.AlertSID, Time: in.Time, Method: in.Method, SID: in.ResourceSID})
	}
	he := &collect.HopEvidence{Incidents: incs}
	var results []*hoplog.HopResult
	for _, h := range hops {
		r := &hoplog.HopResult{Name: h.name, Conn: h.conn, Detection: hoplog.Detection{Format: h.format}}
		for i := range incs {
			m := h.match(i)
			m.IncidentID = incs[i].ID
			r.Matches = append(r.Matches, m)
		}
		results = append(results, r)
		he.Hops = append(he.Hops, collect.HopLog{Name: h.name, Role: collect.RoleHop, Conn: h.conn, Detection: r.Detection, Excerpt: "logs/" + h.name + ".log", Result: r})
	}
	he.Report = hoplog.Trace(incs, results)
	ev.Hops = he
	return ev
}

func seen(line string, status int) func(int) hoplog.Match {
	return func(int) hoplog.Match { return hoplog.Match{Seen: true, Line: line, Status: status} }
}

func unseen(int) hoplog.Match { return hoplog.Match{} }

func cert(subject, issuer string, notAfter time.Time, sans ...string) probe.Cert {
	return probe.Cert{Subject: subject, Issuer: issuer, NotAfter: notAfter, SANs: sans}
}

// diagCase is one table case: the evidence, the cause it must name, where,
// a figure of its headline, its step, and causes that must not be named.
type diagCase struct {
	name     string
	ev       *collect.Evidence
	cause    Cause
	where    string
	figure   string // "name=value": the headline figure and (part of) its value
	step     int
	notNamed []Cause
}

func diagCases() []diagCase {
	notFound := func(set func(*probe.Attempt, int, bool)) func(*probe.Attempt, int, bool) { return set }
	expired := diagT0.Add(-time.Hour)
	change := withProbes(caseEvidence(fails(6, ivr, "11200", 404)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, f bool) { a.Status = 404 }))
	change.TwilioLogs = &collect.TwilioLogs{ConfigChanges: []collect.ConfigChange{{Time: diagT0.Add(-20 * time.Minute), EventSID: "AE" + strings.Repeat("3", 32),
		ResourceSID: "PN" + strings.Repeat("1", 32), Field: "voice_url", Previous: "https://ivr.example.com/ivr", Updated: ivr}}}
	noFallback := caseEvidence(fails(9, ivr, "11205", 0))
	noFallback.Endpoints[0].FallbackURL = ""
	sameHost := withProbes(caseEvidence(fails(5, ivr, "11200", 500)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, f bool) { a.Status = 500 }))
	sameHost.Endpoints[0].FallbackURL = "https://ivr.example.com/fallback"
	status := caseEvidence(fails(10, ivr, "11200", 502))
	status.TwilioStatus = &collect.TwilioStatus{Incidents: []twiliostatus.Incident{{Name: "Degraded webhook delivery", Shortlink: "https://stspg.io/x1",
		CreatedAt: diagT0.Add(-time.Hour), ResolvedAt: diagT0.Add(3 * time.Hour), Relevant: true, Components: []string{"Programmable Voice"}, Impact: "major"}}}
	private := withProbes(caseEvidence(fails(4, ivr, "11205", 0)), tries(ivr, 5, 0, "", func(a *probe.Attempt, _ int, _ bool) {
		a.Resolved, a.Address, a.Private = []string{"127.0.0.1"}, "127.0.0.1", true
	}))
	override := caseEvidence(fails(4, ivr, "11200", 0))
	override.Probes = &collect.ProbeEvidence{Targets: []collect.ProbeTarget{{URL: ivr + "#rt=99999", Target: ivr,
		Invalid: &probe.OverrideError{Key: "rt", Value: "99999", Code: 11241, Message: "out of range"}}}}
	slowRT := withProbes(caseEvidence(fails(7, ivr, "11205", 0)), tries(ivr, 5, 5, probe.ClassReadTimeout, func(a *probe.Attempt, _ int, _ bool) { a.ReadTimeoutMs = 2000 }))
	slowRT.Endpoints[0].URL = ivr + "#rt=2000"
	slowRT.Probes.Targets[0].URL = ivr + "#rt=2000"
	peak := caseEvidence()
	for day := 0; day < 5; day++ {
		for k := 0; k < 4; k++ {
			peak.Incidents = append(peak.Incidents, collect.Incident{AlertSID: fmt.Sprintf("NOp%d%d", day, k), Time: diagT0.Add(time.Duration(day)*24*time.Hour + 11*time.Hour + time.Duration(k)*25*time.Minute),
				ErrorCode: "11205", URL: ivr, Method: "POST"})
		}
	}
	peak.Incidents = append(peak.Incidents, collect.Incident{AlertSID: "NOpx", Time: diagT0.Add(2 * time.Hour), ErrorCode: "11205", URL: ivr})
	withProbes(peak, tries(ivr, 10, 0, "", nil))
	firewallUndecided := withHops(caseEvidence(fails(5, ivr, "11205", 0)),
		hop{name: "fw", conn: true, format: "iptables", match: func(int) hoplog.Match { return hoplog.Match{Undecided: true} }},
		hop{name: "lb", format: "alb", match: unseen}, hop{name: "web", format: "combined", match: unseen})
	withProbes(firewallUndecided, tries(ivr, 5, 0, "", nil))

	dnsChanging := tries(ivr, 6, 2, probe.ClassConnectTimeout, func(a *probe.Attempt, i int, f bool) {
		if i%2 == 1 {
			a.Resolved = []string{"203.0.113.10", "198.51.100.7"}
		}
		if f {
			a.Address = "198.51.100.7"
		}
	})
	perAddr := append(tries(ivr, 3, 0, "", func(a *probe.Attempt, _ int, _ bool) { a.Mode = probe.ModeAddress }),
		tries(ivr, 3, 3, probe.ClassConnectTimeout, func(a *probe.Attempt, _ int, _ bool) { a.Mode, a.Address = probe.ModeAddress, "198.51.100.7" })...)
	oneAddr := append(tries(ivr, 6, 2, probe.ClassConnectTimeout, func(a *probe.Attempt, _ int, f bool) {
		a.Resolved = []string{"203.0.113.10", "198.51.100.7"}
		if f {
			a.Address = "198.51.100.7"
		}
	}), perAddr...)

	return []diagCase{
		{"404 from the probe and the codes", withProbes(caseEvidence(fails(6, ivr, "11200", 404)), tries(ivr, 5, 5, probe.ClassHTTPStatus, notFound(func(a *probe.Attempt, _ int, _ bool) { a.Status = 404 }))),
			CauseURLNotFound, ivr, "status=404", 2, []Cause{CauseAppServerError, CauseConflict}},
		{"404 after a webhook change", change, CauseURLNotFound, ivr, "changed=https://ivr.example.com/ivr → " + ivr, 2, []Cause{CauseAppServerError}},
		{"405 to the configured method", withProbes(caseEvidence(fails(4, ivr, "11217", 405)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 405 })),
			CauseMethodNotAllowed, ivr, "method=POST", 2, []Cause{CauseURLNotFound, CauseAppServerError}},
		{"401 demands authentication", withProbes(caseEvidence(fails(4, ivr, "11217", 401)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 401 })),
			CauseAuthRequired, ivr, "status=401", 2, []Cause{CauseAppServerError}},
		{"the name does not resolve", withProbes(caseEvidence(fails(3, ivr, "11210", 0)), tries(ivr, 3, 3, probe.ClassDNS, nil)),
			CauseDNSNoSuchHost, "ivr.example.com", "host=ivr.example.com", 2, []Cause{CauseConnectTimeout, CauseOutsideNetwork}},
		{"the name does not resolve, from the codes alone", caseEvidence(fails(3, ivr, "11210", 0)),
			CauseDNSNoSuchHost, "ivr.example.com", "host=ivr.example.com", 2, nil},
		{"dynamic DNS points at a dead address", withProbes(caseEvidence(fails(8, ivr, "11205", 0)), append(dnsChanging, perAddr...)),
			CauseDNSChanging, "ivr.example.com", "address=198.51.100.7", 2, []Cause{CauseAppTooSlow, CauseConnectTimeout}},
		{"one address of two fails", withProbes(caseEvidence(fails(8, ivr, "11205", 0)), oneAddr),
			CauseOneAddressFails, "ivr.example.com", "address=198.51.100.7", 2, []Cause{CauseAppTooSlow, CauseConnectTimeout, CauseDNSChanging}},
		{"the certificate expired before the failures", withProbes(caseEvidence(fails(8, ivr, "11236", 0)), tries(ivr, 3, 3, probe.ClassTLSExpired, func(a *probe.Attempt, _ int, _ bool) {
			a.Certificates = []probe.Cert{cert("CN=ivr.example.com", "CN=R11,O=Let's Encrypt", expired, "ivr.example.com"), cert("CN=R11", "CN=ISRG Root X1", diagT0.Add(9000*time.Hour))}
		})), CauseTLSExpired, "ivr.example.com", "not_after=2026-11-20 07:00", 2, []Cause{CauseTLSHandshake, CauseTLSUntrusted}},
		{"the certificate names other hosts", withProbes(caseEvidence(fails(5, ivr, "11235", 0)), tries(ivr, 3, 3, probe.ClassTLSName, func(a *probe.Attempt, _ int, _ bool) {
			a.Certificates = []probe.Cert{cert("CN=www.example.com", "CN=R11", diagT0.Add(900*time.Hour), "www.example.com", "example.com")}
		})), CauseTLSNameMismatch, "ivr.example.com", "names=www.example.com, example.com", 2, []Cause{CauseTLSExpired}},
		{"the server leaves out its intermediate", withProbes(caseEvidence(fails(5, ivr, "11237", 0)), tries(ivr, 3, 3, probe.ClassTLSIncomplete, func(a *probe.Attempt, _ int, _ bool) {
			a.Certificates = []probe.Cert{cert("CN=ivr.example.com", "CN=R11,O=Let's Encrypt", diagT0.Add(900*time.Hour), "ivr.example.com")}
		})), CauseTLSIncompleteChain, "ivr.example.com", "issuer=R11", 2, []Cause{CauseTLSUntrusted}},
		{"a self-signed certificate", withProbes(caseEvidence(fails(5, ivr, "11237", 0)), tries(ivr, 3, 3, probe.ClassTLSUnknownCA, func(a *probe.Attempt, _ int, _ bool) {
			a.Certificates = []probe.Cert{cert("CN=ivr.example.com", "CN=ivr.example.com", diagT0.Add(900*time.Hour), "ivr.example.com")}
		})), CauseTLSUntrusted, "ivr.example.com", "issuer=CN=ivr.example.com", 2, []Cause{CauseTLSIncompleteChain}},
		{"the TLS handshake fails", withProbes(caseEvidence(fails(5, ivr, "11220", 0)), tries(ivr, 3, 3, probe.ClassTLS, nil)),
			CauseTLSHandshake, "ivr.example.com", "host=ivr.example.com", 2, []Cause{CauseTLSExpired}},
		{"a 308 Twilio does not follow", withProbes(caseEvidence(fails(5, ivr, "11216", 0)), tries(ivr, 3, 3, probe.ClassBadRedirect, func(a *probe.Attempt, _ int, _ bool) { a.Status = 308 })),
			CauseRedirectUnfollowed, ivr, "status=308", 2, []Cause{CauseRedirectLoop}},
		{"a redirect loop", withProbes(caseEvidence(fails(5, ivr, "11215", 0)), tries(ivr, 3, 3, probe.ClassRedirectLoop, func(a *probe.Attempt, _ int, _ bool) {
			a.Redirects = []string{ivr + "/a", ivr + "/b", ivr + "/a", ivr + "/b", ivr + "/a", ivr + "/b", ivr + "/a", ivr + "/b", ivr + "/a", ivr + "/b"}
		})), CauseRedirectLoop, ivr, "redirects=10", 2, []Cause{CauseRedirectUnfollowed}},
		{"the port refuses", withProbes(caseEvidence(fails(5, ivr, "11202", 0)), tries(ivr, 3, 3, probe.ClassRefused, nil)),
			CauseConnectRefused, "ivr.example.com", "address=203.0.113.10", 2, []Cause{CauseConnectTimeout}},
		{"nothing answers the connect", withProbes(caseEvidence(fails(5, ivr, "11205", 0)), tries(ivr, 3, 3, probe.ClassConnectTimeout, nil)),
			CauseConnectTimeout, "ivr.example.com", "address=203.0.113.10", 2, []Cause{CauseAppTooSlow, CauseUndecided}},
		{"the connection closes mid-answer", withProbes(caseEvidence(fails(5, ivr, "11200", 0)), tries(ivr, 3, 3, probe.ClassClosed, nil)),
			CauseConnectionClosed, "ivr.example.com", "host=ivr.example.com", 2, []Cause{CauseOutsideNetwork, CauseUndecided}},
		{"the URL resolves to loopback only", private, CausePrivateAddress, "ivr.example.com", "addresses=127.0.0.1", 2, []Cause{CauseOutsideNetwork}},
		{"an override Twilio rejects", override, CauseOverrideInvalid, ivr + "#rt=99999", "key=rt", 2, []Cause{CauseConnectionClosed}},
		{"the application answers 500", withProbes(caseEvidence(fails(6, ivr, "11200", 500)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 })),
			CauseAppServerError, ivr, "statuses=500", 1, []Cause{CauseURLNotFound, CauseAppTooSlow, CauseConflict}},
		{"the application is slower than its rt=2000", slowRT, CauseAppTooSlow, ivr, "override=rt=2000", 1, []Cause{CauseConnectTimeout, CauseAppServerError, CauseConflict}},
		{"no Content-Type", withProbes(caseEvidence(fails(5, ivr, "12300", 0)), tries(ivr, 3, 3, probe.ClassContentType, func(a *probe.Attempt, _ int, _ bool) { a.Status, a.ContentType = 200, "" })),
			CauseAppContentType, ivr, "url=" + ivr, 1, []Cause{CauseAppServerError, CausePathResponse}},
		{"a 70 kB body", withProbes(caseEvidence(fails(5, ivr, "11750", 0)), tries(ivr, 3, 3, probe.ClassBodyTooLarge, func(a *probe.Attempt, _ int, _ bool) { a.Status, a.BodyBytes = 200, 70*1024 })),
			CauseAppBodyTooLarge, ivr, "kb=70", 1, []Cause{CauseAppServerError}},
		{"invalid TwiML", caseEvidence(fails(5, ivr, "12100", 0)), CauseAppInvalidTwiML, ivr, "codes=12100", 1, []Cause{CauseAppServerError}},
		{"failures at 19:00–22:00 while probes pass", peak, CauseAppPeakLoad, "ivr.example.com", "from_hour=19:00", 1, []Cause{CauseUndecided, CauseOutsideNetwork}},
		{"the firewall drops Twilio's connections", withHops(caseEvidence(fails(5, ivr, "11205", 0)),
			hop{name: "fw", conn: true, format: "iptables", match: func(int) hoplog.Match {
				return hoplog.Match{Seen: true, Dropped: true, Action: "DROP", Line: "Nov 20 08:00:01 gw kernel: [UFW BLOCK] IN=eth0 SRC=54.172.60.1 DST=203.0.113.10 PROTO=TCP SPT=40000 DPT=443"}
			}},
			hop{name: "lb", format: "alb", match: unseen}, hop{name: "web", format: "combined", match: unseen}),
			CausePathFirewall, "fw", "component=fw", 3, []Cause{CausePathLoadBalancer, CauseOutsideNetwork}},
		{"the firewall has them, the load balancer does not", withHops(caseEvidence(fails(5, ivr, "11205", 0)),
			hop{name: "fw", conn: true, format: "iptables", match: seen("ACCEPT IN=eth0 SRC=54.172.60.1 DST=203.0.113.10 PROTO=TCP DPT=443", 0)},
			hop{name: "lb", format: "alb", match: unseen}, hop{name: "web", format: "combined", match: unseen}),
			CausePathFirewall, "fw", "component=fw", 3, []Cause{CausePathLoadBalancer}},
		{"the load balancer has them, the web server does not", withHops(caseEvidence(fails(5, ivr, "11205", 0)),
			hop{name: "fw", conn: true, format: "iptables", match: seen("ACCEPT", 0)},
			hop{name: "lb", format: "alb", match: seen(`https 2026-11-20T08:00:01Z app/lb 54.172.60.1:4000 10.0.0.5:443 0.001 15.000 -1 504 - 300 0 "POST https://ivr.example.com:443/voice HTTP/1.1" "TwilioProxy/1.1"`, 0)},
			hop{name: "web", format: "combined", match: unseen}),
			CausePathLoadBalancer, "lb", "component=lb", 3, []Cause{CausePathFirewall, CauseAppTooSlow}},
		{"an ALB 502 with target_status -", withHops(caseEvidence(fails(5, ivr, "11200", 502)),
			hop{name: "lb", format: "alb", match: func(int) hoplog.Match {
				return hoplog.Match{Seen: true, Status: 502, TargetStatus: "-", Line: `https 2026-11-20T08:00:01Z app/lb 54.172.60.1:4000 - -1 -1 -1 502 - 300 0 "POST https://ivr.example.com:443/voice HTTP/1.1" "TwilioProxy/1.1"`}
			}}),
			CausePathLoadBalancer, "lb", "status=502 (target_status -)", 3, []Cause{CauseAppServerError, CauseUndecided}},
		{"a cache has them, the web server does not", withHops(caseEvidence(fails(5, ivr, "11205", 0)),
			hop{name: "varnish", format: "combined", match: seen(`54.172.60.1 - - [20/Nov/2026:08:00:01 +0000] "POST /voice HTTP/1.1" 200 10 "-" "TwilioProxy/1.1"`, 200)},
			hop{name: "web", format: "combined", match: unseen}),
			CausePathComponent, "varnish", "next=web", 3, []Cause{CausePathLoadBalancer, CauseAppTooSlow}},
		{"every log has it, answered 200 in time", withHops(caseEvidence(fails(5, ivr, "11200", 0)),
			hop{name: "lb", format: "alb", match: seen("https … 200 200 …", 200)},
			hop{name: "web", format: "combined", match: seen(`54.172.60.1 - - [20/Nov/2026:08:00:01 +0000] "POST /voice HTTP/1.1" 200 10 "-" "TwilioProxy/1.1"`, 200)}),
			CausePathResponse, "web", "status=200", 3, []Cause{CauseOutsideNetwork, CauseConnectionClosed}},
		{"the web server answers 500", withHops(caseEvidence(fails(5, ivr, "11200", 500)),
			hop{name: "web", format: "combined", match: seen(`54.172.60.1 - - [20/Nov/2026:08:00:01 +0000] "POST /voice HTTP/1.1" 500 10 "-" "TwilioProxy/1.1"`, 500)}),
			CauseAppServerError, ivr, "statuses=500", 1, []Cause{CausePathLoadBalancer, CauseUndecided}},
		{"nobody saw them while the URL answers", withProbes(withHops(caseEvidence(fails(6, ivr, "11205", 0)),
			hop{name: "lb", format: "alb", match: unseen}, hop{name: "web", format: "combined", match: unseen}), tries(ivr, 5, 0, "", nil)),
			CauseOutsideNetwork, "ivr.example.com", "first=lb", 4, []Cause{CauseAppTooSlow, CauseConnectTimeout}},
		{"unreadable firewall lines never make it outside the network", firewallUndecided, CauseUndecided, "ivr.example.com", "", 0, []Cause{CausePathLoadBalancer}},
		{"a Twilio incident over most of the 502s", status, CauseTwilioIncident, "Degraded webhook delivery", "inside=10", 4, nil},
		{"transient failures on a webhook without fallback", noFallback, CauseFallbackMissing, ivr, "url=" + ivr, 0, nil},
		{"a webhook change right before connection failures", func() *collect.Evidence {
			ev := caseEvidence(fails(4, ivr, "11200", 0))
			ev.TwilioLogs = &collect.TwilioLogs{ConfigChanges: []collect.ConfigChange{{Time: diagT0.Add(-time.Hour), EventSID: "AE1", ResourceSID: "PN1", Field: "voice_url", Previous: "https://old.example.com/voice", Updated: ivr}}}
			return ev
		}(), CauseWebhookChanged, "PN1", "to=" + ivr, 0, []Cause{CauseUndecided}},
		{"timeouts and nothing else", caseEvidence(fails(9, ivr, "11205", 0)), CauseUndecided, "ivr.example.com", "", 0, nil},
		{"a 500 from the probe against a firewall drop in the log", withProbes(withHops(caseEvidence(fails(5, ivr, "11200", 0)),
			hop{name: "fw", conn: true, format: "iptables", match: func(int) hoplog.Match { return hoplog.Match{Seen: true, Dropped: true, Line: "DROP SRC=54.172.60.1"} }},
			hop{name: "web", format: "combined", match: unseen}), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 })),
			CauseConflict, "ivr.example.com", "", 0, nil},
		{"the fallback on the same host", sameHost, CauseAppServerError, ivr, "statuses=500", 1, nil},
		{"no failures", caseEvidence(), CauseNoFailures, "", "", 0, []Cause{CauseUndecided}},
	}
}

func TestDiagnose_NamesOneCausePerCase(t *testing.T) {
	ja, err := NewText("ja")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range diagCases() {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(tc.ev)
			if d.Cause != tc.cause {
				t.Fatalf("cause %s (%s), want %s\nfurther: %v", d.Cause, d.Text, tc.cause, causesOf(d.Further))
			}
			if tc.where != "" && d.Where != tc.where {
				t.Errorf("where %q, want %q", d.Where, tc.where)
			}
			if d.Step != tc.step {
				t.Errorf("step %d, want %d", d.Step, tc.step)
			}
			if tc.figure != "" {
				name, want, _ := strings.Cut(tc.figure, "=")
				if got := fmt.Sprint(d.Figures[name]); !strings.Contains(got, want) {
					t.Errorf("figure %s = %q, want %q in it", name, got, want)
				}
				if !strings.Contains(d.Text, want) {
					t.Errorf("the headline %q does not say %q", d.Text, want)
				}
			}
			named := append([]Cause{d.Cause}, causesOf(d.Further)...)
			for _, c := range tc.notNamed {
				for _, n := range named {
					if n == c {
						t.Errorf("names %s too: %q, further %v", c, d.Text, causesOf(d.Further))
					}
				}
				if d.Cause == CauseUndecided || d.Cause == CauseConflict {
					for _, b := range d.Between {
						if b == c {
							t.Errorf("keeps %s among the remaining causes %v", c, d.Between)
						}
					}
				}
			}
			for _, e := range Catalogue {
				if name := english.S(e.Cause.NameKey()); strings.Contains(d.Text, name+" or ") || strings.Contains(d.Text, " or "+name) {
					t.Errorf("the headline joins causes with 'or': %q", d.Text)
				}
			}
			checkProblem(t, ja, d.Problem)
			for _, p := range append(d.Further, d.Beside...) {
				checkProblem(t, ja, p)
			}
		})
	}
}

// checkProblem checks that p carries every figure its catalogue entry's
// headline takes, has proof for a cause, and reads in both languages.
func checkProblem(t *testing.T, ja *Text, p Problem) {
	t.Helper()
	e, ok := EntryOf(p.Cause)
	if !ok {
		t.Fatalf("%s is not in the catalogue", p.Cause)
	}
	for _, f := range e.Figures {
		if _, ok := p.Figures[f]; !ok && f != "a" && f != "b" && f != "decider" {
			t.Errorf("%s lacks the figure %q: %v", p.Cause, f, p.Figures)
		}
	}
	for _, l := range []*Text{english, ja} {
		if _, ok := l.Render(p.Cause.HeadlineKey(), l.problemFigures(p)); !ok {
			t.Errorf("%s: the %s headline does not render with %v", p.Cause, l.Lang(), p.Figures)
		}
		if _, ok := l.Render(p.Cause.FixKey(), l.problemFigures(p)); !ok && p.Cause != CauseUndecided && p.Cause != CauseConflict {
			t.Errorf("%s: the %s fix does not render", p.Cause, l.Lang())
		}
	}
	if p.Cause != CauseNoFailures && p.Cause != CauseUndecided && len(p.Proof) == 0 {
		t.Errorf("%s has no proof line", p.Cause)
	}
	for _, pr := range p.Proof {
		if strings.HasPrefix(pr.Text, "proof.") {
			t.Errorf("proof %s did not render: %v", pr.Key, pr.Figures)
		}
		if s, ok := ja.Render(pr.Key, pr.Figures); !ok || s == pr.Text {
			t.Errorf("proof %s has no Japanese sentence", pr.Key)
		}
	}
}

func causesOf(ps []Problem) []Cause {
	out := make([]Cause, len(ps))
	for i, p := range ps {
		out[i] = p.Cause
	}
	return out
}

func TestDiagnose_UndecidedNamesTwoCausesAndTheDecidingEvidence(t *testing.T) {
	d := Diagnose(caseEvidence(fails(9, ivr, "11205", 0)))
	if d.Cause != CauseUndecided || len(d.Between) != 2 || d.Between[0] == d.Between[1] {
		t.Fatalf("%s between %v", d.Cause, d.Between)
	}
	if d.Decider != CauseConnectTimeout {
		t.Errorf("decided by %s, want the probe that times the connect apart (%s)", d.Decider, CauseConnectTimeout)
	}
	if !strings.Contains(d.Text, "twilio-evidence probe URL") || strings.Contains(d.Text, "add your access logs") {
		t.Errorf("the headline does not say which evidence decides: %q", d.Text)
	}

	// Unreadable firewall lines: the firewall itself remains a cause.
	d = Diagnose(caseNamed(t, "unreadable firewall lines never make it outside the network").ev)
	if d.Cause != CauseUndecided {
		t.Fatalf("cause %s", d.Cause)
	}
	if !hasCause(d.Between, CauseOutsideNetwork) || !hasCause(d.Between, CausePathFirewall) {
		t.Errorf("remaining %v, want outside_network against path_firewall", d.Between)
	}
}

func caseNamed(t *testing.T, name string) diagCase {
	for _, tc := range diagCases() {
		if tc.name == name {
			return tc
		}
	}
	t.Fatalf("no case %q", name)
	return diagCase{}
}

func hasCause(cs []Cause, c Cause) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func TestDiagnose_TwoFaultsOnTwoHostsAreBothNamedTheBiggerFirst(t *testing.T) {
	ev := withProbes(caseEvidence(fails(3, sms, "11200", 500), fails(8, ivr, "11236", 0)),
		tries(ivr, 3, 3, probe.ClassTLSExpired, func(a *probe.Attempt, _ int, _ bool) {
			a.Certificates = []probe.Cert{cert("CN=ivr.example.com", "CN=R11", diagT0.Add(-time.Hour), "ivr.example.com")}
		}),
		tries(sms, 3, 3, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 }))
	d := Diagnose(ev)
	if d.Cause != CauseTLSExpired || d.Where != "ivr.example.com" || d.Explained != 8 || d.Total != 11 {
		t.Fatalf("headline %s at %s explaining %d of %d: %q", d.Cause, d.Where, d.Explained, d.Total, d.Text)
	}
	if len(d.Further) == 0 || d.Further[0].Cause != CauseAppServerError || d.Further[0].Where != sms || d.Further[0].Explained != 3 {
		t.Fatalf("further %+v", d.Further)
	}
	if d.Confidence != ConfidenceHigh {
		t.Errorf("confidence %s: a second problem elsewhere is no conflict", d.Confidence)
	}
}

func TestDiagnose_PrivateAddressIsSaidBesideWhatWasMeasured(t *testing.T) {
	ev := withProbes(caseEvidence(fails(4, ivr, "11200", 404)), tries(ivr, 3, 3, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) {
		a.Status, a.Resolved, a.Address, a.Private = 404, []string{"127.0.0.1"}, "127.0.0.1", true
	}))
	d := Diagnose(ev)
	if d.Cause != CauseURLNotFound {
		t.Fatalf("cause %s, want the 404 that was measured", d.Cause)
	}
	if len(d.Beside) != 1 || d.Beside[0].Cause != CausePrivateAddress || !strings.Contains(d.Beside[0].Text, "127.0.0.1") {
		t.Errorf("beside %+v, want the private address said next to it", d.Beside)
	}
}

func TestDiagnose_FurtherProblemsOnTheSameWebhookAreCounted(t *testing.T) {
	ev := withProbes(caseEvidence(fails(6, ivr, "11200", 500), fails(2, ivr, "12300", 0)),
		tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 }))
	d := Diagnose(ev)
	if d.Cause != CauseAppServerError || d.Explained != 6 {
		t.Fatalf("%s explaining %d", d.Cause, d.Explained)
	}
	if len(d.Further) == 0 || d.Further[0].Cause != CauseAppContentType || d.Further[0].Explained != 2 {
		t.Errorf("further %+v, want the 2 failures without Content-Type", d.Further)
	}
}

func TestDiagnose_ACauseOutsideTheCatalogueDoesNotPanic(t *testing.T) {
	g := &group{host: "h", claims: map[string]*claim{}}
	g.add(&claim{cause: Cause("made_up"), conf: ConfidenceHigh, inc: map[int]bool{0: true}})
	g.add(&claim{cause: CauseAppServerError, conf: ConfidenceHigh, inc: map[int]bool{0: true}})
	g.inc = []int{0}
	d := &diag{ev: caseEvidence(fails(1, ivr, "11200", 500)), loc: time.UTC}
	head, _, _, _ := d.decideGroup(g)
	if head == nil {
		t.Fatal("no headline")
	}
}

func TestVerdictFinding_CarriesTheDiagnosis(t *testing.T) {
	ev := withProbes(caseEvidence(fails(6, ivr, "11200", 500)), tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 }))
	f := Analyze(ev).Findings[0]
	if f.ID != "verdict" || f.Cause != CauseAppServerError || f.Host != ivr || f.Explained != 6 || f.Incidents != 6 ||
		f.Confidence != ConfidenceHigh || f.Since == nil || !f.Since.Equal(diagT0) || !strings.Contains(f.Fix, "error log") || f.Step != 1 {
		t.Errorf("verdict finding %+v", f)
	}
	if !strings.HasPrefix(f.Sentence, "The application at "+ivr+" answers HTTP 500.") || !strings.Contains(f.Sentence, "6 of 6 failures since 2026-11-20 08:00 UTC") {
		t.Errorf("verdict %q", f.Sentence)
	}
}

// TestDiagnose_DropsAmongBackgroundScansAreWeakerEvidence: the firewall's
// drops at the incidents' times, from a firewall that drops connections to
// the webhook all the time, do not make a high-confidence firewall cause.
func TestDiagnose_DropsAmongBackgroundScansAreWeakerEvidence(t *testing.T) {
	drop := func(int) hoplog.Match {
		return hoplog.Match{Seen: true, Dropped: true, Action: "DROP", Line: "Nov 20 08:00:01 gw kernel: [UFW BLOCK] IN=eth0 SRC=45.155.205.3 DST=203.0.113.10 PROTO=TCP SPT=40000 DPT=443"}
	}
	for _, tt := range []struct {
		name string
		bg   *hoplog.Background
		want Confidence
	}{
		{"quiet firewall", &hoplog.Background{Drops: 0, Minutes: 300, Window: 90 * time.Second}, ConfidenceHigh},
		{"scanned all the time", &hoplog.Background{Drops: 900, Minutes: 300, Window: 90 * time.Second, Targets: []string{"203.0.113.10:443"}}, ConfidenceLow},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := withHops(caseEvidence(fails(5, "https://ivr.example.com/voice", "11205", 0)),
				hop{name: "fw", conn: true, format: "iptables", match: drop}, hop{name: "web", format: "combined", match: unseen})
			ev.Hops.Hops[0].Result.Background = tt.bg
			ev.Hops.Report = hoplog.Trace(ev.Hops.Incidents, []*hoplog.HopResult{ev.Hops.Hops[0].Result, ev.Hops.Hops[1].Result})
			d := Diagnose(ev)
			switch {
			case tt.want == ConfidenceHigh && (d.Cause != CausePathFirewall || d.Confidence != ConfidenceHigh):
				t.Errorf("cause %s (%s), want path_firewall with high confidence", d.Cause, d.Confidence)
			case tt.want == ConfidenceLow && (d.Confidence == ConfidenceHigh || d.Cause != CausePathFirewall && !hasCause(d.Between, CausePathFirewall)):
				t.Errorf("cause %s (%s), between %v; want path_firewall weakly, not high", d.Cause, d.Confidence, d.Between)
			}
		})
	}
}

// TestDiagnose_TheFallbackIsAFurtherProblem: a fallback on the primary's
// host, or one that fails its own probes, is named beside the primary's
// cause, over every failure of that webhook; a working fallback elsewhere
// is not named.
func TestDiagnose_TheFallbackIsAFurtherProblem(t *testing.T) {
	primary := func() []probe.Attempt {
		return tries(ivr, 5, 5, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) { a.Status = 500 })
	}
	const elsewhere = "https://backup.example.net/fallback"
	for _, c := range []struct {
		name, fallback string
		fallbackProbes []probe.Attempt
		want           Cause
	}{
		{"on the same host", "https://ivr.example.com/fallback", nil, CauseFallbackSameHost},
		{"failing its probes", elsewhere, tries(elsewhere, 3, 3, probe.ClassHTTPStatus, func(a *probe.Attempt, _ int, _ bool) {
			a.Status, a.Resolved, a.Address = 503, []string{"198.51.100.20"}, "198.51.100.20"
		}), CauseFallbackFailing},
		{"elsewhere and working", elsewhere, tries(elsewhere, 3, 0, "", func(a *probe.Attempt, _ int, _ bool) {
			a.Resolved, a.Address = []string{"198.51.100.20"}, "198.51.100.20"
		}), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := withProbes(caseEvidence(fails(5, ivr, "11200", 500)), primary(), c.fallbackProbes)
			ev.Endpoints[0].FallbackURL = c.fallback
			d := Diagnose(ev)
			if d.Cause != CauseAppServerError || d.Explained != 5 {
				t.Fatalf("headline %s explaining %d: %q", d.Cause, d.Explained, d.Text)
			}
			var got *Problem
			for i, p := range d.Further {
				switch p.Cause {
				case CauseFallbackSameHost, CauseFallbackFailing, CauseFallbackMissing:
					if got != nil {
						t.Errorf("a second fallback problem: %s", p.Cause)
					}
					got = &d.Further[i]
				}
			}
			switch {
			case c.want == "" && got != nil:
				t.Errorf("names %s of a working fallback: %q", got.Cause, got.Text)
			case c.want == "":
			case got == nil || got.Cause != c.want:
				t.Errorf("further %v, want %s", causesOf(d.Further), c.want)
			case got.Explained != 5 || !strings.Contains(got.Text, c.fallback):
				t.Errorf("%s explains %d of 5: %q, want all and the fallback's URL named", got.Cause, got.Explained, got.Text)
			}
		})
	}
}

// TestDiagnose_AFallbackMissingOnSomeNumbersSaysHowMany: when only some of
// the numbers that use a webhook lack a fallback, the sentence says how
// many of them, so that it does not contradict the fallback the others have.
func TestDiagnose_AFallbackMissingOnSomeNumbersSaysHowMany(t *testing.T) {
	ev := caseEvidence(fails(9, ivr, "11205", 0))
	with := ev.Endpoints[0]
	with.OwnerSID, with.FallbackURL = "PN"+strings.Repeat("2", 32), "https://handler.twilio.com/twiml/EH"+strings.Repeat("3", 32)
	ev.Endpoints[0].FallbackURL = ""
	ev.Endpoints = append(ev.Endpoints, with)
	d := Diagnose(ev)
	var got *Problem
	for _, p := range append([]Problem{d.Problem}, d.Further...) {
		if p.Cause == CauseFallbackMissing {
			got = &p
		}
	}
	if got == nil {
		t.Fatalf("no %s: %s, further %v", CauseFallbackMissing, d.Cause, causesOf(d.Further))
	}
	if !strings.Contains(got.Text, "1 of the 2 numbers") {
		t.Errorf("%q does not say 1 of the 2 numbers", got.Text)
	}
	if j := mustText(t, "ja").T(CauseFallbackMissing.HeadlineKey(), got.Figures); !strings.Contains(j, "2件の番号・サービスのうち1件") {
		t.Errorf("Japanese %q does not say 1 of 2", j)
	}
}
