//go:build linux

package collect

import (
	"os"
	"strconv"
	"testing"
)

// A shell's `--auth-token-file <(pass twilio)` is a pipe, which gives its
// text once: the run reads the token twice (the check before anything runs,
// then the credentials) and gets it both times.
func TestReadTokenFile_PipeReadTwice(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(r.Fd()))
	go func() { w.Write([]byte("tokenfromapipe0123\n")); w.Close() }()
	for i := 0; i < 2; i++ {
		if tok, err := ReadTokenFile(path); err != nil || tok != "tokenfromapipe0123" {
			t.Fatalf("read %d: %q, %v", i+1, tok, err)
		}
	}
	c, err := CredentialsFromEnv(func(k string) string {
		if k == "TWILIO_ACCOUNT_SID" {
			return "AC0123456789abcdef0123456789abcdef"
		}
		return ""
	}, path, "")
	if err != nil || c.Secret != "tokenfromapipe0123" {
		t.Errorf("CredentialsFromEnv with the pipe: %+v, %v", c, err)
	}
}
