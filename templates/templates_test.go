package templates_test

import (
	"strings"
	"testing"
	"text/template"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// sameInEveryLanguage are the entries that are names, not sentences.
var sameInEveryLanguage = map[string]bool{"col.sid": true, "handler.messaging_service": true}

func TestCatalogs_SameKeysAndValidTemplates(t *testing.T) {
	en, err := templates.Catalog("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range templates.Languages {
		c, err := templates.Catalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for k := range en {
			if _, ok := c[k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for k, v := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q, which en lacks", lang, k)
			}
			if _, err := template.New(k).Funcs(stats.Funcs(lang)).Parse(v); err != nil {
				t.Errorf("%s %q: %v", lang, k, err)
			}
			if lang == "ja" && v == en[k] && !sameInEveryLanguage[k] && strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") && len(v) > 12 {
				t.Errorf("ja %q is the English text: %q", k, v)
			}
		}
	}
	if _, err := templates.Catalog("fr"); err == nil {
		t.Error("an unknown language gave a catalog")
	}
}
