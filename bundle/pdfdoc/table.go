package pdfdoc

import (
	"fmt"
	"math"
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

// Table sizes.
const (
	tableSize = 8.5
	cellPadX  = 1.5
	cellPadY  = 1.0
)

// preparedTable is a Table with its texts ready to draw and widths in mm.
type preparedTable struct {
	widths []float64
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
	p := &preparedTable{widths: make([]float64, n), right: make([]bool, n), header: make([]run, n)}
	sum := 0.0
	for i, c := range t.Columns {
		w := c.Width
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("column %d (%q): width %v is not a positive number", i+1, c.Title, c.Width)
		}
		if w == 0 {
			w = 1
		}
		p.widths[i] = w
		sum += w
		p.right[i] = c.AlignRight
		var err error
		if p.header[i], err = d.prepare(c.Title, styleBold); err != nil {
			return nil, fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	for i := range p.widths {
		p.widths[i] = p.widths[i] / sum * contentW
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

// wrapCells wraps each cell of a row to its column.
func (r *renderer) wrapCells(p *preparedTable, cells []run) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = r.wrap(c, tableSize, p.widths[i]-2*cellPadX)
	}
	return out
}

// tableHeader draws the header row.
func (r *renderer) tableHeader(p *preparedTable) {
	cells := r.wrapCells(p, p.header)
	n := 0
	for _, c := range cells {
		n = max(n, len(c))
	}
	h := float64(n)*lineHeight(tableSize) + 2*cellPadY
	r.fillRect(marginL, r.y, contentW, h, colHeaderBg)
	r.setTextColor(colWhite)
	r.drawCells(p, p.header, cells, 0, n)
	r.setTextColor(colText)
	r.y += h
}

// drawCells draws lines [from, to) of each cell at the current position.
func (r *renderer) drawCells(p *preparedTable, runs []run, cells [][]string, from, to int) {
	lh := lineHeight(tableSize)
	x := marginL
	for i, c := range cells {
		align := "L"
		if p.right[i] {
			align = "R"
		}
		y := r.y + cellPadY
		for j := from; j < min(to, len(c)); j++ {
			r.text(x+cellPadX, y, p.widths[i]-2*cellPadX, lh, c[j], runs[i].face, tableSize, align)
			y += lh
		}
		x += p.widths[i]
	}
}

// table draws the header and the rows, striping every other row and
// continuing rows across page breaks under a repeated header.
func (r *renderer) table(p *preparedTable) {
	lh := lineHeight(tableSize)
	r.ensure(3*lh + 4*cellPadY)
	r.tableHeader(p)
	for i, row := range p.rows {
		cells := r.wrapCells(p, row)
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
