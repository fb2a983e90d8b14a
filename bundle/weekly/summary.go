package weekly

import (
	"fmt"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Summary is the machine summary of one account's run (report --json,
// the subaccount index).
type Summary struct {
	Path         string `json:"path"`
	AccountSID   string `json:"account_sid"`
	FriendlyName string `json:"friendly_name,omitempty"`
	Window       Span   `json:"window"`
	Incidents    int    `json:"incidents"`
	AlertsSeen   int    `json:"alerts_seen"`
	// Traffic is calls plus messages over the days the rate covers; nil
	// when unknown, as is ErrorRate (RateNote says why).
	Traffic   *int     `json:"traffic"`
	ErrorRate *float64 `json:"error_rate"`
	RateNote  string   `json:"error_rate_note,omitempty"`
	// Verdict and Headline are the diagnosis in one English line; Cause
	// and Confidence its cause ID and how sure it is; HeadlineFinding the
	// verdict finding of findings.json.
	Verdict         string              `json:"verdict"`
	Headline        string              `json:"headline"`
	Cause           analysis.Cause      `json:"cause"`
	Confidence      analysis.Confidence `json:"confidence"`
	HeadlineFinding *analysis.Finding   `json:"headline_finding,omitempty"`
	// Done is the line the run ends with, in the bundle's language.
	Done       string      `json:"-"`
	Incomplete bool        `json:"incomplete"`
	Collectors []Collector `json:"collectors"`
	Previous   *Trend      `json:"previous,omitempty"`
	Deleted    []string    `json:"deleted,omitempty"`
	// ExitCode is the exit code the command ends with for this account.
	ExitCode int `json:"exit_code"`
}

// Span is a window as the summary gives it: its ends in its zone.
type Span struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	TZ   string    `json:"tz"`
}

// Collector is how one collector ended.
type Collector struct {
	Name   string                 `json:"name"`
	State  collect.CollectorState `json:"state"`
	Source string                 `json:"source,omitempty"`
	Reason string                 `json:"reason,omitempty"`
	// Failure is the short line of a collector that failed: class of
	// failure and host (Reason holds the raw error).
	Failure string `json:"failure,omitempty"`
	// Context is true for context (Twilio's status page), whose failure
	// leaves the bundle complete.
	Context bool `json:"context,omitempty"`
}

// Trend is the change against the previous bundle.
type Trend struct {
	Bundle    string `json:"bundle"`
	Window    Span   `json:"window"`
	Incidents int    `json:"incidents"`
	Change    int    `json:"change"`
	// Percent is Change over the previous count (0.4 = up 40%); nil when
	// the previous count is 0.
	Percent    *float64 `json:"percent"`
	Comparable bool     `json:"comparable"`
	Error      string   `json:"error,omitempty"`
}

// Sentence is the one-line summary for a person (cron mail, journal): the
// diagnosis' headline, the failures and the bundle's path, then the window,
// the error rate and the change on the previous bundle.
func (r *Summary) Sentence() string {
	s := fmt.Sprintf("%s to %s", r.Window.From.Format("2006-01-02 15:04"), r.Window.To.Format("2006-01-02 15:04 MST"))
	if r.ErrorRate != nil {
		s += fmt.Sprintf(", error rate %.2f%%", *r.ErrorRate*100)
	}
	if p := r.Previous; p != nil && p.Error == "" {
		s += fmt.Sprintf(", previous bundle: %d, change %+d", p.Incidents, p.Change)
	}
	if r.Incomplete {
		s += "; INCOMPLETE"
	}
	return r.Done + " (" + s + ")"
}

// Conclude sets the exit code of one account's report and returns the
// error the run ends with: runErr (ExitIncomplete in the summary when no
// library classed it: a broken collection matters more than incidents),
// else the incidents with failOnIncidents, else nil.
func (r *Summary) Conclude(runErr error, failOnIncidents bool) error {
	switch {
	case runErr != nil && runerr.KindOf(runErr) != runerr.Unclassed:
		r.ExitCode = runerr.ExitCode(runErr)
		return runErr
	case runErr != nil:
		r.ExitCode = runerr.ExitIncomplete
		return runErr
	case failOnIncidents && r.Incidents > 0:
		r.ExitCode = runerr.ExitIncidents
		return runerr.New(runerr.Incidents, fmt.Errorf("%d webhook failures in the window (--fail-on-incidents): see %s", r.Incidents, r.Path))
	}
	r.ExitCode = runerr.ExitOK
	return nil
}

// Summarize is the summary of a bundle run that wrote a bundle, read from
// the run's one analysis (res.Analysis, its statistics included); prev is
// the baseline bundle of the trend ("" for none).
func Summarize(res pipeline.Result, prev string) *Summary {
	ev := res.Evidence
	loc := ev.Window.Loc()
	sum := &Summary{
		Path: res.Path, AccountSID: ev.Account.SID, FriendlyName: ev.Account.FriendlyName,
		Window:     Span{From: ev.Window.From.In(loc), To: ev.Window.To.In(loc), TZ: loc.String()},
		Incidents:  len(ev.Incidents),
		AlertsSeen: ev.AlertsSeen,
		Incomplete: analysis.Incomplete(ev),
		Collectors: []Collector{},
	}
	en := bundle.LocalizerFor("en")
	for _, c := range ev.Collectors {
		cj := Collector{Name: c.Name, State: c.State, Source: c.Source, Reason: c.Reason, Context: c.Context}
		if c.Failed() {
			cj.Failure = en.CollectorFailure(c)
		}
		sum.Collectors = append(sum.Collectors, cj)
	}
	r := res.Analysis
	v := r.Findings[0]
	sum.HeadlineFinding, sum.Verdict, sum.Headline = &v, v.Sentence, v.Sentence
	sum.Cause, sum.Confidence = r.Diagnosis.Cause, r.Diagnosis.Confidence
	sum.Done = bundle.DoneLine(r, res.Lang, res.Path)
	if r.Stats == nil {
		if r.StatsErr != nil {
			sum.RateNote = r.StatsErr.Error()
		}
		return sum
	}
	sum.ErrorRate, sum.Traffic, sum.RateNote = r.Stats.Rate.Value, r.Stats.Rate.Traffic, r.Stats.Rate.Note
	if prev != "" {
		st := *r.Stats // the trend on prev is the summary's: the analysis stays as it was
		sum.Previous = TrendAgainst(&st, prev)
	}
	return sum
}

// TrendAgainst compares st with the bundle at prev.
func TrendAgainst(st *stats.Stats, prev string) *Trend {
	p := &Trend{Bundle: prev}
	base, err := pipeline.ReadBaseline(prev)
	if err == nil {
		err = st.AddTrend(base)
	}
	if err != nil {
		p.Error = err.Error()
		return p
	}
	t := st.Trend
	loc := time.UTC
	if base.Window.Zone != "" {
		if l, err := time.LoadLocation(base.Window.Zone); err == nil {
			loc = l
		}
	}
	p.Window = Span{From: base.Window.From.In(loc), To: base.Window.To.In(loc), TZ: loc.String()}
	p.Incidents, p.Change, p.Percent, p.Comparable = t.Total.Previous, t.Total.Change, t.Total.Percent, t.Comparable
	return p
}
