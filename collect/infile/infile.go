// Package infile reads the files a user names on the command line
// (--alerts-file, --incidents-file, --flow, --probe-history, hop and app
// logs, --auth-token-file, --secret-file, --font) within stated bounds, so
// that no input — /dev/zero, a gzip bomb, a file of one endless line —
// makes a run grow in memory or time beyond them:
//
//   - a file is read up to a size (Limits.MaxBytes), past which reading
//     fails with an error wrapping ErrTooLarge;
//   - a gzip file is decompressed while it expands at most MaxRatio times
//     the compressed bytes read so far (plus 1 MiB), which refuses a gzip
//     bomb within its first megabytes;
//   - a text file's UTF-8 byte-order mark is dropped;
//   - a Budget bounds what one record (a JSON alert, a CSV row) may take;
//   - only a regular file is read — a named pipe, a device, a socket or a
//     directory is refused at once, without waiting for a writer — except
//     that a file of one small value (a token, secrets) may be a pipe, read
//     within PipeDeadline (Limits.Pipe).
package infile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// MaxRatio is the most a gzip file may expand over its compressed size.
// Logs and JSON compress 5 to 30 times; a run of one byte 1,000 times.
const MaxRatio = 200

// ratioSlack lets the start of a stream, whose compressed bytes are mostly
// headers and dictionary, expand more.
const ratioSlack = 1 << 20

// ErrTooLarge is what the errors of inputs beyond their bounds are (see
// errors.Is).
var ErrTooLarge = errors.New("beyond the bounds of an input file")

// LimitError is an input beyond its bounds. Its message is whole: it
// unwraps to nothing, so that callers that show an error's innermost cause
// show it.
type LimitError struct{ msg string }

func (e *LimitError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

func tooLarge(format string, args ...any) error {
	return &LimitError{msg: fmt.Sprintf(format, args...)}
}

// bom is the UTF-8 byte-order mark.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Limits bound the reading of one file.
type Limits struct {
	// MaxBytes is the most bytes read, after decompression (0: no bound).
	MaxBytes int64
	// Gunzip decompresses a file that starts with gzip's magic bytes,
	// whatever its name.
	Gunzip bool
	// Text drops a UTF-8 byte-order mark at the start.
	Text bool
	// Pipe lets the file be a pipe (`--auth-token-file <(pass twilio)`),
	// read within PipeDeadline; a named pipe that no program writes to
	// reads as empty.
	Pipe bool
}

// PipeDeadline is how long a pipe (Limits.Pipe) is read before the read
// fails.
const PipeDeadline = 5 * time.Second

// ErrNotRegular is what the errors of paths that are not regular files are
// (see errors.Is).
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is the reason a path is refused: it names a named pipe,
// a device, a socket or a directory, which cannot be read as a file of
// known size without blocking or without end.
type NotRegularError struct {
	// Kind is what the path is: "a named pipe", "a character device" ….
	Kind string
}

func (e *NotRegularError) Error() string { return "not a regular file (" + e.Kind + ")" }

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// NotRegular is the reason a file of mode m is refused, or nil for a
// regular file.
func NotRegular(m os.FileMode) error {
	var kind string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeCharDevice != 0:
		kind = "a character device"
	case m&os.ModeDevice != 0:
		kind = "a block device"
	default:
		kind = "a special file"
	}
	return &NotRegularError{Kind: kind}
}

// OpenRegular opens the regular file at path for reading. Anything else is
// refused with an *os.PathError whose Err is a *NotRegularError, at once:
// the file is opened without blocking, so that a named pipe with no writer
// does not hang the run.
func OpenRegular(path string) (*os.File, error) {
	f, _, err := open(path, false)
	return f, err
}

// open opens path without blocking and checks what it is: a regular file,
// or a pipe when pipe is true.
func open(path string, pipe bool) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if pipe && st.Mode()&os.ModeNamedPipe != 0 {
		return f, st, nil
	}
	if err := NotRegular(st.Mode()); err != nil {
		f.Close()
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return f, st, nil
}

// File is a file opened for reading within its Limits.
type File struct {
	f *os.File
	r io.Reader
	// Gzip is true when the file was decompressed.
	Gzip bool
}

// Open opens path for reading within lim. Only a regular file is opened
// (and a pipe with lim.Pipe); see OpenRegular.
func Open(path string, lim Limits) (*File, error) {
	f, st, err := open(path, lim.Pipe)
	if err != nil {
		return nil, err
	}
	var in io.Reader = f
	if !st.Mode().IsRegular() {
		// A pipe: the deadline bounds the whole read.
		if err := f.SetReadDeadline(time.Now().Add(PipeDeadline)); err != nil {
			f.Close()
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		in = pipeReader{f}
	}
	r, gz, err := NewReader(in, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, r: r, Gzip: gz}, nil
}

// pipeReader says what a pipe's read deadline passing means.
type pipeReader struct{ f *os.File }

func (p pipeReader) Read(b []byte) (int, error) {
	n, err := p.f.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("the pipe did not end within %v", PipeDeadline)
	}
	return n, err
}

// Read reads the file's (decompressed) content.
func (f *File) Read(p []byte) (int, error) { return f.r.Read(p) }

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// NewReader returns a reader of r's content within lim, and whether r was
// gzip.
func NewReader(r io.Reader, lim Limits) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out io.Reader = br
	gz := false
	if lim.Gunzip {
		if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			packed := &countReader{r: br}
			z, err := gzip.NewReader(packed)
			if err != nil {
				return nil, false, fmt.Errorf("gzip: %w", err)
			}
			out, gz = &ratioReader{r: z, packed: packed}, true
		}
	}
	if lim.MaxBytes > 0 {
		out = &maxReader{r: out, left: lim.MaxBytes, max: lim.MaxBytes}
	}
	if lim.Text {
		tb := bufio.NewReaderSize(out, 64<<10)
		if b, _ := tb.Peek(len(bom)); bytes.Equal(b, bom) {
			tb.Discard(len(bom))
		}
		out = tb
	}
	return out, gz, nil
}

// ReadFile reads the whole file at path within lim. A plain file larger
// than lim.MaxBytes is refused before it is read.
func ReadFile(path string, lim Limits) ([]byte, error) {
	f, err := Open(path, lim)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.f.Stat(); err == nil && st.Mode().IsRegular() && !f.Gzip && lim.MaxBytes > 0 && st.Size() > lim.MaxBytes {
		return nil, tooLarge("%s, larger than %s, the most read from such a file", Size(st.Size()), Size(lim.MaxBytes))
	}
	return io.ReadAll(f)
}

// countReader counts the bytes the decompressor takes from r. It is an
// io.ByteReader, so that the decompressor reads no further ahead than it
// needs and the count is what was decompressed.
type countReader struct {
	r *bufio.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// ratioReader fails once the decompressed bytes pass MaxRatio times the
// compressed bytes read (plus ratioSlack).
type ratioReader struct {
	r      io.Reader
	packed *countReader
	n      int64
}

func (z *ratioReader) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	z.n += int64(n)
	if z.n > z.packed.n*MaxRatio+ratioSlack {
		return n, tooLarge("the gzip expands more than %d times (%s from %s): a gzip bomb, not a log or an export",
			MaxRatio, Size(z.n), Size(z.packed.n))
	}
	return n, err
}

// maxReader fails once more than max bytes were read.
type maxReader struct {
	r         io.Reader
	left, max int64
}

func (m *maxReader) Read(p []byte) (int, error) {
	if m.left <= 0 {
		// One byte more tells a file of exactly max bytes from a longer one.
		var one [1]byte
		n, err := m.r.Read(one[:])
		if n > 0 {
			return 0, tooLarge("larger than %s, the most read from such a file", Size(m.max))
		}
		return 0, err
	}
	if int64(len(p)) > m.left {
		p = p[:m.left]
	}
	n, err := m.r.Read(p)
	m.left -= int64(n)
	return n, err
}

// Budget is a reader that bounds what one record may take. A decoder reads
// through it and, before each record, calls Start with the record's offset
// in the bytes it has read (its InputOffset): once the bytes read pass that
// offset by more than Max, Read fails with an error wrapping ErrTooLarge
// that names What. What a decoder buffered ahead of the record counts
// towards it, so a record is refused at the same size wherever it starts.
type Budget struct {
	R    io.Reader
	Max  int64
	What string // "one alert", "one row"
	read int64  // bytes read so far
	from int64  // where the current record starts
}

// Start starts a record at offset bytes into what was read.
func (b *Budget) Start(offset int64) { b.from = offset }

// Read implements io.Reader.
func (b *Budget) Read(p []byte) (int, error) {
	left := b.from + b.Max + 1 - b.read
	if left <= 0 {
		return 0, tooLarge("%s is larger than %s, the most one may be", b.What, Size(b.Max))
	}
	// A record larger than the budget takes one more Read, which fails.
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.R.Read(p)
	b.read += int64(n)
	return n, err
}

// Size formats a byte count for a message: 64 MiB, 1.5 GiB, 300 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)))
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)))
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)))
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string {
	return string(bytes.Replace([]byte(s), []byte(".0 "), []byte(" "), 1))
}
