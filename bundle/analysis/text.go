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
// the writers' Localizer builds on it for every language.
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
	return &Text{lang: lang, msgs: m, parsed: map[string]*template.Template{}}, nil
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
		src, found := t.msgs[key]
		if !found {
			return "", false
		}
		var err error
		tp, err = template.New(key).Option("missingkey=error").Funcs(stats.Funcs(t.lang)).Parse(src)
		if err != nil {
			return "", false
		}
		t.parsed[key] = tp
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

// Headline is the verdict sentence of iso in t's language: what, at which
// step.
func (t *Text) Headline(iso Isolation) string {
	figs := map[string]any{"step": iso.Step}
	if iso.Kind == VerdictInsufficient {
		parts := make([]string, len(iso.Missing))
		for i, m := range iso.Missing {
			parts[i] = t.S("missing_short." + m)
		}
		figs["add"] = strings.Join(parts, t.S("list.and"))
	}
	if iso.Kind == VerdictConflict {
		var sides []string
		seen := map[string]bool{}
		for _, r := range append(append([]Reason{}, iso.Basis...), iso.Conflicts...) {
			if r.Kind != VerdictTwilioSide && !seen[r.Kind] {
				seen[r.Kind] = true
				sides = append(sides, t.S("kind."+r.Kind))
			}
		}
		figs["sides"] = strings.Join(sides, t.S("list.or"))
	}
	return t.T("verdict."+iso.Kind, figs)
}
