package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/collect/twiliocodes"
)

// statusCause is the cause of an HTTP error status the webhook answered.
func statusCause(status int) Cause {
	switch status {
	case 404, 410:
		return CauseURLNotFound
	case 405:
		return CauseMethodNotAllowed
	case 401, 403:
		return CauseAuthRequired
	}
	return CauseAppServerError
}

// codeCause is what one incident's code and status say: one cause, or two
// that the code cannot tell apart. The code's own causes are the table's
// (twiliocodes); for an HTTP error the status decides: a 502/503/504 is
// sent by a proxy when the application behind it fails or cannot be
// reached, and 11200 without a status is any failure to get an answer.
func codeCause(inc collect.Incident) (one Cause, pair [2]Cause) {
	e, ok := twiliocodes.Lookup(inc.ErrorCode)
	if !ok {
		return "", pair
	}
	switch len(e.Causes) {
	case 1:
		return Cause(e.Causes[0]), pair
	case 2:
		return "", [2]Cause{Cause(e.Causes[0]), Cause(e.Causes[1])}
	}
	if e.Class != twiliocodes.ClassHTTP {
		return "", pair
	}
	switch s := inc.HTTPStatus; {
	case s == 502 || s == 503 || s == 504:
		return "", [2]Cause{CauseAppServerError, CausePathLoadBalancer}
	case s >= 400:
		return statusCause(s), pair
	case e.Code == twiliocodes.HTTPRetrievalFailure:
		return "", [2]Cause{CauseConnectionClosed, CauseOutsideNetwork}
	}
	return "", pair
}

// detectCodes claims the group's incidents by their error codes and HTTP
// statuses, the evidence every bundle has: a code that names one cause is
// medium evidence for it; a code that names two is low evidence for both,
// which other evidence decides.
func detectCodes(d *diag, g *group) {
	type tally struct {
		inc   map[int]bool
		codes map[string]int
	}
	byCause := map[Cause]*tally{}
	var order []Cause
	note := func(c Cause, i int) {
		t, ok := byCause[c]
		if !ok {
			t = &tally{inc: map[int]bool{}, codes: map[string]int{}}
			byCause[c] = t
			order = append(order, c)
		}
		t.inc[i] = true
		inc := d.ev.Incidents[i]
		key := inc.ErrorCode
		if inc.HTTPStatus != 0 {
			key += " (HTTP " + strconv.Itoa(inc.HTTPStatus) + ")"
		}
		t.codes[key]++
	}
	type pairTally struct {
		pair [2]Cause
		inc  map[int]bool
		code map[string]int
	}
	pairs := map[[2]Cause]*pairTally{}
	var pairOrder [][2]Cause
	for _, i := range g.inc {
		one, pair := codeCause(d.ev.Incidents[i])
		switch {
		case one != "":
			note(one, i)
		case pair[0] != "":
			pt, ok := pairs[pair]
			if !ok {
				pt = &pairTally{pair: pair, inc: map[int]bool{}, code: map[string]int{}}
				pairs[pair] = pt
				pairOrder = append(pairOrder, pair)
			}
			pt.inc[i] = true
			inc := d.ev.Incidents[i]
			key := inc.ErrorCode
			if inc.HTTPStatus != 0 {
				key += " (HTTP " + strconv.Itoa(inc.HTTPStatus) + ")"
			}
			pt.code[key]++
		}
	}
	total := len(g.inc)
	for _, c := range order {
		t := byCause[c]
		cl := &claim{cause: c, conf: ConfidenceMedium, where: whereOf(c, g), inc: t.inc, figs: codeFigures(d, g, c, t.inc), fromCodes: true,
			proof: []Proof{proof("proof.codes", IncidentsFile, "count", len(t.inc), "total", total, "codes", codeList(t.codes))}}
		g.add(cl)
	}
	for _, p := range pairOrder {
		pt := pairs[p]
		for k, c := range pt.pair {
			g.add(&claim{cause: c, conf: ConfidenceLow, where: whereOf(c, g), inc: copySet(pt.inc), figs: codeFigures(d, g, c, pt.inc),
				fromCodes: true, alt: pt.pair[1-k],
				proof: []Proof{proof("proof.codes", IncidentsFile, "count", len(pt.inc), "total", total, "codes", codeList(pt.code))}})
		}
	}
}

func copySet(m map[int]bool) map[int]bool {
	out := make(map[int]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// whereOf is where a cause is said to be for group g before a detector
// names it better: the URL for the application's causes, the host for the
// connection's.
func whereOf(c Cause, g *group) string {
	switch c {
	case CauseURLNotFound, CauseMethodNotAllowed, CauseAuthRequired, CauseRedirectLoop, CauseRedirectUnfollowed,
		CauseAppServerError, CauseAppTooSlow, CauseAppContentType, CauseAppBodyTooLarge, CauseAppInvalidTwiML,
		CauseOverrideInvalid, CauseFallbackMissing, CauseFallbackSameHost, CauseFallbackFailing:
		if g.url != "" {
			return g.url
		}
	case CausePathLoadBalancer:
		return "" // named by the evidence that names the component
	}
	return g.host
}

// codeFigures are the headline figures the codes alone give for cause c.
func codeFigures(d *diag, g *group, c Cause, inc map[int]bool) map[string]any {
	f := map[string]any{"url": g.url, "host": g.host}
	statuses := map[int]int{}
	codes := map[string]int{}
	method := ""
	for i := range inc {
		in := d.ev.Incidents[i]
		if in.HTTPStatus != 0 {
			statuses[in.HTTPStatus]++
		}
		codes[in.ErrorCode]++
		if method == "" {
			method = in.Method
		}
	}
	switch c {
	case CauseURLNotFound, CauseAuthRequired:
		f["status"] = topStatus(statuses)
		f["changed"] = ""
	case CauseMethodNotAllowed:
		if method == "" {
			method = "POST"
		}
		f["method"], f["allow"] = method, ""
	case CauseAppServerError:
		f["statuses"] = statusList(statuses)
	case CauseAppTooSlow:
		f["limit"], f["needed"], f["override"] = "15", "", ""
	case CauseAppContentType:
		f["content_type"] = ""
	case CauseAppBodyTooLarge:
		f["kb"] = ""
	case CauseAppInvalidTwiML:
		f["codes"] = strings.Join(sortedKeys(codes), ", ")
	case CauseTLSExpired:
		f["not_after"], f["at_expiry"] = "", false
	case CauseTLSNameMismatch:
		f["names"] = ""
	case CauseTLSIncompleteChain, CauseTLSUntrusted:
		f["issuer"] = ""
	case CauseRedirectUnfollowed:
		f["status"] = ""
	case CauseRedirectLoop:
		f["redirects"] = ""
	case CauseConnectRefused, CauseConnectTimeout:
		f["address"] = ""
	case CauseOverrideInvalid:
		f["key"], f["value"] = "", ""
	case CausePathLoadBalancer:
		f["component"], f["status"], f["basis"] = g.host, statusList(statuses), "codes"
	case CauseOutsideNetwork:
		f["first"], f["answers"] = "", g.probeOK
	}
	return f
}

// statusList is the statuses, most frequent first: "500, 503".
func statusList(m map[int]int) string {
	var codes []int
	for c := range m {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if m[codes[i]] != m[codes[j]] {
			return m[codes[i]] > m[codes[j]]
		}
		return codes[i] < codes[j]
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ", ")
}

// topStatus is the most frequent status.
func topStatus(m map[int]int) int {
	best, n := 0, 0
	for s, c := range m {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// codeList is "11217 (HTTP 500) ×12, 12300 ×3", most frequent first.
func codeList(m map[string]int) string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
