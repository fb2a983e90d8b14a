package collect

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/faketwilio"
)

// answeredChecker is a Progress that, at every step of a task, compares
// the task's count with the requests of its kind the fake has answered so
// far: a bar that counted a request when it started, not when it finished,
// would run ahead of them.
type answeredChecker struct {
	t *testing.T
	// answered says, for a task's name, how many of its steps the answers
	// of the fake allow so far.
	answered map[string]func() int

	mu     sync.Mutex
	counts map[string]int
	steps  map[string]int
}

func (c *answeredChecker) Start(name string, total int) Task {
	return &checkedTask{c: c, name: name}
}

func (c *answeredChecker) Warnf(string, ...any) {}

type checkedTask struct {
	c    *answeredChecker
	name string
}

func (t *checkedTask) Add(n int) {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[t.name] += n
	c.steps[t.name]++
	if answered, ok := c.answered[t.name]; ok {
		if got, allowed := c.counts[t.name], answered(); got > allowed {
			c.t.Errorf("%s counts %d while the fake has answered the requests of %d", t.name, got, allowed)
		}
	}
}

func (t *checkedTask) Grow(int) {}
func (t *checkedTask) Done()    {}

// TestProgress_CountsFinishedRequests runs the alerts and the Twilio logs
// against a fake with a round trip of 30 ms, many requests in flight at
// once: at every step, the alert details and call events bars count at
// most the requests the fake has answered, and the alerts bar at most the
// alerts of the pages it has answered; at the end each bar has counted
// every request of its kind, one at a time.
func TestProgress_CountsFinishedRequests(t *testing.T) {
	fake := faketwilio.NewWith(faketwilio.Options{RTT: 30 * time.Millisecond},
		map[string]string{testAccount: testToken}, testData(3000))
	defer fake.Close()
	env := newTestEnv(t, fake)
	details := func() int { return fake.Answered("/v1/Alerts/") }
	calls := func() int { return fake.Answered("/2010-04-01/Accounts/" + testAccount + "/Calls/") }
	listed := func() int { return listPageSize * (fake.Answered("/v1/Alerts") - details()) }
	check := &answeredChecker{t: t, counts: map[string]int{}, steps: map[string]int{},
		answered: map[string]func() int{"alert details": details, "call events": calls, "alerts": listed}}
	env.Progress = check
	Run(context.Background(), env, time.Minute, Alerts{}, TwilioDebugLogs{})
	for _, st := range env.Evidence.Collectors {
		if st.State != StateOK {
			t.Fatalf("%s = %+v", st.Name, st)
		}
	}
	if peak := fake.PeakInFlight(); peak < 8 {
		t.Errorf("at most %d requests in flight: the test did not meet concurrency", peak)
	}
	for name, want := range map[string]int{"alert details": details(), "call events": calls(), "alerts": 3000} {
		if got := check.counts[name]; got != want || want == 0 {
			t.Errorf("%s counted %d, want %d (every request of its kind, once it finished)", name, got, want)
		}
		if name != "alerts" && check.steps[name] != want {
			t.Errorf("%s counted in %d steps, want one for each of its %d requests", name, check.steps[name], want)
		}
	}
	if d := details(); d != DefaultMaxDetails {
		t.Errorf("%d details fetched, want %d", d, DefaultMaxDetails)
	}
}
