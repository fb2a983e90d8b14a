package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/templates"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/bundle/rezip"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// partials are the temporary files of the bundles this process is writing;
// a second Ctrl-C removes them before exiting (interruptContext).
var partials = &bundle.Partials{}

// safetyFlags are the flags of bundle and report that keep a bundle safe to
// attach and complete: redaction, size budget, run deadline.
type safetyFlags struct {
	maskPhones bool
	maskBodies bool
	redact     []string
	maxSize    string
	timeout    time.Duration

	// set by the run
	budget  int64
	outcome bundle.FinishResult
}

func (f *safetyFlags) register(fs *pflag.FlagSet) {
	registerRedactFlags(fs, &f.maskPhones, &f.maskBodies, &f.redact)
	fs.StringVar(&f.maxSize, "max-size", "20MB", "size budget of the zip (kB, MB, GB or KiB, MiB, GiB; 0 = none): log excerpts, then alert details, then other raw files are cut to fit; the PDF, ticket.txt, incidents.csv, findings and manifest never are")
	fs.DurationVar(&f.timeout, "timeout", 0, "deadline of the whole run (0 = none beyond --collector-timeout); collectors still running are recorded as timed out and the bundle is written")
}

// registerRedactFlags adds the redaction flags bundle, report and redact share.
func registerRedactFlags(fs *pflag.FlagSet, phones, bodies *bool, extra *[]string) {
	fs.BoolVar(phones, "mask-phone-numbers", false, "replace phone numbers (E.164) with a mask that keeps the last 4 digits; the same number gets the same mask")
	fs.BoolVar(bodies, "mask-bodies", false, "drop SMS bodies and HTTP response bodies (their size is kept)")
	fs.StringArrayVar(extra, "redact", nil, "also redact what this regular expression (RE2) matches; a group named redact limits it to that part; repeatable")
}

// start checks the flags that need no network — the size budget, the
// deadline, the --redact expressions, the account SID and the token file —
// and applies --timeout to ctx.
func (f *safetyFlags) start(ctx context.Context, o *bundleOptions) (context.Context, context.CancelFunc, error) {
	if o.accountSID != "" && !collect.ValidSID(o.accountSID, "AC") {
		return ctx, func() {}, usageErr("--account-sid %q is not an account SID (AC followed by 32 hex digits)", o.accountSID)
	}
	if err := checkTokenFile(o.authTokenFile); err != nil {
		return ctx, func() {}, err
	}
	if _, err := redact.New(redact.Options{Extra: f.redact}); err != nil {
		return ctx, func() {}, usageErr("%v", err)
	}
	n, err := bundle.ParseSize(f.maxSize)
	if err != nil {
		return ctx, func() {}, usageErr("--max-size: %v", err)
	}
	f.budget = n
	if f.timeout < 0 {
		return ctx, func() {}, usageErr("--timeout %s: give a positive duration such as 30m, or 0 for none", f.timeout)
	}
	if f.timeout > 0 {
		ctx, cancel := collect.WithRunTimeout(ctx, f.timeout)
		return ctx, cancel, nil
	}
	return ctx, func() {}, nil
}

// redactOptions builds the redactor's options from the credentials, the
// environment and the flags. Every secret the process knows of is
// redacted, not only the one the run authenticates with.
func redactOptions(api *collect.APIConfig, getenv func(string) string, phones, bodies bool, extra []string) redact.Options {
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
// through it (each file read as bundle.RedactionKind says), gives stdout and
// stderr the same secrets, phone masks and expressions, and tracks the
// staging directory for a second Ctrl-C. The secrets the run learns go to
// both through learnSecrets.
func (f *safetyFlags) attach(stage *collect.Stage, api *collect.APIConfig, o *bundleOptions, s streams, reproducible bool) (*redact.Redactor, func(), error) {
	opts := redactOptions(api, s.getenv, f.maskPhones, f.maskBodies, f.redact)
	opts.Secrets = append(opts.Secrets, o.learned...)
	if len(opts.Secrets) == 0 && reproducible {
		// No secret to key the phone masks with: key them with the inputs,
		// so that the same inputs give the same bundle.
		opts.MaskKey = inputsKey(o.run.alertsFile, o.run.incidentsFile)
	}
	r, err := redact.New(opts)
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	streamOptions(s, opts)
	stage.Filter = func(name string, w io.Writer) io.WriteCloser {
		return r.WriterOf(name, bundle.RedactionKind(name), w)
	}
	return r, partials.TrackDir(stage.Dir), nil
}

// streamOptions makes stdout and stderr redact what opts names too (phone
// masks, --redact expressions and secrets; bodies are no part of the tool's
// own words).
func streamOptions(s streams, opts redact.Options) {
	if s.redactor != nil {
		opts.MaskBodies = false
		_ = s.redactor.Add(opts) // opts were checked by redact.New already
	}
}

// learnSecrets is the hook through which collectors hand over the secrets
// they learn (collect.Env.LearnSecret): the bundle's redactor and the
// streams' remove them from then on.
func learnSecrets(r *redact.Redactor, s streams) func(...string) {
	return func(values ...string) {
		r.AddSecrets(values, nil)
		if s.redactor != nil {
			s.redactor.AddSecrets(values, nil)
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
// tool's own files. The flow file (--flow) is redacted as outside text,
// counted under flow.md.
func (f *safetyFlags) redactEvidence(r *redact.Redactor, ev *collect.Evidence, text *textInputs) {
	ev.CommandLine = hideRedactExpressions(ev.CommandLine)
	r.Value(bundle.EvidenceCounts, ev)
	if text.flow != nil {
		text.flow = r.Redact(bundle.FlowFile, redact.Text, text.flow)
	}
}

// write redacts the analysis by the value rules (it is the tool's own
// words, drawn from evidence redacted already), then writes the bundle with
// the redaction report and the size budget.
func (f *safetyFlags) write(ctx context.Context, r *redact.Redactor, ev *collect.Evidence, res *analysis.Result, stage *collect.Stage, opt bundle.Options) (string, error) {
	r.OwnValue(bundle.EvidenceCounts, res)
	interrupted := errors.Is(ctx.Err(), context.Canceled) && analysis.Incomplete(ev)
	opt.Zip = func(stage *collect.Stage, final string, stamp time.Time) error {
		out, err := bundle.Finish(stage, final, bundle.FinishOptions{
			Redactor: r, MaxSize: f.budget, Interrupted: interrupted, Stamp: stamp, Partials: partials,
		})
		f.outcome = out
		return err
	}
	return bundle.Write(ev, res, stage, opt)
}

// overBudget is the error of a bundle written whole because it does not fit
// --max-size even with everything cut that may be cut.
func (f *safetyFlags) overBudget() error {
	if !f.outcome.OverBudget {
		return nil
	}
	return &exitError{code: exitIncomplete, err: fmt.Errorf("the bundle is %s, over --max-size %s, and would still be %s with every log excerpt, alert detail and raw file cut: it was written whole; raise --max-size or shorten the window",
		bundle.FormatSize(f.outcome.Size), bundle.FormatSize(f.budget), bundle.FormatSize(f.outcome.Smallest))}
}

// hideRedactExpressions replaces the values of --redact in a command line:
// an expression may spell out what it removes.
func hideRedactExpressions(args []string) []string {
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

// redactStreams wraps stdout and stderr in one redactor (redact.Streams)
// so that nothing the process prints carries a secret: from the first line
// it knows the secrets of the environment, then each command's options
// (streamOptions) and what the run learns (learnSecrets).
func redactStreams(s streams) (streams, func()) {
	rs := redact.NewStreams(redactOptions(nil, s.getenv, false, false, nil), s.out, s.err)
	s.out, s.err, s.redactor = rs.Out, rs.Err, rs.Redactor
	return s, rs.Close
}

var redactUsage = templates.Help("redact")

// redactOptionsCmd are the flags of `twilio-evidence redact`.
type redactCmdOptions struct {
	out        string
	force      bool
	keepPDF    bool
	maskPhones bool
	maskBodies bool
	redact     []string
	secretFile string
}

func newRedactFlags(o *redactCmdOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("redact", pflag.ContinueOnError)
	fs.StringVarP(&o.out, "output", "o", "", "the redacted bundle to write (required)")
	fs.BoolVar(&o.force, "force", false, "replace OUT.zip if it exists")
	fs.BoolVar(&o.keepPDF, "keep-pdf", false, "keep summary.pdf as it is (its text is not redacted again)")
	registerRedactFlags(fs, &o.maskPhones, &o.maskBodies, &o.redact)
	fs.StringVar(&o.secretFile, "secret-file", "", "a file of secret values to remove, one a line (an auth token, an API secret, a password)")
	return fs
}

func init() {
	commandUsage["redact"] = redactUsage
	commandExitCodes["redact"] = templates.Help("redact.exit")
	otherCommands["redact"] = func() *pflag.FlagSet { return newRedactFlags(&redactCmdOptions{}) }
}

func runRedactCmd(args []string, s streams) error {
	var o redactCmdOptions
	fs := newRedactFlags(&o)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		printHelp("redact", fs, s.out)
		return nil
	}
	if err != nil {
		return usageErr("redact: %s (see twilio-evidence redact --help)", explainFlagError("redact", err, fs))
	}
	if err := checkDurations("redact", fs); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("redact: give one bundle to redact: twilio-evidence redact IN.zip -o OUT.zip (see twilio-evidence redact --help)")
	}
	if o.out == "" {
		return usageErr("redact: -o OUT.zip is required: the bundle is never redacted in place")
	}
	return runRedact(fs.Arg(0), o, append([]string{"twilio-evidence", "redact"}, args...), s)
}

// checkTokenFile reads --auth-token-file (when given) before anything
// runs: a file that cannot be read is a usage error.
func checkTokenFile(path string) error {
	if path == "" {
		return nil
	}
	if err := checkInputFile("--auth-token-file", path); err != nil {
		return err
	}
	if _, err := collect.ReadTokenFile(path); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// checkInputFile says in one line why path cannot be read as a file.
func checkInputFile(flag, path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usageErr("%s %s: no such file", flag, path)
	case err != nil:
		return usageErr("%s %s: %v", flag, path, errors.Unwrap(err))
	case st.IsDir():
		return usageErr("%s %s is a directory: give a file", flag, path)
	}
	return nil
}

// readSecretFile reads the secret values of --secret-file, one a line.
func readSecretFile(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	secrets, err := rezip.ReadSecretFile(path)
	if err != nil {
		return nil, usageErr("--secret-file %v", err)
	}
	return secrets, nil
}

// exitInterrupted is the exit code of a command stopped by Ctrl-C before it
// wrote anything (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// runRedact reads the secrets and runs the re-redaction (bundle/rezip),
// stopped by Ctrl-C like bundle: the first stops it and removes what it
// staged, the second ends the process at once.
func runRedact(in string, o redactCmdOptions, cmdLine []string, s streams) error {
	if err := checkInputFile("redact:", in); err != nil {
		return err
	}
	secrets, err := readSecretFile(o.secretFile)
	if err != nil {
		return err
	}
	opts := redactOptions(nil, s.getenv, o.maskPhones, o.maskBodies, o.redact)
	opts.Secrets = append(opts.Secrets, secrets...)
	if _, err := redact.New(opts); err != nil {
		return usageErr("%v", err)
	}
	streamOptions(s, opts)
	ctx, stop := interruptSaying(s, "stopping, nothing is written")
	defer stop()
	res, err := rezip.Run(ctx, rezip.Options{
		In: in, Out: o.out, Force: o.force, KeepPDF: o.keepPDF, Redact: opts,
		Tool: toolInfo(), CommandLine: hideRedactExpressions(cmdLine), Partials: partials,
	})
	var ie *rezip.InputError
	switch {
	case errors.Is(err, rezip.ErrInterrupted):
		return &exitError{code: exitInterrupted, err: fmt.Errorf("redact %w", err)}
	case errors.As(err, &ie):
		return usageErr("redact: %v", ie.Err)
	case err != nil:
		return envErr(fmt.Errorf("redact: %w", err))
	}
	fmt.Fprintln(s.out, res.Path)
	return nil
}
