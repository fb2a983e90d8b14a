// Package twiliocodes is the one table of the Twilio error codes a failed
// webhook request is logged with: each code's name, the class of failure it
// names and the causes of the diagnosis it names by itself. The alert
// parser counts a code as a webhook failure by it, the probes give each
// failure and each invalid connection override the code Twilio would log
// for it, and the analysis reads a code's causes from it.
package twiliocodes

import (
	"strconv"
	"strings"
)

// Code is a Twilio error code.
type Code int

// The codes of failed webhook requests.
const (
	HTTPRetrievalFailure    Code = 11200
	HTTPConnectTimeout      Code = 11201
	HTTPConnectRefused      Code = 11202
	HTTPTotalTimeout        Code = 11203
	HTTPInvalidURL          Code = 11204
	HTTPConnectionFailure   Code = 11205
	HTTPProtocolViolation   Code = 11206
	HTTPBadHostName         Code = 11210
	HTTPTooManyRedirects    Code = 11215
	HTTPBadRedirect         Code = 11216
	HTTPErrorResponse       Code = 11217
	TLSHandshakeError       Code = 11220
	CertificateNameInvalid  Code = 11235
	CertificateExpired      Code = 11236
	CertificateChainError   Code = 11237
	OverrideEdgeUnknown     Code = 11240
	OverrideEdgeUnsupported Code = 11241
	OverrideEdgeNotEnabled  Code = 11242
	OverrideRetryInvalid    Code = 11243
	ResponseBodyTooLarge    Code = 11750
	DocumentParseFailure    Code = 12100
	SchemaValidation        Code = 12200
	InvalidContentType      Code = 12300
	InternalFailure         Code = 12400
	CallbackWarning         Code = 15003
)

// Class is the kind of failure a code names.
type Class string

// Classes of failure.
const (
	ClassConnect  Class = "connect"  // the TCP connection failed
	ClassTimeout  Class = "timeout"  // no answer in time
	ClassDNS      Class = "dns"      // the host name did not resolve
	ClassTLS      Class = "tls"      // the TLS handshake or certificate failed
	ClassHTTP     Class = "http"     // the server answered an error status; the status tells the cause
	ClassRedirect Class = "redirect" // a redirect Twilio does not follow
	ClassContent  Class = "content"  // the answer's content: TwiML, Content-Type, size
	ClassOverride Class = "override" // a connection override in the URL is invalid
	ClassTwilio   Class = "twilio"   // a failure inside Twilio
)

// Entry is one code of the table.
type Entry struct {
	Code  Code
	Name  string // Twilio's name of the error
	Class Class
	// Causes are the causes (the diagnosis' IDs) the code names by itself:
	// one, or two the code cannot tell apart; none when the HTTP status or
	// other evidence decides.
	Causes []string
}

var table = []Entry{
	{HTTPRetrievalFailure, "HTTP retrieval failure", ClassHTTP, nil},
	{HTTPConnectTimeout, "HTTP connection failure: connect timeout", ClassConnect, []string{"connect_timeout"}},
	{HTTPConnectRefused, "HTTP connection failure: connection refused", ClassConnect, []string{"connect_refused"}},
	{HTTPTotalTimeout, "HTTP request timed out", ClassTimeout, []string{"app_too_slow"}},
	{HTTPInvalidURL, "HTTP invalid URL", ClassContent, nil},
	{HTTPConnectionFailure, "HTTP connection failure", ClassTimeout, []string{"app_too_slow", "connect_timeout"}},
	{HTTPProtocolViolation, "HTTP protocol violation", ClassConnect, []string{"connection_closed"}},
	{HTTPBadHostName, "HTTP bad host name", ClassDNS, []string{"dns_no_such_host"}},
	{HTTPTooManyRedirects, "HTTP too many redirects", ClassRedirect, []string{"redirect_loop"}},
	{HTTPBadRedirect, "HTTP bad redirect", ClassRedirect, []string{"redirect_unfollowed"}},
	{HTTPErrorResponse, "HTTP error response code", ClassHTTP, nil},
	{TLSHandshakeError, "SSL/TLS handshake error", ClassTLS, []string{"tls_handshake"}},
	{CertificateNameInvalid, "Certificate invalid: domain mismatch", ClassTLS, []string{"tls_name_mismatch"}},
	{CertificateExpired, "Certificate invalid: certificate expired", ClassTLS, []string{"tls_expired"}},
	{CertificateChainError, "Certificate invalid: could not find path to certificate", ClassTLS, []string{"tls_incomplete_chain", "tls_untrusted"}},
	{OverrideEdgeUnknown, "Connection override: not a Twilio edge location", ClassOverride, []string{"override_invalid"}},
	{OverrideEdgeUnsupported, "Connection override: edge not supported for webhooks", ClassOverride, []string{"override_invalid"}},
	{OverrideEdgeNotEnabled, "Connection override: Interconnect edge not enabled", ClassOverride, []string{"override_invalid"}},
	{OverrideRetryInvalid, "Connection override: invalid retry policy", ClassOverride, []string{"override_invalid"}},
	{ResponseBodyTooLarge, "Response body too large", ClassContent, []string{"app_body_too_large"}},
	{DocumentParseFailure, "Document parse failure", ClassContent, []string{"app_invalid_twiml"}},
	{SchemaValidation, "Schema validation warning", ClassContent, []string{"app_invalid_twiml"}},
	{InvalidContentType, "Invalid Content-Type", ClassContent, []string{"app_content_type"}},
	{InternalFailure, "Internal failure", ClassTwilio, nil},
	{CallbackWarning, "Warning response to callback URL", ClassHTTP, nil},
}

var byCode = func() map[Code]Entry {
	m := make(map[Code]Entry, len(table))
	for _, e := range table {
		m[e.Code] = e
	}
	return m
}()

// String is the code as Twilio writes it ("11205").
func (c Code) String() string { return strconv.Itoa(int(c)) }

// Lookup finds the entry of code as an alert gives it ("11205").
func Lookup(code string) (Entry, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(code))
	if err != nil {
		return Entry{}, false
	}
	e, ok := byCode[Code(n)]
	return e, ok
}

// IsWebhookFailure reports whether an alert with this error code is a
// failed webhook request: what Twilio logs when it could not get a usable
// answer from the customer's server. 12200, a schema warning on a TwiML
// that was used, is not one.
func IsWebhookFailure(code string) bool {
	e, ok := Lookup(code)
	return ok && e.Code != SchemaValidation
}

// Entries are the table's entries, by code.
func Entries() []Entry { return append([]Entry(nil), table...) }
