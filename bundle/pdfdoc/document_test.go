package pdfdoc

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

var sampleTime = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// needJapaneseFont skips the test (or fails it under CI) without a
// Japanese font.
func needJapaneseFont(t *testing.T) {
	t.Helper()
	_, err := FindCJKFont()
	needtool.Need(t, needtool.JapaneseFont, err)
}

const flowJA = "着信するとIVRで用件を選んでもらいます。営業時間外は留守番電話に転送し、録音を「ボイスメール」フォルダに保存します。"

// sampleDocument builds a document with every kind of content, as the
// report writer would, with Japanese text when japanese is set.
func sampleDocument(t *testing.T, opts Options, japanese bool) *Document {
	t.Helper()
	if opts.Created.IsZero() {
		opts.Created = sampleTime
	}
	d, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	d.Banner("INCOMPLETE: the alerts collector timed out after 60s; the figures below miss part of the window.")
	d.Heading(1, "1. Account")
	d.KeyValue("Account SID", "AC0123456789abcdef0123456789abcdef")
	d.KeyValue("Window", "2026-11-18 00:00 – 2026-11-25 00:00 UTC (2026-11-18 09:00 – 2026-11-25 09:00 JST)")
	d.Heading(1, "2. Affected SIDs")
	d.Paragraph("42 webhook failures. The first rows are below; the full list is in incidents.csv.")
	d.Table(Table{
		Columns: []Column{{Title: "Time (UTC)", Width: 2}, {Title: "Code", Width: 1, AlignRight: true}, {Title: "Resource", Width: 3}, {Title: "URL", Width: 4}},
		Rows: [][]string{
			{"2026-11-18 03:12:09", "11200", "CA0123456789abcdef0123456789abcdef", "https://example.com/voice/incoming?tenant=alpha&very_long_parameter_name=some-long-value-without-spaces-at-all"},
			{"2026-11-18 03:12:41", "11205", "SM0123456789abcdef0123456789abcdef", "https://example.com/sms"},
		},
	})
	d.Heading(1, "3. Frequency and trend")
	labels := make([]string, 14)
	counts := make([]float64, 14)
	rates := make([]float64, 14)
	for i := range labels {
		labels[i] = fmt.Sprintf("11-%02d", 18+i)
		counts[i] = float64((i*7 + 3) % 11)
		rates[i] = counts[i] / 4
	}
	rates[5] = math.NaN()
	d.BarChart(BarChart{Title: "Incidents per day", Labels: labels, Values: counts, ValueLabel: "incidents",
		Line: &LineSeries{Label: "error rate (%)", Values: rates}})
	cols := make([]string, 24)
	vals := make([][]float64, 7)
	for j := range cols {
		cols[j] = fmt.Sprint(j)
	}
	for i := range vals {
		vals[i] = make([]float64, 24)
		for j := 9; j <= 18; j++ {
			vals[i][j] = float64((i + j*3) % 9)
		}
	}
	d.HeatMap(HeatMap{Title: "Incidents by hour of day and weekday", RowLabels: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
		ColLabels: cols, Values: vals, LegendLabel: "incidents"})
	d.HBarChart(HBarChart{Title: "Top URLs", Labels: []string{
		"https://example.com/voice/incoming/with/a/really/long/path/that/does/not/fit/the/label/column",
		"https://example.com/sms"}, Values: []float64{31, 9}, ValueLabel: "incidents"})
	d.Heading(1, "4. Flow description")
	if japanese {
		d.Paragraph(flowJA)
	}
	d.Bullets([]string{"Fallback URL is not set on +81 3 1234 5678.", "Content-Type must be text/xml or application/xml."})
	d.Mono("203.0.113.9 - - [18/Nov/2026:03:12:09 +0000] \"POST /voice/incoming HTTP/1.1\" 502 166 \"-\" \"TwilioProxy/1.1\" 15.001")
	d.Heading(1, "5. Recommendations")
	d.Paragraph(strings.Repeat("Set a fallback URL on a server in a different network. ", 30))
	return d
}

// render renders d and fails the test on error.
func render(t *testing.T, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.Render(&b); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.Bytes()
}

// squash removes all white space, so that text wrapped over lines compares
// equal to the unwrapped original.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestRender_TextComesOutInOrder(t *testing.T) {
	needJapaneseFont(t)
	text := testkit.PDFText(t, render(t, sampleDocument(t, Options{
		FooterLeft: "Generated 2026-11-25 09:30 UTC", FooterRight: "twilio-evidence 0.1.0",
	}, true)))
	pos := -1
	for _, want := range []string{"INCOMPLETE", "1. Account", "AC0123456789abcdef0123456789abcdef",
		"2. Affected SIDs", "Time (UTC)", "3. Frequency and trend", "Incidents per day",
		"Incidents by hour of day and weekday", "Top URLs", "4. Flow description", "5. Recommendations"} {
		i := strings.Index(text[pos+1:], want)
		if i < 0 {
			t.Fatalf("%q not found after position %d in:\n%s", want, pos, text)
		}
		pos += 1 + i
	}
	if !strings.Contains(squash(text), squash(flowJA)) {
		t.Errorf("Japanese flow text not intact in:\n%s", text)
	}
	for _, want := range []string{"page 1 / 2", "page 2 / 2", "Generated 2026-11-25 09:30 UTC", "twilio-evidence 0.1.0",
		"example.com/voice/incoming/with/a/really/long/path/", "…"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not found in:\n%s", want, text)
		}
	}
}

// TestRender_JapaneseWrapKeepsEveryCharacter puts the sentence gofpdf's
// MultiCell breaks ("選" lost after "を") into table columns of many widths.
func TestRender_JapaneseWrapKeepsEveryCharacter(t *testing.T) {
	needJapaneseFont(t)
	const sentence = "IVRで用件を選んでもらいます"
	d, err := New(Options{Created: sampleTime})
	if err != nil {
		t.Fatal(err)
	}
	const tables = 16
	// The second column's long text keeps the table from being set with
	// each cell on one line, so the first column wraps at its share.
	filler := strings.Repeat("filler words that need the width ", 12)
	for k := 1; k <= tables; k++ {
		d.Table(Table{Columns: []Column{{Title: "flow", Width: 1}, {Title: "", Width: float64(k) / 2}},
			Rows: [][]string{{sentence, filler}}})
	}
	text := testkit.PDFText(t, render(t, d))
	if n := strings.Count(squash(text), sentence); n != tables {
		t.Errorf("sentence found intact %d times, want %d, in:\n%s", n, tables, text)
	}
	if !strings.Contains(text, "を\n選") {
		t.Errorf("no column broke the line after を; the test no longer covers that case:\n%s", text)
	}
}

func TestRender_PageOneAsPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(testkit.PDFPage1(t, render(t, sampleDocument(t, Options{}, false)), 50)))
	if err != nil {
		t.Fatalf("decode page 1: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 400 {
		t.Fatalf("page 1 is %v, too small", b)
	}
	red, blue := countColour(img, colBanner), countColour(img, colBar)
	if red < 500 {
		t.Errorf("page 1 has %d banner-red pixels; the INCOMPLETE banner is missing", red)
	}
	if blue < 200 {
		t.Errorf("page 1 has %d bar-blue pixels; the bar chart is missing", blue)
	}
}

// countColour counts the pixels close to c.
func countColour(img image.Image, c [3]int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(int(r>>8), c[0]) && near(int(g>>8), c[1]) && near(int(bl>>8), c[2]) {
				n++
			}
		}
	}
	return n
}

func near(a, b int) bool { return a-b < 12 && b-a < 12 }

func TestRender_IsDeterministic(t *testing.T) {
	japanese := false
	if _, err := findCJKFont("", DefaultCJKFontPaths()); err == nil {
		japanese = true
	}
	opts := Options{Title: "Webhook failures", FooterLeft: "Generated 2026-11-25 09:30 UTC", FooterRight: "v0.1.0"}
	d := sampleDocument(t, opts, japanese)
	first := render(t, d)
	if again := render(t, d); !bytes.Equal(first, again) {
		t.Error("rendering the same Document twice gave different bytes")
	}
	if other := render(t, sampleDocument(t, opts, japanese)); !bytes.Equal(first, other) {
		t.Error("two Documents with the same content gave different bytes")
	}
	opts.Created = sampleTime.Add(time.Hour)
	if later := render(t, sampleDocument(t, opts, japanese)); bytes.Equal(first, later) {
		t.Error("a different creation time gave the same bytes; the date is not the caller's")
	}
	if !bytes.Contains(first, []byte("/CreationDate (D:20261125093000)")) {
		t.Error("creation date is not the one given in Options")
	}
}

func TestRender_EmptyDocumentHasOnePage(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := testkit.PDFText(t, render(t, d))
	if !strings.Contains(text, "page 1 / 1") {
		t.Errorf("empty document text %q lacks its footer", text)
	}
}

func TestDocument_RejectsMalformedContent(t *testing.T) {
	tests := []struct {
		name string
		add  func(d *Document)
		want string
	}{
		{"table row with too many cells", func(d *Document) {
			d.Table(Table{Columns: []Column{{Title: "a"}}, Rows: [][]string{{"1", "2"}}})
		}, "row 1 has 2 cells for 1 columns"},
		{"table without columns", func(d *Document) { d.Table(Table{}) }, "no columns"},
		{"table with a negative width", func(d *Document) {
			d.Table(Table{Columns: []Column{{Title: "a", Width: -1}}})
		}, "width -1"},
		{"bar chart with fewer labels than values", func(d *Document) {
			d.BarChart(BarChart{Labels: []string{"a"}, Values: []float64{1, 2}})
		}, "1 labels for 2 values"},
		{"bar chart with a negative value", func(d *Document) {
			d.BarChart(BarChart{Labels: []string{"a"}, Values: []float64{-1}})
		}, "value 1 is -1"},
		{"bar chart with NaN", func(d *Document) {
			d.BarChart(BarChart{Labels: []string{"a"}, Values: []float64{math.NaN()}})
		}, "value 1 is NaN"},
		{"line series of the wrong length", func(d *Document) {
			d.BarChart(BarChart{Labels: []string{"a"}, Values: []float64{1}, Line: &LineSeries{}})
		}, "line has 0 values for 1 bars"},
		{"ragged heat map", func(d *Document) {
			d.HeatMap(HeatMap{RowLabels: []string{"Mon", "Tue"}, ColLabels: []string{"0", "1"}, Values: [][]float64{{1, 2}, {3}}})
		}, "row 2 has 1 values for 2 column labels"},
		{"heat map with missing rows", func(d *Document) {
			d.HeatMap(HeatMap{RowLabels: []string{"Mon"}, ColLabels: []string{"0"}})
		}, "0 rows of values for 1 row labels"},
		{"horizontal bars with an infinite value", func(d *Document) {
			d.HBarChart(HBarChart{Labels: []string{"a"}, Values: []float64{math.Inf(1)}})
		}, "value 1 is +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			d.Paragraph("before")
			tt.add(d)
			d.Paragraph("after")
			if d.Err() == nil || !strings.Contains(d.Err().Error(), tt.want) {
				t.Errorf("Err() = %v, want it to contain %q", d.Err(), tt.want)
			}
			var b bytes.Buffer
			if err := d.Render(&b); err == nil || b.Len() != 0 {
				t.Errorf("Render = %v with %d bytes written, want an error and nothing written", err, b.Len())
			}
		})
	}
}

func TestRender_LongContentBreaksPages(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]string, 200)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("row-%03d", i), strings.Repeat("x", i%50)}
	}
	d.Table(Table{Columns: []Column{{Title: "ID"}, {Title: "Value", Width: 3}}, Rows: rows})
	d.Mono(strings.Repeat("log line\n", 120))
	text := testkit.PDFText(t, render(t, d))
	for _, want := range []string{"row-000", "row-199", "page 1 / ", "page 6 / "} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not found", want)
		}
	}
	if n := strings.Count(text, "Value"); n < 3 {
		t.Errorf("table header printed %d times, want it repeated on each page", n)
	}
}
