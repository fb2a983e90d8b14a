package demo

import (
	"net/http/httptest"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// DemoStatusBase is the address the demo's status page publishes for itself
// and its incident links: a documentation domain, so that the bundle is the
// same whatever local port the page listened on, and nobody mistakes its
// links for Twilio's.
const DemoStatusBase = "https://status.example.com"

// startStatusPage serves a small Statuspage page for the window with one
// incident on the webhook components around the demo account's webhook
// failures (see twiliostatus.DemoIncidents), and sets StatusURL.
func (d *Demo) startStatusPage(w collect.Window) {
	var failures []time.Time
	alerts := faketwilio.DemoData(w.From, w.To).Alerts
	for i := 0; i < alerts.Len(); i++ {
		if a := alerts.At(i); twiliocodes.IsWebhookFailure(a.ErrorCode) {
			failures = append(failures, a.Generated)
		}
	}
	page := twiliostatus.FakePage{Incidents: twiliostatus.DemoIncidents(w.From, w.To, failures), BaseURL: DemoStatusBase}
	srv := httptest.NewServer(page.Handler())
	d.closers = append(d.closers, srv.Close)
	d.StatusURL = srv.URL
}
