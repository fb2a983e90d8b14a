// Package doctor checks, before a first run, everything a run of
// twilio-evidence needs from the machine it runs on: the credentials (one
// cheap authenticated request), the Twilio API hosts through the proxy
// settings, Twilio's status page, the CA bundle in use, a Japanese font
// for --lang ja, the output directory and the clock against Twilio's. Each
// check ends ok, warn or fail with one sentence, and one sentence of
// advice when it is not ok, from the catalogs in English or Japanese.
package doctor

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle"
	"github.com/twilio-evidence/twilio-evidence/bundle/pdfdoc"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/collect/runerr"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliostatus"
)

// Statuses of a check. A warning does not fail the doctor: it concerns
// something a run can do without (the status page, a Japanese font when
// the run is in English).
const (
	OK   = "ok"
	Warn = "warn"
	Fail = "fail"
)

// MaxClockSkew is how far the local clock may be from Twilio's before the
// clock check fails: the windows and times of a bundle would be off by as
// much.
const MaxClockSkew = 2 * time.Minute

// Check is the outcome of one check. Its sentence is the catalog's
// "doctor.<Key>" filled with Figures; a check that is not ok has advice,
// "doctor.advice.<Advice>" (or an "api.advice.<class>" sentence) filled
// with AdviceFigures.
type Check struct {
	// Name is what was checked: credentials, a host, status-page, ca-bundle,
	// font, output, clock.
	Name          string
	Status        string
	Key           string
	Figures       map[string]any
	Advice        string
	AdviceFigures map[string]any
	// failure, when set, is said with the sentence (its class, host and
	// Twilio's answer) as the figure "failure".
	failure *collect.Failure
}

// Options say what to check and how the run would be made.
type Options struct {
	// Getenv reads the environment (credentials, proxy, SSL_CERT_FILE).
	Getenv func(string) string
	// AuthTokenFile and AccountSID are --auth-token-file and --account-sid.
	AuthTokenFile, AccountSID string
	// Region and Edge are --region and --edge (TWILIO_REGION, TWILIO_EDGE
	// when empty).
	Region, Edge string
	// Output is the directory bundles go to.
	Output string
	// Lang is the language of the bundles (a Japanese font is needed for
	// "ja"); Font is --font.
	Lang, Font string
	// APIURL and StatusURL send the API's and the status page's requests
	// to fakes (tests); empty for Twilio's.
	APIURL, StatusURL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Products whose hosts are reached.
var products = []string{"api", "monitor", "messaging"}

// Run runs every check, in the order of a run: credentials, the hosts, the
// status page, the CA bundle, the font, the output directory, the clock.
func Run(ctx context.Context, o Options) []Check {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Output == "" {
		o.Output = "."
	}
	var checks []Check
	region, edge, rerr := collect.ResolveRegion(o.Region, o.Edge, o.Getenv)
	api := &collect.APIConfig{BaseURL: o.APIURL, Region: region, Edge: edge}
	cred, twilioTime := checkCredentials(ctx, o, api, rerr)
	checks = append(checks, cred)
	for _, p := range products {
		c, t := checkHost(ctx, api, collect.APIHost(p, region, edge))
		if twilioTime.IsZero() {
			twilioTime = t
		}
		checks = append(checks, c)
	}
	checks = append(checks, checkStatusPage(ctx, o), checkCABundle(o.Getenv), checkFont(o), checkOutput(o.Output), checkClock(o.Now(), twilioTime))
	return checks
}

// Failed reports whether a check failed.
func Failed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// Outcome is the error a doctor run ends with: runerr.Pointless when a
// check failed (a run would not work here), nil otherwise.
func Outcome(checks []Check) error {
	n := 0
	for _, c := range checks {
		if c.Status == Fail {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return runerr.Env(fmt.Errorf("%d of %d checks failed: follow the advice under each", n, len(checks)))
}

// Lines are the checks for a person: per check one line with its status,
// its name and its sentence, and for one that is not ok a line of advice.
func Lines(checks []Check, l *bundle.Localizer) []string {
	var out []string
	for _, c := range checks {
		figs := map[string]any{}
		for k, v := range c.Figures {
			figs[k] = v
		}
		if c.failure != nil {
			figs["failure"] = l.FailureText(*c.failure)
		}
		out = append(out, fmt.Sprintf("%-4s  %-20s %s", c.Status, c.Name, l.T("doctor."+c.Key, figs)))
		if c.Status != OK && c.Advice != "" {
			key := "doctor.advice." + c.Advice
			if l.Has(c.Advice) {
				key = c.Advice
			}
			out = append(out, fmt.Sprintf("%-4s  %-20s → %s", "", "", l.T(key, c.AdviceFigures)))
		}
	}
	return out
}

// checkCredentials reads the credentials as a run would and sends the
// run's check request; it returns Twilio's time from the answer.
func checkCredentials(ctx context.Context, o Options, api *collect.APIConfig, regionErr error) (Check, time.Time) {
	c := Check{Name: "credentials"}
	if regionErr != nil {
		c.Status, c.Key, c.Figures, c.Advice = Fail, "region_bad", map[string]any{"error": regionErr.Error()}, "region"
		return c, time.Time{}
	}
	creds, err := collect.CredentialsFromEnv(o.Getenv, o.AuthTokenFile, o.AccountSID)
	if err != nil {
		why := err.Error()
		if errors.Is(err, collect.ErrNoCredentials) {
			why = "" // the advice says what to set
		}
		c.Status, c.Key, c.Figures, c.Advice = Fail, "credentials_missing", map[string]any{"error": why}, "credentials_missing"
		return c, time.Time{}
	}
	api.Credentials = creds
	r := collect.CheckAccountOnce(ctx, api)
	figs := map[string]any{"account": creds.AccountSID, "key": creds.Username, "name": ""}
	c.Figures, c.AdviceFigures = figs, map[string]any{"host": r.Failure.Host}
	switch f := r.Failure; {
	case r.Err == nil:
		figs["name"] = r.Account.FriendlyName
		c.Status, c.Key = OK, "credentials_ok"
	case f.Rejected():
		c.Status, c.Key, c.failure = Fail, "credentials_rejected", &f
		c.Advice = "credentials_token"
		switch {
		case collect.ValidSID(creds.Username, "SK"):
			c.Advice = "credentials_key"
		case o.AuthTokenFile != "":
			c.Advice = "credentials_token_file"
		}
	case f.Unreachable():
		c.Status, c.Key, c.failure, c.Advice = Fail, "credentials_unreached", &f, "api.advice."+string(f.Class)
	default:
		c.Status, c.Key, c.failure, c.Advice = Fail, "credentials_failed", &f, "retry"
	}
	return c, r.TwilioTime
}

// checkHost reaches one API host as the run's requests do; it returns
// Twilio's time from the answer.
func checkHost(ctx context.Context, api *collect.APIConfig, host string) (Check, time.Time) {
	c := Check{Name: host, Figures: map[string]any{"host": host, "proxy": proxyFor(host)}}
	t, err := collect.ReachHost(ctx, api, host)
	if err == nil {
		c.Status, c.Key = OK, "reach_ok"
		return c, t
	}
	f := collect.ClassifyError(err)
	if f.Host == "" {
		f.Host = host
	}
	c.Status, c.Key, c.failure = Fail, "reach_failed", &f
	c.Advice, c.AdviceFigures = "api.advice."+string(f.Class), map[string]any{"host": host}
	if !f.Unreachable() {
		c.Advice = "retry"
	}
	return c, time.Time{}
}

// proxyFor is the proxy a request to host goes through (its host and port
// only: a proxy URL may hold a password), "" for none. It reads
// HTTPS_PROXY and NO_PROXY as every request of the run does.
func proxyFor(host string) string {
	u, err := http.ProxyFromEnvironment(&http.Request{URL: &url.URL{Scheme: "https", Host: host}})
	if err != nil || u == nil {
		return ""
	}
	return u.Host
}

// checkStatusPage reads Twilio's status page as the run does. The page is
// context: a page that cannot be read is a warning.
func checkStatusPage(ctx context.Context, o Options) Check {
	base := o.StatusURL
	if base == "" {
		base = twiliostatus.DefaultBaseURL
	}
	c := Check{Name: "status-page", Figures: map[string]any{"page": base}}
	ctx, cancel := context.WithTimeout(ctx, collect.CheckTimeout)
	defer cancel()
	cl := &twiliostatus.Client{BaseURL: base, HTTPClient: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
	if _, err := cl.Summary(ctx); err != nil {
		f := collect.ClassifyError(err)
		if f.Host == "" {
			if u, perr := url.Parse(base); perr == nil {
				f.Host = u.Hostname()
			}
		}
		c.Status, c.Key, c.failure, c.Advice = Warn, "status_failed", &f, "status_page"
		return c
	}
	c.Status, c.Key = OK, "status_ok"
	return c
}

// maxCABundleBytes bounds SSL_CERT_FILE: the system bundles are some
// 200 KiB.
const maxCABundleBytes = 16 << 20

// checkCABundle says which certificates the run trusts: SSL_CERT_FILE (it
// must hold at least one certificate) or the system's.
func checkCABundle(getenv func(string) string) Check {
	c := Check{Name: "ca-bundle"}
	file := getenv("SSL_CERT_FILE")
	if file == "" {
		if _, err := x509.SystemCertPool(); err != nil {
			c.Status, c.Key, c.Figures, c.Advice = Fail, "ca_system_failed", map[string]any{"error": err.Error()}, "ca"
			return c
		}
		c.Status, c.Key, c.Figures = OK, "ca_system", map[string]any{"dir": getenv("SSL_CERT_DIR")}
		return c
	}
	c.Figures = map[string]any{"file": file, "count": 0, "error": ""}
	b, err := infile.ReadFile(file, infile.Limits{MaxBytes: maxCABundleBytes})
	if err != nil {
		c.Figures["error"] = pathErr(err)
		c.Status, c.Key, c.Advice = Fail, "ca_file_unreadable", "ca"
		return c
	}
	n := countCerts(b)
	c.Figures["count"] = n
	if n == 0 {
		c.Status, c.Key, c.Advice = Fail, "ca_file_empty", "ca"
		return c
	}
	c.Status, c.Key = OK, "ca_file"
	return c
}

// countCerts counts the certificates of a PEM bundle that parse.
func countCerts(b []byte) int {
	n := 0
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return n
		}
		if _, err := x509.ParseCertificate(block.Bytes); block.Type == "CERTIFICATE" && err == nil {
			n++
		}
	}
}

// checkFont looks for the Japanese font the PDF would use. Without one, a
// run with --lang ja (or --font) cannot write its PDF: a failure then, a
// warning otherwise.
func checkFont(o Options) Check {
	c := Check{Name: "font"}
	if o.Font != "" {
		if _, err := bundle.NewPDFDocument("ja", nil, bundle.PDFOptions{FontPath: o.Font}); err != nil {
			c.Status, c.Key, c.Advice = Fail, "font_bad", "font"
			c.Figures = map[string]any{"path": o.Font, "error": shortErr(err)}
			return c
		}
		c.Status, c.Key, c.Figures = OK, "font_ok", map[string]any{"path": o.Font}
		return c
	}
	path, err := pdfdoc.FindCJKFont()
	if err == nil {
		c.Status, c.Key, c.Figures = OK, "font_ok", map[string]any{"path": path}
		return c
	}
	c.Status, c.Key, c.Advice = Warn, "font_missing", "font"
	if o.Lang == "ja" {
		c.Status = Fail
	}
	return c
}

// checkOutput makes sure bundles can be written into dir, as a run does.
func checkOutput(dir string) Check {
	c := Check{Name: "output", Figures: map[string]any{"dir": dir, "error": ""}, Advice: "output", AdviceFigures: map[string]any{"dir": dir}}
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		c.Figures["error"] = pathErr(err)
	case !st.IsDir():
		c.Figures["error"] = "not a directory"
	default:
		f, err := os.CreateTemp(dir, ".twilio-evidence-doctor-*")
		if err != nil {
			c.Figures["error"] = pathErr(err)
			break
		}
		f.Close()
		os.Remove(f.Name())
		c.Status, c.Key = OK, "output_ok"
		return c
	}
	c.Status, c.Key = Fail, "output_failed"
	return c
}

// checkClock compares now with Twilio's time (the Date header of its
// answer).
func checkClock(now, twilio time.Time) Check {
	c := Check{Name: "clock"}
	if twilio.IsZero() {
		c.Status, c.Key, c.Advice = Warn, "clock_unknown", "clock_unknown"
		return c
	}
	skew := now.Sub(twilio).Round(time.Second)
	c.Figures = map[string]any{"skew": skew.String()}
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		c.Status, c.Key, c.Advice = Fail, "clock_off", "clock"
		return c
	}
	c.Status, c.Key = OK, "clock_ok"
	return c
}

// pathErr is an error without the path a figure already names.
func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// shortErr is an error of --font without the font's directory.
func shortErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return filepath.Base(pe.Path) + ": " + pe.Err.Error()
	}
	return err.Error()
}
