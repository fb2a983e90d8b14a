package hoplog

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// syslogHeaderTime reads the timestamp that starts a syslog line: ISO 8601
// (rsyslog high precision, journalctl -o short-iso, RFC 5424) or the
// classic "Jan _2 15:04:05" without year or zone, after a "<PRI>" and an
// RFC 5424 version when the line was received over the network as it was.
func syslogHeaderTime(line []byte, pc *parseContext) (t time.Time, rest []byte, ok bool) {
	line = skipPRI(line)
	first, rest1, ok := nextField(line)
	if !ok {
		return time.Time{}, nil, false
	}
	if len(first) >= 19 && first[0] >= '0' && first[0] <= '9' {
		if t, ok := parseTimeAny(string(first), pc); ok {
			return t, rest1, true
		}
		return time.Time{}, nil, false
	}
	if _, ok := month3(first); !ok {
		return time.Time{}, nil, false
	}
	day, rest2, ok := nextField(rest1)
	if !ok || len(day) > 2 {
		return time.Time{}, nil, false
	}
	clock, rest3, ok := nextField(rest2)
	if !ok || len(clock) < 8 || len(clock) > 15 {
		return time.Time{}, nil, false
	}
	s := string(first) + " " + string(day) + " " + string(clock)
	t, ok = parseSyslogTime(s, pc)
	return t, rest3, ok
}

// skipPRI passes over a syslog "<134>" priority and, RFC 5424, the "1 "
// version after it.
func skipPRI(line []byte) []byte {
	if len(line) < 3 || line[0] != '<' {
		return line
	}
	i := 1
	for i < len(line) && i < 5 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(line) || line[i] != '>' {
		return line
	}
	line = line[i+1:]
	if len(line) > 2 && line[0] == '1' && line[1] == ' ' {
		line = line[2:]
	}
	return line
}

// kv finds KEY=VALUE in a packet-filter log line; the key must start the
// line or follow a space.
func kv(line []byte, key string) ([]byte, bool) {
	k := []byte(key + "=")
	b := line
	for {
		i := bytes.Index(b, k)
		if i < 0 {
			return nil, false
		}
		if i == 0 || b[i-1] == ' ' {
			v := b[i+len(k):]
			if j := bytes.IndexByte(v, ' '); j >= 0 {
				v = v[:j]
			}
			return v, true
		}
		b = b[i+len(k):]
	}
}

// classifyAction normalises a log prefix such as "[UFW BLOCK]", "DROP:",
// "fw-accept" into ACCEPT, DROP or REJECT; empty when it says neither.
func classifyAction(prefix []byte) string {
	p := bytes.ToUpper(prefix)
	switch {
	case bytes.Contains(p, []byte("REJECT")):
		return ActionReject
	case bytes.Contains(p, []byte("DROP")), bytes.Contains(p, []byte("BLOCK")), bytes.Contains(p, []byte("DENY")), bytes.Contains(p, []byte("DENIED")):
		return ActionDrop
	case bytes.Contains(p, []byte("ACCEPT")), bytes.Contains(p, []byte("ALLOW")), bytes.Contains(p, []byte("PASS")):
		return ActionAccept
	}
	return ""
}

// isIptablesLine tells packet-filter LOG lines from the other lines of a
// kernel log or syslog file.
func isIptablesLine(line []byte) bool {
	return bytes.Contains(line, []byte(" SRC=")) && bytes.Contains(line, []byte("IN="))
}

// parseIptables reads iptables/nftables LOG lines as syslog or the journal
// writes them.
func parseIptables(line []byte, pc *parseContext) (Record, error) {
	in := iptablesIN(line)
	if in < 0 {
		return Record{}, errNoMatch
	}
	t, _, ok := syslogHeaderTime(line, pc)
	if !ok {
		return Record{}, errNoMatch
	}
	var r Record
	r.Time = t
	src, ok1 := kv(line, "SRC")
	dst, ok2 := kv(line, "DST")
	if !ok1 || !ok2 {
		return Record{}, errNoMatch
	}
	var err error
	if r.Src, err = netip.ParseAddr(string(src)); err != nil {
		return Record{}, errNoMatch
	}
	if r.Dst, err = netip.ParseAddr(string(dst)); err != nil {
		return Record{}, errNoMatch
	}
	if v, ok := kv(line, "SPT"); ok {
		r.SrcPort, _ = atoiBytes(v)
	}
	if v, ok := kv(line, "DPT"); ok {
		r.DstPort, _ = atoiBytes(v)
	}
	// The prefix is what the rule logged before IN=: after "kernel:" and
	// the uptime stamp when present.
	head := line[:in]
	if k := bytes.Index(head, []byte("kernel:")); k >= 0 {
		head = head[k+len("kernel:"):]
	}
	head = bytes.TrimSpace(head)
	if len(head) > 0 && head[0] == '[' {
		if j := bytes.IndexByte(head, ']'); j > 0 {
			if _, err := strconv.ParseFloat(string(bytes.TrimSpace(head[1:j])), 64); err == nil {
				head = bytes.TrimSpace(head[j+1:])
			}
		}
	}
	if a, ok := ruleTagAction(head); ok {
		r.Action = a
	} else {
		r.Action = classifyAction(head)
	}
	return r, nil
}

// iptablesIN finds the IN= that starts the packet's fields of a LOG line:
// the first one followed by OUT=, after a space or right after a log prefix
// written without a trailing space ("DROP:IN=", "[WAN_IN-20-D]IN=").
func iptablesIN(line []byte) int {
	for off := 0; ; {
		i := bytes.Index(line[off:], []byte("IN="))
		if i < 0 {
			return -1
		}
		i += off
		if bytes.Contains(line[i:min(len(line), i+64)], []byte(" OUT=")) {
			return i
		}
		off = i + 3
	}
}

// ruleTagAction reads the action of an EdgeOS/VyOS/UniFi rule tag, the
// bracketed log prefix those firewalls write: [WAN_IN-20-A],
// [WAN_LOCAL-default-D], [ipv4-INP-filter-default-D] (the last part) or,
// UniFi OS, [WAN_LOCAL-D-2000], [WAN_IN-RET-3006] (the second): A or RET
// accept, D drop, R reject.
func ruleTagAction(head []byte) (string, bool) {
	if len(head) < 5 || head[0] != '[' {
		return "", false
	}
	end := bytes.IndexByte(head, ']')
	if end < 0 {
		return "", false
	}
	parts := bytes.Split(head[1:end], []byte("-"))
	if len(parts) < 3 {
		return "", false
	}
	for _, p := range [][]byte{parts[1], parts[len(parts)-1]} {
		switch string(p) {
		case "A", "RET":
			return ActionAccept, true
		case "D":
			return ActionDrop, true
		case "R":
			return ActionReject, true
		}
	}
	return "", false
}

func iptablesFormat() *Format {
	return &Format{
		Name:        "iptables",
		Kind:        KindFirewall,
		isLine:      isIptablesLine,
		marker:      " SRC=",
		Description: "iptables/nftables LOG lines (IN= OUT= SRC= DST= PROTO= SPT= DPT=) in syslog or the journal",
		Conn:        true,
		Skew:        5 * time.Second,
		parse:       parseIptables,
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			t, _, ok := syslogHeaderTime(l, pc)
			return t, ok
		},
		Samples: []Sample{
			{
				Line: `Nov 25 01:00:00 fw kernel: [123456.789012] [UFW BLOCK] IN=eth0 OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=54.172.60.8 DST=203.0.113.10 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=54321 DF PROTO=TCP SPT=40000 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Src: netip.MustParseAddr("54.172.60.8"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40000, DstPort: 443, Action: ActionDrop},
			},
			{
				Line: `2026-11-25T10:00:01.500000+09:00 fw kernel: ACCEPT: IN=eth0 OUT=eth1 SRC=54.172.60.9 DST=10.0.0.5 LEN=60 PROTO=TCP SPT=40001 DPT=443 SYN`,
				Want: Record{Time: at("2026-11-25T01:00:01.5Z"), Src: netip.MustParseAddr("54.172.60.9"), Dst: netip.MustParseAddr("10.0.0.5"), SrcPort: 40001, DstPort: 443, Action: ActionAccept},
			},
			{
				Line: `Nov  5 01:00:00 fw kernel: nft-reject IN=eth0 OUT= SRC=2001:db8::1 DST=2001:db8::2 LEN=80 PROTO=TCP SPT=1 DPT=80`,
				Want: Record{Time: at("2026-11-05T01:00:00Z"), Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), SrcPort: 1, DstPort: 80, Action: ActionReject},
			},
			{
				// A log prefix without its trailing space.
				Line: `Nov 25 01:00:02 fw kernel: [99.1] BLOCKED:IN=eth0 OUT= SRC=54.172.60.8 DST=203.0.113.10 LEN=60 PROTO=TCP SPT=40003 DPT=443 SYN`,
				Want: Record{Time: at("2026-11-25T01:00:02Z"), Src: netip.MustParseAddr("54.172.60.8"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40003, DstPort: 443, Action: ActionDrop},
			},
			{
				// EdgeOS: the rule tag says drop (D), received over syslog.
				Line: `<4>Nov 25 01:00:03 ubnt kernel: [WAN_IN-default-D]IN=eth0 OUT=eth1 MAC=00:16:3e:00:00:01 SRC=54.172.60.8 DST=203.0.113.10 LEN=60 TOS=0x00 PROTO=TCP SPT=40004 DPT=443 SYN URGP=0`,
				Want: Record{Time: at("2026-11-25T01:00:03Z"), Src: netip.MustParseAddr("54.172.60.8"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40004, DstPort: 443, Action: ActionDrop},
			},
			{
				// UniFi OS: the second part says accept (RET).
				Line: `Nov 25 01:00:04 udm kernel: [WAN_IN-RET-3006] DESCR="Allow webhooks" IN=eth8 OUT=br0 SRC=54.172.60.8 DST=203.0.113.10 LEN=60 PROTO=TCP SPT=40005 DPT=443 SYN`,
				Want: Record{Time: at("2026-11-25T01:00:04Z"), Src: netip.MustParseAddr("54.172.60.8"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40005, DstPort: 443, Action: ActionAccept},
			},
		},
	}
}

// vpcDefaultFields are the fields of the default (version 2) VPC Flow Logs
// format, in their order.
const vpcDefaultFields = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"

// vpcKnownFields are the fields a custom VPC Flow Logs format may hold.
var vpcKnownFields = map[string]bool{
	"version": true, "account-id": true, "interface-id": true, "srcaddr": true, "dstaddr": true, "srcport": true, "dstport": true,
	"protocol": true, "packets": true, "bytes": true, "start": true, "end": true, "action": true, "log-status": true,
	"vpc-id": true, "subnet-id": true, "instance-id": true, "tcp-flags": true, "type": true, "pkt-srcaddr": true, "pkt-dstaddr": true,
	"region": true, "az-id": true, "sublocation-type": true, "sublocation-id": true, "pkt-src-aws-service": true,
	"pkt-dst-aws-service": true, "flow-direction": true, "traffic-path": true, "ecs-cluster-arn": true, "ecs-cluster-name": true,
	"ecs-container-instance-arn": true, "ecs-container-instance-id": true, "ecs-container-id": true, "ecs-second-container-id": true,
	"ecs-service-name": true, "ecs-task-definition-arn": true, "ecs-task-arn": true, "ecs-task-id": true, "reject-reason": true,
}

// vpcFields are the positions of the fields a flow record is read by.
type vpcFields struct {
	names                                         string
	n, src, dst, sport, dport, start, end, action int
}

// vpcFieldsOf reads a list of field names, as the header line of a flow
// log delivered to S3 gives them (or as ${name} in the format's
// definition); ok is false unless every name is a flow-log field and the
// ones a record is matched by are there.
func vpcFieldsOf(names []string) (vpcFields, bool) {
	f := vpcFields{names: strings.Join(names, " "), n: len(names), src: -1, dst: -1, sport: -1, dport: -1, start: -1, end: -1, action: -1}
	for i, n := range names {
		n = strings.TrimSuffix(strings.TrimPrefix(n, "${"), "}")
		if !vpcKnownFields[n] {
			return f, false
		}
		switch n {
		case "srcaddr":
			f.src = i
		case "dstaddr":
			f.dst = i
		case "srcport":
			f.sport = i
		case "dstport":
			f.dport = i
		case "start":
			f.start = i
		case "end":
			f.end = i
		case "action":
			f.action = i
		}
	}
	return f, f.dst >= 0 && f.dport >= 0 && f.start >= 0 && f.action >= 0
}

// parse reads one flow record.
func (f vpcFields) parse(line []byte) (Record, error) {
	vals := bytes.Fields(line)
	if len(vals) != f.n || !isDigits(vals[f.start]) {
		return Record{}, errNoMatch
	}
	start, err := strconv.ParseInt(string(vals[f.start]), 10, 64)
	if err != nil || start <= 0 || start > 1e11 {
		return Record{}, errNoMatch
	}
	var r Record
	r.Time = time.Unix(start, 0).UTC()
	if f.end >= 0 {
		end, err := strconv.ParseInt(string(vals[f.end]), 10, 64)
		if err != nil || end < start || end > 1e11 {
			return Record{}, errNoMatch
		}
		r.End = time.Unix(end, 0).UTC()
	}
	switch string(vals[f.action]) {
	case "ACCEPT":
		r.Action = ActionAccept
	case "REJECT":
		r.Action = ActionReject
	case "-":
	default:
		return Record{}, errNoMatch
	}
	if f.src >= 0 {
		r.Src, _ = netip.ParseAddr(string(vals[f.src]))
	}
	r.Dst, _ = netip.ParseAddr(string(vals[f.dst]))
	if f.sport >= 0 {
		r.SrcPort, _ = atoiBytes(vals[f.sport])
	}
	r.DstPort, _ = atoiBytes(vals[f.dport])
	return r, nil
}

// vpcFlowFormat reads AWS VPC Flow Logs, by default in the version 2
// format; a header line of field names (files delivered to S3 start with
// one) gives the order of a custom format.
func vpcFlowFormat() *Format {
	f, _ := vpcFieldsOf(strings.Fields(vpcDefaultFields))
	g := vpcFlowFormatOf(f, false)
	g.Samples = []Sample{
		{
			Line: `2 123456789010 eni-1235b8ca123456789 54.172.60.10 172.31.16.21 40002 443 6 20 4249 1795568400 1795568460 REJECT OK`,
			Want: Record{Time: at("2026-11-25T01:00:00Z"), End: at("2026-11-25T01:01:00Z"), Src: netip.MustParseAddr("54.172.60.10"), Dst: netip.MustParseAddr("172.31.16.21"), SrcPort: 40002, DstPort: 443, Action: ActionReject},
		},
		{
			Line: `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1795568400 1795568460 - NODATA`,
			Want: Record{Time: at("2026-11-25T01:00:00Z"), End: at("2026-11-25T01:01:00Z")},
		},
	}
	return g
}

func vpcFlowFormatOf(f vpcFields, custom bool) *Format {
	g := &Format{
		Name:        "vpcflow",
		Kind:        KindFlow,
		Description: "AWS VPC Flow Logs (ACCEPT/REJECT records), default format or any field order given by the file's header line",
		Conn:        true,
		// Records cover aggregation intervals of up to 10 minutes and are
		// delivered out of order.
		Skew:  15 * time.Minute,
		span:  true,
		parse: func(l []byte, _ *parseContext) (Record, error) { return f.parse(l) },
		timeOf: func(l []byte, _ *parseContext) (time.Time, bool) {
			r, err := f.parse(l)
			return r.Time, err == nil
		},
		header: func(l []byte) (*Format, bool) {
			if len(l) == 0 || l[0] >= '0' && l[0] <= '9' {
				return nil, false
			}
			h, ok := vpcFieldsOf(strings.Fields(string(l)))
			if !ok {
				return nil, false
			}
			return vpcFlowFormatOf(h, true), true
		},
	}
	if custom {
		g.detail = func() string { return "fields: " + f.names }
	}
	return g
}

// leadingTime reads the timestamp a line starts with: one field (ISO 8601,
// epoch, [CLF]), two fields ("2006-01-02 15:04:05,000", "[… …]") or a
// syslog header.
func leadingTime(line []byte, pc *parseContext) (time.Time, bool) {
	f1, rest, ok := nextField(line)
	if !ok || len(f1) == 0 {
		return time.Time{}, false
	}
	if c := f1[0]; c >= '0' && c <= '9' || c == '[' {
		if t, ok := parseTimeAny(string(f1), pc); ok {
			return t, true
		}
		if f2, _, ok := nextField(rest); ok {
			if t, ok := parseTimeAny(string(f1)+" "+string(f2), pc); ok {
				return t, true
			}
		}
		return time.Time{}, false
	}
	t, _, ok := syslogHeaderTime(line, pc)
	return t, ok
}

func textFormat() *Format {
	timeOf := func(l []byte, pc *parseContext) (time.Time, bool) { return leadingTime(l, pc) }
	return &Format{
		Name:        "text",
		Kind:        KindText,
		Description: "any log whose lines start with a timestamp (application logs): read for excerpts, never matched to requests",
		Conn:        true,
		Skew:        5 * time.Second,
		parse: func(l []byte, pc *parseContext) (Record, error) {
			t, ok := leadingTime(l, pc)
			if !ok {
				return Record{}, errNoMatch
			}
			return Record{Time: t}, nil
		},
		timeOf: timeOf,
		Samples: []Sample{
			{Line: "2026-11-25 10:00:00,250 INFO handled CallSid=CA00000000000000000000000000000001", Want: Record{Time: at("2026-11-25T10:00:00.25Z")}},
			{Line: "2026-11-25T01:00:00Z worker started", Want: Record{Time: at("2026-11-25T01:00:00Z")}},
			{Line: "[2026-11-25T01:00:00+00:00] production.ERROR: timeout", Want: Record{Time: at("2026-11-25T01:00:00Z")}},
			{Line: "Nov 25 01:00:00 host app[123]: boom", Want: Record{Time: at("2026-11-25T01:00:00Z")}},
		},
	}
}
