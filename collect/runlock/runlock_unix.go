//go:build unix

package runlock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// acquire holds the lock with flock(2), which the kernel releases when its
// holder dies, and keeps the owner's details in the file for messages.
func acquire(path string, me Owner) (*Lock, *Owner, error) {
	for attempt := 0; attempt < 10; attempt++ {
		f, err := openLockFile(path)
		if err != nil {
			return nil, nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			b, _ := io.ReadAll(io.LimitReader(f, 4096))
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				if o, ok := parseOwner(b); ok {
					return nil, nil, fmt.Errorf("%s is held by %s: %w", path, o, ErrHeld)
				}
				return nil, nil, fmt.Errorf("%s: %w", path, ErrHeld)
			}
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// The holder before us may have removed the file between our open
		// and our flock: then we hold a lock on a file nobody else sees.
		st, err1 := f.Stat()
		cur, err2 := os.Lstat(path)
		if err1 != nil || err2 != nil || !os.SameFile(st, cur) {
			f.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 4096))
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("read lock %s: %w", path, err)
		}
		var stale *Owner
		if o, ok := parseOwner(b); ok {
			// Nobody holds the lock, yet the file names an owner: it died
			// (or was killed) before releasing it.
			stale = &o
		}
		err = f.Truncate(0)
		if err == nil {
			_, err = f.WriteAt(me.encode(), 0)
		}
		if err != nil {
			unlockFile(f)
			f.Close()
			return nil, nil, fmt.Errorf("write lock %s: %w", path, err)
		}
		return &Lock{path: path, f: f}, stale, nil
	}
	return nil, nil, fmt.Errorf("lock %s: it keeps being replaced: %w", path, ErrHeld)
}

// openLockFile opens the lock file at path, creating it 0600 (less the
// umask). It never follows a symbolic link and never blocks (on a FIFO or a
// device planted there), and it refuses anything but a regular file of
// this user with a single link: the lock is never written through a link
// into another file.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && !st.Mode().IsRegular() {
			return nil, notALock(path, kind(st.Mode()))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	why := ""
	if !st.Mode().IsRegular() {
		why = kind(st.Mode())
	} else if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		if int(sys.Uid) != os.Geteuid() {
			why = fmt.Sprintf("a file of user %d", sys.Uid)
		} else if n := uint64(sys.Nlink); n != 1 {
			why = fmt.Sprintf("a file with %d hard links", n)
		}
	}
	if why != "" {
		f.Close()
		return nil, notALock(path, why)
	}
	return f, nil
}

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// Alive reports whether a process with this pid runs on this machine.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
