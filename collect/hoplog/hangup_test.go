package hoplog

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVariants_ClientWentAwayIsTooSlow: proxies log Twilio's request even
// when Twilio hung up before an answer, without a status: Traefik writes
// "- -", HAProxy -1 with its total timer marked "+", Envoy 0 with the DC
// flag. Each such line is read, its incident is seen at that hop with the
// time it waited, and the verdict is "too slow", never "not reached" and
// never undecided.
func TestVariants_ClientWentAwayIsTooSlow(t *testing.T) {
	const waited = 15 * time.Second
	for _, tt := range []struct {
		name, format string
		// line writes a request; hungUp: Twilio went away after waited.
		line func(e logEvent, hungUp bool) string
	}{
		{"traefik-clf", "combined", func(e logEvent, hungUp bool) string {
			st, size, dur := fmt.Sprint(e.status), "512", e.dur
			if hungUp {
				st, size, dur = "-", "-", waited+time.Millisecond
			}
			return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %s %s "-" "%s" 2210 "voice@docker" "http://172.18.0.4:8080" %dms`,
				e.src, clfTS(e.t), e.method, e.target, st, size, e.ua, dur.Milliseconds())
		}},
		{"haproxy", "haproxy", func(e logEvent, hungUp bool) string {
			timers, st, term := fmt.Sprintf("0/0/1/%d/%d", e.dur.Milliseconds(), e.dur.Milliseconds()), fmt.Sprint(e.status), "----"
			if hungUp {
				timers, st, term = fmt.Sprintf("0/0/1/-1/+%d", waited.Milliseconds()), "-1", "CH--"
			}
			return fmt.Sprintf(`%s:40512 [%s] fe_https~ be_twilio/app1 %s %s 0 - - %s 4/4/1/1/0 0/0 "%s %s HTTP/1.1"`,
				e.src, e.t.UTC().Format("02/Jan/2006:15:04:05.000"), timers, st, term, e.method, e.target)
		}},
		{"envoy", "envoy", func(e logEvent, hungUp bool) string {
			st, flags, up, dur := fmt.Sprint(e.status), "-", fmt.Sprint(e.dur.Milliseconds()), e.dur
			if hungUp {
				st, flags, up, dur = "0", "DC", "-", waited+2*time.Millisecond
			}
			return fmt.Sprintf(`[%s] "%s %s HTTP/1.1" %s %s 312 0 %d %s "%s" "%s" "5d0c9a1e-7f3b-4c2d-a1e0-9b8c7d6e5f40" "hooks.example.com" "10.8.0.12:8080"`,
				e.t.UTC().Format("2006-01-02T15:04:05.000Z"), e.method, e.target, st, flags, dur.Milliseconds(), up, e.src, e.ua)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Incidents alternate: Twilio hung up, then an answer of 502.
			incs := traceIncidents(4)
			hung := func(e logEvent) bool { return e.ua == "TwilioProxy/1.1" && e.status == 0 }
			v := variant{name: tt.name, line: func(e logEvent) string { return tt.line(e, hung(e)) }}
			path := writeVariantEvents(t, v, incs, func(i int, in Incident) logEvent {
				if i%2 == 0 {
					return reqEvent(in, 0, 0, "")
				}
				return reqEvent(in, 502, 300*time.Millisecond, "")
			})
			h, err := ScanHop(context.Background(), Spec{Name: "proxy", Pattern: path}, incs, Options{Location: time.UTC, BlockSize: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			if h.Detection.Format != tt.format {
				t.Fatalf("detected as %s, want %s", h.Detection, tt.format)
			}
			if tot := h.Totals(); tot.Unparsed != 0 {
				t.Errorf("%d unreadable lines", tot.Unparsed)
			}
			for i, m := range h.Matches {
				if !m.Seen || m.Undecided {
					t.Errorf("incident %d not seen: %+v", i, m)
					continue
				}
				if i%2 == 0 && (m.Status != 0 || !m.HasDuration || m.Duration < waited || m.Duration > waited+time.Second) {
					t.Errorf("hung-up incident %d: status %d, response time %v (%v); want none and %v", i, m.Status, m.Duration, m.HasDuration, waited)
				}
				if i%2 == 1 && (m.Status != 502 || m.Duration != 300*time.Millisecond) {
					t.Errorf("incident %d: status %d in %v; want 502 in 300ms", i, m.Status, m.Duration)
				}
			}
			rep := Trace(incs, []*HopResult{h})
			got := map[Outcome]int{}
			for _, vd := range rep.Reaches {
				got[vd.Outcome] += vd.Count
			}
			if got[OutcomeTooSlow] != 2 || got[OutcomeAppError] != 2 || len(got) != 2 {
				t.Errorf("verdicts %v, want 2 too slow and 2 application errors: %q", got, rep.Summary)
			}
			if strings.Contains(rep.Summary, "never reached") || strings.Contains(rep.Summary, "could not be decided") {
				t.Errorf("summary = %q", rep.Summary)
			}
		})
	}
}
