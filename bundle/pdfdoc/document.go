// Package pdfdoc lays out the PDF summary: headings, paragraphs, tables,
// banners and charts on A4 pages with a footer. It is the only package that
// knows the PDF library (github.com/jung-kurt/gofpdf), so that the library
// can be replaced without touching the report writer, and it decides nothing
// about content: the caller says what to write, in which order.
//
// Text is always set in embedded UTF-8 TrueType fonts: the Go fonts for
// Latin text, and a Japanese TrueType font found on the system (or given
// explicitly) for anything the Go fonts do not cover. The same content and
// Options always give the same bytes.
package pdfdoc

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// Options configures a Document. The zero value gives an untitled document
// dated 1970-01-01 UTC that looks for a Japanese font in the usual places.
type Options struct {
	// Title, Subject and Author go into the PDF's document information.
	Title, Subject, Author string
	// Created is stored as the creation and modification date. The clock
	// is never read, so that the same content gives the same bytes; the
	// zero value stands for 1970-01-01 UTC.
	Created time.Time
	// FooterLeft and FooterRight are printed at the foot of every page,
	// e.g. the generation time and the tool version.
	FooterLeft, FooterRight string
	// PageFormat is the fmt format of the page label in the footer's
	// middle, given the page number and the page count. Default: "page %d / %d".
	PageFormat string
	// FontPath names a TrueType font (.ttf, or a .ttc whose first face is
	// used) for Japanese text, e.g. from --font. When set, it must load.
	FontPath string
	// CJKFontPaths are searched in order for a Japanese font when FontPath
	// is empty. Nil means DefaultCJKFontPaths().
	CJKFontPaths []string
	// RequireCJK makes New fail when no Japanese font is available, e.g.
	// for --lang ja. Otherwise the error comes only when Japanese text is
	// written.
	RequireCJK bool
}

// Page geometry, in millimetres (A4 portrait).
const (
	pageW             = 210.0
	pageH             = 297.0
	marginL           = 18.0
	marginR           = 18.0
	marginT           = 18.0
	marginB           = 22.0
	contentW          = pageW - marginL - marginR
	bottomY           = pageH - marginB
	ptToMM            = 25.4 / 72
	lineSpacing       = 1.45
	bodySize          = 10.0
	defaultPageFormat = "page %d / %d"
)

// style is the typeface a caller asks for; face is the font actually used.
type style int

const (
	styleRegular style = iota
	styleBold
	styleMono
)

type face int

const (
	faceRegular face = iota
	faceBold
	faceMono
	faceCJK
	faceCJKBold // the Japanese font, stroked to look bold
)

// run is text made ready for one font: cleaned of control characters, with
// characters the font lacks replaced by "?".
type run struct {
	text string
	face face
}

// op is one recorded drawing step.
type op func(r *renderer) error

// Document collects content and renders it to PDF. Content methods record
// what to draw and never fail on their own: the first problem (Japanese text
// without a Japanese font, a malformed table or chart) is kept and returned
// by Err and Render. A Document is not safe for concurrent use.
type Document struct {
	opts   Options
	latin  [3]*fontFace
	cjk    *fontFace
	cjkErr error
	footer [2]run
	ops    []op
	err    error
}

// New prepares a Document: it loads the embedded Go fonts and looks for a
// Japanese font. It fails when Options.FontPath cannot be used, when
// RequireCJK is set and no Japanese font is available, or when the footer
// texts need a font that is missing.
func New(opts Options) (*Document, error) {
	d := &Document{opts: opts}
	if d.opts.PageFormat == "" {
		d.opts.PageFormat = defaultPageFormat
	}
	for i, b := range [][]byte{goregular.TTF, gobold.TTF, gomono.TTF} {
		if i != int(styleMono) {
			b = withGlyphFor(b, '-', '\u00ad') // see withGlyphFor
		}
		f, err := newFontFace("", b)
		if err != nil {
			return nil, fmt.Errorf("load embedded Go font: %w", err)
		}
		d.latin[i] = f
	}
	paths := opts.CJKFontPaths
	if paths == nil {
		paths = DefaultCJKFontPaths()
	}
	cjk, err := findCJKFont(opts.FontPath, paths)
	switch {
	case err == nil:
		d.cjk = cjk
	case opts.FontPath != "" || opts.RequireCJK:
		return nil, fmt.Errorf("load Japanese font: %w", err)
	default:
		d.cjkErr = err
	}
	for i, s := range []string{opts.FooterLeft, opts.FooterRight} {
		if d.footer[i], err = d.prepare(oneLine(s), styleRegular); err != nil {
			return nil, fmt.Errorf("footer: %w", err)
		}
	}
	if _, err := d.prepare(fmt.Sprintf(d.opts.PageFormat, 1, 1), styleRegular); err != nil {
		return nil, fmt.Errorf("page label: %w", err)
	}
	return d, nil
}

// CJKFont returns the path of the Japanese font in use, or "" when none was
// found.
func (d *Document) CJKFont() string {
	if d.cjk == nil {
		return ""
	}
	return d.cjk.path
}

// Err returns the first problem met while recording content, or nil.
func (d *Document) Err() error { return d.err }

// fail keeps the first error.
func (d *Document) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// add records a drawing step.
func (d *Document) add(o op) { d.ops = append(d.ops, o) }

// clean removes what a PDF text run cannot hold: invalid UTF-8, carriage
// returns and other control characters except "\n"; tabs become spaces.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\t", "    ")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// oneLine turns line breaks into spaces, for labels drawn on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(clean(s), "\n", " ")), " ")
}

// prepare picks the font for s in the wanted style: the Go font when it
// covers every character, else the Japanese font. Text that needs the
// Japanese font when none is available is an error; other characters no
// font has (emoji, for example) become "?".
func (d *Document) prepare(s string, st style) (run, error) {
	s = clean(s)
	latin := d.latin[st]
	f := face(st)
	needCJK, needJapanese := false, false
	for _, r := range s {
		if r == '\n' || latin.covers(r) {
			continue
		}
		needCJK = true
		if isCJK(r) {
			needJapanese = true
		}
	}
	chosen := latin
	switch {
	case needCJK && d.cjk != nil:
		chosen, f = d.cjk, faceCJK
		if st == styleBold {
			f = faceCJKBold
		}
	case needJapanese:
		return run{}, d.cjkErr
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || chosen.covers(r) {
			return r
		}
		return '?'
	}, s)
	return run{text: s, face: f}, nil
}

// prepareAll prepares several texts in one style, stopping at the first error.
func (d *Document) prepareAll(texts []string, st style) ([]run, error) {
	runs := make([]run, len(texts))
	for i, t := range texts {
		var err error
		if runs[i], err = d.prepare(t, st); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// excerpt shortens s for an error message.
func excerpt(s string) string {
	rs := []rune(oneLine(s))
	if len(rs) > 40 {
		return string(rs[:40]) + "…"
	}
	return string(rs)
}

// Heading adds a section heading; level 1 is the largest, 3 the smallest.
// Headings are kept on the same page as the lines that follow them and are
// listed in the PDF's outline.
func (d *Document) Heading(level int, text string) {
	ru, err := d.prepare(text, styleBold)
	if err != nil {
		d.fail(fmt.Errorf("heading %q: %w", excerpt(text), err))
		return
	}
	level = min(max(level, 1), 3)
	d.add(func(r *renderer) error { return r.heading(level, ru) })
}

// Paragraph adds body text, wrapped to the page width; "\n" starts a new line.
func (d *Document) Paragraph(text string) {
	ru, err := d.prepare(text, styleRegular)
	if err != nil {
		d.fail(fmt.Errorf("paragraph %q: %w", excerpt(text), err))
		return
	}
	d.add(func(r *renderer) error {
		r.textBlock(ru, bodySize, marginL, contentW, [3]int{0, 0, 0})
		r.y += 2
		return nil
	})
}

// noteSize is the size of Note text, in points.
const noteSize = 8.0

// Note adds a small grey paragraph, such as the key to a chart.
func (d *Document) Note(text string) {
	ru, err := d.prepare(text, styleRegular)
	if err != nil {
		d.fail(fmt.Errorf("note %q: %w", excerpt(text), err))
		return
	}
	d.add(func(r *renderer) error {
		r.textBlock(ru, noteSize, marginL, contentW, colMuted)
		r.y += 2
		return nil
	})
}

// KeyValue adds one "key: value" line, the key in bold in a fixed column,
// the value wrapped beside it.
func (d *Document) KeyValue(key, value string) {
	k, err := d.prepare(key, styleBold)
	if err == nil {
		var v run
		if v, err = d.prepare(value, styleRegular); err == nil {
			d.add(func(r *renderer) error { r.keyValue(k, v); return nil })
			return
		}
	}
	d.fail(fmt.Errorf("key/value line %q: %w", excerpt(key), err))
}

// Bullets adds a bulleted list, one item per string.
func (d *Document) Bullets(items []string) {
	runs, err := d.prepareAll(items, styleRegular)
	if err != nil {
		d.fail(fmt.Errorf("bulleted list: %w", err))
		return
	}
	d.add(func(r *renderer) error { r.bullets(runs); return nil })
}

// Mono adds a block of monospaced text on a grey background, for log lines
// and raw requests. Indentation is kept; long lines wrap.
func (d *Document) Mono(text string) {
	ru, err := d.prepare(text, styleMono)
	if err != nil {
		d.fail(fmt.Errorf("monospace block %q: %w", excerpt(text), err))
		return
	}
	d.add(func(r *renderer) error { r.mono(ru); return nil })
}

// Banner adds a red box with bold white text across the page, such as the
// INCOMPLETE notice on page 1.
func (d *Document) Banner(text string) {
	ru, err := d.prepare(text, styleBold)
	if err != nil {
		d.fail(fmt.Errorf("banner %q: %w", excerpt(text), err))
		return
	}
	d.add(func(r *renderer) error { r.banner(ru); return nil })
}

// BoxLine is one line of a Box: an optional bold label and its text; a
// line without a label is set at the indent of the labelled line above it.
type BoxLine struct {
	Label, Text string
}

// Box adds a framed callout across the page: a bold title (the diagnosis'
// headline on page 1) and labelled lines below it, on a tinted background
// with an accent bar, continuing across a page break.
func (d *Document) Box(title string, lines []BoxLine) {
	t, err := d.prepare(title, styleBold)
	if err != nil {
		d.fail(fmt.Errorf("box %q: %w", excerpt(title), err))
		return
	}
	var body []boxRun
	for _, l := range lines {
		var b boxRun
		if l.Label != "" {
			if b.label, err = d.prepare(l.Label, styleBold); err != nil {
				d.fail(fmt.Errorf("box line %q: %w", excerpt(l.Label), err))
				return
			}
		}
		if b.text, err = d.prepare(l.Text, styleRegular); err != nil {
			d.fail(fmt.Errorf("box line %q: %w", excerpt(l.Text), err))
			return
		}
		body = append(body, b)
	}
	d.add(func(r *renderer) error { r.box(t, body); return nil })
}

// Render writes the PDF to w. It lays the document out twice, the first time
// only to count the pages for the footer's "page N / M". It returns the
// first error met while recording content, if any, without writing.
func (d *Document) Render(w io.Writer) error {
	if d.err != nil {
		return d.err
	}
	first, err := d.layout(0)
	if err != nil {
		return err
	}
	pdf, err := d.layout(first.PageNo())
	if err != nil {
		return err
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

// layout runs every recorded step on a fresh gofpdf document; total is the
// page count printed in footers (0 while counting).
func (d *Document) layout(total int) (pdf *gofpdf.Fpdf, err error) {
	defer func() {
		if p := recover(); p != nil {
			pdf, err = nil, fmt.Errorf("lay out PDF: internal error: %v", p)
		}
	}()
	r := newRenderer(d, total)
	for _, o := range d.ops {
		if err := o(r); err != nil {
			return nil, err
		}
		if err := r.pdf.Error(); err != nil {
			return nil, fmt.Errorf("lay out PDF: %w", err)
		}
	}
	if err := r.pdf.Error(); err != nil {
		return nil, fmt.Errorf("lay out PDF: %w", err)
	}
	return r.pdf, nil
}
