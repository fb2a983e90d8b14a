package hoplog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

// ExpandFiles lists the files a spec's pattern names, oldest rotation first:
// access.log.3.gz, access.log.2.gz, access.log.1, access.log. A pattern
// without glob characters must name an existing file.
func ExpandFiles(pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		fi, err := os.Stat(pattern)
		if err != nil {
			return nil, fmt.Errorf("log %s: %w", pattern, err)
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("log %s: is a directory", pattern)
		}
		if !fi.Mode().IsRegular() {
			// A log is read at offsets and measured by its size.
			return nil, fmt.Errorf("log %s: is not a regular file", pattern)
		}
		return []string{pattern}, nil
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("log pattern %q: %w", pattern, err)
	}
	var files []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
			files = append(files, m)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("log pattern %q: no files match", pattern)
	}
	sortRotated(files)
	return files, nil
}

// rotation is the number logrotate appends (access.log.2.gz → 2); 0 for
// none.
func rotation(name string) int {
	name = strings.TrimSuffix(name, ".gz")
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// sortRotated orders numbered rotations from the highest (oldest) down,
// then the others by name, a file that is the prefix of another (the live
// log) after it.
func sortRotated(files []string) {
	sort.SliceStable(files, func(i, j int) bool {
		a, b := files[i], files[j]
		ra, rb := rotation(a), rotation(b)
		if ra != rb {
			return ra > rb
		}
		if strings.HasPrefix(b, a) {
			return false
		}
		if strings.HasPrefix(a, b) {
			return true
		}
		return a < b
	})
}

// utf8BOM is the byte-order mark a log written on Windows may start with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// logFile is an opened log: plain files can be read at offsets, gzip files
// only as a stream, which expands at most infile.MaxRatio times.
type logFile struct {
	f    *os.File
	size int64
	gz   io.Reader
}

// openLog opens a log file, gunzipping it when it starts with the gzip magic
// bytes whatever its name.
func openLog(path string) (*logFile, error) {
	f, err := infile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat log: %w", err)
	}
	var magic [2]byte
	n, _ := f.ReadAt(magic[:], 0)
	lf := &logFile{f: f, size: fi.Size()}
	if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, _, err := infile.NewReader(f, infile.Limits{Gunzip: true})
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open gzip log: %w", err)
		}
		lf.gz = gz
	}
	return lf, nil
}

// reader gives the log's (decompressed) text from the start.
func (l *logFile) reader() io.Reader {
	if l.gz != nil {
		return l.gz
	}
	return io.NewSectionReader(l.f, 0, l.size)
}

func (l *logFile) Close() error { return l.f.Close() }

// bombCheckBytes is how much of a gzip log Check decompresses.
const bombCheckBytes = 2 << 20

// Check makes sure that a spec's files exist and can be opened, and that its
// format is valid or can be detected from the first lines, without scanning
// the files. It returns what detection found (or the given format). Callers
// use it to refuse bad input before any work starts; the errors wrap
// ErrUnknownFormat when only the format is in question.
func Check(spec Spec, loc *time.Location) (Detection, error) {
	files, err := ExpandFiles(spec.Pattern)
	if err != nil {
		return Detection{}, fmt.Errorf("%s: %w", spec.Name, err)
	}
	for _, path := range files {
		lf, err := openLog(path)
		if err != nil {
			return Detection{}, fmt.Errorf("%s: %s: %w", spec.Name, path, err)
		}
		if lf.gz != nil {
			// A gzip bomb shows within its first megabytes (see infile).
			if _, err := io.CopyN(io.Discard, lf.gz, bombCheckBytes); errors.Is(err, infile.ErrTooLarge) {
				lf.Close()
				return Detection{}, fmt.Errorf("%s: %s: %w", spec.Name, path, err)
			}
		}
		lf.Close()
	}
	if spec.Format != "" && spec.Format != "auto" {
		f, err := ParseFormat(spec.Format)
		if err != nil {
			return Detection{}, fmt.Errorf("%s: %w", spec.Name, err)
		}
		return Detection{Format: f.Name, Given: true, Detail: f.Detail()}, nil
	}
	_, det, err := DetectFiles(files, loc, time.Time{})
	if err != nil {
		return det, fmt.Errorf("%s (%s): %w", spec.Name, spec.Pattern, err)
	}
	return det, nil
}
