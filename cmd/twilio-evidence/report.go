package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/subaccounts"
	"github.com/twilio-evidence/twilio-evidence/bundle/weekly"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// reportOptions are the flags of `twilio-evidence report`: those of bundle,
// plus what an unattended weekly run needs.
type reportOptions struct {
	bundle          bundleOptions
	week            string
	keep            int
	json            bool
	failOnIncidents bool
}

// reportDefaultSince is the window of a report without window flags.
const reportDefaultSince = weekly.DefaultSince

func newReportFlags(o *reportOptions) *pflag.FlagSet {
	fs := newBundleFlags(&o.bundle)
	fs.Init("report", pflag.ContinueOnError)
	fs.Lookup("since").Usage = "look back this long from now: 24h, 7d, 2w (default " + reportDefaultSince + ")"
	fs.Lookup("output").Usage = "directory that keeps the reports (required); the lock file and older bundles live there too"
	fs.Lookup("output").DefValue = ""
	fs.Lookup("force").Usage = "ignored: a report replaces a bundle of the same window"
	_ = fs.MarkHidden("force")
	fs.StringVar(&o.week, "week", "", "'last': the last full week, Monday 00:00 to Monday 00:00 in --tz")
	fs.IntVar(&o.keep, "keep", 0, "keep this many newest bundles of the account in --output and delete older ones (0 = keep all)")
	fs.BoolVar(&o.json, "json", false, "print a JSON summary on stdout instead of the bundle's path")
	fs.BoolVar(&o.failOnIncidents, "fail-on-incidents", false, "exit 1 when the window holds webhook failures")
	return fs
}

func runReportCmd(args []string, s streams) error {
	var o reportOptions
	fs := newReportFlags(&o)
	if done, err := parseFlags("report", fs, args, s); done || err != nil {
		return err
	}
	if !fs.Changed("output") {
		return usageErr("report needs --output DIR: the directory that keeps the weekly bundles (see twilio-evidence report --help)")
	}
	o.bundle.CommandLine = append([]string{"twilio-evidence", "report"}, args...)
	o.bundle.withProcess(s)
	wo, err := weekly.Prepare(weekly.Options{Bundle: o.bundle.Options, Week: o.week, Keep: o.keep})
	if err != nil {
		return err
	}
	o.bundle.Options = wo.Bundle
	ctx, stop := interruptContext(s)
	defer stop()
	if o.bundle.AllSubaccounts {
		release, stale, err := weekly.Lock(o.bundle.Output)
		if err != nil {
			return err
		}
		defer release()
		sayLock(stale, s)
		return runSubaccounts(ctx, subaccounts.BundlesOptions{Bundle: o.bundle.Options, Report: true, Keep: o.keep, FailOnIncidents: o.failOnIncidents}, o.bundle.quiet, o.json, s)
	}
	res, err := weekly.Run(ctx, wo)
	sayLock(res.LockTakenOver, s)
	sayReport(res, s)
	if res.Summary == nil {
		return err
	}
	return o.finish(res.Summary, err, s)
}

// sayLock warns of a stale lock the run took over.
func sayLock(stale string, s streams) {
	if stale != "" {
		fmt.Fprintln(s.err, "twilio-evidence: warning: "+stale)
	}
}

// sayReport prints the warnings of one account's report.
func sayReport(res weekly.Result, s streams) {
	printNotes(res.Run, s)
	if res.PruneErr != nil {
		fmt.Fprintf(s.err, "twilio-evidence: warning: %v\n", res.PruneErr)
	}
}

// finish prints one account's report and ends with its error
// (weekly.Summary.Conclude).
func (o reportOptions) finish(sum *weekly.Summary, runErr error, s streams) error {
	err := sum.Conclude(runErr, o.failOnIncidents)
	if o.json {
		if jerr := writeJSON(sum, s); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintln(s.out, sum.Path)
		if !o.bundle.quiet {
			fmt.Fprintln(s.err, "twilio-evidence: "+sum.Sentence())
		}
	}
	return err
}

// printSummaryJSON prints the summary of one bundle run as report --json
// does (bundle --json): exit code 3 when the bundle is incomplete.
func printSummaryJSON(res pipeline.Result, prev string, s streams) error {
	sum := weekly.Summarize(res, prev)
	if sum.Incomplete {
		sum.ExitCode = runerr.ExitIncomplete
	}
	return writeJSON(sum, s)
}

// writeJSON prints v as indented JSON on stdout.
func writeJSON(v any, s streams) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return envErr(fmt.Errorf("write JSON: %w", err))
	}
	return nil
}
