package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// NotificationsFile is the bundle file holding the API v2010 notifications
// as Twilio returned them (details where fetched), when the incidents come
// from them instead of the Monitor alerts.
const NotificationsFile = "notifications.ndjson"

// Where the incidents came from (Evidence.AlertsSource).
const (
	AlertsFromMonitor       = "api:alerts"
	AlertsFromNotifications = "api:notifications"
)

// rfc2822 is the date format of API v2010.
const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

// alertsUnavailable reports whether err says that the Monitor Alerts API
// does not answer for the account at all: a 404 or 403 from it (as for
// accounts it does not serve), or a regional Monitor host that does not
// exist. Throttling, server errors and timeouts are not: they are failures
// of the alerts collector, not a reason to read another resource.
func alertsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var te *client.TwilioRestError
	if errors.As(err, &te) {
		return te.Status == http.StatusNotFound || te.Status == http.StatusForbidden
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// collectNotifications is the alerts collector's fallback: it lists the API
// v2010 notifications of the window (MessageDate>= and MessageDate<= by UTC
// day, then the exact window), turns the webhook failures among them into
// incidents with the same columns as the alerts give — message_text is
// form-encoded like alert_text — fetches the details of up to MaxDetails of
// them, and stages NotificationsFile. It records the source and why in the
// Evidence and warns. why is the Monitor API's answer.
func (a Alerts) collectNotifications(ctx context.Context, env *Env, rc *twilio.RestClient, feed *incidentFeed, maxRecords int, why error) error {
	reason := fmt.Sprintf("the Monitor Alerts API does not answer for this account (%s); the incidents come from the API v2010 Notifications resource", describeAPIError(why))
	env.Evidence.AlertsSource, env.Evidence.AlertsSourceReason = AlertsFromNotifications, reason
	env.progress().Warnf("alerts: %s", reason)

	w := env.Evidence.Window
	params := notificationParams(w, maxRecords)
	const list = NotificationsFile + ".list"
	defer env.Stage.Delete(list)
	details := a.detailFetcher(ctx, env, func(sid string) (any, error) { return rc.Api.FetchNotification(sid, nil) })
	pages, endList := env.API.listClient(ctx)
	got, writeErr, err := streamRecords(env, feed, list, "notifications",
		func() (chan api.ApiV2010Notification, chan error) { return streamNotifications(pages, params) },
		func(n api.ApiV2010Notification) (Incident, bool) { return incidentFromNotification(n, w) },
		details.add)
	endList()
	feed.close()
	if err != nil {
		details.wait()
		return err
	}
	incidents, seen, streamErr := feed.sorted(), got.seen, got.streamErr
	if streamErr == nil {
		details.finish(incidents)
	}
	fetched, detailErr := details.wait()
	if writeErr != nil {
		return fmt.Errorf("write %s: %w", NotificationsFile, writeErr)
	}
	fillResourcesFromDetails(incidents, fetched)
	env.Evidence.AlertsSeen += seen
	addIncidents(env.Evidence, incidents)
	if err := mergeDetails(env.Stage, list, NotificationsFile, fetched); err != nil {
		return err
	}
	env.addFile(NotificationsFile)
	if streamErr != nil {
		return fmt.Errorf("list notifications (after %d): %w", seen, apiErr(streamErr))
	}
	if seen >= maxRecords {
		env.progress().Warnf("alerts: stopped after %d notifications (the limit); the window holds more", seen)
	}
	return detailErr
}

// incidentFromNotification makes an incident of a webhook-failure
// notification inside w. A notification names the call it belongs to
// (call_sid) but no message: a message's SID is taken from message_text
// when it holds one, else from the fetched details (fillResourcesFromDetails);
// without either, the kind comes from message_text's sourceComponent
// (12000 voice, 14100 SMS).
func incidentFromNotification(n api.ApiV2010Notification, w Window) (Incident, bool) {
	code := deref(n.ErrorCode)
	if !twiliocodes.IsWebhookFailure(code) {
		return Incident{}, false
	}
	t, err := time.Parse(rfc2822, deref(n.MessageDate))
	if err != nil {
		if t, err = time.Parse(rfc2822, deref(n.DateCreated)); err != nil {
			return Incident{}, false
		}
	}
	if !w.Contains(t.UTC()) {
		return Incident{}, false
	}
	text := ParseAlertText(deref(n.MessageText))
	resource := deref(n.CallSid)
	if resource == "" {
		resource = resourceIn(text.Values)
	}
	inc := NewIncident(deref(n.Sid), t, code, text, resource, deref(n.RequestMethod), deref(n.RequestUrl))
	if resource == "" {
		switch text.Values.Get("sourceComponent") {
		case "12000":
			inc.Kind = KindCall
		case "14100":
			inc.Kind = KindMessage
		}
	}
	return inc, true
}

// resourceIn finds the call or message SID among form values (message_text
// or a notification's request_variables).
func resourceIn(v url.Values) string {
	for _, k := range []string{"CallSid", "MessageSid", "SmsMessageSid", "SmsSid"} {
		if s := v.Get(k); ValidSID(s, "") {
			return s
		}
	}
	return ""
}

// fillResourcesFromDetails gives the incidents without a resource SID the
// one their fetched notification's request_variables name.
func fillResourcesFromDetails(incidents []Incident, details map[string]json.RawMessage) {
	for i := range incidents {
		inc := &incidents[i]
		d, ok := details[inc.AlertSID]
		if inc.ResourceSID != "" || !ok {
			continue
		}
		var n api.ApiV2010NotificationInstance
		if json.Unmarshal(d, &n) != nil {
			continue
		}
		vars, _ := url.ParseQuery(deref(n.RequestVariables))
		if sid := resourceIn(vars); sid != "" {
			inc.ResourceSID, inc.Kind = sid, KindOfSID(sid)
		}
	}
}

// notificationParams lists the notifications of the UTC days w touches (the
// resource filters by day; callers keep the exact window).
func notificationParams(w Window, maxRecords int) *api.ListNotificationParams {
	return new(api.ListNotificationParams).
		SetMessageDateAfter(w.From.UTC().Format("2006-01-02")).
		SetMessageDateBefore(w.To.UTC().Add(-time.Nanosecond).Format("2006-01-02")).
		SetPageSize(listPageSize).SetLimit(maxRecords)
}
