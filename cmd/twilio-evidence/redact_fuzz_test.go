package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// FuzzRedactZip reads arbitrary bytes as a bundle to redact again: a usage
// error or staged entries, never a panic, and no staged entry holds the
// secret.
func FuzzRedactZip(f *testing.F) {
	const secret = "fuzzSECRETtoken0123456789abcdef"
	for _, folder := range []string{"", "twilio-evidence_AC1_x/"} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, body := range map[string]string{"manifest.json": `{"files":[]}`, "logs/a.log": "token=" + secret, "redactions.json": `{"rules":[]}`, "../evil": "x"} {
			w, _ := zw.Create(folder + name)
			w.Write([]byte(body))
		}
		zw.Close()
		f.Add(b.Bytes())
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := bundlezip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		r, err := redact.New(redact.Options{Secrets: []string{secret}})
		if err != nil {
			t.Fatal(err)
		}
		stage, err := collect.NewStage()
		if err != nil {
			t.Fatal(err)
		}
		defer stage.Remove()
		stage.Filter = func(name string, w io.Writer) io.WriteCloser { return r.Writer(name, w) }
		if _, err := redactZip(zr, "in.zip", stage, r, redactCmdOptions{}); err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		for _, name := range stage.Files() {
			got, _ := os.ReadFile(filepath.Join(stage.Dir, filepath.FromSlash(name)))
			if bytes.Contains(got, []byte(secret)) {
				t.Errorf("staged %s holds the secret", name)
			}
		}
	})
}
