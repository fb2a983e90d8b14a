package collect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// warnings records the warnings collectors give.
type warnings struct {
	NoProgress
	mu   sync.Mutex
	list []string
}

func (w *warnings) Warnf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, fmt.Sprintf(format, args...))
}

func (w *warnings) joined() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.list, "\n")
}

// demoEnv is an Env on the demo account's data over a window that does not
// start or end on a UTC day, so that the day-granular Notifications filter
// lets through notifications the exact window must drop.
func demoEnv(t *testing.T, data *faketwilio.AccountData) (*Env, *faketwilio.Server) {
	t.Helper()
	fake := faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, data)
	t.Cleanup(fake.Close)
	env := newTestEnv(t, fake)
	env.Evidence.Account.SID = faketwilio.DemoAccountSID
	env.Evidence.Window = Window{From: testFrom.Add(31 * time.Hour), To: testFrom.Add(5*24*time.Hour + 3*time.Hour)}
	env.API.Credentials = Credentials{AccountSID: faketwilio.DemoAccountSID, Username: faketwilio.DemoAccountSID, Secret: faketwilio.DemoAuthToken}
	env.Progress = &warnings{}
	return env, fake
}

func TestAlerts_FallsBackToNotificationsWithTheSameIncidents(t *testing.T) {
	to := testFrom.Add(7 * 24 * time.Hour)

	viaAlerts, _ := demoEnv(t, faketwilio.DemoData(testFrom, to))
	Run(context.Background(), viaAlerts, time.Minute, Alerts{MaxDetails: 1000})

	unavailable := faketwilio.DemoData(testFrom, to)
	unavailable.AlertsUnavailable = true
	viaNotes, fake := demoEnv(t, unavailable)
	Run(context.Background(), viaNotes, time.Minute, Alerts{MaxDetails: 1000})

	for _, env := range []*Env{viaAlerts, viaNotes} {
		if st := env.Evidence.Collectors[0]; st.State != StateOK {
			t.Fatalf("alerts collector: %s (%s)", st.State, st.Reason)
		}
	}
	a, n := viaAlerts.Evidence.Incidents, viaNotes.Evidence.Incidents
	if len(a) < 100 {
		t.Fatalf("only %d incidents through the alerts: the test data is too small", len(a))
	}
	if len(n) != len(a) {
		t.Fatalf("notifications gave %d incidents, alerts %d", len(n), len(a))
	}
	kinds := map[string]int{}
	for i := range a {
		if !reflect.DeepEqual(a[i], n[i]) {
			t.Fatalf("incident %d differs:\nalerts        %+v\nnotifications %+v", i, a[i], n[i])
		}
		kinds[a[i].Kind]++
	}
	if kinds[KindCall] == 0 || kinds[KindMessage] == 0 {
		t.Errorf("want calls and messages among the incidents, got %v", kinds)
	}
	for _, inc := range n {
		if !viaNotes.Evidence.Window.Contains(inc.Time) {
			t.Fatalf("incident at %s is outside the window", inc.Time)
		}
	}

	if got := viaAlerts.Evidence.AlertsSource; got != AlertsFromMonitor {
		t.Errorf("alerts path: AlertsSource = %q", got)
	}
	ev := viaNotes.Evidence
	if ev.AlertsSource != AlertsFromNotifications {
		t.Errorf("fallback: AlertsSource = %q, want %q", ev.AlertsSource, AlertsFromNotifications)
	}
	if !strings.Contains(ev.AlertsSourceReason, "HTTP 404") || !strings.Contains(ev.AlertsSourceReason, "Notifications") {
		t.Errorf("fallback reason does not say why and what instead: %q", ev.AlertsSourceReason)
	}
	if w := viaNotes.Progress.(*warnings).joined(); !strings.Contains(w, "Notifications resource") {
		t.Errorf("no warning about the fallback; warnings:\n%s", w)
	}
	files := strings.Join(viaNotes.Stage.Files(), " ")
	if !strings.Contains(files, NotificationsFile) || strings.Contains(files, AlertsFile) || strings.Contains(files, ".list") {
		t.Errorf("staged files = %s, want %s and no alerts file", files, NotificationsFile)
	}
	if got := countLines(t, viaNotes, NotificationsFile); got != ev.AlertsSeen || got == 0 {
		t.Errorf("%s holds %d lines, AlertsSeen = %d", NotificationsFile, got, ev.AlertsSeen)
	}
	if fake.Requests("/2010-04-01/Accounts/"+faketwilio.DemoAccountSID+"/Notifications/") == 0 {
		t.Errorf("no notification details were fetched")
	}
}

func TestAlerts_NotificationsWithoutDetailsKeepCallsAndTheKindOfMessages(t *testing.T) {
	data := faketwilio.DemoData(testFrom, testFrom.Add(7*24*time.Hour))
	data.AlertsUnavailable = true
	env, fake := demoEnv(t, data)
	Run(context.Background(), env, time.Minute, Alerts{MaxDetails: -1})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("alerts collector: %s (%s)", st.State, st.Reason)
	}
	if n := fake.Requests("/2010-04-01/Accounts/" + faketwilio.DemoAccountSID + "/Notifications/"); n != 0 {
		t.Errorf("%d detail fetches with MaxDetails -1", n)
	}
	calls, messages := 0, 0
	for _, inc := range env.Evidence.Incidents {
		switch {
		case strings.HasPrefix(inc.ResourceSID, "CA"):
			calls++
			if inc.Kind != KindCall {
				t.Errorf("%s: kind %q", inc.AlertSID, inc.Kind)
			}
		case inc.ResourceSID == "" && inc.Kind == KindMessage:
			// A notification names no message; sourceComponent 14100 says SMS.
			messages++
		}
	}
	if calls == 0 || messages == 0 {
		t.Errorf("calls with their SID = %d, messages known by sourceComponent = %d; want both", calls, messages)
	}
}

func TestAlerts_NoFallbackWhenTheMonitorAPIFailsOtherwise(t *testing.T) {
	data := faketwilio.DemoData(testFrom, testFrom.Add(7*24*time.Hour))
	env, fake := demoEnv(t, data)
	env.API.MaxAttempts = 1
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Status: 500})
	Run(context.Background(), env, time.Minute, Alerts{})
	if st := env.Evidence.Collectors[0]; st.State != StateError || !strings.Contains(st.Reason, "500") {
		t.Errorf("alerts collector = %s (%s), want an error naming the 500", st.State, st.Reason)
	}
	if n := fake.Requests("/2010-04-01/Accounts/" + faketwilio.DemoAccountSID + "/Notifications"); n != 0 {
		t.Errorf("%d notification requests after a 500: a server error is not a reason to fall back", n)
	}
	if env.Evidence.AlertsSource == AlertsFromNotifications {
		t.Errorf("AlertsSource = %q after a 500", env.Evidence.AlertsSource)
	}
}

func TestAlertsUnavailable_OnlyWhenTheAPIDoesNotServeTheAccount(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"404 from the Monitor API", &client.TwilioRestError{Status: 404, Code: 20404}, true},
		{"403 from the Monitor API", fmt.Errorf("list: %w", &client.TwilioRestError{Status: 403, Code: 20403}), true},
		{"throttled", &client.TwilioRestError{Status: 429, Code: 20429}, false},
		{"server error", &client.TwilioRestError{Status: 503, Code: 20503}, false},
		{"unauthorized", &client.TwilioRestError{Status: 401, Code: 20003}, false},
		{"regional host unknown", &net.DNSError{Err: "no such host", Name: "monitor.dublin.ie1.twilio.com", IsNotFound: true}, true},
		{"DNS timeout", &net.DNSError{Err: "i/o timeout", Name: "monitor.twilio.com", IsTimeout: true}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"other", errors.New("connection reset"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := alertsUnavailable(tc.err); got != tc.want {
				t.Errorf("alertsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestNotificationsFromAlerts_SameSIDsTextAndDates(t *testing.T) {
	data := faketwilio.DemoData(testFrom, testFrom.Add(7*24*time.Hour))
	ns := data.Notifications
	if len(ns) != data.Alerts.Len() {
		t.Fatalf("%d notifications for %d alerts", len(ns), data.Alerts.Len())
	}
	for i, n := range ns {
		a := data.Alerts.At(i)
		if n.Sid != a.Sid || n.MessageText != a.AlertText || n.ErrorCode != a.ErrorCode {
			t.Fatalf("notification %d does not match its alert", i)
		}
		if _, err := time.Parse(faketwilio.RFC2822, n.MessageDate); err != nil {
			t.Fatalf("message_date %q is not RFC 2822", n.MessageDate)
		}
	}
	if !sort.SliceIsSorted(ns, func(i, j int) bool {
		ti, _ := time.Parse(faketwilio.RFC2822, ns[i].MessageDate)
		tj, _ := time.Parse(faketwilio.RFC2822, ns[j].MessageDate)
		return ti.After(tj)
	}) {
		t.Errorf("notifications are not newest first")
	}
}
