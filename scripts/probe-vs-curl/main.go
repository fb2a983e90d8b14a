// Command probe-vs-curl is the Go half of scripts/probe-vs-curl.sh.
//
//	probe-vs-curl serve DELAY      serve a webhook on 127.0.0.1 that waits DELAY
//	                               before answering; prints its URL
//	probe-vs-curl probe URL COUNT  probe URL COUNT times with collect/probe and
//	                               print the median phases in seconds, like curl -w
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "probe-vs-curl:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "serve":
		delay, err := time.ParseDuration(args[1])
		if err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		return serve(delay)
	case len(args) == 3 && args[0] == "probe":
		count, err := strconv.Atoi(args[2])
		if err != nil {
			return fmt.Errorf("count: %w", err)
		}
		return measure(args[1], count)
	default:
		return fmt.Errorf("usage: probe-vs-curl serve DELAY | probe URL COUNT")
	}
}

func serve(delay time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Printf("http://%s/voice\n", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte("<Response><Say>slow</Say></Response>"))
	})}
	if err := srv.Serve(ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func measure(rawURL string, count int) error {
	t, err := probe.ParseTarget(rawURL)
	if err != nil {
		return err
	}
	p, err := probe.New(probe.Options{Count: count, Interval: 100 * time.Millisecond, AllowPrivate: true, PerAddress: probe.PerAddressOff})
	if err != nil {
		return err
	}
	r := p.Run(context.Background(), []probe.Target{t})
	s := r.Targets[0].Overall
	if s.Failures > 0 {
		return fmt.Errorf("%d of %d probes failed: %s", s.Failures, s.Attempts, r.Targets[0].Explanation)
	}
	ph := s.Phases
	// Same fields as curl -w: namelookup connect appconnect starttransfer total,
	// cumulative from the start, in seconds.
	dns := ph.DNS.P50
	connect := dns + ph.Connect.P50
	fmt.Printf("%.6f %.6f %.6f %.6f %.6f\n", dns/1000, connect/1000, 0.0, ph.TTFB.P50/1000, ph.Total.P50/1000)
	return nil
}
