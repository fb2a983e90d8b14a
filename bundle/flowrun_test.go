package bundle

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

func TestFlowFromTheDemoWritesTheOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "flow.md")
	res, err := Flow(context.Background(), FlowOptions{Demo: true, Lang: "en", Timeout: time.Minute, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.ConfigMissing != "" {
		t.Errorf("the demo's configuration was not read: %s", res.ConfigMissing)
	}
	for _, w := range []string{"# Call and message flow", "URL: POST https://ivr.example-clinic.com/twilio/voice", "[[TODO:"} {
		if !strings.Contains(string(res.Text), w) {
			t.Errorf("description lacks %q", w)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != string(res.Text) {
		t.Errorf("--output holds %d bytes (%v), want the description's %d", len(b), err, len(res.Text))
	}
	if st, _ := os.Stat(out); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("mode %v: readable by others", st.Mode())
	}
}

func TestFlowSaysWhenTheConfigurationCannotBeRead(t *testing.T) {
	sid := faketwilio.SID("AC", "flow")
	const token = "flowtoken0000000000000000000000000"
	created := time.Now().AddDate(-1, 0, 0).Format(faketwilio.RFC2822)
	fake := faketwilio.New(map[string]string{sid: token}, &faketwilio.AccountData{Account: faketwilio.Account{
		Sid: sid, OwnerAccountSid: sid, FriendlyName: "Clinic", Status: "active", Type: "Full", DateCreated: created, DateUpdated: created}})
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + sid + "/IncomingPhoneNumbers", Status: http.StatusForbidden})
	api := &collect.APIConfig{Credentials: collect.Credentials{AccountSID: sid, Username: sid, Secret: token}, BaseURL: fake.URL, MaxAttempts: 1}
	res, err := Flow(context.Background(), FlowOptions{API: api, Lang: "ja", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.ConfigMissing, "403") || !strings.Contains(string(res.Text), "# 通話・メッセージのフロー") {
		t.Errorf("config missing %q; text:\n%s", res.ConfigMissing, res.Text)
	}
}
