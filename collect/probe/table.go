package probe

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// tableColumns are the catalog keys of the table's column headings; the
// wide table has every one, the default table the narrow ones.
var (
	tableColumns  = []string{"target", "attempts", "failed", "failures", "dns", "connect", "tls", "ttfb", "total", "verdict"}
	narrowColumns = []string{"target", "failed_of", "total", "verdict"}
)

// TableWidth is the width, in terminal columns, that the default table and
// every explanation line keep within (for URLs of ordinary length).
const TableWidth = 120

// WriteTable renders the summaries as a text table in lang that fits
// TableWidth columns: one line per target (through DNS), one per address
// and one per --resolve origin below it, each with its failures and total
// times and its verdict, then each target's verdict with its explanation,
// wrapped. The target's line and its explanation always agree.
func WriteTable(w io.Writer, targets []TargetSummary, lang string) error {
	return renderTable(w, targets, lang, false)
}

// WriteWideTable is WriteTable with every column: the failure classes and
// the DNS, connect, TLS and first-byte times besides the total.
func WriteWideTable(w io.Writer, targets []TargetSummary, lang string) error {
	return renderTable(w, targets, lang, true)
}

func renderTable(w io.Writer, targets []TargetSummary, lang string, wide bool) error {
	cols := narrowColumns
	if wide {
		cols = tableColumns
	}
	var rows [][]string
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = sentence(lang, "probe.col."+c, nil)
	}
	rows = append(rows, head)
	row := func(label string, s Summary) {
		cells := map[string]string{
			"target": label, "attempts": strconv.Itoa(s.Attempts), "failures": classes(s),
			"dns": ms(s.Phases.DNS), "connect": ms(s.Phases.Connect), "tls": ms(s.Phases.TLS), "ttfb": ms(s.Phases.TTFB),
			"total": ms(s.Phases.Total), "verdict": string(s.Outcome),
			"failed": fmt.Sprintf("%.0f%%", 100*s.FailureRate), "failed_of": fmt.Sprintf("%d/%d", s.Failures, s.Attempts),
		}
		r := make([]string, len(cols))
		for i, c := range cols {
			r[i] = cells[c]
		}
		rows = append(rows, r)
	}
	for _, t := range targets {
		row(t.Target, t.Overall)
		for _, s := range t.PerAddress {
			row("  "+sentence(lang, "probe.row.address", map[string]any{"address": s.Address}), s)
		}
		for _, s := range t.Direct {
			row("  "+sentence(lang, "probe.row.direct", map[string]any{"address": s.Address}), s)
		}
	}
	var b strings.Builder
	writeColumns(&b, rows)
	for _, t := range targets {
		for i, line := range wrapWords(fmt.Sprintf("%s: %s — %s", t.Target, t.Outcome, Explain(t, lang)), TableWidth-2) {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(line + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write probe table: %w", err)
	}
	return nil
}

// writeColumns aligns rows in columns two spaces apart, measuring text by
// its width on a terminal (a Japanese character takes two columns).
func writeColumns(b *strings.Builder, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(cell))
		}
	}
	for _, r := range rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
}

// wrapWords breaks text into lines of at most width terminal columns, at
// spaces, or between Japanese characters (which take two columns each). A
// word longer than width (a long URL) is left whole on its own line.
func wrapWords(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		if cur.Len() > 0 {
			lines = append(lines, strings.TrimRight(cur.String(), " "))
			cur.Reset()
			curW = 0
		}
	}
	for _, word := range splitWords(text) {
		ww := runewidth.StringWidth(strings.TrimRight(word, " "))
		if curW > 0 && curW+ww > width {
			flush()
		}
		cur.WriteString(word)
		curW += runewidth.StringWidth(word)
	}
	flush()
	return lines
}

// splitWords splits text after each space and around each wide (Japanese)
// character, keeping every character.
func splitWords(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		switch {
		case runewidth.RuneWidth(r) == 2:
			if i > start {
				out = append(out, text[start:i])
			}
			out = append(out, string(r))
			start = i + len(string(r))
		case r == ' ':
			out = append(out, text[start:i+1])
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

func ms(s Stat) string {
	if s.P50 == 0 && s.P95 == 0 {
		return "-"
	}
	return fmt.Sprintf("%s/%s ms", msValue(s.P50), msValue(s.P95))
}

func msValue(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}
