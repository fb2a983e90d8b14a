package hoplog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// jsonFields names the (flattened, lower-case, dot-joined) keys that hold
// each value; an empty name means "try the usual candidates". DurationUnit
// is the unit of a bare number in the duration field; zero means the key's
// name says it (…_ms, …_s), seconds otherwise. Shape names the known log
// whose field names were recognised (envoy, traefik, caddy, gitlab).
type jsonFields struct {
	Time, Path, Method, Status, Duration, UA, Src string
	DurationUnit                                  time.Duration
	Shape                                         string
}

// jsonCandidates are the keys common JSON access logs use, by role.
var jsonCandidates = map[string][]string{
	"time":     {"time", "timestamp", "@timestamp", "ts", "time_local", "time_iso8601", "datetime", "date", "start_time", "startutc", "msec"},
	"path":     {"path", "uri", "request_uri", "url", "request.uri", "request.path", "request.url", "http.url", "http.path", "req.url", "url.path", "url.original", "requestpath", "request"},
	"method":   {"method", "request_method", "request.method", "http.method", "http.request.method", "req.method", "requestmethod"},
	"status":   {"status", "status_code", "statuscode", "response_code", "response.status", "response.status_code", "http.status_code", "http.response.status_code", "res.statuscode", "res.status", "downstreamstatus"},
	"duration": {"request_time", "duration", "duration_s", "latency", "response_time", "responsetime", "elapsed", "duration_ms", "latency_ms", "response_time_ms", "request_time_ms", "took", "event.duration"},
	"ua":       {"user_agent", "http_user_agent", "useragent", "ua", "agent", "user-agent", "request.headers.user-agent", "req.headers.user-agent", "user_agent.original", "http.user_agent", "request_user-agent"},
	"src":      {"remote_addr", "client_ip", "remote_ip", "clientip", "ip", "request.remote_ip", "request.client_ip", "source.ip", "client.ip", "clienthost", "downstream_remote_address"},
}

// jsonShape is a known JSON access log, recognised by field names only it
// has together; it fixes the fields and the unit of its duration.
type jsonShape struct {
	name string
	// has are keys that must all be present (any one of each group).
	has [][]string
	// fields are the keys of the shape, by role; unit the unit of its
	// duration.
	fields jsonFields
}

// jsonShapes are the JSON access logs read by their field names, most
// specific first.
var jsonShapes = []jsonShape{
	// Traefik: Duration in nanoseconds, StartUTC the request's start,
	// DownstreamStatus what the client got.
	{name: "traefik", has: [][]string{{"downstreamstatus", "originstatus"}, {"requestpath"}, {"duration"}},
		fields: jsonFields{Time: "startutc", Path: "requestpath", Method: "requestmethod", Status: "downstreamstatus", Duration: "duration",
			DurationUnit: time.Nanosecond, UA: "request_user-agent", Src: "clienthost"}},
	// Envoy and Istio: duration and response_code, in milliseconds.
	{name: "envoy", has: [][]string{{"response_code"}, {"duration"}, {"response_flags", "upstream_host", "upstream_cluster", "bytes_sent"}},
		fields: jsonFields{Time: "start_time", Path: "path", Method: "method", Status: "response_code", Duration: "duration",
			DurationUnit: time.Millisecond, UA: "user_agent", Src: "downstream_remote_address"}},
	// Caddy: duration in seconds, the request nested.
	{name: "caddy", has: [][]string{{"request.uri"}, {"duration"}, {"resp_headers.server", "resp_headers.content-type", "bytes_read", "logger"}},
		fields: jsonFields{Time: "ts", Path: "request.uri", Method: "request.method", Status: "status", Duration: "duration",
			DurationUnit: time.Second, UA: "request.headers.user-agent", Src: "request.remote_ip"}},
	// GitLab's production_json.log and api_json.log: duration_s in seconds.
	{name: "gitlab", has: [][]string{{"duration_s"}, {"path"}, {"correlation_id", "controller", "route"}},
		fields: jsonFields{Time: "time", Path: "path", Method: "method", Status: "status", Duration: "duration_s",
			DurationUnit: time.Second, UA: "ua", Src: "remote_ip"}},
}

// shapeOf finds the known shape whose keys a flattened line has.
func shapeOf(m map[string]any) (jsonShape, bool) {
	for _, sh := range jsonShapes {
		ok := true
		for _, group := range sh.has {
			found := false
			for _, k := range group {
				_, has := m[k]
				found = found || has
			}
			ok = ok && found
		}
		if ok {
			return sh, true
		}
	}
	return jsonShape{}, false
}

var jsonRoles = []string{"time", "path", "method", "status", "duration", "ua", "src"}

func (f *jsonFields) ptr(role string) *string {
	switch role {
	case "time":
		return &f.Time
	case "path":
		return &f.Path
	case "method":
		return &f.Method
	case "status":
		return &f.Status
	case "duration":
		return &f.Duration
	case "ua":
		return &f.UA
	case "src":
		return &f.Src
	}
	return nil
}

// parseJSONFields reads "time=ts,path=request.uri,duration=Duration:ns,…":
// the duration's key may carry its unit (ns, us, µs, ms, s).
func parseJSONFields(s string) (jsonFields, error) {
	var f jsonFields
	if s == "" {
		return f, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		role := strings.TrimSpace(k)
		p := f.ptr(role)
		if !ok || p == nil || strings.TrimSpace(v) == "" {
			return f, fmt.Errorf("json field %q: want ROLE=KEY with ROLE one of %s", kv, strings.Join(jsonRoles, ", "))
		}
		key := strings.TrimSpace(v)
		if name, unit, hasUnit := strings.Cut(key, ":"); hasUnit {
			u, ok := durationUnits[strings.ToLower(unit)]
			if role != "duration" || !ok {
				return f, fmt.Errorf("json field %q: only duration takes a unit, one of ns, us, ms, s", kv)
			}
			key, f.DurationUnit = name, u
		}
		*p = strings.ToLower(key)
	}
	return f, nil
}

// durationUnits are the units a duration may be written in.
var durationUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "s": time.Second,
}

// unitName names a duration unit as the json: mapping writes it.
func unitName(u time.Duration) string {
	switch u {
	case time.Nanosecond:
		return "ns"
	case time.Microsecond:
		return "us"
	case time.Millisecond:
		return "ms"
	case time.Second:
		return "s"
	}
	return u.String()
}

// flattenJSON decodes one JSON object line into lower-case dotted keys.
func flattenJSON(line []byte) (map[string]any, bool) {
	line = bytes.TrimSpace(line)
	if len(line) < 2 || line[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	out := make(map[string]any, 16)
	var walk func(prefix string, m map[string]any, depth int)
	walk = func(prefix string, m map[string]any, depth int) {
		for k, val := range m {
			key := strings.ToLower(prefix + k)
			if sub, ok := val.(map[string]any); ok && depth < 4 {
				walk(key+".", sub, depth+1)
				continue
			}
			if arr, ok := val.([]any); ok && len(arr) > 0 {
				val = arr[0]
			}
			out[key] = val
		}
	}
	walk("", v, 0)
	return out, true
}

func jsonLookup(m map[string]any, given, role string) (string, any, bool) {
	if given != "" {
		v, ok := m[given]
		return given, v, ok && v != nil
	}
	for _, k := range jsonCandidates[role] {
		if v, ok := m[k]; ok && v != nil {
			return k, v, true
		}
	}
	return "", nil, false
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// jsonDuration reads a duration value: a string with its unit ("12ms"), or
// a bare number in unit, or when unit is zero in the unit the key's name
// says (…ms, …us, …ns, …_s, ECS event.duration in ns, responseTime in ms),
// seconds otherwise.
func jsonDuration(key string, v any, unit time.Duration) (time.Duration, bool) {
	s := jsonString(v)
	if s == "" {
		return 0, false
	}
	if d, ok := parseUnitDuration(s); ok {
		return d, true
	}
	switch {
	case unit > 0:
	case key == "event.duration" || strings.HasSuffix(key, "_ns"):
		unit = time.Nanosecond
	case strings.HasSuffix(key, "_us"):
		unit = time.Microsecond
	case strings.HasSuffix(key, "ms") || key == "responsetime":
		unit = time.Millisecond
	default:
		unit = time.Second
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || math.IsNaN(x) || x*float64(unit) > float64(1<<62) {
		return 0, false
	}
	return time.Duration(math.Round(x * float64(unit))), true
}

func parseJSONLine(line []byte, pc *parseContext, f jsonFields) (Record, error) {
	m, ok := flattenJSON(line)
	if !ok {
		return Record{}, errNoMatch
	}
	var r Record
	_, tv, ok := jsonLookup(m, f.Time, "time")
	if !ok {
		return Record{}, errNoMatch
	}
	if r.Time, ok = parseTimeAny(jsonString(tv), pc); !ok {
		return Record{}, errNoMatch
	}
	if k, v, ok := jsonLookup(m, f.Path, "path"); ok {
		s := jsonString(v)
		if k == "request" {
			if meth, target, ok := splitRequest([]byte(s)); ok {
				r.Method = meth
				s = target
			}
		}
		r.Path, r.Query = splitTarget(s)
	}
	if _, v, ok := jsonLookup(m, f.Method, "method"); ok && r.Method == "" {
		r.Method = strings.ToUpper(jsonString(v))
	}
	if _, v, ok := jsonLookup(m, f.Status, "status"); ok {
		r.Status, _ = parseStatus([]byte(jsonString(v)))
	}
	if k, v, ok := jsonLookup(m, f.Duration, "duration"); ok {
		r.Duration, r.HasDuration = jsonDuration(k, v, f.DurationUnit)
	}
	if _, v, ok := jsonLookup(m, f.UA, "ua"); ok {
		r.UA = jsonString(v)
	}
	if _, v, ok := jsonLookup(m, f.Src, "src"); ok {
		s := jsonString(v)
		if a, err := netip.ParseAddr(s); err == nil {
			r.Src = a
		} else if ap, err := netip.ParseAddrPort(s); err == nil {
			r.Src = ap.Addr()
		}
	}
	if r.Path == "" && r.Status == 0 {
		return Record{}, errNoMatch
	}
	return r, nil
}

// detectJSONFields fixes, for each role, the first candidate key present in
// the sample lines; lines of a known shape (Envoy, Traefik, Caddy, GitLab)
// take that shape's fields and duration unit.
func detectJSONFields(lines [][]byte) jsonFields {
	var f jsonFields
	for i, l := range lines {
		m, ok := flattenJSON(l)
		if !ok {
			continue
		}
		if i < 50 {
			if sh, ok := shapeOf(m); ok {
				f = sh.fields
				f.Shape = sh.name
				return f
			}
		}
		for _, role := range jsonRoles {
			p := f.ptr(role)
			if *p != "" {
				continue
			}
			if k, _, ok := jsonLookup(m, "", role); ok {
				*p = k
			}
		}
	}
	return f
}

func (f jsonFields) String() string {
	var parts []string
	for _, role := range jsonRoles {
		if v := *f.ptr(role); v != "" {
			if role == "duration" && f.DurationUnit > 0 {
				v += ":" + unitName(f.DurationUnit)
			}
			parts = append(parts, role+"="+v)
		}
	}
	sort.Strings(parts)
	s := strings.Join(parts, ",")
	if f.Shape != "" {
		s = f.Shape + ": " + s
	}
	return s
}

func jsonFormat(fields jsonFields) *Format {
	return &Format{
		Name:        "json",
		Kind:        KindRequest,
		Description: "JSON lines; time, path, method, status, duration, user agent fields detected or given as json:time=KEY,path=KEY,…",
		Skew:        5 * time.Second,
		parse:       func(l []byte, pc *parseContext) (Record, error) { return parseJSONLine(l, pc, fields) },
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			m, ok := flattenJSON(l)
			if !ok {
				return time.Time{}, false
			}
			_, v, ok := jsonLookup(m, fields.Time, "time")
			if !ok {
				return time.Time{}, false
			}
			return parseTimeAny(jsonString(v), pc)
		},
		detail: fields.String,
		Samples: []Sample{
			{
				Line: `{"time":"2026-11-25T10:00:00+09:00","remote_addr":"54.172.60.6","request":"POST /voice?x=1 HTTP/1.1","status":502,"request_time":"15.000","http_user_agent":"TwilioProxy/1.1"}`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/voice", Query: "x=1", Status: 502, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.6"), Duration: 15 * time.Second, HasDuration: true},
			},
			{
				Line: `{"level":"info","ts":1795568400.5,"msg":"handled request","request":{"remote_ip":"54.172.60.7","method":"POST","uri":"/sms","headers":{"User-Agent":["TwilioProxy/1.1"]}},"duration":0.25,"status":200}`,
				Want: Record{Time: at("2026-11-25T01:00:00.5Z"), Method: "POST", Path: "/sms", Status: 200, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.7"), Duration: 250 * time.Millisecond, HasDuration: true},
			},
			{
				Line: `{"@timestamp":"2026-11-25T01:00:00.000Z","url":{"path":"/voice"},"http":{"request":{"method":"POST"},"response":{"status_code":200}},"event":{"duration":1500000000}}`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/voice", Status: 200, Duration: 1500 * time.Millisecond, HasDuration: true},
			},
		},
	}
}
