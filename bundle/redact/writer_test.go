package redact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// writeIn writes s to a new Writer of r in pieces of the given sizes (the
// last size repeats) and returns what came out.
func writeIn(t *testing.T, r *Redactor, s string, sizes ...int) string {
	t.Helper()
	var out bytes.Buffer
	w := r.Writer("w", &out)
	for i := 0; len(s) > 0; i++ {
		n := sizes[len(sizes)-1]
		if i < len(sizes) {
			n = sizes[i]
		}
		if n > len(s) {
			n = len(s)
		}
		if k, err := w.Write([]byte(s[:n])); err != nil || k != n {
			t.Fatalf("Write = %d, %v", k, err)
		}
		s = s[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriter_SecretSplitAcrossWrites(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	in := "GET /x?To=%2B14155551234 " + authToken + " Authorization: Basic abcdef\r\nnext line " + authToken + "\nno newline at end " + authToken
	want := r.String("s", in)
	for _, size := range []int{1, 2, 3, 7, 16, 33, len(in)} {
		got := writeIn(t, r, in, size)
		if got != want {
			t.Errorf("writes of %d bytes:\n got  %q\n want %q", size, got, want)
		}
	}
}

func TestWriter_SecretAcrossInternalChunk(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	// One Write bigger than the internal chunk, with the secret straddling
	// the chunk edge on a line that is still open there.
	pad := strings.Repeat("x", writeChunk-10)
	in := "start\n" + pad + " " + authToken + " tail\nend"
	got := writeIn(t, r, in, len(in))
	if strings.Contains(got, authToken) {
		t.Fatal("secret split at the internal chunk edge leaked")
	}
	if want := r.String("s", in); got != want {
		t.Error("Writer output differs from String output")
	}
}

func TestWriter_VeryLongLines(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a=b&", 3<<20/4) // 3 MiB line
	in := long + authToken + long + "&token=abc\n" + authToken
	got := writeIn(t, r, in, 64<<10)
	if strings.Contains(got, authToken) || strings.Contains(got, "token=abc") {
		t.Fatal("secret in a 6 MiB line leaked")
	}
	if want := r.String("s", in); got != want {
		t.Error("Writer output differs from String output on long lines")
	}
}

func TestWriter_LineBeyondLimitIsCutOutsideSecrets(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}})
	if err != nil {
		t.Fatal(err)
	}
	// No delimiter and no line break: the cut can only be made by position,
	// and secrets sit all around the places it may fall.
	unit := "x" + authToken
	in := strings.Repeat(unit, (maxLine+3*writeChunk)/len(unit))
	got := writeIn(t, r, in, writeChunk/3)
	if strings.Contains(got, authToken) {
		t.Fatal("secret leaked where an over-long line was cut")
	}
	if n := strings.Count(got, "[REDACTED:secret]"); n != strings.Count(in, authToken) {
		t.Errorf("redacted %d of %d secrets", n, strings.Count(in, authToken))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriter_Errors(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := r.Writer("out.log", failWriter{})
	if _, err := io.WriteString(w, "line\n"); err == nil || !strings.Contains(err.Error(), "out.log") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write error = %v, want the file name and the cause", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed write must report the failure")
	}

	var buf bytes.Buffer
	w = r.Writer("ok.log", &buf)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close must fail")
	}
}

func TestWriter_HoldsBackOnlyTheOpenLine(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := r.Writer("stderr", &buf)
	io.WriteString(w, "progress 10%\rprogress 20%\rpartial")
	if got := buf.String(); got != "progress 10%\rprogress 20%\r" {
		t.Errorf("written before Close: %q, want the finished lines (a progress line ends at \\r)", got)
	}
	w.Close()
	if got := buf.String(); !strings.HasSuffix(got, "partial") {
		t.Errorf("Close did not write the open line: %q", got)
	}
}
