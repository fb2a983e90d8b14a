package hoplog

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"
)

// haproxyAccept finds the "CLIENT:PORT [25/Nov/2026:10:00:00.123]" of an
// HAProxy HTTP log line: the client and the accept date, which carries no
// offset. It returns the client field, the date and the rest of the line.
func haproxyAccept(line []byte, pc *parseContext) (client []byte, t time.Time, rest []byte, ok bool) {
	for off := 0; ; {
		i := bytes.IndexByte(line[off:], '[')
		if i < 0 {
			return nil, time.Time{}, nil, false
		}
		i += off
		off = i + 1
		if i < 2 || line[i-1] != ' ' || len(line) < i+26 || line[i+25] != ']' || line[i+12] != ':' || line[i+21] != '.' {
			continue
		}
		c := bytes.LastIndexByte(line[:i-1], ' ')
		client = line[c+1 : i-1]
		if _, err := netip.ParseAddrPort(string(client)); err != nil {
			continue
		}
		tt, err := time.ParseInLocation("02/Jan/2006:15:04:05.000", string(line[i+1:i+25]), pc.loc)
		if err != nil {
			continue
		}
		pc.usedLoc = true
		return client, tt.UTC(), line[i+26:], true
	}
}

// parseHAProxy reads HAProxy's HTTP log format (option httplog): client,
// accept date, frontend, backend/server, the timers TR/Tw/Tc/Tr/Ta in
// milliseconds (the last is the whole request's), status, bytes, cookies,
// termination state, connection counts, queues, captured headers and the
// quoted request. Its syslog header, when present, is passed over.
func parseHAProxy(line []byte, pc *parseContext) (Record, error) {
	client, t, rest, ok := haproxyAccept(line, pc)
	if !ok {
		return Record{}, errNoMatch
	}
	r := Record{Time: t}
	if ap, err := netip.ParseAddrPort(string(client)); err == nil {
		r.Src = ap.Addr()
	}
	var f [5][]byte // frontend, backend/server, timers, status, bytes
	for k := range f {
		if f[k], rest, ok = nextField(rest); !ok {
			return Record{}, errNoMatch
		}
	}
	timers := bytes.Split(f[2], []byte{'/'})
	if len(timers) < 4 || bytes.IndexByte(f[1], '/') < 0 {
		return Record{}, errNoMatch
	}
	total := bytes.TrimPrefix(timers[len(timers)-1], []byte{'+'})
	if n, err := strconv.Atoi(string(total)); err == nil && n >= 0 {
		r.Duration, r.HasDuration = time.Duration(n)*time.Millisecond, true
	}
	// -1: no response was sent (the client went away).
	if r.Status, ok = parseStatus(f[3]); !ok && string(f[3]) != "-1" {
		return Record{}, errNoMatch
	}
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return Record{}, errNoMatch
	}
	req := rest[q+1:]
	if e := bytes.IndexByte(req, '"'); e >= 0 {
		req = req[:e]
	}
	if m, target, ok := splitRequest(req); ok {
		r.Method = m
		r.Path, r.Query = splitTarget(target)
	}
	return r, nil
}

func haproxyFormat() *Format {
	return &Format{
		Name:        "haproxy",
		Kind:        KindRequest,
		Description: "HAProxy HTTP log (option httplog), in syslog or on its own; the accept date carries no offset",
		Skew:        5 * time.Second,
		parse:       parseHAProxy,
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			_, t, _, ok := haproxyAccept(l, pc)
			return t, ok
		},
		Samples: []Sample{
			{
				Line: `Nov 25 01:00:15 lb1 haproxy[2211]: 54.172.60.18:40011 [25/Nov/2026:01:00:00.120] fe_https~ be_twilio/app1 0/0/1/-1/15001 504 198 - - sH-- 12/12/3/1/0 0/0 "POST /twilio/voice?tenant=7 HTTP/1.1"`,
				Want: Record{Time: at("2026-11-25T01:00:00.12Z"), Method: "POST", Path: "/twilio/voice", Query: "tenant=7", Status: 504, Duration: 15001 * time.Millisecond, HasDuration: true, Src: netip.MustParseAddr("54.172.60.18")},
			},
			{
				// HAProxy 2 writing to stdout, captured headers, a client
				// that went away before the answer.
				Line: `54.172.60.19:40012 [25/Nov/2026:01:00:01.004] fe_http be_twilio/app2 0/0/0/-1/+15000 -1 0 - - CH-- 3/3/1/1/0 0/0 {hooks.example.com|TwilioProxy/1.1} {} "POST /sms HTTP/1.1"`,
				Want: Record{Time: at("2026-11-25T01:00:01.004Z"), Method: "POST", Path: "/sms", Duration: 15 * time.Second, HasDuration: true, Src: netip.MustParseAddr("54.172.60.19")},
			},
		},
	}
}

// envoyTime reads the "[2026-11-25T01:00:00.000Z]" an Envoy access log line
// starts with.
func envoyTime(line []byte) (time.Time, []byte, bool) {
	if len(line) < 22 || line[0] != '[' {
		return time.Time{}, nil, false
	}
	e := bytes.IndexByte(line, ']')
	if e < 0 {
		return time.Time{}, nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(line[1:e]))
	return t.UTC(), line[e+1:], err == nil
}

// parseEnvoy reads Envoy's default access log format, and Istio's, which
// adds fields after the response flags: start time, quoted request, status
// (0 when no response was sent), flags, then bytes received, bytes sent
// and the duration in milliseconds, then the quoted X-Forwarded-For and
// user agent.
func parseEnvoy(line []byte, _ *parseContext) (Record, error) {
	t, rest, ok := envoyTime(line)
	if !ok {
		return Record{}, errNoMatch
	}
	r := Record{Time: t}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '"' {
		return Record{}, errNoMatch
	}
	req, rest, ok := nextField(rest)
	if !ok {
		return Record{}, errNoMatch
	}
	if m, target, ok := splitRequest(req); ok {
		r.Method = m
		r.Path, r.Query = splitTarget(target)
	}
	st, rest, ok := nextField(rest)
	if !ok {
		return Record{}, errNoMatch
	}
	if r.Status, ok = parseStatus(st); !ok && string(st) != "0" {
		return Record{}, errNoMatch
	}
	var nums []int
	var quoted [][]byte
	for len(quoted) < 2 {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 {
			break
		}
		q := rest[0] == '"'
		var f []byte
		if f, rest, ok = nextField(rest); !ok {
			break
		}
		switch {
		case q && len(nums) >= 3:
			quoted = append(quoted, f)
		case !q && len(quoted) == 0:
			if n, err := strconv.Atoi(string(f)); err == nil && len(nums) < 4 {
				nums = append(nums, n)
			}
		}
	}
	if len(nums) < 3 {
		return Record{}, errNoMatch
	}
	r.Duration, r.HasDuration = time.Duration(nums[2])*time.Millisecond, true
	if len(quoted) > 0 {
		first, _, _ := bytes.Cut(quoted[0], []byte(","))
		r.Src, _ = netip.ParseAddr(string(bytes.TrimSpace(first)))
	}
	if len(quoted) > 1 && string(quoted[1]) != "-" {
		r.UA = string(quoted[1])
	}
	return r, nil
}

func envoyFormat() *Format {
	return &Format{
		Name:        "envoy",
		Kind:        KindRequest,
		Description: "Envoy and Istio default access log ([start] \"METHOD PATH PROTO\" status flags … bytes duration …)",
		Skew:        5 * time.Second,
		parse:       parseEnvoy,
		timeOf: func(l []byte, _ *parseContext) (time.Time, bool) {
			t, _, ok := envoyTime(l)
			return t, ok
		},
		Samples: []Sample{
			{
				Line: `[2026-11-25T01:00:00.250Z] "POST /twilio/voice HTTP/1.1" 503 UF 312 91 15003 - "54.172.60.20" "TwilioProxy/1.1" "4b8e2f0a-5d1c-4e7b-9a3f-2c6d8e1f0a7b" "hooks.example.com" "10.8.0.12:8080"`,
				Want: Record{Time: at("2026-11-25T01:00:00.25Z"), Method: "POST", Path: "/twilio/voice", Status: 503, Duration: 15003 * time.Millisecond, HasDuration: true, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.20")},
			},
			{
				// Istio: response code details and termination before the bytes.
				Line: `[2026-11-25T01:00:01.000Z] "POST /sms HTTP/1.1" 200 - via_upstream - "-" 312 120 240 238 "54.172.60.21,10.0.0.9" "TwilioProxy/1.1" "9c1d2e3f-0000-4a5b-8c7d-112233445566" "hooks.example.com:443" "10.44.1.27:8080" outbound|8080||web.default.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8080 10.44.1.23:46520 - default`,
				Want: Record{Time: at("2026-11-25T01:00:01Z"), Method: "POST", Path: "/sms", Status: 200, Duration: 240 * time.Millisecond, HasDuration: true, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.21")},
			},
		},
	}
}
