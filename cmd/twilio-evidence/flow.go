package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// textFlags are the flags that shape the bundle's texts: --lang, --font
// and --flow.
type textFlags struct {
	lang, font, flow string
	// cjkPaths are where a Japanese font is looked for; nil means the
	// usual places of each system (tests set it).
	cjkPaths []string
}

func (t *textFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&t.lang, "lang", "en", "language of the PDF, ticket.txt and README.txt: en or ja")
	fs.StringVar(&t.font, "font", "", "Japanese TrueType font for the PDF (.ttf, or .ttc: the first face is used); default: IPAex/IPA Gothic, Noto Sans CJK or the system's Japanese font")
	fs.StringVar(&t.flow, "flow", "", "your edited flow description (start from 'twilio-evidence flow'); included as flow.md")
}

// textInputs are the checked --lang, --font and --flow.
type textInputs struct {
	lang, font string
	flow       []byte
}

// maxFlowBytes bounds --flow, a description written by hand.
const maxFlowBytes = 1 << 20

// prepare checks the flags before anything is collected: an unknown
// language, an unreadable --flow or an unusable --font is a usage error
// (exit 2); Japanese with no Japanese font on the system cannot run
// (exit 4) and says how to get one.
func (t textFlags) prepare() (textInputs, error) {
	in := textInputs{lang: t.lang, font: t.font}
	if !validLang(t.lang) {
		return in, usageErr("--lang %q: want one of %v", t.lang, templates.Languages)
	}
	if t.flow != "" {
		b, err := infile.ReadFile(t.flow, infile.Limits{MaxBytes: maxFlowBytes, Text: true})
		if err != nil {
			return in, usageErr("--flow %s: %v", t.flow, unwrapAll(err))
		}
		in.flow = b
	}
	if t.font != "" || t.lang == "ja" {
		if _, err := bundle.NewPDFDocument(t.lang, nil, bundle.PDFOptions{FontPath: t.font, CJKFontPaths: t.cjkPaths}); err != nil {
			if t.font != "" {
				return in, usageErr("--font %s: %v", t.font, unwrapAll(err))
			}
			if errors.Is(err, pdfdoc.ErrNoCJKFont) {
				return in, envErr(fmt.Errorf("--lang ja: %w", pdfdoc.ErrNoCJKFont))
			}
			return in, envErr(fmt.Errorf("--lang ja: %w", err))
		}
	}
	return in, nil
}

// apply puts the inputs into the bundle writer's options.
func (in textInputs) apply(o bundle.Options) bundle.Options {
	o.Lang, o.FontPath, o.Flow = in.lang, in.font, in.flow
	return o
}

func validLang(l string) bool {
	for _, x := range templates.Languages {
		if l == x {
			return true
		}
	}
	return false
}

// unwrapAll gives the innermost error's message, for a one-line reason.
func unwrapAll(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

var flowUsage = templates.Help("flow")

func init() {
	commandUsage["flow"] = flowUsage
	commandExitCodes["flow"] = templates.Help("flow.exit")
}

// flowOptions are the flags of `twilio-evidence flow`.
type flowOptions struct {
	lang, output, accountSID, authTokenFile, apiURL string
	demo                                            bool
	timeout                                         time.Duration
}

func runFlowCmd(args []string, s streams) error {
	var o flowOptions
	fs := pflag.NewFlagSet("flow", pflag.ContinueOnError)
	fs.StringVar(&o.lang, "lang", "en", "language of the description: en or ja")
	fs.StringVarP(&o.output, "output", "o", "", "write the description to this file instead of stdout")
	fs.BoolVar(&o.demo, "demo", false, "use the built-in demo account (no credentials, no network)")
	fs.StringVar(&o.accountSID, "account-sid", "", "describe this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "deadline for reading the configuration")
	fs.StringVar(&o.apiURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	_ = fs.MarkHidden("api-url")
	if done, err := parseFlags("flow", fs, args, s); done || err != nil {
		return err
	}
	if !validLang(o.lang) {
		return usageErr("--lang %q: want one of %v", o.lang, templates.Languages)
	}
	ctx, stop := interruptContext(s)
	defer stop()
	return runFlow(ctx, o, s)
}

// runFlow reads the account and its webhook configuration (bundle.Flow)
// and prints the pre-filled flow description.
func runFlow(ctx context.Context, o flowOptions, s streams) error {
	opt := bundle.FlowOptions{Demo: o.demo, Lang: o.lang, Timeout: o.timeout, Output: o.output, Partials: partials}
	if !o.demo {
		if err := checkTokenFile(o.authTokenFile); err != nil {
			return err
		}
		creds, err := collect.CredentialsFromEnv(s.getenv, o.authTokenFile, o.accountSID)
		if err != nil {
			return envErr(err)
		}
		opt.API = &collect.APIConfig{Credentials: creds, BaseURL: o.apiURL}
	}
	res, err := bundle.Flow(ctx, opt)
	if err != nil {
		return envErr(err)
	}
	if o.output == "" {
		if _, err := s.out.Write(res.Text); err != nil {
			return envErr(fmt.Errorf("write flow description: %w", err))
		}
	}
	if res.ConfigMissing != "" {
		return &exitError{code: exitIncomplete, err: fmt.Errorf("the webhook configuration could not be read (%s): the numbers are missing from the description", res.ConfigMissing)}
	}
	return nil
}
