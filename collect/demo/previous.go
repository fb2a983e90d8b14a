package demo

import (
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// addPreviousWindow gives the demo account the window before w too, so that
// the trend has a baseline the way a real account has one: the API still
// holds it. It is the same kind of week with a quarter fewer failures, under
// SIDs of its own, with its daily usage.
func addPreviousWindow(data *faketwilio.AccountData, w collect.Window) {
	cur, ok := data.Alerts.(faketwilio.Alerts)
	if !ok {
		return
	}
	pw := collect.PreviousWindow(w)
	prev := faketwilio.DemoData(pw.From, pw.To)
	src, ok := prev.Alerts.(faketwilio.Alerts)
	if !ok {
		return
	}
	var older faketwilio.Alerts
	for i, a := range src {
		if i%4 == 3 {
			continue
		}
		older = append(older, renamed(a))
	}
	// Newest first, as the Monitor API lists them: this window, then the one before.
	data.Alerts = append(append(faketwilio.Alerts{}, cur...), older...)
	data.Notifications = append(data.Notifications, faketwilio.NotificationsFromAlerts(older)...)
	have := map[string]bool{}
	for _, u := range data.Usage {
		have[u.Category+u.StartDate] = true
	}
	for _, u := range prev.Usage {
		if !have[u.Category+u.StartDate] {
			data.Usage = append(data.Usage, u)
		}
	}
}

// renamed gives a previous-window alert and its call or message SIDs of
// their own, so that they never collide with the window's.
func renamed(a faketwilio.Alert) faketwilio.Alert {
	sid := faketwilio.SID("NO", "previous-"+a.Sid)
	pairs := []string{a.Sid, sid}
	if len(a.ResourceSid) > 2 {
		res := faketwilio.SID(a.ResourceSid[:2], "previous-"+a.ResourceSid)
		pairs = append(pairs, a.ResourceSid, res)
		a.ResourceSid = res
	}
	r := strings.NewReplacer(pairs...)
	a.Sid = sid
	a.URL = r.Replace(a.URL)
	a.AlertText, a.RequestVariables, a.ResponseBody = r.Replace(a.AlertText), r.Replace(a.RequestVariables), r.Replace(a.ResponseBody)
	return a
}
