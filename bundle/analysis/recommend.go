package analysis

import (
	"net/url"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Recommendation is one thing the customer can do, with the figures its
// sentence needs. Key names the sentence in the catalogs ("rec.<name>").
type Recommendation struct {
	Key     string         `json:"key"`
	Step    int            `json:"step"`
	Figures map[string]any `json:"figures,omitempty"`
}

// maxListed caps the owners named in one recommendation.
const maxListed = 4

// Recommend derives what to do from the evidence, the findings and the
// isolation result: fallback URLs on another network first (they keep the
// service up whatever the cause), then what the error codes and the verdict
// point at. It is pure.
func Recommend(ev *collect.Evidence, findings []Finding, iso Isolation) []Recommendation {
	var out []Recommendation
	add := func(key string, step int, kv ...any) {
		figs := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			figs[kv[i].(string)] = kv[i+1]
		}
		out = append(out, Recommendation{Key: key, Step: step, Figures: figs})
	}

	var noFallback, sameHost []string
	for _, e := range ev.Endpoints {
		if !e.Effective || e.URL == "" {
			continue
		}
		label := e.OwnerName + " (" + e.Channel + ")"
		switch {
		case e.FallbackURL == "":
			noFallback = append(noFallback, label)
		case hostOf(e.FallbackURL) != "" && hostOf(e.FallbackURL) == hostOf(e.URL):
			sameHost = append(sameHost, label)
		}
	}
	if len(noFallback) > 0 {
		add("rec.fallback_missing", 0, "count", len(noFallback), "owners", listSome(noFallback))
	}
	if len(sameHost) > 0 {
		add("rec.fallback_same_host", 0, "count", len(sameHost), "owners", listSome(sameHost))
	}
	for _, f := range findings {
		if strings.HasPrefix(f.ID, "probe.fallback.") {
			add("rec.fallback_probe", 0)
			break
		}
	}

	codes := map[string]int{}
	proxy, timeouts := 0, 0
	for _, inc := range ev.Incidents {
		codes[inc.ErrorCode]++
		switch {
		case inc.HTTPStatus == 502 || inc.HTTPStatus == 503 || inc.HTTPStatus == 504:
			proxy++
		case connectCodes[inc.ErrorCode] && inc.HTTPStatus == 0:
			timeouts++
		}
	}
	if n := sumCodes(codes, certCodes); n > 0 {
		add("rec.certificate", 2, "count", n, "codes", presentCodes(codes, certCodes))
	}
	if n := sumCodes(codes, dnsCodes); n > 0 {
		add("rec.dns", 2, "count", n)
	}
	if n := sumCodes(codes, overrideCodes); n > 0 || hasFinding(findings, "probe.override_invalid") {
		add("rec.override_fix", 2, "count", n)
	}
	if n := codes["12300"]; n > 0 {
		add("rec.content_type", 1, "count", n)
	}
	if n := codes["11750"]; n > 0 {
		add("rec.body_size", 1, "count", n)
	}
	if n := codes["12100"]; n > 0 {
		add("rec.twiml_parse", 1, "count", n)
	}
	if n := codes["11215"] + codes["11216"]; n > 0 {
		add("rec.redirects", 1, "count", n)
	}
	if n := codes["15003"]; n > 0 {
		add("rec.status_callback", 1, "count", n)
	}
	if proxy > 0 {
		add("rec.upstream", 1, "count", proxy)
	}
	if timeouts > 0 {
		add("rec.respond_fast", 1, "count", timeouts)
		add("rec.connection_overrides", 2, "count", timeouts)
	}

	switch iso.Kind {
	case VerdictIntermittent:
		add("rec.load", 2)
	case VerdictOneAddress:
		add("rec.remove_address", 3)
	case VerdictDropped:
		add("rec.check_lb_firewall", 3)
	case VerdictNeverReached:
		add("rec.send_bundle", 4)
	case VerdictTwilioSide:
		add("rec.status_page", 4)
		add("rec.send_bundle", 4)
	case VerdictConflict:
		add("rec.resolve_conflict", 0)
	}
	if iso.Kind != VerdictNoFailures {
		for _, m := range iso.Missing {
			add("rec.add_"+m, 0)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Step < out[j].Step })
	return out
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func listSome(xs []string) string {
	if len(xs) <= maxListed {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:maxListed], ", ") + ", …"
}

func sumCodes(counts map[string]int, class map[string]bool) int {
	n := 0
	for c := range class {
		n += counts[c]
	}
	return n
}

func presentCodes(counts map[string]int, class map[string]bool) string {
	var out []string
	for c := range class {
		if counts[c] > 0 {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
