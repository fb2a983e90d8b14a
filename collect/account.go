package collect

import (
	"context"
	"fmt"
)

// AccountInfo collects the account's friendly name, type and status. The
// Account resource also returns the account's auth token, which a run with
// API-key credentials does not know otherwise: it is passed to
// Env.LearnSecret, never kept. When the run's credentials are not that
// token, Run starts the collectors that stage Twilio's data only once it
// has ended (learnsSecrets).
type AccountInfo struct{}

// Name implements Collector.
func (AccountInfo) Name() string { return "account" }

// Off implements Switchable.
func (AccountInfo) Off(env *Env) string { return noAPI(env) }

// learnsSecrets reports whether the run learns a secret from the account:
// its auth token, unknown when the credentials are an API key or the
// parent's.
func (AccountInfo) learnsSecrets(env *Env) bool {
	return env.LearnSecret != nil && env.API != nil && env.API.Credentials.Username != env.Evidence.Account.SID
}

// Collect implements Collector.
func (AccountInfo) Collect(ctx context.Context, env *Env) error {
	if why := noAPI(env); why != "" {
		return Skip("%s", why)
	}
	acc, err := env.API.Client(ctx).Api.FetchAccount(env.Evidence.Account.SID)
	if err != nil {
		return fmt.Errorf("fetch account: %w", apiErr(err))
	}
	env.learnSecret(deref(acc.AuthToken))
	a := &env.Evidence.Account
	a.FriendlyName, a.Type, a.Status = deref(acc.FriendlyName), deref(acc.Type), deref(acc.Status)
	if owner := deref(acc.OwnerAccountSid); owner != a.SID {
		a.ParentSID = owner
	}
	return nil
}
