package collect

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"

	monitor "github.com/twilio/twilio-go/rest/monitor/v1"
)

const (
	offAlert1 = `{"account_sid":"AC0123456789abcdef0123456789abcdef","sid":"NO00000000000000000000000000000001","error_code":"11200","date_generated":"2026-11-20T10:00:00Z","alert_text":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resource_sid":"CA00000000000000000000000000000001","request_method":"POST","request_url":"https://a.example/voice"}`
	offAlert2 = `{"account_sid":"AC0123456789abcdef0123456789abcdef","sid":"NO00000000000000000000000000000002","error_code":"11205","date_generated":"2026-11-20T11:00:00Z","alert_text":"httpResponse=504&url=https%3A%2F%2Fb.example%2Fsms&ErrorCode=11205","resource_sid":"SM00000000000000000000000000000002"}`
	offCamel  = `{"accountSid":"AC0123456789abcdef0123456789abcdef","sid":"NO00000000000000000000000000000001","errorCode":"11200","dateGenerated":"2026-11-20T10:00:00.000Z","alertText":"Msg=Got+HTTP+502+response+to+https%3A%2F%2Fa.example%2Fvoice&ErrorCode=11200","resourceSid":"CA00000000000000000000000000000001","requestMethod":"POST","requestUrl":"https://a.example/voice"}`
)

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestReadAlerts_DetectsEverySavedShape(t *testing.T) {
	page := `{"alerts":[` + offAlert1 + `,` + offAlert2 + `],"meta":{"key":"alerts","next_page_url":null,"page":0,"page_size":50}}`
	cases := []struct {
		name, in, format string
		want             []string
	}{
		{"v1 page as curl saves it", page, AlertsFormatPage, []string{"NO…1", "NO…2"}},
		{"two pages one after the other", `{"alerts":[` + offAlert1 + `],"meta":{}}` + "\n" + `{"meta":{},"alerts":[` + offAlert2 + `]}`, AlertsFormatPage, []string{"NO…1", "NO…2"}},
		{"JSON array", "[\n" + offAlert1 + ",\n" + offAlert2 + "\n]", AlertsFormatArray, []string{"NO…1", "NO…2"}},
		{"NDJSON", offAlert1 + "\n" + offAlert2 + "\n", AlertsFormatNDJSON, []string{"NO…1", "NO…2"}},
		{"twilio-cli camelCase array", "[" + offCamel + "]", AlertsFormatArray, []string{"NO…1"}},
		{"gzipped page", gz(page), AlertsFormatPage, []string{"NO…1", "NO…2"}},
		{"empty page", `{"alerts":[],"meta":{}}`, AlertsFormatPage, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			format, err := ReadAlerts(strings.NewReader(c.in), func(al monitor.MonitorV1Alert) error {
				s := deref(al.Sid)
				got = append(got, "NO…"+s[len(s)-1:])
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if format != c.format {
				t.Errorf("format = %q, want %q", format, c.format)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("alerts = %v, want %v", got, c.want)
			}
		})
	}
}

func TestReadAlerts_CamelCaseGivesTheSameIncident(t *testing.T) {
	w := Window{From: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	var incs []Incident
	for _, in := range []string{offAlert1, offCamel} {
		if _, err := ReadAlerts(strings.NewReader(in), func(al monitor.MonitorV1Alert) error {
			inc, ok := incidentFromAlert(al, w)
			if !ok {
				t.Fatalf("%s: no incident", in)
			}
			incs = append(incs, inc)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if incs[0] != incs[1] {
		t.Errorf("snake_case %+v\n camelCase %+v", incs[0], incs[1])
	}
	if incs[0].HTTPStatus != 502 || incs[0].Kind != KindCall || incs[0].URL != "https://a.example/voice" {
		t.Errorf("incident = %+v", incs[0])
	}
}

func TestReadAlerts_RejectsWhatIsNotAlerts(t *testing.T) {
	cases := []struct{ name, in, err string }{
		{"empty file", "  \n", "empty"},
		{"a number", "42", "want a Monitor API page"},
		{"object without sid", `{"error_code":"11200"}`, "no sid"},
		{"truncated page", `{"alerts":[` + offAlert1, "JSON value 1"},
		{"alerts not a list", `{"alerts":{}}`, "not a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadAlerts(strings.NewReader(c.in), func(monitor.MonitorV1Alert) error { return nil })
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

func TestReadAlerts_StopsOnTheCallbacksError(t *testing.T) {
	stop := errors.New("stop")
	_, err := ReadAlerts(strings.NewReader(offAlert1+"\n"+offAlert2), func(monitor.MonitorV1Alert) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"requestUrl": "request_url", "dateGenerated": "date_generated", "sid": "sid",
		"request_url": "request_url", "requestURL": "request_url", "accountSid": "account_sid",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadIncidentsCSV(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		csv        string
		want       []Incident
		bad, other int
	}{
		{"the tool's own incidents.csv",
			"alert_sid,time,error_code,http_status,resource_sid,kind,method,url,message\n" +
				"NO1,2026-11-20T10:00:00Z,11200,502,CA1,call,POST,https://a.example/voice,Got HTTP 502 response to https://a.example/voice\n",
			[]Incident{{AlertSID: "NO1", Time: t0, ErrorCode: "11200", HTTPStatus: 502, ResourceSID: "CA1", Kind: KindCall, Method: "POST", URL: "https://a.example/voice", Message: "Got HTTP 502 response to https://a.example/voice"}}, 0, 0},
		{"no HTTP status written as 0",
			"alert_sid,time,error_code,http_status,resource_sid,kind,method,url,message\n" +
				"NO1,2026-11-20T10:00:00Z,11205,0,CA1,call,POST,https://a.example/voice,HTTP connection failure\n",
			[]Incident{{AlertSID: "NO1", Time: t0, ErrorCode: "11205", ResourceSID: "CA1", Kind: KindCall, Method: "POST", URL: "https://a.example/voice", Message: "HTTP connection failure"}}, 0, 0},
		{"console columns mapped by header name, local times in --tz",
			"\ufeffSid,Date Created,Error Code,Resource Sid,Request URL,Alert Text\n" +
				"NO2,2026-11-20 19:00:00,11205,SM00000000000000000000000000000002,https://b.example/sms,httpResponse=504&ErrorCode=11205\n",
			[]Incident{{AlertSID: "NO2", Time: t0, ErrorCode: "11205", HTTPStatus: 504, ResourceSID: "SM00000000000000000000000000000002", Kind: KindMessage, URL: "https://b.example/sms"}}, 0, 0},
		{"RFC 2822 dates of API v2010, other errors left out, bad rows counted",
			"CallSid,MessageDate,ErrorCode,MessageText\n" +
				"CA00000000000000000000000000000003,\"Fri, 20 Nov 2026 10:00:00 +0000\",11200,Got HTTP 502 response to https://c.example/\n" +
				"CA00000000000000000000000000000004,\"Fri, 20 Nov 2026 10:00:00 +0000\",30003,Unreachable handset\n" +
				"CA00000000000000000000000000000005,yesterday,11200,\n" +
				"CA00000000000000000000000000000006,2026-11-20T10:00:00Z\n",
			[]Incident{{ResourceSID: "CA00000000000000000000000000000003", Time: t0, ErrorCode: "11200", HTTPStatus: 502, Kind: KindCall, URL: "https://c.example/", Message: "Got HTTP 502 response to https://c.example/"}}, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []Incident
			res, err := ReadIncidentsCSV(strings.NewReader(c.csv), tokyo, func(inc Incident) error { got = append(got, inc); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d incidents %+v, want %d", len(got), got, len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("incident %d:\n got %+v\nwant %+v", i, got[i], c.want[i])
				}
			}
			if res.Bad != c.bad || res.NotWebhook != c.other {
				t.Errorf("bad %d, other %d; want %d, %d (first bad: %s)", res.Bad, res.NotWebhook, c.bad, c.other, res.FirstBad)
			}
		})
	}
}

func TestReadIncidentsCSV_NeedsTimeAndSIDColumns(t *testing.T) {
	for _, in := range []string{"", "url,method\nhttps://a,POST\n", "alert_sid,url\nNO1,https://a\n"} {
		_, err := ReadIncidentsCSV(strings.NewReader(in), time.UTC, func(Incident) error { return nil })
		if err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestMergeIncidents_LeavesOutAlertsAlreadyThereAndSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	have := []Incident{{AlertSID: "NO2", Time: t0.Add(time.Hour)}}
	got := mergeIncidents(have, []Incident{{AlertSID: "NO2", Time: t0.Add(time.Hour)}, {AlertSID: "NO1", Time: t0}})
	if len(got) != 2 || got[0].AlertSID != "NO1" || got[1].AlertSID != "NO2" {
		t.Fatalf("got %+v", got)
	}
}
