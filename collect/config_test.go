package collect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

func TestConfig_OverridesDecideWhichURLsTwilioRequests(t *testing.T) {
	d := testData(0)
	trunk := "TK00000000000000000000000000000001"
	app := faketwilio.Application{Sid: "AP00000000000000000000000000000001", FriendlyName: "IVR", VoiceURL: "https://app.example/voice", VoiceMethod: "POST", SmsURL: "https://app.example/sms"}
	inbound, fallback := "https://svc.example/in", "https://svc.example/fb"
	svc := faketwilio.MessagingService{Sid: "MG00000000000000000000000000000001", FriendlyName: "Svc", InboundRequestURL: &inbound, FallbackURL: &fallback}
	svcOnNumber := faketwilio.MessagingService{Sid: "MG00000000000000000000000000000002", FriendlyName: "Svc2", InboundRequestURL: &inbound, UseInboundWebhookOnNumber: true}
	num := func(i int) faketwilio.IncomingPhoneNumber {
		return faketwilio.IncomingPhoneNumber{Sid: fmt.Sprintf("PN%032d", i), PhoneNumber: fmt.Sprintf("+1415555%04d", i),
			VoiceURL: "https://own.example/voice", VoiceMethod: "post", SmsURL: "https://own.example/sms"}
	}
	plain, withApp, withTrunk, inSvc, inSvcOwn := num(1), num(2), num(3), num(4), num(5)
	withApp.VoiceApplicationSid = app.Sid
	withTrunk.TrunkSid = &trunk
	svc.DateCreated, svc.DateUpdated = "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"
	svcOnNumber.DateCreated, svcOnNumber.DateUpdated = svc.DateCreated, svc.DateUpdated
	svc.PhoneNumbers = []string{inSvc.Sid}
	svcOnNumber.PhoneNumbers = []string{inSvcOwn.Sid}
	d.Numbers = []faketwilio.IncomingPhoneNumber{plain, withApp, withTrunk, inSvc, inSvcOwn}
	// Enough further numbers for two v2010 pages of 1000.
	for i := 100; i < 1200; i++ {
		d.Numbers = append(d.Numbers, num(i))
	}
	d.Applications = []faketwilio.Application{app}
	d.Services = []faketwilio.MessagingService{svc, svcOnNumber}
	fake := faketwilio.New(map[string]string{testAccount: testToken}, d)
	defer fake.Close()
	env := newTestEnv(t, fake)
	Run(context.Background(), env, time.Minute, Config{})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("config: %+v", st)
	}
	if got := fake.Requests("/2010-04-01/Accounts/" + testAccount + "/IncomingPhoneNumbers.json"); got != 2 {
		t.Errorf("number pages = %d, want 2 (next_page_uri followed)", got)
	}
	rows := map[string]Endpoint{}
	for _, e := range env.Evidence.Endpoints {
		rows[e.OwnerSID+"/"+e.Channel] = e
	}
	if len(env.Evidence.Endpoints) != 2*1105+2+2 {
		t.Errorf("rows = %d, want %d", len(env.Evidence.Endpoints), 2*1105+4)
	}
	cases := []struct {
		key, handledBy string
		effective      bool
	}{
		{plain.Sid + "/voice", "", true},
		{plain.Sid + "/sms", "", true},
		{withApp.Sid + "/voice", app.Sid, false},
		{withTrunk.Sid + "/voice", trunk, false},
		{withTrunk.Sid + "/sms", trunk, false},
		{inSvc.Sid + "/sms", svc.Sid, false},
		{inSvcOwn.Sid + "/sms", "", true},
		{app.Sid + "/voice", "", true},
		{svc.Sid + "/sms", "", true},
		{svcOnNumber.Sid + "/sms", "", false},
	}
	for _, c := range cases {
		e, ok := rows[c.key]
		if !ok {
			t.Errorf("%s: no row", c.key)
			continue
		}
		if e.HandledBy != c.handledBy || e.Effective != c.effective {
			t.Errorf("%s: handled by %q effective %v; want %q %v", c.key, e.HandledBy, e.Effective, c.handledBy, c.effective)
		}
	}
	if m := rows[plain.Sid+"/voice"].Method; m != "POST" {
		t.Errorf("method = %q, want POST", m)
	}
	if fb := rows[svc.Sid+"/sms"].FallbackURL; fb != fallback {
		t.Errorf("service fallback = %q", fb)
	}
}
