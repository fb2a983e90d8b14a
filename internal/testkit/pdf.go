package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
)

// PDFText is the text of pdf as pdftotext reads it in UTF-8, with the
// options given (-layout keeps columns, -f 1 -l 1 reads page 1 only).
// Without pdftotext the test is skipped, or failed when CI is set.
func PDFText(t testing.TB, pdf []byte, options ...string) string {
	t.Helper()
	return PDFFileText(t, writeTemp(t, pdf), options...)
}

// PDFFileText is PDFText of the PDF file at path.
func PDFFileText(t testing.TB, path string, options ...string) string {
	t.Helper()
	tool := needtool.Command(t, "pdftotext", "poppler-utils")
	args := append(append([]string{"-enc", "UTF-8"}, options...), path, "-")
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// PDFPages draws every page of the PDF file at path as PNG with pdftoppm
// at dpi dots per inch, and returns the images' paths in page order.
// Without pdftoppm the test is skipped, or failed when CI is set.
func PDFPages(t testing.TB, path string, dpi int) []string {
	t.Helper()
	tool := needtool.Command(t, "pdftoppm", "poppler-utils")
	dir := t.TempDir()
	if out, err := exec.Command(tool, "-png", "-r", strconv.Itoa(dpi), path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// PDFPage1 is page 1 of pdf drawn as PNG by pdftoppm at dpi dots per inch.
func PDFPage1(t testing.TB, pdf []byte, dpi int) []byte {
	t.Helper()
	return PDFFilePage1(t, writeTemp(t, pdf), dpi)
}

// PDFFilePage1 is PDFPage1 of the PDF file at path.
func PDFFilePage1(t testing.TB, path string, dpi int) []byte {
	t.Helper()
	tool := needtool.Command(t, "pdftoppm", "poppler-utils")
	dir := t.TempDir()
	if out, err := exec.Command(tool, "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, "page1")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "page1.png"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeTemp writes pdf to a file of the test's own and returns its path.
func writeTemp(t testing.TB, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
