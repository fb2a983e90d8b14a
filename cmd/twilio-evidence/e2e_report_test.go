package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/bundle/subaccounts"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runlock"
	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// The binary of these tests is stamped like a release build.
const (
	repCommit = "0123456789abcdef0123456789abcdef01234567"
	repDate   = "2026-11-25T00:00:00Z"
)

// repResult is how a run of the binary ended.
type repResult = e2eResult

// runRep runs the binary like a user; env entries override HOME and TMPDIR.
func runRep(t *testing.T, env []string, args ...string) repResult {
	t.Helper()
	return runE2E(t, env, args...)
}

func repCreds() []string {
	return []string{"TWILIO_ACCOUNT_SID=" + faketwilio.DemoAccountSID, "TWILIO_AUTH_TOKEN=" + faketwilio.DemoAuthToken}
}

// repDays is midnight UTC today minus n days.
func repDays(n int) time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -n)
}

func rfc(t time.Time) string { return t.Format(time.RFC3339) }

func zipsIn(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestE2E_ReportTwiceWithKeepOne runs the weekly report twice into one
// directory as cron does — no terminal, HOME not writable — and reads the
// JSON back: the second run trends against the first bundle, then deletes it.
func TestE2E_ReportTwiceWithKeepOne(t *testing.T) {
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, faketwilio.DemoData(repDays(14), repDays(0)))
	defer fake.Close()
	out, tmp := t.TempDir(), t.TempDir()
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, []byte("x"), 0o444)
	// Nothing can be created under this HOME, not even by root.
	env := append(repCreds(), "HOME="+filepath.Join(notADir, "home"), "TMPDIR="+tmp)

	report := func(from, to time.Time, extra ...string) (weekly.Summary, repResult) {
		t.Helper()
		args := append([]string{"report", "--api-url", fake.URL, "--output", out, "--from", rfc(from), "--to", rfc(to),
			"--tz", "UTC", "--keep", "1", "--json", "--max-details", "5", "--no-status", "--no-probe"}, extra...)
		r := runRep(t, env, args...)
		var sum weekly.Summary
		if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
			t.Fatalf("stdout is not the JSON summary: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
		}
		if strings.Contains(r.stderr, "\x1b") {
			t.Errorf("escape codes on stderr without a terminal:\n%q", r.stderr)
		}
		return sum, r
	}

	first, r1 := report(repDays(14), repDays(7))
	if r1.code != exitOK {
		t.Fatalf("first report exit %d:\n%s", r1.code, r1.stderr)
	}
	if first.Previous != nil {
		t.Errorf("first report has a previous bundle: %+v", first.Previous)
	}
	if first.Incidents == 0 || first.ErrorRate == nil || first.Verdict == "" || len(first.Collectors) == 0 {
		t.Errorf("first summary lacks figures: %+v", first)
	}
	if first.Cause == "" || first.Confidence == "" || first.Headline == "" || first.Headline != first.HeadlineFinding.Sentence ||
		first.HeadlineFinding.Cause != first.Cause {
		t.Errorf("--json lacks the diagnosis: cause %q, confidence %q, headline %q, verdict finding %+v", first.Cause, first.Confidence, first.Headline, first.HeadlineFinding)
	}
	if _, err := os.Stat(first.Path); err != nil {
		t.Fatalf("first bundle: %v", err)
	}

	second, r2 := report(repDays(7), repDays(0))
	if r2.code != exitOK {
		t.Fatalf("second report exit %d:\n%s", r2.code, r2.stderr)
	}
	p := second.Previous
	if p == nil || p.Bundle != first.Path || p.Error != "" {
		t.Fatalf("second report's baseline = %+v, want the first bundle %s", p, first.Path)
	}
	if p.Incidents != first.Incidents || p.Change != second.Incidents-first.Incidents || !p.Comparable {
		t.Errorf("trend = %+v; first had %d incidents, second %d", p, first.Incidents, second.Incidents)
	}
	// The warnings agree with the JSON: a trend it states is not said missing.
	if strings.Contains(r2.stderr, "no trend") {
		t.Errorf("stderr warns of no trend while the JSON has one:\n%s", r2.stderr)
	}
	if len(second.Deleted) != 1 || second.Deleted[0] != first.Path {
		t.Errorf("deleted = %v, want the first bundle", second.Deleted)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || filepath.Join(out, entries[0].Name()) != second.Path {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("--output holds %v, want only the second bundle (no lock, no temporary files)", names)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the temporary directory still holds %d entries", len(left))
	}

	third, r3 := report(repDays(7), repDays(0), "--fail-on-incidents")
	if r3.code != exitIncidents || third.ExitCode != exitIncidents {
		t.Errorf("--fail-on-incidents with %d incidents: exit %d (JSON %d), want 1\n%s", third.Incidents, r3.code, third.ExitCode, r3.stderr)
	}
	if !strings.Contains(r3.stderr, "--fail-on-incidents") {
		t.Errorf("stderr does not say why it failed:\n%s", r3.stderr)
	}
}

// TestE2E_ReportLock shows that a live run's lock stops a second run, and
// that the lock of a run that died is taken over with a warning.
func TestE2E_ReportLock(t *testing.T) {
	out := t.TempDir()
	args := []string{"report", "--demo", "--output", out, "--quiet"}
	lockPath := filepath.Join(out, weekly.LockFile)

	held, _, err := runlock.Acquire(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	r := runRep(t, nil, args...)
	held.Release()
	if r.code != exitEnv || !strings.Contains(r.stderr, "another run") || !strings.Contains(r.stderr, "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("with the lock held: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if len(zipsIn(t, out)) != 0 {
		t.Fatal("a bundle was written while the lock was held")
	}

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no 'true' command:", err)
	}
	os.WriteFile(lockPath, []byte(fmt.Sprintf("pid=%d\nhost=elsewhere\nstarted=2026-11-01T00:00:00Z\n", dead.Process.Pid)), 0o644)
	r = runRep(t, nil, args...)
	if r.code != exitOK {
		t.Fatalf("with a stale lock: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "took over the lock") || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", dead.Process.Pid)) {
		t.Errorf("no warning about the stale lock:\n%s", r.stderr)
	}
	if _, err := os.Stat(lockPath); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	if len(zipsIn(t, out)) != 1 {
		t.Errorf("want one bundle after taking over the lock")
	}
}

// TestE2E_ProgressBarInATerminal runs the binary in tmux and sees the bars;
// the same run into a pipe prints timestamped lines without escape codes.
func TestE2E_ProgressBarInATerminal(t *testing.T) {
	needtool.Command(t, "tmux", "tmux")
	bin := e2eCommand.Path(t)
	out := t.TempDir()
	socket := fmt.Sprintf("te-%d", os.Getpid())
	tmux := func(args ...string) (string, error) {
		b, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(b), err
	}
	script := fmt.Sprintf("%s bundle --demo --output %s >/dev/null; echo EXIT=$?; sleep 60", bin, out)
	if msg, err := tmux("new-session", "-d", "-s", "bar", "-x", "120", "-y", "30", "sh", "-c", script); err != nil {
		t.Fatalf("tmux: %v %s", err, msg)
	}
	defer tmux("kill-server")
	var screen string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		s, err := tmux("capture-pane", "-p", "-t", "bar")
		if err != nil {
			t.Fatalf("capture-pane: %v %s", err, s)
		}
		if screen = s; strings.Contains(s, "EXIT=") {
			break
		}
	}
	if !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("the run did not end well:\n%s", screen)
	}
	if !strings.Contains(screen, "alert details") || !strings.Contains(screen, "200 / 200") || !strings.Contains(screen, "[==") {
		t.Errorf("no progress bar on the terminal:\n%s", screen)
	}
	if strings.Contains(screen, "alerts: started") {
		t.Errorf("plain progress lines on a terminal:\n%s", screen)
	}

	r := runRep(t, nil, "bundle", "--demo", "--output", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("piped run: exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b") || strings.Contains(r.stderr, "\r") {
		t.Errorf("escape codes in the piped run:\n%q", r.stderr)
	}
	if !strings.Contains(r.stderr, "alert details: 200 done") {
		t.Errorf("no progress lines in the piped run:\n%s", r.stderr)
	}
	// --quiet: no progress; warnings (the demo's status page has one) stay.
	if q := runRep(t, nil, "bundle", "--demo", "--quiet", "--output", t.TempDir()); q.code != exitOK || strings.Contains(q.stderr, " done in ") || strings.Contains(q.stderr, "started") {
		t.Errorf("--quiet: exit %d, stderr %q", q.code, q.stderr)
	}
}

// fetchAlertPages saves the Monitor API's answer as curl would, page after
// page, following meta.next_page_url.
func fetchAlertPages(t *testing.T, fake *faketwilio.Server, from, to time.Time) ([]byte, []json.RawMessage) {
	t.Helper()
	next := "https://monitor.twilio.com/v1/Alerts?PageSize=100&StartDate=" + rfc(from) + "&EndDate=" + rfc(to)
	var saved bytes.Buffer
	var all []json.RawMessage
	for next != "" {
		u := strings.Replace(next, "https://monitor.twilio.com", fake.URL, 1)
		req, _ := http.NewRequest("GET", u, nil)
		req.Host = "monitor.twilio.com"
		req.SetBasicAuth(faketwilio.DemoAccountSID, faketwilio.DemoAuthToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		saved.Write(body)
		var page struct {
			Alerts []json.RawMessage `json:"alerts"`
			Meta   struct {
				Next *string `json:"next_page_url"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("page: %v\n%s", err, body)
		}
		all = append(all, page.Alerts...)
		next = ""
		if page.Meta.Next != nil {
			next = *page.Meta.Next
		}
	}
	return saved.Bytes(), all
}

// camelCased rewrites an alert's keys the way twilio-cli prints them.
func camelCased(t *testing.T, raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for k, v := range m {
		parts := strings.Split(k, "_")
		for i := 1; i < len(parts); i++ {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
		out[strings.Join(parts, "")] = v
	}
	b, _ := json.Marshal(out)
	return b
}

// TestE2E_OfflineInputsGiveTheSameIncidentsCSV runs the same alerts through
// the fake API and through saved files: incidents.csv is identical.
func TestE2E_OfflineInputsGiveTheSameIncidentsCSV(t *testing.T) {
	from, to := repDays(7), repDays(0)
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, faketwilio.DemoData(from, to))
	defer fake.Close()
	window := []string{"--from", rfc(from), "--to", rfc(to), "--tz", "UTC", "--no-status", "--no-probe"}

	apiOut := t.TempDir()
	r := runRep(t, repCreds(), append([]string{"bundle", "--api-url", fake.URL, "--output", apiOut, "--max-details", "0"}, window...)...)
	if r.code != exitOK {
		t.Fatalf("API run: exit %d\n%s", r.code, r.stderr)
	}
	apiZip := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	want := apiZip["incidents.csv"]
	if bytes.Count(want, []byte("\n")) < 10 {
		t.Fatalf("the API run found too few incidents to compare:\n%s", want)
	}

	pages, alerts := fetchAlertPages(t, fake, from, to)
	var array, ndjson, camel bytes.Buffer
	array.WriteString("[\n")
	camel.WriteString("[")
	for i, a := range alerts {
		if i > 0 {
			array.WriteString(",\n")
			camel.WriteString(",")
		}
		array.Write(a)
		camel.Write(camelCased(t, a))
		ndjson.Write(a)
		ndjson.WriteString("\n")
	}
	array.WriteString("\n]\n")
	camel.WriteString("]")
	dir := t.TempDir()
	inputs := map[string][]byte{"pages.json": pages, "array.json": array.Bytes(), "alerts.ndjson": ndjson.Bytes(),
		"twilio-cli.json": camel.Bytes(), "incidents.csv": want}
	for name, data := range inputs {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}

	for name := range inputs {
		t.Run(name, func(t *testing.T) {
			flag := "--alerts-file"
			if strings.HasSuffix(name, ".csv") {
				flag = "--incidents-file"
			}
			out := t.TempDir()
			// No credentials at all: the run must not need them.
			r := runRep(t, nil, append([]string{"bundle", flag, filepath.Join(dir, name), "--output", out}, window...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
			if got := files["incidents.csv"]; !bytes.Equal(got, want) {
				t.Errorf("incidents.csv differs from the API run's:\n got %d bytes\nwant %d bytes\n%s", len(got), len(want), firstDiff(got, want))
			}
			var m struct {
				Collectors []weekly.Collector `json:"collectors"`
			}
			if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
				t.Fatal(err)
			}
			fromFile, skipped := "", 0
			for _, c := range m.Collectors {
				switch {
				case c.Source == "file" && c.State == "ok":
					fromFile = c.Name
				case c.Source == "api" && c.State == "skipped" && strings.Contains(c.Reason, "offline run"):
					skipped++
				case c.Source == "api":
					t.Errorf("API collector %s is %s (%s), want skipped as offline", c.Name, c.State, c.Reason)
				}
			}
			if fromFile == "" || skipped == 0 {
				t.Errorf("the manifest does not say what ran from files: %+v", m.Collectors)
			}
			if flag == "--alerts-file" && bytes.Count(files["alerts.ndjson"], []byte("\n")) != len(alerts) {
				t.Errorf("alerts.ndjson holds %d lines, want %d", bytes.Count(files["alerts.ndjson"], []byte("\n")), len(alerts))
			}
		})
	}

	// Without a window, an offline run covers the span of its file.
	out := t.TempDir()
	r = runRep(t, nil, "bundle", "--incidents-file", filepath.Join(dir, "incidents.csv"), "--output", out, "--no-status", "--no-probe")
	if r.code != exitOK {
		t.Fatalf("run without a window: exit %d\n%s", r.code, r.stderr)
	}
	if got := testkit.ReadZip(t, strings.TrimSpace(r.stdout))["incidents.csv"]; !bytes.Equal(got, want) {
		t.Errorf("without a window, incidents.csv differs:\n%s", firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// readZipFiles returns every entry of the zip at path, by name.
// subaccountAlerts makes n webhook failures of one subaccount, newest first.
func subaccountAlerts(acc string, n int, to time.Time) faketwilio.Alerts {
	var out faketwilio.Alerts
	for i := 0; i < n; i++ {
		ts := to.Add(-time.Duration(i+1) * 37 * time.Minute)
		sid := faketwilio.SID("NO", acc+strconv.Itoa(i))
		out = append(out, faketwilio.Alert{
			AccountSid: acc, Sid: sid, ErrorCode: "11200", LogLevel: "error", APIVersion: "2010-04-01",
			AlertText:   "Msg=Got+HTTP+502+response+to+https%3A%2F%2Fapp.example%2Fvoice&ErrorCode=11200&LogLevel=ERROR",
			DateCreated: ts.Format(faketwilio.ISO8601), DateGenerated: ts.Format(faketwilio.ISO8601), DateUpdated: ts.Format(faketwilio.ISO8601),
			RequestURL: "https://app.example/voice", ResourceSid: faketwilio.SID("CA", acc+strconv.Itoa(i)),
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: ts,
		})
	}
	return out
}

// TestE2E_AllSubaccounts runs 50 subaccounts, one of which cannot be read:
// 49 bundles, the failure in the index, the index ranked by incidents.
func TestE2E_AllSubaccounts(t *testing.T) {
	from, to := repDays(7), repDays(0)
	parent := faketwilio.SID("AC", "isv-parent")
	const token = "isvparenttoken0000000000000000000"
	created := from.AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	accounts := []*faketwilio.AccountData{{Account: faketwilio.Account{Sid: parent, OwnerAccountSid: parent, FriendlyName: "ISV", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}}}
	var subs []string
	for i := 0; i < 50; i++ {
		sid := faketwilio.SID("AC", fmt.Sprint("tenant", i))
		subs = append(subs, sid)
		accounts = append(accounts, &faketwilio.AccountData{
			Account: faketwilio.Account{Sid: sid, OwnerAccountSid: parent, FriendlyName: fmt.Sprintf("Tenant %02d", i), Status: "active", Type: "Full", DateCreated: created, DateUpdated: created},
			Alerts:  subaccountAlerts(sid, (i*7)%23, to),
		})
	}
	fake := faketwilio.New(map[string]string{parent: token}, accounts...)
	defer fake.Close()
	failing := subs[13]
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + failing, Status: http.StatusForbidden})

	out := t.TempDir()
	r := runRep(t, []string{"TWILIO_ACCOUNT_SID=" + parent, "TWILIO_AUTH_TOKEN=" + token},
		"bundle", "--all-subaccounts", "--api-url", fake.URL, "--output", out, "--from", rfc(from), "--to", rfc(to),
		"--tz", "UTC", "--max-details", "2", "--concurrency", "4", "--no-status", "--no-probe")
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3 (one subaccount failed)\nstderr:\n%s", r.code, r.stderr)
	}
	zips := zipsIn(t, out)
	if len(zips) != 49 {
		t.Fatalf("%d bundles, want 49", len(zips))
	}
	for _, z := range zips {
		if strings.Contains(z, failing) {
			t.Errorf("a bundle was written for the failing subaccount: %s", z)
		}
	}
	csvs, _ := filepath.Glob(filepath.Join(out, "twilio-evidence-index_"+parent+"_*.csv"))
	pdfs, _ := filepath.Glob(filepath.Join(out, "twilio-evidence-index_"+parent+"_*.pdf"))
	if len(csvs) != 1 || len(pdfs) != 1 {
		t.Fatalf("index files: csv %v, pdf %v", csvs, pdfs)
	}
	if !strings.Contains(r.stdout, csvs[0]) || strings.Count(r.stdout, ".zip\n") != 49 {
		t.Errorf("stdout does not list the bundles and the index:\n%s", r.stdout)
	}
	f, _ := os.Open(csvs[0])
	defer f.Close()
	var rows []subaccounts.Row
	if err := gocsv.Unmarshal(f, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 50 {
		t.Fatalf("index has %d rows, want 50", len(rows))
	}
	last := rows[len(rows)-1]
	if last.AccountSID != failing || last.Status != subaccounts.Failed || !strings.Contains(last.Reason, "403") {
		t.Errorf("the failing subaccount is not recorded last with its reason: %+v", last)
	}
	prev := 1 << 30
	for i, row := range rows[:49] {
		n, err := strconv.Atoi(row.Incidents)
		if err != nil || row.Status != subaccounts.OK || row.Rank != i+1 {
			t.Fatalf("row %d: %+v", i+1, row)
		}
		if n > prev {
			t.Fatalf("row %d has %d incidents after %d: not ranked", i+1, n, prev)
		}
		prev = n
	}
	if rows[0].Incidents != "22" {
		t.Errorf("top subaccount has %s incidents, want 22", rows[0].Incidents)
	}
	if !strings.Contains(r.stderr, failing) {
		t.Errorf("stderr does not name the failing subaccount:\n%s", r.stderr)
	}
	pdf, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	if text := testkit.PDFText(t, pdf, "-layout"); !strings.Contains(text, "Webhook failures by subaccount") || !strings.Contains(text, "1 failed") {
		t.Errorf("index PDF text:\n%s", text)
	}
}

// TestE2E_HelpTeachesAndErrorsSayWhatToDo checks --help, --version and the
// messages of common mistakes.
func TestE2E_HelpTeachesAndErrorsSayWhatToDo(t *testing.T) {
	out := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"bundle help", []string{"bundle", "--help"}, 0, []string{"Examples:", "--since 24h", "--alerts-file", "twilio-evidence report", "probe", "Exit codes:", "--quiet"}, nil},
		{"report help", []string{"report", "--help"}, 0, []string{"0 6 * * 1", "--week last", "--keep", "--fail-on-incidents", "--all-subaccounts", "bundle --since 24h", "Exit codes:"}, nil},
		{"main help", []string{"--help"}, 0, []string{"bundle", "report", "The three ways"}, nil},
		{"version", []string{"--version"}, 0, []string{"commit " + repCommit[:12], "built " + repDate}, nil},
		{"version command", []string{"version"}, 0, []string{"commit " + repCommit[:12]}, nil},
		{"misspelt flag", []string{"bundle", "--sinse", "7d"}, 2, nil, []string{"unknown flag --sinse; did you mean --since?"}},
		{"another command's flag", []string{"bundle", "--keep", "3"}, 2, nil, []string{"--keep is a flag of report"}},
		{"misspelt command", []string{"reprot"}, 2, nil, []string{"did you mean report?"}},
		{"report without output", []string{"report", "--since", "7d"}, 2, nil, []string{"report needs --output DIR"}},
		{"unknown week", []string{"report", "--week", "next", "--output", out}, 2, nil, []string{"'last'"}},
		{"missing alerts file", []string{"bundle", "--alerts-file", filepath.Join(out, "nope.json")}, 2, nil, []string{"--alerts-file", "nope.json"}},
		{"no credentials", []string{"report", "--output", out}, 4, nil, []string{"TWILIO_ACCOUNT_SID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runRep(t, nil, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if c.code != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("the error is not one line:\n%s", r.stderr)
			}
		})
	}
}
