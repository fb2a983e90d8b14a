package analysis

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// The hop-log tests write the logs of a firewall (iptables LOG lines), an
// AWS ALB and nginx (combined, with $request_time) as those components
// write them, let the hop collector read them, and diagnose.

var logT0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

const webhookAddr = "203.0.113.80"

func iptables(t time.Time, action string) string {
	return fmt.Sprintf("%s gw kernel: [UFW %s] IN=eth0 OUT=eth1 SRC=54.172.60.9 DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=24295 DF PROTO=TCP SPT=40001 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0",
		t.Format("2006-01-02T15:04:05.000000-07:00"), action, webhookAddr)
}

// alb is an ALB access-log line; target is "10.0.0.5:443" and targetStatus
// its answer, or "-" and "-" when no target answered.
func alb(t time.Time, path string, status int, target, targetStatus string) string {
	ts := t.UTC().Format("2006-01-02T15:04:05.000000Z")
	times := "0.000 0.012 0.000"
	if target == "-" {
		times = "-1 -1 -1"
	}
	return fmt.Sprintf(`https %s app/clinic-lb/50dc6c495c0c9188 54.172.60.9:2817 %s %s %d %s 34 120 "POST https://ivr.example.com:443%s HTTP/1.1" "TwilioProxy/1.1" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "ivr.example.com" "-" 0 %s "forward" "-" "-" "%s" "%s" "-" "-"`,
		ts, target, times, status, targetStatus, path, ts, target, targetStatus)
}

func nginx(t time.Time, path string, status int, secs float64) string {
	return fmt.Sprintf(`54.172.60.9 - - [%s] "POST %s HTTP/1.1" %d 120 "-" "TwilioProxy/1.1" %.3f`, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, secs)
}

// traced diagnoses n failures of code on https://ivr.example.com/voice,
// an hour apart, after tracing them through the logs that lines makes for
// each incident time (every log also covers the times around them).
func traced(t *testing.T, n int, code string, status int, lines map[string]func(time.Time) []string) Diagnosis {
	t.Helper()
	ev := caseEvidence()
	for i := range n {
		ev.Incidents = append(ev.Incidents, collect.Incident{AlertSID: fmt.Sprintf("NO%032x", i), Time: logT0.Add(time.Duration(i) * time.Hour),
			ErrorCode: code, HTTPStatus: status, ResourceSID: fmt.Sprintf("CA%032x", i), Kind: collect.KindCall, Method: "POST", URL: ivr})
	}
	ev.Window = collect.Window{From: logT0.Add(-time.Hour), To: logT0.Add(24 * time.Hour)}
	dir := t.TempDir()
	var specs []hoplog.Spec
	for _, name := range []string{"fw", "lb", "web"} {
		lineFor, ok := lines[name]
		if !ok {
			continue
		}
		var all []string
		for _, in := range ev.Incidents {
			all = append(all, lineFor(in.Time)...)
		}
		p := filepath.Join(dir, name+".log")
		if err := os.WriteFile(p, []byte(strings.Join(all, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, hoplog.Spec{Name: name, Pattern: p})
	}
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	env := &collect.Env{Evidence: ev, Stage: stage}
	collect.Run(context.Background(), env, time.Minute, collect.Hops{Hops: specs, DestAddrs: []netip.Addr{netip.MustParseAddr(webhookAddr)}})
	if ev.Hops == nil || len(ev.Hops.Report.Hops) != len(specs) {
		t.Fatalf("the hop collector read %+v (collectors %+v)", ev.Hops, ev.Collectors)
	}
	return Diagnose(ev)
}

// around are lines of other requests half an hour before and after t, so
// that a log covers t without having its request.
func around(t time.Time, line func(time.Time) string) []string {
	return []string{line(t.Add(-30 * time.Minute)), line(t.Add(30 * time.Minute))}
}

func TestHopLogs_FirewallDropIsTheFirewall(t *testing.T) {
	d := traced(t, 4, "11205", 0, map[string]func(time.Time) []string{
		"fw": func(at time.Time) []string { return []string{iptables(at.Add(-time.Second), "BLOCK")} },
		"lb": func(at time.Time) []string {
			return around(at, func(x time.Time) string { return alb(x, "/health", 200, "10.0.0.5:443", "200") })
		},
		"web": func(at time.Time) []string {
			return around(at, func(x time.Time) string { return nginx(x, "/health", 200, 0.002) })
		},
	})
	if d.Cause != CausePathFirewall || d.Where != "fw" || d.Explained != 4 || d.Confidence != ConfidenceHigh {
		t.Fatalf("%s at %s explaining %d (%s): %q", d.Cause, d.Where, d.Explained, d.Confidence, d.Text)
	}
	if !strings.Contains(d.Text, "DROP/REJECT") || !strings.Contains(d.Text, "ivr.example.com") || !hasProofLine(d, "[UFW BLOCK]", "logs/fw.log") {
		t.Errorf("headline %q, proof %+v: want the firewall's BLOCK line from logs/fw.log", d.Text, d.Proof)
	}
	for _, p := range d.Further {
		if p.Cause == CausePathLoadBalancer || p.Cause == CauseOutsideNetwork {
			t.Errorf("also names %s", p.Cause)
		}
	}
}

func TestHopLogs_ALB502WithoutTargetIsTheLoadBalancer(t *testing.T) {
	d := traced(t, 4, "11200", 502, map[string]func(time.Time) []string{
		"fw": func(at time.Time) []string { return []string{iptables(at.Add(-time.Second), "ALLOW")} },
		"lb": func(at time.Time) []string { return []string{alb(at, "/voice", 502, "-", "-")} },
		"web": func(at time.Time) []string {
			return around(at, func(x time.Time) string { return nginx(x, "/health", 200, 0.002) })
		},
	})
	if d.Cause != CausePathLoadBalancer || d.Where != "lb" || d.Explained != 4 || d.Confidence != ConfidenceHigh {
		t.Fatalf("%s at %s explaining %d (%s): %q", d.Cause, d.Where, d.Explained, d.Confidence, d.Text)
	}
	if !strings.Contains(d.Text, "502 (target_status -)") || !strings.Contains(d.Text, "ivr.example.com") || !hasProofLine(d, `502 - 34 120 "POST https://ivr.example.com:443/voice`, "logs/lb.log") {
		t.Errorf("headline %q, proof %+v: want the ALB's 502 line with target_status - from logs/lb.log", d.Text, d.Proof)
	}
	for _, p := range append(d.Further, d.Problem) {
		if p.Cause == CauseAppServerError || p.Cause == CausePathFirewall || p.Cause == CauseUndecided {
			t.Errorf("names %s: %q", p.Cause, p.Text)
		}
	}
}

func TestHopLogs_AnsweredInTimeEverywhereIsTheResponse(t *testing.T) {
	d := traced(t, 4, "11200", 0, map[string]func(time.Time) []string{
		"fw":  func(at time.Time) []string { return []string{iptables(at.Add(-time.Second), "ALLOW")} },
		"lb":  func(at time.Time) []string { return []string{alb(at, "/voice", 200, "10.0.0.5:443", "200")} },
		"web": func(at time.Time) []string { return []string{nginx(at, "/voice", 200, 0.045)} },
	})
	if d.Cause != CausePathResponse || d.Where != "web" || d.Explained != 4 || d.Step != 3 {
		t.Fatalf("%s at %s explaining %d (step %d): %q", d.Cause, d.Where, d.Explained, d.Step, d.Text)
	}
	if !hasProofLine(d, `"POST /voice HTTP/1.1" 200`, "logs/web.log") || !strings.Contains(d.Text, "ivr.example.com") {
		t.Errorf("headline %q, proof %+v: want the web server's 200 line and the webhook's host", d.Text, d.Proof)
	}
	for _, p := range append(d.Further, d.Problem) {
		if p.Cause == CauseOutsideNetwork || p.Cause == CauseConnectionClosed || p.Cause == CauseUndecided {
			t.Errorf("names %s: %q", p.Cause, p.Text)
		}
	}
}

func TestHopLogs_LoadBalancerHasItTheWebServerDoesNot(t *testing.T) {
	d := traced(t, 3, "11205", 0, map[string]func(time.Time) []string{
		"lb": func(at time.Time) []string { return []string{alb(at, "/voice", 200, "10.0.0.5:443", "200")} },
		"web": func(at time.Time) []string {
			return around(at, func(x time.Time) string { return nginx(x, "/health", 200, 0.002) })
		},
	})
	if d.Cause != CausePathLoadBalancer || d.Where != "lb" {
		t.Fatalf("%s at %s: %q; the last log that has the requests is the load balancer's", d.Cause, d.Where, d.Text)
	}
}

func hasProofLine(d Diagnosis, text, file string) bool {
	for _, p := range d.Proof {
		if strings.Contains(fmt.Sprint(p.Figures["line"]), text) && p.File == file {
			return true
		}
	}
	return false
}

// TestHopLogs_UnreadHopIsUndecidedNeverOutsideTheNetwork: a log the hop
// reader cannot read for the incidents — a custom nginx format no format
// reads, a log of other hours, a firewall log in no known format in front
// of a load balancer that does not have the requests — leaves them
// undecided there, and the headline never says the requests did not reach
// the network.
func TestHopLogs_UnreadHopIsUndecidedNeverOutsideTheNetwork(t *testing.T) {
	custom := func(at time.Time, path string, status int) string {
		return fmt.Sprintf(`54.172.60.9 ivr.example.com [%s] "POST %s HTTP/1.1" upstream=10.0.0.5:8080 status=%d rt=0.120`, at.Format("02/Jan/2006:15:04:05 -0700"), path, status)
	}
	unknownFW := func(at time.Time) []string {
		return []string{fmt.Sprintf("fw01: deny tcp 54.172.60.9/40001 -> %s/443 at %d", webhookAddr, at.Unix())}
	}
	for _, tt := range []struct {
		name string
		logs map[string]func(time.Time) []string
	}{
		{"FormatUnknown", map[string]func(time.Time) []string{"web": func(at time.Time) []string {
			return []string{custom(at.Add(-time.Minute), "/health", 200), custom(at.Add(-time.Second), "/voice", 502), custom(at.Add(time.Minute), "/health", 200)}
		}}},
		{"OutsideTheLogsSpan", map[string]func(time.Time) []string{"web": func(at time.Time) []string {
			return []string{nginx(at.Add(-48*time.Hour), "/voice", 200, 0.01), nginx(at.Add(-47*time.Hour), "/health", 200, 0.01)}
		}}},
		{"FirewallUnreadLoadBalancerWithout", map[string]func(time.Time) []string{"fw": unknownFW, "lb": func(at time.Time) []string {
			return around(at, func(x time.Time) string { return alb(x, "/health", 200, "10.0.0.5:443", "200") })
		}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := traced(t, 3, "11200", 502, tt.logs)
			if d.Cause != CauseUndecided || d.Explained != 3 {
				t.Fatalf("headline %s explaining %d from a log that could not be read: %q", d.Cause, d.Explained, d.Text)
			}
			if strings.Contains(d.Text, "never reached") || strings.Contains(d.Text, "did not reach") {
				t.Errorf("headline %q", d.Text)
			}
			for _, p := range d.Further {
				if p.Cause == CauseOutsideNetwork {
					t.Errorf("names %s: %q", p.Cause, p.Text)
				}
			}
		})
	}
}
