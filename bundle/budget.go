package bundle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// DefaultMaxSize is the default size budget of a bundle: 20 MB, a common
// limit of ticket attachments.
const DefaultMaxSize = 20_000_000

// ParseSize reads a size budget: a number of bytes, or a number with a unit
// kB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), case
// insensitive, the "B" optional: "20MB", "500k", "1.5GiB", "0" (no budget).
// A negative or unreadable size is an error.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
		"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20, "gi": 1 << 30, "gib": 1 << 30,
	}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || mult == 0 || v < 0 || math.IsInf(v*mult, 0) || v*mult > 1<<50 {
		return 0, fmt.Errorf("%q is not a size: give bytes or a number with kB, MB, GB (or KiB, MiB, GiB), e.g. 20MB; 0 for no limit", s)
	}
	return int64(v * mult), nil
}

// FormatSize writes a size in the units people read ticket limits in.
func FormatSize(n int64) string {
	switch {
	case n >= 1e9:
		return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + " GB"
	case n >= 1e6:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	case n >= 1e3:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " kB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// protected are the files the size budget never cuts: what support reads
// first, and what says what the bundle holds.
var protected = map[string]bool{
	SummaryFile: true, TicketFile: true, IncidentsFile: true, ManifestFile: true,
	FindingsFile: true, ReadmeFile: true, RedactionsFile: true, "flow.md": true,
}

// Fields of an alert that only its details carry (FetchAlert): the request
// and response headers and bodies.
var alertDetailFields = map[string]bool{
	"request_variables": true, "response_body": true, "response_headers": true, "request_headers": true,
}

// plan is one way of filling the zip: the entries (some of them cut copies)
// and what was cut.
type plan struct {
	entries  []*entry
	trimmed  []Trim
	over     bool
	smallest int64
}

// fit returns the entries that fit opt.MaxSize. When the whole bundle does
// not fit, it cuts, in this order, until it does: the log excerpts in logs/
// (all of them to the same length, the first lines kept, then left out),
// the alert details in alerts.ndjson (request/response headers and bodies;
// the alerts themselves are kept), Twilio's logs in logs/twilio/ (cut like
// the others), and last whole raw files, the largest first. The summary,
// ticket.txt, incidents.csv, findings.json, flow.md, README.txt, the
// manifest and redactions.json are never cut. Each step is measured by
// compressing what changed with the zip writer itself.
//
// When nothing gets the bundle under the budget, the bundle is kept whole
// and the plan says it is over.
func (f *finisher) fit() (*plan, error) {
	base := &plan{entries: f.entries}
	if f.opt.MaxSize <= 0 {
		return base, nil
	}
	size, err := f.size(base)
	if err != nil || size <= f.opt.MaxSize {
		return base, err
	}
	cur := base
	steps := []func(*plan) (*plan, bool, error){
		func(p *plan) (*plan, bool, error) {
			return f.capGroup(p, func(n string) bool {
				return strings.HasPrefix(n, "logs/") && !strings.HasPrefix(n, "logs/twilio/")
			})
		},
		f.removeAlertDetails,
		func(p *plan) (*plan, bool, error) {
			return f.capGroup(p, func(n string) bool { return strings.HasPrefix(n, "logs/twilio/") })
		},
		f.dropLargest,
	}
	for _, step := range steps {
		next, fits, err := step(cur)
		if err != nil {
			return nil, err
		}
		cur = next
		if fits {
			cur.trimmed = f.trims(cur)
			return cur, nil
		}
	}
	smallest, err := f.size(cur)
	if err != nil {
		return nil, err
	}
	return &plan{entries: f.entries, over: true, smallest: smallest}, nil
}

// size is the zip's size for p, the generated files included.
func (f *finisher) size(p *plan) (int64, error) {
	p.trimmed = f.trims(p)
	all, err := f.compose(p)
	if err != nil {
		return 0, err
	}
	n := int64(endRecord)
	for _, e := range all {
		n += e.cost
	}
	return n, nil
}

func (f *finisher) fits(p *plan) (bool, error) {
	n, err := f.size(p)
	return n <= f.opt.MaxSize, err
}

// trims lists how p differs from the whole bundle.
func (f *finisher) trims(p *plan) []Trim {
	now := map[string]*entry{}
	for _, e := range p.entries {
		now[e.src] = e
	}
	var out []Trim
	for _, orig := range f.entries {
		e := now[orig.src]
		switch {
		case e == nil:
			out = append(out, Trim{Name: orig.name, Action: TrimDropped, BytesBefore: orig.size})
		case e != orig:
			out = append(out, Trim{Name: orig.name, Action: e.trim, BytesBefore: orig.size, BytesAfter: e.size})
		}
	}
	return out
}

// replace returns a copy of p with the entry for src replaced by e (nil: left out).
func replace(p *plan, src string, e *entry) *plan {
	out := &plan{}
	for _, x := range p.entries {
		switch {
		case x.src != src:
			out.entries = append(out.entries, x)
		case e != nil:
			out.entries = append(out.entries, e)
		}
	}
	return out
}

// capGroup cuts every file of a group to the same length, halving it until
// the bundle fits, then refines between the last two lengths; at the end
// the group is left out. It returns the plan and whether it fits.
func (f *finisher) capGroup(p *plan, in func(string) bool) (*plan, bool, error) {
	var group []*entry
	var largest int64
	for _, e := range p.entries {
		if in(e.name) && !protected[e.name] {
			group = append(group, e)
			largest = max(largest, e.size)
		}
	}
	if len(group) == 0 {
		return p, false, nil
	}
	apply := func(limit int64) (*plan, error) {
		q := p
		for _, e := range group {
			if e.size <= limit {
				continue
			}
			var cut *entry
			if limit > 0 {
				var err error
				if cut, err = f.cutHead(e, limit); err != nil {
					return nil, err
				}
			}
			q = replace(q, e.src, cut)
		}
		return q, nil
	}
	const floor = 4096
	fail := largest // a length known not to fit
	for limit := largest / 2; ; limit /= 2 {
		if limit < floor {
			limit = 0
		}
		q, err := apply(limit)
		if err != nil {
			return nil, false, err
		}
		ok, err := f.fits(q)
		if err != nil {
			return nil, false, err
		}
		if ok {
			// Keep as much as fits: bisect between limit and fail.
			best := q
			lo, hi := limit, fail
			for i := 0; i < 4 && hi-lo > floor; i++ {
				mid := lo + (hi-lo)/2
				r, err := apply(mid)
				if err != nil {
					return nil, false, err
				}
				if ok, err := f.fits(r); err != nil {
					return nil, false, err
				} else if ok {
					best, lo = r, mid
				} else {
					hi = mid
				}
			}
			return best, true, nil
		}
		fail = limit
		if limit == 0 {
			return q, false, nil
		}
	}
}

// cutHead returns a copy of e that keeps its first lines, up to limit bytes,
// and says how much was cut.
func (f *finisher) cutHead(e *entry, limit int64) (*entry, error) {
	rc, err := e.open()
	if err != nil {
		return nil, fmt.Errorf("trim %s: %w", e.name, err)
	}
	defer rc.Close()
	head := make([]byte, limit)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("trim %s: %w", e.name, err)
	}
	head = head[:n]
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	} else {
		head = head[:0]
	}
	note := fmt.Sprintf("[twilio-evidence: the other %d bytes of this file were cut to fit --max-size; see manifest.json \"trimmed\"]\n", e.size-int64(len(head)))
	return &entry{name: e.name, src: e.src, data: append(head, note...), trim: TrimCut}, nil
}

// removeAlertDetails drops the request/response headers and bodies from
// every alert in alerts.ndjson, keeping each alert's list fields in their
// order.
func (f *finisher) removeAlertDetails(p *plan) (*plan, bool, error) {
	var src *entry
	for _, e := range p.entries {
		if e.name == collect.AlertsFile {
			src = e
		}
	}
	if src == nil {
		return p, false, nil
	}
	rc, err := src.open()
	if err != nil {
		return nil, false, fmt.Errorf("trim %s: %w", src.name, err)
	}
	defer rc.Close()
	out, err := os.CreateTemp(f.scratch, "alerts-*.ndjson")
	if err != nil {
		return nil, false, fmt.Errorf("trim %s: %w", src.name, err)
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 256<<10)
	br := bufio.NewReaderSize(rc, 256<<10)
	changed := false
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			if trimmed, ok := dropFields(line, alertDetailFields); ok {
				line, changed = trimmed, true
			}
			if _, err := bw.Write(line); err != nil {
				return nil, false, fmt.Errorf("trim %s: %w", src.name, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, false, fmt.Errorf("trim %s: %w", src.name, rerr)
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, false, fmt.Errorf("trim %s: %w", src.name, err)
	}
	if !changed {
		return p, false, nil
	}
	q := replace(p, src.src, &entry{name: src.name, src: src.src, path: out.Name(), trim: TrimDetails})
	ok, err := f.fits(q)
	return q, ok, err
}

// dropFields removes the named top-level fields of a JSON object line,
// keeping the other fields in their order; ok is false when the line is not
// an object or holds none of them.
func dropFields(line []byte, drop map[string]bool) ([]byte, bool) {
	o, err := parseObject(line)
	if err != nil {
		return nil, false
	}
	keys := o.keys[:0:0]
	for _, k := range o.keys {
		if !drop[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == len(o.keys) {
		return nil, false
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteString("}\n")
	return b.Bytes(), true
}

// dropLargest leaves out raw files that may be cut, the largest first,
// until the bundle fits.
func (f *finisher) dropLargest(p *plan) (*plan, bool, error) {
	cands := append([]*entry(nil), p.entries...)
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].cost != cands[j].cost {
			return cands[i].cost > cands[j].cost
		}
		return cands[i].name < cands[j].name
	})
	q := p
	for _, e := range cands {
		if protected[e.name] {
			continue
		}
		q = replace(q, e.src, nil)
		ok, err := f.fits(q)
		if err != nil || ok {
			return q, ok, err
		}
	}
	return q, false, nil
}

// readmeNote is what README.txt says about the files cut or left out.
func readmeNote(p *plan, opt FinishOptions) string {
	if len(p.trimmed) == 0 && len(opt.Drop) == 0 && !opt.Interrupted && !p.over {
		return ""
	}
	var b strings.Builder
	if opt.Interrupted {
		b.WriteString("\nINTERRUPTED: the run was stopped (Ctrl-C or SIGTERM) before every collector\nfinished; manifest.json says which ones did not.\n")
	}
	if len(p.trimmed) > 0 {
		fmt.Fprintf(&b, "\nTrimmed to fit --max-size %s (manifest.json \"trimmed\" lists the same):\n", FormatSize(opt.MaxSize))
		for _, t := range p.trimmed {
			switch t.Action {
			case TrimCut:
				fmt.Fprintf(&b, "  %s: cut from %s to %s (the first lines are kept)\n", t.Name, FormatSize(t.BytesBefore), FormatSize(t.BytesAfter))
			case TrimDetails:
				fmt.Fprintf(&b, "  %s: alert details (request/response headers and bodies) removed, %s to %s\n", t.Name, FormatSize(t.BytesBefore), FormatSize(t.BytesAfter))
			default:
				fmt.Fprintf(&b, "  %s: left out (%s)\n", t.Name, FormatSize(t.BytesBefore))
			}
		}
	}
	if p.over {
		fmt.Fprintf(&b, "\nThis bundle is over --max-size %s: even with every log excerpt and alert\ndetail cut it would be %s. Nothing was cut.\n", FormatSize(opt.MaxSize), FormatSize(p.smallest))
	}
	for _, name := range sortedKeys(opt.Drop) {
		fmt.Fprintf(&b, "\n%s was left out: %s\n", name, opt.Drop[name])
	}
	return b.String()
}
