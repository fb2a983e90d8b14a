package collect

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// AlertRetention is how far back the Monitor API keeps alerts.
const AlertRetention = 30 * 24 * time.Hour

// ParseSince reads a look-back like "7d", "24h", "90m", "2w" or any Go
// duration ("36h30m").
func ParseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("--since is empty: give a length like 24h or 7d")
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if mult, ok := unit[s[len(s)-1]]; ok {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--since %q: want a positive length like 24h, 7d or 2w", s)
		}
		return time.Duration(n * float64(mult)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--since %q: want a positive length like 24h, 7d or 2w", s)
	}
	return d, nil
}

// ParseWindow builds the window from --since or --from/--to, in UTC, with
// loc as the display zone. With --since the window ends now, to the minute.
func ParseWindow(since, from, to string, loc *time.Location, now time.Time) (Window, error) {
	w := Window{Location: loc}
	switch {
	case from != "" || to != "":
		if since != "" {
			return w, fmt.Errorf("--since cannot be combined with --from/--to")
		}
		if from == "" || to == "" {
			return w, fmt.Errorf("--from and --to go together (RFC 3339, e.g. --from 2026-11-18T00:00:00Z --to 2026-11-25T00:00:00Z)")
		}
		f, err := parseTime("--from", from, loc)
		if err != nil {
			return w, err
		}
		t, err := parseTime("--to", to, loc)
		if err != nil {
			return w, err
		}
		w.From, w.To = f, t
	default:
		if since == "" {
			since = "24h"
		}
		d, err := ParseSince(since)
		if err != nil {
			return w, err
		}
		w.To = now.UTC().Truncate(time.Minute)
		w.From = w.To.Add(-d)
	}
	if !w.From.Before(w.To) {
		return w, fmt.Errorf("the window is empty: --from %s is not before --to %s", w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	return w, nil
}

func parseTime(flag, v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not a time: use RFC 3339 like 2026-11-18T00:00:00Z or a date like 2026-11-18", flag, v)
}

// LoadLocation reads --tz: "local" (or empty), "UTC" or an IANA zone name.
func LoadLocation(name string) (*time.Location, error) {
	switch strings.ToLower(name) {
	case "", "local":
		return localZone(os.Getenv, os.Readlink), nil
	case "utc", "z":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("--tz %q is not a time zone: use an IANA name like Asia/Tokyo, or UTC", name)
	}
	return loc, nil
}

// localZone is the system's zone under its IANA name, so that times say
// "Asia/Tokyo" rather than "Local": from TZ, else from where /etc/localtime
// links into the zone database. A system in UTC gets time.UTC. When the
// name cannot be found, time.Local is returned as it is.
func localZone(getenv func(string) string, readlink func(string) (string, error)) *time.Location {
	tz, set := getenv("TZ"), false
	if tz != "" {
		set = true
	}
	if tz = strings.TrimPrefix(tz, ":"); set && tz != "" && !strings.HasPrefix(tz, "/") {
		if loc, err := time.LoadLocation(tz); err == nil {
			return namedUTC(loc)
		}
	}
	if !set {
		if target, err := readlink("/etc/localtime"); err == nil {
			if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
				if loc, err := time.LoadLocation(name); err == nil {
					return namedUTC(loc)
				}
			}
		}
	}
	return namedUTC(time.Local)
}

// namedUTC returns time.UTC for a zone that is UTC under another name
// (Etc/UTC, Etc/UCT, a Local without offsets), else loc.
func namedUTC(loc *time.Location) *time.Location {
	switch loc.String() {
	case "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "Etc/GMT", "GMT":
		return time.UTC
	}
	if loc == time.Local {
		jan := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
		jul := time.Date(2026, 7, 1, 0, 0, 0, 0, loc)
		if n, off := jan.Zone(); off == 0 && n == "UTC" {
			if _, off2 := jul.Zone(); off2 == 0 {
				return time.UTC
			}
		}
	}
	return loc
}
