package twiliostatus

import (
	"sort"
	"strings"
	"unicode"
)

// What a status-page component or incident can concern. Only these four
// matter to a customer whose webhooks fail: Twilio delivers webhooks for
// voice calls and messages, and the REST API is how the customer (and this
// tool) reads what happened.
const (
	ConcernWebhooks  = "webhooks"
	ConcernVoice     = "voice"
	ConcernMessaging = "messaging"
	ConcernRESTAPI   = "rest-api"
)

// concernWords maps a single lower-case word to the concern it signals.
// Words are whole words of the text (split on anything that is not a letter
// or a digit), so "Voice" matches "Programmable Voice" but not "Invoice",
// and "SMS" matches "Inbound SMS" but not "SMSC".
var concernWords = map[string]string{
	"webhook":   ConcernWebhooks,
	"webhooks":  ConcernWebhooks,
	"callback":  ConcernWebhooks,
	"callbacks": ConcernWebhooks,
	"twiml":     ConcernWebhooks,

	"voice":    ConcernVoice,
	"call":     ConcernVoice,
	"calls":    ConcernVoice,
	"calling":  ConcernVoice,
	"sip":      ConcernVoice,
	"trunking": ConcernVoice,

	"messaging": ConcernMessaging,
	"message":   ConcernMessaging,
	"messages":  ConcernMessaging,
	"sms":       ConcernMessaging,
	"mms":       ConcernMessaging,
	"whatsapp":  ConcernMessaging,
}

// concernPhrases maps two adjacent lower-case words to a concern. "API" on
// its own word is too broad ("Verify API", "Video API" concern products that
// deliver no webhooks), so only these phrases, and a text that is exactly
// "API", mean the REST API.
var concernPhrases = map[[2]string]string{
	{"rest", "api"}:   ConcernRESTAPI,
	{"twilio", "api"}: ConcernRESTAPI,
	{"core", "api"}:   ConcernRESTAPI,
	{"public", "api"}: ConcernRESTAPI,
	{"api", "2010"}:   ConcernRESTAPI,
	{"2010", "api"}:   ConcernRESTAPI,
}

// Concerns returns, sorted and without repeats, what the given texts
// (component names, an incident name) concern among ConcernWebhooks,
// ConcernVoice, ConcernMessaging and ConcernRESTAPI. The rules are keyword
// rules on whole words, case-insensitive:
//
//   - webhooks: webhook(s), callback(s), TwiML
//   - voice: voice, call(s), calling, SIP, trunking
//   - messaging: messaging, message(s), SMS, MMS, WhatsApp
//   - rest-api: "REST API", "Twilio API", "Core API", "Public API",
//     "API 2010"/"2010 API", or a text that is exactly "API"
//
// A text that matches none of them concerns nothing this tool looks at
// (Console, Video, Verify, carrier-independent billing …).
func Concerns(texts ...string) []string {
	seen := map[string]bool{}
	for _, text := range texts {
		words := splitWords(text)
		if len(words) == 1 && words[0] == "api" {
			seen[ConcernRESTAPI] = true
		}
		for i, w := range words {
			if c, ok := concernWords[w]; ok {
				seen[c] = true
			}
			if i+1 < len(words) {
				if c, ok := concernPhrases[[2]string{w, words[i+1]}]; ok {
					seen[c] = true
				}
			}
		}
	}
	if len(seen) == 0 {
		return nil
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// IsRelevant reports whether any of the texts concerns webhooks, voice,
// messaging or the REST API (see Concerns for the rules).
func IsRelevant(texts ...string) bool { return len(Concerns(texts...)) > 0 }

// splitWords lower-cases text and splits it into runs of letters and digits.
func splitWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
