package collect

import (
	"encoding/json"
	"strings"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

// The lists of alerts and notifications are read page by page here rather
// than with twilio-go's Stream functions, which ask for the next page only
// once every record of the last one has been taken, and find its address
// by encoding the whole page to JSON and decoding it again: at 1,000 records
// a page, that work sat between every two pages and made most of the
// garbage of a run. Each request is the one twilio-go sends.

// streamAlerts lists the Monitor alerts params select, as
// MonitorV1.StreamAlert does, a page ahead of the reader.
func streamAlerts(rc *twilio.RestClient, params *monitor.ListAlertParams) (chan monitor.MonitorV1Alert, chan error) {
	params.SetPageSize(client.ReadLimits(params.PageSize, params.Limit))
	return streamPages(params.Limit,
		func() ([]monitor.MonitorV1Alert, string, error) {
			p, err := rc.MonitorV1.PageAlert(params, "", "")
			if err != nil {
				return nil, "", err
			}
			return p.Alerts, deref(p.Meta.NextPageUrl), nil
		},
		func(next string) ([]monitor.MonitorV1Alert, string, error) {
			var p monitor.ListAlertResponse
			if err := getPage(rc, next, &p); err != nil {
				return nil, "", err
			}
			return p.Alerts, deref(p.Meta.NextPageUrl), nil
		})
}

// streamNotifications lists the API v2010 notifications params select, as
// Api.StreamNotification does, a page ahead of the reader.
func streamNotifications(rc *twilio.RestClient, params *api.ListNotificationParams) (chan api.ApiV2010Notification, chan error) {
	params.SetPageSize(client.ReadLimits(params.PageSize, params.Limit))
	nextURL := func(p *api.ListNotificationResponse) string {
		if p.NextPageUri == nil || *p.NextPageUri == "" {
			return ""
		}
		return api2010Base + "/" + strings.Trim(*p.NextPageUri, "/")
	}
	return streamPages(params.Limit,
		func() ([]api.ApiV2010Notification, string, error) {
			p, err := rc.Api.PageNotification(params, "", "")
			if err != nil {
				return nil, "", err
			}
			return p.Notifications, nextURL(p), nil
		},
		func(next string) ([]api.ApiV2010Notification, string, error) {
			var p api.ListNotificationResponse
			if err := getPage(rc, next, &p); err != nil {
				return nil, "", err
			}
			return p.Notifications, nextURL(&p), nil
		})
}

// api2010Base is the address the pages of API v2010 are relative to (the
// region and edge are applied to it as to every request).
const api2010Base = "https://api.twilio.com"

// getPage fetches the page at a list's next-page address into page.
func getPage(rc *twilio.RestClient, next string, page any) error {
	resp, err := rc.RequestHandler.Get(next, nil, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(page)
}

// streamPages sends the records of a list on the first channel, up to limit
// (nil: all), fetching the next page while the reader takes those of the
// last one, and then the error that ended the paging, if any, on the
// second; both are closed at the end. The reader must drain the first.
func streamPages[T any](limit *int, first func() ([]T, string, error), next func(string) ([]T, string, error)) (chan T, chan error) {
	records := make(chan T, listPageSize)
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		defer close(records)
		page, link, err := first()
		sent := 0
		for {
			if err != nil {
				errs <- err
				return
			}
			for _, r := range page {
				if limit != nil && sent >= *limit {
					return
				}
				records <- r
				sent++
			}
			if link == "" || limit != nil && sent >= *limit {
				return
			}
			page, link, err = next(link)
		}
	}()
	return records, errs
}
