package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"regexp"
	"strconv"
	"sync"
)

// phoneRule masks E.164 numbers: "+", its URL encoding "%2B" (Twilio form
// bodies, alert_text) or its JSON escape "\u002B", then 8 to 15 digits not
// followed by another digit. The prefix is kept as written, so encoded text
// stays encoded.
//
// In form-encoded text "+" also stands for a space, so "Order+12345678" is
// masked too: over-masking is the safe side.
func phoneRule(pm *phoneMasker) *rule {
	return &rule{
		name: RulePhone, desc: "E.164 phone numbers, masked consistently (+XX, 6 letters of a keyed hash, last 4 digits)", value: true,
		anchors: [][]byte{[]byte("+"), []byte("%2b"), []byte(`\u002b`)}, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			ed := edit{line: line}
			for i := 0; i < len(line); i++ {
				var p int // length of the plus sign as written
				switch {
				case line[i] == '+':
					p = 1
				case line[i] == '%' && i+2 < len(line) && line[i+1] == '2' && (line[i+2] == 'B' || line[i+2] == 'b'):
					p = 3
				case line[i] == '\\' && i+5 < len(line) && string(line[i+1:i+5]) == "u002" && (line[i+5] == 'B' || line[i+5] == 'b'):
					p = 6
				default:
					continue
				}
				d := i + p
				e := d
				for e < len(line) && isDigit(line[e]) {
					e++
				}
				n := e - d
				if n < 8 || n > 15 || line[d] == '0' {
					i = e - 1
					continue
				}
				ed.replace(i, e, string(line[i:d])+pm.mask(line[d:e]))
				i = e - 1
			}
			return ed.result(c, RulePhone)
		},
	}
}

// phoneMasker masks phone numbers under one key.
type phoneMasker struct {
	key []byte
}

func (pm *phoneMasker) mask(digits []byte) string { return phoneMask(pm.key, digits) }

// phoneMask returns "XX", 6 lowercase letters drawn from an HMAC of the digits
// under key, and the last 4 digits: 14155551234 → XXkqvmbz1234. Letters
// cannot be read as digits, so a mask is never taken for a number again.
func phoneMask(key, digits []byte) string {
	var m hash.Hash
	if v := macs.Get(); v != nil && bytes.Equal(v.(*keyedMAC).key, key) {
		m = v.(*keyedMAC).h
		m.Reset()
	} else {
		m = hmac.New(sha256.New, key)
	}
	m.Write(digits)
	var sumBuf [sha256.Size]byte
	sum := m.Sum(sumBuf[:0])
	macs.Put(&keyedMAC{key: key, h: m})
	out := make([]byte, 0, 12)
	out = append(out, 'X', 'X')
	for i := 0; i < 6; i++ {
		out = append(out, 'a'+sum[i]%26)
	}
	return string(append(out, digits[len(digits)-4:]...))
}

// keyedMAC is an HMAC kept for reuse with the key it was made for.
type keyedMAC struct {
	key []byte
	h   hash.Hash
}

// macs holds HMACs for reuse: setting one up costs more than hashing a number.
var macs sync.Pool

// MaskPhone returns the mask this Redactor gives the E.164 number number
// ("+14155551234"), without counting it, so that other outputs (a CSV column
// filled from structured data) can use the same mask as the redacted text.
// A value that is not an E.164 number is returned unchanged, as is any value
// when phone masking is off.
func (r *Redactor) MaskPhone(number string) string {
	pm := r.set.Load().phones
	if pm == nil || !e164Re.MatchString(number) {
		return number
	}
	return "+" + pm.mask([]byte(number[1:]))
}

var e164Re = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// bodyPlaceholder stands for a dropped body of n bytes.
func bodyPlaceholder(n int) string {
	return "[REDACTED:" + RuleBody + ":" + strconv.Itoa(n) + "-bytes]"
}

// bodyFields are the JSON field names whose string values are bodies.
var bodyFields = map[string]bool{
	"body": true, "Body": true, "BODY": true,
	"response_body": true, "responseBody": true, "ResponseBody": true,
}

// bodyRule drops SMS bodies (Body=… in form text, plain or URL-encoded) and
// bodies in JSON ("body", "Body", "response_body" string fields), keeping
// their size.
func bodyRule() *rule {
	return &rule{
		name: RuleBody, desc: "SMS message bodies and HTTP response bodies (the size is kept)",
		anchors: [][]byte{[]byte("body")}, fold: true,
		apply: func(line []byte, c counter) ([]byte, bool) {
			return paramSpans(line, c, RuleBody, func(name []byte, form byte) bool {
				switch form {
				case '=', 'e':
					return len(name) == 4 && bodyFields[string(lowerASCII(nil, name))]
				case 'j':
					return bodyFields[string(name)]
				}
				return false
			}, func(_, v []byte, _ byte) (string, bool) {
				if len(v) == 0 || isPlaceholder(v) {
					return "", false
				}
				return bodyPlaceholder(len(v)), true
			})
		},
	}
}
