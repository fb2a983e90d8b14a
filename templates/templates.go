// Package templates holds the texts twilio-evidence writes — the bundle's
// README, the ticket text, the flow description and the sentence catalogs
// of every generated sentence, in English and Japanese, and the command
// line's help texts — embedded in the binary.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/template"
)

//go:embed *.tmpl *.json help/*.txt
var files embed.FS

// Help returns a help text of the command line, in English: "main" (the
// top-level help), "exit-codes", a command's name (its usage and examples)
// or NAME.exit (the exit codes it lists). It is "" for a name with no text.
func Help(name string) string {
	b, err := files.ReadFile("help/" + name + ".txt")
	if err != nil {
		return ""
	}
	return string(b)
}

// Execute renders the named template (e.g. "ticket.txt.tmpl") with data.
func Execute(w io.Writer, name string, funcs template.FuncMap, data any) error {
	t, err := template.New(name).Funcs(funcs).ParseFS(files, name)
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	if err := t.Execute(w, data); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	return nil
}

// Languages are the languages of the catalogs and the flow template.
var Languages = []string{"en", "ja"}

// Catalog returns the sentence catalog of lang: message key → text/template
// text over the message's figures. It is read from catalog.<lang>.json.
func Catalog(lang string) (map[string]string, error) {
	b, err := files.ReadFile("catalog." + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("language %q: want one of %v", lang, Languages)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", lang, err)
	}
	return m, nil
}

// FlowTemplate is the name of the flow description template of lang.
func FlowTemplate(lang string) string { return "flow." + lang + ".md.tmpl" }

var (
	sentencesMu sync.Mutex
	sentences   = map[string]*template.Template{} // lang + "\x00" + key → parsed
)

// Sentence renders the catalog entry key of lang with figs. A missing key,
// language or figure is an error, so that a caller can tell a sentence
// from a gap.
func Sentence(lang, key string, figs map[string]any) (string, error) {
	sentencesMu.Lock()
	t, ok := sentences[lang+"\x00"+key]
	sentencesMu.Unlock()
	if !ok {
		c, err := Catalog(lang)
		if err != nil {
			return "", err
		}
		src, found := c[key]
		if !found {
			return "", fmt.Errorf("catalog %s has no %q", lang, key)
		}
		if t, err = template.New(key).Option("missingkey=error").Parse(src); err != nil {
			return "", fmt.Errorf("catalog %s %q: %w", lang, key, err)
		}
		sentencesMu.Lock()
		sentences[lang+"\x00"+key] = t
		sentencesMu.Unlock()
	}
	var b strings.Builder
	if err := t.Execute(&b, figs); err != nil {
		return "", fmt.Errorf("catalog %s %q: %w", lang, key, err)
	}
	return b.String(), nil
}
