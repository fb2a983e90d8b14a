package probe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type countTask struct {
	mu      sync.Mutex
	added   int
	done    bool
	label   string
	samples int
}

func (c *countTask) Add(n int) { c.mu.Lock(); c.added += n; c.mu.Unlock() }
func (c *countTask) Done()     { c.done = true }

func TestCommandRefusesBadInputBeforeSending(t *testing.T) {
	sent := 0
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent++ }))
	defer srv.Close()
	asked := false
	creds := func() (string, string, error) { asked = true; return "", "", errors.New("no token") }
	base := CommandOptions{URLs: []string{srv.URL}, Style: StyleGet, Channel: ChannelVoice, Count: 1, Lang: "en", AllowPrivate: true}
	cases := []struct {
		name string
		edit func(*CommandOptions)
		want string
	}{
		{"no URL", func(o *CommandOptions) { o.URLs = nil }, "probe: no URL given"},
		{"count", func(o *CommandOptions) { o.Count = MaxCount + 1 }, "probe: --count"},
		{"interval", func(o *CommandOptions) { o.Interval = 2 * MaxInterval }, "probe: --interval 2h0m0s: want 0 to 1h0m0s"},
		{"lang", func(o *CommandOptions) { o.Lang = "fr" }, `probe: --lang "fr"`},
		{"url", func(o *CommandOptions) { o.URLs = []string{"ftp://example.com/x"} }, "probe: "},
		{"resolve", func(o *CommandOptions) { o.Resolve = []string{"nonsense"} }, "probe: --resolve"},
		{"method with get", func(o *CommandOptions) { o.Method = "POST" }, "--method applies to --style twilio only"},
		{"style", func(o *CommandOptions) { o.Style = "curl" }, `probe: --style "curl"`},
		{"channel", func(o *CommandOptions) { o.Style, o.Channel = StyleTwilio, "fax" }, `probe: --channel "fax"`},
		{"record is a directory", func(o *CommandOptions) { o.Record = t.TempDir() }, "--record "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			o.Credentials = creds
			c.edit(&o)
			_, err := Command(context.Background(), o)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want an InputError with %q", err, c.want)
			}
		})
	}
	if sent != 0 || asked {
		t.Errorf("%d requests sent, credentials asked %v: bad input must stop everything", sent, asked)
	}
	o := base
	o.Style, o.Credentials = StyleTwilio, creds
	if _, err := Command(context.Background(), o); err == nil || err.Error() != "no token" {
		t.Errorf("the credentials' error is not returned as it is: %v", err)
	}
}

func TestCommandProbesRecordsAndExplains(t *testing.T) {
	// net/http reads the proxy variables once per process: they are set as
	// TestProbe_ProxyFromEnvironmentIsUsed needs them, whichever runs first
	// (loopback requests are never proxied).
	setEnvProxy(t)
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte("<Response/>"))
	}))
	defer ok.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer broken.Close()
	record := filepath.Join(t.TempDir(), "probes.csv")
	var mu sync.Mutex
	var tasks []*countTask
	var warnings []string
	res, err := Command(context.Background(), CommandOptions{
		URLs: []string{ok.URL + "/voice", broken.URL + "/voice"}, Style: StyleTwilio, Method: "post", Channel: ChannelSMS,
		Count: 2, AllowPrivate: true, Lang: "ja", Record: record,
		Credentials: func() (string, string, error) {
			return "AC" + strings.Repeat("0", 32), "tok" + strings.Repeat("x", 29), nil
		},
		Warn: func(l string) { warnings = append(warnings, l) },
		Progress: func(label string, n int) Task {
			mu.Lock()
			defer mu.Unlock()
			c := &countTask{label: label, samples: n}
			tasks = append(tasks, c)
			return c
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 || warnings[0] != Warning {
		t.Errorf("warnings %q, want the --style twilio warning first", warnings)
	}
	if len(tasks) != 2 || tasks[0].samples != 2 || tasks[0].added != 2 || !tasks[1].done || strings.HasPrefix(tasks[0].label, "http") {
		t.Errorf("progress: %+v %+v", tasks[0], tasks[1])
	}
	if len(res.Targets) != 2 || res.Targets[0].Outcome != OutcomeOK || res.Targets[1].Outcome == OutcomeOK {
		t.Fatalf("targets: %+v", res.Targets)
	}
	for _, ts := range res.Targets {
		if ts.Explanation == "" {
			t.Errorf("%s has no explanation", ts.Target)
		}
	}
	if f := res.Failing(); len(f) != 1 || !strings.HasPrefix(f[0], broken.URL) {
		t.Errorf("failing %q, want the 502 URL only", f)
	}
	if res.RecordErr != nil {
		t.Fatal(res.RecordErr)
	}
	b, err := os.ReadFile(record)
	if err != nil || strings.Count(string(b), "\n") < 1+len(res.Attempts) {
		t.Errorf("record holds %d lines for %d attempts (%v)", strings.Count(string(b), "\n"), len(res.Attempts), err)
	}
}

func TestShortURLKeepsHostStartAndPathEnd(t *testing.T) {
	if got := ShortURL("https://a.example/x", 28); got != "a.example/x" {
		t.Errorf("got %q", got)
	}
	got := ShortURL("https://very-long-host-name.example.com/twilio/voice/inbound", 28)
	if len([]rune(got)) != 28 || !strings.HasPrefix(got, "very-long-hos") || !strings.HasSuffix(got, "voice/inbound") || !strings.Contains(got, "…") {
		t.Errorf("got %q", got)
	}
}
