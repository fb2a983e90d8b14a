package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// twoWeekFake serves the demo account's data, under the e2e account, over
// the e2e week and the week before it.
func twoWeekFake(t *testing.T) *faketwilio.Server {
	t.Helper()
	from, to := e2eWindow()
	d := faketwilio.DemoData(from.Add(-7*24*time.Hour), to)
	d.Account.Sid, d.Account.OwnerAccountSid = e2eAccount, e2eAccount
	fake := faketwilio.New(map[string]string{e2eAccount: e2eToken}, d)
	t.Cleanup(fake.Close)
	return fake
}

// bundleOver runs bundle over [from, to) and returns the zip's path.
func bundleOver(t *testing.T, fake *faketwilio.Server, out string, from, to time.Time, extra ...string) (string, e2eResult) {
	t.Helper()
	args := append([]string{"bundle", "--api-url", fake.URL, "--output", out,
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--tz", "UTC", "--max-details", "5", "--no-status", "--no-probe"}, extra...)
	r := runE2E(t, e2eEnv(), args...)
	if r.code != 0 {
		t.Fatalf("bundle %v: exit %d\nstderr: %s", extra, r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout), r
}

func summaryIn(t *testing.T, files map[string][]byte) *stats.Stats {
	t.Helper()
	st, err := stats.ReadSummary(strings.NewReader(string(files[stats.SummaryPath])))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func collectorState(t *testing.T, files map[string][]byte, name string) (string, string) {
	t.Helper()
	var m struct {
		Collectors []struct{ Name, State, Reason string } `json:"collectors"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Collectors {
		if c.Name == name {
			return c.State, c.Reason
		}
	}
	return "", ""
}

func TestE2E_TrendOnThePreviousWeek(t *testing.T) {
	fake := twoWeekFake(t)
	from, to := e2eWindow()
	week := 7 * 24 * time.Hour
	firstPath, _ := bundleOver(t, fake, t.TempDir(), from.Add(-week), from)
	first := summaryIn(t, testkit.ReadZip(t, firstPath))
	if first.Total < 50 {
		t.Fatalf("the previous week holds %d incidents: too few for a test", first.Total)
	}

	for _, tc := range []struct {
		name      string
		extra     []string
		collector string
	}{
		{"from the previous bundle (--previous)", []string{"--previous", firstPath}, "skipped"},
		{"from the API, which still holds the previous week", nil, "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, _ := bundleOver(t, fake, t.TempDir(), from, to, tc.extra...)
			files := testkit.ReadZip(t, path)
			st := summaryIn(t, files)
			tr := st.Trend
			if tr == nil {
				t.Fatal("summary.json has no trend")
			}
			if tr.Total.Previous != first.Total || tr.Total.Current != st.Total || tr.Total.Change != st.Total-first.Total {
				t.Errorf("trend total = %+v, want %d against the previous bundle's %d", tr.Total, st.Total, first.Total)
			}
			if want := float64(st.Total-first.Total) / float64(first.Total); tr.Total.Percent == nil || *tr.Total.Percent != want {
				t.Errorf("trend percent = %v, want %v", tr.Total.Percent, want)
			}
			if !tr.PreviousWindow.From.Equal(from.Add(-week)) || !tr.PreviousWindow.To.Equal(from) {
				t.Errorf("previous window %s to %s, want the week before %s", tr.PreviousWindow.From, tr.PreviousWindow.To, from)
			}
			if tr.Rate.Previous == nil || *tr.Rate.Previous != *first.Rate.Value {
				t.Errorf("previous error rate = %v, want the previous bundle's %v", tr.Rate.Previous, first.Rate.Value)
			}
			if state, reason := collectorState(t, files, "previous-window"); state != tc.collector {
				t.Errorf("previous-window collector %s (%s), want %s", state, reason, tc.collector)
			}
			var findings []struct{ ID, Verdict string }
			if err := json.Unmarshal(files["findings.json"], &findings); err != nil {
				t.Fatal(err)
			}
			trend := 0
			for _, f := range findings {
				if strings.HasPrefix(f.ID, "stats.trend.") {
					trend++
				}
			}
			if trend == 0 {
				t.Errorf("findings.json has no stats.trend.* finding")
			}
		})
	}
}

func TestE2E_BadPreviousIsOneLineExit2(t *testing.T) {
	fake := twoWeekFake(t)
	from, to := e2eWindow()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.zip")
	if err := os.WriteFile(garbage, []byte("not a zip at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.zip")
	f, err := os.Create(empty)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("README.txt")
	w.Write([]byte("no statistics here"))
	zw.Close()
	f.Close()
	// This week's own bundle overlaps this week.
	same, _ := bundleOver(t, fake, dir, from, to)

	for _, tc := range []struct {
		name, path, msg string
	}{
		{"missing file", filepath.Join(dir, "nope.zip"), "nope.zip"},
		{"not a zip", garbage, "not a valid zip"},
		{"a zip without statistics or manifest", empty, "empty.zip"},
		{"a bundle of the same window", same, "after this window starts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			before := fake.Requests("/v1/Alerts")
			r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, out, "--no-status", "--no-probe", "--previous", tc.path)...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "--previous") || !strings.Contains(lines[0], tc.msg) {
				t.Errorf("stderr = %q, want one line about --previous mentioning %q", r.stderr, tc.msg)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 || r.stdout != "" {
				t.Errorf("a bad --previous still wrote %d files, stdout %q", len(entries), r.stdout)
			}
			if n := fake.Requests("/v1/Alerts") - before; n != 0 {
				t.Errorf("%d alert requests: the run collected before checking --previous", n)
			}
		})
	}
}
