// Package demo sets up the built-in demo of twilio-evidence: an in-process
// fake of the Twilio API holding a realistic week, and the local servers and
// files the other collectors read, so that `bundle --demo` runs the real
// pipeline with no credentials and no network.
package demo

import (
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// Demo is a running demo environment.
type Demo struct {
	// API reaches the fake Twilio API.
	API *collect.APIConfig
	// Fake is the fake Twilio API itself.
	Fake *faketwilio.Server
	// Probe is the network the probe collector uses: the demo's webhook
	// hosts reach local servers, and nothing else is reachable.
	Probe probe.Options
	// Hops and Logs are the --hop and --log specs of the demo's firewall,
	// load balancer, web server and application logs (hoplogs.go).
	Hops, Logs []string
	// LogDir is the temporary directory that holds those logs, left out
	// of the file names the bundle shows (collect.Hops.ShownRoot).
	LogDir string
	// StatusURL is the demo's Twilio status page (for collect.StatusPage).
	StatusURL string

	closers []func()
}

// Start sets the demo up for the window w. Close it when done.
func Start(w collect.Window) (*Demo, error) {
	d := &Demo{}
	data := faketwilio.DemoData(w.From, w.To)
	addPreviousWindow(data, w) // the trend's baseline, as the API still holds it
	d.Fake = faketwilio.New(map[string]string{faketwilio.DemoAccountSID: faketwilio.DemoAuthToken}, data)
	d.closers = append(d.closers, d.Fake.Close)
	d.API = &collect.APIConfig{BaseURL: d.Fake.URL, Credentials: collect.Credentials{
		AccountSID: faketwilio.DemoAccountSID, Username: faketwilio.DemoAccountSID, Secret: faketwilio.DemoAuthToken}}
	d.startStatusPage(w)
	if err := d.startWebhooks(); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.writeHopLogs(w); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close stops everything the demo started, last started first.
func (d *Demo) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}
