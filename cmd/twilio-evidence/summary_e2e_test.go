package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// TestE2E_BundleEndsWithTheHeadlineTheCountAndThePath: the last line
// `bundle` writes on stderr is the diagnosis' headline, the number of
// failures and the zip's path, in the bundle's language; stdout is the path
// alone.
func TestE2E_BundleEndsWithTheHeadlineTheCountAndThePath(t *testing.T) {
	for _, c := range []struct{ lang, count, path, paren string }{
		{"en", "%d webhook failures.", "Bundle: ", "("},
		{"ja", "Webhookの失敗%d件。", "バンドル：", "（"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			if c.lang == "ja" {
				needJapaneseFont(t)
			}
			r := runE2E(t, nil, "bundle", "--demo", "--lang", c.lang, "--output", t.TempDir())
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			path := strings.TrimSpace(r.stdout)
			if strings.Contains(path, "\n") || filepath.Ext(path) != ".zip" {
				t.Fatalf("stdout is not the zip's path alone: %q", r.stdout)
			}
			files := testkit.ReadZip(t, path)
			var findings []struct{ Incidents int }
			if err := json.Unmarshal(files["findings.json"], &findings); err != nil {
				t.Fatal(err)
			}
			// README.txt opens with "Diagnosis: HEADLINE (confidence: …)" in
			// the bundle's language.
			first := strings.SplitN(string(files["README.txt"]), "\n", 2)[0]
			headline := strings.SplitN(first, ": ", 2)[1]
			headline = strings.TrimSpace(headline[:strings.LastIndex(headline, c.paren)])
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			for _, want := range []string{"twilio-evidence: " + headline, fmt.Sprintf(c.count, findings[0].Incidents), c.path + path} {
				if !strings.Contains(last, want) {
					t.Errorf("the last line on stderr lacks %q:\n%s", want, last)
				}
			}
			if !strings.HasSuffix(last, path) {
				t.Errorf("the last line does not end with the zip's path: %q", last)
			}
		})
	}
}

// TestE2E_BundleJSONIsTheReportSummary: `bundle --json` prints the summary
// `report --json` prints — the same fields, the diagnosis' cause,
// confidence and headline among them — instead of the path, and stderr
// still ends with the headline.
func TestE2E_BundleJSONIsTheReportSummary(t *testing.T) {
	summaryOf := func(args ...string) (map[string]any, e2eResult) {
		t.Helper()
		r := runE2E(t, nil, args...)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", args[0], r.code, r.stderr)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("%s --json: %v\n%s", args[0], err, r.stdout)
		}
		return m, r
	}
	b, br := summaryOf("bundle", "--demo", "--json", "--output", t.TempDir())
	rep, _ := summaryOf("report", "--demo", "--json", "--output", t.TempDir())
	keys := func(m map[string]any) string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return strings.Join(k, " ")
	}
	if keys(b) != keys(rep) {
		t.Errorf("bundle --json fields\n%s\nreport --json fields\n%s", keys(b), keys(rep))
	}
	for _, f := range []string{"cause", "confidence", "headline"} {
		if s, _ := b[f].(string); s == "" || b[f] != rep[f] {
			t.Errorf("%s: bundle %q, report %q", f, b[f], rep[f])
		}
	}
	hf, _ := b["headline_finding"].(map[string]any)
	if hf == nil || hf["cause"] != b["cause"] || hf["verdict"] != b["headline"] {
		t.Errorf("headline_finding %v does not agree with cause %v and headline %v", hf, b["cause"], b["headline"])
	}
	path, _ := b["path"].(string)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("path %q: %v", path, err)
	}
	if b["exit_code"] != float64(exitOK) || b["incidents"].(float64) == 0 {
		t.Errorf("exit_code %v, incidents %v", b["exit_code"], b["incidents"])
	}
	lines := strings.Split(strings.TrimSpace(br.stderr), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, b["headline"].(string)) || !strings.HasSuffix(last, path) {
		t.Errorf("stderr does not end with the headline and the path: %q", last)
	}
}
