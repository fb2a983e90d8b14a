package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Verdict kinds: the headline outcomes of the isolation procedure
// (DESIGN.md §1). Each names where the failed webhook requests most likely
// stopped.
const (
	VerdictURLWrong     = "url_wrong"     // step 2: the URL, its DNS name or its certificate is wrong
	VerdictIntermittent = "intermittent"  // step 2: fails now and then: server load or network
	VerdictOneAddress   = "one_address"   // step 2/3: one of the addresses behind the name fails
	VerdictAppFailed    = "app_failed"    // step 1: the request arrived; the application failed or was too slow
	VerdictDropped      = "dropped"       // step 3: a load balancer or firewall in front dropped it
	VerdictNeverReached = "never_reached" // step 4: nobody on the customer's side saw it
	VerdictTwilioSide   = "twilio_side"   // step 4: a Twilio incident overlaps the failures
	VerdictNoFailures   = "no_failures"   // no webhook failures in the window
	VerdictInsufficient = "insufficient"  // not enough evidence: add something
	VerdictConflict     = "conflict"      // equally strong evidence points two ways
)

// verdictSteps is the step of the procedure each verdict answers.
var verdictSteps = map[string]string{
	VerdictURLWrong: "2", VerdictIntermittent: "2", VerdictOneAddress: "2/3",
	VerdictAppFailed: "1", VerdictDropped: "3", VerdictNeverReached: "4",
	VerdictTwilioSide: "4", VerdictNoFailures: "", VerdictInsufficient: "", VerdictConflict: "",
}

// Confidence of a verdict or of one line of evidence.
const (
	ConfidenceLow    = "low"
	ConfidenceMedium = "medium"
	ConfidenceHigh   = "high"
)

func confidenceRank(c string) int {
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

// Things the customer can add when the evidence is not enough; each has a
// sentence in the catalogs ("missing.<name>").
const (
	MissingAlerts = "alerts" // the alerts could not be read
	MissingProbes = "probes" // no probe of the webhook URLs
	MissingHops   = "hops"   // no access logs of the customer's components
	// MissingStatusPage: Twilio's status page could not be read, so a
	// Twilio incident could not be checked.
	MissingStatusPage = "status_page"
)

// Reason is one piece of evidence behind a verdict: either a finding of an
// analyzer (FindingID set) or a figure the verdict derived from the
// incidents themselves (Key names its sentence in the catalogs, Figures
// fill it).
type Reason struct {
	Kind       string         `json:"kind"`
	Confidence string         `json:"confidence"`
	FindingID  string         `json:"finding,omitempty"`
	Key        string         `json:"key,omitempty"`
	Figures    map[string]any `json:"figures,omitempty"`
	// Text is the English sentence, for findings.json and as the fallback
	// when a catalog has no sentence for the reason.
	Text string `json:"text"`
	// Scope is the webhook host the evidence is about, when the analyzer
	// said so ("host: …"); empty means every host.
	Scope string `json:"scope,omitempty"`
}

// Isolation is the result of walking the isolation procedure over the
// evidence: one headline verdict with its confidence and the evidence
// behind it, the evidence that points elsewhere, whether a Twilio incident
// overlaps, and what to add when the evidence is thin.
type Isolation struct {
	Kind       string `json:"kind"`
	Step       string `json:"step,omitempty"`
	Confidence string `json:"confidence"`
	// Basis is the evidence for the headline, strongest first.
	Basis []Reason `json:"basis,omitempty"`
	// Conflicts is evidence for other verdicts that the headline does not
	// explain; with Kind == VerdictConflict it holds the competing sides.
	Conflicts []Reason `json:"conflicts,omitempty"`
	// Elsewhere is evidence of a different cause on other webhook hosts
	// than the headline's: a second problem, not a contradiction.
	Elsewhere []Reason `json:"elsewhere,omitempty"`
	// CustomerSide is the strongest customer-side evidence when the headline
	// is VerdictTwilioSide: it is shown, not hidden.
	CustomerSide []Reason `json:"customer_side,omitempty"`
	// TwilioIncident is the overlapping Twilio status incident, if any.
	TwilioIncident *Reason `json:"twilio_incident,omitempty"`
	// Missing lists what to add for a firmer verdict (Missing* constants).
	Missing []string `json:"missing,omitempty"`
}

// findingKinds maps the analyzers' finding IDs (the contract in the finding
// ID list) to the verdict they support and how strongly.
var findingKinds = map[string]struct{ kind, conf string }{
	"probe.url_wrong":         {VerdictURLWrong, ConfidenceHigh},
	"probe.private":           {VerdictURLWrong, ConfidenceHigh},
	"probe.override_invalid":  {VerdictURLWrong, ConfidenceHigh},
	"probe.intermittent":      {VerdictIntermittent, ConfidenceMedium},
	"probe.one_address_fails": {VerdictOneAddress, ConfidenceHigh},
	"probe.lb_fails":          {VerdictDropped, ConfidenceHigh},
	"hops.app_failed":         {VerdictAppFailed, ConfidenceHigh},
	"hops.answered":           {VerdictAppFailed, ConfidenceMedium},
	"hops.lost":               {VerdictDropped, ConfidenceHigh},
	"hops.firewall_drop":      {VerdictDropped, ConfidenceHigh},
	"hops.never_reached":      {VerdictNeverReached, ConfidenceHigh},
	"hops.mixed":              {VerdictIntermittent, ConfidenceMedium},
}

// explains says which verdicts account for the evidence of others, so that
// the two are not a conflict: a wrong URL or a failing backend address is
// why requests never reach the customer; one failing address makes failures
// intermittent; an application under load fails intermittently.
var explains = map[string][]string{
	VerdictURLWrong:     {VerdictNeverReached},
	VerdictOneAddress:   {VerdictIntermittent, VerdictNeverReached, VerdictDropped},
	VerdictAppFailed:    {VerdictIntermittent},
	VerdictIntermittent: {VerdictAppFailed},
	VerdictDropped:      {VerdictIntermittent, VerdictNeverReached},
}

// headlineOrder breaks ties between verdicts of equal confidence that do
// not conflict: the more specific (the one that explains the other) first.
var headlineOrder = []string{VerdictURLWrong, VerdictOneAddress, VerdictDropped, VerdictAppFailed, VerdictIntermittent, VerdictNeverReached}

// Error-code classes (DESIGN.md §2) used when no analyzer has spoken.
var (
	certCodes     = map[string]bool{"11220": true, "11235": true, "11236": true, "11237": true}
	dnsCodes      = map[string]bool{"11210": true}
	overrideCodes = map[string]bool{"11240": true, "11241": true, "11242": true, "11243": true}
	appCodes      = map[string]bool{"12300": true, "11750": true, "12100": true, "11206": true, "11215": true, "11216": true, "15003": true}
	connectCodes  = map[string]bool{"11200": true, "11201": true, "11202": true, "11203": true, "11205": true}
)

// Isolate walks the isolation procedure over the evidence and the findings
// of the other analyzers and returns the headline verdict. It is pure: the
// same evidence and findings give the same result. A finding with ID
// "verdict" (an earlier run's) is ignored.
func Isolate(ev *collect.Evidence, findings []Finding) Isolation {
	alertsOK := collectorOK(ev, "alerts")
	var reasons []Reason
	var twilio *Reason
	twilioShare := 0.0
	hasProbe, hasHops := false, false
	hostCount := map[string]int{}
	for _, inc := range ev.Incidents {
		if h := hostOf(inc.URL); h != "" {
			hostCount[h]++
		}
	}
	seen := map[string]bool{}
	for _, f := range findings {
		if seen[f.ID+"\x00"+f.Verdict] {
			continue // the same finding twice says nothing more
		}
		seen[f.ID+"\x00"+f.Verdict] = true
		switch {
		case strings.HasPrefix(f.ID, "probe."):
			hasProbe = true
		case strings.HasPrefix(f.ID, "hops."):
			hasHops = true
		}
		if f.ID == "twilio.status_incident" {
			if share := overlapShare(f); twilio == nil || share > twilioShare {
				r := Reason{Kind: VerdictTwilioSide, Confidence: ConfidenceMedium, FindingID: f.ID, Text: f.Verdict}
				twilio, twilioShare = &r, share
			}
			continue
		}
		if k, ok := findingKinds[f.ID]; ok {
			reasons = append(reasons, Reason{Kind: k.kind, Confidence: k.conf, FindingID: f.ID, Text: f.Verdict, Scope: scopeOf(f.Verdict, hostCount)})
		}
	}
	probeOK := hasFinding(findings, "probe.ok")
	reasons = append(reasons, codeReasons(ev.Incidents, probeOK)...)
	// A successful probe backs up "never reached": the URL works from
	// here, so the failures lie on the way from Twilio.
	if probeOK {
		for i := range reasons {
			if reasons[i].Kind == VerdictNeverReached {
				reasons[i].Confidence = ConfidenceHigh
			}
		}
	}

	var missing []string
	if !alertsOK {
		missing = append(missing, MissingAlerts)
	}
	if !hasProbe {
		missing = append(missing, MissingProbes)
	}
	if !hasHops {
		missing = append(missing, MissingHops)
	}
	if ContextUnread(ev) {
		missing = append(missing, MissingStatusPage)
	}

	if len(ev.Incidents) == 0 && len(reasons) == 0 {
		if !alertsOK {
			return Isolation{Kind: VerdictInsufficient, Confidence: ConfidenceLow, Missing: []string{MissingAlerts}, TwilioIncident: twilio}
		}
		return Isolation{Kind: VerdictNoFailures, Confidence: ConfidenceHigh, TwilioIncident: twilio}
	}

	iso := decide(reasons, hostCount)
	iso.Missing = missing
	iso.TwilioIncident = twilio
	customerCause := iso.Kind != VerdictInsufficient && iso.Kind != VerdictNeverReached
	if twilio != nil && iso.Kind != VerdictNoFailures &&
		(!customerCause || twilioShare >= twilioLeadShare && confidenceRank(iso.Confidence) < confidenceRank(ConfidenceHigh)) {
		// A Twilio incident overlaps and either nothing on the customer's
		// side explains the failures, or it covers most of them and no
		// customer-side evidence is strong: the headline says Twilio side,
		// the customer-side evidence stays in view.
		side := append(append([]Reason{}, iso.Basis...), iso.Conflicts...)
		iso = Isolation{Kind: VerdictTwilioSide, Step: verdictSteps[VerdictTwilioSide], Confidence: ConfidenceMedium,
			Basis: []Reason{*twilio}, CustomerSide: side, TwilioIncident: twilio, Missing: missing}
	} else if twilio != nil {
		iso.Conflicts = append(iso.Conflicts, *twilio)
	}
	if iso.Kind == VerdictInsufficient && len(iso.Missing) == 0 {
		// Every source was read and still nothing points anywhere: the
		// failures happened where none of them looks.
		iso.Missing = []string{MissingHops}
	}
	return iso
}

// twilioLeadShare is the share of the failures a Twilio incident must cover
// to lead over a customer-side cause: a published incident that overlaps a
// few of many failures does not explain the rest.
const twilioLeadShare = 0.5

// overlapShare is the share of the customer's failures inside the Twilio
// incident of a twilio.status_incident finding (1 when unknown).
func overlapShare(f Finding) float64 {
	inside, ok1 := asFloat(f.Figures["inside"])
	total, ok2 := asFloat(f.Figures["total"])
	if !ok1 || !ok2 || total <= 0 {
		return 1
	}
	return inside / total
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// decide picks the headline from the reasons.
func decide(reasons []Reason, hostCount map[string]int) Isolation {
	best := map[string]int{} // kind → strongest confidence rank
	for _, r := range reasons {
		best[r.Kind] = max(best[r.Kind], confidenceRank(r.Confidence))
	}
	top := 0
	for _, c := range best {
		top = max(top, c)
	}
	if top == 0 {
		return Isolation{Kind: VerdictInsufficient, Confidence: ConfidenceLow}
	}
	var leaders []string
	for _, k := range headlineOrder {
		if best[k] == top {
			leaders = append(leaders, k)
		}
	}
	// Among equally strong verdicts, the one behind the most incidents
	// leads (evidence about every host counts them all).
	covered := func(kind string) int {
		n, all := 0, false
		hosts := map[string]bool{}
		for _, r := range reasons {
			if r.Kind == kind && confidenceRank(r.Confidence) == top {
				if r.Scope == "" {
					all = true
				}
				hosts[r.Scope] = true
			}
		}
		for h, c := range hostCount {
			if all || hosts[h] {
				n += c
			}
		}
		return n
	}
	sort.SliceStable(leaders, func(i, j int) bool { return covered(leaders[i]) > covered(leaders[j]) })
	head := leaders[0]
	headScopes := map[string]bool{}
	for _, r := range reasons {
		if r.Kind == head {
			headScopes[r.Scope] = true
		}
	}
	// overlaps reports whether r is about incidents the headline's
	// evidence is about too.
	overlaps := func(r Reason) bool { return r.Scope == "" || headScopes[""] || headScopes[r.Scope] }
	// Leaders that the head does not explain (and that do not explain the
	// head) are a conflict of equally strong evidence about the same
	// incidents.
	var rivals []string
	for _, k := range leaders[1:] {
		if compatible(head, k) {
			continue
		}
		for _, r := range reasons {
			if r.Kind == k && confidenceRank(r.Confidence) == top && overlaps(r) {
				rivals = append(rivals, k)
				break
			}
		}
	}
	iso := Isolation{Kind: head, Step: verdictSteps[head], Confidence: rankName(top)}
	for _, r := range sortReasons(reasons) {
		switch {
		case r.Kind == head:
			iso.Basis = append(iso.Basis, r)
		case compatible(head, r.Kind):
			// Consistent with the headline: more evidence for it.
			iso.Basis = append(iso.Basis, r)
		case !overlaps(r):
			iso.Elsewhere = append(iso.Elsewhere, r)
		default:
			iso.Conflicts = append(iso.Conflicts, r)
		}
	}
	if len(rivals) > 0 {
		iso.Kind, iso.Step = VerdictConflict, ""
		iso.Confidence = ConfidenceLow
		return iso
	}
	// Weaker evidence pointing elsewhere lowers the confidence one level.
	if len(iso.Conflicts) > 0 && top > 1 {
		iso.Confidence = rankName(top - 1)
	}
	return iso
}

// compatible reports whether verdicts a and b can both hold: one explains
// the other.
func compatible(a, b string) bool {
	if a == b {
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

func rankName(r int) string {
	switch {
	case r >= 3:
		return ConfidenceHigh
	case r == 2:
		return ConfidenceMedium
	}
	return ConfidenceLow
}

// sortReasons orders reasons strongest first, findings before figures,
// keeping the input order otherwise.
func sortReasons(rs []Reason) []Reason {
	out := append([]Reason(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := confidenceRank(out[i].Confidence), confidenceRank(out[j].Confidence)
		if ci != cj {
			return ci > cj
		}
		return out[i].FindingID != "" && out[j].FindingID == ""
	})
	return out
}

// codeReasons derives evidence from the incidents' error codes and HTTP
// statuses, the step-1 evidence every bundle has. A class of codes speaks
// for a verdict when it makes up at least a fifth of the incidents. probeOK
// (the URL answers correctly now) weakens what the codes say about the URL.
func codeReasons(incidents []collect.Incident, probeOK bool) []Reason {
	n := len(incidents)
	if n == 0 {
		return nil
	}
	type class struct {
		kind, key, conf string
		count           int
		codes           map[string]int
	}
	classes := []*class{
		{kind: VerdictURLWrong, key: "reason.codes_certificate", conf: ConfidenceMedium},
		{kind: VerdictURLWrong, key: "reason.codes_dns", conf: ConfidenceMedium},
		{kind: VerdictURLWrong, key: "reason.codes_override", conf: ConfidenceMedium},
		{kind: VerdictAppFailed, key: "reason.codes_app", conf: ConfidenceMedium},
		{kind: VerdictAppFailed, key: "reason.codes_app_status", conf: ConfidenceMedium},
		{kind: VerdictAppFailed, key: "reason.codes_proxy_status", conf: ConfidenceLow},
	}
	connect := 0
	for _, c := range classes {
		c.codes = map[string]int{}
	}
	for _, inc := range incidents {
		var c *class
		switch code := inc.ErrorCode; {
		case certCodes[code]:
			c = classes[0]
		case dnsCodes[code]:
			c = classes[1]
		case overrideCodes[code]:
			c = classes[2]
		case appCodes[code]:
			c = classes[3]
		case code == "11217" || code == "11200" && inc.HTTPStatus >= 400:
			switch inc.HTTPStatus {
			case 502, 503, 504:
				c = classes[5]
			case 0:
				connect++
			default:
				c = classes[4]
			}
		case connectCodes[code]:
			connect++
		}
		if c != nil {
			c.count++
			key := inc.ErrorCode
			if inc.HTTPStatus != 0 {
				key += " (HTTP " + strconv.Itoa(inc.HTTPStatus) + ")"
			}
			c.codes[key]++
		}
	}
	var out []Reason
	for _, c := range classes {
		if c.count == 0 || c.count*5 < n {
			continue
		}
		conf := c.conf
		if probeOK && c.kind == VerdictURLWrong {
			conf = ConfidenceLow
		}
		codes := codeList(c.codes)
		out = append(out, Reason{Kind: c.kind, Confidence: conf, Key: c.key,
			Figures: map[string]any{"count": c.count, "total": n, "codes": codes},
			Text:    fmt.Sprintf("%d of %d incidents are %s.", c.count, n, codes)})
	}
	_ = connect // connection failures alone point nowhere: probes and hop logs decide
	return out
}

// codeList is "11217 (HTTP 500) ×12, 12300 ×3", most frequent first.
func codeList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// scopeOf is the webhook host a finding's sentence starts with
// ("ivr.example.com: …"), when it is one of the incidents' hosts.
func scopeOf(sentence string, hosts map[string]int) string {
	h, _, ok := strings.Cut(sentence, ": ")
	if !ok {
		return ""
	}
	if _, known := hosts[strings.ToLower(h)]; known {
		return strings.ToLower(h)
	}
	return ""
}

func hasFinding(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// collectorOK reports whether the named collector ran to the end; a
// collector that is not listed counts as ok (the evidence was given).
func collectorOK(ev *collect.Evidence, name string) bool {
	for _, c := range ev.Collectors {
		if c.Name == name {
			return c.State == collect.StateOK
		}
	}
	return true
}

// VerdictFinding turns the isolation result into the finding with ID
// "verdict" that heads findings.json: the English sentence, the step, the
// confidence and the evidence behind it.
func VerdictFinding(iso Isolation) Finding {
	f := Finding{ID: "verdict", Severity: Info, Verdict: englishVerdict(iso)}
	if s, err := strconv.Atoi(strings.SplitN(iso.Step, "/", 2)[0]); err == nil {
		f.Step = s
	}
	switch iso.Kind {
	case VerdictNoFailures:
		f.Severity = Pass
	case VerdictInsufficient, VerdictConflict:
		f.Severity = Warn
	default:
		f.Severity = Fail
	}
	f.Evidence = append(f.Evidence, "confidence: "+iso.Confidence)
	for _, r := range iso.Basis {
		f.Evidence = append(f.Evidence, reasonRef(r))
	}
	for _, r := range iso.Conflicts {
		f.Evidence = append(f.Evidence, "conflict: "+reasonRef(r))
	}
	for _, r := range iso.Elsewhere {
		f.Evidence = append(f.Evidence, "elsewhere: "+reasonRef(r))
	}
	for _, r := range iso.CustomerSide {
		f.Evidence = append(f.Evidence, "customer side: "+reasonRef(r))
	}
	for _, m := range iso.Missing {
		f.Evidence = append(f.Evidence, "missing: "+m)
	}
	return f
}

func reasonRef(r Reason) string {
	if r.FindingID != "" {
		return r.FindingID + ": " + r.Text
	}
	return r.Text
}

// englishVerdict is the headline in English, for findings.json.
func englishVerdict(iso Isolation) string {
	t, err := NewText("en")
	if err != nil {
		return iso.Kind
	}
	return t.Headline(iso)
}
