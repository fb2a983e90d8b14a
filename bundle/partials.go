package bundle

import (
	"errors"
	"fmt"
	"io"
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

// WriteAtomic writes a file at final through write: into a temporary file
// beside final, synced and renamed, so that final holds either nothing new
// or the whole file. The file keeps the mode os.CreateTemp gives it, 0600
// less the umask: what the tool writes holds an account's data and is
// readable by its owner only. It returns the file's size.
func (p *Partials) WriteAtomic(final string, write func(io.Writer) error) (size int64, err error) {
	tmp, err := p.CreateTemp(filepath.Dir(final), ".twilio-evidence-*"+filepath.Ext(final)+".part")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			p.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	st, err := tmp.Stat()
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := p.Rename(tmp.Name(), final); err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// WriteFile writes data at final as WriteAtomic does, wrapping an error
// with final's path.
func (p *Partials) WriteFile(final string, data []byte) error {
	if _, err := p.WriteAtomic(final, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return fmt.Errorf("write %s: %w", final, err)
	}
	return nil
}
