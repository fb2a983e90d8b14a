package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/collect/trace"
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
	fs.DurationVar(&o.matchWindow, "match-window", hoplog.DefaultWindow, "how far from an alert's time a log line may be and still be its request")
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

// traceInputs checks the hop and log arguments, the log zone and the
// addresses: bad input is a usage error before anything is read.
func (o traceOptions) checkInputs() (hops, logs []hoplog.Spec, loc *time.Location, addrs []netip.Addr, err error) {
	hops, logs, loc, err = pipeline.CheckLogs(o.hops, o.logs, o.logTZ, o.matchWindow)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, a := range o.hopAddrs {
		ip, perr := netip.ParseAddr(strings.TrimSpace(a))
		if perr != nil {
			return nil, nil, nil, nil, usageErr("--hop-addr %q is not an IP address", a)
		}
		addrs = append(addrs, ip.Unmap())
	}
	return hops, logs, loc, addrs, nil
}

func runTrace(ctx context.Context, o traceOptions, s streams) error {
	if len(o.hops) == 0 && !o.demo {
		return usageErr("trace: give at least one --hop NAME=PATH (e.g. --hop web=/var/log/nginx/access.log); see twilio-evidence trace --help")
	}
	if len(o.hops) > 0 {
		// Bad logs are refused before credentials are looked for.
		if _, _, _, _, err := o.checkInputs(); err != nil {
			return err
		}
	}
	// The window and the offline inputs are checked the way bundle checks
	// them.
	bo, err := pipeline.Prepare(pipeline.Options{Window: o.window, Demo: o.demo, AccountSID: o.accountSID, Inputs: o.inputs, Concurrency: 1, Getenv: s.getenv})
	if err != nil {
		return err
	}
	now := time.Now()
	defSince := "24h"
	if o.demo {
		defSince = "7d"
	}
	win, err := bo.Window.Resolve(defSince, now)
	if err != nil {
		return err
	}
	var api *collect.APIConfig
	var d *demo.Demo
	switch {
	case o.demo:
		if d, err = demo.Start(win); err != nil {
			return envErr(fmt.Errorf("demo: %w", err))
		}
		defer d.Close()
		api = d.API
		if len(o.hops) == 0 {
			o.hops, o.logs = d.Hops, d.Logs
		}
	case o.inputs.Offline():
	default:
		creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, o.accountSID)
		if err != nil {
			return envErr(err)
		}
		api = &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL}
	}
	hops, logs, loc, addrs, err := o.checkInputs()
	if err != nil {
		return err
	}
	if api != nil && win.From.Before(now.Add(-collect.AlertRetention)) {
		return usageErr("the window starts %s, but Twilio keeps alerts for 30 days only: choose a later --from or a shorter --since", win.From.Format(time.RFC3339))
	}
	stage, err := collect.NewStage()
	if err != nil {
		return envErr(err)
	}
	defer stage.Remove()
	account := bo.ExpectedAccount()
	if api != nil {
		account = api.Credentials.AccountSID
	}
	ev := &collect.Evidence{Window: win, Account: collect.Account{SID: account}}
	progress := newProgress(s, o.quiet || o.asJSON && !isTerminal(s.err))
	env := &collect.Env{Evidence: ev, Stage: stage, API: api, Progress: progress}
	collect.Run(ctx, env, o.timeout, o.inputs.Collectors()...)
	collect.Run(ctx, env, o.timeout, collect.Alerts{MaxDetails: -1})
	hc := collect.Hops{Hops: hops, Logs: logs, Window: o.matchWindow, Location: loc, LocalZone: pipeline.LocalZone(), DestAddrs: addrs, NoExcerpts: true}
	if d != nil {
		hc.Resolver, hc.ShownRoot = d.Probe.Resolver, d.LogDir
	}
	collect.Run(ctx, env, o.timeout, hc)
	progress.Close()

	res := trace.New(ev, o.matchWindow)
	if o.asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return envErr(fmt.Errorf("write JSON: %w", err))
		}
	} else {
		res.Print(s.out)
	}
	if bundleIncomplete := pipeline.IncompleteSummary(ev); bundleIncomplete != "" {
		return runerr.Incompletef("the trace is incomplete: %s", bundleIncomplete)
	}
	return nil
}
