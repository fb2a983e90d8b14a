package analysis

import (
	"bytes"
	"fmt"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// statsResult is the statistics of one Evidence: the figures, or why they
// could not be computed, and why the trend is missing when a baseline was
// given but could not be used.
type statsResult struct {
	st       *stats.Stats
	err      error
	trendErr error
}

// newStats computes the statistics of ev, with their sentences in English:
// counts per day, hour, code, host and URL in the display zone (--tz) and
// UTC, error rates over the usage totals, the characteristics, the line-up
// with the probe history when there is one, and the trend on the previous
// window when ev.Previous gives it. Analyze calls it once per Evidence.
func newStats(ev *collect.Evidence) statsResult {
	st, err := stats.Compute(stats.Input{
		Window: ev.Window, Incidents: ev.Incidents, Usage: ev.Usage, Probes: probeHistory(ev),
	}, stats.Options{})
	if err != nil {
		return statsResult{err: err}
	}
	res := statsResult{st: st}
	if ev.Previous == nil {
		return res
	}
	base, err := baseline(ev.Previous, ev.Window)
	if err == nil {
		err = st.AddTrend(base)
	}
	res.trendErr = err
	return res
}

// baseline is the statistics of the previous window: read back from the
// previous bundle's summary.json, or computed from the incidents the API
// gave for it.
func baseline(p *collect.Previous, w collect.Window) (*stats.Stats, error) {
	switch p.Source {
	case collect.PreviousFromBundle:
		st, err := stats.ReadSummary(bytes.NewReader(p.Summary))
		if err != nil {
			return nil, fmt.Errorf("previous bundle %s: %w", p.Bundle, err)
		}
		return st, nil
	case collect.PreviousFromAPI:
		pw := p.Window
		pw.Location = w.Location
		return stats.Compute(stats.Input{Window: pw, Incidents: p.Incidents, Usage: p.Usage}, stats.Options{})
	}
	return nil, fmt.Errorf("previous window from %q: want %s or %s", p.Source, collect.PreviousFromBundle, collect.PreviousFromAPI)
}

// probeHistory is the probe history's attempts as the statistics take
// them; nil without a history.
func probeHistory(ev *collect.Evidence) []stats.Probe {
	if ev.Probes == nil || ev.Probes.History == nil {
		return nil
	}
	as := ev.Probes.History.Attempts
	out := make([]stats.Probe, len(as))
	for i, a := range as {
		out[i] = stats.Probe{Time: a.Time, OK: a.OK}
	}
	return out
}
