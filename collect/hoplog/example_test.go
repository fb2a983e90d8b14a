package hoplog_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
)

// Example traces one failed webhook through a load balancer and a web
// server: the load balancer logged it, the web server did not.
func Example() {
	dir, _ := os.MkdirTemp("", "hoplog")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "lb.log"), []byte(
		`https 2026-11-25T01:00:00.000000Z app/lb/1 54.172.60.1:2817 - -1 -1 -1 502 - 34 0 "POST https://hooks.example.com:443/voice HTTP/1.1" "TwilioProxy/1.1" - - - "-" "-" "-" 0 2026-11-25T01:00:00.000000Z "forward" "-" "-" "-" "-" "-" "-"`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(
		`10.0.0.2 - - [25/Nov/2026:10:00:01 +0900] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.28" 0.001`+"\n"), 0o644)

	incidents := []hoplog.Incident{{
		ID: "NO0123456789abcdef0123456789abcdef", Time: time.Date(2026, 11, 25, 1, 0, 15, 0, time.UTC),
		Method: "POST", Path: "/voice", DestAddrs: []netip.Addr{netip.MustParseAddr("203.0.113.10")}, DestPort: 443,
	}}
	var hops []*hoplog.HopResult
	for _, arg := range []string{"lb=" + filepath.Join(dir, "lb.log"), "web=" + filepath.Join(dir, "access.log*")} {
		spec, err := hoplog.ParseSpec(arg)
		if err != nil {
			fmt.Println(err)
			return
		}
		h, err := hoplog.ScanHop(context.Background(), spec, incidents, hoplog.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s\n", h.Name, h.Detection)
		hops = append(hops, h)
	}
	fmt.Println(hoplog.Trace(incidents, hops).Summary)
	// Output:
	// lb: alb (detected: 1 of 1 lines)
	// web: combined (detected: 1 of 1 lines)
	// 1 of 1 incidents reached lb, 0 reached web → lost between lb and web
}
