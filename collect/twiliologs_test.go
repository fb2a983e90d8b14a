package collect

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	monitor "github.com/twilio/twilio-go/rest/monitor/v1"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

func TestTwilioDebugLogs_WritesAlertDetailsCallEventsAndWebhookChanges(t *testing.T) {
	from := time.Now().UTC().Truncate(24 * time.Hour).Add(-7 * 24 * time.Hour)
	to := from.Add(7 * 24 * time.Hour)
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, faketwilio.DemoData(from, to))
	defer fake.Close()
	env := newTestEnv(t, fake)
	env.Evidence.Account.SID = faketwilio.DemoAccountSID
	env.Evidence.Window = Window{From: from, To: to}
	env.API.Credentials = Credentials{AccountSID: faketwilio.DemoAccountSID, Username: faketwilio.DemoAccountSID, Secret: faketwilio.DemoAuthToken}
	Run(context.Background(), env, time.Minute, Alerts{MaxDetails: 5}, TwilioDebugLogs{MaxCalls: 3})
	if st := env.Evidence.Collectors[1]; st.State != StateOK {
		t.Fatalf("twilio_logs collector: %+v", st)
	}
	tl := env.Evidence.TwilioLogs
	if len(tl.AlertDetails) != 5 {
		t.Errorf("alert details = %d, want the 5 fetched", len(tl.AlertDetails))
	}
	var d alertDetail
	if err := json.Unmarshal([]byte(readStaged(t, env, TwilioAlertsDir+tl.AlertDetails[0]+".json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.RequestHeaders["User-Agent"][0] != "TwilioProxy/1.1" || d.RequestVariables["AccountSid"][0] != faketwilio.DemoAccountSID {
		t.Errorf("alert detail = %+v, want the decoded request headers and variables", d)
	}
	if len(tl.CallEvents) != 3 || tl.CallsNotFetched == 0 {
		t.Fatalf("call events of %d calls, %d not fetched; want 3 (the cap) and the rest counted", len(tl.CallEvents), tl.CallsNotFetched)
	}
	withEvents := 0
	for _, c := range tl.CallEvents {
		if c.Events > 0 {
			withEvents++
			if !strings.Contains(readStaged(t, env, c.File), `"response_code": 502`) {
				t.Errorf("%s lacks the response Twilio got", c.File)
			}
		} else if c.Unavailable == "" {
			t.Errorf("call %s has no events and no reason", c.CallSID)
		}
	}
	if withEvents == 0 {
		t.Errorf("no call had events: %+v", tl.CallEvents)
	}
	if len(tl.ConfigChanges) != 1 || tl.ConfigChanges[0].Field != "voice_url" || tl.ConfigChanges[0].Updated != "https://"+faketwilio.DemoVoiceHost+"/twilio/voice" {
		t.Fatalf("config changes = %+v, want the demo's voice_url change", tl.ConfigChanges)
	}
	if s := tl.ConfigChanges[0].Sentence(); !strings.Contains(s, "voice_url of PN") || !strings.Contains(s, "changed at ") {
		t.Errorf("sentence = %q", s)
	}
	if !strings.Contains(readStaged(t, env, TwilioConfigChangesFile), `"field": "voice_url"`) {
		t.Errorf("%s lacks the change", TwilioConfigChangesFile)
	}
}

func TestWebhookChanges_ReadsBothEventDataShapes(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	ev := func(data any) monitor.MonitorV1Event {
		sid, typ := "AE1", "phone-number.updated"
		return monitor.MonitorV1Event{Sid: &sid, EventType: &typ, EventData: &data, EventDate: &at}
	}
	tests := []struct {
		name string
		data any
		want []string
	}{
		{"top level", map[string]any{"voice_url": map[string]any{"previous": "a", "updated": "b"}}, []string{"voice_url"}},
		{"resource_properties", map[string]any{"resource_properties": map[string]any{
			"sms_fallback_url": map[string]any{"previous": "", "updated": "c"},
			"friendly_name":    map[string]any{"previous": "x", "updated": "y"}}}, []string{"sms_fallback_url"}},
		{"unchanged value", map[string]any{"voice_url": map[string]any{"previous": "a", "updated": "a"}}, nil},
		{"not a webhook", map[string]any{"friendly_name": map[string]any{"previous": "a", "updated": "b"}}, nil},
		{"not an object", "text", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range WebhookChanges(ev(tt.data)) {
				got = append(got, c.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}
