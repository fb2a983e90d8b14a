package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// e2eManifest is what the fault tests read from manifest.json.
type e2eManifest struct {
	Incomplete  bool `json:"incomplete"`
	Interrupted bool `json:"interrupted"`
	Collectors  []struct {
		Name, State, Reason string
	} `json:"collectors"`
	Files []struct {
		Name   string `json:"name"`
		Bytes  int    `json:"bytes"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
	Trimmed []struct {
		Name, Action string
	} `json:"trimmed"`
}

// checkManifest reads the manifest and checks it describes the zip.
func checkManifest(t *testing.T, files map[string][]byte) e2eManifest {
	t.Helper()
	var m e2eManifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Name] = true
		sum := sha256.Sum256(files[f.Name])
		if hex.EncodeToString(sum[:]) != f.SHA256 || len(files[f.Name]) != f.Bytes {
			t.Errorf("manifest: %s does not match the zip's entry", f.Name)
		}
	}
	for name := range files {
		if name != "manifest.json" && !listed[name] {
			t.Errorf("manifest does not list %s", name)
		}
	}
	return m
}

// fakeIncidents are the SIDs of the webhook failures the fake serves in the window.
func fakeIncidents(data *faketwilio.AccountData) map[string]bool {
	from, to := e2eWindow()
	want := map[string]bool{}
	for i := 0; i < data.Alerts.Len(); i++ {
		a := data.Alerts.At(i)
		if twiliocodes.IsWebhookFailure(a.ErrorCode) && !a.Generated.Before(from) && a.Generated.Before(to) {
			want[a.Sid] = true
		}
	}
	return want
}

// TestE2E_RandomFaultsNeverLoseTheBundle: the fake API drops connections,
// stalls past the collectors' deadline and answers 500/503 at random. Every
// run writes a bundle whose manifest tells the truth, and when the alerts
// collector says ok, no incident the fake served is missing.
func TestE2E_RandomFaultsNeverLoseTheBundle(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		seeds = seeds[:2]
	}
	okAlerts := 0
	for _, seed := range seeds {
		fake, data := e2eFake(t)
		fake.AddChaos(seed, faketwilio.Chaos{Drop: 0.05, Stall: 0.01, Status: 0.08, StallFor: 15 * time.Second})
		out := t.TempDir()
		r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status", "--collector-timeout", "6s", "--max-details", "20")...)
		if r.code != 0 && r.code != 3 {
			t.Fatalf("seed %d: exit %d\nstderr: %s", seed, r.code, r.stderr)
		}
		path := strings.TrimSpace(r.stdout)
		if path == "" {
			t.Fatalf("seed %d: no bundle written (exit %d): %s", seed, r.code, r.stderr)
		}
		files := testkit.ReadZip(t, path)
		m := checkManifest(t, files)
		broken := false
		states := map[string]string{}
		for _, c := range m.Collectors {
			states[c.Name] = c.State
			switch c.State {
			case "error", "timeout":
				broken = true
				if c.Reason == "" {
					t.Errorf("seed %d: %s is %s without a reason", seed, c.Name, c.State)
				}
			case "ok", "skipped":
			default:
				t.Errorf("seed %d: %s has state %q", seed, c.Name, c.State)
			}
		}
		if m.Incomplete != broken || (r.code == 3) != broken {
			t.Errorf("seed %d: incomplete=%v, exit %d, but collectors %v", seed, m.Incomplete, r.code, states)
		}
		var rows []collect.Incident
		if err := gocsv.UnmarshalBytes(files["incidents.csv"], &rows); err != nil {
			t.Fatalf("seed %d: incidents.csv: %v", seed, err)
		}
		want := fakeIncidents(data)
		got := map[string]bool{}
		for _, row := range rows {
			got[row.AlertSID] = true
			if !want[row.AlertSID] {
				t.Errorf("seed %d: incidents.csv has %s, which the fake never served", seed, row.AlertSID)
			}
		}
		if states["alerts"] == "ok" {
			okAlerts++
			for sid := range want {
				if !got[sid] {
					t.Errorf("seed %d: alerts ok but incident %s is missing from incidents.csv", seed, sid)
				}
			}
		}
		t.Logf("seed %d: exit %d, %d/%d incidents, collectors %v", seed, r.code, len(got), len(want), states)
	}
	if okAlerts == 0 {
		t.Error("no run had the alerts collector ok: the completeness check did not run")
	}
}

// startE2E starts the binary with its own TMPDIR, for the signal tests.
func startE2E(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer, string) {
	t.Helper()
	tmp := t.TempDir()
	s := e2eCommand.Start(t, append(e2eBaseEnv(t, tmp), env...), args...)
	return s.Cmd, s.Stdout, s.Stderr, tmp
}

// waitRequests waits until the fake saw a request under prefix.
func waitRequests(t *testing.T, fake *faketwilio.Server, prefix string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if fake.Requests(prefix) > 0 {
			return
		}
	}
	t.Fatalf("no request to %s", prefix)
}

// killedBy is added to the signal that ended a process in exitCode, to tell
// it apart from an exit status.
const killedBy = 1000

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return killedBy + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestE2E_InterruptWritesAnIncompleteBundle(t *testing.T) {
	fake, _ := e2eFake(t)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: time.Minute})
	out := t.TempDir()
	cmd, stdout, stderr, _ := startE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status")...)
	waitRequests(t, fake, "/v1/Alerts")
	cmd.Process.Signal(os.Interrupt)
	code := exitCode(cmd.Wait())
	if code != exitIncomplete {
		t.Fatalf("exit %d, want 3\nstderr: %s", code, stderr)
	}
	path := strings.TrimSpace(stdout.String())
	files := testkit.ReadZip(t, path)
	m := checkManifest(t, files)
	if !m.Interrupted || !m.Incomplete {
		t.Errorf("manifest interrupted=%v incomplete=%v, want both", m.Interrupted, m.Incomplete)
	}
	// Collectors the flags switched off are skipped, not interrupted.
	off := map[string]string{"twilio-status": "--no-status", "probes": "--no-probe", "hops": "--hop"}
	for _, c := range m.Collectors {
		if c.Name == "alerts" && (c.State != "error" || !strings.Contains(c.Reason, "interrupted")) {
			t.Errorf("alerts = %+v, want an error saying it was interrupted", c)
		}
		if flag, ok := off[c.Name]; ok {
			delete(off, c.Name)
			if c.State != "skipped" || !strings.Contains(c.Reason, flag) {
				t.Errorf("%s = %+v, want skipped because of %s", c.Name, c, flag)
			}
		}
	}
	for name := range off {
		t.Errorf("collector %s is not in the manifest", name)
	}
	if !strings.Contains(string(files["README.txt"]), "INTERRUPTED") {
		t.Error("README.txt does not say the run was interrupted")
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say the run was interrupted: %s", stderr)
	}
}

// TestE2E_SecondInterruptLeavesNoPartialFile sends the second Ctrl-C at
// different moments of the writing: the process either stops at once
// (130), leaving no temporary zip and no staging area (and a zip only if
// it was whole and in place already), or had finished, leaving a whole
// bundle.
func TestE2E_SecondInterruptLeavesNoPartialFile(t *testing.T) {
	stopped := 0
	for _, gap := range []time.Duration{0, 5 * time.Millisecond, 50 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 2 * time.Second} {
		fake, _ := e2eFake(t)
		fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: time.Minute})
		out := t.TempDir()
		cmd, _, stderr, tmp := startE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status")...)
		waitRequests(t, fake, "/v1/Alerts")
		cmd.Process.Signal(os.Interrupt)
		time.Sleep(gap)
		cmd.Process.Signal(os.Interrupt)
		code := exitCode(cmd.Wait())
		entries, _ := os.ReadDir(out)
		staged, _ := os.ReadDir(tmp)
		switch code {
		case 130:
			stopped++
			// The bundle may have been renamed into place just before the
			// second signal: then it is whole; never a partial file.
			if len(entries) == 1 && strings.HasSuffix(entries[0].Name(), ".zip") {
				if _, err := bundlezip.ReadAll(filepath.Join(out, entries[0].Name())); err != nil {
					t.Errorf("gap %s: stopped at once and left a broken bundle: %v", gap, err)
				}
			} else if len(entries) != 0 {
				t.Errorf("gap %s: stopped at once but left %v in the output directory", gap, dirNames(entries))
			}
			if len(staged) != 0 {
				t.Errorf("gap %s: stopped at once but left %v in TMPDIR", gap, dirNames(staged))
			}
		case exitIncomplete, killedBy + int(syscall.SIGINT):
			// Finished before the second signal was handled: a whole bundle.
			if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".zip") {
				t.Fatalf("gap %s: exit %d, output directory holds %v", gap, code, dirNames(entries))
			}
			if _, err := bundlezip.ReadAll(filepath.Join(out, entries[0].Name())); err != nil {
				t.Errorf("gap %s: the bundle at the final path is broken: %v", gap, err)
			}
		default:
			t.Fatalf("gap %s: exit %d\nstderr: %s", gap, code, stderr)
		}
	}
	if stopped == 0 {
		t.Error("no run stopped at the second signal")
	}
}

func dirNames(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestE2E_RunDeadlineRecordsTimeouts(t *testing.T) {
	fake, _ := e2eFake(t)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: time.Minute})
	out := t.TempDir()
	start := time.Now()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--no-status", "--timeout", "2s")...)
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the run took %s with --timeout 2s", d)
	}
	m := checkManifest(t, testkit.ReadZip(t, strings.TrimSpace(r.stdout)))
	timedOut := 0
	for _, c := range m.Collectors {
		if c.State == "timeout" && strings.Contains(c.Reason, "--timeout") {
			timedOut++
		}
		if c.Name == "alerts" && c.State != "timeout" {
			t.Errorf("alerts = %+v, want timeout", c)
		}
	}
	if timedOut < 2 {
		t.Errorf("collectors %+v: want the running one and those after it timed out by --timeout", m.Collectors)
	}
	if !m.Incomplete || m.Interrupted {
		t.Errorf("incomplete=%v interrupted=%v, want incomplete and not interrupted", m.Incomplete, m.Interrupted)
	}
}

// TestE2E_BadInputIsOneLine: every bad input gets one line on stderr that
// names it, exit 2 (4 for the environment), nothing on stdout and nothing
// in the output directory.
func TestE2E_BadInputIsOneLine(t *testing.T) {
	fake, _ := e2eFake(t)
	out := t.TempDir()
	dir := t.TempDir()
	notZip := filepath.Join(dir, "broken.zip")
	os.WriteFile(notZip, []byte("PK\x03\x04 this is not a zip"), 0o600)
	aFile := filepath.Join(dir, "file.txt")
	os.WriteFile(aFile, []byte("x"), 0o600)
	shortSecret := filepath.Join(dir, "short.txt")
	os.WriteFile(shortSecret, []byte("abc\n"), 0o600)
	noManifest := filepath.Join(dir, "nomanifest.zip")
	writeZip(t, noManifest, map[string]string{"README.txt": "hello"})
	unreadable := "/proc/self/clear_refs" // opens, but every read fails
	base := func(extra ...string) []string {
		return e2eBundleArgs(fake, out, append([]string{"--no-probe", "--no-status"}, extra...)...)
	}
	env := e2eEnv()
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		msg  string
	}{
		{"malformed --from", env, []string{"bundle", "--output", out, "--from", "2026-13-01", "--to", "2026-11-25T00:00:00Z"}, 2, "--from"},
		{"malformed --since", env, []string{"bundle", "--output", out, "--since", "7x"}, 2, "--since"},
		{"unknown zone", env, []string{"bundle", "--output", out, "--tz", "Nowhere/City"}, 2, "--tz"},
		{"older than 30 days", env, []string{"bundle", "--api-url", fake.URL, "--output", out, "--since", "45d"}, 2, "30 days"},
		{"account SID not 2 letters + 32 hex", env, base("--account-sid", "AC123"), 2, "--account-sid"},
		{"account SID of another kind", env, base("--account-sid", "CA0123456789abcdef0123456789abcdef"), 2, "--account-sid"},
		{"TWILIO_ACCOUNT_SID malformed", []string{"TWILIO_ACCOUNT_SID=ACnothex", "TWILIO_AUTH_TOKEN=" + e2eToken}, base(), 4, "TWILIO_ACCOUNT_SID"},
		{"TWILIO_API_KEY malformed", []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_API_KEY=SK1", "TWILIO_API_SECRET=" + e2eToken}, base(), 4, "TWILIO_API_KEY"},
		{"alerts file missing", env, base("--alerts-file", filepath.Join(dir, "nope.json")), 2, "nope.json"},
		{"alerts file is a directory", env, base("--alerts-file", dir), 2, dir},
		{"alerts file unreadable", env, base("--alerts-file", unreadable), 2, "clear_refs"},
		{"incidents file is a directory", env, base("--incidents-file", dir), 2, dir},
		{"token file missing", env, base("--auth-token-file", filepath.Join(dir, "token")), 2, "--auth-token-file"},
		{"token file is a directory", env, base("--auth-token-file", dir), 2, "--auth-token-file"},
		{"flow file missing", env, base("--flow", filepath.Join(dir, "flow.md")), 2, "flow.md"},
		{"flow file is a directory", env, base("--flow", dir), 2, "--flow"},
		{"hop log missing", env, base("--hop", "web="+filepath.Join(dir, "access.log")), 2, "access.log"},
		{"broken --previous zip", env, base("--previous", notZip), 2, "--previous"},
		{"--previous is a directory", env, base("--previous", dir), 2, "--previous"},
		{"output is a file", env, []string{"bundle", "--api-url", fake.URL, "--output", aFile}, 2, "not a directory"},
		{"output not writable", env, []string{"bundle", "--api-url", fake.URL, "--output", "/proc"}, 4, "not writable"},
		{"nonsense --max-size", env, base("--max-size", "twenty"), 2, "--max-size"},
		{"negative --max-size", env, base("--max-size", "-5MB"), 2, "--max-size"},
		{"negative --timeout", env, base("--timeout", "-1s"), 2, "--timeout"},
		{"negative --collector-timeout", env, base("--collector-timeout", "-1s"), 2, "--collector-timeout -1s"},
		{"negative --probe-interval", env, base("--probe-interval", "-1s"), 2, "--probe-interval -1s"},
		{"report: negative --collector-timeout", env, []string{"report", "--demo", "--output", out, "--collector-timeout", "-1m"}, 2, "--collector-timeout -1m"},
		{"trace: negative --collector-timeout", env, []string{"trace", "--demo", "--collector-timeout", "-1s"}, 2, "--collector-timeout -1s"},
		{"trace: negative --match-window", env, []string{"trace", "--demo", "--match-window", "-1s"}, 2, "--match-window -1s"},
		{"flow: negative --timeout", env, []string{"flow", "--demo", "--timeout", "-1s"}, 2, "--timeout -1s"},
		{"probe: negative --interval", env, []string{"probe", "https://example.com/", "--interval", "-1s"}, 2, "--interval -1s"},
		{"bad --redact expression", env, base("--redact", "(unclosed"), 2, "--redact"},
		{"redact: input missing", env, []string{"redact", filepath.Join(dir, "in.zip"), "-o", filepath.Join(out, "o.zip")}, 2, "in.zip"},
		{"redact: input is a directory", env, []string{"redact", dir, "-o", filepath.Join(out, "o.zip")}, 2, "directory"},
		{"redact: input not a zip", env, []string{"redact", notZip, "-o", filepath.Join(out, "o.zip")}, 2, "zip"},
		{"redact: input not a bundle", env, []string{"redact", noManifest, "-o", filepath.Join(out, "o.zip")}, 2, "manifest.json"},
		{"redact: no -o", env, []string{"redact", noManifest}, 2, "-o"},
		{"redact: output directory missing", env, []string{"redact", noManifest, "-o", filepath.Join(dir, "nope", "o.zip")}, 2, "does not exist"},
		{"redact: output exists", env, []string{"redact", noManifest, "-o", aFile}, 2, "--force"},
		{"redact: output not writable", env, []string{"redact", noManifest, "-o", "/proc/o.zip"}, 4, "not writable"},
		{"redact: secret file missing", env, []string{"redact", noManifest, "-o", filepath.Join(out, "o.zip"), "--secret-file", filepath.Join(dir, "s")}, 2, "--secret-file"},
		{"redact: secret too short", env, []string{"redact", noManifest, "-o", filepath.Join(out, "o.zip"), "--secret-file", shortSecret}, 2, "--secret-file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runE2E(t, c.env, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.msg) {
				t.Errorf("stderr = %q, want one line mentioning %q", r.stderr, c.msg)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("left %v in the output directory", dirNames(entries))
			}
		})
	}
}

func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(content))
	}
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
