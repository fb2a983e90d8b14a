package pipeline

import (
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Hops are the customer's logs: the hops to trace the incidents through
// and the debug logs to excerpt.
type Hops struct {
	// Hops and Logs are NAME=PATH[:FORMAT] arguments.
	Hops, Logs []string
	// MatchWindow is how far from an alert's time a log line may be.
	MatchWindow time.Duration
	// LogTZ is the zone of log times without an offset: auto, local, UTC
	// or an IANA name.
	LogTZ string
	// MaxLogBytes bounds each excerpt.
	MaxLogBytes int64

	// the checked arguments; demo, when set, gives the demo's logs when
	// no hop or log was given.
	hopSpecs, logSpecs []hoplog.Spec
	loc                *time.Location
	demo               *demo.Demo
}

// CheckLogs checks hop and log arguments, the zone of their times and the
// match window: bad input is a usage error before anything is read. loc
// is nil for --log-tz auto.
func CheckLogs(hops, logs []string, logTZ string, matchWindow time.Duration) (hopSpecs, logSpecs []hoplog.Spec, loc *time.Location, err error) {
	if !strings.EqualFold(logTZ, "auto") {
		if loc, err = collect.LoadLocation(logTZ); err != nil {
			return nil, nil, nil, runerr.Usagef("--log-tz: %v", err)
		}
	}
	if matchWindow <= 0 || matchWindow > time.Hour {
		return nil, nil, nil, runerr.Usagef("--match-window %s: give a duration between 1s and 1h", matchWindow)
	}
	hopSpecs, logSpecs, err = collect.CheckHopSpecs(hops, logs, loc)
	if err != nil {
		return nil, nil, nil, runerr.Usagef("%v", err)
	}
	return hopSpecs, logSpecs, loc, nil
}

// LocalZone is the machine's zone, read where --log-tz local reads it.
func LocalZone() *time.Location {
	loc, err := collect.LoadLocation("local")
	if err != nil {
		return time.Local
	}
	return loc
}

// check refuses bad hop and log arguments before anything runs.
func (h *Hops) check() error {
	hops, logs, loc, err := CheckLogs(h.Hops, h.Logs, h.LogTZ, h.MatchWindow)
	if err != nil {
		return err
	}
	if h.MaxLogBytes <= 0 {
		return runerr.Usagef("--max-log-bytes %d: give a positive number of bytes", h.MaxLogBytes)
	}
	h.hopSpecs, h.logSpecs, h.loc = hops, logs, loc
	return nil
}

// collectors are the collectors of the customer's and Twilio's debug logs,
// run after the alerts and the probes: the hop trace (the demo's logs in
// a demo run when none were given) and Twilio's debug logs.
func (h *Hops) collectors() []collect.Collector {
	c := collect.Hops{Hops: h.hopSpecs, Logs: h.logSpecs, Window: h.MatchWindow, Location: h.loc, LocalZone: LocalZone(), MaxLogBytes: h.MaxLogBytes}
	if h.demo != nil {
		c.Resolver = h.demo.Probe.Resolver
		if len(h.Hops) == 0 && len(h.Logs) == 0 {
			hops, logs, err := collect.CheckHopSpecs(h.demo.Hops, h.demo.Logs, h.loc)
			if err == nil {
				c.Hops, c.Logs, c.ShownRoot = hops, logs, h.demo.LogDir
			}
		}
	}
	return []collect.Collector{c, collect.TwilioDebugLogs{}}
}
