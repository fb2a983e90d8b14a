//go:build !unix

package runlock

import (
	"errors"
	"fmt"
	"os"
)

// acquire creates the lock file exclusively. Without flock(2), a lock file
// that exists is taken over only when it names no owner; otherwise the
// error says which file to remove once its owner is known to be gone.
func acquire(path string, me Owner) (*Lock, *Owner, error) {
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			if _, err := f.Write(me.encode()); err != nil {
				f.Close()
				os.Remove(path)
				return nil, nil, fmt.Errorf("write lock %s: %w", path, err)
			}
			return &Lock{path: path, f: f}, nil, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		b, _ := os.ReadFile(path)
		if o, ok := parseOwner(b); ok {
			return nil, nil, fmt.Errorf("%s is held by %s (remove the file if that process is gone): %w", path, o, ErrHeld)
		}
		os.Remove(path)
	}
	return nil, nil, fmt.Errorf("%s: %w", path, ErrHeld)
}

func unlockFile(*os.File) error { return nil }

// Alive reports whether a process with this pid runs; without a way to
// ask, every pid counts as running.
func Alive(pid int) bool { return pid > 0 }
