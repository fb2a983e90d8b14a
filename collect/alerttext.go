package collect

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// AlertText is what the form-encoded alert_text of a Monitor alert (or the
// message_text of a v2010 notification) says.
type AlertText struct {
	Msg        string
	URL        string
	HTTPStatus int
	ErrorCode  string
	LogLevel   string
	// Values holds every field, for what the named ones do not cover.
	Values url.Values
}

var (
	gotHTTP   = regexp.MustCompile(`(?i)\bHTTP (\d{3})\b`)
	urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)
)

// ParseAlertText reads both shapes Twilio writes:
//
//	old: …&httpResponse=502&url=https%3A%2F%2F…&ErrorCode=11200&Msg=…
//	new: Msg=Got+HTTP+502+response+to+https%3A%2F%2F…&ErrorCode=11200&LogLevel=ERROR
//
// A malformed escape spoils only its own field; the rest is kept.
func ParseAlertText(s string) AlertText {
	v, _ := url.ParseQuery(strings.TrimSpace(s))
	t := AlertText{Values: v, Msg: v.Get("Msg"), ErrorCode: v.Get("ErrorCode"), LogLevel: v.Get("LogLevel")}
	t.URL = v.Get("url")
	if t.URL == "" {
		t.URL = v.Get("requestUrl")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v.Get("httpResponse"))); err == nil && n >= 100 && n <= 599 {
		t.HTTPStatus = n
	}
	if t.HTTPStatus == 0 {
		if m := gotHTTP.FindStringSubmatch(t.Msg); m != nil {
			t.HTTPStatus, _ = strconv.Atoi(m[1])
		}
	}
	if t.URL == "" {
		if m := urlInText.FindString(t.Msg); m != "" {
			t.URL = strings.TrimRight(m, ".,;)")
		}
	}
	return t
}
