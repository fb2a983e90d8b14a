package probe

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// tableColumns are the catalog keys of the table's column headings.
var tableColumns = []string{"target", "attempts", "failed", "failures", "dns", "connect", "tls", "ttfb", "total", "verdict"}

// WriteTable renders the summaries as a text table in lang: one line per
// target (through DNS), one per address and one per --resolve origin below
// it, each with its verdict, then one line per target with its verdict's
// explanation. The target's line and its explanation always agree.
func WriteTable(w io.Writer, targets []TargetSummary, lang string) error {
	var rows [][]string
	head := make([]string, len(tableColumns))
	for i, c := range tableColumns {
		head[i] = sentence(lang, "probe.col."+c, nil)
	}
	rows = append(rows, head)
	row := func(label string, s Summary) {
		rows = append(rows, []string{label, strconv.Itoa(s.Attempts), fmt.Sprintf("%.0f%%", 100*s.FailureRate), classes(s),
			ms(s.Phases.DNS), ms(s.Phases.Connect), ms(s.Phases.TLS), ms(s.Phases.TTFB), ms(s.Phases.Total), s.Verdict})
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
		fmt.Fprintf(&b, "%s: %s — %s\n", t.Target, t.Verdict, Explain(t, lang))
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
