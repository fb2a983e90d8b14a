package bundle

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicWritesWholeFileOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "index.csv")
	if err := os.WriteFile(final, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var p Partials
	if err := p.WriteFile(final, []byte("rank,account_sid\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(final)
	if err != nil || string(got) != "rank,account_sid\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	if st, _ := os.Stat(final); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("mode %v: readable by others", st.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "b.zip")
	if err := os.WriteFile(final, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	var p *Partials // nil: untracked
	_, err := p.WriteAtomic(final, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want the writer's", err)
	}
	if got, _ := os.ReadFile(final); string(got) != "old" {
		t.Errorf("final holds %q after a failed write", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
