package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// refuseExisting is the usage error of a bundle that exists already
// without Force: decided before any request is sent, from the account
// and the window that name the bundle.
func (o *Options) refuseExisting(ev *collect.Evidence) error {
	if o.Force {
		return nil
	}
	final := filepath.Join(o.Output, bundle.FileName(ev))
	if _, err := os.Stat(final); err == nil {
		return runerr.Usagef("%v: %s (use --force to replace it)", bundle.ErrExists, final)
	}
	return nil
}

// RefuseExisting is the usage error of a bundle of account over w that
// exists in the output directory already, without Force; nil otherwise.
func (o Options) RefuseExisting(account string, w collect.Window) error {
	return o.refuseExisting(&collect.Evidence{Account: collect.Account{SID: account}, Window: w})
}

// checkAPI sends the run's one check request (collect.CheckAPI) before
// anything is collected or written: rejected credentials and an
// unreachable API end the run with one line, in the bundle's language, as
// runerr.Pointless.
func (o *Options) checkAPI(ctx context.Context, api *collect.APIConfig) error {
	_, err := collect.CheckAPI(ctx, api)
	var ae *collect.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	return runerr.Env(errors.New(bundle.LocalizerFor(o.Text.Lang).APIError(ae, o.AuthTokenFile != "")))
}

// CheckAPI is checkAPI for a run that reaches the API with api (the
// parent account of a subaccount run).
func (o Options) CheckAPI(ctx context.Context, api *collect.APIConfig) error {
	return o.checkAPI(ctx, api)
}
