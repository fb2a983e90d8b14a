package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/bundle/rezip"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// OutputRedactor is the redactor of the process's own output (stdout and
// stderr, RedactStreams): what it learns, nothing the process prints shows.
type OutputRedactor = redact.Redactor

// RedactStreams wraps out and errw in one redactor so that nothing the
// process prints carries a secret: from the first line it knows the
// secrets of the environment (getenv), then each run's (Options.Streams).
// close flushes both.
func RedactStreams(getenv func(string) string, out, errw io.Writer) (rout, rerr io.Writer, r *OutputRedactor, close func()) {
	rs := redact.NewStreams(RedactOptions(nil, getenv, false, false, nil), out, errw)
	return rs.Out, rs.Err, rs.Redactor, rs.Close
}

// RezipOptions say which bundle to redact again, into which zip, and what
// more to remove.
type RezipOptions struct {
	// In is the bundle, Out the zip to write (never In); Force replaces
	// Out; KeepPDF keeps summary.pdf as it is.
	In, Out        string
	Force, KeepPDF bool
	// MaskPhones, MaskBodies and Redact are as in Safety; SecretFile is a
	// file of more secret values, one a line. The secrets of the
	// environment are removed too.
	MaskPhones, MaskBodies bool
	Redact                 []string
	SecretFile             string
	// Getenv, Streams, Tool, CommandLine and Partials are as in Options.
	Getenv      func(string) string
	Streams     *OutputRedactor
	Tool        collect.Tool
	CommandLine []string
	Partials    *bundle.Partials
}

// Rezip redacts a bundle again (bundle/rezip) with the secrets of the
// environment and of SecretFile, the masks and the expressions, and
// returns the zip written. Bad input is runerr.Usage and writes nothing;
// ctx ending the run is runerr.Interrupted.
func Rezip(ctx context.Context, o RezipOptions) (string, error) {
	if err := CheckInputFile("redact:", o.In); err != nil {
		return "", err
	}
	var secrets []string
	if o.SecretFile != "" {
		var err error
		if secrets, err = rezip.ReadSecretFile(o.SecretFile); err != nil {
			return "", runerr.Usagef("--secret-file %v", err)
		}
	}
	opts := RedactOptions(nil, o.Getenv, o.MaskPhones, o.MaskBodies, o.Redact)
	opts.Secrets = append(opts.Secrets, secrets...)
	if _, err := redact.New(opts); err != nil {
		return "", runerr.Usagef("%v", err)
	}
	StreamOptions(o.Streams, opts)
	res, err := rezip.Run(ctx, rezip.Options{
		In: o.In, Out: o.Out, Force: o.Force, KeepPDF: o.KeepPDF, Redact: opts,
		Tool: o.Tool, CommandLine: HideRedactExpressions(o.CommandLine), Partials: o.Partials,
	})
	var ie *rezip.InputError
	switch {
	case errors.Is(err, rezip.ErrInterrupted):
		return "", runerr.New(runerr.Interrupted, fmt.Errorf("redact %w", err))
	case errors.As(err, &ie):
		return "", runerr.Usagef("redact: %v", ie.Err)
	case err != nil:
		return "", runerr.Env(fmt.Errorf("redact: %w", err))
	}
	return res.Path, nil
}
