package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// doctorLine finds the line of a check in doctor's output: its status and
// its text.
func doctorLine(t *testing.T, out, check string) (status, text string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(ok|warn|fail) +` + regexp.QuoteMeta(check) + ` +(.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line for %s in:\n%s", check, out)
	}
	return m[1], m[2]
}

// doctorAdvice is the advice line under the line of check ("" for none).
func doctorAdvice(out, check string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, " "+check+" ") && i+1 < len(lines) && strings.Contains(lines[i+1], "→") {
			return lines[i+1]
		}
	}
	return ""
}

// TestE2E_Doctor runs doctor against the fake API and status page: every
// check passes; a wrong token, a machine without a Japanese font (with
// --lang ja) and an output directory that cannot be written each fail
// that check with its advice and exit 4.
func TestE2E_Doctor(t *testing.T) {
	fake, _ := e2eFake(t)
	page := twiliostatus.NewFakeServer(nil)
	defer page.Close()
	noFont := "TWILIO_EVIDENCE_FONTS=" + filepath.Join(t.TempDir(), "none.ttf")
	unwritable := t.TempDir()
	os.Chmod(unwritable, 0o555)
	defer os.Chmod(unwritable, 0o755)
	if os.Geteuid() == 0 && runtime.GOOS == "linux" {
		unwritable = "/sys" // root writes anywhere else
	}
	args := func(out string, extra ...string) []string {
		return append([]string{"doctor", "--api-url", fake.URL, "--status-url", page.URL, "--output", out}, extra...)
	}
	wrongToken := []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_AUTH_TOKEN=wrongTOKEN0000000000000000000000"}

	r := runE2E(t, e2eEnv(), args(t.TempDir())...)
	if r.code != exitOK {
		t.Fatalf("all ok: exit %d\nstdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, check := range []string{"credentials", "api.twilio.com", "monitor.twilio.com", "messaging.twilio.com", "status-page", "ca-bundle", "output", "clock"} {
		if st, text := doctorLine(t, r.stdout, check); st != "ok" {
			t.Errorf("%s: %s %s", check, st, text)
		}
	}
	if _, text := doctorLine(t, r.stdout, "credentials"); !strings.Contains(text, e2eAccount) {
		t.Errorf("credentials line %q does not name the account", text)
	}

	cases := []struct {
		name, check string
		env         []string
		args        []string
		text        string // in the check's line
		advice      string // in the advice line
	}{
		{"wrong token", "credentials", wrongToken, args(t.TempDir()), "Twilio rejected the credentials", "TWILIO_AUTH_TOKEN"},
		{"no Japanese font", "font", append(e2eEnv(), noFont), args(t.TempDir(), "--lang", "ja"), "--lang ja", "fonts-ipaexfont-gothic"},
		{"unwritable output", "output", e2eEnv(), args(unwritable), unwritable, "--output"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.check == "output" {
				if f, err := os.CreateTemp(unwritable, "probe-*"); err == nil {
					f.Close()
					os.Remove(f.Name())
					t.Skipf("no unwritable directory for this user: %s is writable", unwritable)
				}
			}
			r := runE2E(t, c.env, c.args...)
			if r.code != exitEnv {
				t.Fatalf("exit %d, want 4\nstdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			st, text := doctorLine(t, r.stdout, c.check)
			if st != "fail" || !strings.Contains(text, c.text) {
				t.Errorf("%s: %s %q, want fail mentioning %q", c.check, st, text, c.text)
			}
			if a := doctorAdvice(r.stdout, c.check); !strings.Contains(a, c.advice) {
				t.Errorf("advice %q lacks %q", a, c.advice)
			}
			if line := oneLine(t, r); !strings.Contains(line, "checks failed") {
				t.Errorf("stderr %q", line)
			}
		})
	}
}
