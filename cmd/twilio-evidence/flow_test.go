package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func runCapture(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, streams{out: &out, err: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestFlow_PrefilledFromTheDemoConfiguration(t *testing.T) {
	cases := []struct {
		lang  string
		wants []string
	}{
		{"en", []string{"# Call and message flow", "### +1415555010{0–2,4,5} (5 numbers)", "### +14155550103", "Calls are answered by: our web server",
			"URL: POST https://ivr.example-clinic.com/twilio/voice", "TwiML App AP", "Messaging Service MG", "Fallback URL: none", "[[TODO:"}},
		{"ja", []string{"# 通話・メッセージのフロー", "### +1415555010{0–2,4,5}（5番号）", "着信（音声）に応答するもの: 自社のWebサーバー",
			"TwiMLアプリ AP", "Messaging Service MG", "フォールバックURL: なし", "[[TODO:"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			code, out, errs := runCapture("flow", "--demo", "--lang", c.lang)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range c.wants {
				if !strings.Contains(out, w) {
					t.Errorf("flow output lacks %q", w)
				}
			}
		})
	}
}

func TestFlow_BadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown language", []string{"flow", "--demo", "--lang", "fr"}, exitUsage, `--lang "fr"`},
		{"no credentials", []string{"flow"}, exitEnv, "TWILIO_ACCOUNT_SID"},
		{"bundle: unknown language", []string{"bundle", "--demo", "--lang", "de", "-o", os.TempDir()}, exitUsage, `--lang "de"`},
		{"bundle: missing font file", []string{"bundle", "--demo", "--font", "/nonexistent/font.ttf", "-o", os.TempDir()}, exitUsage, "--font /nonexistent/font.ttf"},
		{"bundle: missing flow file", []string{"bundle", "--demo", "--flow", "/nonexistent/flow.md", "-o", os.TempDir()}, exitUsage, "--flow /nonexistent/flow.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCapture(c.args...)
			if code != c.code || !strings.Contains(errs, c.msg) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, errs, c.code, c.msg)
			}
		})
	}
}
