package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// registerPrevious adds --previous to the flags of bundle (report finds its
// previous bundle in --output by itself).
func registerPrevious(fs *pflag.FlagSet, o *bundleOptions) {
	fs.StringVar(&o.previousBundle, "previous", "", "compare with this earlier bundle (its stats/summary.json): the trend, e.g. \"up 40% on the previous 7 days\"; without it the trend comes from the API while Twilio still holds the previous window (30 days)")
}

// checkPrevious validates --previous before anything is collected: the
// file must be a bundle whose statistics can be read, of the same account,
// and its window must end no later than this one starts. A bad one is a
// usage error (exit 2) in one line.
func (o *bundleOptions) checkPrevious(s streams) error {
	if o.previousBundle == "" {
		return nil
	}
	if o.run.allSubaccounts {
		return usageErr("--previous names one account's bundle: it cannot be combined with --all-subaccounts")
	}
	defSince := "24h"
	if o.demo {
		defSince = "7d"
	}
	win, err := o.window.parse(defSince, time.Now())
	if err != nil {
		return err
	}
	if _, err := loadPrevious(o.previousBundle, o.expectedAccount(s), win); err != nil {
		return usageErr("--previous: %v", err)
	}
	return nil
}

// applyPrevious puts the baseline of o.previousBundle into ev, before the
// collectors run (the previous-window collector then leaves the API alone).
// --previous was checked already; a previous bundle that report found and
// cannot read only costs the trend, with a warning.
func (o *bundleOptions) applyPrevious(ev *collect.Evidence, s streams) {
	if o.previousBundle == "" {
		return
	}
	p, err := loadPrevious(o.previousBundle, ev.Account.SID, ev.Window)
	if err != nil {
		fmt.Fprintf(s.err, "twilio-evidence: warning: no trend: %v\n", err)
		return
	}
	ev.Previous = p
}

// loadPrevious reads the statistics of the bundle at path as the baseline
// of window w of account ("" when not known yet).
func loadPrevious(path, account string, w collect.Window) (*collect.Previous, error) {
	base, err := readBaseline(path)
	if err != nil {
		return nil, err
	}
	if account != "" {
		zr, err := bundlezip.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		var m bundle.Manifest
		err = readZipJSON(zr, bundle.ManifestFile, &m)
		zr.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, bundle.ManifestFile, err)
		}
		if m.Account != "" && m.Account != account {
			return nil, fmt.Errorf("%s is a bundle of account %s, not of %s", path, m.Account, account)
		}
	}
	if base.Window.To.After(w.From) {
		return nil, fmt.Errorf("%s covers up to %s, after this window starts (%s): give the bundle of an earlier window",
			path, base.Window.To.UTC().Format(time.RFC3339), w.From.UTC().Format(time.RFC3339))
	}
	summary, err := base.SummaryJSON()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &collect.Previous{
		Window: collect.Window{From: base.Window.From, To: base.Window.To, Location: w.Location},
		Source: collect.PreviousFromBundle, Bundle: path, Summary: summary,
	}, nil
}
