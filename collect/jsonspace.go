package collect

import "io"

// jsonSpace is a reader of JSON text that keeps one whitespace byte of each
// run between tokens and drops the rest; strings are passed as they are.
// encoding/json's Decoder rescans the whitespace it has buffered each time
// it reads more, which makes a long run of it quadratic (40 MiB of spaces
// took 42 s); through jsonSpace every input is read in linear time.
type jsonSpace struct {
	r        io.Reader
	buf      []byte
	inString bool
	escaped  bool
	space    bool // the last byte passed on was whitespace between tokens
}

func newJSONSpace(r io.Reader) *jsonSpace { return &jsonSpace{r: r, buf: make([]byte, 64<<10)} }

func (j *jsonSpace) Read(p []byte) (int, error) {
	for {
		want := min(len(p), len(j.buf))
		n, err := j.r.Read(j.buf[:want])
		out := 0
		for _, c := range j.buf[:n] {
			switch {
			case j.inString:
				switch {
				case j.escaped:
					j.escaped = false
				case c == '\\':
					j.escaped = true
				case c == '"':
					j.inString = false
				}
			case jsonWhitespace[c]:
				if j.space {
					continue
				}
				j.space = true
				p[out] = c
				out++
				continue
			case c == '"':
				j.inString = true
			}
			j.space = false
			p[out] = c
			out++
		}
		if out > 0 || err != nil || len(p) == 0 {
			return out, err
		}
	}
}

// jsonWhitespace marks the bytes JSON allows between tokens: a table, so
// that a random run of them costs no mispredicted branches.
var jsonWhitespace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}
