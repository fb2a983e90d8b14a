// Package runlock keeps two runs of twilio-evidence from writing into the
// same directory at once (a weekly report that overruns into the next, a
// timer and a hand-started run). The lock is a file holding the owner's
// process ID, host and start time, held with an advisory lock where the
// system has one: a lock left behind by a process that died is noticed
// and taken over.
package runlock

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrHeld is returned by Acquire when another running process holds the lock.
var ErrHeld = errors.New("locked by another run")

// ErrNotALock is returned by Acquire when something other than a lock file
// of this user is at the lock's path: a symbolic link, a FIFO, a device, a
// directory, another user's file or a file with other hard links. Nothing
// is written to it.
var ErrNotALock = errors.New("not a lock file of twilio-evidence")

func notALock(path, what string) error {
	return fmt.Errorf("%s is %s, %w: remove it, then run again", path, what, ErrNotALock)
}

// kind names what a file of mode m is, for a message.
func kind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "not a regular file"
}

// Owner is what a lock file says about the process that holds it.
type Owner struct {
	PID     int
	Host    string
	Started time.Time
}

// String describes the owner for a message.
func (o Owner) String() string {
	s := "pid " + strconv.Itoa(o.PID)
	if o.Host != "" {
		s += " on " + o.Host
	}
	if !o.Started.IsZero() {
		s += ", started " + o.Started.UTC().Format(time.RFC3339)
	}
	return s
}

func (o Owner) encode() []byte {
	return []byte(fmt.Sprintf("pid=%d\nhost=%s\nstarted=%s\n", o.PID, o.Host, o.Started.UTC().Format(time.RFC3339)))
}

// parseOwner reads a lock file's content; ok is false when it holds no pid.
func parseOwner(b []byte) (Owner, bool) {
	var o Owner
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "pid":
			o.PID, _ = strconv.Atoi(v)
		case "host":
			o.Host = v
		case "started":
			o.Started, _ = time.Parse(time.RFC3339, v)
		}
	}
	return o, o.PID > 0
}

// Lock is a held lock. Release it when the run ends.
type Lock struct {
	path string
	f    *os.File
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// Acquire takes the lock file at path. When another live process holds
// it, the error wraps ErrHeld and names the owner. A lock whose owner is
// gone (the process died without releasing it) is taken over; stale then
// describes the previous owner, for a warning.
func Acquire(path string) (l *Lock, stale *Owner, err error) {
	host, _ := os.Hostname()
	me := Owner{PID: os.Getpid(), Host: host, Started: time.Now()}
	return acquire(path, me)
}

// Release removes the lock file and lets go of it.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	if cerr := unlockFile(l.f); err == nil {
		err = cerr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}
