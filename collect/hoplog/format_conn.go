package hoplog

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"
)

// syslogHeaderTime reads the timestamp that starts a syslog line: ISO 8601
// (rsyslog high precision, journalctl -o short-iso) or the classic
// "Jan _2 15:04:05" without year or zone.
func syslogHeaderTime(line []byte, pc *parseContext) (t time.Time, rest []byte, ok bool) {
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
	return bytes.Contains(line, []byte("IN=")) && bytes.Contains(line, []byte(" SRC="))
}

// parseIptables reads iptables/nftables LOG lines as syslog or the journal
// writes them.
func parseIptables(line []byte, pc *parseContext) (Record, error) {
	in := bytes.Index(line, []byte(" IN="))
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
				head = head[j+1:]
			}
		}
	}
	r.Action = classifyAction(head)
	return r, nil
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
		},
	}
}

// parseVPCFlow reads AWS VPC Flow Logs in the default (version 2) format:
// version account-id interface-id srcaddr dstaddr srcport dstport protocol
// packets bytes start end action log-status.
func parseVPCFlow(line []byte, _ *parseContext) (Record, error) {
	var f [14][]byte
	rest := line
	for i := range f {
		var ok bool
		if f[i], rest, ok = nextField(rest); !ok {
			return Record{}, errNoMatch
		}
	}
	if len(bytes.TrimSpace(rest)) != 0 || !isDigits(f[0]) || !isDigits(f[10]) || !isDigits(f[11]) {
		return Record{}, errNoMatch
	}
	start, err1 := strconv.ParseInt(string(f[10]), 10, 64)
	end, err2 := strconv.ParseInt(string(f[11]), 10, 64)
	if err1 != nil || err2 != nil || start <= 0 || end < start || start > 1e11 || end > 1e11 {
		return Record{}, errNoMatch
	}
	var r Record
	r.Time = time.Unix(start, 0).UTC()
	r.End = time.Unix(end, 0).UTC()
	switch string(f[12]) {
	case "ACCEPT":
		r.Action = ActionAccept
	case "REJECT":
		r.Action = ActionReject
	case "-":
	default:
		return Record{}, errNoMatch
	}
	r.Src, _ = netip.ParseAddr(string(f[3]))
	r.Dst, _ = netip.ParseAddr(string(f[4]))
	r.SrcPort, _ = atoiBytes(f[5])
	r.DstPort, _ = atoiBytes(f[6])
	return r, nil
}

func vpcFlowFormat() *Format {
	return &Format{
		Name:        "vpcflow",
		Kind:        KindFlow,
		Description: "AWS VPC Flow Logs, default format (ACCEPT/REJECT records)",
		Conn:        true,
		// Records cover aggregation intervals of up to 10 minutes and are
		// delivered out of order.
		Skew:  15 * time.Minute,
		span:  true,
		parse: parseVPCFlow,
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			r, err := parseVPCFlow(l, pc)
			return r.Time, err == nil
		},
		Samples: []Sample{
			{
				Line: `2 123456789010 eni-1235b8ca123456789 54.172.60.10 172.31.16.21 40002 443 6 20 4249 1795568400 1795568460 REJECT OK`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), End: at("2026-11-25T01:01:00Z"), Src: netip.MustParseAddr("54.172.60.10"), Dst: netip.MustParseAddr("172.31.16.21"), SrcPort: 40002, DstPort: 443, Action: ActionReject},
			},
			{
				Line: `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1795568400 1795568460 - NODATA`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), End: at("2026-11-25T01:01:00Z")},
			},
		},
	}
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
