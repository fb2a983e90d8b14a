package probe

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Bounds of fetching a missing issuer certificate.
const (
	maxIssuerBytes = 64 << 10
	issuerTimeout  = 3 * time.Second
)

// diagnoseChain tells apart the two ways a chain fails for want of a
// trusted issuer (Twilio answers both with 11237):
//
//   - the chain the server sent ends at a self-signed certificate nobody
//     trusts (a self-signed leaf, a private root): it stays
//     ClassTLSUnknownCA;
//   - the last certificate sent is not self-signed and its issuer was not
//     sent: the server leaves out its intermediate. Browsers fetch the
//     intermediate from the URL the certificate names (AIA) and cope;
//     Twilio does not. The attempt fetches it too: when the chain then
//     verifies, the class is ClassTLSIncomplete, confirmed
//     (IssuerFetched). Without such a URL the issuer cannot be told from
//     an unknown private CA, and the class stays ClassTLSUnknownCA.
func (p *Prober) diagnoseChain(ctx context.Context, a *Attempt, certs []*x509.Certificate) {
	top := certs[len(certs)-1]
	if selfSigned(top) {
		if len(certs) == 1 {
			a.Notes = append(a.Notes, "the certificate is self-signed: no client trusts it")
		} else {
			a.Notes = append(a.Notes, fmt.Sprintf("the chain ends at %s, a root this machine does not trust", top.Subject))
		}
		return
	}
	a.MissingIssuer = top.Issuer.String()
	if len(top.IssuingCertificateURL) == 0 {
		a.Notes = append(a.Notes, fmt.Sprintf("the server did not send %s, which issued its last certificate, and the certificate names no URL to fetch it from", a.MissingIssuer))
		return
	}
	a.IssuerURL = top.IssuingCertificateURL[0]
	a.ErrorClass = ClassTLSIncomplete
	issuer, err := p.fetchIssuer(ctx, a.IssuerURL)
	if err != nil {
		a.Notes = append(a.Notes, fmt.Sprintf("the server did not send its intermediate %s; fetching it from %s to confirm failed: %v", a.MissingIssuer, a.IssuerURL, err))
		return
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	inter.AddCert(issuer)
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: p.roots, Intermediates: inter, CurrentTime: p.now()}); err != nil {
		a.ErrorClass = ClassTLSUnknownCA
		a.Notes = append(a.Notes, fmt.Sprintf("the server did not send %s; with it, fetched from %s, the chain still does not reach a trusted root: %v", a.MissingIssuer, a.IssuerURL, err))
		return
	}
	a.IssuerFetched = true
	a.Notes = append(a.Notes, fmt.Sprintf("the server does not send its intermediate %s: with it, fetched from %s, the chain verifies. Browsers fetch it and cope; Twilio does not", a.MissingIssuer, a.IssuerURL))
}

// selfSigned reports whether c names itself as issuer and its signature
// verifies with its own key.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// fetchIssuer gets the certificate at an AIA URL (DER or PEM), through the
// prober's resolver, dialer and proxy.
func (p *Prober) fetchIssuer(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), issuerTimeout)
	defer cancel()
	tr := &http.Transport{
		Proxy: p.proxyFunc,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("dial %s: %w", addr, err)
			}
			ip := host
			if net.ParseIP(host) == nil {
				if ip, err = p.lookupFirst(ctx, host); err != nil {
					return nil, err
				}
			}
			return p.dial(ctx, network, net.JoinHostPort(ip, port), issuerTimeout)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxIssuerBytes))
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(b); block != nil {
		b = block.Bytes
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, errors.New("the answer is not a certificate")
	}
	return c, nil
}
