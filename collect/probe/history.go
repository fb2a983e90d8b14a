package probe

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
)

// HistoryRow is one attempt as a CSV row (the history file and the
// bundle's probes/attempts.csv). Lists are joined with spaces.
type HistoryRow struct {
	Time          string  `csv:"time"`
	Target        string  `csv:"target"`
	Mode          string  `csv:"mode"`
	Sample        int     `csv:"sample"`
	Style         string  `csv:"style"`
	Method        string  `csv:"method"`
	ReadTimeoutMs float64 `csv:"read_timeout_ms"`
	// Columns added later; a history file written before them reads as
	// zero, and appending to it keeps its columns.
	ConnectTimeoutMs float64 `csv:"connect_timeout_ms"`
	TotalTimeoutMs   float64 `csv:"total_timeout_ms"`
	WebhookMethod    string  `csv:"webhook_method"`
	Allow            string  `csv:"allow"`
	Location         string  `csv:"location"`
	CertNotAfter     string  `csv:"cert_not_after"`
	CertNames        string  `csv:"cert_names"`
	MissingIssuer    string  `csv:"missing_issuer"`
	IssuerURL        string  `csv:"issuer_url"`
	IssuerFetched    bool    `csv:"issuer_fetched"`
	Resolved         string  `csv:"resolved"`
	Address          string  `csv:"address"`
	Private          bool    `csv:"private"`
	DNSMs            float64 `csv:"dns_ms"`
	ConnectMs        float64 `csv:"connect_ms"`
	TLSMs            float64 `csv:"tls_ms"`
	ProcessingMs     float64 `csv:"processing_ms"`
	TransferMs       float64 `csv:"transfer_ms"`
	TTFBMs           float64 `csv:"ttfb_ms"`
	TotalMs          float64 `csv:"total_ms"`
	TLSVersion       string  `csv:"tls_version"`
	Cipher           string  `csv:"cipher"`
	CertSubject      string  `csv:"cert_subject"`
	CertIssuer       string  `csv:"cert_issuer"`
	CertDaysLeft     string  `csv:"cert_days_to_expiry"`
	HTTPVersion      string  `csv:"http_version"`
	Status           int     `csv:"status"`
	ContentType      string  `csv:"content_type"`
	BodyBytes        int64   `csv:"body_bytes"`
	Redirects        string  `csv:"redirects"`
	OK               bool    `csv:"ok"`
	FailedPhase      string  `csv:"failed_phase"`
	ErrorClass       string  `csv:"error_class"`
	TwilioCode       int     `csv:"twilio_code"`
	TwilioAltCode    int     `csv:"twilio_alt_code"`
	Error            string  `csv:"error"`
	Notes            string  `csv:"notes"`
}

// Row flattens an attempt for CSV. The certificate columns describe the
// leaf certificate.
func (a Attempt) Row() HistoryRow {
	r := HistoryRow{
		Time: a.Time.UTC().Format(time.RFC3339Nano), Target: a.Target, Mode: a.Mode, Sample: a.Sample, Style: a.Style,
		Method: a.Method, ReadTimeoutMs: a.ReadTimeoutMs, Resolved: strings.Join(a.Resolved, " "), Address: a.Address,
		Private: a.Private, DNSMs: a.Phases.DNS, ConnectMs: a.Phases.Connect, TLSMs: a.Phases.TLS,
		ProcessingMs: a.Phases.Processing, TransferMs: a.Phases.Transfer, TTFBMs: a.Phases.TTFB, TotalMs: a.Phases.Total,
		TLSVersion: a.TLSVersion, Cipher: a.Cipher, HTTPVersion: a.HTTPVersion, Status: a.Status,
		ContentType: a.ContentType, BodyBytes: a.BodyBytes, Redirects: strings.Join(a.Redirects, " "), OK: a.OK,
		FailedPhase: a.FailedPhase, ErrorClass: string(a.ErrorClass), TwilioCode: a.TwilioCode, TwilioAltCode: a.TwilioAltCode,
		Error: a.Error, Notes: strings.Join(a.Notes, "; "),
		ConnectTimeoutMs: a.ConnectTimeoutMs, TotalTimeoutMs: a.TotalTimeoutMs, WebhookMethod: a.WebhookMethod,
		Allow: a.Allow, Location: a.Location, MissingIssuer: a.MissingIssuer, IssuerURL: a.IssuerURL, IssuerFetched: a.IssuerFetched,
	}
	if len(a.Certificates) > 0 {
		c := a.Certificates[0]
		r.CertSubject, r.CertIssuer, r.CertDaysLeft = c.Subject, c.Issuer, fmt.Sprint(c.DaysToExpiry)
		r.CertNames = strings.Join(c.SANs, " ")
		if !c.NotAfter.IsZero() {
			r.CertNotAfter = c.NotAfter.UTC().Format(time.RFC3339)
		}
	}
	return r
}

// Attempt turns a row back into an attempt (certificate details other than
// the leaf's subject and issuer are not kept in CSV).
func (r HistoryRow) Attempt() (Attempt, error) {
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return Attempt{}, fmt.Errorf("history row time %q: %w", r.Time, err)
	}
	a := Attempt{
		Time: t, Target: r.Target, Mode: r.Mode, Sample: r.Sample, Style: r.Style, Method: r.Method,
		ReadTimeoutMs: r.ReadTimeoutMs, Resolved: fields(r.Resolved), Address: r.Address, Private: r.Private,
		Phases: Phases{DNS: r.DNSMs, Connect: r.ConnectMs, TLS: r.TLSMs, Processing: r.ProcessingMs,
			Transfer: r.TransferMs, TTFB: r.TTFBMs, Total: r.TotalMs},
		TLSVersion: r.TLSVersion, Cipher: r.Cipher, HTTPVersion: r.HTTPVersion, Status: r.Status,
		ContentType: r.ContentType, BodyBytes: r.BodyBytes, Redirects: fields(r.Redirects), OK: r.OK,
		FailedPhase: r.FailedPhase, ErrorClass: ErrorClass(r.ErrorClass), TwilioCode: r.TwilioCode, TwilioAltCode: r.TwilioAltCode,
		Error: r.Error, ConnectTimeoutMs: r.ConnectTimeoutMs, TotalTimeoutMs: r.TotalTimeoutMs, WebhookMethod: r.WebhookMethod,
		Allow: r.Allow, Location: r.Location, MissingIssuer: r.MissingIssuer, IssuerURL: r.IssuerURL, IssuerFetched: r.IssuerFetched,
	}
	if r.Notes != "" {
		a.Notes = strings.Split(r.Notes, "; ")
	}
	if r.CertSubject != "" || r.CertIssuer != "" {
		c := Cert{Subject: r.CertSubject, Issuer: r.CertIssuer, SANs: fields(r.CertNames)}
		fmt.Sscan(r.CertDaysLeft, &c.DaysToExpiry)
		if r.CertNotAfter != "" {
			na, err := time.Parse(time.RFC3339, r.CertNotAfter)
			if err != nil {
				return Attempt{}, fmt.Errorf("history row cert_not_after %q: %w", r.CertNotAfter, err)
			}
			c.NotAfter = na
		}
		a.Certificates = []Cert{c}
	}
	return a, nil
}

func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

// WriteAttempts writes attempts as CSV with a header line.
func WriteAttempts(w io.Writer, attempts []Attempt) error {
	rows := make([]HistoryRow, len(attempts))
	for i, a := range attempts {
		rows[i] = a.Row()
	}
	if err := csvsafe.Marshal(rows, w); err != nil {
		return fmt.Errorf("write probe attempts CSV: %w", err)
	}
	return nil
}

// AppendHistory appends attempts to the CSV file at path, creating it with
// a header line when it does not exist or is empty. A new file is created
// 0600 (less the umask): it holds the webhook URLs and their answers.
func AppendHistory(path string, attempts []Attempt) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open probe history: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open probe history %s: %w", path, err)
	}
	rows := make([]HistoryRow, len(attempts))
	for i, a := range attempts {
		rows[i] = a.Row()
	}
	if st.Size() == 0 {
		err = csvsafe.Marshal(rows, f)
	} else {
		err = appendRows(path, f, rows)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append probe history %s: %w", path, err)
	}
	return nil
}

// CheckRecord says why rows cannot be appended to the history at path (probe
// --record), before any probe runs: it is not a regular file, it is
// gzip-compressed, or its first line is not a probe history's header. A
// file that does not exist yet or is empty can take them.
func CheckRecord(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return errors.New("not a regular file")
	case st.Size() == 0:
		return nil
	}
	_, err = readHistoryHeader(path)
	return err
}

// readHistoryHeader reads the header of the history at path: its first
// line, at most MaxHistoryRowBytes, which must name the time and target
// columns.
func readHistoryHeader(path string) ([]string, error) {
	f, err := infile.Open(path, infile.Limits{Text: true})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return nil, errors.New("gzip-compressed: rows are appended to a plain CSV file")
	}
	budget := &infile.Budget{R: br, Max: MaxHistoryRowBytes, What: "the header"}
	have, err := csv.NewReader(budget).Read()
	if err != nil {
		return nil, fmt.Errorf("read its header: %w", err)
	}
	if !slices.Contains(have, "time") || !slices.Contains(have, "target") {
		return nil, errors.New("not a probe history: its first line names no time and target columns")
	}
	return have, nil
}

// appendRows writes rows without a header under the columns the file at
// path already has, in its order: a history begun by an older version
// keeps its columns, and a newer column it lacks is left out.
func appendRows(path string, w io.Writer, rows []HistoryRow) error {
	have, err := readHistoryHeader(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := csvsafe.Marshal(rows, &buf); err != nil {
		return err
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return err
	}
	index := map[string]int{}
	for i, name := range records[0] {
		index[name] = i
	}
	out := csv.NewWriter(w)
	for _, rec := range records[1:] {
		line := make([]string, len(have))
		for i, name := range have {
			if j, ok := index[name]; ok {
				line[i] = rec[j]
			}
		}
		if err := out.Write(line); err != nil {
			return err
		}
	}
	out.Flush()
	return out.Error()
}

// ReadHistory reads attempts back from a CSV file written by AppendHistory
// or WriteAttempts, one row at a time (a row is at most MaxHistoryRowBytes).
// A missing or empty file gives no attempts; a row that does not parse is
// an error naming its line.
func ReadHistory(r io.Reader) ([]Attempt, error) {
	budget := &infile.Budget{R: r, Max: MaxHistoryRowBytes, What: "one row"}
	rows := &historyRows{Reader: csv.NewReader(budget), budget: budget}
	var out []Attempt
	var rowErr error
	err := gocsv.UnmarshalDecoderToCallback(gocsv.NewSimpleDecoderFromCSVReader(csvsafe.NewReader(rows)), func(row HistoryRow) {
		if rowErr != nil {
			return
		}
		a, err := row.Attempt()
		if err != nil {
			rowErr = fmt.Errorf("probe history line %d: %w", rows.line, err)
			return
		}
		out = append(out, a)
	})
	switch {
	case errors.Is(err, gocsv.ErrEmptyCSVFile) || err == io.EOF:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read probe history, line %d: %w", rows.line+1, err)
	}
	return out, rowErr
}

// historyRows reads a history's rows, each within its budget, counting
// lines.
type historyRows struct {
	*csv.Reader
	budget *infile.Budget
	line   int
}

func (h *historyRows) Read() ([]string, error) {
	h.budget.Start(h.Reader.InputOffset())
	rec, err := h.Reader.Read()
	if err == nil {
		h.line++
	}
	return rec, err
}

// Bounds of a probe history: the file is at most MaxHistoryBytes (some
// 150,000 attempts: a year and a half of one URL probed every five
// minutes), a row at most MaxHistoryRowBytes.
const (
	MaxHistoryBytes    = 32 << 20
	MaxHistoryRowBytes = 64 << 10
)

// ReadHistoryFile is ReadHistory on a file (gzipped too) of at most
// MaxHistoryBytes; a file that does not exist gives no attempts.
func ReadHistoryFile(path string) ([]Attempt, error) {
	f, err := infile.Open(path, infile.Limits{MaxBytes: MaxHistoryBytes, Gunzip: true, Text: true})
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open probe history: %w", err)
	}
	defer f.Close()
	a, err := ReadHistory(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// HourStat is the failure rate of one hour of the day.
type HourStat struct {
	Hour        int     `json:"hour" csv:"hour"`
	Attempts    int     `json:"attempts" csv:"attempts"`
	Failures    int     `json:"failures" csv:"failures"`
	FailureRate float64 `json:"failure_rate" csv:"failure_rate"`
}

// FailureByHour counts attempts and failures (through DNS, the way Twilio
// connects) by hour of day in loc (UTC when nil); all 24 hours are returned.
func FailureByHour(attempts []Attempt, loc *time.Location) []HourStat {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]HourStat, 24)
	for h := range out {
		out[h].Hour = h
	}
	for _, a := range attempts {
		if a.Mode != ModeDNS && a.Mode != "" {
			continue
		}
		h := a.Time.In(loc).Hour()
		out[h].Attempts++
		if !a.OK {
			out[h].Failures++
		}
	}
	for h := range out {
		if out[h].Attempts > 0 {
			out[h].FailureRate = float64(out[h].Failures) / float64(out[h].Attempts)
		}
	}
	return out
}
