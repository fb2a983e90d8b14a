package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/trace"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// Where a failed request stops in a generated log set.
type fate int

const (
	fateNowhere   fate = iota // no log has it
	fateFWDrop                // the firewall logs a DROP/REJECT
	fateLostFWLB              // the firewall accepts it, the LB never logs it
	fateLostLBWeb             // the LB logs it, the web server never does
	fate5xx                   // the web server answers 502
	fateSlow                  // the web server answers after Twilio's timeout
	fateOK                    // the web server answers 200 in time
)

const traceAddr = "203.0.113.80"

var traceT0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

type traceInc struct {
	sid, call string
	t         time.Time
}

func traceIncidents(n int) []traceInc {
	var out []traceInc
	for i := 0; i < n; i++ {
		out = append(out, traceInc{sid: fmt.Sprintf("NO%032x", i+1), call: fmt.Sprintf("CA%032x", i+1), t: traceT0.Add(time.Duration(i) * 47 * time.Minute)})
	}
	return out
}

// writeIncidentsCSV writes the incidents as the tool's incidents.csv.
func writeIncidentsCSV(t *testing.T, dir string, incs []traceInc) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("alert_sid,time,error_code,http_status,resource_sid,kind,method,url,message\n")
	for _, in := range incs {
		fmt.Fprintf(&b, "%s,%s,11200,502,%s,call,POST,https://ivr.example.com/voice,\n", in.sid, in.t.Format(time.RFC3339), in.call)
	}
	p := filepath.Join(dir, "incidents.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Line writers of each format; took is the response time in seconds.
func fwLine(format string, t time.Time, action string) string {
	if format == "vpcflow" {
		a := map[string]string{"ACCEPT": "ACCEPT", "DROP": "REJECT"}[action]
		return fmt.Sprintf("2 123456789010 eni-1235b8ca123456789 54.172.60.9 %s 40002 443 6 20 4249 %d %d %s OK", traceAddr, t.Unix()-5, t.Unix()+5, a)
	}
	return fmt.Sprintf("%s fw kernel: %s: IN=eth0 OUT=eth1 SRC=54.172.60.9 DST=%s LEN=60 PROTO=TCP SPT=40001 DPT=443 SYN", t.In(time.FixedZone("", 9*3600)).Format("2006-01-02T15:04:05.000000-07:00"), action, traceAddr)
}

func lbLine(format string, t time.Time, path string, status int, ua string) string {
	ts := t.UTC().Format("2006-01-02T15:04:05.000000Z")
	if format == "elb" {
		return fmt.Sprintf(`%s my-lb 54.172.60.9:2817 10.0.0.1:80 0.000073 0.101048 0.000057 %d %d 0 29 "POST https://ivr.example.com:443%s HTTP/1.1" "%s" - -`, ts, status, status, path, ua)
	}
	return fmt.Sprintf(`https %s app/lb/1 54.172.60.9:2817 10.0.0.5:443 0.000 0.100 0.000 %d %d 34 120 "POST https://ivr.example.com:443%s HTTP/1.1" "%s" - - - "-" "-" "-" 0 %s "forward" "-" "-" "-" "-" "-" "-"`, ts, status, status, path, ua, ts)
}

func webLine(format string, t time.Time, path string, status int, took float64, ua string) string {
	jst := time.FixedZone("", 9*3600)
	switch format {
	case "common":
		return fmt.Sprintf(`10.0.0.5 - - [%s] "POST %s HTTP/1.1" %d 120`, t.In(jst).Format("02/Jan/2006:15:04:05 -0700"), path, status)
	case "ltsv":
		return fmt.Sprintf("time:[%s]\thost:10.0.0.5\treq:POST %s HTTP/1.1\tstatus:%d\tsize:120\tua:%s\treqtime:%.3f", t.In(jst).Format("02/Jan/2006:15:04:05 -0700"), path, status, ua, took)
	case "json":
		return fmt.Sprintf(`{"time":"%s","remote_addr":"10.0.0.5","request":"POST %s HTTP/1.1","status":%d,"request_time":"%.3f","http_user_agent":"%s"}`, t.In(jst).Format(time.RFC3339), path, status, took, ua)
	}
	return fmt.Sprintf(`10.0.0.5 - - [%s] "POST %s HTTP/1.1" %d 120 "-" "%s" %.3f`, t.In(jst).Format("02/Jan/2006:15:04:05 -0700"), path, status, ua, took)
}

// logSet writes a firewall, LB and web log in the given formats in which
// each incident meets its fate, among ordinary traffic, and returns the
// --hop arguments in path order.
func logSet(t *testing.T, dir, fwFmt, lbFmt, webFmt string, incs []traceInc, fates []fate) []string {
	t.Helper()
	var fw, lb, web []string
	for i, in := range incs {
		// Ordinary traffic around each incident, far enough not to match.
		noise := in.t.Add(-10 * time.Minute)
		fw = append(fw, fwLine(fwFmt, noise, "ACCEPT"))
		lb = append(lb, lbLine(lbFmt, noise, "/health", 200, "ELB-HealthChecker/2.0"))
		web = append(web, webLine(webFmt, noise, "/health", 200, 0.001, "ELB-HealthChecker/2.0"))
		sent := in.t.Add(-2 * time.Second)
		f := fates[i]
		switch f {
		case fateFWDrop:
			fw = append(fw, fwLine(fwFmt, sent, "DROP"))
		case fateNowhere:
		default:
			fw = append(fw, fwLine(fwFmt, sent, "ACCEPT"))
		}
		if f >= fateLostLBWeb {
			lb = append(lb, lbLine(lbFmt, sent, "/voice", 502, "TwilioProxy/1.1"))
		}

		switch f {
		case fate5xx:
			web = append(web, webLine(webFmt, sent, "/voice", 502, 0.2, "TwilioProxy/1.1"))
		case fateSlow:
			status := 200
			if webFmt == "common" {
				status = 499 // no response time in common: nginx logs the client giving up
			}
			web = append(web, webLine(webFmt, sent, "/voice", status, 16.2, "TwilioProxy/1.1"))
		case fateOK:
			web = append(web, webLine(webFmt, sent, "/voice", 200, 0.3, "TwilioProxy/1.1"))
		}
		// More ordinary traffic after the incident: each log covers every
		// incident's time.
		after := in.t.Add(10 * time.Minute)
		fw = append(fw, fwLine(fwFmt, after, "ACCEPT"))
		lb = append(lb, lbLine(lbFmt, after, "/health", 200, "ELB-HealthChecker/2.0"))
		web = append(web, webLine(webFmt, after, "/health", 200, 0.001, "ELB-HealthChecker/2.0"))
	}
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return []string{"firewall=" + write("fw.log", fw), "lb=" + write("lb.log", lb), "web=" + write("access.log", web)}
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, streams{out: &out, err: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func traceJSON(t *testing.T, args ...string) trace.Result {
	t.Helper()
	code, out, errs := runCmd(t, append([]string{"trace", "--json", "--quiet"}, args...)...)
	if code != exitOK {
		t.Fatalf("trace exit %d: %s", code, errs)
	}
	var r trace.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("trace --json: %v\n%s", err, out)
	}
	return r
}

func hopArgs(specs []string) []string {
	var out []string
	for _, s := range specs {
		out = append(out, "--hop", s)
	}
	return out
}

func TestTrace_EachFormatGivesTheRightVerdictAndCounts(t *testing.T) {
	const n = 3
	type want struct {
		outcome, from, to string
		reached           [3]int
		sentence          string
	}
	fates := []struct {
		name string
		fate fate
		want want
	}{
		{"dropped at the firewall", fateFWDrop, want{"dropped", "firewall", "", [3]int{n, 0, 0}, "were dropped at firewall"}},
		{"lost at the load balancer", fateLostFWLB, want{"lost", "firewall", "lb", [3]int{n, 0, 0}, "3 of 3 incidents reached firewall, 0 reached lb → lost between firewall and lb"}},
		{"lost at the web server", fateLostLBWeb, want{"lost", "lb", "web", [3]int{n, n, 0}, "3 of 3 incidents reached lb, 0 reached web → lost between lb and web"}},
		{"application answered 5xx", fate5xx, want{"app_error", "web", "", [3]int{n, n, n}, "which answered 502 ×3 → your application failed"}},
		{"application too slow", fateSlow, want{"too_slow", "web", "", [3]int{n, n, n}, "your application was too slow"}},
		{"answered in time", fateOK, want{"answered", "web", "", [3]int{n, n, n}, "your server answered"}},
		{"seen nowhere", fateNowhere, want{"not_reached", "", "", [3]int{0, 0, 0}, "never reached your network"}},
	}
	formats := []struct{ fw, lb, web string }{
		{"iptables", "alb", "combined"},
		{"vpcflow", "elb", "common"},
		{"iptables", "elb", "ltsv"},
		{"vpcflow", "alb", "json"},
	}
	for _, ff := range formats {
		for _, tt := range fates {
			t.Run(ff.web+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				incs := traceIncidents(n)
				fs := []fate{tt.fate, tt.fate, tt.fate}
				args := append(hopArgs(logSet(t, dir, ff.fw, ff.lb, ff.web, incs, fs)),
					"--incidents-file", writeIncidentsCSV(t, dir, incs), "--hop-addr", traceAddr, "--log-tz", "UTC")
				r := traceJSON(t, args...)
				for k, h := range r.Hops {
					if h.Format != []string{ff.fw, ff.lb, ff.web}[k] {
						t.Errorf("hop %s detected as %q", h.Name, h.Format)
					}
					if h.Reached == nil || *h.Reached != tt.want.reached[k] {
						t.Errorf("hop %s reached %v, want %d", h.Name, h.Reached, tt.want.reached[k])
					}
				}
				if len(r.Verdicts) != 1 || r.Mixed {
					t.Fatalf("verdicts = %+v, want one", r.Verdicts)
				}
				v := r.Verdicts[0]
				if v.Outcome != tt.want.outcome || v.From != tt.want.from || v.To != tt.want.to || v.Count != n || v.Total != n {
					t.Errorf("verdict = %+v, want %+v for all %d", v, tt.want, n)
				}
				if !strings.Contains(v.Sentence, tt.want.sentence) {
					t.Errorf("sentence = %q, want it to say %q", v.Sentence, tt.want.sentence)
				}
			})
		}
	}
}

func TestTrace_MixedResultsGiveProportions(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(4)
	hops := logSet(t, dir, "iptables", "alb", "combined", incs, []fate{fateLostLBWeb, fateLostLBWeb, fate5xx, fateOK})
	r := traceJSON(t, append(hopArgs(hops), "--incidents-file", writeIncidentsCSV(t, dir, incs), "--hop-addr", traceAddr)...)
	if !r.Mixed || len(r.Verdicts) != 3 {
		t.Fatalf("verdicts = %+v, want three groups, mixed", r.Verdicts)
	}
	got := fmt.Sprintf("%s %d %.0f; %s %d %.0f; %s %d %.0f", r.Verdicts[0].Outcome, r.Verdicts[0].Count, r.Verdicts[0].Percent,
		r.Verdicts[1].Outcome, r.Verdicts[1].Count, r.Verdicts[1].Percent, r.Verdicts[2].Outcome, r.Verdicts[2].Count, r.Verdicts[2].Percent)
	if got != "lost 2 50; app_error 1 25; answered 1 25" {
		t.Errorf("proportions = %s", got)
	}
	if !strings.HasPrefix(r.Summary, "mixed: 2 of 4 (50%) lost between lb and web") {
		t.Errorf("summary = %q", r.Summary)
	}
	// The text output says it is mixed and gives every group.
	_, text, _ := runCmd(t, append(append([]string{"trace", "--quiet"}, hopArgs(hops)...), "--incidents-file", filepath.Join(dir, "incidents.csv"), "--hop-addr", traceAddr)...)
	for _, want := range []string{"Mixed results:", "2 of 4 incidents reached lb but not web", "1 of 4 incidents reached web, which answered 502 ×1", "  1. firewall  reached 4 of 4"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
}

func TestTrace_RotatedGzipLongLineAndInvalidBytes(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(2)
	// The first incident is in the older, gzipped rotation; the live log
	// holds a 1 MB line and a line of invalid bytes before the second.
	old := webLine("combined", incs[0].t.Add(-time.Second), "/voice", 502, 0.2, "TwilioProxy/1.1") + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(old))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "access.log.1.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	live := webLine("combined", incs[1].t.Add(-time.Minute), "/health", 200, 0.001, "curl/8") + "\n" +
		webLine("combined", incs[1].t.Add(-50*time.Second), "/"+strings.Repeat("a", 1<<20), 200, 0.001, "curl/8") + "\n" +
		"\xff\xfe\x00 garbage \xc3\x28\n" +
		webLine("combined", incs[1].t.Add(-time.Second), "/voice", 502, 0.2, "TwilioProxy/1.1") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "access.log"), []byte(live), 0o644); err != nil {
		t.Fatal(err)
	}
	r := traceJSON(t, "--hop", "web="+filepath.Join(dir, "access.log*"), "--incidents-file", writeIncidentsCSV(t, dir, incs))
	if len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != "app_error" || r.Verdicts[0].Count != 2 {
		t.Fatalf("verdicts = %+v, want both incidents answered 502", r.Verdicts)
	}
	h := r.Hops[0]
	if len(h.Files) != 2 || !h.Files[0].Gzip || filepath.Base(h.Files[0].Path) != "access.log.1.gz" {
		t.Errorf("files = %+v, want the gzipped rotation read first", h.Files)
	}
	if !strings.Contains(h.Problems, "lines over 64 kB passed over") || !strings.Contains(h.Problems, "invalid UTF-8") {
		t.Errorf("problems = %q, want the long line and the invalid bytes counted", h.Problems)
	}
}

func TestTrace_BadInputIsOneLineAndExit2(t *testing.T) {
	dir := t.TempDir()
	incs := writeIncidentsCSV(t, dir, traceIncidents(1))
	junk := filepath.Join(dir, "junk.log")
	os.WriteFile(junk, []byte("hello\nworld\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no hop", []string{"--incidents-file", incs}, "give at least one --hop"},
		{"spec without a path", []string{"--hop", "web", "--incidents-file", incs}, "want NAME=PATH"},
		{"file that does not exist", []string{"--hop", "web=" + filepath.Join(dir, "missing.log"), "--incidents-file", incs}, "no such file"},
		{"directory", []string{"--hop", "web=" + dir, "--incidents-file", incs}, "is a directory"},
		{"format not detected", []string{"--hop", "web=" + junk, "--incidents-file", incs}, "give one as NAME=PATH:FORMAT"},
		{"bad regex", []string{"--hop", "web=" + junk + ":regex:(?P<time>[", "--incidents-file", incs}, "regex"},
		{"bad address", []string{"--hop", "web=" + junk + ":text", "--hop-addr", "nope", "--incidents-file", incs}, "not an IP address"},
		{"bad zone", []string{"--hop", "web=" + junk + ":text", "--log-tz", "Mars/Base", "--incidents-file", incs}, "--log-tz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCmd(t, append([]string{"trace"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, errs, tt.want)
			}
		})
	}
}

func TestTrace_ReadsIncidentsFromTheAPI(t *testing.T) {
	fake, _ := e2eFake(t)
	from, to := e2eWindow()
	dir := t.TempDir()
	// A log that covers the window and has none of the requests: nobody saw them.
	web := filepath.Join(dir, "access.log")
	os.WriteFile(web, []byte(webLine("combined", from.Add(-time.Hour), "/health", 200, 0.001, "curl/8")+"\n"+
		webLine("combined", to.Add(time.Hour), "/health", 200, 0.001, "curl/8")+"\n"), 0o644)
	var out, errb bytes.Buffer
	env := map[string]string{"TWILIO_ACCOUNT_SID": e2eAccount, "TWILIO_AUTH_TOKEN": e2eToken}
	t.Setenv("TWILIO_EDGE", "")
	t.Setenv("TWILIO_REGION", "")
	code := run([]string{"trace", "--json", "--quiet", "--api-url", fake.URL, "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--hop", "web=" + web},
		streams{out: &out, err: &errb, getenv: func(k string) string { return env[k] }})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r trace.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Incidents == 0 || len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != "not_reached" || r.Verdicts[0].Count != r.Incidents {
		t.Errorf("incidents %d, verdicts %+v; want every API incident never reached", r.Incidents, r.Verdicts)
	}
}

func TestBundle_HopLogsGiveFindingsTraceAndExcerpts(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(3)
	hops := logSet(t, dir, "iptables", "alb", "combined", incs, []fate{fateLostFWLB, fateLostFWLB, fateLostFWLB})
	app := filepath.Join(dir, "app.log")
	os.WriteFile(app, []byte(traceT0.Add(-3*time.Hour).Format(time.RFC3339)+" INFO call queued "+incs[0].call+"\n"), 0o644)
	out := t.TempDir()
	code, stdout, errs := runCmd(t, append(append([]string{"bundle", "--quiet", "--no-probe", "--output", out, "--incidents-file", writeIncidentsCSV(t, dir, incs),
		"--log-tz", "UTC", "--max-log-bytes", "300"}, hopArgs(hops)...), "--log", "app="+app)...)
	if code != exitOK && code != exitIncomplete {
		t.Fatalf("bundle exit %d: %s", code, errs)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(stdout))
	for _, name := range []string{collect.HopsFile, collect.HopFilesFile, "logs/firewall.log", "logs/app.log"} {
		if _, ok := files[name]; !ok {
			t.Errorf("bundle lacks %s", name)
		}
	}
	if !strings.Contains(string(files["logs/app.log"]), "call queued "+incs[0].call) {
		t.Errorf("logs/app.log lacks the line naming the CallSid hours before its incident:\n%s", files["logs/app.log"])
	}
	if !strings.Contains(string(files["logs/firewall.log"]), "[excerpt cut at 300 bytes:") {
		t.Errorf("logs/firewall.log is not cut at --max-log-bytes:\n%s", files["logs/firewall.log"])
	}
	var findings []struct {
		ID       string   `json:"id"`
		Step     int      `json:"step"`
		Verdict  string   `json:"verdict"`
		Evidence []string `json:"evidence"`
	}
	if err := json.Unmarshal(files["findings.json"], &findings); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range findings {
		if f.ID == "hops.lost" {
			found = true
			ev := strings.Join(f.Evidence, "|")
			if f.Step != 3 || !strings.Contains(f.Verdict, "lost between firewall and lb") || !strings.Contains(ev, "from: firewall|to: lb") || !strings.Contains(ev, "reached lb: 0 of 3") {
				t.Errorf("hops.lost = %+v", f)
			}
		}
	}
	if !found {
		t.Errorf("findings lack hops.lost: %s", files["findings.json"])
	}
}

func TestBundle_DemoShowsRequestsLostAtTheLoadBalancer(t *testing.T) {
	out := t.TempDir()
	code, stdout, errs := runCmd(t, "bundle", "--demo", "--quiet", "--output", out)
	if code != exitOK && code != exitIncomplete {
		t.Fatalf("bundle --demo exit %d: %s", code, errs)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(stdout))
	for _, name := range []string{collect.HopsFile, "logs/firewall.log", "logs/lb.log", "logs/web.log", "logs/app.log", collect.TwilioConfigChangesFile} {
		if len(files[name]) == 0 {
			t.Errorf("demo bundle lacks %s", name)
		}
	}
	if !bytes.Contains(files["findings.json"], []byte("ivr.example-clinic.com: 225 of 225 failed requests reached firewall but never arrived at lb: they were lost between firewall and lb")) &&
		!bytes.Contains(files["findings.json"], []byte("lost between firewall and lb")) {
		t.Errorf("findings.json lacks the LB verdict:\n%s", files["findings.json"])
	}
	if !bytes.Contains(files["findings.json"], []byte(`"id": "hops.lost"`)) {
		t.Errorf("findings.json lacks hops.lost")
	}
}
