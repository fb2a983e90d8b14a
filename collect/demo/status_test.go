package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

func TestDemoStatusPage_OneRelevantIncidentOverTheDemoFailures(t *testing.T) {
	to := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	w := collect.Window{From: to.Add(-7 * 24 * time.Hour), To: to}
	d, err := Start(w)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.StatusURL == "" {
		t.Fatal("no status page")
	}
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	defer stage.Remove()
	env := &collect.Env{Evidence: &collect.Evidence{Window: w}, Stage: stage, API: d.API}
	t.Setenv("TWILIO_REGION", "")
	t.Setenv("TWILIO_EDGE", "")
	collect.Run(context.Background(), env, time.Minute, collect.Alerts{MaxDetails: -1}, collect.StatusPage{BaseURL: d.StatusURL})
	for _, st := range env.Evidence.Collectors {
		if st.State != collect.StateOK {
			t.Fatalf("%s: %s (%s)", st.Name, st.State, st.Reason)
		}
	}
	rel := env.Evidence.TwilioStatus.Relevant()
	if len(rel) != 1 {
		t.Fatalf("%d relevant incidents on the demo page, want 1", len(rel))
	}
	inside := 0
	for _, inc := range env.Evidence.Incidents {
		if rel[0].Contains(inc.Time) {
			inside++
		}
	}
	if inside == 0 {
		t.Errorf("none of the demo's %d failures falls inside %q", len(env.Evidence.Incidents), rel[0].Name)
	}
	if !strings.HasPrefix(rel[0].Shortlink, DemoStatusBase+"/incidents/") {
		t.Errorf("shortlink %q is not on %s", rel[0].Shortlink, DemoStatusBase)
	}
}
