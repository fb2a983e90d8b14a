package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// bigAppLog writes an application log with many hard-to-compress lines at
// the times of the fake's first incidents.
func bigAppLog(t *testing.T, fakeAlerts func(i int) (time.Time, string, bool), n int) string {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	var b strings.Builder
	for i, used := 0, 0; used < 60 && i < n; i++ {
		ts, sid, ok := fakeAlerts(i)
		if !ok {
			continue
		}
		used++
		for j := 0; j < 150; j++ {
			fmt.Fprintf(&b, "%s INFO %s worker=%d payload=%016x%016x%016x\n", ts.Format(time.RFC3339), sid, j, rng.Uint64(), rng.Uint64(), rng.Uint64())
		}
	}
	p := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestE2E_MaxSizeCutsLogsFirstAndSaysSo(t *testing.T) {
	fake, data := e2eFake(t)
	from, to := e2eWindow()
	app := bigAppLog(t, func(i int) (time.Time, string, bool) {
		a := data.Alerts.At(i)
		return a.Generated, a.ResourceSid, twiliocodes.IsWebhookFailure(a.ErrorCode) && !a.Generated.Before(from) && a.Generated.Before(to)
	}, data.Alerts.Len())
	args := func(out string, extra ...string) []string {
		return e2eBundleArgs(fake, out, append([]string{"--no-probe", "--no-status", "--log", "app=" + app}, extra...)...)
	}

	whole := runE2E(t, e2eEnv(), args(t.TempDir(), "--max-size", "0")...)
	if whole.code != 0 {
		t.Fatalf("unbudgeted run: exit %d: %s", whole.code, whole.stderr)
	}
	wholePath := strings.TrimSpace(whole.stdout)
	st, _ := os.Stat(wholePath)
	wholeFiles := testkit.ReadZip(t, wholePath)
	if len(wholeFiles["logs/app.log"]) < 100_000 {
		t.Fatalf("logs/app.log has %d bytes: the log did not reach the bundle", len(wholeFiles["logs/app.log"]))
	}

	budget := st.Size() - 1
	r := runE2E(t, e2eEnv(), args(t.TempDir(), "--max-size", strconv.FormatInt(budget, 10))...)
	if r.code != 0 {
		t.Fatalf("budgeted run: exit %d: %s", r.code, r.stderr)
	}
	path := strings.TrimSpace(r.stdout)
	if st, _ := os.Stat(path); st.Size() > budget {
		t.Fatalf("zip is %d bytes, over the budget %d", st.Size(), budget)
	}
	files := testkit.ReadZip(t, path)
	m := checkManifest(t, files)
	if len(m.Trimmed) != 1 || m.Trimmed[0].Name != "logs/app.log" {
		t.Errorf("trimmed = %+v, want only logs/app.log (log excerpts go first)", m.Trimmed)
	}
	for _, name := range []string{"summary.pdf", "ticket.txt", "incidents.csv", "findings.json", "alerts.ndjson"} {
		if !bytes.Equal(files[name], wholeFiles[name]) {
			t.Errorf("%s changed under the budget", name)
		}
	}
	if !strings.Contains(string(files["README.txt"]), "logs/app.log: cut from") {
		t.Errorf("README.txt does not say what was cut:\n%s", files["README.txt"])
	}

	// A budget nothing can meet: the bundle is written whole, one line, exit 3.
	r = runE2E(t, e2eEnv(), args(t.TempDir(), "--max-size", "20kB", "--quiet")...)
	if r.code != exitIncomplete {
		t.Fatalf("impossible budget: exit %d, want 3: %s", r.code, r.stderr)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "over --max-size 20.0 kB") {
		t.Errorf("stderr = %q, want one line saying the bundle is over --max-size", r.stderr)
	}
	if files := testkit.ReadZip(t, strings.TrimSpace(r.stdout)); !bytes.Equal(files["logs/app.log"], wholeFiles["logs/app.log"]) {
		t.Error("a bundle over an impossible budget should be kept whole")
	}
}

func TestE2E_RedactCommandRedactsABundleAgain(t *testing.T) {
	fake, _ := e2eFake(t)
	r := runE2E(t, e2eEnv(), e2eBundleArgs(fake, t.TempDir(), "--no-probe", "--no-status")...)
	if r.code != 0 {
		t.Fatalf("bundle: exit %d: %s", r.code, r.stderr)
	}
	in := strings.TrimSpace(r.stdout)
	before := testkit.ReadZip(t, in)
	if !bytes.Contains(before["alerts.ndjson"], []byte("+14155550100")) && !bytes.Contains(before["alerts.ndjson"], []byte("%2B14155550100")) {
		t.Fatal("the bundle holds no phone number to mask: the test proves nothing")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "masked.zip")
	args := []string{"redact", in, "-o", out, "--force", "--mask-phone-numbers", "--redact", `example-clinic`}
	var first []byte
	for i := 0; i < 2; i++ {
		r := runE2E(t, nil, args...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != out {
			t.Fatalf("redact: exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
		}
		b, _ := os.ReadFile(out)
		if i == 0 {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Error("redacting the same bundle with the same flags twice gave different bytes")
		}
	}
	files := testkit.ReadZip(t, out)
	m := checkManifest(t, files)
	for name, b := range files {
		for _, leak := range []string{"+14155550100", "%2B14155550100", "+819012345678", "example-clinic"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s still holds %q", name, leak)
			}
		}
	}
	if _, ok := files["summary.pdf"]; ok {
		t.Error("summary.pdf, whose text cannot be redacted again, is still in the bundle")
	}
	if !strings.Contains(string(files["README.txt"]), "summary.pdf was left out") || len(m.Trimmed) != 1 {
		t.Errorf("README.txt or the manifest does not say summary.pdf was left out: %+v", m.Trimmed)
	}
	var rep redact.Report
	if err := json.Unmarshal(files["redactions.json"], &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals[redact.RulePhone] == 0 || rep.Totals["user-1"] == 0 {
		t.Errorf("redactions.json totals = %v, want phone numbers and user-1 counted", rep.Totals)
	}

	// A second pass adds its rule after the first pass's and keeps the counts.
	again := filepath.Join(dir, "again.zip")
	if r := runE2E(t, nil, "redact", out, "-o", again, "--redact", `twilio/voice`); r.code != 0 {
		t.Fatalf("second redact: exit %d: %s", r.code, r.stderr)
	}
	var rep2 redact.Report
	json.Unmarshal(testkit.ReadZip(t, again)["redactions.json"], &rep2)
	if rep2.Totals["user-1"] != rep.Totals["user-1"] || rep2.Totals["user-2"] == 0 || rep2.Totals[redact.RulePhone] != rep.Totals[redact.RulePhone] {
		t.Errorf("after a second pass totals = %v, want the first pass's %v plus user-2", rep2.Totals, rep.Totals)
	}
}

// A secret pasted into a flag by mistake comes back in the error line;
// stderr is redacted with the secrets of the environment from the start.
func TestRun_StreamsAreRedacted(t *testing.T) {
	const token = "pastedTOKEN0123456789abcdef012345"
	getenv := func(k string) string {
		return map[string]string{"TWILIO_ACCOUNT_SID": e2eAccount, "TWILIO_AUTH_TOKEN": token}[k]
	}
	var out, errb bytes.Buffer
	code := run([]string{"bundle", "--since", token, "--output", t.TempDir()}, streams{out: &out, err: &errb, getenv: getenv})
	if code != exitUsage {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(errb.String(), token) || !strings.Contains(errb.String(), "[REDACTED:secret]") {
		t.Errorf("stderr = %q, want the token redacted", errb.String())
	}
	// A partial line is written out at the end, redacted too.
	s, flush := redactStreams(streams{out: &out, err: &errb, getenv: getenv})
	fmt.Fprint(s.out, "no newline "+token)
	flush()
	if strings.Contains(out.String(), token) || !strings.HasSuffix(out.String(), "no newline [REDACTED:secret]") {
		t.Errorf("stdout = %q", out.String())
	}
}

// TestRedactStreams_SecretWrittenInPiecesAround64KiB writes a secret to
// stderr in pieces right where a stream that flushed every 64 KiB would have
// cut it: no piece of it may come out.
func TestRedactStreams_SecretWrittenInPiecesAround64KiB(t *testing.T) {
	const secret = "Str3amS3cretValue0000000000000042"
	pieces := []string{secret[:7], secret[7:19], secret[19:]}
	getenv := func(k string) string {
		if k == "TWILIO_AUTH_TOKEN" {
			return secret
		}
		return ""
	}
	for _, fill := range []int{64<<10 - 40, 64<<10 - 16, 64<<10 - 8, 64<<10 - 1, 64 << 10, 64<<10 + 3, 128<<10 - 9} {
		var out, errb bytes.Buffer
		s, closeStreams := redactStreams(streams{out: &out, err: &errb, getenv: getenv})
		io.WriteString(s.err, strings.Repeat("x", fill))
		for _, p := range pieces {
			io.WriteString(s.err, p)
		}
		io.WriteString(s.err, " done\n")
		closeStreams()
		for _, p := range pieces {
			if strings.Contains(errb.String(), p) {
				t.Errorf("filler of %d bytes: stderr holds the piece %q of the secret", fill, p)
			}
		}
		if want := strings.Repeat("x", fill) + "[REDACTED:secret] done\n"; errb.String() != want {
			t.Errorf("filler of %d bytes: stderr ends %q", fill, errb.String()[max(errb.Len()-40, 0):])
		}
	}
}

// redactTestZip writes a bundle zip under its folder: a manifest, then n
// log files of size bytes each, then the extra entries (names as given).
func redactTestZip(t *testing.T, dir, name string, n, size int, extra ...string) string {
	t.Helper()
	folder := strings.TrimSuffix(name, ".zip")
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create(folder + "/manifest.json")
	io.WriteString(w, `{"tool": {"name": "twilio-evidence"}, "files": []}`+"\n")
	line := "2026-11-18T10:00:00Z INFO CA00112233445566778899aabbccddeeff handled in 12 ms\n"
	body := strings.Repeat(line, size/len(line)+1)[:size]
	for i := 0; i < n; i++ {
		w, _ := zw.Create(fmt.Sprintf("%s/logs/app/%05d.log", folder, i))
		io.WriteString(w, body)
	}
	for _, e := range extra {
		w, _ := zw.Create(folder + "/" + e)
		io.WriteString(w, "x\n")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// namesIn lists the names in dir.
func namesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dirNames(entries)
}

func TestE2E_RedactRefusesUnsafeNamesAndItsOwnInput(t *testing.T) {
	cases := []struct {
		name  string
		entry string
		args  func(in, dir string) []string
		want  string
	}{
		{"backslashes", `..\..\x`, nil, "backslash"},
		{"drive letter", `C:\Windows\x`, nil, "backslash"},
		{"drive-relative", `C:x`, nil, "colon"},
		{"newline", "logs/a\nb.log", nil, "control character"},
		{"escape sequence", "logs/\x1b]0;x\x07.log", nil, "control character"},
		{"dot-dot inside", "logs/../../x", nil, `".."`},
		{"output is the input", "", func(in, dir string) []string { return []string{"redact", in, "-o", in} }, "never writes over its input"},
		{"output is the input, forced", "", func(in, dir string) []string { return []string{"redact", in, "-o", in, "--force"} }, "never writes over its input"},
		{"output is a link to the input", "", func(in, dir string) []string {
			link := filepath.Join(dir, "link.zip")
			os.Symlink(in, link)
			return []string{"redact", in, "-o", link, "--force"}
		}, "never writes over its input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			var extra []string
			if c.entry != "" {
				extra = append(extra, c.entry)
			}
			in := redactTestZip(t, dir, "twilio-evidence_AC00000000000000000000000000000001_x.zip", 3, 100, extra...)
			before, _ := os.ReadFile(in)
			args := []string{"redact", in, "-o", filepath.Join(dir, "out.zip")}
			if c.args != nil {
				args = c.args(in, dir)
			}
			wantNames := namesIn(t, dir)
			r := runE2E(t, []string{"TMPDIR=" + tmp}, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line saying %q", r.code, r.stderr, c.want)
			}
			if got := namesIn(t, dir); !reflect.DeepEqual(got, wantNames) {
				t.Errorf("the output directory holds %v, want %v: something was written", got, wantNames)
			}
			if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
				t.Error("the input changed")
			}
			if left := namesIn(t, tmp); len(left) != 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		})
	}
}

// TestE2E_RedactInterrupted sends SIGINT to the built binary while it
// redacts a bundle of many files: once (it stops, exit 130, its staging
// directory and partial zip removed) and twice in a row (it ends at once,
// leaving nothing either).
func TestE2E_RedactInterrupted(t *testing.T) {
	src := t.TempDir()
	in := redactTestZip(t, src, "twilio-evidence_AC00000000000000000000000000000001_x.zip", 20000, 2048)
	for _, signals := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d signals", signals), func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			cmd := e2eCommand.Start(t, testkit.BaseEnv(t, tmp), "redact", in, "-o", filepath.Join(dir, "out.zip"))
			errb := cmd.Stderr
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Interrupt once the staging directory fills.
			deadline := time.After(2 * time.Minute)
		wait:
			for {
				select {
				case err := <-done:
					t.Fatalf("redact ended before it could be interrupted (%v): make the input larger\n%s", err, errb.String())
				case <-deadline:
					cmd.Process.Kill()
					t.Fatal("the staging directory did not fill within 2 minutes")
				case <-time.After(20 * time.Millisecond):
					if stagedFiles(tmp) >= 200 {
						break wait
					}
				}
			}
			cmd.Process.Signal(os.Interrupt)
			if signals == 2 {
				time.Sleep(50 * time.Millisecond)
				cmd.Process.Signal(os.Interrupt)
			}
			// One interrupt finishes the entry at hand; a second one stops
			// at once.
			limit := time.Minute
			if signals == 2 {
				limit = time.Second
			}
			select {
			case <-done:
			case <-time.After(limit):
				cmd.Process.Kill()
				t.Fatalf("redact did not stop within %s of the last interrupt\n%s", limit, errb.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
			}
			if left := namesIn(t, dir); len(left) != 0 {
				t.Errorf("left in the output directory: %v", left)
			}
			if left := namesIn(t, tmp); len(left) != 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		})
	}
}

// stagedFiles counts the files under the staging directories in tmp.
func stagedFiles(tmp string) int {
	n := 0
	filepath.WalkDir(tmp, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestE2E_RedactSecretFileWritesNoSecret redacts a bundle whose log holds
// the values of --secret-file in their plain, URL-encoded and base64 forms:
// none of them is left in any entry — redactions.json included — in an
// entry name, on stdout or on stderr, and redactions.json counts them.
func TestE2E_RedactSecretFileWritesNoSecret(t *testing.T) {
	secrets := []string{"S3cretFromTheFile0000000000000042", "correct-horse-battery-staple-7"}
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secrets.txt")
	os.WriteFile(secretFile, []byte(strings.Join(secrets, "\n")+"\n"), 0o600)
	in := filepath.Join(dir, "twilio-evidence_AC00000000000000000000000000000001_x.zip")
	f, _ := os.Create(in)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("twilio-evidence_AC00000000000000000000000000000001_x/manifest.json")
	io.WriteString(w, `{"tool": {"name": "twilio-evidence"}, "files": []}`+"\n")
	w, _ = zw.Create("twilio-evidence_AC00000000000000000000000000000001_x/logs/app.log")
	for _, s := range secrets {
		for _, form := range forms(s) {
			fmt.Fprintf(w, "2026-11-18T10:00:00Z INFO CA00112233445566778899aabbccddeeff login with %s ok\n", form)
		}
	}
	zw.Close()
	f.Close()

	out := filepath.Join(t.TempDir(), "clean.zip")
	r := runE2E(t, nil, "redact", in, "-o", out, "--secret-file", secretFile)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, out)
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for name, b := range files {
		texts["entry "+name], texts["entry name "+name] = string(b), name
	}
	for where, text := range texts {
		for _, s := range secrets {
			for _, form := range forms(s) {
				if strings.Contains(text, form) {
					t.Errorf("%s holds %q (a form of a --secret-file value)", where, form)
				}
			}
		}
	}
	if !strings.Contains(string(files["logs/app.log"]), "CA00112233445566778899aabbccddeeff login with [REDACTED") {
		t.Errorf("logs/app.log lost what is no secret:\n%s", files["logs/app.log"])
	}
	var rep redact.Report
	if err := json.Unmarshal(files["redactions.json"], &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals[redact.RuleSecret] < 2*len(secrets) {
		t.Errorf("redactions.json totals = %v, want every planted form counted as a secret", rep.Totals)
	}
}
