package hoplog

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// month3 maps English month abbreviations to months.
func month3(b []byte) (time.Month, bool) {
	if len(b) != 3 {
		return 0, false
	}
	switch string(b) {
	case "Jan":
		return time.January, true
	case "Feb":
		return time.February, true
	case "Mar":
		return time.March, true
	case "Apr":
		return time.April, true
	case "May":
		return time.May, true
	case "Jun":
		return time.June, true
	case "Jul":
		return time.July, true
	case "Aug":
		return time.August, true
	case "Sep":
		return time.September, true
	case "Oct":
		return time.October, true
	case "Nov":
		return time.November, true
	case "Dec":
		return time.December, true
	}
	return 0, false
}

// digits reads b as a non-negative decimal of exactly len(b) digits.
func digits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseCLFTime reads "02/Jan/2006:15:04:05 -0700", the timestamp of
// nginx/apache access logs, without allocating. The result is in UTC.
func parseCLFTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return time.Time{}, false
	}
	day, ok1 := digits(b[0:2])
	mon, ok2 := month3(b[3:6])
	year, ok3 := digits(b[7:11])
	hh, ok4 := digits(b[12:14])
	mm, ok5 := digits(b[15:17])
	ss, ok6 := digits(b[18:20])
	oh, ok7 := digits(b[22:24])
	om, ok8 := digits(b[24:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || om > 59 {
		return time.Time{}, false
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	switch b[21] {
	case '+':
	case '-':
		off = -off
	default:
		return time.Time{}, false
	}
	return time.Date(year, mon, day, hh, mm, ss, 0, time.UTC).Add(-off), true
}

// timeLayouts are tried in order by parseTimeAny.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 Z0700",
	"2006-01-02 15:04:05,999999999 -0700",
	"02/Jan/2006:15:04:05.999999999 -0700",
	time.RFC1123Z,
	time.RFC1123,
	time.RubyDate,
}

// localLayouts carry no offset and are read in the context's location.
var localLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05,999999999",
	"2006/01/02 15:04:05.999999999",
	"02/Jan/2006:15:04:05.999999999",
	time.ANSIC,
}

// parseTimeAny reads the timestamps logs commonly carry: ISO 8601 with or
// without an offset, CLF with or without brackets, syslog without a year,
// and Unix epochs in seconds, milliseconds, microseconds or nanoseconds.
func parseTimeAny(s string, pc *parseContext) (time.Time, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	if t, ok := parseCLFTime([]byte(s)); ok {
		return t, true
	}
	if c := s[0]; c >= '0' && c <= '9' {
		if t, ok := parseEpoch(s); ok {
			return t, true
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, pc.loc); err == nil {
			pc.usedLoc = true
			return t.UTC(), true
		}
	}
	if t, ok := parseSyslogTime(s, pc); ok {
		return t, true
	}
	return time.Time{}, false
}

// parseEpoch reads a Unix time; its magnitude says the unit.
func parseEpoch(s string) (time.Time, bool) {
	if strings.ContainsAny(s, "-:/ ") {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, false
	}
	switch {
	case f < 1e11: // seconds, up to year 5138
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	case f < 1e14:
		return time.UnixMilli(int64(f)).UTC(), true
	case f < 1e17:
		return time.UnixMicro(int64(f)).UTC(), true
	case f < 1e19:
		return time.Unix(0, int64(f)).UTC(), true
	}
	return time.Time{}, false
}

// parseSyslogTime reads "Jan _2 15:04:05[.000000]", which has neither a year
// nor a zone: the zone is the context's location, the year the one that puts
// the time nearest the reference time.
func parseSyslogTime(s string, pc *parseContext) (time.Time, bool) {
	if t, ok := fastSyslogTime(s, pc); ok {
		return t, true
	}
	return slowSyslogTime(s, pc)
}

// slowSyslogTime is parseSyslogTime by the time package's parser.
func slowSyslogTime(s string, pc *parseContext) (time.Time, bool) {
	t, err := time.ParseInLocation("Jan _2 15:04:05.999999999", s, pc.loc)
	if err != nil {
		t, err = time.ParseInLocation("Jan 2 15:04:05.999999999", s, pc.loc)
		if err != nil {
			return time.Time{}, false
		}
	}
	pc.usedLoc = true
	ref := pc.ref.In(pc.loc)
	best := time.Time{}
	for _, y := range []int{ref.Year() - 1, ref.Year(), ref.Year() + 1} {
		c := time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), pc.loc)
		if best.IsZero() || absDur(c.Sub(pc.ref)) < absDur(best.Sub(pc.ref)) {
			best = c
		}
	}
	return best.UTC(), true
}

// fastSyslogTime reads "Jan _2 15:04:05[.frac]" by hand, the start of its
// minute in the context's zone and nearest year worked out once for the
// lines in a row that share it (parseSyslogTime does it for every line).
// ok is false for anything else, left to parseSyslogTime.
func fastSyslogTime(s string, pc *parseContext) (time.Time, bool) {
	if len(s) < 14 {
		return time.Time{}, false
	}
	mon, ok := month3([]byte(s[:3]))
	if !ok {
		return time.Time{}, false
	}
	i := 3
	for i < len(s) && s[i] == ' ' {
		i++
	}
	day, start := 0, i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 2 {
		day = day*10 + int(s[i]-'0')
		i++
	}
	if i == start || i+9 > len(s) || s[i] != ' ' || s[i+3] != ':' || s[i+6] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digits([]byte(s[i+1 : i+3]))
	m, ok2 := digits([]byte(s[i+4 : i+6]))
	sec, ok3 := digits([]byte(s[i+7 : i+9]))
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 || day < 1 {
		return time.Time{}, false
	}
	i += 9
	ns := 0
	if i < len(s) {
		if s[i] != '.' || i+1 == len(s) || len(s)-i-1 > 9 {
			return time.Time{}, false
		}
		for k := i + 1; k < len(s); k++ {
			if s[k] < '0' || s[k] > '9' {
				return time.Time{}, false
			}
			ns = ns*10 + int(s[k]-'0')
		}
		for k := len(s) - i - 1; k < 9; k++ {
			ns *= 10
		}
	}
	key := syslogMinute{month: mon, day: day, hour: h, min: m, used: 1}
	if pc.minute != key {
		// A day the month lacks (Feb 30) is not a time: the slow path
		// refuses it.
		if d := time.Date(2000, mon, day, 0, 0, 0, 0, time.UTC); d.Month() != mon {
			return time.Time{}, false
		}
		ref := pc.ref.In(pc.loc)
		best := time.Time{}
		for _, y := range []int{ref.Year() - 1, ref.Year(), ref.Year() + 1} {
			c := time.Date(y, mon, day, h, m, 0, 0, pc.loc)
			if best.IsZero() || absDur(c.Sub(pc.ref)) < absDur(best.Sub(pc.ref)) {
				best = c
			}
		}
		pc.minute, pc.minuteAt = key, best.UTC()
	}
	pc.usedLoc = true
	return pc.minuteAt.Add(time.Duration(sec)*time.Second + time.Duration(ns)), true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// parseSeconds reads a response time in seconds such as "0.123"; "-" and
// negative values (ALB's -1) are unknown.
func parseSeconds(b []byte) (time.Duration, bool) {
	if len(b) == 0 || b[0] == '-' || len(b) > 32 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f > 1e7 || math.IsNaN(f) {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// parseUnitDuration reads a duration written with its unit: "12ms",
// "1.5s", "340µs", "340us", "120ns", "1m2.5s". A bare number is not read.
func parseUnitDuration(s string) (time.Duration, bool) {
	if s == "" || len(s) > 32 {
		return 0, false
	}
	if c := s[len(s)-1]; c != 's' && c != 'm' && c != 'h' {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

// parseDurationText reads a duration written with a unit ("120ms", "1.5s"),
// as seconds when it has a decimal point ("0.120"), and as milliseconds when
// it is a bare integer ("120").
func parseDurationText(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, false
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, true
	}
	if strings.Contains(s, ".") {
		return parseSeconds([]byte(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1e10 {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// parseStatus reads a three-digit HTTP status.
func parseStatus(b []byte) (int, bool) {
	if len(b) != 3 {
		return 0, false
	}
	n, ok := digits(b)
	if !ok || n < 100 || n > 599 {
		return 0, false
	}
	return n, true
}

// nextField splits off the next space-separated field of b, reading a
// double-quoted field (with backslash escapes) as one. It returns the field
// without quotes, the rest, and whether a field was found.
func nextField(b []byte) (field, rest []byte, ok bool) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	if len(b) == 0 {
		return nil, nil, false
	}
	if b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return b[1:i], b[i+1:], true
			}
		}
		return nil, nil, false // unterminated quote
	}
	i := bytes.IndexAny(b, " \t")
	if i < 0 {
		return b, nil, true
	}
	return b[:i], b[i:], true
}

// splitRequest reads a request line "GET /path?q HTTP/1.1".
func splitRequest(b []byte) (method, target string, ok bool) {
	m, rest, ok1 := bytes.Cut(b, []byte{' '})
	if !ok1 || len(m) == 0 || len(m) > 16 {
		return "", "", false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return "", "", false
		}
	}
	t, _, _ := bytes.Cut(rest, []byte{' '})
	if len(t) == 0 {
		return "", "", false
	}
	return string(m), string(t), true
}

// splitTarget turns a request target, a path or an absolute URL as load
// balancers log it, into path and query.
func splitTarget(t string) (path, query string) {
	if i := strings.Index(t, "://"); i >= 0 {
		rest := t[i+3:]
		j := strings.IndexAny(rest, "/?")
		if j < 0 {
			return "/", ""
		}
		t = rest[j:]
		if t[0] == '?' {
			t = "/" + t
		}
	}
	path, query, _ = strings.Cut(t, "?")
	if k := strings.IndexByte(query, '#'); k >= 0 {
		query = query[:k]
	}
	return path, query
}
