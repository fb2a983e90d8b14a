package pdfdoc

import (
	"fmt"
	"math"
	"strings"
)

// Column describes one table column.
type Column struct {
	// Title is the header cell.
	Title string
	// Width is the column's share of the page width, relative to the other
	// columns' (e.g. 1, 1, 3); zero counts as 1.
	Width float64
	// AlignRight right-aligns the column's cells, for figures.
	AlignRight bool
}

// Table is a table with a header row. Cells wrap within their column; rows
// that reach the foot of a page continue on the next one under a repeated
// header.
type Table struct {
	Columns []Column
	// Rows hold one string per column.
	Rows [][]string
}

// Table sizes: the text shrinks from tableSize down to minTableSize when
// the columns need it to keep every SID, token and header word whole.
const (
	tableSize    = 8.5
	minTableSize = 6.5
	cellPadX     = 1.5
	cellPadY     = 1.0
)

// preparedTable is a Table with its texts ready to draw. shares are the
// columns' relative widths; widths (mm) and size (points) are fixed when it
// is drawn, where the text can be measured.
type preparedTable struct {
	shares []float64
	widths []float64
	size   float64
	right  []bool
	header []run
	rows   [][]run
}

// Table adds a table. A row whose cell count differs from the column count,
// or a negative or non-finite width, is an error.
func (d *Document) Table(t Table) {
	p, err := d.prepareTable(t)
	if err != nil {
		d.fail(fmt.Errorf("table: %w", err))
		return
	}
	d.add(func(r *renderer) error { r.table(p); return nil })
}

// prepareTable checks t and prepares its texts.
func (d *Document) prepareTable(t Table) (*preparedTable, error) {
	n := len(t.Columns)
	if n == 0 {
		return nil, fmt.Errorf("no columns")
	}
	p := &preparedTable{shares: make([]float64, n), right: make([]bool, n), header: make([]run, n)}
	for i, c := range t.Columns {
		w := c.Width
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("column %d (%q): width %v is not a positive number", i+1, c.Title, c.Width)
		}
		if w == 0 {
			w = 1
		}
		p.shares[i] = w
		p.right[i] = c.AlignRight
		var err error
		if p.header[i], err = d.prepare(c.Title, styleBold); err != nil {
			return nil, fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	for i, row := range t.Rows {
		if len(row) != n {
			return nil, fmt.Errorf("row %d has %d cells for %d columns", i+1, len(row), n)
		}
		runs, err := d.prepareAll(row, styleRegular)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		p.rows = append(p.rows, runs)
	}
	return p, nil
}

// wrapCells wraps each cell of a row to its column; header cells break
// only at spaces.
func (r *renderer) wrapCells(p *preparedTable, cells []run, header bool) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		r.setFont(c.face, p.size)
		out[i] = wrapCell(c.text, p.widths[i]-2*cellPadX, r.runeWidth, header)
	}
	return out
}

// layoutColumns fixes the text size and the column widths: each column gets
// its share of the page width, but never less than its widest unbreakable
// piece (a SID, a URL segment, a header word); the text shrinks, down to
// minTableSize, until those minimums fit the page together.
func (r *renderer) layoutColumns(p *preparedTable) {
	// A table whose cells all fit on one line at a slightly smaller size
	// is set at that size, its columns as wide as their widest line.
	for size := tableSize; size >= naturalMinSize; size -= 0.5 {
		p.size = size
		nat := r.columnNaturals(p)
		total := 0.0
		for _, w := range nat {
			total += w
		}
		if total <= contentW {
			p.widths = spread(nat, nat, contentW)
			return
		}
	}
	var mins []float64
	for size := tableSize; ; size -= 0.5 {
		p.size = size
		mins = r.columnMinimums(p)
		total := 0.0
		for _, m := range mins {
			total += m
		}
		if total <= contentW || size-0.5 < minTableSize {
			break
		}
	}
	p.widths = spread(p.shares, mins, contentW)
}

// naturalMinSize is the smallest size a table is set at to keep each cell
// on one line.
const naturalMinSize = 7.5

// columnNaturals are the widths (mm, padding included) that keep every
// line of every cell of each column whole at p.size.
func (r *renderer) columnNaturals(p *preparedTable) []float64 {
	nat := make([]float64, len(p.shares))
	measure := func(i int, c run) {
		r.setFont(c.face, p.size)
		for _, line := range strings.Split(c.text, "\n") {
			nat[i] = max(nat[i], r.textWidth(line)+2*cellPadX+0.01)
		}
	}
	for i, c := range p.header {
		measure(i, c)
	}
	for _, row := range p.rows {
		for i, c := range row {
			measure(i, c)
		}
	}
	return nat
}

// columnMinimums are the narrowest widths (mm, padding included) that keep
// every piece of every cell of each column on one line at p.size.
func (r *renderer) columnMinimums(p *preparedTable) []float64 {
	mins := make([]float64, len(p.shares))
	measure := func(i int, c run, header bool) {
		r.setFont(c.face, p.size)
		mins[i] = max(mins[i], minCellWidth(c.text, r.runeWidth, header)+2*cellPadX+0.01)
	}
	for i, c := range p.header {
		measure(i, c, true)
	}
	for _, row := range p.rows {
		for i, c := range row {
			measure(i, c, false)
		}
	}
	return mins
}

// spread divides total among columns in proportion to shares, raising a
// column below its minimum to that minimum and taking the difference from
// the others in proportion. When the minimums together exceed total, they
// are scaled down to fit.
func spread(shares, mins []float64, total float64) []float64 {
	n := len(shares)
	widths := make([]float64, n)
	fixed := make([]bool, n)
	sumMins := 0.0
	for _, m := range mins {
		sumMins += m
	}
	if sumMins >= total {
		for i, m := range mins {
			widths[i] = m / sumMins * total
		}
		return widths
	}
	for {
		left, shareLeft := total, 0.0
		for i := range shares {
			if fixed[i] {
				left -= widths[i]
			} else {
				shareLeft += shares[i]
			}
		}
		changed := false
		for i := range shares {
			if fixed[i] {
				continue
			}
			widths[i] = shares[i] / shareLeft * left
			if widths[i] < mins[i] {
				widths[i], fixed[i], changed = mins[i], true, true
			}
		}
		if !changed {
			return widths
		}
	}
}

// tableHeader draws the header row.
func (r *renderer) tableHeader(p *preparedTable) {
	cells := r.wrapCells(p, p.header, true)
	n := 0
	for _, c := range cells {
		n = max(n, len(c))
	}
	h := float64(n)*lineHeight(p.size) + 2*cellPadY
	r.fillRect(marginL, r.y, contentW, h, colHeaderBg)
	r.setTextColor(colWhite)
	r.drawCells(p, p.header, cells, 0, n)
	r.setTextColor(colText)
	r.y += h
}

// drawCells draws lines [from, to) of each cell at the current position.
func (r *renderer) drawCells(p *preparedTable, runs []run, cells [][]string, from, to int) {
	lh := lineHeight(p.size)
	x := marginL
	for i, c := range cells {
		align := "L"
		if p.right[i] {
			align = "R"
		}
		y := r.y + cellPadY
		for j := from; j < min(to, len(c)); j++ {
			r.text(x+cellPadX, y, p.widths[i]-2*cellPadX, lh, c[j], runs[i].face, p.size, align)
			y += lh
		}
		x += p.widths[i]
	}
}

// table draws the header and the rows, striping every other row and
// continuing rows across page breaks under a repeated header.
func (r *renderer) table(p *preparedTable) {
	r.layoutColumns(p)
	lh := lineHeight(p.size)
	r.ensure(3*lh + 4*cellPadY)
	r.tableHeader(p)
	for i, row := range p.rows {
		cells := r.wrapCells(p, row, false)
		n := 0
		for _, c := range cells {
			n = max(n, len(c))
		}
		broke := false
		for from := 0; from < n; {
			fit := int((bottomY - r.y - 2*cellPadY) / lh)
			if !broke && (fit < 1 || (from == 0 && fit < min(n, 3))) {
				r.newPage()
				r.tableHeader(p)
				broke = true
				continue
			}
			broke = false
			to := min(n, from+max(fit, 1))
			h := float64(to-from)*lh + 2*cellPadY
			if i%2 == 1 {
				r.fillRect(marginL, r.y, contentW, h, colStripe)
			}
			r.drawCells(p, row, cells, from, to)
			r.y += h
			from = to
		}
	}
	r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	r.pdf.SetLineWidth(0.2)
	r.pdf.Line(marginL, r.y, pageW-marginR, r.y)
	r.y += 3
}
