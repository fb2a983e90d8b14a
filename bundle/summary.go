package bundle

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// PDFOptions are the font choices of summary.pdf.
type PDFOptions struct {
	// FontPath is a Japanese TrueType font (.ttf or .ttc) given with --font.
	FontPath string
	// CJKFontPaths overrides where a Japanese font is looked for (tests).
	CJKFontPaths []string
}

// NewPDFDocument prepares the PDF document for a report in lang: a
// Japanese font is required for "ja" and whenever FontPath is given.
// Errors wrap pdfdoc.ErrNoCJKFont when no Japanese font is available.
func NewPDFDocument(lang string, r *Report, opt PDFOptions) (*pdfdoc.Document, error) {
	o := pdfdoc.Options{
		FontPath: opt.FontPath, CJKFontPaths: opt.CJKFontPaths, RequireCJK: lang == "ja",
	}
	if r != nil {
		o.Title = r.Title() + " " + r.Ev.Account.SID
		o.Subject = r.L.S("doc.subject")
		o.Author = r.ToolVersion()
		o.Created = r.Ev.GeneratedAt
		o.FooterLeft = r.L.F("footer.generated", "time", r.Generated())
		o.FooterRight = r.ShortToolVersion()
		o.PageFormat = r.L.S("footer.page")
	}
	return pdfdoc.New(o)
}

// writeSummaryPDF renders summary.pdf in support's order: page 1 holds the
// Account SID and the window, the diagnosis box, the affected calls and
// messages, and the frequency and trend with one small chart; then the
// statistics in detail, the isolation result step by step, the flow
// description, the attached files, and the appendix tables. Each finding
// is said once; nothing in it is addressed to the customer.
func writeSummaryPDF(w io.Writer, r *Report, opt PDFOptions) error {
	d, err := NewPDFDocument(r.L.Lang(), r, opt)
	if err != nil {
		return err
	}
	L := r.L
	d.Heading(1, r.Title())
	if r.Incomplete {
		d.Banner(L.S("banner.incomplete") + " " + strings.Join(r.IncompleteCollectors(), "; "))
	}
	d.KeyValue(L.S("label.account_sid"), r.Account())
	for _, note := range r.ContextUnread() {
		d.Paragraph(note)
	}
	d.KeyValue(L.S("label.window"), r.WindowLocal())
	if !r.ZoneIsUTC() {
		d.KeyValue(L.S("label.window_utc"), r.WindowUTC())
	}
	d.Box(r.Headline(), diagnosisBox(r))

	d.Heading(2, L.S("section.affected"))
	d.Paragraph(r.AffectedSentence())
	if rows := r.ShownIncidents(); len(rows) > 0 {
		t := pdfdoc.Table{Columns: []pdfdoc.Column{
			{Title: L.F("col.time", "zone", r.Ev.Window.Loc().String()), Width: 1.9}, {Title: L.S("col.code"), Width: 0.6},
			{Title: L.S("col.status"), Width: 0.5, AlignRight: true}, {Title: L.S("col.sid"), Width: 3.2}, {Title: L.S("col.url"), Width: 3.1}}}
		for _, inc := range rows {
			t.Rows = append(t.Rows, r.IncidentRow(inc))
		}
		d.Table(t)
	}

	d.Heading(2, L.S("section.frequency"))
	d.Bullets(r.KeyFrequency())
	if r.Stats != nil && r.Stats.Total > 0 {
		dailyChart(d, r, true)
	}

	if more := r.MoreFrequency(); len(more) > 0 || (r.Stats != nil && r.Stats.Total > 0) {
		d.Heading(3, L.S("section.frequency_more"))
		d.Bullets(more)
		if r.Stats != nil && r.Stats.Total > 0 {
			moreCharts(d, r)
		}
	}

	d.Heading(2, L.S("section.result"))
	if p := r.MoreProof(); len(p) > 0 {
		d.Heading(3, L.S("result.more_proof"))
		d.Bullets(p)
	}
	if f := r.MoreFurther(); len(f) > 0 {
		d.Heading(3, L.S("result.more_further"))
		d.Bullets(f)
	}
	if m := r.NotCollected(); len(m) > 0 {
		d.Heading(3, L.S("verdict.missing"))
		d.Bullets(m)
	}
	for _, s := range r.Steps() {
		d.Heading(3, s.Title)
		if len(s.Lines) > 0 {
			d.Bullets(s.Lines)
		}
		if s.NotFound != "" {
			d.Paragraph(s.NotFound)
		}
	}
	if fixes := r.OtherFixes(); len(fixes) > 0 {
		d.Heading(3, L.S("section.recommendations"))
		d.Bullets(fixes)
	}

	d.Heading(2, L.S("section.flow"))
	if flow := r.PDFFlow(); flow != nil {
		writeMarkdown(d, flow)
	} else {
		d.Paragraph(L.S("flow.not_given"))
	}

	d.Heading(2, L.S("section.logs"))
	var files []string
	for _, f := range r.FileGroups() {
		files = append(files, f.Name+" — "+f.About)
	}
	d.Bullets(files)
	if !r.hasLogExcerpts() {
		d.Paragraph(L.S("logs.none"))
	}

	d.Heading(2, L.S("section.appendix"))
	d.Heading(3, L.S("appendix.probes"))
	if t, ok := probeTable(r); ok {
		d.Table(t)
	} else {
		d.Paragraph(L.S("appendix.probes_none"))
	}
	d.Heading(3, L.S("appendix.hops"))
	if t, ok := hopTable(r); ok {
		d.Table(t)
	} else {
		d.Paragraph(L.S("appendix.hops_none"))
	}
	d.Heading(3, L.S("appendix.config"))
	if len(r.Ev.Endpoints) > 0 {
		d.Table(endpointTable(r))
	} else {
		d.Paragraph(L.S("appendix.config_none"))
	}

	d.Heading(3, L.S("section.collectors"))
	ct := pdfdoc.Table{Columns: []pdfdoc.Column{{Title: L.S("col.collector"), Width: 1}, {Title: L.S("col.state"), Width: 0.8}, {Title: L.S("col.reason"), Width: 4}}}
	var ok []string
	for _, c := range r.Ev.Collectors {
		if c.State == collect.StateOK {
			ok = append(ok, c.Name)
			continue
		}
		ct.Rows = append(ct.Rows, []string{c.Name, L.S("state." + string(c.State)), r.CollectorReason(c)})
	}
	if len(ct.Rows) > 0 {
		d.Table(ct)
	}
	if len(ok) > 0 && len(ct.Rows) == 0 {
		d.Paragraph(L.F("collectors.all_ok", "names", strings.Join(ok, ", ")))
	} else if len(ok) > 0 {
		d.Paragraph(L.F("collectors.ok", "names", strings.Join(ok, ", ")))
	}
	return d.Render(w)
}

// hasLogExcerpts tells whether the bundle holds excerpts of the customer's
// logs or their trace.
func (r *Report) hasLogExcerpts() bool {
	for _, f := range r.Staged {
		if (strings.HasPrefix(f, "logs/") && !strings.HasPrefix(f, "logs/twilio/")) || strings.HasPrefix(f, "trace/") {
			return true
		}
	}
	return false
}

// diagnosisBox is the body of page 1's diagnosis box: the confidence, what
// remains, the proof, the fix, what is said beside, and the further
// problems.
func diagnosisBox(r *Report) []pdfdoc.BoxLine {
	L := r.L
	lines := []pdfdoc.BoxLine{{Label: L.S("label.confidence"), Text: L.Confidence(r.D.Confidence)}}
	if rem := r.Remaining(); rem != "" {
		lines = append(lines, pdfdoc.BoxLine{Text: rem})
	}
	for i, p := range r.BoxProof() {
		l := pdfdoc.BoxLine{Text: p}
		if i == 0 {
			l.Label = L.S("diagnosis.proof")
		}
		lines = append(lines, l)
	}
	if fix := r.Fix(); fix != "" {
		lines = append(lines, pdfdoc.BoxLine{Label: L.S("diagnosis.fix"), Text: fix})
	}
	for _, b := range r.Beside() {
		lines = append(lines, pdfdoc.BoxLine{Label: L.S("diagnosis.beside"), Text: b})
	}
	for i, f := range r.BoxFurther() {
		l := pdfdoc.BoxLine{Text: f}
		if i == 0 {
			l.Label = L.S("diagnosis.further")
		}
		lines = append(lines, l)
	}
	if n := len(r.MoreFurther()); n > 0 {
		lines = append(lines, pdfdoc.BoxLine{Text: L.F("box.more_further", "count", n)})
	}
	return lines
}

// smallChartHeight is the height (mm) of page 1's daily chart.
const smallChartHeight = 20

// dailyChart draws the incidents per day with the error rate, small on
// page 1.
func dailyChart(d *pdfdoc.Document, r *Report, small bool) {
	L, s := r.L, r.Stats
	// Every chart is in the display zone; the error rate is known per UTC
	// day only, so its line is drawn when the zone's days are UTC days.
	days, zone := s.Daily, r.Ev.Window.Loc().String()
	var notes []string
	if len(days) > 0 {
		bc := pdfdoc.BarChart{Title: L.F("chart.daily", "zone", zone), ValueLabel: L.S("chart.incidents")}
		if small {
			bc.Height = smallChartHeight
		}
		line := &pdfdoc.LineSeries{Label: L.S("chart.rate")}
		partial := false
		for _, day := range days {
			bc.Labels = append(bc.Labels, shortDate(day.Date))
			bc.Values = append(bc.Values, float64(day.Incidents.Total()))
			bc.Partial = append(bc.Partial, day.Partial)
			partial = partial || day.Partial
			v := math.NaN()
			if day.Rate.Known() {
				v = *day.Rate.Value * 100
			}
			line.Values = append(line.Values, v)
		}
		if anyRate(days) {
			bc.Line = line
			bc.Title = L.F("chart.daily_rate", "zone", zone)
		} else if anyRate(s.DailyUTC) {
			notes = append(notes, L.F("chart.rate_utc_only", "zone", zone))
		}
		if partial {
			notes = append(notes, L.S("chart.partial"))
		}
		d.BarChart(bc)
		for _, n := range notes {
			d.Note(n)
		}
	}
}

// moreCharts draws the hour × weekday heat map and the URLs with the most
// failures.
func moreCharts(d *pdfdoc.Document, r *Report) {
	L, s := r.L, r.Stats
	hm := pdfdoc.HeatMap{Title: L.F("chart.heatmap", "zone", r.Ev.Window.Loc().String()), LegendLabel: L.S("chart.incidents")}
	for h := 0; h < 24; h++ {
		hm.ColLabels = append(hm.ColLabels, fmt.Sprint(h))
	}
	// Monday first, as a week is read in the calendar.
	for _, wd := range []int{1, 2, 3, 4, 5, 6, 0} {
		hm.RowLabels = append(hm.RowLabels, L.S(fmt.Sprintf("weekday.%d", wd)))
		row := make([]float64, 24)
		for h, n := range s.HourWeekday[wd] {
			row[h] = float64(n)
		}
		hm.Values = append(hm.Values, row)
	}
	d.HeatMap(hm)
	if len(s.ByURL) > 0 {
		hb := pdfdoc.HBarChart{Title: L.S("chart.urls"), ValueLabel: L.S("chart.incidents")}
		for _, c := range s.ByURL[:min(len(s.ByURL), 8)] {
			hb.Labels = append(hb.Labels, c.Key)
			hb.Values = append(hb.Values, float64(c.Incidents))
		}
		d.HBarChart(hb)
	}
}

func anyRate(days []stats.Day) bool {
	for _, d := range days {
		if d.Rate.Known() {
			return true
		}
	}
	return false
}

// shortDate turns 2026-11-18 into 11-18.
func shortDate(s string) string {
	if len(s) == len("2006-01-02") {
		return s[5:]
	}
	return s
}

// endpointTable is the configuration appendix: every webhook that Twilio
// requests, with its fallback; the owners (numbers, applications,
// services) whose webhook and fallback are the same share one row.
func endpointTable(r *Report) pdfdoc.Table {
	L := r.L
	t := pdfdoc.Table{Columns: []pdfdoc.Column{{Title: L.S("col.owner"), Width: 2}, {Title: L.S("col.channel"), Width: 0.7},
		{Title: L.S("col.url"), Width: 3.2}, {Title: L.S("col.fallback"), Width: 3.2}}}
	type row struct {
		channel, url, fallback string
		numbers, others        []string
		sid                    string
	}
	var rows []*row
	at := map[string]*row{}
	for _, e := range r.Ev.Endpoints {
		if !e.Effective {
			continue
		}
		url := dash(strings.TrimSpace(e.Method + " " + e.URL))
		fb := strings.TrimSpace(e.FallbackMethod + " " + e.FallbackURL)
		if e.FallbackURL == "" {
			fb = L.S("flow.none")
		}
		k := e.Channel + "\x00" + url + "\x00" + fb
		x, ok := at[k]
		if !ok {
			x = &row{channel: e.Channel, url: url, fallback: fb, sid: e.OwnerSID}
			at[k] = x
			rows = append(rows, x)
		}
		if e.OwnerKind == collect.OwnerNumber {
			x.numbers = append(x.numbers, e.OwnerName)
		} else {
			x.others = append(x.others, e.OwnerName)
		}
	}
	for _, x := range rows {
		var owners []string
		switch n := len(x.numbers); {
		case n == 1:
			owners = append(owners, x.numbers[0])
		case n > 1:
			owners = append(owners, L.F("flow.numbers", "numbers", NumberRange(x.numbers), "count", n))
		}
		owner := strings.Join(append(owners, x.others...), ", ")
		if len(x.numbers)+len(x.others) == 1 {
			owner += "\n" + x.sid
		}
		t.Rows = append(t.Rows, []string{owner, x.channel, x.url, x.fallback})
	}
	if len(t.Rows) == 0 {
		t.Rows = append(t.Rows, []string{"-", "-", "-", "-"})
	}
	return t
}

// writeMarkdown lays out the flow description: "#" lines become headings,
// "- " lines bullets, HTML comments are left out, other lines paragraphs.
func writeMarkdown(d *pdfdoc.Document, md []byte) {
	var bullets, para []string
	flush := func() {
		if len(bullets) > 0 {
			d.Bullets(bullets)
			bullets = nil
		}
		if len(para) > 0 {
			d.Paragraph(strings.Join(para, "\n"))
			para = nil
		}
	}
	inComment := false
	for _, line := range strings.Split(string(md), "\n") {
		trim := strings.TrimSpace(line)
		if inComment || strings.HasPrefix(trim, "<!--") {
			inComment = !strings.Contains(trim, "-->")
			continue
		}
		switch {
		case trim == "":
			flush()
		case strings.HasPrefix(trim, "#"):
			flush()
			level := len(trim) - len(strings.TrimLeft(trim, "#"))
			d.Heading(min(level+1, 3), strings.TrimSpace(strings.TrimLeft(trim, "#")))
		case strings.HasPrefix(trim, "- ") || strings.HasPrefix(trim, "* "):
			if len(para) > 0 {
				flush()
			}
			item := trim[2:]
			if indent := len(line) - len(strings.TrimLeft(line, " ")); indent > 0 && len(bullets) > 0 {
				bullets[len(bullets)-1] += "\n  " + item
				continue
			}
			bullets = append(bullets, item)
		default:
			if len(bullets) > 0 {
				bullets[len(bullets)-1] += " " + trim
				continue
			}
			para = append(para, trim)
		}
	}
	flush()
}
