package analysis

import (
	"net/url"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Proof is one line of evidence behind a cause: a catalog sentence (Key,
// filled with Figures) and the bundle file that holds what it says.
type Proof struct {
	Key     string         `json:"key"`
	Figures map[string]any `json:"figures,omitempty"`
	File    string         `json:"file,omitempty"`
	// Text is the sentence in English.
	Text string `json:"text"`
}

// Problem is one cause, where it is, the figure that proves it, since when,
// the incidents it explains and the proof.
type Problem struct {
	Cause      Cause      `json:"cause"`
	Step       int        `json:"step"`
	Confidence Confidence `json:"confidence"`
	// Where is the host, URL or component the cause is at.
	Where string `json:"where,omitempty"`
	// Figures fill the headline sentence ("cause.<id>.headline").
	Figures map[string]any `json:"figures,omitempty"`
	// Since is the first failure the cause explains; zero when none.
	Since time.Time `json:"since,omitzero"`
	// Explained of Total incidents are the cause's.
	Explained int     `json:"explained"`
	Total     int     `json:"total"`
	Proof     []Proof `json:"proof,omitempty"`
	// Between are the two causes that remain (undecided) or that claim the
	// same incidents with equal strength (conflict); Decider is the cause
	// whose evidence ("cause.<id>.evidence") decides between them.
	Between []Cause `json:"between,omitempty"`
	Decider Cause   `json:"decider,omitempty"`
	// Text is the headline in English.
	Text string `json:"text"`
}

// Diagnosis is the analysis' answer: the cause that explains the most
// incidents, the further problems with their counts, what is said beside
// them, and what evidence is missing.
type Diagnosis struct {
	Problem
	// Further are the other problems, the biggest first.
	Further []Problem `json:"further,omitempty"`
	// Beside is said next to the headline: the webhook resolves to
	// addresses Twilio cannot reach, a Twilio incident overlaps.
	Beside []Problem `json:"beside,omitempty"`
	// Missing lists evidence not collected (Missing* constants).
	Missing []string `json:"missing,omitempty"`
}

// Things the customer can add when the evidence is thin; each has a
// sentence in the catalogs ("missing.<name>").
const (
	MissingAlerts = "alerts" // the alerts could not be read
	MissingProbes = "probes" // no probe of the webhook URLs
	MissingHops   = "hops"   // no access logs of the customer's components
	// MissingStatusPage: Twilio's status page could not be read, so a
	// Twilio incident could not be checked.
	MissingStatusPage = "status_page"
)

// claim is a detector's statement that cause explains some incidents.
type claim struct {
	cause Cause
	conf  Confidence
	where string
	figs  map[string]any
	inc   map[int]bool // indices into Evidence.Incidents
	proof []Proof
	since time.Time
	// between and decider are set on an undecided or conflict outcome.
	between []Cause
	decider Cause
	// alt is the other cause of a weak claim its evidence could not tell
	// apart from it; fromCodes says the claim rests on error codes alone.
	alt       Cause
	fromCodes bool
}

func (c *claim) count() int { return len(c.inc) }

// group is the incidents of one webhook (host and path) and the claims on
// them.
type group struct {
	host, path string
	// url is the webhook's URL as the incidents or the probes name it.
	url    string
	inc    []int
	claims map[string]*claim
	order  []string
	// probed says a probe of the URL ran; probeOK that it passes now.
	probed, probeOK bool
}

func (g *group) key() string { return g.host + g.path }

// add merges c into the group's claim on the same cause and place.
func (g *group) add(c *claim) {
	if c == nil {
		return
	}
	if c.inc == nil {
		c.inc = map[int]bool{}
	}
	k := string(c.cause) + "\x00" + c.where
	have, ok := g.claims[k]
	if !ok {
		g.claims[k] = c
		g.order = append(g.order, k)
		return
	}
	if c.conf.rank() > have.conf.rank() {
		have.conf, have.figs = c.conf, c.figs
	}
	have.fromCodes = have.fromCodes && c.fromCodes
	for i := range c.inc {
		have.inc[i] = true
	}
	have.proof = appendProofs(have.proof, c.proof...)
	if !c.since.IsZero() && (have.since.IsZero() || c.since.Before(have.since)) {
		have.since = c.since
	}
}

// maxProof bounds the proof lines of one problem.
const maxProof = 6

func appendProofs(ps []Proof, more ...Proof) []Proof {
	for _, p := range more {
		dup := false
		for _, q := range ps {
			if q.Key == p.Key && q.Text == p.Text {
				dup = true
				break
			}
		}
		if !dup && len(ps) < maxProof {
			ps = append(ps, p)
		}
	}
	return ps
}

// diag is the state of one diagnosis: the evidence and what the detectors
// share.
type diag struct {
	ev     *collect.Evidence
	loc    *time.Location
	groups []*group
	byKey  map[string]*group
	hops   *hopIndex
}

// Diagnose decides the cause of the failures in ev: it groups the incidents
// by webhook (host and path), lets every detector claim the incidents its
// evidence explains, decides each group's cause and makes the one that
// explains the most incidents the headline. It is pure.
func Diagnose(ev *collect.Evidence) Diagnosis {
	d := &diag{ev: ev, loc: ev.Window.Loc(), byKey: map[string]*group{}}
	for i, inc := range ev.Incidents {
		d.groupOf(inc.URL).inc = append(d.groupOf(inc.URL).inc, i)
	}
	d.hops = newHopIndex(ev)
	for _, g := range d.groups {
		detectCodes(d, g)
		detectProbes(d, g)
		detectHops(d, g)
		detectContext(d, g)
	}
	// Probed URLs without incidents: a fault found now is a problem too.
	for _, k := range probedKeys(ev) {
		if _, ok := d.byKey[k.key]; !ok {
			g := d.newGroup(k.host, k.path, k.url)
			detectProbes(d, g)
		}
	}
	return d.decide()
}

// groupOf is the group of the webhook raw names, made when new.
func (d *diag) groupOf(raw string) *group {
	host, path := hostPath(raw)
	if g, ok := d.byKey[host+path]; ok {
		return g
	}
	return d.newGroup(host, path, stripQuery(raw))
}

func (d *diag) newGroup(host, path, u string) *group {
	g := &group{host: host, path: path, url: u, claims: map[string]*claim{}}
	d.groups = append(d.groups, g)
	d.byKey[g.key()] = g
	return g
}

// hostPath is the lower-cased host and the path of a URL, the key of its
// group.
func hostPath(raw string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	return strings.ToLower(u.Hostname()), u.Path
}

// stripQuery is the URL without its query and fragment.
func stripQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	return u.String()
}

// decide turns the groups' claims into the diagnosis.
func (d *diag) decide() Diagnosis {
	total := len(d.ev.Incidents)
	var heads, further, config, beside []Problem
	for _, g := range d.groups {
		head, more, cfg, side := d.decideGroup(g)
		if head != nil {
			heads = append(heads, *head)
		}
		further = append(further, more...)
		config = append(config, cfg...)
		beside = append(beside, side...)
	}
	heads, further, beside = mergeProblems(heads), mergeProblems(further), mergeProblems(beside)
	sortProblems(heads)
	var dg Diagnosis
	dg.Missing = d.missing()
	switch {
	case len(heads) > 0:
		dg.Problem = heads[0]
		further = append(heads[1:], further...)
	case !collectorOK(d.ev, "alerts"):
		dg.Problem = Problem{Cause: CauseUndecided, Confidence: ConfidenceLow, Decider: "", Figures: map[string]any{"where": ""}}
		dg.Missing = []string{MissingAlerts}
	default:
		dg.Problem = Problem{Cause: CauseNoFailures, Confidence: ConfidenceHigh, Figures: map[string]any{}}
	}
	sortProblems(further)
	sortProblems(config)
	dg.Further = append(further, config...)
	dg.Beside = beside
	for i := range dg.Further {
		dg.Further[i].Total = total
	}
	for i := range dg.Beside {
		dg.Beside[i].Total = total
	}
	dg.Total = total
	fillText(&dg.Problem)
	for i := range dg.Further {
		fillText(&dg.Further[i])
	}
	for i := range dg.Beside {
		fillText(&dg.Beside[i])
	}
	return dg
}

// mergeProblems joins the problems of several webhooks that name the same
// cause at the same place (one firewall stopping the requests to two
// paths): one problem, with the incidents of both.
func mergeProblems(ps []Problem) []Problem {
	var out []Problem
	at := map[string]int{}
	for _, p := range ps {
		if p.Cause == CauseUndecided || p.Cause == CauseConflict || p.Where == "" {
			out = append(out, p)
			continue
		}
		k := string(p.Cause) + "\x00" + p.Where
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, p)
			continue
		}
		m := &out[i]
		m.Explained += p.Explained
		m.Proof = appendProofs(m.Proof, p.Proof...)
		if p.Confidence.rank() > m.Confidence.rank() {
			m.Confidence = p.Confidence
		}
		if !p.Since.IsZero() && (m.Since.IsZero() || p.Since.Before(m.Since)) {
			m.Since, m.Figures["since"] = p.Since, p.Figures["since"]
		}
		if n, ok := m.Figures["inside"].(int); ok {
			m.Figures["inside"] = n + p.Explained
		}
	}
	return out
}

// sortProblems orders problems: most incidents first, then the firmer,
// then the more specific.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Explained != b.Explained {
			return a.Explained > b.Explained
		}
		if a.Confidence.rank() != b.Confidence.rank() {
			return a.Confidence.rank() > b.Confidence.rank()
		}
		return rankOf(a.Cause) < rankOf(b.Cause)
	})
}

// decideGroup decides one group: its headline problem, the further
// problems among its incidents, its configuration problems and what is said
// beside.
func (d *diag) decideGroup(g *group) (head *Problem, further, config, beside []Problem) {
	var faults []*claim
	for _, k := range g.order {
		c := g.claims[k]
		switch kindOf(c.cause) {
		case kindConfig:
			config = append(config, d.problem(g, c))
		case kindBeside:
			// said beside what was measured; it leads only when nothing
			// else explains the failures (below)
		default:
			faults = append(faults, c)
		}
	}
	sort.SliceStable(faults, func(i, j int) bool {
		a, b := faults[i], faults[j]
		if a.conf.rank() != b.conf.rank() {
			return a.conf.rank() > b.conf.rank()
		}
		if a.fromCodes != b.fromCodes {
			return b.fromCodes
		}
		if a.count() != b.count() {
			return a.count() > b.count()
		}
		return rankOf(a.cause) < rankOf(b.cause)
	})
	for _, k := range g.order {
		if c := g.claims[k]; kindOf(c.cause) == kindBeside {
			if len(faults) == 0 || faults[0].conf == ConfidenceLow {
				faults = append([]*claim{c}, faults...)
			} else {
				beside = append(beside, d.problem(g, c))
			}
		}
	}
	if len(faults) == 0 {
		if len(g.inc) == 0 {
			return nil, nil, config, beside
		}
		// Incidents no detector explains: the first component's log
		// decides whether they reached the customer at all.
		faults = []*claim{{cause: CauseUndecided, conf: ConfidenceLow, where: g.host, inc: allOf(g.inc),
			between: []Cause{CauseOutsideNetwork, CauseAppServerError}, decider: CauseOutsideNetwork}}
	}
	w := faults[0]
	// Twilio's incident leads only over weak customer-side evidence; when
	// it does not lead it is said beside.
	if w.cause == CauseTwilioIncident && len(faults) > 1 && faults[1].conf.rank() >= w.conf.rank() {
		faults = append(faults[1:2], append([]*claim{w}, faults[2:]...)...)
		w = faults[0]
	}
	// A rival claims the same incidents with equal strength. Weak claims
	// are alternatives a code could not tell apart: any other weak cause
	// on the same incidents is a rival. Firmer ones rival only when
	// neither explains the other.
	var rival *claim
	if w.conf == ConfidenceLow && w.alt != "" {
		for _, r := range faults[1:] {
			if r.cause == w.alt && overlap(w.inc, r.inc) > 0 {
				rival = r
				break
			}
		}
	}
	for _, r := range faults[1:] {
		if rival != nil {
			break
		}
		if r.conf != w.conf || r.count() == 0 || r.cause == w.cause || r.cause == CauseTwilioIncident || kindOf(r.cause) != kindFault {
			continue
		}
		if w.conf != ConfidenceLow && compatible(w.cause, r.cause) {
			continue
		}
		if overlap(w.inc, r.inc)*2 >= r.count() {
			rival = r
			break
		}
	}
	outcome := w
	switch {
	case rival != nil && w.conf == ConfidenceLow:
		outcome = &claim{cause: CauseUndecided, conf: ConfidenceLow, where: g.host, inc: union(w.inc, rival.inc),
			between: []Cause{w.cause, rival.cause}, decider: deciderOf(w.cause, rival.cause)}
	case rival != nil:
		outcome = &claim{cause: CauseConflict, conf: ConfidenceLow, where: g.host, inc: union(w.inc, rival.inc),
			between: []Cause{w.cause, rival.cause}, decider: deciderOf(w.cause, rival.cause),
			proof: appendProofs(append([]Proof(nil), w.proof...), rival.proof...)}
	default:
		// Weaker evidence against the headline on its own incidents
		// lowers the confidence one step.
		for _, r := range faults[1:] {
			if !compatible(w.cause, r.cause) && r.conf.rank() >= ConfidenceMedium.rank() && overlap(w.inc, r.inc) > 0 && w.conf == ConfidenceHigh {
				w.conf = ConfidenceMedium
				break
			}
		}
	}
	// A webhook without a fallback loses every call that fails: when the
	// failures cannot be pinned down, that is what to fix first.
	if outcome.cause == CauseUndecided || outcome.conf == ConfidenceLow {
		for i, p := range config {
			if p.Cause == CauseFallbackMissing && len(g.inc) > 0 {
				fb := p
				fb.Between, fb.Decider = outcome.between, outcome.decider
				if outcome.cause != CauseUndecided {
					fb.Between, fb.Decider = []Cause{outcome.cause}, outcome.cause
				}
				config = append(config[:i], config[i+1:]...)
				return &fb, nil, config, beside
			}
		}
	}
	p := d.problem(g, outcome)
	head = &p
	left := minus(allOf(g.inc), outcome.inc)
	for _, r := range faults {
		if r == w || r == rival || r.conf == ConfidenceLow || r.cause == CauseTwilioIncident {
			if r.cause == CauseTwilioIncident && r != w {
				beside = append(beside, d.problem(g, r))
			}
			continue
		}
		n := overlap(left, r.inc)
		if n == 0 && (len(g.inc) > 0 || r.count() > 0) {
			continue
		}
		fp := d.problem(g, r)
		fp.Explained = n
		further = append(further, fp)
		left = minus(left, r.inc)
	}
	return head, further, config, beside
}

// deciders name the evidence that decides between two causes where it is
// not the more specific cause's own: whether the first component's log has
// the requests at all. The order of a pair does not matter.
var deciders = map[[2]Cause]Cause{
	{CauseConnectionClosed, CauseOutsideNetwork}: CauseOutsideNetwork,
	{CauseAppServerError, CauseOutsideNetwork}:   CauseOutsideNetwork,
}

// deciderOf is the cause whose evidence decides between a and b.
func deciderOf(a, b Cause) Cause {
	if c, ok := deciders[[2]Cause{a, b}]; ok {
		return c
	}
	if c, ok := deciders[[2]Cause{b, a}]; ok {
		return c
	}
	// The more specific cause's evidence confirms it or rules it out.
	if rankOf(b) < rankOf(a) {
		return b
	}
	return a
}

// problem turns a claim of group g into a Problem.
func (d *diag) problem(g *group, c *claim) Problem {
	p := Problem{Cause: c.cause, Confidence: c.conf, Where: c.where, Explained: c.count(),
		Proof: c.proof, Between: c.between, Decider: c.decider, Since: c.since}
	if e, ok := EntryOf(c.cause); ok {
		p.Step = e.Step
	}
	p.Figures = map[string]any{}
	for k, v := range c.figs {
		p.Figures[k] = v
	}
	if p.Where == "" {
		p.Where = g.host
	}
	p.Figures["where"] = p.Where
	if p.Since.IsZero() {
		for i := range c.inc {
			t := d.ev.Incidents[i].Time
			if !t.IsZero() && (p.Since.IsZero() || t.Before(p.Since)) {
				p.Since = t
			}
		}
	}
	p.Figures["since"] = ""
	if !p.Since.IsZero() {
		p.Figures["since"] = p.Since.In(d.loc).Format(timeLayout)
	}
	return p
}

func (d *diag) missing() []string {
	var out []string
	if !collectorOK(d.ev, "alerts") {
		out = append(out, MissingAlerts)
	}
	if d.ev.Probes == nil || d.ev.Probes.Report == nil || len(d.ev.Probes.Report.Targets) == 0 {
		out = append(out, MissingProbes)
	}
	if d.ev.Hops == nil || len(d.ev.Hops.Report.Hops) == 0 {
		out = append(out, MissingHops)
	}
	if ContextUnread(d.ev) {
		out = append(out, MissingStatusPage)
	}
	return out
}

func allOf(idx []int) map[int]bool {
	m := make(map[int]bool, len(idx))
	for _, i := range idx {
		m[i] = true
	}
	return m
}

func overlap(a, b map[int]bool) int {
	n := 0
	for i := range b {
		if a[i] {
			n++
		}
	}
	return n
}

func union(a, b map[int]bool) map[int]bool {
	m := make(map[int]bool, len(a)+len(b))
	for i := range a {
		m[i] = true
	}
	for i := range b {
		m[i] = true
	}
	return m
}

func minus(a, b map[int]bool) map[int]bool {
	m := map[int]bool{}
	for i := range a {
		if !b[i] {
			m[i] = true
		}
	}
	return m
}

// english is the English catalog, for the Text of findings, problems and
// proofs. It is embedded and a test loads it; were it broken, sentences
// would read as their keys.
var english = englishText()

func englishText() *Text {
	t, err := NewText("en")
	if err != nil {
		return &Text{lang: "en", msgs: map[string]string{}, parsed: map[string]*template.Template{}}
	}
	return t
}

// proof makes a proof line with its English text.
func proof(key, file string, kv ...any) Proof {
	figs := figures(kv...)
	return Proof{Key: key, Figures: figs, File: file, Text: english.T(key, figs)}
}

func figures(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// fillText sets the English headline of p.
func fillText(p *Problem) { p.Text = english.Problem(*p) }
