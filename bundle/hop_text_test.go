package bundle

import (
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// TestHopFindings_UndecidedSaysTheSameInTheCatalogs: the English catalog
// gives hops.undecided word for word, for every reason, and Japanese gives
// its own sentence.
func TestHopFindings_UndecidedSaysTheSameInTheCatalogs(t *testing.T) {
	en, _ := NewLocalizer("en")
	ja, _ := NewLocalizer("ja")
	for _, from := range []string{"", "lb"} {
		for _, r := range []hoplog.Reason{hoplog.ReasonNoLineParsed, hoplog.ReasonFormatUnknown, hoplog.ReasonOutsideSpan, hoplog.ReasonNoAddress} {
			v := hoplog.Reach{Outcome: hoplog.OutcomeUndecided, From: from, To: "web", Reason: r, Count: 2, Total: 2}
			ev := &collect.Evidence{Hops: &collect.HopEvidence{Report: hoplog.Report{Hops: []string{"lb", "web"}, Reached: []int{0, 0}, Total: 2, Reaches: []hoplog.Reach{v}}}}
			var f *analysis.Finding
			for _, x := range analysis.Analyze(ev).Findings {
				if x.ID == "hops.undecided" {
					f = &x
				}
			}
			if f == nil {
				t.Fatalf("no hops.undecided for %s", r)
			}
			if got := en.Finding(*f); got != f.Sentence {
				t.Errorf("en catalog:\n%s\nfinding:\n%s", got, f.Sentence)
			}
			if got := ja.Finding(*f); !strings.Contains(got, "web") || strings.Contains(got, "could not") {
				t.Errorf("ja = %q", got)
			}
		}
	}
}
