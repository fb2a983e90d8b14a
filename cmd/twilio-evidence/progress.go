package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/twilio-evidence/twilio-evidence/collect"
)

// progressReporter is a collect.Progress that is closed when the run ends:
// bars are finished and the terminal is left clean. Close may be called
// more than once.
type progressReporter interface {
	collect.Progress
	Close()
}

// newProgress picks how progress is shown on s.err: bars when it is a
// terminal, plain timestamped lines when it is not (pipes, cron, systemd),
// and only warnings with quiet. Errors are never silenced: they are not
// progress.
func newProgress(s streams, quiet bool) progressReporter {
	switch {
	case quiet:
		return &quietProgress{w: s.err}
	case isTerminal(s.err) && s.getenv("TERM") != "dumb":
		return newBarProgress(s.err)
	default:
		return newLineProgress(s.err)
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// quietProgress shows nothing but warnings (--quiet).
type quietProgress struct {
	mu sync.Mutex
	w  io.Writer
}

// Start implements collect.Progress.
func (*quietProgress) Start(string, int) collect.Task { return collect.NoProgress{}.Start("", 0) }

// Warnf implements collect.Progress.
func (p *quietProgress) Warnf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "twilio-evidence: warning: %s\n", fmt.Sprintf(format, args...))
}

// Close implements progressReporter.
func (*quietProgress) Close() {}

// lineEvery is how often a long task without a terminal prints how far it got.
const lineEvery = 10 * time.Second

// lineProgress prints plain timestamped lines: for pipes, cron and logs.
type lineProgress struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
	// attempts makes the lines of the probe command: no line when a task
	// starts or ends (a short run prints nothing but its result), and
	// "NAME: attempt K of N" every lineEvery while it runs.
	attempts bool
}

func newLineProgress(w io.Writer) *lineProgress { return &lineProgress{w: w, now: time.Now} }

func (p *lineProgress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s\n", p.now().Format("2006-01-02T15:04:05Z07:00"), fmt.Sprintf(format, args...))
}

// Start implements collect.Progress.
func (p *lineProgress) Start(name string, total int) collect.Task {
	switch {
	case p.attempts:
	case total > 0:
		p.printf("%s: %d to do", name, total)
	default:
		p.printf("%s: started", name)
	}
	now := p.now()
	return &lineTask{p: p, name: name, total: total, start: now, last: now}
}

// Warnf implements collect.Progress.
func (p *lineProgress) Warnf(format string, args ...any) { p.printf("warning: "+format, args...) }

// Close implements progressReporter.
func (p *lineProgress) Close() {}

type lineTask struct {
	p           *lineProgress
	name        string
	total       int
	start, last time.Time
	mu          sync.Mutex
	n           int
	done        bool
}

// Add counts n more steps and, on a long task, says how far it got every
// lineEvery.
func (t *lineTask) Add(n int) {
	t.mu.Lock()
	t.n += n
	count, total, now := t.n, t.total, t.p.now()
	report := now.Sub(t.last) >= lineEvery && !t.done
	if report {
		t.last = now
	}
	t.mu.Unlock()
	if !report {
		return
	}
	switch {
	case t.p.attempts:
		t.p.printf("%s: attempt %d of %d", t.name, count, total)
	case total > 0:
		t.p.printf("%s: %d of %d", t.name, count, total)
	default:
		t.p.printf("%s: %d so far", t.name, count)
	}
}

// Grow adds n steps to the total.
func (t *lineTask) Grow(n int) {
	t.mu.Lock()
	t.total += n
	t.mu.Unlock()
}

func (t *lineTask) Done() {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return
	}
	t.done = true
	n := t.n
	t.mu.Unlock()
	if t.p.attempts {
		return
	}
	t.p.printf("%s: %d done in %s", t.name, n, t.p.now().Sub(t.start).Round(time.Millisecond))
}

// barProgress draws one bar per task with mpb, which keeps several bars
// (parallel detail fetches, subaccounts) on screen at once and prints
// warnings above them without tearing.
type barProgress struct {
	w  io.Writer
	p  *mpb.Progress
	mu sync.Mutex
	// bars are the bars started, so that Close can end unfinished ones.
	bars   []*mpb.Bar
	closed bool
}

func newBarProgress(w io.Writer) *barProgress {
	// mpb recognises a terminal only in an *os.File; stderr may be wrapped
	// (the redacting stream), so the terminal's descriptor is handed over.
	cw := cupwriter.New(w, false)
	if f, ok := w.(interface{ Fd() uintptr }); ok {
		cw.SetTermFd(int(f.Fd()))
	}
	return &barProgress{w: w, p: mpb.New(mpb.WithConsoleWriter(cw), mpb.WithWidth(30), mpb.WithRefreshRate(120*time.Millisecond))}
}

// Start implements collect.Progress.
func (b *barProgress) Start(name string, total int) collect.Task { return b.start(name, total, false) }

// start adds a bar; a transient one disappears when done (the tasks of one
// subaccount among hundreds).
func (b *barProgress) start(name string, total int, transient bool) collect.Task {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return collect.NoProgress{}.Start("", 0)
	}
	name = shortName(name, 28)
	opts := []mpb.BarOption{
		mpb.BarOptional(mpb.BarRemoveOnComplete(), transient),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO, decor.WCSyncSpace)),
	}
	var bar *mpb.Bar
	if total > 0 {
		opts = append(opts, mpb.PrependDecorators(
			decor.Name(name, decor.WCSyncSpaceR),
			decor.CountersNoUnit("%d / %d", decor.WCSyncWidth),
		))
		// Created without a total that completes it, so that a task's
		// total may grow (Grow) before its last steps are counted: the
		// bar completes at Done.
		bar = b.p.AddBar(0, opts...)
		bar.SetTotal(int64(total), false)
	} else {
		opts = append(opts, mpb.PrependDecorators(
			decor.Name(name, decor.WCSyncSpaceR),
			decor.CurrentNoUnit("%d", decor.WCSyncWidth),
		))
		bar = b.p.AddSpinner(0, append(opts, mpb.BarFillerOnComplete("done"))...)
	}
	b.bars = append(b.bars, bar)
	return &barTask{bar: bar, total: int64(total)}
}

// Warnf implements collect.Progress: the line goes above the bars.
func (b *barProgress) Warnf(format string, args ...any) {
	line := fmt.Sprintf("twilio-evidence: warning: %s\n", fmt.Sprintf(format, args...))
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if !closed {
		if _, err := b.p.Write([]byte(line)); err == nil {
			return
		}
	}
	fmt.Fprint(b.w, line)
}

// Close ends the bars still running (a collector that stopped early) and
// waits until the last frame is drawn.
func (b *barProgress) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	bars := b.bars
	b.mu.Unlock()
	for _, bar := range bars {
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
	b.p.Wait()
}

type barTask struct {
	bar   *mpb.Bar
	once  sync.Once
	mu    sync.Mutex
	total int64
}

func (t *barTask) Add(n int) { t.bar.IncrBy(n) }

// Grow adds n steps to the bar's total (a spinner has none to grow).
func (t *barTask) Grow(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.total > 0 {
		t.total += int64(n)
		t.bar.SetTotal(t.total, false)
	}
}

// Done completes the bar where it is: a task may end before its total.
func (t *barTask) Done() { t.once.Do(func() { t.bar.SetTotal(-1, true) }) }

// shortName keeps a bar's label within n runes.
func shortName(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// StartTransient implements subaccounts.TransientProgress: the bars of one
// subaccount among many disappear when done.
func (b *barProgress) StartTransient(name string, total int) collect.Task {
	return b.start(name, total, true)
}
