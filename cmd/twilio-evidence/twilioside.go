package main

import (
	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// twilioSideFlags are the flags about Twilio's side of the story: the region
// and edge the API is reached at, and Twilio's public status page.
type twilioSideFlags struct {
	region, edge string
	noStatus     bool
	statusURL    string
}

func (f *twilioSideFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.region, "region", "", "Twilio region of the account: us1, ie1, au1 (default: TWILIO_REGION, else us1)")
	fs.StringVar(&f.edge, "edge", "", "Twilio edge location to reach the API through: dublin, sydney, tokyo … (default: TWILIO_EDGE)")
	fs.BoolVar(&f.noStatus, "no-status", false, "do not read Twilio's status page (status.twilio.com): for machines without Internet access")
	fs.StringVar(&f.statusURL, "status-url", "", "read Twilio's status page at this base URL (a mock of the page, for testing)")
	_ = fs.MarkHidden("status-url")
}

// apply resolves the region and edge (the flags, else TWILIO_REGION and
// TWILIO_EDGE), sends the API's requests there and records them in the
// evidence. api is nil when the run reads offline inputs only: nothing is
// recorded then.
func (f twilioSideFlags) apply(api *collect.APIConfig, ev *collect.Evidence, getenv func(string) string) error {
	region, edge, err := collect.ResolveRegion(f.region, f.edge, getenv)
	if err != nil {
		return usageErr("%v", err)
	}
	if api == nil {
		return nil
	}
	api.Region, api.Edge = region, edge
	ev.Region, ev.Edge = collect.EffectiveRegion(region), edge
	return nil
}

// statusCollector is the status-page collector: --status-url when given,
// else demoURL (the demo's page) when set, else status.twilio.com. It is
// skipped with --no-status, and when the API is a mock (--api-url) and no
// page is given: a run against a mock API must not depend on the real page.
func (f twilioSideFlags) statusCollector(demoURL, apiURL string) collect.StatusPage {
	url := f.statusURL
	if url == "" {
		url = demoURL
	}
	c := collect.StatusPage{BaseURL: url}
	switch {
	case f.noStatus:
		c.Skip = "turned off with --no-status"
	case url == "" && apiURL != "":
		c.Skip = "the API is a mock (--api-url) and no --status-url was given"
	}
	return c
}
