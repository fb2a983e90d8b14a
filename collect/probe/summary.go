package probe

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Outcome is what a probe found for a target or for one row of its table:
// how the target answered, or, when its attempts all or mostly failed, the
// cause of its failures (the Cause* outcomes, whose IDs the bundle's
// diagnosis shares). JSON and the table call it the verdict.
type Outcome string

// Outcomes that name no cause: how the target answered.
const (
	OutcomeOK           Outcome = "ok"
	OutcomeNearTimeout  Outcome = "near_timeout"
	OutcomeIntermittent Outcome = "intermittent"
	OutcomeNoData       Outcome = "no_data"
	// OutcomeFails is the outcome of one address or one --resolve origin
	// that failed every attempt, and of a target whose failures no cause
	// names (an HTTP 400, say).
	OutcomeFails Outcome = "fails"
	// OutcomeOneAddress is a cause as well: one address of several fails.
	OutcomeOneAddress = CauseOneAddress
)

// Causes a probe names, with the IDs the bundle's diagnosis uses. Each
// comes with its deciding figures in Facts.
const (
	CauseURLNotFound        Outcome = "url_not_found"        // HTTP 404 or 410
	CauseMethodNotAllowed   Outcome = "method_not_allowed"   // HTTP 405 to the webhook's method
	CauseAuthRequired       Outcome = "auth_required"        // HTTP 401, or 403 to Twilio's signed request
	CauseServerError        Outcome = "app_server_error"     // HTTP 5xx
	CauseTooSlow            Outcome = "app_too_slow"         // no answer within rt or tt
	CauseContentType        Outcome = "app_content_type"     // a body without Content-Type (12300)
	CauseBodyTooLarge       Outcome = "app_body_too_large"   // a body over 64 kB (11750)
	CauseRedirectUnfollowed Outcome = "redirect_unfollowed"  // 308, or a redirect without Location (11216)
	CauseRedirectLoop       Outcome = "redirect_loop"        // too many redirects (11215)
	CauseConnectionClosed   Outcome = "connection_closed"    // closed before a complete answer (11206/11200)
	CauseConnectRefused     Outcome = "connect_refused"      // 11202
	CauseConnectTimeout     Outcome = "connect_timeout"      // nothing answers the connect (11201/11205)
	CauseDNSNoSuchHost      Outcome = "dns_no_such_host"     // 11210
	CauseDNSChanging        Outcome = "dns_changing"         // the answer changes and one address fails
	CauseTLSExpired         Outcome = "tls_expired"          // with NotAfter
	CauseTLSNameMismatch    Outcome = "tls_name_mismatch"    // with the Names it is valid for
	CauseTLSIncompleteChain Outcome = "tls_incomplete_chain" // the intermediate is not sent (11237)
	CauseTLSUntrusted       Outcome = "tls_untrusted"        // self-signed or an unknown root (11237)
	CauseTLSHandshake       Outcome = "tls_handshake"        // another handshake failure (11220)
	CausePrivateAddress     Outcome = "private_address"      // only private or loopback addresses
	CauseOneAddress         Outcome = "one_address_fails"    // one address of several fails
	CauseLoadBalancer       Outcome = "path_load_balancer"   // fails through the name, the origin answers
)

// Outcomes lists every outcome a target can get, causes included.
var Outcomes = []Outcome{
	OutcomeOK, OutcomeNearTimeout, OutcomeIntermittent, OutcomeNoData, OutcomeFails,
	CauseURLNotFound, CauseMethodNotAllowed, CauseAuthRequired, CauseServerError, CauseTooSlow,
	CauseContentType, CauseBodyTooLarge, CauseRedirectUnfollowed, CauseRedirectLoop, CauseConnectionClosed,
	CauseConnectRefused, CauseConnectTimeout, CauseDNSNoSuchHost, CauseDNSChanging,
	CauseTLSExpired, CauseTLSNameMismatch, CauseTLSIncompleteChain, CauseTLSUntrusted, CauseTLSHandshake,
	CausePrivateAddress, CauseOneAddress, CauseLoadBalancer,
}

// nearTimeoutShare is the share of the read timeout above which a p95
// processing time counts as "near the timeout".
const nearTimeoutShare = 0.8

// Facts are the deciding figures of a verdict, as fields, so that a
// diagnosis reads them instead of parsing a sentence. Only the fields of
// the cause at hand are set.
type Facts struct {
	// Cause is the cause of the failures, the most frequent one when they
	// differ; empty when there were none or no cause names them. It is set
	// beside a verdict that is no cause (intermittent: mostly 502s).
	Cause Outcome `json:"cause,omitempty"`
	// Class and TwilioCode are the error class and Twilio error of the
	// failures behind Cause; CauseFailures counts them.
	Class         ErrorClass `json:"class,omitempty"`
	TwilioCode    int        `json:"twilio_code,omitempty"`
	CauseFailures int        `json:"cause_failures,omitempty"`
	// Status is the HTTP status (the most frequent one).
	Status int `json:"status,omitempty"`
	// Method is the method sent and Allow what the server said it accepts
	// (method_not_allowed).
	Method string `json:"method,omitempty"`
	Allow  string `json:"allow,omitempty"`
	// Seconds is how long the server took to answer (app_too_slow: the
	// median of the late answers; near_timeout: the 95th percentile).
	// Unanswered means no answer came at all within Seconds.
	Seconds    float64 `json:"seconds,omitempty"`
	Unanswered bool    `json:"unanswered,omitempty"`
	// TimeoutSeconds is the timeout Twilio applies, and Override the
	// fragment setting that made it ("rt=2000"); empty for Twilio's own
	// 15 s.
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
	Override       string  `json:"override,omitempty"`
	// NotAfter is when the certificate expired (tls_expired).
	NotAfter time.Time `json:"not_after,omitzero"`
	// Names are the names the certificate is valid for (tls_name_mismatch).
	Names []string `json:"names,omitempty"`
	// Issuer is the certificate the server did not send
	// (tls_incomplete_chain) or the untrusted issuer (tls_untrusted);
	// IssuerURL is where the certificate says it can be fetched, and
	// IssuerFetched is true when the chain verified with it. SelfSigned
	// says the server's certificate signed itself.
	Issuer        string `json:"issuer,omitempty"`
	IssuerURL     string `json:"issuer_url,omitempty"`
	IssuerFetched bool   `json:"issuer_fetched,omitempty"`
	SelfSigned    bool   `json:"self_signed,omitempty"`
	// Location is where a redirect pointed; Redirects how many were
	// followed.
	Location  string `json:"location,omitempty"`
	Redirects int    `json:"redirects,omitempty"`
	// BodyBytes is the size of the answer's body (app_body_too_large,
	// app_content_type).
	BodyBytes int64 `json:"body_bytes,omitempty"`
	// Address is the address connected to (connect_refused,
	// connect_timeout).
	Address string `json:"address,omitempty"`
}

// Stat is the median and 95th percentile of one phase, in milliseconds.
type Stat struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
}

// PhaseStats are the percentiles of each phase over the attempts in which
// that phase completed.
type PhaseStats struct {
	DNS        Stat `json:"dns"`
	Connect    Stat `json:"connect"`
	TLS        Stat `json:"tls"`
	Processing Stat `json:"processing"`
	Transfer   Stat `json:"transfer"`
	TTFB       Stat `json:"ttfb"`
	Total      Stat `json:"total"`
}

// Summary are the statistics of one group of attempts: a target through DNS,
// one address, or one --resolve override.
type Summary struct {
	Mode        string  `json:"mode"`
	Address     string  `json:"address,omitempty"`
	Attempts    int     `json:"attempts"`
	Failures    int     `json:"failures"`
	FailureRate float64 `json:"failure_rate"`
	// FailuresByClass counts failures by error class.
	FailuresByClass map[ErrorClass]int `json:"failures_by_class,omitempty"`
	// TwilioCodes counts failures by the Twilio error code they map to.
	TwilioCodes map[string]int `json:"twilio_codes,omitempty"`
	Phases      PhaseStats     `json:"phases"`
	// Private is true when every attempt went to an address Twilio cannot
	// reach.
	Private bool    `json:"private,omitempty"`
	Outcome Outcome `json:"verdict"`
	Facts
}

// AnswerSet is one distinct DNS answer seen across the samples.
type AnswerSet struct {
	Addresses []string  `json:"addresses"`
	Samples   int       `json:"samples"`
	FirstSeen time.Time `json:"first_seen"`
}

// TargetSummary is everything known about one target after a run.
type TargetSummary struct {
	Target string `json:"target"`
	// Overall are the attempts through DNS: what Twilio would see.
	Overall    Summary     `json:"overall"`
	PerAddress []Summary   `json:"per_address,omitempty"`
	Direct     []Summary   `json:"direct,omitempty"`
	DNSAnswers []AnswerSet `json:"dns_answers,omitempty"`
	// DNSChanged is true when the answers differed between samples (dynamic
	// DNS or a flapping record).
	DNSChanged bool `json:"dns_changed,omitempty"`
	// BadAddresses are the addresses that failed every attempt while
	// GoodAddresses answered every one.
	BadAddresses  []string `json:"bad_addresses,omitempty"`
	GoodAddresses []string `json:"good_addresses,omitempty"`
	// Private is true when the name resolves only to addresses Twilio
	// cannot reach; it is said beside the verdict, which stays what was
	// measured (private_address when every attempt succeeded).
	Private bool    `json:"private,omitempty"`
	Outcome Outcome `json:"verdict"`
	// Facts are the figures that decide the verdict: the cause of the
	// failures and what proves it.
	Facts
	// Explanation says in one or two sentences what the verdict means, in
	// English (Explain gives it in another language).
	Explanation string `json:"explanation"`
}

// SummaryOptions tune Summarize.
type SummaryOptions struct {
	// AllowPrivate judges private and loopback addresses like public ones
	// (loopback demos and tests): no private_address verdict.
	AllowPrivate bool
}

// Summarize groups attempts by target (in order of first appearance) and
// computes each target's statistics and verdict. It is pure: it works as
// well on a history file read back as on a fresh Report.
func Summarize(attempts []Attempt, opts SummaryOptions) []TargetSummary {
	var order []string
	byTarget := map[string][]Attempt{}
	for _, a := range attempts {
		if _, ok := byTarget[a.Target]; !ok {
			order = append(order, a.Target)
		}
		byTarget[a.Target] = append(byTarget[a.Target], a)
	}
	out := make([]TargetSummary, 0, len(order))
	for _, target := range order {
		out = append(out, summarizeTarget(target, byTarget[target], opts))
	}
	return out
}

func summarizeTarget(target string, attempts []Attempt, opts SummaryOptions) TargetSummary {
	ts := TargetSummary{Target: target}
	var viaDNS []Attempt
	perAddr := map[string][]Attempt{}
	direct := map[string][]Attempt{}
	for _, a := range attempts {
		switch a.Mode {
		case ModeAddress:
			perAddr[a.Address] = append(perAddr[a.Address], a)
		case ModeDirect:
			direct[a.Address] = append(direct[a.Address], a)
		default:
			viaDNS = append(viaDNS, a)
		}
	}
	ts.Overall = summarize(ModeDNS, "", viaDNS)
	for _, addr := range sortedKeys(perAddr) {
		ts.PerAddress = append(ts.PerAddress, summarize(ModeAddress, addr, perAddr[addr]))
	}
	for _, addr := range sortedKeys(direct) {
		ts.Direct = append(ts.Direct, summarize(ModeDirect, addr, direct[addr]))
	}
	ts.DNSAnswers, ts.DNSChanged = answers(viaDNS)
	ts.BadAddresses, ts.GoodAddresses = splitAddresses(ts.PerAddress)
	if ts.DNSChanged && (len(ts.BadAddresses) == 0 || len(ts.GoodAddresses) == 0) {
		// Each sample got another answer: the addresses it went to tell
		// the broken one.
		byAddr := map[string][]Attempt{}
		for _, a := range viaDNS {
			byAddr[a.Address] = append(byAddr[a.Address], a)
		}
		var rows []Summary
		for _, addr := range sortedKeys(byAddr) {
			if addr != "" {
				rows = append(rows, Summary{Address: addr, Attempts: len(byAddr[addr]), Failures: failures(byAddr[addr])})
			}
		}
		ts.BadAddresses, ts.GoodAddresses = splitAddresses(rows)
	}
	directOK := len(ts.Direct) > 0
	for _, s := range ts.Direct {
		directOK = directOK && s.Failures == 0
	}

	o := ts.Overall
	split := len(ts.BadAddresses) > 0 && len(ts.GoodAddresses) > 0
	switch {
	case o.Attempts == 0 && len(ts.PerAddress) == 0 && len(ts.Direct) == 0:
		ts.Outcome = OutcomeNoData
	case split:
		ts.Outcome = CauseOneAddress
		if ts.DNSChanged {
			ts.Outcome = CauseDNSChanging
		}
		var bad []Attempt
		for _, a := range attempts {
			if contains(ts.BadAddresses, a.Address) {
				bad = append(bad, a)
			}
		}
		ts.Facts = factsOf(bad)
	case directOK && o.Failures > 0:
		ts.Outcome, ts.Facts = CauseLoadBalancer, o.Facts
	default:
		ts.Outcome, ts.Facts = o.Outcome, o.Facts
	}
	if o.Private && !opts.AllowPrivate {
		ts.Private = true
		if ts.Outcome == OutcomeOK || ts.Outcome == OutcomeNearTimeout {
			ts.Outcome = CausePrivateAddress
		}
	}
	// The row through the name and the line below the table say the same.
	ts.Overall.Outcome = ts.Outcome
	ts.Explanation = Explain(ts, "en")
	return ts
}

// splitAddresses picks from address rows those that failed every attempt
// and those that failed none.
func splitAddresses(rows []Summary) (bad, good []string) {
	for _, s := range rows {
		switch {
		case s.Attempts > 0 && s.Failures == s.Attempts:
			bad = append(bad, s.Address)
		case s.Attempts > 0 && s.Failures == 0:
			good = append(good, s.Address)
		}
	}
	return bad, good
}

func failures(attempts []Attempt) int {
	n := 0
	for _, a := range attempts {
		if !a.OK {
			n++
		}
	}
	return n
}

func summarize(mode, addr string, attempts []Attempt) Summary {
	s := Summary{Mode: mode, Address: addr, Attempts: len(attempts)}
	if len(attempts) == 0 {
		s.Outcome = OutcomeNoData
		return s
	}
	var dns, connect, tlsT, proc, xfer, ttfb, total []float64
	private := true
	rt := 0.0
	for _, a := range attempts {
		private = private && a.Private
		rt = max(rt, a.ReadTimeoutMs)
		if !a.OK {
			s.Failures++
			if s.FailuresByClass == nil {
				s.FailuresByClass, s.TwilioCodes = map[ErrorClass]int{}, map[string]int{}
			}
			s.FailuresByClass[a.ErrorClass]++
			if a.TwilioCode != 0 {
				s.TwilioCodes[strconv.Itoa(a.TwilioCode)]++
			}
		}
		p := a.Phases
		dns = appendPositive(dns, p.DNS)
		connect = appendPositive(connect, p.Connect)
		tlsT = appendPositive(tlsT, p.TLS)
		proc = appendPositive(proc, p.Processing)
		xfer = appendPositive(xfer, p.Transfer)
		ttfb = appendPositive(ttfb, p.TTFB)
		total = appendPositive(total, p.Total)
	}
	s.FailureRate = float64(s.Failures) / float64(s.Attempts)
	s.Phases = PhaseStats{DNS: stat(dns), Connect: stat(connect), TLS: stat(tlsT), Processing: stat(proc), Transfer: stat(xfer), TTFB: stat(ttfb), Total: stat(total)}
	s.Private = private
	s.Facts = factsOf(attempts)
	origin := mode == ModeAddress || mode == ModeDirect
	switch {
	case s.Failures == s.Attempts && origin:
		s.Outcome = OutcomeFails
	case s.Failures > 0 && origin:
		s.Outcome = OutcomeIntermittent
	case 2*s.Failures > s.Attempts:
		// All or mostly failing: the cause is the verdict.
		s.Outcome = cmp.Or(s.Cause, OutcomeFails)
	case s.Failures > 0:
		s.Outcome = OutcomeIntermittent
	case rt > 0 && waited(s.Phases) > nearTimeoutShare*rt:
		s.Outcome = OutcomeNearTimeout
		s.Seconds, s.TimeoutSeconds = round1(waited(s.Phases)/1000), rt/1000
		s.Override = override("rt", rt, DefaultReadTimeout)
	default:
		s.Outcome = OutcomeOK
	}
	return s
}

// waited is the 95th percentile of the time from the request to the
// answer, what Twilio's read timeout bounds (the time to first byte where
// a history row lacks it).
func waited(p PhaseStats) float64 {
	if p.Processing.P95 > 0 {
		return p.Processing.P95
	}
	return p.TTFB.P95
}

func appendPositive(xs []float64, x float64) []float64 {
	if x > 0 {
		return append(xs, x)
	}
	return xs
}

// stat gives nearest-rank percentiles.
func stat(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	sort.Float64s(xs)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(xs)))) - 1
		return xs[max(0, min(i, len(xs)-1))]
	}
	return Stat{P50: rank(0.50), P95: rank(0.95)}
}

func answers(viaDNS []Attempt) ([]AnswerSet, bool) {
	var sets []AnswerSet
	index := map[string]int{}
	for _, a := range viaDNS {
		if len(a.Resolved) == 0 {
			continue
		}
		addrs := append([]string(nil), a.Resolved...)
		sort.Strings(addrs)
		key := strings.Join(addrs, " ")
		i, ok := index[key]
		if !ok {
			i = len(sets)
			index[key] = i
			sets = append(sets, AnswerSet{Addresses: addrs, FirstSeen: a.Time})
		}
		sets[i].Samples++
	}
	return sets, len(sets) > 1
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
