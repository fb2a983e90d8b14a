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
	// Kind says what the log's lines record, in one word for the counts
	// ("2,114 firewall lines read"): KindFirewall, KindFlow, KindRequest or
	// KindText.
	Kind string
	// Samples are lines with the records they must parse to.
	Samples []Sample

	// span is true when records cover an interval (Record.End).
	span   bool
	parse  func(line []byte, pc *parseContext) (Record, error)
	timeOf func(line []byte, pc *parseContext) (time.Time, bool)
	// detail says what was detected beyond the name (JSON field names).
	detail func() string
	// isLine, when set, tells the format's own lines from the other lines
	// of a shared file whose times timeOf reads as well (the other
	// programs' lines of a syslog file); it must be cheap.
	isLine func(line []byte) bool
	// marker is a string every line of a firewall format holds, searched
	// for through a whole file when its first lines are of other kinds.
	marker string
	// header, when set, reads a line that names the fields of the lines
	// after it (W3C's #Fields:, a flow log's field names) and returns the
	// format that reads them; ok is false for any other line.
	header func(line []byte) (f *Format, ok bool)
}

// maxHeaderLines is how far into a file a header line is looked for.
const maxHeaderLines = 16

// withHeader returns the format that the first header line among lines
// gives, or f itself when there is none.
func (f *Format) withHeader(lines [][]byte) *Format {
	if f.header == nil {
		return f
	}
	for i, l := range lines {
		if i == maxHeaderLines {
			break
		}
		if g, ok := f.header(l); ok {
			return g
		}
	}
	return f
}

// isHeader reports whether a line is a header or comment of a format that
// has them: not a line to read, nor an unreadable one.
func (f *Format) isHeader(line []byte) bool {
	if f.header == nil {
		return false
	}
	if len(line) > 0 && line[0] == '#' {
		return true
	}
	_, ok := f.header(line)
	return ok
}

// Kinds of log line, by what they record.
const (
	KindFirewall = "firewall"
	KindFlow     = "flow"
	KindRequest  = "request"
	KindText     = "text"
)

// parseContext carries what a line's own text may lack: the location of
// timestamps without an offset and a reference time for the year of syslog
// timestamps.
type parseContext struct {
	loc *time.Location
	ref time.Time
	// usedLoc is set when a time was read in loc: the line's time carries
	// no offset.
	usedLoc bool
	// minute is the last minute a syslog time was read in and minuteAt
	// its start: lines in a row share their minute, whose year and zone
	// offset are worked out once.
	minute   syslogMinute
	minuteAt time.Time
}

// syslogMinute is a minute of a syslog time, which has no year.
type syslogMinute struct {
	month                time.Month
	day, hour, min, used int
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
		albFormat(), elbFormat(), cloudfrontFormat(), iisFormat(), vpcFlowFormat(), iptablesFormat(), filterlogFormat(), mikrotikFormat(), haproxyFormat(), envoyFormat(), ltsvFormat(),
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

// ParseFormat turns a format spec into a Format: a built-in name (see
// FormatNames), "json:time=F,path=F,duration=F:ms,…" to name the JSON fields
// and the duration's unit, "regex:PATTERN" with named groups time, method,
// path, status, duration, ua, src, dst, dport, action, or any of them behind
// a container runtime's prefix or record: "cri+FORMAT", "compose+FORMAT",
// "docker+FORMAT" (Docker's json-file driver).
func ParseFormat(spec string) (*Format, error) {
	// cri+FORMAT, compose+FORMAT, docker+FORMAT: the format behind a
	// container runtime's prefix or inside its record.
	for _, w := range wrappers {
		if inner, ok := strings.CutPrefix(spec, w.name+"+"); ok {
			f, err := ParseFormat(inner)
			if err != nil {
				return nil, err
			}
			return wrapFormat(w, f), nil
		}
	}
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
