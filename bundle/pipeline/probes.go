package pipeline

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// MaxProbeInterval is the longest pause between two probes of a URL.
const MaxProbeInterval = time.Hour

// Probes say which webhook URLs the bundle requests, and how often.
type Probes struct {
	// URLs are probed besides every configured webhook and alert URL.
	URLs []string
	// Off leaves the webhook URLs alone.
	Off bool
	// History is a CSV written by 'probe --record'.
	History string
	// Count and Interval are the samples per URL and the pause between.
	Count    int
	Interval time.Duration
	// network is the demo's probe network; the zero value is the real one.
	network probe.Options
}

// check validates the options before anything is collected.
func (f Probes) check() error {
	if f.Count < 0 || f.Count > probe.MaxCount {
		return runerr.Usagef("bundle: --probe-count %d: want 1 to %d", f.Count, probe.MaxCount)
	}
	if f.Interval < 0 || f.Interval > MaxProbeInterval {
		return runerr.Usagef("bundle: --probe-interval %s: want 0 to %s", f.Interval, MaxProbeInterval)
	}
	for _, raw := range f.URLs {
		if _, err := probe.ParseTarget(raw); err != nil {
			return runerr.Usagef("bundle: --probe: %v", err)
		}
	}
	if f.History != "" {
		st, err := os.Stat(f.History)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return runerr.Usagef("bundle: --probe-history %s does not exist (probe --record FILE writes it)", f.History)
		case err != nil:
			return runerr.Env(fmt.Errorf("--probe-history: %w", err))
		case st.IsDir():
			return runerr.Usagef("bundle: --probe-history %s is a directory, not a CSV file", f.History)
		}
		if err := CheckInputFile("bundle: --probe-history", f.History); err != nil {
			return err
		}
		// Read through once, so that a file that cannot be read stops the
		// run before anything is collected.
		if _, err := probe.ReadHistoryFile(f.History); err != nil {
			return runerr.Usagef("bundle: --probe-history: %v", err)
		}
	}
	return nil
}

// collector is the probe collector these options ask for. A reproducible
// bundle (SOURCE_DATE_EPOCH) leaves live probes out, as it leaves out run
// times, unless URLs asks for them: they differ from run to run.
func (f Probes) collector(reproducible bool) collect.Probes {
	c := collect.Probes{URLs: f.URLs, Disabled: f.Off, HistoryFile: f.History, Count: f.Count, Interval: f.Interval, Network: f.network}
	if reproducible && !f.Off && len(f.URLs) == 0 {
		c.Disabled, c.DisabledReason = true, "SOURCE_DATE_EPOCH is set: live probes would make the bundle differ from run to run (--probe URL probes anyway)"
	}
	return c
}
