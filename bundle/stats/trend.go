package stats

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// SummaryPath is where summary.json lies inside a bundle.
const SummaryPath = "stats/summary.json"

// MaxSummaryBytes bounds how much of a previous bundle's summary is read.
const MaxSummaryBytes = 64 << 20

// trendDetailCodes is how many error codes get a trend sentence of their own.
const trendDetailCodes = 3

// Delta compares one figure of this window with the previous one.
type Delta struct {
	Key      string `json:"key"`
	Current  int    `json:"current"`
	Previous int    `json:"previous"`
	Change   int    `json:"change"`
	// Percent is Change over Previous (0.4 = up 40%); nil when Previous is 0.
	Percent *float64 `json:"percent"`
}

func newDelta(key string, cur, prev int) Delta {
	d := Delta{Key: key, Current: cur, Previous: prev, Change: cur - prev}
	if prev != 0 {
		p := float64(cur-prev) / float64(prev)
		d.Percent = &p
	}
	return d
}

// RateDelta compares the window error rates; a side is nil when unknown.
type RateDelta struct {
	Current  *float64 `json:"current"`
	Previous *float64 `json:"previous"`
}

// Trend is the comparison of a window with the previous one.
type Trend struct {
	PreviousWindow WindowInfo `json:"previous_window"`
	// Comparable is false when the two windows differ in length: counts are
	// then given side by side without a change.
	Comparable bool      `json:"comparable"`
	Total      Delta     `json:"total"`
	ByKind     []Delta   `json:"by_kind"`
	ByCode     []Delta   `json:"by_code"`
	ByURL      []Delta   `json:"by_url"`
	Rate       RateDelta `json:"rate"`
}

// PreviousWindow is the window of the same length just before w.
func PreviousWindow(w collect.Window) collect.Window { return collect.PreviousWindow(w) }

// AddTrend compares s with prev (the statistics of the previous window,
// computed from its incidents or read from a previous bundle), sets s.Trend
// and adds the trend findings. Calling it again replaces the trend.
func (s *Stats) AddTrend(prev *Stats) error {
	if prev == nil {
		return errors.New("trend: no previous statistics")
	}
	t := &Trend{
		PreviousWindow: prev.Window,
		Comparable:     prev.Window.Seconds == s.Window.Seconds,
		Total:          newDelta("total", s.Total, prev.Total),
		ByKind: []Delta{
			newDelta(collect.KindCall, s.ByKind.Calls, prev.ByKind.Calls),
			newDelta(collect.KindMessage, s.ByKind.Messages, prev.ByKind.Messages),
			newDelta(collect.KindOther, s.ByKind.Other, prev.ByKind.Other),
		},
		ByCode: deltas(s.ByCode, prev.ByCode),
		ByURL:  deltas(s.ByURL, prev.ByURL),
		Rate:   RateDelta{Current: s.Rate.Value, Previous: prev.Rate.Value},
	}
	findings, err := trendFindings(s, t)
	if err != nil {
		return err
	}
	kept := s.Findings[:0:0]
	for _, f := range s.Findings {
		if !strings.HasPrefix(f.ID, "stats.trend.") {
			kept = append(kept, f)
		}
	}
	s.Findings = append(kept, findings...)
	s.Trend = t
	return nil
}

// deltas joins two count tables by key, most current incidents first.
func deltas(cur, prev []Count) []Delta {
	p := make(map[string]int, len(prev))
	for _, c := range prev {
		p[c.Key] += c.Incidents
	}
	out := make([]Delta, 0, len(cur)+len(prev))
	seen := make(map[string]bool, len(cur))
	for _, c := range cur {
		seen[c.Key] = true
		out = append(out, newDelta(c.Key, c.Incidents, p[c.Key]))
	}
	for _, c := range prev {
		if !seen[c.Key] {
			seen[c.Key] = true
			out = append(out, newDelta(c.Key, 0, p[c.Key]))
		}
	}
	slices.SortFunc(out, func(a, b Delta) int {
		if c := cmp.Compare(b.Current, a.Current); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Previous, a.Previous); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

func trendFindings(s *Stats, t *Trend) ([]Finding, error) {
	var out []Finding
	add := func(id string, severity Severity, f map[string]any) error {
		fd, err := newFinding(id, severity, s.Lang, f)
		if err != nil {
			return fmt.Errorf("trend finding: %w", err)
		}
		out = append(out, fd)
		return nil
	}
	f := map[string]any{
		"current": t.Total.Current, "previous": t.Total.Previous,
		"seconds": s.Window.Seconds, "previous_seconds": t.PreviousWindow.Seconds,
	}
	if !t.Comparable {
		return out, add("stats.trend.length_differs", SeverityInfo, f)
	}
	id, sev := changeID(totalPrefix, t.Total, f)
	if err := add(id, sev, f); err != nil {
		return nil, err
	}
	if t.Rate.Current != nil && t.Rate.Previous != nil {
		sev := SeverityInfo
		if *t.Rate.Current > *t.Rate.Previous {
			sev = SeverityWarn
		}
		if err := add("stats.trend.rate", sev, map[string]any{"current": *t.Rate.Current, "previous": *t.Rate.Previous}); err != nil {
			return nil, err
		}
	}
	// The codes that moved most, by absolute change.
	moved := slices.Clone(t.ByCode)
	slices.SortStableFunc(moved, func(a, b Delta) int {
		return cmp.Compare(abs(b.Change), abs(a.Change))
	})
	for i, d := range moved {
		if i == trendDetailCodes || d.Change == 0 || d.Key == "" {
			break
		}
		cf := map[string]any{"key": d.Key, "current": d.Current, "previous": d.Previous}
		cid, csev := changeID(codePrefix, d, cf)
		if err := add(cid, csev, cf); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Sentence ID prefixes of the trend findings.
const (
	totalPrefix = "stats.trend."
	codePrefix  = "stats.trend.code_"
)

// changeID picks the sentence for a delta and puts its change into f.
func changeID(prefix string, d Delta, f map[string]any) (string, Severity) {
	switch {
	case d.Change == 0:
		return prefix + "same", SeverityInfo
	case d.Previous == 0 && prefix == totalPrefix:
		return prefix + "from_zero", SeverityWarn
	case d.Previous == 0:
		return prefix + "new", SeverityWarn
	case d.Current == 0 && prefix == codePrefix:
		return prefix + "gone", SeverityInfo
	}
	f["change"] = math.Abs(*d.Percent)
	if d.Change > 0 {
		return prefix + "up", SeverityWarn
	}
	return prefix + "down", SeverityInfo
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ReadSummary decodes a stats/summary.json written by this package.
func ReadSummary(r io.Reader) (*Stats, error) {
	var s Stats
	dec := json.NewDecoder(io.LimitReader(r, MaxSummaryBytes))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read %s: %w", SummaryPath, err)
	}
	if s.Schema != SchemaVersion {
		return nil, fmt.Errorf("read %s: schema version %d, want %d", SummaryPath, s.Schema, SchemaVersion)
	}
	if s.Window.Seconds <= 0 {
		return nil, fmt.Errorf("read %s: window of %d seconds", SummaryPath, s.Window.Seconds)
	}
	return &s, nil
}
