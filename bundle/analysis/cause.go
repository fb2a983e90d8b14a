package analysis

// Cause is the stable ID of a cause the diagnosis names. The IDs are shared
// with the probe verdicts and appear in findings.json and `report --json`;
// each has its sentences in the catalogs ("cause.<id>.headline", ".name",
// ".evidence", ".fix").
type Cause string

// Step 2 of the procedure: the URL, its DNS name, its certificate, the
// connection.
const (
	CauseURLNotFound        Cause = "url_not_found"
	CauseMethodNotAllowed   Cause = "method_not_allowed"
	CauseAuthRequired       Cause = "auth_required"
	CauseDNSNoSuchHost      Cause = "dns_no_such_host"
	CauseDNSChanging        Cause = "dns_changing"
	CauseTLSExpired         Cause = "tls_expired"
	CauseTLSNameMismatch    Cause = "tls_name_mismatch"
	CauseTLSIncompleteChain Cause = "tls_incomplete_chain"
	CauseTLSUntrusted       Cause = "tls_untrusted"
	CauseTLSHandshake       Cause = "tls_handshake"
	CauseRedirectUnfollowed Cause = "redirect_unfollowed"
	CauseRedirectLoop       Cause = "redirect_loop"
	CauseConnectRefused     Cause = "connect_refused"
	CauseConnectTimeout     Cause = "connect_timeout"
	CauseConnectionClosed   Cause = "connection_closed"
	CausePrivateAddress     Cause = "private_address"
	CauseOneAddressFails    Cause = "one_address_fails"
	CauseOverrideInvalid    Cause = "override_invalid"
)

// Step 1: the application.
const (
	CauseAppServerError  Cause = "app_server_error"
	CauseAppTooSlow      Cause = "app_too_slow"
	CauseAppContentType  Cause = "app_content_type"
	CauseAppBodyTooLarge Cause = "app_body_too_large"
	CauseAppInvalidTwiML Cause = "app_invalid_twiml"
	CauseAppPeakLoad     Cause = "app_peak_load"
)

// Step 3: the path. The last component whose log has the request is where
// it stopped.
const (
	CausePathFirewall     Cause = "path_firewall"
	CausePathLoadBalancer Cause = "path_load_balancer"
	CausePathComponent    Cause = "path_component"
	CausePathResponse     Cause = "path_response"
)

// Step 4: outside the customer's network.
const (
	CauseOutsideNetwork Cause = "outside_network"
	CauseTwilioIncident Cause = "twilio_incident"
)

// Configuration of the webhooks.
const (
	CauseFallbackMissing  Cause = "fallback_missing"
	CauseFallbackSameHost Cause = "fallback_same_host"
	CauseFallbackFailing  Cause = "fallback_failing"
	CauseWebhookChanged   Cause = "webhook_changed"
)

// Outcomes that name no single cause.
const (
	CauseNoFailures Cause = "no_failures"
	// CauseUndecided names the two causes that remain and the one piece of
	// evidence that decides between them.
	CauseUndecided Cause = "undecided"
	// CauseConflict is two causes claiming the same incidents with equal
	// strength; it says what would decide.
	CauseConflict Cause = "conflict"
)

// Confidence of a diagnosis or of one claim.
type Confidence string

// Confidences, weakest first.
const (
	ConfidenceLow    Confidence = "low"
	ConfidenceMedium Confidence = "medium"
	ConfidenceHigh   Confidence = "high"
)

func (c Confidence) rank() int {
	switch c {
	case ConfidenceHigh:
		return 3
	case ConfidenceMedium:
		return 2
	case ConfidenceLow:
		return 1
	}
	return 0
}

// Kinds of causes in the catalogue.
const (
	// kindFault is a cause that explains failed requests.
	kindFault = iota
	// kindConfig is a webhook setting that makes failures cost more; it is
	// named beside the fault, with the incidents it concerns.
	kindConfig
	// kindBeside is said beside what was measured, never instead of it,
	// unless nothing else explains the failures.
	kindBeside
	// kindMeta is an outcome that names no single cause.
	kindMeta
)

// Entry is one cause of the catalogue.
type Entry struct {
	Cause Cause
	// Step is the step of the isolation procedure (1–4) the cause answers;
	// 0 for configuration and outcomes.
	Step int
	// Rank orders causes whose claims are equally strong and explain the
	// same number of incidents: the lower, the more specific, first.
	Rank int
	// Detector says which evidence proves the cause (for the reader of the
	// code and the README's table; the user reads "cause.<id>.evidence").
	Detector string
	// Figures are the names the headline sentence takes.
	Figures []string
	kind    int
}

// Catalog keys of a cause's sentences.
func (c Cause) HeadlineKey() string { return "cause." + string(c) + ".headline" }

// NameKey is the key of the cause's short name ("the certificate expired").
func (c Cause) NameKey() string { return "cause." + string(c) + ".name" }

// EvidenceKey is the key of the evidence that proves the cause, said when it
// would decide between two causes.
func (c Cause) EvidenceKey() string { return "cause." + string(c) + ".evidence" }

// FixKey is the key of what fixes the cause.
func (c Cause) FixKey() string { return "cause." + string(c) + ".fix" }

// Catalogue is every cause the diagnosis names, in rank order.
var Catalogue = []Entry{
	{Cause: CauseOverrideInvalid, Step: 2, Detector: "connection override Twilio rejects in the URL fragment (11240–11243), found when the URL is read", Figures: []string{"url", "key", "value"}},
	{Cause: CauseDNSNoSuchHost, Step: 2, Detector: "the probe's DNS lookup fails; error 11210", Figures: []string{"host"}},
	{Cause: CauseTLSExpired, Step: 2, Detector: "the probe's certificate is past its notAfter; error 11236", Figures: []string{"host", "not_after", "at_expiry"}},
	{Cause: CauseTLSNameMismatch, Step: 2, Detector: "the probe's certificate does not name the host; error 11235", Figures: []string{"host", "names"}},
	{Cause: CauseTLSIncompleteChain, Step: 2, Detector: "the server sends its certificate without the intermediate (a leaf not issued by itself, alone); error 11237", Figures: []string{"host", "issuer"}},
	{Cause: CauseTLSUntrusted, Step: 2, Detector: "the server's certificate is self-signed or from an unknown CA; error 11237", Figures: []string{"host", "issuer"}},
	{Cause: CauseTLSHandshake, Step: 2, Detector: "the probe's TLS handshake fails otherwise; error 11220", Figures: []string{"host"}},
	{Cause: CauseRedirectUnfollowed, Step: 2, Detector: "the probe gets a 308 or a redirect without Location; error 11216", Figures: []string{"url", "status"}},
	{Cause: CauseRedirectLoop, Step: 2, Detector: "the probe follows too many redirects; error 11215", Figures: []string{"url", "redirects"}},
	{Cause: CauseURLNotFound, Step: 2, Detector: "the probe or the web server's log has 404/410; error 11217/11200 with HTTP 404/410", Figures: []string{"url", "status", "changed"}},
	{Cause: CauseMethodNotAllowed, Step: 2, Detector: "the probe or the web server's log has 405 for the webhook's method", Figures: []string{"url", "method", "allow"}},
	{Cause: CauseAuthRequired, Step: 2, Detector: "the probe or the web server's log has 401/403", Figures: []string{"url", "status"}},
	{Cause: CauseConnectRefused, Step: 2, Detector: "the probe's connect is refused; error 11202", Figures: []string{"host", "address"}},
	{Cause: CauseDNSChanging, Step: 2, Detector: "the probe's DNS answers change between samples and one address fails", Figures: []string{"host", "answers", "address"}},
	{Cause: CauseOneAddressFails, Step: 2, Detector: "per-address probes: one address fails every attempt, the others answer", Figures: []string{"host", "address", "addresses"}},
	{Cause: CauseConnectTimeout, Step: 2, Detector: "nothing answers the probe's connect; error 11201 (11205 at connect)", Figures: []string{"host", "address"}},
	{Cause: CauseConnectionClosed, Step: 2, Detector: "the server closes the connection before the answer is complete; error 11206/11200", Figures: []string{"host"}},
	{Cause: CausePathFirewall, Step: 3, Detector: "the firewall's log has the connection (or DROP/REJECT lines) and the next component's log does not", Figures: []string{"component", "next", "host", "basis"}},
	{Cause: CausePathLoadBalancer, Step: 3, Detector: "the load balancer's log has the request and the web server's does not; an ALB 502 with target_status \"-\", a 503 or a 504; probes through the load balancer fail while direct ones pass", Figures: []string{"component", "status", "host", "basis"}},
	{Cause: CausePathComponent, Step: 3, Detector: "another component's log is the last that has the request", Figures: []string{"component", "next", "host"}},
	{Cause: CauseAppContentType, Step: 1, Detector: "the probe's answer has no or a wrong Content-Type; error 12300", Figures: []string{"url", "content_type"}},
	{Cause: CauseAppBodyTooLarge, Step: 1, Detector: "the probe's answer is over 64 kB; error 11750", Figures: []string{"url", "kb"}},
	{Cause: CauseAppInvalidTwiML, Step: 1, Detector: "errors 12100/12200 on the answer", Figures: []string{"url", "codes"}},
	{Cause: CauseAppServerError, Step: 1, Detector: "the probe or the web server's log has 5xx (or other 4xx); error 11200/11217 with that status", Figures: []string{"url", "statuses"}},
	{Cause: CauseAppTooSlow, Step: 1, Detector: "the probe or the web server's log: no answer within the effective timeout (15 s or the URL's #rt=/#tt=); error 11205/11203", Figures: []string{"url", "limit", "needed", "override"}},
	{Cause: CauseAppPeakLoad, Step: 1, Detector: "failures bunched in one band of hours while the probes pass now", Figures: []string{"host", "from_hour", "to_hour", "zone", "share"}},
	{Cause: CausePathResponse, Step: 3, Detector: "every log has the request and the web server answered 2xx/3xx in time, yet Twilio failed", Figures: []string{"component", "status", "host"}},
	{Cause: CauseWebhookChanged, Step: 0, Detector: "a Monitor event changed the webhook shortly before the failures began", Figures: []string{"field", "resource", "time", "from", "to"}},
	{Cause: CauseOutsideNetwork, Step: 4, Detector: "no component's log has the requests while the probes pass", Figures: []string{"host", "first", "answers"}},
	{Cause: CauseTwilioIncident, Step: 4, Detector: "a Twilio status incident covers most of the failures", Figures: []string{"name", "link", "inside", "total"}},
	{Cause: CausePrivateAddress, Step: 2, Detector: "the probe resolves the host to private or loopback addresses only", Figures: []string{"host", "addresses"}, kind: kindBeside},
	{Cause: CauseFallbackMissing, Step: 0, Detector: "the webhook's configuration has no fallback URL", Figures: []string{"url", "webhooks", "of"}, kind: kindConfig},
	{Cause: CauseFallbackSameHost, Step: 0, Detector: "the fallback URL is on the primary's host, addresses or network", Figures: []string{"url", "fallback", "webhooks", "of"}, kind: kindConfig},
	{Cause: CauseFallbackFailing, Step: 0, Detector: "the fallback URL fails its probes", Figures: []string{"url", "fallback", "webhooks", "of"}, kind: kindConfig},
	{Cause: CauseNoFailures, Step: 0, Detector: "no webhook failure in the window", kind: kindMeta},
	{Cause: CauseConflict, Step: 0, Detector: "two causes claim the same incidents with equal strength", Figures: []string{"where", "a", "b", "decider"}, kind: kindMeta},
	{Cause: CauseUndecided, Step: 0, Detector: "the evidence leaves two causes", Figures: []string{"where", "a", "b", "decider"}, kind: kindMeta},
}

// catalogue indexes Catalogue by cause; ranks are the positions.
var catalogue = func() map[Cause]Entry {
	m := make(map[Cause]Entry, len(Catalogue))
	for i := range Catalogue {
		Catalogue[i].Rank = i + 1
		m[Catalogue[i].Cause] = Catalogue[i]
	}
	return m
}()

// EntryOf is the catalogue entry of c.
func EntryOf(c Cause) (Entry, bool) {
	e, ok := catalogue[c]
	return e, ok
}

// rankOf is c's rank; a cause missing from the catalogue comes last.
func rankOf(c Cause) int {
	if e, ok := catalogue[c]; ok {
		return e.Rank
	}
	return len(Catalogue) + 1
}

func kindOf(c Cause) int {
	if e, ok := catalogue[c]; ok {
		return e.kind
	}
	return kindFault
}

// explains says which causes account for the evidence of others, so that
// their claims on the same incidents are no conflict: a failing address or
// a bad URL is why the requests never reached anyone; a component on the
// path that stops requests makes Twilio's connect time out; an answer
// without Content-Type is why a 200 still failed; a webhook change or the
// load at peak hours is why the application or the URL fails.
var explains = map[Cause][]Cause{
	CauseOneAddressFails:  {CauseConnectTimeout, CauseConnectRefused, CauseConnectionClosed, CauseAppTooSlow, CauseOutsideNetwork, CauseTLSHandshake, CauseAppServerError},
	CauseDNSChanging:      {CauseConnectTimeout, CauseConnectRefused, CauseConnectionClosed, CauseAppTooSlow, CauseOutsideNetwork, CauseOneAddressFails},
	CausePathFirewall:     {CauseConnectTimeout, CauseConnectRefused, CauseConnectionClosed, CauseOutsideNetwork},
	CausePathLoadBalancer: {CauseConnectTimeout, CauseConnectRefused, CauseConnectionClosed, CauseAppServerError, CauseAppTooSlow},
	CausePathComponent:    {CauseConnectTimeout, CauseConnectRefused, CauseConnectionClosed, CauseAppServerError, CauseAppTooSlow},
	CauseAppContentType:   {CausePathResponse},
	CauseAppBodyTooLarge:  {CausePathResponse},
	CauseAppInvalidTwiML:  {CausePathResponse},
	CauseConnectionClosed: {CausePathResponse},
	CauseAppPeakLoad:      {CauseAppTooSlow, CauseAppServerError, CauseConnectTimeout, CauseConnectionClosed},
	CauseAppTooSlow:       {CauseConnectionClosed},
	CauseWebhookChanged:   {CauseURLNotFound, CauseMethodNotAllowed, CauseAuthRequired, CauseDNSNoSuchHost, CauseTLSNameMismatch, CauseConnectRefused, CauseConnectTimeout},
	CauseOverrideInvalid:  {CauseOutsideNetwork},
}

// step2Reasons are why a request never reached the customer's components:
// any step-2 cause explains outside_network.
func init() {
	for _, e := range Catalogue {
		if e.Step == 2 && e.kind == kindFault {
			explains[e.Cause] = appendOnce(explains[e.Cause], CauseOutsideNetwork)
		}
	}
}

func appendOnce(cs []Cause, c Cause) []Cause {
	for _, x := range cs {
		if x == c {
			return cs
		}
	}
	return append(cs, c)
}

// compatible reports whether a and b can both hold for the same incidents:
// one explains the other, or one of them is said beside the other.
func compatible(a, b Cause) bool {
	if a == b || kindOf(a) != kindFault || kindOf(b) != kindFault || a == CauseTwilioIncident || b == CauseTwilioIncident {
		return true
	}
	for _, k := range explains[a] {
		if k == b {
			return true
		}
	}
	for _, k := range explains[b] {
		if k == a {
			return true
		}
	}
	return false
}
