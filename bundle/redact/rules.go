package redact

import (
	"bytes"
	"regexp"
)

// builtinRules returns the rules that need no configuration, in the order
// they are applied. Specific shapes come before the generic secret-named
// parameter rule so that each value is counted under the most telling name.
func builtinRules() []*rule {
	return []*rule{
		headerRule(RuleTwilioSignature, "X-Twilio-Signature header, JSON field and form parameter values",
			regexp.MustCompile(`(?i)x-twilio-signature(\\?["'])?[ \t]*(:|=|%3d)[ \t]*`),
			[][]byte{[]byte("x-twilio-signature")}, false),
		headerRule(RuleAuthorization, "Authorization and Proxy-Authorization header values of any scheme (the scheme word is kept)",
			regexp.MustCompile(`(?i)(?:proxy-)?authorization(\\?["'])?[ \t]*(:|=|%3d)[ \t]*`),
			[][]byte{[]byte("authorization")}, true),
		headerRule(RuleCookie, "Cookie and Set-Cookie header values",
			regexp.MustCompile(`(?i)(?:set-)?cookie(\\?["'])?[ \t]*(:|=|%3d)[ \t]*`),
			[][]byte{[]byte("cookie")}, false),
		urlUserinfoRule(),
		bearerRule(),
		jwtRule(),
		awsAccessKeyRule(),
		awsSecretKeyRule(),
		secretParamRule(),
	}
}

// headerRule removes the value of a header named by re, in HTTP header text
// ("Name: value"), JSON ("Name": "value", also escaped inside a JSON string)
// and form text (Name=value, as in the request_headers and response_headers
// of Twilio alerts). re's group 1 is the quote
// that closes a JSON key, group 2 the separator.
func headerRule(name, desc string, re *regexp.Regexp, anchors [][]byte, keepScheme bool) *rule {
	repl := placeholder(name)
	win := window{anchors: anchors, before: len("proxy-"), after: 128}
	return &rule{
		name: name, desc: desc, anchors: anchors, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			qt := quotes{line: line}
			return windowSpans(line, win, re, c, name, func(line []byte, m []int) (int, int, string, bool) {
				if wordBefore(line, m[0]) {
					return 0, 0, "", false
				}
				i := m[1]
				var end int
				switch {
				case m[2] >= 0: // JSON key: the value is a string
					q := openQuote(line, i)
					if q == "" {
						return 0, 0, "", false
					}
					i += len(q)
					end = scanQuoted(line, i, q)
				case line[m[4]] == '=' || line[m[4]] == '%': // form text, plain or URL-encoded
					if q := openQuote(line, i); q != "" {
						i += len(q)
						end = scanQuoted(line, i, q)
					} else {
						end = scanUnquoted(line, i, line[m[4]] == '%')
					}
				default:
					end = scanHeaderValue(line, qt.at(m[0]), i)
				}
				if keepScheme {
					i = skipScheme(line, i, end, line[m[4]] != ':')
				}
				if end <= i || isPlaceholder(line[i:end]) {
					return 0, 0, "", false
				}
				return i, end, repl, true
			})
		},
	}
}

// skipScheme returns the start of the credentials in an Authorization value
// line[i:end] that begins with a scheme word ("Basic", "Bearer", "Digest" …)
// and a space; in form-encoded text (form) the space may be "+" or "%20".
func skipScheme(line []byte, i, end int, form bool) int {
	j := i
	for j < end && j-i <= 32 && (isWordByte(line[j]) || line[j] == '-' || line[j] == '.') {
		j++
	}
	if j == i {
		return i
	}
	k := j
	for k < end {
		switch {
		case line[k] == ' ':
			k++
		case form && line[k] == '+':
			k++
		case form && hasFoldPrefix(line[k:end], "%20"):
			k += 3
		default:
			if k == j {
				return i
			}
			return k
		}
	}
	return i
}

// urlUserinfoRule removes the password of user:password@host in URLs, plain,
// URL-encoded (as in Twilio alert_text) and in any mix of the two
// (https%3A//user%3Apass%40host), and with JSON's escaped slashes. The user
// name is kept.
func urlUserinfoRule() *rule {
	repl := placeholder(RuleURLUserinfo)
	return &rule{
		name: RuleURLUserinfo, desc: "passwords in user:password@ of URLs, plain and URL-encoded",
		anchors: [][]byte{[]byte("://"), []byte(`:\/\/`), []byte("%2f%2f"), []byte("%252f%252f"), []byte("%3a//")}, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			ed := edit{line: line}
			for i := 0; i < len(line); i++ {
				start, e, ok := schemeSep(line, i)
				if !ok {
					continue
				}
				end := authorityEnd(line, start, e)
				auth := line[start:end]
				// The "@" is the last one, written as the URL is or less
				// encoded (an encoded URL may carry a plain "@").
				at, p := -1, -1
				for n := e.times(); n >= 0 && at < 0; n-- {
					if k := lastFoldIndex(auth, []byte(userinfoMarks[n][0])); k >= 0 {
						at = k
						for m := e.times(); m >= 0 && p < 0; m-- {
							if q := foldIndex(auth[:k], []byte(userinfoMarks[m][1])); q >= 0 {
								p = q + len(userinfoMarks[m][1])
							}
						}
					}
				}
				if at >= 0 && p >= 0 {
					ps, pe := start+p, start+at
					if pe > ps && !isPlaceholder(line[ps:pe]) {
						ed.replace(ps, pe, repl)
					}
				}
				i = end - 1
			}
			return ed.result(c, RuleURLUserinfo)
		},
	}
}

// schemeSep reports whether the separator after a URL's scheme starts at i:
// ":" or "%3A", then "//", "%2F%2F" or JSON's "\/\/" (also encoded twice:
// "%253A%252F%252F"), after a letter or digit of the scheme. It returns where
// the authority starts and how its delimiters are written (see esc).
func schemeSep(line []byte, i int) (start int, e esc, ok bool) {
	if i == 0 || !isAlnum(line[i-1]) {
		return 0, 0, false
	}
	j := i
	colon := esc(0)
	switch {
	case line[j] == ':':
		j++
	case hasFoldPrefix(line[j:], "%3a"):
		j, colon = j+3, 1
	case hasFoldPrefix(line[j:], "%253a"):
		j, colon = j+5, 2
	default:
		return 0, 0, false
	}
	switch {
	case bytes.HasPrefix(line[j:], []byte("//")):
		return j + 2, colon, true
	case bytes.HasPrefix(line[j:], []byte(`\/\/`)):
		return j + 4, colon, true
	case hasFoldPrefix(line[j:], "%2f%2f"):
		return j + 6, max(colon, 1) | slashesEncoded, true
	case hasFoldPrefix(line[j:], "%252f%252f"):
		return j + 10, 2 | slashesEncoded, true
	}
	return 0, 0, false
}

// esc says how a URL is written: its low bits how many times it was
// URL-encoded (0, 1, 2), slashesEncoded whether its slashes were.
type esc int

const slashesEncoded esc = 4

// times is how many times the URL was URL-encoded.
func (e esc) times() int { return int(e &^ slashesEncoded) }

// userinfoMarks are the "@" and ":" of userinfo written 0, 1 and 2 times
// URL-encoded.
var userinfoMarks = [3][2]string{{"@", ":"}, {"%40", "%3a"}, {"%2540", "%253a"}}

// authorityEnd returns the end of the authority part of a URL starting at i:
// the first "/", "?", "#", "&", whitespace, quote, angle bracket or backslash and, when the
// URL's slashes were encoded, the first "%2F", "%3F" or "%23".
func authorityEnd(line []byte, i int, e esc) int {
	encoded := e&slashesEncoded != 0
	for j := i; j < len(line); j++ {
		switch line[j] {
		case ' ', '\t', '\r', '\n', '"', '\'', '<', '>', '\\', '/', '?', '#', '&':
			return j
		case '%':
			if encoded && (hasFoldPrefix(line[j:], "%2f") || hasFoldPrefix(line[j:], "%3f") || hasFoldPrefix(line[j:], "%23") ||
				hasFoldPrefix(line[j:], "%252f") || hasFoldPrefix(line[j:], "%253f") || hasFoldPrefix(line[j:], "%2523")) {
				return j
			}
		}
	}
	return len(line)
}

// hasFoldPrefix reports whether b starts with the lowercase ASCII prefix p,
// ignoring case.
func hasFoldPrefix(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		ch := b[k]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != p[k] {
			return false
		}
	}
	return true
}

func foldIndex(b, sub []byte) int {
	for k := 0; k+len(sub) <= len(b); k++ {
		if hasFoldPrefix(b[k:], string(sub)) {
			return k
		}
	}
	return -1
}

func lastFoldIndex(b, sub []byte) int {
	for k := len(b) - len(sub); k >= 0; k-- {
		if hasFoldPrefix(b[k:], string(sub)) {
			return k
		}
	}
	return -1
}

var bearerRe = regexp.MustCompile(`(?i)bearer(?:[ \t]+|%20|\+)([A-Za-z0-9\-._~+/]+=*)`)

// bearerRule removes the token after "Bearer" (also URL-encoded). A value that
// is a plain lowercase word ("a bearer token is …") is prose and kept.
func bearerRule() *rule {
	repl := placeholder(RuleBearer)
	win := window{anchors: [][]byte{[]byte("bearer")}, after: 128}
	return &rule{
		name: RuleBearer, desc: "bearer tokens",
		anchors: [][]byte{[]byte("bearer")}, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			return windowSpans(line, win, bearerRe, c, RuleBearer, func(line []byte, m []int) (int, int, string, bool) {
				if wordBefore(line, m[0]) {
					return 0, 0, "", false
				}
				// The window may end inside a long token: take all of it.
				for m[3] < len(line) && isTokenByte(line[m[3]]) {
					m[3]++
				}
				v := line[m[2]:m[3]]
				if len(v) < 8 || isLowerWord(v) || isSID(v) {
					return 0, 0, "", false
				}
				return m[2], m[3], repl, true
			})
		},
	}
}

// isTokenByte reports whether ch may appear in a bearer token (RFC 6750
// token68).
func isTokenByte(ch byte) bool {
	return isWordByte(ch) || ch == '-' || ch == '.' || ch == '~' || ch == '+' || ch == '/' || ch == '='
}

func isLowerWord(v []byte) bool {
	for _, ch := range v {
		if ch < 'a' || ch > 'z' {
			return false
		}
	}
	return true
}

var jwtRe = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*`)

// jwtRule removes JSON Web Tokens: three base64url segments, the first
// starting "eyJ" (the encoding of `{"`).
func jwtRule() *rule {
	repl := placeholder(RuleJWT)
	return &rule{
		name: RuleJWT, desc: "JSON Web Tokens (Twilio access tokens)",
		anchors: [][]byte{[]byte("eyJ")},
		apply: func(line []byte, c counter) ([]byte, bool) {
			return regexSpans(line, jwtRe, c, RuleJWT, func(line []byte, m []int) (int, int, string, bool) {
				return m[0], m[1], repl, true
			})
		},
	}
}

var awsAccessKeyRe = regexp.MustCompile(`(?:AKIA|ASIA)[A-Z0-9]{16}`)

// awsAccessKeyRule removes AWS access key IDs standing as a word of their own.
func awsAccessKeyRule() *rule {
	repl := placeholder(RuleAWSAccessKey)
	return &rule{
		name: RuleAWSAccessKey, desc: "AWS access key IDs (AKIA…, ASIA…)",
		anchors: [][]byte{[]byte("AKIA"), []byte("ASIA")},
		apply: func(line []byte, c counter) ([]byte, bool) {
			return regexSpans(line, awsAccessKeyRe, c, RuleAWSAccessKey, func(line []byte, m []int) (int, int, string, bool) {
				if m[0] > 0 && isAlnum(line[m[0]-1]) || m[1] < len(line) && isAlnum(line[m[1]]) {
					return 0, 0, "", false
				}
				return m[0], m[1], repl, true
			})
		},
	}
}

func isAlnum(ch byte) bool { return isWordByte(ch) && ch != '_' }

var awsSecretKeyRe = regexp.MustCompile(`(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?([A-Za-z0-9/+]{40})`)

// awsSecretKeyRule removes a 40-character AWS secret access key written next
// to its name (aws_secret_access_key = …, "SecretAccessKey": "…").
func awsSecretKeyRule() *rule {
	repl := placeholder(RuleAWSSecretKey)
	win := window{anchors: [][]byte{[]byte("secret")}, before: len("aws_"), after: 160}
	return &rule{
		name: RuleAWSSecretKey, desc: "AWS secret access keys next to their name",
		anchors: [][]byte{[]byte("secret")}, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			return windowSpans(line, win, awsSecretKeyRe, c, RuleAWSSecretKey, func(line []byte, m []int) (int, int, string, bool) {
				if m[3] < len(line) && (isAlnum(line[m[3]]) || line[m[3]] == '/' || line[m[3]] == '+') {
					return 0, 0, "", false
				}
				return m[2], m[3], repl, true
			})
		},
	}
}

// keptValue reports whether a secret-named parameter's value is kept: empty,
// already redacted (also "Basic [REDACTED:…]"), a SID (key=SK… names an API key, it is not one), or a
// boolean or null.
func keptValue(v []byte) bool {
	if len(v) == 0 || isPlaceholder(v) || isPlaceholder(v[skipScheme(v, 0, len(v), true):]) || isSID(v) {
		return true
	}
	switch string(v) {
	case "true", "false", "null", "True", "False", "TRUE", "FALSE", "None":
		return true
	}
	return false
}

// stripPlaceholders returns name without the placeholders in it: a name that
// held a secret does not make its value secret, and its placeholder's rule
// name ("secret") must not either.
func stripPlaceholders(name []byte) []byte {
	if !bytes.Contains(name, []byte("[REDACTED:")) {
		return name
	}
	var out []byte
	for {
		i := bytes.Index(name, []byte("[REDACTED:"))
		if i < 0 {
			return append(out, name...)
		}
		out = append(out, name[:i]...)
		j := bytes.IndexByte(name[i:], ']')
		if j < 0 {
			return out
		}
		name = name[i+j+1:]
	}
}

// afterPlaceholder moves the start ns of a name that ends at i past a
// placeholder it runs into: in "[REDACTED:secret]url=" the name is "url".
func afterPlaceholder(line []byte, ns, i int) int {
	j := bytes.LastIndexByte(line[ns:i], ']')
	if j < 0 || ns == 0 || line[ns-1] != ':' {
		return ns
	}
	if k := bytes.LastIndex(line[:ns], []byte("[REDACTED:")); k >= 0 && k+len("[REDACTED:") == ns {
		return ns + j + 1
	}
	return ns
}

// isTwilioLink reports whether v is a link to a Twilio REST resource.
func isTwilioLink(v []byte) bool {
	if bytes.HasPrefix(v, []byte("/2010-04-01/")) {
		return true
	}
	rest, ok := bytes.CutPrefix(v, []byte("https://"))
	if !ok {
		return false
	}
	host, _, _ := bytes.Cut(rest, []byte("/"))
	return bytes.HasSuffix(host, []byte(".twilio.com"))
}

func isHex(ch byte) bool {
	return isDigit(ch) || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
}

func isNameByte(ch byte) bool {
	return isWordByte(ch) || ch == '.' || ch == '-' || ch == '%' || ch == '[' || ch == ']'
}

// secretParamAnchors are the fragments one of which every secret name holds.
var secretParamAnchors = [][]byte{
	[]byte("token"), []byte("secret"), []byte("pass"), []byte("pwd"),
	[]byte("key"), []byte("sig"), []byte("auth"), []byte("credential"),
}

// secretParamRule removes the values of parameters whose names mean secret
// as a whole (see secretName): query and form parameters (name=value, also
// URL-encoded name%3Dvalue), JSON and dict fields ("name": "value",
// 'name': 'value', \"name\":\"value\") and header-like pairs (name: value)
// for names that are unambiguous there.
func secretParamRule() *rule {
	return &rule{
		name: RuleSecretParam, desc: "values of query, form, JSON and header parameters named token, secret, password, passwd, pwd, key, api_key, signature, sig, auth, credentials … (whole names only: cache_key and monkey are kept); SIDs are kept",
		anchors: secretParamAnchors, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			return paramSpans(line, c, RuleSecretParam, func(name []byte, form byte) bool {
				return secretName(name, form == ':')
			}, func(name, v []byte, form byte) (string, bool) {
				if keptValue(v) {
					return "", false
				}
				if form == 'j' {
					return memberValue(RuleSecretParam, name, v)
				}
				return placeholder(RuleSecretParam), true
			})
		},
	}
}

// paramSpans finds name/value pairs in line and replaces the values of those
// whose name passes want with what repl returns. form tells the shape: '='
// query/form, 'e' URL-encoded query, 'j' JSON or dict field, ':' header-like.
func paramSpans(line []byte, c counter, rule string,
	want func(name []byte, form byte) bool,
	repl func(name, value []byte, form byte) (string, bool)) ([]byte, bool) {
	type span struct {
		s, e int
		r    string
	}
	var spans []span
	qt := quotes{line: line}
	// skip is where scanning resumes after a value that will be replaced:
	// pairs inside it go with it.
	skip := 0
	add := func(name []byte, s, e int, form byte) {
		if e < s {
			return
		}
		if r, ok := repl(name, line[s:e], form); ok {
			spans = append(spans, span{s, e, r})
			skip = e
		}
	}
	for i := 0; i < len(line); i++ {
		if i < skip {
			i = skip - 1
			continue
		}
		switch line[i] {
		case '=':
			ns := i
			for ns > 0 && isNameByte(line[ns-1]) {
				ns--
			}
			ns = afterPlaceholder(line, ns, i)
			name := line[ns:i]
			if !want(name, '=') {
				continue
			}
			v := i + 1
			if q := openQuote(line, v); q != "" {
				v += len(q)
				add(name, v, scanQuoted(line, v, q), '=')
			} else {
				add(name, v, scanUnquoted(line, v, false), '=')
			}
		case '%':
			if i+2 >= len(line) || line[i+1] != '3' || (line[i+2] != 'D' && line[i+2] != 'd') {
				continue
			}
			ns := i
			for ns > 0 && isWordByte(line[ns-1]) || ns > 0 && (line[ns-1] == '.' || line[ns-1] == '-') {
				ns--
			}
			if ns >= 1 && line[ns-1] == '%' && i-ns >= 2 && isHex(line[ns]) && isHex(line[ns+1]) {
				ns += 2 // the name follows an encoded delimiter: %26name%3D
			}
			name := line[ns:i]
			if !want(name, 'e') {
				continue
			}
			add(name, i+3, scanUnquoted(line, i+3, true), 'e')
		case ':':
			// JSON / dict: "name": value
			j := i
			for j > 0 && (line[j-1] == ' ' || line[j-1] == '\t') {
				j--
			}
			if j > 0 && (line[j-1] == '"' || line[j-1] == '\'') {
				q := line[j-1]
				closeAt := j - 1
				esc := closeAt > 0 && line[closeAt-1] == '\\'
				nameEnd := closeAt
				if esc {
					nameEnd--
				}
				ns := nameEnd
				for ns > 0 && line[ns-1] != q && line[ns-1] != '\\' && nameEnd-ns < 128 {
					ns--
				}
				if ns == 0 || line[ns-1] != q {
					continue
				}
				name := line[ns:nameEnd]
				if !want(name, 'j') {
					continue
				}
				v := i + 1
				for v < len(line) && (line[v] == ' ' || line[v] == '\t') {
					v++
				}
				oq := openQuote(line, v)
				if oq == "" || (oq != `\"` && oq[0] != q) {
					continue
				}
				v += len(oq)
				add(name, v, scanQuoted(line, v, oq), 'j')
				continue
			}
			// header-like: name: value
			if j != i {
				continue
			}
			ns := i
			for ns > 0 && (isWordByte(line[ns-1]) || line[ns-1] == '-') {
				ns--
			}
			name := line[ns:i]
			if !want(name, ':') {
				continue
			}
			v := i + 1
			if v < len(line) && line[v] == '/' { // a URL scheme, not a pair
				continue
			}
			for v < len(line) && (line[v] == ' ' || line[v] == '\t') {
				v++
			}
			add(name, v, scanHeaderValue(line, qt.at(ns), v), ':')
		}
	}
	ed := edit{line: line}
	for _, sp := range spans {
		ed.replace(sp.s, sp.e, sp.r)
	}
	return ed.result(c, rule)
}
