package faketwilio

import (
	"math/rand"
	"time"
)

// Seed makes the random faults (Fault.Chance) repeatable: the same seed and
// the same order of requests give the same failures.
func (s *Server) Seed(seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rng = rand.New(rand.NewSource(seed))
}

// roll reports whether a fault with chance p hits; s.mu is held.
func (s *Server) roll(p float64) bool {
	if s.rng == nil {
		s.rng = rand.New(rand.NewSource(1))
	}
	return s.rng.Float64() < p
}

// Chaos describes random trouble on every path: each request is, with the
// given chances, dropped without an answer, stalled for Stall and then
// answered normally, or answered with a 500 or 503.
type Chaos struct {
	Drop, Stall, Status float64
	// StallFor is how long a stalled request waits (default 10 s).
	StallFor time.Duration
}

// AddChaos installs random faults on every path of the API, drawn from a
// generator seeded with seed.
func (s *Server) AddChaos(seed int64, c Chaos) {
	s.Seed(seed)
	stall := c.StallFor
	if stall <= 0 {
		stall = 10 * time.Second
	}
	if c.Drop > 0 {
		s.AddFault(Fault{PathPrefix: "/", Drop: true, Chance: c.Drop})
	}
	if c.Stall > 0 {
		s.AddFault(Fault{PathPrefix: "/", Stall: stall, Chance: c.Stall})
	}
	if c.Status > 0 {
		s.AddFault(Fault{PathPrefix: "/", Status: 500, Chance: c.Status / 2})
		s.AddFault(Fault{PathPrefix: "/", Status: 503, Chance: c.Status / 2})
	}
}
