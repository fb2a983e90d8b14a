package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// connectionFailures are n alerts 11205 (HTTP connection failure) on url,
// one every 41 minutes before to: no response, no status, nothing else.
func connectionFailures(acc, u string, n int, to time.Time) faketwilio.Alerts {
	var out faketwilio.Alerts
	for i := 0; i < n; i++ {
		ts := to.Add(-time.Duration(i+1) * 41 * time.Minute)
		sid := faketwilio.SID("NO", fmt.Sprint(acc, "cf", i))
		out = append(out, faketwilio.Alert{
			AccountSid: acc, Sid: sid, ErrorCode: "11205", LogLevel: "error", APIVersion: "2010-04-01",
			AlertText:   fmt.Sprintf("Msg=%s&url=%s&ErrorCode=11205&LogLevel=ERROR", url.QueryEscape("HTTP connection failure"), url.QueryEscape(u)),
			DateCreated: ts.Format(faketwilio.ISO8601), DateGenerated: ts.Format(faketwilio.ISO8601), DateUpdated: ts.Format(faketwilio.ISO8601),
			RequestURL: u, ResourceSid: faketwilio.SID("CA", fmt.Sprint(acc, "cf", i)),
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: ts,
		})
	}
	return out
}

// oneSpaced is s with every run of white space made one space, for text
// that a layout may have wrapped.
func oneSpaced(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestE2E_OneHeadlineEverywhere runs one subaccount with five connection
// failures (11205) and no probes three ways: report --json with its SID
// and its parent's token, bundle on a terminal-less stderr, and bundle
// --all-subaccounts from its parent. The headline is one sentence of one
// analysis: report --json's headline, the verdict finding, page 1 of
// summary.pdf, ticket.txt, README.txt, the index CSV's verdict and the last
// line on stderr all say it.
func TestE2E_OneHeadlineEverywhere(t *testing.T) {
	from, to := repDays(7), repDays(0)
	parent, sub := faketwilio.SID("AC", "headline-parent"), faketwilio.SID("AC", "headline-sub")
	const parentToken = "headlineparent000000000000000000"
	created := from.AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	fake := faketwilio.New(map[string]string{parent: parentToken},
		&faketwilio.AccountData{Account: faketwilio.Account{Sid: parent, OwnerAccountSid: parent, FriendlyName: "ISV", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}},
		&faketwilio.AccountData{
			Account: faketwilio.Account{Sid: sub, OwnerAccountSid: parent, FriendlyName: "Tenant", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created},
			Alerts:  connectionFailures(sub, "https://ivr.example.com/voice", 5, to),
		})
	defer fake.Close()
	window := []string{"--api-url", fake.URL, "--from", rfc(from), "--to", rfc(to), "--tz", "UTC", "--no-status", "--no-probe"}
	// The subaccount's SID with its parent's token, as Twilio accepts.
	subEnv := []string{"TWILIO_ACCOUNT_SID=" + sub, "TWILIO_AUTH_TOKEN=" + parentToken}

	// report --json: the machine summary and the bundle.
	out := t.TempDir()
	r := runRep(t, subEnv, append([]string{"report", "--json", "--output", out}, window...)...)
	if r.code != exitOK {
		t.Fatalf("report exit %d:\n%s", r.code, r.stderr)
	}
	var sum struct {
		Path            string `json:"path"`
		Incidents       int    `json:"incidents"`
		Verdict         string `json:"verdict"`
		Headline        string `json:"headline"`
		HeadlineFinding struct {
			Sentence string `json:"verdict"`
		} `json:"headline_finding"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("stdout is not the JSON summary: %v\n%s", err, r.stdout)
	}
	headline := sum.Headline
	if sum.Incidents != 5 || headline == "" {
		t.Fatalf("summary: %d incidents, headline %q", sum.Incidents, headline)
	}
	t.Logf("headline: %s", headline)
	// The headline is the isolation result, not the count of failures.
	if strings.HasPrefix(headline, "5 webhook failures") {
		t.Errorf("headline is the count of failures, not the diagnosis: %q", headline)
	}
	if sum.Verdict != headline || sum.HeadlineFinding.Sentence != headline {
		t.Errorf("report --json: headline %q, verdict %q, verdict finding %q", headline, sum.Verdict, sum.HeadlineFinding.Sentence)
	}

	files := testkit.ReadZip(t, sum.Path)
	var findings []struct {
		ID       string `json:"id"`
		Sentence string `json:"verdict"`
	}
	if err := json.Unmarshal(files["findings.json"], &findings); err != nil {
		t.Fatalf("findings.json: %v", err)
	}
	if len(findings) == 0 || findings[0].ID != "verdict" || findings[0].Sentence != headline {
		t.Errorf("findings.json does not head with the headline %q: %+v", headline, findings[:min(1, len(findings))])
	}
	for _, name := range []string{"ticket.txt", "README.txt"} {
		if !strings.Contains(oneSpaced(string(files[name])), headline) {
			t.Errorf("%s does not say the headline %q:\n%s", name, headline, files[name])
		}
	}
	if page1 := testkit.PDFText(t, files["summary.pdf"], "-f", "1", "-l", "1"); !strings.Contains(oneSpaced(page1), headline) {
		t.Errorf("page 1 of summary.pdf does not say the headline %q:\n%s", headline, page1)
	}

	// bundle: the last line on stderr.
	r = runRep(t, subEnv, append([]string{"bundle", "--output", t.TempDir()}, window...)...)
	if r.code != exitOK {
		t.Fatalf("bundle exit %d:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, headline) {
		t.Errorf("the last line on stderr does not say the headline %q:\n%s", headline, r.stderr)
	}

	// bundle --all-subaccounts: the index CSV's verdict of the subaccount.
	out = t.TempDir()
	r = runRep(t, []string{"TWILIO_ACCOUNT_SID=" + parent, "TWILIO_AUTH_TOKEN=" + parentToken},
		append([]string{"bundle", "--all-subaccounts", "--output", out}, window...)...)
	if r.code != exitOK {
		t.Fatalf("bundle --all-subaccounts exit %d:\n%s", r.code, r.stderr)
	}
	csvs, _ := filepath.Glob(filepath.Join(out, "twilio-evidence-index_"+parent+"_*.csv"))
	if len(csvs) != 1 {
		t.Fatalf("index CSVs: %v", csvs)
	}
	f, err := os.Open(csvs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("index CSV: %v, %d rows", err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	found := false
	for _, row := range rows[1:] {
		if row[col["account_sid"]] == sub {
			found = true
			if got := row[col["verdict"]]; got != headline {
				t.Errorf("index CSV verdict %q, want the headline %q", got, headline)
			}
		}
	}
	if !found {
		t.Errorf("index CSV has no row for %s:\n%v", sub, rows)
	}
}
