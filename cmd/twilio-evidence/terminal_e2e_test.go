package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
)

// tmuxRun runs script in a detached tmux session of width × 30 cells and
// returns a function that captures the screen, and one that ends the
// session. Without tmux the test is skipped, or fails under CI.
func tmuxRun(t *testing.T, width int, script string) (capture func() string) {
	t.Helper()
	needtool.Command(t, "tmux", "tmux")
	socket := fmt.Sprintf("te-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) (string, error) {
		b, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(b), err
	}
	if msg, err := tmux("new-session", "-d", "-s", "run", "-x", fmt.Sprint(width), "-y", "30", "sh", "-c", script); err != nil {
		t.Fatalf("tmux: %v %s", err, msg)
	}
	t.Cleanup(func() { tmux("kill-server") })
	return func() string {
		s, err := tmux("capture-pane", "-p", "-t", "run")
		if err != nil {
			t.Fatalf("capture-pane: %v %s", err, s)
		}
		return s
	}
}

// TestE2E_ProbeShowsAttemptsInATerminal runs probe in tmux against a slow
// server: while it runs, each URL has a bar that says how many of its
// attempts are done; at the end the table is printed.
func TestE2E_ProbeShowsAttemptsInATerminal(t *testing.T) {
	bin := e2eCommand.Path(t)
	slow := webhooktest.Start(t, webhooktest.Slow(300*time.Millisecond)).URL
	script := fmt.Sprintf("%s probe --allow-private --count 4 --interval 700ms %s/voice %s/sms; echo EXIT=$?; sleep 60", bin, slow, slow)
	capture := tmuxRun(t, 120, script)
	attempt := regexp.MustCompile(`voice\s+[123] / 4`)
	var during, screen string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = capture()
		if during == "" && attempt.MatchString(screen) {
			during = screen
		}
		if strings.Contains(screen, "EXIT=") {
			break
		}
	}
	if !strings.Contains(screen, "EXIT=0") || !strings.Contains(screen, "TARGET / VIA") {
		t.Fatalf("the run did not end with its table:\n%s", screen)
	}
	if during == "" {
		t.Fatalf("no screen showed an attempt k of 4 while the probes ran; last screen:\n%s", screen)
	}
	if !strings.Contains(during, "sms") || !strings.Contains(during, "[") {
		t.Errorf("not a bar per URL while running:\n%s", during)
	}
}

// TestProbeCmd_TableFitsIn120Columns checks the default table and the
// explanations below it, in English and Japanese: no line is wider than
// 120 terminal columns; --wide has the phase columns.
func TestProbeCmd_TableFitsIn120Columns(t *testing.T) {
	base := webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "broken") {
			webhooktest.Status(http.StatusInternalServerError).ServeHTTP(w, r)
			return
		}
		webhooktest.TwiML().ServeHTTP(w, r)
	})).URL
	urls := []string{base + "/twilio/voice/incoming-call-handler", base + "/twilio/sms/broken-reply-handler", base + "/twilio/status-callback"}
	for _, lang := range []string{"en", "ja"} {
		args := append([]string{"probe", "--allow-private", "--count", "2", "--interval", "1ms", "--lang", lang}, urls...)
		code, out, errs := runProbeArgs(t, nil, args...)
		if code != exitIncidents {
			t.Fatalf("%s: exit %d, stderr %q", lang, code, errs)
		}
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if w := runewidth.StringWidth(line); w > 120 {
				t.Errorf("%s: line of %d columns:\n%s", lang, w, line)
			}
		}
		if !strings.Contains(out, "broken-reply-handler: app_server_error") {
			t.Errorf("%s: the explanation is missing:\n%s", lang, out)
		}
	}
	_, wide, _ := runProbeArgs(t, nil, append([]string{"probe", "--allow-private", "--count", "2", "--interval", "1ms", "--wide"}, urls...)...)
	if !strings.Contains(wide, "CONNECT p50/p95") || !strings.Contains(wide, "FAILURES") {
		t.Errorf("--wide lacks the detail columns:\n%s", wide)
	}
}

// TestLineProgress_ProbeAttemptsEveryInterval checks the plain lines of a
// probe run into a pipe: nothing for a short run, "attempt k of n" every
// lineEvery for a long one.
func TestLineProgress_ProbeAttemptsEveryInterval(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	p := &lineProgress{w: &b, now: func() time.Time { return now }, attempts: true}
	task := p.Start("ivr.example.com/voice", 20)
	task.Add(1)
	now = now.Add(lineEvery)
	task.Add(1)
	now = now.Add(lineEvery / 2)
	task.Add(1)
	task.Done()
	if got, want := b.String(), "2026-11-25T00:00:10Z ivr.example.com/voice: attempt 2 of 20\n"; got != want {
		t.Errorf("lines %q, want %q", got, want)
	}
}
