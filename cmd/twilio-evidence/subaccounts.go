package main

import (
	"context"
	"fmt"

	"github.com/twilio-evidence/twilio-evidence/bundle/subaccounts"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// runSubaccounts makes a bundle, or with report a weekly report, for every
// subaccount (subaccounts.Bundles), then prints the paths written or the
// run as JSON.
func runSubaccounts(ctx context.Context, o subaccounts.BundlesOptions, quiet, asJSON bool, s streams) error {
	o.StartProgress = func() (collect.Progress, func()) {
		p := newProgress(s, quiet)
		return p, p.Close
	}
	o.Notes = func(res weekly.Result) { sayReport(res, s) }
	run, err := subaccounts.Bundles(ctx, o)
	if run == nil {
		return err
	}
	if run.PDFError != nil {
		fmt.Fprintf(s.err, "twilio-evidence: warning: %v (the CSV index is written)\n", run.PDFError)
	}
	if asJSON {
		if jerr := writeJSON(run, s); jerr != nil {
			return jerr
		}
		return err
	}
	for _, r := range run.Accounts {
		if r.Path != "" {
			fmt.Fprintln(s.out, r.Path)
		}
	}
	fmt.Fprintln(s.out, run.IndexCSV)
	if run.IndexPDF != "" {
		fmt.Fprintln(s.out, run.IndexPDF)
	}
	return err
}
