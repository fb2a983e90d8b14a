package twiliostatus

// The wire types below follow the public Statuspage API v2 as served by
// status.twilio.com (/api/v2/incidents.json and /api/v2/summary.json). Times
// are ISO 8601 strings with milliseconds and an offset
// ("2026-11-20T09:12:44.123-07:00") or null, so they are kept as *string
// and parsed one by one: a bad time costs one field, never the document.

// wirePage is the "page" object every Statuspage v2 document starts with.
type wirePage struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	TimeZone  string  `json:"time_zone"`
	UpdatedAt *string `json:"updated_at"`
}

// wireIncidents is the body of /api/v2/incidents.json.
type wireIncidents struct {
	Page      *wirePage      `json:"page"`
	Incidents []wireIncident `json:"incidents"`
}

// wireIncident is one element of "incidents".
type wireIncident struct {
	ID             string               `json:"id"`
	Name           string               `json:"name"`
	Status         string               `json:"status"`
	Impact         string               `json:"impact"`
	CreatedAt      *string              `json:"created_at"`
	UpdatedAt      *string              `json:"updated_at"`
	MonitoringAt   *string              `json:"monitoring_at"`
	ResolvedAt     *string              `json:"resolved_at"`
	StartedAt      *string              `json:"started_at"`
	ScheduledFor   *string              `json:"scheduled_for,omitempty"`
	ScheduledUntil *string              `json:"scheduled_until,omitempty"`
	Shortlink      string               `json:"shortlink"`
	PageID         string               `json:"page_id"`
	Updates        []wireIncidentUpdate `json:"incident_updates"`
	Components     []wireComponent      `json:"components"`
}

// wireIncidentUpdate is one element of "incident_updates", newest first.
type wireIncidentUpdate struct {
	ID                   string                  `json:"id"`
	Status               string                  `json:"status"`
	Body                 string                  `json:"body"`
	IncidentID           string                  `json:"incident_id"`
	CreatedAt            *string                 `json:"created_at"`
	UpdatedAt            *string                 `json:"updated_at"`
	DisplayAt            *string                 `json:"display_at"`
	AffectedComponents   []wireAffectedComponent `json:"affected_components"`
	DeliverNotifications bool                    `json:"deliver_notifications"`
}

// wireAffectedComponent is a component status change inside an update.
type wireAffectedComponent struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

// wireComponent is a component, inside an incident or in summary.json.
type wireComponent struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          *string  `json:"created_at"`
	UpdatedAt          *string  `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"`
}

// wireStatus is the rolled-up "status" object of summary.json.
type wireStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

// wireSummary is the body of /api/v2/summary.json.
type wireSummary struct {
	Page                  *wirePage       `json:"page"`
	Components            []wireComponent `json:"components"`
	Incidents             []wireIncident  `json:"incidents"`
	ScheduledMaintenances []wireIncident  `json:"scheduled_maintenances"`
	Status                *wireStatus     `json:"status"`
}
