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
	"strconv"
	"sync"
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
type Redactor struct {
	rules  []*rule
	phones *phoneMasker
	// forms are the secret values in every form, longest first; maxForm is
	// the longest one's length.
	forms   [][]byte
	maxForm int

	mu     sync.Mutex
	counts map[string]map[string]int
}

// New builds a Redactor from opts. It fails on a secret that is too short to
// redact safely (the error names the secret by position, never by value) and
// on an Extra expression that does not compile or that matches the empty
// string (the error quotes the expression).
func New(opts Options) (*Redactor, error) {
	r := &Redactor{counts: map[string]map[string]int{}}
	var secrets []string
	for i, s := range opts.Secrets {
		if s == "" {
			continue
		}
		if len(s) < MinSecretLen {
			return nil, fmt.Errorf("secret %d is %d bytes: secrets shorter than %d bytes cannot be redacted without destroying ordinary text", i+1, len(s), MinSecretLen)
		}
		secrets = append(secrets, s)
	}
	if len(secrets) > 0 {
		forms := secretForms(secrets, opts.Usernames)
		for _, f := range forms {
			r.forms = append(r.forms, []byte(f))
		}
		r.maxForm = len(forms[0])
		r.rules = append(r.rules, newSecretRule(forms))
	}
	r.rules = append(r.rules, builtinRules()...)
	if opts.MaskBodies {
		r.rules = append(r.rules, bodyRule())
	}
	if opts.MaskPhoneNumbers {
		key := opts.MaskKey
		if len(key) == 0 {
			key = deriveMaskKey(secrets)
		}
		r.phones = &phoneMasker{key: key}
		r.rules = append(r.rules, phoneRule(r.phones))
	}
	for i, expr := range opts.Extra {
		name := "user-" + strconv.Itoa(i+1)
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("--redact rule %d %q: %w", i+1, expr, err)
		}
		if re.MatchString("") {
			return nil, fmt.Errorf("--redact rule %d %q matches the empty string: it would redact between every character", i+1, expr)
		}
		r.rules = append(r.rules, userRule(name, re))
	}
	return r, nil
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

// Rules lists the names of the rules this Redactor applies, in the order it
// applies them.
func (r *Redactor) Rules() []string {
	names := make([]string, 0, len(r.rules))
	for _, ru := range r.rules {
		names = append(names, ru.name)
	}
	return names
}

// String returns s with secrets removed, counting each redaction under file.
func (r *Redactor) String(file, s string) string {
	out, changed := r.redactAll([]byte(s), file, &scratch{})
	if !changed {
		return s
	}
	return string(out)
}

// Bytes returns b with secrets removed, counting each redaction under file.
// The result may share memory with b when nothing was redacted; b itself is
// never modified.
func (r *Redactor) Bytes(file string, b []byte) []byte {
	out, _ := r.redactAll(b, file, &scratch{})
	return out
}

// Body returns an HTTP response body or message body as it may go into the
// bundle: dropped by MaskBody when Options.MaskBodies is set (counted as
// RuleBody), otherwise redacted like any other text.
func (r *Redactor) Body(file, s string) string {
	if !r.hasRule(RuleBody) {
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

func (r *Redactor) hasRule(name string) bool {
	for _, ru := range r.rules {
		if ru.name == name {
			return true
		}
	}
	return false
}

// redactAll redacts b and records the counts under file.
func (r *Redactor) redactAll(b []byte, file string, s *scratch) ([]byte, bool) {
	c := counter{}
	out, changed := r.redact(b, c, s)
	r.add(file, c)
	return out, changed
}

// redact redacts b block by block, adding what it removed to c.
func (r *Redactor) redact(b []byte, c counter, s *scratch) ([]byte, bool) {
	var out []byte
	changed := false
	for start := 0; start < len(b); {
		end := blockEnd(b, start)
		red, ch := r.redactBlock(b[start:end], c, s)
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
// File names are redacted too (without counting), so a name that holds a
// secret does not carry it into the report.
func (r *Redactor) Report() Report {
	rep := Report{Files: map[string]map[string]int{}, Totals: map[string]int{}}
	for _, ru := range r.rules {
		rep.Rules = append(rep.Rules, ReportRule{Name: ru.name, Description: ru.desc})
	}
	for f, m := range r.Counts() {
		name, _ := r.redact([]byte(f), counter{}, &scratch{})
		dst := rep.Files[string(name)]
		if dst == nil {
			dst = map[string]int{}
			rep.Files[string(name)] = dst
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
