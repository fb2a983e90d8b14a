package bundle

import (
	"strings"

	"github.com/twilio-evidence/twilio-evidence/bundle/redact"
)

// statsDir holds the statistics (stats.DailyPath, stats.SummaryPath …).
const statsDir = "stats/"

// ownFiles are the files the tool writes from evidence that was redacted in
// memory already: its own words, in which no name is matched.
var ownFiles = map[string]bool{
	IncidentsFile: true, FindingsFile: true, SummaryFile: true, TicketFile: true,
	ReadmeFile: true, ManifestFile: true, RedactionsFile: true, FlowFile: true,
}

// RedactionKind says how the redactor reads the bundle file name (a path
// inside the bundle):
//   - the tool's own files — the PDF, ticket.txt, README.txt, incidents.csv,
//     findings.json, flow.md, the manifest, redactions.json and the
//     statistics (stats/…) — are drawn from evidence redacted in memory
//     already: only secret values, phone masks and --redact expressions are
//     removed there (redact.Own), never a value by its name, so a statistic
//     keyed "key" keeps its code;
//   - the files that hold outside data as it came — Twilio's answers
//     (alerts.ndjson, twilio/…, logs/twilio/…), log excerpts (logs/…), and
//     the tables collectors write from it (config/…, trace/…, probes/…) —
//     get every rule: JSON member by member (redact.JSON), CSV cell by cell
//     (redact.CSV), anything else line by line (redact.Text).
func RedactionKind(name string) redact.Kind {
	switch {
	case ownFiles[name], strings.HasPrefix(name, statsDir):
		return redact.Own
	case strings.HasSuffix(name, ".csv"):
		return redact.CSV
	case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".ndjson.list"):
		return redact.JSON
	}
	return redact.Text
}
