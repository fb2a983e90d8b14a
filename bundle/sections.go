package bundle

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// What page 1's diagnosis box holds at most; the rest follows in the
// isolation result (section 4), so that nothing is said twice.
const (
	boxProof   = 2
	boxFurther = 1
)

// shown are the incidents the summary lists and why those: the largest
// burst's first rows when there was a burst, else the latest rows; in
// time order either way.
func (r *Report) shown() (rows []collect.Incident, burst bool) {
	all := append([]collect.Incident(nil), r.Ev.Incidents...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time.Before(all[j].Time) })
	if len(all) <= firstRows {
		return all, false
	}
	if b, ok := r.largestBurst(); ok {
		for _, inc := range all {
			if !inc.Time.Before(b.Start) && !inc.Time.After(b.End) && len(rows) < firstRows {
				rows = append(rows, inc)
			}
		}
		if len(rows) > 0 {
			return rows, true
		}
	}
	return all[len(all)-firstRows:], false
}

// largestBurst is the burst with the most incidents, the first of equals.
func (r *Report) largestBurst() (stats.Burst, bool) {
	if r.Stats == nil || len(r.Stats.Bursts) == 0 {
		return stats.Burst{}, false
	}
	best := r.Stats.Bursts[0]
	for _, b := range r.Stats.Bursts[1:] {
		if b.Incidents > best.Incidents {
			best = b
		}
	}
	return best, true
}

// ShownIncidents are the rows the summary and the ticket list (see shown).
func (r *Report) ShownIncidents() []collect.Incident {
	rows, _ := r.shown()
	return rows
}

// AffectedSentence says how many failed, which rows are listed and why,
// and where the full list is.
func (r *Report) AffectedSentence() string {
	rows, burst := r.shown()
	figs := []any{"count", len(r.Ev.Incidents), "sids", r.Affected, "file", IncidentsFile, "rows", len(rows)}
	switch {
	case len(rows) == len(r.Ev.Incidents):
		return r.L.F("affected.summary", figs...)
	case burst:
		b, _ := r.largestBurst()
		loc := r.Ev.Window.Loc()
		return r.L.F("affected.from_burst", append(figs, "from", b.Start.In(loc).Format("01-02 15:04"),
			"to", b.End.In(loc).Format("15:04"), "zone", loc.String())...)
	}
	return r.L.F("affected.latest", figs...)
}

// keyFrequency are the statistics page 1 states: how many, the error rate
// and the trend of the count.
var keyFrequency = map[string]bool{
	"stats.summary": true, "stats.none": true, "stats.rate": true, "stats.rate_no_usage": true, "stats.rate_no_full_day": true,
	"stats.trend.up": true, "stats.trend.down": true, "stats.trend.same": true, "stats.trend.from_zero": true,
	"stats.trend.length_differs": true, "stats.trend_unavailable": true,
}

// KeyFrequency are page 1's statistics sentences (keyFrequency); the
// others are MoreFrequency.
func (r *Report) KeyFrequency() []string { return r.frequency(true) }

// MoreFrequency are the statistics sentences after page 1's.
func (r *Report) MoreFrequency() []string { return r.frequency(false) }

func (r *Report) frequency(key bool) []string {
	if r.Stats == nil {
		if key {
			return []string{r.L.F("stats.unavailable", "reason", fmt.Sprint(r.StatsErr))}
		}
		return nil
	}
	var out []string
	for _, f := range r.Stats.Findings {
		if keyFrequency[f.ID] == key {
			out = append(out, f.Sentence)
		}
	}
	return out
}

// boxProofRunes bounds a line of proof in the diagnosis box: a log line
// is cut with "…" (the file named after it holds it whole).
const boxProofRunes = 130

// BoxProof are the first lines of proof, for the diagnosis box: log lines
// shortened to boxProofRunes. MoreProof are the others, for the isolation
// result; BoxFurther and MoreFurther split the further problems alike.
func (r *Report) BoxProof() []string {
	var out []string
	for _, p := range r.D.Proof[:min(boxProof, len(r.D.Proof))] {
		s := r.L.T(p.Key, p.Figures)
		if rs := []rune(s); len(rs) > boxProofRunes {
			s = string(rs[:boxProofRunes-1]) + "…"
		}
		if p.File != "" {
			s += " [" + p.File + "]"
		}
		out = append(out, s)
	}
	return out
}

func (r *Report) MoreProof() []string   { return tail(r.Proof(), boxProof) }
func (r *Report) BoxFurther() []string  { return head(r.Further(), boxFurther) }
func (r *Report) MoreFurther() []string { return tail(r.Further(), boxFurther) }

func head(xs []string, n int) []string { return xs[:min(n, len(xs))] }
func tail(xs []string, n int) []string { return xs[min(n, len(xs)):] }

// NotCollected says, for support, which evidence was not collected when
// the cause is not decided firmly (how to collect it is the customer's
// business: Advice).
func (r *Report) NotCollected() []string {
	if r.D.Cause == analysis.CauseNoFailures || r.D.Confidence == analysis.ConfidenceHigh {
		return nil
	}
	var out []string
	for _, m := range r.D.Missing {
		out = append(out, r.L.S("missing_support."+m))
	}
	return out
}

// OtherFixes are the recommendations besides the headline's fix, which the
// diagnosis box says: the fixes of the further problems and the general
// advice on fallbacks and timeouts. Advice on collecting more evidence is
// the customer's (Advice), not support's.
func (r *Report) OtherFixes() []string {
	fix := r.Fix()
	var out []string
	for _, s := range r.Recommendations() {
		if s != fix {
			out = append(out, s)
		}
	}
	return out
}

// Advice is what the customer should do before sending the bundle: fill
// in the flow description, fix their own side first, collect the missing
// evidence. It goes to the terminal at the end of the run and to
// README.txt, never into the documents for support.
func (r *Report) Advice() []string {
	var out []string
	switch {
	case !r.FlowGiven:
		out = append(out, r.L.S("advice.flow_missing"))
	case len(r.Blanks) > 0:
		out = append(out, r.L.F("flow.blanks", "count", len(r.Blanks)))
	}
	if s := r.CustomerSideFirst(); s != "" {
		out = append(out, s)
	}
	return append(out, r.MissingEvidence()...)
}

// PDFFlow is the flow description as the PDF shows it: the customer's
// text without its unfilled blanks, or nil when none was given.
func (r *Report) PDFFlow() []byte {
	if !r.FlowGiven {
		return nil
	}
	return withoutBlanks(r.Flow)
}

// withoutBlanks drops the lines of a flow description that hold an
// unfilled [[TODO]] blank or only an HTML comment, then the headings left
// with nothing under them.
func withoutBlanks(md []byte) []byte {
	text := commentRe.ReplaceAllString(string(md), "")
	var kept []string
	for _, line := range strings.Split(text, "\n") {
		if !blankRe.MatchString(line) {
			kept = append(kept, line)
		}
	}
	level := func(line string) int {
		t := strings.TrimSpace(line)
		return len(t) - len(strings.TrimLeft(t, "#"))
	}
	var out []string
	for i, line := range kept {
		if l := level(line); l > 0 {
			empty := true
			for _, next := range kept[i+1:] {
				if nl := level(next); nl > 0 && nl <= l {
					break
				}
				if strings.TrimSpace(next) != "" && level(next) == 0 {
					empty = false
					break
				}
			}
			if empty {
				continue
			}
		}
		out = append(out, line)
	}
	return []byte(strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(out, "\n"), "\n\n")) + "\n")
}

// FileGroups are the bundle's files as support meets them: each file at
// the top, each folder with how many files it holds (the customer's log
// excerpts by name), and what they are.
func (r *Report) FileGroups() []FileAbout {
	staged := append([]string(nil), r.Staged...)
	for _, f := range []string{SummaryFile, TicketFile, ReadmeFile, ManifestFile} {
		if !contains(staged, f) {
			staged = append(staged, f)
		}
	}
	top := []string{ReadmeFile, SummaryFile, TicketFile, IncidentsFile, collect.AlertsFile, FindingsFile, FlowFile, ManifestFile}
	folders := map[string][]string{}
	var others []string
	for _, f := range staged {
		dir := path.Dir(f)
		switch {
		case strings.HasPrefix(f, "logs/twilio/"):
			folders["logs/twilio/"] = append(folders["logs/twilio/"], f)
		case dir != ".":
			d := strings.SplitN(f, "/", 2)[0] + "/"
			folders[d] = append(folders[d], f)
		case !contains(top, f):
			others = append(others, f)
		}
	}
	var out []FileAbout
	for _, f := range top {
		if contains(staged, f) {
			out = append(out, FileAbout{f, r.L.S("file." + f)})
		}
	}
	sort.Strings(others)
	for _, f := range others {
		out = append(out, FileAbout{f, r.fileAbout("file."+f, nil)})
	}
	dirs := make([]string, 0, len(folders))
	for d := range folders {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		files := folders[d]
		sort.Strings(files)
		figs := map[string]any{"count": len(files)}
		if d == "logs/" {
			figs["names"] = strings.Join(r.excerptNames(), ", ")
		}
		out = append(out, FileAbout{d, r.fileAbout("file."+d, figs)})
	}
	return out
}

// excerptNames are the file names of the customer's log excerpts, from
// the (redacted) evidence: a log's name is the customer's word and may be
// anything.
func (r *Report) excerptNames() []string {
	var names []string
	if h := r.Ev.Hops; h != nil {
		for _, l := range append(append([]collect.HopLog(nil), h.Hops...), h.Logs...) {
			if l.Excerpt != "" {
				names = append(names, path.Base(l.Excerpt))
			}
		}
	}
	sort.Strings(names)
	return names
}

// fileAbout is the catalog's description of a file or folder, or how many
// files a folder it does not know holds.
func (r *Report) fileAbout(key string, figs map[string]any) string {
	if r.L.Has(key) {
		return r.L.T(key, figs)
	}
	if n, ok := figs["count"]; ok {
		return r.L.F("file.folder", "count", n)
	}
	return ""
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Advice is what the customer should do before sending the bundle of ev
// (Report.Advice), in lang; flow is the customer's flow description, nil
// when none was given.
func Advice(ev *collect.Evidence, res *analysis.Result, lang string, flow []byte) []string {
	r, err := NewReport(ev, res, lang, flow, "")
	if err != nil {
		return nil
	}
	return r.Advice()
}
