package analysis

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// Text renders catalog sentences (templates/catalog.<lang>.json) of one
// language. The analysis uses it for the English sentences of findings.json;
// the writers' Localizer builds on it for every language. Every sentence is
// parsed when the Text is made, so a Text never changes and may be shared.
type Text struct {
	lang   string
	msgs   map[string]string
	parsed map[string]*template.Template
}

// NewText loads the catalog of lang ("en" or "ja"; "" is English).
func NewText(lang string) (*Text, error) {
	if lang == "" {
		lang = "en"
	}
	m, err := templates.Catalog(lang)
	if err != nil {
		return nil, err
	}
	t := &Text{lang: lang, msgs: m, parsed: make(map[string]*template.Template, len(m))}
	funcs := stats.Funcs(lang)
	for key, src := range m {
		// A sentence that does not parse renders as missing (T gives its
		// key); a test checks that every sentence parses.
		if tp, err := template.New(key).Option("missingkey=error").Funcs(funcs).Parse(src); err == nil {
			t.parsed[key] = tp
		}
	}
	return t, nil
}

// Lang is the catalog's language.
func (t *Text) Lang() string { return t.lang }

// Has reports whether the catalog has a sentence for key.
func (t *Text) Has(key string) bool { _, ok := t.msgs[key]; return ok }

// Render fills the sentence of key with figs; ok is false when the key is
// missing or a figure it needs is not given.
func (t *Text) Render(key string, figs map[string]any) (string, bool) {
	tp, ok := t.parsed[key]
	if !ok {
		return "", false
	}
	var b bytes.Buffer
	if figs == nil {
		figs = map[string]any{}
	}
	if err := tp.Execute(&b, figs); err != nil {
		return "", false
	}
	return b.String(), true
}

// T returns the sentence of key filled with figs, or the key itself when
// the catalog lacks it (a test checks that none is lacking).
func (t *Text) T(key string, figs map[string]any) string {
	if s, ok := t.Render(key, figs); ok {
		return s
	}
	return key
}

// S is T without figures.
func (t *Text) S(key string) string { return t.T(key, nil) }

// F is T with figures given as name, value pairs.
func (t *Text) F(key string, kv ...any) string {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return t.T(key, m)
}

// Problem is the sentence that names p's cause, where it is and the
// figure that proves it; for an undecided or conflicting outcome it names
// the two causes and the evidence that decides between them.
func (t *Text) Problem(p Problem) string {
	return t.T(p.Cause.HeadlineKey(), t.problemFigures(p))
}

// problemFigures are p's figures with the names of the causes it is
// between and the evidence that decides, in t's language.
func (t *Text) problemFigures(p Problem) map[string]any {
	figs := make(map[string]any, len(p.Figures)+8)
	for k, v := range p.Figures {
		figs[k] = v
	}
	figs["a"], figs["b"], figs["decider"] = "", "", ""
	if len(p.Between) > 0 {
		figs["a"] = t.S(p.Between[0].NameKey())
	}
	if len(p.Between) > 1 {
		figs["b"] = t.S(p.Between[1].NameKey())
	}
	if p.Decider != "" {
		figs["decider"] = t.T(p.Decider.EvidenceKey(), figs)
	} else if p.Cause == CauseUndecided {
		figs["decider"] = t.S("missing." + MissingAlerts)
	}
	figs["explained"], figs["total"], figs["step"] = p.Explained, p.Total, p.Step
	if _, ok := figs["since"]; !ok {
		figs["since"] = ""
	}
	if _, ok := figs["where"]; !ok {
		figs["where"] = p.Where
	}
	return figs
}

// Scope says how many failures the problem explains and since when:
// "12 of 14 failures since 2026-11-20 08:00 JST (step 2)".
func (t *Text) Scope(p Problem) string {
	figs := t.problemFigures(p)
	switch {
	case p.Cause == CauseNoFailures:
		return ""
	case p.Total == 0 || p.Explained == 0 && kindOf(p.Cause) != kindConfig:
		return t.T("diagnosis.scope_probe", figs)
	}
	return t.T("diagnosis.scope", figs)
}

// Remaining says what remains of a headline that is not itself the
// failures' cause: the two causes left, or the weak one, and what decides.
func (t *Text) Remaining(p Problem) string {
	if p.Cause == CauseUndecided || p.Cause == CauseConflict || len(p.Between) == 0 {
		return ""
	}
	if len(p.Between) == 1 {
		return t.T("diagnosis.likely", t.problemFigures(p))
	}
	return t.T("diagnosis.remaining", t.problemFigures(p))
}

// Fix is what fixes p's cause.
func (t *Text) Fix(p Problem) string {
	if p.Cause == CauseUndecided || p.Cause == CauseConflict {
		return t.T("diagnosis.decide", t.problemFigures(p))
	}
	return t.T(p.Cause.FixKey(), t.problemFigures(p))
}

// Headline is the diagnosis in one line: the cause, where, the figure, and
// how many failures it explains since when.
func (t *Text) Headline(d Diagnosis) string {
	return t.Join(t.Problem(d.Problem), t.Scope(d.Problem))
}

// Join puts sentences one after the other: with a space in English, none
// in Japanese.
func (t *Text) Join(sentences ...string) string {
	sep := " "
	if t.lang == "ja" {
		sep = ""
	}
	var out []string
	for _, s := range sentences {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// Proof is one line of proof, with the file that holds it.
func (t *Text) Proof(p Proof) string {
	s := t.T(p.Key, p.Figures)
	if p.File != "" {
		s += " [" + p.File + "]"
	}
	return s
}
