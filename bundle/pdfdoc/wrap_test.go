package pdfdoc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// unitWidth measures every rune as one unit wide, CJK runes as two.
func unitWidth(r rune) float64 {
	if isCJK(r) {
		return 2
	}
	return 1
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"latin breaks at spaces", "the quick brown fox", 10, []string{"the quick", "brown fox"}},
		{"hard line breaks are kept", "a\nb c", 10, []string{"a", "b c"}},
		{"indentation of a hard line is kept", "x\n  indented", 20, []string{"x", "  indented"}},
		{"japanese breaks between characters", "あいうえおかき", 6, []string{"あいう", "えおか", "き"}},
		{"no line starts with a full stop", "あいう。えお", 6, []string{"あい", "う。え", "お"}},
		{"no line starts with a closing bracket", "あい」うえ", 4, []string{"あ", "い」", "うえ"}},
		{"no line ends with an opening bracket", "あい「うえ」", 6, []string{"あい", "「う", "え」"}},
		{"no line starts with a prolonged sound mark", "あいーう", 4, []string{"あ", "いー", "う"}},
		{"no line starts with a small kana", "あいっぱい", 4, []string{"あ", "いっ", "ぱい"}},
		{"no line starts with a comma", "あい、うえ", 4, []string{"あ", "い、", "うえ"}},
		{"long url breaks after a slash", "https://example.com/voice/incoming", 20, []string{"https://example.com/", "voice/incoming"}},
		{"unbreakable token breaks anywhere", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"latin and japanese mix", "IVRで用件", 5, []string{"IVRで", "用件"}},
		{"empty text gives one empty line", "", 10, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapText(tt.text, tt.width, unitWidth)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrapText(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// TestWrapText_KeepsEveryRuneOfJapanese is the case gofpdf's MultiCell gets
// wrong: at any width, no character is lost.
func TestWrapText_KeepsEveryRuneOfJapanese(t *testing.T) {
	for _, text := range []string{
		"IVRで用件を選んでもらいます",
		"着信するとIVRで用件を選んでもらいます。営業時間外は留守番電話に転送し、録音を「ボイスメール」フォルダに保存します。",
		"https://example.com/voice/incoming?tenant=alpha&x=%E3%81%82",
	} {
		for w := 1.0; w <= float64(2*utf8.RuneCountInString(text)); w++ {
			lines := wrapText(text, w, unitWidth)
			if got := strings.Join(lines, ""); got != text {
				t.Fatalf("width %v: lines %q join to %q, want %q", w, lines, got, text)
			}
			for i, l := range lines {
				rs := []rune(l)
				if i > 0 && len(rs) > 1 && cannotStartLine(rs[0]) && !allKinsoku(rs) {
					t.Errorf("width %v: line %d %q starts with %q", w, i, l, rs[0])
				}
				if i < len(lines)-1 && len(rs) > 1 && cannotEndLine(rs[len(rs)-1]) {
					t.Errorf("width %v: line %d %q ends with %q", w, i, l, rs[len(rs)-1])
				}
			}
		}
	}
}

// allKinsoku reports whether a line is made only of characters that cannot
// start a line, which a narrow width may force.
func allKinsoku(rs []rune) bool {
	for _, r := range rs {
		if !cannotStartLine(r) {
			return false
		}
	}
	return true
}

func TestWrapText_LinesFitTheWidth(t *testing.T) {
	text := "Set a fallback URL on a server in a different network: https://fallback.example.net/twilio/voice/fallback?x=1 着信するとIVRで用件を選んでもらいます。"
	for w := 8.0; w < 60; w++ {
		for _, l := range wrapText(text, w, unitWidth) {
			lw := 0.0
			for _, r := range l {
				lw += unitWidth(r)
			}
			// A kinsoku pair may carry one character back, never over.
			if lw > w {
				t.Errorf("width %v: line %q is %v wide", w, l, lw)
			}
		}
	}
}
