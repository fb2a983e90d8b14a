package collect

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestCheckAPI_TellsRejectedAndUnreachableFromTheRest(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(0))
	defer fake.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsSrv.StartTLS()                                   // its certificate is trusted by no one
	defer tlsSrv.Close()
	closed := closedAddr(t)
	proxyTransport := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: closed})}

	cases := []struct {
		name      string
		setup     func(env *Env)
		class     FailureClass // "" = the run goes on
		rejected  bool
		host, has string
	}{
		{"ok", func(*Env) {}, "", false, "", ""},
		{"wrong token", func(env *Env) { env.API.Credentials.Secret = "wrong0token" }, FailHTTP, true, "api.twilio.com", ""},
		{"server error goes on", func(*Env) {
			fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + testAccount + ".json", Status: 503, Times: 1})
		}, "", false, "", ""},
		{"dropped goes on", func(*Env) {
			fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + testAccount + ".json", Drop: true, Times: 1})
		}, "", false, "", ""},
		{"dns", func(env *Env) { env.API.BaseURL = "http://api.twilio.invalid" }, FailDNS, false, "api.twilio.invalid", "no such host"},
		{"connect", func(env *Env) { env.API.BaseURL = "http://" + closed }, FailConnect, false, "api.twilio.com", "refused"},
		{"tls", func(env *Env) { env.API.BaseURL = tlsSrv.URL }, FailTLS, false, "api.twilio.com", "unknown authority"},
		{"proxy", func(env *Env) { env.API.Transport = proxyTransport }, FailProxy, false, "api.twilio.com", "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t, fake)
			c.setup(env)
			acc, err := CheckAPI(context.Background(), env.API)
			if c.class == "" {
				if err != nil {
					t.Fatalf("err = %v, want the run to go on", err)
				}
				if c.name == "ok" && (acc == nil || acc.FriendlyName != "Test") {
					t.Errorf("account = %+v, want the fake's", acc)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			f := ae.Failure
			if f.Class != c.class || f.Rejected() != c.rejected || f.Host != c.host {
				t.Errorf("failure = %+v, want class %s, rejected %v, host %s", f, c.class, c.rejected, c.host)
			}
			if c.rejected && f.TwilioCode != 20003 {
				t.Errorf("failure = %+v, want Twilio's code 20003", f)
			}
			if c.has != "" && !strings.Contains(f.Detail, c.has) {
				t.Errorf("detail %q lacks %q", f.Detail, c.has)
			}
			if ae.Account != testAccount {
				t.Errorf("account %q, want %s", ae.Account, testAccount)
			}
		})
	}
}

// TestRun_ClassifiesCollectorFailures: a collector's error is recorded
// raw in Reason and classified in Failure, with the host of the request
// that failed even when Twilio's error answer does not name it.
func TestRun_ClassifiesCollectorFailures(t *testing.T) {
	fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(10))
	defer fake.Close()
	fake.AddFault(faketwilio.Fault{PathPrefix: "/2010-04-01/Accounts/" + testAccount + "/IncomingPhoneNumbers.json", Status: 503})
	fake.AddFault(faketwilio.Fault{PathPrefix: "/v1/Alerts", Stall: time.Minute})
	env := newTestEnv(t, fake)
	env.API.MaxAttempts = 1
	Run(context.Background(), env, 0, Config{})
	Run(context.Background(), env, time.Second, Alerts{})
	want := map[string]Failure{
		"config": {Class: FailHTTP, Host: "api.twilio.com", HTTPStatus: 503, TwilioCode: 20500},
		"alerts": {Class: FailTimeout, Host: "monitor.twilio.com", After: "1s"},
	}
	for _, st := range env.Evidence.Collectors {
		w, ok := want[st.Name]
		if !ok {
			continue
		}
		delete(want, st.Name)
		if st.Failure == nil || *st.Failure != w {
			t.Errorf("%s: failure %+v, want %+v (reason %q)", st.Name, st.Failure, w, st.Reason)
		}
		if st.Reason == "" {
			t.Errorf("%s: no raw reason", st.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("collectors not recorded: %v", want)
	}
}
