package bundlezip

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeZip writes the entries (name, content) in order into a zip at path.
func writeZip(t *testing.T, path string, entries ...string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(entries[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFolder(t *testing.T) {
	if got := Folder("/out/twilio-evidence_AC1_2026-11-18T0000Z_2026-11-25T0000Z.zip"); got != "twilio-evidence_AC1_2026-11-18T0000Z_2026-11-25T0000Z" {
		t.Errorf("Folder = %q", got)
	}
}

func TestOpen_HidesTheFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.zip")
	writeZip(t, path, "b/", "", "b/manifest.json", "{}", "b/logs/app.log", "line\n")
	files, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || string(files["manifest.json"]) != "{}" || string(files["logs/app.log"]) != "line\n" {
		t.Errorf("files = %q", files)
	}
}

func TestOpen_ReadsBundlesWithoutFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.zip")
	writeZip(t, path, "manifest.json", "{}", "logs/app.log", "line\n")
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Folder != "" {
		t.Errorf("Folder = %q, want none", r.Folder)
	}
	if b, err := r.ReadFile("logs/app.log", 100); err != nil || string(b) != "line\n" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	// ReadAll is for bundles written with their folder.
	if _, err := ReadAll(path); err == nil {
		t.Error("ReadAll took a zip without its folder")
	}
}

func TestFile_RefusesAZipBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.zip")
	writeZip(t, path, "b/manifest.json", "{}", "b/alerts.ndjson", strings.Repeat(" ", 64<<20))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.File("alerts.ndjson").Open()
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("Open = %v, want a zip bomb refused", err)
	}
	if _, err := r.ReadFile("manifest.json", 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile past its bound = %v", err)
	}
}

func TestNewReader_RefusesTooManyEntries(t *testing.T) {
	// 70,000 entries make a ZIP64 directory; its count is then raised
	// beyond MaxEntries, which must be refused before the directory is read.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range 70_000 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("b/%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	data := b.Bytes()
	r, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(r.Files) != 70_000 {
		t.Fatalf("a ZIP64 zip of 70,000 entries: %v", err)
	}
	at := bytes.LastIndex(data, []byte{0x50, 0x4b, 0x06, 0x06})
	if at < 0 {
		t.Fatal("no ZIP64 end record")
	}
	binary.LittleEndian.PutUint64(data[at+24:], MaxEntries+1)
	binary.LittleEndian.PutUint64(data[at+32:], MaxEntries+1)
	if _, err := NewReader(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("NewReader = %v, want too many entries refused", err)
	}
}

func TestNewReader_NotAZip(t *testing.T) {
	for _, data := range []string{"", "PK", strings.Repeat("not a zip ", 10)} {
		if _, err := NewReader(strings.NewReader(data), int64(len(data))); !errors.Is(err, zip.ErrFormat) {
			t.Errorf("%q: %v, want zip.ErrFormat", data, err)
		}
	}
}
