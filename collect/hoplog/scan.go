package hoplog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLineBytes is the longest line that is read; longer lines are counted in
// the scan statistics and passed over.
const MaxLineBytes = 64 << 10

// DefaultBlockSize is how much of a log is read at a time.
const DefaultBlockSize = 4 << 20

// DefaultMaxExcerptBytes bounds the excerpt written for one hop.
const DefaultMaxExcerptBytes = 8 << 20

// maxMatchLine bounds the text kept of a matching line.
const maxMatchLine = 4 << 10

// Options tune a scan. The zero value is usable.
type Options struct {
	// Window is how far from an incident a line may be (default 90 s).
	Window time.Duration
	// Location is the zone of timestamps without an offset (--log-tz).
	// When nil, a hop whose times carry no offset is read at the offset that
	// lines its Twilio requests up with the incidents (HopResult.Zone), and
	// LocalZone when none does; other logs are read in LocalZone.
	Location *time.Location
	// LocalZone is the machine's zone; nil means time.Local.
	LocalZone *time.Location
	// Reference is a time near the logs' from which year-less syslog
	// timestamps take their year; zero means the incidents' median time.
	Reference time.Time
	// Excerpt, when set, receives the lines within the window of each
	// incident (and with ScanAll every line naming an affected SID).
	Excerpt io.Writer
	// MaxExcerptBytes bounds what is written to Excerpt; 0 means
	// DefaultMaxExcerptBytes, negative means no bound.
	MaxExcerptBytes int64
	// ScanAll reads every block, also those far from every incident, to
	// find the lines naming an affected SID (application logs). Hop
	// matching is the same either way.
	ScanAll bool
	// BlockSize is the read size (default DefaultBlockSize); lines longer
	// than a block are passed over as long lines.
	BlockSize int
}

func (o Options) window() time.Duration {
	if o.Window <= 0 {
		return DefaultWindow
	}
	return o.Window
}

// FileStats says what a scan did with one file, and what it could not read.
type FileStats struct {
	Path string
	// Gzip is true when the file was gunzipped.
	Gzip bool
	// Bytes is how much log text was read (after gunzip); SkippedBytes how
	// much of the file was passed over as far from every incident.
	Bytes, SkippedBytes int64
	// Lines is how many lines were looked at (lines in skipped blocks are
	// not); Parsed how many of those were the format's lines with a
	// readable time (and, near an incident, parsed whole); Unparsed how
	// many were not readable; Other how many were other kinds of line
	// sharing the file (other programs' syslog lines), skipped.
	Lines, Parsed, Unparsed, Other int64
	// LongLines counts lines over MaxLineBytes, InvalidUTF8 lines looked at
	// that are not UTF-8, Binary lines holding NUL bytes.
	LongLines, InvalidUTF8, Binary int64
	// Truncated is true when a gzip file ended early or was corrupt; what
	// came before was read.
	Truncated bool
	// Err is the error that ended the file early, if any.
	Err string
}

// Problems says in one line what was wrong with the file, empty when
// nothing was.
func (s FileStats) Problems() string {
	var p []string
	if s.Truncated {
		p = append(p, "gzip truncated or corrupt")
	}
	if s.LongLines > 0 {
		p = append(p, fmt.Sprintf("%d lines over %d kB passed over", s.LongLines, MaxLineBytes>>10))
	}
	if s.InvalidUTF8 > 0 {
		p = append(p, fmt.Sprintf("%d lines with invalid UTF-8", s.InvalidUTF8))
	}
	if s.Binary > 0 {
		p = append(p, fmt.Sprintf("%d lines with binary bytes", s.Binary))
	}
	if s.Unparsed > 0 {
		p = append(p, fmt.Sprintf("%d lines not in the format or without a time", s.Unparsed))
	}
	// Other lines (other programs' syslog lines) are no problem: they are
	// said beside the lines read (HopResult.ReadSummary).
	if s.Err != "" {
		p = append(p, s.Err)
	}
	return strings.Join(p, "; ")
}

// Match is what one hop's log says about one incident.
type Match struct {
	// IncidentID is the incident's ID.
	IncidentID string
	// Seen is true when a line matched the incident.
	Seen bool
	// Dropped is true when the matching line is a DROP/REJECT of a
	// connection-level log: the hop saw the request and refused it.
	Dropped bool
	// Action is the matching line's action (connection-level logs).
	Action string
	// Lines counts the lines that matched; the best is kept.
	Lines int
	// Line is the best matching line (cut at 4 kB), File the file holding it
	// and Offset its byte offset in the (gunzipped) file.
	Line   string
	File   string
	Offset int64
	// Time is the matching line's time.
	Time time.Time
	// Status and Duration are the hop's answer, when the format has them.
	Status      int
	Duration    time.Duration
	HasDuration bool
	// TargetStatus is a load balancer's target status ("-": no target
	// answered); empty for other formats.
	TargetStatus string
	// Undecided is true when this hop cannot tell whether it saw the
	// request, and Reason says why: its lines near the incident's time could
	// not be read, its format is unknown, the incident's time lies outside
	// the log's span, or it is a connection log and the webhook's address
	// and port are unknown. An undecided match is never Seen.
	Undecided bool
	Reason    Reason
	// ByUserAgent says the line came from TwilioProxy; BySID that it names
	// the incident's CallSid/MessageSid.
	ByUserAgent, BySID bool

	score int
	dist  time.Duration
}

// HopResult is the outcome of scanning one hop.
type HopResult struct {
	// Name is the hop's name.
	Name string
	// Detection says which format was used and why.
	Detection Detection
	// Conn is true for connection-level hops (firewall, flow logs).
	Conn bool
	// Files has the statistics of each file, in reading order.
	Files []FileStats
	// Matches has one entry per incident, in the order given to ScanHop.
	Matches []Match
	// ExcerptBytes is what was written to Options.Excerpt; ExcerptCut is
	// true when MaxExcerptBytes stopped it.
	ExcerptBytes int64
	ExcerptCut   bool
	// Note says why some incidents could not be decided at this hop.
	Note string
	// SpanFrom and SpanTo are the earliest and latest times the scan read in
	// the hop's files; zero when it read none.
	SpanFrom, SpanTo time.Time
	// Zone is the offset inferred for times without one, when no zone was
	// given; nil when the log's times carry offsets or a zone was given.
	Zone *ZoneGuess
	// Background is what a connection log shows on the webhook's addresses
	// and ports outside the incidents' windows; nil for other logs.
	Background *Background
}

// Reason says why a hop could not decide an incident.
type Reason string

// Reasons of an undecided match.
const (
	// ReasonNoLineParsed: lines near the incident's time, or the ones that
	// may be its request, could not be read in the log's format.
	ReasonNoLineParsed Reason = "no_line_parsed"
	// ReasonFormatUnknown: no known format reads the log (it was read as
	// text, for its times only), or not one of its lines could be read.
	ReasonFormatUnknown Reason = "format_unknown"
	// ReasonOutsideSpan: the incident's time lies outside the times the
	// log's files cover.
	ReasonOutsideSpan Reason = "outside_span"
	// ReasonNoAddress: a connection log, and the webhook's address and port
	// are unknown for the incident.
	ReasonNoAddress Reason = "no_address"
)

// Totals adds up the statistics of all files.
func (h *HopResult) Totals() FileStats {
	var t FileStats
	for _, f := range h.Files {
		t.Bytes += f.Bytes
		t.SkippedBytes += f.SkippedBytes
		t.Lines += f.Lines
		t.Parsed += f.Parsed
		t.Unparsed += f.Unparsed
		t.Other += f.Other
		t.LongLines += f.LongLines
		t.InvalidUTF8 += f.InvalidUTF8
		t.Binary += f.Binary
		t.Truncated = t.Truncated || f.Truncated
	}
	return t
}

// ScanHop reads the files of one hop and matches each incident against them.
// Problems within a file (bad lines, a truncated gzip, an unreadable file
// among several) are recorded in the result's statistics; an error is
// returned only when the hop cannot be read at all.
func ScanHop(ctx context.Context, spec Spec, incidents []Incident, opts Options) (*HopResult, error) {
	files, err := ExpandFiles(spec.Pattern)
	if err != nil {
		return nil, fmt.Errorf("hop %s: %w", spec.Name, err)
	}
	ref := opts.Reference
	if ref.IsZero() {
		ref = medianTime(incidents)
	}
	if opts.LocalZone == nil {
		opts.LocalZone = time.Local
	}
	loc := opts.Location
	if loc == nil {
		loc = opts.LocalZone
	}
	pc := newParseContext(loc, ref)
	var f *Format
	var det Detection
	if spec.Format != "" && spec.Format != "auto" {
		if f, err = ParseFormat(spec.Format); err != nil {
			return nil, fmt.Errorf("hop %s: %w", spec.Name, err)
		}
		det = Detection{Format: f.Name, Given: true, Kind: f.Kind, Detail: f.Detail()}
	} else {
		if f, det, err = DetectFiles(files, pc.loc, pc.ref); err != nil {
			return unreadHop(spec.Name, det, incidents, err), fmt.Errorf("hop %s: %w", spec.Name, err)
		}
	}
	var zone *ZoneGuess
	if opts.Location == nil && !opts.ScanAll && f.Kind != KindText && usesLocation(f, sampleLines(files[:1], false), ref) {
		// The log's times carry no offset and no zone was given: the
		// offset that lines its Twilio requests up with the incidents.
		z := inferZone(ctx, f, files, incidents, opts.window(), ref, pc.loc)
		zone = &z
		pc = newParseContext(z.Location(), ref)
		if !z.Fits {
			pc = newParseContext(opts.LocalZone, ref)
		}
	}
	s := newScanner(f, pc, incidents, opts)
	s.mixed = det.Mixed
	res := &HopResult{Name: spec.Name, Detection: det, Conn: f.Conn, Zone: zone}
	readable := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("hop %s: %w", spec.Name, err)
		}
		st := FileStats{Path: path}
		if f.header != nil {
			// Each file names its fields in its own header line.
			s.f = f.withHeader(sampleLines([]string{path}, false))
		}
		if err := s.scanFile(ctx, path, &st); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("hop %s: %w", spec.Name, err)
			}
			st.Err = err.Error()
		} else {
			readable++
		}
		res.Files = append(res.Files, st)
	}
	if readable == 0 {
		return res, fmt.Errorf("hop %s: no file could be read: %s", spec.Name, res.Files[0].Err)
	}
	s.ex.finish()
	res.ExcerptBytes, res.ExcerptCut = s.ex.n, s.ex.cut
	res.Matches = make([]Match, len(incidents))
	res.SpanFrom, res.SpanTo = s.spanFrom, s.spanTo
	if s.bg != nil {
		res.Background = s.bg.result(s.windows, s.spanFrom, s.spanTo, s.window)
	}
	tot := res.Totals()
	reasons := map[Reason]int{}
	for i, in := range incidents {
		m := s.best[i]
		m.IncidentID = in.ID
		if !m.Seen || f.Name == "text" {
			if r := s.undecided(i, tot); r != "" {
				m = Match{IncidentID: in.ID, Undecided: true, Reason: r}
				reasons[r]++
			}
		}
		res.Matches[i] = m
	}
	res.Note = undecidedNote(reasons, f.Name, res.SpanFrom, res.SpanTo)
	if n, worst := unitErrors(res.Matches); n > 0 {
		if res.Note != "" {
			res.Note += "; "
		}
		res.Note += fmt.Sprintf("%d matching %s a response time over an hour (up to %.0f h): taken for a unit error, not for slowness; give the unit, e.g. json:duration=KEY:ms",
			n, plural(n, "line gives", "lines give"), worst.Hours())
	}
	return res, nil
}

// unreadHop is the result for a hop whose format no known format reads,
// or that has no lines: every incident is undecided there, never missing,
// so that the hops around it are not taken to tell where the requests
// stopped. It is nil for other errors.
func unreadHop(name string, det Detection, incidents []Incident, err error) *HopResult {
	if !errors.Is(err, ErrUnknownFormat) {
		return nil
	}
	r := ReasonFormatUnknown
	if det.Sampled == 0 {
		r = ReasonOutsideSpan
	}
	res := &HopResult{Name: name, Detection: det, Matches: make([]Match, len(incidents))}
	for i, in := range incidents {
		res.Matches[i] = Match{IncidentID: in.ID, Undecided: true, Reason: r}
	}
	if len(incidents) > 0 {
		res.Note = undecidedNote(map[Reason]int{r: len(incidents)}, "", time.Time{}, time.Time{})
	}
	return res
}

// undecided says why this hop cannot decide incident i, empty when it can.
func (s *scanner) undecided(i int, tot FileStats) Reason {
	in := s.incs[i]
	switch {
	case s.f.Name == "text" || s.spanFrom.IsZero() && tot.Unparsed > 0:
		return ReasonFormatUnknown
	case s.f.Conn && len(in.DestAddrs) == 0 && in.DestPort == 0:
		return ReasonNoAddress
	case in.Time.IsZero():
		return ""
	case s.spanFrom.IsZero() || in.Time.Before(s.spanFrom.Add(-s.window-s.f.Skew)) || in.Time.After(s.spanTo.Add(s.window+s.f.Skew)):
		return ReasonOutsideSpan
	case s.bad[i] > 0:
		return ReasonNoLineParsed
	}
	return ""
}

// unitErrors counts the matches whose response time is too long to be one,
// and gives the longest.
func unitErrors(ms []Match) (int, time.Duration) {
	n, worst := 0, time.Duration(0)
	for _, m := range ms {
		if m.Seen && m.HasDuration && UnitError(m.Duration) {
			n++
			worst = max(worst, m.Duration)
		}
	}
	return n, worst
}

// undecidedNote says in one line why incidents could not be decided at a
// hop, empty when all could.
func undecidedNote(reasons map[Reason]int, format string, from, to time.Time) string {
	var parts []string
	for _, r := range []Reason{ReasonFormatUnknown, ReasonNoLineParsed, ReasonOutsideSpan, ReasonNoAddress} {
		n := reasons[r]
		if n == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s undecided: %s", n, plural(n, "incident", "incidents"), r.Explain(format, from, to)))
	}
	return strings.Join(parts, "; ")
}

// Explain says the reason in a few words for the person reading the trace;
// format names the hop's format, from and to its span.
func (r Reason) Explain(format string, from, to time.Time) string {
	switch r {
	case ReasonFormatUnknown:
		if format == "text" {
			return "no known format reads this log (read as text, for its times only)"
		}
		if format == "" {
			return "no known format reads this log"
		}
		return "not one line of this log could be read as " + format
	case ReasonNoLineParsed:
		return "the lines near their times could not be read as " + format
	case ReasonOutsideSpan:
		if from.IsZero() {
			return "their times lie outside the log, which has no readable time"
		}
		return fmt.Sprintf("their times lie outside the log's span (%s – %s)", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	case ReasonNoAddress:
		return "a connection log is matched on the webhook's address and port, and these incidents have neither"
	}
	return string(r)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func medianTime(incidents []Incident) time.Time {
	var ts []time.Time
	for _, in := range incidents {
		if !in.Time.IsZero() {
			ts = append(ts, in.Time)
		}
	}
	if len(ts) == 0 {
		return time.Time{}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts[len(ts)/2]
}

// fillBuf reads until b is full or the reader fails; it returns the error
// that stopped it (io.EOF at a clean end).
func fillBuf(r io.Reader, b []byte) (int, error) {
	n, empty := 0, 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty > 100 {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}

type interval struct{ from, to time.Time }

// scanner holds the state of one hop's scan across its files.
type scanner struct {
	f      *Format
	pc     *parseContext
	opts   Options
	window time.Duration

	incs     []Incident // as given
	order    []int      // incident indexes by time
	times    []time.Time
	windows  []interval // merged incident windows
	paths    [][]byte
	sids     map[string][]int
	sidPre   [][]byte
	addrText [][][]byte

	best []Match
	// bad counts, per incident, the lines near its time that could not be
	// read: a line that may be its request failing the format's parse, or a
	// line without a time among lines near it.
	bad []int
	// spanFrom and spanTo are the earliest and latest times read.
	spanFrom, spanTo time.Time
	// lastT is the time of the last line that had one.
	lastT time.Time
	buf   []byte
	ex    *excerptWriter

	// bg gathers a connection log's drops to the webhook outside the
	// incidents' windows; nil for other logs.
	bg *background
	// mixed is true when the file holds other kinds of line than the
	// format's: lines without a time are then counted as other lines,
	// not as unreadable ones.
	mixed bool

	st   *FileStats
	path string
	// prevIn is true when the last line with a time was near an incident.
	prevIn bool
	off    int64 // offset of the current block in the file
}

func newScanner(f *Format, pc *parseContext, incidents []Incident, opts Options) *scanner {
	s := &scanner{f: f, pc: pc, opts: opts, window: opts.window(), incs: incidents,
		best: make([]Match, len(incidents)), bad: make([]int, len(incidents)), sids: map[string][]int{}}
	bs := opts.BlockSize
	if bs <= 0 {
		bs = DefaultBlockSize
	}
	if bs < 4<<10 {
		bs = 4 << 10
	}
	s.buf = make([]byte, bs)
	max := opts.MaxExcerptBytes
	if max == 0 {
		max = DefaultMaxExcerptBytes
	}
	s.ex = &excerptWriter{w: opts.Excerpt, max: max}
	s.paths = make([][]byte, len(incidents))
	s.addrText = make([][][]byte, len(incidents))
	pre := map[string]bool{}
	for i, in := range incidents {
		if in.Time.IsZero() {
			continue
		}
		s.order = append(s.order, i)
		s.paths[i] = []byte(in.Path)
		for _, a := range in.DestAddrs {
			s.addrText[i] = append(s.addrText[i], []byte(a.String()))
		}
		if validSID(in.SID) {
			s.sids[in.SID] = append(s.sids[in.SID], i)
			if !pre[in.SID[:2]] {
				pre[in.SID[:2]] = true
				s.sidPre = append(s.sidPre, []byte(in.SID[:2]))
			}
		}
	}
	sort.SliceStable(s.order, func(a, b int) bool { return incidents[s.order[a]].Time.Before(incidents[s.order[b]].Time) })
	for _, i := range s.order {
		t := incidents[i].Time
		s.times = append(s.times, t)
		iv := interval{t.Add(-s.window), t.Add(s.window)}
		if n := len(s.windows); n > 0 && !iv.from.After(s.windows[n-1].to) {
			if iv.to.After(s.windows[n-1].to) {
				s.windows[n-1].to = iv.to
			}
			continue
		}
		s.windows = append(s.windows, iv)
	}
	if f.Conn && f.Kind != KindText {
		s.bg = newBackground(incidents, s.windows)
	}
	return s
}

// validSID reports whether s looks like a Twilio SID: two capital letters and
// 32 hex digits.
func validSID(s string) bool {
	if len(s) != 34 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	for i := 2; i < 34; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// overlaps reports whether [from, to] meets any incident window.
func (s *scanner) overlaps(from, to time.Time) bool {
	i := sort.Search(len(s.windows), func(i int) bool { return !s.windows[i].to.Before(from) })
	return i < len(s.windows) && !s.windows[i].from.After(to)
}

// span widens the times read to include t.
func (s *scanner) span(t time.Time) {
	if s.spanFrom.IsZero() || t.Before(s.spanFrom) {
		s.spanFrom = t
	}
	if t.After(s.spanTo) {
		s.spanTo = t
	}
}

func (s *scanner) scanFile(ctx context.Context, path string, st *FileStats) error {
	lf, err := openLog(path)
	if err != nil {
		return err
	}
	defer lf.Close()
	s.st, s.path, s.prevIn = st, path, false
	s.ex.file(path)
	if lf.gz != nil {
		st.Gzip = true
		return s.scanStream(ctx, lf.gz)
	}
	return s.scanSeekable(ctx, lf.f, lf.size)
}

// minSkipBlock is the smallest block worth a skip test, minSkipChunk the
// smallest piece of a block.
const (
	minSkipBlock = 64 << 10
	minSkipChunk = 8 << 10
)

// seekPiece is the read size of a plain file near an incident; probeSmall
// the first read of a skip test.
const (
	seekPiece  = 256 << 10
	probeSmall = 4 << 10
)

// scanSeekable reads a plain file. A block far from every incident is
// recognised from its first and last line, read with two small reads, and
// passed over without reading the rest of it.
func (s *scanner) scanSeekable(ctx context.Context, r io.ReaderAt, size int64) error {
	probe := make([]byte, MaxLineBytes+1)
	bs := int64(len(s.buf))
	// Near an incident the file is read in pieces small enough that the
	// pieces after the incident's window can still be passed over.
	near := min(bs, seekPiece)
	var pos int64
outer:
	for pos < size {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.opts.ScanAll {
			for _, span := range [2]int64{bs, near} {
				end := min(pos+span, size)
				if end-pos < minSkipBlock {
					break
				}
				if next, ok := s.trySkip(r, probe, pos, end); ok {
					s.st.SkippedBytes += next - pos
					pos = next
					continue outer
				}
				if span == near {
					break
				}
			}
		}
		end := min(pos+bs, size)
		if !s.opts.ScanAll {
			end = min(pos+near, size)
		}
		n, err := r.ReadAt(s.buf[:end-pos], pos)
		if n < int(end-pos) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read %s at %d: %w", s.path, pos, err)
		}
		data := s.buf[:n]
		if end < size {
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 {
				// One line fills the whole piece: pass over it.
				s.st.Lines++
				s.st.LongLines++
				s.st.Bytes += int64(n)
				next, err := s.skipLine(r, pos+int64(n), size)
				if err != nil {
					return err
				}
				s.st.Bytes += next - pos - int64(n)
				pos = next
				continue
			}
			data = data[:k+1]
		}
		s.st.Bytes += int64(len(data))
		s.off = pos
		s.block(data)
		pos += int64(len(data))
	}
	return nil
}

// skipLine finds the start of the line after the one running at pos.
func (s *scanner) skipLine(r io.ReaderAt, pos, size int64) (int64, error) {
	for pos < size {
		n, err := r.ReadAt(s.buf[:min(int64(len(s.buf)), size-pos)], pos)
		if k := bytes.IndexByte(s.buf[:n], '\n'); k >= 0 {
			return pos + int64(k) + 1, nil
		}
		if n == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("read %s at %d: %w", s.path, pos, err)
		}
		pos += int64(n)
	}
	return size, nil
}

// trySkip tests the block [pos, end) from the times of its first and last
// complete line; when it lies further than the format's skew from every
// incident window it returns the offset of the line after its last.
func (s *scanner) trySkip(r io.ReaderAt, probe []byte, pos, end int64) (int64, bool) {
	// Most lines are short: try a small read before a long one.
	var t1 time.Time
	ok := false
	for _, size := range [2]int{probeSmall, len(probe)} {
		n, _ := r.ReadAt(probe[:min(int64(size), end-pos)], pos)
		if i := bytes.IndexByte(probe[:n], '\n'); i >= 0 {
			t1, ok = s.firstTime(probe[:n])
			break
		}
	}
	if !ok {
		return 0, false
	}
	for _, size := range [2]int{probeSmall, len(probe)} {
		start := max(pos, end-int64(size))
		n, _ := r.ReadAt(probe[:end-start], start)
		j := bytes.LastIndexByte(probe[:n], '\n')
		if j < 0 {
			continue
		}
		k := bytes.LastIndexByte(probe[:j], '\n')
		if k < 0 && start != pos {
			continue
		}
		body := probe[:j+1]
		if start != pos {
			body = probe[k+1 : j+1]
			if s.mixed {
				// Whole lines only: from the first line start in the probe.
				body = probe[bytes.IndexByte(probe[:j], '\n')+1 : j+1]
			}
		}
		t2, ok := s.lastTime(body)
		if !ok || !s.outside(t1, t2) {
			return 0, false
		}
		return start + int64(j) + 1, true
	}
	return 0, false
}

// outside reports whether a block whose first and last lines carry t1 and
// t2 cannot hold a line near any incident.
func (s *scanner) outside(t1, t2 time.Time) bool {
	s.span(t1)
	s.span(t2)
	if t2.Before(t1) {
		t1, t2 = t2, t1
	}
	if s.bg != nil {
		// A connection log is read around the incidents too, for the
		// drops that happen there anyway.
		return !s.bg.in(t1.Add(-s.f.Skew), t2.Add(s.f.Skew))
	}
	return !s.overlaps(t1.Add(-s.f.Skew), t2.Add(s.f.Skew))
}

// scanStream reads a gzip stream block by block; a block far from every
// incident is recognised from its first and last line and not looked into.
func (s *scanner) scanStream(ctx context.Context, r io.Reader) error {
	have := 0
	discarding := false
	var off int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := fillBuf(r, s.buf[have:])
		s.st.Bytes += int64(n)
		data := s.buf[:have+n]
		final := err != nil
		if err != nil && err != io.EOF {
			s.st.Truncated = true
			s.st.Err = fmt.Sprintf("read %s: %v", s.path, err)
		}
		if discarding {
			k := bytes.IndexByte(data, '\n')
			if k < 0 {
				have = 0
				off += int64(len(data))
				if final {
					return nil
				}
				continue
			}
			discarding = false
			off += int64(k + 1)
			data = data[k+1:]
		}
		complete := data
		if !final {
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 {
				if len(data) == len(s.buf) {
					s.st.Lines++
					s.st.LongLines++
					discarding = true
					off += int64(len(data))
					have = 0
				} else {
					have = copy(s.buf, data)
				}
				continue
			}
			complete = data[:k+1]
		}
		s.off = off
		s.block(complete)
		off += int64(len(complete))
		if final {
			return nil
		}
		have = copy(s.buf, data[len(complete):])
	}
}

// chunkSize is the size of the pieces a block near an incident is cut into,
// each skipped on its own when it is far from every incident.
const chunkSize = 64 << 10

// block handles complete lines (the last may lack its newline at the end of
// a file).
func (s *scanner) block(data []byte) {
	if len(data) >= minSkipBlock && s.blockOutside(data) {
		s.skipped(data)
		return
	}
	for len(data) > 0 {
		n := min(len(data), chunkSize)
		if n < len(data) {
			if k := bytes.IndexByte(data[n:], '\n'); k < 0 {
				n = len(data)
			} else {
				n += k + 1
			}
		}
		s.chunk(data[:n])
		s.off += int64(n)
		data = data[n:]
	}
}

// skipped handles data far from every incident: passed over, or only
// searched for SIDs with ScanAll.
func (s *scanner) skipped(data []byte) {
	if s.opts.ScanAll && len(s.sidPre) > 0 {
		s.sidLines(data)
	}
	s.st.SkippedBytes += int64(len(data))
	s.prevIn = false
}

// chunk handles a piece of a block near an incident, line by line unless it
// is itself far from every incident.
func (s *scanner) chunk(data []byte) {
	if len(data) >= minSkipChunk && s.blockOutside(data) {
		s.skipped(data)
		return
	}
	base := s.off
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		line := data
		next := len(data)
		if i >= 0 {
			line, next = data[:i], i+1
		}
		s.line(bytes.TrimSuffix(line, []byte("\r")), base)
		base += int64(next)
		data = data[next:]
	}
}

func (s *scanner) blockOutside(data []byte) bool {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return false
	}
	t1, ok := s.firstTime(data)
	if !ok {
		return false
	}
	t2, ok := s.lastTime(data)
	return ok && s.outside(t1, t2)
}

// edgeLines is how many lines from a block's start a skip test looks at
// for one with a time: in a file shared with other kinds of line (a
// docker compose log of several services) the first may have none.
const edgeLines = 16

// firstTime is the time of the first line of data, or of one of the few
// after it when it has none.
func (s *scanner) firstTime(data []byte) (time.Time, bool) {
	for k := 0; k < edgeLines; k++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return time.Time{}, false
		}
		if t, ok := s.f.timeOf(bytes.TrimRight(data[:i], "\r"), s.pc); ok {
			return t, true
		}
		if !s.mixed {
			return time.Time{}, false
		}
		data = data[i+1:]
	}
	return time.Time{}, false
}

// lastTime is the time of the last line of data (whole lines), or of one
// of the few before it when it has none.
func (s *scanner) lastTime(data []byte) (time.Time, bool) {
	data = bytes.TrimRight(data, "\n")
	for k := 0; k < edgeLines && len(data) > 0; k++ {
		i := bytes.LastIndexByte(data, '\n')
		if t, ok := s.f.timeOf(bytes.TrimRight(data[i+1:], "\r"), s.pc); ok {
			return t, true
		}
		if !s.mixed || i < 0 {
			return time.Time{}, false
		}
		data = data[:i]
	}
	return time.Time{}, false
}

// sidLines finds the lines of a block that name an affected SID.
func (s *scanner) sidLines(data []byte) {
	var starts []int
	for _, p := range s.sidPre {
		for off := 0; ; {
			i := bytes.Index(data[off:], p)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i+34 > len(data) {
				break
			}
			if _, ok := s.sids[string(data[i:i+34])]; !ok {
				continue
			}
			st := bytes.LastIndexByte(data[:i], '\n') + 1
			starts = append(starts, st)
			if e := bytes.IndexByte(data[i:], '\n'); e >= 0 {
				off = i + e + 1
			} else {
				break
			}
		}
	}
	sort.Ints(starts)
	for j, st := range starts {
		if j > 0 && starts[j-1] == st {
			continue
		}
		line := data[st:]
		if e := bytes.IndexByte(line, '\n'); e >= 0 {
			line = line[:e]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		s.st.Lines++
		if len(line) > MaxLineBytes {
			s.st.LongLines++
			continue
		}
		s.check(line)
		s.ex.line(line)
	}
}

// lineSID reports whether a line names an affected SID.
func (s *scanner) lineSID(line []byte) bool {
	for _, p := range s.sidPre {
		for off := 0; ; {
			i := bytes.Index(line[off:], p)
			if i < 0 || off+i+34 > len(line) {
				break
			}
			i += off
			if _, ok := s.sids[string(line[i:i+34])]; ok {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// check counts invalid UTF-8 and binary bytes in a line being looked at.
func (s *scanner) check(line []byte) {
	if !utf8.Valid(line) {
		s.st.InvalidUTF8++
	}
	if bytes.IndexByte(line, 0) >= 0 {
		s.st.Binary++
	}
}

// badNear counts a line that could not be read against every incident whose
// window holds [t, end].
func (s *scanner) badNear(t, end time.Time) {
	from := t.Add(-s.window)
	for i := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(from) }); i < len(s.times) && !s.times[i].After(end.Add(s.window)); i++ {
		s.bad[s.order[i]]++
	}
}

// line looks at one line of a block near an incident.
func (s *scanner) line(line []byte, off int64) {
	line = bytes.TrimPrefix(line, utf8BOM)
	if len(line) == 0 {
		return
	}
	s.st.Lines++
	if len(line) > MaxLineBytes {
		s.st.LongLines++
		return
	}
	if s.f.header != nil && s.f.isHeader(line) {
		// A header or comment line: a new #Fields: line names the fields
		// of the lines after it.
		if g, ok := s.f.header(line); ok {
			s.f = g
		}
		s.st.Other++
		return
	}
	t, ok := s.f.timeOf(line, s.pc)
	if ok && s.f.isLine != nil && !s.f.isLine(line) || !ok && s.mixed {
		// Another kind of line sharing the file (another program's syslog
		// line): skipped and counted, in the excerpt when near an
		// incident.
		s.st.Other++
		if ok {
			s.span(t)
			s.prevIn = s.overlaps(t, t)
		}
		if s.prevIn {
			s.check(line)
			s.ex.line(line)
		}
		return
	}
	if !ok {
		// A line without a time (a stack trace, a wrapped message) belongs
		// to the entry before it and goes to the excerpt with it.
		s.st.Unparsed++
		s.check(line)
		if s.prevIn {
			s.badNear(s.lastT, s.lastT)
		}
		if s.prevIn || s.opts.ScanAll && len(s.sidPre) > 0 && s.lineSID(line) {
			s.ex.line(line)
		}
		return
	}
	s.span(t)
	s.lastT = t
	s.st.Parsed++
	tEnd := t
	if s.f.span {
		// Aggregated records cover [start, end]: read the end too.
		if r, err := s.f.parse(line, s.pc); err == nil && r.End.After(t) {
			tEnd = r.End
		}
	}
	s.prevIn = s.overlaps(t, tEnd)
	if !s.prevIn && s.bg != nil && s.bg.in(t, tEnd) {
		s.bg.line(s.f, s.pc, line)
	}
	if !s.prevIn {
		if s.opts.ScanAll && len(s.sidPre) > 0 && s.lineSID(line) {
			s.check(line)
			s.ex.line(line)
		}
		return
	}
	s.check(line)
	s.ex.line(line)
	s.match(line, t, tEnd, off)
}
