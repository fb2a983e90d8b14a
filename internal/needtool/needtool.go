// Package needtool is for tests that need something from outside Go:
// pdftotext, tmux, a Japanese font. Without it such a test is skipped and
// says what is missing and how to install it, so that the test suite passes
// on any machine; when the CI environment variable is set (CI=1, as .ci/run
// and CI services set it) a missing tool fails the test instead, so that CI
// never skips.
package needtool

import (
	"os"
	"os/exec"
	"testing"
)

// JapaneseFont describes a Japanese TrueType font for Need.
const JapaneseFont = "a Japanese TrueType font (apt install fonts-ipaexfont-gothic)"

// Need skips t, or fails it under CI, when err says that what the test
// needs (described by what, with how to install it) is not there.
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "" {
		t.Skipf("needs %s: %v", what, err)
	}
	t.Fatalf("needs %s, and CI is set: %v", what, err)
}

// Command returns the path of the command name, which the package pkg
// installs (apt install pkg); see Need.
func Command(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	Need(t, name+" (apt install "+pkg+")", err)
	return p
}
