package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pipeline"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

func validLang(l string) bool {
	for _, x := range templates.Languages {
		if l == x {
			return true
		}
	}
	return false
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
	api, err := pipeline.Source{Demo: o.demo, AccountSID: o.accountSID, AuthTokenFile: o.authTokenFile, APIURL: o.apiURL, Getenv: s.getenv}.API()
	if err != nil {
		return err
	}
	opt := bundle.FlowOptions{API: api, Demo: o.demo, Lang: o.lang, Timeout: o.timeout, Output: o.output, Partials: partials}
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
		return runerr.Incompletef("the webhook configuration could not be read (%s): the numbers are missing from the description", res.ConfigMissing)
	}
	return nil
}
