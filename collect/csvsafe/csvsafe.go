// Package csvsafe writes the tool's CSV files so that a spreadsheet opens
// every cell as text, never as a formula, and reads them back unchanged.
//
// A cell that a spreadsheet would evaluate — one starting with '=', '+',
// '-', '@', a tab or a carriage return — is written with a leading single
// quote, as OWASP recommends against CSV injection: "=cmd|' /C calc'!A0"
// becomes "'=cmd|' /C calc'!A0", and a phone number "+14155550100" becomes
// "'+14155550100" (a spreadsheet would otherwise read it as a formula or
// as the number 14155550100). A plain negative number ("-3", "-0.25") is a
// number, not a formula, and is written as it is. A cell that already
// starts with a quote before such a character gets one more, so that
// reading strips exactly what writing added. JSON files keep the raw value.
package csvsafe

import (
	"encoding/csv"
	"io"

	"github.com/gocarina/gocsv"
)

// Cell is v as it is written into a CSV cell.
func Cell(v string) string {
	if risky(v) {
		return "'" + v
	}
	return v
}

// Uncell is the value a cell written by Cell held.
func Uncell(c string) string {
	if len(c) > 1 && c[0] == '\'' && risky(c[1:]) {
		return c[1:]
	}
	return c
}

// risky reports whether Cell must quote v: it starts with a character a
// spreadsheet evaluates (and is not a plain negative number), or with a
// quote before one, which reading would otherwise strip.
func risky(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '@', '\t', '\r':
		return true
	case '-':
		return !negativeNumber(v)
	case '\'':
		return risky(v[1:])
	}
	return false
}

// negativeNumber reports whether v is "-" and a decimal number: digits,
// at most one '.', and at least one digit.
func negativeNumber(v string) bool {
	digits, dot := 0, false
	for _, c := range v[1:] {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// writer is a gocsv.CSVWriter that passes every cell through Cell.
type writer struct{ *csv.Writer }

func (w writer) Write(row []string) error {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Cell(c)
	}
	return w.Writer.Write(out)
}

// Marshal writes rows (a slice of structs with csv tags) with a header line,
// every cell through Cell.
func Marshal(rows any, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := gocsv.MarshalCSV(rows, writer{cw}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// MarshalWithoutHeaders is Marshal without the header line, to append rows
// to a file that has one.
func MarshalWithoutHeaders(rows any, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := gocsv.MarshalCSVWithoutHeaders(rows, writer{cw}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// Reader is a gocsv.CSVReader that passes every cell through Uncell.
type Reader struct{ gocsv.CSVReader }

// NewReader reads the CSV of r with Uncell applied to every cell.
func NewReader(r gocsv.CSVReader) Reader { return Reader{r} }

// Read implements gocsv.CSVReader.
func (r Reader) Read() ([]string, error) {
	rec, err := r.CSVReader.Read()
	for i, c := range rec {
		rec[i] = Uncell(c)
	}
	return rec, err
}

// ReadAll implements gocsv.CSVReader.
func (r Reader) ReadAll() ([][]string, error) {
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

// Unmarshal reads a CSV written by Marshal into out (a pointer to a slice
// of structs with csv tags).
func Unmarshal(r io.Reader, out any) error {
	return gocsv.UnmarshalCSV(NewReader(csv.NewReader(r)), out)
}
