package collect_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

const (
	probeAccount = "AC00000000000000000000000000000002"
	probeToken   = "probetoken0123456789"
)

var probeWindowTo = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// probeFixture is a fake Twilio account whose webhooks point at a server on
// 127.0.0.1 that counts the requests of each path.
type probeFixture struct {
	app  *webhooktest.Server
	hits map[string]*atomic.Int64
	fake *faketwilio.Server
}

func newProbeFixture(t *testing.T) *probeFixture {
	t.Helper()
	f := &probeFixture{hits: map[string]*atomic.Int64{}}
	for _, p := range []string{"/voice", "/fallback", "/status", "/explicit", "/old-sms", "/post-only"} {
		f.hits[p] = new(atomic.Int64)
	}
	f.app = webhooktest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, ok := f.hits[r.URL.Path]; ok {
			n.Add(1)
		}
		switch r.URL.Path {
		case "/old-sms":
			webhooktest.Status(http.StatusNotFound).ServeHTTP(w, r)
		case "/post-only":
			webhooktest.AllowOnly(http.MethodPost).ServeHTTP(w, r)
		default:
			webhooktest.TwiML().ServeHTTP(w, r)
		}
	}))
	base := f.app.URL
	num := func(i int, voice, fallback, sms string) faketwilio.IncomingPhoneNumber {
		sid := faketwilio.SID("PN", "n"+string(rune('0'+i)))
		return faketwilio.IncomingPhoneNumber{
			AccountSid: probeAccount, APIVersion: "2010-04-01", Sid: sid, PhoneNumber: "+1415555010" + string(rune('0'+i)),
			FriendlyName: "line", VoiceURL: voice, VoiceMethod: "POST", VoiceFallbackURL: fallback, VoiceFallbackMethod: "POST",
			StatusCallback: base + "/status", StatusCallbackMethod: "POST", SmsURL: sms, SmsMethod: "POST",
			URI: "/2010-04-01/Accounts/" + probeAccount + "/IncomingPhoneNumbers/" + sid + ".json", Status: "in-use",
		}
	}
	alert := func(i int, reqURL string) faketwilio.Alert {
		at := probeWindowTo.Add(-time.Duration(i+1) * time.Hour)
		sid := faketwilio.SID("NO", "a"+string(rune('0'+i)))
		m := "POST"
		return faketwilio.Alert{
			AccountSid: probeAccount, APIVersion: "2010-04-01", ErrorCode: "11200", LogLevel: "error",
			AlertText:   "Msg=Got+HTTP+502+response+to+" + url.QueryEscape(reqURL) + "&ErrorCode=11200&LogLevel=ERROR",
			DateCreated: at.Format(faketwilio.ISO8601), DateGenerated: at.Format(faketwilio.ISO8601), DateUpdated: at.Format(faketwilio.ISO8601),
			RequestMethod: &m, RequestURL: reqURL, ResourceSid: faketwilio.SID("CA", sid), Sid: sid,
			URL: "https://monitor.twilio.com/v1/Alerts/" + sid, Generated: at,
		}
	}
	data := &faketwilio.AccountData{
		Account: faketwilio.Account{Sid: probeAccount, OwnerAccountSid: probeAccount, FriendlyName: "Probe test", Status: "active", Type: "Full"},
		Numbers: []faketwilio.IncomingPhoneNumber{
			// The voice URL with a read-timeout override: the one kept.
			num(1, base+"/voice#rt=2000", base+"/fallback", "https://handler.twilio.com/twiml/EH00000000000000000000000000000000"),
			num(2, base+"/voice", "", ""),
			// An edge Twilio does not use for webhooks: 11241, never probed.
			num(3, base+"/roaming#e=roaming", "", ""),
		},
		Alerts: faketwilio.Alerts{alert(0, base+"/voice"), alert(1, base+"/voice"), alert(2, base+"/old-sms")},
	}
	// An SMS webhook configured for GET on a route that takes POST only.
	data.Numbers[1].SmsURL, data.Numbers[1].SmsMethod = base+"/post-only", "GET"
	f.fake = faketwilio.New(map[string]string{probeAccount: probeToken}, data)
	t.Cleanup(f.fake.Close)
	return f
}

func (f *probeFixture) env(t *testing.T) *collect.Env {
	t.Helper()
	t.Setenv("TWILIO_EDGE", "")
	t.Setenv("TWILIO_REGION", "")
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	return &collect.Env{
		Evidence: &collect.Evidence{Account: collect.Account{SID: probeAccount},
			Window: collect.Window{From: probeWindowTo.Add(-7 * 24 * time.Hour), To: probeWindowTo, Location: time.UTC}},
		Stage: stage,
		API: &collect.APIConfig{BaseURL: f.fake.URL, MaxBackoff: time.Second,
			Credentials: collect.Credentials{AccountSID: probeAccount, Username: probeAccount, Secret: probeToken}},
	}
}

// loopback lets the probes reach 127.0.0.1 directly, without a proxy.
var loopback = probe.Options{AllowPrivate: true, Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }}

func TestProbes_TargetsFromFlagsConfigAndAlertsDeduplicatedAndStaged(t *testing.T) {
	f := newProbeFixture(t)
	env := f.env(t)
	collect.Run(context.Background(), env, 30*time.Second,
		collect.Alerts{}, collect.Config{},
		collect.Probes{URLs: []string{f.app.URL + "/explicit"}, Count: 2, Interval: time.Millisecond, Network: loopback})

	st := env.Evidence.Collectors[len(env.Evidence.Collectors)-1]
	if st.Name != "probes" || st.State != collect.StateOK {
		t.Fatalf("probes collector = %+v", st)
	}
	pe := env.Evidence.Probes
	if pe == nil || pe.Report == nil {
		t.Fatal("Evidence.Probes not filled")
	}
	byTarget := map[string]collect.ProbeTarget{}
	var order []string
	for _, pt := range pe.Targets {
		if _, dup := byTarget[pt.Target]; dup {
			t.Errorf("target %s listed twice", pt.Target)
		}
		byTarget[pt.Target] = pt
		order = append(order, strings.TrimPrefix(pt.Target, f.app.URL))
	}
	wantOrder := []string{"/explicit", "/voice", "/fallback", "/status", "https://handler.twilio.com/twiml/EH00000000000000000000000000000000", "/post-only", "/roaming", "/old-sms"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("targets = %v, want %v", order, wantOrder)
	}
	voice := byTarget[f.app.URL+"/voice"]
	if voice.URL != f.app.URL+"/voice#rt=2000" {
		t.Errorf("voice URL = %q, want the configured one with its override", voice.URL)
	}
	if len(voice.Sources) != 3 || !strings.HasPrefix(voice.Sources[2], "alerts (2 incidents)") {
		t.Errorf("voice sources = %v, want two numbers and the alerts", voice.Sources)
	}
	if bin := byTarget["https://handler.twilio.com/twiml/EH00000000000000000000000000000000"]; bin.Skipped == "" {
		t.Error("the TwiML Bin was not skipped")
	}
	if inv := byTarget[f.app.URL+"/roaming"].Invalid; inv == nil || inv.Code != 11241 {
		t.Errorf("invalid override = %+v, want Twilio 11241", inv)
	}
	for path, want := range map[string]int64{"/explicit": 2, "/voice": 2, "/fallback": 2, "/status": 2, "/old-sms": 2, "/post-only": 2} {
		if got := f.hits[path].Load(); got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
	verdicts := map[string]probe.Outcome{}
	for _, ts := range pe.Report.Targets {
		verdicts[strings.TrimPrefix(ts.Target, f.app.URL)] = ts.Outcome
	}
	// A GET answered 405 is the cause when the webhook is configured for
	// GET; the voice URL (POST) is only ever probed with a GET.
	if verdicts["/voice"] != probe.OutcomeOK || verdicts["/old-sms"] != probe.CauseURLNotFound || verdicts["/post-only"] != probe.CauseMethodNotAllowed {
		t.Errorf("verdicts = %v", verdicts)
	}
	if m := byTarget[f.app.URL+"/post-only"].Method; m != "GET" || byTarget[f.app.URL+"/voice"].Method != "POST" {
		t.Errorf("configured methods: post-only %q, voice %q", m, byTarget[f.app.URL+"/voice"].Method)
	}
	for _, a := range pe.Report.Attempts {
		if a.Target == f.app.URL+"/voice" && a.ReadTimeoutMs != 2000 {
			t.Errorf("voice attempt read timeout = %v ms, want the override's 2000", a.ReadTimeoutMs)
		}
	}

	rows := readStaged(t, env, collect.ProbeAttemptsFile)
	if n := strings.Count(rows, "\n"); n != 1+12 {
		t.Errorf("%s has %d lines, want a header and 12 attempts:\n%s", collect.ProbeAttemptsFile, n, rows)
	}
	var summary struct {
		Attempts int                   `json:"attempts"`
		Results  []probe.TargetSummary `json:"results"`
		Targets  []collect.ProbeTarget `json:"targets"`
	}
	if err := json.Unmarshal([]byte(readStaged(t, env, collect.ProbeSummaryFile)), &summary); err != nil {
		t.Fatal(err)
	}
	if summary.Attempts != 12 || len(summary.Results) != 6 || len(summary.Targets) != 8 {
		t.Errorf("summary: attempts=%d results=%d targets=%d", summary.Attempts, len(summary.Results), len(summary.Targets))
	}
}

func TestProbes_HistoryIsIncludedWithFailureRateByHour(t *testing.T) {
	f := newProbeFixture(t)
	env := f.env(t)
	hist := filepath.Join(t.TempDir(), "history.csv")
	at := func(day, hour int, ok bool) probe.Attempt {
		return probe.Attempt{Time: probeWindowTo.Add(time.Duration(-day*24+hour) * time.Hour), Target: "https://app.example/voice", Mode: probe.ModeDNS, OK: ok}
	}
	attempts := []probe.Attempt{
		at(2, 9, false), at(3, 9, false), at(4, 9, true), at(2, 15, true), at(3, 15, true),
		at(40, 9, false), // older than Twilio's 30 days: left out
	}
	if err := probe.AppendHistory(hist, attempts); err != nil {
		t.Fatal(err)
	}
	collect.Run(context.Background(), env, 30*time.Second, collect.Probes{Disabled: true, HistoryFile: hist})

	if st := env.Evidence.Collectors[0]; st.State != collect.StateSkipped {
		t.Errorf("collector = %+v, want skipped (--no-probe)", st)
	}
	h := env.Evidence.Probes.History
	if h == nil || len(h.Attempts) != 5 || h.Dropped != 1 || h.File != "history.csv" {
		t.Fatalf("history = %+v", h)
	}
	if h.ByHour[9].Attempts != 3 || h.ByHour[9].Failures != 2 || h.ByHour[15].Failures != 0 {
		t.Errorf("by hour 9 = %+v, 15 = %+v", h.ByHour[9], h.ByHour[15])
	}
	if len(h.Targets) != 1 || h.Targets[0].Outcome != probe.OutcomeIntermittent {
		t.Errorf("history targets = %+v", h.Targets)
	}
	if got := strings.Count(readStaged(t, env, collect.ProbeHistoryFile), "\n"); got != 6 {
		t.Errorf("%s has %d lines, want a header and 5 attempts", collect.ProbeHistoryFile, got)
	}
	byHour := readStaged(t, env, collect.ProbeByHourFile)
	if !strings.HasPrefix(byHour, "hour,attempts,failures,failure_rate\n") || !strings.Contains(byHour, "\n9,3,2,0.6666") {
		t.Errorf("%s =\n%s", collect.ProbeByHourFile, byHour)
	}
	for _, p := range []string{"/voice", "/explicit"} {
		if f.hits[p].Load() != 0 {
			t.Errorf("--no-probe still requested %s", p)
		}
	}
}

func TestProbes_NothingToProbeIsSkipped(t *testing.T) {
	env := (&probeFixture{}).envWithout(t)
	collect.Run(context.Background(), env, time.Second, collect.Probes{Network: loopback})
	if st := env.Evidence.Collectors[0]; st.State != collect.StateSkipped || !strings.Contains(st.Reason, "no webhook URL") {
		t.Errorf("collector = %+v", st)
	}
}

func (f *probeFixture) envWithout(t *testing.T) *collect.Env {
	t.Helper()
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	return &collect.Env{Evidence: &collect.Evidence{Window: collect.Window{From: probeWindowTo.Add(-time.Hour), To: probeWindowTo}}, Stage: stage}
}

func TestProbes_BudgetKeepsWhatWasMeasured(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML())
	env := (&probeFixture{}).envWithout(t)
	start := time.Now()
	collect.Run(context.Background(), env, 10*time.Second,
		collect.Probes{URLs: []string{s.URL + "/a"}, Count: 50, Interval: 100 * time.Millisecond, Budget: 250 * time.Millisecond, Network: loopback})
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("the budget did not stop the probes: %v", el)
	}
	pe := env.Evidence.Probes
	if st := env.Evidence.Collectors[0]; st.State != collect.StateOK {
		t.Errorf("collector = %+v", st)
	}
	if pe.Report == nil || !pe.Report.Interrupted || len(pe.Report.Attempts) == 0 || len(pe.Report.Attempts) >= 50 {
		t.Errorf("report: interrupted=%v attempts=%d", pe.Report != nil && pe.Report.Interrupted, len(pe.Report.Attempts))
	}
}

func readStaged(t *testing.T, env *collect.Env, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.Stage.Dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("%s not staged: %v", name, err)
	}
	return string(b)
}

// stepRecorder is a collect.Progress that records the steps of each task.
type stepRecorder struct {
	mu    sync.Mutex
	steps map[string][]int
	done  map[string]bool
}

func (r *stepRecorder) Start(name string, total int) collect.Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.steps == nil {
		r.steps, r.done = map[string][]int{}, map[string]bool{}
	}
	return &recordedTask{r: r, name: name}
}

func (r *stepRecorder) Warnf(string, ...any) {}

type recordedTask struct {
	r    *stepRecorder
	name string
}

func (t *recordedTask) Add(n int) {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	if t.r.done[t.name] {
		n = -1000 // a step after Done shows as a failure
	}
	t.r.steps[t.name] = append(t.r.steps[t.name], n)
}

func (t *recordedTask) Grow(int) {}

func (t *recordedTask) Done() {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	t.r.done[t.name] = true
}

// TestProbes_ProgressAdvancesPerSample checks that the bundle's probe bar
// moves with every sample as it is made, not in one jump at the end.
func TestProbes_ProgressAdvancesPerSample(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML())
	env := (&probeFixture{}).envWithout(t)
	rec := &stepRecorder{}
	env.Progress = rec
	collect.Run(context.Background(), env, 30*time.Second,
		collect.Probes{URLs: []string{s.URL + "/a", s.URL + "/b"}, Count: 3, Interval: time.Millisecond, Network: loopback})
	if got := rec.steps["probes"]; !slices.Equal(got, []int{1, 1, 1, 1, 1, 1}) || !rec.done["probes"] {
		t.Errorf("probe steps %v (done %v), want six steps of 1 before Done", got, rec.done["probes"])
	}
}
