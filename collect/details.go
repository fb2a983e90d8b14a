package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"
)

// DefaultMaxDetails is how many alerts' details are fetched by default.
const DefaultMaxDetails = 200

// detailPicker chooses, as the list of a window arrives newest first, the
// incidents whose details are fetched, at most max: spread over the URLs
// (host and path; the URL with the fewest picks goes first) and, within a
// URL, evenly over time. While the list is still coming, the budget is the
// share of max that the part of the window listed so far is of the whole,
// taken from the newest page; once the list is complete, the rest of the
// budget is picked among every incident not picked yet. The picks depend
// only on the list, never on timing.
type detailPicker struct {
	max    int
	window Window
	oldest time.Time
	// perURL counts the picks by URL; picked holds the alert SIDs picked.
	perURL map[string]int
	picked map[string]bool
}

func newDetailPicker(max int, w Window) *detailPicker {
	return &detailPicker{max: max, window: w, perURL: map[string]int{}, picked: map[string]bool{}}
}

// page picks among one page's incidents (newest first).
func (p *detailPicker) page(incs []Incident) []string {
	if len(incs) == 0 || len(p.picked) >= p.max {
		return nil
	}
	for _, inc := range incs {
		if p.oldest.IsZero() || inc.Time.Before(p.oldest) {
			p.oldest = inc.Time
		}
	}
	budget := p.max
	if span := p.window.Duration(); span > 0 {
		listed := min(max(p.window.To.Sub(p.oldest), 0), span)
		budget = int(float64(p.max) * float64(listed) / float64(span))
	}
	cands := make([]Incident, 0, len(incs))
	for _, inc := range incs {
		if !p.picked[inc.AlertSID] {
			cands = append(cands, inc)
		}
	}
	sortIncidents(cands)
	return p.choose(cands, budget-len(p.picked))
}

// rest picks what is left of the budget among all the incidents (sorted by
// time) once the list is complete.
func (p *detailPicker) rest(all []Incident) []string {
	if len(p.picked) >= p.max {
		return nil
	}
	cands := make([]Incident, 0, min(len(all), 4*p.max))
	for _, inc := range all {
		if !p.picked[inc.AlertSID] {
			cands = append(cands, inc)
		}
	}
	return p.choose(cands, p.max-len(p.picked))
}

// choose picks up to n of cands (sorted by time): one at a time to the URL
// with the fewest picks (in URL order on a tie), then, within each URL,
// evenly spaced over its candidates.
func (p *detailPicker) choose(cands []Incident, n int) []string {
	if n <= 0 || len(cands) == 0 {
		return nil
	}
	groups := map[string][]string{}
	var keys []string
	for _, inc := range cands {
		k := urlKey(inc.URL)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], inc.AlertSID)
	}
	sort.Strings(keys)
	quota := map[string]int{}
	for left := min(n, len(cands)); left > 0; left-- {
		best := ""
		for _, k := range keys {
			if quota[k] < len(groups[k]) && (best == "" || p.perURL[k]+quota[k] < p.perURL[best]+quota[best]) {
				best = k
			}
		}
		quota[best]++
	}
	var out []string
	for _, k := range keys {
		g, q := groups[k], quota[k]
		for i := 0; i < q; i++ {
			sid := g[i*len(g)/q]
			out = append(out, sid)
			p.picked[sid] = true
		}
		p.perURL[k] += q
	}
	return out
}

// urlKey is what detail picking spreads over: a URL's host and path.
func urlKey(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host + u.Path
	}
	return raw
}

// detailFetcher fetches the details of the incidents a detailPicker
// chooses, as the pages of the list arrive, through the account's shared
// pool of requests.
type detailFetcher struct {
	ctx    context.Context
	env    *Env
	fetch  func(sid string) (any, error)
	picker *detailPicker
	work   *workers
	task   Task

	mu       sync.Mutex
	out      map[string]json.RawMessage
	wanted   int
	failed   int
	firstErr error
}

// detailFetcher returns the fetcher of the collector's details; one that
// fetches nothing when MaxDetails is negative.
func (a Alerts) detailFetcher(ctx context.Context, env *Env, fetch func(sid string) (any, error)) *detailFetcher {
	n := a.MaxDetails
	if n == 0 {
		n = DefaultMaxDetails
	}
	return &detailFetcher{ctx: ctx, env: env, fetch: fetch, picker: newDetailPicker(max(n, 0), env.Evidence.Window),
		work: newWorkers(env.API.concurrency()), out: map[string]json.RawMessage{}}
}

// add picks among a page's incidents and starts fetching.
func (d *detailFetcher) add(page []Incident) { d.start(d.picker.page(page)) }

// finish picks the rest once the list is complete and starts fetching.
func (d *detailFetcher) finish(all []Incident) { d.start(d.picker.rest(all)) }

func (d *detailFetcher) start(sids []string) {
	if len(sids) == 0 || d.ctx.Err() != nil {
		return
	}
	d.mu.Lock()
	if d.task == nil {
		d.task = d.env.progress().Start("alert details", len(sids))
	} else {
		d.task.Grow(len(sids))
	}
	d.wanted += len(sids)
	task := d.task
	d.mu.Unlock()
	for _, sid := range sids {
		d.work.Go(func() {
			if d.ctx.Err() != nil {
				return
			}
			inst, err := d.fetch(sid)
			var b []byte
			if err == nil {
				b, err = json.Marshal(inst)
			}
			d.mu.Lock()
			if err != nil {
				d.failed++
				if d.firstErr == nil {
					d.firstErr = err
				}
			} else {
				d.out[sid] = b
			}
			d.mu.Unlock()
			task.Add(1)
		})
	}
}

// wait waits for every fetch started and returns the details by alert SID.
func (d *detailFetcher) wait() (map[string]json.RawMessage, error) {
	d.work.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.task != nil {
		d.task.Done()
	}
	if err := d.ctx.Err(); err != nil && len(d.out) < d.wanted {
		return d.out, fmt.Errorf("alert details: fetched %d of %d: %w", len(d.out), d.wanted, ctxError(d.ctx))
	}
	if d.failed > 0 {
		return d.out, fmt.Errorf("alert details: %d of %d fetches failed, first: %w", d.failed, d.wanted, apiErr(d.firstErr))
	}
	return d.out, nil
}

// workers runs functions on up to n goroutines at a time, in the order
// given; Go never blocks.
type workers struct {
	n       int
	mu      sync.Mutex
	queue   []func()
	running int
	wg      sync.WaitGroup
}

func newWorkers(n int) *workers { return &workers{n: max(n, 1)} }

// Go runs f when a goroutine is free.
func (w *workers) Go(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running >= w.n {
		w.queue = append(w.queue, f)
		return
	}
	w.running++
	w.wg.Add(1)
	go w.run(f)
}

func (w *workers) run(f func()) {
	defer w.wg.Done()
	for f != nil {
		f()
		w.mu.Lock()
		f = nil
		if len(w.queue) > 0 {
			f, w.queue = w.queue[0], w.queue[1:]
		} else {
			w.running--
		}
		w.mu.Unlock()
	}
}

// Wait waits until every function given has run.
func (w *workers) Wait() { w.wg.Wait() }
