package bundle

import "testing"

// TestNumberRange_NamesNumbersAtOnce checks how numbers answered the same
// way are named in one entry.
func TestNumberRange_NamesNumbersAtOnce(t *testing.T) {
	cases := []struct {
		nums []string
		want string
	}{
		{[]string{"+14155550100"}, "+14155550100"},
		{[]string{"+14155550102", "+14155550100", "+14155550101", "+14155550104", "+14155550105"}, "+1415555010{0–2,4,5}"},
		{[]string{"+14155550100", "+14155550109", "+14155550101"}, "+1415555010{0,1,9}"},
		{[]string{"+14155550106", "+14155550107", "+14155550108", "+14155550109", "+14155550111"}, "+141555501{06–09,11}"},
		{[]string{"+14155550100", "+13125550199"}, "+13125550199, +14155550100"},
	}
	for _, c := range cases {
		if got := NumberRange(c.nums); got != c.want {
			t.Errorf("NumberRange(%v) = %q, want %q", c.nums, got, c.want)
		}
	}
}
