package twiliostatus

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"time"
)

// FakeIncident describes one incident a fake status page publishes.
type FakeIncident struct {
	// ID is the incident's id; one is derived from Name and Start when empty.
	ID   string
	Name string
	// Impact is none, minor, major or critical; minor when empty.
	Impact string
	// Start is when the problem began (started_at).
	Start time.Time
	// Posted is when the incident was opened (created_at); Start when zero.
	Posted time.Time
	// End is when it was resolved; zero publishes it still open.
	End time.Time
	// Components are the names of the affected components. Names from
	// FakeComponents land in their group; others become top-level components.
	Components []string
	// Body is the text of the first update; a stock sentence when empty.
	Body string
	// Shortlink is published as is; when empty the page links to
	// /incidents/{id} on itself.
	Shortlink string
}

// FakePage is a Statuspage v2 page with the given incidents. Its Handler
// serves /api/v2/incidents.json and /api/v2/summary.json in Statuspage's
// shape (page object; incidents with incident_updates and components;
// summary with status, components, open incidents and scheduled
// maintenances), and a plain page at /incidents/{id} for the links.
type FakePage struct {
	Incidents []FakeIncident
	// Location is the zone the times are written in (Statuspage writes them
	// in the page's zone, e.g. "-07:00"); UTC when nil.
	Location *time.Location
	// BaseURL is the address the page publishes for itself (page.url and the
	// default shortlinks), e.g. "https://status.example.com"; the address the
	// request was made to when empty. A fixed one keeps the documents the same
	// whatever port the page listens on.
	BaseURL string
}

// fakeGroup is a component group of the fake page and its members.
type fakeGroup struct {
	name    string
	members []string
}

// fakeComponents is the fake page's component tree, modelled on the kinds
// of component Twilio's page lists.
var fakeComponents = []fakeGroup{
	{"Programmable Voice", []string{"Inbound Calls", "Outbound Calls", "Voice Webhooks", "SIP Trunking"}},
	{"Programmable Messaging", []string{"Inbound SMS", "Outbound SMS", "MMS", "Messaging Webhooks", "WhatsApp"}},
	{"REST API", nil},
	{"Console", nil},
	{"Verify", nil},
	{"Video", nil},
}

// NewFakeServer starts a fake status page with the given incidents on a
// local port. Give its URL as Client.BaseURL; Close it when done.
func NewFakeServer(incidents []FakeIncident) *httptest.Server {
	return httptest.NewServer(FakePage{Incidents: incidents}.Handler())
}

// Handler serves the page.
func (p FakePage) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+IncidentsPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, p.incidentsDoc(p.baseOf(r)))
	})
	mux.HandleFunc("GET "+SummaryPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, p.summaryDoc(p.baseOf(r)))
	})
	mux.HandleFunc("GET /incidents/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, fi := range p.Incidents {
			if fakeID(fi) == r.PathValue("id") {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				_, _ = w.Write([]byte(fi.Name + "\n"))
				return
			}
		}
		http.NotFound(w, r)
	})
	return mux
}

// DemoIncidents is a small, realistic set of incidents for a demo over the
// window [from, to): "Delays in inbound webhook delivery" on the webhook
// components, overlapping the window (around the median of customer when
// given, so that the demo's incidents fall inside it, else in the window's
// second half) and resolved; "Elevated latency on outbound calls", resolved
// three days before the window; and "Twilio Console login errors" inside the
// window on the Console, which concerns nothing this tool looks at. The
// same arguments give the same incidents.
func DemoIncidents(from, to time.Time, customer []time.Time) []FakeIncident {
	from, to = from.UTC(), to.UTC()
	dur := to.Sub(from)
	if dur <= 0 {
		dur = time.Hour
		to = from.Add(dur)
	}
	length := dur / 10
	if length > 2*time.Hour {
		length = 2 * time.Hour
	}
	if length < 10*time.Minute {
		length = 10 * time.Minute
	}
	start := from.Add(dur * 6 / 10).Truncate(time.Minute)
	var inside []time.Time
	for _, t := range customer {
		if !t.Before(from) && t.Before(to) {
			inside = append(inside, t.UTC())
		}
	}
	if len(inside) > 0 {
		sort.Slice(inside, func(a, b int) bool { return inside[a].Before(inside[b]) })
		start = inside[len(inside)/2].Add(-length / 3).Truncate(time.Minute)
	}
	end := start.Add(length)
	console := from.Add(dur / 4).Truncate(time.Minute)
	earlier := from.Add(-72 * time.Hour).Truncate(time.Minute)
	return []FakeIncident{
		{
			Name:       "Delays in inbound webhook delivery",
			Impact:     "minor",
			Start:      start,
			Posted:     start.Add(7 * time.Minute),
			End:        end,
			Components: []string{"Messaging Webhooks", "Voice Webhooks"},
			Body: "We are investigating delays and timeouts in webhook requests to customer " +
				"applications for inbound calls and messages. Affected requests may fail with " +
				"errors 11200 or 11205.",
		},
		{
			Name:       "Twilio Console login errors",
			Impact:     "minor",
			Start:      console,
			End:        console.Add(35 * time.Minute),
			Components: []string{"Console"},
			Body:       "Some users are unable to log in to the Twilio Console.",
		},
		{
			Name:       "Elevated latency on outbound calls",
			Impact:     "major",
			Start:      earlier,
			End:        earlier.Add(95 * time.Minute),
			Components: []string{"Outbound Calls"},
			Body:       "We are investigating elevated post-dial delay on outbound calls.",
		},
	}
}

// baseOf is the page's published address: BaseURL, else the scheme and
// host the request was made to.
func (p FakePage) baseOf(r *http.Request) string {
	if p.BaseURL != "" {
		return strings.TrimRight(p.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writeJSON writes v as the JSON body of a 200 answer.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// fakePageID is the id of the fake page.
const fakePageID = "gs0x1twi1i0s"

// pageDoc is the page object.
func (p FakePage) pageDoc(base string) *wirePage {
	return &wirePage{
		ID:        fakePageID,
		Name:      "Twilio",
		URL:       base,
		TimeZone:  p.loc().String(),
		UpdatedAt: p.stamp(p.updatedAt()),
	}
}

// loc is the zone times are written in.
func (p FakePage) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// stamp writes t the way Statuspage does, with milliseconds; zero is null.
func (p FakePage) stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(p.loc()).Format("2006-01-02T15:04:05.000Z07:00")
	return &s
}

// updatedAt is the latest time on the page, so the documents are the same
// for the same incidents whenever they are served.
func (p FakePage) updatedAt() time.Time {
	var last time.Time
	for _, fi := range p.Incidents {
		for _, t := range []time.Time{fi.Start, fi.Posted, fi.End} {
			if t.After(last) {
				last = t
			}
		}
	}
	if last.IsZero() {
		last = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return last
}

// fakeID is the incident's id: given, or 12 base-36 characters from a hash
// of its name and start.
func fakeID(fi FakeIncident) string {
	if fi.ID != "" {
		return fi.ID
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(fi.Name + "|" + fi.Start.UTC().Format(time.RFC3339Nano)))
	return shortID(h.Sum64())
}

// shortID writes n as 12 lower-case base-36 characters.
func shortID(n uint64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 12)
	for i := range b {
		b[len(b)-1-i] = digits[n%36]
		n /= 36
	}
	return string(b)
}

// componentID is a stable id for a component name.
func componentID(name string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte("component|" + name))
	return shortID(h.Sum64())
}

// degradedStatus is the component status an impact puts a component in.
func degradedStatus(impact string) string {
	switch impact {
	case "critical":
		return "major_outage"
	case "major":
		return "partial_outage"
	}
	return "degraded_performance"
}

// impactOf is the impact with its default.
func impactOf(fi FakeIncident) string {
	if fi.Impact == "" {
		return "minor"
	}
	return fi.Impact
}

// componentDoc is one component object; groupID is "" for a top-level one.
func (p FakePage) componentDoc(name, status, groupID string, position int, group bool, members []string) wireComponent {
	created := p.stamp(time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC))
	c := wireComponent{
		ID:         componentID(name),
		Name:       name,
		Status:     status,
		CreatedAt:  created,
		UpdatedAt:  p.stamp(p.updatedAt()),
		Position:   position,
		PageID:     fakePageID,
		Group:      group,
		Components: members,
	}
	if groupID != "" {
		c.GroupID = &groupID
	}
	return c
}

// groupOf returns the id of the group a component name belongs to, "" when
// it is top-level.
func groupOf(name string) string {
	for _, g := range fakeComponents {
		for _, m := range g.members {
			if m == name {
				return componentID(g.name)
			}
		}
	}
	return ""
}

// incidentDoc is one incident object with its updates (newest first) and
// components.
func (p FakePage) incidentDoc(fi FakeIncident, base string) wireIncident {
	id := fakeID(fi)
	impact := impactOf(fi)
	posted := fi.Posted
	if posted.IsZero() {
		posted = fi.Start
	}
	last := posted
	status := "investigating"
	if !fi.End.IsZero() {
		status = "resolved"
		last = fi.End
	}
	link := fi.Shortlink
	if link == "" {
		link = base + "/incidents/" + id
	}
	body := fi.Body
	if body == "" {
		body = "We are investigating an issue affecting " + strings.Join(fi.Components, ", ") + "."
	}
	affected := func(old, new string) []wireAffectedComponent {
		var out []wireAffectedComponent
		for _, n := range fi.Components {
			out = append(out, wireAffectedComponent{Code: componentID(n), Name: n, OldStatus: old, NewStatus: new})
		}
		return out
	}
	first := wireIncidentUpdate{
		ID:                   shortID(hash64(id + "|1")),
		Status:               "investigating",
		Body:                 body,
		IncidentID:           id,
		CreatedAt:            p.stamp(posted),
		UpdatedAt:            p.stamp(posted),
		DisplayAt:            p.stamp(posted),
		AffectedComponents:   affected("operational", degradedStatus(impact)),
		DeliverNotifications: true,
	}
	updates := []wireIncidentUpdate{first}
	if !fi.End.IsZero() {
		resolved := wireIncidentUpdate{
			ID:                   shortID(hash64(id + "|2")),
			Status:               "resolved",
			Body:                 "This incident has been resolved.",
			IncidentID:           id,
			CreatedAt:            p.stamp(fi.End),
			UpdatedAt:            p.stamp(fi.End),
			DisplayAt:            p.stamp(fi.End),
			AffectedComponents:   affected(degradedStatus(impact), "operational"),
			DeliverNotifications: true,
		}
		updates = []wireIncidentUpdate{resolved, first}
	}
	compStatus := degradedStatus(impact)
	if !fi.End.IsZero() {
		compStatus = "operational"
	}
	var comps []wireComponent
	for i, n := range fi.Components {
		comps = append(comps, p.componentDoc(n, compStatus, groupOf(n), i+1, false, nil))
	}
	return wireIncident{
		ID:         id,
		Name:       fi.Name,
		Status:     status,
		Impact:     impact,
		CreatedAt:  p.stamp(posted),
		UpdatedAt:  p.stamp(last),
		ResolvedAt: p.stamp(fi.End),
		StartedAt:  p.stamp(fi.Start),
		Shortlink:  link,
		PageID:     fakePageID,
		Updates:    updates,
		Components: comps,
	}
}

// hash64 is the FNV-1a hash of s.
func hash64(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// sortedIncidents is the page's incidents newest start first, as
// Statuspage lists them, at most ListLimit.
func (p FakePage) sortedIncidents() []FakeIncident {
	out := append([]FakeIncident(nil), p.Incidents...)
	sort.SliceStable(out, func(a, b int) bool { return out[a].Start.After(out[b].Start) })
	if len(out) > ListLimit {
		out = out[:ListLimit]
	}
	return out
}

// incidentsDoc is the body of incidents.json.
func (p FakePage) incidentsDoc(base string) wireIncidents {
	doc := wireIncidents{Page: p.pageDoc(base), Incidents: []wireIncident{}}
	for _, fi := range p.sortedIncidents() {
		doc.Incidents = append(doc.Incidents, p.incidentDoc(fi, base))
	}
	return doc
}

// summaryDoc is the body of summary.json: components in the state the open
// incidents put them in.
func (p FakePage) summaryDoc(base string) wireSummary {
	down := map[string]string{}
	indicator, description := "none", "All Systems Operational"
	rank := map[string]int{"none": 0, "minor": 1, "major": 2, "critical": 3}
	doc := wireSummary{
		Page:                  p.pageDoc(base),
		Components:            []wireComponent{},
		Incidents:             []wireIncident{},
		ScheduledMaintenances: []wireIncident{},
	}
	for _, fi := range p.sortedIncidents() {
		if !fi.End.IsZero() {
			continue
		}
		doc.Incidents = append(doc.Incidents, p.incidentDoc(fi, base))
		for _, n := range fi.Components {
			down[n] = degradedStatus(impactOf(fi))
		}
		if rank[impactOf(fi)] > rank[indicator] {
			indicator = impactOf(fi)
		}
	}
	switch indicator {
	case "minor":
		description = "Minor Service Outage"
	case "major":
		description = "Partial System Outage"
	case "critical":
		description = "Major Service Outage"
	}
	doc.Status = &wireStatus{Indicator: indicator, Description: description}
	statusOf := func(name string) string {
		if s, ok := down[name]; ok {
			return s
		}
		return "operational"
	}
	known := map[string]bool{}
	pos := 0
	for _, g := range fakeComponents {
		pos++
		known[g.name] = true
		if len(g.members) == 0 {
			doc.Components = append(doc.Components, p.componentDoc(g.name, statusOf(g.name), "", pos, false, nil))
			continue
		}
		gid := componentID(g.name)
		var ids []string
		worst := "operational"
		for _, m := range g.members {
			ids = append(ids, componentID(m))
			if s := statusOf(m); s != "operational" {
				worst = s
			}
		}
		doc.Components = append(doc.Components, p.componentDoc(g.name, worst, "", pos, true, ids))
		for i, m := range g.members {
			known[m] = true
			doc.Components = append(doc.Components, p.componentDoc(m, statusOf(m), gid, i+1, false, nil))
		}
	}
	var extra []string
	for _, fi := range p.Incidents {
		for _, n := range fi.Components {
			if !known[n] {
				known[n] = true
				extra = append(extra, n)
			}
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		pos++
		doc.Components = append(doc.Components, p.componentDoc(n, statusOf(n), "", pos, false, nil))
	}
	return doc
}
