package pipeline

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/collect/trace"
)

// DefaultMatchWindow is how far from an alert's time a log line may be and
// still be its request, unless told otherwise.
const DefaultMatchWindow = hoplog.DefaultWindow

// TraceOptions say which incidents to trace through which logs.
type TraceOptions struct {
	// Window is the window of the alerts, as a bundle takes it.
	Window Window
	// Hops are the components' access logs in path order, Logs the
	// logs read for context: NAME=PATH[:FORMAT]. A demo run without
	// them traces the demo's sample logs.
	Hops, Logs []string
	// HopAddrs are the addresses connection-level hops match on in place
	// of the webhook host's DNS answer.
	HopAddrs []string
	// MatchWindow and LogTZ are as in Hops.
	MatchWindow time.Duration
	LogTZ       string
	// Demo, AccountSID, AuthTokenFile and APIURL are as in Options.
	Demo                              bool
	AccountSID, AuthTokenFile, APIURL string
	// Inputs are the offline inputs, read in place of the API.
	Inputs Inputs
	// Timeout is the deadline of reading the alerts, and of reading the
	// logs.
	Timeout time.Duration
	// Getenv reads the environment.
	Getenv func(string) string
	// StartProgress starts the display of the progress (nil: none).
	StartProgress func() (collect.Progress, func())
}

// checkLogs checks the hop and log arguments, the log zone and the
// addresses: bad input is a usage error before anything is read.
func (o TraceOptions) checkLogs() (hops, logs []hoplog.Spec, loc *time.Location, addrs []netip.Addr, err error) {
	hops, logs, loc, err = CheckLogs(o.Hops, o.Logs, o.LogTZ, o.MatchWindow)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, a := range o.HopAddrs {
		ip, perr := netip.ParseAddr(strings.TrimSpace(a))
		if perr != nil {
			return nil, nil, nil, nil, runerr.Usagef("--hop-addr %q is not an IP address", a)
		}
		addrs = append(addrs, ip.Unmap())
	}
	return hops, logs, loc, addrs, nil
}

// Trace reads the alerts of the window (from the API, the demo or the
// offline files) and follows each incident through the hops' logs. The
// result is returned with a runerr.Incomplete error when a collector
// failed; bad options are runerr.Usage, missing credentials
// runerr.Pointless, and return no result.
func Trace(ctx context.Context, o TraceOptions) (*trace.Result, error) {
	if len(o.Hops) == 0 && !o.Demo {
		return nil, runerr.Usagef("trace: give at least one --hop NAME=PATH (e.g. --hop web=/var/log/nginx/access.log); see twilio-evidence trace --help")
	}
	if len(o.Hops) > 0 {
		// Bad logs are refused before credentials are looked for.
		if _, _, _, _, err := o.checkLogs(); err != nil {
			return nil, err
		}
	}
	// The window and the offline inputs are checked the way a bundle's are.
	bo, err := Prepare(Options{Window: o.Window, Demo: o.Demo, AccountSID: o.AccountSID, Inputs: o.Inputs, Concurrency: 1, Getenv: o.Getenv})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	win, err := bo.Window.Resolve(bo.defaultSince(), now)
	if err != nil {
		return nil, err
	}
	src := bo.source()
	src.AuthTokenFile, src.APIURL = o.AuthTokenFile, o.APIURL
	api, d, err := src.Open(win)
	if err != nil {
		return nil, err
	}
	if d != nil {
		defer d.Close()
		if len(o.Hops) == 0 {
			o.Hops, o.Logs = d.Hops, d.Logs
		}
	}
	hops, logs, loc, addrs, err := o.checkLogs()
	if err != nil {
		return nil, err
	}
	if api != nil && win.From.Before(now.Add(-collect.AlertRetention)) {
		return nil, runerr.Usagef("the window starts %s, but Twilio keeps alerts for 30 days only: choose a later --from or a shorter --since", win.From.Format(time.RFC3339))
	}
	stage, err := collect.NewStage()
	if err != nil {
		return nil, runerr.Env(err)
	}
	defer stage.Remove()
	ev := &collect.Evidence{Window: win, Account: collect.Account{SID: bo.accountFor(api)}}
	progress, closeProgress := collect.Progress(collect.NoProgress{}), func() {}
	if o.StartProgress != nil {
		progress, closeProgress = o.StartProgress()
	}
	env := &collect.Env{Evidence: ev, Stage: stage, API: api, Progress: progress}
	collect.Run(ctx, env, o.Timeout, o.Inputs.Collectors()...)
	collect.Run(ctx, env, o.Timeout, collect.Alerts{MaxDetails: -1})
	hc := collect.Hops{Hops: hops, Logs: logs, Window: o.MatchWindow, Location: loc, LocalZone: LocalZone(), DestAddrs: addrs, NoExcerpts: true}
	if d != nil {
		hc.Resolver, hc.ShownRoot = d.Probe.Resolver, d.LogDir
	}
	collect.Run(ctx, env, o.Timeout, hc)
	closeProgress()
	res := trace.New(ev, o.MatchWindow)
	if failed := IncompleteSummary(ev); failed != "" {
		return res, runerr.Incompletef("the trace is incomplete: %s", failed)
	}
	return res, nil
}
