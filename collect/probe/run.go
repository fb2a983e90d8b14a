package probe

import (
	"context"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Report is the outcome of a probe run.
type Report struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Style    string    `json:"style"`
	Count    int       `json:"count"`
	// IntervalMs is the pause between samples in milliseconds.
	IntervalMs float64 `json:"interval_ms"`
	// Interrupted is true when the context ended before every sample ran;
	// what was measured until then is kept.
	Interrupted bool `json:"interrupted,omitempty"`
	// Capped is true when MaxAttempts stopped the run.
	Capped   bool            `json:"capped,omitempty"`
	Attempts []Attempt       `json:"attempts"`
	Targets  []TargetSummary `json:"targets"`
}

// Run samples every target Count times, Interval apart: each sample is one
// attempt through DNS, then (per PerAddress) one on each resolved address,
// then one on each matching Resolve override. Targets run concurrently
// within the Concurrency and per-host caps. When ctx ends, Run stops
// starting attempts and returns what it measured, with Interrupted set.
func (p *Prober) Run(ctx context.Context, targets []Target) Report {
	r := Report{Started: p.now().UTC(), Style: p.opts.Style, Count: p.opts.Count, IntervalMs: float64(p.opts.Interval.Microseconds()) / 1000}
	var (
		budget      atomic.Int64
		interrupted atomic.Bool
		capped      atomic.Bool
		wg          sync.WaitGroup
		sem         = make(chan struct{}, p.opts.Concurrency)
		results     = make([][]Attempt, len(targets))
	)
	budget.Store(MaxAttempts)
	take := func() bool {
		if budget.Add(-1) < 0 {
			capped.Store(true)
			return false
		}
		return true
	}
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				interrupted.Store(true)
				return
			}
			var out []Attempt
			keep := func(a Attempt) bool {
				if a.ErrorClass == ClassCanceled || ctx.Err() != nil {
					interrupted.Store(true)
					return false
				}
				out = append(out, a)
				if p.opts.OnAttempt != nil {
					p.opts.OnAttempt(i, a)
				}
				return true
			}
			defer func() { results[i] = out }()
			for s := 0; s < p.opts.Count; s++ {
				if s > 0 && p.opts.Sleep(ctx, p.opts.Interval) != nil {
					interrupted.Store(true)
					return
				}
				if !take() {
					return
				}
				a := p.Probe(ctx, t, Via{Mode: ModeDNS, Sample: s})
				if !keep(a) {
					return
				}
				if p.perAddress(a) {
					for _, addr := range a.Resolved[:min(len(a.Resolved), MaxAddresses)] {
						if !take() || !keep(p.Probe(ctx, t, Via{Mode: ModeAddress, Addr: addr, Sample: s})) {
							return
						}
					}
				}
				for _, ro := range p.overridesFor(t) {
					if !take() || !keep(p.Probe(ctx, t, Via{Mode: ModeDirect, Addr: ro.Addr, Sample: s})) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, res := range results {
		r.Attempts = append(r.Attempts, res...)
	}
	r.Interrupted = interrupted.Load()
	r.Capped = capped.Load()
	r.Finished = p.now().UTC()
	r.Targets = Summarize(r.Attempts, SummaryOptions{AllowPrivate: p.opts.AllowPrivate})
	return r
}

func (p *Prober) perAddress(a Attempt) bool {
	if len(a.Resolved) == 0 {
		return false
	}
	if ip := net.ParseIP(strings.Trim(hostOf(a.Target), "[]")); ip != nil {
		return false
	}
	switch p.opts.PerAddress {
	case PerAddressOn:
		return true
	case PerAddressOff:
		return false
	default:
		return len(a.Resolved) > 1
	}
}

func (p *Prober) overridesFor(t Target) []ResolveOverride {
	host := strings.ToLower(t.URL.Hostname())
	_, port, _ := net.SplitHostPort(t.HostPort())
	var out []ResolveOverride
	for _, r := range p.opts.Resolve {
		if r.Host == host && r.Port == port {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

func hostOf(rawURL string) string {
	t, err := ParseTarget(rawURL)
	if err != nil {
		return ""
	}
	return t.URL.Hostname()
}
