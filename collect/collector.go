package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// A Collector gathers one kind of evidence. Collect gets its own deadline
// from ctx, adds to env.Evidence, stages raw files through env.Stage, and
// returns an error only for itself: the other collectors go on.
type Collector interface {
	Name() string
	Collect(ctx context.Context, env *Env) error
}

// Env is what collectors share: the Evidence they fill, the staging area for
// their files, the API access and the progress reporter.
type Env struct {
	Evidence *Evidence
	Stage    *Stage
	// API is nil when the run has no credentials (offline inputs only).
	API      *APIConfig
	Progress Progress
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// LearnSecret, when set, is told the secret values collectors learn on
	// their way (the auth token the Account resource returns), before they
	// stage anything, so that the redactor removes them from then on.
	LearnSecret func(values ...string)

	// run is the Run in progress (feed.go); filesMu guards
	// Evidence.Files, which collectors running together add to.
	run     *runState
	filesMu sync.Mutex
}

// addFile records a raw file a collector staged (Evidence.Files).
func (e *Env) addFile(name string) {
	e.filesMu.Lock()
	defer e.filesMu.Unlock()
	e.Evidence.Files = append(e.Evidence.Files, name)
}

// learnSecret passes secret values to LearnSecret.
func (e *Env) learnSecret(values ...string) {
	if e.LearnSecret != nil {
		e.LearnSecret(values...)
	}
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) progress() Progress {
	if e.Progress == nil {
		return NoProgress{}
	}
	return e.Progress
}

// Progress reports long work. Implementations draw bars on a terminal or
// print plain lines; they must be safe for concurrent use.
type Progress interface {
	// Start begins a task of total steps (0 when unknown).
	Start(name string, total int) Task
	// Warnf reports something the user should know.
	Warnf(format string, args ...any)
}

// Task is one piece of long work. Its steps are finished requests, so
// that a bar says how much is done, not how much was started.
type Task interface {
	// Add counts n more steps done.
	Add(n int)
	// Grow adds n steps to the total: work found while the task runs.
	Grow(n int)
	Done()
}

// NoProgress reports nothing.
type NoProgress struct{}

// Start implements Progress.
func (NoProgress) Start(string, int) Task { return noTask{} }

// Warnf implements Progress.
func (NoProgress) Warnf(string, ...any) {}

type noTask struct{}

func (noTask) Add(int)  {}
func (noTask) Grow(int) {}
func (noTask) Done()    {}

// SkipError marks a collector that chose not to run, with the reason.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a SkipError.
func Skip(format string, args ...any) error { return &SkipError{Reason: fmt.Sprintf(format, args...)} }

// Switchable is a Collector that the run's flags or inputs may switch off
// (--no-status, --no-probe, no --hop, no credentials): Off says why, or ""
// when it is to run. Run records a switched-off collector as skipped
// without running it, also when the run was interrupted or its deadline
// passed before the collector's turn.
type Switchable interface {
	Off(env *Env) string
}

// noAPI is the Off of the collectors that need the Twilio API.
func noAPI(env *Env) string {
	if env.API == nil {
		return "no API credentials"
	}
	return ""
}

// Waiter is a collector that needs the evidence of others: it starts only
// once the collectors it names (among those of the same Run) have ended,
// whatever their state.
type Waiter interface {
	After() []string
}

// Run runs the collectors together, each in its own goroutine with its own
// deadline (timeout, counted from when it starts; 0 = only ctx), a Waiter
// once those it waits for have ended, and all of them after a collector
// that learns a secret their data may hold (AccountInfo with an API key's
// credentials) has ended. It records how each ended in
// env.Evidence, in the order given, and the use of the API so far. A panic
// in a collector is recorded as its error, never propagated; a collector
// that fails, times out or panics never stops the others.
func Run(ctx context.Context, env *Env, timeout time.Duration, collectors ...Collector) {
	env.beginRun(collectors)
	statuses := make([]CollectorStatus, len(collectors))
	var wg sync.WaitGroup
	for i, c := range collectors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer env.ended(i)
			statuses[i] = runOne(ctx, env, timeout, i, c)
		}()
	}
	wg.Wait()
	env.endRun()
	env.Evidence.Collectors = append(env.Evidence.Collectors, statuses...)
	if env.API != nil {
		st := env.API.Stats()
		env.Evidence.API = &st
	}
}

// runOne runs the i-th collector of Run and says how it ended.
func runOne(ctx context.Context, env *Env, timeout time.Duration, i int, c Collector) CollectorStatus {
	st := CollectorStatus{Name: c.Name(), Source: "api"}
	if s, ok := c.(interface{ Source() string }); ok {
		st.Source = s.Source()
	}
	if x, ok := c.(interface{ Context() bool }); ok {
		st.Context = x.Context()
	}
	if sw, ok := c.(Switchable); ok {
		if why := sw.Off(env); why != "" {
			st.State, st.Reason = StateSkipped, why
			return st
		}
	}
	env.waitForSecrets(ctx, i)
	if w, ok := c.(Waiter); ok {
		_ = env.waitFor(ctx, w.After()...)
	}
	if ctx.Err() != nil {
		// Not a choice of the collector: its evidence is missing.
		st.State, st.Reason = StateError, "interrupted before it started"
		st.Failure = &Failure{Class: FailInterrupted}
		if de, ok := deadlineIn(ctx, ctx, nil); ok {
			st.State, st.Reason = StateTimeout, de.Name+" passed before it started"
			st.Failure = &Failure{Class: FailDeadline}
		}
		return st
	}
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		cctx, cancel = withNamedTimeout(ctx, timeout, collectorDeadlineName(timeout))
	}
	defer cancel()
	cctx, note := withRequestNote(cctx)
	start := env.now()
	err := collectSafely(cctx, env, c)
	st.Duration = env.now().Sub(start)
	var skip *SkipError
	switch {
	case err == nil:
		st.State = StateOK
	case errors.As(err, &skip):
		st.State, st.Reason = StateSkipped, skip.Reason
	case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		st.State, st.Reason = StateError, "interrupted: "+describeAPIError(err)
	default:
		st.State, st.Reason = StateError, describeAPIError(err)
		if de, ok := deadlineIn(ctx, cctx, err); ok {
			st.State = StateTimeout
			if !strings.Contains(st.Reason, de.Name) {
				st.Reason = de.Error() + ": " + st.Reason
			}
		}
	}
	if st.State == StateError || st.State == StateTimeout {
		st.Failure = classifyEnd(err, st.State, ctx, cctx, note)
	}
	return st
}

// classifyEnd classifies how a collector failed: the run's deadline or an
// interruption, its own deadline (with the host it was waiting for), or
// its error.
func classifyEnd(err error, state CollectorState, run, cctx context.Context, note *requestNote) *Failure {
	var f Failure
	switch {
	case errors.Is(run.Err(), context.DeadlineExceeded):
		f.Class = FailDeadline
	case run.Err() != nil:
		f.Class = FailInterrupted
	case state == StateTimeout:
		f = ClassifyError(err)
		if f.Class != FailConnect && f.Class != FailDNS {
			f = Failure{Class: FailTimeout, Host: f.Host}
			if de, ok := deadlineIn(run, cctx, err); ok && de.After > 0 {
				f.After = de.After.String()
			}
		}
	default:
		f = ClassifyError(err)
	}
	note.fill(&f)
	return &f
}

func collectSafely(ctx context.Context, env *Env, c Collector) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in collector %s: %v", c.Name(), r)
		}
	}()
	return c.Collect(ctx, env)
}

// Stage is the staging directory where collectors write the raw files of
// the bundle before it is zipped.
type Stage struct {
	Dir string
	// Filter, when set, wraps every file's writer (redaction happens here,
	// before anything reaches the disk).
	Filter func(name string, w io.Writer) io.WriteCloser

	mu    sync.Mutex
	files map[string]bool
}

// NewStage creates a staging directory under the system temp dir.
func NewStage() (*Stage, error) {
	dir, err := os.MkdirTemp("", "twilio-evidence-*")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	return &Stage{Dir: dir, files: map[string]bool{}}, nil
}

// Remove deletes the staging directory.
func (s *Stage) Remove() error { return os.RemoveAll(s.Dir) }

// Create opens the bundle file name (a slash-separated relative path) for
// writing, replacing it if it exists.
func (s *Stage) Create(name string) (io.WriteCloser, error) {
	clean := path.Clean(name)
	if clean != name || path.IsAbs(name) || strings.HasPrefix(clean, "../") || clean == ".." || clean == "." {
		return nil, fmt.Errorf("stage: bad file name %q", name)
	}
	p := filepath.Join(s.Dir, filepath.FromSlash(name))
	if err := s.mkdirs(path.Dir(clean)); err != nil {
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	s.mu.Lock()
	if s.files == nil {
		s.files = map[string]bool{}
	}
	s.files[name] = true
	s.mu.Unlock()
	if s.Filter == nil {
		return f, nil
	}
	return &filtered{WriteCloser: s.Filter(name, f), file: f}, nil
}

// mkdirs creates the directories of rel inside the staging directory, but
// never the staging directory itself: once it is removed (a process told to
// stop at once), nothing is staged again.
func (s *Stage) mkdirs(rel string) error {
	if rel == "." {
		return nil
	}
	dir := s.Dir
	for _, part := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, part)
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// filtered closes the filter, then the file under it.
type filtered struct {
	io.WriteCloser
	file *os.File
}

func (f *filtered) Close() error {
	err := f.WriteCloser.Close()
	if cerr := f.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteFile stages a whole file.
func (s *Stage) WriteFile(name string, data []byte) error {
	w, err := s.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("stage %s: %w", name, err)
	}
	return w.Close()
}

// Open opens a staged file for reading.
func (s *Stage) Open(name string) (*os.File, error) {
	return os.Open(filepath.Join(s.Dir, filepath.FromSlash(name)))
}

// Delete forgets and deletes one staged file.
func (s *Stage) Delete(name string) error {
	s.mu.Lock()
	delete(s.files, name)
	s.mu.Unlock()
	return os.Remove(filepath.Join(s.Dir, filepath.FromSlash(name)))
}

// Files lists the staged files, sorted.
func (s *Stage) Files() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.files))
	for f := range s.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
