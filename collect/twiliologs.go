package collect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

// Bundle files of Twilio's debug logs.
const (
	// TwilioAlertsDir holds one file per alert whose details were fetched:
	// the request Twilio sent and the response it got.
	TwilioAlertsDir = "logs/twilio/alerts/"
	// TwilioCallEventsDir holds the Call Events of the affected calls.
	TwilioCallEventsDir = "logs/twilio/call_events/"
	// TwilioConfigChangesFile holds the Monitor Events of the window that
	// changed a webhook.
	TwilioConfigChangesFile = "logs/twilio/config_changes.json"
	// DefaultMaxCallEvents caps the calls whose events are fetched.
	DefaultMaxCallEvents = 50
)

// TwilioLogs is Twilio's side of the debug logs.
type TwilioLogs struct {
	// AlertDetails are the alerts whose request and response were written
	// to TwilioAlertsDir.
	AlertDetails []string `json:"alert_details"`
	// CallEvents are the affected calls whose events were asked for.
	CallEvents []CallEventLog `json:"call_events"`
	// CallsNotFetched counts the affected calls left out by the cap.
	CallsNotFetched int `json:"calls_not_fetched,omitempty"`
	// ConfigChanges are the webhook changes in the window, oldest first.
	ConfigChanges []ConfigChange `json:"config_changes"`
	// EventsRead counts every Monitor Event of the window that was read.
	EventsRead int `json:"events_read"`
}

// CallEventLog is the Call Events of one affected call.
type CallEventLog struct {
	CallSID string `json:"call_sid"`
	// Events counts the requests Twilio logged for the call.
	Events int `json:"events"`
	// File is the bundle file holding them; empty when there were none.
	File string `json:"file,omitempty"`
	// Unavailable says why there are none (Twilio keeps them for a while
	// only, and has them 15 minutes after the call ends).
	Unavailable string `json:"unavailable,omitempty"`
}

// ConfigChange is one webhook setting changed by a Monitor Event.
type ConfigChange struct {
	Time         time.Time `json:"time"`
	EventSID     string    `json:"event_sid"`
	EventType    string    `json:"event_type"`
	ResourceSID  string    `json:"resource_sid"`
	ResourceType string    `json:"resource_type,omitempty"`
	// Field is the setting, e.g. voice_url.
	Field    string `json:"field"`
	Previous string `json:"previous"`
	Updated  string `json:"updated"`
	// Actor and Source say who changed it and from where (web, api).
	ActorSID  string `json:"actor_sid,omitempty"`
	ActorType string `json:"actor_type,omitempty"`
	Source    string `json:"source,omitempty"`
}

// Sentence says the change in one line, e.g. "voice_url of PN… changed at
// 2026-11-20T08:00:00Z from … to … (web)".
func (c ConfigChange) Sentence() string {
	s := fmt.Sprintf("%s of %s changed at %s from %s to %s", c.Field, c.ResourceSID, c.Time.UTC().Format(time.RFC3339), quoteOrNone(c.Previous), quoteOrNone(c.Updated))
	if c.Source != "" {
		s += " (" + c.Source + ")"
	}
	return s
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// TwilioDebugLogs gathers Twilio's debug logs of the incidents: the fetched
// alert details out of alerts.ndjson (request and response headers and
// bodies), the Call Events of the affected calls (every request Twilio sent
// for the call and the response it got), and the Monitor Events of the
// window that changed a webhook. It starts with the alerts collector of the
// same Run: the Monitor Events at once, the Call Events of each affected
// call as the alert pages arrive, the alert details once the alerts
// collector has ended. Without API access only the alert details are
// written.
type TwilioDebugLogs struct {
	// MaxCalls caps the calls whose events are fetched (default
	// DefaultMaxCallEvents; negative: none).
	MaxCalls int
}

// Name implements Collector.
func (TwilioDebugLogs) Name() string { return "twilio_logs" }

// Collect implements Collector.
func (c TwilioDebugLogs) Collect(ctx context.Context, env *Env) error {
	tl := &TwilioLogs{}
	env.Evidence.TwilioLogs = tl
	var callsErr, eventsErr error
	if env.API != nil {
		rc := env.API.Client(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			eventsErr = c.configChanges(env, tl, func() ([]monitor.MonitorV1Event, error) {
				p := &monitor.ListEventParams{}
				p.SetStartDate(env.Evidence.Window.From).SetEndDate(env.Evidence.Window.To).SetPageSize(1000).SetLimit(10000)
				return rc.MonitorV1.ListEvent(p)
			})
		}()
		callsErr = c.callEvents(ctx, env, tl, func(sid string) ([]api.ApiV2010CallEvent, error) {
			p := &api.ListCallEventParams{}
			p.SetPageSize(100).SetLimit(500)
			return rc.Api.ListCallEvent(sid, p)
		})
		wg.Wait()
	}
	detailsErr := env.waitFor(ctx, Alerts{}.Name())
	if detailsErr != nil {
		detailsErr = fmt.Errorf("alert details: %w", detailsErr)
	} else {
		detailsErr = c.alertDetails(env, tl)
	}
	if err := joinErrors(detailsErr, callsErr, eventsErr); err != nil {
		return err
	}
	if env.API == nil && len(tl.AlertDetails) == 0 {
		return Skip("no API credentials and no alert details")
	}
	return nil
}

// alertDetail is a fetched alert as written to TwilioAlertsDir: the
// form-encoded dumps Twilio stores are decoded.
type alertDetail struct {
	SID              string              `json:"sid"`
	DateGenerated    string              `json:"date_generated,omitempty"`
	ErrorCode        string              `json:"error_code,omitempty"`
	ResourceSID      string              `json:"resource_sid,omitempty"`
	RequestMethod    string              `json:"request_method,omitempty"`
	RequestURL       string              `json:"request_url,omitempty"`
	RequestHeaders   map[string][]string `json:"request_headers,omitempty"`
	RequestVariables map[string][]string `json:"request_variables,omitempty"`
	ResponseHeaders  map[string][]string `json:"response_headers,omitempty"`
	ResponseBody     string              `json:"response_body,omitempty"`
	AlertText        map[string][]string `json:"alert_text,omitempty"`
}

// alertDetails writes the alerts of alerts.ndjson that carry details, one
// file each.
func (c TwilioDebugLogs) alertDetails(env *Env, tl *TwilioLogs) error {
	f, err := env.Stage.Open(AlertsFile)
	if err != nil {
		return nil // no alerts were staged
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			if d, ok := parseAlertDetail(line); ok {
				b, err := json.MarshalIndent(d, "", "  ")
				if err != nil {
					return fmt.Errorf("alert %s: %w", d.SID, err)
				}
				if err := env.Stage.WriteFile(TwilioAlertsDir+d.SID+".json", append(b, '\n')); err != nil {
					return err
				}
				tl.AlertDetails = append(tl.AlertDetails, d.SID)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("read %s: %w", AlertsFile, rerr)
		}
	}
	sort.Strings(tl.AlertDetails)
	return nil
}

func parseAlertDetail(line []byte) (alertDetail, bool) {
	if !mayHoldDetails(line) {
		return alertDetail{}, false // a listed alert: most lines, decoded for nothing
	}
	var raw map[string]any
	if json.Unmarshal(line, &raw) != nil {
		return alertDetail{}, false
	}
	str := func(k string) string {
		s, _ := raw[k].(string)
		return s
	}
	form := func(k string) map[string][]string {
		s := str(k)
		if s == "" {
			return nil
		}
		v, err := url.ParseQuery(s)
		if err != nil || len(v) == 0 {
			return map[string][]string{"raw": {s}}
		}
		return v
	}
	d := alertDetail{
		SID: str("sid"), DateGenerated: str("date_generated"), ErrorCode: str("error_code"), ResourceSID: str("resource_sid"),
		RequestMethod: str("request_method"), RequestURL: str("request_url"),
		RequestHeaders: form("request_headers"), RequestVariables: form("request_variables"),
		ResponseHeaders: form("response_headers"), ResponseBody: str("response_body"), AlertText: form("alert_text"),
	}
	if d.DateGenerated == "" {
		d.DateGenerated = str("message_date") // a v2010 notification
	}
	if d.ErrorCode == "" {
		d.ErrorCode = str("error_code")
	}
	if !ValidSID(d.SID, "NO") || d.RequestHeaders == nil && d.RequestVariables == nil && d.ResponseHeaders == nil && d.ResponseBody == "" {
		return alertDetail{}, false
	}
	return d, true
}

// detailKeys are the fields of a fetched alert (or notification) that a
// listed one lacks.
var detailKeys = [][]byte{[]byte(`"request_headers"`), []byte(`"request_variables"`), []byte(`"response_headers"`), []byte(`"response_body"`)}

// mayHoldDetails reports whether a staged alert's line names one of
// detailKeys: parseAlertDetail keeps no line that does not.
func mayHoldDetails(line []byte) bool {
	for _, k := range detailKeys {
		if bytes.Contains(line, k) {
			return true
		}
	}
	return false
}

// callEvents fetches, with list, the Call Events of up to MaxCalls
// affected calls, the most recent first, as the alerts collector lists
// them. A call whose events Twilio no longer (or not yet) has is recorded
// as unavailable, not as an error.
func (c TwilioDebugLogs) callEvents(ctx context.Context, env *Env, tl *TwilioLogs, list func(sid string) ([]api.ApiV2010CallEvent, error)) error {
	limit := c.MaxCalls
	if limit == 0 {
		limit = DefaultMaxCallEvents
	}
	var (
		mu    sync.Mutex
		calls []string
		logs  = map[int]CallEventLog{}
		errs  = map[int]error{}
		seen  = map[string]bool{}
		task  Task
		work  = newWorkers(env.API.concurrency())
	)
	followErr := env.followIncidents(ctx, func(batch []Incident) {
		var picked []string
		for _, inc := range batch {
			sid := inc.ResourceSID
			if !ValidSID(sid, "CA") || seen[sid] {
				continue
			}
			seen[sid] = true
			if len(calls)+len(picked) >= limit {
				tl.CallsNotFetched++
				continue
			}
			picked = append(picked, sid)
		}
		if len(picked) == 0 || ctx.Err() != nil {
			return
		}
		if task == nil {
			task = env.progress().Start("call events", len(picked))
		} else {
			task.Grow(len(picked))
		}
		for _, sid := range picked {
			i := len(calls)
			calls = append(calls, sid)
			work.Go(func() {
				if ctx.Err() != nil {
					return
				}
				l, err := c.oneCall(env, sid, list)
				mu.Lock()
				logs[i], errs[i] = l, err
				mu.Unlock()
				task.Add(1)
			})
		}
	})
	work.Wait()
	if task != nil {
		task.Done()
	}
	failed, first := 0, error(nil)
	for i := range calls {
		l, ok := logs[i]
		if !ok {
			continue // not started: interrupted
		}
		tl.CallEvents = append(tl.CallEvents, l)
		if errs[i] != nil {
			failed++
			if first == nil {
				first = errs[i]
			}
		}
	}
	if ctx.Err() != nil || followErr != nil {
		return fmt.Errorf("call events: %d of %d calls read: %w", len(tl.CallEvents), len(calls), ctxError(ctx))
	}
	if failed > 0 {
		return fmt.Errorf("call events: %d of %d calls failed, first: %w", failed, len(calls), apiErr(first))
	}
	return nil
}

func (c TwilioDebugLogs) oneCall(env *Env, sid string, list func(string) ([]api.ApiV2010CallEvent, error)) (CallEventLog, error) {
	cl := CallEventLog{CallSID: sid}
	events, err := list(sid)
	var te *client.TwilioRestError
	if errors.As(err, &te) && te.Status == http.StatusNotFound {
		cl.Unavailable = "Twilio has no events for this call (kept for a limited time, available 15 minutes after the call ends)"
		return cl, nil
	}
	if err != nil {
		cl.Unavailable = describeAPIError(err)
		return cl, err
	}
	cl.Events = len(events)
	if len(events) == 0 {
		cl.Unavailable = "Twilio returned no events for this call"
		return cl, nil
	}
	b, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		return cl, fmt.Errorf("call events of %s: %w", sid, err)
	}
	name := TwilioCallEventsDir + sid + ".json"
	if err := env.Stage.WriteFile(name, append(b, '\n')); err != nil {
		return cl, err
	}
	cl.File = name
	return cl, nil
}

// configChanges reads the Monitor Events of the window with list and keeps
// those that changed a webhook setting.
func (c TwilioDebugLogs) configChanges(env *Env, tl *TwilioLogs, list func() ([]monitor.MonitorV1Event, error)) error {
	events, err := list()
	if err != nil {
		return fmt.Errorf("monitor events: %w", apiErr(err))
	}
	tl.EventsRead = len(events)
	var kept []monitor.MonitorV1Event
	for _, e := range events {
		changes := WebhookChanges(e)
		if len(changes) == 0 {
			continue
		}
		kept = append(kept, e)
		tl.ConfigChanges = append(tl.ConfigChanges, changes...)
	}
	sort.SliceStable(tl.ConfigChanges, func(i, j int) bool { return tl.ConfigChanges[i].Time.Before(tl.ConfigChanges[j].Time) })
	doc := struct {
		Changes []ConfigChange           `json:"changes"`
		Events  []monitor.MonitorV1Event `json:"events"`
	}{tl.ConfigChanges, kept}
	if doc.Changes == nil {
		doc.Changes = []ConfigChange{}
	}
	if doc.Events == nil {
		doc.Events = []monitor.MonitorV1Event{}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", TwilioConfigChangesFile, err)
	}
	return env.Stage.WriteFile(TwilioConfigChangesFile, append(b, '\n'))
}

// WebhookChanges lists the webhook settings (URLs, methods, callbacks, the
// application or trunk that answers instead) a Monitor Event changed. It
// reads both shapes of event_data: the settings at its top level, or under
// resource_properties, each as {"previous": …, "updated": …}.
func WebhookChanges(e monitor.MonitorV1Event) []ConfigChange {
	if e.EventData == nil {
		return nil
	}
	data, ok := (*e.EventData).(map[string]any)
	if !ok {
		return nil
	}
	if rp, ok := data["resource_properties"].(map[string]any); ok {
		data = rp
	}
	var keys []string
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []ConfigChange
	for _, k := range keys {
		if !webhookSetting(k) {
			continue
		}
		ch, ok := data[k].(map[string]any)
		if !ok {
			continue
		}
		prev, _ := ch["previous"].(string)
		upd, _ := ch["updated"].(string)
		_, hasPrev := ch["previous"]
		_, hasUpd := ch["updated"]
		if !hasPrev && !hasUpd || prev == upd {
			continue
		}
		c := ConfigChange{Field: k, Previous: prev, Updated: upd,
			EventSID: deref(e.Sid), EventType: deref(e.EventType), ResourceSID: deref(e.ResourceSid), ResourceType: deref(e.ResourceType),
			ActorSID: deref(e.ActorSid), ActorType: deref(e.ActorType), Source: deref(e.Source)}
		if e.EventDate != nil {
			c.Time = e.EventDate.UTC()
		}
		out = append(out, c)
	}
	return out
}

// webhookSetting reports whether a resource property is part of a webhook
// configuration.
func webhookSetting(k string) bool {
	k = strings.ToLower(strings.ReplaceAll(k, "-", "_"))
	switch {
	case strings.HasSuffix(k, "url"), strings.Contains(k, "callback"), strings.HasSuffix(k, "method"):
		return true
	case k == "voice_application_sid", k == "sms_application_sid", k == "trunk_sid", k == "use_inbound_webhook_on_number":
		return true
	}
	return false
}
