package stats

import (
	"fmt"
	"time"
)

const (
	secondsPerHour = 3600
	secondsPerDay  = 86400
	// maxWindowDays bounds the window so that the per-day and per-hour
	// arrays stay small whatever the caller passes.
	maxWindowDays = 3660
	// maxSegments bounds the zone periods walked over one window; real
	// zones change offset at most a few times a year.
	maxSegments = 200
)

// segment is one period of the window during which the display zone keeps
// the same UTC offset. Times are Unix seconds; end is exclusive.
type segment struct {
	start, end int64
	off        int64
	// firstHour is the Unix second at which the local hour containing start
	// begins; hourBase is the index of that hour in the hourly series.
	firstHour int64
	hourBase  int
}

// zoneTable answers "what is the display offset at second s" for every
// second of the window without calling time.Time.In per incident.
type zoneTable struct {
	segs []segment
	last int // index of the segment that answered last
}

// newZoneTable walks the zone transitions of loc over [from, to).
func newZoneTable(from, to time.Time, loc *time.Location) (*zoneTable, error) {
	zt := &zoneTable{}
	endSec := to.Add(-time.Nanosecond).Unix() + 1
	t := from
	for {
		lt := t.In(loc)
		_, off := lt.Zone()
		_, e := lt.ZoneBounds()
		seg := segment{start: t.Unix(), off: int64(off)}
		if e.IsZero() || !e.Before(to) {
			seg.end = endSec
			zt.segs = append(zt.segs, seg)
			break
		}
		seg.end = e.Unix()
		zt.segs = append(zt.segs, seg)
		if len(zt.segs) > maxSegments {
			return nil, fmt.Errorf("zone %s changes offset more than %d times in the window", loc, maxSegments)
		}
		t = e
	}
	base := 0
	prevLast := int64(0)
	for i := range zt.segs {
		s := &zt.segs[i]
		s.firstHour = s.start - floorMod(s.start+s.off, secondsPerHour)
		lastHour := (s.end - 1) - floorMod(s.end-1+s.off, secondsPerHour)
		if i > 0 && s.firstHour == prevLast {
			// The hour straddles the transition but starts at the same
			// instant on both sides: one bucket, not two.
			base--
		}
		s.hourBase = base
		base += int((lastHour-s.firstHour)/secondsPerHour) + 1
		prevLast = lastHour
	}
	return zt, nil
}

// hours is the number of buckets of the hourly series.
func (zt *zoneTable) hours() int {
	s := zt.segs[len(zt.segs)-1]
	lastHour := (s.end - 1) - floorMod(s.end-1+s.off, secondsPerHour)
	return s.hourBase + int((lastHour-s.firstHour)/secondsPerHour) + 1
}

// find returns the segment holding second sec, which must lie in the window.
func (zt *zoneTable) find(sec int64) *segment {
	s := &zt.segs[zt.last]
	if sec >= s.start && sec < s.end {
		return s
	}
	lo, hi := 0, len(zt.segs)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if zt.segs[mid].start <= sec {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	zt.last = lo
	return &zt.segs[lo]
}

// hourIndex is the index of the hourly bucket holding sec in segment s.
func (s *segment) hourIndex(sec int64) int {
	hs := sec - floorMod(sec+s.off, secondsPerHour)
	return s.hourBase + int((hs-s.firstHour)/secondsPerHour)
}

// hourStart is the Unix second at which the local hour at index idx of
// segment s begins.
func (s *segment) hourStart(idx int) int64 {
	return s.firstHour + int64(idx-s.hourBase)*secondsPerHour
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// civilDate formats a day number (days since 1970-01-01) as YYYY-MM-DD.
func civilDate(day int64) string {
	return time.Unix(day*secondsPerDay, 0).UTC().Format("2006-01-02")
}
