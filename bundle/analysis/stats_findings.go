package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
)

// statsStep is the step of the procedure the statistics answer: step 4's
// "how often it happens, its trend and its characteristics".
const statsStep = 4

// statsFindings states the statistics of ev as findings, one sentence each
// with its figures: totals, first and last occurrence, error rates, the
// busiest hour band, bursts, the dominant code, host and URL, the line-up
// with the probe history, and the trend on the previous window. The IDs are
// the statistics' own (stats.*); Verdict is the English sentence and
// Figures let it be given in another language.
func statsFindings(res statsResult) []Finding {
	if res.err != nil {
		return []Finding{noStatsFinding("stats.unavailable", Warn, IncidentsFile, res.err)}
	}
	out := make([]Finding, 0, len(res.st.Findings)+1)
	for _, f := range res.st.Findings {
		out = append(out, Finding{
			ID: f.ID, Step: statsStep, Severity: Severity(f.Severity), Sentence: f.Sentence,
			Evidence: append([]string{statsEvidenceFile(f.ID)}, figureStrings(f.Figures)...),
			Figures:  f.Figures,
		})
	}
	if res.trendErr != nil {
		out = append(out, noStatsFinding("stats.trend_unavailable", Info, stats.SummaryPath, res.trendErr))
	}
	return out
}

// noStatsFinding says why the statistics, or their trend, are missing.
func noStatsFinding(id string, severity Severity, file string, why error) Finding {
	figs := map[string]any{"reason": why.Error()}
	text, err := stats.Sentence(id, "en", figs)
	if err != nil {
		text = why.Error()
	}
	return Finding{ID: id, Step: statsStep, Severity: severity, Sentence: text, Evidence: []string{file}, Figures: figs}
}

// statsEvidenceFile is the bundle file that shows the figures of finding id.
func statsEvidenceFile(id string) string {
	switch {
	case strings.HasPrefix(id, "stats.rate"):
		return stats.DailyPath
	case id == "stats.band", strings.HasPrefix(id, "stats.probes"):
		return stats.HourlyPath
	case strings.HasSuffix(id, "_code"), strings.HasPrefix(id, "stats.trend.code_"):
		return stats.ByCodePath
	case strings.HasSuffix(id, "_url"), strings.HasSuffix(id, "_host"):
		return stats.ByURLPath
	case id == "stats.burst", id == "stats.bursts", id == "stats.first_last", id == "stats.only_one":
		return IncidentsFile
	}
	return stats.SummaryPath
}

// figureStrings are a finding's figures as "name=value", sorted by name.
func figureStrings(figs map[string]any) []string {
	out := make([]string, 0, len(figs))
	for k, v := range figs {
		if f, ok := v.(float64); ok {
			out = append(out, fmt.Sprintf("%s=%.4g", k, f))
			continue
		}
		out = append(out, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(out)
	return out
}
