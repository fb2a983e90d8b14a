package pdfdoc

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// TestWrapCell_BreaksURLsOnlyAfterSlashQueryAndAmpersand checks the cell
// wrap: a URL breaks after / ? & (never inside "://"), a SID or token
// never breaks while it fits the width, a header breaks only at spaces.
func TestWrapCell_BreaksURLsOnlyAfterSlashQueryAndAmpersand(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		width  float64
		header bool
		want   []string
	}{
		{"url after slashes", "https://ivr.example-clinic.com/twilio/voice-fallback", 32, false,
			[]string{"https://ivr.example-clinic.com/", "twilio/voice-fallback"}},
		{"url after ? and &", "https://a.example/x?tenant=alpha&very_long=value-without-spaces", 26, false,
			[]string{"https://a.example/x?", "tenant=alpha&", "very_long=value-without-", "spaces"}},
		{"a hyphen is no break", "a voice-fallback", 14, false, []string{"a", "voice-fallback"}},
		{"sid stays whole", "POST CA0123456789abcdef0123456789abcdef", 34, false,
			[]string{"POST", "CA0123456789abcdef0123456789abcdef"}},
		{"header word stays whole", "Number / app / service", 8, true, []string{"Number /", "app /", "service"}},
		{"japanese header breaks before its bracket", "時刻（Asia/Tokyo）", 15, true, []string{"時刻", "（Asia/Tokyo）"}},
		{"japanese text breaks between characters", "エラー率が高い", 8, false, []string{"エラー率", "が高い"}},
		{"hard breaks kept", "+14155550100\nPN40d3f4e02db27d66cf4cfdda506c2c94", 40, false,
			[]string{"+14155550100", "PN40d3f4e02db27d66cf4cfdda506c2c94"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapCell(tt.text, tt.width, unitWidth, tt.header)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrapCell(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// TestSpread_GivesEachColumnItsMinimum checks the column widths: shares
// where they suffice, minimums where they do not, the total kept.
func TestSpread_GivesEachColumnItsMinimum(t *testing.T) {
	got := spread([]float64{1, 1, 2}, []float64{10, 50, 10}, 120)
	if got[1] != 50 || got[0] != 70.0/3 || got[2] != 140.0/3 {
		t.Errorf("widths %v, want [23.3 50 46.7]", got)
	}
	got = spread([]float64{1, 1}, []float64{80, 80}, 120)
	if got[0] != 60 || got[1] != 60 {
		t.Errorf("widths %v: minimums over the total are scaled to fit", got)
	}
}

var sidRe = regexp.MustCompile(`\b[A-Z]{2}[0-9a-f]{32}\b`)

// TestTable_NoSIDOrHeaderSplitInThePDF renders a table whose shares would
// split its SIDs and its headers, and reads the PDF back: every SID and
// every header word comes out whole on one line.
func TestTable_NoSIDOrHeaderSplitInThePDF(t *testing.T) {
	d, err := New(Options{Created: sampleTime})
	if err != nil {
		t.Fatal(err)
	}
	tbl := Table{Columns: []Column{{Title: "Number / app / service", Width: 1}, {Title: "Channel", Width: 0.3},
		{Title: "URL", Width: 3}, {Title: "Fallback URL", Width: 3}}}
	var sids []string
	for i := 0; i < 6; i++ {
		sid := "PN" + strings.Repeat("0123456789abcdef", 2)[i:i+16] + "0123456789abcdef"
		sids = append(sids, sid)
		tbl.Rows = append(tbl.Rows, []string{"+1415555010" + string(rune('0'+i)) + "\n" + sid, "voice",
			"POST https://ivr.example-clinic.com/twilio/voice", "POST https://handler.twilio.com/twiml/EHb9911aa58c0c701c976150befab8f348"})
	}
	d.Table(tbl)
	text := testkit.PDFText(t, render(t, d))
	for _, sid := range append(sids, "EHb9911aa58c0c701c976150befab8f348") {
		if !strings.Contains(text, sid) {
			t.Errorf("SID %s is split across lines:\n%s", sid, text)
		}
	}
	for _, w := range []string{"Channel", "service"} {
		if !regexp.MustCompile(`(?m)\b` + w + `\b`).MatchString(text) {
			t.Errorf("header word %q is split:\n%s", w, text)
		}
	}
}

// TestFonts_HyphenIsAHyphen checks that the Latin faces draw "-" with the
// hyphen glyph, narrower than the en dash, while the PDF's text still says
// "-".
func TestFonts_HyphenIsAHyphen(t *testing.T) {
	f, err := newFontFace("", withGlyphFor(goregular.TTF, '-', '\u00ad'))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := newFontFace("", goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := cmap4Glyph(f.cmap, '-'), cmap4Glyph(orig.cmap, '\u00ad'); g != want || g == 0 {
		t.Errorf("'-' draws glyph %d, want the hyphen's %d", g, want)
	}
	for _, c := range "aZ09–/\u3042" {
		if cmap4Glyph(f.cmap, uint16(c)) != cmap4Glyph(orig.cmap, uint16(c)) {
			t.Errorf("%q changed its glyph", c)
		}
	}
	d, err := New(Options{Created: sampleTime})
	if err != nil {
		t.Fatal(err)
	}
	d.Paragraph("2026-11-27 run again with --flow flow.md at ivr.example-clinic.com")
	pdf := render(t, d)
	if text := testkit.PDFText(t, pdf); !strings.Contains(text, "2026-11-27 run again with --flow flow.md at ivr.example-clinic.com") {
		t.Errorf("the hyphens do not come back as '-': %q", text)
	}
}

// TestValueLabelY_NeverCoversTheMarker checks where a bar's value label
// goes: above the bar when the line's marker is elsewhere, never on the
// marker.
func TestValueLabelY_NeverCoversTheMarker(t *testing.T) {
	const lh = 3.0
	for _, c := range []struct {
		name          string
		barTop, h, mk float64
		hasMarker     bool
		wantInsideBar bool
	}{
		{"no line", 50, 20, 0, false, false},
		{"marker far above", 50, 20, 20, true, false},
		{"marker on the label, tall bar", 50, 20, 48.5, true, true},
		{"marker on the label, short bar", 68, 2, 66.5, true, false},
		{"marker at the bar's top, tall bar", 50, 20, 51, true, false},
	} {
		y, inside := valueLabelY(c.barTop, c.h, lh, c.mk, c.hasMarker)
		if inside != c.wantInsideBar {
			t.Errorf("%s: inside %v, want %v", c.name, inside, c.wantInsideBar)
		}
		if c.hasMarker && c.mk+markerRadius > y && c.mk-markerRadius < y+lh {
			t.Errorf("%s: label [%v, %v] covers the marker at %v", c.name, y, y+lh, c.mk)
		}
	}
}
