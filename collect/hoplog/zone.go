package hoplog

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// ZoneGuess is the offset inferred for a log whose times carry none, when
// no zone was given (--log-tz): the whole or half-hour offset from UTC that
// lines the log's Twilio requests up with the incidents.
type ZoneGuess struct {
	// Offset is the offset from UTC the log's times were read in.
	Offset time.Duration
	// Matched of Total incidents have a request in the log at that offset.
	Matched, Total int
	// Fits is false when no offset lines any request up with an incident;
	// the times were then read in the local zone, Offset, and the trace
	// warns.
	Fits bool
}

// OffsetName writes an offset as UTC+09:00.
func OffsetName(off time.Duration) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, int(off.Hours()), int(off.Minutes())%60)
}

// Location is the fixed zone of the guess.
func (z ZoneGuess) Location() *time.Location {
	return time.FixedZone(OffsetName(z.Offset), int(z.Offset.Seconds()))
}

// Sentence says the guess for the person reading the trace.
func (z ZoneGuess) Sentence() string {
	if !z.Fits {
		return fmt.Sprintf("the log's times carry no offset and fit none from UTC-12:00 to UTC+14:00 (no Twilio request lines up with an incident at any); read as %s, the local zone; set --log-tz to the zone the log is written in", OffsetName(z.Offset))
	}
	return fmt.Sprintf("times read as %s, the offset that matches %d of %d incidents; set --log-tz to choose", OffsetName(z.Offset), z.Matched, z.Total)
}

// Offsets tried: every quarter hour from UTC-12:00 to UTC+14:00 (the
// whole and half hours and the few zones at 45 minutes).
const (
	minOffset  = -12 * time.Hour
	maxOffset  = 14 * time.Hour
	offsetStep = 15 * time.Minute
)

// maxZoneCandidates bounds the lines collected to infer a zone.
const maxZoneCandidates = 200000

// usesLocation reports whether the format reads the times of lines in the
// given location: they carry no offset.
func usesLocation(f *Format, lines [][]byte, ref time.Time) bool {
	pc := newParseContext(time.UTC, ref)
	for _, l := range lines {
		if _, ok := f.timeOf(l, pc); ok && pc.usedLoc {
			return true
		}
	}
	return false
}

// inferZone reads the lines of files that may be the incidents' requests,
// with their times taken as UTC, and finds the offset that lines up the
// most of them with the incidents. local is the zone used when none fits,
// and preferred among offsets that match as many.
func inferZone(ctx context.Context, f *Format, files []string, incidents []Incident, window time.Duration, ref time.Time, local *time.Location) ZoneGuess {
	pc := newParseContext(time.UTC, ref)
	markers := zoneMarkers(f, incidents)
	var first, last time.Time
	var timed []Incident
	for _, in := range incidents {
		if in.Time.IsZero() {
			continue
		}
		timed = append(timed, in)
		if first.IsZero() || in.Time.Before(first) {
			first = in.Time
		}
		if in.Time.After(last) {
			last = in.Time
		}
	}
	_, localOff := ref.In(local).Zone()
	guess := ZoneGuess{Offset: time.Duration(localOff) * time.Second, Total: len(timed)}
	if len(timed) == 0 || len(markers) == 0 {
		return guess
	}
	sort.Slice(timed, func(i, j int) bool { return timed[i].Time.Before(timed[j].Time) })
	from, to := first.Add(minOffset-window-f.Skew), last.Add(maxOffset+window+f.Skew)
	var cands []Record
	keep := mayMatch(f, timed)
	for _, path := range files {
		if ctx.Err() != nil || len(cands) >= maxZoneCandidates {
			break
		}
		cands = zoneCandidates(f, pc, path, markers, from, to, keep, cands)
	}
	counts := map[time.Duration]int{}
	best, bestN := guess.Offset, -1
	for off := minOffset; off <= maxOffset; off += offsetStep {
		n := matchedAt(f, cands, timed, off, window)
		counts[off] = n
		better := n > bestN
		if n == bestN && n > 0 {
			// Equally good: the local zone's offset, then the one nearest it.
			better = absDur(off-guess.Offset) < absDur(best-guess.Offset)
		}
		if better {
			best, bestN = off, n
		}
	}
	// The offset explains the incidents when it lines up half of them, or
	// at least three and three times as many as any offset not next to it:
	// not a few requests lined up by chance.
	runnerUp := 0
	for off, n := range counts {
		if absDur(off-best) > 30*time.Minute {
			runnerUp = max(runnerUp, n)
		}
	}
	if bestN <= 0 || !(bestN*2 >= len(timed) || bestN >= 3 && bestN >= 3*runnerUp) {
		return guess
	}
	guess.Offset, guess.Matched, guess.Fits = best, bestN, true
	return guess
}

// zoneMarkers are the strings a line that may be an incident's request
// holds: its path, its SID, Twilio's user agent; for a connection log the
// webhook's addresses.
func zoneMarkers(f *Format, incidents []Incident) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	add := func(s string) {
		if len(s) >= 2 && !seen[s] {
			seen[s] = true
			out = append(out, []byte(s))
		}
	}
	for _, in := range incidents {
		if f.Conn {
			for _, a := range in.DestAddrs {
				add(a.String())
			}
			continue
		}
		add(in.Path)
		if validSID(in.SID) {
			add(in.SID)
		}
	}
	if !f.Conn {
		add(twilioUA)
	}
	return out
}

// holdsAny reports whether line holds one of the markers.
func holdsAny(line []byte, markers [][]byte) bool {
	for _, m := range markers {
		if bytes.Contains(line, m) {
			return true
		}
	}
	return false
}

// mayMatch tells the records that may be some incident's request whatever
// their time: the same path and method, or the webhook's address and port
// (a firewall's drops of scans to other ports are not). What a record is
// matched on repeats across a log: each is checked against the incidents
// once.
func mayMatch(f *Format, incidents []Incident) func(Record) bool {
	type key struct {
		dst           netip.Addr
		port          int
		path, q, meth string
	}
	known := map[key]bool{}
	return func(rec Record) bool {
		k := key{dst: rec.Dst, port: rec.DstPort}
		if !f.Conn {
			k = key{path: rec.Path, q: rec.Query, meth: rec.Method}
		}
		ok, seen := known[k]
		if !seen {
			for _, in := range incidents {
				if ok = recordMatches(f, in, rec); ok {
					break
				}
			}
			if len(known) < maxZoneCandidates {
				known[k] = ok
			}
		}
		return ok
	}
}

// zoneCandidates reads the lines of one file that hold a marker, whose
// time, read as UTC, lies within [from, to], and that keep accepts, and
// appends their records.
func zoneCandidates(f *Format, pc *parseContext, path string, markers [][]byte, from, to time.Time, keep func(Record) bool, out []Record) []Record {
	lf, err := openLog(path)
	if err != nil {
		return out
	}
	defer lf.Close()
	r := lf.reader()
	// A firewall format's own marker (" SRC=") is found faster than an
	// address among digits: its lines are searched for the markers.
	search, anchor := markers, []byte(nil)
	if f.marker != "" {
		anchor = []byte(f.marker)
		search = [][]byte{anchor}
	}
	buf := make([]byte, 4<<20)
	have := 0
	for len(out) < maxZoneCandidates {
		n, rerr := fillBuf(r, buf[have:])
		data := buf[:have+n]
		end := len(data)
		if rerr == nil {
			end = bytes.LastIndexByte(data, '\n') + 1
		}
		block := data[:end]
		var starts []int
		for _, m := range search {
			for off := 0; ; {
				i := bytes.Index(block[off:], m)
				if i < 0 {
					break
				}
				i += off
				st := bytes.LastIndexByte(block[:i], '\n') + 1
				e := bytes.IndexByte(block[i:], '\n')
				if anchor == nil || holdsAny(block[st:i+max(e, 0)], markers) {
					starts = append(starts, st)
				}
				if e < 0 {
					break
				}
				off = i + e + 1
			}
		}
		sort.Ints(starts)
		for k, st := range starts {
			if k > 0 && starts[k-1] == st {
				continue
			}
			line := block[st:]
			if e := bytes.IndexByte(line, '\n'); e >= 0 {
				line = line[:e]
			}
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) > MaxLineBytes {
				continue
			}
			rec, err := f.parse(line, pc)
			if err != nil || rec.Time.Before(from) || rec.Time.After(to) || !keep(rec) {
				continue
			}
			out = append(out, rec)
		}
		if rerr != nil || end == 0 && len(data) == len(buf) {
			break
		}
		have = copy(buf, data[end:])
	}
	return out
}

// matchedAt counts the incidents that a candidate record, its time moved
// from the offset off to UTC, matches.
func matchedAt(f *Format, cands []Record, timed []Incident, off, window time.Duration) int {
	hit := make([]bool, len(timed))
	n := 0
	for _, rec := range cands {
		t, end := rec.Time.Add(-off), rec.End
		if end.IsZero() {
			end = t
		} else {
			end = end.Add(-off)
		}
		lo := sort.Search(len(timed), func(i int) bool { return !timed[i].Time.Before(t.Add(-window)) })
		for i := lo; i < len(timed) && !timed[i].Time.After(end.Add(window)); i++ {
			if !hit[i] && recordMatches(f, timed[i], rec) {
				hit[i] = true
				n++
			}
		}
	}
	return n
}

// recordMatches reports whether a parsed record may be an incident's
// request: same path, query and method for a request log; one of its
// addresses and its port for a connection log.
func recordMatches(f *Format, in Incident, rec Record) bool {
	if f.Conn {
		if len(in.DestAddrs) == 0 {
			return false
		}
		ok := false
		for _, a := range in.DestAddrs {
			ok = ok || a.Unmap() == rec.Dst.Unmap()
		}
		return ok && (in.DestPort == 0 || rec.DstPort == 0 || rec.DstPort == in.DestPort)
	}
	if in.Path == "" || !samePath(rec.Path, in.Path) {
		return false
	}
	if in.Query != "" && !sameQuery(rec.Query, in.Query) {
		return false
	}
	return in.Method == "" || rec.Method == "" || strings.EqualFold(in.Method, rec.Method)
}
