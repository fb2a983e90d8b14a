package redact

import (
	"strings"
)

// A name means secret when it is one, as a whole: a parameter, header or JSON
// member called token, password, api_key, X-Auth-Token or AuthToken, never one
// that merely holds such a word inside another (monkey, keyspace, design,
// author, signal, WWW-Authenticate) or names something about a secret
// (token_type, ApiKeySid, PageToken).
//
// A name is split into words at every character that is not a letter or a
// digit, at URL escapes (%5B) and at case changes (AuthToken → auth token,
// APIKey → api key); trailing words of digits are dropped
// (X-Hub-Signature-256). The name is secret when its last word is
//   - a secret word: token, secret, password, passwd, pwd, passphrase,
//     passcode, signature, sig, auth, authorization, credential(s), apikey;
//   - key, alone or after a word that makes it a credential (api key, access
//     key, private key …) — cache_key or sort_key are not;
//   - one word joining such a qualifier and a secret word (authtoken,
//     accesstoken, clientsecret, secretkey).

// secretWords are the last words that make a name secret.
var secretWords = map[string]bool{
	"token": true, "secret": true, "password": true, "passwd": true, "pwd": true,
	"passphrase": true, "passcode": true, "signature": true, "sig": true,
	"auth": true, "authorization": true, "credential": true, "credentials": true,
	"apikey": true,
}

// plainWords are the secret words that stay secret in prose-like text
// ("name: value"), where "Signature: John" or "Auth: required" are common.
var plainWords = map[string]bool{
	"token": true, "secret": true, "password": true, "passwd": true, "pwd": true,
	"passphrase": true, "passcode": true, "credential": true, "credentials": true,
	"apikey": true,
}

// qualifiers are the words that make "key" a credential (api key, private
// key) and that may be joined to a secret word in one (authtoken, apisecret).
var qualifiers = map[string]bool{
	"api": true, "access": true, "private": true, "secret": true, "signing": true,
	"auth": true, "client": true, "session": true, "app": true, "master": true,
	"encryption": true, "subscription": true, "consumer": true, "shared": true,
	"hmac": true, "webhook": true, "account": true, "refresh": true, "id": true,
	"bearer": true, "csrf": true, "xsrf": true, "oauth": true, "user": true,
	"admin": true, "db": true, "security": true,
}

// notSecret are words that make a name about a secret, not one: Twilio's
// I-Twilio-Idempotency-Token correlates retries, a PageToken pages a list.
var notSecret = map[string]bool{"idempotency": true, "page": true}

// secretName reports whether name means secret. plain is for "name: value"
// text, where a one-word name counts only when it is unambiguous there
// (Signature: J. Smith, Key: value and Auth: required are prose; X-Signature
// and X-Auth are headers).
func secretName(name []byte, plain bool) bool {
	words := nameWords(stripPlaceholders(name))
	for len(words) > 0 && isDigits(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if notSecret[w] {
			return false
		}
	}
	last := words[len(words)-1]
	plain = plain && len(words) == 1
	isSecret := func(w string) bool {
		if plain {
			return plainWords[w]
		}
		return secretWords[w]
	}
	switch {
	case isSecret(last):
		return true
	case last == "key":
		if len(words) == 1 {
			return !plain
		}
		return qualifiers[words[len(words)-2]]
	}
	// One word joining a qualifier and a secret word.
	for q := range qualifiers {
		rest, ok := strings.CutPrefix(last, q)
		if ok && rest != "" && (isSecret(rest) || rest == "key") {
			return true
		}
	}
	return false
}

// nameWords splits a name into lowercase words (see secretName).
func nameWords(name []byte) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(name[start:end])))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch == '%' && i+2 < len(name) && isHex(name[i+1]) && isHex(name[i+2]) {
			flush(i)
			i += 2
			continue
		}
		if !isAlnum(ch) {
			flush(i)
			continue
		}
		if start >= 0 && caseBreak(name, i) {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(name))
	return words
}

// caseBreak reports whether a new word starts at i inside a run of letters
// and digits: a capital after a lowercase letter (authToken), the last
// capital of an acronym before lowercase letters (APIKey), and the change
// between letters and digits (signature256).
func caseBreak(b []byte, i int) bool {
	prev, ch := b[i-1], b[i]
	switch {
	case isUpper(ch) && isLower(prev):
		return true
	case isUpper(ch) && isUpper(prev) && i+1 < len(b) && isLower(b[i+1]):
		return true
	case isDigit(ch) != isDigit(prev):
		return true
	}
	return false
}

func isUpper(ch byte) bool { return 'A' <= ch && ch <= 'Z' }
func isLower(ch byte) bool { return 'a' <= ch && ch <= 'z' }

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return w != ""
}

// memberRule is the rule that removes the whole value of a JSON member or
// map entry called name, "" when the name alone says nothing: sensitive
// headers by their rule, names that mean secret as secret-param, bodies when
// they are masked.
func memberRule(name []byte, maskBodies bool) string {
	if len(name) > 64 {
		return ""
	}
	var buf [64]byte
	switch string(lowerASCII(buf[:0], name)) {
	case "x-twilio-signature":
		return RuleTwilioSignature
	case "authorization", "proxy-authorization":
		return RuleAuthorization
	case "cookie", "set-cookie":
		return RuleCookie
	}
	if maskBodies && bodyFields[string(name)] {
		return RuleBody
	}
	if secretName(name, false) {
		return RuleSecretParam
	}
	return ""
}

// memberValue returns what the value v of a member removed whole under rule
// becomes, and false when v is kept: empty, already redacted, a SID, a
// boolean, or one of the few values that name no secret (the Monitor API's
// paging "key": "alerts", a link to a Twilio resource).
func memberValue(rule string, name, v []byte) (string, bool) {
	switch rule {
	case RuleBody:
		if len(v) == 0 || isPlaceholder(v) {
			return "", false
		}
		return bodyPlaceholder(len(v)), true
	case RuleAuthorization:
		if len(v) == 0 {
			return "", false
		}
		i := skipScheme(v, 0, len(v), false)
		if isPlaceholder(v[i:]) {
			return "", false
		}
		return string(v[:i]) + placeholder(rule), true
	case RuleSecretParam:
		if keptValue(v) || isTwilioLink(v) {
			return "", false
		}
		if strings.EqualFold(string(name), "key") && isLowerWord([]byte(strings.ReplaceAll(string(v), "_", ""))) {
			return "", false
		}
	}
	if len(v) == 0 || isPlaceholder(v) {
		return "", false
	}
	return placeholder(rule), true
}
