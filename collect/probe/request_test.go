package probe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/twilio-evidence/twilio-evidence/collect/webhooktest"
)

func TestProbe_PlainGetRefusedByTheApplicationCountsAsReachable(t *testing.T) {
	tests := []struct {
		name   string
		status int
		style  string
		ok     bool
		class  ErrorClass
	}{
		{name: "405 to a plain GET", status: http.StatusMethodNotAllowed, style: StyleGet, ok: true},
		{name: "403 to a plain GET (signature validation)", status: http.StatusForbidden, style: StyleGet, ok: true},
		{name: "404 to a plain GET is a wrong URL", status: http.StatusNotFound, style: StyleGet, class: ClassHTTPStatus},
		{name: "403 to Twilio's signed request", status: http.StatusForbidden, style: StyleTwilio, class: ClassHTTPStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := webhooktest.Start(t, webhooktest.Status(tc.status))
			p := mustProber(t, Options{Style: tc.style, AuthToken: "token", AllowPrivate: true})
			a := p.Probe(context.Background(), mustTarget(t, s.URL+"/voice"), Via{})
			if a.OK != tc.ok || a.ErrorClass != tc.class || a.Status != tc.status {
				t.Errorf("ok=%v class=%q status=%d (%s), want ok=%v class=%q", a.OK, a.ErrorClass, a.Status, a.Error, tc.ok, tc.class)
			}
			if tc.ok && (len(a.Notes) == 0 || !strings.Contains(a.Notes[len(a.Notes)-1], "--style twilio")) {
				t.Errorf("notes = %v, want the refused-GET note", a.Notes)
			}
		})
	}
}

func TestProbe_CredentialsInTheURLAreSentAsBasicAuth(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.BasicAuth("twilio", "s3cret"))
	p := mustProber(t, Options{AllowPrivate: true})
	raw := strings.Replace(s.URL, "http://", "http://twilio:s3cret@", 1) + "/voice"
	a := p.Probe(context.Background(), mustTarget(t, raw), Via{})
	if !a.OK {
		t.Fatalf("attempt failed: %s", a.Error)
	}
	if strings.Contains(a.Target, "s3cret") {
		t.Errorf("target %q carries the password", a.Target)
	}
}

func TestProbe_DialReplacesTheNetwork(t *testing.T) {
	s := webhooktest.Start(t, webhooktest.TwiML())
	local := strings.TrimPrefix(s.URL, "http://")
	var dialed []string
	p := mustProber(t, Options{
		Resolver: mapResolver{"webhook.test": {"192.0.2.7"}},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed = append(dialed, addr)
			if addr != "192.0.2.7:80" {
				return nil, errors.New("unexpected address")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, local)
		},
	})
	a := p.Probe(context.Background(), mustTarget(t, "http://webhook.test/voice"), Via{})
	if !a.OK {
		t.Fatalf("attempt failed: %s", a.Error)
	}
	if len(dialed) != 1 || dialed[0] != "192.0.2.7:80" {
		t.Errorf("dialed %v, want the resolved address with the URL's port", dialed)
	}
}
