package collect

import "testing"

func TestParseAlertText_BothShapes(t *testing.T) {
	cases := []struct {
		name, text, url, code string
		status                int
	}{
		{"old shape", "sourceComponent=12000&httpResponse=502&url=https%3A%2F%2Fivr.example.com%2Fvoice%3Fa%3D1&ErrorCode=11200&LogLevel=ERROR&Msg=HTTP+retrieval+failure",
			"https://ivr.example.com/voice?a=1", "11200", 502},
		{"new shape", "Msg=Got+HTTP+502+response+to+https%3A%2F%2Fivr.example.com%2Fvoice&ErrorCode=11200&LogLevel=ERROR",
			"https://ivr.example.com/voice", "11200", 502},
		{"timeout, no status", "Msg=HTTP+connection+failure%3A+read+timed+out&url=https%3A%2F%2Fa.example%2Fx&ErrorCode=11205",
			"https://a.example/x", "11205", 0},
		{"bad escape keeps the rest", "Msg=broken%ZZ&httpResponse=503&url=https%3A%2F%2Fb.example%2F&ErrorCode=11217",
			"https://b.example/", "11217", 503},
		{"empty", "", "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ParseAlertText(c.text)
			if got.URL != c.url || got.ErrorCode != c.code || got.HTTPStatus != c.status {
				t.Errorf("ParseAlertText(%q) = url %q code %q status %d; want %q %q %d", c.text, got.URL, got.ErrorCode, got.HTTPStatus, c.url, c.code, c.status)
			}
		})
	}
}

func FuzzParseAlertText(f *testing.F) {
	f.Add("Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2F&ErrorCode=11200")
	f.Add("httpResponse=999&url=%%%")
	f.Fuzz(func(t *testing.T, s string) {
		got := ParseAlertText(s)
		if got.HTTPStatus != 0 && (got.HTTPStatus < 100 || got.HTTPStatus > 599) {
			t.Fatalf("status %d out of range", got.HTTPStatus)
		}
	})
}

func TestKindOfSID(t *testing.T) {
	for sid, want := range map[string]string{"CA0123": KindCall, "SM01": KindMessage, "MM01": KindMessage, "PN01": KindOther, "": KindOther} {
		if got := KindOfSID(sid); got != want {
			t.Errorf("KindOfSID(%q) = %q, want %q", sid, got, want)
		}
	}
}

func TestPickDetails_SpreadsAcrossURLsAndTime(t *testing.T) {
	var incs []Incident
	for i := 0; i < 90; i++ {
		incs = append(incs, Incident{AlertSID: "A" + string(rune('0'+i/10)) + string(rune('0'+i%10)), URL: "https://a.example/x"})
	}
	for i := 0; i < 10; i++ {
		incs = append(incs, Incident{AlertSID: "B" + string(rune('0'+i)), URL: "https://b.example/y"})
	}
	got := newDetailPicker(10, Window{}).rest(incs)
	if len(got) != 10 {
		t.Fatalf("picked %d, want 10", len(got))
	}
	b := 0
	for _, s := range got {
		if s[0] == 'B' {
			b++
		}
	}
	if b != 5 {
		t.Errorf("picked %d of host b, want 5 (half of the budget for each URL)", b)
	}
	if got[0] != "A00" || got[1] != "A18" {
		t.Errorf("picks within a URL are not spread over time: %v", got[:5])
	}
}
