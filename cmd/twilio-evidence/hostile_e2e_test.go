//go:build linux

package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// bombSize is what the bombs of these tests expand to.
const bombSize = 2 << 30

// writeGzipBomb writes 2 GiB of spaces as a gzip file of some 2 MB: one
// member per MiB, each made once and repeated, so it is written in
// milliseconds.
func writeGzipBomb(t *testing.T, path string) {
	t.Helper()
	var one bytes.Buffer
	w, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	w.Write(bytes.Repeat([]byte(" "), 1<<20))
	w.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i < bombSize>>20; i++ {
		if _, err := f.Write(one.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
}

// writeZipBomb writes a bundle zip whose incidents.csv and
// stats/summary.json each expand to 2 GiB of spaces: a manifest first, as
// in a bundle, then the bombs, stored as raw deflate blocks of one MiB
// each, repeated.
func writeZipBomb(t *testing.T, path string) {
	t.Helper()
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(chunk)
	fw.Flush() // ends on a byte boundary: blocks can follow one another
	var last bytes.Buffer
	lw, _ := flate.NewWriter(&last, flate.BestCompression)
	lw.Close()
	crc := uint32(0)
	for i := 0; i < bombSize>>20; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}

	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	folder := strings.TrimSuffix(filepath.Base(path), ".zip")
	m, _ := zw.Create(folder + "/manifest.json")
	m.Write([]byte(`{"tool": {"name": "twilio-evidence"}, "files": []}` + "\n"))
	for _, name := range []string{"incidents.csv", "stats/summary.json"} {
		h := &zip.FileHeader{Name: folder + "/" + name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(block.Len())*(bombSize>>20) + uint64(last.Len()), UncompressedSize64: bombSize}
		raw, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < bombSize>>20; i++ {
			raw.Write(block.Bytes())
		}
		raw.Write(last.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// hostileLimits: a run given a hostile file ends within hostileGuard (it is
// killed and the test fails otherwise) and peaks under hostileMaxRSS; one
// given a named pipe ends within fifoGuard: it is refused without waiting
// for a writer.
const (
	hostileGuard  = 10 * time.Second
	fifoGuard     = 3 * time.Second
	hostileMaxRSS = 200 << 20
)

// TestE2E_HostileFilesToEveryFileFlag gives /dev/zero, a gzip of 2 GiB of
// spaces, a named pipe no program writes to and, where a zip is read, a zip
// holding 2 GiB of spaces to every flag that names a file to read: each run
// ends within 10 s (3 s for the pipe) with exit 2 and one line naming the
// flag or the file, peaks under 200 MB of memory, prints no stack trace,
// sends no request and writes nothing. The pipe is refused as "not a
// regular file" naming the path, except by the flags of a token or secrets
// file, which may be a shell's <(…) and read the silent pipe as empty.
func TestE2E_HostileFilesToEveryFileFlag(t *testing.T) {
	files := t.TempDir()
	gzBomb := filepath.Join(files, "alerts.json.gz")
	writeGzipBomb(t, gzBomb)
	zipBomb := filepath.Join(files, "twilio-evidence_AC00000000000000000000000000000e2e_bomb.zip")
	writeZipBomb(t, zipBomb)
	goodZip := redactTestZip(t, files, "twilio-evidence_AC00000000000000000000000000000e2e_x.zip", 1, 100)
	fifo := filepath.Join(files, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	goodLog := filepath.Join(files, "lb.log")
	os.WriteFile(goodLog, []byte(`203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] "POST /voice HTTP/1.1" 200 12 "-" "TwilioProxy/1.1"`+"\n"), 0o600)

	// Each flag as a command line, given the file {file} and the output
	// directory {out}; bundle, report and flow are told the fake's URL.
	flags := []struct {
		name string
		args []string
		zip  bool // a zip is read: the zip bomb too
	}{
		{"bundle --alerts-file", []string{"bundle", "--alerts-file", "{file}"}, false},
		{"bundle --incidents-file", []string{"bundle", "--incidents-file", "{file}"}, false},
		{"bundle --flow", []string{"bundle", "--flow", "{file}"}, false},
		{"bundle --font", []string{"bundle", "--lang", "ja", "--font", "{file}"}, false},
		{"bundle --auth-token-file", []string{"bundle", "--auth-token-file", "{file}"}, false},
		{"bundle --probe-history", []string{"bundle", "--probe-history", "{file}"}, false},
		{"bundle --hop", []string{"bundle", "--hop", "lb={file}"}, false},
		{"bundle --log", []string{"bundle", "--log", "app={file}"}, false},
		{"bundle --previous", []string{"bundle", "--previous", "{file}"}, true},
		{"trace --alerts-file", []string{"trace", "--hop", "lb=" + goodLog, "--alerts-file", "{file}"}, false},
		{"trace --incidents-file", []string{"trace", "--hop", "lb=" + goodLog, "--incidents-file", "{file}"}, false},
		{"trace --hop", []string{"trace", "--hop", "lb={file}"}, false},
		{"trace --log", []string{"trace", "--hop", "lb=" + goodLog, "--log", "app={file}"}, false},
		{"report --auth-token-file", []string{"report", "--auth-token-file", "{file}"}, false},
		{"report --font", []string{"report", "--lang", "ja", "--font", "{file}"}, false},
		{"flow --auth-token-file", []string{"flow", "--auth-token-file", "{file}"}, false},
		{"probe --auth-token-file", []string{"probe", "--style", "twilio", "--auth-token-file", "{file}", "http://127.0.0.1:9/voice"}, false},
		{"probe --record", []string{"probe", "--record", "{file}", "http://127.0.0.1:9/voice"}, false},
		{"redact's input", []string{"redact", "{file}", "-o", "{out}/out.zip"}, true},
		{"redact --secret-file", []string{"redact", goodZip, "--secret-file", "{file}", "-o", "{out}/out.zip"}, false},
	}
	for _, fl := range flags {
		inputs := map[string]string{"/dev/zero": "/dev/zero", "gzip bomb": gzBomb, "named pipe": fifo}
		pipeOK := strings.Contains(fl.name, "--auth-token-file") || strings.Contains(fl.name, "--secret-file")
		if fl.zip {
			inputs["zip bomb"] = zipBomb
		}
		for what, path := range inputs {
			t.Run(fl.name+"/"+what, func(t *testing.T) {
				fake, _ := e2eFake(t)
				out := t.TempDir()
				var args []string
				for _, a := range fl.args {
					args = append(args, strings.NewReplacer("{file}", path, "{out}", out).Replace(a))
				}
				if a := args[0]; a == "bundle" || a == "report" || a == "flow" {
					args = append(args, "--api-url", fake.URL)
				}
				if args[0] == "bundle" || args[0] == "report" {
					args = append(args, "--output", out)
				}
				guard := hostileGuard
				if path == fifo {
					guard = fifoGuard
				}
				code, stderr, rss := runHostile(t, args, guard)
				if code != exitUsage {
					t.Errorf("exit %d, want 2\nstderr: %s", code, stderr)
				}
				line := strings.TrimSpace(stderr)
				if line == "" || strings.Contains(line, "\n") || len(line) > 400 {
					t.Errorf("stderr is not one short line:\n%s", stderr)
				}
				if !strings.Contains(line, path) && !strings.Contains(line, strings.Fields(fl.name)[1]) {
					t.Errorf("stderr %q names neither the file nor the flag", line)
				}
				if path == fifo && !strings.Contains(line, fifo) {
					t.Errorf("stderr %q does not name the pipe", line)
				}
				if path == fifo && !pipeOK && !strings.Contains(line, "not a regular file") {
					t.Errorf("stderr %q does not say the pipe is not a regular file", line)
				}
				t.Logf("%s (peak %d MB)", line, rss>>20)
				if rss > hostileMaxRSS {
					t.Errorf("peak memory %d MB, want under %d MB", rss>>20, hostileMaxRSS>>20)
				}
				if n := fake.Requests("/"); n != 0 {
					t.Errorf("the fake saw %d requests, want none", n)
				}
				assertEmptyDir(t, out)
			})
		}
	}
}

// runHostile runs the binary with args and returns its exit code, its
// stderr and its peak resident memory in bytes. A run still going after
// guard is killed and fails the test; a stack trace fails it too.
func runHostile(t *testing.T, args []string, guard time.Duration) (int, string, int64) {
	t.Helper()
	tmp := t.TempDir()
	r := e2eCommand.Run(t, testkit.Run{Env: append(e2eBaseEnv(t, tmp), e2eEnv()...), Guard: guard}, args...)
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in TMPDIR: %v", dirNames(left))
	}
	ru := r.State.SysUsage().(*syscall.Rusage)
	return r.Code, r.Stderr, ru.Maxrss << 10 // Linux counts KiB
}
