package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/bundle/rezip"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// registerRedactFlags adds the redaction flags bundle, report and redact share.
func registerRedactFlags(fs *pflag.FlagSet, phones, bodies *bool, extra *[]string) {
	fs.BoolVar(phones, "mask-phone-numbers", false, "replace phone numbers (E.164) with a mask that keeps the last 4 digits; the same number gets the same mask")
	fs.BoolVar(bodies, "mask-bodies", false, "drop SMS bodies and HTTP response bodies (their size is kept)")
	fs.StringArrayVar(extra, "redact", nil, "also redact what this regular expression (RE2) matches; a group named redact limits it to that part; repeatable")
}

// redactStreams wraps stdout and stderr in one redactor (redact.Streams)
// so that nothing the process prints carries a secret: from the first line
// it knows the secrets of the environment, then each command's options
// (pipeline.StreamOptions) and what the run learns.
func redactStreams(s streams) (streams, func()) {
	rs := redact.NewStreams(pipeline.RedactOptions(nil, s.getenv, false, false, nil), s.out, s.err)
	s.out, s.err, s.redactor = rs.Out, rs.Err, rs.Redactor
	return s, rs.Close
}

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

func runRedactCmd(args []string, s streams) error {
	var o redactCmdOptions
	fs := newRedactFlags(&o)
	if done, err := parseArgs("redact", fs, args, s); done || err != nil {
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

// runRedact reads the secrets and runs the re-redaction (bundle/rezip),
// stopped by Ctrl-C like bundle: the first stops it and removes what it
// staged, the second ends the process at once.
func runRedact(in string, o redactCmdOptions, cmdLine []string, s streams) error {
	if err := pipeline.CheckInputFile("redact:", in); err != nil {
		return err
	}
	secrets, err := readSecretFile(o.secretFile)
	if err != nil {
		return err
	}
	opts := pipeline.RedactOptions(nil, s.getenv, o.maskPhones, o.maskBodies, o.redact)
	opts.Secrets = append(opts.Secrets, secrets...)
	if _, err := redact.New(opts); err != nil {
		return usageErr("%v", err)
	}
	pipeline.StreamOptions(s.redactor, opts)
	ctx, stop := interruptSaying(s, "stopping, nothing is written")
	defer stop()
	res, err := rezip.Run(ctx, rezip.Options{
		In: in, Out: o.out, Force: o.force, KeepPDF: o.keepPDF, Redact: opts,
		Tool: toolInfo(), CommandLine: pipeline.HideRedactExpressions(cmdLine), Partials: partials,
	})
	var ie *rezip.InputError
	switch {
	case errors.Is(err, rezip.ErrInterrupted):
		return runerr.New(runerr.Interrupted, fmt.Errorf("redact %w", err))
	case errors.As(err, &ie):
		return usageErr("redact: %v", ie.Err)
	case err != nil:
		return envErr(fmt.Errorf("redact: %w", err))
	}
	fmt.Fprintln(s.out, res.Path)
	return nil
}
