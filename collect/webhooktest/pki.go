package webhooktest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a certificate authority made for one test, built like a public
// one: a root, an intermediate that issues the server certificates, and a
// server on 127.0.0.1 that hands out the intermediate at the URL the
// certificates name for it (Authority Information Access), as CAs do.
type PKI struct {
	Root         *x509.Certificate
	Intermediate *x509.Certificate
	// IssuerURL is where the intermediate can be fetched (DER).
	IssuerURL string

	rootKey, interKey *ecdsa.PrivateKey
}

// NewPKI makes the root and the intermediate and starts the server of the
// intermediate.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	p := &PKI{rootKey: newKey(t), interKey: newKey(t)}
	now := time.Now()
	root := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "webhooktest Root CA", Organization: []string{"webhooktest"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.Root = create(t, root, root, &p.rootKey.PublicKey, p.rootKey)
	aia := Start(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(p.Intermediate.Raw)
	}))
	p.IssuerURL = aia.URL + "/intermediate.der"
	inter := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "webhooktest Intermediate CA R1", Organization: []string{"webhooktest"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.Intermediate = create(t, inter, p.Root, &p.interKey.PublicKey, p.rootKey)
	return p
}

// Leaf issues a server certificate for names (host names or IP addresses)
// that expires at notAfter, and returns it with the intermediate after it:
// the chain a correctly configured server sends.
func (p *PKI) Leaf(t testing.TB, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	c := p.LeafAlone(t, notAfter, names...)
	c.Certificate = append(c.Certificate, p.Intermediate.Raw)
	return c
}

// LeafAlone is Leaf without the intermediate: the chain of a server
// configured with its certificate only. The certificate names the URL of
// its issuer, as a public CA's does.
func (p *PKI) LeafAlone(t testing.TB, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := leafTemplate(t, notAfter, names)
	tmpl.IssuingCertificateURL = []string{p.IssuerURL}
	leaf := create(t, tmpl, p.Intermediate, &key.PublicKey, p.interKey)
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
}

// Pool is a certificate pool holding the root.
func (p *PKI) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// RootFile writes the root as PEM into a file of the test's temporary
// directory and returns its path: set SSL_CERT_FILE to it, and a program
// trusts this root alone.
func (p *PKI) RootFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "webhooktest-root.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Raw}), 0o600); err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	return path
}

// SelfSigned makes a certificate for names that signs itself, valid for a
// year.
func SelfSigned(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := leafTemplate(t, time.Now().Add(365*24*time.Hour), names)
	c := create(t, tmpl, tmpl, &key.PublicKey, key)
	return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}
}

// StartTLS starts an HTTPS webhook server on 127.0.0.1 that presents cert
// (its chain as given) and serves h. URL is "https://127.0.0.1:PORT".
func StartTLS(t testing.TB, cert tls.Certificate, h http.Handler) *Server {
	t.Helper()
	s, srv := newServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	return s.started(t, srv)
}

func leafTemplate(t testing.TB, notAfter time.Time, names []string) *x509.Certificate {
	t.Helper()
	if len(names) == 0 {
		t.Fatal("webhooktest: a certificate needs a name")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: notAfter.Add(-90 * 24 * time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if now := time.Now().Add(-time.Hour); tmpl.NotBefore.After(now) {
		tmpl.NotBefore = now
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	return tmpl
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	return n
}

func create(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	return c
}
