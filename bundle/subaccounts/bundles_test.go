package subaccounts

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// failures502 are n webhook failures of account acc before to.
func failures502(acc string, n int, to time.Time) faketwilio.Alerts {
	var out faketwilio.Alerts
	for i := 0; i < n; i++ {
		ts := to.Add(-time.Duration(i+1) * 37 * time.Minute)
		sid := faketwilio.SID("NO", acc+string(rune('a'+i)))
		out = append(out, faketwilio.Alert{
			AccountSid: acc, Sid: sid, ErrorCode: "11200", LogLevel: "error", APIVersion: "2010-04-01",
			AlertText:   "Msg=Got+HTTP+502+response+to+https%3A%2F%2Fapp.example%2Fvoice&ErrorCode=11200&LogLevel=ERROR",
			DateCreated: ts.Format(faketwilio.ISO8601), DateGenerated: ts.Format(faketwilio.ISO8601), DateUpdated: ts.Format(faketwilio.ISO8601),
			RequestURL: "https://app.example/voice", ResourceSid: faketwilio.SID("CA", acc+string(rune('a'+i))),
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: ts,
		})
	}
	return out
}

const parentToken = "isvparenttoken0000000000000000000"

// tenants is a fake API with a parent and its subaccounts, each with
// incidents[i] webhook failures over the week before to.
func tenants(t *testing.T, to time.Time, incidents ...int) (*faketwilio.Server, string, []string) {
	t.Helper()
	parent := faketwilio.SID("AC", "isv-parent")
	created := to.AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	accounts := []*faketwilio.AccountData{{Account: faketwilio.Account{Sid: parent, OwnerAccountSid: parent, FriendlyName: "ISV", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}}}
	var subs []string
	for i, n := range incidents {
		sid := faketwilio.SID("AC", "tenant"+string(rune('a'+i)))
		subs = append(subs, sid)
		accounts = append(accounts, &faketwilio.AccountData{
			Account: faketwilio.Account{Sid: sid, OwnerAccountSid: parent, FriendlyName: "Tenant " + string(rune('A'+i)), Status: "active", Type: "Full", DateCreated: created, DateUpdated: created},
			Alerts:  failures502(sid, n, to),
		})
	}
	fake := faketwilio.New(map[string]string{parent: parentToken}, accounts...)
	t.Cleanup(fake.Close)
	return fake, parent, subs
}

// parentOptions are the options of a subaccount run against fake, as the
// command's flags give them, over the week before to.
func parentOptions(t *testing.T, fake *faketwilio.Server, parent string, to time.Time) pipeline.Options {
	t.Helper()
	env := map[string]string{"TWILIO_ACCOUNT_SID": parent, "TWILIO_AUTH_TOKEN": parentToken}
	o, err := pipeline.Prepare(pipeline.Options{
		Window: pipeline.Window{From: to.Add(-7 * 24 * time.Hour).Format(time.RFC3339), To: to.Format(time.RFC3339), TZ: "UTC"},
		Output: t.TempDir(), APIURL: fake.URL, MaxDetails: 2, CollectorTimeout: time.Minute,
		APIConcurrency: collect.DefaultAPIConcurrency, RequestTimeout: collect.DefaultRequestTimeout, Concurrency: 2,
		AllSubaccounts: true,
		Probes:         pipeline.Probes{Off: true, Count: collect.DefaultProbeCount},
		Hops:           pipeline.Hops{MatchWindow: time.Minute, LogTZ: "auto", MaxLogBytes: collect.DefaultMaxLogBytes},
		Safety:         pipeline.Safety{MaxSize: pipeline.DefaultMaxSize}, Twilio: pipeline.TwilioSide{NoStatus: true},
		Text: pipeline.Text{Lang: "en"}, Getenv: func(k string) string { return env[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestBundles_OneBundleForEachSubaccountAndTheRankedIndex(t *testing.T) {
	to := time.Now().UTC().Truncate(time.Hour)
	fake, parent, subs := tenants(t, to, 2, 5, 0)
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + subs[2], Status: http.StatusForbidden})
	o := parentOptions(t, fake, parent, to)
	var mu sync.Mutex
	var noted []string
	progress := 0
	run, err := Bundles(context.Background(), BundlesOptions{
		Bundle: o,
		StartProgress: func() (collect.Progress, func()) {
			progress++
			return collect.NoProgress{}, func() {}
		},
		Notes: func(res weekly.Result) {
			mu.Lock()
			defer mu.Unlock()
			noted = append(noted, res.Run.Path)
		},
	})
	if runerr.KindOf(err) != runerr.Incomplete || !strings.Contains(err.Error(), "1 subaccounts failed and 0 are incomplete") {
		t.Fatalf("error %v, want the run incomplete: one subaccount cannot be read", err)
	}
	if run == nil || len(run.Accounts) != 3 || progress != 1 || len(noted) != 2 {
		t.Fatalf("run %+v, progress started %d times, %d notes; want 3 rows, one progress, 2 notes", run, progress, len(noted))
	}
	if a := run.Accounts; a[0].AccountSID != subs[1] || a[1].AccountSID != subs[0] || a[2].Status != Failed {
		t.Errorf("index %+v, want tenant b (5), tenant a (2), then the failed one", a)
	}
	for _, row := range run.Accounts[:2] {
		if _, err := os.Stat(row.Path); err != nil || row.Status != OK {
			t.Errorf("row %+v: %v", row, err)
		}
		if !strings.Contains(row.Path, row.AccountSID) {
			t.Errorf("bundle %s is not the subaccount's %s", row.Path, row.AccountSID)
		}
	}
	if _, err := os.Stat(run.IndexCSV); err != nil {
		t.Error(err)
	}
}

func TestBundles_ReportsKeepTheirExitCodeAndFailOnIncidents(t *testing.T) {
	to := time.Now().UTC().Truncate(time.Hour)
	fake, parent, _ := tenants(t, to, 3, 0)
	wo, err := weekly.Prepare(weekly.Options{Bundle: parentOptions(t, fake, parent, to), Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	o := wo.Bundle
	run, err := Bundles(context.Background(), BundlesOptions{Bundle: o, Report: true, Keep: 1, FailOnIncidents: true})
	if runerr.KindOf(err) != runerr.Incidents || !strings.HasPrefix(err.Error(), "3 webhook failures across the subaccounts") {
		t.Fatalf("error %v, want the 3 incidents (--fail-on-incidents)", err)
	}
	for _, row := range run.Accounts {
		sum := row.Summary.(*weekly.Summary)
		want := runerr.ExitOK
		if sum.Incidents > 0 {
			want = runerr.ExitIncidents
		}
		if sum.ExitCode != want {
			t.Errorf("%s: exit code %d in the index, want %d", row.AccountSID, sum.ExitCode, want)
		}
	}
	// A second report replaces the bundles of its window.
	if _, err := Bundles(context.Background(), BundlesOptions{Bundle: o, Report: true, Keep: 1}); err != nil {
		t.Errorf("a second report, without --fail-on-incidents: %v", err)
	}
}

func TestBundles_RefusesWhatCannotRunForEverySubaccount(t *testing.T) {
	to := time.Now().UTC().Truncate(time.Hour)
	fake, parent, _ := tenants(t, to)
	o := parentOptions(t, fake, parent, to)
	demo, sub, badToken := o, o, o
	demo.Demo = true
	sub.AccountSID = parent
	badToken.Getenv = func(k string) string {
		return map[string]string{"TWILIO_ACCOUNT_SID": parent, "TWILIO_AUTH_TOKEN": strings.Repeat("0", 32)}[k]
	}
	for name, c := range map[string]struct {
		o    pipeline.Options
		kind runerr.Kind
		want string
	}{
		"demo":           {demo, runerr.Usage, "the demo has no subaccounts"},
		"one account":    {sub, runerr.Usage, "leave out --account-sid"},
		"no subaccounts": {o, runerr.Usage, "has no subaccounts: run without --all-subaccounts"},
		"rejected token": {badToken, runerr.Pointless, ""},
	} {
		run, err := Bundles(context.Background(), BundlesOptions{Bundle: c.o})
		if run != nil || runerr.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (result %v), want a %v error saying %q", name, err, run != nil, c.kind, c.want)
		}
	}
}
