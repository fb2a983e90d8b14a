package hoplog

import (
	"bytes"
	"net/netip"
	"sort"
	"strconv"
	"time"
)

// clfTime finds the bracketed CLF timestamp of an access-log line.
func clfTime(line []byte) (t time.Time, after []byte, ok bool) {
	b := line
	for {
		i := bytes.IndexByte(b, '[')
		if i < 0 || len(b)-i < 28 {
			return time.Time{}, nil, false
		}
		if b[i+27] == ']' {
			if t, ok := parseCLFTime(b[i+1 : i+27]); ok {
				return t, b[i+28:], true
			}
		}
		b = b[i+1:]
	}
}

// parseCLF reads nginx/apache access lines: common, and with combined the
// quoted referer and user agent, then any extra trailing fields. The first
// bare trailing field with its unit (Traefik's "12ms") or with a decimal
// point (nginx's $request_time, in seconds) is the response time; without
// one, with intUnit set, the last field when it is an integer in that unit
// (Apache's %D, microseconds, also as %T/%D).
func parseCLF(line []byte, combined bool, intUnit time.Duration) (Record, error) {
	t, rest, ok := clfTime(line)
	if !ok {
		return Record{}, errNoMatch
	}
	var r Record
	r.Time = t
	if host, _, ok := nextField(line); ok {
		if a, err := netip.ParseAddr(string(host)); err == nil {
			r.Src = a
		}
	}
	req, rest, ok := nextField(rest)
	if !ok || len(rest) == 0 || rest[0] != ' ' {
		return Record{}, errNoMatch
	}
	// A request of "-" or junk (a TLS hello on the HTTP port) leaves the
	// record without method and path.
	if m, target, ok := splitRequest(req); ok {
		r.Method = m
		r.Path, r.Query = splitTarget(target)
	}
	st, rest, ok := nextField(rest)
	if !ok {
		return Record{}, errNoMatch
	}
	// Traefik writes "-" when the client went away before an answer.
	if r.Status, ok = parseStatus(st); !ok && !bytes.Equal(st, []byte("-")) {
		return Record{}, errNoMatch
	}
	size, rest, ok := nextField(rest)
	if !ok || !(bytes.Equal(size, []byte("-")) || isDigits(size)) {
		return Record{}, errNoMatch
	}
	if !combined {
		return r, nil
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '"' {
		return Record{}, errNoMatch
	}
	_, rest, ok = nextField(rest) // referer
	if !ok {
		return Record{}, errNoMatch
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || rest[0] != '"' {
		return Record{}, errNoMatch
	}
	ua, rest, ok := nextField(rest)
	if !ok {
		return Record{}, errNoMatch
	}
	r.UA = string(ua)
	var last []byte
	for {
		rest = bytes.TrimLeft(rest, " \t")
		if len(rest) == 0 {
			break
		}
		quoted := rest[0] == '"'
		var f []byte
		if f, rest, ok = nextField(rest); !ok {
			break
		}
		last = nil
		if quoted || r.HasDuration {
			continue
		}
		last = f
		if d, ok := parseUnitDuration(string(f)); ok {
			r.Duration, r.HasDuration = d, true
		} else if bytes.IndexByte(f, '.') >= 0 {
			if d, ok := parseSeconds(f); ok {
				r.Duration, r.HasDuration = d, true
			}
		}
	}
	if !r.HasDuration && intUnit > 0 {
		if n, ok := trailingInt(last); ok {
			r.Duration, r.HasDuration = time.Duration(n)*intUnit, true
		}
	}
	return r, nil
}

// trailingInt reads the last field of an access line as an integer: "1234"
// or, for Apache's "%T/%D", the part after the slash.
func trailingInt(f []byte) (int64, bool) {
	if i := bytes.IndexByte(f, '/'); i >= 0 && isDigits(f[:i]) {
		f = f[i+1:]
	}
	if !isDigits(f) || len(f) > 15 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(f), 10, 64)
	return n, err == nil
}

// clfIntUnit decides from sample lines of a combined log whether its last
// field is Apache's %D: an integer on most lines that carry no other response
// time, of a typical size of at least 100 (microseconds), that is not the
// response size again and not a counter that only grows. It returns
// time.Microsecond then, zero otherwise.
func clfIntUnit(lines [][]byte) time.Duration {
	var vals []int64
	lines2, sameAsSize := 0, 0
	for _, l := range lines {
		r, err := parseCLF(l, true, 0)
		if err != nil || r.HasDuration {
			continue
		}
		lines2++
		fs := bytes.Fields(l)
		n, ok := trailingInt(fs[len(fs)-1])
		if !ok {
			continue
		}
		vals = append(vals, n)
		if _, rest, ok := clfTime(l); ok {
			if _, rest, ok := nextField(rest); ok {
				if _, rest, ok := nextField(rest); ok {
					if size, _, ok := nextField(rest); ok && string(size) == strconv.FormatInt(n, 10) {
						sameAsSize++
					}
				}
			}
		}
	}
	if lines2 == 0 || len(vals)*5 < lines2*4 || sameAsSize*2 >= len(vals) {
		return 0
	}
	growing := len(vals) > 2
	for i := 1; i < len(vals) && growing; i++ {
		growing = vals[i] > vals[i-1]
	}
	sorted := append([]int64(nil), vals...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	if growing || sorted[len(sorted)/2] < 100 {
		return 0
	}
	return time.Microsecond
}

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func clfTimeOf(line []byte, _ *parseContext) (time.Time, bool) {
	t, _, ok := clfTime(line)
	return t, ok
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func combinedFormat() *Format { return combinedFormatUnit(0) }

// combinedFormatUnit is the combined format whose last field, an integer,
// is the response time in intUnit (Apache %D: microseconds).
func combinedFormatUnit(intUnit time.Duration) *Format {
	f := &Format{
		Name:        "combined",
		Kind:        KindRequest,
		Description: "nginx/apache combined access log, with optional trailing fields ($request_time, $upstream_response_time, Apache %D, Traefik's 12ms, quoted host)",
		Skew:        5 * time.Second,
		parse:       func(l []byte, _ *parseContext) (Record, error) { return parseCLF(l, true, intUnit) },
		timeOf:      clfTimeOf,
		Samples: []Sample{
			{
				Line: `203.0.113.7 - - [25/Nov/2026:10:00:00 +0900] "POST /voice?x=1 HTTP/1.1" 200 312 "-" "TwilioProxy/1.1"`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/voice", Query: "x=1", Status: 200, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("203.0.113.7")},
			},
			{
				Line: `54.172.60.1 - - [25/Nov/2026:01:00:02 +0000] "POST /sms HTTP/1.1" 502 166 "-" "TwilioProxy/1.1" 15.002 15.001`,
				Want: Record{Time: at("2026-11-25T01:00:02Z"), Method: "POST", Path: "/sms", Status: 502, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.1"), Duration: 15002 * time.Millisecond, HasDuration: true},
			},
			{
				Line: `10.0.0.1 - alice [25/Nov/2026:01:00:03 -0500] "GET /a%20b HTTP/2.0" 404 0 "https://example.com/" "Mozilla/5.0 \"quoted\"" "example.com" "198.51.100.9" 0.004 -`,
				Want: Record{Time: at("2026-11-25T06:00:03Z"), Method: "GET", Path: "/a%20b", Status: 404, UA: `Mozilla/5.0 \"quoted\"`, Src: netip.MustParseAddr("10.0.0.1"), Duration: 4 * time.Millisecond, HasDuration: true},
			},
			{
				// Traefik: the client hung up before an answer ("- -"), after 15 s.
				Line: `54.172.60.2 - - [25/Nov/2026:01:00:04 +0000] "POST /voice HTTP/1.1" - - "-" "TwilioProxy/1.1" 88 "voice@docker" "http://172.18.0.4:8080" 15001ms`,
				Want: Record{Time: at("2026-11-25T01:00:04Z"), Method: "POST", Path: "/voice", UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.2"), Duration: 15001 * time.Millisecond, HasDuration: true},
			},
		},
	}
	if intUnit > 0 {
		f.detail = func() string { return "response time: last field in " + unitName(intUnit) + " (Apache %D)" }
	}
	return f
}

func commonFormat() *Format {
	return &Format{
		Name:        "common",
		Kind:        KindRequest,
		Description: "nginx/apache common log format (no referer, no user agent)",
		Skew:        5 * time.Second,
		parse:       func(l []byte, _ *parseContext) (Record, error) { return parseCLF(l, false, 0) },
		timeOf:      clfTimeOf,
		Samples: []Sample{
			{
				Line: `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
				Want: Record{Time: at("2000-10-10T20:55:36Z"), Method: "GET", Path: "/apache_pb.gif", Status: 200, Src: netip.MustParseAddr("127.0.0.1")},
			},
			{
				Line: `::1 - - [25/Nov/2026:01:00:00 +0000] "-" 400 0`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Status: 400, Src: netip.MustParseAddr("::1")},
			},
		},
	}
}

// ltsv labels, by what they hold.
var (
	ltsvTime     = []string{"time", "timestamp", "time_iso8601", "time_local"}
	ltsvDuration = []string{"reqtime", "request_time", "apptime", "upstream_response_time", "taken_sec"}
	ltsvUA       = []string{"ua", "useragent", "user_agent", "http_user_agent"}
	ltsvHost     = []string{"host", "remote_addr", "client"}
)

// ltsvLabels splits an LTSV line into its labels; ok is false unless most
// fields look like label:value.
func ltsvLabels(line []byte) (map[string][]byte, bool) {
	line = bytes.TrimRight(line, "\r")
	m := make(map[string][]byte, 16)
	fields := 0
	for len(line) > 0 {
		var f []byte
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			f, line = line[:i], line[i+1:]
		} else {
			f, line = line, nil
		}
		fields++
		k, v, ok := bytes.Cut(f, []byte{':'})
		if !ok || len(k) == 0 || bytes.IndexByte(k, ' ') >= 0 {
			continue
		}
		m[string(k)] = v
	}
	return m, len(m) >= 2 && len(m)*2 > fields
}

func ltsvFirst(m map[string][]byte, keys []string) ([]byte, bool) {
	for _, k := range keys {
		if v, ok := m[k]; ok && len(v) > 0 && !bytes.Equal(v, []byte("-")) {
			return v, true
		}
	}
	return nil, false
}

func ltsvTimeOf(line []byte, pc *parseContext) (time.Time, bool) {
	// Fast path: time: label, as nginx ltsv configs write it.
	i := bytes.Index(line, []byte("time:"))
	if i >= 0 && (i == 0 || line[i-1] == '\t') {
		v := line[i+5:]
		if j := bytes.IndexByte(v, '\t'); j >= 0 {
			v = v[:j]
		}
		if len(v) == 28 && v[0] == '[' && v[27] == ']' {
			return parseCLFTime(v[1:27])
		}
		return parseTimeAny(string(v), pc)
	}
	m, ok := ltsvLabels(line)
	if !ok {
		return time.Time{}, false
	}
	v, ok := ltsvFirst(m, ltsvTime)
	if !ok {
		return time.Time{}, false
	}
	return parseTimeAny(string(v), pc)
}

func parseLTSV(line []byte, pc *parseContext) (Record, error) {
	m, ok := ltsvLabels(line)
	if !ok {
		return Record{}, errNoMatch
	}
	var r Record
	v, ok := ltsvFirst(m, ltsvTime)
	if !ok {
		return Record{}, errNoMatch
	}
	if r.Time, ok = parseTimeAny(string(v), pc); !ok {
		return Record{}, errNoMatch
	}
	if req, ok := m["req"]; ok {
		if meth, target, ok := splitRequest(req); ok {
			r.Method = meth
			r.Path, r.Query = splitTarget(target)
		}
	}
	if u, ok := ltsvFirst(m, []string{"uri", "request_uri", "path"}); ok && r.Path == "" {
		r.Path, r.Query = splitTarget(string(u))
	}
	if q, ok := m["query"]; ok && r.Query == "" {
		r.Query = string(bytes.TrimPrefix(q, []byte("?")))
	}
	if meth, ok := ltsvFirst(m, []string{"method", "request_method"}); ok && r.Method == "" {
		r.Method = string(meth)
	}
	if st, ok := m["status"]; ok {
		r.Status, _ = parseStatus(st)
	}
	if d, ok := ltsvFirst(m, ltsvDuration); ok {
		r.Duration, r.HasDuration = parseSeconds(d)
	}
	if ua, ok := ltsvFirst(m, ltsvUA); ok {
		r.UA = string(ua)
	}
	if h, ok := ltsvFirst(m, ltsvHost); ok {
		if a, err := netip.ParseAddr(string(h)); err == nil {
			r.Src = a
		}
	}
	if r.Path == "" && r.Status == 0 {
		return Record{}, errNoMatch
	}
	return r, nil
}

func ltsvFormat() *Format {
	return &Format{
		Name:        "ltsv",
		Kind:        KindRequest,
		Description: "Labeled Tab-separated Values (time, req/uri, method, status, reqtime, ua …)",
		Skew:        5 * time.Second,
		parse:       parseLTSV,
		timeOf:      ltsvTimeOf,
		Samples: []Sample{
			{
				Line: "time:[25/Nov/2026:10:00:00 +0900]\thost:54.172.60.2\tforwardedfor:-\treq:POST /voice?a=b HTTP/1.1\tstatus:504\tsize:0\treferer:-\tua:TwilioProxy/1.1\treqtime:15.001\tapptime:-\tvhost:example.jp",
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "POST", Path: "/voice", Query: "a=b", Status: 504, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.2"), Duration: 15001 * time.Millisecond, HasDuration: true},
			},
			{
				Line: "time:2026-11-25T01:00:00+00:00\tmethod:GET\turi:/health\tstatus:200\treqtime:0.002\tua:curl/8.0",
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Method: "GET", Path: "/health", Status: 200, UA: "curl/8.0", Duration: 2 * time.Millisecond, HasDuration: true},
			},
		},
	}
}

// parseALB reads AWS Application Load Balancer access logs (alb) and Classic
// Load Balancer logs (elb). The status is the load balancer's, the target
// status its target's ("-" when none answered); the duration the sum of its
// request, target and response processing times.
func parseALB(line []byte, classic bool) (Record, error) {
	var f [14][]byte
	rest := line
	n := 13
	if classic {
		n = 12
	}
	for i := 0; i <= n; i++ {
		var ok bool
		if f[i], rest, ok = nextField(rest); !ok {
			return Record{}, errNoMatch
		}
	}
	off := 1
	if classic {
		off = 0
	} else if !albType(f[0]) {
		return Record{}, errNoMatch
	}
	var r Record
	t, err := time.Parse(time.RFC3339Nano, string(f[off]))
	if err != nil {
		return Record{}, errNoMatch
	}
	r.Time = t.UTC()
	if ap, err := netip.ParseAddrPort(string(f[off+2])); err == nil {
		r.Src = ap.Addr()
	} else {
		return Record{}, errNoMatch
	}
	if ap, err := netip.ParseAddrPort(string(f[off+3])); err == nil {
		r.Dst, r.DstPort = ap.Addr(), int(ap.Port())
	}
	for _, tf := range f[off+4 : off+7] {
		if d, ok := parseSeconds(tf); ok {
			r.Duration += d
			r.HasDuration = true
		}
	}
	var ok bool
	if r.Status, ok = parseStatus(f[off+7]); !ok && !bytes.Equal(f[off+7], []byte("-")) {
		return Record{}, errNoMatch
	}
	r.TargetStatus = string(f[off+8])
	if m, target, ok := splitRequest(f[off+11]); ok {
		r.Method = m
		r.Path, r.Query = splitTarget(target)
	}
	r.UA = string(f[off+12])
	if r.UA == "-" {
		r.UA = ""
	}
	return r, nil
}

func albType(b []byte) bool {
	switch string(b) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

func albTimeOf(line []byte, _ *parseContext) (time.Time, bool) {
	_, rest, ok := nextField(line)
	if !ok {
		return time.Time{}, false
	}
	f, _, ok := nextField(rest)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(f))
	return t.UTC(), err == nil
}

func elbTimeOf(line []byte, _ *parseContext) (time.Time, bool) {
	f, _, ok := nextField(line)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(f))
	return t.UTC(), err == nil
}

func albFormat() *Format {
	return &Format{
		Name:        "alb",
		Kind:        KindRequest,
		Description: "AWS Application Load Balancer access log",
		Skew:        2 * time.Minute,
		parse:       func(l []byte, _ *parseContext) (Record, error) { return parseALB(l, false) },
		timeOf:      albTimeOf,
		Samples: []Sample{
			{
				Line: `https 2026-11-25T01:00:00.186641Z app/my-lb/50dc6c495c0c9188 54.172.60.3:2817 10.0.0.1:443 0.000 0.001 0.000 200 200 34 366 "POST https://hooks.example.com:443/voice?x=1 HTTP/1.1" "TwilioProxy/1.1" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "hooks.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2026-11-25T01:00:00.185000Z "forward" "-" "-" "10.0.0.1:443" "200" "-" "-"`,
				Want: Record{Time: at("2026-11-25T01:00:00.186641Z"), Method: "POST", Path: "/voice", Query: "x=1", Status: 200, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.3"), Dst: netip.MustParseAddr("10.0.0.1"), DstPort: 443, Duration: time.Millisecond, HasDuration: true, TargetStatus: "200"},
			},
			{
				Line: `http 2026-11-25T01:00:15.000000Z app/my-lb/50dc6c495c0c9188 54.172.60.4:2817 - -1 -1 -1 503 - 34 366 "POST http://hooks.example.com:80/sms HTTP/1.1" "TwilioProxy/1.1" - - - "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2026-11-25T01:00:15.000000Z "forward" "-" "-" "-" "-" "-" "-"`,
				Want: Record{Time: at("2026-11-25T01:00:15Z"), Method: "POST", Path: "/sms", Status: 503, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.4"), TargetStatus: "-"},
			},
		},
	}
}

func elbFormat() *Format {
	return &Format{
		Name:        "elb",
		Kind:        KindRequest,
		Description: "AWS Classic Load Balancer access log",
		Skew:        2 * time.Minute,
		parse:       func(l []byte, _ *parseContext) (Record, error) { return parseALB(l, true) },
		timeOf:      elbTimeOf,
		Samples: []Sample{
			{
				Line: `2026-11-25T01:00:00.945958Z my-loadbalancer 54.172.60.5:2817 10.0.0.1:80 0.000073 0.001048 0.000057 502 502 0 29 "POST http://www.example.com:80/voice HTTP/1.1" "TwilioProxy/1.1" - -`,
				Want: Record{Time: at("2026-11-25T01:00:00.945958Z"), Method: "POST", Path: "/voice", Status: 502, UA: "TwilioProxy/1.1", Src: netip.MustParseAddr("54.172.60.5"), Dst: netip.MustParseAddr("10.0.0.1"), DstPort: 80, Duration: 1178 * time.Microsecond, HasDuration: true, TargetStatus: "502"},
			},
		},
	}
}

// atoiBytes reads a decimal port or count; ok is false for anything else.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}
