package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// e2eCommand is the command all end-to-end tests run, built once and
// stamped like a release build with repCommit and repDate.
var e2eCommand = &testkit.Command{Package: ".", LDFlags: "-X main.commit=" + repCommit + " -X main.date=" + repDate}

// TestMain removes the built command when the tests have run.
func TestMain(m *testing.M) {
	code := m.Run()
	e2eCommand.Remove()
	os.Exit(code)
}

const (
	e2eAccount = "AC00000000000000000000000000000e2e"
	e2eToken   = "e2eSECRETtoken0000000000000000000"
)

// e2eWindow is a fixed week that ends at today's midnight UTC (within the
// 30 days Twilio keeps alerts).
func e2eWindow() (time.Time, time.Time) {
	to := time.Now().UTC().Truncate(24 * time.Hour)
	return to.Add(-7 * 24 * time.Hour), to
}

func e2eFake(t *testing.T) (*faketwilio.Server, *faketwilio.AccountData) {
	t.Helper()
	from, to := e2eWindow()
	d := faketwilio.DemoData(from, to)
	d.Account.Sid, d.Account.OwnerAccountSid = e2eAccount, e2eAccount
	fake := faketwilio.New(map[string]string{e2eAccount: e2eToken}, d)
	t.Cleanup(fake.Close)
	return fake, d
}

type e2eResult struct {
	code           int
	stdout, stderr string
}

// e2eBaseEnv is the environment of the binary in a test: PATH, a fresh
// HOME, TMPDIR, and where to look for fonts when the test run was told
// (pdfdoc.FontsEnv, to see a machine without a Japanese font).
func e2eBaseEnv(t testing.TB, tmp string) []string { return testkit.BaseEnv(t, tmp, pdfdoc.FontsEnv) }

// runE2E runs the built binary with a fresh HOME; env comes last, so its
// entries override PATH, HOME and TMPDIR (exec keeps the last of a key).
func runE2E(t *testing.T, env []string, args ...string) e2eResult {
	t.Helper()
	return runE2EWith(t, e2eOpts{}, env, args...)
}

// e2eOpts adjust how runE2EWith starts the binary.
type e2eOpts struct {
	// umask runs the binary under this umask (octal, through /bin/sh).
	umask string
	// guard kills a run that has not ended after this long and fails the
	// test: a run that blocks is a failure, not a test that hangs. It is
	// generous, not a measure of speed.
	guard time.Duration
}

// runE2EWith is runE2E with the adjustments of o.
func runE2EWith(t *testing.T, o e2eOpts, env []string, args ...string) e2eResult {
	t.Helper()
	r := e2eCommand.Run(t, testkit.Run{Env: append(e2eBaseEnv(t, os.TempDir()), env...), Umask: o.umask, Guard: o.guard}, args...)
	return e2eResult{r.Code, r.Stdout, r.Stderr}
}

func e2eBundleArgs(fake *faketwilio.Server, out string, extra ...string) []string {
	from, to := e2eWindow()
	return append([]string{"bundle", "--api-url", fake.URL, "--output", out,
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--tz", "UTC"}, extra...)
}

func e2eEnv() []string {
	return []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_AUTH_TOKEN=" + e2eToken, "SOURCE_DATE_EPOCH=1764000000"}
}

func TestE2E_BundleFromFakeAPI(t *testing.T) {
	fake, data := e2eFake(t)
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out)...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	path := strings.TrimSpace(r.stdout)
	if filepath.Dir(path) != out || !strings.HasSuffix(path, ".zip") || strings.Contains(filepath.Base(path), ":") {
		t.Fatalf("stdout = %q, want the zip's path in %s without ':'", r.stdout, out)
	}
	files := testkit.ReadZip(t, path)

	// incidents.csv rows = the fake's webhook-failure alerts in the window.
	from, to := e2eWindow()
	want := map[string]bool{}
	for i := 0; i < data.Alerts.Len(); i++ {
		a := data.Alerts.At(i)
		if twiliocodes.IsWebhookFailure(a.ErrorCode) && !a.Generated.Before(from) && a.Generated.Before(to) {
			want[a.Sid] = true
		}
	}
	var rows []collect.Incident
	if err := gocsv.UnmarshalBytes(files["incidents.csv"], &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) || len(want) == 0 {
		t.Fatalf("incidents.csv has %d rows, the fake served %d webhook failures", len(rows), len(want))
	}
	for _, r := range rows {
		if !want[r.AlertSID] {
			t.Errorf("incidents.csv has %s, which the fake did not serve as a webhook failure", r.AlertSID)
		}
		if r.ResourceSID == "" || r.ErrorCode == "" || r.URL == "" || r.Time.IsZero() {
			t.Errorf("incomplete row %+v", r)
		}
	}

	// The manifest lists every file with its bytes and sha256.
	var m struct {
		Files []struct {
			Name   string `json:"name"`
			Bytes  int    `json:"bytes"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
		Collectors []struct{ Name, State string } `json:"collectors"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Name] = true
		sum := sha256.Sum256(files[f.Name])
		if hex.EncodeToString(sum[:]) != f.SHA256 || len(files[f.Name]) != f.Bytes {
			t.Errorf("manifest: %s sha256/bytes do not match the zip's entry", f.Name)
		}
	}
	for name := range files {
		if name != "manifest.json" && !listed[name] {
			t.Errorf("manifest does not list %s", name)
		}
	}
	for _, name := range []string{"README.txt", "summary.pdf", "ticket.txt", "incidents.csv", "alerts.ndjson", "config/endpoints.csv", "findings.json"} {
		if files[name] == nil {
			t.Errorf("bundle lacks %s", name)
		}
	}

	// The PDF's text holds the Account SID and the incident count.
	text := testkit.PDFText(t, files["summary.pdf"], "-layout")
	if !strings.Contains(text, e2eAccount) {
		t.Errorf("summary.pdf text lacks the Account SID")
	}
	if !strings.Contains(text, fmt.Sprint(len(want))) {
		t.Errorf("summary.pdf text lacks the incident count %d", len(want))
	}

	// No secret anywhere.
	assertNoSecret(t, e2eToken, files, r)
}

func assertNoSecret(t *testing.T, secret string, files map[string][]byte, r e2eResult) {
	t.Helper()
	for name, b := range files {
		if bytes.Contains(b, []byte(secret)) || strings.Contains(name, secret) {
			t.Errorf("%s contains the secret", name)
		}
	}
	if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
		t.Error("stdout/stderr contain the secret")
	}
}

func TestE2E_SameInputsGiveIdenticalZip(t *testing.T) {
	fake, _ := e2eFake(t)
	var zips [][]byte
	var name string
	out := t.TempDir() // the same command line both times
	for i := 0; i < 2; i++ {
		r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out)...)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, r.code, r.stderr)
		}
		path := strings.TrimSpace(r.stdout)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(path)
		zips, name = append(zips, b), filepath.Base(path)
	}
	if !bytes.Equal(zips[0], zips[1]) {
		a, b := testkit.ReadZipBytes(t, name, zips[0]), testkit.ReadZipBytes(t, name, zips[1])
		for name := range a {
			if !bytes.Equal(a[name], b[name]) {
				t.Errorf("entry %s differs between runs", name)
			}
		}
		t.Fatal("two runs on the same inputs gave different zips")
	}
}

func TestE2E_FailingCollectorStillWritesBundle(t *testing.T) {
	fake, _ := e2eFake(t)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + e2eAccount + "/IncomingPhoneNumbers.json", Status: 503})
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out)...)
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (incomplete)\nstderr: %s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	var m struct {
		Incomplete bool `json:"incomplete"`
		Collectors []struct {
			Name, State, Reason string
		} `json:"collectors"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, c := range m.Collectors {
		states[c.Name] = c.State
	}
	if states["config"] != "error" || states["alerts"] != "ok" || !m.Incomplete {
		t.Errorf("manifest collectors = %+v, incomplete %v; want config error, alerts ok, incomplete", m.Collectors, m.Incomplete)
	}
	if !strings.Contains(string(testkit.PDFText(t, files["summary.pdf"], "-layout")), "INCOMPLETE") {
		t.Error("summary.pdf has no INCOMPLETE banner")
	}
}

func TestE2E_ErrorsAreOneLineWithTheirExitCode(t *testing.T) {
	fake, _ := e2eFake(t)
	out := t.TempDir()
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		msg  string
	}{
		{"no credentials", nil, e2eBundleArgs(fake, out), 4, "no Twilio credentials"},
		{"bad window", e2eEnv(), []string{"bundle", "--api-url", fake.URL, "--output", out, "--since", "7x"}, 2, "--since"},
		{"bad zone", e2eEnv(), []string{"bundle", "--api-url", fake.URL, "--output", out, "--tz", "Nowhere/City"}, 2, "--tz"},
		{"older than 30 days", e2eEnv(), []string{"bundle", "--api-url", fake.URL, "--output", out, "--since", "45d"}, 2, "30 days"},
		{"output missing", e2eEnv(), []string{"bundle", "--api-url", fake.URL, "--output", filepath.Join(out, "nope")}, 2, "does not exist"},
		{"unknown flag", e2eEnv(), []string{"bundle", "--sinse", "7d"}, 2, "sinse"},
		{"unknown command", e2eEnv(), []string{"bundel"}, 2, "bundel"},
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
		})
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) != 0 {
		t.Errorf("errors left files behind: %v", names)
	}
}

func TestE2E_ExistingBundleNeedsForce(t *testing.T) {
	fake, _ := e2eFake(t)
	out := t.TempDir()
	if r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out)...); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out)...)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("second run without --force: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--force")...); r.code != 0 {
		t.Fatalf("with --force: %d %s", r.code, r.stderr)
	}
}
