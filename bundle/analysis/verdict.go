package analysis

import (
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// VerdictFinding turns the diagnosis into the finding with ID "verdict"
// that heads findings.json: the English headline, the step, and as fields
// the cause, where, since when, the incidents explained, the fix and the
// confidence; the proof, the further problems and what is missing as its
// evidence lines.
func VerdictFinding(d Diagnosis) Finding {
	en := english
	f := Finding{ID: "verdict", Step: d.Step, Severity: Fail, Sentence: en.Headline(d),
		Cause: d.Cause, Host: d.Where, Explained: d.Explained, Incidents: d.Total,
		Fix: en.Fix(d.Problem), Confidence: d.Confidence}
	if !d.Since.IsZero() {
		since := d.Since.UTC()
		f.Since = &since
	}
	switch d.Cause {
	case CauseNoFailures:
		f.Severity = Pass
	case CauseUndecided, CauseConflict:
		f.Severity = Warn
	}
	f.Evidence = append(f.Evidence, "confidence: "+string(d.Confidence))
	if r := en.Remaining(d.Problem); r != "" {
		f.Evidence = append(f.Evidence, r)
	}
	for _, p := range d.Proof {
		f.Evidence = append(f.Evidence, en.Proof(p))
	}
	for _, p := range d.Further {
		f.Evidence = append(f.Evidence, "further: "+string(p.Cause)+": "+p.Text+" "+en.Scope(p))
	}
	for _, p := range d.Beside {
		f.Evidence = append(f.Evidence, "beside: "+string(p.Cause)+": "+p.Text)
	}
	for _, m := range d.Missing {
		f.Evidence = append(f.Evidence, "missing: "+m)
	}
	return f
}

// collectorOK reports whether the named collector ran to the end; a
// collector that is not listed counts as ok (the evidence was given).
func collectorOK(ev *collect.Evidence, name string) bool {
	for _, c := range ev.Collectors {
		if c.Name == name {
			return c.State == collect.StateOK
		}
	}
	return true
}
