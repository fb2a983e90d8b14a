package bundle

import (
	"fmt"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// StatsFiles are the statistics files of every bundle, by path inside it.
var StatsFiles = []string{stats.DailyPath, stats.HourlyPath, stats.ByCodePath, stats.ByURLPath, stats.SummaryPath}

// writeStatsFiles stages stats/daily.csv, hourly.csv, by_code.csv,
// by_url.csv and summary.json, with the sentences in lang. Without
// statistics it stages nothing: the findings say why.
func writeStatsFiles(stage *collect.Stage, ev *collect.Evidence, lang string) error {
	st, err := analysis.StatsIn(ev, lang)
	if err != nil {
		if _, cerr := analysis.Stats(ev); cerr != nil {
			return nil // stated by the stats.unavailable finding
		}
		return fmt.Errorf("write statistics: %w", err)
	}
	return st.WriteFiles(func(name string, data []byte) error {
		return stage.WriteFile(name, data)
	})
}
