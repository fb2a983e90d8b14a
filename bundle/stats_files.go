package bundle

import (
	"bytes"
	"fmt"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/bundle/stats"
	"github.com/twilio-evidence/twilio-evidence/collect"
)

// StatsFiles are the statistics files of every bundle, by path inside it.
var StatsFiles = []string{stats.DailyPath, stats.HourlyPath, stats.ByCodePath, stats.ByURLPath, stats.SummaryPath}

// writeStatsFiles stages stats/daily.csv, hourly.csv, by_code.csv,
// by_url.csv and summary.json, with the sentences in lang. Without
// statistics it stages nothing: the findings say why.
func writeStatsFiles(stage *collect.Stage, res *analysis.Result, lang string) error {
	if res.StatsErr != nil || res.Stats == nil {
		return nil // stated by the stats.unavailable finding
	}
	st, err := statsIn(res, lang)
	if err != nil {
		return fmt.Errorf("write statistics: %w", err)
	}
	return st.WriteFiles(func(name string, data []byte) error {
		return stage.WriteFile(name, data)
	})
}

// ReadStatsSummary reads the statistics of the bundle zip at path from its
// stats/summary.json (--previous BUNDLE.zip).
func ReadStatsSummary(path string) (*stats.Stats, error) {
	zr, err := bundlezip.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open previous bundle %s: %w", path, err)
	}
	defer zr.Close()
	data, err := zr.ReadFile(stats.SummaryPath, stats.MaxSummaryBytes)
	if err == nil {
		var st *stats.Stats
		if st, err = stats.ReadSummary(bytes.NewReader(data)); err == nil {
			return st, nil
		}
	}
	return nil, fmt.Errorf("previous bundle %s: %w", path, err)
}
