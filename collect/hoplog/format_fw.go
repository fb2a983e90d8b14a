package hoplog

import (
	"bytes"
	"net/netip"
	"strings"
	"time"
)

// syslogTimeOf reads the time of a line that starts with a syslog header.
func syslogTimeOf(l []byte, pc *parseContext) (time.Time, bool) {
	t, _, ok := syslogHeaderTime(l, pc)
	return t, ok
}

// parseFilterlog reads the filter log of pfSense and OPNsense: a syslog
// line from filterlog whose message is comma-separated, rule, sub-rule,
// anchor, tracker, interface, reason, action, direction, IP version, then
// the IPv4 or IPv6 header fields, the addresses and, for TCP and UDP, the
// ports.
func parseFilterlog(line []byte, pc *parseContext) (Record, error) {
	i := bytes.Index(line, []byte("filterlog"))
	if i < 0 {
		return Record{}, errNoMatch
	}
	t, _, ok := syslogHeaderTime(line, pc)
	if !ok {
		return Record{}, errNoMatch
	}
	// The CSV is the message's last field: it holds no spaces.
	msg := bytes.TrimSpace(line[i:])
	if k := bytes.LastIndexAny(msg, " \t"); k >= 0 {
		msg = msg[k+1:]
	}
	f := bytes.Split(msg, []byte{','})
	if len(f) < 9 {
		return Record{}, errNoMatch
	}
	r := Record{Time: t}
	switch string(f[6]) {
	case "block":
		r.Action = ActionDrop
	case "reject":
		r.Action = ActionReject
	case "pass":
		r.Action = ActionAccept
	default:
		return Record{}, errNoMatch
	}
	// Where the addresses are: after 8 IPv4 or 6 IPv6 header fields.
	var proto []byte
	at := 0
	switch string(f[8]) {
	case "4":
		if len(f) < 20 {
			return Record{}, errNoMatch
		}
		proto, at = f[16], 18
	case "6":
		if len(f) < 17 {
			return Record{}, errNoMatch
		}
		proto, at = f[12], 15
	default:
		return Record{}, errNoMatch
	}
	var err error
	if r.Src, err = netip.ParseAddr(string(f[at])); err != nil {
		return Record{}, errNoMatch
	}
	if r.Dst, err = netip.ParseAddr(string(f[at+1])); err != nil {
		return Record{}, errNoMatch
	}
	if p := strings.ToLower(string(proto)); (p == "tcp" || p == "udp") && len(f) > at+3 {
		r.SrcPort, _ = atoiBytes(f[at+2])
		r.DstPort, _ = atoiBytes(f[at+3])
	}
	return r, nil
}

func filterlogFormat() *Format {
	return &Format{
		Name:        "filterlog",
		Kind:        KindFirewall,
		Description: "pfSense and OPNsense filter log (filterlog: rule,…,interface,reason,action,direction,… CSV)",
		Conn:        true,
		Skew:        5 * time.Second,
		parse:       parseFilterlog,
		timeOf:      syslogTimeOf,
		isLine:      func(l []byte) bool { return bytes.Contains(l, []byte("filterlog")) },
		marker:      "filterlog",
		Samples: []Sample{
			{
				Line: `Nov 25 01:00:00 pfSense filterlog[31523]: 5,,,1000000103,igb0,match,block,in,4,0x0,,49,41733,0,DF,6,tcp,60,54.172.60.14,203.0.113.10,40006,443,0,S,3390741137,,64240,,mss;sackOK;TS;nop;wscale`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Src: netip.MustParseAddr("54.172.60.14"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40006, DstPort: 443, Action: ActionDrop},
			},
			{
				// OPNsense, RFC 5424 over the network.
				Line: `<134>1 2026-11-25T10:00:01+09:00 opnsense.example.net filterlog 61221 - [meta sequenceId="12"] 77,,,02f4bab031b57d1e30553ce08e0ec131,vtnet0,match,pass,in,4,0x0,,50,7113,0,DF,6,tcp,60,54.172.60.15,203.0.113.10,40007,443,0,S,1288211123,,62727,,mss;sackOK;TS;nop;wscale`,
				Want: Record{Time: at("2026-11-25T01:00:01Z"), Src: netip.MustParseAddr("54.172.60.15"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40007, DstPort: 443, Action: ActionAccept},
			},
			{
				Line: `Nov 25 01:00:02 fw filterlog: 9,,,1000000105,igb0,match,block,in,6,0x00,0x00000,57,tcp,6,40,2001:db8::5,2001:db8::10,40008,443,0,S,1,,65535,,`,
				Want: Record{Time: at("2026-11-25T01:00:02Z"), Src: netip.MustParseAddr("2001:db8::5"), Dst: netip.MustParseAddr("2001:db8::10"), SrcPort: 40008, DstPort: 443, Action: ActionDrop},
			},
		},
	}
}

// mikrotikTime reads the time MikroTik RouterOS starts a line with: a
// syslog header, or its own "nov/25/2026 10:00:00" and "nov/25 10:00:00".
func mikrotikTime(line []byte, pc *parseContext) (time.Time, []byte, bool) {
	if t, rest, ok := syslogHeaderTime(line, pc); ok {
		return t, rest, true
	}
	date, rest, ok := nextField(line)
	if !ok || len(date) < 6 || date[3] != '/' {
		return time.Time{}, nil, false
	}
	clock, rest, ok := nextField(rest)
	if !ok || len(clock) != 8 {
		return time.Time{}, nil, false
	}
	mon := strings.ToUpper(string(date[:1])) + string(date[1:3])
	d := strings.Split(string(date[4:]), "/")
	switch len(d) {
	case 1:
		t, ok := parseSyslogTime(mon+" "+d[0]+" "+string(clock), pc)
		return t, rest, ok
	case 2:
		t, err := time.ParseInLocation("Jan 2 2006 15:04:05", mon+" "+d[0]+" "+d[1]+" "+string(clock), pc.loc)
		pc.usedLoc = true
		return t.UTC(), rest, err == nil
	}
	return time.Time{}, nil, false
}

// parseMikrotik reads a MikroTik RouterOS firewall log line: the topics
// (firewall,info), the rule's log prefix, the chain, then "in:… out:…,
// …, proto TCP (SYN), SRC:PORT->DST:PORT, …". Sent to a syslog server
// in BSD form the topics are left out: the syslog header's host comes
// before the prefix. The action is in the log prefix when the rule's
// author put it there (DROP, REJECT, ACCEPT).
func parseMikrotik(line []byte, pc *parseContext) (Record, error) {
	t, rest, ok := mikrotikTime(line, pc)
	if !ok {
		return Record{}, errNoMatch
	}
	in := bytes.Index(rest, []byte(" in:"))
	proto := bytes.Index(rest, []byte("proto "))
	if in < 0 || proto < in || !bytes.Contains(rest[in:proto], []byte(" out:")) {
		return Record{}, errNoMatch
	}
	// The words before the chain ("input:", "forward:", "srcnat:"): the
	// topics or the syslog host, then the prefix.
	words := bytes.Fields(rest[:in])
	if len(words) == 0 || !bytes.HasSuffix(words[len(words)-1], []byte(":")) {
		return Record{}, errNoMatch
	}
	if topics := bytes.Index(rest[:in], []byte("firewall,")); topics >= 0 {
		words = bytes.Fields(rest[topics:in])
	}
	r := Record{Time: t}
	if len(words) > 2 {
		r.Action = classifyAction(bytes.Join(words[1:len(words)-1], []byte(" ")))
	}
	// The first "SRC:PORT->DST:PORT" after proto; a NAT part after it,
	// "NAT SRC->(ORIG->DST)", gives the destination before translation,
	// the address Twilio connected to.
	found := false
	for _, f := range bytes.Split(rest[proto:], []byte(", ")) {
		if found {
			if nat, ok := bytes.CutPrefix(f, []byte("NAT ")); ok {
				if _, orig, ok := bytes.Cut(nat, []byte("->(")); ok {
					if o, _, ok := bytes.Cut(orig, []byte("->")); ok {
						if ap, err := netip.ParseAddrPort(string(o)); err == nil {
							r.Dst, r.DstPort = ap.Addr(), int(ap.Port())
						}
					}
				}
			}
			continue
		}
		src, dst, ok := bytes.Cut(bytes.TrimSpace(f), []byte("->"))
		if !ok {
			continue
		}
		s, err1 := netip.ParseAddrPort(string(bytes.Trim(src, "()")))
		d, err2 := netip.ParseAddrPort(string(bytes.Trim(dst, "()")))
		if err1 != nil || err2 != nil {
			sa, err3 := netip.ParseAddr(string(src))
			da, err4 := netip.ParseAddr(string(dst))
			if err3 != nil || err4 != nil {
				continue
			}
			r.Src, r.Dst = sa, da
		} else {
			r.Src, r.SrcPort, r.Dst, r.DstPort = s.Addr(), int(s.Port()), d.Addr(), int(d.Port())
		}
		found = true
	}
	if !found {
		return Record{}, errNoMatch
	}
	return r, nil
}

func mikrotikFormat() *Format {
	return &Format{
		Name:        "mikrotik",
		Kind:        KindFirewall,
		Description: "MikroTik RouterOS firewall log ([firewall,info] PREFIX chain: in:… out:…, proto TCP (SYN), SRC:PORT->DST:PORT)",
		Conn:        true,
		Skew:        5 * time.Second,
		parse:       parseMikrotik,
		timeOf: func(l []byte, pc *parseContext) (time.Time, bool) {
			t, _, ok := mikrotikTime(l, pc)
			return t, ok
		},
		isLine: func(l []byte) bool { return bytes.Contains(l, []byte(" out:")) && bytes.Contains(l, []byte("->")) },
		marker: " out:",
		Samples: []Sample{
			{
				Line: `Nov 25 01:00:00 gw.example.net firewall,info DROP-WEBHOOK input: in:ether1 out:(unknown 0), src-mac 4c:5e:0c:11:22:33, proto TCP (SYN), 54.172.60.16:40009->203.0.113.10:443, len 60`,
				Want: Record{Time: at("2026-11-25T01:00:00Z"), Src: netip.MustParseAddr("54.172.60.16"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40009, DstPort: 443, Action: ActionDrop},
			},
			{
				// RouterOS's own log file, a forwarded connection after NAT.
				Line: `nov/25/2026 01:00:01 firewall,info accept-in forward: in:ether1 out:bridge1, connection-state:new proto TCP (SYN), 54.172.60.17:40010->10.0.0.5:443, NAT 54.172.60.17:40010->(203.0.113.10:443->10.0.0.5:443), len 60`,
				Want: Record{Time: at("2026-11-25T01:00:01Z"), Src: netip.MustParseAddr("54.172.60.17"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40010, DstPort: 443, Action: ActionAccept},
			},
			{
				// Sent with bsd-syslog=yes: no topics, the host before the prefix.
				Line: `Nov 25 01:00:02 edge-rtr reject-wan input: in:pppoe-out1 out:(unknown 0), connection-state:new proto TCP (SYN), 54.172.60.18:40011->203.0.113.10:443, len 60`,
				Want: Record{Time: at("2026-11-25T01:00:02Z"), Src: netip.MustParseAddr("54.172.60.18"), Dst: netip.MustParseAddr("203.0.113.10"), SrcPort: 40011, DstPort: 443, Action: ActionReject},
			},
		},
	}
}
