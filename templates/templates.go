// Package templates holds the texts twilio-evidence writes — the bundle's
// README, the ticket text, the flow description — as text/template files
// embedded in the binary.
package templates

import (
	"embed"
	"fmt"
	"io"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

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
