package pdfdoc

import (
	"fmt"
	"math"
	"strconv"
)

// BarChart is a vertical bar chart, such as incidents per day, with an
// optional second series drawn as a line with markers on its own axis at
// the right, such as the error rate.
type BarChart struct {
	// Title is printed above the chart.
	Title string
	// Labels name the bars along the bottom axis, e.g. "11-18".
	Labels []string
	// Values are the bar heights, one per label, zero or more.
	Values []float64
	// ValueLabel names the left axis, e.g. "incidents".
	ValueLabel string
	// Line, when set, is drawn over the bars.
	Line *LineSeries
	// Height is the plot's height in mm; 0 is the default, 48.
	Height float64
	// Partial, when set, holds one flag per bar: true for a bar that covers
	// only part of its period (the window's first and last day). Such a
	// bar is drawn lighter, so that a short day does not read as a drop.
	Partial []bool
}

// LineSeries is the second series of a BarChart.
type LineSeries struct {
	// Label names the right axis and the legend entry, e.g. "error rate (%)".
	Label string
	// Values hold one point per bar; NaN marks an unknown value, which is
	// left out (a gap in the line), never drawn as zero.
	Values []float64
}

// HeatMap is a matrix of counts shaded by size, such as weekday × hour of day.
type HeatMap struct {
	// Title is printed above the chart.
	Title string
	// RowLabels name the rows (e.g. Mon … Sun), ColLabels the columns
	// (e.g. 0 … 23).
	RowLabels, ColLabels []string
	// Values[row][col] are zero or more.
	Values [][]float64
	// LegendLabel names what the shades count, e.g. "incidents".
	LegendLabel string
}

// HBarChart is a horizontal bar chart with the value printed at each bar's
// end, such as the URLs with the most failures. Labels too long for the
// label column are shortened with an ellipsis.
type HBarChart struct {
	// Title is printed above the chart.
	Title string
	// Labels name the bars, Values give their lengths (zero or more).
	Labels []string
	Values []float64
	// ValueLabel names what the values count, e.g. "incidents".
	ValueLabel string
}

// Chart colours, chosen to stay distinct when printed in grey.
var (
	colBar      = [3]int{52, 101, 164}
	colBarLight = [3]int{168, 190, 218}
	colLine     = [3]int{214, 96, 20}
	colGrid     = [3]int{220, 220, 220}
	colAxis     = [3]int{90, 90, 90}
	colHeatZero = [3]int{250, 250, 250}
)

// Chart text sizes, in points.
const (
	chartTitleSize = 10.0
	chartLabelSize = 7.0
	chartSmallSize = 6.0
)

// checkValues rejects negative, NaN and infinite values.
func checkValues(vs []float64) error {
	for i, v := range vs {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %d is %v; values must be finite and not negative", i+1, v)
		}
	}
	return nil
}

// preparedBars is what both bar charts draw: a title, an axis label, and
// one labelled value per bar.
type preparedBars struct {
	title, valueLabel run
	labels            []run
	values            []float64
}

// prepareBars checks the bars and sets their texts in the document's fonts.
func (d *Document) prepareBars(title, valueLabel string, labels []string, values []float64) (preparedBars, error) {
	p := preparedBars{values: values}
	if len(labels) != len(values) {
		return p, fmt.Errorf("%d labels for %d values", len(labels), len(values))
	}
	if err := checkValues(values); err != nil {
		return p, err
	}
	var err error
	if p.title, err = d.prepare(oneLine(title), styleBold); err != nil {
		return p, err
	}
	if p.valueLabel, err = d.prepare(oneLine(valueLabel), styleRegular); err != nil {
		return p, err
	}
	lines := make([]string, len(labels))
	for i, l := range labels {
		lines[i] = oneLine(l)
	}
	p.labels, err = d.prepareAll(lines, styleRegular)
	return p, err
}

// preparedBar is a BarChart ready to draw.
type preparedBar struct {
	preparedBars
	lineLabel run
	line      []float64
	hasLine   bool
	partial   []bool
	height    float64
}

// BarChart adds a vertical bar chart.
func (d *Document) BarChart(c BarChart) {
	p, err := d.prepareBar(c)
	if err != nil {
		d.fail(fmt.Errorf("bar chart %q: %w", excerpt(c.Title), err))
		return
	}
	d.add(func(r *renderer) error { r.barChart(p); return nil })
}

func (d *Document) prepareBar(c BarChart) (*preparedBar, error) {
	bars, err := d.prepareBars(c.Title, c.ValueLabel, c.Labels, c.Values)
	if err != nil {
		return nil, err
	}
	p := &preparedBar{preparedBars: bars, partial: c.Partial, height: c.Height}
	if c.Height < 0 || math.IsNaN(c.Height) || math.IsInf(c.Height, 0) {
		return nil, fmt.Errorf("height %v is not a positive number", c.Height)
	}
	if c.Partial != nil && len(c.Partial) != len(c.Values) {
		return nil, fmt.Errorf("%d partial flags for %d bars", len(c.Partial), len(c.Values))
	}
	if c.Line != nil {
		if len(c.Line.Values) != len(c.Values) {
			return nil, fmt.Errorf("line has %d values for %d bars", len(c.Line.Values), len(c.Values))
		}
		for i, v := range c.Line.Values {
			if !math.IsNaN(v) && (v < 0 || math.IsInf(v, 0)) {
				return nil, fmt.Errorf("line value %d is %v; values must be finite and not negative", i+1, v)
			}
		}
		p.hasLine, p.line = true, c.Line.Values
		if p.lineLabel, err = d.prepare(oneLine(c.Line.Label), styleRegular); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// niceScale returns an axis maximum and step with about five steps of 1, 2
// or 5 times a power of ten; integer data never gets fractional steps.
func niceScale(maxV float64, integer bool) (top, step float64) {
	if maxV <= 0 {
		return 1, 1
	}
	raw := maxV / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if integer && step < 1 {
		step = 1
	}
	top = math.Ceil(maxV/step-1e-9) * step
	return top, step
}

// formatTick prints an axis value without needless decimals.
func formatTick(v float64) string {
	v = math.Round(v*1e6) / 1e6
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// allIntegers reports whether every value is a whole number.
func allIntegers(vs []float64) bool {
	for _, v := range vs {
		if v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// chartTitle draws a chart's title and moves below it.
func (r *renderer) chartTitle(t run) {
	if t.text == "" {
		return
	}
	h := lineHeight(chartTitleSize)
	r.setTextColor(colText)
	r.text(marginL, r.y, contentW, h, t.text, t.face, chartTitleSize, "L")
	r.y += h + 1
}

// line draws a line segment in colour c and width w.
func (r *renderer) line(x1, y1, x2, y2 float64, c [3]int, w float64) {
	r.pdf.SetDrawColor(c[0], c[1], c[2])
	r.pdf.SetLineWidth(w)
	r.pdf.Line(x1, y1, x2, y2)
}

// barChart draws a BarChart: title, legend, left axis with grid lines, bars
// with their values when there is room, bottom labels thinned out so they
// never overlap, and the optional line on a right-hand axis.
func (r *renderer) barChart(p *preparedBar) {
	const axisW, labelH = 12.0, 6.0
	after := 4.0
	plotH := p.height
	if plotH == 0 {
		plotH = 48
	}
	// A small chart (under 30 mm) has its legend on the title's line.
	compact := plotH < 30
	legendH := 6.0
	if compact {
		legendH, after = 0, 1
	}
	total := lineHeight(chartTitleSize) + 1 + legendH + plotH + labelH + after
	r.ensure(total)
	titleY := r.y
	r.chartTitle(p.title)

	x0 := marginL + axisW
	plotW := contentW - axisW
	if p.hasLine {
		plotW -= axisW
	}
	// Legend / axis names above the plot: the bars' at the left, the
	// line's at the right; both at the right of the title when compact.
	lh := lineHeight(chartLabelSize)
	r.setFont(p.valueLabel.face, chartLabelSize)
	barLegendX, legendY := x0, r.y
	if compact {
		legendY = titleY + 1
		barLegendX = x0 + plotW - r.textWidth(p.valueLabel.text) - 6
		if p.hasLine {
			r.setFont(p.lineLabel.face, chartLabelSize)
			barLegendX -= r.textWidth(p.lineLabel.text) + 10
		}
	}
	r.fillRect(barLegendX, legendY+1, 3, 3, colBar)
	r.setTextColor(colText)
	r.text(barLegendX+4.5, legendY, plotW/2, lh, p.valueLabel.text, p.valueLabel.face, chartLabelSize, "L")
	if p.hasLine {
		r.setFont(p.lineLabel.face, chartLabelSize)
		w := r.textWidth(p.lineLabel.text)
		lx := x0 + plotW - w
		r.line(lx-7, legendY+2.5, lx-2, legendY+2.5, colLine, 0.6)
		r.pdf.SetFillColor(colLine[0], colLine[1], colLine[2])
		r.pdf.Circle(lx-4.5, legendY+2.5, 0.8, "F")
		r.text(lx, legendY, w+1, lh, p.lineLabel.text, p.lineLabel.face, chartLabelSize, "L")
	}
	r.y += legendH
	top := r.y
	bottom := top + plotH

	maxV := 0.0
	for _, v := range p.values {
		maxV = max(maxV, v)
	}
	vTop, vStep := niceScale(maxV, allIntegers(p.values))
	// Grid and left ticks.
	for v := 0.0; v <= vTop+vStep/2; v += vStep {
		y := bottom - v/vTop*plotH
		r.line(x0, y, x0+plotW, y, colGrid, 0.15)
		r.setTextColor(colAxis)
		r.text(marginL, y-lh/2, axisW-1.5, lh, formatTick(v), faceRegular, chartLabelSize, "R")
	}
	r.line(x0, top, x0, bottom, colAxis, 0.3)
	r.line(x0, bottom, x0+plotW, bottom, colAxis, 0.3)

	n := len(p.values)
	if n > 0 {
		slot := plotW / float64(n)
		barW := slot * 0.7
		// Show every k-th label so that labels never overlap.
		widest := 0.0
		for _, l := range p.labels {
			r.setFont(l.face, chartLabelSize)
			widest = max(widest, r.textWidth(l.text))
		}
		every := max(1, int(math.Ceil((widest+1.5)/slot)))
		lTop, _ := p.lineScale()
		for i, v := range p.values {
			x := x0 + slot*float64(i) + (slot-barW)/2
			h := v / vTop * plotH
			if h > 0 {
				c := colBar
				if i < len(p.partial) && p.partial[i] {
					c = colBarLight
				}
				r.fillRect(x, bottom-h, barW, h, c)
			}
			if v > 0 {
				s := formatTick(v)
				r.setFont(faceRegular, chartSmallSize)
				if r.textWidth(s) <= slot {
					my, ok := p.markerY(i, lTop, top, bottom)
					y, inside := valueLabelY(bottom-h, h, lineHeight(chartSmallSize), my, ok)
					r.setTextColor(colText)
					if inside {
						r.setTextColor(colWhite)
					}
					r.text(x0+slot*float64(i), y, slot, lineHeight(chartSmallSize), s, faceRegular, chartSmallSize, "C")
				}
			}
			if i%every == 0 {
				l := p.labels[i]
				r.setTextColor(colText)
				cx := x0 + slot*(float64(i)+0.5)
				w := slot * float64(every)
				r.text(cx-w/2, bottom+1, w, lh, l.text, l.face, chartLabelSize, "C")
			}
		}
		if p.hasLine {
			r.lineSeries(p, x0, plotW, top, bottom, slot)
		}
	}
	r.setTextColor(colText)
	r.y = bottom + labelH + after
}

// markerRadius is the radius of the line series' markers, in mm.
const markerRadius = 0.8

// lineScale is the top and step of the line series' axis.
func (p *preparedBar) lineScale() (top, step float64) {
	maxL := 0.0
	for _, v := range p.line {
		if !math.IsNaN(v) {
			maxL = max(maxL, v)
		}
	}
	return niceScale(maxL, false)
}

// markerY is the height of the line series' marker over bar i; ok is false
// when there is no line or its value is unknown.
func (p *preparedBar) markerY(i int, lTop, top, bottom float64) (y float64, ok bool) {
	if !p.hasLine || math.IsNaN(p.line[i]) {
		return 0, false
	}
	return bottom - p.line[i]/lTop*(bottom-top), true
}

// valueLabelY places a bar's value label, lh high, for a bar whose top is
// at barTop and whose height is h: above the bar, unless the line's marker
// (at markerY, when hasMarker) would sit on it; then inside the bar's top
// (inside is true: drawn in white) when the bar is tall enough, else above
// the marker.
func valueLabelY(barTop, h, lh, markerY float64, hasMarker bool) (y float64, inside bool) {
	clear := func(y float64) bool {
		return !hasMarker || markerY+markerRadius+0.3 < y || markerY-markerRadius-0.3 > y+lh
	}
	above := barTop - lh
	if clear(above) {
		return above, false
	}
	if in := barTop + 0.3; h >= lh+0.6 && clear(in) {
		return in, true
	}
	return min(markerY, barTop) - markerRadius - 0.3 - lh, false
}

// lineSeries draws the second series of a bar chart and its right axis.
func (r *renderer) lineSeries(p *preparedBar, x0, plotW, top, bottom, slot float64) {
	lTop, lStep := p.lineScale()
	xr := x0 + plotW
	lh := lineHeight(chartLabelSize)
	r.line(xr, top, xr, bottom, colLine, 0.3)
	for v := 0.0; v <= lTop+lStep/2; v += lStep {
		y := bottom - v/lTop*(bottom-top)
		r.line(xr, y, xr+1, y, colLine, 0.3)
		r.setTextColor(colLine)
		r.text(xr+1.5, y-lh/2, 12, lh, formatTick(v), faceRegular, chartLabelSize, "L")
	}
	r.pdf.SetFillColor(colLine[0], colLine[1], colLine[2])
	prevX, prevY, havePrev := 0.0, 0.0, false
	for i, v := range p.line {
		if math.IsNaN(v) {
			havePrev = false
			continue
		}
		x := x0 + slot*(float64(i)+0.5)
		y := bottom - v/lTop*(bottom-top)
		if havePrev {
			r.line(prevX, prevY, x, y, colLine, 0.6)
		}
		r.pdf.Circle(x, y, markerRadius, "F")
		prevX, prevY, havePrev = x, y, true
	}
	r.setTextColor(colText)
}

// preparedHeat is a HeatMap ready to draw.
type preparedHeat struct {
	title, legend run
	rows, cols    []run
	values        [][]float64
}

// HeatMap adds a heat map.
func (d *Document) HeatMap(h HeatMap) {
	p, err := d.prepareHeat(h)
	if err != nil {
		d.fail(fmt.Errorf("heat map %q: %w", excerpt(h.Title), err))
		return
	}
	d.add(func(r *renderer) error { r.heatMap(p); return nil })
}

func (d *Document) prepareHeat(h HeatMap) (*preparedHeat, error) {
	if len(h.Values) != len(h.RowLabels) {
		return nil, fmt.Errorf("%d rows of values for %d row labels", len(h.Values), len(h.RowLabels))
	}
	if len(h.ColLabels) == 0 {
		return nil, fmt.Errorf("no columns")
	}
	for i, row := range h.Values {
		if len(row) != len(h.ColLabels) {
			return nil, fmt.Errorf("row %d has %d values for %d column labels", i+1, len(row), len(h.ColLabels))
		}
		if err := checkValues(row); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	p := &preparedHeat{values: h.Values}
	var err error
	if p.title, err = d.prepare(oneLine(h.Title), styleBold); err != nil {
		return nil, err
	}
	if p.legend, err = d.prepare(oneLine(h.LegendLabel), styleRegular); err != nil {
		return nil, err
	}
	if p.rows, err = d.prepareAll(h.RowLabels, styleRegular); err != nil {
		return nil, err
	}
	if p.cols, err = d.prepareAll(h.ColLabels, styleRegular); err != nil {
		return nil, err
	}
	return p, nil
}

// heatColor maps t in [0, 1] onto a white → orange → dark red scale.
func heatColor(t float64) [3]int {
	stops := [][3]float64{{255, 247, 236}, {253, 174, 97}, {165, 0, 38}}
	t = min(max(t, 0), 1)
	seg := 0
	if t > 0.5 {
		seg, t = 1, t-0.5
	}
	t *= 2
	a, b := stops[seg], stops[seg+1]
	var c [3]int
	for i := range c {
		c[i] = int(math.Round(a[i] + (b[i]-a[i])*t))
	}
	return c
}

// heatMap draws the matrix with row labels at the left, column labels on
// top, the count in each non-empty cell and a legend of shades below.
func (r *renderer) heatMap(p *preparedHeat) {
	const cellH, legendH = 6.0, 12.0
	labelW := 0.0
	for _, l := range p.rows {
		r.setFont(l.face, chartLabelSize)
		labelW = max(labelW, r.textWidth(l.text))
	}
	labelW = min(labelW+2, contentW/4)
	lh := lineHeight(chartLabelSize)
	total := lineHeight(chartTitleSize) + 1 + lh + 1 + cellH*float64(len(p.rows)) + legendH
	r.ensure(total)
	r.chartTitle(p.title)

	x0 := marginL + labelW
	cellW := (contentW - labelW) / float64(len(p.cols))
	r.setTextColor(colText)
	for j, c := range p.cols {
		r.text(x0+cellW*float64(j), r.y, cellW, lh, c.text, c.face, chartLabelSize, "C")
	}
	r.y += lh + 1
	maxV := 0.0
	for _, row := range p.values {
		for _, v := range row {
			maxV = max(maxV, v)
		}
	}
	integer := true
	for _, row := range p.values {
		integer = integer && allIntegers(row)
	}
	r.pdf.SetDrawColor(255, 255, 255)
	for i, row := range p.values {
		y := r.y + cellH*float64(i)
		r.setTextColor(colText)
		r.text(marginL, y, labelW-2, cellH, p.rows[i].text, p.rows[i].face, chartLabelSize, "R")
		for j, v := range row {
			x := x0 + cellW*float64(j)
			c := colHeatZero
			if v > 0 && maxV > 0 {
				c = heatColor(v / maxV)
			}
			r.pdf.SetFillColor(c[0], c[1], c[2])
			r.pdf.SetLineWidth(0.3)
			r.pdf.Rect(x, y, cellW, cellH, "FD")
			if v > 0 {
				s := formatTick(v)
				if !integer {
					s = strconv.FormatFloat(v, 'f', 1, 64)
				}
				r.setFont(faceRegular, chartSmallSize)
				if r.textWidth(s) <= cellW-0.5 {
					if v/maxV > 0.55 {
						r.setTextColor(colWhite)
					} else {
						r.setTextColor(colText)
					}
					r.text(x, y, cellW, cellH, s, faceRegular, chartSmallSize, "C")
				}
			}
		}
	}
	r.y += cellH*float64(len(p.rows)) + 2
	// Legend: shades from 0 to the maximum.
	r.setTextColor(colText)
	r.setFont(p.legend.face, chartLabelSize)
	lw := r.textWidth(p.legend.text)
	r.text(x0, r.y, lw+1, lh, p.legend.text, p.legend.face, chartLabelSize, "L")
	lx := x0 + lw + 3
	const steps, sw = 6, 7.0
	r.text(lx, r.y, 4, lh, "0", faceRegular, chartLabelSize, "R")
	lx += 5
	for k := 0; k < steps; k++ {
		c := heatColor(float64(k) / float64(steps-1))
		if k == 0 {
			c = colHeatZero
		}
		r.fillRect(lx+sw*float64(k), r.y+0.5, sw, lh-1, c)
	}
	r.text(lx+sw*steps+1, r.y, 20, lh, formatTick(maxV), faceRegular, chartLabelSize, "L")
	r.y += legendH - 2
}

// preparedHBar is an HBarChart ready to draw.
type preparedHBar = preparedBars

// HBarChart adds a horizontal bar chart.
func (d *Document) HBarChart(c HBarChart) {
	p, err := d.prepareHBar(c)
	if err != nil {
		d.fail(fmt.Errorf("bar chart %q: %w", excerpt(c.Title), err))
		return
	}
	d.add(func(r *renderer) error { r.hBarChart(p); return nil })
}

func (d *Document) prepareHBar(c HBarChart) (*preparedHBar, error) {
	p, err := d.prepareBars(c.Title, c.ValueLabel, c.Labels, c.Values)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ellipsize shortens s with "…" so that it fits width in the current font.
func (r *renderer) ellipsize(s string, width float64) string {
	if r.textWidth(s) <= width {
		return s
	}
	limit := width - r.runeWidth('…')
	w := 0.0
	rs := []rune(s)
	for i, c := range rs {
		w += r.runeWidth(c)
		if w > limit {
			return string(rs[:i]) + "…"
		}
	}
	return s
}

// hBarChart draws one row per label: the label (shortened if needed), the
// bar, and the value after it.
func (r *renderer) hBarChart(p *preparedHBar) {
	const rowH = 5.5
	labelW := contentW * 0.42
	valueW := 14.0
	barMax := contentW - labelW - valueW - 2
	lh := lineHeight(chartLabelSize)
	r.ensure(lineHeight(chartTitleSize) + 1 + lh + rowH*float64(min(len(p.values), 5)))
	r.chartTitle(p.title)
	r.setTextColor(colAxis)
	r.text(marginL+labelW+1, r.y, barMax+valueW, lh, p.valueLabel.text, p.valueLabel.face, chartLabelSize, "R")
	r.y += lh + 0.5
	maxV := 0.0
	for _, v := range p.values {
		maxV = max(maxV, v)
	}
	for i, v := range p.values {
		r.ensure(rowH)
		l := p.labels[i]
		r.setFont(l.face, chartLabelSize)
		r.setTextColor(colText)
		r.text(marginL, r.y, labelW, rowH, r.ellipsize(l.text, labelW-1.5), l.face, chartLabelSize, "R")
		w := 0.0
		if maxV > 0 {
			w = v / maxV * barMax
		}
		x := marginL + labelW + 1
		if w > 0 {
			r.fillRect(x, r.y+1, w, rowH-2, colBar)
		}
		r.text(x+w+1, r.y, valueW, rowH, formatTick(v), faceRegular, chartLabelSize, "L")
		r.line(x, r.y, x, r.y+rowH, colAxis, 0.3)
		r.y += rowH
	}
	r.setTextColor(colText)
	r.y += 4
}
