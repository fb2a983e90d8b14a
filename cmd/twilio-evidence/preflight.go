package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// refuseExisting is the usage error of a bundle that exists already
// without --force: decided before any request is sent, from the account
// and the window that name the bundle.
func (o *bundleOptions) refuseExisting(ev *collect.Evidence) error {
	if o.force {
		return nil
	}
	final := filepath.Join(o.output, bundle.FileName(ev))
	if _, err := os.Stat(final); err == nil {
		return usageErr("%v: %s (use --force to replace it)", bundle.ErrExists, final)
	}
	return nil
}

// checkAPI sends the run's one check request (collect.CheckAPI) before
// anything is collected or written: rejected credentials and an
// unreachable API end the run with one line, in --lang, and exit 4.
func (o *bundleOptions) checkAPI(ctx context.Context, api *collect.APIConfig) error {
	_, err := collect.CheckAPI(ctx, api)
	var ae *collect.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	return envErr(errors.New(localizer(o.text.lang).APIError(ae, o.authTokenFile != "")))
}

// localizer is the catalog of lang, English when lang is not one.
func localizer(lang string) *bundle.Localizer {
	if l, err := bundle.NewLocalizer(lang); err == nil {
		return l
	}
	l, _ := bundle.NewLocalizer("en")
	return l
}
