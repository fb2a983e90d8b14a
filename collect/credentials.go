package collect

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

var sidPattern = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// ValidSID reports whether s is a Twilio SID with the given two-letter
// prefix (any prefix when prefix is empty): two letters and 32 hex digits.
func ValidSID(s, prefix string) bool {
	return sidPattern.MatchString(s) && strings.HasPrefix(s, prefix)
}

// KindOfSID names the resource kind of a SID from its prefix.
func KindOfSID(sid string) string {
	switch {
	case len(sid) < 2:
		return KindOther
	case sid[:2] == "CA":
		return KindCall
	case sid[:2] == "SM" || sid[:2] == "MM":
		return KindMessage
	}
	return KindOther
}

// Credentials are what the tool authenticates with. Username is the account
// SID or an API key SID; Secret is the auth token or the API key secret.
type Credentials struct {
	AccountSID string
	Username   string
	Secret     string
}

// ErrNoCredentials is returned when the environment holds no credentials.
var ErrNoCredentials = errors.New("no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID), or use --auth-token-file")

// maxTokenFileBytes bounds --auth-token-file, which holds one token.
const maxTokenFileBytes = 64 << 10

// ReadTokenFile reads the auth token of --auth-token-file: the file's text,
// trimmed, at most 64 KiB. It may be a pipe (`<(pass twilio)`), read within
// infile.PipeDeadline; a pipe gives its text once, so the token read from
// it is kept for the next call with the same path.
func ReadTokenFile(path string) (string, error) {
	pipe := false
	if st, err := os.Stat(path); err == nil && st.Mode()&os.ModeNamedPipe != 0 {
		if token, ok := pipeTokens.Load(path); ok {
			return token.(string), nil
		}
		pipe = true
	}
	b, err := infile.ReadFile(path, infile.Limits{MaxBytes: maxTokenFileBytes, Text: true, Pipe: true})
	if err != nil {
		return "", fmt.Errorf("--auth-token-file %s: %w", path, unwrapPath(err))
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("--auth-token-file %s: the file is empty", path)
	}
	if pipe {
		pipeTokens.Store(path, token)
	}
	return token, nil
}

// pipeTokens are the tokens ReadTokenFile read from pipes, by path.
var pipeTokens sync.Map

// CredentialsFromEnv reads credentials from the environment (getenv) and,
// when tokenFile is set, the auth token from that file. accountOverride
// (--account-sid) names a subaccount to look at. Secrets are never taken
// from flags.
func CredentialsFromEnv(getenv func(string) string, tokenFile, accountOverride string) (Credentials, error) {
	c := Credentials{AccountSID: strings.TrimSpace(getenv("TWILIO_ACCOUNT_SID"))}
	key, keySecret := strings.TrimSpace(getenv("TWILIO_API_KEY")), strings.TrimSpace(getenv("TWILIO_API_SECRET"))
	token := strings.TrimSpace(getenv("TWILIO_AUTH_TOKEN"))
	if tokenFile != "" {
		var err error
		if token, err = ReadTokenFile(tokenFile); err != nil {
			return c, err
		}
	}
	switch {
	case key != "" || keySecret != "":
		if key == "" || keySecret == "" {
			return c, errors.New("TWILIO_API_KEY and TWILIO_API_SECRET must be set together")
		}
		if !ValidSID(key, "SK") {
			return c, errors.New("TWILIO_API_KEY is not an API key SID (SK followed by 32 hex digits)")
		}
		c.Username, c.Secret = key, keySecret
	case token != "":
		c.Username, c.Secret = c.AccountSID, token
	default:
		return c, ErrNoCredentials
	}
	if c.AccountSID == "" {
		return c, errors.New("TWILIO_ACCOUNT_SID is not set")
	}
	if !ValidSID(c.AccountSID, "AC") {
		return c, errors.New("TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hex digits)")
	}
	if !alnum(c.Secret) {
		return c, errors.New("the auth token or API secret contains characters other than letters and digits: check for quotes or spaces")
	}
	if accountOverride != "" {
		if !ValidSID(accountOverride, "AC") {
			return c, fmt.Errorf("--account-sid %q is not an account SID (AC followed by 32 hex digits)", accountOverride)
		}
		if c.Username == c.AccountSID {
			// The Monitor API answers for the account that authenticates:
			// the subaccount SID with the parent's auth token (which Twilio
			// accepts) reads the subaccount's alerts, not the parent's.
			c.Username = accountOverride
		}
		c.AccountSID = accountOverride
	}
	return c, nil
}

func alnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// pathError shortens an *os.PathError to "PATH: reason".
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// unwrapPath is the reason of a path error, without the path (the caller
// names it); other errors as they are.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
