// Package analysis walks the isolation procedure over the Evidence: pure
// functions from Evidence to the Findings, the Diagnosis that names the
// cause, and the recommendations. It reads what the collectors gathered and
// never writes: the bundle's writers lay out what it decided.
package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// IncidentsFile is the bundle's list of every incident, which findings
// about the incidents point at.
const IncidentsFile = "incidents.csv"

// Severity of a finding, in the sense of a troubleshooting analyzer.
type Severity string

// Severities.
const (
	Pass Severity = "pass"
	Info Severity = "info"
	Warn Severity = "warn"
	Fail Severity = "fail"
)

// Finding is one conclusion of the analysis, with the evidence behind it.
type Finding struct {
	// ID names the kind of finding, stable across versions (e.g. "incidents.count").
	ID string `json:"id"`
	// Step is the step of the isolation procedure it belongs to (1–4; 0 = none).
	Step     int      `json:"step"`
	Severity Severity `json:"severity"`
	// Sentence is the sentence for the person reading the bundle; findings.json
	// keeps the name it has always had for it, "verdict".
	Sentence string `json:"verdict"`
	// Evidence points at what shows it: files, SIDs, figures.
	Evidence []string `json:"evidence,omitempty"`
	// Figures are the values the sentence was made from, by name, so that
	// the sentence can be given in another language (catalog "finding.<ID>").
	Figures map[string]any `json:"figures,omitempty"`

	// The diagnosis, on the finding with ID "verdict" only: the cause, the
	// host, URL or component it is at, since when, the incidents it
	// explains of all, what fixes it and how sure it is.
	Cause      Cause      `json:"cause,omitempty"`
	Host       string     `json:"host,omitempty"`
	Since      *time.Time `json:"since,omitempty"`
	Explained  int        `json:"explained,omitempty"`
	Incidents  int        `json:"incidents,omitempty"`
	Fix        string     `json:"fix,omitempty"`
	Confidence Confidence `json:"confidence,omitempty"`
}

// Result is the analysis of one Evidence, computed once: every writer and
// every summary reads it.
type Result struct {
	// Findings head with the verdict finding, then the analyzers' findings
	// by step.
	Findings []Finding
	// Diagnosis names the cause.
	Diagnosis Diagnosis
	// Recommendations say what to do, in order.
	Recommendations []Recommendation
	// Stats are the statistics (English sentences); nil when they could not
	// be computed, StatsErr says why.
	Stats    *stats.Stats
	StatsErr error
}

// Checks are the analyzers' findings, without the verdict.
func (r *Result) Checks() []Finding {
	if len(r.Findings) > 0 && r.Findings[0].ID == "verdict" {
		return r.Findings[1:]
	}
	return r.Findings
}

// Analyze walks the evidence once: the findings of every analyzer ordered
// by step, the diagnosis, headed into the findings as the verdict, the
// recommendations and the statistics.
func Analyze(ev *collect.Evidence) *Result {
	var out []Finding
	out = append(out, incidentFindings(ev)...)
	out = append(out, probeFindings(ev)...)
	out = append(out, statusFindings(ev)...)
	out = append(out, hopFindings(ev)...)
	st := newStats(ev)
	out = append(out, statsFindings(st)...)
	out = append(out, collectorFindings(ev)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Step < out[j].Step })
	r := &Result{Diagnosis: Diagnose(ev)}
	r.Findings = append([]Finding{VerdictFinding(r.Diagnosis)}, out...)
	r.Recommendations = Recommend(ev, r.Diagnosis)
	r.Stats, r.StatsErr = st.st, st.err
	return r
}

func incidentFindings(ev *collect.Evidence) []Finding {
	n := len(ev.Incidents)
	if n == 0 {
		return []Finding{{ID: "incidents.none", Step: 1, Severity: Pass,
			Sentence: "No webhook failures in the window."}}
	}
	sids := map[string]bool{}
	for _, inc := range ev.Incidents {
		if inc.ResourceSID != "" {
			sids[inc.ResourceSID] = true
		}
	}
	return []Finding{{ID: "incidents.count", Step: 1, Severity: Fail,
		Sentence: fmt.Sprintf("%d webhook failures in the window, affecting %d calls or messages.", n, len(sids)),
		Evidence: []string{"incidents.csv", collect.AlertsFile},
		Figures:  map[string]any{"count": n, "sids": len(sids)}}}
}

func collectorFindings(ev *collect.Evidence) []Finding {
	var out []Finding
	for _, c := range ev.Collectors {
		if !c.Failed() {
			continue
		}
		f := collect.Failure{Class: collect.FailOther}
		if c.Failure != nil {
			f = *c.Failure
		}
		what := string(f.Class)
		if f.Host != "" {
			what += ", " + f.Host
		}
		if c.Context {
			out = append(out, Finding{ID: FindingTwilioStatusUnread, Step: 4, Severity: Info,
				Sentence: fmt.Sprintf("Twilio status page not read (%s): whether Twilio published an incident while the webhooks failed could not be checked.", what),
				Evidence: []string{"manifest.json"},
				Figures:  FailureFigures(c.Name, c.State, f)})
			continue
		}
		out = append(out, Finding{ID: "collector." + string(c.State), Step: 0, Severity: Warn,
			Sentence: fmt.Sprintf("The %s collector did not finish (%s): manifest.json holds its error. The bundle is incomplete.", c.Name, what),
			Evidence: []string{"manifest.json"},
			Figures:  FailureFigures(c.Name, c.State, f)})
	}
	return out
}

// Incomplete reports whether a collector of evidence failed or timed out;
// context that could not be read (Twilio's status page) leaves the bundle
// complete.
func Incomplete(ev *collect.Evidence) bool {
	for _, c := range ev.Collectors {
		if c.MissingEvidence() {
			return true
		}
	}
	return false
}

// ContextUnread reports whether a collector of context (Twilio's status
// page) failed or timed out.
func ContextUnread(ev *collect.Evidence) bool {
	for _, c := range ev.Collectors {
		if c.Failed() && c.Context {
			return true
		}
	}
	return false
}
