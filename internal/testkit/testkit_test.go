package testkit_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

func TestCommand_RunsOnceBuiltAndRemoves(t *testing.T) {
	c := &testkit.Command{Package: "./testdata/exits"}
	r := c.Run(t, testkit.Run{Env: testkit.BaseEnv(t, t.TempDir())}, "out", "err", "3")
	if r.Code != 3 || r.Stdout != "out" || r.Stderr != "err" {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 3, out, err", r.Code, r.Stdout, r.Stderr)
	}
	path := c.Path(t)
	if again := c.Run(t, testkit.Run{Umask: "077"}, "", "", "0"); again.Code != 0 || c.Path(t) != path {
		t.Errorf("second run: exit %d, path %s (first %s)", again.Code, c.Path(t), path)
	}
	c.Remove()
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("the built command's folder is still there: %v", err)
	}
}

func TestReadZipBytes_NamesInTheBundle(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"twilio-evidence_AC1_x/manifest.json", "twilio-evidence_AC1_x/logs/a.log"} {
		w, _ := zw.Create(name)
		w.Write([]byte(name))
	}
	zw.Close()
	files := testkit.ReadZipBytes(t, "twilio-evidence_AC1_x.zip", b.Bytes())
	if len(files) != 2 || string(files["logs/a.log"]) != "twilio-evidence_AC1_x/logs/a.log" {
		t.Errorf("files = %q", files)
	}
}

func TestPDFText_ReadsWhatWasWritten(t *testing.T) {
	d, err := pdfdoc.New(pdfdoc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Paragraph("Seven webhook failures")
	var b bytes.Buffer
	if err := d.Render(&b); err != nil {
		t.Fatal(err)
	}
	if text := testkit.PDFText(t, b.Bytes(), "-layout"); !strings.Contains(text, "Seven webhook failures") {
		t.Errorf("text %q", text)
	}
	if png := testkit.PDFPage1(t, b.Bytes(), 20); !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("page 1 is not a PNG: % x", png[:8])
	}
}
