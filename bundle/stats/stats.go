// Package stats computes the frequency, error-rate and trend statistics of a
// bundle: how often webhooks failed, when, where, and how much of the traffic
// that was. It is pure: it reads the incidents, usage totals and probe
// history it is given and returns figures, findings and the stats/ files.
package stats

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// SchemaVersion is the version of stats/summary.json written by this package.
const SchemaVersion = 1

// Probe is one attempt of the probe history: when it ran and whether the
// endpoint answered correctly.
type Probe struct {
	Time time.Time
	OK   bool
}

// Input is what the statistics are computed from.
type Input struct {
	// Window is the range the statistics cover; its Location is the display
	// zone. Incidents outside the window are counted in OutsideWindow only.
	Window collect.Window
	// Incidents are the failed webhook requests, in any order.
	Incidents []collect.Incident
	// Usage holds daily UTC traffic totals; nil or empty means unknown, and
	// a day missing from it has unknown traffic.
	Usage []collect.UsageDay
	// Probes is the probe history, nil when there is none.
	Probes []Probe
}

// Options tune the characteristics. The zero value gives the defaults.
type Options struct {
	// Lang is the language of the finding sentences: "en" (default) or "ja".
	Lang string
	// BurstCount is the smallest number of incidents that makes a burst (default 10).
	BurstCount int
	// BurstSpan is the longest time those incidents may span (default 5 minutes).
	BurstSpan time.Duration
	// BandHours is the width of the busiest hour-of-day band (default 3).
	BandHours int
	// DominantShare is the share from which one host, URL or code dominates (default 0.6).
	DominantShare float64
}

// Defaults of Options.
const (
	DefaultBurstCount    = 10
	DefaultBurstSpan     = 5 * time.Minute
	DefaultBandHours     = 3
	DefaultDominantShare = 0.6
)

func (o Options) withDefaults() (Options, error) {
	if o.Lang == "" {
		o.Lang = "en"
	}
	if _, ok := catalog[o.Lang]; !ok {
		return o, fmt.Errorf("language %q: want one of %v", o.Lang, Languages())
	}
	if o.BurstCount == 0 {
		o.BurstCount = DefaultBurstCount
	}
	if o.BurstSpan == 0 {
		o.BurstSpan = DefaultBurstSpan
	}
	if o.BandHours == 0 {
		o.BandHours = DefaultBandHours
	}
	if o.DominantShare == 0 {
		o.DominantShare = DefaultDominantShare
	}
	switch {
	case o.BurstCount < 2:
		return o, fmt.Errorf("burst count %d: want at least 2", o.BurstCount)
	case o.BurstSpan < 0:
		return o, fmt.Errorf("burst span %s: want a positive duration", o.BurstSpan)
	case o.BandHours < 1 || o.BandHours > 23:
		return o, fmt.Errorf("band of %d hours: want 1 to 23", o.BandHours)
	case o.DominantShare <= 0 || o.DominantShare > 1:
		return o, fmt.Errorf("dominant share %g: want a share in (0, 1]", o.DominantShare)
	}
	return o, nil
}

// Kind indexes: the order of ByKind and of the per-kind counters.
const (
	kindCall = iota
	kindMessage
	kindOther
	kindCount
)

var kindNames = [kindCount]string{collect.KindCall, collect.KindMessage, collect.KindOther}

func kindIndex(k string) int {
	switch k {
	case collect.KindCall:
		return kindCall
	case collect.KindMessage:
		return kindMessage
	}
	return kindOther
}

// Reasons a rate is unknown, as written in the note columns.
const (
	// NoteNoUsage: the Usage Records API gave no total for the day.
	NoteNoUsage = "no_usage"
	// NotePartialDay: the window covers only part of the UTC day, so the
	// incidents of the whole day are not known.
	NotePartialDay = "partial_day"
	// NoteZoneNotUTC: the display-zone day is not a UTC day and usage is per
	// UTC day; see the UTC rows.
	NoteZoneNotUTC = "zone_not_utc"
	// NoteNoTraffic: the traffic was zero, a rate is undefined.
	NoteNoTraffic = "no_traffic"
)

// WindowInfo is the window as written in summary.json.
type WindowInfo struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Zone is the display zone's name (e.g. Asia/Tokyo).
	Zone string `json:"zone"`
	// Seconds is the length of the window.
	Seconds int64 `json:"seconds"`
}

// Duration is the length of the window.
func (w WindowInfo) Duration() time.Duration { return time.Duration(w.Seconds) * time.Second }

// Kinds counts incidents per resource kind.
type Kinds struct {
	Calls    int `json:"calls"`
	Messages int `json:"messages"`
	Other    int `json:"other"`
}

// Total is the sum over the kinds.
func (k Kinds) Total() int { return k.Calls + k.Messages + k.Other }

func kindsOf(c [kindCount]int) Kinds {
	return Kinds{Calls: c[kindCall], Messages: c[kindMessage], Other: c[kindOther]}
}

// Rate is incidents over traffic. Traffic and Value are nil when unknown;
// Note then says why.
type Rate struct {
	Incidents int      `json:"incidents"`
	Traffic   *int     `json:"traffic"`
	Value     *float64 `json:"value"`
	Note      string   `json:"note,omitempty"`
}

// Known reports whether the rate has a value.
func (r Rate) Known() bool { return r.Value != nil }

func newRate(incidents, traffic int) Rate {
	r := Rate{Incidents: incidents, Traffic: &traffic}
	if traffic == 0 {
		r.Note = NoteNoTraffic
		return r
	}
	v := float64(incidents) / float64(traffic)
	r.Value = &v
	return r
}

func unknownRate(incidents int, note string) Rate {
	return Rate{Incidents: incidents, Note: note}
}

// Day is one day of the daily series: a calendar day of the display zone
// (Daily) or a UTC day (DailyUTC).
type Day struct {
	Date string `json:"date"`
	// Partial is true when the window covers only part of the day.
	Partial   bool  `json:"partial,omitempty"`
	Incidents Kinds `json:"incidents"`
	// Rate is all incidents over calls plus messages; CallRate and
	// MessageRate are per kind.
	Rate        Rate `json:"rate"`
	CallRate    Rate `json:"call_rate"`
	MessageRate Rate `json:"message_rate"`
}

// Hour is one local hour of the hourly series.
type Hour struct {
	// Start is the instant the local hour begins (UTC in JSON).
	Start time.Time `json:"start"`
	// Local is Start in the display zone, with its offset.
	Local string `json:"local"`
	// Partial is true when the window covers only part of the hour.
	Partial   bool  `json:"partial,omitempty"`
	Incidents Kinds `json:"incidents"`
}

// Count is the number of incidents with one value of a dimension (an error
// code, a host, a URL, an HTTP status).
type Count struct {
	// Key is the value; empty when the incidents did not carry one.
	Key       string  `json:"key"`
	Incidents int     `json:"incidents"`
	Share     float64 `json:"share"`
	// Host and Path are set for URLs.
	Host string `json:"host,omitempty"`
	Path string `json:"path,omitempty"`
	// Rate is the key's incidents over all calls and messages, on the days
	// of Stats.RateDays. It is set for error codes and HTTP statuses only:
	// usage totals are not given per host or URL.
	Rate *Rate `json:"rate,omitempty"`
}

// Band is the busiest band of consecutive hours of the day (display zone),
// wrapping around midnight.
type Band struct {
	// StartHour is the first hour of the band (0–23); the band covers Hours hours.
	StartHour int     `json:"start_hour"`
	Hours     int     `json:"hours"`
	Incidents int     `json:"incidents"`
	Share     float64 `json:"share"`
}

// Burst is a run of at least BurstCount incidents in which every
// BurstCount consecutive incidents lie within BurstSpan.
type Burst struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Incidents int       `json:"incidents"`
}

// ProbeHours compares probe failures with incidents hour by hour.
type ProbeHours struct {
	// Probes is the number of probe attempts inside the window.
	Probes int `json:"probes"`
	// Probed is the number of hours with at least one probe.
	Probed int `json:"probed_hours"`
	// IncidentHours is the number of probed hours with incidents.
	IncidentHours int `json:"incident_hours"`
	// FailedHours is the number of hours with at least one failed probe.
	FailedHours int `json:"failed_hours"`
	// Both is the number of hours with incidents and failed probes.
	Both int `json:"both"`
}

// Stats are the statistics of one window. It is also the content of
// stats/summary.json, read back as the baseline of a later trend.
type Stats struct {
	Schema int        `json:"schema"`
	Lang   string     `json:"lang"`
	Window WindowInfo `json:"window"`

	// Total is the number of incidents inside the window.
	Total int `json:"total"`
	// OutsideWindow counts incidents given but outside the window.
	OutsideWindow int        `json:"outside_window"`
	First         *time.Time `json:"first,omitempty"`
	Last          *time.Time `json:"last,omitempty"`

	// ByKind counts incidents per resource kind.
	ByKind Kinds `json:"by_kind"`
	// Rate is all incidents over calls plus messages, over the full UTC days
	// of the window that have usage; CallRate and MessageRate per kind.
	Rate        Rate `json:"rate"`
	CallRate    Rate `json:"call_rate"`
	MessageRate Rate `json:"message_rate"`
	// RateDays lists the UTC days the window rates are computed over.
	RateDays []string `json:"rate_days"`

	// Count tables, most incidents first, then by key.
	ByCode   []Count `json:"by_code"`
	ByHost   []Count `json:"by_host"`
	ByURL    []Count `json:"by_url"`
	ByStatus []Count `json:"by_status"`

	// Daily is per calendar day of the display zone; DailyUTC per UTC day,
	// which is what usage totals (and so rates) are given for.
	Daily    []Day `json:"daily"`
	DailyUTC []Day `json:"daily_utc"`
	// Hourly is per local hour of the window.
	Hourly []Hour `json:"hourly"`
	// HourWeekday counts incidents by weekday (0 = Sunday) and local hour.
	HourWeekday [7][24]int `json:"hour_weekday"`

	Band   Band        `json:"band"`
	Bursts []Burst     `json:"bursts"`
	Probes *ProbeHours `json:"probes,omitempty"`

	// Findings are the characteristics, one sentence each.
	Findings []Finding `json:"findings"`
	// Trend compares with the previous window, when a baseline was given.
	Trend *Trend `json:"trend,omitempty"`

	opts Options
	loc  *time.Location
	// utcOnly is true when the display zone is at UTC+0 throughout the
	// window, so its days are the UTC days.
	utcOnly bool
}

// Compute returns the statistics of the incidents inside in.Window. It reads
// every incident once; the cost per incident is a few counter increments.
func Compute(in Input, opts Options) (*Stats, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("stats options: %w", err)
	}
	w := in.Window
	if w.From.IsZero() || w.To.IsZero() {
		return nil, errors.New("stats window: from and to must be set")
	}
	if !w.From.Before(w.To) {
		return nil, fmt.Errorf("stats window: from %s is not before to %s", w.From.UTC().Format(time.RFC3339), w.To.UTC().Format(time.RFC3339))
	}
	if w.Duration() > maxWindowDays*24*time.Hour {
		return nil, fmt.Errorf("stats window: %s is longer than %d days", w.Duration(), maxWindowDays)
	}
	usage, err := usageByDay(in.Usage)
	if err != nil {
		return nil, err
	}
	loc := w.Loc()
	zt, err := newZoneTable(w.From, w.To, loc)
	if err != nil {
		return nil, fmt.Errorf("stats window: %w", err)
	}

	first, last := zt.segs[0], zt.segs[len(zt.segs)-1]
	day0 := floorDiv(first.start+first.off, secondsPerDay)
	day1 := floorDiv(last.end-1+last.off, secondsPerDay)
	utc0 := floorDiv(first.start, secondsPerDay)
	utc1 := floorDiv(last.end-1, secondsPerDay)

	days := make([][kindCount]int, day1-day0+1)
	utcDays := make([][kindCount]int, utc1-utc0+1)
	hours := make([][kindCount]int, zt.hours())
	var matrix [7][24]int
	var kinds [kindCount]int
	rated, ratedTraffic := rateDays(utc0, len(utcDays), w, usage)
	codes := make(map[string]*tally)
	hosts := make(map[string]*tally)
	urls := make(map[urlKey]*tally)
	// raw caches, per URL string as given, the tallies it counts into: most
	// incidents repeat a few webhook URLs, and a hit skips parsing.
	raw := make(map[string]urlTallies)
	var statuses [600]tally
	otherStatus := make(map[int]*tally)
	rel := make([]int64, 0, len(in.Incidents)) // ns since From, for bursts
	var firstT, lastT time.Time
	outside := 0

	for i := range in.Incidents {
		inc := &in.Incidents[i]
		if !w.Contains(inc.Time) {
			outside++
			continue
		}
		sec := inc.Time.Unix()
		seg := zt.find(sec)
		k := kindIndex(inc.Kind)
		kinds[k]++
		local := sec + seg.off
		d := floorDiv(local, secondsPerDay)
		days[d-day0][k]++
		ud := floorDiv(sec, secondsPerDay) - utc0
		utcDays[ud][k]++
		r := rated[ud]
		hours[seg.hourIndex(sec)][k]++
		matrix[floorMod(d+4, 7)][floorMod(local, secondsPerDay)/secondsPerHour]++
		count(codes, inc.ErrorCode, r)
		ut, ok := raw[inc.URL]
		if !ok {
			u := splitURL(inc.URL)
			ut = urlTallies{host: tallyOf(hosts, u.host), url: tallyOf(urls, u)}
			if len(raw) < maxRawURLs {
				raw[inc.URL] = ut
			}
		}
		ut.host.add(r)
		ut.url.add(r)
		if s := inc.HTTPStatus; s >= 0 && s < len(statuses) {
			statuses[s].add(r)
		} else {
			count(otherStatus, s, r)
		}
		rel = append(rel, int64(inc.Time.Sub(w.From)))
		if firstT.IsZero() || inc.Time.Before(firstT) {
			firstT = inc.Time
		}
		if lastT.IsZero() || inc.Time.After(lastT) {
			lastT = inc.Time
		}
	}

	total := len(rel)
	s := &Stats{
		Schema: SchemaVersion,
		Lang:   o.Lang,
		Window: WindowInfo{
			From:    w.From.UTC(),
			To:      w.To.UTC(),
			Zone:    loc.String(),
			Seconds: int64(w.Duration() / time.Second),
		},
		Total:         total,
		OutsideWindow: outside,
		ByKind:        kindsOf(kinds),
		HourWeekday:   matrix,
		opts:          o,
		loc:           loc,
		utcOnly:       true,
	}
	for _, seg := range zt.segs {
		s.utcOnly = s.utcOnly && seg.off == 0
	}
	if total > 0 {
		f, l := firstT.UTC(), lastT.UTC()
		s.First, s.Last = &f, &l
	}

	// Codes and statuses split the failures, not the traffic: their rate is
	// over all calls and messages. Traffic per host or URL is not known.
	s.ByCode = sortCounts(codes, total, ratedTraffic, func(k string) Count { return Count{Key: k} })
	s.ByHost = sortCounts(hosts, total, nil, func(k string) Count { return Count{Key: k} })
	s.ByURL = sortCounts(urls, total, nil, func(k urlKey) Count { return Count{Key: k.String(), Host: k.host, Path: k.path} })
	st := make(map[string]*tally)
	for code := range statuses {
		if t := statuses[code]; t.all > 0 {
			st[statusKey(code)] = &t
		}
	}
	for code, t := range otherStatus {
		st[statusKey(code)] = t
	}
	s.ByStatus = sortCounts(st, total, ratedTraffic, func(k string) Count { return Count{Key: k} })

	s.DailyUTC, s.Rate, s.CallRate, s.MessageRate, s.RateDays = utcSeries(utcDays, utc0, w, usage, ratedTraffic)
	s.Daily = localSeries(days, day0, w, zt, s.DailyUTC, utc0)
	s.Hourly = hourSeries(hours, zt, w, loc)
	s.Band = busiestBand(matrix, o.BandHours, total)
	slices.Sort(rel)
	s.Bursts = findBursts(rel, w.From, o.BurstCount, int64(o.BurstSpan))
	if in.Probes != nil {
		s.Probes = probeHours(in.Probes, hours, zt, w)
	}
	s.Findings, err = characteristics(s)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func statusKey(code int) string {
	if code == 0 {
		return ""
	}
	return strconv.Itoa(code)
}

// tally counts the incidents of one key: all of them, and those on the UTC
// days the rates are computed over.
type tally struct{ all, rated int }

func (t *tally) add(rated bool) {
	t.all++
	if rated {
		t.rated++
	}
}

// count adds one incident to the tally of key, allocating only for a new key.
func count[K comparable](m map[K]*tally, key K, rated bool) {
	tallyOf(m, key).add(rated)
}

// tallyOf is the tally of key in m, added when missing.
func tallyOf[K comparable](m map[K]*tally, key K) *tally {
	t := m[key]
	if t == nil {
		t = new(tally)
		m[key] = t
	}
	return t
}

// urlTallies are the host and URL tallies one raw URL counts into.
type urlTallies struct{ host, url *tally }

// maxRawURLs bounds the cache of raw URLs: URLs that differ per request (a
// query with the CallSid) are parsed each time instead of filling memory.
const maxRawURLs = 4096

// sortCounts turns a tally map into a table sorted by incidents
// (descending) then key, with shares of total. With traffic (nil: no rate),
// each row gets the rate of its rated incidents over it.
func sortCounts[K comparable](m map[K]*tally, total int, traffic *Rate, mk func(K) Count) []Count {
	out := make([]Count, 0, len(m))
	for k, t := range m {
		c := mk(k)
		c.Incidents = t.all
		c.Share = share(t.all, total)
		if traffic != nil {
			r := rateLike(*traffic, t.rated)
			c.Rate = &r
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.Incidents, a.Incidents); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	// Two URL keys may print the same (e.g. a URL without a scheme); merge.
	merged := out[:0]
	for _, c := range out {
		if n := len(merged); n > 0 && merged[n-1].Key == c.Key {
			m := &merged[n-1]
			m.Incidents += c.Incidents
			m.Share = share(m.Incidents, total)
			if m.Rate != nil && c.Rate != nil && traffic != nil {
				r := rateLike(*traffic, m.Rate.Incidents+c.Rate.Incidents)
				m.Rate = &r
			}
			continue
		}
		merged = append(merged, c)
	}
	return merged
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// usageByDay indexes usage totals by UTC day number.
func usageByDay(days []collect.UsageDay) (map[int64]collect.UsageDay, error) {
	m := make(map[int64]collect.UsageDay, len(days))
	for _, u := range days {
		if u.Day.IsZero() {
			return nil, errors.New("usage: a day without a date")
		}
		if u.Calls < 0 || u.Messages < 0 {
			return nil, fmt.Errorf("usage %s: negative total", u.Day.UTC().Format("2006-01-02"))
		}
		d := floorDiv(u.Day.Unix(), secondsPerDay)
		if _, dup := m[d]; dup {
			return nil, fmt.Errorf("usage %s: day given twice", civilDate(d))
		}
		m[d] = u
	}
	return m, nil
}

// rateDays marks the UTC days (from day utc0, n of them) the window rates
// are computed over: those the window covers whole and usage is known for.
// The returned Rate holds their traffic (calls plus messages), or is
// unknown with the reason.
func rateDays(utc0 int64, n int, w collect.Window, usage map[int64]collect.UsageDay) ([]bool, *Rate) {
	rated := make([]bool, n)
	traffic, known, full := 0, false, false
	for i := range rated {
		d := utc0 + int64(i)
		if !wholeUTCDay(d, w) {
			continue
		}
		full = true
		if u, ok := usage[d]; ok {
			rated[i], known = true, true
			traffic += u.Calls + u.Messages
		}
	}
	switch {
	case known:
		r := newRate(0, traffic)
		return rated, &r
	case full:
		r := unknownRate(0, NoteNoUsage)
		return rated, &r
	}
	r := unknownRate(0, NotePartialDay)
	return rated, &r
}

// rateLike is incidents over the traffic of r, unknown when r is.
func rateLike(r Rate, incidents int) Rate {
	if r.Traffic == nil {
		return unknownRate(incidents, r.Note)
	}
	return newRate(incidents, *r.Traffic)
}

// wholeUTCDay reports whether the window covers UTC day d entirely.
func wholeUTCDay(d int64, w collect.Window) bool {
	start := time.Unix(d*secondsPerDay, 0)
	return !start.Before(w.From) && !start.Add(24*time.Hour).After(w.To)
}

// utcSeries builds the UTC daily rows and the window rates. A day's rate is
// known when its usage is known and the window covers the whole day (the
// days rateDays marks; traffic is what it returned).
func utcSeries(counts [][kindCount]int, utc0 int64, w collect.Window, usage map[int64]collect.UsageDay, traffic *Rate) (rows []Day, all, calls, msgs Rate, rateDays []string) {
	rows = make([]Day, len(counts))
	var inc [kindCount]int
	var callT, msgT int
	rateDays = []string{}
	for i, c := range counts {
		d := utc0 + int64(i)
		row := Day{Date: civilDate(d), Incidents: kindsOf(c), Partial: !wholeUTCDay(d, w)}
		u, have := usage[d]
		n := c[kindCall] + c[kindMessage] + c[kindOther]
		switch {
		case row.Partial:
			row.Rate = unknownRate(n, NotePartialDay)
			row.CallRate = unknownRate(c[kindCall], NotePartialDay)
			row.MessageRate = unknownRate(c[kindMessage], NotePartialDay)
		case !have:
			row.Rate = unknownRate(n, NoteNoUsage)
			row.CallRate = unknownRate(c[kindCall], NoteNoUsage)
			row.MessageRate = unknownRate(c[kindMessage], NoteNoUsage)
		default:
			row.Rate = newRate(n, u.Calls+u.Messages)
			row.CallRate = newRate(c[kindCall], u.Calls)
			row.MessageRate = newRate(c[kindMessage], u.Messages)
			for k := range inc {
				inc[k] += c[k]
			}
			callT += u.Calls
			msgT += u.Messages
			rateDays = append(rateDays, row.Date)
		}
		rows[i] = row
	}
	n := inc[kindCall] + inc[kindMessage] + inc[kindOther]
	if len(rateDays) == 0 {
		return rows, unknownRate(n, traffic.Note), unknownRate(0, traffic.Note), unknownRate(0, traffic.Note), rateDays
	}
	return rows, newRate(n, callT+msgT), newRate(inc[kindCall], callT), newRate(inc[kindMessage], msgT), rateDays
}

// localSeries builds the display-zone daily rows. Usage is per UTC day, so
// a local day has a rate only when it is exactly a UTC day (offset zero all
// day); otherwise its rate is unknown with NoteZoneNotUTC.
func localSeries(counts [][kindCount]int, day0 int64, w collect.Window, zt *zoneTable, utc []Day, utc0 int64) []Day {
	rows := make([]Day, len(counts))
	loc := w.Loc()
	for i, c := range counts {
		d := day0 + int64(i)
		row := Day{Date: civilDate(d), Incidents: kindsOf(c)}
		y, m, dd := time.Unix(d*secondsPerDay, 0).UTC().Date()
		start := time.Date(y, m, dd, 0, 0, 0, 0, loc)
		next := time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
		row.Partial = start.Before(w.From) || next.After(w.To)
		n := c[kindCall] + c[kindMessage] + c[kindOther]
		if j := d - utc0; alignedUTC(d, zt) && j >= 0 && j < int64(len(utc)) {
			row.Rate, row.CallRate, row.MessageRate = utc[j].Rate, utc[j].CallRate, utc[j].MessageRate
		} else {
			row.Rate = unknownRate(n, NoteZoneNotUTC)
			row.CallRate = unknownRate(c[kindCall], NoteZoneNotUTC)
			row.MessageRate = unknownRate(c[kindMessage], NoteZoneNotUTC)
		}
		rows[i] = row
	}
	return rows
}

// alignedUTC reports whether local day d is the UTC day d: the offset is zero
// throughout the part of it inside the window.
func alignedUTC(d int64, zt *zoneTable) bool {
	start, end := d*secondsPerDay, (d+1)*secondsPerDay
	for _, s := range zt.segs {
		if s.end <= start || s.start >= end {
			continue
		}
		if s.off != 0 {
			return false
		}
	}
	return true
}

// hourSeries labels the hourly buckets.
func hourSeries(counts [][kindCount]int, zt *zoneTable, w collect.Window, loc *time.Location) []Hour {
	rows := make([]Hour, len(counts))
	for si := range zt.segs {
		s := &zt.segs[si]
		for idx := s.hourIndex(s.start); idx <= s.hourIndex(s.end-1); idx++ {
			start := time.Unix(s.hourStart(idx), 0).UTC()
			end := start.Add(time.Hour)
			rows[idx] = Hour{
				Start:     start,
				Local:     start.In(loc).Format(time.RFC3339),
				Partial:   start.Before(w.From) || end.After(w.To),
				Incidents: kindsOf(counts[idx]),
			}
		}
	}
	return rows
}

// busiestBand finds the band of hours consecutive hours of the day with the
// most incidents; ties go to the earliest band opening on a busy hour.
func busiestBand(m [7][24]int, hours, total int) Band {
	var perHour [24]int
	for _, row := range m {
		for h, n := range row {
			perHour[h] += n
		}
	}
	best := Band{Hours: hours, Incidents: -1}
	bestOpens := false
	for start := 0; start < 24; start++ {
		n := 0
		for i := 0; i < hours; i++ {
			n += perHour[(start+i)%24]
		}
		// Among equal bands, the first that opens on a busy hour reads
		// best: all incidents at 19:xx give 19:00-22:00, not 17:00-20:00.
		opens := perHour[start] > 0
		if n > best.Incidents || (n == best.Incidents && opens && !bestOpens) {
			best.StartHour, best.Incidents, bestOpens = start, n, opens
		}
	}
	best.Share = share(best.Incidents, total)
	return best
}

// findBursts finds the bursts in sorted times (ns since from): maximal runs
// covered by windows of count incidents spanning at most span.
func findBursts(times []int64, from time.Time, count int, span int64) []Burst {
	out := []Burst{}
	n := len(times)
	i := 0
	for i+count-1 < n {
		if times[i+count-1]-times[i] > span {
			i++
			continue
		}
		// A burst starts at i; extend while the next window still qualifies
		// and overlaps what we have.
		start, end := i, i+count-1
		for j := i + 1; j <= end && j+count-1 < n; j++ {
			if times[j+count-1]-times[j] <= span {
				end = j + count - 1
			}
		}
		out = append(out, Burst{
			Start:     from.Add(time.Duration(times[start])).UTC(),
			End:       from.Add(time.Duration(times[end])).UTC(),
			Incidents: end - start + 1,
		})
		i = end + 1
	}
	return out
}

// probeHours lines the probe history up with the incidents by local hour.
func probeHours(probes []Probe, incidents [][kindCount]int, zt *zoneTable, w collect.Window) *ProbeHours {
	probed := make([]bool, len(incidents))
	failed := make([]bool, len(incidents))
	ph := &ProbeHours{}
	for _, p := range probes {
		if !w.Contains(p.Time) {
			continue
		}
		ph.Probes++
		sec := p.Time.Unix()
		idx := zt.find(sec).hourIndex(sec)
		probed[idx] = true
		if !p.OK {
			failed[idx] = true
		}
	}
	for i, c := range incidents {
		has := c[kindCall]+c[kindMessage]+c[kindOther] > 0
		if probed[i] {
			ph.Probed++
			if has {
				ph.IncidentHours++
			}
		}
		if failed[i] {
			ph.FailedHours++
			if has {
				ph.Both++
			}
		}
	}
	return ph
}
