// Package rezip redacts a bundle made earlier again, for instance to mask
// phone numbers before attaching it: every file and every file's name goes
// through a new redactor, read as bundle.RedactionKind says, the manifest's
// sizes and sha256 are recomputed, redactions.json adds the new counts to
// the old ones, and the new zip is written under a temporary name and
// renamed. The same input and options give the same bytes.
//
// It refuses, before it writes anything, a zip whose entry names are not
// clean relative paths in forward slashes (a path escape for the extractor
// that unpacks it) and an output that is its input.
package rezip

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Options are what one re-redaction reads, writes and removes.
type Options struct {
	// In is the bundle to redact again; Out the zip to write, never In.
	In, Out string
	// Force replaces an existing Out.
	Force bool
	// KeepPDF keeps summary.pdf as it was; by default it is left out, since
	// its compressed text cannot be redacted again (ticket.txt holds the
	// same as plain text).
	KeepPDF bool
	// Redact configures the new redactor. Without secrets, phone masks are
	// keyed with In's content, so that the same input gives the same masks.
	Redact redact.Options
	// Tool and CommandLine are recorded in the manifest's "redacted_again"
	// list (--redact expressions hidden).
	Tool        collect.Tool
	CommandLine []string
	// Partials tracks the staging directory and the temporary zip, so that
	// a second interrupt removes them (nil: not tracked).
	Partials *bundle.Partials
}

// Result is what a re-redaction wrote.
type Result struct {
	// Path is the written zip.
	Path string
	// Dropped names the files left out, sorted.
	Dropped []string
	// Redactor is the redactor used, with its counts.
	Redactor *redact.Redactor
}

// InputError is an error of what the user gave: the input zip, its entries,
// the output path, the redaction options. Nothing was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// ErrInterrupted is returned when ctx ends the run: nothing was written and
// the staging directory is removed.
var ErrInterrupted = errors.New("interrupted: nothing was written")

// PDFDropped is the reason summary.pdf is left out, as the manifest and
// README.txt give it.
const PDFDropped = "its text is compressed and cannot be redacted again; ticket.txt holds the same as plain text (run twilio-evidence bundle again for a new PDF, or redact with --keep-pdf to keep it as it was)"

// maxJSONBytes bounds the bundle's manifest.json and redactions.json, which
// are read whole.
const maxJSONBytes = 64 << 20

// Run redacts the bundle opt.In again into opt.Out. It checks everything it
// can before it writes anything; when ctx ends it stops between two files,
// removes what it staged and returns ErrInterrupted.
func Run(ctx context.Context, opt Options) (Result, error) {
	out, err := checkPaths(opt)
	if err != nil {
		return Result{}, err
	}
	zr, err := bundlezip.Open(opt.In)
	if err != nil {
		return Result{}, inputErr("%s is not a readable zip: %v", opt.In, err)
	}
	defer zr.Close()
	if err := CheckNames(zr); err != nil {
		return Result{}, inputErr("%s: %v: not a bundle, nothing was written", opt.In, err)
	}
	ro := opt.Redact
	if len(ro.Secrets) == 0 && len(ro.MaskKey) == 0 {
		ro.MaskKey = inputKey(opt.In)
	}
	r, err := redact.New(ro)
	if err != nil {
		return Result{}, &InputError{err}
	}
	stage, err := collect.NewStage()
	if err != nil {
		return Result{}, err
	}
	defer opt.Partials.TrackDir(stage.Dir)()
	defer stage.Remove()
	stage.Filter = func(name string, w io.Writer) io.WriteCloser {
		return r.WriterOf(name, bundle.RedactionKind(name), w)
	}
	st, err := stageFiles(ctx, zr, opt, stage)
	if err != nil {
		return Result{}, err
	}
	runs := append(st.previousRuns, Pass{Tool: opt.Tool, CommandLine: opt.CommandLine})
	fin, err := bundle.Finish(stage, out, bundle.FinishOptions{
		Redactor: r, PriorReport: st.prior, Stamp: st.stamp, Partials: opt.Partials, Drop: st.drop,
		Manifest: map[string]any{"redacted_again": runs}, Context: ctx,
	})
	if ctx.Err() != nil {
		return Result{}, ErrInterrupted
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: fin.Path, Redactor: r}
	for name := range st.drop {
		res.Dropped = append(res.Dropped, name)
	}
	sort.Strings(res.Dropped)
	return res, nil
}

// checkPaths checks In and Out and returns Out's absolute path: In must be a
// file, Out neither In (by name, through links, or as the same file) nor a
// directory nor, without Force, an existing file, and Out's directory must
// exist (an InputError otherwise) and be writable (a plain error).
func checkPaths(opt Options) (string, error) {
	st, err := os.Stat(opt.In)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", inputErr("%s: no such file", opt.In)
	case err != nil:
		return "", inputErr("%s: %v", opt.In, errors.Unwrap(err))
	case st.IsDir():
		return "", inputErr("%s is a directory: give the bundle's zip", opt.In)
	}
	out, err := filepath.Abs(opt.Out)
	if err != nil {
		return "", inputErr("-o %s: %v", opt.Out, err)
	}
	in, err := filepath.Abs(opt.In)
	if err != nil {
		return "", inputErr("%s: %v", opt.In, err)
	}
	same := in == out
	if ost, err := os.Stat(out); err == nil {
		same = same || os.SameFile(st, ost)
		if !same && ost.IsDir() {
			return "", inputErr("-o %s is a directory: give the file name of the redacted bundle", opt.Out)
		}
		if !same && !opt.Force {
			return "", inputErr("-o %s exists (use --force to replace it)", opt.Out)
		}
	}
	if same {
		return "", inputErr("-o %s is the bundle being redacted: redact never writes over its input, give another file name", opt.Out)
	}
	dir := filepath.Dir(out)
	if dst, err := os.Stat(dir); err != nil || !dst.IsDir() {
		return "", inputErr("-o %s: the directory %s does not exist", opt.Out, dir)
	}
	probe, err := os.CreateTemp(dir, ".twilio-evidence-write-test-*")
	if err != nil {
		return "", fmt.Errorf("-o %s: %s is not writable: %v", opt.Out, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return out, nil
}

// CheckNames refuses a zip whose entry names (and top-level folder) are not
// clean relative paths in forward slashes: no backslash, no drive letter or
// other colon, no control character or invalid UTF-8, no absolute path, no
// "." or ".." part, no empty part. Such a name is no bundle's, and an
// extractor may write it outside the folder it unpacks into.
func CheckNames(zr *bundlezip.Reader) error {
	if zr.Folder != "" {
		if err := cleanName(zr.Folder); err != nil {
			return fmt.Errorf("the folder %q %v", zr.Folder, err)
		}
	}
	for _, f := range zr.Files {
		if err := cleanName(f.Name); err != nil {
			return fmt.Errorf("the entry %q %v", f.Name, err)
		}
	}
	return nil
}

// cleanName says what makes name no clean relative path, nil when it is one.
func cleanName(name string) error {
	switch {
	case name == "":
		return errors.New("is empty")
	case !utf8.ValidString(name):
		return errors.New("is not UTF-8")
	case strings.ContainsRune(name, '\\'):
		return errors.New("holds a backslash")
	case strings.ContainsRune(name, ':'):
		return errors.New("holds a colon (a drive letter or stream name)")
	case strings.HasPrefix(name, "/"):
		return errors.New("is an absolute path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return errors.New("holds a control character")
		}
	}
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "":
			return errors.New("has an empty part")
		case ".", "..":
			return fmt.Errorf("has a %q part", part)
		}
	}
	if path.Clean(name) != name {
		return errors.New("is not a clean path")
	}
	return nil
}

// Pass is one line of the manifest's "redacted_again" list.
type Pass struct {
	Tool        collect.Tool `json:"tool"`
	CommandLine []string     `json:"command_line"`
}

// staged is what stageFiles learned from the bundle.
type staged struct {
	prior        *redact.Report
	previousRuns []Pass
	stamp        time.Time
	drop         map[string]string
}

// stageFiles stages every file of zr through the stage's filter, reads the
// old redactions.json and the manifest's earlier runs, and decides what is
// left out. Files are streamed: memory does not grow with their size.
func stageFiles(ctx context.Context, zr *bundlezip.Reader, opt Options, stage *collect.Stage) (*staged, error) {
	res := &staged{drop: map[string]string{}}
	hasManifest := false
	for _, f := range zr.Files {
		if ctx.Err() != nil {
			return nil, ErrInterrupted
		}
		if f.Modified().After(res.stamp) {
			res.stamp = f.Modified()
		}
		switch f.Name {
		case bundle.RedactionsFile:
			data, err := f.ReadAll(maxJSONBytes)
			if err != nil {
				return nil, inputErr("%s: %v", opt.In, err)
			}
			var rep redact.Report
			if err := json.Unmarshal(data, &rep); err != nil {
				return nil, inputErr("%s: %s is not a redaction report: %v", opt.In, f.Name, err)
			}
			res.prior = &rep
			continue
		case bundle.ManifestFile:
			hasManifest = true
			data, err := f.ReadAll(maxJSONBytes)
			if err != nil {
				return nil, inputErr("%s: %v", opt.In, err)
			}
			var m struct {
				Runs []Pass `json:"redacted_again"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, inputErr("%s: %s is not JSON: %v", opt.In, f.Name, err)
			}
			res.previousRuns = m.Runs
			if err := stage.WriteFile(f.Name, data); err != nil {
				return nil, fmt.Errorf("%s: %q: %w", opt.In, f.Name, err)
			}
			continue
		case bundle.SummaryFile:
			if !opt.KeepPDF {
				res.drop[f.Name] = PDFDropped
			} else {
				// Binary: kept as it was, outside the filter.
				filter := stage.Filter
				stage.Filter = nil
				err := stageFile(ctx, stage, f)
				stage.Filter = filter
				if err != nil {
					return nil, fileErr(opt.In, err)
				}
				continue
			}
		}
		if err := stageFile(ctx, stage, f); err != nil {
			return nil, fileErr(opt.In, err)
		}
	}
	if !hasManifest {
		return nil, inputErr("%s has no %s: not a twilio-evidence bundle", opt.In, bundle.ManifestFile)
	}
	if res.stamp.IsZero() {
		res.stamp = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return res, nil
}

// fileErr is the error of staging one file: the run's interruption as it is,
// a broken entry as the input's fault.
func fileErr(in string, err error) error {
	var ie *InputError
	switch {
	case errors.Is(err, ErrInterrupted):
		return ErrInterrupted
	case errors.As(err, &ie):
		return inputErr("%s: %v", in, ie.Err)
	}
	return fmt.Errorf("%s: %w", in, err)
}

// stageFile copies the bundle's file f into the stage, through its filter,
// stopping when ctx ends.
func stageFile(ctx context.Context, stage *collect.Stage, f *bundlezip.File) error {
	rc, err := f.Open()
	if err != nil {
		return &InputError{err} // it names the entry
	}
	defer rc.Close()
	w, err := stage.Create(f.Name)
	if err != nil {
		return fmt.Errorf("entry %q: %w", f.Name, err)
	}
	_, err = io.Copy(w, ctxReader{ctx, rc})
	cerr := w.Close()
	switch {
	case ctx.Err() != nil:
		return ErrInterrupted
	case err != nil:
		return &InputError{fmt.Errorf("entry %q is broken: %w", f.Name, err)}
	case cerr != nil:
		return fmt.Errorf("entry %q: %w", f.Name, cerr)
	}
	return nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// inputKey is a phone-mask key made from the content of the file at p.
func inputKey(p string) []byte {
	h := sha256.New()
	h.Write([]byte("twilio-evidence phone mask\x00"))
	if fh, err := os.Open(p); err == nil {
		io.Copy(h, fh)
		fh.Close()
	}
	return h.Sum(nil)
}
