package bundle

import (
	"context"
	"fmt"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
)

// FlowOptions are what the flow description is read from and written to.
type FlowOptions struct {
	// API reads the account and its webhook configuration; with Demo the
	// built-in demo account is read instead and API is not used.
	API  *collect.APIConfig
	Demo bool
	// Lang is the description's language (templates.Languages).
	Lang string
	// Timeout bounds the reading of the configuration.
	Timeout time.Duration
	// Output is the file to write the description to; empty: none, the
	// caller prints FlowResult.Text.
	Output   string
	Partials *Partials
}

// FlowResult is the flow description and how its reading went.
type FlowResult struct {
	Text []byte
	// ConfigMissing says why the webhook configuration could not be read
	// ("state: reason"), empty when it was: the description then lacks the
	// numbers.
	ConfigMissing string
}

// Flow reads the account and its webhook configuration with the same
// collectors as a bundle and renders the pre-filled flow description (the
// flow.md a bundle takes with --flow), writing it to opt.Output when set.
func Flow(ctx context.Context, opt FlowOptions) (*FlowResult, error) {
	api := opt.API
	if opt.Demo {
		now := time.Now().UTC()
		d, err := demo.Start(collect.Window{From: now.Add(-7 * 24 * time.Hour), To: now})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		defer d.Close()
		api = d.API
	}
	stage, err := collect.NewStage()
	if err != nil {
		return nil, err
	}
	defer stage.Remove()
	ev := &collect.Evidence{Account: collect.Account{SID: api.Credentials.AccountSID}}
	env := &collect.Env{Evidence: ev, Stage: stage, API: api}
	collect.Run(ctx, env, opt.Timeout, collect.AccountInfo{}, collect.Config{})
	text, err := RenderFlow(ev, opt.Lang)
	if err != nil {
		return nil, err
	}
	res := &FlowResult{Text: text}
	for _, c := range ev.Collectors {
		if c.Name == "config" && c.State != collect.StateOK {
			res.ConfigMissing = fmt.Sprintf("%s: %s", c.State, c.Reason)
		}
	}
	if opt.Output != "" {
		if err := opt.Partials.WriteFile(opt.Output, text); err != nil {
			return nil, err
		}
	}
	return res, nil
}
