package twiliostatus

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Overlap relates one relevant Twilio status incident to the customer's own
// webhook-failure incidents.
type Overlap struct {
	Incident Incident `json:"incident"`
	// Inside is how many of the customer's incidents fall inside the status
	// incident's span (see Incident.Contains).
	Inside int `json:"inside"`
	// Total is how many customer incidents were given.
	Total int `json:"total"`
	// First and Last are the earliest and latest customer incidents inside
	// the span; zero when Inside is 0.
	First time.Time `json:"first,omitempty"`
	Last  time.Time `json:"last,omitempty"`
	// English and Japanese say it in one sentence each, with the shortlink.
	English  string `json:"en"`
	Japanese string `json:"ja"`
}

// Sentence returns the sentence in lang ("ja" for Japanese, English
// otherwise).
func (o Overlap) Sentence(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "ja") {
		return o.Japanese
	}
	return o.English
}

// Analyze relates each relevant status incident to the times of the
// customer's incidents: for each one, how many of them fall inside its span,
// and a sentence in English and in Japanese. Times are shown in loc (UTC
// when nil), with UTC alongside. Irrelevant status incidents are left out;
// relevant ones with no customer incident inside are kept (Inside 0), so the
// caller can say Twilio reported something that did not touch this account.
// The result is ordered by the status incident's start. Analyze does no I/O.
func Analyze(status []Incident, customer []time.Time, loc *time.Location) []Overlap {
	if loc == nil {
		loc = time.UTC
	}
	var out []Overlap
	for _, inc := range status {
		if !inc.Relevant {
			continue
		}
		o := Overlap{Incident: inc, Total: len(customer)}
		for _, t := range customer {
			if !inc.Contains(t) {
				continue
			}
			o.Inside++
			if o.First.IsZero() || t.Before(o.First) {
				o.First = t.UTC()
			}
			if o.Last.IsZero() || t.After(o.Last) {
				o.Last = t.UTC()
			}
		}
		o.English = englishSentence(o, loc)
		o.Japanese = japaneseSentence(o, loc)
		out = append(out, o)
	}
	sort.SliceStable(out, func(a, b int) bool {
		return out[a].Incident.Start().Before(out[b].Incident.Start())
	})
	return out
}

// Touching returns the overlaps with at least one customer incident inside:
// the ones that become findings.
func Touching(overlaps []Overlap) []Overlap {
	var out []Overlap
	for _, o := range overlaps {
		if o.Inside > 0 {
			out = append(out, o)
		}
	}
	return out
}

// englishSentence is "Twilio reported 'X' from … to …; N of your M incidents
// fall inside it. <shortlink>".
func englishSentence(o Overlap, loc *time.Location) string {
	inc := o.Incident
	var b strings.Builder
	fmt.Fprintf(&b, "Twilio reported '%s' ", inc.Name)
	if inc.Open() {
		fmt.Fprintf(&b, "from %s, still unresolved", stamp(inc.Start(), loc))
		if u := utcStamp(inc.Start(), loc); u != "" {
			fmt.Fprintf(&b, " (%s UTC)", u)
		}
	} else {
		fmt.Fprintf(&b, "from %s", span(inc.Start(), inc.ResolvedAt, loc))
		if u := utcSpan(inc.Start(), inc.ResolvedAt, loc); u != "" {
			fmt.Fprintf(&b, " (%s UTC)", u)
		}
	}
	b.WriteString("; ")
	switch {
	case o.Total == 0:
		b.WriteString("you have no incidents in the window")
	case o.Total == 1 && o.Inside == 1:
		b.WriteString("your one incident falls inside it")
	case o.Total == 1:
		b.WriteString("your one incident falls outside it")
	case o.Inside == 1:
		fmt.Fprintf(&b, "1 of your %d incidents falls inside it", o.Total)
	default:
		fmt.Fprintf(&b, "%d of your %d incidents fall inside it", o.Inside, o.Total)
	}
	b.WriteString(".")
	if inc.Shortlink != "" {
		fmt.Fprintf(&b, " %s", inc.Shortlink)
	}
	return b.String()
}

// japaneseSentence says the same as englishSentence in Japanese.
func japaneseSentence(o Overlap, loc *time.Location) string {
	inc := o.Incident
	var b strings.Builder
	b.WriteString("Twilio は ")
	if inc.Open() {
		fmt.Fprintf(&b, "%s から「%s」を報告しており、まだ解決していません", stamp(inc.Start(), loc), inc.Name)
		if u := utcStamp(inc.Start(), loc); u != "" {
			fmt.Fprintf(&b, "（UTC %s から）", u)
		}
	} else {
		start, end := spanParts(inc.Start(), inc.ResolvedAt, loc)
		fmt.Fprintf(&b, "%s から %s まで「%s」を報告しました", start, end, inc.Name)
		if u := utcSpanJa(inc.Start(), inc.ResolvedAt, loc); u != "" {
			fmt.Fprintf(&b, "（UTC %s）", u)
		}
	}
	b.WriteString("。")
	switch {
	case o.Total == 0:
		b.WriteString("期間中にお客様のインシデントはありません。")
	default:
		fmt.Fprintf(&b, "お客様のインシデント %d 件のうち %d 件がこの期間に含まれます。", o.Total, o.Inside)
	}
	if inc.Shortlink != "" {
		fmt.Fprintf(&b, " %s", inc.Shortlink)
	}
	return b.String()
}

// stamp is t in loc as "2006-01-02 15:04 MST".
func stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// span is "2006-01-02 15:04 to 16:30 MST", with the end's date when it
// differs and a zone name on each side when they differ (a DST change).
func span(from, to time.Time, loc *time.Location) string {
	start, end := spanParts(from, to, loc)
	return start + " to " + end
}

// spanParts formats the two ends of a span in loc, the end as short as the
// start allows: the zone is written once when it is the same.
func spanParts(from, to time.Time, loc *time.Location) (string, string) {
	f, t := from.In(loc), to.In(loc)
	sameZone := f.Format("MST") == t.Format("MST")
	sameDay := f.Format("2006-01-02") == t.Format("2006-01-02")
	switch {
	case sameDay && sameZone:
		return f.Format("2006-01-02 15:04"), t.Format("15:04 MST")
	case sameZone:
		return f.Format("2006-01-02 15:04"), t.Format("2006-01-02 15:04 MST")
	default:
		return f.Format("2006-01-02 15:04 MST"), t.Format("2006-01-02 15:04 MST")
	}
}

// isUTC reports whether t shown in loc is already UTC, so a UTC copy would
// repeat it.
func isUTC(t time.Time, loc *time.Location) bool {
	_, off := t.In(loc).Zone()
	return off == 0 && t.In(loc).Format("MST") == "UTC"
}

// utcStamp is t in UTC without the zone, or "" when loc shows UTC already.
func utcStamp(t time.Time, loc *time.Location) string {
	if isUTC(t, loc) {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// utcSpan is the span in UTC without the zone, or "" when loc shows UTC.
func utcSpan(from, to time.Time, loc *time.Location) string {
	if isUTC(from, loc) && isUTC(to, loc) {
		return ""
	}
	f, t := from.UTC(), to.UTC()
	if f.Format("2006-01-02") == t.Format("2006-01-02") {
		return f.Format("2006-01-02 15:04") + " to " + t.Format("15:04")
	}
	return f.Format("2006-01-02 15:04") + " to " + t.Format("2006-01-02 15:04")
}

// utcSpanJa is utcSpan with a Japanese range mark.
func utcSpanJa(from, to time.Time, loc *time.Location) string {
	s := utcSpan(from, to, loc)
	return strings.Replace(s, " to ", "〜", 1)
}
