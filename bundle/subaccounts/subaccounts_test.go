package subaccounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

func ptr[T any](v T) *T { return &v }

func TestRankOrdersByIncidentsThenRateThenSID(t *testing.T) {
	rows := []Row{
		{AccountSID: "ACd"}, // no bundle
		{AccountSID: "ACc", numbers: rowNumbers{incidents: 5, has: true}},                  // rate unknown
		{AccountSID: "ACb", numbers: rowNumbers{incidents: 5, rate: ptr(0.01), has: true}}, // same count, rate known
		{AccountSID: "ACa", numbers: rowNumbers{incidents: 9, rate: ptr(0.001), has: true}},
		{AccountSID: "ACe", numbers: rowNumbers{incidents: 5, rate: ptr(0.2), has: true}},
		{AccountSID: "AC0"}, // no bundle, first by SID
	}
	got := Rank(rows)
	var order []string
	for i, r := range got {
		if r.Rank != i+1 {
			t.Errorf("row %d has rank %d", i, r.Rank)
		}
		order = append(order, r.AccountSID)
	}
	if want := "ACa ACe ACb ACc AC0 ACd"; strings.Join(order, " ") != want {
		t.Errorf("order %s, want %s", strings.Join(order, " "), want)
	}
	if rows[0].AccountSID != "ACd" || rows[0].Rank != 0 {
		t.Errorf("Rank changed its input: %+v", rows[0])
	}
}

func TestIndexBaseNameHasNoColon(t *testing.T) {
	w := collect.Window{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 6, 30, 0, 0, time.FixedZone("JST", 9*3600))}
	got := IndexBaseName("ACparent", w)
	if want := "twilio-evidence-index_ACparent_2026-03-01T0000Z_2026-03-07T2130Z"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestRunRanksRecordsFailuresAndWritesIndex runs five subaccounts against
// the fake API: one closed, one the API refuses (403), one whose bundle
// exists, one incomplete and one complete.
func TestRunRanksRecordsFailuresAndWritesIndex(t *testing.T) {
	created := time.Now().AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	parent := faketwilio.SID("AC", "parent")
	const token = "parenttoken000000000000000000000"
	acc := func(name, status string) *faketwilio.AccountData {
		return &faketwilio.AccountData{Account: faketwilio.Account{
			Sid: faketwilio.SID("AC", name), OwnerAccountSid: parent, FriendlyName: "Tenant " + name,
			Status: status, Type: "Full", DateCreated: created, DateUpdated: created,
		}}
	}
	closed, refused, exists, partial, good := acc("closed", "closed"), acc("refused", "active"), acc("exists", "active"), acc("partial", "active"), acc("good", "active")
	fake := faketwilio.New(map[string]string{parent: token}, acc("parent", "active"), closed, refused, exists, partial, good)
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + refused.Account.Sid, Status: http.StatusForbidden})

	out := t.TempDir()
	win := collect.Window{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)}
	creds := collect.Credentials{AccountSID: parent, Username: parent, Secret: token}
	var mu sync.Mutex
	var ran []string
	var gotTokens map[string]string
	res, err := Run(context.Background(), Options{
		Parent: &collect.APIConfig{Credentials: creds, BaseURL: fake.URL}, Window: win, Output: out, Concurrency: 2,
		Tool:        collect.Tool{Version: "1.2.3"},
		Credentials: func(string) (collect.Credentials, error) { return creds, nil },
		Tokens:      func(m map[string]string) { gotTokens = m },
		Refuse: func(sub collect.Account) error {
			if sub.SID == exists.Account.Sid {
				return errors.New("its bundle exists already")
			}
			return nil
		},
		Run: func(_ context.Context, sub collect.Account, p collect.Progress) (*Bundle, error) {
			mu.Lock()
			ran = append(ran, sub.SID)
			mu.Unlock()
			b := &Bundle{Path: filepath.Join(out, sub.SID+".zip"), Incidents: 3, Traffic: ptr(300), ErrorRate: ptr(0.01), Verdict: "3 webhook failures", Summary: sub.FriendlyName}
			if sub.SID == partial.Account.Sid {
				b.Incidents, b.Incomplete, b.Reason = 7, true, "alerts: timed out"
				return b, errors.New("not recorded: the bundle is written")
			}
			return b, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 2 {
		t.Errorf("ran %v, want the two readable subaccounts", ran)
	}
	if gotTokens == nil {
		t.Error("Tokens was not told the list's auth tokens")
	}
	want := []struct {
		sid    string
		status Status
		reason string
	}{
		{partial.Account.Sid, Incomplete, "alerts: timed out"},
		{good.Account.Sid, OK, ""},
		{closed.Account.Sid, Skipped, "closed"},
		{exists.Account.Sid, Failed, "exists already"},
		{refused.Account.Sid, Failed, "403"},
	}
	// The failed and skipped rows are ordered by SID.
	tail := want[2:]
	for i := range tail {
		for j := i + 1; j < len(tail); j++ {
			if tail[j].sid < tail[i].sid {
				tail[i], tail[j] = tail[j], tail[i]
			}
		}
	}
	if len(res.Accounts) != len(want) {
		t.Fatalf("%d rows, want %d", len(res.Accounts), len(want))
	}
	for i, w := range want {
		r := res.Accounts[i]
		if r.AccountSID != w.sid || r.Status != w.status || !strings.Contains(r.Reason, w.reason) || r.Rank != i+1 {
			t.Errorf("row %d: %+v, want %s %s %q", i+1, r, w.sid, w.status, w.reason)
		}
	}
	if r := res.Accounts[1]; r.FriendlyName != "Tenant good" || r.Incidents != "3" || r.ErrorRate != "0.010000" || r.Traffic != "300" || r.Bundle != good.Account.Sid+".zip" || r.Summary != "Tenant good" {
		t.Errorf("the complete row does not carry its bundle: %+v", r)
	}
	counts, incidents := res.Counts()
	if counts[Failed] != 2 || counts[Skipped] != 1 || incidents != 10 {
		t.Errorf("counts %v, incidents %d", counts, incidents)
	}

	base := filepath.Join(out, "twilio-evidence-index_"+parent+"_2026-03-01T0000Z_2026-03-08T0000Z")
	if res.IndexCSV != base+".csv" || res.IndexPDF != base+".pdf" || res.PDFError != nil {
		t.Fatalf("index %s %s %v", res.IndexCSV, res.IndexPDF, res.PDFError)
	}
	f, err := os.Open(res.IndexCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []Row
	if err := gocsv.Unmarshal(f, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0].AccountSID != partial.Account.Sid || rows[0].Status != Incomplete || rows[4].Reason == "" {
		t.Errorf("CSV rows: %+v", rows)
	}
	pdf, err := os.ReadFile(res.IndexPDF)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("index PDF: %v, %.8q", err, pdf)
	}
	if st, err := os.Stat(res.IndexCSV); err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("the index is readable by others: %v %v", st.Mode(), err)
	}
	left, _ := filepath.Glob(filepath.Join(out, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestRunWithoutSubaccounts(t *testing.T) {
	parent := faketwilio.SID("AC", "alone")
	const token = "alonetoken0000000000000000000000"
	created := time.Now().AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	fake := faketwilio.New(map[string]string{parent: token}, &faketwilio.AccountData{Account: faketwilio.Account{
		Sid: parent, OwnerAccountSid: parent, Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}})
	defer fake.Close()
	creds := collect.Credentials{AccountSID: parent, Username: parent, Secret: token}
	res, err := Run(context.Background(), Options{
		Parent: &collect.APIConfig{Credentials: creds, BaseURL: fake.URL}, Output: t.TempDir(),
		Run: func(context.Context, collect.Account, collect.Progress) (*Bundle, error) {
			t.Error("Run called without subaccounts")
			return nil, nil
		},
	})
	var none *NoSubaccountsError
	if res != nil || !errors.As(err, &none) || none.Parent != parent {
		t.Errorf("got %v, %v; want NoSubaccountsError", res, err)
	}
}

func TestLabelledPrefixesTasksAndWarnings(t *testing.T) {
	rec := &recorder{}
	p := labelled{inner: rec, prefix: accountLabel("ac0123456789abcdef")}
	p.Start("alerts", 3)
	p.Warnf("slow %d", 5)
	if want := []string{"start AC012345…: alerts", "warn AC012345…: slow 5"}; fmt.Sprint(rec.lines) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", rec.lines, want)
	}
	if got := accountLabel("ACshort"); got != "ACshort: " {
		t.Errorf("short SID label %q", got)
	}
}

type recorder struct{ lines []string }

func (r *recorder) Start(name string, _ int) collect.Task {
	r.lines = append(r.lines, "start "+name)
	return collect.NoProgress{}.Start("", 0)
}

func (r *recorder) Warnf(format string, args ...any) {
	r.lines = append(r.lines, "warn "+fmt.Sprintf(format, args...))
}
