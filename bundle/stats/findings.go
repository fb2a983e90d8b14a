package stats

import (
	"fmt"
	"time"
)

// Severity of a finding: the statistics say information or a warning; the
// analysis states them with the same words.
type Severity string

// Severities of a finding.
const (
	SeverityInfo Severity = "info"
	SeverityWarn Severity = "warn"
)

// Thresholds of the characteristics.
const (
	// bandWarnShare is the share of incidents in the busiest band from which
	// the band is worth a warning.
	bandWarnShare = 0.5
	// minIncidentsForPattern is the smallest number of incidents on which a
	// concentration (band, dominance) is called a pattern.
	minIncidentsForPattern = 10
)

// Finding is one characteristic of the incidents, stated in one sentence
// with its figure. Figures holds the numbers the sentence is made from,
// under the names its catalog text uses.
type Finding struct {
	ID       string         `json:"id"`
	Severity Severity       `json:"severity"`
	Sentence string         `json:"sentence"`
	Figures  map[string]any `json:"figures"`
}

// newFinding renders the sentence of id from figures.
func newFinding(id string, severity Severity, lang string, figures map[string]any) (Finding, error) {
	s, err := Sentence(id, lang, figures)
	if err != nil {
		return Finding{}, err
	}
	return Finding{ID: id, Severity: severity, Sentence: s, Figures: figures}, nil
}

// localTime formats t in the display zone for a sentence.
func (s *Stats) localTime(t time.Time) string {
	return t.In(s.location()).Format("2006-01-02 15:04:05")
}

func (s *Stats) location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// characteristics states the findings of s in its language.
func characteristics(s *Stats) ([]Finding, error) {
	var out []Finding
	add := func(id string, severity Severity, figures map[string]any) error {
		f, err := newFinding(id, severity, s.Lang, figures)
		if err != nil {
			return fmt.Errorf("stats finding: %w", err)
		}
		out = append(out, f)
		return nil
	}
	zone := s.Window.Zone
	window := map[string]any{
		"from": s.localTime(s.Window.From),
		"to":   s.localTime(s.Window.To),
		"zone": zone,
	}
	if s.Total == 0 {
		if err := add("stats.none", SeverityInfo, window); err != nil {
			return nil, err
		}
	} else {
		f := map[string]any{"total": s.Total, "calls": s.ByKind.Calls, "messages": s.ByKind.Messages, "other": s.ByKind.Other}
		for k, v := range window {
			f[k] = v
		}
		if err := add("stats.summary", SeverityInfo, f); err != nil {
			return nil, err
		}
		id := "stats.first_last"
		if s.Total == 1 {
			id = "stats.only_one"
		}
		if err := add(id, SeverityInfo, map[string]any{
			"first": s.localTime(*s.First), "last": s.localTime(*s.Last), "zone": zone,
			"first_utc": s.First.Format(time.RFC3339), "last_utc": s.Last.Format(time.RFC3339),
		}); err != nil {
			return nil, err
		}
	}
	if s.OutsideWindow > 0 {
		if err := add("stats.outside_window", SeverityInfo, map[string]any{"outside": s.OutsideWindow}); err != nil {
			return nil, err
		}
	}

	for _, step := range []func(*Stats, addFunc) error{
		rateFindings, bandFinding, burstFinding, dominanceFindings, probeFinding,
	} {
		if err := step(s, add); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type addFunc = func(id string, severity Severity, figures map[string]any) error

func rateFindings(s *Stats, add addFunc) error {
	if !s.Rate.Known() {
		if s.Rate.Note == NoteNoUsage {
			return add("stats.rate_no_usage", SeverityInfo, map[string]any{})
		}
		if s.Rate.Note == NotePartialDay {
			return add("stats.rate_no_full_day", SeverityInfo, map[string]any{})
		}
		return nil // no traffic at all: nothing to state
	}
	first, last := "", ""
	if n := len(s.RateDays); n > 0 {
		first, last = s.RateDays[0], s.RateDays[n-1]
	}
	if err := add("stats.rate", SeverityInfo, map[string]any{
		"rate": *s.Rate.Value, "incidents": s.Rate.Incidents, "traffic": *s.Rate.Traffic, "days": len(s.RateDays),
		"first_day": first, "last_day": last,
	}); err != nil {
		return err
	}
	f := map[string]any{
		"call_incidents": s.CallRate.Incidents, "calls": *s.CallRate.Traffic,
		"message_incidents": s.MessageRate.Incidents, "messages": *s.MessageRate.Traffic,
	}
	switch {
	case s.CallRate.Known() && s.MessageRate.Known():
		f["call_rate"], f["message_rate"] = *s.CallRate.Value, *s.MessageRate.Value
		return add("stats.rate_calls_messages", SeverityInfo, f)
	case s.CallRate.Known():
		f["call_rate"] = *s.CallRate.Value
		return add("stats.rate_calls_only", SeverityInfo, f)
	case s.MessageRate.Known():
		f["message_rate"] = *s.MessageRate.Value
		return add("stats.rate_messages_only", SeverityInfo, f)
	}
	return nil
}

func bandFinding(s *Stats, add addFunc) error {
	if s.Total == 0 {
		return nil
	}
	b := s.Band
	sev := SeverityInfo
	if s.Total >= minIncidentsForPattern && b.Share >= bandWarnShare {
		sev = SeverityWarn
	}
	return add("stats.band", sev, map[string]any{
		"share": b.Share, "incidents": b.Incidents, "total": s.Total,
		"from_hour": fmt.Sprintf("%02d:00", b.StartHour),
		"to_hour":   fmt.Sprintf("%02d:00", (b.StartHour+b.Hours)%24),
		"hours":     b.Hours, "zone": s.Window.Zone,
	})
}

func burstFinding(s *Stats, add addFunc) error {
	f := map[string]any{"min": s.opts.BurstCount, "span_seconds": int64(s.opts.BurstSpan / time.Second)}
	if len(s.Bursts) == 0 {
		if s.Total == 0 {
			return nil
		}
		return add("stats.no_bursts", SeverityInfo, f)
	}
	largest := s.Bursts[0]
	for _, b := range s.Bursts[1:] {
		if b.Incidents > largest.Incidents {
			largest = b
		}
	}
	f["bursts"] = len(s.Bursts)
	f["largest"] = largest.Incidents
	f["start"] = s.localTime(largest.Start)
	f["end"] = s.localTime(largest.End)
	f["start_utc"] = largest.Start.Format(time.RFC3339)
	f["end_utc"] = largest.End.Format(time.RFC3339)
	f["zone"] = s.Window.Zone
	id := "stats.bursts"
	if len(s.Bursts) == 1 {
		id = "stats.burst"
	}
	return add(id, SeverityWarn, f)
}

func dominanceFindings(s *Stats, add addFunc) error {
	for _, d := range []struct {
		name  string
		table []Count
	}{{"code", s.ByCode}, {"host", s.ByHost}, {"url", s.ByURL}} {
		if len(d.table) == 0 || d.table[0].Key == "" {
			continue // nothing known about this dimension
		}
		top := d.table[0]
		f := map[string]any{"key": top.Key, "share": top.Share, "incidents": top.Incidents, "total": s.Total}
		if top.Share >= s.opts.DominantShare && s.Total >= minIncidentsForPattern {
			if err := add("stats.dominant_"+d.name, SeverityWarn, f); err != nil {
				return err
			}
			continue
		}
		if top.Share > 0.5 || top.Share >= s.opts.DominantShare {
			// Too few incidents to call it a pattern, or more than half
			// but short of dominant: state the share plainly, never as a
			// spread.
			if err := add("stats.dominant_"+d.name, SeverityInfo, f); err != nil {
				return err
			}
			continue
		}
		if err := add("stats.spread_"+d.name, SeverityInfo, f); err != nil {
			return err
		}
	}
	return nil
}

func probeFinding(s *Stats, add addFunc) error {
	p := s.Probes
	if p == nil || p.Probes == 0 {
		return nil
	}
	f := map[string]any{
		"probes": p.Probes, "probed_hours": p.Probed, "incident_hours": p.IncidentHours,
		"failed_hours": p.FailedHours, "both": p.Both, "ok_hours": p.IncidentHours - p.Both,
	}
	switch {
	case p.IncidentHours == 0:
		return add("stats.probes_no_overlap", SeverityInfo, f)
	case 2*p.Both >= p.IncidentHours:
		return add("stats.probes_aligned", SeverityWarn, f)
	}
	return add("stats.probes_not_aligned", SeverityInfo, f)
}
