package collect

import (
	"context"
	"fmt"
	"sort"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// MaxSubaccounts bounds how many subaccounts ListSubaccounts reads.
const MaxSubaccounts = 100_000

// ListSubaccounts lists the subaccounts of the account the credentials of
// cfg name (API v2010 Accounts list: the account itself and those it owns),
// sorted by SID. The parent itself is left out. tokens are the auth tokens
// the list returned (the parent's and each subaccount's own) by account SID:
// secrets to redact, never to keep.
func ListSubaccounts(ctx context.Context, cfg *APIConfig) (subs []Account, tokens map[string]string, err error) {
	parent := cfg.Credentials.AccountSID
	p := new(api.ListAccountParams).SetPageSize(1000).SetLimit(MaxSubaccounts)
	list, err := cfg.Client(ctx).Api.ListAccount(p)
	if err != nil {
		return nil, nil, fmt.Errorf("list the subaccounts of %s: %w", parent, apiErr(err))
	}
	var out []Account
	tokens = map[string]string{}
	for _, a := range list {
		sid := deref(a.Sid)
		if t := deref(a.AuthToken); t != "" {
			tokens[sid] = t
		}
		if sid == parent || !ValidSID(sid, "AC") {
			continue
		}
		owner := deref(a.OwnerAccountSid)
		if owner != "" && owner != parent {
			continue
		}
		out = append(out, Account{SID: sid, FriendlyName: deref(a.FriendlyName), Type: deref(a.Type), Status: deref(a.Status), ParentSID: parent})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SID < out[j].SID })
	return out, tokens, nil
}

// CheckAccount fetches one account with cfg's credentials: whether the
// account can be read at all, before its collectors run.
func CheckAccount(ctx context.Context, cfg *APIConfig, sid string) (Account, error) {
	a, err := cfg.Client(ctx).Api.FetchAccount(sid)
	if err != nil {
		return Account{SID: sid}, fmt.Errorf("fetch account %s: %w", sid, apiErr(err))
	}
	return Account{SID: sid, FriendlyName: deref(a.FriendlyName), Type: deref(a.Type), Status: deref(a.Status), ParentSID: deref(a.OwnerAccountSid)}, nil
}
