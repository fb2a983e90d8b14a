package pdfdoc

import (
	"bytes"
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Colours, as RGB.
var (
	colText     = [3]int{0, 0, 0}
	colHeading  = [3]int{31, 56, 100}
	colMuted    = [3]int{90, 90, 90}
	colRule     = [3]int{160, 160, 160}
	colMonoBg   = [3]int{243, 243, 243}
	colBanner   = [3]int{192, 0, 0}
	colWhite    = [3]int{255, 255, 255}
	colHeaderBg = [3]int{52, 73, 94}
	colStripe   = [3]int{242, 245, 248}
	colBoxBg    = [3]int{235, 241, 250}
)

// renderer draws recorded steps on one gofpdf document and keeps the
// vertical position itself, breaking pages where needed.
type renderer struct {
	d     *Document
	pdf   *gofpdf.Fpdf
	total int
	y     float64
	units map[face]map[rune]int
	face  face
	size  float64
	color [3]int // current text colour
	level int    // outline level of the last heading, 0 before any
}

// fontFamily maps a face to the family and style registered with gofpdf.
func fontFamily(f face) (string, string) {
	switch f {
	case faceBold:
		return "go", "B"
	case faceMono:
		return "gomono", ""
	case faceCJK, faceCJKBold:
		return "cjk", ""
	}
	return "go", ""
}

// newRenderer sets up a gofpdf document: A4, millimetres, embedded fonts,
// fixed dates, sorted catalogs, the footer, and the first page.
func newRenderer(d *Document, total int) *renderer {
	pdf := gofpdf.New("P", "mm", "A4", "")
	created := d.opts.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	created = created.UTC()
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetProducer("twilio-evidence", true)
	pdf.SetTitle(d.opts.Title, true)
	pdf.SetSubject(d.opts.Subject, true)
	pdf.SetAuthor(d.opts.Author, true)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(false, marginB)
	pdf.SetCellMargin(0)
	// gofpdf writes into the font bytes it is given while it subsets them:
	// each render gets its own copy, or the next one would differ.
	pdf.AddUTF8FontFromBytes("go", "", bytes.Clone(d.latin[styleRegular].ttf))
	pdf.AddUTF8FontFromBytes("go", "B", bytes.Clone(d.latin[styleBold].ttf))
	pdf.AddUTF8FontFromBytes("gomono", "", bytes.Clone(d.latin[styleMono].ttf))
	if d.cjk != nil {
		pdf.AddUTF8FontFromBytes("cjk", "", bytes.Clone(d.cjk.ttf))
	}
	r := &renderer{d: d, pdf: pdf, total: total, units: map[face]map[rune]int{}, face: -1}
	pdf.SetFooterFunc(r.footer)
	r.newPage()
	return r
}

// newPage starts a page and moves to its top.
func (r *renderer) newPage() {
	r.pdf.AddPage()
	r.face = -1 // gofpdf re-selects its own idea of the font on a new page
	r.y = marginT
}

// ensure breaks the page unless h millimetres still fit below the current
// position. A page that is still empty is never broken.
func (r *renderer) ensure(h float64) {
	if r.y+h > bottomY && r.y > marginT+0.01 {
		r.newPage()
	}
}

// setFont selects a face and size (points).
func (r *renderer) setFont(f face, size float64) {
	if r.face == f && r.size == size {
		return
	}
	fam, st := fontFamily(f)
	r.pdf.SetFont(fam, st, size)
	r.face, r.size = f, size
}

// runeWidth returns the width of r in millimetres in the current face and size.
func (r *renderer) runeWidth(c rune) float64 {
	m := r.units[r.face]
	if m == nil {
		m = map[rune]int{}
		r.units[r.face] = m
	}
	u, ok := m[c]
	if !ok {
		u = r.pdf.GetStringSymbolWidth(string(c))
		m[c] = u
	}
	return float64(u) * r.size * ptToMM / 1000
}

// textWidth returns the width of s in the current face and size.
func (r *renderer) textWidth(s string) float64 {
	w := 0.0
	for _, c := range s {
		w += r.runeWidth(c)
	}
	return w
}

// textWidthIn is the width of the run's text in its face at size.
func (r *renderer) textWidthIn(ru run, size float64) float64 {
	r.setFont(ru.face, size)
	return r.textWidth(ru.text)
}

// wrap selects the run's face at size and wraps its text to width.
func (r *renderer) wrap(ru run, size, width float64) []string {
	r.setFont(ru.face, size)
	return wrapText(ru.text, width, r.runeWidth)
}

// lineHeight is the distance between baselines for a font size in points.
func lineHeight(size float64) float64 { return size * ptToMM * lineSpacing }

// setTextColor sets the text colour.
func (r *renderer) setTextColor(c [3]int) {
	r.color = c
	r.pdf.SetTextColor(c[0], c[1], c[2])
}

// fillRect draws a filled rectangle without a border.
func (r *renderer) fillRect(x, y, w, h float64, c [3]int) {
	r.pdf.SetFillColor(c[0], c[1], c[2])
	r.pdf.Rect(x, y, w, h, "F")
}

// text draws one line of s in face f at size, in a box of width w and height
// h at (x, y), aligned "L", "C" or "R". The Japanese font has no bold cut,
// so its bold is drawn stroked.
func (r *renderer) text(x, y, w, h float64, s string, f face, size float64, align string) {
	r.setFont(f, size)
	if f == faceCJKBold {
		r.pdf.SetTextRenderingMode(2)
		r.pdf.SetDrawColor(r.color[0], r.color[1], r.color[2])
		r.pdf.SetLineWidth(size * 0.03 * ptToMM)
	}
	r.pdf.SetXY(x, y)
	r.pdf.CellFormat(w, h, s, "", 0, align, false, 0, "")
	if f == faceCJKBold {
		r.pdf.SetTextRenderingMode(0)
		r.pdf.SetLineWidth(0.2)
	}
}

// footer draws a rule, FooterLeft, the page label and FooterRight.
func (r *renderer) footer() {
	y := pageH - marginB + 8
	r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	r.pdf.SetLineWidth(0.2)
	r.pdf.Line(marginL, y-1.5, pageW-marginR, y-1.5)
	r.setTextColor(colMuted)
	const size = 8
	h := lineHeight(size)
	r.text(marginL, y, contentW, h, r.d.footer[0].text, r.d.footer[0].face, size, "L")
	r.text(marginL, y, contentW, h, r.d.footer[1].text, r.d.footer[1].face, size, "R")
	label, err := r.d.prepare(fmt.Sprintf(r.d.opts.PageFormat, r.pdf.PageNo(), r.total), styleRegular)
	if err == nil { // checked by New
		r.text(marginL, y, contentW, h, label.text, label.face, size, "C")
	}
	r.setTextColor(colText)
	r.face = -1
}

// lines draws wrapped lines at x, breaking pages between lines.
func (r *renderer) lines(lines []string, f face, size, x, w float64, align string) {
	h := lineHeight(size)
	for _, l := range lines {
		r.ensure(h)
		r.text(x, r.y, w, h, l, f, size, align)
		r.y += h
	}
}

// textBlock wraps and draws a run in colour c.
func (r *renderer) textBlock(ru run, size, x, w float64, c [3]int) {
	r.setTextColor(c)
	r.lines(r.wrap(ru, size, w), ru.face, size, x, w, "L")
	r.setTextColor(colText)
}

// heading draws a heading, keeping it with at least three body lines.
func (r *renderer) heading(level int, ru run) error {
	size := [...]float64{16, 13, 11}[level-1]
	before := [...]float64{5, 4, 3}[level-1]
	if r.y > marginT+0.01 {
		r.y += before
	}
	lines := r.wrap(ru, size, contentW)
	h := lineHeight(size)
	r.ensure(float64(len(lines))*h + 3*lineHeight(bodySize) + 2)
	outline := min(level-1, r.level)
	r.level = outline + 1
	r.pdf.Bookmark(oneLine(ru.text), outline, r.y)
	r.setTextColor(colHeading)
	r.lines(lines, ru.face, size, marginL, contentW, "L")
	r.setTextColor(colText)
	if level == 1 {
		r.pdf.SetDrawColor(colHeading[0], colHeading[1], colHeading[2])
		r.pdf.SetLineWidth(0.4)
		r.pdf.Line(marginL, r.y+0.5, pageW-marginR, r.y+0.5)
		r.pdf.SetLineWidth(0.2)
		r.y += 1.5
	}
	r.y += 1.5
	return nil
}

// keyWidth is the width of the key column of KeyValue lines.
const keyWidth = 52.0

// keyValue draws a key in bold and its value beside it, line by line.
func (r *renderer) keyValue(k, v run) {
	keys := r.wrap(k, bodySize, keyWidth-3)
	vals := r.wrap(v, bodySize, contentW-keyWidth)
	h := lineHeight(bodySize)
	for i := 0; i < max(len(keys), len(vals)); i++ {
		r.ensure(h)
		if i < len(keys) {
			r.text(marginL, r.y, keyWidth-3, h, keys[i], k.face, bodySize, "L")
		}
		if i < len(vals) {
			r.text(marginL+keyWidth, r.y, contentW-keyWidth, h, vals[i], v.face, bodySize, "L")
		}
		r.y += h
	}
	r.y += 0.6
}

// bullets draws each item with a round bullet and a hanging indent.
func (r *renderer) bullets(items []run) {
	const indent = 6.0
	h := lineHeight(bodySize)
	for _, it := range items {
		lines := r.wrap(it, bodySize, contentW-indent)
		r.ensure(h)
		r.pdf.SetFillColor(colText[0], colText[1], colText[2])
		r.pdf.Circle(marginL+2.2, r.y+h/2, 0.7, "F")
		r.lines(lines, it.face, bodySize, marginL+indent, contentW-indent, "L")
		r.y += 0.6
	}
	r.y += 1.4
}

// mono draws a monospaced block on a grey background, which continues
// across a page break.
func (r *renderer) mono(ru run) {
	const size, pad = 8.5, 2.0
	lines := r.wrap(ru, size, contentW-2*pad)
	h := lineHeight(size)
	r.ensure(h + pad)
	r.fillRect(marginL, r.y, contentW, pad/2, colMonoBg)
	r.y += pad / 2
	for _, l := range lines {
		if r.y+h > bottomY {
			r.newPage()
		}
		r.fillRect(marginL, r.y, contentW, h, colMonoBg)
		r.text(marginL+pad, r.y, contentW-2*pad, h, l, ru.face, size, "L")
		r.y += h
	}
	r.fillRect(marginL, r.y, contentW, pad/2, colMonoBg)
	r.y += pad/2 + 2
}

// boxRun is one line of a box: a bold label (empty face when none) and
// its text.
type boxRun struct{ label, text run }

// box draws a title and labelled lines on a tinted background with an
// accent bar at the left; it continues across a page break.
func (r *renderer) box(title run, body []boxRun) {
	const pad, bar, titleSize = 3.0, 1.2, 12.0
	x, w := marginL+bar+pad, contentW-bar-2*pad
	r.ensure(lineHeight(titleSize) + 2*pad + lineHeight(bodySize))
	row := func(h float64) {
		if r.y+h > bottomY {
			r.newPage()
		}
		r.fillRect(marginL, r.y, contentW, h, colBoxBg)
		r.fillRect(marginL, r.y, bar, h, colHeading)
	}
	row(pad)
	r.y += pad
	r.setTextColor(colHeading)
	for _, l := range r.wrap(title, titleSize, w) {
		h := lineHeight(titleSize)
		row(h)
		r.text(x, r.y, w, h, l, title.face, titleSize, "L")
		r.y += h
	}
	r.setTextColor(colText)
	h := lineHeight(bodySize)
	// A line without a label continues the labelled one above it, at its
	// indent.
	indent := 0.0
	for _, b := range body {
		row(0.6)
		r.y += 0.6
		if b.label.text != "" {
			indent = min(r.textWidthIn(b.label, bodySize)+2, w/3)
			row(h)
			r.text(x, r.y, indent, h, b.label.text, b.label.face, bodySize, "L")
		}
		for i, l := range r.wrap(b.text, bodySize, w-indent) {
			if i > 0 || b.label.text == "" {
				row(h)
			}
			r.text(x+indent, r.y, w-indent, h, l, b.text.face, bodySize, "L")
			r.y += h
		}
	}
	row(pad)
	r.y += pad + 3
}

// banner draws bold white text in a red box.
func (r *renderer) banner(ru run) {
	const size, pad = 12.0, 3.0
	lines := r.wrap(ru, size, contentW-2*pad)
	h := lineHeight(size)
	total := float64(len(lines))*h + 2*pad
	r.ensure(min(total, bottomY-marginT))
	r.fillRect(marginL, r.y, contentW, total, colBanner)
	r.setTextColor(colWhite)
	y := r.y + pad
	for _, l := range lines {
		r.text(marginL+pad, y, contentW-2*pad, h, l, ru.face, size, "L")
		y += h
	}
	r.setTextColor(colText)
	r.y += total + 3
}
