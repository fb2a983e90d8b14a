package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// Finding IDs of Twilio's side of the story.
const (
	// FindingTwilioStatusIncident is an incident Twilio published on
	// webhooks, voice, messaging or the REST API, with some of the
	// customer's failures inside its span. Its Verdict names the incident
	// and links to it, so it can be cited as it is.
	FindingTwilioStatusIncident = "twilio.status_incident"
	// FindingTwilioStatusNone says the status page was read and lists no
	// such incident while the failures happened.
	FindingTwilioStatusNone = "twilio.status_none"
	// FindingTwilioStatusUnread says the status page could not be read, so
	// a Twilio incident could not be checked; its figures are the failure's
	// (FailureFigures).
	FindingTwilioStatusUnread = "twilio.status_unread"
	// FindingIncidentsFromNotifications says the incidents come from the
	// API v2010 Notifications resource, not the Monitor alerts.
	FindingIncidentsFromNotifications = "incidents.from_notifications"
)

// statusFindings relates what Twilio published on its status page to the
// customer's incidents: one twilio.status_incident (step 4, warn) for each
// relevant status incident with customer incidents inside its span, else
// one twilio.status_none (step 4, info) when the page was read. It also
// says where the incidents came from when that was not the Monitor alerts.
func statusFindings(ev *collect.Evidence) []Finding {
	var out []Finding
	if ev.AlertsSource == collect.AlertsFromNotifications {
		figs := map[string]any{"reason": ev.AlertsSourceReason}
		out = append(out, Finding{ID: FindingIncidentsFromNotifications, Step: 1, Severity: Info,
			Sentence: findingText(FindingIncidentsFromNotifications, figs),
			Evidence: []string{collect.NotificationsFile, "manifest.json: " + ev.AlertsSourceReason},
			Figures:  figs})
	}
	st := ev.TwilioStatus
	if st == nil {
		return out
	}
	times := make([]time.Time, len(ev.Incidents))
	for i, inc := range ev.Incidents {
		times[i] = inc.Time
	}
	overlaps := twiliostatus.Analyze(st.Relevant(), times, ev.Window.Loc())
	touching := twiliostatus.Touching(overlaps)
	for _, o := range touching {
		out = append(out, statusIncidentFinding(o))
	}
	if len(touching) == 0 {
		out = append(out, statusNoneFinding(st, overlaps, len(times)))
	}
	return out
}

// statusIncidentFinding is the finding of one status incident with
// customer incidents inside it.
func statusIncidentFinding(o twiliostatus.Overlap) Finding {
	inc := o.Incident
	ev := []string{
		inc.Shortlink,
		collect.StatusIncidentsFile,
		fmt.Sprintf("inside: %d of %d incidents, first %s, last %s (UTC)", o.Inside, o.Total,
			o.First.UTC().Format(time.RFC3339), o.Last.UTC().Format(time.RFC3339)),
		fmt.Sprintf("impact: %s; status: %s; components: %s", inc.Impact, inc.Status, strings.Join(inc.Components, ", ")),
	}
	if inc.Shortlink == "" {
		ev = ev[1:]
	}
	end := ""
	if !inc.Open() {
		end = inc.ResolvedAt.UTC().Format(time.RFC3339)
	}
	return Finding{ID: FindingTwilioStatusIncident, Step: 4, Severity: Warn,
		Sentence: o.English,
		Evidence: ev,
		Figures: map[string]any{
			"name": inc.Name, "link": inc.Shortlink, "impact": inc.Impact, "status": inc.Status,
			"start": inc.Start().UTC().Format(time.RFC3339), "end": end, "open": inc.Open(),
			"inside": o.Inside, "total": o.Total, "components": strings.Join(inc.Components, ", "),
			"en": o.English, "ja": o.Japanese,
		}}
}

// statusNoneFinding says the status page lists no relevant incident while
// the failures happened, naming those it lists at other times of the window
// and saying when the page's listing does not reach back far enough.
func statusNoneFinding(st *collect.TwilioStatus, overlaps []twiliostatus.Overlap, customer int) Finding {
	var others []string
	for _, o := range overlaps {
		s := "'" + o.Incident.Name + "'"
		if o.Incident.Shortlink != "" {
			s += " " + o.Incident.Shortlink
		}
		others = append(others, s)
	}
	figs := map[string]any{"page": st.PageURL, "others": strings.Join(others, ", "), "covered": st.Covered,
		"listed": st.Listed, "incidents": customer}
	return Finding{ID: FindingTwilioStatusNone, Step: 4, Severity: Info, Sentence: findingText(FindingTwilioStatusNone, figs),
		Evidence: []string{collect.StatusIncidentsFile}, Figures: figs}
}
