package hoplog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Detection says which format was found for a hop and on what evidence.
type Detection struct {
	// Format is the format name.
	Format string
	// Given is true when the format came from the spec, not detection.
	Given bool
	// Sampled is how many lines detection looked at; Parsed how many of them
	// the format read.
	Sampled, Parsed int
	// Mixed is true when the format reads only some of the sampled lines:
	// a firewall's lines among other programs' lines of a syslog file, or
	// requests among other lines. The other lines are skipped and counted.
	Mixed bool
	// Kind is what the format's lines record (KindFirewall, KindFlow,
	// KindRequest, KindText).
	Kind string
	// Detail adds what was detected beyond the name (JSON fields).
	Detail string
	// Suggestion is a format spec, regex:…, built from the log's first
	// line, offered when only text reads the log or nothing does.
	Suggestion string
}

// String says it in one line, e.g. "combined (detected: 20 of 20 lines)".
func (d Detection) String() string {
	s := d.Format
	if d.Detail != "" {
		s += " [" + d.Detail + "]"
	}
	if d.Given {
		return s + " (given)"
	}
	if d.Mixed {
		return fmt.Sprintf("%s (detected: %d of %d sampled lines, the others skipped)", s, d.Parsed, d.Sampled)
	}
	return fmt.Sprintf("%s (detected: %d of %d lines)", s, d.Parsed, d.Sampled)
}

// ErrUnknownFormat is wrapped by the errors of Detect, ScanHop and Check when
// no built-in format reads a log's first lines (or it has none).
var ErrUnknownFormat = errors.New("no known format reads these lines")

// minRequestShare is the share of a file's sampled lines a request format
// must read to be chosen; a connection format is chosen when it reads any.
const minRequestShare = 10

// Detect picks the format of a log from sample lines (blank and indented
// continuation lines ignored). A firewall or flow-log format is chosen when
// it reads any of the lines at all: its lines often share a file with other
// programs' lines (kern.log, syslog), which are then skipped and counted. A
// request format is chosen when it reads at least a tenth of them, the one
// that reads the most winning; text, which reads any line that starts with a
// time, only when nothing else fits and it reads at least half. The
// detection then carries a regex: suggestion built from the first line.
//
// Lines most of which carry a container runtime's prefix (CRI's "TIME
// stdout F ", docker compose's "NAME  | ") are detected behind it.
func Detect(lines [][]byte, loc *time.Location, ref time.Time) (*Format, Detection, error) {
	if w, inner, ok := unwrap(lines); ok {
		f, det, err := detect(inner, loc, ref)
		if err == nil && det.Kind != KindText {
			f = wrapFormat(w, f)
			det.Format, det.Detail = f.Name, f.Detail()
			return f, det, nil
		}
	}
	return detect(lines, loc, ref)
}

func detect(lines [][]byte, loc *time.Location, ref time.Time) (*Format, Detection, error) {
	pc := newParseContext(loc, ref)
	var sample [][]byte
	for _, l := range lines {
		// Indented lines continue the entry before them (stack traces);
		// lines starting with # are comments (W3C's #Version:, #Fields:).
		if len(bytes.TrimSpace(l)) > 0 && l[0] != ' ' && l[0] != '\t' && l[0] != '#' {
			sample = append(sample, l)
		}
	}
	if len(sample) == 0 {
		return nil, Detection{}, fmt.Errorf("%w: the log has no lines to detect the format from; give one as NAME=PATH:FORMAT (known: %s)",
			ErrUnknownFormat, strings.Join(FormatNames(), ", "))
	}
	// The best request format and the best connection format, by the lines
	// each reads; the first in detection order wins a tie.
	var req, conn, text *Format
	reqN, connN, textN := 0, 0, 0
	count := func(f *Format) int {
		n := 0
		for _, l := range sample {
			if _, err := f.parse(l, pc); err == nil {
				n++
			}
		}
		return n
	}
	// A format whose lines are named by a header line reads them by it; the
	// header lines themselves are not the log's lines.
	formats := builtin()
	for i, f := range formats {
		formats[i] = f.withHeader(lines)
	}
	own := sample[:0:0]
	for _, l := range sample {
		header := false
		for _, f := range formats {
			header = header || f.isHeader(l)
		}
		if !header {
			own = append(own, l)
		}
	}
	if len(own) == 0 {
		return nil, Detection{}, fmt.Errorf("%w: the log has only header lines; give the format as NAME=PATH:FORMAT (known: %s)",
			ErrUnknownFormat, strings.Join(FormatNames(), ", "))
	}
	sample = own
	for _, f := range formats {
		if f.Kind == KindText {
			// Text reads any line with a leading time, slowly: it is
			// counted only when nothing else fits.
			text = f
			continue
		}
		n := count(f)
		switch {
		case f.Conn && n > connN:
			conn, connN = f, n
		case !f.Conn && n > reqN:
			req, reqN = f, n
		}
	}
	var chosen *Format
	n := 0
	switch {
	case req != nil && reqN*minRequestShare >= len(sample) && reqN >= connN:
		chosen, n = req, reqN
	case conn != nil:
		chosen, n = conn, connN
	case func() bool { textN = count(text); return textN*2 >= len(sample) && textN > 0 }():
		chosen, n = text, textN
	default:
		det := Detection{Sampled: len(sample), Parsed: reqN, Suggestion: Suggest(sample[0], pc)}
		bestName := "none"
		if req != nil {
			bestName = fmt.Sprintf("%s read %d of %d", req.Name, reqN, len(sample))
		}
		return nil, det, fmt.Errorf("%w (best: %s); known formats: %s; give one as NAME=PATH:FORMAT or describe the lines as NAME=PATH:%s",
			ErrUnknownFormat, bestName, strings.Join(FormatNames(), ", "), det.Suggestion)
	}
	if chosen.Name == "json" {
		// Fix the fields found in the sample so every line is read alike.
		var own [][]byte
		for _, l := range sample {
			if _, err := chosen.parse(l, pc); err == nil {
				own = append(own, l)
			}
		}
		chosen = jsonFormat(detectJSONFields(own))
	}
	if chosen.Name == "combined" {
		if u := clfIntUnit(sample); u > 0 {
			chosen = combinedFormatUnit(u)
		}
	}
	det := Detection{Format: chosen.Name, Sampled: len(sample), Parsed: n, Mixed: n < len(sample), Kind: chosen.Kind, Detail: chosen.Detail()}
	if chosen.Kind == KindText {
		det.Mixed = false
		det.Suggestion = Suggest(sample[0], pc)
	}
	return chosen, det, nil
}

// Sample sizes of detection: the start of a file, and of a plain file its
// middle and end too.
const (
	sampleHead     = 128 << 10
	sampleMiddle   = 64 << 10
	sampleTail     = 128 << 10
	samplePerPart  = 500
	sampleMaxLines = 1500
	sampleMaxLine  = 16 << 10
)

// DetectFiles detects the format of a log's files: from the first lines of
// the first file, and when those are not all of one format (or only text
// reads them) from a wider sample, so that a firewall's lines among other
// programs' lines are found.
func DetectFiles(files []string, loc *time.Location, ref time.Time) (*Format, Detection, error) {
	f, det, err := Detect(sampleLines(files[:1], false), loc, ref)
	if err == nil && !det.Mixed && det.Kind != KindText {
		return f, det, nil
	}
	return Detect(sampleLines(files, true), loc, ref)
}

// sampleLines reads lines for format detection from the first and the last
// of files: the start of each, and with wide, of a plain file its middle and
// end as well. The first line returned is the first file's first line.
func sampleLines(files []string, wide bool) [][]byte {
	var out, marked [][]byte
	pick := files
	if len(files) > 2 {
		pick = []string{files[0], files[len(files)-1]}
	}
	for _, path := range pick {
		lf, err := openLog(path)
		if err != nil {
			continue
		}
		buf := make([]byte, sampleHead)
		k, _ := fillBuf(lf.reader(), buf)
		out = appendLines(out, buf[:k], true, k < len(buf))
		if wide && lf.gz == nil && lf.size > sampleHead+sampleTail {
			for _, part := range [][2]int64{{lf.size / 2, sampleMiddle}, {lf.size - sampleTail, sampleTail}} {
				b := make([]byte, part[1])
				n, _ := lf.f.ReadAt(b, part[0])
				out = appendLines(out, b[:n], false, part[0]+int64(n) >= lf.size)
			}
		}
		lf.Close()
		if wide {
			marked = append(marked, markedLines(path)...)
		}
		if len(out) >= sampleMaxLines {
			break
		}
	}
	if len(out) > sampleMaxLines {
		out = out[:sampleMaxLines]
	}
	return append(out, marked...)
}

// Bounds of the search for firewall lines: how much of a file is searched
// and how many lines each format's marker contributes.
const (
	markerSearchBytes = 1 << 30
	markerLines       = 20
)

// markedLines searches a file for the markers of the firewall formats and
// returns up to markerLines lines holding each: a firewall's lines among
// other programs' lines are found wherever they are. It reads at the speed
// of a substring search, and stops once one format reads markerLines of
// the lines found (a marker can be in other lines: "timed out:").
func markedLines(path string) [][]byte {
	var markers [][]byte
	var formats []*Format
	for _, f := range builtin() {
		if f.marker != "" {
			markers = append(markers, []byte(f.marker))
			formats = append(formats, f)
		}
	}
	pc := newParseContext(time.UTC, time.Now())
	parsed := make([]int, len(markers))
	lf, err := openLog(path)
	if err != nil {
		return nil
	}
	defer lf.Close()
	found := make([]int, len(markers))
	var out [][]byte
	buf := make([]byte, 1<<20)
	r := lf.reader()
	have := 0
	for read := int64(0); read < markerSearchBytes; {
		n, err := fillBuf(r, buf[have:])
		read += int64(n)
		data := buf[:have+n]
		end := bytes.LastIndexByte(data, '\n')
		if err != nil {
			end = len(data) - 1
		}
		if end < 0 {
			have = 0 // a line longer than the buffer: pass over it
		} else {
			complete := data[:end+1]
			done := true
			for k, m := range markers {
				for off := 0; found[k] < markerLines; {
					i := bytes.Index(complete[off:], m)
					if i < 0 {
						break
					}
					i += off
					st := bytes.LastIndexByte(complete[:i], '\n') + 1
					e := bytes.IndexByte(complete[i:], '\n')
					if e < 0 {
						e = len(complete) - i
					}
					if line := bytes.TrimRight(complete[st:i+e], "\r"); len(line) <= sampleMaxLine {
						out = append(out, append([]byte(nil), line...))
						found[k]++
						if _, err := formats[k].parse(line, pc); err == nil {
							parsed[k]++
						}
					}
					off = i + e
				}
				done = done && found[k] >= markerLines
			}
			if done || slices.Max(parsed) >= markerLines {
				break
			}
			have = copy(buf, data[end+1:])
		}
		if err != nil {
			break
		}
	}
	return out
}

// appendLines adds up to samplePerPart complete lines of data to out; atStart
// says data starts at a line's start, atEnd that its last line is complete
// even without a newline.
func appendLines(out [][]byte, data []byte, atStart, atEnd bool) [][]byte {
	if !atStart {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return out
		}
		data = data[i+1:]
	}
	for n := 0; len(data) > 0 && n < samplePerPart; {
		i := bytes.IndexByte(data, '\n')
		line := data
		if i < 0 {
			if !atEnd {
				break
			}
			data = nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimPrefix(bytes.TrimRight(line, "\r"), utf8BOM)
		if len(bytes.TrimSpace(line)) > 0 && len(line) <= sampleMaxLine {
			out = append(out, append([]byte(nil), line...))
			n++
		}
	}
	return out
}

// ReadSummary says in one line how many of the log's lines the scan read and
// how many of other kinds it skipped, e.g. "2,114 firewall lines read,
// 18,530 other lines skipped". Lines in blocks passed over as far from every
// incident are not counted.
func ReadSummary(det Detection, tot FileStats) string {
	kind := det.Kind
	if kind == "" {
		kind = "log"
	}
	s := fmt.Sprintf("%s %s %s read", Thousands(tot.Parsed), kind, plural(int(tot.Parsed), "line", "lines"))
	if tot.Other > 0 {
		s += fmt.Sprintf(", %s other %s skipped", Thousands(tot.Other), plural(int(tot.Other), "line", "lines"))
	}
	if tot.Unparsed > 0 {
		s += fmt.Sprintf(", %s unreadable", Thousands(tot.Unparsed))
	}
	return s
}

// Thousands writes n with a comma between thousands: 18,530.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TextNote says, for a hop only text reads, that its lines are read for their
// times alone, which formats are known, and how to describe its lines: the
// regex: spec det suggests, built from the log's first line.
func TextNote(spec Spec, det Detection) string {
	suggestion := det.Suggestion
	if suggestion == "" {
		suggestion = genericSuggestion
	}
	return fmt.Sprintf("only text reads this log, so it tells nothing about the requests (its incidents stay undecided). Known formats: %s. If it is one of them, give it as %s=%s:FORMAT; otherwise describe its lines, e.g. --hop '%s=%s:%s'",
		strings.Join(FormatNames(), ", "), spec.Name, spec.Pattern, spec.Name, spec.Pattern, suggestion)
}
