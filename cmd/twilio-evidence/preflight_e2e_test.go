package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// oneLine returns stderr's only line, failing the test when there are more.
func oneLine(t *testing.T, r e2eResult) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Fatalf("stderr has %d lines, want one:\n%s", len(lines), r.stderr)
	}
	return lines[0]
}

// assertEmptyDir fails when dir holds anything.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the output directory holds %v, want nothing", dirNames(entries))
	}
}

// TestE2E_RejectedCredentialsStopBeforeWriting: Twilio answers the check
// request with 401/20003; bundle and report stop with one line naming the
// variable to check, exit 4, and write nothing; no other request is sent.
func TestE2E_RejectedCredentialsStopBeforeWriting(t *testing.T) {
	const key = "SK0000000000000000000000000000e2e0"
	cases := []struct {
		name string
		env  []string
		cmd  string
		want []string
	}{
		{"auth token", []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_AUTH_TOKEN=wrongTOKEN0000000000000000000000"}, "bundle",
			[]string{"Twilio rejected the credentials for " + e2eAccount, "check TWILIO_AUTH_TOKEN", "20003"}},
		{"API key", []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_API_KEY=" + key, "TWILIO_API_SECRET=wrongSECRET000000000000000000000"}, "bundle",
			[]string{"Twilio rejected the API key " + key + " for " + e2eAccount, "TWILIO_API_KEY and TWILIO_API_SECRET"}},
		{"report", []string{"TWILIO_ACCOUNT_SID=" + e2eAccount, "TWILIO_AUTH_TOKEN=wrongTOKEN0000000000000000000000"}, "report",
			[]string{"Twilio rejected the credentials for " + e2eAccount, "check TWILIO_AUTH_TOKEN"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, _ := e2eFake(t)
			out := t.TempDir()
			args := e2eBundleArgs(fake, out)
			args[0] = c.cmd
			r := runE2E(t, c.env, args...)
			if r.code != exitEnv {
				t.Fatalf("exit %d, want 4\nstderr: %s", r.code, r.stderr)
			}
			line := oneLine(t, r)
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q lacks %q", line, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			assertEmptyDir(t, out)
			if n := fake.Requests("/"); n != 1 {
				t.Errorf("the fake saw %d requests, want the one check request", n)
			}
		})
	}
}

// TestE2E_UnreachableAPIStopsAtOnce: the API's host does not resolve, or
// refuses the connection: one line naming the host and the class of
// failure, pointing at HTTPS_PROXY, exit 4 long before any retry schedule
// would give up, nothing written.
func TestE2E_UnreachableAPIStopsAtOnce(t *testing.T) {
	e2eCommand.Path(t) // built before the clock starts
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		name, apiURL string
		within       time.Duration
		want         []string
	}{
		// A name under .invalid never resolves; the resolver answers at once
		// here, and one that does not answer is given up on within
		// collect.CheckResolveTimeout.
		{"dns", "http://api.twilio.invalid", 10 * time.Second, []string{"DNS", "api.twilio.invalid", "HTTPS_PROXY"}},
		{"connect", "http://" + closed, 10 * time.Second, []string{"connect", "api.twilio.com", closed, "connection refused", "HTTPS_PROXY"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			from, to := e2eWindow()
			start := time.Now()
			// The deadline is on the process: a run still going after
			// c.within is killed and the test fails saying so.
			r := runE2EWith(t, e2eOpts{guard: c.within}, e2eEnv(), "bundle", "--api-url", c.apiURL, "--output", out,
				"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
			took := time.Since(start)
			t.Logf("gave up after %s", took.Round(time.Millisecond))
			if r.code != exitEnv {
				t.Fatalf("exit %d, want 4\nstderr: %s", r.code, r.stderr)
			}
			line := oneLine(t, r)
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q lacks %q", line, w)
				}
			}
			if len(line) > 400 {
				t.Errorf("stderr line is %d characters: %q", len(line), line)
			}
			if took > c.within {
				t.Errorf("the run took %s to give up, want under %s", took, c.within)
			}
			assertEmptyDir(t, out)
		})
	}
}

// TestE2E_ExistingBundleIsRefusedBeforeAnyRequest: a bundle of the same
// account and window exists: exit 2 naming it and --force, and the fake
// API sees no request at all.
func TestE2E_ExistingBundleIsRefusedBeforeAnyRequest(t *testing.T) {
	fake, _ := e2eFake(t)
	out := t.TempDir()
	if r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe")...); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	before := fake.Requests("/")
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe")...)
	if r.code != exitUsage {
		t.Fatalf("second run: exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	if line := oneLine(t, r); !strings.Contains(line, "--force") || !strings.Contains(line, "twilio-evidence_"+e2eAccount) {
		t.Errorf("stderr %q: want the bundle's name and --force", line)
	}
	if n := fake.Requests("/") - before; n != 0 {
		t.Errorf("the refused run sent %d requests, want none", n)
	}
}

// TestE2E_FailedCollectorIsOneShortLine: a collector whose requests fail
// shows as one short line — collector, HTTP status with Twilio's code,
// host — on stderr, in ticket.txt and on the PDF's first page; the raw
// error is in manifest.json only.
func TestE2E_FailedCollectorIsOneShortLine(t *testing.T) {
	fake, _ := e2eFake(t)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + e2eAccount + "/IncomingPhoneNumbers.json", Status: 503})
	out := t.TempDir()
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe")...)
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
	}
	const line = "config: HTTP 503 (Twilio error 20500) from api.twilio.com"
	if !strings.Contains(r.stderr, "twilio-evidence: "+line+"\n") {
		t.Errorf("stderr lacks the line %q:\n%s", line, r.stderr)
	}
	// One line is the run's diagnosis: the headline in full, the failures
	// and the bundle's path; every other line stays short.
	diagnosis := 0
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, " webhook failures. Bundle: ") {
			diagnosis++
			continue
		}
		if len(l) > 200 {
			t.Errorf("stderr line of %d characters: %q", len(l), l)
		}
	}
	if diagnosis != 1 {
		t.Errorf("%d diagnosis lines on stderr, want 1:\n%s", diagnosis, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	raw := "Service Unavailable" // Twilio's message, in the raw error the manifest keeps
	m := checkManifest(t, files)
	found := false
	for _, c := range m.Collectors {
		found = found || c.Name == "config" && strings.Contains(c.Reason, raw)
	}
	if !found {
		t.Errorf("manifest collectors %+v: want config's raw error", m.Collectors)
	}
	var mf struct {
		Collectors []struct {
			Name    string
			Failure *struct {
				Class      string `json:"class"`
				Host       string `json:"host"`
				HTTPStatus int    `json:"http_status"`
				TwilioCode int    `json:"twilio_code"`
			} `json:"failure"`
		} `json:"collectors"`
	}
	if err := json.Unmarshal(files["manifest.json"], &mf); err != nil {
		t.Fatal(err)
	}
	for _, c := range mf.Collectors {
		if c.Name == "config" && (c.Failure == nil || c.Failure.Class != "http" || c.Failure.HTTPStatus != 503 || c.Failure.TwilioCode != 20500 || c.Failure.Host != "api.twilio.com") {
			t.Errorf("manifest: config failure %+v, want http 503/20500 at api.twilio.com", c.Failure)
		}
	}
	texts := map[string]string{"ticket.txt": string(files["ticket.txt"]), "README.txt": string(files["README.txt"]), "findings.json": string(files["findings.json"])}
	if !strings.Contains(texts["ticket.txt"], line) {
		t.Errorf("ticket.txt lacks %q", line)
	}
	texts["summary.pdf"] = testkit.PDFText(t, files["summary.pdf"], "-layout")
	page1, _, _ := strings.Cut(texts["summary.pdf"], "\f")
	if !strings.Contains(strings.Join(strings.Fields(page1), " "), line) {
		t.Errorf("the PDF's first page lacks %q:\n%s", line, page1)
	}
	for name, text := range texts {
		if strings.Contains(text, raw) {
			t.Errorf("%s holds the raw error (%q)", name, raw)
		}
	}
}

// TestE2E_UnreadStatusPageLeavesTheBundleComplete: Twilio's status page
// cannot be read (refused, or answering 503): the run exits 0 with a
// complete bundle whose manifest and PDF say the page was not read, and
// whose diagnosis says a Twilio incident could not be checked.
func TestE2E_UnreadStatusPageLeavesTheBundleComplete(t *testing.T) {
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer unavailable.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct{ name, url, want string }{
		{"refused", "http://" + closed, "Twilio status page not read: connect: no connection to " + closed + ": connection refused"},
		{"503", unavailable.URL, "Twilio status page not read: HTTP 503 from 127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, _ := e2eFake(t)
			out := t.TempDir()
			r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-probe", "--status-url", c.url)...)
			if r.code != exitOK {
				t.Fatalf("exit %d, want 0\nstderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "warning: "+c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, r.stderr)
			}
			files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
			var m struct {
				Incomplete bool     `json:"incomplete"`
				Unread     []string `json:"unread"`
				Collectors []struct {
					Name, State string
					Context     bool
				} `json:"collectors"`
			}
			if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
				t.Fatal(err)
			}
			if m.Incomplete || len(m.Unread) != 1 || !strings.HasPrefix(m.Unread[0], c.want) {
				t.Errorf("manifest: incomplete %v, unread %q; want complete and %q", m.Incomplete, m.Unread, c.want)
			}
			for _, col := range m.Collectors {
				if col.Name == "twilio-status" && (col.State != "error" || !col.Context) {
					t.Errorf("manifest: twilio-status %+v, want an error marked as context", col)
				}
			}
			pdf := strings.Join(strings.Fields(testkit.PDFText(t, files["summary.pdf"], "-layout")), " ")
			if !strings.Contains(pdf, c.want) {
				t.Errorf("the PDF lacks %q", c.want)
			}
			if strings.Contains(pdf, "INCOMPLETE") {
				t.Error("the PDF says INCOMPLETE")
			}
			for _, s := range []string{"Twilio incident could not be checked", "status.twilio.com"} {
				if !strings.Contains(pdf, s) {
					t.Errorf("the PDF's diagnosis lacks %q", s)
				}
			}
			if !strings.Contains(string(files["findings.json"]), `"twilio.status_unread"`) {
				t.Error("findings.json lacks twilio.status_unread")
			}
		})
	}
}
