package collect

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

// AlertsFile is the bundle file holding the alerts as Twilio returned them.
const AlertsFile = "alerts.ndjson"

// Alerts collects every Monitor alert in the window, turns the webhook
// failures among them into incidents, and fetches the details (request and
// response headers and bodies) of up to MaxDetails of them. Where the
// Monitor Alerts API does not answer for the account, it reads the API v2010
// Notifications resource instead (see collectNotifications) and says so.
type Alerts struct {
	// MaxDetails bounds the FetchAlert calls (default 200; negative = none).
	MaxDetails int
	// MaxAlerts bounds the alerts read (default 1,000,000).
	MaxAlerts int
	// Concurrency bounds the parallel detail fetches (default 4).
	Concurrency int
}

// Name implements Collector.
func (Alerts) Name() string { return "alerts" }

// Off implements Switchable.
func (Alerts) Off(env *Env) string { return noAPI(env) }

// Collect implements Collector.
func (a Alerts) Collect(ctx context.Context, env *Env) error {
	if why := noAPI(env); why != "" {
		return Skip("%s", why)
	}
	maxAlerts := a.MaxAlerts
	if maxAlerts <= 0 {
		maxAlerts = 1_000_000
	}
	api := env.API.Client(ctx)
	w := env.Evidence.Window
	params := &monitor.ListAlertParams{}
	params.SetStartDate(w.From).SetEndDate(w.To).SetPageSize(1000).SetLimit(maxAlerts)

	defer env.Stage.Delete(AlertsFile + ".list")
	got, writeErr, err := streamRecords(env, AlertsFile+".list", "alerts",
		func() (chan monitor.MonitorV1Alert, chan error) { return api.MonitorV1.StreamAlert(params) },
		func(al monitor.MonitorV1Alert) (Incident, bool) { return incidentFromAlert(al, w) })
	if err != nil {
		return err
	}
	incidents, seen, streamErr := got.incidents, got.seen, got.streamErr
	if seen == 0 && alertsUnavailable(streamErr) {
		return a.collectNotifications(ctx, env, api, maxAlerts, streamErr)
	}
	env.Evidence.AlertsSource = AlertsFromMonitor
	env.Evidence.AlertsSeen += seen
	env.Evidence.Incidents = append(env.Evidence.Incidents, incidents...)
	if writeErr != nil {
		return fmt.Errorf("write %s: %w", AlertsFile, writeErr)
	}
	var details map[string]json.RawMessage
	var detailErr error
	if streamErr == nil && a.MaxDetails >= 0 {
		details, detailErr = a.fetchDetails(ctx, env, incidents, func(sid string) (any, error) { return api.MonitorV1.FetchAlert(sid) })
	}
	if err := mergeDetails(env.Stage, AlertsFile+".list", AlertsFile, details); err != nil {
		return err
	}
	if streamErr != nil {
		return fmt.Errorf("list alerts (after %d): %s", seen, describeAPIError(streamErr))
	}
	if seen >= maxAlerts {
		env.progress().Warnf("alerts: stopped after %d alerts (the limit); the window holds more", seen)
	}
	return detailErr
}

// streamed is what streamRecords read from one of twilio-go's streams.
type streamed struct {
	incidents []Incident // sorted by time, then alert SID
	seen      int
	streamErr error // the paging failed
}

// streamRecords stages every record of a twilio-go stream as a JSON line in
// the bundle file name and keeps the incidents among them. The stream is
// started only once the file is open and is drained to its end, so the
// paging goroutine always ends. It returns the error of writing the file
// apart from err, which means nothing was read.
func streamRecords[T any](env *Env, name, task string, start func() (chan T, chan error), incident func(T) (Incident, bool)) (got streamed, writeErr, err error) {
	raw, err := env.Stage.Create(name)
	if err != nil {
		return got, nil, err
	}
	bw := bufio.NewWriterSize(raw, 256<<10)
	enc := json.NewEncoder(bw)
	t := env.progress().Start(task, 0)
	records, errs := start()
	for r := range records {
		got.seen++
		t.Add(1)
		if writeErr == nil {
			writeErr = enc.Encode(r)
		}
		if inc, ok := incident(r); ok {
			got.incidents = append(got.incidents, inc)
		}
	}
	t.Done()
	got.streamErr = <-errs
	if writeErr == nil {
		writeErr = bw.Flush()
	}
	if cerr := raw.Close(); writeErr == nil {
		writeErr = cerr
	}
	sort.SliceStable(got.incidents, func(i, j int) bool {
		a, b := got.incidents[i], got.incidents[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.AlertSID < b.AlertSID
	})
	return got, writeErr, nil
}

// incidentFromAlert makes an incident of a webhook-failure alert inside w.
func incidentFromAlert(al monitor.MonitorV1Alert, w Window) (Incident, bool) {
	code := deref(al.ErrorCode)
	if !IsWebhookFailure(code) {
		return Incident{}, false
	}
	t := time.Time{}
	switch {
	case al.DateGenerated != nil:
		t = *al.DateGenerated
	case al.DateCreated != nil:
		t = *al.DateCreated
	}
	t = t.UTC()
	if !w.Contains(t) {
		return Incident{}, false
	}
	text := ParseAlertText(deref(al.AlertText))
	return NewIncident(deref(al.Sid), t, code, text, deref(al.ResourceSid), deref(al.RequestMethod), deref(al.RequestUrl)), true
}

// NewIncident builds an incident from an alert's fields and its parsed text.
func NewIncident(sid string, t time.Time, code string, text AlertText, resource, method, reqURL string) Incident {
	if reqURL == "" {
		reqURL = text.URL
	}
	msg := text.Msg
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return Incident{
		AlertSID: sid, Time: t.UTC(), ErrorCode: code, HTTPStatus: text.HTTPStatus,
		ResourceSID: resource, Kind: KindOfSID(resource), Method: strings.ToUpper(method),
		URL: reqURL, Message: msg,
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pickDetails chooses up to n incidents spread across URLs (round robin over
// host+path) and, within a URL, evenly across time.
func pickDetails(incidents []Incident, n int) []string {
	if n <= 0 || len(incidents) == 0 {
		return nil
	}
	groups := map[string][]string{}
	var keys []string
	for _, inc := range incidents {
		k := inc.URL
		if u, err := url.Parse(inc.URL); err == nil {
			k = u.Host + u.Path
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], inc.AlertSID)
	}
	sort.Strings(keys)
	// Share n out across the groups, round robin.
	quota := map[string]int{}
	for left := min(n, len(incidents)); left > 0; {
		for _, k := range keys {
			if left > 0 && quota[k] < len(groups[k]) {
				quota[k]++
				left--
			}
		}
	}
	var out []string
	for _, k := range keys {
		g, q := groups[k], quota[k]
		for i := 0; i < q; i++ {
			out = append(out, g[i*len(g)/q])
		}
	}
	return out
}

// fetchDetails fetches, with fetch, the details of up to MaxDetails of the
// incidents, picked by pickDetails, and returns them by SID as JSON.
func (a Alerts) fetchDetails(ctx context.Context, env *Env, incidents []Incident, fetch func(sid string) (any, error)) (map[string]json.RawMessage, error) {
	max := a.MaxDetails
	if max == 0 {
		max = 200
	}
	sids := pickDetails(incidents, max)
	workers := a.Concurrency
	if workers <= 0 {
		workers = 4
	}
	task := env.progress().Start("alert details", len(sids))
	defer task.Done()
	var (
		mu       sync.Mutex
		out      = map[string]json.RawMessage{}
		failed   int
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan string)
	)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sid := range next {
				inst, err := fetch(sid)
				var b []byte
				if err == nil {
					b, err = json.Marshal(inst)
				}
				mu.Lock()
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					out[sid] = b
				}
				mu.Unlock()
				task.Add(1)
			}
		}()
	}
	for _, sid := range sids {
		if ctx.Err() != nil {
			break
		}
		next <- sid
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return out, fmt.Errorf("alert details: fetched %d of %d: %w", len(out), len(sids), ctx.Err())
	}
	if failed > 0 {
		return out, fmt.Errorf("alert details: %d of %d fetches failed, first: %s", failed, len(sids), describeAPIError(firstErr))
	}
	return out, nil
}

// mergeDetails writes the final alerts.ndjson: the listed alerts in order,
// each replaced by its details where they were fetched.
func mergeDetails(stage *Stage, from, to string, details map[string]json.RawMessage) error {
	in, err := stage.Open(from)
	if err != nil {
		return fmt.Errorf("read staged alerts: %w", err)
	}
	defer in.Close()
	out, err := stage.Create(to)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	br := bufio.NewReaderSize(in, 256<<10)
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			if len(details) > 0 {
				var head struct {
					Sid string `json:"sid"`
				}
				if json.Unmarshal(line, &head) == nil {
					if d, ok := details[head.Sid]; ok {
						line = append(append([]byte{}, d...), '\n')
					}
				}
			}
			if _, err := bw.Write(line); err != nil {
				out.Close()
				return fmt.Errorf("write %s: %w", to, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return fmt.Errorf("read staged alerts: %w", rerr)
		}
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", to, err)
	}
	return out.Close()
}
