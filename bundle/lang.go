package bundle

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// Localizer renders the generated sentences of the bundle in one language
// from the catalogs in templates/. Data (SIDs, URLs, figures) is passed in
// as it is; only the words around it change.
type Localizer struct {
	lang   string
	msgs   map[string]string
	parsed map[string]*template.Template
}

// NewLocalizer loads the catalog of lang ("en" or "ja").
func NewLocalizer(lang string) (*Localizer, error) {
	if lang == "" {
		lang = "en"
	}
	m, err := templates.Catalog(lang)
	if err != nil {
		return nil, err
	}
	return &Localizer{lang: lang, msgs: m, parsed: map[string]*template.Template{}}, nil
}

// Lang is the localizer's language.
func (l *Localizer) Lang() string { return l.lang }

// Has reports whether the catalog has a sentence for key.
func (l *Localizer) Has(key string) bool { _, ok := l.msgs[key]; return ok }

// render fills the sentence of key with figs; ok is false when the key is
// missing or a figure it needs is not given.
func (l *Localizer) render(key string, figs map[string]any) (string, bool) {
	t, ok := l.parsed[key]
	if !ok {
		src, found := l.msgs[key]
		if !found {
			return "", false
		}
		var err error
		t, err = template.New(key).Option("missingkey=error").Parse(src)
		if err != nil {
			return "", false
		}
		l.parsed[key] = t
	}
	var b bytes.Buffer
	if figs == nil {
		figs = map[string]any{}
	}
	if err := t.Execute(&b, figs); err != nil {
		return "", false
	}
	return b.String(), true
}

// T returns the sentence of key filled with figs, or the key itself when
// the catalog lacks it (a test checks that none is lacking).
func (l *Localizer) T(key string, figs map[string]any) string {
	if s, ok := l.render(key, figs); ok {
		return s
	}
	return key
}

// S is T without figures.
func (l *Localizer) S(key string) string { return l.T(key, nil) }

// F is T with figures given as name, value pairs.
func (l *Localizer) F(key string, kv ...any) string {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return l.T(key, m)
}

// Finding returns a finding's sentence in the localizer's language: the
// catalog's "finding.<ID>" filled with the finding's figures when both
// exist, the statistics catalog for stats.* and trend.* findings, and the
// analyzer's own sentence otherwise.
func (l *Localizer) Finding(f Finding) string {
	if strings.HasPrefix(f.ID, "collector.") && f.Figures != nil {
		// The failure's phrase comes from the catalog too.
		figs := make(map[string]any, len(f.Figures)+1)
		for k, v := range f.Figures {
			figs[k] = v
		}
		figs["failure"] = l.FailureText(FailureFromFigures(f.Figures))
		f.Figures = figs
	}
	if f.Figures != nil {
		if s, ok := l.render("finding."+f.ID, f.Figures); ok {
			return s
		}
		if strings.HasPrefix(f.ID, "stats.") || strings.HasPrefix(f.ID, "trend.") {
			if s, err := stats.Sentence(f.ID, l.lang, f.Figures); err == nil {
				return s
			}
		}
	}
	if s, ok := l.render("finding."+f.ID, nil); ok && l.lang != "en" {
		return s + " (" + f.Verdict + ")"
	}
	return f.Verdict
}

// Headline is the verdict sentence: what, at which step.
func (l *Localizer) Headline(iso Isolation) string {
	figs := map[string]any{"step": iso.Step}
	if iso.Kind == VerdictInsufficient {
		figs["add"] = l.missingList(iso.Missing)
	}
	if iso.Kind == VerdictConflict {
		var sides []string
		seen := map[string]bool{}
		for _, r := range append(append([]Reason{}, iso.Basis...), iso.Conflicts...) {
			if r.Kind != VerdictTwilioSide && !seen[r.Kind] {
				seen[r.Kind] = true
				sides = append(sides, l.S("kind."+r.Kind))
			}
		}
		figs["sides"] = strings.Join(sides, l.S("list.or"))
	}
	return l.T("verdict."+iso.Kind, figs)
}

// Confidence is the confidence in words.
func (l *Localizer) Confidence(c string) string { return l.S("confidence." + c) }

// Reason is one line of evidence.
func (l *Localizer) Reason(r Reason) string {
	if r.FindingID != "" {
		return l.Finding(Finding{ID: r.FindingID, Verdict: r.Text})
	}
	if s, ok := l.render(r.Key, r.Figures); ok {
		return s
	}
	return r.Text
}

// Missing says how to add one missing kind of evidence.
func (l *Localizer) Missing(m string) string { return l.S("missing." + m) }

func (l *Localizer) missingList(ms []string) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = l.S("missing_short." + m)
	}
	return strings.Join(parts, l.S("list.and"))
}
