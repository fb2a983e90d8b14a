package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Safety keeps a bundle safe to attach and complete: redaction, size
// budget, run deadline.
type Safety struct {
	// MaskPhones and MaskBodies mask phone numbers and drop bodies.
	MaskPhones, MaskBodies bool
	// Redact are more expressions (RE2) whose matches are redacted.
	Redact []string
	// MaxSize is the zip's size budget ("20MB"; "0" for none).
	MaxSize string
	// Timeout is the deadline of the whole run (0 for none).
	Timeout time.Duration

	// budget is MaxSize in bytes, set by start.
	budget int64
}

// start checks the options that need no network — the size budget, the
// deadline, the expressions, the account SID and the token file — and
// applies Timeout to ctx.
func (f *Safety) start(ctx context.Context, o *Options) (context.Context, context.CancelFunc, error) {
	if o.AccountSID != "" && !collect.ValidSID(o.AccountSID, "AC") {
		return ctx, func() {}, runerr.Usagef("--account-sid %q is not an account SID (AC followed by 32 hex digits)", o.AccountSID)
	}
	if err := CheckTokenFile(o.AuthTokenFile); err != nil {
		return ctx, func() {}, err
	}
	if _, err := redact.New(redact.Options{Extra: f.Redact}); err != nil {
		return ctx, func() {}, runerr.Usagef("%v", err)
	}
	n, err := bundle.ParseSize(f.MaxSize)
	if err != nil {
		return ctx, func() {}, runerr.Usagef("--max-size: %v", err)
	}
	f.budget = n
	if f.Timeout < 0 {
		return ctx, func() {}, runerr.Usagef("--timeout %s: give a positive duration such as 30m, or 0 for none", f.Timeout)
	}
	if f.Timeout > 0 {
		ctx, cancel := collect.WithRunTimeout(ctx, f.Timeout)
		return ctx, cancel, nil
	}
	return ctx, func() {}, nil
}

// CheckTokenFile reads --auth-token-file (when given) before anything
// runs: a file that cannot be read is a usage error.
func CheckTokenFile(path string) error {
	if path == "" {
		return nil
	}
	if err := checkInput("--auth-token-file", path, true); err != nil {
		return err
	}
	if _, err := collect.ReadTokenFile(path); err != nil {
		return runerr.Usagef("%v", err)
	}
	return nil
}

// CheckInputFile says in one line, as a usage error, why path cannot be
// read as a file; flag names it. A named pipe, a device or a socket is
// refused: it may block or never end.
func CheckInputFile(flag, path string) error {
	return checkInput(flag, path, false)
}

// checkInput is CheckInputFile; pipe lets path be a pipe.
func checkInput(flag, path string, pipe bool) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return runerr.Usagef("%s %s: no such file", flag, path)
	case err != nil:
		return runerr.Usagef("%s %s: %v", flag, path, errors.Unwrap(err))
	case st.IsDir():
		return runerr.Usagef("%s %s is a directory: give a file", flag, path)
	case pipe && st.Mode()&os.ModeNamedPipe != 0:
		return nil
	}
	if err := infile.NotRegular(st.Mode()); err != nil {
		return runerr.Usagef("%s %s: %v", flag, path, err)
	}
	return nil
}

// RedactOptions builds a redactor's options from the credentials of api
// (nil for none), the environment and the masks. Every secret the process
// knows of is redacted, not only the one the run authenticates with.
func RedactOptions(api *collect.APIConfig, getenv func(string) string, phones, bodies bool, extra []string) redact.Options {
	var secrets, users []string
	seen := map[string]bool{}
	addSecret := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= redact.MinSecretLen && !seen[s] {
			seen[s] = true
			secrets = append(secrets, s)
		}
	}
	addUser := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			users = append(users, s)
		}
	}
	if api != nil {
		addSecret(api.Credentials.Secret)
		addUser(api.Credentials.Username)
		addUser(api.Credentials.AccountSID)
	}
	if getenv != nil {
		addSecret(getenv("TWILIO_AUTH_TOKEN"))
		addSecret(getenv("TWILIO_API_SECRET"))
		addUser(getenv("TWILIO_ACCOUNT_SID"))
		addUser(getenv("TWILIO_API_KEY"))
	}
	return redact.Options{Secrets: secrets, Usernames: users, MaskPhoneNumbers: phones, MaskBodies: bodies, Extra: extra}
}

// attach builds the run's redactor, makes every file staged from now on go
// through it (each file read as bundle.RedactionKind says), gives the
// process's own output the same secrets, phone masks and expressions, and
// tracks the staging directory for an interruption. The secrets the run
// learns go to both through learnSecrets.
func (f *Safety) attach(stage *collect.Stage, api *collect.APIConfig, o *Options, reproducible bool) (*redact.Redactor, func(), error) {
	opts := RedactOptions(api, o.Getenv, f.MaskPhones, f.MaskBodies, f.Redact)
	opts.Secrets = append(opts.Secrets, o.Learned...)
	if len(opts.Secrets) == 0 && reproducible {
		// No secret to key the phone masks with: key them with the inputs,
		// so that the same inputs give the same bundle.
		opts.MaskKey = inputsKey(o.Inputs.AlertsFile, o.Inputs.IncidentsFile)
	}
	r, err := redact.New(opts)
	if err != nil {
		return nil, nil, runerr.Usagef("%v", err)
	}
	StreamOptions(o.Streams, opts)
	stage.Filter = func(name string, w io.Writer) io.WriteCloser {
		return r.WriterOf(name, bundle.RedactionKind(name), w)
	}
	return r, o.Partials.TrackDir(stage.Dir), nil
}

// StreamOptions makes the process's own output (streams, nil for none)
// redact what opts names too: phone masks, expressions and secrets;
// bodies are no part of the tool's own words.
func StreamOptions(streams *redact.Redactor, opts redact.Options) {
	if streams != nil {
		opts.MaskBodies = false
		_ = streams.Add(opts) // opts were checked by redact.New already
	}
}

// learnSecrets is the hook through which collectors hand over the secrets
// they learn (collect.Env.LearnSecret): the bundle's redactor and the
// process's output remove them from then on.
func (o *Options) learnSecrets(r *redact.Redactor) func(...string) {
	return func(values ...string) {
		r.AddSecrets(values, nil)
		if o.Streams != nil {
			o.Streams.AddSecrets(values, nil)
		}
	}
}

// inputsKey is a phone-mask key made from the contents of the input files.
func inputsKey(paths ...string) []byte {
	h := sha256.New()
	h.Write([]byte("twilio-evidence phone mask\x00"))
	for _, p := range paths {
		if p == "" {
			continue
		}
		if fh, err := os.Open(p); err == nil {
			io.Copy(h, fh)
			fh.Close()
		}
	}
	return h.Sum(nil)
}

// redactEvidence redacts the collected evidence in memory, as outside data,
// before anything is drawn from it: the findings, the PDF (whose text is
// compressed, out of reach of the file filter), ticket.txt, incidents.csv
// and the statistics then hold no secret, and the filter reads them as the
// tool's own files. The flow file is redacted as outside text, counted
// under flow.md.
func (f *Safety) redactEvidence(r *redact.Redactor, ev *collect.Evidence, text *textInputs) {
	ev.CommandLine = HideRedactExpressions(ev.CommandLine)
	r.Value(bundle.EvidenceCounts, ev)
	if text.flow != nil {
		text.flow = r.Redact(bundle.FlowFile, redact.Text, text.flow)
	}
}

// write redacts the analysis by the value rules (it is the tool's own
// words, drawn from evidence redacted already), then writes the bundle with
// the redaction report and the size budget.
func (f *Safety) write(ctx context.Context, r *redact.Redactor, ev *collect.Evidence, res *analysis.Result, stage *collect.Stage, opt bundle.Options, partials *bundle.Partials) (string, bundle.FinishResult, error) {
	r.OwnValue(bundle.EvidenceCounts, res)
	interrupted := errors.Is(ctx.Err(), context.Canceled) && analysis.Incomplete(ev)
	var outcome bundle.FinishResult
	opt.Zip = func(stage *collect.Stage, final string, stamp time.Time) error {
		out, err := bundle.Finish(stage, final, bundle.FinishOptions{
			Redactor: r, MaxSize: f.budget, Interrupted: interrupted, Stamp: stamp, Partials: partials,
		})
		outcome = out
		return err
	}
	path, err := bundle.Write(ev, res, stage, opt)
	return path, outcome, err
}

// overBudget is the error of a bundle written whole because it does not fit
// MaxSize even with everything cut that may be cut.
func (f *Safety) overBudget(outcome bundle.FinishResult) error {
	if !outcome.OverBudget {
		return nil
	}
	return runerr.Incompletef("the bundle is %s, over --max-size %s, and would still be %s with every log excerpt, alert detail and raw file cut: it was written whole; raise --max-size or shorten the window",
		bundle.FormatSize(outcome.Size), bundle.FormatSize(f.budget), bundle.FormatSize(outcome.Smallest))
}

// HideRedactExpressions replaces the values of --redact in a command line:
// an expression may spell out what it removes.
func HideRedactExpressions(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		switch {
		case out[i] == "--redact" && i+1 < len(out):
			out[i+1] = "[REDACTED:expression]"
			i++
		case strings.HasPrefix(out[i], "--redact="):
			out[i] = "--redact=[REDACTED:expression]"
		}
	}
	return out
}
