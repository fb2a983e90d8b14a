package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
)

// registerRedactFlags adds the redaction flags bundle, report and redact share.
func registerRedactFlags(fs *pflag.FlagSet, phones, bodies *bool, extra *[]string) {
	fs.BoolVar(phones, "mask-phone-numbers", false, "replace phone numbers (E.164) with a mask that keeps the last 4 digits; the same number gets the same mask")
	fs.BoolVar(bodies, "mask-bodies", false, "drop SMS bodies and HTTP response bodies (their size is kept)")
	fs.StringArrayVar(extra, "redact", nil, "also redact what this regular expression (RE2) matches; a group named redact limits it to that part; repeatable")
}

// redactStreams wraps stdout and stderr in one redactor
// (pipeline.RedactStreams): no secret on stdout or stderr.
func redactStreams(s streams) (streams, func()) {
	var flush func()
	s.out, s.err, s.redactor, flush = pipeline.RedactStreams(s.getenv, s.out, s.err)
	return s, flush
}

// redactCmdOptions are the flags of `twilio-evidence redact`.
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

// runRedact redacts the bundle in again (pipeline.Rezip), stopped by
// Ctrl-C like bundle: the first stops it and removes what it staged, the
// second ends the process at once.
func runRedact(in string, o redactCmdOptions, cmdLine []string, s streams) error {
	ctx, stop := interruptSaying(s, "stopping, nothing is written")
	defer stop()
	path, err := pipeline.Rezip(ctx, pipeline.RezipOptions{
		In: in, Out: o.out, Force: o.force, KeepPDF: o.keepPDF, MaskPhones: o.maskPhones, MaskBodies: o.maskBodies,
		Redact: o.redact, SecretFile: o.secretFile, Getenv: s.getenv, Streams: s.redactor,
		Tool: toolInfo(), CommandLine: cmdLine, Partials: partials,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(s.out, path)
	return nil
}
