// Package bundle writes the support bundle from the Evidence and its
// analysis (package analysis): the zip, the PDF summary, the ticket text and
// README. Writers never decide anything; they lay out what the analysis
// decided, in the bundle's language.
package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/twilio-evidence/twilio-evidence/bundle/analysis"
	"github.com/twilio-evidence/twilio-evidence/bundle/bundlezip"
	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// Options control how the bundle is written.
type Options struct {
	// Dir is the output directory (default: the current directory).
	Dir string
	// Force replaces an existing bundle of the same name.
	Force bool
	// Reproducible leaves values that change from run to run (collector
	// durations) out, so the same inputs give the same bytes.
	Reproducible bool
	// Zip, when set, writes the zip in place of the plain writer: the
	// redaction report, the size budget and the partial-file tracking of
	// the command (see Finish).
	Zip func(stage *collect.Stage, final string, stamp time.Time) error
	// Lang is the language of every generated sentence: "en" (default) or "ja".
	Lang string
	// FontPath is a Japanese TrueType font for the PDF (--font).
	FontPath string
	// Flow is the customer's flow description (--flow); nil writes the
	// description pre-filled from the configuration.
	Flow []byte
}

// ErrExists is returned when the bundle's file exists and Force is not set.
var ErrExists = errors.New("bundle exists")

// FileName is the bundle's file name: no ':' so that every file system takes it.
func FileName(ev *collect.Evidence) string {
	const f = "2006-01-02T1504Z"
	return fmt.Sprintf("twilio-evidence_%s_%s_%s.zip", ev.Account.SID, ev.Window.From.UTC().Format(f), ev.Window.To.UTC().Format(f))
}

// Fixed files of every bundle.
const (
	IncidentsFile = analysis.IncidentsFile
	FindingsFile  = "findings.json"
	SummaryFile   = "summary.pdf"
	TicketFile    = "ticket.txt"
	ReadmeFile    = "README.txt"
	ManifestFile  = bundlezip.ManifestFile
)

// Write renders the evidence and its analysis into the staging area and
// zips it into Dir. The zip is written under a temporary name and renamed,
// so the final path never holds a broken file. It returns the zip's path.
func Write(ev *collect.Evidence, res *analysis.Result, stage *collect.Stage, opt Options) (string, error) {
	dir := opt.Dir
	if dir == "" {
		dir = "."
	}
	final := filepath.Join(dir, FileName(ev))
	if _, err := os.Stat(final); err == nil && !opt.Force {
		return "", fmt.Errorf("%w: %s (use --force to replace it)", ErrExists, final)
	}
	if err := writeIncidents(stage, ev.Incidents); err != nil {
		return "", err
	}
	if err := writeJSON(stage, FindingsFile, res.Findings); err != nil {
		return "", err
	}
	if err := writeStatsFiles(stage, res, opt.Lang); err != nil {
		return "", err
	}
	report, err := NewReport(ev, res, opt.Lang, opt.Flow, filepath.Base(final))
	if err != nil {
		return "", err
	}
	if err := stage.WriteFile(FlowFile, report.Flow); err != nil {
		return "", err
	}
	report.Staged = stage.Files()
	var pdf bytes.Buffer
	if err := writeSummaryPDF(&pdf, report, PDFOptions{FontPath: opt.FontPath}); err != nil {
		return "", fmt.Errorf("render %s: %w", SummaryFile, err)
	}
	if err := stage.WriteFile(SummaryFile, pdf.Bytes()); err != nil {
		return "", err
	}
	for name, tmpl := range map[string]string{TicketFile: "ticket.txt.tmpl", ReadmeFile: "readme.txt.tmpl"} {
		var b bytes.Buffer
		if err := templates.Execute(&b, tmpl, report.TextFuncs(), report); err != nil {
			return "", err
		}
		if err := stage.WriteFile(name, b.Bytes()); err != nil {
			return "", err
		}
	}
	m, err := newManifest(ev, stage, opt.Reproducible)
	if err != nil {
		return "", err
	}
	if err := writeJSON(stage, ManifestFile, m); err != nil {
		return "", err
	}
	if opt.Zip != nil {
		if err := opt.Zip(stage, final, ev.Window.To); err != nil {
			return "", err
		}
		return final, nil
	}
	if _, err := Finish(stage, final, FinishOptions{Stamp: ev.Window.To}); err != nil {
		return "", err
	}
	return final, nil
}

func writeIncidents(stage *collect.Stage, incidents []collect.Incident) error {
	w, err := stage.Create(IncidentsFile)
	if err != nil {
		return err
	}
	rows := incidents
	if rows == nil {
		rows = []collect.Incident{}
	}
	if err := csvsafe.Marshal(rows, w); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", IncidentsFile, err)
	}
	return w.Close()
}

func writeJSON(stage *collect.Stage, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return stage.WriteFile(name, append(b, '\n'))
}

// ManifestEntry describes one file of the bundle.
type ManifestEntry struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ManifestCollector is one collector's line in the manifest.
type ManifestCollector struct {
	collect.CollectorStatus
	DurationMS *int64 `json:"duration_ms,omitempty"`
}

// Manifest is manifest.json: what made the bundle and what it holds.
type Manifest struct {
	Tool        collect.Tool        `json:"tool"`
	CommandLine []string            `json:"command_line"`
	GeneratedAt time.Time           `json:"generated_at"`
	Window      collect.Window      `json:"window"`
	Account     string              `json:"account_sid"`
	Incomplete  bool                `json:"incomplete"`
	Collectors  []ManifestCollector `json:"collectors"`
	Files       []ManifestEntry     `json:"files"`

	// Region and Edge are where the API requests went (empty when the run
	// read offline inputs only).
	Region string `json:"region,omitempty"`
	Edge   string `json:"edge,omitempty"`
	// AlertsSource says where the incidents came from (collect.AlertsFromMonitor
	// or collect.AlertsFromNotifications), AlertsSourceReason why when it was
	// not the Monitor alerts.
	AlertsSource       string `json:"alerts_source,omitempty"`
	AlertsSourceReason string `json:"alerts_source_reason,omitempty"`
	// Unread says which context could not be read ("Twilio status page not
	// read: …"), in English; it leaves the bundle complete.
	Unread []string `json:"unread,omitempty"`
	// API is how the run used the Twilio API: requests, retries, 429s and
	// how often they made it back off, the concurrency; absent when the
	// run did not use it.
	API *collect.APIStats `json:"api,omitempty"`
	// Hops says, per --hop and --log, which format was detected or given
	// and what reading it gave.
	Hops []ManifestHop `json:"hops,omitempty"`
}

// ManifestHop is one --hop or --log in the manifest.
type ManifestHop struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Pattern string `json:"pattern"`
	Format  string `json:"format"`
	Given   bool   `json:"format_given,omitempty"`
	// Detection says the format and its evidence in one line.
	Detection string `json:"detection"`
	// Kind is what the format's lines record: firewall, flow, request, text.
	Kind              string `json:"kind,omitempty"`
	LinesRead         int64  `json:"lines_read"`
	OtherLinesSkipped int64  `json:"other_lines_skipped"`
	UnreadableLines   int64  `json:"unreadable_lines"`
	// Read says the counts in one line.
	Read string `json:"read"`
	// Zone is the offset the log's times, which carry none, were read at
	// when no --log-tz was given; ZoneNote says how it was chosen.
	Zone     string `json:"zone,omitempty"`
	ZoneNote string `json:"zone_note,omitempty"`
	Note     string `json:"note,omitempty"`
	Error    string `json:"error,omitempty"`
}

func manifestHops(he *collect.HopEvidence) []ManifestHop {
	if he == nil {
		return nil
	}
	var out []ManifestHop
	for _, h := range append(append([]collect.HopLog{}, he.Hops...), he.Logs...) {
		tot := h.Totals()
		mh := ManifestHop{Name: h.Name, Role: h.Role, Pattern: h.Pattern, Format: h.Detection.Format, Given: h.Detection.Given,
			Detection: h.Detection.String(), Kind: h.Detection.Kind, LinesRead: tot.Parsed, OtherLinesSkipped: tot.Other,
			UnreadableLines: tot.Unparsed, Read: h.ReadSummary(), ZoneNote: h.ZoneNote, Note: h.Note, Error: h.Err}
		if h.Zone != nil {
			mh.Zone, mh.ZoneNote = hoplog.OffsetName(h.Zone.Offset), h.Zone.Sentence()
		}
		out = append(out, mh)
	}
	return out
}

func newManifest(ev *collect.Evidence, stage *collect.Stage, reproducible bool) (*Manifest, error) {
	m := &Manifest{
		Tool: ev.Tool, CommandLine: ev.CommandLine, GeneratedAt: ev.GeneratedAt.UTC(),
		Window: ev.Window, Account: ev.Account.SID, Incomplete: analysis.Incomplete(ev),
	}
	m.Region, m.Edge, m.AlertsSource, m.AlertsSourceReason = ev.Region, ev.Edge, ev.AlertsSource, ev.AlertsSourceReason
	if en, err := NewLocalizer("en"); err == nil {
		m.Unread = ContextUnread(ev, en)
	}
	if ev.API != nil {
		api := *ev.API
		if reproducible { // they depend on timing
			api.Connections, api.Concurrency.Peak = 0, 0
		}
		m.API = &api
	}
	m.Hops = manifestHops(ev.Hops)
	for _, c := range ev.Collectors {
		mc := ManifestCollector{CollectorStatus: c}
		if !reproducible {
			ms := c.Duration.Milliseconds()
			mc.DurationMS = &ms
		}
		m.Collectors = append(m.Collectors, mc)
	}
	for _, name := range stage.Files() {
		if name == ManifestFile {
			continue
		}
		f, err := stage.Open(name)
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("manifest: read %s: %w", name, err)
		}
		m.Files = append(m.Files, ManifestEntry{Name: name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	return m, nil
}
