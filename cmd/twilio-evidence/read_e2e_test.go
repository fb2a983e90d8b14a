package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/summary-page1*.png from the demo bundle")

// demoRead is the demo bundle of one language, as its reader meets it.
type demoRead struct {
	run            e2eResult
	files          map[string][]byte
	pdf            string   // summary.pdf's path
	pages          []string // the text of each page (pdftotext -layout)
	text           string   // the whole text, without layout
	ticket, readme string
}

// readDemo runs `bundle --demo --tz Asia/Tokyo` in lang and reads what it
// wrote.
func readDemo(t *testing.T, lang string) demoRead {
	t.Helper()
	if lang == "ja" {
		needJapaneseFont(t)
	}
	out := t.TempDir()
	r := runE2E(t, nil, "bundle", "--demo", "--tz", "Asia/Tokyo", "--lang", lang, "--output", out)
	if r.code != exitOK {
		t.Fatalf("demo %s: exit %d\n%s", lang, r.code, r.stderr)
	}
	d := demoRead{run: r, files: testkit.ReadZip(t, strings.TrimSpace(r.stdout))}
	d.pdf = filepath.Join(out, "summary.pdf")
	if err := os.WriteFile(d.pdf, d.files["summary.pdf"], 0o644); err != nil {
		t.Fatal(err)
	}
	layout := testkit.PDFFileText(t, d.pdf, "-layout")
	d.pages = strings.Split(strings.TrimRight(layout, "\f\n"), "\f")
	d.text = testkit.PDFFileText(t, d.pdf)
	d.ticket, d.readme = string(d.files["ticket.txt"]), string(d.files["README.txt"])
	return d
}

// needJapaneseFont skips (or fails under CI) without a Japanese font.
func needJapaneseFont(t *testing.T) {
	t.Helper()
	_, err := pdfdoc.New(pdfdoc.Options{RequireCJK: true})
	needtool.Need(t, needtool.JapaneseFont, err)
}

// TestE2E_DemoPDFTellsTheStoryOnPageOne reads the demo bundle in English
// and Japanese as a support engineer does: page 1 holds the headline, the
// confidence, the affected SIDs and the trend; the PDF has at most six
// pages; the times follow --tz; ticket.txt is at most 80 lines.
func TestE2E_DemoPDFTellsTheStoryOnPageOne(t *testing.T) {
	for _, c := range []struct {
		lang, confidence, trend, generated string
		// scope is how the headline says N of M failures since when.
		scope *regexp.Regexp
	}{
		{"en", "Confidence", "on the previous 7 days", "Generated ", regexp.MustCompile(`\b\d+ of \d+ failures since \d{4}-\d\d-\d\d \d\d:\d\d JST\b`)},
		{"ja", "確度", "前の7日間", "作成 ", regexp.MustCompile(`失敗\d+件中\d+件、\d{4}-\d\d-\d\d \d\d:\d\d JSTから`)},
	} {
		t.Run(c.lang, func(t *testing.T) {
			d := readDemo(t, c.lang)
			if len(d.pages) > 6 {
				t.Errorf("the demo PDF has %d pages, want at most 6", len(d.pages))
			}
			page1 := flat(d.pages[0])
			// README.txt opens with "Diagnosis: HEADLINE (confidence: …)".
			headline := strings.TrimSpace(strings.SplitN(strings.SplitN(d.readme, "\n", 2)[0], ": ", 2)[1])
			headline = headline[:strings.LastIndex(headline, map[string]string{"en": "(", "ja": "（"}[c.lang])]
			if !strings.Contains(page1, flat(headline)) {
				t.Errorf("page 1 lacks the headline %q:\n%s", headline, d.pages[0])
			}
			// The headline names one cause, the webhook's host, and how many
			// of the failures it explains since when, in --tz.
			if !c.scope.MatchString(headline) || !strings.Contains(headline, ".example-clinic.com") {
				t.Errorf("the headline does not say the host, N of M failures and since when: %q", headline)
			}
			if strings.Contains(headline, " or ") || strings.Contains(headline, "または") {
				t.Errorf("the headline joins two causes: %q", headline)
			}
			if w := regexp.MustCompile(`\b(\w+) (\w+)\b`).FindAllStringSubmatch(headline, -1); len(w) > 0 {
				for _, m := range w {
					if strings.EqualFold(m[1], m[2]) {
						t.Errorf("the headline repeats %q: %q", m[1], headline)
					}
				}
			}
			for _, want := range []string{c.confidence, c.trend} {
				if !strings.Contains(page1, flat(want)) {
					t.Errorf("page 1 lacks %q:\n%s", want, d.pages[0])
				}
			}
			sids := regexp.MustCompile(`\b(CA|SM)[0-9a-f]{32}\b`).FindAllString(d.pages[0], -1)
			if len(sids) < 5 {
				t.Errorf("page 1 lists %d CallSid/MessageSid, want 5:\n%s", len(sids), d.pages[0])
			}
			for _, sid := range sids {
				if !strings.Contains(string(d.files["incidents.csv"]), sid) {
					t.Errorf("page 1's %s is not an incident", sid)
				}
			}
			// --tz Asia/Tokyo: the generation time in the footer, and every
			// chart and table, are in Tokyo time.
			if !regexp.MustCompile(regexp.QuoteMeta(c.generated) + `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST`).MatchString(d.pages[0]) {
				t.Errorf("the generation time is not in --tz:\n%s", d.pages[0])
			}
			for _, p := range d.pages {
				if strings.Contains(p, "(UTC) and") || strings.Contains(p, "Local") {
					t.Errorf("a chart or table not in --tz, or a zone called Local:\n%s", p)
				}
			}
			if n := strings.Count(strings.TrimRight(d.ticket, "\n"), "\n") + 1; n > 80 {
				t.Errorf("ticket.txt has %d lines, want at most 80", n)
			}
			png := renderPages(t, d.pdf, len(d.pages))
			if *updateDocs {
				name := map[string]string{"en": "summary-page1.png", "ja": "summary-page1-ja.png"}[c.lang]
				if err := os.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestE2E_DemoPDFNeverSplitsASID checks every SID of the demo PDF, tables
// included: each is whole on one line, none cut in two.
func TestE2E_DemoPDFNeverSplitsASID(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			d := readDemo(t, lang)
			whole := regexp.MustCompile(`^(AC|CA|SM|PN|AP|MG|EH|NO)[0-9a-f]{32}$`)
			start := regexp.MustCompile(`(AC|CA|SM|PN|AP|MG|EH|NO)[0-9a-f]{4,}`)
			n := 0
			for _, line := range strings.Split(d.text, "\n") {
				for _, tok := range start.FindAllString(line, -1) {
					n++
					if !whole.MatchString(tok) {
						t.Errorf("SID split across lines: %q in %q", tok, line)
					}
				}
			}
			if n < 10 {
				t.Fatalf("only %d SIDs in the PDF: the test sees nothing", n)
			}
		})
	}
}

// TestE2E_DemoJapaneseHasNoEnglishSentence reads the Japanese demo PDF,
// ticket.txt and README.txt: no run of four words of an English catalog
// sentence is in them, and Latin words (outside URLs, SIDs, paths, codes
// and names of the data) are a small part of the text.
func TestE2E_DemoJapaneseHasNoEnglishSentence(t *testing.T) {
	d := readDemo(t, "ja")
	en, err := templates.Catalog("en")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{"summary.pdf": flatWords(d.text), "ticket.txt": flatWords(d.ticket), "README.txt": flatWords(d.readme)}
	action := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for key, sentence := range en {
		for _, words := range plainRuns(action.ReplaceAllString(sentence, " | ")) {
			for i := 0; i+4 <= len(words); i++ {
				run := strings.Join(words[i:i+4], " ")
				for name, text := range docs {
					if strings.Contains(text, " "+run+" ") {
						t.Errorf("%s holds %q from the English %s", name, run, key)
					}
				}
			}
		}
	}
	for name, text := range map[string]string{"summary.pdf": d.text, "ticket.txt": d.ticket, "README.txt": d.readme} {
		latin, cjk := latinShare(text)
		if share := float64(latin) / float64(latin+cjk/2); share > 0.08 {
			t.Errorf("%s: %d Latin words against %d Japanese characters (%.0f%% words): English left in it", name, latin, cjk, 100*share)
		}
	}
}

// TestE2E_SupportDocumentsSpeakToSupport checks that the PDF and ticket.txt
// hold no instruction to the customer (fill in the flow, run again, fix
// your side first), in English and Japanese; that advice is on the
// terminal, before the run's last line, and in README.txt.
func TestE2E_SupportDocumentsSpeakToSupport(t *testing.T) {
	for _, c := range []struct {
		lang    string
		advice  []string
		forbids []string
	}{
		{"en", []string{"twilio-evidence flow > flow.md", "fixing that first"},
			[]string{"--flow", "run again", "run with", "fill it in", "fill in", "flow.md and", "ticket unnecessary", "twilio-evidence probe", "twilio-evidence flow", "--hop", "probe --record"}},
		{"ja", []string{"twilio-evidence flow > flow.md", "不要になる"},
			[]string{"--flow", "再実行", "記入してから", "不要になる", "twilio-evidence probe", "twilio-evidence flow", "--hop", "probe --record"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			d := readDemo(t, c.lang)
			for name, text := range map[string]string{"summary.pdf": flat(d.text), "ticket.txt": flat(d.ticket)} {
				for _, f := range c.forbids {
					if strings.Contains(text, flat(f)) {
						t.Errorf("%s tells the customer %q", name, f)
					}
				}
			}
			lines := strings.Split(strings.TrimSpace(d.run.stderr), "\n")
			for _, a := range c.advice {
				if !strings.Contains(d.readme, a) {
					t.Errorf("README.txt lacks the advice %q", a)
				}
				if !strings.Contains(strings.Join(lines[:len(lines)-1], "\n"), a) {
					t.Errorf("the terminal lacks the advice %q before the last line:\n%s", a, d.run.stderr)
				}
			}
		})
	}
}

// flatWords is text with runs of white space made one space, padded.
func flatWords(s string) string { return " " + strings.Join(strings.Fields(s), " ") + " " }

// plainRuns are the runs of plain words of s — letters only, as prose is
// written — that figures, URLs, flags, names with dots and the places of
// figures ("|") break.
func plainRuns(s string) [][]string {
	var runs [][]string
	var cur []string
	for _, f := range strings.Fields(s) {
		w := strings.Trim(f, ".,;:()'\"—")
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) >= 0 {
			runs, cur = append(runs, cur), nil
			continue
		}
		cur = append(cur, w)
		if f != w && strings.ContainsAny(f[len(f)-1:], ".,;:)") {
			runs, cur = append(runs, cur), nil
		}
	}
	return append(runs, cur)
}

// latinShare counts the English prose words of text — tokens of small
// letters only, at least three — and its Japanese characters. Names
// (Twilio, TwiML), codes and acronyms, and tokens with digits, dots,
// slashes, underscores, hyphens or "=" (URLs, hosts, SIDs, paths, flags,
// IDs, log fields) are data, not prose, and are not counted.
func latinShare(text string) (latin, cjk int) {
	for _, r := range text {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			cjk++
		}
	}
	token := regexp.MustCompile(`[A-Za-z0-9./_=@:'%+-]+`)
	prose := regexp.MustCompile(`^[a-z']{3,}[:;,.]?$`)
	for _, tok := range token.FindAllString(text, -1) {
		if prose.MatchString(tok) {
			latin++
		}
	}
	return latin, cjk
}

// renderPages renders every page of pdf with pdftoppm, as a reader's
// viewer draws it, checks that each of the pages pages has ink on it and
// nothing drawn in the page's margins, and returns page 1 as PNG (at the
// resolution of the README's image: go test -run DemoPDFTellsTheStory
// -args -update-docs writes it into docs/).
func renderPages(t *testing.T, pdf string, pages int) []byte {
	t.Helper()
	rendered := testkit.PDFPages(t, pdf, 40)
	if len(rendered) != pages {
		t.Fatalf("pdftoppm drew %d pages, pdftotext read %d", len(rendered), pages)
	}
	for _, p := range rendered {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		ink, margin := inkOf(img)
		if ink < 0.01 {
			t.Errorf("%s: %.2f%% of the page has ink: a blank page", filepath.Base(p), 100*ink)
		}
		if margin > 0 {
			t.Errorf("%s: %d dark pixels in the outer 3%% of the page: drawn past the margin", filepath.Base(p), margin)
		}
	}
	return testkit.PDFFilePage1(t, pdf, 80)
}

// inkOf is the share of img's pixels that are not near white, and the
// number of dark pixels within 3% of its edges.
func inkOf(img image.Image) (share float64, margin int) {
	r := img.Bounds()
	mx, my := r.Dx()*3/100, r.Dy()*3/100
	inked := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			if g < 230 {
				inked++
			}
			edge := x-r.Min.X < mx || r.Max.X-x <= mx || y-r.Min.Y < my || r.Max.Y-y <= my
			if edge && g < 128 {
				margin++
			}
		}
	}
	return float64(inked) / float64(r.Dx()*r.Dy()), margin
}

// flat drops all white space, so that text wrapped over lines compares
// whole.
func flat(s string) string { return strings.Join(strings.Fields(s), "") }
