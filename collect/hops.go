package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
	"github.com/twilio-evidence/twilio-evidence/collect/hoplog"
	"github.com/twilio-evidence/twilio-evidence/collect/probe"
)

// Bundle files of the hop collector.
const (
	// HopsFile has, per incident and hop, whether the hop saw the request.
	HopsFile = "trace/hops.csv"
	// HopFilesFile has, per hop and log file, what was read and what could
	// not be (bad lines, truncated gzip).
	HopFilesFile = "trace/files.csv"
	// LogsDir holds the excerpts of the hop and debug logs, one file a name.
	LogsDir = "logs/"
)

// Defaults of the hop collector.
const (
	// DefaultMaxLogBytes bounds each excerpt in logs/ (--max-log-bytes).
	DefaultMaxLogBytes = 4 << 20
	// DefaultLookupTimeout bounds the DNS lookups of the webhook hosts that
	// connection-level hops need when no probe resolved them.
	DefaultLookupTimeout = 5 * time.Second
)

// Roles of a log in HopEvidence.
const (
	RoleHop = "hop"
	RoleLog = "log"
)

// Hops traces every incident through the logs of the customer's components
// (steps 1 and 3 of the isolation procedure): the --hop logs in path order
// from the edge inward, and the --log application and debug logs, of which
// only excerpts are taken. It waits for the alerts, config and probe
// collectors of its Run: connection-level hops such as firewalls match
// on the addresses the webhook hosts resolve to, which come from the probes
// or, without them, from a DNS lookup with a deadline.
type Hops struct {
	// Hops are the --hop logs in path order, edge first; Logs the --log ones.
	Hops, Logs []hoplog.Spec
	// Window is how far from an incident a line may be (--match-window;
	// default hoplog.DefaultWindow).
	Window time.Duration
	// Location is the zone of log times without an offset (--log-tz).
	// When nil, a hop whose times carry none is read at the offset that
	// lines its Twilio requests up with the incidents (HopLog.Zone); the
	// --log logs then take the offset inferred for the hops, else LocalZone.
	Location *time.Location
	// LocalZone is the machine's zone; nil is time.Local.
	LocalZone *time.Location
	// MaxLogBytes bounds each excerpt in logs/ (--max-log-bytes; 0 is
	// DefaultMaxLogBytes, negative none).
	MaxLogBytes int64
	// Resolver looks the webhook hosts up; nil is the system resolver.
	Resolver probe.Resolver
	// LookupTimeout bounds all the lookups together (default
	// DefaultLookupTimeout).
	LookupTimeout time.Duration
	// DestAddrs, when given, are the addresses connection-level hops match
	// on for every incident, instead of the hosts' DNS answers (a firewall
	// that logs the server's private address behind NAT).
	DestAddrs []netip.Addr
	// NoExcerpts leaves logs/ out (the trace command prints, it stages
	// nothing).
	NoExcerpts bool
	// ShownRoot is a directory whose path is left out of the file names
	// the bundle shows: the demo's logs, in a temporary directory, read
	// demo/kern.log.
	ShownRoot string
}

// shown is pattern as the bundle shows it: under ShownRoot, as demo/….
func (c Hops) shown(pattern string) string {
	if c.ShownRoot == "" {
		return pattern
	}
	if rel, err := filepath.Rel(c.ShownRoot, pattern); err == nil && !strings.HasPrefix(rel, "..") {
		return "demo/" + filepath.ToSlash(rel)
	}
	return pattern
}

// HopEvidence is what the hop collector found.
type HopEvidence struct {
	// Hops are the --hop logs in path order; Logs the --log ones.
	Hops []HopLog `json:"hops"`
	Logs []HopLog `json:"logs,omitempty"`
	// Incidents are the incidents as they were matched, in the order of
	// Evidence.Incidents.
	Incidents []hoplog.Incident `json:"-"`
	// Report traces every incident through the hops that could be read.
	Report hoplog.Report `json:"report"`
	// ByHost has one report per webhook host when the incidents name more
	// than one: each host may sit behind its own path.
	ByHost []HostTrace `json:"by_host,omitempty"`
	// Window is the match window used.
	Window time.Duration `json:"-"`
	// AddressSource says where the addresses of connection-level matching
	// came from: "probes", "dns", "given" or "" when none was needed.
	AddressSource string `json:"address_source,omitempty"`
}

// HostTrace is the trace of the incidents of one webhook host.
type HostTrace struct {
	Host   string        `json:"host"`
	Report hoplog.Report `json:"report"`
}

// HopLog is one --hop or --log argument and what reading it gave.
type HopLog struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Pattern string `json:"pattern"`
	// Detection says which format was used and on what evidence.
	Detection hoplog.Detection `json:"detection"`
	// Conn is true for connection-level logs (firewalls, flow logs).
	Conn bool `json:"conn,omitempty"`
	// Files has the statistics of each file read, bad lines included.
	Files []hoplog.FileStats `json:"files"`
	// Excerpt is the bundle file of the excerpt, empty when none was taken.
	Excerpt      string `json:"excerpt,omitempty"`
	ExcerptBytes int64  `json:"excerpt_bytes,omitempty"`
	ExcerptCut   bool   `json:"excerpt_cut,omitempty"`
	// Note says why some incidents could not be decided at this hop.
	Note string `json:"note,omitempty"`
	// Zone is the offset inferred for the log's times, which carry none,
	// when no --log-tz was given; ZoneNote says how a --log's zone was
	// chosen.
	Zone     *hoplog.ZoneGuess `json:"zone,omitempty"`
	ZoneNote string            `json:"zone_note,omitempty"`
	// ZoneFrom names the hops whose inferred offset, ZoneName, a --log's
	// times were read at.
	ZoneFrom, ZoneName string `json:"-"`
	// Err is why the log could not be read at all; such a hop is left out
	// of the trace.
	Err string `json:"error,omitempty"`

	// Result is the scan's result; nil when Err is set.
	Result *hoplog.HopResult `json:"-"`
}

// Totals adds up the statistics of the log's files.
func (h HopLog) Totals() hoplog.FileStats {
	if h.Result != nil {
		return h.Result.Totals()
	}
	return (&hoplog.HopResult{Files: h.Files}).Totals()
}

// ReadSummary says how many of the log's lines were read and how many of
// other kinds skipped: "2,114 firewall lines read, 18,530 other lines
// skipped".
func (h HopLog) ReadSummary() string { return hoplog.ReadSummary(h.Detection, h.Totals()) }

// Problems says in one line what could not be read in the log's files,
// empty when everything could.
func (h HopLog) Problems() string {
	var p []string
	for _, f := range h.Files {
		if s := f.Problems(); s != "" {
			p = append(p, path.Base(filepathSlash(f.Path))+": "+s)
		}
	}
	return strings.Join(p, "; ")
}

func filepathSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

// Name implements Collector.
func (Hops) Name() string { return "hops" }

// After implements Waiter: the incidents, the webhook configuration and
// the probes' addresses come first.
func (Hops) After() []string { return []string{Alerts{}.Name(), Config{}.Name(), Probes{}.Name()} }

// Source implements the collector's source: the customer's log files.
func (Hops) Source() string { return "log" }

// CheckHopSpecs parses --hop and --log arguments and makes sure every file
// can be read and every format is known or detected, so that bad input is
// refused before any work starts. Names must be unique across both lists
// (they name the excerpt files). A --log whose format cannot be detected is
// read as plain text with timestamps.
func CheckHopSpecs(hops, logs []string, loc *time.Location) ([]hoplog.Spec, []hoplog.Spec, error) {
	seen := map[string]string{}
	parse := func(flag string, args []string, fallback bool) ([]hoplog.Spec, error) {
		var out []hoplog.Spec
		for _, a := range args {
			spec, err := hoplog.ParseSpec(a)
			if err != nil {
				// ParseSpec names the argument itself ("hop %q: …").
				msg := err.Error()
				if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "hop ") {
					msg = rest
				}
				return nil, fmt.Errorf("%s %q: %s", flag, a, msg)
			}
			if !validLogName(spec.Name) {
				return nil, fmt.Errorf("%s %s: name %q: use letters, digits, '.', '_' or '-'", flag, a, spec.Name)
			}
			if prev, ok := seen[strings.ToLower(spec.Name)]; ok {
				return nil, fmt.Errorf("%s %s: the name %q is already given by %s", flag, a, spec.Name, prev)
			}
			seen[strings.ToLower(spec.Name)] = flag + " " + a
			if _, err := hoplog.Check(spec, loc); err != nil {
				if !fallback || !errors.Is(err, hoplog.ErrUnknownFormat) {
					return nil, fmt.Errorf("%s %w", flag, err)
				}
				spec.Format = "text"
			}
			out = append(out, spec)
		}
		return out, nil
	}
	h, err := parse("--hop", hops, false)
	if err != nil {
		return nil, nil, err
	}
	l, err := parse("--log", logs, true)
	if err != nil {
		return nil, nil, err
	}
	return h, l, nil
}

func validLogName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Off implements Switchable.
func (c Hops) Off(*Env) string {
	if len(c.Hops) == 0 && len(c.Logs) == 0 {
		return "no --hop or --log given"
	}
	return ""
}

// Collect implements Collector.
func (c Hops) Collect(ctx context.Context, env *Env) error {
	if why := c.Off(env); why != "" {
		return Skip("%s", why)
	}
	ev := env.Evidence
	if len(ev.Incidents) == 0 {
		return Skip("no incidents to trace")
	}
	he := &HopEvidence{Window: c.Window}
	if he.Window <= 0 {
		he.Window = hoplog.DefaultWindow
	}
	ev.Hops = he
	addrs, err := c.addresses(ctx, env, he)
	if err != nil {
		return err
	}
	he.Incidents = TraceIncidents(ev.Incidents, ev.Endpoints, addrs)
	if len(c.DestAddrs) > 0 {
		for i := range he.Incidents {
			he.Incidents[i].DestAddrs = c.DestAddrs
		}
	}
	var failed []string
	var results []*hoplog.HopResult
	task := env.progress().Start("hop logs", len(c.Hops)+len(c.Logs))
	defer task.Done()
	for i, spec := range append(append([]hoplog.Spec{}, c.Hops...), c.Logs...) {
		role := RoleHop
		if i >= len(c.Hops) {
			role = RoleLog
		}
		var logZone *time.Location
		var zoneFrom string
		if role == RoleLog && c.Location == nil {
			logZone, zoneFrom = inferredZone(he.Hops)
		}
		hl, err := c.scan(ctx, env, spec, role, he.Incidents, logZone)
		task.Add(1)
		if logZone != nil {
			hl.ZoneFrom, hl.ZoneName = zoneFrom, logZone.String()
			hl.ZoneNote = "times without an offset read as " + hl.ZoneName + ", the offset inferred for " + zoneFrom
		}
		if z := hl.Zone; z != nil && !z.Fits {
			env.progress().Warnf("%s %s: %s", role, spec.Name, z.Sentence())
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", role, spec.Name, ctx.Err())
		}
		if hl.Err != "" {
			failed = append(failed, role+" "+spec.Name+": "+hl.Err)
		} else if p := hl.Problems(); p != "" {
			env.progress().Warnf("%s %s: %s (counted, not fatal)", role, spec.Name, p)
		}
		if role == RoleHop {
			he.Hops = append(he.Hops, hl)
			if hl.Result != nil {
				results = append(results, hl.Result)
			}
		} else {
			he.Logs = append(he.Logs, hl)
		}
	}
	he.Report = hoplog.Trace(he.Incidents, results)
	he.ByHost = traceByHost(ev.Incidents, he.Incidents, results)
	if err := writeHopsCSV(env.Stage, ev.Incidents, he); err != nil {
		return err
	}
	if err := writeHopFilesCSV(env.Stage, he); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}

// scan reads one hop or log into its excerpt file.
func (c Hops) scan(ctx context.Context, env *Env, spec hoplog.Spec, role string, incs []hoplog.Incident, zone *time.Location) (HopLog, error) {
	hl := HopLog{Name: spec.Name, Role: role, Pattern: c.shown(spec.Pattern)}
	opts := hoplog.Options{Window: c.Window, Location: c.Location, LocalZone: c.LocalZone, ScanAll: role == RoleLog, MaxExcerptBytes: c.MaxLogBytes}
	if opts.Location == nil && zone != nil {
		opts.Location = zone
	}
	if opts.MaxExcerptBytes == 0 {
		opts.MaxExcerptBytes = DefaultMaxLogBytes
	}
	name := LogsDir + spec.Name + ".log"
	var excerpt interface {
		Write([]byte) (int, error)
		Close() error
	}
	if !c.NoExcerpts {
		w, err := env.Stage.Create(name)
		if err != nil {
			hl.Err = err.Error()
			return hl, err
		}
		excerpt, opts.Excerpt = w, w
	}
	res, err := hoplog.ScanHop(ctx, spec, incs, opts)
	if excerpt != nil {
		if cerr := excerpt.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write %s: %w", name, cerr)
		}
		if res == nil || res.ExcerptBytes == 0 {
			_ = env.Stage.Delete(name)
		} else {
			hl.Excerpt = name
		}
	}
	if res != nil {
		hl.Files, hl.Detection, hl.Conn, hl.Note, hl.Zone = res.Files, res.Detection, res.Conn, res.Note, res.Zone
		hl.ExcerptBytes, hl.ExcerptCut = res.ExcerptBytes, res.ExcerptCut
		if role == RoleHop && res.Detection.Kind == hoplog.KindText {
			hl.Note = hoplog.TextNote(spec, res.Detection)
		}
	}
	if err != nil {
		hl.Err = err.Error()
		if res != nil && res.Matches != nil {
			// A log no format reads: its incidents are undecided there.
			hl.Result = res
		}
		return hl, err
	}
	hl.Result = res
	return hl, nil
}

// inferredZone is the zone inferred for the most hops whose times carry no
// offset, and which hops they are; nil when none was inferred.
func inferredZone(hops []HopLog) (*time.Location, string) {
	count := map[time.Duration][]string{}
	var best time.Duration
	for _, h := range hops {
		if h.Zone == nil || !h.Zone.Fits {
			continue
		}
		count[h.Zone.Offset] = append(count[h.Zone.Offset], h.Name)
		if len(count[h.Zone.Offset]) > len(count[best]) {
			best = h.Zone.Offset
		}
	}
	if len(count[best]) == 0 {
		return nil, ""
	}
	z := hoplog.ZoneGuess{Offset: best, Fits: true}
	return z.Location(), "hop " + strings.Join(count[best], ", hop ")
}

// addresses finds the addresses of the incidents' webhook hosts when a
// connection-level hop needs them: from the probes when they resolved the
// host, otherwise from DNS within LookupTimeout.
func (c Hops) addresses(ctx context.Context, env *Env, he *HopEvidence) (map[string][]netip.Addr, error) {
	if len(c.DestAddrs) > 0 {
		he.AddressSource = "given"
		return nil, nil
	}
	conn := false
	for _, s := range c.Hops {
		conn = conn || specIsConn(s, c.Location)
	}
	if !conn {
		return nil, nil
	}
	out := map[string][]netip.Addr{}
	if pe := env.Evidence.Probes; pe != nil && pe.Report != nil {
		for host, list := range probe.ResolvedAddresses(pe.Report.Attempts) {
			for _, a := range list {
				if ip, err := netip.ParseAddr(a); err == nil {
					out[host] = append(out[host], ip.Unmap())
				}
			}
		}
		if len(out) > 0 {
			he.AddressSource = "probes"
		}
	}
	var missing []string
	for _, h := range incidentHosts(env.Evidence.Incidents) {
		if _, ok := out[h]; ok {
			continue
		}
		if ip, err := netip.ParseAddr(h); err == nil {
			out[h] = []netip.Addr{ip.Unmap()}
			continue
		}
		missing = append(missing, h)
	}
	if len(missing) == 0 {
		return out, nil
	}
	timeout := c.LookupTimeout
	if timeout <= 0 {
		timeout = DefaultLookupTimeout
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var res probe.Resolver = net.DefaultResolver
	if c.Resolver != nil {
		res = c.Resolver
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed []string
	for _, h := range missing {
		wg.Add(1)
		go func(h string) {
			defer wg.Done()
			ips, err := res.LookupIPAddr(lctx, h)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, h)
				return
			}
			for _, ip := range ips {
				if a, ok := netip.AddrFromSlice(ip.IP); ok {
					out[h] = append(out[h], a.Unmap())
				}
			}
		}(h)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if he.AddressSource == "" {
		he.AddressSource = "dns"
	} else {
		he.AddressSource += "+dns"
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		env.progress().Warnf("hops: could not resolve %s: connection-level hops cannot match its incidents", strings.Join(failed, ", "))
	}
	return out, nil
}

// specIsConn reports whether a hop's log is connection-level.
func specIsConn(s hoplog.Spec, loc *time.Location) bool {
	name := s.Format
	if name == "" || name == "auto" {
		det, err := hoplog.Check(s, loc)
		if err != nil {
			return false
		}
		name = det.Format
	}
	f, err := hoplog.ParseFormat(name)
	return err == nil && f.Conn
}

// incidentHosts lists the distinct hosts of the incidents' URLs, sorted.
func incidentHosts(incs []Incident) []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range incs {
		if h := urlHost(in.URL); h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// TraceIncidents turns incidents into what the hop reader matches: the
// request's method, path and query, its CallSid/MessageSid, the addresses
// and port of its host (addrs, by lower-case host name) and Twilio's
// effective timeout from the URL's connection overrides (from the configured
// webhook with the same URL when the alert's URL has no fragment).
func TraceIncidents(incs []Incident, endpoints []Endpoint, addrs map[string][]netip.Addr) []hoplog.Incident {
	fragments := map[string]string{}
	for _, e := range endpoints {
		for _, u := range []string{e.URL, e.FallbackURL, e.StatusCallback} {
			if base, frag, ok := strings.Cut(u, "#"); ok && frag != "" {
				fragments[base] = u
			}
		}
	}
	out := make([]hoplog.Incident, 0, len(incs))
	for _, in := range incs {
		hi := hoplog.Incident{ID: in.AlertSID, Time: in.Time, Method: in.Method, SID: in.ResourceSID}
		u, err := url.Parse(in.URL)
		if in.URL != "" && err == nil {
			hi.Path, hi.Query = u.EscapedPath(), u.RawQuery
			host := strings.ToLower(u.Hostname())
			hi.DestAddrs = addrs[host]
			switch p := u.Port(); {
			case p != "":
				hi.DestPort, _ = strconv.Atoi(p)
			case u.Scheme == "http":
				hi.DestPort = 80
			default:
				hi.DestPort = 443
			}
			full := in.URL
			if u.Fragment == "" {
				if f, ok := fragments[in.URL]; ok {
					full = f
				}
			}
			if t, err := probe.ParseTarget(full); err == nil {
				hi.Timeout = t.Overrides.TotalTimeout
			}
		}
		out = append(out, hi)
	}
	return out
}

// traceByHost traces the incidents of each webhook host on their own, when
// there is more than one host.
func traceByHost(incs []Incident, his []hoplog.Incident, results []*hoplog.HopResult) []HostTrace {
	byHost := map[string][]int{}
	for i, in := range incs {
		h := urlHost(in.URL)
		if h == "" {
			h = "(no URL)"
		}
		byHost[h] = append(byHost[h], i)
	}
	if len(byHost) < 2 {
		return nil
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var out []HostTrace
	for _, h := range hosts {
		idx := byHost[h]
		sub := make([]hoplog.Incident, len(idx))
		for k, i := range idx {
			sub[k] = his[i]
		}
		var subRes []*hoplog.HopResult
		for _, r := range results {
			cp := *r
			cp.Matches = make([]hoplog.Match, len(idx))
			for k, i := range idx {
				if i < len(r.Matches) {
					cp.Matches[k] = r.Matches[i]
				}
			}
			subRes = append(subRes, &cp)
		}
		out = append(out, HostTrace{Host: h, Report: hoplog.Trace(sub, subRes)})
	}
	return out
}

// hopRow is one row of trace/hops.csv.
type hopRow struct {
	AlertSID       string `csv:"alert_sid"`
	Time           string `csv:"time"`
	ResourceSID    string `csv:"resource_sid"`
	URL            string `csv:"url"`
	Hop            string `csv:"hop"`
	Position       int    `csv:"position"`
	Seen           string `csv:"seen"`
	Action         string `csv:"action"`
	Status         string `csv:"status"`
	ResponseTimeMs string `csv:"response_time_ms"`
	LineTime       string `csv:"line_time"`
	Lines          int    `csv:"lines"`
	MatchedBy      string `csv:"matched_by"`
	LineRef        string `csv:"line_ref"`
	Outcome        string `csv:"outcome"`
	// UndecidedReason says why the hop could not tell, when Seen is
	// "undecided" (hoplog.Reason).
	UndecidedReason string `csv:"undecided_reason"`
}

// writeHopsCSV writes trace/hops.csv: per incident, per hop (path order).
func writeHopsCSV(stage *Stage, incs []Incident, he *HopEvidence) error {
	var rows []hopRow
	for i, tr := range he.Report.Incidents {
		in := incs[i]
		for k, m := range tr.Hops {
			r := hopRow{AlertSID: in.AlertSID, Time: in.Time.UTC().Format(time.RFC3339), ResourceSID: in.ResourceSID,
				URL: in.URL, Hop: he.Report.Hops[k], Position: k + 1, Seen: seenWord(m), Action: m.Action,
				Lines: m.Lines, Outcome: string(tr.Outcome), UndecidedReason: string(m.Reason)}
			if m.Seen {
				if m.Status != 0 {
					r.Status = strconv.Itoa(m.Status)
				}
				if m.HasDuration {
					r.ResponseTimeMs = strconv.FormatInt(m.Duration.Milliseconds(), 10)
				}
				r.LineTime = m.Time.UTC().Format(time.RFC3339Nano)
				r.LineRef = fmt.Sprintf("%s:%d", path.Base(filepathSlash(m.File)), m.Offset)
				var by []string
				if m.BySID {
					by = append(by, "sid")
				}
				if m.ByUserAgent {
					by = append(by, "user-agent")
				}
				if len(by) == 0 {
					by = append(by, "time+path")
					if m.Action != "" || hopConn(he, k) {
						by[0] = "time+address"
					}
				}
				r.MatchedBy = strings.Join(by, "+")
			}
			rows = append(rows, r)
		}
	}
	var b bytes.Buffer
	if err := csvsafe.Marshal(rows, &b); err != nil {
		return fmt.Errorf("write %s: %w", HopsFile, err)
	}
	return stage.WriteFile(HopsFile, b.Bytes())
}

func hopConn(he *HopEvidence, k int) bool {
	n := 0
	for _, h := range he.Hops {
		if h.Result == nil {
			continue
		}
		if n == k {
			return h.Conn
		}
		n++
	}
	return false
}

func seenWord(m hoplog.Match) string {
	switch {
	case m.Undecided:
		return "undecided"
	case m.Dropped:
		return "dropped"
	case m.Seen:
		return "seen"
	}
	return "not seen"
}

// fileRow is one row of trace/files.csv.
type fileRow struct {
	Name         string `csv:"name"`
	Role         string `csv:"role"`
	Format       string `csv:"format"`
	File         string `csv:"file"`
	Gzip         bool   `csv:"gzip"`
	Bytes        int64  `csv:"bytes"`
	SkippedBytes int64  `csv:"skipped_bytes"`
	Lines        int64  `csv:"lines"`
	Parsed       int64  `csv:"parsed"`
	Unparsed     int64  `csv:"unparsed"`
	Other        int64  `csv:"other_lines_skipped"`
	LongLines    int64  `csv:"long_lines"`
	InvalidUTF8  int64  `csv:"invalid_utf8"`
	Binary       int64  `csv:"binary"`
	Truncated    bool   `csv:"truncated"`
	Problems     string `csv:"problems"`
}

func writeHopFilesCSV(stage *Stage, he *HopEvidence) error {
	var rows []fileRow
	for _, h := range append(append([]HopLog{}, he.Hops...), he.Logs...) {
		if len(h.Files) == 0 {
			rows = append(rows, fileRow{Name: h.Name, Role: h.Role, File: h.Pattern, Problems: h.Err})
		}
		for _, f := range h.Files {
			rows = append(rows, fileRow{Name: h.Name, Role: h.Role, Format: h.Detection.String(), File: path.Base(filepathSlash(f.Path)),
				Gzip: f.Gzip, Bytes: f.Bytes, SkippedBytes: f.SkippedBytes, Lines: f.Lines, Parsed: f.Parsed, Unparsed: f.Unparsed, Other: f.Other,
				LongLines: f.LongLines, InvalidUTF8: f.InvalidUTF8, Binary: f.Binary, Truncated: f.Truncated, Problems: f.Problems()})
		}
	}
	var b bytes.Buffer
	if err := csvsafe.Marshal(rows, &b); err != nil {
		return fmt.Errorf("write %s: %w", HopFilesFile, err)
	}
	return stage.WriteFile(HopFilesFile, b.Bytes())
}
