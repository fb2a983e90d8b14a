package collect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCredentialsFromEnv(t *testing.T) {
	const ac = "AC0123456789abcdef0123456789abcdef"
	const sk = "SK0123456789abcdef0123456789abcdef"
	const sub = "ACfedcba9876543210fedcba9876543210"
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("fromfile123\n"), 0o600)
	cases := []struct {
		name      string
		env       map[string]string
		file, sub string
		want      Credentials
		err       string
	}{
		{"auth token", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_AUTH_TOKEN": "tok123"}, "", "", Credentials{ac, ac, "tok123"}, ""},
		{"api key", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_API_KEY": sk, "TWILIO_API_SECRET": "sec"}, "", "", Credentials{ac, sk, "sec"}, ""},
		{"token file", map[string]string{"TWILIO_ACCOUNT_SID": ac}, tokenFile, "", Credentials{ac, ac, "fromfile123"}, ""},
		{"subaccount", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_AUTH_TOKEN": "tok"}, "", sub, Credentials{sub, sub, "tok"}, ""},
		{"nothing", map[string]string{}, "", "", Credentials{}, "no Twilio credentials"},
		{"no account", map[string]string{"TWILIO_AUTH_TOKEN": "tok"}, "", "", Credentials{}, "TWILIO_ACCOUNT_SID is not set"},
		{"bad account", map[string]string{"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok"}, "", "", Credentials{}, "not an account SID"},
		{"key without secret", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_API_KEY": sk}, "", "", Credentials{}, "together"},
		{"token with quotes", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_AUTH_TOKEN": `"tok"`}, "", "", Credentials{}, "other than letters"},
		{"missing token file", map[string]string{"TWILIO_ACCOUNT_SID": ac}, "/nonexistent/token", "", Credentials{}, "--auth-token-file"},
		{"bad subaccount", map[string]string{"TWILIO_ACCOUNT_SID": ac, "TWILIO_AUTH_TOKEN": "tok"}, "", "XX1", Credentials{}, "--account-sid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CredentialsFromEnv(func(k string) string { return c.env[k] }, c.file, c.sub)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				for _, v := range c.env {
					if strings.Contains(err.Error(), "tok") && v == "tok" {
						t.Fatalf("error message shows the secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
