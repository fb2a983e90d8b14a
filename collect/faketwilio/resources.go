package faketwilio

import (
	"time"
)

// Date formats of the two API generations.
const (
	// ISO8601 is the date format of the v1 APIs (Monitor, Messaging).
	ISO8601 = "2006-01-02T15:04:05Z"
	// RFC2822 is the date format of API v2010.
	RFC2822 = "Mon, 02 Jan 2006 15:04:05 -0700"
)

// Alert is a Monitor v1 alert with its details. The JSON field names are those
// of monitor.v1.alert-instance in Twilio's OpenAPI spec; the list view leaves
// out the four detail fields, as Twilio does.
type Alert struct {
	AccountSid       string    `json:"account_sid"`
	AlertText        string    `json:"alert_text"`
	APIVersion       string    `json:"api_version"`
	DateCreated      string    `json:"date_created"`
	DateGenerated    string    `json:"date_generated"`
	DateUpdated      string    `json:"date_updated"`
	ErrorCode        string    `json:"error_code"`
	LogLevel         string    `json:"log_level"`
	MoreInfo         string    `json:"more_info"`
	RequestMethod    *string   `json:"request_method"`
	RequestURL       string    `json:"request_url"`
	RequestVariables string    `json:"request_variables,omitempty"`
	ResourceSid      string    `json:"resource_sid"`
	ResponseBody     string    `json:"response_body,omitempty"`
	ResponseHeaders  string    `json:"response_headers,omitempty"`
	RequestHeaders   string    `json:"request_headers,omitempty"`
	ServiceSid       *string   `json:"service_sid"`
	Sid              string    `json:"sid"`
	URL              string    `json:"url"`
	Generated        time.Time `json:"-"`
}

// listView is the alert as a list page shows it: without details.
func (a Alert) listView() Alert {
	a.RequestVariables, a.ResponseBody, a.ResponseHeaders, a.RequestHeaders = "", "", "", ""
	return a
}

// Account is an API v2010 account (api.v2010.account).
type Account struct {
	// AuthToken is the account's own auth token, which Twilio returns with
	// the account (empty: left out, as for an API key without access).
	AuthToken       string            `json:"auth_token,omitempty"`
	DateCreated     string            `json:"date_created"`
	DateUpdated     string            `json:"date_updated"`
	FriendlyName    string            `json:"friendly_name"`
	OwnerAccountSid string            `json:"owner_account_sid"`
	Sid             string            `json:"sid"`
	Status          string            `json:"status"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
	Type            string            `json:"type"`
	URI             string            `json:"uri"`
}

// IncomingPhoneNumber is api.v2010.account.incoming_phone_number.
type IncomingPhoneNumber struct {
	AccountSid           string          `json:"account_sid"`
	APIVersion           string          `json:"api_version"`
	Capabilities         map[string]bool `json:"capabilities"`
	DateCreated          string          `json:"date_created"`
	DateUpdated          string          `json:"date_updated"`
	FriendlyName         string          `json:"friendly_name"`
	PhoneNumber          string          `json:"phone_number"`
	Sid                  string          `json:"sid"`
	SmsApplicationSid    string          `json:"sms_application_sid"`
	SmsFallbackMethod    string          `json:"sms_fallback_method"`
	SmsFallbackURL       string          `json:"sms_fallback_url"`
	SmsMethod            string          `json:"sms_method"`
	SmsURL               string          `json:"sms_url"`
	StatusCallback       string          `json:"status_callback"`
	StatusCallbackMethod string          `json:"status_callback_method"`
	TrunkSid             *string         `json:"trunk_sid"`
	URI                  string          `json:"uri"`
	VoiceApplicationSid  string          `json:"voice_application_sid"`
	VoiceFallbackMethod  string          `json:"voice_fallback_method"`
	VoiceFallbackURL     string          `json:"voice_fallback_url"`
	VoiceMethod          string          `json:"voice_method"`
	VoiceURL             string          `json:"voice_url"`
	Status               string          `json:"status"`
}

// Application is api.v2010.account.application (a TwiML app).
type Application struct {
	AccountSid            string `json:"account_sid"`
	APIVersion            string `json:"api_version"`
	DateCreated           string `json:"date_created"`
	DateUpdated           string `json:"date_updated"`
	FriendlyName          string `json:"friendly_name"`
	MessageStatusCallback string `json:"message_status_callback"`
	Sid                   string `json:"sid"`
	SmsFallbackMethod     string `json:"sms_fallback_method"`
	SmsFallbackURL        string `json:"sms_fallback_url"`
	SmsMethod             string `json:"sms_method"`
	SmsStatusCallback     string `json:"sms_status_callback"`
	SmsURL                string `json:"sms_url"`
	StatusCallback        string `json:"status_callback"`
	StatusCallbackMethod  string `json:"status_callback_method"`
	URI                   string `json:"uri"`
	VoiceFallbackMethod   string `json:"voice_fallback_method"`
	VoiceFallbackURL      string `json:"voice_fallback_url"`
	VoiceMethod           string `json:"voice_method"`
	VoiceURL              string `json:"voice_url"`
}

// MessagingService is messaging.v1.service.
type MessagingService struct {
	AccountSid                string            `json:"account_sid"`
	DateCreated               string            `json:"date_created"`
	DateUpdated               string            `json:"date_updated"`
	FallbackMethod            string            `json:"fallback_method"`
	FallbackURL               *string           `json:"fallback_url"`
	FriendlyName              string            `json:"friendly_name"`
	InboundMethod             string            `json:"inbound_method"`
	InboundRequestURL         *string           `json:"inbound_request_url"`
	Sid                       string            `json:"sid"`
	StatusCallback            *string           `json:"status_callback"`
	URL                       string            `json:"url"`
	UseInboundWebhookOnNumber bool              `json:"use_inbound_webhook_on_number"`
	Links                     map[string]string `json:"links"`
	// PhoneNumbers are the SIDs (PN…) of the numbers in the service's sender pool.
	PhoneNumbers []string `json:"-"`
}

// ServicePhoneNumber is messaging.v1.service.phone_number.
type ServicePhoneNumber struct {
	Sid          string   `json:"sid"`
	AccountSid   string   `json:"account_sid"`
	ServiceSid   string   `json:"service_sid"`
	DateCreated  string   `json:"date_created"`
	DateUpdated  string   `json:"date_updated"`
	PhoneNumber  string   `json:"phone_number"`
	CountryCode  string   `json:"country_code"`
	Capabilities []string `json:"capabilities"`
	URL          string   `json:"url"`
}

// UsageRecord is api.v2010.account.usage.usage_record.usage_record_daily.
type UsageRecord struct {
	AccountSid  string `json:"account_sid"`
	APIVersion  string `json:"api_version"`
	AsOf        string `json:"as_of"`
	Category    string `json:"category"`
	Count       string `json:"count"`
	CountUnit   string `json:"count_unit"`
	Description string `json:"description"`
	EndDate     string `json:"end_date"`
	Price       string `json:"price"`
	PriceUnit   string `json:"price_unit"`
	StartDate   string `json:"start_date"`
	URI         string `json:"uri"`
	Usage       string `json:"usage"`
	UsageUnit   string `json:"usage_unit"`
}

// Notification is api.v2010.account.notification (the older debugger log).
type Notification struct {
	AccountSid    string  `json:"account_sid"`
	APIVersion    string  `json:"api_version"`
	CallSid       string  `json:"call_sid"`
	DateCreated   string  `json:"date_created"`
	DateUpdated   string  `json:"date_updated"`
	ErrorCode     string  `json:"error_code"`
	Log           string  `json:"log"`
	MessageDate   string  `json:"message_date"`
	MessageText   string  `json:"message_text"`
	MoreInfo      string  `json:"more_info"`
	RequestMethod *string `json:"request_method"`
	RequestURL    string  `json:"request_url"`
	Sid           string  `json:"sid"`
	URI           string  `json:"uri"`
	// The details only a fetch of one notification returns.
	RequestVariables string `json:"request_variables,omitempty"`
	ResponseBody     string `json:"response_body,omitempty"`
	ResponseHeaders  string `json:"response_headers,omitempty"`
}

// CallEvent is api.v2010.account.call.call_event: one request Twilio made for
// a call and the response it got.
type CallEvent struct {
	Request  map[string]any `json:"request"`
	Response map[string]any `json:"response"`
}

// MonitorEvent is monitor.v1.event: who changed what, when.
type MonitorEvent struct {
	AccountSid      string            `json:"account_sid"`
	ActorSid        string            `json:"actor_sid"`
	ActorType       string            `json:"actor_type"`
	Description     *string           `json:"description"`
	EventData       map[string]any    `json:"event_data"`
	EventDate       string            `json:"event_date"`
	EventType       string            `json:"event_type"`
	ResourceSid     string            `json:"resource_sid"`
	ResourceType    string            `json:"resource_type"`
	Sid             string            `json:"sid"`
	Source          string            `json:"source"`
	SourceIPAddress string            `json:"source_ip_address"`
	URL             string            `json:"url"`
	Links           map[string]string `json:"links"`
	Date            time.Time         `json:"-"`
}
