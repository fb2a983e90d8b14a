package hoplog

import (
	"bytes"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// iisDefaultFields are the fields IIS logs by default, for a W3C file whose
// #Fields: line is not at hand.
const iisDefaultFields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

// w3cFields maps the W3C extended field names a line's values are read by to
// their positions.
type w3cFields struct {
	names string
	// n is the number of fields: every line has exactly as many values.
	n                                             int
	date, time, method, stem, query, status, took int
	ua, client, server, port                      int
	// tookUnit is the unit of time-taken: milliseconds for IIS, seconds
	// (with decimals) for CloudFront.
	tookUnit time.Duration
}

// parseW3CFields reads a "#Fields: date time …" line; ok is false for any
// other line and for fields without date, time and a request.
func parseW3CFields(line []byte) (w3cFields, bool) {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("#Fields:"))
	if !ok {
		return w3cFields{}, false
	}
	return w3cFieldsOf(strings.Fields(string(rest)))
}

func w3cFieldsOf(names []string) (w3cFields, bool) {
	f := w3cFields{names: strings.Join(names, " "), n: len(names), date: -1, time: -1, method: -1, stem: -1, query: -1, status: -1, took: -1,
		ua: -1, client: -1, server: -1, port: -1, tookUnit: time.Millisecond}
	for i, n := range names {
		switch strings.ToLower(n) {
		case "date":
			f.date = i
		case "time":
			f.time = i
		case "cs-method":
			f.method = i
		case "cs-uri-stem":
			f.stem = i
		case "cs-uri-query":
			f.query = i
		case "sc-status":
			f.status = i
		case "time-taken":
			f.took = i
		case "cs(user-agent)":
			f.ua = i
		case "c-ip":
			f.client = i
		case "s-ip":
			f.server = i
		case "s-port":
			f.port = i
		case "x-edge-location":
			// CloudFront writes time-taken in seconds.
			f.tookUnit = time.Second
		}
	}
	return f, f.date >= 0 && f.time >= 0 && f.stem >= 0
}

// w3cSplit splits a W3C line into its values: tab-separated (CloudFront) or
// space-separated (IIS).
func w3cSplit(line []byte) [][]byte {
	if bytes.IndexByte(line, '\t') >= 0 {
		return bytes.Split(line, []byte{'\t'})
	}
	return bytes.Fields(line)
}

func (f w3cFields) timeOf(vals [][]byte) (time.Time, bool) {
	if len(vals) != f.n {
		return time.Time{}, false
	}
	// W3C extended logs are written in UTC.
	t, err := time.Parse("2006-01-02 15:04:05.999999999", string(vals[f.date])+" "+string(vals[f.time]))
	return t, err == nil
}

func (f w3cFields) parse(line []byte) (Record, error) {
	if len(line) == 0 || line[0] == '#' {
		return Record{}, errNoMatch
	}
	vals := w3cSplit(line)
	var r Record
	var ok bool
	if r.Time, ok = f.timeOf(vals); !ok {
		return Record{}, errNoMatch
	}
	get := func(i int) string {
		if i < 0 || i >= len(vals) || string(vals[i]) == "-" {
			return ""
		}
		return string(vals[i])
	}
	r.Path = get(f.stem)
	if !strings.HasPrefix(r.Path, "/") {
		return Record{}, errNoMatch
	}
	r.Query = get(f.query)
	r.Method = get(f.method)
	if s := get(f.status); s != "" {
		if r.Status, ok = parseStatus([]byte(s)); !ok {
			return Record{}, errNoMatch
		}
	}
	if s := get(f.took); s != "" {
		if f.tookUnit == time.Second {
			r.Duration, r.HasDuration = parseSeconds([]byte(s))
		} else if n, ok := atoiBytes([]byte(s)); ok {
			r.Duration, r.HasDuration = time.Duration(n)*f.tookUnit, true
		}
	}
	if ua := get(f.ua); ua != "" {
		// IIS writes spaces as '+', CloudFront percent-encodes.
		if u, err := url.QueryUnescape(ua); err == nil {
			ua = u
		}
		r.UA = ua
	}
	if a, err := netip.ParseAddr(get(f.client)); err == nil {
		r.Src = a
	}
	if a, err := netip.ParseAddr(get(f.server)); err == nil {
		r.Dst = a
	}
	r.DstPort, _ = atoiBytes([]byte(get(f.port)))
	return r, nil
}

// w3cFormat reads W3C extended log files by their #Fields: line: IIS
// (time-taken in milliseconds) or, named cloudfront, Amazon CloudFront's
// standard logs (tab-separated, time-taken in seconds).
func w3cFormat(f w3cFields) *Format {
	name, desc := "w3c", "W3C extended log (IIS), read by its #Fields: line"
	if f.tookUnit == time.Second {
		name, desc = "cloudfront", "Amazon CloudFront standard log (W3C, tab-separated), read by its #Fields: line"
	}
	return &Format{
		Name:        name,
		Kind:        KindRequest,
		Description: desc,
		Skew:        5 * time.Second,
		parse:       func(l []byte, _ *parseContext) (Record, error) { return f.parse(l) },
		timeOf: func(l []byte, _ *parseContext) (time.Time, bool) {
			if len(l) == 0 || l[0] == '#' {
				return time.Time{}, false
			}
			return f.timeOf(w3cSplit(l))
		},
		header: func(l []byte) (*Format, bool) {
			g, ok := parseW3CFields(l)
			if !ok {
				return nil, false
			}
			return w3cFormat(g), true
		},
		detail: func() string { return "fields: " + f.names },
	}
}

func iisFormat() *Format {
	f, _ := w3cFieldsOf(strings.Fields(iisDefaultFields))
	g := w3cFormat(f)
	g.Samples = []Sample{{
		Line: `2026-11-25 01:00:00 10.0.0.4 POST /twilio/voice From=%2B15551230000 443 - 54.172.60.12 TwilioProxy/1.1 - 502 3 12030 15012`,
		Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/twilio/voice", Query: "From=%2B15551230000", Status: 502, Duration: 15012 * time.Millisecond, HasDuration: true,
			UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.12"), Dst: netip.MustParseAddr("10.0.0.4"), DstPort: 443},
	}}
	return g
}

func cloudfrontFormat() *Format {
	f, _ := w3cFieldsOf(strings.Fields("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version"))
	g := w3cFormat(f)
	g.Samples = []Sample{{
		Line: "2026-11-25\t01:00:00\tNRT57-P3\t520\t54.172.60.13\tPOST\td111111abcdef8.cloudfront.net\t/sms\t504\t-\tTwilioProxy/1.1\t-\t-\tError\tQx3Kp2Z8vWjR1tYbN0cLmA==\thooks.example.com\thttps\t812\t30.001\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tError\tHTTP/1.1",
		Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/sms", Status: 504, Duration: 30001 * time.Millisecond, HasDuration: true,
			UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.13")},
	}}
	return g
}
