package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"20MB", 20_000_000, false},
		{"20 mb", 20_000_000, false},
		{"500k", 500_000, false},
		{"1.5GiB", 1.5 * (1 << 30), false},
		{"10MiB", 10 << 20, false},
		{"12345", 12345, false},
		{"0", 0, false},
		{"", 0, true},
		{"-1MB", 0, true},
		{"20XB", 0, true},
		{"MB", 0, true},
		{"1e400", 0, true},
	}
	for _, c := range cases {
		got, err := ParseSize(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

// noise is text that deflate cannot shrink much: random hex in lines.
func noise(rng *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "%016x %016x %016x\n", rng.Uint64(), rng.Uint64(), rng.Uint64())
	}
	return b.Bytes()[:n]
}

// testStage stages a bundle: the protected files, logs, alert details.
func testStage(t *testing.T, extra map[string][]byte) *collect.Stage {
	t.Helper()
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	rng := rand.New(rand.NewSource(1))
	var alerts bytes.Buffer
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&alerts, `{"sid":"NO%032x","error_code":"11200","alert_text":"Msg=x","response_body":"%x","request_headers":"%x"}`+"\n", i, noise(rng, 300), noise(rng, 100))
	}
	files := map[string][]byte{
		SummaryFile:            noise(rng, 30_000),
		TicketFile:             []byte("ticket\n"),
		IncidentsFile:          []byte("alert_sid,time\n"),
		FindingsFile:           []byte("[]\n"),
		ReadmeFile:             []byte("README\n"),
		collect.AlertsFile:     alerts.Bytes(),
		"logs/web.log":         noise(rng, 200_000),
		"logs/app.log":         noise(rng, 50_000),
		"logs/twilio/x.json":   noise(rng, 40_000),
		"config/endpoints.csv": noise(rng, 5_000),
		ManifestFile:           []byte("{\n  \"tool\": {\"name\": \"twilio-evidence\"},\n  \"incomplete\": false,\n  \"files\": []\n}\n"),
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, b := range files {
		if err := stage.WriteFile(name, b); err != nil {
			t.Fatal(err)
		}
	}
	return stage
}

var testStamp = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func finishTo(t *testing.T, stage *collect.Stage, opt FinishOptions) (FinishResult, map[string][]byte, map[string]json.RawMessage) {
	t.Helper()
	opt.Stamp = testStamp
	path := filepath.Join(t.TempDir(), "b.zip")
	res, err := Finish(stage, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != res.Size {
		t.Errorf("result says %d bytes, the file has %d", res.Size, st.Size())
	}
	files := testkit.ReadZip(t, path)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(files[ManifestFile], &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, files[ManifestFile])
	}
	// Whatever was cut, the manifest describes the zip exactly.
	var listed []ManifestEntry
	json.Unmarshal(m["files"], &listed)
	seen := map[string]bool{}
	for _, e := range listed {
		seen[e.Name] = true
		sum := sha256.Sum256(files[e.Name])
		if b, ok := files[e.Name]; !ok || int64(len(b)) != e.Bytes || hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Errorf("manifest entry %s does not match the zip", e.Name)
		}
	}
	for name := range files {
		if name != ManifestFile && !seen[name] {
			t.Errorf("manifest does not list %s", name)
		}
	}
	return res, files, m
}

func wholeSize(t *testing.T) int64 {
	res, _, _ := finishTo(t, testStage(t, nil), FinishOptions{})
	return res.Size
}

func TestFinish_BudgetCutsInOrderAndNeverTheProtectedFiles(t *testing.T) {
	whole := wholeSize(t)
	cases := []struct {
		name     string
		budget   int64
		cut      []string // trimmed, in any way
		kept     []string // byte for byte as staged
		noDetail bool     // alerts.ndjson without details
	}{
		{"fits: nothing cut", whole, nil, []string{"logs/web.log", "logs/app.log", collect.AlertsFile}, false},
		{"one byte over: the logs are cut first", whole - 1, []string{"logs/web.log"}, []string{"logs/twilio/x.json", collect.AlertsFile}, false},
		{"logs not enough: alert details go", whole - 150_000, []string{"logs/web.log", "logs/app.log", collect.AlertsFile}, []string{"logs/twilio/x.json"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stage := testStage(t, nil)
			orig := map[string][]byte{}
			for _, n := range stage.Files() {
				orig[n], _ = os.ReadFile(filepath.Join(stage.Dir, n))
			}
			res, files, m := finishTo(t, stage, FinishOptions{MaxSize: c.budget})
			if res.OverBudget || res.Size > c.budget {
				t.Fatalf("size %d, over %v; budget %d", res.Size, res.OverBudget, c.budget)
			}
			for _, p := range []string{SummaryFile, TicketFile, IncidentsFile, FindingsFile} {
				if !bytes.Equal(files[p], orig[p]) {
					t.Errorf("protected %s changed", p)
				}
			}
			for _, k := range c.kept {
				if !bytes.Equal(files[k], orig[k]) {
					t.Errorf("%s was cut, want it whole", k)
				}
			}
			var trimmed []Trim
			json.Unmarshal(m["trimmed"], &trimmed)
			cut := map[string]bool{}
			for _, tr := range trimmed {
				cut[tr.Name] = true
				if !strings.Contains(string(files[ReadmeFile]), tr.Name) {
					t.Errorf("README.txt does not say %s was cut", tr.Name)
				}
			}
			for _, n := range c.cut {
				if !cut[n] {
					t.Errorf("manifest trimmed = %s, want %s in it", m["trimmed"], n)
				}
			}
			if len(c.cut) == 0 && len(trimmed) > 0 {
				t.Errorf("cut %v though the bundle fits", trimmed)
			}
			details := bytes.Contains(files[collect.AlertsFile], []byte(`"response_body"`))
			if c.noDetail && (details || !bytes.Contains(files[collect.AlertsFile], []byte(`"sid":"NO`))) {
				t.Errorf("alerts.ndjson should keep the alerts without their details")
			}
		})
	}
}

func TestFinish_BudgetThatCannotBeMetKeepsTheBundleWhole(t *testing.T) {
	stage := testStage(t, nil)
	web, _ := os.ReadFile(filepath.Join(stage.Dir, "logs/web.log"))
	res, files, m := finishTo(t, stage, FinishOptions{MaxSize: 10_000})
	if !res.OverBudget || res.Smallest <= 10_000 || !bytes.Equal(files["logs/web.log"], web) {
		t.Fatalf("result %+v, want over budget, written whole, smallest above the budget", res)
	}
	if _, ok := m["trimmed"]; ok {
		t.Errorf("trimmed listed though nothing was cut: %s", m["trimmed"])
	}
	if !strings.Contains(string(files[ReadmeFile]), "over --max-size") {
		t.Errorf("README.txt does not say the bundle is over budget:\n%s", files[ReadmeFile])
	}
}

func TestFinish_SameStageGivesSameBytes(t *testing.T) {
	var zips [][]byte
	for i := 0; i < 2; i++ {
		stage := testStage(t, nil)
		path := filepath.Join(t.TempDir(), "b.zip")
		if _, err := Finish(stage, path, FinishOptions{MaxSize: 200_000, Stamp: testStamp}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		zips = append(zips, b)
	}
	if !bytes.Equal(zips[0], zips[1]) {
		t.Error("two finishes of the same stage differ")
	}
}

func TestFinish_RedactsNamesAndCountsPerFile(t *testing.T) {
	const secret = "s3cretTOKENvalue0123456789abcdef"
	r, err := redact.New(redact.Options{Secrets: []string{secret}})
	if err != nil {
		t.Fatal(err)
	}
	stage := testStage(t, nil)
	stage.Filter = func(name string, w io.Writer) io.WriteCloser { return r.Writer(name, w) }
	if err := stage.WriteFile("logs/dump-"+secret+".log", []byte("token="+secret+"\n")); err != nil {
		t.Fatal(err)
	}
	if err := stage.WriteFile(collect.AlertsFile+".list", []byte(secret+"\n")); err != nil {
		t.Fatal(err)
	}
	stage.Delete(collect.AlertsFile + ".list")
	prior := redact.Report{Rules: []redact.ReportRule{{Name: "secret"}}, Files: map[string]map[string]int{"ticket.txt": {"secret": 2}}}
	_, files, m := finishTo(t, stage, FinishOptions{Redactor: r, PriorReport: &prior})
	for name, b := range files {
		if strings.Contains(name, secret) || bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret", name)
		}
	}
	if _, ok := files["logs/dump-[REDACTED:secret].log"]; !ok {
		t.Errorf("the entry's name was not redacted: %v", keys(files))
	}
	var rep redact.Report
	if err := json.Unmarshal(files[RedactionsFile], &rep); err != nil {
		t.Fatal(err)
	}
	if got := rep.Files["logs/dump-[REDACTED:secret].log"]["secret"]; got != 1 {
		t.Errorf("report counts %d secrets in the log, want 1:\n%s", got, files[RedactionsFile])
	}
	if got := rep.Files[collect.AlertsFile]["secret"]; got != 1 {
		t.Errorf("the intermediate alerts.ndjson.list should count toward alerts.ndjson: %v", rep.Files)
	}
	if rep.Files["ticket.txt"]["secret"] != 2 || rep.Totals["secret"] != 4 {
		t.Errorf("the earlier report's counts were not kept: %+v", rep)
	}
	if string(m["redactions"]) != `"redactions.json"` {
		t.Errorf("manifest does not point at redactions.json: %s", m["redactions"])
	}
}

func TestFinish_InterruptedBundleSaysSo(t *testing.T) {
	_, files, m := finishTo(t, testStage(t, nil), FinishOptions{Interrupted: true})
	if string(m["interrupted"]) != "true" || string(m["incomplete"]) != "true" {
		t.Errorf("manifest interrupted=%s incomplete=%s", m["interrupted"], m["incomplete"])
	}
	if !strings.Contains(string(files[ReadmeFile]), "INTERRUPTED") {
		t.Error("README.txt does not say the run was interrupted")
	}
}

func TestPartials_AbortRemovesTemporaryFilesAndStopsRenames(t *testing.T) {
	dir := t.TempDir()
	var p Partials
	f, err := p.CreateTemp(dir, "x-*.part")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	stageDir := filepath.Join(dir, "stage")
	os.Mkdir(stageDir, 0o700)
	p.TrackDir(stageDir)
	p.Abort()
	if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
	if _, err := os.Stat(stageDir); !os.IsNotExist(err) {
		t.Errorf("staging directory left: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Rename(f.Name(), filepath.Join(dir, "final.zip")) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Rename after Abort succeeded")
		}
	case <-time.After(100 * time.Millisecond):
		// Blocked until the process exits: nothing reaches the final path.
	}
	if _, err := os.Stat(filepath.Join(dir, "final.zip")); !os.IsNotExist(err) {
		t.Errorf("a file reached the final path after Abort")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
