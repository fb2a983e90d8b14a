package redact

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// redactCSV redacts CSV text made of whole records (see CSV): every cell of a
// record that holds an anchor of some rule is redacted on its own with every
// rule, and the record is written again, quoted as encoding/csv quotes, only
// when a cell changed. Other records are copied as they are.
func (rs *ruleSet) redactCSV(b []byte, c counter, s *scratch) ([]byte, bool) {
	if s.inner == nil {
		s.inner = &scratch{}
	}
	var out []byte
	last := 0
	for start := 0; start < len(b); {
		end := csvBlockEnd(b, start)
		block := b[start:end]
		all, some := findAnchors(block, rs.all, s)
		if !some {
			start = end
			continue
		}
		hits := s.hits
		k := 0
		for pos := 0; pos < len(block); {
			recEnd, cells := csvRecord(block, pos)
			hit := all
			for !hit && k < len(hits) && hits[k] < recEnd {
				hit = hits[k] >= pos
				if !hit {
					k++
				}
			}
			if hit {
				if rec, ch := rs.redactRecord(block[pos:recEnd], cells, c, s.inner); ch {
					if out == nil {
						out = make([]byte, 0, len(b)+64)
					}
					out = append(out, b[last:start+pos]...)
					out = append(out, rec...)
					last = start + recEnd
				}
			}
			pos = recEnd
		}
		start = end
	}
	if out == nil {
		return b, false
	}
	return append(out, b[last:]...), true
}

// csvBlockEnd is blockEnd for CSV: whole records of about blockSize bytes.
func csvBlockEnd(b []byte, start int) int {
	if len(b)-start <= blockSize {
		return len(b)
	}
	for pos := start; pos < len(b); {
		end, _ := csvRecord(b, pos)
		if end-start >= blockSize {
			return end
		}
		pos = end
	}
	return len(b)
}

// csvCell is one cell of a record: its text (unquoted) and whether it was
// quoted.
type csvCell struct {
	text   []byte
	quoted bool
}

// csvRecord reads the record that starts at pos (RFC 4180, as encoding/csv
// writes it) and returns where the next one starts and its cells. Text that
// is not valid CSV is read leniently: a stray quote is kept as text.
func csvRecord(b []byte, pos int) (int, []csvCell) {
	var cells []csvCell
	i := pos
	for {
		if i < len(b) && b[i] == '"' {
			var text []byte
			j := i + 1
			closed := false
			for j < len(b) {
				if b[j] == '"' {
					if j+1 < len(b) && b[j+1] == '"' {
						text = append(text, '"')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				text = append(text, b[j])
				j++
			}
			if closed && (j == len(b) || b[j] == ',' || b[j] == '\n' || b[j] == '\r') {
				cells = append(cells, csvCell{text: text, quoted: true})
				i = j
			} else {
				// Not a quoted cell after all: read it as plain text.
				e := i
				for e < len(b) && b[e] != ',' && b[e] != '\n' {
					e++
				}
				cells = append(cells, csvCell{text: bytes.TrimSuffix(b[i:e], []byte("\r"))})
				i = e
			}
		} else {
			e := i
			for e < len(b) && b[e] != ',' && b[e] != '\n' {
				e++
			}
			cells = append(cells, csvCell{text: bytes.TrimSuffix(b[i:e], []byte("\r"))})
			i = e
		}
		switch {
		case i >= len(b):
			return len(b), cells
		case b[i] == ',':
			i++
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			return i + 2, cells
		case b[i] == '\n':
			return i + 1, cells
		default: // a lone \r after a quoted cell
			i++
		}
	}
}

// redactRecord redacts each cell of one record (rec, with its line break)
// and writes the record again when a cell changed.
func (rs *ruleSet) redactRecord(rec []byte, cells []csvCell, c counter, s *scratch) ([]byte, bool) {
	changed := false
	texts := make([][]byte, len(cells))
	for i, cell := range cells {
		texts[i] = cell.text
		if red, ch := rs.redact(cell.text, rs.all, c, s); ch {
			texts[i] = red
			changed = true
		}
	}
	if !changed {
		return rec, false
	}
	var out []byte
	for i, t := range texts {
		if i > 0 {
			out = append(out, ',')
		}
		if cells[i].quoted || csvNeedsQuotes(t) {
			out = append(out, '"')
			out = append(out, bytes.ReplaceAll(t, []byte(`"`), []byte(`""`))...)
			out = append(out, '"')
		} else {
			out = append(out, t...)
		}
	}
	switch {
	case bytes.HasSuffix(rec, []byte("\r\n")):
		out = append(out, '\r', '\n')
	case bytes.HasSuffix(rec, []byte("\n")):
		out = append(out, '\n')
	}
	return out, true
}

// csvNeedsQuotes reports whether encoding/csv would quote the cell t.
func csvNeedsQuotes(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	if string(t) == `\.` || bytes.ContainsAny(t, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRune(t)
	return unicode.IsSpace(r)
}
