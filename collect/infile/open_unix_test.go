//go:build unix

package infile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe in a temporary directory.
func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// withDeadline fails the test when f does not return within d: a read that
// blocks shows as a failure, not as a hung test.
func withDeadline(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
	}
}

func TestOpen_RefusesWhatIsNotARegularFile(t *testing.T) {
	fifo := mkfifo(t)
	for _, tc := range []struct{ path, kind string }{
		{fifo, "a named pipe"},
		{"/dev/zero", "a character device"},
		{t.TempDir(), "a directory"},
	} {
		withDeadline(t, 5*time.Second, func() {
			_, err := ReadFile(tc.path, Limits{MaxBytes: 1 << 20, Gunzip: true, Text: true})
			var pe *os.PathError
			if !errors.Is(err, ErrNotRegular) || !errors.As(err, &pe) || pe.Path != tc.path {
				t.Fatalf("ReadFile(%s) = %v, want a path error, not a regular file", tc.path, err)
			}
			if want := "not a regular file (" + tc.kind + ")"; pe.Err.Error() != want {
				t.Errorf("ReadFile(%s): %q, want %q", tc.path, pe.Err, want)
			}
			if f, err := OpenRegular(tc.path); !errors.Is(err, ErrNotRegular) {
				f.Close()
				t.Errorf("OpenRegular(%s) = %v, want not a regular file", tc.path, err)
			}
		})
	}
}

func TestOpen_PipeWithoutWriterReadsEmpty(t *testing.T) {
	fifo := mkfifo(t)
	withDeadline(t, 5*time.Second, func() {
		b, err := ReadFile(fifo, Limits{MaxBytes: 1 << 10, Text: true, Pipe: true})
		if err != nil || len(b) != 0 {
			t.Errorf("ReadFile of a pipe no one writes = %q, %v; want empty", b, err)
		}
	})
	if _, err := ReadFile("/dev/zero", Limits{MaxBytes: 1 << 10, Pipe: true}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("/dev/zero with Pipe: %v, want not a regular file", err)
	}
}

func TestOpen_PipeIsReadWithinItsBound(t *testing.T) {
	// An anonymous pipe, as a shell's <(…) gives it.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(r.Fd()))
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	go func() { w.Write([]byte("\xEF\xBB\xBFsecret-token\n")); w.Close() }()
	b, err := ReadFile(path, Limits{MaxBytes: 1 << 10, Text: true, Pipe: true})
	if err != nil || string(b) != "secret-token\n" {
		t.Errorf("ReadFile of a pipe = %q, %v", b, err)
	}

	r2, w2, _ := os.Pipe()
	defer r2.Close()
	defer w2.Close()
	go w2.Write([]byte(strings.Repeat("x", 2<<10)))
	if _, err := ReadFile("/proc/self/fd/"+strconv.Itoa(int(r2.Fd())), Limits{MaxBytes: 1 << 10, Pipe: true}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a pipe past MaxBytes: %v, want too large", err)
	}
}

func TestOpen_PipeThatDoesNotEndFailsAtTheDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits PipeDeadline")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close() // open and silent until the test ends
	withDeadline(t, PipeDeadline+5*time.Second, func() {
		_, err := ReadFile("/proc/self/fd/"+strconv.Itoa(int(r.Fd())), Limits{MaxBytes: 1 << 10, Pipe: true})
		if err == nil || !strings.Contains(err.Error(), "did not end within 5s") {
			t.Errorf("a silent pipe: %v, want the deadline", err)
		}
	})
}
