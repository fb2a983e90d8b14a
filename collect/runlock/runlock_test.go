//go:build unix

package runlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
