package needtool

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNeed_Child is the test that TestNeed runs in a child process: it
// needs a command no machine has.
func TestNeed_Child(t *testing.T) {
	if os.Getenv("NEEDTOOL_CHILD") == "" {
		t.Skip("run by TestNeed in a child process")
	}
	Command(t, "no-such-tool-twilio-evidence", "no-such-package")
	t.Log("the test went on without the tool")
}

// TestNeed runs a test that needs a missing tool in a child process of the
// test binary: without CI it is skipped and says what to install; with
// CI=1 it fails, saying the same.
func TestNeed(t *testing.T) {
	for _, c := range []struct {
		ci       string
		fails    bool
		verdict  string
		sentence string
	}{
		{"", false, "--- SKIP: TestNeed_Child", "needs no-such-tool-twilio-evidence (apt install no-such-package)"},
		{"1", true, "--- FAIL: TestNeed_Child", "needs no-such-tool-twilio-evidence (apt install no-such-package), and CI is set"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestNeed_Child$", "-test.v")
		cmd.Env = append(os.Environ(), "NEEDTOOL_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != c.fails {
			t.Errorf("CI=%q: the child failed = %v, want %v\n%s", c.ci, failed, c.fails, out)
		}
		if !strings.Contains(string(out), c.verdict) || !strings.Contains(string(out), c.sentence) {
			t.Errorf("CI=%q: the child's output lacks %q or %q:\n%s", c.ci, c.verdict, c.sentence, out)
		}
		if strings.Contains(string(out), "went on without the tool") {
			t.Errorf("CI=%q: the test went on without the tool", c.ci)
		}
	}
}
