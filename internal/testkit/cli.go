package testkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BinaryDirPattern is how the folders that hold the built commands are
// named in the system's temporary folder.
const BinaryDirPattern = "twilio-evidence-e2e-*"

// Command is a command of the module, built once per test process on its
// first use. Remove deletes what was built; call it from TestMain after
// m.Run, so that no test run leaves binaries behind.
type Command struct {
	// Package is the package to build, relative to the test's folder
	// ("." for the package under test).
	Package string
	// LDFlags are passed to go build -ldflags (a release build's stamps).
	LDFlags string

	once sync.Once
	dir  string
	path string
	err  error
}

// Path builds the command, the first time, and returns its path.
func (c *Command) Path(t testing.TB) string {
	t.Helper()
	c.once.Do(func() {
		c.dir, c.err = os.MkdirTemp("", BinaryDirPattern)
		if c.err != nil {
			return
		}
		c.path = filepath.Join(c.dir, "twilio-evidence")
		args := []string{"build", "-o", c.path}
		if c.LDFlags != "" {
			args = append(args, "-ldflags", c.LDFlags)
		}
		out, err := exec.Command("go", append(args, c.Package)...).CombinedOutput()
		if err != nil {
			c.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.path
}

// Remove deletes the built command and its folder.
func (c *Command) Remove() {
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}

// BaseEnv is the environment of the command in a test: PATH, a fresh
// HOME, TMPDIR=tmp, and each variable of keep that the test run has.
func BaseEnv(t testing.TB, tmp string, keep ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + tmp}
	for _, k := range keep {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Run says how to run the command.
type Run struct {
	// Env is the command's whole environment.
	Env []string
	// Umask runs the command under this umask (octal, through /bin/sh).
	Umask string
	// Guard kills a run that has not ended after this long and fails the
	// test: a run that blocks is a failure, not a test that hangs. It is
	// generous, not a measure of speed.
	Guard time.Duration
}

// Result is how a run of the command ended.
type Result struct {
	Code           int
	Stdout, Stderr string
	// State is the ended process (its resource usage).
	State *os.ProcessState
}

// Run runs the command with args as r says. It fails the test when the
// command could not start, outlived r.Guard or printed a stack trace.
func (c *Command) Run(t testing.TB, r Run, args ...string) Result {
	t.Helper()
	name, argv := c.Path(t), args
	if r.Umask != "" {
		name, argv = "/bin/sh", append([]string{"-c", "umask " + r.Umask + ` && exec "$0" "$@"`, name}, args...)
	}
	ctx := context.Background()
	if r.Guard > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Guard)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Env = r.Env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v did not end within %v: it blocked\nstderr: %s", args, r.Guard, errb.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if s := errb.String(); strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
		t.Fatalf("stack trace on stderr:\n%s", s)
	}
	return Result{Code: cmd.ProcessState.ExitCode(), Stdout: out.String(), Stderr: errb.String(), State: cmd.ProcessState}
}

// Started is a run of the command that goes on while the test acts on it
// (sends it signals); Wait ends it.
type Started struct {
	*exec.Cmd
	Stdout, Stderr *bytes.Buffer
}

// Start starts the command with args in the environment env.
func (c *Command) Start(t testing.TB, env []string, args ...string) *Started {
	t.Helper()
	cmd := exec.Command(c.Path(t), args...)
	cmd.Env = env
	s := &Started{Cmd: cmd, Stdout: new(bytes.Buffer), Stderr: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = s.Stdout, s.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}
