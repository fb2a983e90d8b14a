package hoplog

import (
	"bytes"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// BackgroundWindow is how far around each incident a connection log is
// also read for drops to the webhook's address and port outside the
// incidents' windows: their rate says how likely a drop near an incident is
// chance (a host being port-scanned drops connections all the time).
const BackgroundWindow = 15 * time.Minute

// Background is what a connection log shows on the webhook's addresses and
// ports outside the incidents' windows.
type Background struct {
	// Drops are the DROP/REJECT lines to the webhook's addresses and ports
	// in Minutes of log outside the incidents' windows (within
	// BackgroundWindow of them).
	Drops   int
	Minutes float64
	// Window is the match window: a drop within it of an incident counts
	// as the incident's.
	Window time.Duration
	// Targets are the webhook's address:port pairs, e.g. 203.0.113.10:443.
	Targets []string
}

// PerHour is the rate of drops outside the incidents' windows.
func (b Background) PerHour() float64 {
	if b.Minutes <= 0 {
		return 0
	}
	return float64(b.Drops) / b.Minutes * 60
}

// Chance is the probability that a match window of an incident holds at
// least one such drop by chance alone (drops taken as a Poisson process at
// the background rate).
func (b Background) Chance() float64 {
	if b.Minutes <= 0 || b.Drops == 0 {
		return 0
	}
	perMinute := float64(b.Drops) / b.Minutes
	return 1 - math.Exp(-perMinute*2*b.Window.Minutes())
}

// Confidence says how much a drop near an incident proves that the firewall
// refused Twilio's connection: high when drops outside the incidents'
// windows are rare (a chance drop in a window under 5%), medium under a
// third, low above.
func (b Background) Confidence() string {
	switch c := b.Chance(); {
	case c < 0.05:
		return "high"
	case c < 1.0/3:
		return "medium"
	}
	return "low"
}

// Sentence says the background for the person reading the trace.
func (b Background) Sentence() string {
	return fmt.Sprintf("%s also drops connections to %s outside the incidents' windows: %d in %.0f minutes (%.1f an hour, e.g. a port scan), so a drop within ±%s of an incident is chance %.0f%% of the time; confidence %s",
		"the firewall", strings.Join(b.Targets, ", "), b.Drops, b.Minutes, b.PerHour(), b.Window, 100*b.Chance(), b.Confidence())
}

// background gathers a connection log's drops to the webhook's addresses
// and ports outside the incidents' windows.
type background struct {
	pairs map[netip.AddrPort]bool
	addrs [][]byte
	// wide are the incident windows widened by BackgroundWindow, merged.
	wide  []interval
	drops int
}

func newBackground(incidents []Incident, windows []interval) *background {
	b := &background{pairs: map[netip.AddrPort]bool{}}
	seen := map[netip.Addr]bool{}
	for _, in := range incidents {
		if in.DestPort <= 0 || in.DestPort > 65535 {
			continue
		}
		for _, a := range in.DestAddrs {
			b.pairs[netip.AddrPortFrom(a.Unmap(), uint16(in.DestPort))] = true
			if !seen[a.Unmap()] {
				seen[a.Unmap()] = true
				b.addrs = append(b.addrs, []byte(a.Unmap().String()))
			}
		}
	}
	if len(b.pairs) == 0 {
		return nil
	}
	for _, w := range windows {
		iv := interval{w.from.Add(-BackgroundWindow), w.to.Add(BackgroundWindow)}
		if n := len(b.wide); n > 0 && !iv.from.After(b.wide[n-1].to) {
			if iv.to.After(b.wide[n-1].to) {
				b.wide[n-1].to = iv.to
			}
			continue
		}
		b.wide = append(b.wide, iv)
	}
	return b
}

// in reports whether [from, to] meets a widened window.
func (b *background) in(from, to time.Time) bool {
	i := sort.Search(len(b.wide), func(i int) bool { return !b.wide[i].to.Before(from) })
	return i < len(b.wide) && !b.wide[i].from.After(to)
}

// line counts a line outside the incidents' windows when it drops a
// connection to one of the webhook's addresses and ports.
func (b *background) line(f *Format, pc *parseContext, line []byte) {
	found := false
	for _, a := range b.addrs {
		if bytes.Contains(line, a) {
			found = true
			break
		}
	}
	if !found {
		return
	}
	r, err := f.parse(line, pc)
	if err != nil || !r.Dropped() || r.DstPort <= 0 || r.DstPort > 65535 {
		return
	}
	if b.pairs[netip.AddrPortFrom(r.Dst.Unmap(), uint16(r.DstPort))] {
		b.drops++
	}
}

// result says what was found: the minutes of log read outside the
// incidents' windows are the widened windows less the incidents' own, within
// the log's span.
func (b *background) result(windows []interval, from, to time.Time, window time.Duration) *Background {
	if from.IsZero() {
		return nil
	}
	span := interval{from, to}
	minutes := measure(b.wide, span) - measure(windows, span)
	res := &Background{Drops: b.drops, Minutes: max(0, minutes), Window: window}
	for p := range b.pairs {
		res.Targets = append(res.Targets, p.String())
	}
	sort.Strings(res.Targets)
	return res
}

// measure is how many minutes of the merged intervals lie within span.
func measure(ivs []interval, span interval) float64 {
	total := 0.0
	for _, iv := range ivs {
		a, b := iv.from, iv.to
		if a.Before(span.from) {
			a = span.from
		}
		if b.After(span.to) {
			b = span.to
		}
		if b.After(a) {
			total += b.Sub(a).Minutes()
		}
	}
	return total
}
