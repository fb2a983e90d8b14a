package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

func TestLastWeek_IsMondayToMondayInTheZone(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		name     string
		now      time.Time
		loc      *time.Location
		from, to string
	}{
		{"on a Wednesday", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"on Monday itself", time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"on a Sunday", time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"Sunday night in UTC is Monday in Tokyo", time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC), tokyo, "2026-11-23T00:00:00+09:00", "2026-11-30T00:00:00+09:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to := lastWeek(c.now, c.loc)
			if got := from.Format(time.RFC3339); got != c.from {
				t.Errorf("from = %s, want %s", got, c.from)
			}
			if got := to.Format(time.RFC3339); got != c.to {
				t.Errorf("to = %s, want %s", got, c.to)
			}
		})
	}
}

func TestPreviousAndPrune_TouchOnlyTheAccountsOwnBundles(t *testing.T) {
	const acc = "AC0123456789abcdef0123456789abcdef"
	const other = "ACfedcba9876543210fedcba9876543210"
	dir := t.TempDir()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	name := func(sid string, from, to int) string {
		return bundle.FileName(&collect.Evidence{Account: collect.Account{SID: sid}, Window: collect.Window{From: day(from), To: day(to)}})
	}
	files := []string{
		name(acc, 1, 8), name(acc, 8, 15), name(acc, 15, 22),
		name(other, 8, 15),
		"twilio-evidence_" + acc + "_notes.zip", "report.zip",
	}
	for _, f := range files {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	cur := collect.Window{From: day(22), To: day(29)}
	if got := previousBundle(dir, acc, cur); filepath.Base(got) != name(acc, 15, 22) {
		t.Errorf("previous = %s, want the 15–22 bundle", got)
	}
	if got := previousBundle(dir, acc, collect.Window{From: day(1), To: day(8)}); got != "" {
		t.Errorf("previous of the first window = %s, want none", got)
	}
	written := filepath.Join(dir, name(acc, 22, 29))
	os.WriteFile(written, []byte("x"), 0o644)
	deleted, err := pruneBundles(dir, acc, 2, written)
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 2 {
		t.Fatalf("deleted %v, want the 1–8 and 8–15 bundles", deleted)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	want := map[string]bool{name(acc, 15, 22): true, name(acc, 22, 29): true, name(other, 8, 15): true, "twilio-evidence_" + acc + "_notes.zip": true, "report.zip": true}
	if len(names) != len(want) {
		t.Fatalf("left %v", names)
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("%s should have been deleted", n)
		}
	}
}

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
