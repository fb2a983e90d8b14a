package weekly

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

const (
	acc   = "AC0123456789abcdef0123456789abcdef"
	other = "ACfedcba9876543210fedcba9876543210"
)

func TestLastWeek_IsMondayToMondayInTheZone(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		name     string
		now      time.Time
		loc      *time.Location
		from, to string
	}{
		{"on a Wednesday", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"on Monday itself", time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"on a Sunday", time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"Sunday night in UTC is Monday in Tokyo", time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC), tokyo, "2026-11-23T00:00:00+09:00", "2026-11-30T00:00:00+09:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to := LastWeek(c.now, c.loc)
			if got := from.Format(time.RFC3339); got != c.from {
				t.Errorf("from = %s, want %s", got, c.from)
			}
			if got := to.Format(time.RFC3339); got != c.to {
				t.Errorf("to = %s, want %s", got, c.to)
			}
		})
	}
}

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

func name(sid string, from, to int) string {
	return bundle.FileName(&collect.Evidence{Account: collect.Account{SID: sid}, Window: collect.Window{From: day(from), To: day(to)}})
}

func TestPreviousAndPrune_TouchOnlyTheAccountsOwnBundles(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		name(acc, 1, 8), name(acc, 8, 15), name(acc, 15, 22),
		name(other, 8, 15),
		"twilio-evidence_" + acc + "_notes.zip", "report.zip",
	}
	for _, f := range files {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	cur := collect.Window{From: day(22), To: day(29)}
	if got := PreviousBundle(dir, acc, cur); filepath.Base(got) != name(acc, 15, 22) {
		t.Errorf("previous = %s, want the 15–22 bundle", got)
	}
	if got := PreviousBundle(dir, acc, collect.Window{From: day(1), To: day(8)}); got != "" {
		t.Errorf("previous of the first window = %s, want none", got)
	}
	written := filepath.Join(dir, name(acc, 22, 29))
	os.WriteFile(written, []byte("x"), 0o644)
	deleted, err := Prune(dir, acc, 2, written)
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 2 {
		t.Fatalf("deleted %v, want the 1–8 and 8–15 bundles", deleted)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	want := map[string]bool{name(acc, 15, 22): true, name(acc, 22, 29): true, name(other, 8, 15): true, "twilio-evidence_" + acc + "_notes.zip": true, "report.zip": true}
	if len(names) != len(want) {
		t.Fatalf("left %v", names)
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("%s should have been deleted", n)
		}
	}
}

func TestPreviousBundle_SkipsItsOwnWindowAndLaterOnes(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{name(acc, 8, 15), name(acc, 15, 22), name(acc, 22, 29)} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	// A rerun of the 15–22 week compares with 8–15, not with itself nor
	// with the later week.
	if got := PreviousBundle(dir, acc, collect.Window{From: day(15), To: day(22)}); filepath.Base(got) != name(acc, 8, 15) {
		t.Errorf("previous = %s, want the 8–15 bundle", got)
	}
	if got := PreviousBundle(filepath.Join(dir, "missing"), acc, collect.Window{From: day(15), To: day(22)}); got != "" {
		t.Errorf("previous in a missing directory = %q", got)
	}
}

// alerts are three webhook failures on 20 November as the Monitor API
// gives them.
const alerts = `{"account_sid":"` + acc + `","sid":"NO00000000000000000000000000000001","error_code":"11200","date_generated":"2026-11-20T10:00:00Z","alert_text":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resource_sid":"CA00000000000000000000000000000001","request_method":"POST","request_url":"https://a.example/voice"}
{"account_sid":"` + acc + `","sid":"NO00000000000000000000000000000002","error_code":"11200","date_generated":"2026-11-20T11:00:00Z","alert_text":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resource_sid":"CA00000000000000000000000000000002","request_method":"POST","request_url":"https://a.example/voice"}
{"account_sid":"` + acc + `","sid":"NO00000000000000000000000000000003","error_code":"11200","date_generated":"2026-11-20T12:00:00Z","alert_text":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resource_sid":"CA00000000000000000000000000000003","request_method":"POST","request_url":"https://a.example/voice"}
`

// reportOptions are a report of the week from..to on the alerts file, into
// out.
func reportOptions(t *testing.T, out string, from, to int, keep int) Options {
	t.Helper()
	file := filepath.Join(t.TempDir(), "alerts.ndjson")
	if err := os.WriteFile(file, []byte(alerts), 0o600); err != nil {
		t.Fatal(err)
	}
	return Options{Keep: keep, Bundle: pipeline.Options{
		Window: pipeline.Window{From: day(from).Format(time.RFC3339), To: day(to).Format(time.RFC3339), TZ: "UTC"},
		Output: out, Inputs: pipeline.Inputs{AlertsFile: file},
		MaxDetails: pipeline.DefaultMaxDetails, CollectorTimeout: time.Minute, APIConcurrency: collect.DefaultAPIConcurrency,
		RequestTimeout: collect.DefaultRequestTimeout, Concurrency: 1,
		Probes: pipeline.Probes{Off: true, Count: 1}, Hops: pipeline.Hops{MatchWindow: time.Minute, LogTZ: "auto", MaxLogBytes: 1 << 20},
		Safety: pipeline.Safety{MaxSize: pipeline.DefaultMaxSize}, Twilio: pipeline.TwilioSide{NoStatus: true}, Text: pipeline.Text{Lang: "en"},
	}}
}

func TestRun_TrendAgainstThePreviousWeekAndKeep(t *testing.T) {
	out := t.TempDir()
	first, err := Run(context.Background(), reportOptions(t, out, 13, 20, 1))
	if err != nil {
		t.Fatal(err)
	}
	if first.Summary.Incidents != 0 || first.Summary.Previous != nil || len(first.Summary.Deleted) != 0 {
		t.Errorf("first week: %d incidents, previous %v, deleted %v; want none of each", first.Summary.Incidents, first.Summary.Previous, first.Summary.Deleted)
	}
	second, err := Run(context.Background(), reportOptions(t, out, 20, 27, 1))
	if err != nil {
		t.Fatal(err)
	}
	sum := second.Summary
	if sum.Incidents != 3 || sum.AccountSID != acc || sum.Done == "" || sum.Incomplete {
		t.Errorf("second week: %+v", sum)
	}
	if p := sum.Previous; p == nil || p.Bundle != first.Run.Path || p.Error != "" || p.Incidents != 0 || p.Change != 3 || p.Percent != nil {
		t.Errorf("trend %+v: want +3 on the first week's bundle (no percentage on 0)", p)
	}
	if len(sum.Deleted) != 1 || sum.Deleted[0] != first.Run.Path {
		t.Errorf("deleted %v, want the first week's bundle (--keep 1)", sum.Deleted)
	}
	if _, err := os.Stat(first.Run.Path); !os.IsNotExist(err) {
		t.Errorf("the first week's bundle is still there: %v", err)
	}
	if s := sum.Sentence(); !strings.Contains(s, "previous bundle: 0, change +3") || !strings.Contains(s, "2026-11-20 00:00 to 2026-11-27 00:00 UTC") {
		t.Errorf("sentence %q", s)
	}
	if _, err := os.Stat(filepath.Join(out, LockFile)); !os.IsNotExist(err) {
		t.Errorf("the lock file is left behind: %v", err)
	}
}

func TestRun_AHeldLockMakesTheRunPointless(t *testing.T) {
	out := t.TempDir()
	release, stale, err := Lock(out)
	if err != nil || stale != "" {
		t.Fatalf("lock: %v %q", err, stale)
	}
	defer release()
	res, err := Run(context.Background(), reportOptions(t, out, 20, 27, 0))
	if runerr.KindOf(err) != runerr.Pointless || !strings.Contains(err.Error(), "another run is writing into --output") {
		t.Fatalf("got %v, want a run that cannot work, saying another run holds the lock", err)
	}
	if res.Run.Path != "" {
		t.Errorf("wrote %s", res.Run.Path)
	}
}

func TestPrepare_FixesTheWindowAndRefusesBadOptions(t *testing.T) {
	o := reportOptions(t, t.TempDir(), 20, 27, 0)
	o.Bundle.Window = pipeline.Window{TZ: "UTC", Since: "3d"}
	p, err := Prepare(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.Bundle.Window.Since != "" || p.Bundle.Window.From == "" || !p.Bundle.Force {
		t.Errorf("window %+v, force %v: want From and To fixed, and Force", p.Bundle.Window, p.Bundle.Force)
	}
	o.Bundle.Window = pipeline.Window{TZ: "UTC"}
	o.Bundle.Inputs = pipeline.Inputs{} // the files' span would be a window given
	o.Week = "last"
	if p, err := Prepare(o); err != nil || p.Bundle.Window.From == "" {
		t.Errorf("--week last: %+v %v", p.Bundle.Window, err)
	}
	for name, change := range map[string]func(*Options){
		"keep":             func(o *Options) { o.Keep = -1 },
		"week":             func(o *Options) { o.Week = "next" },
		"week and since":   func(o *Options) { o.Week = "last"; o.Bundle.Window.Since = "7d" },
		"output not a dir": func(o *Options) { o.Bundle.Output = o.Bundle.Inputs.AlertsFile },
	} {
		o := reportOptions(t, t.TempDir(), 20, 27, 0)
		o.Bundle.Window = pipeline.Window{TZ: "UTC"}
		change(&o)
		if _, err := Prepare(o); runerr.KindOf(err) != runerr.Usage {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
	}
}
