package probe

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseTarget feeds arbitrary webhook URLs with override fragments: no
// panic, and an accepted URL has settings inside Twilio's documented ranges
// and never sends its fragment on the wire.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"https://ivr.example.com/voice#ct=1000&rt=2000&tt=3000&rc=2&rp=ct,5xx&e=tokyo&sni=n",
		"https://u:p@h.example:8443/x?y=1#rc=5&rp=all&e=sydney-ix",
		"http://h/#ct=99", "https://h/#tt=15001", "https://h/#rp=bogus", "https://h/#e=us1",
		"https://h/#ct=&rt=%zz", "https://[::1]:99999/", "ftp://h/", "https://h/#" + strings.Repeat("ct=1&", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tg, err := ParseTarget(raw)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error")
			}
			return
		}
		o := tg.Overrides
		in := func(d time.Duration, lo, hi int) bool {
			return d >= time.Duration(lo)*time.Millisecond && d <= time.Duration(hi)*time.Millisecond
		}
		if !in(o.ConnectTimeout, 100, 10000) || !in(o.ReadTimeout, 100, 15000) || !in(o.TotalTimeout, 100, 15000) {
			t.Errorf("%q: timeouts out of range: %+v", raw, o)
		}
		if o.RetryCount < 0 || o.RetryCount > 5 {
			t.Errorf("%q: retry count %d", raw, o.RetryCount)
		}
		if tg.URL == nil || tg.URL.Fragment != "" || tg.URL.RawFragment != "" {
			t.Errorf("%q: the requested URL keeps a fragment: %v", raw, tg.URL)
		}
		if strings.Contains(tg.String(), "#") {
			t.Errorf("%q: String() %q holds a fragment", raw, tg.String())
		}
		_ = tg.HostPort()
	})
}
