package infile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func read(t *testing.T, data []byte, lim Limits) ([]byte, error) {
	t.Helper()
	r, _, err := NewReader(bytes.NewReader(data), lim)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestNewReader_BoundsAndBOM(t *testing.T) {
	text := []byte("alert_sid,time\nNO1,2026-11-20T10:00:00Z\n")
	for name, c := range map[string]struct {
		data []byte
		lim  Limits
		want []byte
		err  bool
	}{
		"plain":                    {text, Limits{Text: true}, text, false},
		"byte-order mark dropped":  {append([]byte("\ufeff"), text...), Limits{Text: true}, text, false},
		"byte-order mark of gzip":  {gz(t, append([]byte("\ufeff"), text...)), Limits{Text: true, Gunzip: true}, text, false},
		"binary keeps its bytes":   {append([]byte("\ufeff"), text...), Limits{}, append([]byte("\ufeff"), text...), false},
		"exactly MaxBytes":         {text, Limits{MaxBytes: int64(len(text))}, text, false},
		"one byte past MaxBytes":   {text, Limits{MaxBytes: int64(len(text)) - 1}, nil, true},
		"gzip past MaxBytes":       {gz(t, text), Limits{MaxBytes: 10, Gunzip: true}, nil, true},
		"gzip not asked for stays": {gz(t, text), Limits{}, gz(t, text), false},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := read(t, c.data, c.lim)
			if c.err {
				if !errors.Is(err, ErrTooLarge) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line wrapping ErrTooLarge", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// bomb is n MiB of b, gzipped as one member per MiB: it is made in
// milliseconds and compresses a thousand times.
func bomb(t testing.TB, b byte, n int) []byte {
	var one bytes.Buffer
	w, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	w.Write(bytes.Repeat([]byte{b}, 1<<20))
	w.Close()
	return bytes.Repeat(one.Bytes(), n)
}

func TestNewReader_RefusesAGzipBombEarly(t *testing.T) {
	data := bomb(t, ' ', 2048) // 2 GiB of spaces
	r, gzipped, err := NewReader(bytes.NewReader(data), Limits{Gunzip: true})
	if err != nil || !gzipped {
		t.Fatalf("NewReader: %v, gzip %v", err, gzipped)
	}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "gzip bomb") {
		t.Fatalf("after %d bytes: %v, want the bomb refused", n, err)
	}
	if n > 4<<20 {
		t.Errorf("decompressed %d bytes before refusing, want a few MiB at most", n)
	}
	// Ordinary text compresses far less: read whole.
	var log bytes.Buffer
	for i := 0; log.Len() < 8<<20; i++ {
		log.WriteString("203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] \"POST /voice?n=" + strings.Repeat("x", i%37) + " HTTP/1.1\" 502 0\n")
	}
	got, err := read(t, gz(t, log.Bytes()), Limits{Gunzip: true})
	if err != nil || len(got) != log.Len() {
		t.Errorf("an access log: %d bytes, %v", len(got), err)
	}
}

func TestReadFile_RefusesALargeFileUnread(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, bytes.Repeat([]byte("x"), 100), 0o600)
	if _, err := ReadFile(p, Limits{MaxBytes: 99}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile = %v, want too large", err)
	}
	if b, err := ReadFile(p, Limits{MaxBytes: 100}); err != nil || len(b) != 100 {
		t.Errorf("ReadFile at the bound = %d bytes, %v", len(b), err)
	}
}

func TestBudget(t *testing.T) {
	b := &Budget{R: strings.NewReader(strings.Repeat("x", 100)), Max: 10, What: "one row"}
	buf := make([]byte, 8)
	for i := 0; i < 5; i++ { // 8 bytes per record: within the budget
		b.Start(int64(8 * i))
		if _, err := b.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	// A record starting at 36, of which the decoder already read 4 bytes:
	// 7 more bytes are one too many.
	b.Start(36)
	if n, err := b.Read(buf); n != 7 || err != nil {
		t.Fatalf("read %d, %v; want the 7 bytes up to one past the budget", n, err)
	}
	if _, err := b.Read(buf); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "one row is larger than 10 bytes") {
		t.Errorf("past the budget: %v", err)
	}
}
