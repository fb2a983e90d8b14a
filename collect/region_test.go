package collect

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// hostRecorder records the Host every request was meant for.
type hostRecorder struct {
	mu    sync.Mutex
	hosts map[string]int
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	if h.hosts == nil {
		h.hosts = map[string]int{}
	}
	h.hosts[r.Host]++
	h.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (h *hostRecorder) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.hosts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestAPIConfig_RegionAndEdgeReachRegionalHosts(t *testing.T) {
	tests := []struct {
		name               string
		region, edge       string
		envRegion, envEdge string
		want               []string
	}{
		{"default", "", "", "", "", []string{"api.twilio.com", "monitor.twilio.com"}},
		{"region and edge", "ie1", "dublin", "", "", []string{"api.dublin.ie1.twilio.com", "monitor.dublin.ie1.twilio.com"}},
		{"edge alone is in us1", "", "sydney", "", "", []string{"api.sydney.us1.twilio.com", "monitor.sydney.us1.twilio.com"}},
		{"TWILIO_REGION and TWILIO_EDGE", "", "", "au1", "sydney", []string{"api.sydney.au1.twilio.com", "monitor.sydney.au1.twilio.com"}},
		{"the config beats the variables", "ie1", "dublin", "au1", "sydney", []string{"api.dublin.ie1.twilio.com", "monitor.dublin.ie1.twilio.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// 2,500 alerts: the v1 pages' absolute next_page_url must keep the regional host.
			fake := faketwilio.New(map[string]string{testAccount: testToken}, testData(2500))
			defer fake.Close()
			env := newTestEnv(t, fake)
			t.Setenv("TWILIO_REGION", tc.envRegion)
			t.Setenv("TWILIO_EDGE", tc.envEdge)
			rec := &hostRecorder{}
			env.API.Region, env.API.Edge, env.API.Transport = tc.region, tc.edge, rec
			Run(context.Background(), env, time.Minute, AccountInfo{}, Alerts{MaxDetails: 3})
			for _, st := range env.Evidence.Collectors {
				if st.State != StateOK {
					t.Fatalf("%s: %s (%s)", st.Name, st.State, st.Reason)
				}
			}
			if env.Evidence.Account.FriendlyName != "Test" || env.Evidence.AlertsSeen != 2500 {
				t.Errorf("account %q, %d alerts: the regional requests did not reach the fake", env.Evidence.Account.FriendlyName, env.Evidence.AlertsSeen)
			}
			got := rec.list()
			if len(got) != len(tc.want) || got[0] != tc.want[0] || got[1] != tc.want[1] {
				t.Errorf("hosts = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResolveRegion_FlagsThenVariablesChecked(t *testing.T) {
	tests := []struct {
		name                 string
		region, edge         string
		env                  map[string]string
		wantRegion, wantEdge string
		wantErr              string
	}{
		{"nothing named", "", "", nil, "", "", ""},
		{"flags", "IE1 ", "Dublin", nil, "ie1", "dublin", ""},
		{"variables", "", "", map[string]string{"TWILIO_REGION": "au1", "TWILIO_EDGE": "sydney"}, "au1", "sydney", ""},
		{"flags beat variables", "ie1", "", map[string]string{"TWILIO_REGION": "au1", "TWILIO_EDGE": "sydney"}, "ie1", "sydney", ""},
		{"edge with a hyphen", "", "sao-paulo", nil, "", "sao-paulo", ""},
		{"host name given as region", "api.ie1.twilio.com", "", nil, "", "", `--region "api.ie1.twilio.com" is not a Twilio region name`},
		{"bad variable", "", "", map[string]string{"TWILIO_EDGE": "dub lin"}, "", "", `TWILIO_EDGE "dub lin" is not a Twilio edge name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, e, err := ResolveRegion(tc.region, tc.edge, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || r != tc.wantRegion || e != tc.wantEdge {
				t.Errorf("= %q, %q, %v; want %q, %q", r, e, err, tc.wantRegion, tc.wantEdge)
			}
		})
	}
	if EffectiveRegion("") != "us1" || EffectiveRegion("ie1") != "ie1" {
		t.Errorf("EffectiveRegion")
	}
}
