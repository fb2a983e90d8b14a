package collect

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// CheckTimeout bounds the check request of CheckAPI; CheckDialTimeout
// bounds its connection (a network that drops packets answers nothing).
const (
	CheckTimeout     = 15 * time.Second
	CheckDialTimeout = 8 * time.Second
)

// APIError is a failure that makes a whole run pointless: Twilio rejected
// the credentials, or its API could not be reached.
type APIError struct {
	// Account is the account the run is about; Username is what
	// authenticated (the account SID or an API key SID).
	Account, Username string
	Failure           Failure
	// Err is the raw error.
	Err error
}

func (e *APIError) Error() string {
	if e.Failure.Rejected() {
		return fmt.Sprintf("Twilio rejected the credentials %s for %s: %v", e.Username, e.Account, e.Err)
	}
	return fmt.Sprintf("the Twilio API could not be reached: %v", e.Err)
}

func (e *APIError) Unwrap() error { return e.Err }

// APIKey reports whether the credentials were an API key (SK…), not the
// account's auth token.
func (e *APIError) APIKey() bool { return ValidSID(e.Username, "SK") }

// CheckAPI sends one cheap authenticated request, the fetch of the Account
// resource, once and without retries, and returns an *APIError when the
// run cannot go on: Twilio answered 401 (error 20003), or the API host does
// not resolve, refuses or drops the connection attempt, fails the TLS
// handshake or cannot be reached through the proxy. Any other outcome —
// success, a 5xx, a throttled answer, a slow one — returns nil: the
// collectors then record what happens to them. It takes at most
// CheckTimeout.
func CheckAPI(ctx context.Context, cfg *APIConfig) (*Account, error) {
	c := *cfg
	c.pool = nil // the check's own: one attempt, its own deadlines
	c.MaxAttempts, c.RequestTimeout = 1, CheckTimeout
	if c.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: CheckDialTimeout, KeepAlive: 30 * time.Second}).DialContext
		t.TLSHandshakeTimeout = CheckDialTimeout
		c.Transport = t
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	ctx, note := withRequestNote(ctx)
	acc, err := c.Client(ctx).Api.FetchAccount(c.Credentials.AccountSID)
	if err == nil {
		a := &Account{SID: c.Credentials.AccountSID, FriendlyName: deref(acc.FriendlyName), Type: deref(acc.Type), Status: deref(acc.Status)}
		if owner := deref(acc.OwnerAccountSid); owner != a.SID {
			a.ParentSID = owner
		}
		return a, nil
	}
	f := ClassifyError(err)
	note.fill(&f)
	if !f.Rejected() && !f.Unreachable() {
		return nil, nil
	}
	return nil, &APIError{Account: c.Credentials.AccountSID, Username: c.Credentials.Username, Failure: f, Err: err}
}
