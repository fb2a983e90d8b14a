package hoplog

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"
)

// genericSuggestion is offered when a line gives nothing to build on.
const genericSuggestion = `regex:^(?P<time>\S+ \S+) (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3})`

// Suggest builds a format spec "regex:…" that reads line, for a log no
// known format reads: its time, and where the line has them the client
// address, method, path, status and response time as named groups. The
// pattern stops after the last group. It is checked against the line; a
// line that gives nothing to build on gets a generic example.
func Suggest(line []byte, pc *parseContext) string {
	b := suggestion{pc: pc}
	b.build(string(line))
	if !b.has["time"] {
		return genericSuggestion
	}
	spec := "regex:^" + b.out.String()[:b.cut]
	f, err := ParseFormat(spec)
	if err != nil {
		return genericSuggestion
	}
	if _, err := f.parse(line, pc); err != nil {
		return genericSuggestion
	}
	return spec
}

type suggestion struct {
	pc  *parseContext
	out strings.Builder
	has map[string]bool
	cut int // length of out after the last named group
}

func (b *suggestion) group(name, pattern string) {
	b.has[name] = true
	b.out.WriteString("(?P<" + name + ">" + pattern + ")")
	b.cut = b.out.Len()
}

func (b *suggestion) lit(s string) { b.out.WriteString(s) }

func (b *suggestion) build(line string) {
	b.has = map[string]bool{}
	// A leading time of one to three fields ("2026-11-25 10:00:00,250",
	// "Nov 25 01:00:00").
	for k := 3; k >= 1 && !b.has["time"]; k-- {
		fields := strings.Fields(line)
		if len(fields) < k {
			continue
		}
		head := strings.Join(fields[:k], " ")
		if !strings.HasPrefix(line, head) {
			// Several spaces between the fields (syslog's "Nov  5").
			if _, _, ok := syslogHeaderTime([]byte(line), b.pc); !ok || k != 3 {
				continue
			}
			b.group("time", `\w{3} +\d+ [\d:.]+`)
			line = line[strings.Index(line, fields[2])+len(fields[2]):]
			break
		}
		if b.isTime(head) {
			b.group("time", strings.TrimSuffix(strings.Repeat(`\S+ `, k), " "))
			line = line[len(head):]
		}
	}
	for len(line) > 0 {
		if c := line[0]; c == ' ' || c == '\t' {
			i := 0
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			if i == 1 && c == ' ' {
				b.lit(" ")
			} else {
				b.lit(`\s+`)
			}
			line = line[i:]
			continue
		}
		var tok string
		switch line[0] {
		case '"':
			end := closingQuote(line)
			if end < 0 {
				b.lit(regexp.QuoteMeta(line))
				return
			}
			tok, line = line[:end+1], line[end+1:]
			b.quoted(tok[1 : len(tok)-1])
			continue
		case '[':
			if end := strings.IndexByte(line, ']'); end > 0 {
				tok, line = line[:end+1], line[end+1:]
				if !b.has["time"] && b.isTime(tok[1:len(tok)-1]) {
					b.lit(`\[`)
					b.group("time", `[^\]]+`)
					b.lit(`\]`)
				} else {
					b.lit(`\[[^\]]*\]`)
				}
				continue
			}
		}
		end := strings.IndexAny(line, " \t")
		if end < 0 {
			end = len(line)
		}
		tok, line = line[:end], line[end:]
		b.bare(tok)
	}
}

// isTime reports whether s is a timestamp: one parseTimeAny reads that looks
// like a date or a clock, or an epoch of at least ten digits, after 1990.
func (b *suggestion) isTime(s string) bool {
	t, ok := parseTimeAny(s, b.pc)
	if !ok || t.Year() < 1990 {
		return false
	}
	digits := strings.TrimLeft(s, "0123456789")
	return strings.ContainsAny(s, ":-/") || len(s)-len(digits) >= 10
}

// closingQuote finds the quote that ends the quoted field s starts with.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func (b *suggestion) quoted(content string) {
	if m, target, ok := splitRequest([]byte(content)); ok && m != "" && target != "" && !b.has["path"] {
		b.lit(`"`)
		b.group("method", `[A-Z]+`)
		b.lit(" ")
		b.group("path", `[^ "]+`)
		b.lit(`[^"]*"`)
		return
	}
	b.lit(`"[^"]*"`)
}

// Keys of key=value fields, by the group their value fills.
var suggestKeys = map[string][]string{
	"path":     {"path", "uri", "url", "request_uri", "request_path"},
	"method":   {"method", "request_method", "verb"},
	"status":   {"status", "code", "status_code", "response_code", "sc-status"},
	"duration": {"duration", "took", "elapsed", "latency", "request_time", "response_time", "time_taken", "rt", "ms"},
}

func (b *suggestion) bare(tok string) {
	if k, v, ok := strings.Cut(tok, "="); ok && k != "" {
		key := strings.ToLower(strings.Trim(k, `"`))
		for _, g := range []string{"path", "method", "status", "duration"} {
			for _, name := range suggestKeys[g] {
				if key == name && !b.has[g] && b.fits(g, strings.Trim(v, `"`)) {
					b.lit(regexp.QuoteMeta(k) + "=")
					if strings.HasPrefix(v, `"`) {
						b.lit(`"`)
						b.group(g, b.pattern(g)[0])
						b.lit(`"`)
					} else {
						b.group(g, b.pattern(g)[1])
					}
					return
				}
			}
		}
		b.lit(regexp.QuoteMeta(k) + `=\S*`)
		return
	}
	if !b.has["time"] && b.isTime(tok) {
		b.group("time", `\S+`)
		return
	}
	for _, g := range []string{"method", "path", "status", "duration"} {
		if !b.has[g] && b.fits(g, tok) && (g == "method" || g == "path" || b.has["path"]) {
			b.group(g, b.pattern(g)[1])
			return
		}
	}
	if !b.has["src"] && !b.has["path"] {
		if _, err := netip.ParseAddr(tok); err == nil {
			b.group("src", `[0-9A-Fa-f.:]+`)
			return
		}
	}
	b.lit(`\S+`)
}

// fits reports whether v can be the value of group g.
func (b *suggestion) fits(g, v string) bool {
	switch g {
	case "method":
		_, _, ok := splitRequest([]byte(v + " /"))
		return ok && len(v) >= 3 && strings.Contains(" GET POST PUT PATCH DELETE HEAD OPTIONS ", " "+v+" ")
	case "path":
		return strings.HasPrefix(v, "/") || strings.Contains(v, "://")
	case "status":
		_, ok := parseStatus([]byte(v))
		return ok
	case "duration":
		_, ok := parseDurationText(v)
		return ok && bytes.ContainsAny([]byte(v), ".msu")
	}
	return false
}

// pattern gives a group's pattern inside quotes and bare.
func (b *suggestion) pattern(g string) [2]string {
	switch g {
	case "method":
		return [2]string{`[A-Z]+`, `[A-Z]+`}
	case "path":
		return [2]string{`[^"]+`, `\S+`}
	case "status":
		return [2]string{`\d{3}`, `\d{3}`}
	}
	return [2]string{`[\d.]+(?:ms|us|µs|s)?`, `[\d.]+(?:ms|us|µs|s)?`}
}
