// Package trace shapes what the hop collector found — how far each failed
// webhook request got through the customer's logs — into the result of the
// trace command: JSON for scripts and text for people.
package trace

import (
	"fmt"
	"io"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// Result is what trace prints, as text or JSON.
type Result struct {
	From        time.Time                 `json:"from"`
	To          time.Time                 `json:"to"`
	Incidents   int                       `json:"incidents"`
	Source      string                    `json:"source"`
	MatchWindow float64                   `json:"match_window_seconds"`
	Hops        []Hop                     `json:"hops"`
	Logs        []Hop                     `json:"logs,omitempty"`
	Summary     string                    `json:"summary"`
	Mixed       bool                      `json:"mixed"`
	Verdicts    []Verdict                 `json:"verdicts"`
	ByHost      []HostResult              `json:"by_host,omitempty"`
	Collectors  []collect.CollectorStatus `json:"collectors"`
	loc         *time.Location
}

// Hop is one hop or log: how its files were read and, for a hop, how many
// incidents reached it.
type Hop struct {
	Name      string             `json:"name"`
	Pattern   string             `json:"pattern"`
	Format    string             `json:"format"`
	Detected  string             `json:"detection"`
	Conn      bool               `json:"connection_level,omitempty"`
	Reached   *int               `json:"reached,omitempty"`
	Files     []hoplog.FileStats `json:"files"`
	Kind      string             `json:"kind,omitempty"`
	LinesRead int64              `json:"lines_read"`
	Other     int64              `json:"other_lines_skipped"`
	Read      string             `json:"read"`
	Zone      string             `json:"zone,omitempty"`
	ZoneNote  string             `json:"zone_note,omitempty"`
	ZoneFits  *bool              `json:"zone_fits,omitempty"`
	Problems  string             `json:"problems,omitempty"`
	Note      string             `json:"note,omitempty"`
	Error     string             `json:"error,omitempty"`
	BytesRead int64              `json:"bytes_read"`
	Skipped   int64              `json:"bytes_skipped"`
}

// Verdict is one outcome of the trace: where a share of the incidents
// stopped.
type Verdict struct {
	Outcome   string   `json:"outcome"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Count     int      `json:"count"`
	Total     int      `json:"total"`
	Percent   float64  `json:"percent"`
	Sentence  string   `json:"sentence"`
	Incidents []string `json:"incidents"`
	// Confidence is what a drop proves (dropped verdicts): lower when the
	// firewall drops connections to the webhook outside the incidents'
	// windows too, BackgroundPerHour times an hour.
	Confidence        string   `json:"confidence,omitempty"`
	BackgroundPerHour *float64 `json:"background_drops_per_hour,omitempty"`
}

// HostResult is the trace of the incidents of one webhook host.
type HostResult struct {
	Host     string    `json:"host"`
	Summary  string    `json:"summary"`
	Verdicts []Verdict `json:"verdicts"`
}

func verdicts(vs []hoplog.Reach) []Verdict {
	out := []Verdict{}
	for _, v := range vs {
		tv := Verdict{Outcome: string(v.Outcome), From: v.From, To: v.To, Count: v.Count, Total: v.Total,
			Percent: float64(int(1000*float64(v.Count)/float64(v.Total)+0.5)) / 10, Sentence: v.Sentence, Incidents: v.Incidents, Confidence: v.Confidence}
		if b := v.Background; b != nil {
			rate := float64(int(b.PerHour()*10+0.5)) / 10
			tv.BackgroundPerHour = &rate
		}
		out = append(out, tv)
	}
	return out
}

// New shapes the evidence the hop collector left in ev; window is the
// match window the lines were matched with.
func New(ev *collect.Evidence, window time.Duration) *Result {
	r := &Result{From: ev.Window.From, To: ev.Window.To, Incidents: len(ev.Incidents), Source: ev.AlertsSource,
		MatchWindow: window.Seconds(), Verdicts: []Verdict{}, Hops: []Hop{}, Collectors: ev.Collectors, loc: ev.Window.Loc()}
	for _, c := range ev.Collectors {
		if c.Name != "hops" && c.State == collect.StateOK && r.Source == "" {
			r.Source = c.Name
		}
	}
	he := ev.Hops
	if he == nil {
		r.Summary = "nothing traced"
		for _, c := range ev.Collectors {
			if c.Name == "hops" && c.Reason != "" {
				r.Summary = "nothing traced: " + c.Reason
			}
		}
		return r
	}
	k := 0
	for _, h := range he.Hops {
		j := hop(h)
		if h.Result != nil && k < len(he.Report.Reached) {
			n := he.Report.Reached[k]
			j.Reached = &n
			k++
		}
		r.Hops = append(r.Hops, j)
	}
	for _, h := range he.Logs {
		r.Logs = append(r.Logs, hop(h))
	}
	r.Summary, r.Mixed, r.Verdicts = he.Report.Summary, he.Report.Mixed, verdicts(he.Report.Reaches)
	for _, bh := range he.ByHost {
		r.ByHost = append(r.ByHost, HostResult{Host: bh.Host, Summary: bh.Report.Summary, Verdicts: verdicts(bh.Report.Reaches)})
	}
	return r
}

func hop(h collect.HopLog) Hop {
	t := h.Totals()
	j := Hop{Name: h.Name, Pattern: h.Pattern, Format: h.Detection.Format, Detected: h.Detection.String(), Conn: h.Conn,
		Files: h.Files, Kind: h.Detection.Kind, LinesRead: t.Parsed, Other: t.Other, Read: h.ReadSummary(),
		Problems: h.Problems(), Note: h.Note, Error: h.Err, BytesRead: t.Bytes, Skipped: t.SkippedBytes, ZoneNote: h.ZoneNote}
	if z := h.Zone; z != nil {
		fits := z.Fits
		j.Zone, j.ZoneNote, j.ZoneFits = hoplog.OffsetName(z.Offset), z.Sentence(), &fits
	}
	return j
}

// print writes the result for a person: the hops with their detection and
// counts, then the verdicts.
func (r *Result) Print(w io.Writer) {
	layout := "2006-01-02 15:04 MST"
	fmt.Fprintf(w, "Traced %d failed webhook requests (%s → %s) through %d hops, matching within ±%s.\n",
		r.Incidents, r.From.In(r.loc).Format(layout), r.To.In(r.loc).Format(layout), len(r.Hops), time.Duration(r.MatchWindow*float64(time.Second)))
	if r.Incidents == 0 {
		fmt.Fprintln(w, "No webhook failures in the window: nothing to trace.")
		return
	}
	width := 0
	for _, h := range append(append([]Hop{}, r.Hops...), r.Logs...) {
		width = max(width, len(h.Name))
	}
	for i, h := range r.Hops {
		reached := "not read"
		if h.Reached != nil {
			reached = fmt.Sprintf("reached %d of %d", *h.Reached, r.Incidents)
		}
		fmt.Fprintf(w, "  %d. %-*s  %-16s  %s  (%s)\n", i+1, width, h.Name, reached, h.Detected, readFigures(h))
		printHopNotes(w, h)
	}
	for _, h := range r.Logs {
		fmt.Fprintf(w, "  log %-*s  %s  (%s)\n", width, h.Name, h.Detected, readFigures(h))
		printHopNotes(w, h)
	}
	fmt.Fprintln(w)
	if r.Mixed {
		fmt.Fprintln(w, "Mixed results:")
	} else {
		fmt.Fprintln(w, "Verdict:")
	}
	for _, v := range r.Verdicts {
		fmt.Fprintf(w, "  %s\n", v.Sentence)
	}
	if len(r.Verdicts) == 0 {
		fmt.Fprintf(w, "  %s\n", r.Summary)
	}
	if len(r.ByHost) > 0 {
		fmt.Fprintln(w, "\nBy webhook host:")
		for _, h := range r.ByHost {
			fmt.Fprintf(w, "  %s: %s\n", h.Host, h.Summary)
		}
	}
}

func readFigures(h Hop) string {
	if h.Error != "" && len(h.Files) == 0 {
		return "not read"
	}
	return fmt.Sprintf("%d %s, %s read, %s skipped as far from every incident", len(h.Files), plural(len(h.Files), "file", "files"), byteSize(h.BytesRead), byteSize(h.Skipped))
}

func printHopNotes(w io.Writer, h Hop) {
	if h.Error == "" || len(h.Files) > 0 {
		fmt.Fprintf(w, "     %s\n", h.Read)
	}
	if h.ZoneNote != "" {
		prefix := ""
		if h.ZoneFits != nil && !*h.ZoneFits {
			prefix = "warning: "
		}
		fmt.Fprintf(w, "     %s%s\n", prefix, h.ZoneNote)
	}
	if h.Error != "" {
		fmt.Fprintf(w, "     error: %s\n", h.Error)
	}
	if h.Problems != "" {
		fmt.Fprintf(w, "     counted, not fatal: %s\n", h.Problems)
	}
	if h.Note != "" {
		fmt.Fprintf(w, "     note: %s\n", h.Note)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
