package main

import (
	"testing"
)

func TestClosestFlag(t *testing.T) {
	fs := newReportFlags(&reportOptions{})
	for in, want := range map[string]string{
		"sinse": "since", "ouptut": "output", "fail-on-incident": "fail-on-incidents", "kepe": "keep",
		"alerts": "alerts-file", "api-url": "", "zzzzzz": "",
	} {
		if got := closestFlag(in, fs); got != want {
			t.Errorf("closestFlag(%q) = %q, want %q", in, got, want)
		}
	}
}
