package hoplog

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Record is what a format reads from one log line. Fields a format does not
// carry stay zero.
type Record struct {
	// Time is when the line's event happened, in UTC.
	Time time.Time
	// End closes the interval of an aggregated record (a flow log); zero
	// for a single event.
	End time.Time
	// Method is the HTTP method.
	Method string
	// Path is the request path without the query.
	Path string
	// Query is the raw query string without '?'.
	Query string
	// Status is the HTTP status the hop answered with; 0 when unknown.
	Status int
	// Duration is the time the hop took to answer, valid when HasDuration.
	Duration time.Duration
	// HasDuration says whether the line carried a response time.
	HasDuration bool
	// UA is the user agent.
	UA string
	// Src and Dst are the connection's addresses (connection-level formats,
	// or the client address of a request log in Src).
	Src, Dst netip.Addr
	// SrcPort and DstPort are the connection's ports.
	SrcPort, DstPort int
	// Action is ACCEPT, DROP or REJECT for connection-level formats that
	// say it; empty otherwise.
	Action string
	// TargetStatus is a load balancer's record of what its target answered:
	// the status, or "-" when no target answered (an ALB's 502 with
	// target_status "-" could not reach one); empty for other formats.
	TargetStatus string
}

// Dropped reports whether the record says the connection was refused.
func (r Record) Dropped() bool { return r.Action == ActionDrop || r.Action == ActionReject }

// Normalised actions of connection-level records.
const (
	ActionAccept = "ACCEPT"
	ActionDrop   = "DROP"
	ActionReject = "REJECT"
)

// Sample is a log line and the record it must parse to. Every format carries
// samples, and the tests run them all.
type Sample struct {
	Line string
	Want Record
}

// Format reads one kind of log line.
type Format struct {
	// Name is the format's spec name, e.g. combined, alb, regex.
	Name string
	// Description says in a few words which logs it reads.
	Description string
	// Conn is true for connection-level logs (firewalls, flow logs): they
	// have no path and are matched on destination address and port.
	Conn bool
	// Skew is how far out of order this log's lines may be; blocks are only
	// skipped when they are further than Skew from every incident window.
	Skew time.Duration
	// Samples are lines with the records they must parse to.
	Samples []Sample

	// span is true when records cover an interval (Record.End).
	span   bool
	parse  func(line []byte, pc *parseContext) (Record, error)
	timeOf func(line []byte, pc *parseContext) (time.Time, bool)
	// detail says what was detected beyond the name (JSON field names).
	detail func() string
}

// parseContext carries what a line's own text may lack: the location of
// timestamps without an offset and a reference time for the year of syslog
// timestamps.
type parseContext struct {
	loc *time.Location
	ref time.Time
}

func newParseContext(loc *time.Location, ref time.Time) *parseContext {
	if loc == nil {
		loc = time.Local
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	return &parseContext{loc: loc, ref: ref}
}

// errNoMatch is returned by parsers for a line that is not in their format.
var errNoMatch = errors.New("line not in this format")

// Parse reads one line. loc is the location of timestamps that carry no
// offset (nil: local time); ref is a time near the log's, from which the year
// of year-less syslog timestamps is taken (zero: now).
func (f *Format) Parse(line []byte, loc *time.Location, ref time.Time) (Record, error) {
	return f.parse(line, newParseContext(loc, ref))
}

// Time reads only the timestamp of a line, which is cheaper than Parse.
func (f *Format) Time(line []byte, loc *time.Location, ref time.Time) (time.Time, bool) {
	return f.timeOf(line, newParseContext(loc, ref))
}

// Detail says what was detected beyond the format's name, e.g. the JSON
// fields in use; empty when there is nothing to add.
func (f *Format) Detail() string {
	if f.detail == nil {
		return ""
	}
	return f.detail()
}

// builtin lists the formats that need no parameters, in detection order:
// the most specific first.
func builtin() []*Format {
	return []*Format{
		albFormat(), elbFormat(), vpcFlowFormat(), iptablesFormat(), ltsvFormat(),
		jsonFormat(jsonFields{}), combinedFormat(), commonFormat(), textFormat(),
	}
}

// Formats returns every built-in format definition with its samples. The
// regex format is built by ParseFormat from a pattern.
func Formats() []*Format { return builtin() }

// FormatNames lists the names ParseFormat accepts (regex takes a pattern after
// "regex:", json optional fields after "json:").
func FormatNames() []string {
	var names []string
	for _, f := range builtin() {
		names = append(names, f.Name)
	}
	names = append(names, "regex")
	sort.Strings(names)
	return names
}

// ParseFormat turns a format spec into a Format: a built-in name (combined,
// common, ltsv, alb, elb, json, iptables, vpcflow, text), "json:time=F,path=F,…" to
// name the JSON fields, or "regex:PATTERN" with named groups time, method,
// path, status, duration, ua, src, dst, dport, action.
func ParseFormat(spec string) (*Format, error) {
	name, arg, hasArg := strings.Cut(spec, ":")
	switch name {
	case "regex":
		if !hasArg || arg == "" {
			return nil, errors.New("format regex: want regex:PATTERN")
		}
		return regexFormat(arg)
	case "json":
		fields, err := parseJSONFields(arg)
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", spec, err)
		}
		return jsonFormat(fields), nil
	}
	for _, f := range builtin() {
		if f.Name == name {
			if hasArg {
				return nil, fmt.Errorf("format %q takes no parameters", name)
			}
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown log format %q (known: %s)", name, strings.Join(FormatNames(), ", "))
}

// Detection says which format was found for a hop and on what evidence.
type Detection struct {
	// Format is the format name.
	Format string
	// Given is true when the format came from the spec, not detection.
	Given bool
	// Sampled is how many lines detection looked at; Parsed how many of them
	// the format read.
	Sampled, Parsed int
	// Detail adds what was detected beyond the name (JSON fields).
	Detail string
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
	return fmt.Sprintf("%s (detected: %d of %d lines)", s, d.Parsed, d.Sampled)
}

// ErrUnknownFormat is wrapped by the errors of Detect, ScanHop and Check when
// no built-in format reads a log's first lines (or it has none).
var ErrUnknownFormat = errors.New("no known format reads these lines")

// Detect picks the built-in format that reads the most of the given lines
// (blank and indented continuation lines ignored). At least half the lines must parse.
func Detect(lines [][]byte, loc *time.Location, ref time.Time) (*Format, Detection, error) {
	pc := newParseContext(loc, ref)
	var sample [][]byte
	for _, l := range lines {
		// Indented lines continue the entry before them (stack traces).
		if len(strings.TrimSpace(string(l))) > 0 && l[0] != ' ' && l[0] != '\t' {
			sample = append(sample, l)
		}
	}
	if len(sample) == 0 {
		return nil, Detection{}, fmt.Errorf("%w: no lines to detect the format from; give one as NAME=PATH:FORMAT", ErrUnknownFormat)
	}
	var best *Format
	bestN := 0
	for _, f := range builtin() {
		n := 0
		for _, l := range sample {
			if _, err := f.parse(l, pc); err == nil {
				n++
			}
		}
		if n > bestN {
			best, bestN = f, n
		}
	}
	if best == nil || bestN*2 < len(sample) {
		return nil, Detection{Sampled: len(sample), Parsed: bestN},
			fmt.Errorf("%w (best: %d of %d); give one as NAME=PATH:FORMAT", ErrUnknownFormat, bestN, len(sample))
	}
	if best.Name == "json" {
		// Fix the fields found in the sample so every line is read alike.
		best = jsonFormat(detectJSONFields(sample))
	}
	return best, Detection{Format: best.Name, Sampled: len(sample), Parsed: bestN, Detail: best.Detail()}, nil
}
