package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// minForm is the shortest encoded form of a secret that is redacted: shorter
// fragments would match ordinary text.
const minForm = 8

// secretForms returns every form in which the secrets may appear, longest
// first: the value itself (also upper- and lowercased), JSON-escaped,
// URL-encoded, base64
// in the standard and URL alphabets with and without padding, base64 of
// "user:secret" for each user name, and the part of the base64 text that the
// secret alone determines when it sits at any offset inside a longer encoded
// value (so "anyone:secret" in a Basic header is found without the user name).
func secretForms(secrets, usernames []string) []string {
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= minForm {
			set[s] = true
			set[url.QueryEscape(s)] = true
			set[url.PathEscape(s)] = true
		}
	}
	encs := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
	for _, s := range secrets {
		add(s)
		add(strings.ToUpper(s))
		add(strings.ToLower(s))
		for _, j := range jsonForms(s) {
			add(j)
		}
		for _, e := range encs {
			add(e.EncodeToString([]byte(s)))
			for _, u := range usernames {
				if u != "" {
					add(e.EncodeToString([]byte(u + ":" + s)))
				}
			}
		}
		for k := 0; k < 3; k++ {
			for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				add(innerBase64(e, s, k))
			}
		}
	}
	forms := make([]string, 0, len(set))
	for f := range set {
		forms = append(forms, f)
	}
	sort.Slice(forms, func(i, j int) bool {
		if len(forms[i]) != len(forms[j]) {
			return len(forms[i]) > len(forms[j])
		}
		return forms[i] < forms[j]
	})
	return forms
}

// jsonForms returns s as it appears inside JSON strings: escaped by
// encoding/json (which also escapes <, > and &), without HTML escaping, and
// with escaped slashes as PHP writes them.
func jsonForms(s string) []string {
	var out []string
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if err := enc.Encode(s); err != nil {
			continue
		}
		q := strings.TrimSuffix(b.String(), "\n")
		q = q[1 : len(q)-1]
		out = append(out, q, strings.ReplaceAll(q, "/", `\/`))
	}
	return out
}

// innerBase64 returns the characters of the base64 encoding of s, placed k
// bytes into a longer value, that depend on s alone.
func innerBase64(e *base64.Encoding, s string, k int) string {
	buf := make([]byte, k+len(s))
	copy(buf[k:], s)
	enc := e.EncodeToString(buf)
	start := (8*k + 5) / 6
	end := 8 * (k + len(s)) / 6
	if end > len(enc) {
		end = len(enc)
	}
	if end <= start {
		return ""
	}
	return enc[start:end]
}

// anchorsOf returns the forms that no shorter form is part of: if a line
// holds any form, it holds one of these.
func anchorsOf(forms []string) [][]byte {
	var anchors [][]byte
	for i := len(forms) - 1; i >= 0; i-- { // shortest first
		f := forms[i]
		covered := false
		for _, a := range anchors {
			if strings.Contains(f, string(a)) {
				covered = true
				break
			}
		}
		if !covered {
			anchors = append(anchors, []byte(f))
		}
	}
	return anchors
}

// newSecretRule removes the forms of the secret values (see secretForms).
func newSecretRule(forms []string) *rule {
	bforms := make([][]byte, len(forms))
	for i, f := range forms {
		bforms[i] = []byte(f)
	}
	repl := []byte(placeholder(RuleSecret))
	return &rule{
		name: RuleSecret, desc: "the auth token and API secret values, plain, URL-encoded and base64 (also inside basic-auth credentials)", value: true,
		anchors: anchorsOf(forms),
		apply: func(line []byte, c counter) ([]byte, bool) {
			changed := false
			for _, f := range bforms {
				n := bytes.Count(line, f)
				if n == 0 {
					continue
				}
				line = bytes.ReplaceAll(line, f, repl)
				c[RuleSecret] += n
				changed = true
			}
			return line, changed
		},
	}
}

// userRule applies a --redact expression: the whole match, or its group named
// "redact" when there is one, becomes a placeholder.
func userRule(name string, re *regexp.Regexp) *rule {
	group := re.SubexpIndex("redact")
	repl := placeholder(name)
	var anchors [][]byte
	if p, complete := re.LiteralPrefix(); len(p) >= 3 && !complete {
		anchors = [][]byte{[]byte(p)}
	} else if complete && len(p) > 0 {
		anchors = [][]byte{[]byte(p)}
	}
	return &rule{
		name: name, desc: "--redact expression " + strings.TrimPrefix(name, "user-"), value: true,
		anchors: anchors,
		apply: func(line []byte, c counter) ([]byte, bool) {
			return regexSpans(line, re, c, name, func(line []byte, m []int) (int, int, string, bool) {
				s, e := m[0], m[1]
				if group > 0 {
					s, e = m[2*group], m[2*group+1]
				}
				if s < 0 || e <= s || isPlaceholder(line[s:e]) {
					return 0, 0, "", false
				}
				return s, e, repl, true
			})
		},
	}
}
