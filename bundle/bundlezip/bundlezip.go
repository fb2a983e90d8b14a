// Package bundlezip is the layout of a bundle's zip: every file of the
// bundle lies under one top-level folder named like the zip without ".zip",
// so that unzipping it never spills into the current directory. Reading
// goes through Open or NewReader, which hide the folder (and read bundles
// written before it, with their files at the top) and bound what a zip
// given by the user may cost: the entries it lists, and what each expands
// to, absolutely and relative to its compressed size.
package bundlezip

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// ManifestFile is the file every bundle holds at its top.
const ManifestFile = "manifest.json"

// Folder is the top-level folder of the bundle zip at path: its file name
// without ".zip".
func Folder(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".zip")
}

// EntryName is the name, in a zip whose folder is folder, of the bundle's
// file name ("manifest.json", "logs/…").
func EntryName(folder, name string) string {
	return folder + "/" + name
}

// Bounds of what reading a zip may cost. A bundle of 2,500 incidents has
// some 2,600 entries, and its largest entry (alerts.ndjson with details)
// rarely passes 100 MB or compresses better than 30 to 1.
const (
	// MaxEntries is the most entries a zip may list.
	MaxEntries = 200_000
	// MaxEntrySize is the most one entry may expand to.
	MaxEntrySize = 4 << 30
	// MaxRatio is the most an entry may expand relative to its compressed
	// size (deflate reaches about 1,000 on runs of one byte: a zip bomb).
	MaxRatio = 200
	// ratioSlack lets small entries, whose compressed size is mostly
	// overhead, expand more.
	ratioSlack = 1 << 20
)

// ErrTooLarge is wrapped by the errors of zips and entries beyond the bounds.
var ErrTooLarge = errors.New("beyond the bounds of a bundle")

// LimitError is an entry beyond MaxEntrySize or MaxRatio: one short
// sentence of the catalogs (Key, with Figures) that names the entry and the
// bound. Error gives it in English, Text in a language.
type LimitError struct {
	Key     string
	Figures map[string]any
}

func (e *LimitError) Error() string { return e.Text("en") }

// Text is the sentence in lang.
func (e *LimitError) Text(lang string) string {
	s, err := templates.Sentence(lang, e.Key, e.Figures)
	if err != nil {
		return fmt.Sprintf("%v: %v", e.Figures["entry"], ErrTooLarge)
	}
	return s
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

// Reader reads the files of a bundle zip by their names in the bundle.
type Reader struct {
	// Files are the bundle's files in zip order; directories are left out.
	Files []*File
	// Folder is the top-level folder the files lie under ("" for a bundle
	// written with its files at the top).
	Folder string
	byName map[string]*File
	closer io.Closer
}

// File is one file of a bundle.
type File struct {
	// Name is the file's name in the bundle, without the top-level folder.
	Name string
	zf   *zip.File
}

// Open opens the bundle zip at path.
func Open(path string) (*Reader, error) {
	f, err := infile.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	var r *Reader
	if err == nil {
		r, err = NewReader(f, st.Size())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the bundle zip held in ra, of size bytes.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	if n, err := countEntries(ra, size); err != nil {
		return nil, err
	} else if n > MaxEntries {
		return nil, fmt.Errorf("the zip lists %d entries, more than the %d of any bundle: %w", n, MaxEntries, ErrTooLarge)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, err
	}
	r := &Reader{byName: map[string]*File{}}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		r.Files = append(r.Files, &File{Name: zf.Name, zf: zf})
	}
	if folder := commonFolder(r.Files); folder != "" {
		r.Folder = strings.TrimSuffix(folder, "/")
		for _, f := range r.Files {
			f.Name = strings.TrimPrefix(f.Name, folder)
		}
	}
	for _, f := range r.Files {
		if _, dup := r.byName[f.Name]; !dup {
			r.byName[f.Name] = f
		}
	}
	return r, nil
}

// commonFolder is "X/" when every name lies under the same folder X/ and
// X/manifest.json, the file every bundle has at its top, is one of them;
// otherwise "" (a bundle written with its files at the top).
func commonFolder(files []*File) string {
	if len(files) == 0 {
		return ""
	}
	first, _, ok := strings.Cut(files[0].Name, "/")
	if !ok || first == "" {
		return ""
	}
	prefix := first + "/"
	manifest := false
	for _, f := range files {
		if !strings.HasPrefix(f.Name, prefix) {
			return ""
		}
		manifest = manifest || f.Name == prefix+ManifestFile
	}
	if !manifest {
		return ""
	}
	return prefix
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// File returns the bundle's file name, or nil.
func (r *Reader) File(name string) *File { return r.byName[name] }

// ReadFile returns the content of the bundle's file name, refused past max
// bytes (and past the bounds of every entry).
func (r *Reader) ReadFile(name string, max int64) ([]byte, error) {
	f := r.File(name)
	if f == nil {
		return nil, fmt.Errorf("no %s in the bundle", name)
	}
	return f.ReadAll(max)
}

// Size is what the file expands to, as the zip declares it (reading never
// gives more).
func (f *File) Size() int64 { return int64(min(f.zf.UncompressedSize64, 1<<62)) }

// Modified is the file's modification time in the zip.
func (f *File) Modified() time.Time { return f.zf.Modified }

// Open opens the file for reading, once its declared size is checked
// against MaxEntrySize and MaxRatio.
func (f *File) Open() (io.ReadCloser, error) {
	size, packed := f.zf.UncompressedSize64, f.zf.CompressedSize64
	if size > MaxEntrySize {
		return nil, &LimitError{Key: "zip.entry_too_large", Figures: map[string]any{"entry": f.Name, "max": infile.Size(MaxEntrySize)}}
	}
	if size > packed*MaxRatio+ratioSlack {
		return nil, &LimitError{Key: "zip.bomb", Figures: map[string]any{"entry": f.Name, "ratio": MaxRatio}}
	}
	rc, err := f.zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%q: %w", f.Name, err)
	}
	return rc, nil
}

// ReadAll returns the file's content, refused when it is larger than max.
func (f *File) ReadAll(max int64) ([]byte, error) {
	if f.Size() > max {
		return nil, fmt.Errorf("%q is %d bytes, more than the %d expected: %w", f.Name, f.Size(), max, ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", f.Name, err)
	}
	return b, nil
}

// countEntries reads the number of entries from the zip's end of central
// directory record (ZIP64 included) without reading the directory itself,
// so that a zip listing millions of entries is refused before they are
// read into memory.
func countEntries(ra io.ReaderAt, size int64) (uint64, error) {
	const (
		endLen      = 22
		endSig      = 0x06054b50
		locatorLen  = 20
		locatorSig  = 0x07064b50
		end64Sig    = 0x06064b50
		maxComment  = 65535
		entries16At = 10
	)
	tail := min(size, endLen+maxComment)
	if tail < endLen {
		return 0, zip.ErrFormat
	}
	buf := make([]byte, tail)
	if _, err := ra.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, err
	}
	at := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == endSig {
			at = i
			break
		}
	}
	if at < 0 {
		return 0, zip.ErrFormat
	}
	n := uint64(binary.LittleEndian.Uint16(buf[at+entries16At:]))
	if n != 0xffff {
		return n, nil
	}
	// ZIP64: the locator before the record points at the ZIP64 record.
	endAt := size - tail + int64(at)
	if endAt < locatorLen {
		return n, nil
	}
	loc := make([]byte, locatorLen)
	if _, err := ra.ReadAt(loc, endAt-locatorLen); err != nil || binary.LittleEndian.Uint32(loc) != locatorSig {
		return n, nil
	}
	off := int64(binary.LittleEndian.Uint64(loc[8:]))
	rec := make([]byte, 56)
	if off < 0 || off > size-56 {
		return 0, zip.ErrFormat
	}
	if _, err := ra.ReadAt(rec, off); err != nil || binary.LittleEndian.Uint32(rec) != end64Sig {
		return 0, zip.ErrFormat
	}
	return binary.LittleEndian.Uint64(rec[32:]), nil
}

// ReadAll returns every file of the bundle zip at path by its name in the
// bundle. The files must lie under the folder named like the zip, as this
// package writes them.
func ReadAll(path string) (map[string][]byte, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if want := Folder(path); r.Folder != want {
		return nil, fmt.Errorf("%s: the files lie under %q, not under the folder %q", path, r.Folder, want)
	}
	out := make(map[string][]byte, len(r.Files))
	for _, f := range r.Files {
		if out[f.Name], err = f.ReadAll(MaxEntrySize); err != nil {
			return nil, err
		}
	}
	return out, nil
}
