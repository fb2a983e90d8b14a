package collect

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gocarina/gocsv"
	monitor "github.com/twilio/twilio-go/rest/monitor/v1"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/infile"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// SourceFile is the CollectorStatus.Source of a collector that read a file
// the user gave instead of calling the API.
const SourceFile = "file"

// Bounds of the offline inputs (--alerts-file, --incidents-file). They are
// read as streams: memory holds one alert or row at a time, at most
// MaxRecordBytes, and the webhook failures of the window, at most
// MaxFileIncidents. A gzip file expands at most infile.MaxRatio times.
const (
	// MaxInputBytes is the most read from one file, decompressed.
	MaxInputBytes = 8 << 30
	// MaxRecordBytes is the most one alert (a JSON value) or one CSV row
	// may take.
	MaxRecordBytes = 8 << 20
	// MaxFileIncidents is the most webhook failures one file may give.
	MaxFileIncidents = 1_000_000
)

// inputLimits are the infile limits of an alerts or incidents file.
var inputLimits = infile.Limits{MaxBytes: MaxInputBytes, Gunzip: true, Text: true}

// Formats of an alerts file, as ReadAlerts names them.
const (
	AlertsFormatPage   = "Monitor API page"
	AlertsFormatArray  = "JSON array"
	AlertsFormatNDJSON = "NDJSON"
)

// ReadAlerts reads alerts saved from the Monitor API and calls fn for each,
// in file order. It takes, and detects on its own: a v1 page as curl saves
// it ({"alerts":[…],"meta":{…}}, several pages one after the other too), a
// JSON array as twilio-cli prints it, or one alert per line (NDJSON). Keys
// may be Twilio's snake_case or twilio-cli's camelCase; a gzipped file is
// read as it is, a UTF-8 byte-order mark is passed over. Memory holds one
// alert at a time (at most MaxRecordBytes), and time is linear in the file
// whatever its whitespace. It returns the format found.
func ReadAlerts(r io.Reader, fn func(monitor.MonitorV1Alert) error) (string, error) {
	br, _, err := infile.NewReader(r, inputLimits)
	if err != nil {
		return "", err
	}
	rec := &infile.Budget{R: newJSONSpace(br), Max: MaxRecordBytes, What: "one alert (JSON value)"}
	dec := json.NewDecoder(rec)
	format, values, objects := "", 0, 0
	note := func(f string) {
		if format == "" || format == f {
			format = f
		} else if !strings.Contains(format, f) {
			format += " + " + f
		}
	}
	each := func(where string) error {
		n := 0
		for rec.Start(dec.InputOffset()); dec.More(); rec.Start(dec.InputOffset()) {
			n++
			al, err := decodeAlert(dec)
			if err != nil {
				return fmt.Errorf("%s, alert %d: %w", where, n, err)
			}
			if err := fn(al); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing ']'
			return fmt.Errorf("%s: %w", where, err)
		}
		return nil
	}
	for {
		rec.Start(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		values++
		where := fmt.Sprintf("JSON value %d (at byte %d)", values, dec.InputOffset())
		if err != nil {
			return format, fmt.Errorf("%s: %w", where, err)
		}
		switch tok {
		case json.Delim('['):
			note(AlertsFormatArray)
			if err := each(where); err != nil {
				return format, err
			}
		case json.Delim('{'):
			fields := map[string]json.RawMessage{}
			page := false
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return format, fmt.Errorf("%s: %w", where, err)
				}
				key, _ := kt.(string)
				if key == "alerts" {
					page = true
					t, err := dec.Token()
					if err != nil {
						return format, fmt.Errorf("%s: %w", where, err)
					}
					if t == nil { // "alerts": null
						continue
					}
					if t != json.Delim('[') {
						return format, fmt.Errorf("%s: \"alerts\" is not a list", where)
					}
					if err := each(where); err != nil {
						return format, err
					}
					rec.Start(dec.InputOffset())
					continue
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return format, fmt.Errorf("%s: %w", where, err)
				}
				fields[key] = raw
			}
			if _, err := dec.Token(); err != nil {
				return format, fmt.Errorf("%s: %w", where, err)
			}
			if page {
				note(AlertsFormatPage)
				continue
			}
			al, err := alertFromFields(fields)
			if err != nil {
				return format, fmt.Errorf("%s: %w", where, err)
			}
			objects++
			note(AlertsFormatNDJSON)
			if err := fn(al); err != nil {
				return format, err
			}
		default:
			return format, fmt.Errorf("%s: want a Monitor API page, a JSON array or one alert object per line, found %v", where, tok)
		}
	}
	if values == 0 {
		return "", errors.New("the file is empty: save the Monitor API's answer (curl 'https://monitor.twilio.com/v1/Alerts?PageSize=1000' -u …) or twilio-cli's JSON into it")
	}
	return format, nil
}

// decodeAlert decodes the next value of dec as one alert.
func decodeAlert(dec *json.Decoder) (monitor.MonitorV1Alert, error) {
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return monitor.MonitorV1Alert{}, err
	}
	return alertFromFields(fields)
}

// alertFromFields builds an alert from its JSON fields, whatever the case
// of their names.
func alertFromFields(fields map[string]json.RawMessage) (monitor.MonitorV1Alert, error) {
	var al monitor.MonitorV1Alert
	norm := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		norm[snakeCase(k)] = v
	}
	b, err := json.Marshal(norm)
	if err == nil {
		err = json.Unmarshal(b, &al)
	}
	if err != nil {
		return al, fmt.Errorf("not a Monitor alert: %w", err)
	}
	if deref(al.Sid) == "" {
		return al, errors.New("not a Monitor alert: it has no sid")
	}
	return al, nil
}

// snakeCase turns twilio-cli's camelCase keys ("requestUrl", "dateGenerated")
// into the API's ("request_url", "date_generated"); snake_case stays.
func snakeCase(s string) string {
	if strings.IndexFunc(s, unicode.IsUpper) < 0 {
		return s
	}
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FileSummary is what a quick read of an offline input found: its format,
// how many records it holds, the times they span and the account.
type FileSummary struct {
	Format      string
	Records     int
	First, Last time.Time
	AccountSID  string
}

func (f *FileSummary) see(t time.Time, account string) {
	f.Records++
	if !t.IsZero() {
		if f.First.IsZero() || t.Before(f.First) {
			f.First = t
		}
		if t.After(f.Last) {
			f.Last = t
		}
	}
	if f.AccountSID == "" && ValidSID(account, "AC") {
		f.AccountSID = account
	}
}

// ScanAlertsFile reads an alerts file through once to check it and to find
// its format, the alerts' time span and the account.
func ScanAlertsFile(path string) (FileSummary, error) {
	var s FileSummary
	f, err := infile.OpenRegular(path)
	if err != nil {
		return s, fmt.Errorf("--alerts-file: %w", pathError(err))
	}
	defer f.Close()
	failures := 0
	s.Format, err = ReadAlerts(f, func(al monitor.MonitorV1Alert) error {
		s.see(alertTime(al), deref(al.AccountSid))
		if twiliocodes.IsWebhookFailure(deref(al.ErrorCode)) {
			failures++
		}
		return checkFileIncidents(failures)
	})
	if err != nil {
		return s, fmt.Errorf("--alerts-file %s: %w", path, err)
	}
	return s, nil
}

func alertTime(al monitor.MonitorV1Alert) time.Time {
	switch {
	case al.DateGenerated != nil:
		return al.DateGenerated.UTC()
	case al.DateCreated != nil:
		return al.DateCreated.UTC()
	}
	return time.Time{}
}

// AlertsFromFile is the alerts collector of an offline run: it reads the
// Monitor API's JSON saved by the user (see ReadAlerts), turns the webhook
// failures in the window into incidents exactly as the API path does, and
// stages the alerts as alerts.ndjson.
type AlertsFromFile struct {
	Path string
}

// Name implements Collector.
func (AlertsFromFile) Name() string { return "alerts-file" }

// Source implements the manifest's source of a collector.
func (AlertsFromFile) Source() string { return SourceFile }

// Collect implements Collector.
func (a AlertsFromFile) Collect(ctx context.Context, env *Env) error {
	f, err := infile.OpenRegular(a.Path)
	if err != nil {
		return fmt.Errorf("--alerts-file: %w", pathError(err))
	}
	defer f.Close()
	out, err := env.Stage.Create(AlertsFile)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	enc := json.NewEncoder(bw)
	w := env.Evidence.Window
	task := env.progress().Start("alerts from file", 0)
	var incidents []Incident
	seen, outside, otherAccount := 0, 0, 0
	ev := env.Evidence
	format, err := ReadAlerts(f, func(al monitor.MonitorV1Alert) error {
		if seen%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		seen++
		task.Add(1)
		if acc := deref(al.AccountSid); ValidSID(acc, "AC") {
			if ev.Account.SID == "" {
				ev.Account.SID = acc
			} else if acc != ev.Account.SID {
				otherAccount++
			}
		}
		if err := enc.Encode(al); err != nil {
			return fmt.Errorf("write %s: %w", AlertsFile, err)
		}
		if inc, ok := incidentFromAlert(al, w); ok {
			incidents = append(incidents, inc)
			if err := checkFileIncidents(len(incidents)); err != nil {
				return err
			}
		} else if twiliocodes.IsWebhookFailure(deref(al.ErrorCode)) {
			outside++
		}
		return nil
	})
	task.Done()
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write %s: %w", AlertsFile, ferr)
	}
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", AlertsFile, cerr)
	}
	ev.AlertsSeen += seen
	ev.Incidents = mergeIncidents(ev.Incidents, incidents)
	if outside > 0 {
		env.progress().Warnf("--alerts-file: %d webhook failures lie outside the window %s to %s: give --from/--to to include them",
			outside, w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	if otherAccount > 0 {
		env.progress().Warnf("--alerts-file: %d alerts belong to another account than %s", otherAccount, ev.Account.SID)
	}
	if err != nil {
		return fmt.Errorf("--alerts-file %s (%s): %w", a.Path, format, err)
	}
	return nil
}

// checkFileIncidents refuses a file past MaxFileIncidents webhook failures.
func checkFileIncidents(n int) error {
	if n > MaxFileIncidents {
		return fmt.Errorf("more than %d webhook failures, the most one file may hold: split it by time", MaxFileIncidents)
	}
	return nil
}

// mergeIncidents adds more to have, leaving out alerts already there, and
// sorts by time, then alert SID — the order of incidents.csv.
func mergeIncidents(have, more []Incident) []Incident {
	known := make(map[string]bool, len(have))
	for _, inc := range have {
		if inc.AlertSID != "" {
			known[inc.AlertSID] = true
		}
	}
	for _, inc := range more {
		if inc.AlertSID != "" && known[inc.AlertSID] {
			continue
		}
		known[inc.AlertSID] = true
		have = append(have, inc)
	}
	sort.SliceStable(have, func(i, j int) bool {
		if !have[i].Time.Equal(have[j].Time) {
			return have[i].Time.Before(have[j].Time)
		}
		return have[i].AlertSID < have[j].AlertSID
	})
	return have
}

// incidentColumns maps the header names an incidents CSV may use, with
// case, spaces, '_' and '-' removed, onto the columns of incidents.csv. The
// tool's own header comes first; then the names of the Twilio console's
// exports and of the API's fields.
var incidentColumns = map[string]string{
	"alertsid": "alert_sid", "sid": "alert_sid", "alert": "alert_sid", "notificationsid": "alert_sid",
	"time": "time", "datecreated": "time", "dategenerated": "time", "date": "time", "timestamp": "time",
	"datetime": "time", "messagedate": "time", "created": "time",
	"errorcode": "error_code", "code": "error_code", "error": "error_code",
	"httpstatus": "http_status", "httpresponse": "http_status", "responsecode": "http_status", "statuscode": "http_status",
	"resourcesid": "resource_sid", "callsid": "resource_sid", "messagesid": "resource_sid", "resource": "resource_sid",
	"kind":   "kind",
	"method": "method", "requestmethod": "method", "httpmethod": "method",
	"url": "url", "requesturl": "url", "webhookurl": "url",
	"message": "message", "msg": "message", "alerttext": "message", "messagetext": "message", "description": "message", "text": "message",
	"accountsid": "account_sid", "account": "account_sid",
}

// incidentRow is one row of an incidents CSV, as text: every value is
// checked and converted by hand so that one bad row is counted, not fatal.
type incidentRow struct {
	AlertSID    string `csv:"alert_sid"`
	Time        string `csv:"time"`
	ErrorCode   string `csv:"error_code"`
	HTTPStatus  string `csv:"http_status"`
	ResourceSID string `csv:"resource_sid"`
	Kind        string `csv:"kind"`
	Method      string `csv:"method"`
	URL         string `csv:"url"`
	Message     string `csv:"message"`
	AccountSID  string `csv:"account_sid"`
}

// headerMapper is a gocsv.CSVReader that renames the header row onto the
// columns of incidents.csv and makes every row as long as the header.
type headerMapper struct {
	r       *csv.Reader
	rec     *infile.Budget
	header  []string
	mapped  map[string]string
	line    int
	columns int
}

func newHeaderMapper(r *infile.Budget) (*headerMapper, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: want a header row such as alert_sid,time,error_code,… (the tool's incidents.csv) or Sid,Date Created,Error Code,Resource Sid,Request URL")
	}
	if err != nil {
		return nil, fmt.Errorf("header row: %w", err)
	}
	m := &headerMapper{r: cr, rec: r, mapped: map[string]string{}, line: 1, columns: len(head)}
	used := map[string]bool{}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet exports start with a BOM
		}
		key := strings.Map(func(r rune) rune {
			if r == ' ' || r == '_' || r == '-' || r == '.' {
				return -1
			}
			return unicode.ToLower(r)
		}, strings.TrimSpace(h))
		col, ok := incidentColumns[key]
		if !ok || used[col] {
			col = "-" // ignored
		} else {
			used[col] = true
			m.mapped[col] = h
		}
		m.header = append(m.header, col)
	}
	if !used["time"] || !(used["alert_sid"] || used["resource_sid"]) {
		return nil, fmt.Errorf("header %q: want a time column (time, Date Created …) and an alert or resource SID column (alert_sid, Sid, Resource Sid, CallSid …)", strings.Join(head, ","))
	}
	return m, nil
}

// Read implements gocsv.CSVReader.
func (m *headerMapper) Read() ([]string, error) {
	if m.header != nil {
		h := m.header
		m.header = nil
		return h, nil
	}
	m.rec.Start(m.r.InputOffset())
	rec, err := m.r.Read()
	if err != nil {
		return nil, err
	}
	m.line++
	for i, c := range rec {
		rec[i] = csvsafe.Uncell(c) // the tool's own incidents.csv
	}
	for len(rec) < m.columns {
		rec = append(rec, "")
	}
	return rec[:m.columns], nil
}

// ReadAll implements gocsv.CSVReader.
func (m *headerMapper) ReadAll() ([][]string, error) {
	var out [][]string
	for {
		rec, err := m.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

// IncidentsFileResult is what ReadIncidentsCSV found.
type IncidentsFileResult struct {
	// Columns maps each column of incidents.csv that was found to the header
	// it was read from.
	Columns map[string]string
	// Bad counts rows that could not be read; FirstBad says why the first was.
	Bad      int
	FirstBad string
	// NotWebhook counts rows whose error code is not a webhook failure.
	NotWebhook int
	// AccountSID is the account named in the file, if any.
	AccountSID string
}

// ReadIncidentsCSV reads incidents from a CSV in the tool's own
// incidents.csv format, or with its columns named otherwise (see
// incidentColumns: "Sid", "Date Created", "Error Code", "Resource Sid",
// "Request URL" …). Times without a zone are read in loc. Rows of errors
// that are not webhook failures are left out and counted, as are rows
// that cannot be read.
func ReadIncidentsCSV(r io.Reader, loc *time.Location, fn func(Incident) error) (IncidentsFileResult, error) {
	var res IncidentsFileResult
	in, _, err := infile.NewReader(r, inputLimits)
	if err != nil {
		return res, err
	}
	m, err := newHeaderMapper(&infile.Budget{R: in, Max: MaxRecordBytes, What: "one row"})
	if err != nil {
		return res, err
	}
	res.Columns = m.mapped
	var cbErr error
	err = gocsv.UnmarshalDecoderToCallback(gocsv.NewSimpleDecoderFromCSVReader(m), func(row incidentRow) {
		if cbErr != nil {
			return
		}
		inc, err := row.incident(loc)
		if err != nil {
			res.Bad++
			if res.FirstBad == "" {
				res.FirstBad = fmt.Sprintf("line %d: %v", m.line, err)
			}
			return
		}
		if !twiliocodes.IsWebhookFailure(inc.ErrorCode) {
			res.NotWebhook++
			return
		}
		if res.AccountSID == "" && ValidSID(strings.TrimSpace(row.AccountSID), "AC") {
			res.AccountSID = strings.TrimSpace(row.AccountSID)
		}
		cbErr = fn(inc)
	})
	if err == nil {
		err = cbErr
	}
	if err != nil {
		return res, fmt.Errorf("line %d: %w", m.line, err)
	}
	return res, nil
}

// incident converts one row.
func (row incidentRow) incident(loc *time.Location) (Incident, error) {
	t, err := parseCSVTime(strings.TrimSpace(row.Time), loc)
	if err != nil {
		return Incident{}, err
	}
	sid, resource := strings.TrimSpace(row.AlertSID), strings.TrimSpace(row.ResourceSID)
	if sid == "" && resource == "" {
		return Incident{}, errors.New("no alert SID and no resource SID")
	}
	text := parseMessage(strings.TrimSpace(row.Message))
	code := strings.TrimSpace(row.ErrorCode)
	if code == "" {
		code = text.ErrorCode
	}
	if code == "" {
		return Incident{}, errors.New("no error code")
	}
	if s := strings.TrimSpace(row.HTTPStatus); s != "" && s != "0" { // 0: none (incidents.csv writes it so)
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 || n > 599 {
			return Incident{}, fmt.Errorf("HTTP status %q is not a status code", s)
		}
		text.HTTPStatus = n
	}
	inc := NewIncident(sid, t, code, text, resource, strings.TrimSpace(row.Method), strings.TrimSpace(row.URL))
	if k := strings.TrimSpace(row.Kind); k != "" && resource == "" {
		inc.Kind = k
	}
	return inc, nil
}

// parseMessage reads a message column: the form-encoded alert text of the
// API, or a plain sentence such as "Got HTTP 502 response to https://…".
func parseMessage(msg string) AlertText {
	if msg == "" {
		return AlertText{}
	}
	if strings.Contains(msg, "=") && !strings.Contains(msg, " ") {
		return ParseAlertText(msg)
	}
	t := AlertText{Msg: msg}
	if m := gotHTTP.FindStringSubmatch(msg); m != nil {
		t.HTTPStatus, _ = strconv.Atoi(m[1])
	}
	if u := urlInText.FindString(msg); u != "" {
		t.URL = strings.TrimRight(u, ".,;)")
	}
	return t
}

// csvTimeLayouts are the time formats an incidents CSV may use: RFC 3339
// (the tool's own), RFC 2822 (API v2010), and spreadsheet-style dates.
var csvTimeLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z,
	time.RFC1123,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05 +0000 UTC",
}

// csvLocalLayouts have no zone: they are read in the display zone.
var csvLocalLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006/01/02 15:04:05",
	"01/02/2006 15:04:05",
}

func parseCSVTime(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("no time")
	}
	for _, l := range csvTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, l := range csvLocalLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2026-11-20T10:00:00Z), RFC 2822 or 2026-11-20 10:00:00", s)
}

// ScanIncidentsFile reads an incidents CSV through once to check it and to
// find the incidents' time span and the account.
func ScanIncidentsFile(path string, loc *time.Location) (FileSummary, IncidentsFileResult, error) {
	var s FileSummary
	f, err := infile.OpenRegular(path)
	if err != nil {
		return s, IncidentsFileResult{}, fmt.Errorf("--incidents-file: %w", pathError(err))
	}
	defer f.Close()
	s.Format = "CSV"
	res, err := ReadIncidentsCSV(f, loc, func(inc Incident) error {
		s.see(inc.Time, "")
		return checkFileIncidents(s.Records)
	})
	if err != nil {
		return s, res, fmt.Errorf("--incidents-file %s: %w", path, err)
	}
	s.AccountSID = res.AccountSID
	if s.Records == 0 && res.Bad > 0 {
		return s, res, fmt.Errorf("--incidents-file %s: no row could be read (%d bad, first at %s)", path, res.Bad, res.FirstBad)
	}
	return s, res, nil
}

// IncidentsFromFile is the incidents collector of an offline run: it reads
// a CSV of failed webhook requests (see ReadIncidentsCSV) into the window's
// incidents, leaving out alerts that an alerts file already gave.
type IncidentsFromFile struct {
	Path string
}

// Name implements Collector.
func (IncidentsFromFile) Name() string { return "incidents-file" }

// Source implements the manifest's source of a collector.
func (IncidentsFromFile) Source() string { return SourceFile }

// Collect implements Collector.
func (c IncidentsFromFile) Collect(ctx context.Context, env *Env) error {
	f, err := infile.OpenRegular(c.Path)
	if err != nil {
		return fmt.Errorf("--incidents-file: %w", pathError(err))
	}
	defer f.Close()
	ev := env.Evidence
	w := ev.Window
	task := env.progress().Start("incidents from file", 0)
	var incidents []Incident
	outside := 0
	res, err := ReadIncidentsCSV(f, w.Loc(), func(inc Incident) error {
		task.Add(1)
		if len(incidents)%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !w.Contains(inc.Time) {
			outside++
			return nil
		}
		incidents = append(incidents, inc)
		return checkFileIncidents(len(incidents))
	})
	task.Done()
	if err != nil {
		return fmt.Errorf("--incidents-file %s: %w", c.Path, err)
	}
	if ev.Account.SID == "" {
		ev.Account.SID = res.AccountSID
	}
	ev.Incidents = mergeIncidents(ev.Incidents, incidents)
	if res.Bad > 0 {
		env.progress().Warnf("--incidents-file: %d rows could not be read and were left out (first: %s)", res.Bad, res.FirstBad)
	}
	if res.NotWebhook > 0 {
		env.progress().Warnf("--incidents-file: %d rows are errors other than webhook failures and were left out", res.NotWebhook)
	}
	if outside > 0 {
		env.progress().Warnf("--incidents-file: %d incidents lie outside the window %s to %s: give --from/--to to include them",
			outside, w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	return nil
}
