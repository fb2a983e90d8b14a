package redact

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"slices"
)

// rule is one named redaction. apply rewrites one line (without its line
// break) and counts what it removed; it returns the line unchanged and false
// when it removed nothing.
type rule struct {
	name string
	desc string
	// value marks a value rule (a secret value, a --redact expression, a
	// phone number): it applies to the tool's own text too. The others
	// recognise a secret by its name or shape and apply to outside data only.
	value bool
	// anchors: the rule runs on a line only when the line contains one of
	// them. nil means every line.
	anchors [][]byte
	// fold: anchors are lowercase and are looked up in the lowercased text.
	fold  bool
	apply func(line []byte, c counter) ([]byte, bool)
}

// scratch holds buffers reused while redacting one text.
type scratch struct {
	lower     []byte
	lineLower []byte
	active    []bool
	hits      []int
	// inner is the scratch of the texts found inside a JSON or CSV text
	// (strings, cells), which are redacted while the outer one is read.
	inner *scratch
	// members caches memberRule by member name.
	members map[string]string
}

// redactBlock applies rules to a block of whole lines. Only the lines that
// hold an anchor of some rule are looked at; the rest is copied as it is.
func redactBlock(block []byte, rules []*rule, c counter, s *scratch) ([]byte, bool) {
	all, some := findAnchors(block, rules, s)
	if !some {
		return block, false
	}
	if all {
		return redactLines(block, rules, c, s)
	}
	var out []byte
	last := 0
	for _, ls := range s.hits {
		le := lineEnd(block, ls)
		red, ch := redactLines(block[ls:le], rules, c, s)
		if !ch {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(block)+64)
		}
		out = append(out, block[last:ls]...)
		out = append(out, red...)
		last = le
	}
	if out == nil {
		return block, false
	}
	return append(out, block[last:]...), true
}

// findAnchors looks for the anchors of rules in block. It sets s.active[k]
// when rule k has an anchor somewhere in the block and, unless a rule without
// anchors makes every line a candidate (all), lists in s.hits the sorted
// starts of the lines that hold an anchor. some is false when no line does.
func findAnchors(block []byte, rules []*rule, s *scratch) (all, some bool) {
	lowered := false
	active := s.active[:0]
	hits := s.hits[:0]
	for _, ru := range rules {
		if ru.anchors == nil {
			active = append(active, true)
			all, some = true, true
			continue
		}
		hay := block
		if ru.fold {
			if !lowered {
				s.lower = lowerASCII(s.lower[:0], block)
				lowered = true
			}
			hay = s.lower
		}
		on := false
	anchors:
		for _, a := range ru.anchors {
			for pos := 0; pos < len(hay); {
				i := bytes.Index(hay[pos:], a)
				if i < 0 {
					break
				}
				i += pos
				on = true
				if all {
					break anchors
				}
				hits = append(hits, bytes.LastIndexByte(block[:i], '\n')+1)
				pos = lineEnd(block, i)
			}
		}
		active = append(active, on)
		some = some || on
	}
	if !all {
		slices.Sort(hits)
		hits = slices.Compact(hits)
	}
	s.active, s.hits = active, hits
	return all, some
}

// lineEnd returns the end of the line holding position i, after its "\n".
func lineEnd(b []byte, i int) int {
	if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(b)
}

// redactLines applies rules to each line of block (a line ends at "\n" or
// "\r"), skipping rules whose anchors the line lacks. s.active must hold
// what findAnchors found for rules.
func redactLines(block []byte, rules []*rule, c counter, s *scratch) ([]byte, bool) {
	active := s.active
	var out []byte
	changed := false
	for pos := 0; pos < len(block); {
		end := len(block)
		next := end
		if i := bytes.IndexAny(block[pos:], "\r\n"); i >= 0 {
			end = pos + i
			next = end + 1
		}
		line := block[pos:end]
		lineChanged := false
		lineLowered := false
		for k, ru := range rules {
			// A rule whose anchors are nowhere in the block may still
			// apply to what an earlier rule made of the line.
			if !active[k] && !lineChanged {
				continue
			}
			if ru.anchors != nil {
				hay := line
				if ru.fold {
					if !lineLowered {
						s.lineLower = lowerASCII(s.lineLower[:0], line)
						lineLowered = true
					}
					hay = s.lineLower
				}
				if !containsAny(hay, ru.anchors) {
					continue
				}
			}
			if nl, ch := ru.apply(line, c); ch {
				line = nl
				lineChanged = true
				lineLowered = false
			}
		}
		if lineChanged && !changed {
			out = make([]byte, 0, len(block)+64)
			out = append(out, block[:pos]...)
			changed = true
		}
		if changed {
			out = append(out, line...)
			if next > end {
				out = append(out, block[end])
			}
		}
		pos = next
	}
	if !changed {
		return block, false
	}
	return out, true
}

// lowerASCII appends b with ASCII letters lowercased to dst. Other bytes keep
// their place, so offsets in the result are offsets in b. It works on eight
// bytes at a time: this runs over every byte that is redacted.
func lowerASCII(dst, b []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(b))[:n+len(b)]
	out := dst[n:]
	const ones = 0x0101010101010101
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		h := w & (0x7f * ones)
		atLeastA := h + (0x80-'A')*ones
		pastZ := h + (0x80-'Z'-1)*ones
		upper := atLeastA &^ pastZ &^ w & (0x80 * ones)
		binary.LittleEndian.PutUint64(out[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		ch := b[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		out[i] = ch
	}
	return dst
}

func containsAny(b []byte, anchors [][]byte) bool {
	for _, a := range anchors {
		if bytes.Contains(b, a) {
			return true
		}
	}
	return false
}

// edit collects replacements of non-overlapping spans of one line, in order.
type edit struct {
	line []byte
	out  []byte
	last int // end of the last replaced span
	n    int
}

// replace replaces line[s:e] with repl. Spans must come in order and not
// overlap; one that does is ignored.
func (e *edit) replace(s, end int, repl string) bool {
	if s < e.last || end < s || end > len(e.line) {
		return false
	}
	if e.out == nil {
		e.out = make([]byte, 0, len(e.line)+len(repl))
	}
	e.out = append(e.out, e.line[e.last:s]...)
	e.out = append(e.out, repl...)
	e.last = end
	e.n++
	return true
}

// result returns the edited line and whether anything was replaced, and adds
// the replacements to c under name.
func (e *edit) result(c counter, name string) ([]byte, bool) {
	if e.n == 0 {
		return e.line, false
	}
	c[name] += e.n
	return append(e.out, e.line[e.last:]...), true
}

// placeholder is what a removed value becomes.
func placeholder(rule string) string { return "[REDACTED:" + rule + "]" }

// isPlaceholder reports whether v is (or starts with) a value this package
// wrote, so that redacting redacted text changes and counts nothing.
func isPlaceholder(v []byte) bool { return bytes.HasPrefix(v, []byte("[REDACTED:")) }

// sidRe matches a Twilio SID: two letters and 32 hex digits.
var sidRe = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// isSID reports whether v is a Twilio SID, which is kept.
func isSID(v []byte) bool { return len(v) == 34 && sidRe.Match(v) }

func isWordByte(ch byte) bool {
	return ch == '_' || '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z'
}

// wordBefore reports whether the byte before position k continues a word, so
// that a name found at k is only the tail of a longer one. The end of an
// escape sequence does not count: the n of "\nAuthorization", the 26 of the
// URL-encoded "%26Cookie" and the 0026 of the JSON-escaped "\u0026Cookie"
// are delimiters.
func wordBefore(line []byte, k int) bool {
	if k == 0 || !isWordByte(line[k-1]) {
		return false
	}
	return !escapeBefore(line, k)
}

// escapeBefore reports whether an escape sequence ends at position k: "\n",
// "%26" or "\u0026".
func escapeBefore(line []byte, k int) bool {
	switch {
	case k >= 2 && line[k-2] == '\\':
		return true
	case k >= 3 && line[k-3] == '%' && isHex(line[k-2]) && isHex(line[k-1]):
		return true
	case k >= 6 && line[k-6] == '\\' && line[k-5] == 'u' && isHex(line[k-4]) && isHex(line[k-3]) && isHex(line[k-2]) && isHex(line[k-1]):
		return true
	}
	return false
}

func isDigit(ch byte) bool { return '0' <= ch && ch <= '9' }

// quotes tells whether positions of one line lie inside a double-quoted
// string, judged by the number of unescaped quotes before them. Asked for
// increasing positions it reads the line once.
type quotes struct {
	line []byte
	pos  int
	in   bool
}

func (q *quotes) at(k int) bool {
	if k < q.pos {
		q.pos, q.in = 0, false
	}
	for q.pos < k && q.pos < len(q.line) {
		switch q.line[q.pos] {
		case '\\':
			q.pos++
		case '"':
			q.in = !q.in
		}
		q.pos++
	}
	return q.in
}

// scanQuoted returns the end of a quoted value that starts at i, just after
// its opening quote q (`"`, `'` or the escaped quote `\"` of JSON inside a
// JSON string). An unterminated value runs to the end of the line.
func scanQuoted(line []byte, i int, q string) int {
	n := len(line)
	if q == `\"` {
		for j := i; j < n; {
			if line[j] == '\\' && j+1 < n {
				switch line[j+1] {
				case '"':
					return j
				case '\\':
					j += 2
					if j+1 < n && line[j] == '\\' && line[j+1] == '"' {
						j += 2
					}
					continue
				}
				j += 2
				continue
			}
			j++
		}
		return n
	}
	for j := i; j < n; j++ {
		switch line[j] {
		case '\\':
			j++
		case q[0]:
			return j
		}
	}
	return n
}

// openQuote returns the quote that opens a value at line[i:], if any.
func openQuote(line []byte, i int) string {
	if i >= len(line) {
		return ""
	}
	switch line[i] {
	case '"':
		return `"`
	case '\'':
		return `'`
	case '\\':
		if i+1 < len(line) && line[i+1] == '"' {
			return `\"`
		}
	}
	return ""
}

// scanUnquoted returns the end of an unquoted query, form or logfmt value
// starting at i: the first delimiter (&, whitespace, a quote, a comma, ;,
// a closing bracket, #). In URL-encoded text (encoded), "%26" and "%23" end
// it too.
func scanUnquoted(line []byte, i int, encoded bool) int {
	for j := i; j < len(line); j++ {
		switch line[j] {
		case '&', ' ', '\t', '\r', '\n', '"', '\'', ',', ';', '<', '>', ')', ']', '}', '\\', '#':
			return j
		case '%':
			if encoded && j+2 < len(line) && (line[j+1] == '2' && (line[j+2] == '6' || line[j+2] == '3')) {
				return j
			}
		}
	}
	return len(line)
}

// scanHeaderValue returns the end of a header value that starts at i. Header
// values run to the end of the line; inside a quoted (JSON) string (inString:
// the header name is) they also end at the closing quote and at an escaped
// line break.
func scanHeaderValue(line []byte, inString bool, i int) int {
	n := len(line)
	end := n
loop:
	for j := i; j < n; j++ {
		switch line[j] {
		case '\r', '\n':
			end = j
			break loop
		case '\\':
			if j+1 < n {
				switch line[j+1] {
				case 'n', 'r':
					end = j
					break loop
				case 't':
					if inString {
						end = j
						break loop
					}
				}
			}
			j++
		case '"':
			if inString {
				end = j
				break loop
			}
		}
	}
	for end > i && (line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	return end
}

// regexSpans runs re over line and lets span choose, for each match m
// (submatch indexes into line), the part to replace and its replacement.
// Returning ok false skips the match.
func regexSpans(line []byte, re *regexp.Regexp, c counter, name string,
	span func(line []byte, m []int) (s, e int, repl string, ok bool)) ([]byte, bool) {
	ed := edit{line: line}
	for pos := 0; pos <= len(line); {
		m := re.FindSubmatchIndex(line[pos:])
		if m == nil {
			break
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += pos
			}
		}
		next := m[1]
		if s, e, repl, ok := span(line, m); ok && ed.replace(s, e, repl) && e > next {
			next = e
		}
		if next <= m[0] {
			next = m[0] + 1
		}
		pos = next
	}
	return ed.result(c, name)
}

// window bounds where a regex is run around each anchor of a rule: the match
// may start up to before bytes ahead of the anchor and must end within after
// bytes past it. Running a regex over a window instead of the whole line
// keeps lines of many megabytes fast.
type window struct {
	anchors       [][]byte // lowercase
	before, after int
}

// windowSpans is regexSpans restricted to windows around the anchors of w,
// found case-insensitively. A match counts for an anchor only if it starts at
// or before it.
func windowSpans(line []byte, w window, re *regexp.Regexp, c counter, name string,
	span func(line []byte, m []int) (s, e int, repl string, ok bool)) ([]byte, bool) {
	lower := lowerASCII(make([]byte, 0, len(line)), line)
	var at []int
	for _, a := range w.anchors {
		for pos := 0; ; {
			i := bytes.Index(lower[pos:], a)
			if i < 0 {
				break
			}
			if !inPlaceholder(line, pos+i) {
				at = append(at, pos+i)
			}
			pos += i + 1
		}
	}
	slices.Sort(at)
	ed := edit{line: line}
	done := 0 // matches starting before this were handled
	for _, p := range at {
		ws := max(p-w.before, done, 0)
		we := min(p+w.after, len(line))
		if ws > p || ws >= we {
			continue
		}
		m := re.FindSubmatchIndex(line[ws:we])
		if m == nil {
			continue
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += ws
			}
		}
		if m[0] > p {
			continue
		}
		done = m[1]
		if s, e, repl, ok := span(line, m); ok && ed.replace(s, e, repl) && e > done {
			done = e
		}
	}
	return ed.result(c, name)
}

// inPlaceholder reports whether position p of line lies in the rule name of a
// placeholder ("secret" in "[REDACTED:secret]"), which is no anchor.
func inPlaceholder(line []byte, p int) bool {
	lo := max(p-len("[REDACTED:aws-"), 0)
	k := bytes.LastIndexByte(line[lo:p], '[')
	if k < 0 {
		return false
	}
	k += lo
	return bytes.HasPrefix(line[k:], []byte("[REDACTED:")) && bytes.IndexByte(line[k:p], ']') < 0
}
