package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// lineProgress prints plain timestamped lines: for pipes, cron and logs.
type lineProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func newLineProgress(w io.Writer) *lineProgress { return &lineProgress{w: w} }

func (p *lineProgress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// Start implements collect.Progress.
func (p *lineProgress) Start(name string, total int) collect.Task {
	if total > 0 {
		p.printf("%s: %d to do", name, total)
	} else {
		p.printf("%s: started", name)
	}
	return &lineTask{p: p, name: name, start: time.Now()}
}

// Warnf implements collect.Progress.
func (p *lineProgress) Warnf(format string, args ...any) { p.printf("warning: "+format, args...) }

type lineTask struct {
	p     *lineProgress
	name  string
	start time.Time
	mu    sync.Mutex
	n     int
}

func (t *lineTask) Add(n int) {
	t.mu.Lock()
	t.n += n
	t.mu.Unlock()
}

func (t *lineTask) Done() {
	t.mu.Lock()
	n := t.n
	t.mu.Unlock()
	t.p.printf("%s: %d done in %s", t.name, n, time.Since(t.start).Round(time.Millisecond))
}
