//go:build unix

package runlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAcquire_SecondHolderIsRefusedWithTheOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l, stale, err := Acquire(path)
	if err != nil || stale != nil {
		t.Fatalf("first acquire: %v, stale %v", err, stale)
	}
	_, _, err = Acquire(path)
	if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second acquire: %v, want ErrHeld naming our pid", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("lock file still there after release: %v", err)
	}
	l2, stale, err := Acquire(path)
	if err != nil || stale != nil {
		t.Fatalf("acquire after release: %v, stale %v", err, stale)
	}
	l2.Release()
}

func TestAcquire_TakesOverTheLockOfADeadProcess(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no 'true' command:", err)
	}
	dead := cmd.Process.Pid
	if Alive(dead) {
		t.Skipf("pid %d was reused already", dead)
	}
	path := filepath.Join(t.TempDir(), "lock")
	os.WriteFile(path, Owner{PID: dead, Host: "h", Started: time.Now()}.encode(), 0o644)
	l, stale, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if stale == nil || stale.PID != dead {
		t.Fatalf("stale = %v, want pid %d", stale, dead)
	}
	b, _ := os.ReadFile(path)
	if o, _ := parseOwner(b); o.PID != os.Getpid() {
		t.Fatalf("lock names pid %d, want ours", o.PID)
	}
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("our own process is not alive")
	}
	if Alive(0) || Alive(-1) {
		t.Error("pid 0 or -1 counted as alive")
	}
}

// acquireWithin runs Acquire, failing the test rather than hanging when
// it blocks (a FIFO opened for writing would wait for a reader forever).
func acquireWithin(t *testing.T, path string) (*Lock, *Owner, error) {
	t.Helper()
	type result struct {
		l     *Lock
		stale *Owner
		err   error
	}
	done := make(chan result, 1)
	go func() {
		l, stale, err := Acquire(path)
		done <- result{l, stale, err}
	}()
	select {
	case r := <-done:
		return r.l, r.stale, r.err
	case <-time.After(time.Minute):
		t.Fatalf("Acquire(%s) blocked", path)
		return nil, nil, nil
	}
}

func TestAcquire_RefusesASymlinkAndLeavesItsTargetAlone(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious.txt")
	const content = "the user's own file\n"
	if err := os.WriteFile(target, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{"to a file": target, "dangling": filepath.Join(dir, "nothing-here")} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lock")
			if err := os.Symlink(dest, path); err != nil {
				t.Fatal(err)
			}
			_, _, err := acquireWithin(t, path)
			if !errors.Is(err, ErrNotALock) || !strings.Contains(err.Error(), "symbolic link") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Acquire = %v, want one line refusing the symbolic link", err)
			}
		})
	}
	if b, _ := os.ReadFile(target); string(b) != content {
		t.Errorf("the link's target was changed: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nothing-here")); !os.IsNotExist(err) {
		t.Errorf("a file was created through the dangling link: %v", err)
	}
}

func TestAcquire_RefusesAFIFOWithoutBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	_, _, err := acquireWithin(t, path)
	if !errors.Is(err, ErrNotALock) || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("Acquire = %v, want the FIFO refused", err)
	}
}

func TestAcquire_RefusesAHardLinkAndADirectory(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("keep me\n"), 0o600)
	linked := filepath.Join(dir, "lock")
	if err := os.Link(other, linked); err != nil {
		t.Skip("no hard links:", err)
	}
	if _, _, err := acquireWithin(t, linked); !errors.Is(err, ErrNotALock) || !strings.Contains(err.Error(), "hard links") {
		t.Errorf("hard link: %v, want refused", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep me\n" {
		t.Errorf("the linked file was changed: %q", b)
	}
	sub := filepath.Join(dir, "lockdir")
	os.Mkdir(sub, 0o700)
	if _, _, err := acquireWithin(t, sub); !errors.Is(err, ErrNotALock) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v, want refused", err)
	}
}

func TestAcquire_CreatesThePrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l, _, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("lock file mode %v, want no access for group and others", st.Mode().Perm())
	}
}

// TestAcquire_ReportsAFailedWriteOfTheOwner runs Acquire in a child process
// whose file size limit lets the owner's line not be written.
func TestAcquire_ReportsAFailedWriteOfTheOwner(t *testing.T) {
	if path := os.Getenv("RUNLOCK_TEST_FSIZE_CHILD"); path != "" {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 4, Max: 4}); err != nil {
			os.Stdout.WriteString("setrlimit: " + err.Error())
			os.Exit(3)
		}
		_, _, err := Acquire(path)
		if err == nil {
			os.Stdout.WriteString("acquired")
			os.Exit(0)
		}
		os.Stdout.WriteString(err.Error())
		os.Exit(1)
	}
	path := filepath.Join(t.TempDir(), "lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcquire_ReportsAFailedWriteOfTheOwner$")
	cmd.Env = append(os.Environ(), "RUNLOCK_TEST_FSIZE_CHILD="+path)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Skipf("cannot limit the file size: %s", out)
	}
	if err == nil || !strings.Contains(string(out), "write lock") {
		t.Fatalf("with the owner's line unwritable: %v, %q; want the write error reported", err, out)
	}
}
