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
//   - a Budget bounds what one record (a JSON alert, a CSV row) may take.
package infile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
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
}

// File is a file opened for reading within its Limits.
type File struct {
	f *os.File
	r io.Reader
	// Gzip is true when the file was decompressed.
	Gzip bool
}

// Open opens path for reading within lim.
func Open(path string, lim Limits) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, gz, err := NewReader(f, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, r: r, Gzip: gz}, nil
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
