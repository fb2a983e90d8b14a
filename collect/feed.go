package collect

import (
	"context"
	"slices"
	"sort"
	"sync"
)

// runState is what the collectors of one Run share besides the Evidence:
// which of them have ended, and the incidents as they are listed.
type runState struct {
	collectors []Collector
	ended      []chan struct{}
	// first are the collectors that learn secrets the others' data may
	// hold: the others start when they have ended.
	first []int
	// feed is the incidents the alerts collector lists; nil when the Run
	// has none.
	feed *incidentFeed
}

// incidentLister is the collector that lists the window's incidents
// (Alerts): the others may follow its list as it arrives.
type incidentLister interface {
	listsIncidents()
}

// secretLearner is a collector that may learn secrets (Env.LearnSecret)
// the data of the others holds.
type secretLearner interface {
	learnsSecrets(env *Env) bool
}

// beginRun prepares env for a Run of collectors. One Run at a time uses
// an Env.
func (e *Env) beginRun(collectors []Collector) {
	rs := &runState{collectors: collectors, ended: make([]chan struct{}, len(collectors))}
	for i, c := range collectors {
		rs.ended[i] = make(chan struct{})
		if _, ok := c.(incidentLister); ok && rs.feed == nil {
			rs.feed = &incidentFeed{more: make(chan struct{})}
		}
		if l, ok := c.(secretLearner); ok && l.learnsSecrets(e) {
			rs.first = append(rs.first, i)
		}
	}
	e.run = rs
}

// waitForSecrets waits, unless the i-th collector is one of them, until the
// collectors that learn secrets have ended, or ctx ends.
func (e *Env) waitForSecrets(ctx context.Context, i int) {
	if slices.Contains(e.run.first, i) {
		return
	}
	for _, j := range e.run.first {
		select {
		case <-e.run.ended[j]:
		case <-ctx.Done():
			return
		}
	}
}

// ended marks the i-th collector of the Run as ended; the end of the
// alerts collector closes its feed, whatever happened to it.
func (e *Env) ended(i int) {
	if _, ok := e.run.collectors[i].(incidentLister); ok && e.run.feed != nil {
		e.run.feed.close()
	}
	close(e.run.ended[i])
}

// endRun forgets the Run, and with it the copy of the incidents its feed
// held.
func (e *Env) endRun() { e.run = nil }

// waitFor waits until the collectors named have ended (those not in the
// Run count as ended), or ctx ends.
func (e *Env) waitFor(ctx context.Context, names ...string) error {
	if e.run == nil {
		return nil
	}
	for i, c := range e.run.collectors {
		if !slices.Contains(names, c.Name()) {
			continue
		}
		select {
		case <-e.run.ended[i]:
		case <-ctx.Done():
			return ctxError(ctx)
		}
	}
	return nil
}

// incidents returns the feed the alerts collector lists into: the Run's,
// or a private one when it runs outside a Run.
func (e *Env) incidentFeed() *incidentFeed {
	if e.run != nil && e.run.feed != nil {
		return e.run.feed
	}
	return &incidentFeed{more: make(chan struct{})}
}

// followIncidents calls f with the window's incidents in the order Twilio
// lists them (newest first), a batch at a time as the alerts collector of
// the Run reads its pages, until the list is complete or that collector
// ended; without one in the Run, once with the Evidence's incidents. It
// returns early, with the reason, when ctx ends.
func (e *Env) followIncidents(ctx context.Context, f func(batch []Incident)) error {
	if e.run == nil || e.run.feed == nil {
		incs := slices.Clone(e.Evidence.Incidents)
		slices.Reverse(incs)
		if len(incs) > 0 {
			f(incs)
		}
		return nil
	}
	return e.run.feed.follow(ctx, f)
}

// incidentFeed holds the incidents of a list as they are read, for the
// collectors that start work on them before the list is complete.
type incidentFeed struct {
	mu     sync.Mutex
	all    []Incident
	closed bool
	// more is closed, and replaced, when incidents are added or the feed
	// is closed.
	more chan struct{}
}

// publish adds a batch of incidents, in the order listed.
func (f *incidentFeed) publish(batch []Incident) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || len(batch) == 0 {
		return
	}
	f.all = append(f.all, batch...)
	close(f.more)
	f.more = make(chan struct{})
}

// close says the list is complete.
func (f *incidentFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.more)
	}
}

// follow calls fn with every batch, old and new, until the feed is closed
// or ctx ends.
func (f *incidentFeed) follow(ctx context.Context, fn func([]Incident)) error {
	n := 0
	for {
		f.mu.Lock()
		batch := f.all[n:len(f.all):len(f.all)]
		n = len(f.all)
		closed, more := f.closed, f.more
		f.mu.Unlock()
		if len(batch) > 0 {
			fn(batch)
		}
		if closed {
			return nil
		}
		select {
		case <-more:
		case <-ctx.Done():
			return ctxError(ctx)
		}
	}
}

// sorted returns a copy of the incidents by time, then alert SID.
func (f *incidentFeed) sorted() []Incident {
	f.mu.Lock()
	out := slices.Clone(f.all)
	f.mu.Unlock()
	sortIncidents(out)
	return out
}

// sortIncidents orders incidents by time, then alert SID.
func sortIncidents(incs []Incident) {
	sort.SliceStable(incs, func(i, j int) bool {
		a, b := incs[i], incs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.AlertSID < b.AlertSID
	})
}
