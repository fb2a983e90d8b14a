package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
)

// offlineBundle makes a bundle from the offline alerts and returns its path.
func offlineBundle(t *testing.T) string {
	t.Helper()
	res, err := Run(context.Background(), offlineOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	return res.Path
}

func TestRezip_WritesTheRedactedBundleAndTeachesTheOutput(t *testing.T) {
	in := offlineBundle(t)
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.txt")
	if err := os.WriteFile(secrets, []byte("a.example-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	rout, _, streams, flush := RedactStreams(func(string) string { return "" }, &out, &errw)
	o := RezipOptions{In: in, Out: filepath.Join(dir, "again.zip"), SecretFile: secrets, MaskPhones: true, Streams: streams,
		CommandLine: []string{"twilio-evidence", "redact", "--redact", "x-[0-9]+"}, Redact: []string{"x-[0-9]+"}}
	path, err := Rezip(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if path != o.Out {
		t.Errorf("wrote %s, want %s", path, o.Out)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("redacted bundle: %v", err)
	}
	// The process's output now removes the secret file's values and the
	// expressions too.
	fmt.Fprintln(rout, "token a.example-password and x-1234")
	flush()
	if got := out.String(); strings.Contains(got, "a.example-password") || strings.Contains(got, "x-1234") {
		t.Errorf("output not redacted: %q", got)
	}
	if _, err := Rezip(context.Background(), o); runerr.KindOf(err) != runerr.Usage {
		t.Errorf("again without Force: %v, want a usage error", err)
	}
	o.Force = true
	if _, err := Rezip(context.Background(), o); err != nil {
		t.Errorf("again with Force: %v", err)
	}
}

func TestRezip_BadInputIsUsageAndAnInterruptionWritesNothing(t *testing.T) {
	in := offlineBundle(t)
	dir := t.TempDir()
	for name, c := range map[string]struct {
		o    RezipOptions
		want string
	}{
		"no input":       {RezipOptions{In: filepath.Join(dir, "none.zip"), Out: filepath.Join(dir, "o.zip")}, "redact: " + filepath.Join(dir, "none.zip") + ": no such file"},
		"no secret file": {RezipOptions{In: in, Out: filepath.Join(dir, "o.zip"), SecretFile: filepath.Join(dir, "s")}, "--secret-file"},
		"bad expression": {RezipOptions{In: in, Out: filepath.Join(dir, "o.zip"), Redact: []string{"("}}, "("},
		"over its input": {RezipOptions{In: in, Out: in, Force: true}, "redact: "},
		"not a bundle":   {RezipOptions{In: filepath.Join(dir), Out: filepath.Join(dir, "o.zip")}, "is a directory"},
	} {
		if _, err := Rezip(context.Background(), c.o); runerr.KindOf(err) != runerr.Usage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a usage error saying %q", name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(dir, "o.zip")
	if _, err := Rezip(ctx, RezipOptions{In: in, Out: out}); runerr.KindOf(err) != runerr.Interrupted {
		t.Errorf("interrupted: %v, want runerr.Interrupted", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an interrupted run left %s: %v", out, err)
	}
}
