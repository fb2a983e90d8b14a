package hoplog

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// regexGroups are the named groups a regex format may use.
var regexGroups = []string{"time", "method", "path", "status", "duration", "ua", "src", "dst", "dport", "action"}

// regexFormat builds a format from a pattern with named groups. A pattern
// without a path group but with dst or action reads a connection-level log.
func regexFormat(pattern string) (*Format, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("format regex: %w", err)
	}
	idx := map[string]int{}
	for i, n := range re.SubexpNames() {
		if n == "" {
			continue
		}
		known := false
		for _, g := range regexGroups {
			known = known || g == n
		}
		if !known {
			return nil, fmt.Errorf("format regex: unknown group %q (known: %s)", n, strings.Join(regexGroups, ", "))
		}
		idx[n] = i
	}
	if _, ok := idx["time"]; !ok {
		return nil, fmt.Errorf("format regex: a (?P<time>…) group is required")
	}
	// Without a path group the log is read as a connection log (dst, dport,
	// action) or, with none of those, for its times only (excerpts).
	_, hasPath := idx["path"]
	kind := KindRequest
	if !hasPath {
		kind = KindText
		for _, g := range []string{"dst", "dport", "action"} {
			if _, ok := idx[g]; ok {
				kind = KindFirewall
			}
		}
	}
	group := func(m []int, line []byte, name string) (string, bool) {
		i, ok := idx[name]
		if !ok || m[2*i] < 0 {
			return "", false
		}
		return string(line[m[2*i]:m[2*i+1]]), true
	}
	parse := func(line []byte, pc *parseContext) (Record, error) {
		m := re.FindSubmatchIndex(line)
		if m == nil {
			return Record{}, errNoMatch
		}
		var r Record
		ts, _ := group(m, line, "time")
		var ok bool
		if r.Time, ok = parseTimeAny(ts, pc); !ok {
			return Record{}, errNoMatch
		}
		if s, ok := group(m, line, "path"); ok {
			r.Path, r.Query = splitTarget(s)
		}
		if s, ok := group(m, line, "method"); ok {
			r.Method = strings.ToUpper(s)
		}
		if s, ok := group(m, line, "status"); ok {
			r.Status, _ = parseStatus([]byte(s))
		}
		if s, ok := group(m, line, "duration"); ok {
			r.Duration, r.HasDuration = parseDurationText(s)
		}
		if s, ok := group(m, line, "ua"); ok {
			r.UA = s
		}
		if s, ok := group(m, line, "src"); ok {
			r.Src, _ = netip.ParseAddr(s)
		}
		if s, ok := group(m, line, "dst"); ok {
			r.Dst, _ = netip.ParseAddr(s)
		}
		if s, ok := group(m, line, "dport"); ok {
			r.DstPort, _ = atoiBytes([]byte(s))
		}
		if s, ok := group(m, line, "action"); ok {
			r.Action = classifyAction([]byte(s))
		}
		return r, nil
	}
	return &Format{
		Name:        "regex",
		Kind:        kind,
		Description: "regular expression with named groups " + strings.Join(regexGroups, ", "),
		Conn:        !hasPath,
		Skew:        5 * time.Second,
		parse:       parse,
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			m := re.FindSubmatchIndex(l)
			if m == nil {
				return time.Time{}, false
			}
			ts, _ := group(m, l, "time")
			return parseTimeAny(ts, pc)
		},
		detail: func() string { return pattern },
	}, nil
}
