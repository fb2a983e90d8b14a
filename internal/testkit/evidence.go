package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
)

// AccountSID is the account of the built evidence.
const AccountSID = "AC0123456789abcdef0123456789abcdef"

// WeekFrom is the start of the tests' week: Wednesday 2026-11-18 00:00 UTC.
var WeekFrom = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

// Week is the week from WeekFrom shown in loc, with the incidents and
// usage given, generated a day after it ends.
func Week(loc *time.Location, incs []collect.Incident, usage []collect.UsageDay) *collect.Evidence {
	return &collect.Evidence{
		Tool:    collect.Tool{Name: "twilio-evidence", Version: "test"},
		Account: collect.Account{SID: AccountSID}, GeneratedAt: WeekFrom.Add(8 * 24 * time.Hour),
		Window:    collect.Window{From: WeekFrom, To: WeekFrom.Add(7 * 24 * time.Hour), Location: loc},
		Incidents: incs, Usage: usage,
	}
}

// FailedAt is a voice incident at WeekFrom+offset on url.
func FailedAt(offset time.Duration, code, url string) collect.Incident {
	return collect.Incident{
		AlertSID: fmt.Sprintf("NO%032d", offset/time.Second), Time: WeekFrom.Add(offset), ErrorCode: code, HTTPStatus: 502,
		ResourceSID: fmt.Sprintf("CA%032d", offset/time.Second), Kind: collect.KindCall, Method: "POST", URL: url,
	}
}

// Every is n incidents (11200) from WeekFrom+start, one each step, on url.
func Every(start time.Duration, n int, step time.Duration, url string) []collect.Incident {
	out := make([]collect.Incident, n)
	for i := range out {
		out[i] = FailedAt(start+time.Duration(i)*step, "11200", url)
	}
	return out
}

// DailyUsage is calls and messages on each of the week's seven UTC days.
func DailyUsage(calls, messages int) []collect.UsageDay {
	var out []collect.UsageDay
	for d := 0; d < 7; d++ {
		out = append(out, collect.UsageDay{Day: WeekFrom.AddDate(0, 0, d), Calls: calls, Messages: messages})
	}
	return out
}

// Demo is the evidence the collectors gather in w from the demo's API,
// generated at w.To, with now as the collectors' clock (time.Now when
// nil). The demo's servers and the staged files last until the test ends.
func Demo(t testing.TB, w collect.Window, now func() time.Time, collectors ...collect.Collector) *collect.Evidence {
	t.Helper()
	d, err := demo.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	ev := &collect.Evidence{Tool: collect.Tool{Name: "twilio-evidence", Version: "demo"}, GeneratedAt: w.To, Window: w,
		Account: collect.Account{SID: d.API.Credentials.AccountSID}}
	env := &collect.Env{Evidence: ev, Stage: stage, API: d.API, Now: now}
	collect.Run(context.Background(), env, time.Minute, collectors...)
	return ev
}

// Tokyo is Asia/Tokyo, the zone the tests show evidence in when it is not
// UTC.
func Tokyo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
