package main

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// traceOptions are the flags of `twilio-evidence trace`.
type traceOptions struct {
	window        pipeline.Window
	hops, logs    []string
	hopAddrs      []string
	matchWindow   time.Duration
	logTZ         string
	asJSON        bool
	demo          bool
	accountSID    string
	authTokenFile string
	apiURL        string
	inputs        pipeline.Inputs
	quiet         bool
	timeout       time.Duration
}

func newTraceFlags(o *traceOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("trace", pflag.ContinueOnError)
	registerWindow(fs, &o.window, "24h")
	fs.StringArrayVar(&o.hops, "hop", nil, "a component's access log, NAME=PATH[:FORMAT], repeated in path order from the edge inward")
	fs.StringArrayVar(&o.logs, "log", nil, "an application or debug log, NAME=PATH[:FORMAT], repeated (read for context, not traced)")
	fs.StringArrayVar(&o.hopAddrs, "hop-addr", nil, "an address connection-level hops (firewalls) match on instead of the webhook host's DNS answer, repeated (e.g. the server's address behind NAT)")
	fs.DurationVar(&o.matchWindow, "match-window", pipeline.DefaultMatchWindow, "how far from an alert's time a log line may be and still be its request")
	fs.StringVar(&o.logTZ, "log-tz", "auto", "time zone of log times that carry no offset: auto (the offset that lines the log's Twilio requests up with the alerts), local, UTC or an IANA name")
	fs.BoolVar(&o.asJSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&o.demo, "demo", false, "trace the built-in demo's incidents through its sample firewall, load balancer and web server logs")
	fs.StringVar(&o.accountSID, "account-sid", "", "look at this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.StringVar(&o.inputs.AlertsFile, "alerts-file", "", "read the alerts from this file instead of the API (Monitor API JSON, array or NDJSON; .gz too)")
	fs.StringVar(&o.inputs.IncidentsFile, "incidents-file", "", "read the failed requests from this CSV instead of the API (incidents.csv or a console export)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress on stderr")
	fs.DurationVar(&o.timeout, "collector-timeout", 5*time.Minute, "deadline of reading the alerts, and of reading the logs")
	fs.StringVar(&o.apiURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	_ = fs.MarkHidden("api-url")
	return fs
}

func runTraceCmd(args []string, s streams) error {
	var o traceOptions
	fs := newTraceFlags(&o)
	if done, err := parseFlags("trace", fs, args, s); done || err != nil {
		return err
	}
	ctx, stop := interruptContext(s)
	defer stop()
	return runTrace(ctx, o, s)
}

// runTrace traces the incidents (pipeline.Trace) and prints the result.
func runTrace(ctx context.Context, o traceOptions, s streams) error {
	quiet := o.quiet || o.asJSON && !isTerminal(s.err)
	res, err := pipeline.Trace(ctx, pipeline.TraceOptions{
		Window: o.window, Hops: o.hops, Logs: o.logs, HopAddrs: o.hopAddrs, MatchWindow: o.matchWindow, LogTZ: o.logTZ,
		Demo: o.demo, AccountSID: o.accountSID, AuthTokenFile: o.authTokenFile, APIURL: o.apiURL, Inputs: o.inputs,
		Timeout: o.timeout, Getenv: s.getenv,
		StartProgress: func() (collect.Progress, func()) {
			p := newProgress(s, quiet)
			return p, p.Close
		},
	})
	if res == nil {
		return err
	}
	if !o.asJSON {
		res.Print(s.out)
	} else if jerr := writeJSON(res, s); jerr != nil {
		return jerr
	}
	return err
}
