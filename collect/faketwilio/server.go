// Package faketwilio is an in-process fake of the parts of the Twilio REST API
// that twilio-evidence reads: Monitor v1 (Alerts, Events), API v2010
// (Accounts, IncomingPhoneNumbers, Applications, Usage Records, Notifications,
// Call Events) and Messaging v1 (Services). It speaks Twilio's real envelopes:
// v1 pages carry an absolute meta.next_page_url and ISO 8601 dates, v2010
// pages a relative next_page_uri and RFC 2822 dates, errors are
// {"code","message","more_info","status"} and throttling is a 429 with
// Retry-After. Tests and the built-in demo reach it through a transport that
// rewrites Twilio's host names (collect.APIConfig.BaseURL).
package faketwilio

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AlertSource holds the alerts of one account, newest first (the order the
// Monitor API returns them in). A slice or a generator both work.
type AlertSource interface {
	Len() int
	At(i int) Alert
}

// Alerts is an AlertSource backed by a slice.
type Alerts []Alert

// Len implements AlertSource.
func (a Alerts) Len() int { return len(a) }

// At implements AlertSource.
func (a Alerts) At(i int) Alert { return a[i] }

// AccountData is everything the fake serves for one account.
type AccountData struct {
	Account       Account
	Alerts        AlertSource
	Numbers       []IncomingPhoneNumber
	Applications  []Application
	Services      []MessagingService
	Usage         []UsageRecord
	Notifications []Notification
	CallEvents    map[string][]CallEvent
	Events        []MonitorEvent
	// AlertsUnavailable makes the Monitor API answer 404 for this account, as
	// it does for accounts outside its region.
	AlertsUnavailable bool

	alertIndex map[string]int
}

// Fault makes requests whose path starts with PathPrefix fail. Times bounds how
// many requests fail (0 = every one).
type Fault struct {
	PathPrefix string
	Status     int
	RetryAfter string
	// Stall delays the answer; Drop closes the connection without an answer.
	Stall time.Duration
	Drop  bool
	Times int
	// After lets the first After matching requests through before the
	// fault starts (a list that fails on its second page).
	After int
	// Chance, when above 0, makes the fault hit only that fraction of the
	// matching requests, drawn from the server's seeded generator (Seed).
	Chance  float64
	seen    int
	matched int
}

// Server is a running fake Twilio API.
type Server struct {
	*httptest.Server

	opts     Options
	mu       sync.Mutex
	accounts map[string]*AccountData
	creds    map[string]string
	faults   []*Fault
	requests map[string]int
	// answered counts by path the requests whose answer was written.
	answered map[string]int
	rng      *rand.Rand
	// conns counts the connections accepted, total the requests; inFlight
	// the requests being answered, peak its highest value; throttled the
	// 429s of MaxInFlight.
	conns, total, inFlight, peak, throttled int
}

// Options say how the fake's network behaves.
type Options struct {
	// RTT is the simulated round trip: every answer is held for one RTT,
	// and the first answer on a new connection for two more (the TCP and
	// TLS handshakes a real client waits for).
	RTT time.Duration
	// TLS serves HTTPS with httptest's certificate for 127.0.0.1 (see
	// Server.Certificate); HTTP2 offers HTTP/2 on it as well as HTTP/1.1.
	TLS, HTTP2 bool
	// MaxInFlight, above 0, answers 429 (Twilio's code 20429) to every
	// request that arrives while MaxInFlight requests are being answered,
	// as Twilio does past an account's concurrency limit.
	MaxInFlight int
}

// New starts a fake API on 127.0.0.1. creds maps usernames (account SIDs or
// API key SIDs) to their secrets.
func New(creds map[string]string, accounts ...*AccountData) *Server {
	return NewWith(Options{}, creds, accounts...)
}

// NewWith starts a fake API on 127.0.0.1 whose network behaves as o says.
func NewWith(o Options, creds map[string]string, accounts ...*AccountData) *Server {
	s := &Server{opts: o, accounts: map[string]*AccountData{}, creds: creds, requests: map[string]int{}, answered: map[string]int{}}
	for _, a := range accounts {
		s.accounts[a.Account.Sid] = a
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.Server.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, &connInfo{})
	}
	if o.TLS {
		s.Server.EnableHTTP2 = o.HTTP2
		s.Server.StartTLS()
	} else {
		s.Server.Start()
	}
	return s
}

// connKey holds a request's *connInfo in its context.
type connKey struct{}

// connInfo is what the fake knows of one connection.
type connInfo struct {
	mu   sync.Mutex
	used bool
}

// firstAnswer reports whether r is the first request answered on its
// connection.
func firstAnswer(r *http.Request) bool {
	ci, ok := r.Context().Value(connKey{}).(*connInfo)
	if !ok {
		return false
	}
	ci.mu.Lock()
	defer ci.mu.Unlock()
	first := !ci.used
	ci.used = true
	return first
}

// Connections reports how many connections clients opened to the fake.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// PeakInFlight reports the most requests the fake was answering at once.
func (s *Server) PeakInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Throttled reports how many requests MaxInFlight answered with a 429.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Certificate returns the PEM of the certificate a TLS fake serves, for a
// client to trust (SSL_CERT_FILE); nil without TLS.
func (s *Server) Certificate() []byte {
	if s.Server.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Server.Certificate().Raw})
}

// network plays the simulated network: it holds the answer for the round
// trips and counts the request in flight until done is called. It reports
// false when the request is refused for MaxInFlight (answered already) or
// the client went away.
func (s *Server) network(w http.ResponseWriter, r *http.Request) (done func(), ok bool) {
	s.mu.Lock()
	s.total++
	s.inFlight++
	n := s.inFlight
	s.peak = max(s.peak, n)
	throttle := s.opts.MaxInFlight > 0 && n > s.opts.MaxInFlight
	if throttle {
		s.throttled++
	}
	s.mu.Unlock()
	done = func() {
		s.mu.Lock()
		s.inFlight--
		s.answered[r.URL.Path]++
		s.mu.Unlock()
	}
	wait := s.opts.RTT
	if firstAnswer(r) {
		wait += 2 * s.opts.RTT
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return func() { // gone: nothing answered
				s.mu.Lock()
				s.inFlight--
				s.mu.Unlock()
			}, false
		}
	}
	if throttle {
		restError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return done, false
	}
	return done, true
}

// AddFault installs a fault; faults are checked in the order added.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// TotalRequests reports how many requests reached the fake, those refused
// for MaxInFlight included.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Requests reports how many requests reached paths starting with prefix.
func (s *Server) Requests(prefix string) int {
	return s.countUnder(s.requests, prefix)
}

// Answered reports how many requests to paths starting with prefix were
// answered: counted as the handler returns, before the client can have
// read the end of the answer.
func (s *Server) Answered(prefix string) int {
	return s.countUnder(s.answered, prefix)
}

// countUnder sums the counts of the paths in m that start with prefix.
func (s *Server) countUnder(m map[string]int, prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range m {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// restError writes Twilio's error envelope.
func restError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status,
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	var hit *Fault
	for _, f := range s.faults {
		if strings.HasPrefix(r.URL.Path, f.PathPrefix) && (f.Times == 0 || f.seen < f.Times) {
			if f.matched++; f.matched <= f.After || (f.Chance > 0 && !s.roll(f.Chance)) {
				continue
			}
			f.seen++
			c := *f
			hit = &c
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	if hit.Stall > 0 {
		select {
		case <-time.After(hit.Stall):
		case <-r.Context().Done():
			return true
		}
	}
	if hit.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				conn.Close()
				return true
			}
		}
	}
	if hit.Status == 0 {
		return false
	}
	if hit.RetryAfter != "" {
		w.Header().Set("Retry-After", hit.RetryAfter)
	}
	msg := http.StatusText(hit.Status)
	code := 20500
	if hit.Status == http.StatusTooManyRequests {
		code, msg = 20429, "Too Many Requests"
	}
	restError(w, hit.Status, code, msg)
	return true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	done, ok := s.network(w, r)
	defer done()
	if !ok {
		return
	}
	if s.fault(w, r) {
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || !s.authorized(user, pass) {
		restError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.Method != http.MethodGet {
		restError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	product, _, _ := strings.Cut(r.Host, ".")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch product {
	case "api":
		s.serveAPI(w, r, parts)
	case "monitor":
		s.serveMonitor(w, r, parts)
	case "messaging":
		s.serveMessaging(w, r, parts)
	default:
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

// authorized checks Basic credentials: a known user with its secret, or a
// subaccount SID with its parent's secret (as Twilio accepts).
func (s *Server) authorized(user, pass string) bool {
	if p, ok := s.creds[user]; ok {
		return p != "" && p == pass
	}
	if a := s.account(user); a != nil && a.Account.OwnerAccountSid != "" {
		p, ok := s.creds[a.Account.OwnerAccountSid]
		return ok && p != "" && p == pass
	}
	return false
}

// account finds the data for sid; the first account when sid is empty.
func (s *Server) account(sid string) *AccountData {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sid != "" {
		return s.accounts[sid]
	}
	keys := make([]string, 0, len(s.accounts))
	for k := range s.accounts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s.accounts[k].Account.OwnerAccountSid == k || s.accounts[k].Account.OwnerAccountSid == "" {
			return s.accounts[k]
		}
	}
	return nil
}

// alertIndex maps alert SIDs to their index in a's alerts, built once.
func (s *Server) alertIndex(a *AccountData) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.alertIndex == nil {
		a.alertIndex = map[string]int{}
		for i := 0; a.Alerts != nil && i < a.Alerts.Len(); i++ {
			a.alertIndex[a.Alerts.At(i).Sid] = i
		}
	}
	return a.alertIndex
}

// accountForV1 picks the account a v1 request is about: the one whose SID is
// the username, or the account of an API key.
func (s *Server) accountForV1(r *http.Request) *AccountData {
	user, _, _ := r.BasicAuth()
	if strings.HasPrefix(user, "AC") {
		return s.account(user)
	}
	return s.account("")
}

// page is one page of a list: the offset and size asked for.
type page struct {
	number, size, offset int
}

func readPage(q url.Values, def int) page {
	p := page{size: def}
	if v, err := strconv.Atoi(q.Get("PageSize")); err == nil && v > 0 {
		p.size = min(v, 1000)
	}
	if v, err := strconv.Atoi(q.Get("Page")); err == nil && v >= 0 {
		p.number = v
	}
	p.offset = p.number * p.size
	if tok := q.Get("PageToken"); strings.HasPrefix(tok, "PA") {
		if v, err := strconv.Atoi(tok[2:]); err == nil && v >= 0 {
			p.offset = v
		}
	}
	return p
}

// nextQuery is the query of the page after p, or "" when p is the last.
func nextQuery(q url.Values, p page, total int) string {
	if p.offset+p.size >= total {
		return ""
	}
	n := url.Values{}
	for k, v := range q {
		n[k] = v
	}
	n.Set("PageSize", strconv.Itoa(p.size))
	n.Set("Page", strconv.Itoa(p.number+1))
	n.Set("PageToken", "PA"+strconv.Itoa(p.offset+p.size))
	return n.Encode()
}

// v2010Page writes a v2010 list envelope with its relative next_page_uri.
func v2010Page[T any](w http.ResponseWriter, r *http.Request, key string, items []T) {
	q := r.URL.Query()
	p := readPage(q, 50)
	lo := min(p.offset, len(items))
	hi := min(lo+p.size, len(items))
	self := r.URL.Path + "?" + q.Encode()
	var next any
	if nq := nextQuery(q, p, len(items)); nq != "" {
		next = r.URL.Path + "?" + nq
	}
	first := url.Values{}
	first.Set("PageSize", strconv.Itoa(p.size))
	first.Set("Page", "0")
	page := items[lo:hi]
	if page == nil {
		page = []T{}
	}
	writeJSON(w, map[string]any{
		key:                 page,
		"end":               max(hi-1, 0),
		"first_page_uri":    r.URL.Path + "?" + first.Encode(),
		"next_page_uri":     next,
		"page":              p.number,
		"page_size":         p.size,
		"previous_page_uri": nil,
		"start":             lo,
		"uri":               self,
	})
}

// v1Page writes a v1 list envelope with its absolute meta.next_page_url.
func v1Page[T any](w http.ResponseWriter, r *http.Request, host, key string, total int, at func(i int) T) {
	q := r.URL.Query()
	p := readPage(q, 50)
	lo := min(p.offset, total)
	hi := min(lo+p.size, total)
	items := make([]T, 0, hi-lo)
	for i := lo; i < hi; i++ {
		items = append(items, at(i))
	}
	base := "https://" + host + r.URL.Path
	var next any
	if nq := nextQuery(q, p, total); nq != "" {
		next = base + "?" + nq
	}
	writeJSON(w, map[string]any{
		key: items,
		"meta": map[string]any{
			"first_page_url":    base + "?PageSize=" + strconv.Itoa(p.size) + "&Page=0",
			"key":               key,
			"next_page_url":     next,
			"page":              p.number,
			"page_size":         p.size,
			"previous_page_url": nil,
			"url":               base + "?" + q.Encode(),
		},
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, parts []string) {
	// 2010-04-01 / Accounts[.json] / {AC}[.json] / …
	if len(parts) < 2 || parts[0] != "2010-04-01" {
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	if len(parts) == 2 && parts[1] == "Accounts.json" {
		s.listAccounts(w, r)
		return
	}
	if len(parts) < 3 || parts[1] != "Accounts" {
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	sid := strings.TrimSuffix(parts[2], ".json")
	a := s.account(sid)
	if a == nil {
		restError(w, http.StatusNotFound, 20404, "The requested resource /2010-04-01/Accounts/"+sid+".json was not found")
		return
	}
	rest := strings.Join(parts[3:], "/")
	switch {
	case rest == "":
		writeJSON(w, a.Account)
	case rest == "IncomingPhoneNumbers.json":
		v2010Page(w, r, "incoming_phone_numbers", a.Numbers)
	case rest == "Applications.json":
		v2010Page(w, r, "applications", a.Applications)
	case rest == "Usage/Records/Daily.json":
		v2010Page(w, r, "usage_records", usageFor(a.Usage, r.URL.Query()))
	case rest == "Notifications.json":
		v2010Page(w, r, "notifications", notificationsFor(a.Notifications, r.URL.Query()))
	case strings.HasPrefix(rest, "Notifications/") && strings.HasSuffix(rest, ".json"):
		serveNotification(w, a.Notifications, strings.TrimSuffix(strings.TrimPrefix(rest, "Notifications/"), ".json"))
	case strings.HasPrefix(rest, "Calls/") && strings.HasSuffix(rest, "/Events.json"):
		call := strings.TrimSuffix(strings.TrimPrefix(rest, "Calls/"), "/Events.json")
		v2010Page(w, r, "events", a.CallEvents[call])
	default:
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	user, _, _ := r.BasicAuth()
	s.mu.Lock()
	var list []Account
	for _, a := range s.accounts {
		if a.Account.Sid == user || a.Account.OwnerAccountSid == user {
			list = append(list, a.Account)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Sid < list[j].Sid })
	v2010Page(w, r, "accounts", list)
}

func usageFor(all []UsageRecord, q url.Values) []UsageRecord {
	var out []UsageRecord
	for _, u := range all {
		if c := q.Get("Category"); c != "" && u.Category != c {
			continue
		}
		if d := q.Get("StartDate"); d != "" && u.StartDate < d {
			continue
		}
		if d := q.Get("EndDate"); d != "" && u.StartDate > d {
			continue
		}
		out = append(out, u)
	}
	return out
}

func notificationsFor(all []Notification, q url.Values) []Notification {
	from, to := q.Get("MessageDate>"), q.Get("MessageDate<")
	var out []Notification
	for _, n := range all {
		t, err := time.Parse(RFC2822, n.MessageDate)
		if err != nil {
			continue
		}
		d := t.UTC().Format("2006-01-02")
		if (from != "" && d < from) || (to != "" && d > to) {
			continue
		}
		out = append(out, n.listView())
	}
	return out
}

func (s *Server) serveMonitor(w http.ResponseWriter, r *http.Request, parts []string) {
	a := s.accountForV1(r)
	if a == nil || len(parts) < 2 || parts[0] != "v1" {
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	switch {
	case parts[1] == "Alerts" && a.AlertsUnavailable:
		restError(w, http.StatusNotFound, 20404, "The requested resource /v1/Alerts was not found")
	case parts[1] == "Alerts" && len(parts) == 2:
		s.listAlerts(w, r, a)
	case parts[1] == "Alerts" && len(parts) == 3:
		if i, ok := s.alertIndex(a)[parts[2]]; ok {
			writeJSON(w, a.Alerts.At(i))
			return
		}
		restError(w, http.StatusNotFound, 20404, "The requested resource /v1/Alerts/"+parts[2]+" was not found")
	case parts[1] == "Events" && len(parts) == 2:
		from, to := timeParam(r, "StartDate"), timeParam(r, "EndDate")
		var list []MonitorEvent
		for _, e := range a.Events {
			if (from.IsZero() || !e.Date.Before(from)) && (to.IsZero() || !e.Date.After(to)) {
				list = append(list, e)
			}
		}
		v1Page(w, r, r.Host, "events", len(list), func(i int) MonitorEvent { return list[i] })
	default:
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

func timeParam(r *http.Request, name string) time.Time {
	v := r.URL.Query().Get(name)
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// listAlerts serves alerts between StartDate and EndDate (inclusive, as
// Twilio does), newest first.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, a *AccountData) {
	src := a.Alerts
	if src == nil {
		src = Alerts(nil)
	}
	from, to := timeParam(r, "StartDate"), timeParam(r, "EndDate")
	n := src.Len()
	// Newest first: the first index at or before `to`, the first before `from`.
	lo := 0
	if !to.IsZero() {
		lo = sort.Search(n, func(i int) bool { return !src.At(i).Generated.After(to) })
	}
	hi := n
	if !from.IsZero() {
		hi = sort.Search(n, func(i int) bool { return src.At(i).Generated.Before(from) })
	}
	level := strings.ToLower(r.URL.Query().Get("LogLevel"))
	if level == "" {
		v1Page(w, r, r.Host, "alerts", max(hi-lo, 0), func(i int) Alert { return src.At(lo + i).listView() })
		return
	}
	var idx []int
	for i := lo; i < hi; i++ {
		if src.At(i).LogLevel == level {
			idx = append(idx, i)
		}
	}
	v1Page(w, r, r.Host, "alerts", len(idx), func(i int) Alert { return src.At(idx[i]).listView() })
}

func (s *Server) serveMessaging(w http.ResponseWriter, r *http.Request, parts []string) {
	a := s.accountForV1(r)
	if a == nil || len(parts) < 2 || parts[0] != "v1" || parts[1] != "Services" {
		restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	switch len(parts) {
	case 2:
		v1Page(w, r, r.Host, "services", len(a.Services), func(i int) MessagingService { return a.Services[i] })
		return
	case 4:
		if parts[3] != "PhoneNumbers" {
			break
		}
		for _, svc := range a.Services {
			if svc.Sid != parts[2] {
				continue
			}
			var list []ServicePhoneNumber
			for _, pn := range svc.PhoneNumbers {
				for _, n := range a.Numbers {
					if n.Sid == pn {
						list = append(list, ServicePhoneNumber{
							Sid: n.Sid, AccountSid: n.AccountSid, ServiceSid: svc.Sid,
							DateCreated: svc.DateCreated, DateUpdated: svc.DateUpdated,
							PhoneNumber: n.PhoneNumber, CountryCode: "US", Capabilities: []string{"SMS", "Voice"},
							URL: "https://messaging.twilio.com/v1/Services/" + svc.Sid + "/PhoneNumbers/" + n.Sid,
						})
					}
				}
			}
			v1Page(w, r, r.Host, "phone_numbers", len(list), func(i int) ServicePhoneNumber { return list[i] })
			return
		}
	}
	restError(w, http.StatusNotFound, 20404, "The requested resource was not found")
}
