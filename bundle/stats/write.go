package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
)

// Paths of the files written by WriteFiles, inside the bundle.
const (
	DailyPath  = "stats/daily.csv"
	HourlyPath = "stats/hourly.csv"
	ByCodePath = "stats/by_code.csv"
	ByURLPath  = "stats/by_url.csv"
)

// dailyRow is one row of stats/daily.csv. Rates are empty when unknown;
// rate_note then says why.
type dailyRow struct {
	Zone           string `csv:"zone"`
	Date           string `csv:"date"`
	Partial        bool   `csv:"incomplete"`
	Incidents      int    `csv:"incidents"`
	Calls          int    `csv:"call_incidents"`
	Messages       int    `csv:"message_incidents"`
	Other          int    `csv:"other_incidents"`
	CallTraffic    string `csv:"calls"`
	MessageTraffic string `csv:"messages"`
	Rate           string `csv:"rate"`
	CallRate       string `csv:"call_rate"`
	MessageRate    string `csv:"message_rate"`
	RateNote       string `csv:"rate_note"`
}

// hourlyRow is one row of stats/hourly.csv.
type hourlyRow struct {
	StartUTC   string `csv:"start_utc"`
	StartLocal string `csv:"start_local"`
	Partial    bool   `csv:"incomplete"`
	Incidents  int    `csv:"incidents"`
	Calls      int    `csv:"call_incidents"`
	Messages   int    `csv:"message_incidents"`
	Other      int    `csv:"other_incidents"`
}

// codeRow is one row of stats/by_code.csv; the previous-window columns are
// empty without a trend.
type codeRow struct {
	Code      string `csv:"error_code"`
	Incidents int    `csv:"incidents"`
	Share     string `csv:"share"`
	// Rate is over all calls and messages of the rate days; empty when unknown.
	Rate      string `csv:"rate"`
	Previous  string `csv:"previous"`
	Change    string `csv:"change"`
	ChangePct string `csv:"change_pct"`
}

// urlRow is one row of stats/by_url.csv.
type urlRow struct {
	URL       string `csv:"url"`
	Host      string `csv:"host"`
	Path      string `csv:"path"`
	Incidents int    `csv:"incidents"`
	Share     string `csv:"share"`
	Previous  string `csv:"previous"`
	Change    string `csv:"change"`
	ChangePct string `csv:"change_pct"`
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func optFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return formatFloat(*v)
}

func optInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

func marshalCSV(rows any, w io.Writer) error { return csvsafe.Marshal(rows, w) }

func dailyRows(zone string, days []Day) []dailyRow {
	rows := make([]dailyRow, 0, len(days))
	for _, d := range days {
		rows = append(rows, dailyRow{
			Zone: zone, Date: d.Date, Partial: d.Partial,
			Incidents: d.Incidents.Total(), Calls: d.Incidents.Calls, Messages: d.Incidents.Messages, Other: d.Incidents.Other,
			CallTraffic: optInt(d.CallRate.Traffic), MessageTraffic: optInt(d.MessageRate.Traffic),
			Rate: optFloat(d.Rate.Value), CallRate: optFloat(d.CallRate.Value), MessageRate: optFloat(d.MessageRate.Value),
			RateNote: d.Rate.Note,
		})
	}
	return rows
}

// WriteDailyCSV writes stats/daily.csv: one row per day of the display zone,
// then (unless the zone is at UTC+0 all window) one row per UTC day, which
// is what usage totals and so rates are given for. The zone column tells
// them apart.
func (s *Stats) WriteDailyCSV(w io.Writer) error {
	rows := dailyRows(s.Window.Zone, s.Daily)
	if !s.utcOnly && s.Window.Zone != "UTC" {
		rows = append(rows, dailyRows("UTC", s.DailyUTC)...)
	}
	if err := marshalCSV(&rows, w); err != nil {
		return fmt.Errorf("write %s: %w", DailyPath, err)
	}
	return nil
}

// WriteHourlyCSV writes stats/hourly.csv: one row per local hour. Usage is
// daily, so hours have no rate.
func (s *Stats) WriteHourlyCSV(w io.Writer) error {
	rows := make([]hourlyRow, 0, len(s.Hourly))
	for _, h := range s.Hourly {
		rows = append(rows, hourlyRow{
			StartUTC: h.Start.UTC().Format(time.RFC3339), StartLocal: h.Local, Partial: h.Partial,
			Incidents: h.Incidents.Total(), Calls: h.Incidents.Calls, Messages: h.Incidents.Messages, Other: h.Incidents.Other,
		})
	}
	if err := marshalCSV(&rows, w); err != nil {
		return fmt.Errorf("write %s: %w", HourlyPath, err)
	}
	return nil
}

// previousColumns fills the trend columns of key from a delta table.
func previousColumns(deltas map[string]Delta, key string) (prev, change, pct string) {
	d, ok := deltas[key]
	if !ok {
		return "", "", ""
	}
	return strconv.Itoa(d.Previous), strconv.Itoa(d.Change), optFloat(d.Percent)
}

func deltaIndex(s *Stats, pick func(*Trend) []Delta) map[string]Delta {
	if s.Trend == nil {
		return nil
	}
	m := make(map[string]Delta)
	for _, d := range pick(s.Trend) {
		m[d.Key] = d
	}
	return m
}

// WriteByCodeCSV writes stats/by_code.csv, with the previous window's counts
// when a trend was added. Codes seen only in the previous window come last.
func (s *Stats) WriteByCodeCSV(w io.Writer) error {
	idx := deltaIndex(s, func(t *Trend) []Delta { return t.ByCode })
	rows := make([]codeRow, 0, len(s.ByCode))
	seen := make(map[string]bool, len(s.ByCode))
	for _, c := range s.ByCode {
		seen[c.Key] = true
		r := codeRow{Code: c.Key, Incidents: c.Incidents, Share: formatFloat(c.Share)}
		if c.Rate != nil {
			r.Rate = optFloat(c.Rate.Value)
		}
		r.Previous, r.Change, r.ChangePct = previousColumns(idx, c.Key)
		rows = append(rows, r)
	}
	if s.Trend != nil {
		for _, d := range s.Trend.ByCode {
			if !seen[d.Key] {
				rows = append(rows, codeRow{Code: d.Key, Share: "0", Previous: strconv.Itoa(d.Previous), Change: strconv.Itoa(d.Change), ChangePct: optFloat(d.Percent)})
			}
		}
	}
	if err := marshalCSV(&rows, w); err != nil {
		return fmt.Errorf("write %s: %w", ByCodePath, err)
	}
	return nil
}

// WriteByURLCSV writes stats/by_url.csv (URLs without query, fragment or
// user information), with the previous window's counts when a trend was
// added. URLs seen only in the previous window come last.
func (s *Stats) WriteByURLCSV(w io.Writer) error {
	idx := deltaIndex(s, func(t *Trend) []Delta { return t.ByURL })
	rows := make([]urlRow, 0, len(s.ByURL))
	seen := make(map[string]bool, len(s.ByURL))
	for _, c := range s.ByURL {
		seen[c.Key] = true
		r := urlRow{URL: c.Key, Host: c.Host, Path: c.Path, Incidents: c.Incidents, Share: formatFloat(c.Share)}
		r.Previous, r.Change, r.ChangePct = previousColumns(idx, c.Key)
		rows = append(rows, r)
	}
	if s.Trend != nil {
		for _, d := range s.Trend.ByURL {
			if !seen[d.Key] {
				k := splitURL(d.Key)
				rows = append(rows, urlRow{URL: d.Key, Host: k.host, Path: k.path, Share: "0", Previous: strconv.Itoa(d.Previous), Change: strconv.Itoa(d.Change), ChangePct: optFloat(d.Percent)})
			}
		}
	}
	if err := marshalCSV(&rows, w); err != nil {
		return fmt.Errorf("write %s: %w", ByURLPath, err)
	}
	return nil
}

// SummaryJSON is stats/summary.json: the whole of s, indented, in a stable
// order (struct fields in declaration order, map keys sorted).
func (s *Stats) SummaryJSON() ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", SummaryPath, err)
	}
	return append(data, '\n'), nil
}

// WriteFiles hands each stats file to put, by its path inside the bundle,
// in a fixed order: daily.csv, hourly.csv, by_code.csv, by_url.csv,
// summary.json. It stops at the first error put returns.
func (s *Stats) WriteFiles(put func(name string, data []byte) error) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{DailyPath, s.WriteDailyCSV},
		{HourlyPath, s.WriteHourlyCSV},
		{ByCodePath, s.WriteByCodeCSV},
		{ByURLPath, s.WriteByURLCSV},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return err
		}
		if err := put(f.name, b.Bytes()); err != nil {
			return fmt.Errorf("put %s: %w", f.name, err)
		}
	}
	data, err := s.SummaryJSON()
	if err != nil {
		return err
	}
	if err := put(SummaryPath, data); err != nil {
		return fmt.Errorf("put %s: %w", SummaryPath, err)
	}
	return nil
}

// Files returns the stats files by their path inside the bundle.
func (s *Stats) Files() (map[string][]byte, error) {
	out := make(map[string][]byte, 5)
	err := s.WriteFiles(func(name string, data []byte) error {
		out[name] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
