package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ErrAborted is returned by Partials once Abort was called: the process is
// stopping and writes nothing more.
var ErrAborted = errors.New("stopping: the bundle was not written")

// Partials keeps track of the temporary files and directories of bundles
// being written, so that a process told to stop at once (a second Ctrl-C)
// can remove them before it exits: the output directory never keeps a
// half-written zip, and the final path holds either nothing or a whole
// bundle. The zero value is ready to use; a nil *Partials uses the file
// system directly and tracks nothing.
type Partials struct {
	mu      sync.Mutex
	aborted bool
	files   map[string]bool
	dirs    map[string]bool
}

// CreateTemp creates a temporary file like os.CreateTemp and tracks it
// until Rename or Remove.
func (p *Partials) CreateTemp(dir, pattern string) (*os.File, error) {
	if p == nil {
		return os.CreateTemp(dir, pattern)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aborted {
		return nil, ErrAborted
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	if p.files == nil {
		p.files = map[string]bool{}
	}
	p.files[f.Name()] = true
	return f, nil
}

// Rename moves a tracked temporary file to its final path and stops
// tracking it. After Abort it renames nothing.
func (p *Partials) Rename(tmp, final string) error {
	if p == nil {
		return os.Rename(tmp, final)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aborted {
		return ErrAborted
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	delete(p.files, tmp)
	return nil
}

// Remove deletes a tracked temporary file and stops tracking it.
func (p *Partials) Remove(tmp string) {
	if p != nil {
		p.mu.Lock()
		delete(p.files, tmp)
		p.mu.Unlock()
	}
	os.Remove(tmp)
}

// TrackDir tracks a temporary directory (a staging area) until the returned
// function is called.
func (p *Partials) TrackDir(dir string) (untrack func()) {
	if p == nil {
		return func() {}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dirs == nil {
		p.dirs = map[string]bool{}
	}
	p.dirs[dir] = true
	return func() {
		p.mu.Lock()
		delete(p.dirs, dir)
		p.mu.Unlock()
	}
}

// Abort removes every tracked file and directory and makes every later
// CreateTemp and Rename fail. It keeps the lock: it is meant to be called
// right before the process exits, and a writer that is still running waits
// instead of renaming a bundle into place after the removal.
func (p *Partials) Abort() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	p.aborted = true
	var errs []error
	for f := range p.files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s: %w", f, err))
		}
	}
	for d := range p.dirs {
		// Moved away first: a writer still running cannot create files
		// under the old path while the directory is being emptied.
		doomed := filepath.Join(filepath.Dir(d), ".removing-"+filepath.Base(d))
		if os.Rename(d, doomed) == nil {
			d = doomed
		}
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}
