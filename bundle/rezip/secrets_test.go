package rezip

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.txt", "\n  0123456789abcdef0123456789abcdef  \n\nanothersecretvalue123\n")
	got, err := ReadSecretFile(good)
	if err != nil || strings.Join(got, ",") != "0123456789abcdef0123456789abcdef,anothersecretvalue123" {
		t.Errorf("got %q, %v", got, err)
	}
	cases := map[string]string{
		filepath.Join(dir, "none.txt"):  filepath.Join(dir, "none.txt") + ": no such file",
		dir:                             dir + " is a directory: give a file",
		write("short.txt", "abc\n"):     "short.txt: line 1 is 3 characters: a secret shorter than",
		write("empty.txt", "\n  \n"):    "empty.txt holds no secret",
		write("binary.txt", "\x00\x01"): "binary.txt: ",
	}
	for path, want := range cases {
		_, err := ReadSecretFile(path)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), path) {
			t.Errorf("%s: err %v, want an InputError starting with the path and saying %q", filepath.Base(path), err, want)
		}
	}
}
