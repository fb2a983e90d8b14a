package collect

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 34, 56, 0, time.UTC)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		name, since, from, to string
		loc                   *time.Location
		wantFrom, wantTo      time.Time
		err                   string
	}{
		{"since days", "7d", "", "", time.UTC, now.Truncate(time.Minute).Add(-7 * 24 * time.Hour), now.Truncate(time.Minute), ""},
		{"since hours", "24h", "", "", time.UTC, now.Truncate(time.Minute).Add(-24 * time.Hour), now.Truncate(time.Minute), ""},
		{"from to", "", "2026-11-18T00:00:00Z", "2026-11-25T00:00:00+09:00", time.UTC,
			time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC), ""},
		{"dates in the display zone", "", "2026-11-18", "2026-11-19", tokyo,
			time.Date(2026, 11, 17, 15, 0, 0, 0, time.UTC), time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC), ""},
		{"bad since", "7x", "", "", time.UTC, time.Time{}, time.Time{}, "--since"},
		{"negative since", "-1d", "", "", time.UTC, time.Time{}, time.Time{}, "--since"},
		{"from without to", "", "2026-11-18T00:00:00Z", "", time.UTC, time.Time{}, time.Time{}, "--from and --to"},
		{"bad time", "", "yesterday", "2026-11-19T00:00:00Z", time.UTC, time.Time{}, time.Time{}, "--from \"yesterday\""},
		{"reversed", "", "2026-11-19T00:00:00Z", "2026-11-18T00:00:00Z", time.UTC, time.Time{}, time.Time{}, "empty"},
		{"both", "7d", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z", time.UTC, time.Time{}, time.Time{}, "cannot be combined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ParseWindow(c.since, c.from, c.to, c.loc, now)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one mentioning %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.From.Equal(c.wantFrom) || !w.To.Equal(c.wantTo) {
				t.Errorf("window = %s … %s, want %s … %s", w.From, w.To, c.wantFrom, c.wantTo)
			}
		})
	}
}

func TestLoadLocation_BadZone(t *testing.T) {
	if _, err := LoadLocation("Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "--tz") {
		t.Errorf("err = %v, want a --tz error", err)
	}
}

// TestLocalZone_IsNamed checks that --tz local gets the system zone's
// IANA name, never "Local": from TZ, else from /etc/localtime's link.
func TestLocalZone_IsNamed(t *testing.T) {
	env := func(tz string) func(string) string {
		return func(k string) string {
			if k == "TZ" {
				return tz
			}
			return ""
		}
	}
	link := func(target string) func(string) (string, error) {
		return func(string) (string, error) {
			if target == "" {
				return "", os.ErrNotExist
			}
			return target, nil
		}
	}
	cases := []struct {
		name, tz, link, want string
	}{
		{"TZ names the zone", "Asia/Tokyo", "/usr/share/zoneinfo/Europe/Paris", "Asia/Tokyo"},
		{"TZ with a colon", ":Europe/Paris", "", "Europe/Paris"},
		{"the link names the zone", "", "/usr/share/zoneinfo/America/New_York", "America/New_York"},
		{"Etc/UTC is UTC", "", "/usr/share/zoneinfo/Etc/UTC", "UTC"},
		{"macOS link", "", "/var/db/timezone/zoneinfo/Asia/Tokyo", "Asia/Tokyo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := localZone(env(c.tz), link(c.link)).String(); got != c.want {
				t.Errorf("zone %q, want %q", got, c.want)
			}
		})
	}
}
