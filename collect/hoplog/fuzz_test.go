package hoplog

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func fuzzFormats(t testing.TB) []*Format {
	fs := Formats()
	for _, spec := range []string{
		`regex:^(?P<time>\S+) (?P<method>\S+) (?P<path>\S+) (?P<status>\d+) (?P<duration>\S+)`,
		`regex:(?P<time>\S+ \S+) .*DST=(?P<dst>\S+) .*DPT=(?P<dport>\d+) (?P<action>\S+)`,
		"json:time=a.b,path=c,status=d,duration=e_ms",
	} {
		f, err := ParseFormat(spec)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

// FuzzParseLine feeds arbitrary lines to every format: no panic, and a
// record's time is set whenever the line parses.
func FuzzParseLine(f *testing.F) {
	for _, fm := range fuzzFormats(f) {
		for _, s := range fm.Samples {
			f.Add([]byte(s.Line))
		}
	}
	f.Add([]byte("\x00\xff[25/Nov/2026:10:00:00 +0900] \"\\"))
	fs := fuzzFormats(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, fm := range fs {
			r, err := fm.Parse(line, time.UTC, sampleRef)
			if err == nil && r.Time.IsZero() {
				t.Errorf("%s parsed %q without a time", fm.Name, line)
			}
			fm.Time(line, time.UTC, sampleRef)
		}
		Detect(bytes.Split(line, []byte("\n")), time.UTC, sampleRef)
	})
}

// FuzzParseSpec: any spec string parses or fails, never panics, and a parsed
// spec has a name and a path.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"web=/a.log", "fw=/k.log:regex:(?P<time>\\S+):x", "x=a:b:json:time=t", "=", "a=:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err == nil && (sp.Name == "" || sp.Pattern == "") {
			t.Errorf("ParseSpec(%q) = %+v", s, sp)
		}
	})
}

// FuzzScan runs the block scanner, seekable and streamed, over arbitrary
// file contents with small blocks: no panic, and the statistics add up.
func FuzzScan(f *testing.F) {
	w := lineWriters["combined"]
	in := traceIncidents(1)[0]
	var b bytes.Buffer
	for i := 0; i < 50; i++ {
		b.WriteString(w(reqEvent(in, 200, time.Second, "")) + "\n")
	}
	f.Add(b.Bytes(), uint8(0))
	f.Add([]byte("no newline at all"), uint8(1))
	f.Add([]byte("\n\n\r\n\x00"), uint8(2))
	fs := fuzzFormats(f)
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		fm := fs[int(which)%len(fs)]
		incs := traceIncidents(2)
		incs[1].SID = "CA" + string(bytes.Repeat([]byte("0"), 32))
		for _, scanAll := range []bool{false, true} {
			opts := Options{BlockSize: 4 << 10, ScanAll: scanAll, Excerpt: &bytes.Buffer{}, MaxExcerptBytes: 512}
			s := newScanner(fm, newParseContext(time.UTC, sampleRef), incs, opts)
			var st1, st2 FileStats
			s.st = &st1
			if err := s.scanSeekable(context.Background(), bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatalf("seekable scan: %v", err)
			}
			s.st = &st2
			if err := s.scanStream(context.Background(), bytes.NewReader(data)); err != nil {
				t.Fatalf("stream scan: %v", err)
			}
			if st1.Parsed+st1.Unparsed > st1.Lines || st2.Parsed+st2.Unparsed > st2.Lines {
				t.Errorf("stats do not add up: %+v %+v", st1, st2)
			}
			if st2.Bytes != int64(len(data)) {
				t.Errorf("stream read %d of %d bytes", st2.Bytes, len(data))
			}
		}
	})
}
