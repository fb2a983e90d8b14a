package redact

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestStreamsRemoveSecretsWrittenInPieces(t *testing.T) {
	var out, errb bytes.Buffer
	const secret = "0123456789abcdef0123456789abcdef"
	s := NewStreams(Options{Secrets: []string{secret}}, &out, &errb)
	s.Out.Write([]byte("token " + secret[:10]))
	s.Out.Write([]byte(secret[10:] + " done\n"))
	s.Err.Write([]byte("no newline " + secret))
	s.Redactor.AddSecrets([]string{"learnedsecretvalue0001"}, nil)
	s.Out.Write([]byte("later learnedsecretvalue0001\n"))
	s.Close()
	for _, got := range []string{out.String(), errb.String()} {
		if strings.Contains(got, secret) || strings.Contains(got, "learnedsecretvalue0001") {
			t.Errorf("a secret got through: %q", got)
		}
	}
	if !strings.HasPrefix(out.String(), "token ") || !strings.Contains(out.String(), " done\n") || !strings.HasPrefix(errb.String(), "no newline ") {
		t.Errorf("the tool's own words changed: %q / %q", out.String(), errb.String())
	}
}

func TestStreamsKeepTheDescriptorUnderThem(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewStreams(Options{Extra: []string{"("}}, &bytes.Buffer{}, f) // a refused option: nothing more is removed
	if fd, ok := s.Err.(interface{ Fd() uintptr }); !ok || fd.Fd() != f.Fd() {
		t.Error("stderr does not give the file's descriptor")
	}
	if fd := s.Out.(interface{ Fd() uintptr }).Fd(); fd != ^uintptr(0) {
		t.Errorf("a buffer has descriptor %d", fd)
	}
	s.Close()
}
