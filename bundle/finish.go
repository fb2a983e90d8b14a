package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// RedactionsFile is the redaction report of a bundle: how many values each
// rule removed from each file, never the values.
const RedactionsFile = "redactions.json"

// EvidenceCounts is the name under which redactions.json counts what was
// removed from the collected evidence in memory (incidents, configuration,
// findings) before summary.pdf, ticket.txt, incidents.csv and the other
// generated files were written from it.
const EvidenceCounts = "(evidence)"

// FinishOptions control how a staged bundle becomes its zip.
type FinishOptions struct {
	// Redactor, when set, redacts the entries' names and writes
	// redactions.json from its counts.
	Redactor *redact.Redactor
	// PriorReport is the redaction report the bundle already carried (a
	// bundle redacted again); the new counts are added to it.
	PriorReport *redact.Report
	// MaxSize is the budget of the zip in bytes (0: none). See Fit.
	MaxSize int64
	// Interrupted marks the bundle interrupted (SIGINT/SIGTERM) and so
	// incomplete.
	Interrupted bool
	// Stamp is the modification time of every entry.
	Stamp time.Time
	// Partials tracks the temporary zip (nil: not tracked).
	Partials *Partials
	// Drop leaves entries out, with the reason noted in the manifest and
	// README.txt.
	Drop map[string]string
	// Manifest adds top-level fields to manifest.json.
	Manifest map[string]any
	// Context, when set, stops Finish between two entries once it ends
	// (a re-redaction interrupted): nothing is written then.
	Context context.Context
}

// FinishResult is what Finish wrote.
type FinishResult struct {
	Path string
	// Size is the zip's size in bytes.
	Size int64
	// Trimmed lists what was cut to fit MaxSize.
	Trimmed []Trim
	// OverBudget is true when the bundle does not fit MaxSize even with
	// everything that may be cut cut; it is then written whole, and
	// Smallest is the size it would have had with everything cut.
	OverBudget bool
	Smallest   int64
}

// Trim is one file cut to fit the size budget: a line of the manifest's
// "trimmed" list.
type Trim struct {
	Name        string `json:"name"`
	Action      string `json:"action"`
	BytesBefore int64  `json:"bytes_before"`
	BytesAfter  int64  `json:"bytes_after"`
}

// Trim actions.
const (
	TrimCut     = "cut"             // the first lines are kept
	TrimDetails = "details_removed" // alert request/response headers and bodies removed
	TrimDropped = "dropped"         // left out
)

// entry is one file of the zip being made.
type entry struct {
	name string // in the zip (redacted)
	src  string // stage name it comes from ("" for generated ones)
	path string // file holding the content, or
	data []byte // the content in memory
	// measured: size, sha256 and cost (bytes it adds to the zip)
	size, cost int64
	sum        string
	measured   bool
	// trim is how the entry was cut from its stage file (TrimCut, TrimDetails).
	trim string
}

func (e *entry) open() (io.ReadCloser, error) {
	if e.path == "" {
		return io.NopCloser(bytes.NewReader(e.data)), nil
	}
	return os.Open(e.path)
}

// endRecord is the size of a zip's end-of-central-directory record.
const endRecord = 22

// measure computes the entry's size, sha256 and cost: its local header,
// compressed data, data descriptor and central directory record, found by
// zipping it alone with the same writer the bundle is written with.
func (e *entry) measure(folder string, stamp time.Time) error {
	if e.measured {
		return nil
	}
	rc, err := e.open()
	if err != nil {
		return fmt.Errorf("read %s: %w", e.name, err)
	}
	defer rc.Close()
	var cw countWriter
	zw := zip.NewWriter(&cw)
	w, err := zw.CreateHeader(zipHeader(folder, e.name, stamp))
	if err != nil {
		return fmt.Errorf("measure %s: %w", e.name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), rc)
	if err != nil {
		return fmt.Errorf("read %s: %w", e.name, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("measure %s: %w", e.name, err)
	}
	e.size, e.sum, e.cost, e.measured = n, hex.EncodeToString(h.Sum(nil)), cw.n-endRecord, true
	return nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// zipHeader is the header of the bundle's file name in a zip whose
// top-level folder is folder.
func zipHeader(folder, name string, stamp time.Time) *zip.FileHeader {
	return &zip.FileHeader{Name: bundlezip.EntryName(folder, name), Method: zip.Deflate, Modified: stamp.UTC()}
}

// finisher holds one Finish call's state.
type finisher struct {
	stage    *collect.Stage
	opt      FinishOptions
	manifest *jsonObject
	readme   []byte
	entries  []*entry // raw and generated files, without README, manifest, redactions
	scratch  string   // directory for trimmed copies
	folder   string   // the zip's top-level folder
}

// Finish turns a staged bundle (written by Write, manifest.json included)
// into the zip at final, under its top-level folder (see bundlezip): every entry's name redacted, redactions.json
// added, the size budget met by trimming (see Fit), manifest.json's file
// list, sizes and sha256 recomputed, entries sorted with fixed
// timestamps, written to a temporary file in final's directory and renamed.
// The same stage and options give the same bytes.
func Finish(stage *collect.Stage, final string, opt FinishOptions) (FinishResult, error) {
	f := &finisher{stage: stage, opt: opt, folder: bundlezip.Folder(final)}
	raw, err := os.ReadFile(filepath.Join(stage.Dir, ManifestFile))
	if err != nil {
		return FinishResult{}, fmt.Errorf("finish bundle: read %s: %w", ManifestFile, err)
	}
	if f.manifest, err = parseObject(raw); err != nil {
		return FinishResult{}, fmt.Errorf("finish bundle: %s: %w", ManifestFile, err)
	}
	if f.scratch, err = os.MkdirTemp(stage.Dir, ".finish-*"); err != nil {
		return FinishResult{}, fmt.Errorf("finish bundle: %w", err)
	}
	defer os.RemoveAll(f.scratch)
	taken := map[string]bool{ManifestFile: true, RedactionsFile: true, ReadmeFile: true}
	for _, name := range stage.Files() {
		switch {
		case name == ManifestFile || name == RedactionsFile:
			continue
		case name == ReadmeFile:
			if f.readme, err = os.ReadFile(filepath.Join(stage.Dir, ReadmeFile)); err != nil {
				return FinishResult{}, fmt.Errorf("finish bundle: %w", err)
			}
			continue
		}
		if _, drop := opt.Drop[name]; drop {
			continue
		}
		out := name
		if opt.Redactor != nil {
			out = opt.Redactor.Name(name)
		}
		for i := 2; taken[out]; i++ {
			ext := filepath.Ext(out)
			out = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(out, ext), i, ext)
		}
		taken[out] = true
		f.entries = append(f.entries, &entry{name: out, src: name, path: filepath.Join(stage.Dir, filepath.FromSlash(name))})
	}
	res := FinishResult{Path: final}
	plan, err := f.fit()
	if err != nil {
		return res, err
	}
	res.Trimmed, res.OverBudget, res.Smallest = plan.trimmed, plan.over, plan.smallest
	all, err := f.compose(plan)
	if err != nil {
		return res, err
	}
	if res.Size, err = f.write(all, final); err != nil {
		return res, err
	}
	if opt.MaxSize > 0 && !res.OverBudget && res.Size > opt.MaxSize {
		return res, fmt.Errorf("finish bundle: the zip is %d bytes, over the %d measured to fit --max-size", res.Size, opt.MaxSize)
	}
	return res, nil
}

// compose returns every entry of the zip for plan, the generated ones
// (README.txt with the trimming note, redactions.json, manifest.json)
// included, sorted by name.
func (f *finisher) compose(p *plan) ([]*entry, error) {
	all := append([]*entry(nil), p.entries...)
	if f.readme != nil {
		all = append(all, &entry{name: ReadmeFile, data: append(append([]byte(nil), f.readme...), readmeNote(p, f.opt)...)})
	}
	if f.opt.Redactor != nil {
		b, err := f.redactionReport(p.entries)
		if err != nil {
			return nil, err
		}
		all = append(all, &entry{name: RedactionsFile, data: b})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	files := make([]ManifestEntry, 0, len(all))
	for _, e := range all {
		if err := f.stopped(); err != nil {
			return nil, err
		}
		if err := e.measure(f.folder, f.opt.Stamp); err != nil {
			return nil, err
		}
		files = append(files, ManifestEntry{Name: e.name, Bytes: e.size, SHA256: e.sum})
	}
	m := f.manifest.clone()
	if err := m.set("files", files); err != nil {
		return nil, err
	}
	if f.opt.Interrupted {
		if err := m.set("incomplete", true); err != nil {
			return nil, err
		}
		if err := m.set("interrupted", true); err != nil {
			return nil, err
		}
	}
	if len(p.trimmed) > 0 || len(f.opt.Drop) > 0 {
		trimmed := append([]Trim(nil), p.trimmed...)
		for _, name := range sortedKeys(f.opt.Drop) {
			trimmed = append(trimmed, Trim{Name: name, Action: TrimDropped, BytesBefore: f.stageSize(name)})
		}
		if err := m.set("trimmed", trimmed); err != nil {
			return nil, err
		}
	}
	if f.opt.Redactor != nil {
		if err := m.set("redactions", RedactionsFile); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedKeys(f.opt.Manifest) {
		if err := m.set(k, f.opt.Manifest[k]); err != nil {
			return nil, err
		}
	}
	mb, err := m.marshal()
	if err != nil {
		return nil, fmt.Errorf("finish bundle: %s: %w", ManifestFile, err)
	}
	if f.opt.Redactor != nil {
		mb = f.opt.Redactor.Clean(mb)
	}
	me := &entry{name: ManifestFile, data: mb}
	if err := me.measure(f.folder, f.opt.Stamp); err != nil {
		return nil, err
	}
	all = append(all, me)
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	return all, nil
}

func (f *finisher) stageSize(name string) int64 {
	st, err := os.Stat(filepath.Join(f.stage.Dir, filepath.FromSlash(name)))
	if err != nil {
		return 0
	}
	return st.Size()
}

// redactionReport is redactions.json: the redactor's counts under the
// entries' names. Counts of staged files that are not in the bundle
// (intermediate files such as alerts.ndjson.list) go to the entry whose name
// they extend.
func (f *finisher) redactionReport(entries []*entry) ([]byte, error) {
	rep := f.opt.Redactor.Report()
	names := map[string]bool{ReadmeFile: true, ManifestFile: true, EvidenceCounts: true}
	for _, e := range entries {
		names[e.name] = true
	}
	files := map[string]map[string]int{}
	for name, counts := range rep.Files {
		to := name
		if !names[to] {
			to = "(intermediate files)"
			best := ""
			for n := range names {
				if strings.HasPrefix(name, n) && len(n) > len(best) {
					best = n
				}
			}
			if best != "" {
				to = best
			} else if _, dropped := f.opt.Drop[name]; dropped {
				to = name
			}
		}
		dst := files[to]
		if dst == nil {
			dst = map[string]int{}
			files[to] = dst
		}
		for k, v := range counts {
			dst[k] += v
		}
	}
	rep.Files = files
	if f.opt.PriorReport != nil {
		// The old report names the files as they were: a name may spell
		// out a secret this pass removes.
		rep = redact.Merge(f.opt.Redactor.CleanReport(*f.opt.PriorReport), rep)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("finish bundle: %s: %w", RedactionsFile, err)
	}
	return f.opt.Redactor.Clean(append(b, '\n')), nil
}

// write zips the entries into final through Partials.WriteAtomic: final
// holds either nothing or the whole bundle, readable by its owner only.
func (f *finisher) write(all []*entry, final string) (int64, error) {
	var zerr error
	size, err := f.opt.Partials.WriteAtomic(final, func(out io.Writer) error {
		zerr = f.zip(all, out)
		return zerr
	})
	switch {
	case zerr != nil:
		return 0, zerr
	case err != nil:
		return 0, fmt.Errorf("write bundle: %w", err)
	}
	return size, nil
}

// zip writes the entries to out as a zip.
func (f *finisher) zip(all []*entry, out io.Writer) error {
	zw := zip.NewWriter(out)
	for _, e := range all {
		if err := f.stopped(); err != nil {
			return err
		}
		w, err := zw.CreateHeader(zipHeader(f.folder, e.name, f.opt.Stamp))
		if err != nil {
			return fmt.Errorf("write bundle entry %s: %w", e.name, err)
		}
		rc, err := e.open()
		if err != nil {
			return fmt.Errorf("write bundle entry %s: %w", e.name, err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("write bundle entry %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// stopped is the error of a Finish whose Context ended.
func (f *finisher) stopped() error {
	if f.opt.Context == nil || f.opt.Context.Err() == nil {
		return nil
	}
	return fmt.Errorf("write bundle: %w", f.opt.Context.Err())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonObject is a JSON object that keeps the order of its keys, so that a
// manifest rewritten keeps the layout it was written with.
type jsonObject struct {
	keys []string
	vals map[string]json.RawMessage
}

func parseObject(b []byte) (*jsonObject, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	o := &jsonObject{vals: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		if _, dup := o.vals[k]; !dup {
			o.keys = append(o.keys, k)
		}
		o.vals[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	return o, nil
}

func (o *jsonObject) clone() *jsonObject {
	c := &jsonObject{keys: append([]string(nil), o.keys...), vals: map[string]json.RawMessage{}}
	for k, v := range o.vals {
		c.vals[k] = v
	}
	return c
}

func (o *jsonObject) set(k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k, err)
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = b
	return nil
}

// marshal writes the object indented by two spaces, ending in a newline,
// like the writers of the bundle do.
func (o *jsonObject) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
