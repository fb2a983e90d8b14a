package hoplog

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Outcome is how far one incident's request got along the hop path.
type Outcome string

// Outcomes of an incident.
const (
	// OutcomeNotReached: no hop saw the request.
	OutcomeNotReached Outcome = "not_reached"
	// OutcomeLost: a hop saw it, the next one did not.
	OutcomeLost Outcome = "lost"
	// OutcomeDropped: a connection-level hop logged a DROP/REJECT.
	OutcomeDropped Outcome = "dropped"
	// OutcomeAppError: the last hop answered 5xx.
	OutcomeAppError Outcome = "app_error"
	// OutcomeTooSlow: the last hop answered after Twilio's timeout, or
	// logged that the client closed the connection first (nginx 499).
	OutcomeTooSlow Outcome = "too_slow"
	// OutcomeClientError: the last hop answered 4xx.
	OutcomeClientError Outcome = "client_error"
	// OutcomeAnswered: the last hop answered 2xx/3xx in time.
	OutcomeAnswered Outcome = "answered"
	// OutcomeNoStatus: the last hop saw it but logs no status.
	OutcomeNoStatus Outcome = "seen_no_status"
	// OutcomeUntimed: the incident has no time, so it cannot be matched.
	OutcomeUntimed Outcome = "untimed"
	// OutcomeUndecided: the hop that would tell could not be read for this
	// incident (see Match.Undecided): no hop saw the request and one could
	// not be read, or the hop after the last that saw it could not be read
	// and that one gave no answer. Never taken for "not reached".
	OutcomeUndecided Outcome = "undecided"
)

// IncidentTrace is the path of one incident through the hops.
type IncidentTrace struct {
	IncidentID string
	Outcome    Outcome
	// From is the hop the outcome is about (the last that saw the request,
	// the one that dropped it or answered); To the first that did not see
	// it, for OutcomeLost, or the one that could not be read, for
	// OutcomeUndecided.
	From, To string
	// Reason says why To could not be read, for OutcomeUndecided.
	Reason Reason
	// Background is what the hop that dropped the request shows outside
	// the incidents' windows, for OutcomeDropped: how likely its drop near
	// the incident is chance.
	Background *Background
	// Hops has this incident's match at each hop, in path order.
	Hops []Match
}

// Reach is how far a group of incidents got: the one outcome they share,
// between the same hops.
type Reach struct {
	Outcome  Outcome
	From, To string
	// Reason says why To could not be read, for OutcomeUndecided.
	Reason Reason
	// Count of Total incidents had this outcome.
	Count, Total int
	// Incidents are the IDs of those incidents.
	Incidents []string
	// Statuses counts the last hop's answers (app_error, too_slow,
	// client_error, answered).
	Statuses map[int]int
	// Slowest is the longest response time among them, when logged.
	Slowest time.Duration
	// Background is, for OutcomeDropped, the drops the hop logs to the
	// webhook outside the incidents' windows; Confidence what a drop near
	// an incident then proves: high, medium or low.
	Background *Background
	Confidence string
	// UnitErrors counts the answers whose logged response time is over an
	// hour, taken for a unit error (microseconds read as milliseconds, say)
	// and not for slowness; Implausible is the largest of them.
	UnitErrors  int
	Implausible time.Duration
	// Timeout is the longest effective Twilio timeout among them.
	Timeout time.Duration
	// Sentence says it in one line for the person reading the report.
	Sentence string
}

// Report is the result of tracing incidents through the hops.
type Report struct {
	// Hops are the hop names in path order, edge first.
	Hops []string
	// Total is the number of incidents.
	Total int
	// Reached counts, per hop, the incidents it saw.
	Reached []int
	// Incidents has one trace per incident, in the order given.
	Incidents []IncidentTrace
	// Reaches groups the incidents by outcome, largest group first (named
	// Verdicts in JSON, as before).
	Reaches []Reach `json:"Verdicts"`
	// Mixed is true when the incidents do not share one outcome.
	Mixed bool
	// Summary is the whole result in one line.
	Summary string
}

// Trace decides, for each incident, how far its request got along the hops
// (given in path order from the edge inward, each scanned with the same
// incidents), and groups the incidents by outcome. Mixed results are
// reported with their proportions, never forced into one verdict.
func Trace(incidents []Incident, hops []*HopResult) Report {
	rep := Report{Total: len(incidents), Reached: make([]int, len(hops))}
	for _, h := range hops {
		rep.Hops = append(rep.Hops, h.Name)
	}
	if len(incidents) == 0 || len(hops) == 0 {
		rep.Summary = "no incidents to trace"
		if len(hops) == 0 {
			rep.Summary = "no hop logs to trace the incidents through"
		}
		return rep
	}
	for i, in := range incidents {
		tr := IncidentTrace{IncidentID: in.ID}
		for k, h := range hops {
			var m Match
			if i < len(h.Matches) {
				m = h.Matches[i]
			}
			tr.Hops = append(tr.Hops, m)
			if m.Seen {
				rep.Reached[k]++
			}
		}
		classify(&tr, in, rep.Hops)
		if tr.Outcome == OutcomeDropped {
			for _, h := range hops {
				if h.Name == tr.From {
					tr.Background = h.Background
				}
			}
		}
		rep.Incidents = append(rep.Incidents, tr)
	}
	groups := map[string]*Reach{}
	var keys []string
	for i, tr := range rep.Incidents {
		key := string(tr.Outcome) + "\x00" + tr.From + "\x00" + tr.To + "\x00" + string(tr.Reason)
		v, ok := groups[key]
		if !ok {
			v = &Reach{Outcome: tr.Outcome, From: tr.From, To: tr.To, Reason: tr.Reason, Total: rep.Total, Statuses: map[int]int{}, Background: tr.Background}
			if tr.Outcome == OutcomeDropped {
				v.Confidence = "high"
				if tr.Background != nil {
					v.Confidence = tr.Background.Confidence()
				}
			}
			groups[key] = v
			keys = append(keys, key)
		}
		v.Count++
		v.Incidents = append(v.Incidents, tr.IncidentID)
		v.Timeout = max(v.Timeout, incidents[i].timeout())
		if last, ok := answer(tr, rep.Hops); ok {
			if last.Status != 0 {
				v.Statuses[last.Status]++
			}
			switch {
			case last.HasDuration && UnitError(last.Duration):
				v.UnitErrors++
				v.Implausible = max(v.Implausible, last.Duration)
			case last.HasDuration:
				v.Slowest = max(v.Slowest, last.Duration)
			}
		}
	}
	for _, k := range keys {
		rep.Reaches = append(rep.Reaches, *groups[k])
	}
	sort.SliceStable(rep.Reaches, func(a, b int) bool { return rep.Reaches[a].Count > rep.Reaches[b].Count })
	rep.Mixed = len(rep.Reaches) > 1
	var parts []string
	for i := range rep.Reaches {
		v := &rep.Reaches[i]
		v.Sentence = v.sentence(rep, hops)
		parts = append(parts, fmt.Sprintf("%d of %d (%.0f%%) %s", v.Count, v.Total, 100*float64(v.Count)/float64(v.Total), v.short()))
	}
	if rep.Mixed {
		rep.Summary = "mixed: " + strings.Join(parts, "; ")
	} else {
		rep.Summary = rep.Reaches[0].Sentence
	}
	return rep
}

// answer is the match of the hop that answered the request, for the
// outcomes where one did.
func answer(tr IncidentTrace, names []string) (Match, bool) {
	switch tr.Outcome {
	case OutcomeAppError, OutcomeTooSlow, OutcomeClientError, OutcomeAnswered, OutcomeNoStatus:
		for k, n := range names {
			if n == tr.From {
				return tr.Hops[k], true
			}
		}
	}
	return Match{}, false
}

// MaxPlausibleDuration is the longest response time taken as one: Twilio
// gives up after at most 15 s, so an hour is a unit read wrongly.
const MaxPlausibleDuration = time.Hour

// UnitError reports whether a logged response time is too long to be one:
// the log's unit was not the one it was read in.
func UnitError(d time.Duration) bool { return d > MaxPlausibleDuration }

// classify sets an incident's outcome from its matches. The last hop that
// saw the request is where it stopped, unless one dropped it; a hop that
// could not be read decides nothing, so an incident no hop saw while one
// could not be read, or whose last hop gave no answer and the next could not
// be read, stays undecided rather than "not reached" or "lost".
func classify(tr *IncidentTrace, in Incident, names []string) {
	if in.Time.IsZero() {
		tr.Outcome = OutcomeUntimed
		return
	}
	last, undecided := -1, -1
	for k, m := range tr.Hops {
		if m.Undecided {
			if undecided < 0 {
				undecided = k
			}
			continue
		}
		if m.Dropped {
			tr.Outcome, tr.From = OutcomeDropped, names[k]
			return
		}
		if m.Seen {
			last = k
		}
	}
	undecidedAt := func(k int) {
		tr.Outcome, tr.To, tr.Reason = OutcomeUndecided, names[k], tr.Hops[k].Reason
		if last >= 0 {
			tr.From = names[last]
		}
	}
	if last < 0 {
		if undecided >= 0 {
			undecidedAt(undecided)
			return
		}
		tr.Outcome = OutcomeNotReached
		return
	}
	m := tr.Hops[last]
	answered := m.Status != 0 || m.HasDuration
	if next := last + 1; next < len(tr.Hops) {
		switch {
		case tr.Hops[next].Undecided && !answered:
			undecidedAt(next)
			return
		case !tr.Hops[next].Undecided:
			tr.Outcome, tr.From, tr.To = OutcomeLost, names[last], names[next]
			return
		}
	}
	tr.From = names[last]
	switch {
	// A request that lasted the whole timeout was not answered in time:
	// Twilio hung up then (a proxy logs "+15000" without a status).
	case m.HasDuration && m.Duration >= in.timeout() && !UnitError(m.Duration), m.Status == 499:
		tr.Outcome = OutcomeTooSlow
	case m.Status >= 500:
		tr.Outcome = OutcomeAppError
	case m.Status >= 400:
		tr.Outcome = OutcomeClientError
	case m.Status >= 200:
		tr.Outcome = OutcomeAnswered
	default:
		tr.Outcome = OutcomeNoStatus
	}
}

// statusList writes status counts as "502 ×40, 500 ×2".
func statusList(m map[int]int) string {
	var codes []int
	for c := range m {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if m[codes[i]] != m[codes[j]] {
			return m[codes[i]] > m[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d ×%d", c, m[c]))
	}
	return strings.Join(parts, ", ")
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// short names the outcome in a few words, for the mixed summary.
func (v Reach) short() string {
	switch v.Outcome {
	case OutcomeNotReached:
		return "never reached your network"
	case OutcomeLost:
		return fmt.Sprintf("lost between %s and %s", v.From, v.To)
	case OutcomeDropped:
		return "dropped at " + v.From
	case OutcomeAppError:
		return fmt.Sprintf("application failed at %s (5xx)", v.From)
	case OutcomeTooSlow:
		return fmt.Sprintf("too slow at %s", v.From)
	case OutcomeClientError:
		return fmt.Sprintf("answered 4xx by %s", v.From)
	case OutcomeAnswered:
		return fmt.Sprintf("answered in time by %s", v.From)
	case OutcomeNoStatus:
		return fmt.Sprintf("reached %s (no status logged)", v.From)
	case OutcomeUntimed:
		return "without a time, not traced"
	case OutcomeUndecided:
		return fmt.Sprintf("undecided at %s (%s)", v.To, v.Reason.short())
	}
	return string(v.Outcome)
}

// short names a reason in a few words.
func (r Reason) short() string {
	switch r {
	case ReasonFormatUnknown:
		return "format unknown"
	case ReasonNoLineParsed:
		return "no line read near their times"
	case ReasonOutsideSpan:
		return "times outside the log"
	case ReasonNoAddress:
		return "webhook address unknown"
	}
	return string(r)
}

// remedy says what makes a hop readable for the incidents of a reason.
func (r Reason) remedy() string {
	switch r {
	case ReasonFormatUnknown, ReasonNoLineParsed:
		return "give the log's format as NAME=PATH:FORMAT (or NAME=PATH:regex:…)"
	case ReasonOutsideSpan:
		return "add the files that cover these times (rotated logs: NAME='PATH*')"
	case ReasonNoAddress:
		return "give the webhook's address with --hop-addr"
	}
	return "check the hop's log"
}

func (v Reach) sentence(rep Report, hops []*HopResult) string {
	s := v.mainSentence(rep, hops)
	if v.UnitErrors > 0 {
		s += fmt.Sprintf(" (%d logged a response time over an hour, up to %.0f h: taken for a unit error, not for slowness; give the unit, e.g. json:duration=KEY:ms)", v.UnitErrors, v.Implausible.Hours())
	}
	return s
}

func (v Reach) mainSentence(rep Report, hops []*HopResult) string {
	of := fmt.Sprintf("%d of %d incidents", v.Count, v.Total)
	reached := func(name string) int {
		for k, h := range rep.Hops {
			if h == name {
				return rep.Reached[k]
			}
		}
		return 0
	}
	switch v.Outcome {
	case OutcomeNotReached:
		return fmt.Sprintf("%s reached no hop (first: %s) → never reached your network: the request is lost between Twilio and you → send this bundle to Twilio support", of, rep.Hops[0])
	case OutcomeLost:
		if v.Count == v.Total {
			return fmt.Sprintf("%d of %d incidents reached %s, %d reached %s → lost between %s and %s",
				reached(v.From), v.Total, v.From, reached(v.To), v.To, v.From, v.To)
		}
		return fmt.Sprintf("%s reached %s but not %s → lost between %s and %s", of, v.From, v.To, v.From, v.To)
	case OutcomeDropped:
		s := fmt.Sprintf("%s were dropped at %s → %s refused Twilio's connection: check its rules for Twilio's addresses and the webhook's port", of, v.From, v.From)
		if b := v.Background; b != nil && b.Drops > 0 {
			s += " (" + strings.Replace(b.Sentence(), "the firewall", v.From, 1) + ")"
		}
		return s
	case OutcomeAppError:
		return fmt.Sprintf("%s reached %s, which answered %s → your application failed", of, v.From, statusList(v.Statuses))
	case OutcomeTooSlow:
		s := fmt.Sprintf("%s reached %s and were not answered within Twilio's timeout (%s)", of, v.From, seconds(v.Timeout))
		if v.Slowest > 0 {
			s += fmt.Sprintf(", slowest %s", seconds(v.Slowest))
		}
		return s + " → your application was too slow"
	case OutcomeClientError:
		return fmt.Sprintf("%s reached %s, which answered %s → your server refused the request: check the URL, method and request validation", of, v.From, statusList(v.Statuses))
	case OutcomeAnswered:
		st := ""
		if len(v.Statuses) > 0 {
			st = " (" + statusList(v.Statuses) + ")"
		}
		return fmt.Sprintf("%s reached %s, which answered in time%s → your server answered: look at the response (Content-Type, size) and at the way back", of, v.From, st)
	case OutcomeNoStatus:
		return fmt.Sprintf("%s reached %s, whose log has no status → the request arrived; look at the application logs", of, v.From)
	case OutcomeUntimed:
		return fmt.Sprintf("%s have no time and could not be traced", of)
	case OutcomeUndecided:
		why := string(v.Reason)
		for _, h := range hops {
			if h.Name == v.To {
				why = v.Reason.Explain(h.Detection.Format, h.SpanFrom, h.SpanTo)
			}
		}
		at := ""
		if v.From != "" {
			at = fmt.Sprintf(" reached %s, but", v.From)
		}
		return fmt.Sprintf("%s%s could not be decided at %s: %s → not a verdict: %s", of, at, v.To, why, v.Reason.remedy())
	}
	return of + " " + string(v.Outcome)
}
