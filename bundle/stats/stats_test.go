package stats

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// week is the window used by most tests: Wednesday 2026-11-18 00:00 UTC for
// seven days.
var weekFrom = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

func week(loc *time.Location) collect.Window {
	return collect.Window{From: weekFrom, To: weekFrom.Add(7 * 24 * time.Hour), Location: loc}
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// inc is an incident at weekFrom+offset.
func inc(offset time.Duration, code, url string) collect.Incident {
	return collect.Incident{Time: weekFrom.Add(offset), ErrorCode: code, Kind: collect.KindCall, URL: url, HTTPStatus: 502}
}

// spaced returns n incidents starting at start, every step.
func spaced(start time.Duration, n int, step time.Duration) []collect.Incident {
	out := make([]collect.Incident, n)
	for i := range out {
		out[i] = inc(start+time.Duration(i)*step, "11200", "https://example.com/voice")
	}
	return out
}

func join(sets ...[]collect.Incident) []collect.Incident {
	var out []collect.Incident
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

func compute(t *testing.T, in Input, o Options) *Stats {
	t.Helper()
	s, err := Compute(in, o)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return s
}

func finding(s *Stats, id string) (Finding, bool) {
	for _, f := range s.Findings {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

func TestCompute_Bursts(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name      string
		incidents []collect.Incident
		opts      Options
		want      []Burst
	}{
		{
			name:      "twelve incidents in four minutes are one burst",
			incidents: spaced(10*h, 12, 20*time.Second),
			want:      []Burst{{Start: weekFrom.Add(10 * h), End: weekFrom.Add(10*h + 220*time.Second), Incidents: 12}},
		},
		{
			name:      "nine incidents in a minute are below the count",
			incidents: spaced(10*h, 9, 5*time.Second),
			want:      []Burst{},
		},
		{
			name:      "ten incidents over six minutes are too slow",
			incidents: spaced(10*h, 10, 40*time.Second),
			want:      []Burst{},
		},
		{
			name:      "ten incidents spanning exactly five minutes count",
			incidents: join(spaced(10*h, 9, 30*time.Second), spaced(10*h+5*time.Minute, 1, 0)),
			want:      []Burst{{Start: weekFrom.Add(10 * h), End: weekFrom.Add(10*h + 5*time.Minute), Incidents: 10}},
		},
		{
			name:      "two clusters far apart are two bursts, unsorted input",
			incidents: join(spaced(30*h, 10, time.Second), spaced(2*h, 15, time.Second)),
			want: []Burst{
				{Start: weekFrom.Add(2 * h), End: weekFrom.Add(2*h + 14*time.Second), Incidents: 15},
				{Start: weekFrom.Add(30 * h), End: weekFrom.Add(30*h + 9*time.Second), Incidents: 10},
			},
		},
		{
			name:      "a steady stream longer than the span stays one burst",
			incidents: spaced(h, 100, 10*time.Second),
			want:      []Burst{{Start: weekFrom.Add(h), End: weekFrom.Add(h + 990*time.Second), Incidents: 100}},
		},
		{
			name:      "custom count and span",
			incidents: join(spaced(h, 3, 20*time.Second), spaced(5*h, 3, 40*time.Second)),
			opts:      Options{BurstCount: 3, BurstSpan: time.Minute},
			want:      []Burst{{Start: weekFrom.Add(h), End: weekFrom.Add(h + 40*time.Second), Incidents: 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: week(time.UTC), Incidents: tt.incidents}, tt.opts)
			if len(s.Bursts) != len(tt.want) {
				t.Fatalf("bursts = %+v, want %+v", s.Bursts, tt.want)
			}
			for i := range tt.want {
				g, w := s.Bursts[i], tt.want[i]
				if !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Incidents != w.Incidents {
					t.Errorf("burst %d = %+v, want %+v", i, g, w)
				}
			}
			id := "stats.no_bursts"
			if len(tt.want) == 1 {
				id = "stats.burst"
			} else if len(tt.want) > 1 {
				id = "stats.bursts"
			}
			if _, ok := finding(s, id); !ok {
				t.Errorf("no finding %s in %v", id, s.Findings)
			}
		})
	}
}

func TestCompute_BusiestHourBand(t *testing.T) {
	at := func(day, hour int) collect.Incident {
		return inc(time.Duration(day*24+hour)*time.Hour+17*time.Minute, "11200", "https://example.com/voice")
	}
	tests := []struct {
		name      string
		incidents []collect.Incident
		loc       *time.Location
		wantStart int
		wantShare float64
		wantSev   Severity
		wantText  string
	}{
		{
			name: "eight of ten in the morning band",
			incidents: []collect.Incident{
				at(0, 9), at(1, 9), at(2, 10), at(3, 10), at(4, 11), at(5, 11), at(6, 9), at(0, 10), at(1, 15), at(2, 20),
			},
			loc: time.UTC, wantStart: 9, wantShare: 0.8, wantSev: SeverityWarn,
			wantText: "80% of incidents (8 of 10) fell between 09:00 and 12:00 (UTC)",
		},
		{
			name: "the band wraps around midnight",
			incidents: []collect.Incident{
				at(0, 23), at(1, 23), at(2, 0), at(3, 0), at(4, 1), at(5, 1), at(1, 23), at(2, 0), at(3, 12), at(4, 6),
			},
			loc: time.UTC, wantStart: 23, wantShare: 0.8, wantSev: SeverityWarn,
			wantText: "between 23:00 and 02:00 (UTC)",
		},
		{
			name: "the band is in display-zone hours",
			incidents: []collect.Incident{
				at(0, 0), at(1, 0), at(2, 1), at(3, 1), at(4, 2), at(5, 2), at(0, 1), at(1, 2), at(2, 5), at(3, 14),
			},
			loc: mustLoc(t, "Asia/Tokyo"), wantStart: 9, wantShare: 0.8, wantSev: SeverityWarn,
			wantText: "between 09:00 and 12:00 (Asia/Tokyo)",
		},
		{
			name:      "a band opens on the busy hour rather than before it",
			incidents: []collect.Incident{at(0, 19), at(1, 19), at(2, 19), at(3, 19), at(4, 19), at(5, 19), at(6, 19), at(0, 19), at(1, 19), at(2, 19)},
			loc:       time.UTC, wantStart: 19, wantShare: 1, wantSev: SeverityWarn,
			wantText: "100% of incidents (10 of 10) fell between 19:00 and 22:00 (UTC)",
		},
		{
			name: "an even spread is no warning",
			incidents: []collect.Incident{
				at(0, 0), at(0, 3), at(0, 6), at(0, 9), at(0, 12), at(0, 15), at(0, 18), at(0, 21), at(1, 1), at(1, 13),
			},
			loc: time.UTC, wantStart: 0, wantShare: 0.2, wantSev: SeverityInfo,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: week(tt.loc), Incidents: tt.incidents}, Options{})
			if s.Band.StartHour != tt.wantStart || s.Band.Share != tt.wantShare {
				t.Errorf("band = %+v, want start %d share %v", s.Band, tt.wantStart, tt.wantShare)
			}
			f, ok := finding(s, "stats.band")
			if !ok {
				t.Fatalf("no band finding in %v", s.Findings)
			}
			if f.Severity != tt.wantSev {
				t.Errorf("severity = %s, want %s", f.Severity, tt.wantSev)
			}
			if !strings.Contains(f.Sentence, tt.wantText) {
				t.Errorf("sentence %q does not contain %q", f.Sentence, tt.wantText)
			}
		})
	}
}

func TestCompute_DominantURL(t *testing.T) {
	many := func(n int, url string) []collect.Incident {
		out := make([]collect.Incident, n)
		for i := range out {
			out[i] = inc(time.Duration(i)*time.Hour, "11200", url)
		}
		return out
	}
	tests := []struct {
		name      string
		incidents []collect.Incident
		wantID    string
		wantKey   string
		wantShare float64
		wantText  string
	}{
		{
			name:      "seven of ten to one URL dominate",
			incidents: join(many(7, "https://example.com/voice"), many(3, "https://example.com/sms")),
			wantID:    "stats.dominant_url", wantKey: "https://example.com/voice", wantShare: 0.7,
			wantText: "70% of incidents (7 of 10) were requests to https://example.com/voice.",
		},
		{
			name: "query, fragment, credentials and case do not split a URL",
			incidents: join(
				many(3, "https://example.com/voice?CallSid=CA1"),
				many(3, "https://USER:secret@Example.COM/voice#rt=2000"),
				many(1, "https://example.com/voice"),
				many(3, "https://other.example/voice")),
			wantID: "stats.dominant_url", wantKey: "https://example.com/voice", wantShare: 0.7,
			wantText: "(7 of 10)",
		},
		{
			name:      "more than half to one URL is said so, not called a spread",
			incidents: join(many(56, "https://example.com/voice"), many(44, "https://example.com/sms")),
			wantID:    "stats.dominant_url", wantKey: "https://example.com/voice", wantShare: 0.56,
			wantText: "56% of incidents (56 of 100) were requests to https://example.com/voice.",
		},
		{
			name:      "half to one URL is a spread",
			incidents: join(many(5, "https://example.com/voice"), many(5, "https://example.com/sms")),
			wantID:    "stats.spread_url", wantKey: "https://example.com/sms", wantShare: 0.5,
			wantText: "No URL accounts for more than half of the incidents",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: week(time.UTC), Incidents: tt.incidents}, Options{})
			if top := s.ByURL[0]; top.Key != tt.wantKey || top.Share != tt.wantShare {
				t.Errorf("top URL = %+v, want %s at %v", top, tt.wantKey, tt.wantShare)
			}
			f, ok := finding(s, tt.wantID)
			if !ok {
				t.Fatalf("no finding %s in %v", tt.wantID, s.Findings)
			}
			if !strings.Contains(f.Sentence, tt.wantText) {
				t.Errorf("sentence %q does not contain %q", f.Sentence, tt.wantText)
			}
			var b bytes.Buffer
			if err := s.WriteByURLCSV(&b); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), "secret") || strings.Contains(b.String(), "CallSid") {
				t.Errorf("by_url.csv leaks credentials or query:\n%s", b.String())
			}
		})
	}
}

func TestCompute_TimeZoneShift(t *testing.T) {
	// 2026-11-18 16:30 UTC is 2026-11-19 01:30 in Tokyo: another day, another
	// weekday (Wednesday → Thursday), another hour.
	at := weekFrom.Add(16*time.Hour + 30*time.Minute)
	tests := []struct {
		name        string
		loc         *time.Location
		wantDay     string
		wantWeekday int
		wantHour    int
		wantLocal   string
		wantHours   int
	}{
		{"UTC keeps the incident on Wednesday the 18th", time.UTC, "2026-11-18", 3, 16, "2026-11-18T16:00:00Z", 168},
		{"Tokyo moves it to Thursday the 19th", mustLoc(t, "Asia/Tokyo"), "2026-11-19", 4, 1, "2026-11-19T01:00:00+09:00", 168},
		// A UTC-aligned window cuts the first and last local hours in half.
		{"a half-hour zone keeps local hours", mustLoc(t, "Asia/Kolkata"), "2026-11-18", 3, 22, "2026-11-18T22:00:00+05:30", 169},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Window: week(tt.loc), Incidents: []collect.Incident{{Time: at, ErrorCode: "11200", Kind: collect.KindMessage}}}
			s := compute(t, in, Options{})
			var day string
			for _, d := range s.Daily {
				if d.Incidents.Total() == 1 {
					day = d.Date
				}
			}
			if day != tt.wantDay {
				t.Errorf("local day = %s, want %s", day, tt.wantDay)
			}
			if n := s.HourWeekday[tt.wantWeekday][tt.wantHour]; n != 1 {
				t.Errorf("hour x weekday [%d][%d] = %d, want 1", tt.wantWeekday, tt.wantHour, n)
			}
			var local string
			for _, h := range s.Hourly {
				if h.Incidents.Messages == 1 {
					local = h.Local
				}
			}
			if local != tt.wantLocal {
				t.Errorf("hourly bucket = %s, want %s", local, tt.wantLocal)
			}
			// UTC rows do not move with the display zone.
			if got := s.DailyUTC[0]; got.Date != "2026-11-18" || got.Incidents.Messages != 1 {
				t.Errorf("UTC day = %+v, want 2026-11-18 with the incident", got)
			}
			if len(s.Hourly) != tt.wantHours {
				t.Errorf("%d hourly rows, want %d", len(s.Hourly), tt.wantHours)
			}
			if first := s.Hourly[0]; first.Partial != (tt.wantHours != 168) {
				t.Errorf("first hour %s partial = %v", first.Local, first.Partial)
			}
		})
	}
}

func TestCompute_DaylightSavingChangeKeepsEveryHour(t *testing.T) {
	// New York leaves daylight saving time on 2026-11-01 at 02:00 local.
	ny := mustLoc(t, "America/New_York")
	from := time.Date(2026, 10, 31, 0, 0, 0, 0, ny)
	to := time.Date(2026, 11, 3, 0, 0, 0, 0, ny)
	// 01:30 happens twice on 2026-11-01: once at -04:00, once at -05:00.
	first := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)
	second := first.Add(time.Hour)
	s := compute(t, Input{
		Window:    collect.Window{From: from, To: to, Location: ny},
		Incidents: []collect.Incident{{Time: first, Kind: collect.KindCall}, {Time: second, Kind: collect.KindCall}},
	}, Options{})
	if want := 73; len(s.Hourly) != want {
		t.Fatalf("%d hourly rows over a 73-hour window, want %d", len(s.Hourly), want)
	}
	var got []string
	for _, h := range s.Hourly {
		if h.Incidents.Total() > 0 {
			got = append(got, h.Local)
		}
	}
	want := []string{"2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("buckets with incidents = %v, want %v", got, want)
	}
	if len(s.Daily) != 3 || s.Daily[1].Date != "2026-11-01" || s.Daily[1].Incidents.Total() != 2 || s.Daily[1].Partial {
		t.Errorf("daily = %+v, want 3 whole days with both incidents on 2026-11-01", s.Daily)
	}
	if s.HourWeekday[0][1] != 2 {
		t.Errorf("Sunday 01:00 = %d, want 2", s.HourWeekday[0][1])
	}
}

func TestCompute_ZeroIncidents(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			s := compute(t, Input{Window: week(mustLoc(t, "Asia/Tokyo"))}, Options{Lang: lang})
			if s.Total != 0 || s.First != nil || len(s.Bursts) != 0 || len(s.ByCode) != 0 {
				t.Errorf("stats of nothing = total %d first %v bursts %v codes %v", s.Total, s.First, s.Bursts, s.ByCode)
			}
			if len(s.Findings) == 0 || s.Findings[0].ID != "stats.none" {
				t.Fatalf("findings = %v, want stats.none first", s.Findings)
			}
			for _, f := range s.Findings {
				if strings.HasPrefix(f.ID, "stats.band") || strings.HasPrefix(f.ID, "stats.dominant") {
					t.Errorf("finding %s on no incidents", f.ID)
				}
			}
			files, err := s.Files()
			if err != nil {
				t.Fatal(err)
			}
			if got := string(files[ByCodePath]); got != "error_code,incidents,share,rate,previous,change,change_pct\n" {
				t.Errorf("by_code.csv = %q, want the header alone", got)
			}
			if n := strings.Count(string(files[HourlyPath]), "\n"); n != 1+7*24 {
				t.Errorf("hourly.csv has %d lines, want %d", n, 1+7*24)
			}
		})
	}
}

func TestCompute_ErrorRate(t *testing.T) {
	day := func(d int) time.Time { return weekFrom.AddDate(0, 0, d) }
	incidents := []collect.Incident{
		{Time: day(0).Add(time.Hour), Kind: collect.KindCall},
		{Time: day(0).Add(2 * time.Hour), Kind: collect.KindCall},
		{Time: day(0).Add(3 * time.Hour), Kind: collect.KindMessage},
		{Time: day(1).Add(time.Hour), Kind: collect.KindOther},
		{Time: day(2).Add(time.Hour), Kind: collect.KindCall},
	}
	tests := []struct {
		name        string
		window      collect.Window
		usage       []collect.UsageDay
		wantRate    *float64 // nil: unknown
		wantNote    string
		wantDay0    *float64
		wantDay0Csv string // the rate cell of the first UTC day in daily.csv
	}{
		{
			name: "usage missing leaves every rate unknown", window: week(time.UTC),
			wantNote: NoteNoUsage, wantDay0Csv: "UTC,2026-11-18,false,3,2,1,0,,,,,,no_usage",
		},
		{
			name: "usage of some days gives the rate over those days", window: week(time.UTC),
			usage: []collect.UsageDay{
				{Day: day(0), Calls: 100, Messages: 100},
				{Day: day(1), Calls: 50, Messages: 50},
			},
			// days 0 and 1: 4 incidents over 300 requests.
			wantRate: ptr(4.0 / 300), wantDay0: ptr(3.0 / 200),
			wantDay0Csv: "UTC,2026-11-18,false,3,2,1,0,100,100,0.015,0.02,0.01,",
		},
		{
			name: "a window of partial UTC days has no rate", window: collect.Window{From: day(0).Add(12 * time.Hour), To: day(1).Add(12 * time.Hour)},
			usage:    []collect.UsageDay{{Day: day(0), Calls: 100}, {Day: day(1), Calls: 100}},
			wantNote: NotePartialDay, wantDay0Csv: "UTC,2026-11-18,true,0,0,0,0,,,,,,partial_day",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: tt.window, Incidents: incidents, Usage: tt.usage}, Options{})
			if !sameRate(s.Rate.Value, tt.wantRate) || (tt.wantRate == nil && s.Rate.Note != tt.wantNote) {
				t.Errorf("rate = %v (note %q), want %v (note %q)", deref(s.Rate.Value), s.Rate.Note, deref(tt.wantRate), tt.wantNote)
			}
			if tt.wantRate == nil {
				if _, ok := finding(s, "stats.rate"); ok {
					t.Errorf("a rate sentence without a rate")
				}
			}
			if !sameRate(s.DailyUTC[0].Rate.Value, tt.wantDay0) {
				t.Errorf("first UTC day rate = %v, want %v", deref(s.DailyUTC[0].Rate.Value), deref(tt.wantDay0))
			}
			var b bytes.Buffer
			if err := s.WriteDailyCSV(&b); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			if lines[1] != tt.wantDay0Csv {
				t.Errorf("daily.csv first row = %q, want %q", lines[1], tt.wantDay0Csv)
			}
			js, err := s.SummaryJSON()
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Rate struct {
					Value *float64 `json:"value"`
				} `json:"rate"`
			}
			if err := json.Unmarshal(js, &doc); err != nil {
				t.Fatal(err)
			}
			if (doc.Rate.Value == nil) != (tt.wantRate == nil) || !bytes.Contains(js, []byte(`"value": `)) {
				t.Errorf("summary.json rate value = %v, want %v as an explicit field", deref(doc.Rate.Value), deref(tt.wantRate))
			}
		})
	}
}

func TestCompute_RatePerCodeAndStatus(t *testing.T) {
	day := func(d int) time.Time { return weekFrom.AddDate(0, 0, d) }
	incidents := []collect.Incident{
		{Time: day(0).Add(time.Hour), ErrorCode: "11200", HTTPStatus: 502, Kind: collect.KindCall, URL: "https://a.example/v"},
		{Time: day(0).Add(2 * time.Hour), ErrorCode: "11200", HTTPStatus: 502, Kind: collect.KindCall, URL: "https://a.example/v"},
		{Time: day(1).Add(time.Hour), ErrorCode: "11205", Kind: collect.KindMessage, URL: "https://a.example/v"},
		{Time: day(3).Add(time.Hour), ErrorCode: "11200", HTTPStatus: 502, Kind: collect.KindCall, URL: "https://a.example/v"}, // no usage that day
	}
	tests := []struct {
		name     string
		usage    []collect.UsageDay
		wantCode map[string]*float64
		wantNote string
	}{
		{
			name:     "codes are rated over all traffic of the days with usage",
			usage:    []collect.UsageDay{{Day: day(0), Calls: 150, Messages: 50}, {Day: day(1), Calls: 100, Messages: 100}},
			wantCode: map[string]*float64{"11200": ptr(2.0 / 400), "11205": ptr(1.0 / 400)},
		},
		{
			name:     "usage only outside the window is no usage",
			usage:    []collect.UsageDay{{Day: day(-3), Calls: 10}},
			wantCode: map[string]*float64{"11200": nil, "11205": nil},
			wantNote: NoteNoUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: week(time.UTC), Incidents: incidents, Usage: tt.usage}, Options{})
			for _, c := range s.ByCode {
				if c.Rate == nil || !sameRate(c.Rate.Value, tt.wantCode[c.Key]) {
					t.Errorf("code %s rate = %+v, want %v", c.Key, c.Rate, deref(tt.wantCode[c.Key]))
				}
				if tt.wantNote != "" && c.Rate != nil && c.Rate.Note != tt.wantNote {
					t.Errorf("code %s note = %q, want %q", c.Key, c.Rate.Note, tt.wantNote)
				}
			}
			if st := s.ByStatus[0]; st.Key != "502" || st.Rate == nil || !sameRate(st.Rate.Value, tt.wantCode["11200"]) {
				t.Errorf("status row = %+v, want 502 rated like code 11200", st)
			}
			if tt.wantNote != "" && s.Rate.Note != tt.wantNote {
				t.Errorf("window rate note = %q, want %q", s.Rate.Note, tt.wantNote)
			}
			for _, c := range append(s.ByURL, s.ByHost...) {
				if c.Rate != nil {
					t.Errorf("%s has a rate, but traffic per URL or host is not known", c.Key)
				}
			}
		})
	}
}

func TestCompute_RatesOfNonUTCDaysAreUnknownNotGuessed(t *testing.T) {
	usage := []collect.UsageDay{{Day: weekFrom, Calls: 100}}
	in := Input{Window: week(mustLoc(t, "Asia/Tokyo")), Usage: usage, Incidents: []collect.Incident{{Time: weekFrom.Add(time.Hour), Kind: collect.KindCall}}}
	s := compute(t, in, Options{})
	for _, d := range s.Daily {
		if d.Rate.Known() || d.Rate.Note != NoteZoneNotUTC {
			t.Errorf("Tokyo day %s rate = %v note %q, want unknown with %q", d.Date, deref(d.Rate.Value), d.Rate.Note, NoteZoneNotUTC)
		}
	}
	if !sameRate(s.DailyUTC[0].CallRate.Value, ptr(0.01)) {
		t.Errorf("UTC day call rate = %v, want 0.01", deref(s.DailyUTC[0].CallRate.Value))
	}
	// In London in winter the local day is the UTC day: the rate carries over.
	in.Window.Location = mustLoc(t, "Europe/London")
	s = compute(t, in, Options{})
	if !sameRate(s.Daily[0].CallRate.Value, ptr(0.01)) {
		t.Errorf("London day call rate = %v, want 0.01", deref(s.Daily[0].CallRate.Value))
	}
}

func TestCompute_ProbeHistory(t *testing.T) {
	incidents := join(spaced(10*time.Hour, 3, time.Minute), spaced(20*time.Hour, 3, time.Minute))
	probe := func(h time.Duration, ok bool) Probe { return Probe{Time: weekFrom.Add(h + 30*time.Minute), OK: ok} }
	tests := []struct {
		name   string
		probes []Probe
		wantID string
		want   ProbeHours
	}{
		{
			name:   "probes failing in the incident hours line up",
			probes: []Probe{probe(10*time.Hour, false), probe(20*time.Hour, false), probe(15*time.Hour, true)},
			wantID: "stats.probes_aligned",
			want:   ProbeHours{Probes: 3, Probed: 3, IncidentHours: 2, FailedHours: 2, Both: 2},
		},
		{
			name:   "probes succeeding in the incident hours do not",
			probes: []Probe{probe(10*time.Hour, true), probe(20*time.Hour, true), probe(15*time.Hour, false)},
			wantID: "stats.probes_not_aligned",
			want:   ProbeHours{Probes: 3, Probed: 3, IncidentHours: 2, FailedHours: 1, Both: 0},
		},
		{
			name:   "probes in other hours say nothing",
			probes: []Probe{probe(3*time.Hour, false), probe(-3*time.Hour, false)},
			wantID: "stats.probes_no_overlap",
			want:   ProbeHours{Probes: 1, Probed: 1, IncidentHours: 0, FailedHours: 1, Both: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compute(t, Input{Window: week(time.UTC), Incidents: incidents, Probes: tt.probes}, Options{})
			if s.Probes == nil || *s.Probes != tt.want {
				t.Errorf("probe hours = %+v, want %+v", s.Probes, tt.want)
			}
			if _, ok := finding(s, tt.wantID); !ok {
				t.Errorf("no finding %s in %v", tt.wantID, s.Findings)
			}
		})
	}
}

func TestCompute_CountsPerDimension(t *testing.T) {
	incidents := []collect.Incident{
		{Time: weekFrom, ErrorCode: "11200", Kind: collect.KindCall, URL: "https://a.example/voice", HTTPStatus: 502},
		{Time: weekFrom.Add(time.Minute), ErrorCode: "11200", Kind: collect.KindMessage, URL: "https://a.example/sms", HTTPStatus: 503},
		{Time: weekFrom.Add(2 * time.Minute), ErrorCode: "11205", Kind: "", URL: "http://b.example:8080/x?y", HTTPStatus: 0},
		{Time: weekFrom.Add(-time.Minute), ErrorCode: "11200"},       // before the window
		{Time: weekFrom.Add(7 * 24 * time.Hour), ErrorCode: "11200"}, // at its end, excluded
	}
	s := compute(t, Input{Window: week(time.UTC), Incidents: incidents}, Options{})
	keys := func(cs []Count) string {
		var parts []string
		for _, c := range cs {
			parts = append(parts, c.Key+"="+itoa(c.Incidents))
		}
		return strings.Join(parts, " ")
	}
	tests := []struct{ name, got, want string }{
		{"codes", keys(s.ByCode), "11200=2 11205=1"},
		{"hosts", keys(s.ByHost), "a.example=2 b.example:8080=1"},
		{"urls", keys(s.ByURL), "http://b.example:8080/x=1 https://a.example/sms=1 https://a.example/voice=1"},
		{"statuses", keys(s.ByStatus), "=1 502=1 503=1"},
		{"kinds", itoa(s.ByKind.Calls) + " " + itoa(s.ByKind.Messages) + " " + itoa(s.ByKind.Other), "1 1 1"},
		{"outside", itoa(s.OutsideWindow), "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestCompute_URLsThatDifferPerRequestStillCountAsOne(t *testing.T) {
	// More distinct raw URLs than the parse cache holds.
	n := maxRawURLs + 1000
	incidents := make([]collect.Incident, n)
	for i := range incidents {
		incidents[i] = inc(time.Duration(i)*time.Second, "11200", "https://example.com/voice?CallSid=CA"+itoa(i))
	}
	s := compute(t, Input{Window: week(time.UTC), Incidents: incidents}, Options{})
	if len(s.ByURL) != 1 || s.ByURL[0].Incidents != n || len(s.ByHost) != 1 || s.ByHost[0].Incidents != n {
		t.Errorf("urls %+v hosts %+v, want one of each with %d incidents", s.ByURL, s.ByHost, n)
	}
}

func TestCompute_RejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		opts Options
		want string
	}{
		{"unknown language", Input{Window: week(nil)}, Options{Lang: "fr"}, `language "fr"`},
		{"empty window", Input{}, Options{}, "from and to must be set"},
		{"reversed window", Input{Window: collect.Window{From: weekFrom, To: weekFrom.Add(-time.Hour)}}, Options{}, "is not before"},
		{"window of decades", Input{Window: collect.Window{From: weekFrom, To: weekFrom.AddDate(30, 0, 0)}}, Options{}, "longer than"},
		{"usage day twice", Input{Window: week(nil), Usage: []collect.UsageDay{{Day: weekFrom}, {Day: weekFrom.Add(time.Hour)}}}, Options{}, "2026-11-18: day given twice"},
		{"negative usage", Input{Window: week(nil), Usage: []collect.UsageDay{{Day: weekFrom, Calls: -1}}}, Options{}, "negative"},
		{"band too wide", Input{Window: week(nil)}, Options{BandHours: 24}, "band of 24 hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(tt.in, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteFiles_Deterministic(t *testing.T) {
	incidents := join(spaced(time.Hour, 20, time.Second), spaced(50*time.Hour, 5, time.Hour))
	incidents[3].ErrorCode, incidents[4].URL = "11205", "https://c.example/x"
	var outputs [2]map[string][]byte
	for i := range outputs {
		s := compute(t, Input{Window: week(mustLoc(t, "Asia/Tokyo")), Incidents: incidents, Usage: []collect.UsageDay{{Day: weekFrom, Calls: 9}}}, Options{})
		var names []string
		files := map[string][]byte{}
		if err := s.WriteFiles(func(name string, data []byte) error {
			names = append(names, name)
			files[name] = data
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names, " "); got != "stats/daily.csv stats/hourly.csv stats/by_code.csv stats/by_url.csv stats/summary.json" {
			t.Errorf("files in order %s", got)
		}
		outputs[i] = files
	}
	for name, data := range outputs[0] {
		if !bytes.Equal(data, outputs[1][name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) any {
	if f == nil {
		return "unknown"
	}
	return *f
}

func sameRate(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	d := *a - *b
	return d < 1e-12 && d > -1e-12
}

func itoa(n int) string { return formatInt(n) }

func formatInt(n int) string {
	s, _ := formatNum(n)
	return strings.ReplaceAll(s, ",", "")
}

func TestCompute_OneIncidentIsTheOnlyOne(t *testing.T) {
	s := compute(t, Input{Window: week(mustLoc(t, "Asia/Tokyo")), Incidents: []collect.Incident{inc(time.Hour, "11200", "")}}, Options{})
	f, ok := finding(s, "stats.only_one")
	if !ok {
		t.Fatalf("no stats.only_one in %v", s.Findings)
	}
	if want := "The only incident was at 2026-11-18 10:00:00 (Asia/Tokyo; 2026-11-18T01:00:00Z UTC)."; f.Sentence != want {
		t.Errorf("sentence = %q, want %q", f.Sentence, want)
	}
	if _, ok := finding(s, "stats.first_last"); ok {
		t.Errorf("first and last stated for a single incident")
	}
	if _, ok := finding(s, "stats.dominant_url"); ok {
		t.Errorf("a dominant URL from incidents without a URL")
	}
}
