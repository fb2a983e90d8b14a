package analysis

import (
	"net/url"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// Recommendation is one thing the customer can do. Key names its sentence
// in the catalogs ("rec.<name>"), filled with Figures; a recommendation
// that fixes a problem of the diagnosis carries it in Problem instead, and
// says the cause's fix ("cause.<id>.fix").
type Recommendation struct {
	Key     string         `json:"key"`
	Step    int            `json:"step"`
	Figures map[string]any `json:"figures,omitempty"`
	Problem *Problem       `json:"problem,omitempty"`
}

// maxListed caps the owners named in one recommendation.
const maxListed = 4

// Recommend derives what to do from the evidence and the diagnosis: the
// fix of the headline cause first, then those of the further problems,
// fallback URLs on another network (they keep the service up whatever the
// cause), and what to add when the cause is not decided. It is pure.
func Recommend(ev *collect.Evidence, d Diagnosis) []Recommendation {
	var out []Recommendation
	add := func(key string, step int, kv ...any) {
		out = append(out, Recommendation{Key: key, Step: step, Figures: figures(kv...)})
	}
	seen := map[string]bool{}
	fix := func(p Problem) {
		k := string(p.Cause) + "\x00" + p.Where
		if seen[k] || kindOf(p.Cause) == kindConfig || p.Cause == CauseNoFailures {
			return
		}
		seen[k] = true
		out = append(out, Recommendation{Key: p.Cause.FixKey(), Step: p.Step, Problem: &p})
	}
	if d.Cause != CauseNoFailures {
		fix(d.Problem)
	}
	for _, p := range d.Further {
		fix(p)
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
	for _, p := range d.Further {
		if p.Cause == CauseFallbackFailing {
			add("rec.fallback_probe", 0)
			break
		}
	}
	if d.Cause == CauseUndecided || d.Cause == CauseConflict || d.Confidence == ConfidenceLow {
		for _, m := range d.Missing {
			add("rec.add_"+m, 0)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Problem != nil && out[j].Problem == nil })
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
