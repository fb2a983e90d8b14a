package redact

import "io"

// Streams are a process's stdout and stderr through one redactor, so that
// nothing the process prints carries a secret. What is printed is the
// tool's own text — help, errors, progress — so the streams read it as
// Own: only secret values, phone masks and expressions apply, never a rule
// that matches by name. A line is held back until it is complete, so that
// a secret written in pieces is never split; Close writes what is held
// back.
type Streams struct {
	Out, Err io.Writer
	// Redactor is the streams' redactor: Add and AddSecrets extend what
	// they remove.
	Redactor *Redactor
	closers  []io.Closer
}

// NewStreams wraps out and err in a redactor made from opts (one that
// removes nothing more when opts are refused). Each keeps Fd of the stream
// under it, so that a terminal is still seen as one.
func NewStreams(opts Options, out, err io.Writer) *Streams {
	r, e := New(opts)
	if e != nil {
		r, _ = New(Options{})
	}
	o := stream{r.WriterOf("stdout", Own, out), out}
	w := stream{r.WriterOf("stderr", Own, err), err}
	return &Streams{Out: o, Err: w, Redactor: r, closers: []io.Closer{o, w}}
}

// Close writes what the streams hold back.
func (s *Streams) Close() {
	for _, c := range s.closers {
		c.Close()
	}
}

// stream is one redacted stream.
type stream struct {
	io.WriteCloser
	under io.Writer
}

// Fd is the descriptor of the stream under it, or ^0 when it has none.
func (s stream) Fd() uintptr {
	if f, ok := s.under.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}
