package faketwilio

import (
	"net/http"
	"strings"
	"time"
)

// NotificationsFromAlerts returns the API v2010 notifications Twilio keeps
// for the same events as the given alerts, in the same order: the same SIDs
// (NO…), message_text equal to the alert's alert_text (form-encoded the same
// way), call_sid for calls, the message date in RFC 2822, log 0 for errors
// and 1 for warnings, and the request and response details a fetch of one
// notification returns.
func NotificationsFromAlerts(alerts AlertSource) []Notification {
	if alerts == nil {
		return nil
	}
	out := make([]Notification, 0, alerts.Len())
	for i := 0; i < alerts.Len(); i++ {
		a := alerts.At(i)
		n := Notification{
			AccountSid:       a.AccountSid,
			APIVersion:       a.APIVersion,
			DateCreated:      rfc2822(a.DateCreated),
			DateUpdated:      rfc2822(a.DateUpdated),
			ErrorCode:        a.ErrorCode,
			Log:              "0",
			MessageDate:      a.Generated.UTC().Format(RFC2822),
			MessageText:      a.AlertText,
			MoreInfo:         a.MoreInfo,
			RequestMethod:    a.RequestMethod,
			RequestURL:       a.RequestURL,
			Sid:              a.Sid,
			URI:              "/2010-04-01/Accounts/" + a.AccountSid + "/Notifications/" + a.Sid + ".json",
			RequestVariables: a.RequestVariables,
			ResponseBody:     a.ResponseBody,
			ResponseHeaders:  a.ResponseHeaders,
		}
		if strings.EqualFold(a.LogLevel, "warning") {
			n.Log = "1"
		}
		if strings.HasPrefix(a.ResourceSid, "CA") {
			n.CallSid = a.ResourceSid
		}
		out = append(out, n)
	}
	return out
}

// rfc2822 rewrites an ISO 8601 date of the v1 APIs as the RFC 2822 date of
// API v2010; a date it cannot read is returned as it is.
func rfc2822(iso string) string {
	t, err := time.Parse(ISO8601, iso)
	if err != nil {
		return iso
	}
	return t.UTC().Format(RFC2822)
}

// listView is the notification as a list page shows it: without the
// request variables and the response, as Twilio does.
func (n Notification) listView() Notification {
	n.RequestVariables, n.ResponseBody, n.ResponseHeaders = "", "", ""
	return n
}

// serveNotification answers a fetch of one notification with its details.
func serveNotification(w http.ResponseWriter, all []Notification, sid string) {
	for _, n := range all {
		if n.Sid == sid {
			writeJSON(w, n)
			return
		}
	}
	restError(w, http.StatusNotFound, 20404, "The requested resource /Notifications/"+sid+".json was not found")
}
