package hoplog

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logEvent is one line to write in some format.
type logEvent struct {
	t      time.Time
	method string
	target string
	status int
	dur    time.Duration
	ua     string
	src    string
	dst    string
	dport  int
	action string
}

// lineWriters render a logEvent in each format the tests use.
var lineWriters = map[string]func(e logEvent) string{
	"combined": func(e logEvent) string {
		return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d 120 "-" "%s" %.3f %.3f`, e.src, e.t.Format("02/Jan/2006:15:04:05 -0700"), e.method, e.target, e.status, e.ua, e.dur.Seconds(), e.dur.Seconds())
	},
	"ltsv": func(e logEvent) string {
		return fmt.Sprintf("time:[%s]\thost:%s\treq:%s %s HTTP/1.1\tstatus:%d\tsize:120\tua:%s\treqtime:%.3f", e.t.Format("02/Jan/2006:15:04:05 -0700"), e.src, e.method, e.target, e.status, e.ua, e.dur.Seconds())
	},
	"json": func(e logEvent) string {
		return fmt.Sprintf(`{"time":"%s","remote_addr":"%s","method":"%s","uri":"%s","status":%d,"request_time":%.3f,"user_agent":"%s"}`, e.t.Format(time.RFC3339Nano), e.src, e.method, e.target, e.status, e.dur.Seconds(), e.ua)
	},
	"regex": func(e logEvent) string {
		return fmt.Sprintf(`%s app: %s %s -> %d in %dms ua="%s"`, e.t.Format("2006-01-02 15:04:05.000"), e.method, e.target, e.status, e.dur.Milliseconds(), e.ua)
	},
	"alb": func(e logEvent) string {
		target, tpt := "10.0.0.1:443", fmt.Sprintf("%.3f", e.dur.Seconds())
		if e.status >= 502 && e.status <= 504 {
			target, tpt = "-", "-1"
		}
		return fmt.Sprintf(`https %s app/lb/50dc6c495c0c9188 %s:2817 %s 0.000 %s 0.000 %d - 34 366 "%s https://hooks.example.com:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/7 "Root=1-5" "hooks.example.com" "-" 0 %s "forward" "-" "-" "%s" "-" "-" "-"`,
			e.t.UTC().Format("2006-01-02T15:04:05.000000Z"), e.src, target, tpt, e.status, e.method, e.target, e.ua, e.t.UTC().Format(time.RFC3339Nano), target)
	},
	"elb": func(e logEvent) string {
		return fmt.Sprintf(`%s lb %s:2817 10.0.0.1:80 0.000073 %.6f 0.000057 %d %d 0 29 "%s http://hooks.example.com:80%s HTTP/1.1" "%s" - -`,
			e.t.UTC().Format("2006-01-02T15:04:05.000000Z"), e.src, e.dur.Seconds(), e.status, e.status, e.method, e.target, e.ua)
	},
	"iptables": func(e logEvent) string {
		return fmt.Sprintf(`%s fw kernel: [1234.5] %s IN=eth0 OUT= SRC=%s DST=%s LEN=60 TOS=0x00 PROTO=TCP SPT=40000 DPT=%d SYN`, e.t.Format(time.Stamp), e.action, e.src, e.dst, e.dport)
	},
	"vpcflow": func(e logEvent) string {
		return fmt.Sprintf(`2 123456789010 eni-1 %s %s 40000 %d 6 5 300 %d %d %s OK`, e.src, e.dst, e.dport, e.t.Unix(), e.t.Unix()+10, e.action)
	},
}

// formatSpecs are the format given in the hop spec (empty: detect).
var formatSpecs = map[string]string{
	"regex": `regex:^(?P<time>\S+ \S+) app: (?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\d+) in (?P<duration>\d+)ms ua="(?P<ua>[^"]*)"`,
}

var (
	traceStart = time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)
	webhookIP  = netip.MustParseAddr("203.0.113.10")
)

// traceIncidents are n incidents 10 minutes apart, an hour into the logs.
func traceIncidents(n int) []Incident {
	var out []Incident
	for i := 0; i < n; i++ {
		out = append(out, Incident{
			ID:        fmt.Sprintf("NO%032x", i),
			Time:      traceStart.Add(time.Hour + time.Duration(i)*10*time.Minute),
			Method:    "POST",
			Path:      "/twilio/voice",
			SID:       fmt.Sprintf("CA%032x", 0xabc000+i),
			DestAddrs: []netip.Addr{webhookIP},
			DestPort:  443,
		})
	}
	return out
}

// hopLog writes a log of ordinary traffic every second for three hours,
// with events added, in the given format.
func hopLog(t *testing.T, dir, name, format string, conn bool, events []logEvent) string {
	t.Helper()
	var b bytes.Buffer
	w := lineWriters[format]
	loc := time.FixedZone("JST", 9*3600)
	ei := 0
	for s := 0; s < 3*3600; s++ {
		now := traceStart.Add(time.Duration(s) * time.Second).In(loc)
		for ei < len(events) && !events[ei].t.After(now) {
			e := events[ei]
			e.t = e.t.In(loc)
			b.WriteString(w(e) + "\n")
			ei++
		}
		e := logEvent{t: now, method: "GET", target: fmt.Sprintf("/static/%d.css", s%50), status: 200, dur: 3 * time.Millisecond,
			ua: "Mozilla/5.0", src: "198.51.100.7", dst: "203.0.113.99", dport: 80, action: "ACCEPT"}
		if conn {
			e.src = "198.51.100.7"
		}
		b.WriteString(w(e) + "\n")
	}
	for ; ei < len(events); ei++ {
		b.WriteString(w(events[ei]) + "\n")
	}
	path := filepath.Join(dir, name+".log")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// reqEvent is Twilio's request for an incident as a hop logs it: 15 s
// before the alert.
func reqEvent(in Incident, status int, dur time.Duration, action string) logEvent {
	return logEvent{t: in.Time.Add(-15 * time.Second), method: "POST", target: in.Path, status: status, dur: dur,
		ua: "TwilioProxy/1.1", src: "54.172.60.1", dst: webhookIP.String(), dport: 443, action: action}
}

// hopBehaviour says what each hop logged for one incident.
type hopBehaviour struct {
	fw      string // "", ACCEPT or DROP
	lb, web int    // 0: not logged, else the status
	webDur  time.Duration
}

func runTrace(t *testing.T, fwFormat, lbFormat, webFormat string, behave func(i int) hopBehaviour, n int) Report {
	t.Helper()
	dir := t.TempDir()
	incs := traceIncidents(n)
	var fwEv, lbEv, webEv []logEvent
	for i, in := range incs {
		b := behave(i)
		if b.fw != "" {
			fwEv = append(fwEv, reqEvent(in, 0, 0, b.fw))
		}
		if b.lb != 0 {
			lbEv = append(lbEv, reqEvent(in, b.lb, b.webDur, ""))
		}
		if b.web != 0 {
			webEv = append(webEv, reqEvent(in, b.web, b.webDur, ""))
		}
	}
	specs := []Spec{
		{Name: "firewall", Pattern: hopLog(t, dir, "fw", fwFormat, true, fwEv), Format: formatSpecs[fwFormat]},
		{Name: "lb", Pattern: hopLog(t, dir, "lb", lbFormat, false, lbEv), Format: formatSpecs[lbFormat]},
		{Name: "web", Pattern: hopLog(t, dir, "web", webFormat, false, webEv), Format: formatSpecs[webFormat]},
	}
	var hops []*HopResult
	for _, sp := range specs {
		h, err := ScanHop(context.Background(), sp, incs, Options{Location: time.FixedZone("JST", 9*3600), BlockSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if want := sp.Format; want == "" && !strings.HasPrefix(h.Detection.String(), map[string]string{"fw": fwFormat, "lb": lbFormat, "web": webFormat}[strings.TrimSuffix(filepath.Base(sp.Pattern), ".log")]) {
			t.Errorf("hop %s detected as %s", sp.Name, h.Detection)
		}
		if tot := h.Totals(); tot.Unparsed != 0 || tot.SkippedBytes == 0 {
			t.Errorf("hop %s: %d unparsed lines, %d bytes skipped; want 0 and some", sp.Name, tot.Unparsed, tot.SkippedBytes)
		}
		hops = append(hops, h)
	}
	return Trace(incs, hops)
}

func TestTrace_VerdictsAcrossFormats(t *testing.T) {
	scenarios := []struct {
		name     string
		behave   hopBehaviour
		outcome  Outcome
		from, to string
		summary  string
	}{
		{"FirewallDropsRequests", hopBehaviour{fw: "DROP"}, OutcomeDropped, "firewall", "",
			"6 of 6 incidents were dropped at firewall"},
		{"LoadBalancerNeverGetsThem", hopBehaviour{fw: "ACCEPT"}, OutcomeLost, "firewall", "lb",
			"6 of 6 incidents reached firewall, 0 reached lb → lost between firewall and lb"},
		{"WebServerNeverGetsThem", hopBehaviour{fw: "ACCEPT", lb: 502}, OutcomeLost, "lb", "web",
			"6 of 6 incidents reached lb, 0 reached web → lost between lb and web"},
		{"ApplicationAnswers5xx", hopBehaviour{fw: "ACCEPT", lb: 500, web: 500, webDur: 200 * time.Millisecond}, OutcomeAppError, "web", "",
			"6 of 6 incidents reached web, which answered 500 ×6 → your application failed"},
		{"ApplicationTooSlow", hopBehaviour{fw: "ACCEPT", lb: 200, web: 200, webDur: 21 * time.Second}, OutcomeTooSlow, "web", "",
			"6 of 6 incidents reached web and were not answered within Twilio's timeout (15.0 s), slowest 21.0 s → your application was too slow"},
		{"ServerAnsweredInTime", hopBehaviour{fw: "ACCEPT", lb: 200, web: 200, webDur: 40 * time.Millisecond}, OutcomeAnswered, "web", "",
			"6 of 6 incidents reached web, which answered in time (200 ×6) → your server answered"},
		{"NobodySawThem", hopBehaviour{}, OutcomeNotReached, "", "",
			"6 of 6 incidents reached no hop (first: firewall) → never reached your network"},
	}
	formatSets := []struct{ fw, lb, web string }{
		{"iptables", "alb", "combined"},
		{"vpcflow", "elb", "ltsv"},
		{"iptables", "alb", "json"},
		{"vpcflow", "alb", "regex"},
	}
	for _, fs := range formatSets {
		for _, sc := range scenarios {
			t.Run(fs.fw+"_"+fs.lb+"_"+fs.web+"/"+sc.name, func(t *testing.T) {
				b := sc.behave
				if fs.fw == "vpcflow" && b.fw == "DROP" {
					b.fw = "REJECT"
				}
				rep := runTrace(t, fs.fw, fs.lb, fs.web, func(int) hopBehaviour { return b }, 6)
				if rep.Mixed || len(rep.Reaches) != 1 {
					t.Fatalf("want one verdict, got %q", rep.Summary)
				}
				v := rep.Reaches[0]
				if v.Outcome != sc.outcome || v.From != sc.from || v.To != sc.to || v.Count != 6 {
					t.Errorf("verdict = %s %s→%s ×%d; want %s %s→%s ×6", v.Outcome, v.From, v.To, v.Count, sc.outcome, sc.from, sc.to)
				}
				if !strings.HasPrefix(rep.Summary, sc.summary) {
					t.Errorf("summary = %q\nwant prefix %q", rep.Summary, sc.summary)
				}
			})
		}
	}
}

func TestTrace_MixedResultsGiveProportions(t *testing.T) {
	rep := runTrace(t, "iptables", "alb", "combined", func(i int) hopBehaviour {
		if i%3 == 0 {
			return hopBehaviour{fw: "ACCEPT", lb: 502}
		}
		return hopBehaviour{fw: "ACCEPT", lb: 500, web: 500, webDur: time.Second}
	}, 9)
	if !rep.Mixed {
		t.Fatalf("want mixed, got %q", rep.Summary)
	}
	want := "mixed: 6 of 9 (67%) application failed at web (5xx); 3 of 9 (33%) lost between lb and web"
	if rep.Summary != want {
		t.Errorf("summary = %q\nwant      %q", rep.Summary, want)
	}
	if fmt.Sprint(rep.Reached) != "[9 9 6]" {
		t.Errorf("reached = %v, want [9 9 6]", rep.Reached)
	}
}

func TestScanHop_MatchRecordsLineStatusAndTime(t *testing.T) {
	rep := runTrace(t, "iptables", "alb", "combined", func(int) hopBehaviour {
		return hopBehaviour{fw: "ACCEPT", lb: 500, web: 500, webDur: 1500 * time.Millisecond}
	}, 1)
	m := rep.Incidents[0].Hops[2]
	if !m.Seen || m.Status != 500 || m.Duration != 1500*time.Millisecond || !m.ByUserAgent || !strings.Contains(m.Line, "TwilioProxy/1.1") {
		t.Errorf("web match = %+v", m)
	}
	if want := traceStart.Add(time.Hour - 15*time.Second); !m.Time.Equal(want) {
		t.Errorf("match time = %v, want %v", m.Time, want)
	}
}

func gz(t *testing.T, path string, data []byte, cut int) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	out := b.Bytes()
	if cut > 0 {
		out = out[:len(out)-cut]
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanHop_ReadsGzipRotatedFiles puts the incident's line in a rotated,
// gzipped file named without .gz, beside the live log.
func TestScanHop_ReadsGzipRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(2)
	w := lineWriters["combined"]
	older := w(reqEvent(incs[0], 502, time.Second, "")) + "\n"
	newer := w(reqEvent(incs[1], 200, time.Second, "")) + "\n"
	gz(t, filepath.Join(dir, "access.log.2.gz"), []byte(older), 0)
	gz(t, filepath.Join(dir, "access.log.1"), []byte(newer), 0) // gzip without the name saying so
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(w(logEvent{t: traceStart, method: "GET", target: "/", status: 200, ua: "x", src: "1.2.3.4"})+"\n"), 0o644)
	var ex bytes.Buffer
	h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: filepath.Join(dir, "access.log*")}, incs, Options{Excerpt: &ex})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Files) != 3 || !strings.HasSuffix(h.Files[0].Path, "access.log.2.gz") || !strings.HasSuffix(h.Files[2].Path, "access.log") {
		t.Errorf("files in wrong order: %+v", h.Files)
	}
	if !h.Files[0].Gzip || !h.Files[1].Gzip || h.Files[2].Gzip {
		t.Errorf("gzip detection by magic bytes failed: %+v", h.Files)
	}
	if !h.Matches[0].Seen || h.Matches[0].Status != 502 || !h.Matches[1].Seen || h.Matches[1].Status != 200 {
		t.Errorf("matches = %+v", h.Matches)
	}
	if !strings.Contains(ex.String(), "access.log.2.gz <==\n"+older) {
		t.Errorf("excerpt lacks the rotated file's line:\n%s", ex.String())
	}
}

func TestScanHop_TruncatedGzipIsReportedNotFatal(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(1)
	w := lineWriters["combined"]
	var b bytes.Buffer
	b.WriteString(w(reqEvent(incs[0], 502, time.Second, "")) + "\n")
	for i := 0; i < 20000; i++ {
		b.WriteString(w(logEvent{t: incs[0].Time.Add(time.Minute), method: "GET", target: fmt.Sprintf("/x/%d", i), status: 200, ua: "x", src: "1.2.3.4"}) + "\n")
	}
	gz(t, filepath.Join(dir, "access.log.1.gz"), b.Bytes(), 5000)
	h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: filepath.Join(dir, "access.log.1.gz")}, incs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := h.Files[0]
	if !st.Truncated || !strings.Contains(st.Problems(), "gzip truncated") {
		t.Errorf("stats = %+v", st)
	}
	if !h.Matches[0].Seen {
		t.Error("the line before the truncation was not matched")
	}
}

// TestScanHop_BadLinesAreCounted covers a 1 MB single line (larger and
// smaller than a block), invalid UTF-8 and binary junk near an incident.
func TestScanHop_BadLinesAreCounted(t *testing.T) {
	for _, bs := range []int{256 << 10, 4 << 20} {
		for _, gzipped := range []bool{false, true} {
			t.Run(fmt.Sprintf("block%dk_gzip%v", bs>>10, gzipped), func(t *testing.T) {
				dir := t.TempDir()
				incs := traceIncidents(1)
				w := lineWriters["combined"]
				ok := logEvent{t: incs[0].Time, method: "GET", target: "/ok", status: 200, ua: "x", src: "1.2.3.4"}
				var b bytes.Buffer
				b.WriteString(w(ok) + "\n")
				b.WriteString(strings.Repeat("A", 1<<20) + "\n")
				b.WriteString(w(ok) + " \xff\xfe\xc3\x28\n")
				b.WriteString("\x00\x01\x02 binary junk\x00\n")
				b.WriteString(w(reqEvent(incs[0], 504, 16*time.Second, "")) + "\n")
				b.WriteString(w(ok)) // no final newline
				path := filepath.Join(dir, "access.log")
				if gzipped {
					gz(t, path, b.Bytes(), 0)
				} else {
					os.WriteFile(path, b.Bytes(), 0o644)
				}
				h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path, Format: "combined"}, incs, Options{BlockSize: bs})
				if err != nil {
					t.Fatal(err)
				}
				st := h.Files[0]
				if st.LongLines != 1 || st.InvalidUTF8 != 1 || st.Binary != 1 || st.Unparsed != 1 {
					t.Errorf("stats = %+v", st)
				}
				if m := h.Matches[0]; !m.Seen || m.Status != 504 {
					t.Errorf("match = %+v", m)
				}
				if st.Lines != 6 {
					t.Errorf("lines = %d, want 6", st.Lines)
				}
			})
		}
	}
}

func TestExcerpt_WindowAndSIDLinesBoundedWithNote(t *testing.T) {
	dir := t.TempDir()
	incs := traceIncidents(1)
	in := incs[0]
	var b bytes.Buffer
	line := func(t time.Time, msg string) { fmt.Fprintf(&b, "%s INFO %s\n", t.Format(time.RFC3339), msg) }
	for s := 0; s < 4*3600; s++ {
		now := traceStart.Add(time.Duration(s) * time.Second)
		line(now, fmt.Sprintf("tick %d", s))
		if s == 3*3600 {
			line(now, "status callback for "+in.SID+" completed") // far from the incident
		}
	}
	path := filepath.Join(dir, "app.log")
	os.WriteFile(path, b.Bytes(), 0o644)
	spec := Spec{Name: "app", Pattern: path}
	run := func(opts Options) (string, *HopResult) {
		var ex bytes.Buffer
		opts.Excerpt = &ex
		opts.BlockSize = 64 << 10
		h, err := ScanHop(context.Background(), spec, incs, opts)
		if err != nil {
			t.Fatal(err)
		}
		return ex.String(), h
	}
	all, h := run(Options{ScanAll: true, MaxExcerptBytes: -1})
	lines := strings.Count(all, "\n") - 1 // the file header
	if lines != 181+1 {
		t.Errorf("excerpt has %d lines, want 181 in the window and 1 naming the SID", lines)
	}
	if !strings.Contains(all, "status callback for "+in.SID) || h.ExcerptCut {
		t.Errorf("excerpt lacks the SID line far from the incident or was cut")
	}
	windowOnly, _ := run(Options{MaxExcerptBytes: -1})
	if strings.Contains(windowOnly, "status callback") {
		t.Errorf("without ScanAll the SID line outside the window was read")
	}
	cut, h := run(Options{ScanAll: true, MaxExcerptBytes: 1000})
	if !h.ExcerptCut || !strings.HasSuffix(cut, "more lines not shown]\n") || len(cut) > 1100 {
		t.Errorf("cut excerpt (%d bytes) = ...%q", len(cut), cut[max(0, len(cut)-100):])
	}
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in                    string
		name, pattern, format string
		bad                   bool
	}{
		{in: "web=/var/log/nginx/access.log*", name: "web", pattern: "/var/log/nginx/access.log*"},
		{in: "lb=/logs/alb/*.gz:alb", name: "lb", pattern: "/logs/alb/*.gz", format: "alb"},
		{in: `fw=/var/log/kern.log:regex:^(?P<time>\S+ \d+:\d+:\d+) .*DST=(?P<dst>\S+)`, name: "fw", pattern: "/var/log/kern.log", format: `regex:^(?P<time>\S+ \d+:\d+:\d+) .*DST=(?P<dst>\S+)`},
		{in: "app=/data/a:b/app.log", name: "app", pattern: "/data/a:b/app.log"},
		{in: "app=/data/a:b/app.log:json:time=ts,path=req.url", name: "app", pattern: "/data/a:b/app.log", format: "json:time=ts,path=req.url"},
		{in: "web=C:json", name: "web", pattern: "C", format: "json"},
		{in: "web=x.log:auto", name: "web", pattern: "x.log", format: "auto"},
		{in: "=x.log", bad: true},
		{in: "web", bad: true},
		{in: "web=", bad: true},
		{in: "web=:combined", bad: true},
		{in: "a/b=x.log", bad: true},
		{in: "fw=x.log:regex:(", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSpec(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseSpec(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Name != tt.name || got.Pattern != tt.pattern || got.Format != tt.format {
			t.Errorf("ParseSpec(%q) = %+v, %v", tt.in, got, err)
		}
	}
}

func TestExcerpt_ContinuationLinesFollowTheirEntry(t *testing.T) {
	dir := t.TempDir()
	in := traceIncidents(1)[0]
	log := fmt.Sprintf("%s ERROR handler failed\n\tat app.Voice(app.go:42)\n\tat main.main\n%s INFO later\n\tat far.away\n",
		in.Time.Format(time.RFC3339), in.Time.Add(time.Hour).Format(time.RFC3339))
	path := filepath.Join(dir, "app.log")
	os.WriteFile(path, []byte(log), 0o644)
	var ex bytes.Buffer
	h, err := ScanHop(context.Background(), Spec{Name: "app", Pattern: path}, []Incident{in}, Options{Excerpt: &ex})
	if err != nil {
		t.Fatal(err)
	}
	want := "==> " + path + " <==\n" + strings.SplitAfterN(log, "\n", 4)[0] + strings.SplitAfterN(log, "\n", 4)[1] + strings.SplitAfterN(log, "\n", 4)[2]
	if ex.String() != want {
		t.Errorf("excerpt:\n%s\nwant:\n%s", ex.String(), want)
	}
	if st := h.Files[0]; st.Parsed != 2 || st.Unparsed != 3 || h.Detection.Format != "text" {
		t.Errorf("stats = %+v, detection %s", st, h.Detection)
	}
}

// TestTrace_UndecidedHopsArePassedOver: a firewall log cannot tell for an
// incident without destination address and port; the verdict comes from the
// other hops, and a hop that can tell for no incident gives "undecided".
func TestTrace_UndecidedHopsArePassedOver(t *testing.T) {
	in := traceIncidents(1)
	hops := []*HopResult{
		{Name: "firewall", Matches: []Match{{Undecided: true}}},
		{Name: "lb", Matches: []Match{{Seen: true, Status: 502}}},
		{Name: "web", Matches: []Match{{}}},
	}
	if rep := Trace(in, hops); rep.Reaches[0].Outcome != OutcomeLost || rep.Reaches[0].From != "lb" || rep.Reaches[0].To != "web" {
		t.Errorf("summary = %q", rep.Summary)
	}
	hops = []*HopResult{
		{Name: "lb", Matches: []Match{{Seen: true, Status: 200, HasDuration: true, Duration: time.Second}}},
		{Name: "app", Matches: []Match{{Undecided: true}}},
	}
	if rep := Trace(in, hops); rep.Reaches[0].Outcome != OutcomeAnswered || rep.Reaches[0].From != "lb" || rep.Reaches[0].Statuses[200] != 1 {
		t.Errorf("summary = %q", rep.Summary)
	}
	if rep := Trace(in, hops[1:]); rep.Reaches[0].Outcome != OutcomeUndecided {
		t.Errorf("summary = %q", rep.Summary)
	}
}

func TestScanHop_ConnectionLogWithoutDestinationIsUndecided(t *testing.T) {
	dir := t.TempDir()
	in := traceIncidents(1)
	in[0].DestAddrs, in[0].DestPort = nil, 0
	path := hopLog(t, dir, "fw", "iptables", true, []logEvent{reqEvent(in[0], 0, 0, "DROP")})
	h, err := ScanHop(context.Background(), Spec{Name: "fw", Pattern: path}, in, Options{Location: time.FixedZone("JST", 9*3600)})
	if err != nil {
		t.Fatal(err)
	}
	if m := h.Matches[0]; !m.Undecided || m.Seen || h.Note == "" {
		t.Errorf("match = %+v, note %q", m, h.Note)
	}
}

// TestTrace_UnreadLinesLeaveIncidentsUndecidedNeverNotReached: a web log
// whose lines do not parse (a custom nginx format with the host between the
// request and the status), a log that covers other hours and a log only
// "text" reads each leave their incidents undecided at that hop, with the
// reason, and no verdict says "never reached" or "lost".
func TestTrace_UnreadLinesLeaveIncidentsUndecidedNeverNotReached(t *testing.T) {
	incs := traceIncidents(4)
	jst := time.FixedZone("JST", 9*3600)
	custom := func(e logEvent) string {
		return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" "hooks.example.com" %d 120 "-" "%s"`, e.src, e.t.Format("02/Jan/2006:15:04:05 -0700"), e.method, e.target, e.status, e.ua)
	}
	tests := []struct {
		name   string
		write  func(e logEvent) string
		shift  time.Duration // moves the whole log away from the incidents
		format string
		reason Reason
		phrase string
	}{
		{"LinesDoNotParse", custom, 0, "combined", ReasonNoLineParsed, "could not be read as combined"},
		{"LogCoversOtherHours", lineWriters["combined"], -6 * time.Hour, "", ReasonOutsideSpan, "outside the log's span"},
		{"OnlyTextReadsIt", func(e logEvent) string {
			return fmt.Sprintf("%s handled %s %s status=%d", e.t.In(jst).Format("2006-01-02 15:04:05"), e.method, e.target, e.status)
		}, 0, "", ReasonFormatUnknown, "no known format reads this log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			ei := 0
			for s := 0; s < 3*3600; s++ {
				now := traceStart.Add(time.Duration(s)*time.Second + tt.shift)
				for ei < len(incs) && !incs[ei].Time.Add(-15*time.Second+tt.shift).After(now) {
					b.WriteString(tt.write(reqEvent(incs[ei], 502, time.Second, "")) + "\n")
					ei++
				}
				b.WriteString(tt.write(logEvent{t: now, method: "GET", target: "/static/a.css", status: 200, ua: "Mozilla/5.0", src: "198.51.100.7"}) + "\n")
			}
			path := filepath.Join(dir, "web.log")
			os.WriteFile(path, b.Bytes(), 0o644)
			fw := hopLog(t, dir, "fw", "iptables", true, nil)
			var hops []*HopResult
			for _, sp := range []Spec{{Name: "firewall", Pattern: fw}, {Name: "web", Pattern: path, Format: tt.format}} {
				h, err := ScanHop(context.Background(), sp, incs, Options{Location: jst, BlockSize: 64 << 10})
				if err != nil {
					t.Fatal(err)
				}
				hops = append(hops, h)
			}
			web := hops[1]
			for _, m := range web.Matches {
				if !m.Undecided || m.Reason != tt.reason || m.Seen {
					t.Errorf("web match = %+v, want undecided (%s)", m, tt.reason)
				}
			}
			if !strings.Contains(web.Note, "4 incidents undecided: ") || !strings.Contains(web.Note, tt.phrase) {
				t.Errorf("note = %q, want it to say %q", web.Note, tt.phrase)
			}
			rep := Trace(incs, hops)
			if len(rep.Reaches) != 1 || rep.Reaches[0].Outcome != OutcomeUndecided || rep.Reaches[0].To != "web" || rep.Reaches[0].Reason != tt.reason {
				t.Fatalf("verdicts = %+v", rep.Reaches)
			}
			if strings.Contains(rep.Summary, "never reached") || strings.Contains(rep.Summary, "lost") ||
				!strings.Contains(rep.Summary, "could not be decided at web: ") || !strings.Contains(rep.Summary, tt.phrase) {
				t.Errorf("summary = %q", rep.Summary)
			}
		})
	}
}

// TestTrace_UndecidedOnlyWhereTheUnreadHopMatters: a hop that cannot be read
// decides nothing, but what the others read still counts.
func TestTrace_UndecidedOnlyWhereTheUnreadHopMatters(t *testing.T) {
	in := traceIncidents(1)
	un := Match{Undecided: true, Reason: ReasonNoLineParsed}
	tests := []struct {
		name     string
		hops     []Match
		outcome  Outcome
		from, to string
	}{
		{"NobodySawItOneUnread", []Match{{}, un, {}}, OutcomeUndecided, "", "lb"},
		{"NextHopUnreadNoAnswer", []Match{{Seen: true}, un, {}}, OutcomeUndecided, "fw", "lb"},
		{"NextHopReadDidNotSeeIt", []Match{{Seen: true}, {}, un}, OutcomeLost, "fw", "lb"},
		{"DropBeforeTheUnreadHop", []Match{{Seen: true, Dropped: true}, un, un}, OutcomeDropped, "fw", ""},
		{"AnswerBeforeTheUnreadHop", []Match{{Seen: true}, {Seen: true, Status: 502}, un}, OutcomeAppError, "lb", ""},
		{"UnreadBeforeTheLastThatSawIt", []Match{un, {Seen: true}, {Seen: true, Status: 200}}, OutcomeAnswered, "web", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hops []*HopResult
			for k, name := range []string{"fw", "lb", "web"} {
				hops = append(hops, &HopResult{Name: name, Matches: []Match{tt.hops[k]}})
			}
			tr := Trace(in, hops).Incidents[0]
			if tr.Outcome != tt.outcome || tr.From != tt.from || tr.To != tt.to {
				t.Errorf("trace = %s %s→%s, want %s %s→%s", tr.Outcome, tr.From, tr.To, tt.outcome, tt.from, tt.to)
			}
		})
	}
}

// TestTrace_HopNoFormatReadsIsUndecidedThere: a firewall log no known
// format reads (not even as text) is an error, and its incidents are
// undecided there: the load balancer behind it not having the requests is
// then no proof they never reached the network.
func TestTrace_HopNoFormatReadsIsUndecidedThere(t *testing.T) {
	incs := traceIncidents(3)
	dir := t.TempDir()
	var b bytes.Buffer
	for s := 0; s < 3*3600; s += 5 {
		at := traceStart.Add(time.Duration(s) * time.Second)
		fmt.Fprintf(&b, "fw01: deny tcp 54.172.60.%d/40000 -> %s/443 at %d\n", s%250, webhookIP, at.Unix())
	}
	fw := filepath.Join(dir, "fw.log")
	os.WriteFile(fw, b.Bytes(), 0o644)
	h, err := ScanHop(context.Background(), Spec{Name: "firewall", Pattern: fw}, incs, Options{})
	if err == nil || !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err = %v, want no known format", err)
	}
	if h == nil || len(h.Matches) != len(incs) || h.Detection.Suggestion == "" {
		t.Fatalf("result = %+v, want every incident undecided and a regex suggested", h)
	}
	for i, m := range h.Matches {
		if !m.Undecided || m.Reason != ReasonFormatUnknown || m.Seen {
			t.Errorf("incident %d: %+v, want undecided, format unknown", i, m)
		}
	}
	if !strings.Contains(h.Note, "3 incidents undecided: no known format reads this log") {
		t.Errorf("note = %q", h.Note)
	}
	lb, err := ScanHop(context.Background(), Spec{Name: "lb", Pattern: hopLog(t, dir, "lb", "alb", false, nil)}, incs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := Trace(incs, []*HopResult{h, lb})
	if len(rep.Reaches) != 1 || rep.Reaches[0].Outcome != OutcomeUndecided || rep.Reaches[0].To != "firewall" || rep.Reaches[0].Reason != ReasonFormatUnknown {
		t.Fatalf("verdicts = %+v", rep.Reaches)
	}
	if strings.Contains(rep.Summary, "never reached") || !strings.Contains(rep.Summary, "could not be decided at firewall") {
		t.Errorf("summary = %q", rep.Summary)
	}
}

// TestScanHop_EmptyLogIsUndecidedOutsideItsSpan: a log without lines
// decides nothing: its incidents lie outside it.
func TestScanHop_EmptyLogIsUndecidedOutsideItsSpan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(path, nil, 0o644)
	h, err := ScanHop(context.Background(), Spec{Name: "web", Pattern: path}, traceIncidents(2), Options{})
	if !errors.Is(err, ErrUnknownFormat) || h == nil || len(h.Matches) != 2 {
		t.Fatalf("result %+v, err %v", h, err)
	}
	for _, m := range h.Matches {
		if !m.Undecided || m.Reason != ReasonOutsideSpan {
			t.Errorf("match = %+v, want undecided outside the span", m)
		}
	}
}
