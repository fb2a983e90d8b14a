package templates

import (
	"sort"
	"strings"
)

// Closest is the word of words nearest to w within maxEdits edits, the
// first of them on a tie; "" when none is that close. Edits are counted as
// EditDistance counts them.
func Closest(w string, words []string, maxEdits int) string {
	best, bestD := "", maxEdits+1
	for _, c := range words {
		if d := EditDistance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// ClosestName is the name of names a mistyped one most likely meant: the
// only name that starts with it (when it has three letters or more), else
// the nearest within a third of its length in edits (at least 2), the
// first in alphabetical order on a tie; "" when nothing is close.
func ClosestName(name string, names []string) string {
	names = append([]string(nil), names...)
	sort.Strings(names)
	var prefixed []string
	for _, n := range names {
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return Closest(name, names, max(2, len(name)/3))
}

// EditDistance is the Damerau–Levenshtein distance between a and b in
// runes (an adjacent swap counts one edit: "sinse" → "since" is one
// substitution, "snice" one swap).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// FlagRow is one line of a help's flag list: how the flag is written
// ("  -o, --output string") and what it does.
type FlagRow struct{ Name, Usage string }

// FlagList lays rows out in two columns, the descriptions lined up three
// spaces after the longest name and wrapped at word boundaries to width
// runes.
func FlagList(rows []FlagRow, width int) string {
	col0 := 0
	for _, r := range rows {
		col0 = max(col0, len([]rune(r.Name)))
	}
	col0 += 3
	indent := strings.Repeat(" ", col0)
	var b strings.Builder
	for _, r := range rows {
		line := r.Name + strings.Repeat(" ", col0-len([]rune(r.Name)))
		col := col0
		for i, word := range strings.Fields(r.Usage) {
			n := len([]rune(word))
			if i > 0 && col+1+n > width {
				b.WriteString(line + "\n")
				line, col = indent+word, col0+n
				continue
			}
			if i > 0 {
				line += " "
				col++
			}
			line += word
			col += n
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
