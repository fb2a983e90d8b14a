// Package redact removes secrets from everything twilio-evidence writes into a
// bundle or prints, and optionally masks phone numbers and message bodies.
//
// A Redactor holds an ordered set of rules, each with a stable name that
// appears in redactions.json. Text is redacted line by line: a rule never
// matches across a line break. Every replaced value becomes a placeholder
// "[REDACTED:<rule>]" (bodies: "[REDACTED:body:N-bytes]", phone numbers: a
// consistent mask, see Options.MaskPhoneNumbers), so a reader sees what kind of value
// was there without its content, and redacting redacted text again changes
// nothing and counts nothing.
//
// Twilio SIDs (two letters and 32 hex digits, e.g. AC…, CA…, SM…, and SK… API
// key SIDs) are identifiers, not secrets: they are the evidence and no built-in
// rule removes them, even as the value of a parameter whose name means secret
// (key=SK… is kept).
package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Stable rule names, as they appear in Counts and redactions.json. Rules added
// with Options.Extra are named "user-1", "user-2", … in the order given.
const (
	// RuleSecret is the auth token and API secret values themselves, in plain,
	// URL-encoded and base64 forms (including base64 "user:secret" pairs).
	RuleSecret = "secret"
	// RuleTwilioSignature is the value of an X-Twilio-Signature header, JSON
	// field or form parameter.
	RuleTwilioSignature = "twilio-signature"
	// RuleAuthorization is the value of an Authorization or
	// Proxy-Authorization header of any scheme; the scheme word is kept.
	RuleAuthorization = "authorization-header"
	// RuleCookie is the value of a Cookie or Set-Cookie header.
	RuleCookie = "cookie-header"
	// RuleURLUserinfo is the password of user:password@ in a URL, plain or
	// URL-encoded; the user name is kept.
	RuleURLUserinfo = "url-userinfo"
	// RuleBearer is the token after the word Bearer.
	RuleBearer = "bearer-token"
	// RuleJWT is a JSON Web Token (Twilio access tokens are JWTs).
	RuleJWT = "jwt"
	// RuleAWSAccessKey is an AWS access key ID (AKIA…/ASIA… and 16 more).
	RuleAWSAccessKey = "aws-access-key"
	// RuleAWSSecretKey is a 40-character AWS secret access key next to its name.
	RuleAWSSecretKey = "aws-secret-key"
	// RuleSecretParam is the value of a query, form, JSON or header-like
	// parameter whose name means secret (token, secret, password, key, …).
	RuleSecretParam = "secret-param"
	// RuleBody is an SMS Body parameter or an HTTP response body, when
	// Options.MaskBodies is set.
	RuleBody = "body"
	// RulePhone is an E.164 phone number, when Options.MaskPhoneNumbers is set.
	RulePhone = "phone-number"
)

// MinSecretLen is the shortest secret value New accepts: a shorter one cannot
// be told apart from ordinary text. Twilio auth tokens and API secrets are 32
// characters.
const MinSecretLen = 8

// maxLine is the longest line the streaming Writer redacts as a whole; a longer
// line is cut at a delimiter that splits no secret (see Writer).
const maxLine = 16 << 20

// Options configures a Redactor. The zero value redacts every built-in secret
// shape but knows no secret value and masks nothing.
type Options struct {
	// Secrets are secret values to remove wherever they appear: the auth
	// token, the API key secret. Empty strings are ignored; a value shorter
	// than MinSecretLen is an error.
	Secrets []string
	// Usernames are the user names that may be paired with a secret in HTTP
	// basic authentication (the account SID, the API key SID), so that
	// base64("user:secret") is recognised whole. Secrets embedded in any
	// base64 text are found without them too; these only make the whole
	// credential one redaction.
	Usernames []string
	// MaskPhoneNumbers replaces E.164 numbers ("+" or "%2B" and 8–15 digits)
	// with "+XX" followed by 6 lowercase letters of a keyed hash of the number
	// and its last 4 digits, e.g. +14155551234 → +XXkqvmbz1234. The same number
	// gets the same mask within one Redactor (and across Redactors with the
	// same MaskKey); two numbers that share their last 4 digits differ.
	MaskPhoneNumbers bool
	// MaskKey keys the phone-number hash so masks cannot be reversed by
	// hashing every possible number. Empty: derived from Secrets (masks are
	// then stable for one account and unknown to anyone without its secrets),
	// or random when there are no Secrets.
	MaskKey []byte
	// MaskBodies drops SMS bodies (Body= parameters, JSON "body" fields) and
	// HTTP response bodies (JSON "response_body" fields, Redactor.Body).
	MaskBodies bool
	// Extra are user regular expressions (RE2 syntax, --redact). A match is
	// replaced whole, or only its part in a group named "redact" when the
	// expression has one: (?:pin=)(?P<redact>\d+). Expressions match within
	// one line.
	Extra []string
}

// Redactor removes secrets from text. It is safe for concurrent use; counts
// from all goroutines add up.
//
// Its rules are of two scopes. Value rules remove what is known to be secret
// wherever it appears: the secret values in every form, the --redact
// expressions and (when asked) phone numbers. Pattern rules recognise a
// secret by the name it is given or the shape it has (a Cookie header, a
// parameter called token, a JWT, …); they apply to outside data only — API
// answers, logs, the flow file — since the tool's own words (a statistic
// keyed "key", a help text that says "Secrets:") carry no secret. The
// methods say which scope they apply.
type Redactor struct {
	// set is the current rule set; Add and AddSecrets replace it.
	set atomic.Pointer[ruleSet]

	addMu sync.Mutex // serialises Add and AddSecrets; guards what follows
	// patterns are the rules after the secret rule, in order of application.
	patterns   []*rule
	phones     *phoneMasker
	users      int // --redact expressions so far
	maskBodies bool
	secrets    []string
	usernames  []string

	mu     sync.Mutex
	counts map[string]map[string]int
}

// ruleSet is one immutable state of a Redactor's rules.
type ruleSet struct {
	all []*rule // every rule, in order of application
	own []*rule // the value rules only, in the same order
	// forms are the secret values in every form, longest first; maxForm is
	// the longest one's length.
	forms   [][]byte
	maxForm int
	// maskBodies tells the JSON reader to drop body members; phones masks
	// phone numbers (nil: not masked).
	maskBodies bool
	phones     *phoneMasker
}

// New builds a Redactor from opts. It fails on a secret that is too short to
// redact safely (the error names the secret by position, never by value) and
// on an Extra expression that does not compile or that matches the empty
// string (the error quotes the expression).
func New(opts Options) (*Redactor, error) {
	r := &Redactor{counts: map[string]map[string]int{}, patterns: builtinRules()}
	if err := r.Add(opts); err != nil {
		return nil, err
	}
	return r, nil
}

// Add merges more options into the Redactor: their secrets and user names,
// phone and body masking when they ask for it and this Redactor does not do
// it yet, and their --redact expressions, numbered after the ones it has.
// It checks opts as New does and changes nothing when they are wrong.
// Everything redacted after it returns, by this Redactor and by its Writers,
// follows the new rules. (The process's stdout and stderr are redacted from
// the start with the secrets of the environment, and with a command's own
// options once it has read them.)
func (r *Redactor) Add(opts Options) error {
	var secrets []string
	for i, s := range opts.Secrets {
		if s == "" {
			continue
		}
		if len(s) < MinSecretLen {
			return fmt.Errorf("secret %d is %d bytes: secrets shorter than %d bytes cannot be redacted without destroying ordinary text", i+1, len(s), MinSecretLen)
		}
		secrets = append(secrets, s)
	}
	var users []*rule
	r.addMu.Lock()
	defer r.addMu.Unlock()
	for i, expr := range opts.Extra {
		n := r.users + i + 1
		re, err := regexp.Compile(expr)
		if err != nil {
			return fmt.Errorf("--redact rule %d %q: %w", i+1, expr, err)
		}
		if re.MatchString("") {
			return fmt.Errorf("--redact rule %d %q matches the empty string: it would redact between every character", i+1, expr)
		}
		users = append(users, userRule("user-"+strconv.Itoa(n), re))
	}
	if opts.MaskBodies && !r.maskBodies {
		r.maskBodies = true
		r.patterns = append(r.patterns, bodyRule())
	}
	if opts.MaskPhoneNumbers && r.phones == nil {
		key := opts.MaskKey
		if len(key) == 0 {
			key = deriveMaskKey(secrets)
		}
		r.phones = &phoneMasker{key: key}
		r.patterns = append(r.patterns, phoneRule(r.phones))
	}
	r.patterns = append(r.patterns, users...)
	r.users += len(users)
	r.addSecrets(secrets, opts.Usernames)
	r.set.Store(r.build())
	return nil
}

// build makes the rule set of what the Redactor knows now.
func (r *Redactor) build() *ruleSet {
	rs := &ruleSet{maskBodies: r.maskBodies, phones: r.phones}
	if len(r.secrets) > 0 {
		forms := secretForms(r.secrets, r.usernames)
		for _, f := range forms {
			rs.forms = append(rs.forms, []byte(f))
		}
		rs.maxForm = len(forms[0])
		sr := newSecretRule(forms)
		rs.all = append(rs.all, sr)
		rs.own = append(rs.own, sr)
	}
	for _, ru := range r.patterns {
		rs.all = append(rs.all, ru)
		if ru.value {
			rs.own = append(rs.own, ru)
		}
	}
	return rs
}

// AddSecrets adds secret values learned while running (the auth token that
// the Account resource returns, a subaccount's own token) and the user names
// they may be paired with in basic-auth credentials. Everything redacted
// after it returns, by this Redactor and by its Writers, removes them too.
// Values shorter than MinSecretLen and values already known are ignored: a
// learned value is never a reason to fail.
func (r *Redactor) AddSecrets(values, usernames []string) {
	r.addMu.Lock()
	defer r.addMu.Unlock()
	if r.addSecrets(values, usernames) {
		r.set.Store(r.build())
	}
}

// addSecrets records new secrets and user names and reports whether the
// secret forms change.
func (r *Redactor) addSecrets(values, usernames []string) bool {
	changed := false
	for _, v := range values {
		if v = strings.TrimSpace(v); len(v) >= MinSecretLen && !slices.Contains(r.secrets, v) {
			r.secrets = append(r.secrets, v)
			changed = true
		}
	}
	for _, u := range usernames {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(r.usernames, u) {
			r.usernames = append(r.usernames, u)
			changed = changed || len(r.secrets) > 0
		}
	}
	return changed
}

// deriveMaskKey returns a phone-mask key derived from the secrets, or a random
// one when there are none.
func deriveMaskKey(secrets []string) []byte {
	if len(secrets) == 0 {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			// crypto/rand does not fail on supported platforms; fall back
			// to a fixed key rather than masking nothing.
			return []byte("twilio-evidence phone mask")
		}
		return k
	}
	m := hmac.New(sha256.New, []byte("twilio-evidence phone mask"))
	for _, s := range secrets {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// Kind says how a text is read for redaction: which rules apply and where a
// value ends.
type Kind int

const (
	// Text is outside text (a log, a response body, the flow file), read
	// line by line with every rule.
	Text Kind = iota
	// JSON is outside JSON: one document, or one per line (NDJSON). Each
	// string is decoded and redacted on its own; a member whose name means
	// secret or names a sensitive header (token, password, Cookie,
	// Set-Cookie, Authorization, X-Twilio-Signature …) loses its whole
	// value, also when that value is a list or an object (the header maps of
	// an alert's details). Keys are not matched by the pattern rules.
	JSON
	// CSV is a CSV file that holds outside values: each cell is redacted on
	// its own with every rule, so a redaction never runs into the next cell.
	CSV
	// Own is the tool's own text (statistics, findings, the manifest, help
	// and error messages): only the value rules apply — the secret values,
	// --redact expressions and phone masks — never a rule that matches by
	// name or shape.
	Own
)

// Rules lists the names of the rules this Redactor applies, in the order it
// applies them.
func (r *Redactor) Rules() []string {
	all := r.set.Load().all
	names := make([]string, 0, len(all))
	for _, ru := range all {
		names = append(names, ru.name)
	}
	return names
}

// String returns the outside text s with secrets removed (Text), counting
// each redaction under file.
func (r *Redactor) String(file, s string) string {
	out, changed := r.redactAll(Text, []byte(s), file, &scratch{})
	if !changed {
		return s
	}
	return string(out)
}

// Bytes returns the outside text b with secrets removed (Text), counting
// each redaction under file. The result may share memory with b when nothing
// was redacted; b itself is never modified.
func (r *Redactor) Bytes(file string, b []byte) []byte {
	out, _ := r.redactAll(Text, b, file, &scratch{})
	return out
}

// Redact returns b, read as kind, with secrets removed, counting each
// redaction under file. The result may share memory with b when nothing was
// redacted; b itself is never modified.
func (r *Redactor) Redact(file string, kind Kind, b []byte) []byte {
	out, _ := r.redactAll(kind, b, file, &scratch{})
	return out
}

// Body returns an HTTP response body or message body as it may go into the
// bundle: dropped by MaskBody when Options.MaskBodies is set (counted as
// RuleBody), otherwise redacted like any other outside text.
func (r *Redactor) Body(file, s string) string {
	if !r.set.Load().maskBodies {
		return r.String(file, s)
	}
	c := counter{}
	if s != "" {
		c[RuleBody]++
	}
	r.add(file, c)
	return MaskBody(s)
}

// MaskBody returns the placeholder that stands for a dropped body: it keeps
// only the size, which matters as evidence (Twilio rejects responses over
// 64 kB), e.g. "[REDACTED:body:70123-bytes]". An empty body stays empty.
func MaskBody(s string) string {
	if s == "" {
		return ""
	}
	return bodyPlaceholder(len(s))
}

// redactAll redacts b read as kind and records the counts under file.
func (r *Redactor) redactAll(kind Kind, b []byte, file string, s *scratch) ([]byte, bool) {
	c := counter{}
	out, changed := r.set.Load().process(kind, b, c, s, &jsonState{})
	r.add(file, c)
	return out, changed
}

// process redacts b read as kind, adding what it removed to c. js carries the
// JSON reader's state from one part of a document to the next.
func (rs *ruleSet) process(kind Kind, b []byte, c counter, s *scratch, js *jsonState) ([]byte, bool) {
	var out []byte
	var changed bool
	switch kind {
	case JSON:
		out, changed = rs.redactJSON(b, c, s, js)
	case CSV:
		out, changed = rs.redactCSV(b, c, s)
	case Own:
		return rs.redact(b, rs.own, c, s)
	default:
		return rs.redact(b, rs.all, c, s)
	}
	// The value rules once more over the whole text: a secret value may
	// span what JSON and CSV split (a --secret-file line holding a comma).
	if red, ch := rs.redact(out, rs.own, c, s); ch {
		out, changed = red, true
	}
	return out, changed
}

// redact applies rules to b block by block, adding what it removed to c.
func (rs *ruleSet) redact(b []byte, rules []*rule, c counter, s *scratch) ([]byte, bool) {
	if len(rules) == 0 {
		return b, false
	}
	var out []byte
	changed := false
	for start := 0; start < len(b); {
		end := blockEnd(b, start)
		red, ch := redactBlock(b[start:end], rules, c, s)
		if ch && !changed {
			out = make([]byte, 0, len(b)+len(b)/16)
			out = append(out, b[:start]...)
			changed = true
		}
		if changed {
			out = append(out, red...)
		}
		start = end
	}
	if !changed {
		return b, false
	}
	return out, true
}

// blockSize is how much text the redactor checks for rule anchors at once.
const blockSize = 256 << 10

// blockEnd returns the end of the block that starts at start: whole lines up
// to about blockSize bytes, or one whole line if it is longer.
func blockEnd(b []byte, start int) int {
	if len(b)-start <= blockSize {
		return len(b)
	}
	if i := bytes.LastIndexByte(b[start:start+blockSize], '\n'); i >= 0 {
		return start + i + 1
	}
	if i := bytes.IndexByte(b[start+blockSize:], '\n'); i >= 0 {
		return start + blockSize + i + 1
	}
	return len(b)
}

// counter counts redactions per rule for one call.
type counter map[string]int

// add merges c into the counts of file. A file is recorded even when nothing
// in it was redacted, so the report shows what was checked.
func (r *Redactor) add(file string, c counter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.counts[file]
	if m == nil {
		m = map[string]int{}
		r.counts[file] = m
	}
	for k, v := range c {
		if v > 0 {
			m[k] += v
		}
	}
}

// Counts returns, per file name, how many values each rule removed. A file that
// was redacted with nothing found has an empty map. Values are never recorded.
// The result is a copy.
func (r *Redactor) Counts() map[string]map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]map[string]int, len(r.counts))
	for f, m := range r.counts {
		cp := make(map[string]int, len(m))
		for k, v := range m {
			cp[k] = v
		}
		out[f] = cp
	}
	return out
}

// Report is the content of redactions.json.
type Report struct {
	// Rules are the rules that were applied, in order.
	Rules []ReportRule `json:"rules"`
	// Files maps each file name to the count of values each rule removed.
	Files map[string]map[string]int `json:"files"`
	// Totals is the count per rule over all files.
	Totals map[string]int `json:"totals"`
}

// ReportRule describes one rule in a Report.
type ReportRule struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Report returns the counts so far with the rule descriptions. It never holds
// a redacted value, and user expressions are described by position only since
// they may spell out what they remove.
//
// File names are redacted too (by Name, without counting), so a name that
// holds a secret does not carry it into the report.
func (r *Redactor) Report() Report {
	rep := Report{Files: map[string]map[string]int{}, Totals: map[string]int{}}
	for _, ru := range r.set.Load().all {
		rep.Rules = append(rep.Rules, ReportRule{Name: ru.name, Description: ru.desc})
	}
	for f, m := range r.Counts() {
		name := r.Name(f)
		dst := rep.Files[name]
		if dst == nil {
			dst = map[string]int{}
			rep.Files[name] = dst
		}
		for k, v := range m {
			dst[k] += v
			rep.Totals[k] += v
		}
	}
	return rep
}

// WriteReport writes the Report as indented JSON (redactions.json). The output
// is deterministic: rules in order of application, map keys sorted.
func (r *Redactor) WriteReport(w io.Writer) error {
	b, err := json.MarshalIndent(r.Report(), "", "  ")
	if err != nil {
		return fmt.Errorf("encode redaction report: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write redaction report: %w", err)
	}
	return nil
}
