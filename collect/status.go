package collect

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// StatusIncidentsFile is the bundle file holding incidents.json exactly as
// Twilio's status page served it.
const StatusIncidentsFile = "twilio/status_incidents.json"

// DefaultStatusTimeout is the deadline of the status collector when
// StatusPage.Timeout is not set: the page is one small document.
const DefaultStatusTimeout = 30 * time.Second

// TwilioStatus is what Twilio's public status page published about the
// window.
type TwilioStatus struct {
	// PageURL is the status page's own address, as it publishes it.
	PageURL string `json:"page_url"`
	// Incidents are the published incidents whose span overlaps the window,
	// relevant to webhooks or not, oldest start first.
	Incidents []twiliostatus.Incident `json:"incidents"`
	// Listed is how many incidents the page listed in all.
	Listed int `json:"listed"`
	// Covered is false when the page no longer lists incidents as old as the
	// window's start (it lists the latest twiliostatus.ListLimit only).
	Covered bool `json:"covered"`
}

// Relevant returns the incidents that concern webhooks, voice, messaging or
// the REST API.
func (s *TwilioStatus) Relevant() []twiliostatus.Incident {
	if s == nil {
		return nil
	}
	var out []twiliostatus.Incident
	for _, inc := range s.Incidents {
		if inc.Relevant {
			out = append(out, inc)
		}
	}
	return out
}

// StatusPage collects the incidents Twilio published on its status page
// (status.twilio.com, no credentials) for the window, and stages the page's
// incidents.json as StatusIncidentsFile. An unreachable page is this
// collector's error; nothing else in the Evidence changes.
type StatusPage struct {
	// BaseURL is the status page; twiliostatus.DefaultBaseURL when empty.
	BaseURL string
	// Skip, when not empty, skips the collector with this reason (--no-status:
	// machines without Internet access).
	Skip string
	// Timeout bounds the whole collector; DefaultStatusTimeout when zero or
	// less. A shorter deadline in ctx wins.
	Timeout time.Duration
	// Transport makes the requests; nil means a clone of
	// http.DefaultTransport, which honours HTTPS_PROXY, NO_PROXY and
	// SSL_CERT_FILE.
	Transport http.RoundTripper
}

// Name implements Collector.
func (StatusPage) Name() string { return "twilio-status" }

// Source names where the collector's data comes from.
func (StatusPage) Source() string { return "status-page" }

// Context marks the status page as context, not evidence: a page that
// cannot be read (a server without Internet access, a proxy that lets the
// API through only) is said, and leaves the bundle complete.
func (StatusPage) Context() bool { return true }

// Off implements Switchable.
func (s StatusPage) Off(*Env) string { return s.Skip }

// Collect implements Collector.
func (s StatusPage) Collect(ctx context.Context, env *Env) error {
	if why := s.Off(env); why != "" {
		return Skip("%s", why)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultStatusTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rt := s.Transport
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
	}
	client := &twiliostatus.Client{
		BaseURL:    s.BaseURL,
		HTTPClient: &http.Client{Transport: noteRequests(ctx, rt), Timeout: timeout},
		UserAgent:  userAgent(env.Evidence.Tool),
	}
	task := env.progress().Start("twilio status page", 0)
	w := env.Evidence.Window
	got, err := client.Fetch(ctx, w.From, w.To)
	task.Done()
	if err != nil {
		return fmt.Errorf("read Twilio's status page: %w", err)
	}
	if err := env.Stage.WriteFile(StatusIncidentsFile, got.Raw); err != nil {
		return err
	}
	env.addFile(StatusIncidentsFile)
	st := &TwilioStatus{PageURL: got.Page.URL, Incidents: got.Incidents, Listed: got.Listed, Covered: got.Covered}
	if st.PageURL == "" {
		st.PageURL = client.BaseURL
		if st.PageURL == "" {
			st.PageURL = twiliostatus.DefaultBaseURL
		}
	}
	env.Evidence.TwilioStatus = st
	if !got.Covered {
		env.progress().Warnf("twilio-status: the status page lists its latest %d incidents only, the oldest from %s: incidents before that are not covered",
			got.Listed, got.OldestListed.UTC().Format(time.RFC3339))
	}
	if n := len(st.Relevant()); n > 0 {
		env.progress().Warnf("twilio-status: Twilio published %d incident(s) on webhooks, voice, messaging or the REST API in the window", n)
	}
	return nil
}

// userAgent is the User-Agent of the tool's own requests.
func userAgent(t Tool) string {
	name := t.Name
	if name == "" {
		name = "twilio-evidence"
	}
	if t.Version == "" {
		return name
	}
	return name + "/" + t.Version
}
