package redact

import (
	"bytes"
	"encoding/json"
)

// jsonFrame is one open object or array of a JSON text being redacted.
type jsonFrame struct {
	object bool
	// expectKey: in an object, the next string is a member name.
	expectKey bool
	// name and rule are the current member's name and the rule that removes
	// its whole value ("" when its name says nothing).
	name []byte
	rule string
	// inherit is the rule every value in this frame falls under: the frame
	// is the value of a member removed whole.
	inherit string
}

// jsonState is where a JSON reader stands between two parts of a text: the
// objects and arrays open at the end of the last part.
type jsonState struct {
	stack []jsonFrame
}

// valueRule is the rule under which the value at the current position is
// removed whole, "" when it is redacted as text.
func (js *jsonState) valueRule() (rule string, name []byte) {
	if len(js.stack) == 0 {
		return "", nil
	}
	f := &js.stack[len(js.stack)-1]
	if f.inherit != "" {
		return f.inherit, f.name
	}
	if f.object {
		return f.rule, f.name
	}
	return "", nil
}

// redactJSON redacts JSON text made of whole lines (see JSON), continuing
// from the state js and leaving js at the state after b. Strings on lines
// that hold no anchor of any rule are only decoded when their member is
// removed whole, so text without secrets is read at the speed of a scan.
func (rs *ruleSet) redactJSON(b []byte, c counter, s *scratch, js *jsonState) ([]byte, bool) {
	var out []byte
	last := 0 // b[last:] is not copied to out yet
	replace := func(from, to int, with []byte) {
		if out == nil {
			out = make([]byte, 0, len(b)+64)
		}
		out = append(out, b[last:from]...)
		out = append(out, with...)
		last = to
	}
	if s.inner == nil {
		s.inner = &scratch{}
	}
	for start := 0; start < len(b); {
		end := blockEnd(b, start)
		block := b[start:end]
		all, _ := findAnchors(block, rs.all, s)
		hits := s.hits
		k := 0 // hits[k] is the first hit line at or after the current one
		ls := 0
		lineHit := func() bool {
			if all {
				return true
			}
			for k < len(hits) && hits[k] < ls {
				k++
			}
			return k < len(hits) && hits[k] == ls
		}
		for i := 0; i < len(block); i++ {
			switch ch := block[i]; ch {
			case '\n':
				ls = i + 1
			case ' ', '\t', '\r':
			case '{', '[':
				rule, name := js.valueRule()
				js.stack = append(js.stack, jsonFrame{object: ch == '{', expectKey: ch == '{', inherit: rule, name: name})
			case '}', ']':
				if len(js.stack) > 0 {
					js.stack = js.stack[:len(js.stack)-1]
				}
			case ':':
				if n := len(js.stack); n > 0 && js.stack[n-1].object {
					js.stack[n-1].expectKey = false
				}
			case ',':
				if n := len(js.stack); n > 0 && js.stack[n-1].object {
					f := &js.stack[n-1]
					f.expectKey, f.name, f.rule = true, nil, ""
				}
			case '"':
				e := jsonStringEnd(block, i+1)
				if e < 0 {
					// Not JSON to the end of the line: read the rest as text.
					le := lineEnd(block, i)
					for le > i && (block[le-1] == '\n' || block[le-1] == '\r') {
						le--
					}
					if red, ch := rs.redact(block[i:le], rs.all, c, s.inner); ch {
						replace(start+i, start+le, red)
					}
					i = le - 1
					continue
				}
				raw := block[i : e+1]
				if n := len(js.stack); n > 0 && js.stack[n-1].object && js.stack[n-1].expectKey {
					f := &js.stack[n-1]
					key := decodeJSONString(raw)
					f.name = append(f.name[:0:0], key...)
					f.rule = s.memberRule(key, rs.maskBodies)
					if lineHit() {
						if red, ch := rs.redact(key, rs.own, c, s.inner); ch {
							replace(start+i, start+e+1, encodeJSONString(red))
						}
					}
				} else if rule, name := js.valueRule(); rule != "" {
					if v, ok := memberValue(rule, name, decodeJSONString(raw)); ok {
						c[rule]++
						replace(start+i, start+e+1, encodeJSONString([]byte(v)))
					}
				} else if lineHit() {
					v := decodeJSONString(raw)
					if red, ch := rs.redact(v, rs.all, c, s.inner); ch {
						replace(start+i, start+e+1, encodeJSONString(red))
					}
				}
				i = e
			default:
				// A number, true, false, null or text that is not JSON.
				e := i
				for e < len(block) && !isJSONDelim(block[e]) {
					e++
				}
				if rule, name := js.valueRule(); rule != "" {
					switch string(block[i:e]) {
					case "true", "false", "null":
					default:
						if v, ok := memberValue(rule, name, block[i:e]); ok {
							c[rule]++
							replace(start+i, start+e, encodeJSONString([]byte(v)))
						}
					}
				}
				i = e - 1
			}
		}
		start = end
	}
	if out == nil {
		return b, false
	}
	return append(out, b[last:]...), true
}

// isJSONDelim reports whether ch ends a JSON number or literal.
func isJSONDelim(ch byte) bool {
	switch ch {
	case ' ', '\t', '\r', '\n', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// memberRule is memberRule with the answers for the names seen so far kept:
// a file names the same few members on every line.
func (s *scratch) memberRule(name []byte, maskBodies bool) string {
	if rule, ok := s.members[string(name)]; ok {
		return rule
	}
	if s.members == nil || len(s.members) > 4096 {
		s.members = map[string]string{}
	}
	rule := memberRule(name, maskBodies)
	s.members[string(name)] = rule
	return rule
}

// jsonStringEnd returns the index of the quote that closes the JSON string
// whose content starts at i, or -1 when the line ends first.
func jsonStringEnd(b []byte, i int) int {
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		case '\n', '\r':
			return -1
		}
	}
	return -1
}

// decodeJSONString returns the content of the JSON string raw (quotes
// included). Without escapes it is raw's own bytes; a string that does not
// decode is returned as it is written.
func decodeJSONString(raw []byte) []byte {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return inner
	}
	return []byte(s)
}

// encodeJSONString returns v as a JSON string, quotes included.
func encodeJSONString(v []byte) []byte {
	b, err := json.Marshal(string(v))
	if err != nil {
		return []byte(`""`)
	}
	return b
}
