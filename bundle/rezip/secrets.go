package rezip

import (
	"errors"
	"os"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

// ReadSecretFile reads a file of secret values to remove, one a line
// (blank lines skipped). Every error is an InputError that starts with
// the path: a missing or unreadable file, a value shorter than
// redact.MinSecretLen, a file with no value. It may be a pipe, read within
// infile.PipeDeadline.
func ReadSecretFile(path string) ([]string, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, inputErr("%s: no such file", path)
	case err != nil:
		return nil, inputErr("%s: %v", path, errors.Unwrap(err))
	case st.IsDir():
		return nil, inputErr("%s is a directory: give a file", path)
	}
	b, err := infile.ReadFile(path, infile.Limits{MaxBytes: 1 << 20, Text: true, Pipe: true})
	if err != nil {
		return nil, inputErr("%s: %v", path, innermost(err))
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) < redact.MinSecretLen {
			return nil, inputErr("%s: line %d is %d characters: a secret shorter than %d cannot be redacted without destroying ordinary text", path, i+1, len(line), redact.MinSecretLen)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, inputErr("%s holds no secret", path)
	}
	return out, nil
}

// innermost gives the innermost error, for a one-line reason.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}
