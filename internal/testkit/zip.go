package testkit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
)

// ReadZip returns every file of the bundle zip at path by its name in the
// bundle, and fails the test unless they lie under the folder named like
// the zip.
func ReadZip(t testing.TB, path string) map[string][]byte {
	t.Helper()
	files, err := bundlezip.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// ReadZipBytes is ReadZip of a bundle zip held in memory, named name.
func ReadZipBytes(t testing.TB, name string, b []byte) map[string][]byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return ReadZip(t, p)
}
