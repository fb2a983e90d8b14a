package collect

import (
	"context"
	"testing"
	"time"
)

// take acquires n places; it fails the test when one is not free at once.
func take(t *testing.T, l *limiter, n int) []slot {
	t.Helper()
	return takeFrom(t, context.Background(), l, n)
}

// takePage acquires a place for a list's page.
func takePage(t *testing.T, l *limiter) slot {
	t.Helper()
	return takeFrom(t, context.WithValue(context.Background(), listKey{}, true), l, 1)[0]
}

func takeFrom(t *testing.T, parent context.Context, l *limiter, n int) []slot {
	t.Helper()
	var out []slot
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(parent)
		cancel() // a free place is taken without waiting
		s, err := l.acquire(ctx)
		if err != nil {
			t.Fatalf("place %d of %d is not free (limit %d): %v", i+1, n, l.limit, err)
		}
		out = append(out, s)
	}
	return out
}

// full reports whether no place is free at once.
func full(l *limiter) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := l.acquire(ctx)
	if err == nil {
		l.release(s, outcomeOK, 0)
	}
	return err != nil
}

func TestLimiter_StartsAt16HalvesOn429AndGrowsBackSlowly(t *testing.T) {
	l := newLimiter(32)
	slots := take(t, l, 16)
	if !full(l) {
		t.Fatal("a 17th request went out: the pool starts at 16")
	}
	// The 16th request in flight draws a 429: the limit halves, and the
	// ceiling stays below the level that drew it.
	l.release(slots[15], outcomeThrottled, 0)
	if l.limit != 8 || l.ceiling != 15 {
		t.Fatalf("after a 429 at 16 in flight: limit %d, ceiling %d; want 8 and 15", l.limit, l.ceiling)
	}
	// The other requests of the same burst draw 429s too: one halving.
	for _, s := range slots[8:15] {
		l.release(s, outcomeThrottled, 0)
	}
	if l.limit != 8 {
		t.Fatalf("limit %d after one burst of 429s, want 8 (halved once)", l.limit)
	}
	for _, s := range slots[:8] {
		l.release(s, outcomeOK, 0)
	}
	// Growing back: one more for each round of successes, never above the
	// ceiling.
	for round := 0; round < 40; round++ {
		before := l.limit
		for _, s := range take(t, l, l.limit) {
			l.release(s, outcomeOK, 0)
		}
		if l.limit > before+1 {
			t.Fatalf("the limit grew from %d to %d in one round", before, l.limit)
		}
	}
	if l.limit != 15 {
		t.Errorf("limit %d after many rounds of successes, want the ceiling 15", l.limit)
	}
	st, backoffs, throttled := l.stats()
	if backoffs != 1 || throttled != 8 || st.Start != 16 || st.Lowest != 8 || st.Final != 15 || st.Bound != 32 {
		t.Errorf("stats %+v, %d back-offs, %d throttled", st, backoffs, throttled)
	}
}

func TestLimiter_NeverAboveTheHardBound(t *testing.T) {
	l := newLimiter(4)
	for round := 0; round < 50; round++ {
		for _, s := range take(t, l, l.limit) {
			l.release(s, outcomeOK, 0)
		}
		if l.limit > 4 {
			t.Fatalf("limit %d above the bound 4", l.limit)
		}
	}
	take(t, l, 4)
	if !full(l) {
		t.Error("a fifth request went out with --api-concurrency 4")
	}
}

func TestLimiter_RetryAfterHoldsNewRequests(t *testing.T) {
	l := newLimiter(32)
	s := take(t, l, 1)[0]
	l.release(s, outcomeThrottled, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx); err == nil {
		t.Fatal("a request went out during the Retry-After of a 429")
	}
}

func TestLimiter_SettlesBelowTheLevelThatIsThrottled(t *testing.T) {
	// A server that throttles every request above 6 in flight, as the
	// limiter sees them: the pool ends at or below 6.
	l := newLimiter(32)
	for round := 0; round < 100; round++ {
		slots := take(t, l, l.limit)
		for _, s := range slots {
			if s.level > 6 {
				l.release(s, outcomeThrottled, 0)
			} else {
				l.release(s, outcomeOK, 0)
			}
		}
	}
	if l.limit > 6 || l.ceiling > 6 {
		t.Errorf("limit %d, ceiling %d: want at most 6", l.limit, l.ceiling)
	}
}

func TestLimiter_DoublesEachRoundUntilTheFirst429(t *testing.T) {
	l := newLimiter(100)
	for _, want := range []int{32, 64, 100} {
		for _, s := range take(t, l, l.limit) {
			l.release(s, outcomeOK, 0)
		}
		if l.limit != want {
			t.Fatalf("limit %d after a round of successes, want %d", l.limit, want)
		}
	}
	// After a 429, one more per round.
	slots := take(t, l, 100)
	l.release(slots[99], outcomeThrottled, 0)
	for _, s := range slots[:99] {
		l.release(s, outcomeOK, 0)
	}
	if l.limit != 51 {
		t.Fatalf("limit %d after a 429 at 100 (halved to 50) and 99 successes, want 51", l.limit)
	}
	for _, s := range take(t, l, l.limit) {
		l.release(s, outcomeOK, 0)
	}
	if l.limit != 52 {
		t.Errorf("limit %d after a round of successes past a 429, want 52", l.limit)
	}
}

func TestLimiter_KeepsAPlaceForEachListBeingPaged(t *testing.T) {
	l := newLimiter(32)
	endAlerts, endPrevious := l.openList(), l.openList()
	take(t, l, 14)
	if !full(l) {
		t.Fatal("a 15th request went out while two lists keep a place each out of 16")
	}
	pages := []slot{takePage(t, l), takePage(t, l)}
	if pages[0].page != true || l.inFlight != 16 {
		t.Fatalf("slot %+v, %d in flight, want a page and 16", pages[0], l.inFlight)
	}
	if !full(l) {
		t.Fatal("a request went out above the limit of 16")
	}
	for _, s := range pages {
		l.release(s, outcomeFailed, 0) // the limit stays at 16
	}
	endAlerts()
	endAlerts() // ending a list twice counts once
	take(t, l, 1)
	if !full(l) {
		t.Fatal("a 16th request went out while a list keeps its place")
	}
	endPrevious()
	take(t, l, 1)
	if l.lists != 0 || l.inFlight != 16 {
		t.Errorf("%d lists, %d in flight; want 0 and 16", l.lists, l.inFlight)
	}
}

func TestLimiter_APageWaitingGoesFirst(t *testing.T) {
	l := newLimiter(4)
	slots := take(t, l, 4)
	got := make(chan string, 2)
	wait := func(name string, ctx context.Context) {
		if _, err := l.acquire(ctx); err != nil {
			got <- name + ": " + err.Error()
			return
		}
		got <- name
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go wait("other", ctx)
	time.Sleep(20 * time.Millisecond) // the other request waits first
	go wait("page", context.WithValue(ctx, listKey{}, true))
	for !waitingFor(l, func() bool { return l.pagesWaiting == 1 }) {
		time.Sleep(time.Millisecond)
	}
	l.release(slots[0], outcomeOK, 0)
	if first := <-got; first != "page" {
		t.Fatalf("%s took the place that came free, want the page waiting", first)
	}
	select {
	case name := <-got:
		t.Fatalf("%s took a place with 4 in flight", name)
	case <-time.After(50 * time.Millisecond):
	}
	l.release(slots[1], outcomeOK, 0)
	if second := <-got; second != "other" {
		t.Fatalf("got %s, want the other request once a second place came free", second)
	}
}

// waitingFor reports cond under the limiter's lock.
func waitingFor(l *limiter, cond func() bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return cond()
}
