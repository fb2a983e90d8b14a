package probe

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/templates"
)

// MaxInterval bounds the pause between samples.
const MaxInterval = time.Hour

// Task is the progress of one URL: a step per sample.
type Task interface {
	Add(n int)
	Done()
}

// CommandOptions are the probe command's inputs as given on its command
// line; Command checks them.
type CommandOptions struct {
	URLs []string
	// Resolve are HOST:PORT:ADDR overrides, as curl's --resolve.
	Resolve []string
	// Style is StyleGet or StyleTwilio; Method and Channel shape the
	// requests of StyleTwilio.
	Style, Method, Channel string
	Count                  int
	// Interval is the pause between samples; 0 sends them back to back.
	Interval     time.Duration
	PerAddress   PerAddress
	AllowPrivate bool
	// Lang is the language of the explanations (templates.Languages).
	Lang string
	// Record is a CSV file every attempt is appended to (empty: none).
	Record string
	// Credentials gives the account SID and auth token StyleTwilio signs
	// with; it is asked only for that style, after every other check.
	Credentials func() (accountSID, authToken string, err error)
	// Warn is told, before anything is sent, what the user should know
	// (one line each, "warning: …").
	Warn func(line string)
	// Progress starts the progress of one URL (label, samples); nil shows
	// none.
	Progress func(label string, samples int) Task
}

// InputError is an error of what the user gave: a URL, an override, a
// flag. Nothing was sent.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// CommandResult is what the probe command measured.
type CommandResult struct {
	Report
	// RecordErr says why the attempts could not be appended to Record.
	RecordErr error
}

// Failing names each target whose verdict is a failure, with the verdict.
func (r *CommandResult) Failing() []string {
	var out []string
	for _, t := range r.Targets {
		switch t.Outcome {
		case OutcomeOK, OutcomeNearTimeout, OutcomeNoData:
		default:
			out = append(out, t.Target+" "+string(t.Outcome))
		}
	}
	return out
}

// Command checks the options (an InputError names the flag or URL at
// fault), makes sure Record can be appended to, probes every URL, appends
// the attempts to Record and explains each target's verdict in opt.Lang.
// An error from Credentials or from creating Record is returned as it is.
func Command(ctx context.Context, opt CommandOptions) (*CommandResult, error) {
	targets, popts, err := parseCommand(opt)
	if err != nil {
		return nil, err
	}
	if opt.Record != "" {
		if err := CheckRecord(opt.Record); err != nil {
			return nil, inputErr("--record %s: %v", opt.Record, err)
		}
		f, err := os.OpenFile(opt.Record, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--record: %w", err)
		}
		f.Close()
	}
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	if popts.Style == StyleTwilio {
		warn(Warning)
	}
	for _, t := range targets {
		for _, w := range t.Warnings {
			warn(fmt.Sprintf("warning: %s: %v", t, &w))
		}
	}
	tasks := make([]Task, len(targets))
	for i, t := range targets {
		if opt.Progress != nil {
			tasks[i] = opt.Progress(ShortURL(t.String(), 28), max(1, min(opt.Count, MaxCount)))
		}
	}
	popts.OnAttempt = func(i int, a Attempt) {
		if a.Mode == ModeDNS && tasks[i] != nil { // one per sample; its per-address attempts go with it
			tasks[i].Add(1)
		}
	}
	p, err := New(popts)
	if err != nil {
		return nil, inputErr("probe: %v", err)
	}
	res := &CommandResult{Report: p.Run(ctx, targets)}
	for _, t := range tasks {
		if t != nil {
			t.Done()
		}
	}
	if opt.Record != "" {
		res.RecordErr = AppendHistory(opt.Record, res.Attempts)
	}
	for i := range res.Targets {
		res.Targets[i].Explanation = Explain(res.Targets[i], opt.Lang)
	}
	return res, nil
}

// parseCommand checks the options and builds the targets and the prober's
// options; every problem is an InputError naming the flag or URL.
func parseCommand(o CommandOptions) ([]Target, Options, error) {
	var targets []Target
	var opts Options
	if len(o.URLs) == 0 {
		return nil, opts, inputErr("probe: no URL given (see twilio-evidence probe --help)")
	}
	if o.Count < 1 || o.Count > MaxCount {
		return nil, opts, inputErr("probe: --count %d: want 1 to %d", o.Count, MaxCount)
	}
	if o.Interval < 0 || o.Interval > MaxInterval {
		return nil, opts, inputErr("probe: --interval %s: want 0 to %s", o.Interval, MaxInterval)
	}
	if !slices.Contains(templates.Languages, o.Lang) {
		return nil, opts, inputErr("probe: --lang %q: want one of %v", o.Lang, templates.Languages)
	}
	for _, raw := range o.URLs {
		t, err := ParseTarget(raw)
		if err != nil {
			return nil, opts, inputErr("probe: %v", err)
		}
		targets = append(targets, t)
	}
	for _, v := range o.Resolve {
		ro, err := ParseResolve(v)
		if err != nil {
			return nil, opts, inputErr("probe: --%v", err)
		}
		opts.Resolve = append(opts.Resolve, ro)
	}
	opts.Style = o.Style
	switch o.Style {
	case StyleGet:
		if o.Method != "" {
			return nil, opts, inputErr("probe: --method applies to --style twilio only (--style get always sends GET)")
		}
	case StyleTwilio:
		opts.Method = strings.ToUpper(o.Method)
		if opts.Method != "" && opts.Method != "GET" && opts.Method != "POST" {
			return nil, opts, inputErr("probe: --method %q: Twilio webhooks use GET or POST", o.Method)
		}
		if o.Channel != ChannelVoice && o.Channel != ChannelSMS {
			return nil, opts, inputErr("probe: --channel %q: want voice or sms", o.Channel)
		}
		if o.Credentials == nil {
			return nil, opts, inputErr("probe: --style twilio needs the auth token to sign with")
		}
		sid, token, err := o.Credentials()
		if err != nil {
			return nil, opts, err
		}
		opts.AuthToken, opts.AccountSID, opts.Channel = token, sid, o.Channel
	default:
		return nil, opts, inputErr("probe: --style %q: want get or twilio", o.Style)
	}
	opts.Count, opts.Interval = o.Count, o.Interval
	if o.Interval == 0 {
		opts.Interval = time.Nanosecond // back to back; zero would mean the default
	}
	opts.PerAddress, opts.AllowPrivate = o.PerAddress, o.AllowPrivate
	return targets, opts, nil
}

// ShortURL shortens a URL for a progress label of n runes: the scheme
// goes, and the middle gives way to "…" so that the host's start and the
// path's end stay.
func ShortURL(u string, n int) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	r := []rune(u)
	if len(r) <= n {
		return u
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}
