package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

const (
	testToken  = "0123456789abcdef0123456789abcdef"
	testKey    = "SK0123456789abcdef0123456789abcdef"
	testSecret = "secretsecretsecretsecretsecret00"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSource_ChoosesTheDemoTheFilesOrTheAccount(t *testing.T) {
	env := envOf(map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_AUTH_TOKEN": testToken})
	for _, s := range []Source{{Demo: true}, {Offline: true, Getenv: env}} {
		if api, err := s.API(); api != nil || err != nil {
			t.Errorf("%+v: API %v, %v; want none: the demo starts its own, the files need none", s, api, err)
		}
	}
	api, err := Source{Getenv: env, APIURL: "http://127.0.0.1:1", AccountSID: otherAcct}.API()
	if err != nil {
		t.Fatal(err)
	}
	if api.Credentials.AccountSID != otherAcct || api.Credentials.Username != otherAcct || api.Credentials.Secret != testToken || api.BaseURL != "http://127.0.0.1:1" {
		t.Errorf("API %+v, want the subaccount read with the parent's auth token at the fake's URL", api)
	}
	win := collect.Window{From: time.Now().Add(-time.Hour), To: time.Now()}
	api, d, err := Source{Demo: true}.Open(win)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if api == nil || api.Credentials.AccountSID != faketwilio.DemoAccountSID {
		t.Errorf("demo API %+v, want the demo account", api)
	}
}

func TestSource_BadTokenFileIsUsageMissingCredentialsPointless(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		s    Source
		kind runerr.Kind
		want string
	}{
		"token file missing": {Source{AuthTokenFile: filepath.Join(dir, "token")}, runerr.Usage, "--auth-token-file"},
		"token file a dir":   {Source{AuthTokenFile: dir}, runerr.Usage, "is a directory"},
		"no credentials":     {Source{}, runerr.Pointless, "TWILIO_ACCOUNT_SID"},
		"bad sid":            {Source{Getenv: envOf(map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": testToken})}, runerr.Pointless, "not an account SID"},
	}
	for name, c := range cases {
		if _, err := c.s.Credentials(""); runerr.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a %v error saying %q", name, err, c.kind, c.want)
		}
	}
}

func TestSource_AuthTokenSignsWithTheTokenNeverTheAPIKey(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_API_KEY": testKey, "TWILIO_API_SECRET": testSecret}
	if _, _, err := (Source{Getenv: envOf(env)}).AuthToken(); runerr.KindOf(err) != runerr.Pointless ||
		!strings.HasPrefix(err.Error(), "probe --style twilio signs its requests with the auth token: ") {
		t.Errorf("API key only: %v, want the probe's pointless error", err)
	}
	sid, secret, err := Source{Getenv: envOf(env), AuthTokenFile: token}.AuthToken()
	if err != nil || sid != testAccount || secret != testToken {
		t.Errorf("AuthToken = %q, %q, %v; want the account and the file's token", sid, secret, err)
	}
	creds, err := Source{Getenv: envOf(env)}.Credentials("")
	if err != nil || creds.Username != testKey {
		t.Errorf("Credentials = %+v, %v; want the API key for the API", creds, err)
	}
}
