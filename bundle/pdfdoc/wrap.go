package pdfdoc

import (
	"strings"
	"unicode"
)

// noLineStart holds the characters that Japanese typesetting (kinsoku shori,
// JIS X 4051) never lets begin a line: closing brackets, sentence and clause
// marks, the prolonged sound mark, iteration marks and small kana, plus their
// ASCII counterparts.
const noLineStart = "。、，．・：；？！゛゜ー―‐–〜～…‥」』）】〕］｝〉》〙〗〟’”" +
	"ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ヽヾゝゞ" +
	"！％），．：；？］｝｣､･" +
	")]},.!?:;%"

// noLineEnd holds the characters that never end a line: opening brackets.
const noLineEnd = "「『（【〔［｛〈《〘〖〝‘“（［｛｢" + "([{"

// softBreakAfter holds Latin characters after which a long word without
// spaces (a URL, a path) may be broken in preference to an arbitrary point.
const softBreakAfter = "/-&?=_.,;:"

// cannotStartLine reports whether r must not be the first character of a line.
func cannotStartLine(r rune) bool { return strings.ContainsRune(noLineStart, r) }

// cannotEndLine reports whether r must not be the last character of a line.
func cannotEndLine(r rune) bool { return strings.ContainsRune(noLineEnd, r) }

// isCJK reports whether r belongs to a script written without spaces between
// words, so that a line may break before or after it.
func isCJK(r rune) bool {
	switch {
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return true
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation
		return true
	case r >= 0xFF00 && r <= 0xFFEF: // half- and fullwidth forms
		return true
	case r >= 0x31F0 && r <= 0x31FF: // katakana phonetic extensions
		return true
	}
	return false
}

// breakQuality ranks the gap between two runes as a line-break opportunity.
type breakQuality int

const (
	breakNever  breakQuality = iota // forbidden by kinsoku rules
	breakForced                     // allowed only when nothing better exists
	breakSoft                       // inside a long word, after / - & ? …
	breakGood                       // after a space or between CJK characters
)

// breakBetween ranks the gap between runes a and b.
func breakBetween(a, b rune) breakQuality {
	if cannotStartLine(b) || cannotEndLine(a) {
		return breakNever
	}
	switch {
	case a == ' ':
		if b == ' ' {
			return breakNever
		}
		return breakGood
	case b == ' ':
		return breakNever
	case isCJK(a) || isCJK(b):
		return breakGood
	case strings.ContainsRune(softBreakAfter, a):
		return breakSoft
	}
	return breakForced
}

// wrapText splits text into lines no wider than maxWidth, measuring each rune
// with width. Hard line breaks ("\n") are kept. Latin text breaks at spaces,
// Japanese text between any two characters except where the kinsoku rules
// forbid it, and a word too long for a line (a URL) breaks after / - & ? or,
// failing that, between any two characters. No rune is ever dropped: joining
// the lines of one paragraph gives its text back, less the spaces at the
// soft breaks.
func wrapText(text string, maxWidth float64, width func(rune) float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapParagraph([]rune(para), maxWidth, width)...)
	}
	return lines
}

// wrapParagraph wraps a single paragraph (no "\n" inside).
func wrapParagraph(rs []rune, maxWidth float64, width func(rune) float64) []string {
	if len(rs) == 0 {
		return []string{""}
	}
	var lines []string
	start := 0
	for start < len(rs) {
		end := fitEnd(rs, start, maxWidth, width)
		if end == len(rs) {
			lines = append(lines, strings.TrimRight(string(rs[start:]), " "))
			break
		}
		cut := chooseBreak(rs, start, end)
		lines = append(lines, strings.TrimRight(string(rs[start:cut]), " "))
		start = cut
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
	}
	return lines
}

// fitEnd returns the index after the last rune, from start, that still fits
// within maxWidth; at least one rune always fits so that wrapping progresses.
// Trailing spaces never count against the width.
func fitEnd(rs []rune, start int, maxWidth float64, width func(rune) float64) int {
	w := 0.0
	pendingSpace := 0.0
	for i := start; i < len(rs); i++ {
		rw := width(rs[i])
		if rs[i] == ' ' {
			pendingSpace += rw
			continue
		}
		if w+pendingSpace+rw > maxWidth && i > start {
			return i
		}
		w += pendingSpace + rw
		pendingSpace = 0
	}
	return len(rs)
}

// chooseBreak picks where to cut the line rs[start:end] given that rs[end]
// does not fit: the last good break, else the last soft one, else the last
// forced one, else (the line is one unbreakable kinsoku run) at end itself.
func chooseBreak(rs []rune, start, end int) int {
	best := [breakGood + 1]int{}
	// A gap at index i lies between rs[i-1] and rs[i]; the gap at end itself
	// is a candidate too, since the runes before it fit.
	for i := end; i > start; i-- {
		q := breakBetween(rs[i-1], rs[i])
		if q > breakNever && best[q] == 0 {
			best[q] = i
			if q == breakGood {
				break
			}
		}
	}
	for q := breakGood; q > breakNever; q-- {
		if best[q] > start {
			return best[q]
		}
	}
	return end
}

// piece is a part of a table cell that is never broken across lines.
type piece struct {
	text  string
	space bool // a space separates it from the piece before
}

// cellPieces splits one line of a table cell into the pieces a line may
// break between: words at spaces; inside a word only after / ? & (a URL's
// path, query and parameters) and between Japanese characters where the
// kinsoku rules allow it. A SID, a token, a number, a date or a host name is
// one piece, so it is never split. A header (header true) breaks only at
// spaces and before an opening bracket: 「チャネル」 and "Channel" stay whole.
func cellPieces(line string, header bool) []piece {
	var out []piece
	for _, word := range strings.Fields(line) {
		rs := []rune(word)
		start := 0
		for i := 1; i < len(rs); i++ {
			a, b := rs[i-1], rs[i]
			var cut bool
			if header {
				cut = b == '（' || b == '('
			} else {
				q := breakBetween(a, b)
				cut = q == breakGood || (q != breakNever && strings.ContainsRune("/?&", a) && !schemeSlash(rs, i))
			}
			if cut {
				out = append(out, piece{string(rs[start:i]), start == 0})
				start = i
			}
		}
		out = append(out, piece{string(rs[start:]), start == 0})
	}
	if len(out) > 0 {
		out[0].space = false
	}
	return out
}

// schemeSlash tells whether the gap before rs[i] lies inside a URL's "://"
// or right after it, where a break would part the scheme from the host.
func schemeSlash(rs []rune, i int) bool {
	return rs[i] == '/' || (i >= 3 && string(rs[i-3:i]) == "://")
}

// wrapCell wraps the text of a table cell to maxWidth, breaking only
// between the pieces of cellPieces; a piece wider than maxWidth on its own
// (only when the column could not be made wide enough) is broken as
// wrapText would. Hard line breaks are kept.
func wrapCell(text string, maxWidth float64, width func(rune) float64, header bool) []string {
	measure := func(s string) float64 {
		w := 0.0
		for _, r := range s {
			w += width(r)
		}
		return w
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		cur, curW := "", 0.0
		started := false
		for _, p := range cellPieces(para, header) {
			pw := measure(p.text)
			sep := 0.0
			if p.space {
				sep = width(' ')
			}
			if started && curW+sep+pw <= maxWidth {
				if p.space {
					cur += " "
				}
				cur, curW = cur+p.text, curW+sep+pw
				continue
			}
			if started {
				lines = append(lines, cur)
			}
			started = true
			cur, curW = p.text, pw
			if pw > maxWidth {
				parts := wrapParagraph([]rune(p.text), maxWidth, width)
				lines = append(lines, parts[:len(parts)-1]...)
				cur, curW = parts[len(parts)-1], measure(parts[len(parts)-1])
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// minCellWidth is the width of the widest piece of text: the narrowest a
// column can be without breaking a piece.
func minCellWidth(text string, width func(rune) float64, header bool) float64 {
	widest := 0.0
	for _, para := range strings.Split(text, "\n") {
		for _, p := range cellPieces(para, header) {
			w := 0.0
			for _, r := range p.text {
				w += width(r)
			}
			widest = max(widest, w)
		}
	}
	return widest
}
