package collect

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	monitor "github.com/twilio/twilio-go/rest/monitor/v1"

	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

func countAlerts(t testing.TB, in io.Reader) (int, error) {
	t.Helper()
	n := 0
	_, err := ReadAlerts(in, func(monitor.MonitorV1Alert) error { n++; return nil })
	return n, err
}

func TestReadAlerts_AcceptsAByteOrderMark(t *testing.T) {
	for name, in := range map[string]string{
		"page":         "\ufeff" + `{"alerts":[` + offAlert1 + `],"meta":{}}`,
		"NDJSON":       "\ufeff" + offAlert1 + "\n" + offAlert2 + "\n",
		"gzipped page": gz("\ufeff[" + offAlert1 + "]"),
	} {
		if n, err := countAlerts(t, strings.NewReader(in)); err != nil || n == 0 {
			t.Errorf("%s with a byte-order mark: %d alerts, %v", name, n, err)
		}
	}
	csvIn := "\ufeffSid,Date Created,Error Code,Resource Sid,Request URL\nNO1,2026-11-20 10:00:00,11200,CA1,https://a.example/voice\n"
	n := 0
	if _, err := ReadIncidentsCSV(strings.NewReader(gz(csvIn)), nil, func(Incident) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("gzipped incidents CSV with a byte-order mark: %d rows, %v", n, err)
	}
}

func TestReadAlerts_WhitespaceKeepsStringsWhole(t *testing.T) {
	// Whitespace between tokens is squeezed; inside strings (escaped
	// quotes too) it is kept.
	msg := `a  \"  b` + "\\t\\n" + `   c`
	in := "[\n\n   " + strings.Replace(offAlert1, `"alert_text":"`, `"alert_text" :   "`+msg+`&`, 1) + "   \n\t,\r\n" + offAlert2 + strings.Repeat(" ", 1<<20) + "]"
	var texts []string
	_, err := ReadAlerts(strings.NewReader(in), func(al monitor.MonitorV1Alert) error {
		texts = append(texts, deref(al.AlertText))
		return nil
	})
	var want string
	json.Unmarshal([]byte(`"`+msg+`"`), &want)
	if err != nil || len(texts) != 2 || !strings.HasPrefix(texts[0], want+"&") {
		t.Fatalf("alerts %q, %v; want the first to start with %q", texts, err, want)
	}
}

func TestReadAlerts_RefusesAnAlertPastItsBound(t *testing.T) {
	huge := strings.Replace(offAlert1, `"alert_text":"`, `"alert_text":"`+strings.Repeat("x", MaxRecordBytes+1), 1)
	for name, in := range map[string]string{
		"NDJSON":                 huge + "\n",
		"array":                  "[" + offAlert2 + "," + huge + "]",
		"page":                   `{"alerts":[` + huge + `]}`,
		"one object, many keys":  "{" + strings.Repeat(`"k":1,`, MaxRecordBytes/6+1) + `"sid":"NO1"}`,
		"a page field past both": `{"meta":"` + strings.Repeat("x", MaxRecordBytes+1) + `","alerts":[]}`,
	} {
		_, err := countAlerts(t, strings.NewReader(in))
		if !errors.Is(err, infile.ErrTooLarge) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line refusing it", name, err)
		}
	}
	// Many alerts of ordinary size are not one large one.
	var many strings.Builder
	for many.Len() < 2*MaxRecordBytes {
		many.WriteString(offAlert1 + "\n")
	}
	if n, err := countAlerts(t, strings.NewReader(`{"alerts":[`+strings.TrimSuffix(strings.ReplaceAll(many.String(), "\n", ","), ",")+`]}`)); err != nil || n == 0 {
		t.Errorf("a page of %d bytes: %d alerts, %v", many.Len(), n, err)
	}
}

func TestReadIncidentsCSV_RefusesARowPastItsBound(t *testing.T) {
	in := "alert_sid,time,error_code\nNO1,2026-11-20T10:00:00Z," + strings.Repeat("1", MaxRecordBytes+1) + "\n"
	_, err := ReadIncidentsCSV(strings.NewReader(in), nil, func(Incident) error { return nil })
	if !errors.Is(err, infile.ErrTooLarge) {
		t.Errorf("err = %v, want the row refused", err)
	}
}

// gzipped is data, gzipped.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// mixedWhitespace is size bytes of spaces, tabs, CRs and newlines in a
// random order: gzip packs it some four times, too little to be a bomb.
func mixedWhitespace(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, size)
	for i := range out {
		out[i] = " \t\r\n"[rng.IntN(4)]
	}
	return out
}

// BenchmarkReadAlerts_Whitespace reads 40 MiB of whitespace as an alerts
// file, each case with its reference in the same run:
//   - "gzip": spaces gzipped (40 KiB), refused as a gzip bomb;
//     "gunzip" decompresses the same gzip whole;
//   - "gzip-mixed": mixed whitespace in a JSON array, gzipped (some
//     10 MiB), read through; "gunzip-mixed" decompresses it whole;
//   - "array": plain spaces in a JSON array, read through; "plain": plain
//     spaces, refused (no JSON value); "copy" copies the array's bytes.
func BenchmarkReadAlerts_Whitespace(b *testing.B) {
	const size = 40 << 20
	plain := bytes.Repeat([]byte(" "), size)
	packed := gzipped(plain)
	array := append(append([]byte("["), plain...), ']')
	mixed := gzipped(append(append([]byte("["), mixedWhitespace(size)...), ']'))
	gunzip := func(b *testing.B, data []byte) {
		b.SetBytes(size)
		for b.Loop() {
			z, _ := gzip.NewReader(bytes.NewReader(data))
			if _, err := io.Copy(io.Discard, z); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("gunzip", func(b *testing.B) { gunzip(b, packed) })
	b.Run("gzip", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := countAlerts(b, bytes.NewReader(packed)); !errors.Is(err, infile.ErrTooLarge) {
				b.Fatal(err)
			}
		}
	})
	b.Run("gunzip-mixed", func(b *testing.B) { gunzip(b, mixed) })
	b.Run("gzip-mixed", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if n, err := countAlerts(b, bytes.NewReader(mixed)); err != nil || n != 0 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			io.Copy(io.Discard, struct{ io.Reader }{bytes.NewReader(array)})
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := countAlerts(b, bytes.NewReader(plain)); err == nil {
				b.Fatal("40 MiB of spaces read as alerts")
			}
		}
	})
	b.Run("array", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if n, err := countAlerts(b, bytes.NewReader(array)); err != nil || n != 0 {
				b.Fatal(n, err)
			}
		}
	})
}
