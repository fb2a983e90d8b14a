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

// namesNotSentences are the Japanese entries that are names, symbols or
// data passed through, with no Japanese word to say.
var namesNotSentences = map[string]bool{
	"col.sid": true, "col.status": true, "col.url": true, "handler.function": true, "handler.messaging_service": true,
	"handler.twiml_bin": true, "readme.underline": true, "readme.underline_short": true, "finding.twilio.status_incident": true,
	"probe.col.dns": true, "probe.col.tls": true,
}

// TestCatalogs_EveryJapaneseEntryIsJapanese fails on any Japanese entry
// whose words, outside its {{…}} actions, have no Japanese character: an
// English sentence copied over, or one left to translate.
func TestCatalogs_EveryJapaneseEntryIsJapanese(t *testing.T) {
	ja, err := templates.Catalog("ja")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ja {
		words := v
		for {
			i := strings.Index(words, "{{")
			j := strings.Index(words, "}}")
			if i < 0 || j < i {
				break
			}
			words = words[:i] + " " + words[j+2:]
		}
		japanese := strings.IndexFunc(words, func(r rune) bool {
			return r >= 0x3040 && r <= 0x30ff || r >= 0x4e00 && r <= 0x9fff || r >= 0xff00 && r <= 0xffef
		}) >= 0
		if !japanese && !namesNotSentences[k] && strings.TrimSpace(words) != "" {
			t.Errorf("ja %q has no Japanese text: %q", k, v)
		}
	}
}

func TestHelpTextsAreEmbedded(t *testing.T) {
	for _, name := range []string{"main", "exit-codes", "bundle", "doctor", "report", "probe", "trace", "flow", "redact", "version",
		"bundle.exit", "doctor.exit", "report.exit", "probe.exit", "trace.exit", "flow.exit", "redact.exit", "version.exit"} {
		h := templates.Help(name)
		if h == "" || !strings.HasSuffix(h, "\n") {
			t.Errorf("help %q is missing or does not end its last line", name)
		}
		if strings.HasSuffix(name, ".exit") && !strings.HasPrefix(h, "\nExit codes:\n") {
			t.Errorf("help %q does not list exit codes: %q", name, h)
		}
	}
	if h := templates.Help("no-such-command"); h != "" {
		t.Errorf("Help of an unknown name = %q, want empty", h)
	}
}
