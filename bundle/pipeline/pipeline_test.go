package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

const (
	testAccount = "AC0123456789abcdef0123456789abcdef"
	otherAcct   = "ACfedcba9876543210fedcba9876543210"
	alert1      = `{"account_sid":"` + testAccount + `","sid":"NO00000000000000000000000000000001","error_code":"11200","date_generated":"2026-11-20T10:00:00Z","alert_text":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resource_sid":"CA00000000000000000000000000000001","request_method":"POST","request_url":"https://a.example/voice"}`
	alert2      = `{"account_sid":"` + testAccount + `","sid":"NO00000000000000000000000000000002","error_code":"11205","date_generated":"2026-11-20T11:00:30Z","alert_text":"httpResponse=504&url=https%3A%2F%2Fb.example%2Fsms&ErrorCode=11205","resource_sid":"SM00000000000000000000000000000002"}`
)

// offlineOptions are the options of a run on an alerts file, with the
// defaults the command's flags give, into a new directory.
func offlineOptions(t *testing.T) Options {
	t.Helper()
	dir := t.TempDir()
	alerts := filepath.Join(dir, "alerts.ndjson")
	if err := os.WriteFile(alerts, []byte(alert1+"\n"+alert2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	return Options{
		Window: Window{TZ: "UTC"}, Output: out, Inputs: Inputs{AlertsFile: alerts},
		MaxDetails: DefaultMaxDetails, CollectorTimeout: time.Minute, APIConcurrency: collect.DefaultAPIConcurrency,
		RequestTimeout: collect.DefaultRequestTimeout, Concurrency: 1,
		Probes: Probes{Off: true, Count: collect.DefaultProbeCount}, Hops: Hops{MatchWindow: time.Minute, LogTZ: "auto", MaxLogBytes: collect.DefaultMaxLogBytes},
		Safety: Safety{MaxSize: DefaultMaxSize}, Twilio: TwilioSide{NoStatus: true}, Text: Text{Lang: "en"},
		Getenv: func(string) string { return "" }, CommandLine: []string{"twilio-evidence", "bundle", "--redact", "customer-[0-9]+"},
	}
}

func TestPrepare_TheOfflineFilesGiveTheWindowAndTheAccount(t *testing.T) {
	o, err := Prepare(offlineOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if o.Window.From != "2026-11-20T10:00:00Z" || o.Window.To != "2026-11-20T11:01:00Z" {
		t.Errorf("window %s to %s, want the alerts' span to the minute: 10:00 to 11:01", o.Window.From, o.Window.To)
	}
	if got := o.ExpectedAccount(); got != testAccount {
		t.Errorf("account %q, want the one the file names", got)
	}
	o.AccountSID = otherAcct
	if got := o.ExpectedAccount(); got != otherAcct {
		t.Errorf("account %q, want --account-sid before the file's", got)
	}
}

func TestPrepare_RefusesWhatCannotBeCombined(t *testing.T) {
	cases := map[string]struct {
		change func(*Options)
		want   string
	}{
		"demo and a file":       {func(o *Options) { o.Demo = true }, "--demo brings its own data: leave out --alerts-file"},
		"subaccounts and files": {func(o *Options) { o.AllSubaccounts = true }, "--all-subaccounts reads the subaccounts from the API"},
		"concurrency":           {func(o *Options) { o.Concurrency = 17 }, "--concurrency 17: give 1 to 16"},
		"unreadable file":       {func(o *Options) { o.Inputs.AlertsFile += ".missing" }, "alerts.ndjson.missing"},
		"previous not a bundle": {func(o *Options) { o.Previous = o.Inputs.AlertsFile }, "--previous:"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			o := offlineOptions(t)
			c.change(&o)
			_, err := Prepare(o)
			if runerr.KindOf(err) != runerr.Usage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a usage error saying %q", err, c.want)
			}
		})
	}
}

func TestRun_BadOptionsAreUsageErrorsAndWriteNothing(t *testing.T) {
	cases := map[string]func(*Options){
		"size budget":      func(o *Options) { o.Safety.MaxSize = "twenty" },
		"deadline":         func(o *Options) { o.Safety.Timeout = -time.Second },
		"expression":       func(o *Options) { o.Safety.Redact = []string{"("} },
		"account SID":      func(o *Options) { o.AccountSID = "AC12" },
		"API concurrency":  func(o *Options) { o.APIConcurrency = MaxAPIConcurrency + 1 },
		"request timeout":  func(o *Options) { o.RequestTimeout = 0 },
		"probe count":      func(o *Options) { o.Probes.Count = -1 },
		"probe URL":        func(o *Options) { o.Probes.URLs = []string{"ftp://x.example/"} },
		"probe history":    func(o *Options) { o.Probes.History = "/nonexistent/history.csv" },
		"hop":              func(o *Options) { o.Hops.Hops = []string{"web"} },
		"log zone":         func(o *Options) { o.Hops.LogTZ = "Mars/Olympus" },
		"window":           func(o *Options) { o.Window.Since = "yesterday" },
		"missing output":   func(o *Options) { o.Output = filepath.Join(o.Output, "missing") },
		"output not a dir": func(o *Options) { o.Output = o.Inputs.AlertsFile },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			o := offlineOptions(t)
			change(&o)
			res, err := Run(context.Background(), o)
			if runerr.KindOf(err) != runerr.Usage || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want a usage error in one line", err)
			}
			if res.Path != "" {
				t.Errorf("wrote %s", res.Path)
			}
			if entries, _ := os.ReadDir(offlineOptionsOut(o)); len(entries) != 0 {
				t.Errorf("the output directory holds %d files", len(entries))
			}
		})
	}
}

// offlineOptionsOut is the output directory offlineOptions made.
func offlineOptionsOut(o Options) string {
	return filepath.Join(filepath.Dir(o.Inputs.AlertsFile), "out")
}

func TestRun_WithoutCredentialsCannotRunAndWritesNothing(t *testing.T) {
	o := offlineOptions(t)
	o.Inputs = Inputs{}
	o.Window = Window{Since: "24h", TZ: "UTC"}
	res, err := Run(context.Background(), o)
	if runerr.KindOf(err) != runerr.Pointless || !strings.Contains(err.Error(), "TWILIO_ACCOUNT_SID") {
		t.Fatalf("got %v, want a run that cannot work, naming TWILIO_ACCOUNT_SID", err)
	}
	if entries, _ := os.ReadDir(o.Output); res.Path != "" || len(entries) != 0 {
		t.Errorf("wrote %s (%d files)", res.Path, len(entries))
	}
}

func TestRun_OfflineAlertsGiveACompleteBundle(t *testing.T) {
	o := offlineOptions(t)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(res.Path) != o.Output || filepath.Base(res.Path) != "twilio-evidence_"+testAccount+"_2026-11-20T1000Z_2026-11-20T1101Z.zip" {
		t.Errorf("path %s: want the account and the files' window in the output directory", res.Path)
	}
	if n := len(res.Evidence.Incidents); n != 2 {
		t.Errorf("%d incidents, want the file's 2", n)
	}
	if res.Analysis == nil || res.Done == "" || !strings.Contains(res.Done, res.Path) {
		t.Errorf("analysis %v, done line %q: want both, the line naming the bundle", res.Analysis, res.Done)
	}
	if len(res.Failed) != 0 {
		t.Errorf("failed collectors %v in an offline run", res.Failed)
	}
	for _, c := range res.Evidence.Collectors {
		if c.State == collect.StateSkipped && c.Source == "api" && !strings.Contains(c.Reason, "--alerts-file") {
			t.Errorf("collector %s skipped for %q: want the offline input named", c.Name, c.Reason)
		}
	}
	if strings.Contains(strings.Join(res.Evidence.CommandLine, " "), "customer-") {
		t.Errorf("command line %v keeps a --redact expression", res.Evidence.CommandLine)
	}

	// The same run again is refused before anything is read, unless forced.
	_, err = Run(context.Background(), o)
	if runerr.KindOf(err) != runerr.Usage || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second run: %v, want a usage error pointing at --force", err)
	}
	o.Force = true
	if _, err := Run(context.Background(), o); err != nil {
		t.Errorf("forced run: %v", err)
	}

	// The bundle is the baseline of a later window of the same account only.
	later := collect.Window{From: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	p, err := loadPrevious(res.Path, testAccount, later)
	if err != nil || p.Bundle != res.Path || p.Source != collect.PreviousFromBundle {
		t.Errorf("previous of a later window: %+v, %v", p, err)
	}
	if _, err := loadPrevious(res.Path, otherAcct, later); err == nil || !strings.Contains(err.Error(), "is a bundle of account "+testAccount) {
		t.Errorf("another account's bundle: %v", err)
	}
	overlap := collect.Window{From: time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC), To: later.To}
	if _, err := loadPrevious(res.Path, testAccount, overlap); err == nil || !strings.Contains(err.Error(), "after this window starts") {
		t.Errorf("an overlapping window: %v", err)
	}
	st, err := ReadBaseline(res.Path)
	if err != nil || st.Window.To.IsZero() {
		t.Errorf("baseline: %v", err)
	}
}

func TestRefuseExisting_NamesTheBundleBeforeAnyRequest(t *testing.T) {
	o := offlineOptions(t)
	w := collect.Window{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)}
	name := bundle.FileName(&collect.Evidence{Account: collect.Account{SID: testAccount}, Window: w})
	if err := o.RefuseExisting(testAccount, w); err != nil {
		t.Fatalf("no bundle yet: %v", err)
	}
	os.WriteFile(filepath.Join(o.Output, name), []byte("zip"), 0o600)
	if err := o.RefuseExisting(testAccount, w); runerr.KindOf(err) != runerr.Usage || !strings.Contains(err.Error(), name) {
		t.Errorf("got %v, want a usage error naming %s", err, name)
	}
	o.Force = true
	if err := o.RefuseExisting(testAccount, w); err != nil {
		t.Errorf("with Force: %v", err)
	}
}

func TestHideRedactExpressions(t *testing.T) {
	got := HideRedactExpressions([]string{"bundle", "--redact", "secret-[0-9]+", "--redact=pin=\\d+", "--since", "24h"})
	want := []string{"bundle", "--redact", "[REDACTED:expression]", "--redact=[REDACTED:expression]", "--since", "24h"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRedactOptions_EverySecretTheProcessKnows(t *testing.T) {
	env := map[string]string{
		"TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef", "TWILIO_API_SECRET": "short",
		"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_KEY": "SK0123456789abcdef0123456789abcdef",
	}
	api := &collect.APIConfig{Credentials: collect.Credentials{AccountSID: otherAcct, Username: otherAcct, Secret: "fedcba9876543210fedcba9876543210"}}
	o := RedactOptions(api, func(k string) string { return env[k] }, true, false, nil)
	if strings.Join(o.Secrets, ",") != "fedcba9876543210fedcba9876543210,0123456789abcdef0123456789abcdef" {
		t.Errorf("secrets %v: want the run's and the environment's, none too short to redact safely", o.Secrets)
	}
	if strings.Join(o.Usernames, ",") != otherAcct+","+testAccount+",SK0123456789abcdef0123456789abcdef" {
		t.Errorf("usernames %v", o.Usernames)
	}
	if !o.MaskPhoneNumbers || o.MaskBodies {
		t.Errorf("masks %v %v", o.MaskPhoneNumbers, o.MaskBodies)
	}
}

func TestWindow_FixedPinsTheSpan(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	w, win, err := Window{Since: "7d", TZ: "UTC"}.Fixed("24h", now)
	if err != nil {
		t.Fatal(err)
	}
	if w.Since != "" || w.From != "2026-11-18T12:00:00Z" || w.To != "2026-11-25T12:00:00Z" || !win.To.Equal(now) {
		t.Errorf("fixed %+v", w)
	}
	if _, err := (Window{TZ: "Nowhere/Else"}).Resolve("24h", now); runerr.KindOf(err) != runerr.Usage {
		t.Errorf("bad zone: %v", err)
	}
}
