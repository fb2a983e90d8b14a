package bundle

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// firstRows is how many affected calls and messages the summary lists.
const firstRows = 5

// Report is the content of summary.pdf, ticket.txt and README.txt in one
// language: every sentence already rendered from the catalogs, the data as
// it is. The three writers lay the same Report out differently, so they
// never disagree; none of them decides anything: the analysis' Result did.
type Report struct {
	L  *Localizer
	Ev *collect.Evidence
	// Res is the analysis, computed once; D its diagnosis.
	Res *analysis.Result
	D   analysis.Diagnosis
	// Findings are the analyzers' findings, without the verdict.
	Findings []analysis.Finding
	Recs     []analysis.Recommendation
	// Stats are the statistics in the report's language; nil when they
	// could not be computed (StatsErr says why).
	Stats    *stats.Stats
	StatsErr error
	// Flow is flow.md; FlowGiven is true when the customer gave it (--flow).
	Flow      []byte
	FlowGiven bool
	Blanks    []string
	ZipName   string
	// Staged are the files of the bundle written before the report (the
	// writers add summary.pdf, ticket.txt, README.txt and manifest.json).
	Staged []string

	Incomplete bool
	// Affected is the number of distinct CallSid/MessageSid among the incidents.
	Affected int
}

// NewReport prepares the analysis of the evidence for the writers, in
// lang. flow is the customer's flow description, or nil for the pre-filled
// template.
func NewReport(ev *collect.Evidence, res *analysis.Result, lang string, flow []byte, zipName string) (*Report, error) {
	l, err := NewLocalizer(lang)
	if err != nil {
		return nil, err
	}
	r := &Report{L: l, Ev: ev, Res: res, D: res.Diagnosis, Recs: res.Recommendations, ZipName: zipName, Incomplete: analysis.Incomplete(ev)}
	seen := map[string]bool{}
	for _, f := range res.Checks() {
		if !seen[f.ID+"\x00"+f.Sentence] {
			seen[f.ID+"\x00"+f.Sentence] = true
			r.Findings = append(r.Findings, f)
		}
	}
	// The bundle's statistics (stats/ files), with the trend on the
	// previous window and the probe history, in the report's language.
	r.Stats, r.StatsErr = statsIn(res, l.Lang())
	if flow != nil {
		r.Flow, r.FlowGiven = flow, true
	} else if r.Flow, err = RenderFlow(ev, l.Lang()); err != nil {
		return nil, err
	}
	r.Blanks = FlowBlanks(r.Flow)
	sids := map[string]bool{}
	for _, inc := range ev.Incidents {
		if inc.ResourceSID != "" {
			sids[inc.ResourceSID] = true
		}
	}
	r.Affected = len(sids)
	return r, nil
}

// statsIn is the analysis' statistics with their sentences in lang.
func statsIn(res *analysis.Result, lang string) (*stats.Stats, error) {
	if res.StatsErr != nil || res.Stats == nil || lang == "" || lang == res.Stats.Lang {
		return res.Stats, res.StatsErr
	}
	return res.Stats.InLang(lang)
}

// Title is the document title.
func (r *Report) Title() string { return r.L.F("doc.title", "account", r.Ev.Account.SID) }

// WindowLocal is the window in the display zone (--tz), the zone named.
func (r *Report) WindowLocal() string {
	loc := r.Ev.Window.Loc()
	const f = "2006-01-02 15:04"
	return r.L.F("window.range", "from", r.Ev.Window.From.In(loc).Format(f), "to", r.Ev.Window.To.In(loc).Format(f), "zone", loc.String())
}

// ZoneIsUTC tells whether the display zone is UTC: the window is then
// given once.
func (r *Report) ZoneIsUTC() bool { return r.Ev.Window.Loc() == time.UTC }

// WindowUTC is the window in UTC.
func (r *Report) WindowUTC() string {
	const f = "2006-01-02 15:04"
	return r.L.F("window.range", "from", r.Ev.Window.From.UTC().Format(f), "to", r.Ev.Window.To.UTC().Format(f), "zone", "UTC")
}

// Generated is the generation time in the display zone (--tz).
func (r *Report) Generated() string {
	return r.Ev.GeneratedAt.In(r.Ev.Window.Loc()).Format("2006-01-02 15:04:05 MST")
}

// ToolVersion is "twilio-evidence v… (commit)".
func (r *Report) ToolVersion() string { return r.toolVersion(len(r.Ev.Tool.Commit)) }

// ShortToolVersion is ToolVersion with the commit cut to 12 characters, to
// fit the page footer beside the page number.
func (r *Report) ShortToolVersion() string { return r.toolVersion(12) }

func (r *Report) toolVersion(commit int) string {
	s := r.Ev.Tool.Name + " " + r.Ev.Tool.Version
	if c := r.Ev.Tool.Commit; c != "" {
		s += " (" + c[:min(commit, len(c))] + ")"
	}
	return strings.TrimSpace(s)
}

// Account is the Account SID with its name.
func (r *Report) Account() string {
	s := r.Ev.Account.SID
	if r.Ev.Account.FriendlyName != "" {
		s += " (" + r.Ev.Account.FriendlyName + ")"
	}
	return s
}

// IncidentRow is one incident as table cells: time (display zone), code,
// HTTP status, SID and URL.
func (r *Report) IncidentRow(inc collect.Incident) []string {
	status := ""
	if inc.HTTPStatus != 0 {
		status = fmt.Sprint(inc.HTTPStatus)
	}
	return []string{inc.Time.In(r.Ev.Window.Loc()).Format("01-02 15:04:05"), inc.ErrorCode, status, dash(inc.ResourceSID), dash(inc.URL)}
}

// Frequency are the statistics' sentences: counts, rates, characteristics
// and trend.
func (r *Report) Frequency() []string {
	if r.Stats == nil {
		return []string{r.L.F("stats.unavailable", "reason", fmt.Sprint(r.StatsErr))}
	}
	out := make([]string, 0, len(r.Stats.Findings))
	for _, f := range r.Stats.Findings {
		out = append(out, f.Sentence)
	}
	return out
}

// Headline is the diagnosis in one line: the cause, where, its figure,
// and how many failures it explains since when.
func (r *Report) Headline() string { return r.L.Headline(r.D) }

// ConfidenceLine is "(confidence: high)".
func (r *Report) ConfidenceLine() string {
	return r.L.F("verdict.confidence", "confidence", r.L.Confidence(r.D.Confidence))
}

// Remaining says what remains behind a headline that is not the failures'
// own cause (a missing fallback); empty otherwise.
func (r *Report) Remaining() string { return r.L.Remaining(r.D.Problem) }

// Proof is the evidence behind the headline, one line each with the file
// that holds it.
func (r *Report) Proof() []string { return r.proofs(r.D.Proof) }

func (r *Report) proofs(ps []analysis.Proof) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, r.L.Proof(p))
	}
	return out
}

// Fix is what fixes the headline's cause.
func (r *Report) Fix() string {
	if r.D.Cause == analysis.CauseNoFailures {
		return ""
	}
	return r.L.Fix(r.D.Problem)
}

// Further are the other problems, each with its count.
func (r *Report) Further() []string { return r.problems(r.D.Further) }

// Beside is what is said next to the headline, and that a Twilio
// incident could not be checked when the status page was not read.
func (r *Report) Beside() []string {
	out := r.problems(r.D.Beside)
	if r.D.Cause != analysis.CauseNoFailures && slices.Contains(r.D.Missing, analysis.MissingStatusPage) {
		out = append(out, r.L.S("diagnosis.status_unchecked"))
	}
	return out
}

func (r *Report) problems(ps []analysis.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		s := r.L.Problem(p)
		if p.Cause != analysis.CausePrivateAddress && p.Cause != analysis.CauseTwilioIncident {
			s = r.L.Join(s, r.L.Scope(p))
		}
		out = append(out, s)
	}
	return out
}

// MissingEvidence says how to add each kind of evidence that is missing,
// when the cause is not decided firmly.
func (r *Report) MissingEvidence() []string {
	if r.D.Cause == analysis.CauseNoFailures || r.D.Confidence == analysis.ConfidenceHigh {
		return nil
	}
	var out []string
	for _, m := range r.D.Missing {
		if m != analysis.MissingStatusPage { // said beside the headline
			out = append(out, r.L.Missing(m))
		}
	}
	return out
}

// Recommendations are the recommendation sentences, in order.
func (r *Report) Recommendations() []string {
	out := make([]string, 0, len(r.Recs))
	seen := map[string]bool{}
	for _, x := range r.Recs {
		s := r.L.T(x.Key, x.Figures)
		if x.Problem != nil {
			s = r.L.Fix(*x.Problem)
		}
		if !seen[s] { // the same fix for two places is said once
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Result5 is the diagnosis in at most five lines, for README.txt: the
// headline with its confidence, what remains or the first proof, the fix,
// and the first further problem.
func (r *Report) Result5() []string {
	out := []string{r.L.Join(r.Headline(), r.ConfidenceLine())}
	if rem := r.Remaining(); rem != "" {
		out = append(out, rem)
	}
	for _, s := range r.Proof() {
		if len(out) == 3 {
			break
		}
		out = append(out, s)
	}
	if fix := r.Fix(); fix != "" && len(out) < 5 {
		out = append(out, r.L.S("diagnosis.fix")+": "+fix)
	}
	if f := r.Further(); len(f) > 0 && len(out) < 5 {
		out = append(out, r.L.S("diagnosis.further")+": "+f[0])
	}
	return out
}

// StepDetail is one step of the procedure with its findings, or what to
// do when the step's evidence was not collected.
type StepDetail struct {
	Title    string
	Lines    []string
	NotFound string // "not collected — how to collect it", when empty of evidence
}

// Steps are the per-step details: steps 1–4 of the procedure, then the
// configuration audit (findings of step 0). Each finding is said once:
// the statistics are section 3's, the count of failures section 2's, the
// probes are the appendix's table and the fallback audit is in the
// diagnosis' further problems; a step whose probes are in the table says
// so.
func (r *Report) Steps() []StepDetail {
	var out []StepDetail
	for _, step := range []int{1, 2, 3, 4, 0} {
		d := StepDetail{Title: r.L.S(fmt.Sprintf("step.%d", step))}
		probed := false
		for _, f := range r.Findings {
			if f.Step != step {
				continue
			}
			switch {
			case strings.HasPrefix(f.ID, "probe."):
				probed = step == 2
			case strings.HasPrefix(f.ID, "stats."), f.ID == "incidents.count", f.ID == "incidents.none":
			default:
				d.Lines = append(d.Lines, r.L.S("severity."+string(f.Severity))+" "+r.L.Finding(f))
			}
		}
		if probed {
			d.Lines = append(d.Lines, r.L.S("step.probes_in_appendix"))
		}
		if len(d.Lines) == 0 {
			d.NotFound = r.L.S(fmt.Sprintf("step.%d.none", step))
		}
		out = append(out, d)
	}
	return out
}

// FindingsWithPrefix are the localized sentences of the findings whose ID
// starts with prefix (e.g. "probe.").
func (r *Report) FindingsWithPrefix(prefix string) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, prefix) {
			out = append(out, r.L.Finding(f))
		}
	}
	return out
}

// IncompleteCollectors are one short line for each collector that did
// not finish: its name, the class of failure and the host (the raw error
// is in manifest.json only).
func (r *Report) IncompleteCollectors() []string {
	var out []string
	for _, c := range r.Ev.Collectors {
		if c.MissingEvidence() {
			out = append(out, r.L.CollectorFailure(c))
		}
	}
	return out
}

// ContextUnread are the lines about context that could not be read:
// "Twilio status page not read: <failure>". They do not make the bundle
// incomplete.
func (r *Report) ContextUnread() []string { return ContextUnread(r.Ev, r.L) }

// ContextUnread are the lines, in l's language, about the context
// collectors of ev that failed.
func ContextUnread(ev *collect.Evidence, l *Localizer) []string {
	var out []string
	for _, c := range ev.Collectors {
		if c.Failed() && c.Context {
			f := collect.Failure{Class: collect.FailOther, Detail: oneLine(c.Reason)}
			if c.Failure != nil {
				f = *c.Failure
			}
			key := "note.unread." + c.Name
			if !l.Has(key) {
				key = "note.unread"
			}
			out = append(out, l.F(key, "name", c.Name, "failure", l.FailureText(f)))
		}
	}
	return out
}

// CollectorReason is what the collector table says of a collector: the
// classified failure of one that did not finish, else its own reason
// (why it was skipped).
func (r *Report) CollectorReason(c collect.CollectorStatus) string {
	if c.Failed() {
		f := collect.Failure{Class: collect.FailOther, Detail: oneLine(c.Reason)}
		if c.Failure != nil {
			f = *c.Failure
		}
		return r.L.FailureText(f)
	}
	return c.Reason
}

// Priority suggests the ticket priority and why: from the error rate when
// the usage totals give one, else from the number of failures; a verdict
// that points at the customer's side lowers the need for a ticket.
func (r *Report) Priority() (level, reason string) {
	n := len(r.Ev.Incidents)
	switch {
	case r.D.Cause == analysis.CauseNoFailures || n == 0:
		return r.L.S("priority.low"), r.L.S("priority.reason_none")
	case r.Stats != nil && r.Stats.Rate.Known():
		rate := *r.Stats.Rate.Value * 100
		figs := map[string]any{"rate": fmt.Sprintf("%.1f%%", rate), "count": n, "days": len(r.Stats.RateDays)}
		switch {
		case rate >= 20:
			return r.L.S("priority.urgent"), r.L.T("priority.reason_rate_urgent", figs)
		case rate >= 2:
			return r.L.S("priority.high"), r.L.T("priority.reason_rate_high", figs)
		}
		return r.L.S("priority.normal"), r.L.T("priority.reason_rate_normal", figs)
	case n >= 100:
		return r.L.S("priority.high"), r.L.F("priority.reason_count", "count", n)
	}
	return r.L.S("priority.normal"), r.L.F("priority.reason_count", "count", n)
}

// CustomerSideFirst is a note when the diagnosis names a cause on the
// customer's own side with some confidence: fixing it may save the ticket.
func (r *Report) CustomerSideFirst() string {
	switch r.D.Cause {
	case analysis.CauseNoFailures, analysis.CauseUndecided, analysis.CauseConflict, analysis.CauseOutsideNetwork, analysis.CauseTwilioIncident:
		return ""
	}
	if r.D.Confidence == analysis.ConfidenceLow {
		return ""
	}
	return r.L.S("priority.fix_first")
}

// Subject is the ticket's subject line.
func (r *Report) Subject() string {
	seen := map[string]bool{}
	var codes []string
	for _, inc := range r.Ev.Incidents {
		if !seen[inc.ErrorCode] {
			seen[inc.ErrorCode] = true
			codes = append(codes, inc.ErrorCode)
		}
	}
	sort.Strings(codes)
	const f = "2006-01-02"
	return r.L.F("ticket.subject", "codes", strings.Join(codes, ", "), "count", len(r.Ev.Incidents),
		"account", r.Ev.Account.SID, "from", r.Ev.Window.From.UTC().Format(f), "to", r.Ev.Window.To.UTC().Format(f))
}

// FlowNote flags a flow description with unfilled blanks or one that was
// not given.
func (r *Report) FlowNote() string {
	switch {
	case len(r.Blanks) > 0:
		return r.L.F("flow.blanks", "count", len(r.Blanks))
	case !r.FlowGiven:
		return r.L.S("flow.prefilled")
	}
	return ""
}

// FileAbout is one file of the bundle with what it is.
type FileAbout struct{ Name, About string }

// Files describes the bundle's well-known files that are present.
func (r *Report) Files() []FileAbout {
	names := []string{ReadmeFile, SummaryFile, TicketFile, ManifestFile, IncidentsFile, collect.AlertsFile, collect.EndpointsFile, FlowFile, FindingsFile}
	var out []FileAbout
	for _, n := range names {
		out = append(out, FileAbout{n, r.L.S("file." + n)})
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// timeIn formats t in loc.
func timeIn(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// blankLines are runs of empty lines, left where a comment was cut out.
var blankLines = regexp.MustCompile(`\n\s*\n(\s*\n)+`)

// TextFuncs are the functions the text templates (ticket, README) use:
// t renders a catalog sentence ("t KEY" or "t KEY name value …"), utc and
// local format times, join joins, indent indents a block of text.
func (r *Report) TextFuncs() template.FuncMap {
	return template.FuncMap{
		"t":     func(key string, kv ...any) string { return r.L.F(key, kv...) },
		"utc":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
		"local": func(t time.Time) string { return timeIn(t, r.Ev.Window.Loc()) },
		"join":  strings.Join,
		"row":   func(inc collect.Incident) string { return strings.Join(r.IncidentRow(inc), "  ") },
		"indent": func(prefix string, s string) string {
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight(prefix+l, " ")
			}
			return strings.Join(lines, "\n")
		},
		"str": func(b []byte) string { return string(b) },
		"nocomment": func(b []byte) string {
			return strings.TrimSpace(blankLines.ReplaceAllString(commentRe.ReplaceAllString(string(b), ""), "\n\n"))
		},
		"priority": func() []string { p, why := r.Priority(); return []string{p, why} },
		"first":    func(n int, xs []string) []string { return head(xs, n) },
		"firstLines": func(n int, s string) string {
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			if len(lines) <= n {
				return strings.Join(lines, "\n")
			}
			return strings.Join(append(lines[:n], r.L.F("ticket.flow_more", "file", FlowFile)), "\n")
		},
		"sub": func(a, b int) int { return a - b },
	}
}
