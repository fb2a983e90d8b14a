package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// englishRun is a run of four or more English words: a sentence, or part
// of one, that the Japanese catalog should have said.
var englishRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’]*(?:[ ,;:–—-]+[A-Za-z][A-Za-z'’]*){3,}`)

// data is what a Japanese bundle quotes as it is: URLs, file paths, log
// lines after "…のログ：", text in 「」 (status incident names, figures), the
// account's and its services' names, and command lines.
var data = []*regexp.Regexp{
	regexp.MustCompile(`https?://\S+`),
	regexp.MustCompile(`のログ：.*?(\[logs/\S+\]|$)`),
	regexp.MustCompile(`「[^」]*」`),
	regexp.MustCompile(`twilio-evidence [a-z]+( --?[a-z-]+(=\S+| [^ -]\S*)?)*`),
	regexp.MustCompile(`Example Clinic \(demo\)|Appointment reminders|Front desk|TwiML Bin|Messaging Service|Twilio Functions|Studio Flow`),
}

// englishIn returns the English runs of text, data taken out (quoted data
// may wrap onto the next line of the PDF).
func englishIn(text string) []string {
	var out []string
	text = data[2].ReplaceAllString(text, " ")
	for _, line := range strings.Split(text, "\n") {
		for _, re := range data {
			line = re.ReplaceAllString(line, " ")
		}
		out = append(out, englishRun.FindAllString(line, -1)...)
	}
	return out
}

// TestE2E_JapaneseDemoSaysTheDiagnosisInJapanese: a --lang ja bundle of the
// demo (probes, hop logs, Twilio's status and all) has no English sentence
// in README.txt, ticket.txt, or the diagnosis box and the isolation result
// of summary.pdf; its findings.json verdict carries the cause and fix.
func TestE2E_JapaneseDemoSaysTheDiagnosisInJapanese(t *testing.T) {
	if _, err := pdfdoc.New(pdfdoc.Options{RequireCJK: true}); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no Japanese font: %v", err)
		}
		t.Fatalf("no Japanese font, and CI is set: %v", err)
	}
	r := runE2E(t, nil, "bundle", "--demo", "--lang", "ja", "--output", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	files := testkit.ReadZip(t, strings.TrimSpace(r.stdout))
	for _, name := range []string{"README.txt", "ticket.txt"} {
		text := string(files[name])
		if !strings.HasPrefix(text, "診断: ") {
			t.Errorf("%s does not open with the diagnosis:\n%.300s", name, text)
		}
		if en := englishIn(text); len(en) > 0 {
			t.Errorf("%s has English: %q", name, en)
		}
	}
	text := testkit.PDFText(t, files["summary.pdf"], "-layout")
	page1 := strings.SplitN(text, "\f", 2)[0]
	box := between(t, page1, "対象期間", "2. 影響を受けた")
	result := between(t, text, "4. 切り分け結果", "5. フローの説明")
	for name, part := range map[string]string{"the diagnosis box": box, "the isolation result": result} {
		if en := englishIn(part); len(en) > 0 {
			t.Errorf("%s has English: %q\n%s", name, en, part)
		}
	}

	var findings []struct {
		ID, Verdict, Cause, Fix, Confidence string
		Explained, Incidents                int
	}
	if err := json.Unmarshal(files["findings.json"], &findings); err != nil {
		t.Fatal(err)
	}
	v := findings[0]
	if v.ID != "verdict" || v.Cause == "" || v.Fix == "" || v.Confidence == "" || v.Explained == 0 || v.Incidents < v.Explained {
		t.Errorf("verdict finding %+v", v)
	}
	if line := strings.TrimSpace(r.stderr[strings.LastIndex(strings.TrimSpace(r.stderr), "\n")+1:]); !strings.Contains(line, "バンドル：") || !strings.Contains(line, "件") {
		t.Errorf("stderr does not end with the diagnosis in Japanese: %q", line)
	}
}

func TestEnglishIn_FindsSentencesNotData(t *testing.T) {
	for text, want := range map[string]int{
		"https://ivr.example-clinic.com/twilio/voiceのアプリケーションがHTTP 503を返しています。":                          0,
		"firewallのログ：2026-11-27T17:02:02 clinic-fw kernel: ACCEPT: IN=eth0 OUT=eth1 [logs/firewall.log]": 0,
		"Twilioのステータスページが「Delays in inbound webhook delivery」を報告しています":                                   0,
		"- ［失敗］ https://x/voice failed 1 of 3 probes: failures now and then point at server load":        1,
		"The application at https://x answers HTTP 500.":                                                 1,
	} {
		if got := len(englishIn(text)); got != want {
			t.Errorf("englishIn(%q) = %q, want %d", text, englishIn(text), want)
		}
	}
}

// between returns the part of text from the first from to the first to
// after it, and fails the test when either is missing.
func between(t *testing.T, text, from, to string) string {
	t.Helper()
	i := strings.Index(text, from)
	if i < 0 {
		t.Fatalf("no %q in:\n%.2000s", from, text)
	}
	j := strings.Index(text[i:], to)
	if j < 0 {
		t.Fatalf("no %q after %q in:\n%.2000s", to, from, text[i:])
	}
	return text[i : i+j]
}
