package probe

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdicts of a target or of one address.
const (
	VerdictOK           = "ok"
	VerdictAllFail      = "url-or-certificate-wrong"
	VerdictIntermittent = "intermittent"
	VerdictOneAddress   = "one-address-fails"
	VerdictLBFails      = "load-balancer-fails"
	VerdictPrivate      = "unreachable-private"
	VerdictNearTimeout  = "near-timeout"
	VerdictNoData       = "no-data"
	// VerdictFails is the verdict of one address or one direct override
	// that failed every attempt.
	VerdictFails = "fails"
)

// nearTimeoutShare is the share of the read timeout above which a p95 time
// to first byte counts as "near the timeout".
const nearTimeoutShare = 0.8

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
	FailuresByClass map[string]int `json:"failures_by_class,omitempty"`
	// TwilioCodes counts failures by the Twilio error code they map to.
	TwilioCodes map[string]int `json:"twilio_codes,omitempty"`
	Phases      PhaseStats     `json:"phases"`
	// Private is true when every attempt went to an address Twilio cannot
	// reach.
	Private bool   `json:"private,omitempty"`
	Verdict string `json:"verdict"`
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
	// others answered.
	BadAddresses []string `json:"bad_addresses,omitempty"`
	Verdict      string   `json:"verdict"`
	// Explanation says in one or two sentences what the verdict means.
	Explanation string `json:"explanation"`
}

// SummaryOptions tune Summarize.
type SummaryOptions struct {
	// AllowPrivate keeps private targets from the "unreachable-private"
	// verdict.
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
	ts.Overall = summarize(ModeDNS, "", viaDNS, opts)
	for _, addr := range sortedKeys(perAddr) {
		ts.PerAddress = append(ts.PerAddress, summarize(ModeAddress, addr, perAddr[addr], opts))
	}
	for _, addr := range sortedKeys(direct) {
		ts.Direct = append(ts.Direct, summarize(ModeDirect, addr, direct[addr], opts))
	}
	ts.DNSAnswers, ts.DNSChanged = answers(viaDNS)

	var good []string
	for _, s := range ts.PerAddress {
		switch {
		case s.Attempts > 0 && s.Failures == s.Attempts:
			ts.BadAddresses = append(ts.BadAddresses, s.Address)
		case s.Failures == 0:
			good = append(good, s.Address)
		}
	}
	directOK := len(ts.Direct) > 0
	for _, s := range ts.Direct {
		directOK = directOK && s.Failures == 0
	}

	o := ts.Overall
	switch {
	case o.Attempts == 0 && len(ts.PerAddress) == 0 && len(ts.Direct) == 0:
		ts.Verdict = VerdictNoData
		ts.Explanation = "no attempt was made"
	case o.Verdict == VerdictPrivate:
		ts.Verdict = VerdictPrivate
		ts.Explanation = "the name resolves only to private, loopback or link-local addresses: Twilio cannot reach it from the internet"
	case len(ts.BadAddresses) > 0 && len(good) > 0:
		ts.Verdict = VerdictOneAddress
		ts.Explanation = fmt.Sprintf("%s failed every attempt (%s) while %s answered: one backend behind the DNS name is broken",
			strings.Join(ts.BadAddresses, ", "), topClass(perAddr[ts.BadAddresses[0]]), strings.Join(good, ", "))
	case directOK && o.Failures > 0:
		ts.Verdict = VerdictLBFails
		ts.Explanation = fmt.Sprintf("%d of %d attempts through the load balancer failed (%s) while every direct attempt to the origin succeeded: look at the load balancer, firewall or DNS in front of the origin",
			o.Failures, o.Attempts, topClass(viaDNS))
	case o.Attempts > 0 && o.Failures == o.Attempts:
		ts.Verdict = VerdictAllFail
		ts.Explanation = fmt.Sprintf("every attempt failed (%s): the URL, the server behind it or its certificate is wrong", topClass(viaDNS))
	case o.Failures > 0:
		ts.Verdict = VerdictIntermittent
		ts.Explanation = fmt.Sprintf("%d of %d attempts failed (%.0f%%, mostly %s): occasional failures point at server load or the network; compare failure rates by hour of day",
			o.Failures, o.Attempts, 100*o.FailureRate, topClass(viaDNS))
	case o.Verdict == VerdictNearTimeout:
		ts.Verdict = VerdictNearTimeout
		ts.Explanation = fmt.Sprintf("every attempt succeeded, but the 95th percentile time to first byte (%.0f ms) is close to Twilio's read timeout", o.Phases.TTFB.P95)
	default:
		ts.Verdict = VerdictOK
		ts.Explanation = "every attempt succeeded"
	}
	if len(ts.Direct) > 0 && ts.Verdict == VerdictOK && !directOK {
		ts.Explanation += "; direct attempts to the origin failed while the load balancer answered"
	}
	if ts.DNSChanged {
		ts.Explanation += "; the DNS answer changed between samples (dynamic DNS or a flapping record)"
	}
	return ts
}

func summarize(mode, addr string, attempts []Attempt, opts SummaryOptions) Summary {
	s := Summary{Mode: mode, Address: addr, Attempts: len(attempts)}
	if len(attempts) == 0 {
		s.Verdict = VerdictNoData
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
				s.FailuresByClass, s.TwilioCodes = map[string]int{}, map[string]int{}
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
	switch {
	case private && !opts.AllowPrivate:
		s.Verdict = VerdictPrivate
	case s.Failures == s.Attempts && mode != ModeDNS:
		s.Verdict = VerdictFails
	case s.Failures == s.Attempts:
		s.Verdict = VerdictAllFail
	case s.Failures > 0:
		s.Verdict = VerdictIntermittent
	case rt > 0 && s.Phases.TTFB.P95 > nearTimeoutShare*rt:
		s.Verdict = VerdictNearTimeout
	default:
		s.Verdict = VerdictOK
	}
	return s
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

// topClass is the most frequent error class with its Twilio code.
func topClass(attempts []Attempt) string {
	count := map[string]int{}
	code := map[string]int{}
	for _, a := range attempts {
		if !a.OK {
			count[a.ErrorClass]++
			code[a.ErrorClass] = a.TwilioCode
		}
	}
	best := ""
	for _, c := range sortedKeys(count) {
		if best == "" || count[c] > count[best] {
			best = c
		}
	}
	if best == "" {
		return "no failure"
	}
	if code[best] != 0 {
		return fmt.Sprintf("%s, Twilio %d", best, code[best])
	}
	return best
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteTable renders the summaries as a text table: one line per target
// (through DNS), one per address and one per direct override below it,
// then the verdict's explanation.
func WriteTable(w io.Writer, targets []TargetSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET / VIA\tATTEMPTS\tFAILED\tFAILURES\tDNS p50/p95\tCONNECT p50/p95\tTLS p50/p95\tTTFB p50/p95\tTOTAL p50/p95\tVERDICT")
	row := func(label string, s Summary) {
		fmt.Fprintf(tw, "%s\t%d\t%.0f%%\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", label, s.Attempts, 100*s.FailureRate, classes(s),
			ms(s.Phases.DNS), ms(s.Phases.Connect), ms(s.Phases.TLS), ms(s.Phases.TTFB), ms(s.Phases.Total), s.Verdict)
	}
	for _, t := range targets {
		row(t.Target, t.Overall)
		for _, s := range t.PerAddress {
			row("  address "+s.Address, s)
		}
		for _, s := range t.Direct {
			row("  direct "+s.Address, s)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write probe table: %w", err)
	}
	for _, t := range targets {
		if _, err := fmt.Fprintf(w, "%s: %s — %s\n", t.Target, t.Verdict, t.Explanation); err != nil {
			return fmt.Errorf("write probe table: %w", err)
		}
	}
	return nil
}

func classes(s Summary) string {
	if len(s.FailuresByClass) == 0 {
		return "-"
	}
	var parts []string
	for _, c := range sortedKeys(s.FailuresByClass) {
		parts = append(parts, fmt.Sprintf("%s×%d", c, s.FailuresByClass[c]))
	}
	var codes []string
	for _, c := range sortedKeys(s.TwilioCodes) {
		codes = append(codes, c)
	}
	if len(codes) > 0 {
		return strings.Join(parts, ",") + " (" + strings.Join(codes, ",") + ")"
	}
	return strings.Join(parts, ",")
}

func ms(s Stat) string {
	if s.P50 == 0 && s.P95 == 0 {
		return "-"
	}
	return fmt.Sprintf("%s/%s ms", msValue(s.P50), msValue(s.P95))
}

func msValue(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}
