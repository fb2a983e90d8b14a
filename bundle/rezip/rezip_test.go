package rezip

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

const (
	secret = "rezipSECRETvalue0123456789abcdef"
	folder = "twilio-evidence_AC00000000000000000000000000000001_2026-11-18T0000Z_2026-11-25T0000Z"
)

// writeZip writes a zip of the given entries (names as they are) into dir.
func writeZip(t *testing.T, dir, name string, entries map[string]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for n, body := range entries {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bundleEntries is a small bundle under its folder: raw files holding the
// secret and a secret-named value, the tool's own statistics keyed "key",
// and an old redaction report naming a file after the secret.
func bundleEntries() map[string]string {
	return map[string]string{
		folder + "/manifest.json":      `{"tool": {"name": "twilio-evidence"}, "files": []}`,
		folder + "/alerts.ndjson":      `{"sid": "NO1", "request_headers": "Cookie=sid%3Dabc&X=1", "response_body": "token ` + secret + `"}` + "\n",
		folder + "/logs/app.log":       "2026-11-18 ERROR call failed password=hunter2 for " + secret + "\n",
		folder + "/stats/summary.json": `{"by_code": [{"key": "11200", "incidents": 3}]}` + "\n",
		folder + "/summary.pdf":        "%PDF-1.4 " + secret,
		folder + "/redactions.json":    `{"rules": [{"name": "secret"}], "files": {"logs/web` + secret + `.log": {"secret": 2}}, "totals": {"secret": 2}}`,
	}
}

func TestRun_RedactsEveryFileByItsKindAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	in := writeZip(t, dir, "in.zip", bundleEntries())
	out := filepath.Join(dir, "out.zip")
	res, err := Run(context.Background(), Options{In: in, Out: out, Redact: redact.Options{Secrets: []string{secret}}, CommandLine: []string{"twilio-evidence", "redact"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != out || len(res.Dropped) != 1 || res.Dropped[0] != bundle.SummaryFile {
		t.Errorf("result = %+v, want %s written and the PDF dropped", res, out)
	}
	files := testkit.ReadZip(t, out)
	for name, b := range files {
		if bytes.Contains(b, []byte(secret)) || strings.Contains(name, secret) {
			t.Errorf("%s holds the secret:\n%s", name, b)
		}
	}
	if got := string(files["alerts.ndjson"]); !strings.Contains(got, "Cookie=[REDACTED:cookie-header]") {
		t.Errorf("alerts.ndjson was not read as outside JSON: %s", got)
	}
	if got := string(files["logs/app.log"]); !strings.Contains(got, "password=[REDACTED:secret-param] for [REDACTED:secret]") {
		t.Errorf("logs/app.log: %s", got)
	}
	if got := string(files["stats/summary.json"]); !strings.Contains(got, `"key": "11200"`) {
		t.Errorf("the statistics lost their key: %s", got)
	}
	var m struct {
		Runs []Pass `json:"redacted_again"`
	}
	if err := json.Unmarshal(files[bundle.ManifestFile], &m); err != nil || len(m.Runs) != 1 || m.Runs[0].CommandLine[1] != "redact" {
		t.Errorf("manifest's redacted_again = %+v (%v)", m.Runs, err)
	}
	if !strings.Contains(string(files[bundle.RedactionsFile]), "logs/web[REDACTED:secret].log") {
		t.Errorf("redactions.json lost the old counts: %s", files[bundle.RedactionsFile])
	}
}

func TestRun_RefusesUnsafeEntryNamesBeforeWritingAnything(t *testing.T) {
	for _, name := range []string{
		`..\..\x`, `C:\Windows\x`, `C:x`, "logs/a\nb.log", "logs/a\rb", "logs/\x1b[31mred", "a/../../x", "../x", "/etc/x",
		"logs//x", "./x", "logs/./x", "logs/x\x7f", "logs/\xff",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			entries := bundleEntries()
			entries[folder+"/"+name] = "x"
			in := writeZip(t, dir, "in.zip", entries)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, err := Run(context.Background(), Options{In: in, Out: filepath.Join(dir, "out.zip")})
			var ie *InputError
			if !errors.As(err, &ie) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line of an InputError", err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 1 {
				t.Errorf("the output directory holds %d files, want the input only", len(left))
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("a staging directory was left: %v", left)
			}
		})
	}
}

func TestRun_NeverWritesOverItsInput(t *testing.T) {
	dir := t.TempDir()
	in := writeZip(t, dir, "A.zip", bundleEntries())
	before, _ := os.ReadFile(in)
	link := filepath.Join(dir, "link.zip")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.zip")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{in, filepath.Join(dir, ".", "A.zip"), link, hard} {
		for _, force := range []bool{false, true} {
			_, err := Run(context.Background(), Options{In: in, Out: out, Force: force})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "never writes over its input") {
				t.Errorf("-o %s (force %v): error %v, want a refusal", out, force, err)
			}
		}
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
		t.Error("the input changed")
	}
}

func TestRun_InterruptedLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	in := writeZip(t, dir, "in.zip", bundleEntries())
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Options{In: in, Out: filepath.Join(dir, "out.zip")})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error %v, want ErrInterrupted", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("the output directory holds %d files", len(left))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("a staging directory was left: %v", left)
	}
}

// FuzzRun reads arbitrary bytes as a bundle to redact again: an error of one
// line or a bundle, never a panic, and nothing written holds the secret.
func FuzzRun(f *testing.F) {
	for _, prefix := range []string{"", "twilio-evidence_AC1_x/"} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, body := range map[string]string{"manifest.json": `{"files":[]}`, "logs/a.log": "token=" + secret, "redactions.json": `{"rules":[]}`, "../evil": "x"} {
			w, _ := zw.Create(prefix + name)
			w.Write([]byte(body))
		}
		zw.Close()
		f.Add(b.Bytes())
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.zip")
		os.WriteFile(in, data, 0o600)
		out := filepath.Join(dir, "out.zip")
		_, err := Run(context.Background(), Options{In: in, Out: out, Redact: redact.Options{Secrets: []string{secret}}})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		zr, err := bundlezip.Open(out)
		if err != nil {
			t.Fatalf("the written zip does not open: %v", err)
		}
		defer zr.Close()
		for _, f := range zr.Files {
			b, err := f.ReadAll(bundlezip.MaxEntrySize)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the secret", f.Name)
			}
		}
	})
}
