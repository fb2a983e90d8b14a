package trace

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

var t0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

// traced runs the hop collector over one web server log in which every
// incident's request got a 502, and returns the evidence.
func traced(t *testing.T, n int) *collect.Evidence {
	t.Helper()
	var incs []collect.Incident
	var lines []string
	for i := 0; i < n; i++ {
		at := t0.Add(time.Duration(i) * time.Hour)
		incs = append(incs, collect.Incident{AlertSID: fmt.Sprintf("NO%032x", i), Time: at, ErrorCode: "11200",
			ResourceSID: fmt.Sprintf("CA%032x", i), Kind: collect.KindCall, Method: "POST", URL: "https://ivr.example.com/voice"})
		lines = append(lines, fmt.Sprintf(`54.172.60.9 - - [%s] "POST /voice HTTP/1.1" 502 120 "-" "TwilioProxy/1.1" 0.020`, at.Format("02/Jan/2006:15:04:05 -0700")))
	}
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hops, _, err := collect.CheckHopSpecs([]string{"web=" + path}, nil, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	ev := &collect.Evidence{Incidents: incs, Window: collect.Window{From: t0.Add(-time.Hour), To: t0.Add(24 * time.Hour)}}
	collect.Run(context.Background(), &collect.Env{Evidence: ev, Stage: stage}, time.Minute, collect.Hops{Hops: hops, NoExcerpts: true})
	return ev
}

func TestNewShapesTheHopTrace(t *testing.T) {
	ev := traced(t, 3)
	r := New(ev, 90*time.Second)
	if r.Incidents != 3 || r.MatchWindow != 90 || len(r.Hops) != 1 {
		t.Fatalf("result: %+v", r)
	}
	h := r.Hops[0]
	if h.Name != "web" || h.Reached == nil || *h.Reached != 3 || h.LinesRead != 3 || len(h.Files) != 1 || h.BytesRead == 0 {
		t.Errorf("hop: %+v", h)
	}
	if len(r.Verdicts) != 1 {
		t.Fatalf("verdicts: %+v", r.Verdicts)
	}
	v := r.Verdicts[0]
	if v.Outcome != string(hoplog.OutcomeAppError) || v.Count != 3 || v.Total != 3 || v.Percent != 100 || len(v.Incidents) != 3 || v.Sentence == "" {
		t.Errorf("verdict: %+v", v)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"match_window_seconds":90`, `"reached":3`, `"outcome":"app_error"`, `"collectors":[`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s:\n%s", key, b)
		}
	}
}

func TestPrintSaysHowFarEachRequestGot(t *testing.T) {
	r := New(traced(t, 2), time.Minute)
	var b strings.Builder
	r.Print(&b)
	out := b.String()
	for _, want := range []string{
		"Traced 2 failed webhook requests (2026-11-20 00:00 UTC → 2026-11-21 01:00 UTC) through 1 hops, matching within ±1m0s.",
		"  1. web  reached 2 of 2",
		"1 file, ",
		"Verdict:\n  " + r.Verdicts[0].Sentence,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNewWithoutHopsSaysWhy(t *testing.T) {
	ev := &collect.Evidence{Window: collect.Window{From: t0, To: t0.Add(time.Hour)},
		Collectors: []collect.CollectorStatus{{Name: "alerts-file", State: collect.StateOK}, {Name: "hops", State: collect.StateSkipped, Reason: "no incidents"}}}
	r := New(ev, time.Minute)
	if r.Summary != "nothing traced: no incidents" || r.Source != "alerts-file" || len(r.Hops) != 0 || r.Verdicts == nil {
		t.Errorf("result: %+v", r)
	}
	var b strings.Builder
	r.Print(&b)
	if !strings.Contains(b.String(), "No webhook failures in the window: nothing to trace.") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestByteSizeAndPlural(t *testing.T) {
	for n, want := range map[int64]string{12: "12 B", 2048: "2.0 kB", 3 << 20: "3.0 MB", 5 << 30: "5.0 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
	if plural(1, "file", "files") != "file" || plural(2, "file", "files") != "files" {
		t.Error("plural")
	}
}
