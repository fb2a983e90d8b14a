package doctor

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

const (
	testAccount = "AC00000000000000000000000000000d0c"
	testToken   = "doctorTOKEN000000000000000000000"
)

// setup starts the fake API and status page and returns options that
// point every check at them, with the given credentials.
func setup(t *testing.T, token string) Options {
	t.Helper()
	t.Setenv("TWILIO_EDGE", "")
	t.Setenv("TWILIO_REGION", "")
	now := time.Now().UTC()
	d := faketwilio.DemoData(now.Add(-24*time.Hour), now)
	d.Account.Sid, d.Account.OwnerAccountSid = testAccount, testAccount
	fake := faketwilio.New(map[string]string{testAccount: testToken}, d)
	t.Cleanup(fake.Close)
	page := twiliostatus.NewFakeServer(nil)
	t.Cleanup(page.Close)
	env := map[string]string{"TWILIO_ACCOUNT_SID": testAccount, "TWILIO_AUTH_TOKEN": token}
	return Options{
		Getenv: func(k string) string { return env[k] },
		Output: t.TempDir(), APIURL: fake.URL, StatusURL: page.URL,
	}
}

// byName indexes the checks by name.
func byName(checks []Check) map[string]Check {
	m := map[string]Check{}
	for _, c := range checks {
		m[c.Name] = c
	}
	return m
}

func TestRun_AllPassAgainstTheFakeAPI(t *testing.T) {
	o := setup(t, testToken)
	checks := Run(context.Background(), o)
	names := []string{"credentials", "api.twilio.com", "monitor.twilio.com", "messaging.twilio.com", "status-page", "ca-bundle", "font", "output", "clock"}
	if len(checks) != len(names) {
		t.Fatalf("%d checks, want %d: %+v", len(checks), len(names), checks)
	}
	for i, c := range checks {
		if c.Name != names[i] {
			t.Errorf("check %d is %s, want %s", i, c.Name, names[i])
		}
		if c.Status != OK && !(c.Name == "font" && c.Status == Warn) {
			t.Errorf("%s: %s %s %v", c.Name, c.Status, c.Key, c.Figures)
		}
	}
	if Failed(checks) {
		t.Error("Failed with every check passing")
	}
	if got := byName(checks)["credentials"].Figures["name"]; got == "" {
		t.Error("the credentials check does not name the account")
	}
	for _, lang := range []string{"en", "ja"} {
		l, err := bundle.NewLocalizer(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range Lines(checks, l) {
			if strings.Contains(line, "doctor.") || strings.Contains(line, "<no value>") {
				t.Errorf("%s: a line without its sentence: %q", lang, line)
			}
		}
	}
}

func TestRun_FailuresAreSaidWithAdvice(t *testing.T) {
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}()
	cases := []struct {
		name   string
		change func(o *Options)
		check  string
		status string
		advice string // in the English advice line
	}{
		{"wrong token", func(o *Options) {}, "credentials", Fail, "TWILIO_AUTH_TOKEN"},
		{"API unreachable", func(o *Options) { o.APIURL = closed }, "monitor.twilio.com", Fail, "firewall"},
		{"status page unreadable", func(o *Options) { o.StatusURL = closed }, "status-page", Warn, "--no-status"},
		{"no Japanese font", func(o *Options) {
			t.Setenv("TWILIO_EVIDENCE_FONTS", filepath.Join(t.TempDir(), "none.ttf"))
			o.Lang = "ja"
		}, "font", Fail, "fonts-ipaexfont-gothic"},
		{"output missing", func(o *Options) { o.Output = filepath.Join(o.Output, "nope") }, "output", Fail, "--output"},
		{"bad CA bundle", func(o *Options) {
			env := o.Getenv
			o.Getenv = func(k string) string {
				if k == "SSL_CERT_FILE" {
					return filepath.Join(o.Output, "none.pem")
				}
				return env(k)
			}
		}, "ca-bundle", Fail, "SSL_CERT_FILE"},
	}
	en, err := bundle.NewLocalizer("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := testToken
			if c.name == "wrong token" {
				token = "wrongTOKEN00000000000000000000000"
			}
			o := setup(t, token)
			c.change(&o)
			checks := Run(context.Background(), o)
			got := byName(checks)[c.check]
			if got.Status != c.status {
				t.Fatalf("%s: %s (%s %v), want %s", c.check, got.Status, got.Key, got.Figures, c.status)
			}
			if Failed(checks) != (c.status == Fail) {
				t.Errorf("Failed = %v with %s %s", Failed(checks), c.check, c.status)
			}
			lines := strings.Join(Lines([]Check{got}, en), "\n")
			if !strings.Contains(lines, "→") || !strings.Contains(lines, c.advice) {
				t.Errorf("lines lack the advice %q:\n%s", c.advice, lines)
			}
		})
	}
}

// unwritableDir is a directory this process cannot create files in; the
// test is skipped where there is none (root ignores permissions).
func unwritableDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() == 0 && runtime.GOOS == "linux" {
		dir = "/sys" // root writes anywhere else
	}
	if f, err := os.CreateTemp(dir, "probe-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skipf("no unwritable directory for this user: %s is writable", dir)
	}
	return dir
}

func TestRun_UnwritableOutput(t *testing.T) {
	o := setup(t, testToken)
	o.Output = unwritableDir(t)
	c := byName(Run(context.Background(), o))["output"]
	if c.Status != Fail || c.Figures["error"] == "" {
		t.Errorf("output: %s %v, want a failure with its reason", c.Status, c.Figures)
	}
}

func TestCheckClock(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		twilio time.Time
		want   string
	}{
		{now.Add(-3 * time.Second), OK},
		{now.Add(10 * time.Minute), Fail},
		{now.Add(-10 * time.Minute), Fail},
		{time.Time{}, Warn},
	} {
		if got := checkClock(now, c.twilio); got.Status != c.want {
			t.Errorf("Twilio's time %s: %s, want %s", c.twilio, got.Status, c.want)
		}
	}
}

func TestOutcome_PointlessWhenACheckFailed(t *testing.T) {
	if err := Outcome([]Check{{Status: OK}, {Status: Warn}}); err != nil {
		t.Errorf("warnings only: %v, want nil", err)
	}
	err := Outcome([]Check{{Status: OK}, {Status: Fail}, {Status: Warn}, {Status: Fail}})
	if runerr.KindOf(err) != runerr.Pointless || err.Error() != "2 of 4 checks failed: follow the advice under each" {
		t.Errorf("two failed: %v, want runerr.Pointless saying 2 of 4", err)
	}
}
