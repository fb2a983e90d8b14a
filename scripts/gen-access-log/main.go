// Command gen-access-log writes a large nginx combined-format access log of
// ordinary traffic with a few hundred Twilio webhook requests among it, and
// the incidents that point at some of them, for the hop log benchmark.
//
//	go run ./scripts/gen-access-log -out /tmp/access.log -size 1073741824
//
// With -kind syslog it writes a syslog file instead: other programs' lines
// (sshd, CRON, systemd, the kernel) with a firewall's UFW lines among them,
// Twilio's connections to the webhook's address and port dropped for the
// incidents, accepted otherwise.
//
// The incidents go to OUT.incidents.json, one JSON object a line.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"time"
)

type incident struct {
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query,omitempty"`
	SID    string    `json:"sid"`
	// DestAddr and DestPort are the webhook's, for a firewall log.
	DestAddr string `json:"dest_addr,omitempty"`
	DestPort int    `json:"dest_port,omitempty"`
}

// webhookAddr is the address the firewall log's Twilio connections go to.
const webhookAddr = "203.0.113.10"

// syslogOther are other programs' lines of a syslog file.
var syslogOther = []string{
	"sshd[%[1]d]: Connection closed by %[2]s port %[3]d [preauth]",
	"sshd[%[1]d]: Accepted publickey for deploy from %[2]s port %[3]d ssh2: ED25519 SHA256:q0kM3Zr9vWbL2xYt",
	"CRON[%[1]d]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
	"systemd[1]: Started session-%[1]d.scope - Session %[1]d of User deploy.",
}

var (
	paths = []string{"/", "/index.html", "/static/app.js", "/static/style.css", "/api/v1/items", "/api/v1/orders?page=2",
		"/images/logo.png", "/login", "/favicon.ico", "/api/v1/users/42", "/search?q=shoes&sort=price", "/health"}
	agents = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
		"curl/8.4.0", "kube-probe/1.28", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	}
	statuses = []int{200, 200, 200, 200, 200, 304, 301, 404, 500}
)

func main() {
	out := flag.String("out", "/tmp/hoplog-bench-access.log", "file to write")
	size := flag.Int64("size", 1<<30, "approximate size in bytes")
	twilio := flag.Int("twilio", 300, "TwilioProxy requests among the traffic")
	incidents := flag.Int("incidents", 100, "incidents, each pointing at one failed TwilioProxy request")
	days := flag.Int("days", 7, "days the log spans")
	seed := flag.Int64("seed", 1, "random seed")
	kind := flag.String("kind", "access", "access (nginx combined) or syslog (a firewall's lines among other programs' lines)")
	flag.Parse()
	if *kind != "access" && *kind != "syslog" {
		fmt.Fprintln(os.Stderr, "gen-access-log: -kind must be access or syslog")
		os.Exit(2)
	}
	if err := run(*out, *kind == "syslog", *size, *twilio, *incidents, *days, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen-access-log:", err)
		os.Exit(1)
	}
}

func run(out string, syslog bool, size int64, nTwilio, nIncidents, days int, seed int64) error {
	if nIncidents > nTwilio {
		return fmt.Errorf("-incidents %d exceeds -twilio %d", nIncidents, nTwilio)
	}
	rng := rand.New(rand.NewSource(seed))
	const avgLine = 230
	lines := size / avgLine
	if lines < int64(nTwilio)*10 {
		return fmt.Errorf("-size %d too small for %d TwilioProxy lines", size, nTwilio)
	}
	start := time.Date(2026, 11, 18, 0, 0, 0, 0, time.FixedZone("", 9*3600))
	step := time.Duration(days) * 24 * time.Hour / time.Duration(lines)
	// Pick distinct line numbers for the Twilio requests.
	at := map[int64]int{}
	for len(at) < nTwilio {
		at[rng.Int63n(lines)] = 0
	}
	var order []int64
	for n := range at {
		order = append(order, n)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for i, n := range order {
		at[n] = i
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var incs []incident
	var written int64
	for n := int64(0); written < size; n++ {
		t := start.Add(time.Duration(n) * step)
		var line string
		if k, ok := at[n]; ok && syslog {
			action := "ALLOW"
			if nIncidents > 0 && k%(nTwilio/nIncidents) == 0 && len(incs) < nIncidents {
				action = "BLOCK"
				incs = append(incs, incident{ID: fmt.Sprintf("NO%032x", k), Time: t.Add(15 * time.Second).UTC(), Method: "POST",
					Path: "/twilio/voice", SID: fmt.Sprintf("CA%016x%016x", rng.Uint64(), rng.Uint64()), DestAddr: webhookAddr, DestPort: 443})
			}
			line = ufwLine(t, action, fmt.Sprintf("54.172.60.%d", rng.Intn(250)+1), 443, rng)
		} else if syslog {
			if rng.Intn(20) == 0 {
				// The firewall's own traffic: scans of other ports.
				line = ufwLine(t, "BLOCK", fmt.Sprintf("%d.%d.%d.%d", rng.Intn(223)+1, rng.Intn(256), rng.Intn(256), rng.Intn(256)), []int{22, 23, 3389, 8080}[rng.Intn(4)], rng)
			} else {
				line = t.Format(time.Stamp) + " gw " + fmt.Sprintf(syslogOther[rng.Intn(len(syslogOther))], rng.Intn(90000)+1000,
					fmt.Sprintf("198.51.100.%d", rng.Intn(250)+1), rng.Intn(60000)+1024) + "\n"
			}
		} else if k, ok := at[n]; ok {
			sid := fmt.Sprintf("CA%016x%016x", rng.Uint64(), rng.Uint64())
			path, query := "/twilio/voice", ""
			if k%3 == 0 {
				path = "/twilio/sms"
			}
			if k%5 == 0 {
				query = "CallSid=" + sid
			}
			status, dur := 200, 0.08
			if nIncidents > 0 && k%(nTwilio/nIncidents) == 0 && len(incs) < nIncidents {
				status, dur = 502, 15.0
			}
			target := path
			if query != "" {
				target += "?" + query
			}
			line = fmt.Sprintf(`54.172.60.%d - - [%s] "POST %s HTTP/1.1" %d 152 "-" "TwilioProxy/1.1" %.3f %.3f`+"\n",
				rng.Intn(250)+1, t.Format("02/Jan/2006:15:04:05 -0700"), target, status, dur, dur)
			if status == 502 {
				incs = append(incs, incident{ID: fmt.Sprintf("NO%032x", k), Time: t.Add(15 * time.Second).UTC(),
					Method: "POST", Path: path, Query: query, SID: sid})
			}
		} else {
			line = fmt.Sprintf(`%d.%d.%d.%d - - [%s] "GET %s HTTP/1.1" %d %d "https://www.example.com/" "%s" %.3f %.3f`+"\n",
				rng.Intn(223)+1, rng.Intn(256), rng.Intn(256), rng.Intn(256), t.Format("02/Jan/2006:15:04:05 -0700"),
				paths[rng.Intn(len(paths))], statuses[rng.Intn(len(statuses))], rng.Intn(50000), agents[rng.Intn(len(agents))],
				rng.Float64()/10, rng.Float64()/10)
		}
		k, err := w.WriteString(line)
		if err != nil {
			f.Close()
			return err
		}
		written += int64(k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	inc, err := os.Create(out + ".incidents.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(inc)
	for _, in := range incs {
		if err := enc.Encode(in); err != nil {
			inc.Close()
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes, %d Twilio lines) and %d incidents\n", out, written, nTwilio, len(incs))
	return inc.Close()
}

// ufwLine is a UFW LOG line of kern.log and syslog, its time without a year
// or an offset as the traditional syslog format writes it.
func ufwLine(t time.Time, action, src string, dport int, rng *rand.Rand) string {
	return fmt.Sprintf("%s gw kernel: [%d.%06d] [UFW %s] IN=eth0 OUT= MAC=00:16:3e:4a:1b:2c:00:16:3e:9d:8e:7f:08:00 SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=49 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0\n",
		t.Format(time.Stamp), rng.Intn(900000), rng.Intn(1000000), action, src, webhookAddr, rng.Intn(65536), rng.Intn(30000)+30000, dport)
}
