package pipeline

import (
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// TwilioSide is Twilio's side of the story: the region and edge the API
// is reached at, and Twilio's public status page.
type TwilioSide struct {
	// Region and Edge default to TWILIO_REGION and TWILIO_EDGE.
	Region, Edge string
	// NoStatus leaves the status page out.
	NoStatus bool
	// StatusURL reads the status page at a fake of it.
	StatusURL string
}

// apply resolves the region and edge (the options, else TWILIO_REGION and
// TWILIO_EDGE), sends the API's requests there and records them in the
// evidence. api is nil when the run reads offline inputs only: nothing is
// recorded then.
func (f TwilioSide) apply(api *collect.APIConfig, ev *collect.Evidence, getenv func(string) string) error {
	region, edge, err := collect.ResolveRegion(f.Region, f.Edge, getenv)
	if err != nil {
		return runerr.Usagef("%v", err)
	}
	if api == nil {
		return nil
	}
	api.Region, api.Edge = region, edge
	ev.Region, ev.Edge = collect.EffectiveRegion(region), edge
	return nil
}

// ParentAPI is the API configuration of the account the credentials in
// the environment name (the parent of a subaccount run), sent to the
// region and edge of the options.
func (o Options) ParentAPI() (*collect.APIConfig, error) {
	creds, err := o.source().Credentials("")
	if err != nil {
		return nil, err
	}
	api := &collect.APIConfig{Credentials: creds, BaseURL: o.APIURL}
	if err := o.Twilio.apply(api, &collect.Evidence{}, o.getenv()); err != nil {
		return nil, err
	}
	return api, nil
}

// statusCollector is the status-page collector: StatusURL when given,
// else demoURL (the demo's page) when set, else status.twilio.com. It is
// skipped with NoStatus, and when the API is a fake (APIURL) and no page
// is given: a run against a fake API must not depend on the real page.
func (f TwilioSide) statusCollector(demoURL, apiURL string) collect.StatusPage {
	url := f.StatusURL
	if url == "" {
		url = demoURL
	}
	c := collect.StatusPage{BaseURL: url}
	switch {
	case f.NoStatus:
		c.Skip = "turned off with --no-status"
	case url == "" && apiURL != "":
		c.Skip = "the API is a mock (--api-url) and no --status-url was given"
	}
	return c
}
