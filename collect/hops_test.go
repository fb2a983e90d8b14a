package collect

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

var hopT0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

func hopIncidents(n int) []Incident {
	var out []Incident
	for i := 0; i < n; i++ {
		out = append(out, Incident{AlertSID: fmt.Sprintf("NO%032x", i), Time: hopT0.Add(time.Duration(i) * time.Hour),
			ErrorCode: "11205", ResourceSID: fmt.Sprintf("CA%032x", i), Kind: KindCall, Method: "POST", URL: "https://ivr.example.com/voice"})
	}
	return out
}

func writeLog(t *testing.T, dir, name string, lines []string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func iptablesLine(t time.Time, action, dst string) string {
	return fmt.Sprintf("%s fw kernel: %s: IN=eth0 OUT=eth1 SRC=54.172.60.9 DST=%s LEN=60 PROTO=TCP SPT=40001 DPT=443 SYN",
		t.Format("2006-01-02T15:04:05.000000-07:00"), action, dst)
}

func combinedLine(t time.Time, path string, status int, secs float64) string {
	return fmt.Sprintf(`54.172.60.9 - - [%s] "POST %s HTTP/1.1" %d 120 "-" "TwilioProxy/1.1" %.3f`, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, secs)
}

func albLine(t time.Time, path string, status int) string {
	ts := t.UTC().Format("2006-01-02T15:04:05.000000Z")
	return fmt.Sprintf(`https %s app/lb/1 54.172.60.9:2817 10.0.0.5:443 0.000 0.010 0.000 %d %d 34 120 "POST https://ivr.example.com:443%s HTTP/1.1" "TwilioProxy/1.1" - - - "-" "-" "-" 0 %s "forward" "-" "-" "-" "-" "-" "-"`, ts, status, status, path, ts)
}

// staticResolver answers from a map and counts its calls.
type staticResolver struct {
	addrs map[string]string
	calls *int
}

func (r staticResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	*r.calls++
	a, ok := r.addrs[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(a)}}, nil
}

func hopEnv(t *testing.T, incs []Incident) *Env {
	t.Helper()
	stage, err := NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	return &Env{Evidence: &Evidence{Incidents: incs, Window: Window{From: hopT0.Add(-time.Hour), To: hopT0.Add(24 * time.Hour)}}, Stage: stage}
}

func mustSpecs(t *testing.T, hops, logs []string) ([]hoplog.Spec, []hoplog.Spec) {
	t.Helper()
	h, l, err := CheckHopSpecs(hops, logs, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return h, l
}

func readStaged(t *testing.T, env *Env, name string) string {
	t.Helper()
	f, err := env.Stage.Open(name)
	if err != nil {
		t.Fatalf("%s not staged: %v (staged: %v)", name, err, env.Stage.Files())
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return string(b)
}

func TestHops_LostBetweenFirewallAndLB(t *testing.T) {
	dir := t.TempDir()
	incs := hopIncidents(3)
	var fw, lb, web []string
	for _, in := range incs {
		fw = append(fw, iptablesLine(in.Time.Add(-2*time.Second), "ACCEPT", "203.0.113.80"))
		// The logs cover the incidents' times and do not have the requests.
		lb = append(lb, albLine(in.Time.Add(-30*time.Minute), "/health", 200), albLine(in.Time.Add(30*time.Minute), "/health", 200))
		web = append(web, combinedLine(in.Time.Add(-30*time.Minute), "/health", 200, 0.001), combinedLine(in.Time.Add(30*time.Minute), "/health", 200, 0.001))
	}
	hops, _ := mustSpecs(t, []string{"firewall=" + writeLog(t, dir, "fw.log", fw), "lb=" + writeLog(t, dir, "lb.log", lb),
		"web=" + writeLog(t, dir, "access.log", web)}, nil)
	env := hopEnv(t, incs)
	calls := 0
	Run(context.Background(), env, time.Minute, Hops{Hops: hops, Resolver: staticResolver{map[string]string{"ivr.example.com": "203.0.113.80"}, &calls}})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("hops collector: %+v", st)
	}
	he := env.Evidence.Hops
	if calls != 1 || he.AddressSource != "dns" {
		t.Errorf("lookups = %d, source %q; want 1 DNS lookup of the one host", calls, he.AddressSource)
	}
	v := he.Report.Reaches
	if len(v) != 1 || v[0].Outcome != hoplog.OutcomeLost || v[0].From != "firewall" || v[0].To != "lb" || v[0].Count != 3 {
		t.Fatalf("verdicts = %+v, want 3 lost between firewall and lb", v)
	}
	if !strings.Contains(v[0].Sentence, "3 of 3 incidents reached firewall, 0 reached lb") {
		t.Errorf("sentence = %q", v[0].Sentence)
	}
	var rows []hopRow
	if err := gocsv.UnmarshalString(readStaged(t, env, HopsFile), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 9 {
		t.Fatalf("%s has %d rows, want 3 incidents × 3 hops", HopsFile, len(rows))
	}
	if r := rows[0]; r.Hop != "firewall" || r.Seen != "seen" || r.Action != "ACCEPT" || r.LineRef != "fw.log:0" || r.MatchedBy != "time+address" {
		t.Errorf("first row = %+v, want the firewall's ACCEPT at fw.log:0", r)
	}
	if r := rows[1]; r.Hop != "lb" || r.Seen != "not seen" || r.Outcome != "lost" {
		t.Errorf("second row = %+v, want lb not seen", r)
	}
	if ex := readStaged(t, env, LogsDir+"firewall.log"); strings.Count(ex, "ACCEPT") != 3 {
		t.Errorf("firewall excerpt holds %d ACCEPT lines, want 3:\n%s", strings.Count(ex, "ACCEPT"), ex)
	}
	for _, name := range []string{LogsDir + "lb.log", LogsDir + "web.log"} {
		for _, f := range env.Stage.Files() {
			if f == name {
				t.Errorf("%s staged though nothing was near an incident", name)
			}
		}
	}
}

func TestHops_UsesProbeAddressesBeforeDNS(t *testing.T) {
	dir := t.TempDir()
	incs := hopIncidents(2)
	fw := []string{iptablesLine(incs[0].Time, "DROP", "198.51.100.7"), iptablesLine(incs[1].Time, "DROP", "198.51.100.7")}
	hops, _ := mustSpecs(t, []string{"firewall=" + writeLog(t, dir, "fw.log", fw)}, nil)
	env := hopEnv(t, incs)
	env.Evidence.Probes = &ProbeEvidence{Report: &probe.Report{Attempts: []probe.Attempt{
		{Target: "https://ivr.example.com/voice", Mode: "name", Resolved: []string{"198.51.100.7"}}}}}
	calls := 0
	Run(context.Background(), env, time.Minute, Hops{Hops: hops, Resolver: staticResolver{nil, &calls}})
	he := env.Evidence.Hops
	if calls != 0 || he.AddressSource != "probes" {
		t.Errorf("lookups = %d, source %q; want the probes' addresses and no lookup", calls, he.AddressSource)
	}
	if v := he.Report.Reaches; len(v) != 1 || v[0].Outcome != hoplog.OutcomeDropped || v[0].Count != 2 {
		t.Fatalf("verdicts = %+v, want 2 dropped at the firewall", v)
	}
}

func TestHops_UnresolvableHostLeavesConnectionHopUndecided(t *testing.T) {
	dir := t.TempDir()
	incs := hopIncidents(1)
	hops, _ := mustSpecs(t, []string{"firewall=" + writeLog(t, dir, "fw.log", []string{iptablesLine(incs[0].Time, "ACCEPT", "203.0.113.80")}),
		"web=" + writeLog(t, dir, "access.log", []string{combinedLine(incs[0].Time.Add(-time.Second), "/voice", 502, 0.2)})}, nil)
	env := hopEnv(t, incs)
	calls := 0
	var warned []string
	env.Progress = warnRecorder{&warned}
	Run(context.Background(), env, time.Minute, Hops{Hops: hops, Resolver: staticResolver{nil, &calls}, LookupTimeout: time.Second})
	he := env.Evidence.Hops
	if v := he.Report.Reaches; len(v) != 1 || v[0].Outcome != hoplog.OutcomeAppError || v[0].From != "web" {
		t.Fatalf("verdicts = %+v, want the web server's 502 (the firewall cannot tell without an address)", v)
	}
	if len(warned) == 0 || !strings.Contains(warned[0], "could not resolve ivr.example.com") {
		t.Errorf("warnings = %q, want the failed lookup named", warned)
	}
}

type warnRecorder struct{ w *[]string }

func (warnRecorder) Start(string, int) Task { return noTask{} }
func (r warnRecorder) Warnf(format string, args ...any) {
	*r.w = append(*r.w, fmt.Sprintf(format, args...))
}

func TestHops_LogExcerptsTakeSIDLinesAndAreCut(t *testing.T) {
	dir := t.TempDir()
	incs := hopIncidents(2)
	var app []string
	// Lines naming a CallSid hours from its incident, and a lot of lines
	// near the incidents: the excerpt is cut at MaxLogBytes with a note.
	app = append(app, incs[0].Time.Add(-5*time.Hour).Format(time.RFC3339)+" INFO queued call "+incs[0].ResourceSID)
	for i := 0; i < 200; i++ {
		app = append(app, incs[1].Time.Add(time.Duration(i)*100*time.Millisecond).Format(time.RFC3339Nano)+" ERROR worker timeout "+strings.Repeat("x", 40))
	}
	app = append(app, "this line has no time at all")
	_, logs := mustSpecs(t, nil, []string{"app=" + writeLog(t, dir, "app.log", app)})
	env := hopEnv(t, incs)
	Run(context.Background(), env, time.Minute, Hops{Logs: logs, MaxLogBytes: 2048})
	if st := env.Evidence.Collectors[0]; st.State != StateOK {
		t.Fatalf("hops collector: %+v", st)
	}
	ex := readStaged(t, env, LogsDir+"app.log")
	if !strings.Contains(ex, "queued call "+incs[0].ResourceSID) {
		t.Errorf("excerpt lacks the line naming the CallSid far from the incident:\n%s", ex)
	}
	if !strings.Contains(ex, "[excerpt cut at 2048 bytes:") || len(ex) > 2048+200 {
		t.Errorf("excerpt of %d bytes, want it cut near 2048 with a note:\n%s", len(ex), ex)
	}
	l := env.Evidence.Hops.Logs
	if len(l) != 1 || !l[0].ExcerptCut || l[0].Detection.Format != "text" {
		t.Errorf("log evidence = %+v, want a cut text excerpt", l)
	}
}

func TestCheckHopSpecs_RefusesBadInputInOneLine(t *testing.T) {
	dir := t.TempDir()
	good := writeLog(t, dir, "access.log", []string{combinedLine(hopT0, "/voice", 200, 0.1)})
	junk := writeLog(t, dir, "junk.log", []string{"no time here", "nor here"})
	tests := []struct {
		name       string
		hops, logs []string
		want       string
	}{
		{"spec without '='", []string{"web"}, nil, "want NAME=PATH"},
		{"missing file", []string{"web=" + filepath.Join(dir, "nope.log")}, nil, "no such file"},
		{"glob matching nothing", []string{"web=" + filepath.Join(dir, "x*.log")}, nil, "no files match"},
		{"unknown format name", []string{"web=" + good + ":apache2"}, nil, ""},
		{"undetectable hop", []string{"web=" + junk}, nil, "give one as NAME=PATH:FORMAT"},
		{"same name twice", []string{"web=" + good}, []string{"web=" + good}, "already given"},
		{"name that is not a file name", []string{"we b=" + good}, nil, "use letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := CheckHopSpecs(tt.hops, tt.logs, time.UTC)
			if tt.name == "unknown format name" {
				// "apache2" is not a format: it is read as part of the path.
				if err == nil || !strings.Contains(err.Error(), "no such file") {
					t.Fatalf("err = %v, want the path with ':apache2' not found", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tt.want)
			}
		})
	}
	_, logs, err := CheckHopSpecs(nil, []string{"app=" + junk}, time.UTC)
	if err != nil || logs[0].Format != "text" {
		t.Errorf("a --log in no known format: %v, %+v; want it read as text", err, logs)
	}
}

func TestTraceIncidents_TakesPortTimeoutAndQueryFromTheURL(t *testing.T) {
	incs := []Incident{
		{AlertSID: "NO1", URL: "http://a.example.com:8080/v?x=1", ResourceSID: "CA1"},
		{AlertSID: "NO2", URL: "https://b.example.com/sms"},
	}
	eps := []Endpoint{{URL: "https://b.example.com/sms#rt=3000&tt=4000"}}
	addrs := map[string][]netip.Addr{"a.example.com": {netip.MustParseAddr("192.0.2.1")}}
	got := TraceIncidents(incs, eps, addrs)
	if g := got[0]; g.DestPort != 8080 || g.Path != "/v" || g.Query != "x=1" || len(g.DestAddrs) != 1 || g.SID != "CA1" || g.Timeout != 15*time.Second {
		t.Errorf("first = %+v", g)
	}
	if g := got[1]; g.DestPort != 443 || g.Timeout != 4*time.Second {
		t.Errorf("second = %+v, want port 443 and the configured tt of 4 s", g)
	}
}

func TestHops_ByHostWhenHostsTakeDifferentPaths(t *testing.T) {
	dir := t.TempDir()
	incs := hopIncidents(2)
	incs[1].URL = "https://sms.example.com/sms"
	web := []string{combinedLine(incs[0].Time.Add(-time.Hour), "/health", 200, 0.001), combinedLine(incs[1].Time, "/sms", 503, 0.2)}
	hops, _ := mustSpecs(t, []string{"web=" + writeLog(t, dir, "access.log", web)}, nil)
	env := hopEnv(t, incs)
	Run(context.Background(), env, time.Minute, Hops{Hops: hops})
	he := env.Evidence.Hops
	if !he.Report.Mixed || len(he.ByHost) != 2 {
		t.Fatalf("report mixed=%v, by host %d; want mixed overall and two hosts", he.Report.Mixed, len(he.ByHost))
	}
	if h := he.ByHost[0]; h.Host != "ivr.example.com" || h.Report.Reaches[0].Outcome != hoplog.OutcomeNotReached {
		t.Errorf("ivr host = %+v", h)
	}
	if h := he.ByHost[1]; h.Host != "sms.example.com" || h.Report.Reaches[0].Outcome != hoplog.OutcomeAppError {
		t.Errorf("sms host = %+v", h)
	}
}

func TestHops_SkipsWithoutLogsOrIncidents(t *testing.T) {
	env := hopEnv(t, nil)
	Run(context.Background(), env, time.Minute, Hops{})
	env2 := hopEnv(t, nil)
	Run(context.Background(), env2, time.Minute, Hops{Logs: []hoplog.Spec{{Name: "app", Pattern: "/nonexistent"}}})
	for _, e := range []*Env{env, env2} {
		if st := e.Evidence.Collectors[0]; st.State != StateSkipped {
			t.Errorf("collector = %+v, want skipped", st)
		}
	}
}
