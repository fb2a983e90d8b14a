// Package collect holds the collectors of twilio-evidence and the Evidence
// model they fill. Collectors only add to the Evidence; nothing downstream of
// it calls the network.
package collect

import (
	"time"
)

// Evidence is everything the collectors gathered for one bundle. It is a plain
// value: analysis reads it, writers turn it into files.
//
// Fields tagged redact:"own" hold the tool's own words (the command line, a
// collector's reason): the redactor removes secret values from them but
// matches no name there (see bundle/redact).
type Evidence struct {
	Tool        Tool              `json:"tool" redact:"own"`
	CommandLine []string          `json:"command_line" redact:"own"`
	GeneratedAt time.Time         `json:"generated_at"`
	Window      Window            `json:"window"`
	Account     Account           `json:"account"`
	Region      string            `json:"region,omitempty"`
	Edge        string            `json:"edge,omitempty"`
	AlertsSeen  int               `json:"alerts_seen"`
	Incidents   []Incident        `json:"-"`
	Endpoints   []Endpoint        `json:"-"`
	Usage       []UsageDay        `json:"-"`
	Probes      *ProbeEvidence    `json:"-"` // nil when the probe collector did not run
	Collectors  []CollectorStatus `json:"collectors" redact:"own"`
	// API is how the run used the Twilio API; nil when it did not.
	API *APIStats `json:"api,omitempty" redact:"own"`
	// Files lists the raw files collectors staged for the bundle, by path inside it.
	Files []string `json:"-" redact:"own"`

	// AlertsSource says where the incidents came from: AlertsFromMonitor or,
	// when the Monitor Alerts API does not answer for the account,
	// AlertsFromNotifications, with the reason in AlertsSourceReason.
	AlertsSource       string `json:"alerts_source,omitempty"`
	AlertsSourceReason string `json:"alerts_source_reason,omitempty" redact:"own"`

	// TwilioStatus is what Twilio's public status page published for the
	// window; nil when the page was not read.
	TwilioStatus *TwilioStatus `json:"twilio_status,omitempty"`

	// Hops is the trace of the incidents through the customer's logs (--hop,
	// --log) with the files' statistics; nil when the hop collector did not run.
	Hops *HopEvidence `json:"-"`
	// TwilioLogs is Twilio's side of the debug logs: alert details, call
	// events and webhook changes; nil when the collector did not run.
	TwilioLogs *TwilioLogs `json:"-"`

	// Previous is the trend's baseline, the window just before Window (see
	// previous.go); nil when neither a previous bundle nor the API gave it.
	Previous *Previous `json:"-"`
}

// Tool identifies the build of twilio-evidence that made the bundle.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

// Window is the time range the evidence covers, [From, To).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Location is the display time zone (--tz); times are stored in UTC.
	Location *time.Location `json:"-"`
}

// Duration is the length of the window.
func (w Window) Duration() time.Duration { return w.To.Sub(w.From) }

// Contains reports whether t falls inside the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// Loc is the display location, UTC when none was set.
func (w Window) Loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

// Account describes the Twilio account the evidence is about.
type Account struct {
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name,omitempty"`
	Type         string `json:"type,omitempty"`   // Trial or Full
	Status       string `json:"status,omitempty"` // active, suspended, closed
	ParentSID    string `json:"parent_sid,omitempty"`
}

// Resource kinds of an incident, from the prefix of its resource SID.
const (
	KindCall    = "call"
	KindMessage = "message"
	KindOther   = "other"
)

// Incident is one failed webhook request: one row of incidents.csv.
type Incident struct {
	AlertSID    string    `csv:"alert_sid" json:"alert_sid"`
	Time        time.Time `csv:"time" json:"time"`
	ErrorCode   string    `csv:"error_code" json:"error_code"`
	HTTPStatus  int       `csv:"http_status,omitempty" json:"http_status,omitempty"`
	ResourceSID string    `csv:"resource_sid" json:"resource_sid,omitempty"`
	Kind        string    `csv:"kind" json:"kind"`
	Method      string    `csv:"method" json:"method,omitempty"`
	URL         string    `csv:"url" json:"url,omitempty"`
	Message     string    `csv:"message" json:"message,omitempty"`
}

// Owner kinds of an endpoint.
const (
	OwnerNumber           = "number"
	OwnerApplication      = "application"
	OwnerMessagingService = "messaging_service"
)

// Channels of an endpoint.
const (
	ChannelVoice = "voice"
	ChannelSMS   = "sms"
)

// Endpoint is the webhook configuration of one channel of one number, TwiML
// application or messaging service: one row of config/endpoints.csv.
type Endpoint struct {
	OwnerKind            string `csv:"owner_kind" json:"owner_kind"`
	OwnerSID             string `csv:"owner_sid" json:"owner_sid"`
	OwnerName            string `csv:"owner_name" json:"owner_name"`
	Channel              string `csv:"channel" json:"channel"`
	URL                  string `csv:"url" json:"url"`
	Method               string `csv:"method" json:"method"`
	FallbackURL          string `csv:"fallback_url" json:"fallback_url"`
	FallbackMethod       string `csv:"fallback_method" json:"fallback_method"`
	StatusCallback       string `csv:"status_callback" json:"status_callback"`
	StatusCallbackMethod string `csv:"status_callback_method" json:"status_callback_method"`
	// HandledBy is the SID whose configuration answers instead of this one's
	// URLs (a TwiML application, a SIP trunk, a messaging service); empty when
	// these URLs are the ones Twilio requests.
	HandledBy string `csv:"handled_by" json:"handled_by,omitempty"`
	// Effective is true when Twilio requests this row's URLs.
	Effective bool `csv:"effective" json:"effective"`
}

// UsageDay is the traffic of one UTC day from the Usage Records API.
type UsageDay struct {
	Day      time.Time `json:"day"`
	Calls    int       `json:"calls"`
	Messages int       `json:"messages"`
}

// CollectorState is how a collector ended, as the manifest records it.
type CollectorState string

// Collector states.
const (
	StateOK      CollectorState = "ok"
	StateError   CollectorState = "error"
	StateTimeout CollectorState = "timeout"
	StateSkipped CollectorState = "skipped"
)

// CollectorStatus is how one collector ended.
type CollectorStatus struct {
	Name     string         `json:"name"`
	State    CollectorState `json:"state"`
	Reason   string         `json:"reason,omitempty"`
	Duration time.Duration  `json:"-"`
	// Source says where the data came from: "api", "file", "probe", "log".
	Source string `json:"source,omitempty"`
	// Failure is the error or timeout classified (class, host, Twilio's
	// answer); Reason keeps the raw error.
	Failure *Failure `json:"failure,omitempty"`
	// Context is true for a collector whose data is context, not evidence
	// (Twilio's public status page): its failure is said, and the bundle
	// stays complete.
	Context bool `json:"context,omitempty"`
}

// Failed reports whether the collector ended in an error or a timeout.
func (c CollectorStatus) Failed() bool { return c.State == StateError || c.State == StateTimeout }

// MissingEvidence reports whether the collector failed and its data is
// evidence: the bundle is then incomplete.
func (c CollectorStatus) MissingEvidence() bool { return c.Failed() && !c.Context }
