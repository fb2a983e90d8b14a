package pipeline

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// checkPrevious validates Previous before anything is collected: the file
// must be a bundle whose statistics can be read, of the same account, and
// its window must end no later than this one starts. A bad one is a usage
// error in one line.
func (o *Options) checkPrevious() error {
	if o.Previous == "" {
		return nil
	}
	if o.AllSubaccounts {
		return runerr.Usagef("--previous names one account's bundle: it cannot be combined with --all-subaccounts")
	}
	if err := CheckInputFile("--previous", o.Previous); err != nil {
		return err
	}
	win, err := o.Window.Resolve(o.defaultSince(), time.Now())
	if err != nil {
		return err
	}
	if _, err := loadPrevious(o.Previous, o.ExpectedAccount(), win); err != nil {
		return runerr.Usagef("--previous: %v", err)
	}
	return nil
}

// applyPrevious puts the baseline of o.Previous into ev, before the
// collectors run (the previous-window collector then leaves the API alone).
// Previous was checked already; a previous bundle the weekly report found
// and cannot read only costs the trend: the warning says so.
func (o *Options) applyPrevious(ev *collect.Evidence) (warning string) {
	if o.Previous == "" {
		return ""
	}
	p, err := loadPrevious(o.Previous, ev.Account.SID, ev.Window)
	if err != nil {
		return fmt.Sprintf("no trend: %v", err)
	}
	ev.Previous = p
	return ""
}

// loadPrevious reads the statistics of the bundle at path as the baseline
// of window w of account ("" when not known yet).
func loadPrevious(path, account string, w collect.Window) (*collect.Previous, error) {
	base, err := ReadBaseline(path)
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

// ReadBaseline reads the statistics of a previous bundle: its
// stats/summary.json, or, in a bundle written without one, statistics
// computed from its incidents.csv over the window its manifest names.
func ReadBaseline(path string) (*stats.Stats, error) {
	st, err := bundle.ReadStatsSummary(path)
	if err == nil {
		return st, nil
	}
	zr, zerr := bundlezip.Open(path)
	if zerr != nil {
		return nil, err
	}
	defer zr.Close()
	var m bundle.Manifest
	if err := readZipJSON(zr, bundle.ManifestFile, &m); err != nil {
		return nil, fmt.Errorf("previous bundle %s: %w", path, err)
	}
	var incidents []collect.Incident
	f := zr.File(bundle.IncidentsFile)
	if f == nil {
		return nil, fmt.Errorf("previous bundle %s: no %s in the bundle", path, bundle.IncidentsFile)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("previous bundle %s: %w", path, err)
	}
	defer rc.Close()
	if err := csvsafe.Unmarshal(rc, &incidents); err != nil {
		return nil, fmt.Errorf("previous bundle %s: %s: %w", path, bundle.IncidentsFile, err)
	}
	return stats.Compute(stats.Input{Window: m.Window, Incidents: incidents}, stats.Options{})
}

// readZipJSON decodes the JSON file name of a bundle into v.
func readZipJSON(zr *bundlezip.Reader, name string, v any) error {
	b, err := zr.ReadFile(name, 64<<20)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
