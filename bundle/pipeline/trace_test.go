package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

func TestTrace_TheDemoFollowsItsIncidentsThroughItsSampleLogs(t *testing.T) {
	started := 0
	res, err := Trace(context.Background(), TraceOptions{
		Demo: true, MatchWindow: DefaultMatchWindow, LogTZ: "auto", Timeout: time.Minute,
		Getenv: func(string) string { return "" },
		StartProgress: func() (collect.Progress, func()) {
			started++
			return collect.NoProgress{}, func() {}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if started != 1 {
		t.Errorf("progress started %d times, want once", started)
	}
	if res.Incidents == 0 || len(res.Hops) < 2 || len(res.Verdicts) == 0 {
		t.Fatalf("demo trace: %d incidents, %d hops, %d verdicts; want the demo's incidents through its hops", res.Incidents, len(res.Hops), len(res.Verdicts))
	}
	for _, h := range res.Hops {
		if h.LinesRead == 0 {
			t.Errorf("hop %s: no line read", h.Name)
		}
	}
	if got := res.To.Sub(res.From); got != 7*24*time.Hour {
		t.Errorf("demo window %s, want the demo's week", got)
	}
}

func TestTrace_AnOfflineRunReadsTheFilesAndNoCredentials(t *testing.T) {
	dir := t.TempDir()
	alerts := filepath.Join(dir, "alerts.ndjson")
	access := filepath.Join(dir, "access.log")
	log := `198.51.100.7 - - [20/Nov/2026:10:00:01 +0000] "POST /voice HTTP/1.1" 502 0 "-" "TwilioProxy/1.1"` + "\n"
	if err := os.WriteFile(alerts, []byte(alert1+"\n"+alert2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(access, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Trace(context.Background(), TraceOptions{
		Window: Window{TZ: "UTC"}, Hops: []string{"web=" + access}, MatchWindow: time.Minute, LogTZ: "auto",
		Inputs: Inputs{AlertsFile: alerts}, Timeout: time.Minute,
		// Credentials that would be rejected: an offline run never uses them.
		Getenv: func(k string) string { return map[string]string{"TWILIO_ACCOUNT_SID": "not-a-sid"}[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incidents != 2 || len(res.Hops) != 1 || res.Hops[0].Name != "web" || res.Hops[0].LinesRead != 1 {
		t.Fatalf("%d incidents, hops %+v; want the file's 2 incidents and the one line of web", res.Incidents, res.Hops)
	}
	if !res.From.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("window from %s, want the alerts' first minute", res.From)
	}
}

func TestTrace_BadInputIsRefusedBeforeAnythingIsRead(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	line := `198.51.100.7 - - [20/Nov/2026:10:00:01 +0000] "POST /voice HTTP/1.1" 502 0 "-" "TwilioProxy/1.1"` + "\n"
	if err := os.WriteFile(access, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	base := func() TraceOptions {
		return TraceOptions{Hops: []string{"web=" + access}, MatchWindow: time.Minute, LogTZ: "auto", Timeout: time.Minute,
			Getenv: func(k string) string { return env[k] }}
	}
	cases := map[string]struct {
		change func(*TraceOptions)
		kind   runerr.Kind
		want   string
	}{
		"no hop":          {func(o *TraceOptions) { o.Hops = nil }, runerr.Usage, "give at least one --hop"},
		"bad address":     {func(o *TraceOptions) { o.HopAddrs = []string{"10.0.0"} }, runerr.Usage, `--hop-addr "10.0.0"`},
		"bad zone":        {func(o *TraceOptions) { o.LogTZ = "Mars/Base" }, runerr.Usage, "--log-tz"},
		"missing log":     {func(o *TraceOptions) { o.Hops = []string{"web=" + access + ".missing"} }, runerr.Usage, "access.log.missing"},
		"bad window":      {func(o *TraceOptions) { o.Window.Since = "yesterday" }, runerr.Usage, "yesterday"},
		"no token file":   {func(o *TraceOptions) { o.AuthTokenFile = access + ".token" }, runerr.Usage, "--auth-token-file"},
		"no credentials":  {func(o *TraceOptions) {}, runerr.Pointless, "TWILIO_"},
		"demo and a file": {func(o *TraceOptions) { o.Demo, o.Inputs.AlertsFile = true, access }, runerr.Usage, "--demo brings its own data"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			o := base()
			c.change(&o)
			res, err := Trace(context.Background(), o)
			if res != nil || runerr.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v (result %v), want a %v error saying %q", err, res != nil, c.kind, c.want)
			}
		})
	}
}
