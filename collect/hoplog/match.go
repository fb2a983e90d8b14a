package hoplog

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// twilioUA is the user agent of Twilio's webhook requests.
const twilioUA = "TwilioProxy"

// match compares a line within some incident window with each incident it
// may belong to, keeping the best line per incident.
func (s *scanner) match(line []byte, t, end time.Time, off int64) {
	var rec Record
	parsed, bad, tried := false, false, false
	parse := func() bool {
		tried = true
		if !parsed {
			parsed = true
			var err error
			if rec, err = s.f.parse(line, s.pc); err != nil {
				bad = true
				s.st.Parsed--
				s.st.Unparsed++
			}
		}
		return !bad
	}
	from := t.Add(-s.window)
	i := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(from) })
	for ; i < len(s.times); i++ {
		if s.times[i].After(end.Add(s.window)) {
			break
		}
		idx := s.order[i]
		in := s.incs[idx]
		var score int
		tried = false
		if s.f.Conn {
			score = s.connScore(idx, line, parse, &rec)
		} else {
			score = s.requestScore(idx, line, parse, &rec)
		}
		if tried && bad {
			// The line may be this incident's request and cannot be read.
			s.bad[idx]++
		}
		if score <= 0 {
			continue
		}
		dist := absDur(rec.Time.Sub(in.Time))
		if !rec.End.IsZero() && !in.Time.Before(rec.Time) && !in.Time.After(rec.End) {
			dist = 0
		}
		if dist > s.window {
			continue
		}
		b := &s.best[idx]
		b.Lines++
		if b.Seen && (score < b.score || score == b.score && dist >= b.dist) {
			continue
		}
		text := line
		if len(text) > maxMatchLine {
			text = text[:maxMatchLine]
		}
		*b = Match{
			Seen: true, Dropped: rec.Dropped(), Action: rec.Action, Lines: b.Lines,
			Line: string(text), File: s.path, Offset: off, Time: rec.Time,
			Status: rec.Status, Duration: rec.Duration, HasDuration: rec.HasDuration, TargetStatus: rec.TargetStatus,
			ByUserAgent: strings.Contains(rec.UA, twilioUA),
			BySID:       in.SID != "" && bytes.Contains(line, []byte(in.SID)),
			score:       score, dist: dist,
		}
	}
}

// requestScore scores a request-log line for an incident: 0 when it is not
// the incident's request, more the surer it is.
func (s *scanner) requestScore(idx int, line []byte, parse func() bool, rec *Record) int {
	in := s.incs[idx]
	hasSID := in.SID != "" && bytes.Contains(line, []byte(in.SID))
	if len(s.paths[idx]) > 0 {
		if !bytes.Contains(line, s.paths[idx]) && !containsEscapedPath(line, in.Path) {
			return 0
		}
		if !parse() || !samePath(rec.Path, in.Path) {
			return 0
		}
		if in.Query != "" && !sameQuery(rec.Query, in.Query) {
			return 0
		}
	} else if !hasSID || !parse() {
		return 0
	}
	if in.Method != "" && rec.Method != "" && !strings.EqualFold(in.Method, rec.Method) {
		return 0
	}
	score := 1
	if strings.Contains(rec.UA, twilioUA) || bytes.Contains(line, []byte(twilioUA)) {
		score += 2
	}
	if hasSID {
		score += 4
	}
	return score
}

// containsEscapedPath covers logs that write the path percent-encoded when
// the incident's is not, or the other way round.
func containsEscapedPath(line []byte, path string) bool {
	if !strings.ContainsAny(path, "% ") {
		return false
	}
	if u, err := url.PathUnescape(path); err == nil && u != path && bytes.Contains(line, []byte(u)) {
		return true
	}
	e := (&url.URL{Path: path}).EscapedPath()
	return e != path && bytes.Contains(line, []byte(e))
}

func samePath(logged, want string) bool {
	if logged == want {
		return true
	}
	a, err1 := url.PathUnescape(logged)
	b, err2 := url.PathUnescape(want)
	return err1 == nil && err2 == nil && a == b
}

// sameQuery compares two query strings as sets of parameters.
func sameQuery(logged, want string) bool {
	if logged == want {
		return true
	}
	a, err1 := url.ParseQuery(logged)
	b, err2 := url.ParseQuery(want)
	if err1 != nil || err2 != nil || len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || len(va) != len(vb) {
			return false
		}
		sort.Strings(va)
		sort.Strings(vb)
		for i := range va {
			if va[i] != vb[i] {
				return false
			}
		}
	}
	return true
}

// connScore scores a connection-log line for an incident: it must go to one
// of the incident's addresses and its port. A drop scores highest: it is the
// finding.
func (s *scanner) connScore(idx int, line []byte, parse func() bool, rec *Record) int {
	in := s.incs[idx]
	if len(in.DestAddrs) == 0 && in.DestPort == 0 {
		return 0
	}
	if len(s.addrText[idx]) > 0 {
		found := false
		for _, a := range s.addrText[idx] {
			found = found || bytes.Contains(line, a)
		}
		if !found {
			return 0
		}
	}
	if !parse() {
		return 0
	}
	if len(in.DestAddrs) > 0 {
		ok := false
		for _, a := range in.DestAddrs {
			ok = ok || a.Unmap() == rec.Dst.Unmap()
		}
		if !ok {
			return 0
		}
	}
	// Only the webhook's port: a drop of a packet to another port (an SSH
	// scan) or without one (ICMP) is not Twilio's connection.
	if in.DestPort != 0 && rec.DstPort != in.DestPort {
		return 0
	}
	score := 1
	if rec.Dropped() {
		score += 4
	}
	return score
}

// excerptWriter writes excerpt lines up to a byte bound, then counts what it
// leaves out.
type excerptWriter struct {
	w       io.Writer
	max     int64
	n       int64
	cut     bool
	omitted int64
	err     error
	pending string // file header not yet written
}

func (e *excerptWriter) file(path string) {
	if e.w == nil {
		return
	}
	e.pending = "==> " + path + " <==\n"
}

func (e *excerptWriter) write(b []byte) {
	if e.err != nil {
		return
	}
	k, err := e.w.Write(b)
	e.n += int64(k)
	e.err = err
}

func (e *excerptWriter) line(line []byte) {
	if e.w == nil {
		return
	}
	need := int64(len(line)+1) + int64(len(e.pending))
	if e.cut || e.max > 0 && e.n+need > e.max {
		e.cut = true
		e.omitted++
		return
	}
	if e.pending != "" {
		e.write([]byte(e.pending))
		e.pending = ""
	}
	e.write(line)
	e.write([]byte{'\n'})
}

func (e *excerptWriter) finish() {
	if e.w == nil || !e.cut {
		return
	}
	e.write([]byte(fmt.Sprintf("[excerpt cut at %d bytes: %d more lines not shown]\n", e.max, e.omitted)))
}
