package hoplog

import (
	"bytes"
	"encoding/json"
	"time"
)

// wrapper is a prefix a container runtime puts before each line a program
// writes: the program's own format follows it.
type wrapper struct {
	name string
	// strip returns the program's line, ok false when line lacks the prefix.
	strip func(line []byte) ([]byte, bool)
}

var wrappers = []wrapper{
	{"cri", stripCRI},
	{"compose", stripCompose},
	{"docker", stripDocker},
}

// stripDocker reads the line a program wrote out of the JSON object
// Docker's json-file logging driver keeps for it
// (/var/lib/docker/containers/ID/ID-json.log):
// {"log":"LINE\n","stream":"stdout","time":"…"}.
func stripDocker(line []byte) ([]byte, bool) {
	const head = `{"log":"`
	if !bytes.HasPrefix(line, []byte(head)) {
		return nil, false
	}
	// The string ends at the first quote not escaped.
	end := -1
	for i := len(head); i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, false
	}
	var s string
	if err := json.Unmarshal(line[len(head)-1:end+1], &s); err != nil {
		return nil, false
	}
	return bytes.TrimRight([]byte(s), "\r\n"), true
}

// stripCRI passes over the prefix of the CRI log format (containerd,
// CRI-O, the kubelet's /var/log/containers/*.log): "TIME STREAM TAG ",
// e.g. "2026-11-25T01:00:00.123456789Z stdout F ".
func stripCRI(line []byte) ([]byte, bool) {
	ts, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok || len(ts) < 20 || ts[4] != '-' || ts[10] != 'T' {
		return nil, false
	}
	stream, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok || string(stream) != "stdout" && string(stream) != "stderr" {
		return nil, false
	}
	tag, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok || len(tag) == 0 || tag[0] != 'F' && tag[0] != 'P' {
		return nil, false
	}
	if _, err := time.Parse(time.RFC3339Nano, string(ts)); err != nil {
		return nil, false
	}
	return rest, true
}

// stripCompose passes over the prefix docker compose logs puts before each
// service's line: "NAME  | " (the name padded to the longest, colored on
// a terminal).
func stripCompose(line []byte) ([]byte, bool) {
	line = skipANSI(line)
	i := 0
	for i < len(line) && i < 128 && isNameByte(line[i]) {
		i++
	}
	if i == 0 {
		return nil, false
	}
	j := i
	for j < len(line) && line[j] == ' ' {
		j++
	}
	if j == i || j >= len(line) || line[j] != '|' {
		return nil, false
	}
	rest := skipANSI(line[j+1:])
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return rest, true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

// skipANSI passes over terminal color sequences at the start of b.
func skipANSI(b []byte) []byte {
	for len(b) > 2 && b[0] == 0x1b && b[1] == '[' {
		k := 2
		for k < len(b) && (b[k] >= '0' && b[k] <= '9' || b[k] == ';') {
			k++
		}
		if k >= len(b) || b[k] != 'm' {
			return b
		}
		b = b[k+1:]
	}
	return b
}

// wrapFormat reads inner's lines behind a wrapper's prefix.
func wrapFormat(w wrapper, inner *Format) *Format {
	f := *inner
	f.Name = w.name + "+" + inner.Name
	f.Description = inner.Description + ", behind the " + w.name + " prefix"
	f.Samples = nil
	f.parse = func(l []byte, pc *parseContext) (Record, error) {
		in, ok := w.strip(l)
		if !ok {
			return Record{}, errNoMatch
		}
		return inner.parse(in, pc)
	}
	f.timeOf = func(l []byte, pc *parseContext) (time.Time, bool) {
		in, ok := w.strip(l)
		if !ok {
			return time.Time{}, false
		}
		return inner.timeOf(in, pc)
	}
	f.isLine = func(l []byte) bool {
		in, ok := w.strip(l)
		return ok && (inner.isLine == nil || inner.isLine(in))
	}
	if inner.header != nil {
		f.header = func(l []byte) (*Format, bool) {
			in, ok := w.strip(l)
			if !ok {
				return nil, false
			}
			g, ok := inner.header(in)
			if !ok {
				return nil, false
			}
			return wrapFormat(w, g), true
		}
	}
	return &f
}

// unwrap finds the wrapper that most of the lines carry and returns them
// without it; ok is false when none does.
func unwrap(lines [][]byte) (wrapper, [][]byte, bool) {
	for _, w := range wrappers {
		var out [][]byte
		for _, l := range lines {
			if in, ok := w.strip(l); ok {
				out = append(out, in)
			}
		}
		if len(out)*2 >= len(lines) && len(out) > 0 {
			return w, out, true
		}
	}
	return wrapper{}, nil, false
}
