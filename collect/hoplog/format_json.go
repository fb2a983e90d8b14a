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
// each value; an empty name means "try the usual candidates".
type jsonFields struct {
	Time, Path, Method, Status, Duration, UA, Src string
}

// jsonCandidates are the keys common JSON access logs use, by role.
var jsonCandidates = map[string][]string{
	"time":     {"time", "timestamp", "@timestamp", "ts", "time_local", "time_iso8601", "datetime", "date", "start_time", "msec"},
	"path":     {"path", "uri", "request_uri", "url", "request.uri", "request.path", "request.url", "http.url", "http.path", "req.url", "url.path", "url.original", "request"},
	"method":   {"method", "request_method", "request.method", "http.method", "http.request.method", "req.method"},
	"status":   {"status", "status_code", "statuscode", "response.status", "response.status_code", "http.status_code", "http.response.status_code", "res.statuscode", "res.status"},
	"duration": {"request_time", "duration", "latency", "response_time", "responsetime", "elapsed", "duration_ms", "latency_ms", "response_time_ms", "request_time_ms", "took", "event.duration"},
	"ua":       {"user_agent", "http_user_agent", "useragent", "ua", "agent", "request.headers.user-agent", "req.headers.user-agent", "user_agent.original", "http.user_agent"},
	"src":      {"remote_addr", "client_ip", "remote_ip", "clientip", "ip", "request.remote_ip", "request.client_ip", "source.ip", "client.ip"},
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

// parseJSONFields reads "time=ts,path=request.uri,…".
func parseJSONFields(s string) (jsonFields, error) {
	var f jsonFields
	if s == "" {
		return f, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		p := f.ptr(strings.TrimSpace(k))
		if !ok || p == nil || strings.TrimSpace(v) == "" {
			return f, fmt.Errorf("json field %q: want ROLE=KEY with ROLE one of %s", kv, strings.Join(jsonRoles, ", "))
		}
		*p = strings.ToLower(strings.TrimSpace(v))
	}
	return f, nil
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

// jsonDuration reads a duration value; the key's name says the unit of a
// bare number (…ms, …us, …ns, ECS event.duration in ns, responseTime in ms),
// seconds otherwise.
func jsonDuration(key string, v any) (time.Duration, bool) {
	s := jsonString(v)
	if s == "" {
		return 0, false
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 && strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
		return d, true
	}
	unit := time.Second
	switch {
	case key == "event.duration" || strings.HasSuffix(key, "_ns"):
		unit = time.Nanosecond
	case strings.HasSuffix(key, "_us"):
		unit = time.Microsecond
	case strings.HasSuffix(key, "ms") || key == "responsetime":
		unit = time.Millisecond
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
		r.Duration, r.HasDuration = jsonDuration(k, v)
	}
	if _, v, ok := jsonLookup(m, f.UA, "ua"); ok {
		r.UA = jsonString(v)
	}
	if _, v, ok := jsonLookup(m, f.Src, "src"); ok {
		if a, err := netip.ParseAddr(jsonString(v)); err == nil {
			r.Src = a
		}
	}
	if r.Path == "" && r.Status == 0 {
		return Record{}, errNoMatch
	}
	return r, nil
}

// detectJSONFields fixes, for each role, the first candidate key present in
// the sample lines.
func detectJSONFields(lines [][]byte) jsonFields {
	var f jsonFields
	for _, l := range lines {
		m, ok := flattenJSON(l)
		if !ok {
			continue
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
			parts = append(parts, role+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
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
