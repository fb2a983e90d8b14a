package bundle

import (
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
)

// Localizer renders the generated sentences of the bundle in one language
// from the catalogs in templates/. Data (SIDs, URLs, figures) is passed in
// as it is; only the words around it change.
type Localizer struct {
	*analysis.Text
}

// NewLocalizer loads the catalog of lang ("en" or "ja").
func NewLocalizer(lang string) (*Localizer, error) {
	t, err := analysis.NewText(lang)
	if err != nil {
		return nil, err
	}
	return &Localizer{Text: t}, nil
}

// Finding returns a finding's sentence in the localizer's language: the
// catalog's "finding.<ID>" filled with the finding's figures when both
// exist, the statistics catalog for stats.* and trend.* findings, and the
// analyzer's own sentence otherwise.
func (l *Localizer) Finding(f analysis.Finding) string {
	if (strings.HasPrefix(f.ID, "collector.") || f.ID == analysis.FindingTwilioStatusUnread) && f.Figures != nil {
		// The failure's phrase comes from the catalog too.
		figs := make(map[string]any, len(f.Figures)+1)
		for k, v := range f.Figures {
			figs[k] = v
		}
		figs["failure"] = l.FailureText(analysis.FailureFromFigures(f.Figures))
		f.Figures = figs
	}
	if f.Figures != nil {
		if s, ok := l.Render("finding."+f.ID, f.Figures); ok {
			return s
		}
		if strings.HasPrefix(f.ID, "stats.") || strings.HasPrefix(f.ID, "trend.") {
			if s, err := stats.Sentence(f.ID, l.Lang(), f.Figures); err == nil {
				return s
			}
		}
	}
	if s, ok := l.Render("finding."+f.ID, nil); ok && l.Lang() != "en" {
		return s + " (" + f.Sentence + ")"
	}
	return f.Sentence
}

// Confidence is the confidence in words.
func (l *Localizer) Confidence(c analysis.Confidence) string { return l.S("confidence." + string(c)) }

// Missing says how to add one missing kind of evidence.
func (l *Localizer) Missing(m string) string { return l.S("missing." + m) }

// DoneLine is the line a run ends with: the diagnosis' headline, the
// number of webhook failures and the bundle's path, in lang.
func DoneLine(res *analysis.Result, lang, path string) string {
	l, err := NewLocalizer(lang)
	if err != nil {
		l, _ = NewLocalizer("en")
	}
	return l.F("diagnosis.done", "headline", l.Headline(res.Diagnosis), "count", res.Diagnosis.Total, "path", path)
}
