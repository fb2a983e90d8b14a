package pipeline

import (
	"errors"
	"fmt"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/demo"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// Source says where a command's evidence comes from: the built-in demo,
// the offline input files, or an account's API with the credentials of
// the environment. Every command chooses through it, so that they all
// read the same variables and files and fail the same way.
type Source struct {
	// Demo runs on the demo's sample data against an in-process fake API.
	Demo bool
	// Offline reads the input files in place of the API.
	Offline bool
	// AccountSID is a subaccount to look at with the parent's
	// credentials; AuthTokenFile holds the auth token in place of
	// TWILIO_AUTH_TOKEN; APIURL sends the requests to a fake of the API.
	AccountSID, AuthTokenFile, APIURL string
	// Getenv reads the environment; nil reads an empty one.
	Getenv func(string) string
}

// source is the Source of a bundle run.
func (o *Options) source() Source {
	return Source{Demo: o.Demo, Offline: o.Inputs.Offline(), AccountSID: o.AccountSID, AuthTokenFile: o.AuthTokenFile, APIURL: o.APIURL, Getenv: o.getenv()}
}

// Credentials are the credentials of account (a subaccount's SID, or ""
// for the one the environment names): a token file that cannot be read
// is a usage error, missing or malformed credentials make the run
// pointless (runerr.Pointless).
func (s Source) Credentials(account string) (collect.Credentials, error) {
	if err := CheckTokenFile(s.AuthTokenFile); err != nil {
		return collect.Credentials{}, err
	}
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	creds, err := collect.CredentialsFromEnv(getenv, s.AuthTokenFile, account)
	if err != nil {
		return creds, runerr.Env(err)
	}
	return creds, nil
}

// AuthToken is the account and auth token the probe's Twilio-style
// requests are signed with: an API key in the environment is not used,
// Twilio signs with the auth token.
func (s Source) AuthToken() (account, token string, err error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	s.Getenv = func(name string) string {
		if name == "TWILIO_API_KEY" || name == "TWILIO_API_SECRET" {
			return ""
		}
		return getenv(name)
	}
	creds, err := s.Credentials("")
	if runerr.KindOf(err) == runerr.Pointless {
		return "", "", runerr.Env(fmt.Errorf("probe --style twilio signs its requests with the auth token: %w", errors.Unwrap(err)))
	}
	if err != nil {
		return "", "", err
	}
	return creds.AccountSID, creds.Secret, nil
}

// API is the API configuration of the account: nil for the demo (Open
// starts it) and for an offline run.
func (s Source) API() (*collect.APIConfig, error) {
	if s.Demo || s.Offline {
		return nil, nil
	}
	creds, err := s.Credentials(s.AccountSID)
	if err != nil {
		return nil, err
	}
	return &collect.APIConfig{Credentials: creds, BaseURL: s.APIURL}, nil
}

// Open is the API to read the evidence of win from: the demo's, started
// for win (the caller closes it), the account's, or nil for an offline run.
func (s Source) Open(win collect.Window) (*collect.APIConfig, *demo.Demo, error) {
	if !s.Demo {
		api, err := s.API()
		return api, nil, err
	}
	d, err := demo.Start(win)
	if err != nil {
		return nil, nil, runerr.Env(fmt.Errorf("demo: %w", err))
	}
	return d.API, d, nil
}
