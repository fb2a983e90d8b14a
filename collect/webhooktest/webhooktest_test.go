package webhooktest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestServers_AnswerAsDocumented(t *testing.T) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name   string
		h      http.Handler
		status int
		check  func(t *testing.T, resp *http.Response, body []byte)
	}{
		{"twiml", TwiML(), 200, func(t *testing.T, resp *http.Response, body []byte) {
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") || string(body) != TwiMLBody {
				t.Errorf("%s %q", resp.Header.Get("Content-Type"), body)
			}
		}},
		{"status", Status(503), 503, nil},
		{"allow only POST", AllowOnly(http.MethodPost), 405, func(t *testing.T, resp *http.Response, _ []byte) {
			if resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
		}},
		{"basic auth", BasicAuth("u", "p"), 401, nil},
		{"no content type", NoContentType(), 200, func(t *testing.T, resp *http.Response, _ []byte) {
			if ct, ok := resp.Header["Content-Type"]; ok {
				t.Errorf("Content-Type %q", ct)
			}
		}},
		{"large body", LargeBody(70_000), 200, func(t *testing.T, _ *http.Response, body []byte) {
			if len(body) != 70_000 {
				t.Errorf("%d bytes", len(body))
			}
		}},
		{"308", Redirect(308, "/next"), 308, func(t *testing.T, resp *http.Response, _ []byte) {
			if resp.Header.Get("Location") != "/next" {
				t.Errorf("Location %q", resp.Header.Get("Location"))
			}
		}},
		{"redirect loop", RedirectLoop(), 302, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, tc.h)
			resp, body, err := get(t, noFollow, s.URL+"/loop/a")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || s.Requests() != 1 {
				t.Errorf("status %d after %d requests, want %d after 1", resp.StatusCode, s.Requests(), tc.status)
			}
			if tc.check != nil {
				tc.check(t, resp, body)
			}
		})
	}
}

func TestServers_BreakTheConnectionAsDocumented(t *testing.T) {
	if _, _, err := get(t, http.DefaultClient, Start(t, ClosedMidBody()).URL); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("closed mid-body: %v, want an unexpected EOF", err)
	}
	if _, _, err := get(t, http.DefaultClient, RefusedURL(t)); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("refused: %v", err)
	}
	if _, _, err := get(t, http.DefaultClient, StartRaw(t, "not HTTP\r\n\r\n").URL); err == nil {
		t.Error("raw: no error")
	}
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, _, err := get(t, c, Start(t, Slow(time.Minute)).URL); err == nil {
		t.Error("slow: answered within 100 ms")
	}
}

// TestPKI_ChainsAreWhatTheirNamesSay: a full chain verifies against the
// root; the leaf alone does not, until the intermediate its AIA URL hands
// out is added; an expired one, one for another name and a self-signed
// one fail for those reasons.
func TestPKI_ChainsAreWhatTheirNamesSay(t *testing.T) {
	pki := NewPKI(t)
	year := time.Now().Add(365 * 24 * time.Hour)
	verify := func(c tls.Certificate, name string, extra ...*x509.Certificate) error {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		inter := x509.NewCertPool()
		for _, der := range c.Certificate[1:] {
			ic, _ := x509.ParseCertificate(der)
			inter.AddCert(ic)
		}
		for _, e := range extra {
			inter.AddCert(e)
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: pki.Pool(), Intermediates: inter, DNSName: name})
		return err
	}
	if err := verify(pki.Leaf(t, year, "127.0.0.1"), "127.0.0.1"); err != nil {
		t.Errorf("full chain: %v", err)
	}
	alone := pki.LeafAlone(t, year, "127.0.0.1")
	var ua x509.UnknownAuthorityError
	if err := verify(alone, "127.0.0.1"); !errors.As(err, &ua) {
		t.Errorf("leaf alone: %v, want an unknown authority", err)
	}
	if alone.Leaf.IssuingCertificateURL[0] != pki.IssuerURL {
		t.Errorf("AIA %v, want %s", alone.Leaf.IssuingCertificateURL, pki.IssuerURL)
	}
	_, der, err := get(t, http.DefaultClient, pki.IssuerURL)
	if err != nil {
		t.Fatal(err)
	}
	fetched, err := x509.ParseCertificate(der)
	if err != nil || verify(alone, "127.0.0.1", fetched) != nil {
		t.Errorf("the intermediate from %s does not complete the chain: %v", pki.IssuerURL, err)
	}
	var ci x509.CertificateInvalidError
	if err := verify(pki.Leaf(t, time.Now().Add(-time.Hour), "127.0.0.1"), "127.0.0.1"); !errors.As(err, &ci) || ci.Reason != x509.Expired {
		t.Errorf("expired: %v", err)
	}
	var he x509.HostnameError
	if err := verify(pki.Leaf(t, year, "webhook.example.com"), "127.0.0.1"); !errors.As(err, &he) {
		t.Errorf("other name: %v", err)
	}
	if err := verify(SelfSigned(t, "127.0.0.1"), "127.0.0.1"); !errors.As(err, &ua) {
		t.Errorf("self-signed: %v", err)
	}
	// The HTTPS server presents the chain it was given.
	s := StartTLS(t, pki.Leaf(t, year, "127.0.0.1"), TwiML())
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.Pool()}}}
	if resp, _, err := get(t, c, s.URL); err != nil || resp.StatusCode != 200 || len(resp.TLS.PeerCertificates) != 2 {
		t.Errorf("https: %v", err)
	}
}
