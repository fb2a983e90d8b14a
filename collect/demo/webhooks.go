package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// Addresses the demo's webhook hosts resolve to: documentation addresses
// (RFC 5737) that no real server answers on, served here by local servers.
const (
	VoiceAddr = "203.0.113.80"
	SMSAddr   = "198.51.100.25"
)

// webhookServer is one of the demo's webhook servers: an HTTPS server on
// 127.0.0.1 that stands for host at addr:443.
type webhookServer struct {
	host, addr string
	srv        *http.Server
	local      string // 127.0.0.1:port
}

// startWebhooks starts the demo's webhook servers — the voice host answers
// 502 to one request in three on each path (an overloaded application
// behind its proxy), the SMS host is healthy — and fills d.Probe with what a
// prober needs to reach them: a resolver that knows only the demo hosts, a
// dialer that routes their addresses to the local servers and refuses every
// other one, the demo's certificate authority and no proxy. The demo's
// probes never touch the network.
func (d *Demo) startWebhooks() error {
	ca, caKey, err := newDemoCA()
	if err != nil {
		return err
	}
	servers := map[string]*webhookServer{} // addr:443 → server
	names := map[string]string{}           // host → addr
	for _, s := range []struct {
		host, addr string
		h          http.Handler
	}{
		{faketwilio.DemoVoiceHost, VoiceAddr, flaky(3)},
		{faketwilio.DemoSMSHost, SMSAddr, http.HandlerFunc(twiml)},
	} {
		cert, err := demoLeaf(ca, caKey, s.host)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("demo webhook server %s: %w", s.host, err)
		}
		srv := &http.Server{
			Handler:           s.h,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
			ReadHeaderTimeout: 5 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
		go func() { _ = srv.ServeTLS(ln, "", "") }()
		d.closers = append(d.closers, func() { _ = srv.Close() })
		ws := &webhookServer{host: s.host, addr: s.addr, srv: srv, local: ln.Addr().String()}
		servers[net.JoinHostPort(s.addr, "443")] = ws
		names[s.host] = s.addr
	}
	d.Probe = probe.Options{
		Resolver:   demoResolver(names),
		Dial:       demoDialer(servers),
		ExtraRoots: []*x509.Certificate{ca},
		Proxy:      func(*http.Request) (*url.URL, error) { return nil, nil },
	}
	return nil
}

// flaky answers like a healthy webhook except for every n-th request on
// each path, which gets the 502 an nginx in front of a stalled application
// gives.
func flaky(n int) http.Handler {
	var mu sync.Mutex
	seen := map[string]int{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		bad := seen[r.URL.Path]%n == 0
		mu.Unlock()
		if bad {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Server", "nginx")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>\n")
			return
		}
		twiml(w, r)
	})
}

func twiml(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you for calling Example Clinic.</Say></Response>`)
}

// demoResolver knows the demo hosts only; every other name does not exist.
type demoResolver map[string]string

// LookupIPAddr implements probe.Resolver.
func (r demoResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	addr, ok := r[strings.ToLower(strings.TrimSuffix(host, "."))]
	if !ok {
		return nil, &net.DNSError{Err: "no such host (the demo resolves only its own webhook hosts)", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(addr)}}, nil
}

// demoDialer connects the demo's webhook addresses to their local servers
// and refuses every other address, so nothing leaves the machine.
func demoDialer(servers map[string]*webhookServer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ws, ok := servers[addr]
		if !ok {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("the demo reaches only its own webhook servers")}
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", ws.local)
		if err != nil {
			return nil, err
		}
		remote, _ := net.ResolveTCPAddr("tcp", addr)
		return &addrConn{Conn: c, remote: remote}, nil
	}
}

// addrConn reports the address the demo server stands for as its remote
// address, so attempts record the address DNS gave.
type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

func newDemoCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("demo CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "twilio-evidence demo CA", Organization: []string{"Example Clinic (demo)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("demo CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("demo CA: %w", err)
	}
	return cert, key, nil
}

// demoLeaf issues a 90-day server certificate for host, as a public CA
// would.
func demoLeaf(ca *x509.Certificate, caKey *ecdsa.PrivateKey, host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo certificate key for %s: %w", host, err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		Issuer:       ca.Subject,
		NotBefore:    now.Add(-30 * 24 * time.Hour),
		NotAfter:     now.Add(60 * 24 * time.Hour),
		DNSNames:     []string{host},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo certificate for %s: %w", host, err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
