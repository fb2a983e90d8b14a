package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// writeChunk is how much of one Write is taken into the line buffer at once,
// so that a huge Write does not double its size in memory.
const writeChunk = 1 << 20

// Writer returns a WriteCloser that redacts the outside text written to it
// (Text), line by line, and writes the result to w, counting redactions under
// file. It is WriterOf(file, Text, w).
func (r *Redactor) Writer(file string, w io.Writer) io.WriteCloser {
	return r.WriterOf(file, Text, w)
}

// WriterOf returns a WriteCloser that redacts what is written to it, read as
// kind, and writes the result to w, counting redactions under file. Text is
// held back until its line (a CSV record, for CSV) is complete, so a secret
// is never split between two Writes; Close writes the last, unfinished line.
// Close does not close w. Secrets added to the Redactor later (AddSecrets)
// are removed from everything written after.
//
// Lines up to 16 MiB are redacted whole. A longer line is cut at the last
// delimiter (space, tab, &, ;, ", ', <, >) before the limit, never inside an
// occurrence of a secret value in any of its forms, and read as Text (as Own
// for Own); a token-shaped value that is not a known secret (a JWT, a header
// value) may be cut there.
//
// A Writer is safe for concurrent use (the process's stdout and stderr are
// written from many goroutines); any number of Writers of one Redactor may
// run at once.
func (r *Redactor) WriterOf(file string, kind Kind, w io.Writer) io.WriteCloser {
	r.add(file, nil)
	return &lineWriter{r: r, file: file, kind: kind, w: w}
}

type lineWriter struct {
	mu   sync.Mutex
	r    *Redactor
	file string
	kind Kind
	w    io.Writer
	buf  []byte
	// scanned is how much of buf is known to hold no end of a line (of a
	// record, for CSV); inQuote is whether a CSV quote is open there.
	scanned int
	inQuote bool
	json    jsonState
	s       scratch
	err     error
	closed  bool
}

// errClosed is returned by Write after Close.
var errClosed = errors.New("redact: write to closed writer")

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return 0, errClosed
	}
	if lw.err != nil {
		return 0, lw.err
	}
	n := 0
	for len(p) > 0 {
		take := len(p)
		if take > writeChunk {
			take = writeChunk
		}
		lw.buf = append(lw.buf, p[:take]...)
		p = p[take:]
		n += take
		if err := lw.flush(false); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Close redacts and writes what is left. It is safe to call more than once.
func (lw *lineWriter) Close() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return lw.err
	}
	lw.closed = true
	if lw.err != nil {
		return lw.err
	}
	return lw.flush(true)
}

// complete returns the end of the last complete line (record) in buf, 0 when
// there is none, reading only what was added since the last call.
func (lw *lineWriter) complete() int {
	end := 0
	if lw.kind != CSV {
		tail := lw.buf[lw.scanned:]
		end = max(bytes.LastIndexByte(tail, '\n'), bytes.LastIndexByte(tail, '\r')) + 1
		if end > 0 {
			end += lw.scanned
		}
		lw.scanned = len(lw.buf)
		return end
	}
	for i := lw.scanned; i < len(lw.buf); i++ {
		switch lw.buf[i] {
		case '"':
			lw.inQuote = !lw.inQuote
		case '\n':
			if !lw.inQuote {
				end = i + 1
			}
		}
	}
	lw.scanned = len(lw.buf)
	return end
}

// flush redacts and writes the complete lines in the buffer (everything when
// final), keeping the rest for later.
func (lw *lineWriter) flush(final bool) error {
	end := len(lw.buf)
	kind := lw.kind
	rs := lw.r.set.Load()
	cut := false
	if !final {
		end = lw.complete()
		if end == 0 && len(lw.buf) > maxLine {
			end, cut = rs.cutLong(lw.buf), true
			if kind != Own {
				// A piece of a line is no JSON or CSV text of its own.
				kind = Text
				lw.json = jsonState{}
			}
		}
	}
	if end == 0 {
		return nil
	}
	c := counter{}
	out, _ := rs.process(kind, lw.buf[:end], c, &lw.s, &lw.json)
	lw.r.add(lw.file, c)
	if _, err := lw.w.Write(out); err != nil {
		lw.err = fmt.Errorf("write redacted %s: %w", lw.file, err)
		return lw.err
	}
	rest := copy(lw.buf, lw.buf[end:])
	lw.buf = lw.buf[:rest]
	// What is left was read: it holds no end of a line (CSV: the quote state
	// at its end is inQuote). After a cut, it is read again from its start.
	lw.scanned = rest
	if cut {
		lw.scanned, lw.inQuote = 0, false
	}
	if cap(lw.buf) > 4*maxLine && rest < maxLine {
		lw.buf = append([]byte(nil), lw.buf...)
	}
	return nil
}

// cutLong returns where to cut a line longer than maxLine that has no line
// break: after the last delimiter well before the end, moved back so that no
// form of a secret spans the cut. It returns 0 when there is no safe cut.
func (rs *ruleSet) cutLong(b []byte) int {
	keep := rs.maxForm
	if keep < 4096 {
		keep = 4096
	}
	limit := len(b) - keep
	if limit <= 0 {
		return 0
	}
	cut := limit
	if i := bytes.LastIndexAny(b[:limit], " \t&;\"'<>"); i >= 0 && limit-i < maxLine/2 {
		cut = i + 1
	}
	for cut > 0 {
		moved := false
		for _, f := range rs.forms {
			lo := cut - len(f) + 1
			if lo < 0 {
				lo = 0
			}
			hi := cut + len(f) - 1
			if hi > len(b) {
				hi = len(b)
			}
			if k := bytes.Index(b[lo:hi], f); k >= 0 && lo+k < cut {
				cut = lo + k
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	return cut
}
