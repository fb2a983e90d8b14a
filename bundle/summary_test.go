package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/internal/needtool"
	"github.com/twilio-evidence/twilio-evidence/internal/testkit"
)

// needJapaneseFont skips the test (or fails it under CI) without a
// Japanese font.
func needJapaneseFont(t *testing.T) {
	t.Helper()
	_, err := pdfdoc.FindCJKFont()
	needtool.Need(t, needtool.JapaneseFont, err)
}

const acct = "AC0123456789abcdef0123456789abcdef"

var testWindow = collect.Window{
	From: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
}

// incidents makes n incidents of one error code and HTTP status.
func incidents(n int, code string, status int) []collect.Incident {
	out := make([]collect.Incident, n)
	for i := range out {
		out[i] = collect.Incident{
			AlertSID: fmt.Sprintf("NO%032x", i), Time: testWindow.From.Add(time.Duration(i) * time.Hour),
			ErrorCode: code, HTTPStatus: status, ResourceSID: fmt.Sprintf("CA%032x", i), Kind: collect.KindCall,
			Method: "POST", URL: "https://ivr.example.com/voice",
		}
	}
	return out
}

// sampleEvidence is a week with failures of several kinds, a configuration
// with one number lacking a fallback, usage totals and one collector that
// failed (so the bundle is incomplete).
func sampleEvidence() *collect.Evidence {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	w := testWindow
	w.Location = tokyo
	ev := &collect.Evidence{
		Tool: collect.Tool{Name: "twilio-evidence", Version: "v0.3.0"}, CommandLine: []string{"twilio-evidence", "bundle", "--since", "7d"},
		GeneratedAt: w.To.Add(5 * time.Minute), Window: w,
		Account: collect.Account{SID: acct, FriendlyName: "Example Clinic", Type: "Full", Status: "active"},
		Collectors: []collect.CollectorStatus{{Name: "account", State: collect.StateOK}, {Name: "alerts", State: collect.StateOK},
			{Name: "config", State: collect.StateOK}, {Name: "usage", State: collect.StateError, Reason: "HTTP 500 from Usage Records"}},
		Endpoints: []collect.Endpoint{
			{OwnerKind: collect.OwnerNumber, OwnerSID: "PN" + strings.Repeat("1", 32), OwnerName: "+14155550100", Channel: collect.ChannelVoice,
				URL: "https://ivr.example.com/voice", Method: "POST", StatusCallback: "https://ivr.example.com/status", StatusCallbackMethod: "POST", Effective: true},
			{OwnerKind: collect.OwnerNumber, OwnerSID: "PN" + strings.Repeat("1", 32), OwnerName: "+14155550100", Channel: collect.ChannelSMS,
				HandledBy: "MG" + strings.Repeat("2", 32)},
			{OwnerKind: collect.OwnerMessagingService, OwnerSID: "MG" + strings.Repeat("2", 32), OwnerName: "Reminders", Channel: collect.ChannelSMS,
				URL: "https://webhooks.twilio.com/v1/Accounts/" + acct + "/Flows/FW" + strings.Repeat("3", 32), Method: "POST",
				FallbackURL: "https://handler.twilio.com/twiml/EH" + strings.Repeat("4", 32), FallbackMethod: "POST", Effective: true},
		},
	}
	ev.Incidents = append(ev.Incidents, incidents(30, "11217", 500)...)
	ev.Incidents = append(ev.Incidents, incidents(5, "12300", 200)...)
	return ev
}

// writeBundle writes a bundle of ev into a temporary directory and returns
// its files by name.
func writeBundle(t *testing.T, ev *collect.Evidence, opt Options) map[string][]byte {
	t.Helper()
	stage, err := collect.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stage.Remove() })
	opt.Dir = t.TempDir()
	path, err := Write(ev, analysis.Analyze(ev), stage, opt)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return testkit.ReadZip(t, path)
}

// inOrder checks that each of wants appears in text after the previous one.
func inOrder(t *testing.T, text string, wants ...string) {
	t.Helper()
	pos := 0
	for _, w := range wants {
		i := strings.Index(text[pos:], w)
		if i < 0 {
			t.Errorf("%q not found after position %d (or not at all: %v)", w, pos, strings.Contains(text, w))
			continue
		}
		pos += i + len(w)
	}
}

// flat drops all white space (line breaks, form feeds, spaces), so that
// wrapped sentences can be searched whole: compare flat with flat.
func flat(s string) string { return strings.Join(strings.Fields(s), "") }

func TestSummaryPDF_EnglishSectionsInOrder(t *testing.T) {
	files := writeBundle(t, sampleEvidence(), Options{Reproducible: true})
	text := testkit.PDFText(t, files[SummaryFile])
	inOrder(t, text, "INCOMPLETE", "Account SID", acct, "The application at", "2. Affected calls and messages", "CallSid / MessageSid",
		"3. Frequency and trend", "Incidents by weekday and hour of day", "4. Isolation result", "Step 1",
		"5. Flow description", "Flow description not given.", "6. Attached files", "incidents.csv", "Appendix", "Probes", "Hop trace", "Webhook configuration", "Collector status")
	f := flat(text)
	for _, want := range []string{
		"The application at https://ivr.example.com/voice answers HTTP 500. 30 of 35 failures since 2026-11-18 09:00 JST (step 1).",
		"full list is in incidents.csv",
		"(Asia/Tokyo)", "(UTC)", "v0.3.0", "page 1 /",
		"Not collected: no access log of the application was given.",
		"Answer https://ivr.example.com/voice with Content-Type text/xml",
	} {
		if !strings.Contains(f, flat(want)) {
			t.Errorf("summary.pdf lacks %q", want)
		}
	}
	// What the customer should do before sending is said on the terminal
	// and in README.txt, not to support.
	for _, not := range []string{"[[TODO", "--flow", "--hop", "run again", "ticket unnecessary"} {
		if strings.Contains(f, flat(not)) {
			t.Errorf("summary.pdf says %q", not)
		}
	}
}

const flowJA = "# 通話の流れ\n\n着信するとIVRで用件を選んでもらいます。営業時間外は留守番電話に転送し、録音を「ボイスメール」フォルダに保存します。\n\n- ロードバランサー: AWS ALB → nginx → アプリケーション\n"

func TestSummaryPDF_JapaneseWithCustomerFlow(t *testing.T) {
	needJapaneseFont(t)
	files := writeBundle(t, sampleEvidence(), Options{Reproducible: true, Lang: "ja", Flow: []byte(flowJA)})
	text := testkit.PDFText(t, files[SummaryFile])
	inOrder(t, text, "不完全", "アカウントSID", acct, "2. 影響を受けた通話・メッセージ", "3. 発生頻度と傾向",
		"4. 切り分け結果", "推奨する対応", "5. フローの説明", "6. 添付ファイル", "付録", "収集処理の状態")
	f := flat(text)
	for _, want := range []string{
		"着信するとIVRで用件を選んでもらいます。営業時間外は留守番電話に転送し、録音を「ボイスメール」フォルダに保存します。",
		"https://ivr.example.com/voiceのアプリケーションがHTTP 500を返しています。失敗35件中30件、2026-11-18 09:00 JSTから（手順1）。",
		"https://ivr.example.com/voiceの応答にTwiML用のContent-Type text/xml",
	} {
		if !strings.Contains(f, flat(want)) {
			t.Errorf("summary.pdf lacks %q", want)
		}
	}
	if strings.Contains(f, "[[TODO") {
		t.Error("the customer's flow has no blanks, yet blanks are flagged")
	}
	if !bytes.Equal(files[FlowFile], []byte(flowJA)) {
		t.Errorf("flow.md is not the customer's file:\n%s", files[FlowFile])
	}
	for _, name := range []string{TicketFile, ReadmeFile} {
		if !strings.HasPrefix(string(files[name]), "診断: https://ivr.example.com/voiceのアプリケーションがHTTP 500を返しています。") {
			t.Errorf("%s is not in Japanese:\n%s", name, files[name])
		}
	}
}

func TestSummaryPDF_JapaneseWithoutFontIsAClearError(t *testing.T) {
	ev := sampleEvidence()
	r, err := NewReport(ev, analysis.Analyze(ev), "ja", nil, "x.zip")
	if err != nil {
		t.Fatal(err)
	}
	err = writeSummaryPDF(io.Discard, r, PDFOptions{CJKFontPaths: []string{}})
	if !errors.Is(err, pdfdoc.ErrNoCJKFont) || !strings.Contains(err.Error(), "apt install fonts-ipaexfont-gothic") || !strings.Contains(err.Error(), "--font") {
		t.Fatalf("got %v, want ErrNoCJKFont naming the package and --font", err)
	}
}

func TestTicket_FieldsInSupportOrder(t *testing.T) {
	files := writeBundle(t, sampleEvidence(), Options{Reproducible: true})
	ticket := string(files[TicketFile])
	inOrder(t, ticket, "Subject: Webhook failures (11217, 12300) on "+acct, "Priority (suggested): ", "Category: ",
		"Account SID: "+acct, "Description:", "Window: ", "2. Affected calls and messages", "3. Frequency and trend",
		"5. Flow description", "Flow description not given.", "Attached: twilio-evidence_"+acct, "incidents.csv — ")
	readme := string(files[ReadmeFile])
	inOrder(t, readme, "Result", "The application at https://ivr.example.com/voice answers HTTP 500.", "Files", "flow.md")
	for name, text := range map[string]string{TicketFile: ticket, ReadmeFile: readme} {
		if first := strings.SplitN(text, "\n", 2)[0]; !strings.HasPrefix(first, "Diagnosis: The application at https://ivr.example.com/voice answers HTTP 500. 30 of 35 failures") {
			t.Errorf("%s does not open with the diagnosis: %q", name, first)
		}
	}
	var result []string
	for _, l := range strings.Split(strings.SplitN(strings.SplitN(readme, "Result\n------\n", 2)[1], "\n\n", 2)[0], "\n") {
		if l != "" {
			result = append(result, l)
		}
	}
	if len(result) == 0 || len(result) > 5 {
		t.Errorf("README result has %d lines, want 1 to 5: %q", len(result), result)
	}
}

// TestSummaryPDF_Page1Image renders page 1 of the demo bundle to PNG (the
// README's images come from the binary's demo: see read_e2e_test.go).
func TestSummaryPDF_Page1Image(t *testing.T) {
	w := collect.Window{From: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	w.Location, _ = time.LoadLocation("Asia/Tokyo")
	ev := testkit.Demo(t, w, nil, collect.AccountInfo{}, collect.Alerts{MaxDetails: 20}, collect.Config{}, collect.Usage{})
	ev.CommandLine = []string{"twilio-evidence", "bundle", "--demo"}
	r, err := NewReport(ev, analysis.Analyze(ev), "en", nil, "demo.zip")
	if err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	if err := writeSummaryPDF(&pdf, r, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	png := testkit.PDFPage1(t, pdf.Bytes(), 80)
	if len(png) < 10_000 {
		t.Errorf("page 1 image is only %d bytes: blank page?", len(png))
	}
}
