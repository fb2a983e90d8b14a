package probe

import (
	"cmp"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// CauseOf is the cause of one failed attempt, from its error class and
// status: a Cause* ID, or "" when no cause names the failure (an HTTP 400,
// a canceled attempt) or the attempt succeeded.
func CauseOf(a Attempt) Outcome {
	if a.OK {
		return ""
	}
	switch a.ErrorClass {
	case ClassHTTPStatus:
		switch {
		case a.Status == http.StatusNotFound || a.Status == http.StatusGone:
			return CauseURLNotFound
		case a.Status == http.StatusMethodNotAllowed:
			return CauseMethodNotAllowed
		case a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden:
			return CauseAuthRequired
		case a.Status >= 500:
			return CauseServerError
		}
	case ClassReadTimeout, ClassTotalTimeout:
		return CauseTooSlow
	case ClassContentType:
		return CauseContentType
	case ClassBodyTooLarge:
		return CauseBodyTooLarge
	case ClassBadRedirect:
		return CauseRedirectUnfollowed
	case ClassRedirectLoop:
		return CauseRedirectLoop
	case ClassClosed, ClassProtocol:
		// Twilio reports both as the connection ending without a valid
		// answer (11206/11200).
		return CauseConnectionClosed
	case ClassRefused:
		return CauseConnectRefused
	case ClassConnectTimeout, ClassConnect:
		return CauseConnectTimeout
	case ClassDNS:
		return CauseDNSNoSuchHost
	case ClassTLSExpired:
		return CauseTLSExpired
	case ClassTLSName:
		return CauseTLSNameMismatch
	case ClassTLSIncomplete:
		return CauseTLSIncompleteChain
	case ClassTLSUnknownCA:
		return CauseTLSUntrusted
	case ClassTLS:
		return CauseTLSHandshake
	}
	return ""
}

// factsOf picks the most frequent cause among the failed attempts (by
// class when no cause names them; ties go to the first seen) and gathers
// its figures from the attempts that failed with it.
func factsOf(attempts []Attempt) Facts {
	type group struct {
		first int
		list  []Attempt
	}
	groups := map[string]*group{}
	for i, a := range attempts {
		if a.OK {
			continue
		}
		key := string(CauseOf(a))
		if key == "" {
			key = "class:" + string(a.ErrorClass)
		}
		g, ok := groups[key]
		if !ok {
			g = &group{first: i}
			groups[key] = g
		}
		g.list = append(g.list, a)
	}
	var best *group
	for _, g := range groups {
		if best == nil || len(g.list) > len(best.list) || len(g.list) == len(best.list) && g.first < best.first {
			best = g
		}
	}
	if best == nil {
		return Facts{}
	}
	list := best.list
	a := list[0]
	f := Facts{Cause: CauseOf(a), Class: a.ErrorClass, TwilioCode: a.TwilioCode, CauseFailures: len(list)}
	switch f.Cause {
	case CauseURLNotFound, CauseAuthRequired, CauseServerError:
		f.Status = mostStatus(list)
	case CauseMethodNotAllowed:
		f.Status, f.Method, f.Allow = http.StatusMethodNotAllowed, a.Method, a.Allow
	case CauseTooSlow:
		f.slowness(list)
	case CauseContentType, CauseBodyTooLarge:
		f.Status, f.BodyBytes = a.Status, a.BodyBytes
		for _, x := range list {
			f.BodyBytes = max(f.BodyBytes, x.BodyBytes)
		}
	case CauseRedirectUnfollowed:
		f.Status, f.Location = a.Status, a.Location
	case CauseRedirectLoop:
		f.Redirects = len(a.Redirects)
		if n := len(a.Redirects); n > 0 {
			f.Location = a.Redirects[n-1]
		}
	case CauseConnectRefused, CauseConnectTimeout:
		f.Address = a.Address
		if f.Cause == CauseConnectTimeout && a.ConnectTimeoutMs > 0 {
			f.TimeoutSeconds = a.ConnectTimeoutMs / 1000
			f.Override = override("ct", a.ConnectTimeoutMs, DefaultConnectTimeout)
		}
	case CauseTLSExpired:
		f.NotAfter = notAfter(a)
	case CauseTLSNameMismatch:
		if len(a.Certificates) > 0 {
			f.Names = a.Certificates[0].SANs
		}
	case CauseTLSIncompleteChain, CauseTLSUntrusted:
		f.Issuer, f.IssuerURL, f.IssuerFetched = a.MissingIssuer, a.IssuerURL, a.IssuerFetched
		if c := a.Certificates; len(c) > 0 && f.Issuer == "" {
			f.Issuer = c[len(c)-1].Issuer
			f.SelfSigned = len(c) == 1 && c[0].Subject == c[0].Issuer
		}
	}
	if f.Cause == "" && a.ErrorClass == ClassHTTPStatus {
		f.Status = mostStatus(list)
	}
	return f
}

// slowness fills the figures of app_too_slow: which timeout was passed,
// whether the fragment set it, and how long the server took (the median
// of the late answers) or waited in vain for.
func (f *Facts) slowness(list []Attempt) {
	a := list[0]
	// A history recorded before the total timeout was kept lacks it.
	tt := cmp.Or(a.TotalTimeoutMs, float64(DefaultTotalTimeout.Milliseconds()))
	rt := cmp.Or(a.ReadTimeoutMs, float64(DefaultReadTimeout.Milliseconds()))
	if a.ErrorClass == ClassTotalTimeout {
		f.TimeoutSeconds, f.Override = tt/1000, override("tt", tt, DefaultTotalTimeout)
	} else {
		f.TimeoutSeconds, f.Override = rt/1000, override("rt", rt, DefaultReadTimeout)
	}
	var answered, waited []float64
	for _, x := range list {
		switch {
		case x.ErrorClass == ClassTotalTimeout && x.Phases.TTFB > 0:
			answered = append(answered, x.Phases.Total)
		case x.Phases.Processing > 0:
			answered = append(answered, x.Phases.Processing)
		default:
			waited = append(waited, x.Phases.Total)
		}
	}
	if len(answered) > 0 {
		f.Seconds = round1(stat(answered).P50 / 1000)
		return
	}
	sort.Float64s(waited)
	f.Unanswered = true
	if len(waited) > 0 {
		f.Seconds = round1(waited[0] / 1000)
	}
}

// override is the fragment setting "key=ms" when ms differs from Twilio's
// default, else "".
func override(key string, ms float64, def time.Duration) string {
	if ms <= 0 || ms == float64(def.Milliseconds()) {
		return ""
	}
	return key + "=" + strconv.FormatFloat(ms, 'f', -1, 64)
}

func mostStatus(list []Attempt) int {
	count := map[int]int{}
	best := 0
	for _, a := range list {
		count[a.Status]++
		if best == 0 || count[a.Status] > count[best] || count[a.Status] == count[best] && a.Status < best {
			best = a.Status
		}
	}
	return best
}

// notAfter is the leaf certificate's expiry; a history row keeps only the
// days left, which date it to the day.
func notAfter(a Attempt) time.Time {
	if len(a.Certificates) == 0 {
		return time.Time{}
	}
	c := a.Certificates[0]
	if !c.NotAfter.IsZero() {
		return c.NotAfter
	}
	return a.Time.AddDate(0, 0, c.DaysToExpiry).Truncate(24 * time.Hour)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
