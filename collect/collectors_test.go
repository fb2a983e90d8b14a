package collect

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

const (
	testAccount = "AC00000000000000000000000000000001"
	testToken   = "testtoken0123456789"
)

var testFrom = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

// genAlerts is an AlertSource of n alerts, one a minute back from the end of
// the window, every third one not a webhook failure.
type genAlerts struct {
	n  int
	to time.Time
}

func (g genAlerts) Len() int { return g.n }
func (g genAlerts) At(i int) faketwilio.Alert {
	t := g.to.Add(-time.Duration(i+1) * time.Minute)
	code, text := "11200", "Msg=Got+HTTP+502+response+to+https%3A%2F%2Fivr.example.com%2Fvoice&ErrorCode=11200&LogLevel=ERROR"
	if i%3 == 2 {
		code, text = "13227", "Msg=Not+a+webhook&ErrorCode=13227"
	}
	m := "POST"
	sid := fmt.Sprintf("NO%032x", i)
	return faketwilio.Alert{
		AccountSid: testAccount, AlertText: text, APIVersion: "2010-04-01",
		DateCreated: t.Format(faketwilio.ISO8601), DateGenerated: t.Format(faketwilio.ISO8601), DateUpdated: t.Format(faketwilio.ISO8601),
		ErrorCode: code, LogLevel: "error", MoreInfo: "https://www.twilio.com/docs/errors/" + code,
		RequestMethod: &m, RequestURL: "https://ivr.example.com/voice", ResourceSid: fmt.Sprintf("CA%032x", i),
		Sid: sid, URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: t,
		ResponseBody: "<html>502</html>",
	}
}

func testData(alerts int) *faketwilio.AccountData {
	to := testFrom.Add(7 * 24 * time.Hour)
	return &faketwilio.AccountData{
		Account: faketwilio.Account{Sid: testAccount, OwnerAccountSid: testAccount, FriendlyName: "Test", Status: "active", Type: "Full"},
		Alerts:  genAlerts{n: alerts, to: to},
	}
}

func newTestEnv(t *testing.T, fake *faketwilio.Server) *Env {
	t.Helper()
	t.Setenv("TWILIO_EDGE", "")
	t.Setenv("TWILIO_REGION", "")
	stage, err := NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	return &Env{
		Evidence: &Evidence{Account: Account{SID: testAccount}, Window: Window{From: testFrom, To: testFrom.Add(7 * 24 * time.Hour)}},
		Stage:    stage,
		API: &APIConfig{BaseURL: fake.URL, MaxBackoff: 2 * time.Second,
			Credentials: Credentials{AccountSID: testAccount, Username: testAccount, Secret: testToken}},
	}
}

func countLines(t *testing.T, env *Env, name string) int {
	t.Helper()
	f, err := env.Stage.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}

func TestAlerts_PagesAcrossV1Envelopes(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(2500))
	defer fake.Close()
	env := newTestEnv(t, fake)
	Run(context.Background(), env, time.Minute, Alerts{MaxDetails: 10})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("alerts collector: %+v", st)
	}
	if got := env.Evidence.AlertsSeen; got != 2500 {
		t.Errorf("alerts seen = %d, want 2500 over 3 pages", got)
	}
	want := 2500 - 2500/3
	if got := len(env.Evidence.Incidents); got != want {
		t.Errorf("incidents = %d, want %d (the webhook failures)", got, want)
	}
	if pages := fake.Requests("/v1/Alerts") - 10; pages != 3 {
		t.Errorf("list pages requested = %d, want 3", pages)
	}
	if n := countLines(t, env, AlertsFile); n != 2500 {
		t.Errorf("%s has %d lines, want 2500", AlertsFile, n)
	}
	f, _ := env.Stage.Open(AlertsFile)
	defer f.Close()
	sc := bufio.NewScanner(f)
	withDetails := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"response_body"`) {
			withDetails++
		}
	}
	if withDetails != 10 {
		t.Errorf("%d alerts carry details, want 10 (--max-details)", withDetails)
	}
	inc := env.Evidence.Incidents[0]
	if inc.HTTPStatus != 502 || inc.Kind != KindCall || inc.URL != "https://ivr.example.com/voice" || inc.Method != "POST" {
		t.Errorf("incident = %+v", inc)
	}
	for i := 1; i < len(env.Evidence.Incidents); i++ {
		if env.Evidence.Incidents[i].Time.Before(env.Evidence.Incidents[i-1].Time) {
			t.Fatal("incidents are not in time order")
		}
	}
}

func TestAlerts_RetriesAfter429WithRetryAfter(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Status: 429, RetryAfter: "1", Times: 1})
	env := newTestEnv(t, fake)
	start := time.Now()
	Run(context.Background(), env, time.Minute, Alerts{MaxDetails: -1})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("alerts collector after one 429: %+v", st)
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("retried after %s, before the 1 s Retry-After", el)
	}
	if got := len(env.Evidence.Incidents); got != 4 {
		t.Errorf("incidents = %d, want 4", got)
	}
	if got := fake.Requests("/v1/Alerts"); got != 2 {
		t.Errorf("requests = %d, want 2 (one 429, one success)", got)
	}
}

func TestRun_FailingCollectorIsRecordedAndOthersGoOn(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + testAccount + "/IncomingPhoneNumbers.json", Status: 500})
	env := newTestEnv(t, fake)
	env.API.MaxAttempts = 2
	Run(context.Background(), env, time.Minute, Config{}, Alerts{MaxDetails: -1}, AccountInfo{})
	states := map[string]CollectorStatus{}
	for _, c := range env.Evidence.Collectors {
		states[c.Name] = c
	}
	if st := states["config"]; st.State != StateError || !strings.Contains(st.Reason, "500") {
		t.Errorf("config = %+v, want error naming the HTTP 500", st)
	}
	if states["alerts"].State != StateOK || states["account"].State != StateOK {
		t.Errorf("the other collectors did not go on: %+v", states)
	}
	if env.Evidence.Account.FriendlyName != "Test" {
		t.Errorf("account not collected: %+v", env.Evidence.Account)
	}
}

func TestRun_DeadlineIsRecordedAsTimeout(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(5))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: 5 * time.Second})
	env := newTestEnv(t, fake)
	Run(context.Background(), env, 300*time.Millisecond, Alerts{}, AccountInfo{})
	if st := env.Evidence.Collectors[0]; st.State != StateTimeout {
		t.Errorf("alerts = %+v, want timeout", st)
	}
	if st := env.Evidence.Collectors[1]; st.State != StateOK {
		t.Errorf("account = %+v, want ok after the other timed out", st)
	}
}

func TestRun_PanicBecomesError(t *testing.T) {
	env := &Env{Evidence: &Evidence{}}
	Run(context.Background(), env, 0, panicky{})
	if st := env.Evidence.Collectors[0]; st.State != StateError || !strings.Contains(st.Reason, "internal error") {
		t.Errorf("status = %+v", st)
	}
}

type panicky struct{}

func (panicky) Name() string                        { return "panicky" }
func (panicky) Collect(context.Context, *Env) error { panic("boom") }
