package collect

import (
	"context"
	"sync"
	"time"
)

// Concurrency of the API requests of one account.
const (
	// DefaultAPIConcurrency is the hard bound on the API requests of one
	// account in flight at once (--api-concurrency).
	DefaultAPIConcurrency = 32
	// StartAPIConcurrency is where the adaptive bound starts: a level
	// Twilio's API serves without throttling an account.
	StartAPIConcurrency = 16
)

// limiter is the shared pool of API requests of one account: it bounds the
// requests in flight and adapts the bound to Twilio's answers. It starts at
// StartAPIConcurrency (or the hard bound when lower); a 429 halves it and
// lowers its ceiling below the level that drew the 429, and a Retry-After
// holds every new request until it has passed. Until the first 429, each
// successful request raises it by one (it doubles with each round of
// requests, as TCP's slow start does); after one, each round of successful
// requests (as many as the bound) raises it by one. It never grows above
// the ceiling, which is never above the hard bound.
//
// The pages of a list come one after another, and what follows the list
// waits for its last page: a page is urgent. While lists are being paged,
// the other requests leave one place for each of them, and a page waiting
// for a place goes before every other request.
type limiter struct {
	mu sync.Mutex
	// limit is how many requests may be in flight now; ceiling the highest
	// it may grow to; bound the hard bound.
	limit, ceiling, bound int
	inFlight              int
	// lists counts the lists being paged; pages the pages in flight and
	// pagesWaiting those waiting for a place.
	lists, pages, pagesWaiting int
	// successes counts the successful requests since the limit last grew.
	successes int
	// epoch counts the halvings: a 429 to a request sent before the last
	// halving belongs to the same burst and does not halve again.
	epoch       int
	pausedUntil time.Time
	// wake is closed, and replaced, whenever a request ends.
	wake chan struct{}

	start, lowest, peak, backoffs, throttled int
}

func newLimiter(bound int) *limiter {
	if bound <= 0 {
		bound = DefaultAPIConcurrency
	}
	start := min(StartAPIConcurrency, bound)
	return &limiter{limit: start, ceiling: bound, bound: bound, wake: make(chan struct{}), start: start, lowest: start}
}

// slot is one request's place in the pool: the number in flight once it
// was taken, the epoch it was taken in, and whether it is a list's page.
type slot struct {
	level, epoch int
	page         bool
}

// How a request ended, for the limiter.
type outcome int

const (
	outcomeOK        outcome = iota // an answer that is not a 429 or a 5xx
	outcomeThrottled                // a 429
	outcomeFailed                   // a 5xx, no answer, a timeout
)

// acquire waits for a place in the pool, or for ctx to end. A request
// whose ctx is a list's (listContext) is a page.
func (l *limiter) acquire(ctx context.Context) (slot, error) {
	page := ctx.Value(listKey{}) != nil
	waiting := false
	for {
		l.mu.Lock()
		now := time.Now()
		paused := now.Before(l.pausedUntil)
		if !paused && l.free(page) {
			l.inFlight++
			if page {
				l.pages++
			}
			if waiting {
				l.pagesWaiting--
			}
			l.peak = max(l.peak, l.inFlight)
			s := slot{level: l.inFlight, epoch: l.epoch, page: page}
			l.mu.Unlock()
			return s, nil
		}
		if page && !waiting {
			waiting = true
			l.pagesWaiting++
		}
		wake := l.wake
		var timer *time.Timer
		var fire <-chan time.Time
		if paused {
			timer = time.NewTimer(l.pausedUntil.Sub(now))
			fire = timer.C
		}
		l.mu.Unlock()
		select {
		case <-wake:
		case <-fire:
		case <-ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			if waiting {
				l.mu.Lock()
				l.pagesWaiting--
				l.mu.Unlock()
				l.wakeAll()
			}
			return slot{}, ctxError(ctx)
		}
	}
}

// free reports whether a place is free for a page or another request:
// within the limit, and for another request, with no page waiting and a
// place left for each list being paged (but always one for the others).
func (l *limiter) free(page bool) bool {
	if l.inFlight >= l.limit {
		return false
	}
	if page {
		return true
	}
	others := l.inFlight - l.pages
	return l.pagesWaiting == 0 && others < max(1, l.limit-l.lists)
}

// listKey marks the context of a list's pages (listContext).
type listKey struct{}

// openList counts a list being paged until the returned function is
// called (once).
func (l *limiter) openList() (closeList func()) {
	l.mu.Lock()
	l.lists++
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.lists--
			l.mu.Unlock()
			l.wakeAll()
		})
	}
}

// wakeAll wakes every request waiting for a place.
func (l *limiter) wakeAll() {
	l.mu.Lock()
	l.wakeLocked()
	l.mu.Unlock()
}

// release gives the place back and learns from how the request ended;
// retryAfter is a 429's Retry-After (0 when none).
func (l *limiter) release(s slot, o outcome, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if s.page {
		l.pages--
	}
	switch o {
	case outcomeOK:
		l.successes++
		if l.limit < l.ceiling && (l.backoffs == 0 || l.successes >= l.limit) {
			l.limit++
			l.successes = 0
		}
	case outcomeThrottled:
		l.throttled++
		if until := time.Now().Add(retryAfter); retryAfter > 0 && until.After(l.pausedUntil) {
			l.pausedUntil = until
		}
		if s.epoch == l.epoch {
			l.epoch++
			l.backoffs++
			l.ceiling = max(1, min(l.ceiling, s.level-1))
			l.limit = max(1, min(l.limit/2, l.ceiling))
			l.lowest = min(l.lowest, l.limit)
			l.successes = 0
		}
	}
	l.wakeLocked()
}

// wakeLocked is wakeAll with l.mu held.
func (l *limiter) wakeLocked() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// ConcurrencyStats is how the bound on requests in flight moved.
type ConcurrencyStats struct {
	// Bound is the hard bound (--api-concurrency), Start where the
	// adaptive bound started, Final where it ended, Lowest the lowest it
	// went after a 429.
	Bound  int `json:"bound"`
	Start  int `json:"start"`
	Final  int `json:"final"`
	Lowest int `json:"lowest"`
	// Peak is the most requests that were in flight at once; it depends on
	// timing, so reproducible bundles leave it out.
	Peak int `json:"peak,omitempty"`
}

func (l *limiter) stats() (c ConcurrencyStats, backoffs, throttled int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConcurrencyStats{Bound: l.bound, Start: l.start, Final: l.limit, Lowest: l.lowest, Peak: l.peak}, l.backoffs, l.throttled
}
