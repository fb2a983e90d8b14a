// Package twiliostatus reads Twilio's public status page (a Statuspage page
// at status.twilio.com, API v2, no credentials), keeps the incidents Twilio
// published for a time window, flags those that concern webhooks, voice,
// messaging or the REST API, and relates them to the customer's own webhook
// failures. It also serves a fake status page in the same JSON shape, for
// tests and for the product's demo.
package twiliostatus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// DefaultBaseURL is Twilio's status page.
const DefaultBaseURL = "https://status.twilio.com"

// DefaultMaxBody bounds the size of one response body. Twilio's
// incidents.json (the 50 latest incidents with all their updates) is well
// under a megabyte.
const DefaultMaxBody int64 = 8 << 20

// DefaultTimeout is the deadline of one request when the caller's context
// has none.
const DefaultTimeout = 20 * time.Second

// ListLimit is how many incidents Statuspage's incidents.json lists at most
// (the latest ones). A window older than the oldest listed incident cannot
// be covered: see Incidents.Covered.
const ListLimit = 50

// Paths of the two documents read, below the base URL.
const (
	IncidentsPath = "/api/v2/incidents.json"
	SummaryPath   = "/api/v2/summary.json"
)

// ErrBodyTooLarge is returned (wrapped) when a response exceeds MaxBody.
var ErrBodyTooLarge = errors.New("response body too large")

// Client reads a Statuspage v2 page. The zero value reads status.twilio.com
// with http.DefaultClient (which honours HTTPS_PROXY and NO_PROXY).
type Client struct {
	// BaseURL is the page's root, without /api/v2; DefaultBaseURL when empty.
	BaseURL string
	// HTTPClient makes the requests; http.DefaultClient when nil. Give the
	// one the rest of the tool uses so proxies and SSL_CERT_FILE apply.
	HTTPClient *http.Client
	// MaxBody bounds each response body; DefaultMaxBody when zero or less.
	MaxBody int64
	// Timeout is the deadline of each request when ctx has none;
	// DefaultTimeout when zero or less.
	Timeout time.Duration
	// UserAgent is sent with each request when not empty.
	UserAgent string
}

// Page identifies the status page a document came from.
type Page struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	URL      string    `json:"url"`
	TimeZone string    `json:"time_zone,omitempty"`
	Updated  time.Time `json:"updated_at,omitempty"`
}

// Incident is one incident Twilio published, as this tool keeps it. Times
// are in UTC.
type Incident struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Impact string `json:"impact"` // none, minor, major, critical, maintenance
	// Status is the latest status: investigating, identified, monitoring,
	// resolved, postmortem (or a maintenance status).
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// StartedAt is when Twilio says the problem began; it can be earlier than
	// CreatedAt (the incident was opened after the fact). Zero when absent.
	StartedAt time.Time `json:"started_at,omitempty"`
	// ResolvedAt is zero while the incident is open.
	ResolvedAt time.Time `json:"resolved_at,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitempty"`
	// Components are the names of the affected components: those listed on
	// the incident and those named in its updates, sorted, without repeats.
	Components []string `json:"components"`
	Shortlink  string   `json:"shortlink"`
	// LatestUpdate is the text of the newest update, as published.
	LatestUpdate string `json:"latest_update,omitempty"`
	// Concerns lists what the components or the name concern (see Concerns).
	Concerns []string `json:"concerns,omitempty"`
	// Relevant is true when Concerns is not empty.
	Relevant bool `json:"relevant"`
}

// Start is when the incident's span begins: StartedAt, else CreatedAt.
func (i Incident) Start() time.Time {
	if !i.StartedAt.IsZero() {
		return i.StartedAt
	}
	return i.CreatedAt
}

// Open reports whether the incident was still unresolved when read.
func (i Incident) Open() bool { return i.ResolvedAt.IsZero() }

// Contains reports whether t falls inside the incident's span
// [Start, ResolvedAt], open-ended while the incident is open.
func (i Incident) Contains(t time.Time) bool {
	if t.Before(i.Start()) {
		return false
	}
	return i.Open() || !t.After(i.ResolvedAt)
}

// Overlaps reports whether the incident's span meets the window [from, to).
func (i Incident) Overlaps(from, to time.Time) bool {
	if !i.Start().Before(to) {
		return false
	}
	return i.Open() || !i.ResolvedAt.Before(from)
}

// Incidents is what Fetch found for one window.
type Incidents struct {
	Page Page `json:"page"`
	// From and To are the window asked for.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Incidents are the listed incidents whose span overlaps the window,
	// relevant or not, oldest start first.
	Incidents []Incident `json:"incidents"`
	// Listed is how many incidents the page listed in all.
	Listed int `json:"listed"`
	// OldestListed is the start of the oldest listed incident.
	OldestListed time.Time `json:"oldest_listed,omitempty"`
	// Covered is false when the page lists ListLimit incidents and the oldest
	// of them starts after the window does: older incidents that could
	// overlap the window are not listed any more.
	Covered bool `json:"covered"`
	// Skipped counts listed incidents dropped because no start time could be
	// read from them.
	Skipped int `json:"skipped,omitempty"`
	// Raw is the body of incidents.json exactly as received, for the bundle.
	Raw []byte `json:"-"`
}

// Relevant returns the incidents that concern webhooks, voice, messaging or
// the REST API.
func (r *Incidents) Relevant() []Incident {
	var out []Incident
	for _, inc := range r.Incidents {
		if inc.Relevant {
			out = append(out, inc)
		}
	}
	return out
}

// Component is the current state of one component of the page.
type Component struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Status is operational, degraded_performance, partial_outage,
	// major_outage or under_maintenance.
	Status string `json:"status"`
	// Group is the name of the group the component belongs to, if any.
	Group string `json:"group,omitempty"`
	// IsGroup is true for a group heading (its status rolls up its members).
	IsGroup  bool     `json:"is_group,omitempty"`
	Concerns []string `json:"concerns,omitempty"`
	Relevant bool     `json:"relevant"`
}

// Operational reports whether the component is fully operational.
func (c Component) Operational() bool { return c.Status == "operational" }

// Summary is the page's current state from summary.json.
type Summary struct {
	Page Page `json:"page"`
	// Indicator is none, minor, major, critical or maintenance.
	Indicator   string      `json:"indicator"`
	Description string      `json:"description"`
	Components  []Component `json:"components"`
	// Unresolved are the incidents open right now.
	Unresolved []Incident `json:"unresolved"`
	// Raw is the body of summary.json exactly as received, for the bundle.
	Raw []byte `json:"-"`
}

// Degraded returns the components that are not operational, groups left out.
func (s *Summary) Degraded() []Component {
	var out []Component
	for _, c := range s.Components {
		if !c.IsGroup && !c.Operational() {
			out = append(out, c)
		}
	}
	return out
}

// Fetch reads incidents.json and returns the incidents whose span overlaps
// the window [from, to): started (or created) before to, and resolved at or
// after from or still open. An unreachable page, an HTTP error status, a body
// over MaxBody or a body that is not the Statuspage shape is an error; the
// context's deadline errors wrap context.DeadlineExceeded.
func (c *Client) Fetch(ctx context.Context, from, to time.Time) (*Incidents, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("twilio status: window ends (%s) before it starts (%s)",
			to.UTC().Format(time.RFC3339), from.UTC().Format(time.RFC3339))
	}
	raw, err := c.get(ctx, IncidentsPath)
	if err != nil {
		return nil, err
	}
	var doc wireIncidents
	if err := decodeStrict(raw, &doc); err != nil {
		return nil, fmt.Errorf("twilio status: decode %s: %w", IncidentsPath, err)
	}
	if doc.Incidents == nil {
		return nil, fmt.Errorf("twilio status: decode %s: no \"incidents\" list", IncidentsPath)
	}
	out := &Incidents{
		Page:   convertPage(doc.Page),
		From:   from.UTC(),
		To:     to.UTC(),
		Listed: len(doc.Incidents),
		Raw:    raw,
	}
	for _, w := range doc.Incidents {
		inc, ok := convertIncident(w)
		if !ok {
			out.Skipped++
			continue
		}
		if out.OldestListed.IsZero() || inc.Start().Before(out.OldestListed) {
			out.OldestListed = inc.Start()
		}
		if inc.Overlaps(from, to) {
			out.Incidents = append(out.Incidents, inc)
		}
	}
	out.Covered = out.Listed < ListLimit || (!out.OldestListed.IsZero() && !out.OldestListed.After(from))
	sort.SliceStable(out.Incidents, func(a, b int) bool {
		return out.Incidents[a].Start().Before(out.Incidents[b].Start())
	})
	return out, nil
}

// Summary reads summary.json: the page's rolled-up status, every component's
// current status and the incidents open now.
func (c *Client) Summary(ctx context.Context) (*Summary, error) {
	raw, err := c.get(ctx, SummaryPath)
	if err != nil {
		return nil, err
	}
	var doc wireSummary
	if err := decodeStrict(raw, &doc); err != nil {
		return nil, fmt.Errorf("twilio status: decode %s: %w", SummaryPath, err)
	}
	if doc.Status == nil || doc.Components == nil {
		return nil, fmt.Errorf("twilio status: decode %s: no \"status\" or \"components\"", SummaryPath)
	}
	out := &Summary{
		Page:        convertPage(doc.Page),
		Indicator:   doc.Status.Indicator,
		Description: doc.Status.Description,
		Raw:         raw,
	}
	groups := map[string]string{}
	for _, wc := range doc.Components {
		if wc.Group {
			groups[wc.ID] = wc.Name
		}
	}
	for _, wc := range doc.Components {
		comp := Component{ID: wc.ID, Name: wc.Name, Status: wc.Status, IsGroup: wc.Group}
		if wc.GroupID != nil {
			comp.Group = groups[*wc.GroupID]
		}
		// A member inherits what its group concerns: "Inbound" under
		// "Programmable Messaging" is about messaging.
		comp.Concerns = Concerns(wc.Name, comp.Group)
		comp.Relevant = len(comp.Concerns) > 0
		out.Components = append(out.Components, comp)
	}
	for _, w := range doc.Incidents {
		if inc, ok := convertIncident(w); ok {
			out.Unresolved = append(out.Unresolved, inc)
		}
	}
	return out, nil
}

// get requests one document and returns its body, bounded by MaxBody.
func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("twilio status: bad base URL %q", base)
	}
	if _, ok := ctx.Deadline(); !ok {
		timeout := c.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("twilio status: request %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("twilio status: get %s: %w", u, err)
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("twilio status: read %s: %w", u, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("twilio status: read %s: %w (over %d bytes)", u, ErrBodyTooLarge, limit)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &HTTPError{URL: u.String(), Host: u.Host, StatusCode: resp.StatusCode, Body: snippet(body)}
	}
	return body, nil
}

// HTTPError is the page's answer when it is not a 2xx: the status code and
// the start of the body.
type HTTPError struct {
	URL, Host  string
	StatusCode int
	Body       string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("twilio status: get %s: HTTP %d: %s", e.URL, e.StatusCode, e.Body)
}

// decodeStrict decodes one JSON value and refuses trailing data.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

// snippet is the start of a body, on one line, for an error message.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	const max = 120
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// convertPage turns the wire page into a Page; nil gives the zero Page.
func convertPage(w *wirePage) Page {
	if w == nil {
		return Page{}
	}
	return Page{ID: w.ID, Name: w.Name, URL: w.URL, TimeZone: w.TimeZone, Updated: parseTime(w.UpdatedAt)}
}

// convertIncident turns a wire incident into an Incident. It reports false
// when the incident has no readable start (started_at, created_at or, for a
// maintenance, scheduled_for).
func convertIncident(w wireIncident) (Incident, bool) {
	inc := Incident{
		ID:         w.ID,
		Name:       strings.TrimSpace(w.Name),
		Impact:     w.Impact,
		Status:     w.Status,
		CreatedAt:  parseTime(w.CreatedAt),
		StartedAt:  parseTime(w.StartedAt),
		ResolvedAt: parseTime(w.ResolvedAt),
		UpdatedAt:  parseTime(w.UpdatedAt),
		Shortlink:  w.Shortlink,
	}
	if inc.CreatedAt.IsZero() && inc.StartedAt.IsZero() {
		inc.StartedAt = parseTime(w.ScheduledFor)
	}
	if inc.Start().IsZero() {
		return Incident{}, false
	}
	if inc.ResolvedAt.IsZero() && isClosedStatus(w.Status) {
		inc.ResolvedAt = closedAt(w)
	}
	if !inc.ResolvedAt.IsZero() && inc.ResolvedAt.Before(inc.Start()) {
		inc.ResolvedAt = inc.Start()
	}
	names := map[string]bool{}
	for _, c := range w.Components {
		if n := strings.TrimSpace(c.Name); n != "" {
			names[n] = true
		}
	}
	for _, u := range w.Updates {
		for _, ac := range u.AffectedComponents {
			if n := strings.TrimSpace(ac.Name); n != "" {
				names[n] = true
			}
		}
	}
	for n := range names {
		inc.Components = append(inc.Components, n)
	}
	sort.Strings(inc.Components)
	if latest := latestUpdate(w.Updates); latest != nil {
		inc.LatestUpdate = strings.TrimSpace(latest.Body)
	}
	inc.Concerns = Concerns(append([]string{inc.Name}, inc.Components...)...)
	inc.Relevant = len(inc.Concerns) > 0
	return inc, true
}

// isClosedStatus reports whether an incident status means it is over.
func isClosedStatus(status string) bool {
	switch status {
	case "resolved", "postmortem", "completed":
		return true
	}
	return false
}

// closedAt guesses when a closed incident without resolved_at ended: the
// earliest "resolved" (or "completed") update, else the earliest postmortem
// update, else scheduled_until, else updated_at. A postmortem is posted
// long after the problem ended, so it only counts when nothing else does.
func closedAt(w wireIncident) time.Time {
	if t := earliestUpdate(w.Updates, "resolved", "completed"); !t.IsZero() {
		return t
	}
	if t := earliestUpdate(w.Updates, "postmortem"); !t.IsZero() {
		return t
	}
	if t := parseTime(w.ScheduledUntil); !t.IsZero() {
		return t
	}
	return parseTime(w.UpdatedAt)
}

// earliestUpdate is the creation time of the earliest update with one of the
// statuses; zero when there is none.
func earliestUpdate(updates []wireIncidentUpdate, statuses ...string) time.Time {
	var best time.Time
	for _, u := range updates {
		for _, s := range statuses {
			if u.Status != s {
				continue
			}
			if t := parseTime(u.CreatedAt); !t.IsZero() && (best.IsZero() || t.Before(best)) {
				best = t
			}
		}
	}
	return best
}

// latestUpdate is the newest update by display time (Statuspage lists them
// newest first, but the order is not relied on).
func latestUpdate(updates []wireIncidentUpdate) *wireIncidentUpdate {
	var best *wireIncidentUpdate
	var bestAt time.Time
	for i := range updates {
		at := parseTime(updates[i].DisplayAt)
		if at.IsZero() {
			at = parseTime(updates[i].CreatedAt)
		}
		if best == nil || at.After(bestAt) {
			best, bestAt = &updates[i], at
		}
	}
	return best
}

// parseTime reads a Statuspage time (RFC 3339, with or without fractional
// seconds) into UTC; nil, empty or unreadable gives the zero time.
func parseTime(s *string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
