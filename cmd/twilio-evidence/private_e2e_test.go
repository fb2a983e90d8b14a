//go:build unix

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// checkPrivate fails unless every path is a file of mode 0600.
func checkPrivate(t *testing.T, what string, paths ...string) {
	t.Helper()
	if len(paths) == 0 {
		t.Errorf("%s: no file written", what)
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s %s: mode %v, want -rw-------", what, filepath.Base(p), st.Mode().Perm())
		}
	}
}

// TestE2E_FilesHoldingAccountDataArePrivate shows that the bundle, the
// redacted bundle, report's bundle, the subaccount index, the probe
// history and the flow description are created 0600 whatever the umask.
func TestE2E_FilesHoldingAccountDataArePrivate(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, "<Response/>")
	}))
	defer app.Close()
	from, to := repDays(7), repDays(0)
	parent := faketwilio.SID("AC", "private-parent")
	const token = "privateparenttoken000000000000000"
	created := from.AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	accounts := []*faketwilio.AccountData{{Account: faketwilio.Account{Sid: parent, OwnerAccountSid: parent, FriendlyName: "Parent", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}}}
	for i := 0; i < 2; i++ {
		sid := faketwilio.SID("AC", fmt.Sprint("private-sub", i))
		accounts = append(accounts, &faketwilio.AccountData{
			Account: faketwilio.Account{Sid: sid, OwnerAccountSid: parent, FriendlyName: fmt.Sprint("Sub ", i), Status: "active", Type: "Full", DateCreated: created, DateUpdated: created},
			Alerts:  subaccountAlerts(sid, 3, to),
		})
	}
	fake := faketwilio.New(map[string]string{parent: token}, accounts...)
	defer fake.Close()
	creds := []string{"TWILIO_ACCOUNT_SID=" + parent, "TWILIO_AUTH_TOKEN=" + token}

	for _, umask := range []string{"022", "077"} {
		t.Run("umask "+umask, func(t *testing.T) {
			run := func(env []string, args ...string) e2eResult {
				t.Helper()
				r := runE2EWith(t, e2eOpts{umask: umask, guard: 5 * time.Minute}, env, args...)
				if r.code != exitOK {
					t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
				}
				return r
			}
			out := t.TempDir()
			r := run(nil, "bundle", "--demo", "--output", out, "--quiet")
			zip := strings.TrimSpace(r.stdout)
			checkPrivate(t, "bundle", zip)

			redacted := filepath.Join(out, "redacted.zip")
			run(nil, "redact", zip, "-o", redacted, "--mask-phone-numbers")
			checkPrivate(t, "redact", redacted)

			reports := t.TempDir()
			r = run(nil, "report", "--demo", "--output", reports, "--quiet")
			checkPrivate(t, "report", strings.TrimSpace(r.stdout))

			index := t.TempDir()
			run(creds, "bundle", "--all-subaccounts", "--api-url", fake.URL, "--output", index, "--from", rfc(from), "--to", rfc(to),
				"--tz", "UTC", "--no-status", "--no-probe", "--quiet")
			written, _ := filepath.Glob(filepath.Join(index, "*"))
			checkPrivate(t, "--all-subaccounts", written...)

			hist := filepath.Join(t.TempDir(), "probes.csv")
			run(nil, "probe", app.URL, "--count", "1", "--allow-private", "--record", hist)
			checkPrivate(t, "probe --record", hist)

			flow := filepath.Join(t.TempDir(), "flow.md")
			run(nil, "flow", "--demo", "-o", flow)
			checkPrivate(t, "flow -o", flow)
		})
	}
}

// TestE2E_ReportRefusesWhatIsNotALock plants a symbolic link and a FIFO at
// the lock's path: report stops with one line and exit 4, without blocking,
// writes nothing, and the link's target is untouched.
func TestE2E_ReportRefusesWhatIsNotALock(t *testing.T) {
	plants := map[string]func(t *testing.T, lock, target string){
		"symbolic link": func(t *testing.T, lock, target string) {
			if err := os.Symlink(target, lock); err != nil {
				t.Fatal(err)
			}
		},
		"named pipe": func(t *testing.T, lock, _ string) {
			if err := syscall.Mkfifo(lock, 0o600); err != nil {
				t.Skip("no FIFO:", err)
			}
		},
	}
	for what, plant := range plants {
		t.Run(what, func(t *testing.T) {
			out := t.TempDir()
			target := filepath.Join(t.TempDir(), "crontab")
			const content = "0 6 * * 1 backup\n"
			if err := os.WriteFile(target, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			lock := filepath.Join(out, weekly.LockFile)
			plant(t, lock, target)
			r := runE2EWith(t, e2eOpts{guard: time.Minute}, nil, "report", "--demo", "--output", out, "--quiet")
			if r.code != exitEnv {
				t.Fatalf("exit %d, want 4\nstderr: %s", r.code, r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], what) || !strings.Contains(lines[0], lock) {
				t.Errorf("stderr = %q, want one line naming the %s at %s", r.stderr, what, lock)
			}
			if b, _ := os.ReadFile(target); string(b) != content {
				t.Errorf("the link's target was changed: %q", b)
			}
			if zips := zipsIn(t, out); len(zips) != 0 {
				t.Errorf("bundles written: %v", zips)
			}
		})
	}
}
