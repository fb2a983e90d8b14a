package analysis

import (
	"bytes"
	"fmt"
	"sync"
	"time"
	"weak"

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

// statsKey tells whether the memo holds the statistics of an Evidence: the
// same value, with the same inputs as far as their lengths and pointers say
// (collectors only add to Evidence, and they have all run by then).
type statsKey struct {
	ev        weak.Pointer[collect.Evidence]
	previous  weak.Pointer[collect.Previous]
	probes    weak.Pointer[collect.ProbeEvidence]
	incidents int
	usage     int
	from, to  time.Time
	loc       *time.Location
}

// statsMemo holds the statistics of the Evidence they were last computed
// for, so that the analysis, the stats files and the PDF charts share one
// computation. The Evidence is held weakly: the memo does not keep it alive.
var statsMemo struct {
	sync.Mutex
	key statsKey
	res statsResult
}

func keyOf(ev *collect.Evidence) statsKey {
	return statsKey{
		ev: weak.Make(ev), previous: weak.Make(ev.Previous), probes: weak.Make(ev.Probes),
		incidents: len(ev.Incidents), usage: len(ev.Usage),
		from: ev.Window.From, to: ev.Window.To, loc: ev.Window.Location,
	}
}

// Stats returns the statistics of ev, with their sentences in
// English: counts per day, hour, code, host and URL in the display zone
// (--tz) and UTC, error rates over the usage totals, the characteristics,
// the line-up with the probe history when there is one, and the trend on
// the previous window when ev.Previous gives it. They are computed once per
// Evidence; every caller gets the same value and must not change it. Use
// StatsIn for the sentences in another language.
func Stats(ev *collect.Evidence) (*stats.Stats, error) {
	r := memoStats(ev)
	return r.st, r.err
}

// StatsIn is Stats with the sentences in lang ("en" or "ja").
func StatsIn(ev *collect.Evidence, lang string) (*stats.Stats, error) {
	st, err := Stats(ev)
	if err != nil || lang == "" || lang == st.Lang {
		return st, err
	}
	return st.InLang(lang)
}

func memoStats(ev *collect.Evidence) statsResult {
	key := keyOf(ev)
	statsMemo.Lock()
	defer statsMemo.Unlock()
	if statsMemo.key == key {
		return statsMemo.res
	}
	statsMemo.key, statsMemo.res = key, newStats(ev)
	return statsMemo.res
}

// newStats computes the statistics of ev and adds the trend.
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
