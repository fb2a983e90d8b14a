package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/twilio-evidence/twilio-evidence/bundle/doctor"
)

func runDoctorCmd(args []string, s streams) error {
	o := doctor.Options{Getenv: s.getenv}
	fs := pflag.NewFlagSet("doctor", pflag.ContinueOnError)
	fs.StringVarP(&o.Output, "output", "o", ".", "the directory bundles will be written into")
	fs.StringVar(&o.Lang, "lang", "en", "language of the bundles and of this report: en or ja")
	fs.StringVar(&o.Font, "font", "", "the Japanese TrueType font runs will be given with --font")
	fs.StringVar(&o.AuthTokenFile, "auth-token-file", "", "read the auth token from this file instead of TWILIO_AUTH_TOKEN")
	fs.StringVar(&o.AccountSID, "account-sid", "", "check this subaccount (AC…) with the parent's credentials")
	fs.StringVar(&o.Region, "region", "", "Twilio region of the account: us1, ie1, au1 (default: TWILIO_REGION, else us1)")
	fs.StringVar(&o.Edge, "edge", "", "Twilio edge location to reach the API through (default: TWILIO_EDGE)")
	fs.StringVar(&o.APIURL, "api-url", "", "send Twilio API requests to this base URL (a mock of the API, for testing)")
	fs.StringVar(&o.StatusURL, "status-url", "", "read Twilio's status page at this base URL (a mock of the page, for testing)")
	_ = fs.MarkHidden("api-url")
	_ = fs.MarkHidden("status-url")
	if done, err := parseFlags("doctor", fs, args, s); done || err != nil {
		return err
	}
	if !validLang(o.Lang) {
		return usageErr("--lang %q: want en or ja", o.Lang)
	}
	ctx, stop := interruptContext(s)
	defer stop()
	checks := doctor.Run(ctx, o)
	for _, line := range doctor.Lines(checks, localizer(o.Lang)) {
		fmt.Fprintln(s.out, line)
	}
	return doctor.Outcome(checks)
}
