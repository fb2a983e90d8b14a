package bundle

import (
	"net"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// FailureText is a classified failure as a short phrase in l's language:
// its class, the host and Twilio's answer ("HTTP 503 (Twilio error 20500)
// from api.twilio.com"). The raw error is not part of it.
func (l *Localizer) FailureText(f collect.Failure) string {
	host := f.Host
	if host == "" {
		host = l.S("failure.unknown_host")
	}
	figs := map[string]any{
		"host": host, "addr": f.Addr, "status": f.HTTPStatus, "code": f.TwilioCode,
		"after": f.After, "detail": f.Detail,
	}
	if h, _, err := net.SplitHostPort(f.Addr); f.Addr == f.Host || err == nil && h == f.Host {
		figs["host"], figs["addr"] = f.Addr, "" // an address says no more than the host
	}
	key := "failure." + string(f.Class)
	if !l.Has(key) {
		key = "failure." + string(collect.FailOther)
	}
	return l.T(key, figs)
}

// CollectorFailure is one short line about a collector that did not
// finish: its name and its failure.
func (l *Localizer) CollectorFailure(c collect.CollectorStatus) string {
	f := collect.Failure{Class: collect.FailOther, Detail: oneLine(c.Reason)}
	if c.Failure != nil {
		f = *c.Failure
	}
	return l.F("failure.collector", "name", c.Name, "failure", l.FailureText(f))
}

// APIError is the one line of a run that CheckAPI stopped: the credentials
// rejected (naming the variables to check; tokenFile when the token came
// from --auth-token-file), or the API unreachable with the advice for the
// class of failure.
func (l *Localizer) APIError(e *collect.APIError, tokenFile bool) string {
	f := e.Failure
	if f.Rejected() {
		key := "api.rejected_token"
		switch {
		case e.APIKey():
			key = "api.rejected_key"
		case tokenFile:
			key = "api.rejected_token_file"
		}
		return l.F(key, "account", e.Account, "key", e.Username, "status", f.HTTPStatus, "code", f.TwilioCode)
	}
	host := f.Host
	if host == "" {
		host = l.S("failure.unknown_host")
	}
	return l.F("api.unreachable", "failure", l.FailureText(f), "advice", l.F("api.advice."+string(f.Class), "host", host))
}

// oneLine shortens a raw error to one line for a reader: the manifest
// keeps it whole.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:159]) + "…"
	}
	return s
}
