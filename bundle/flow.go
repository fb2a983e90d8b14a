package bundle

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/twilio-evidence/twilio-evidence/collect"
	"github.com/twilio-evidence/twilio-evidence/templates"
)

// FlowFile is the flow description inside the bundle.
const FlowFile = "flow.md"

// What answers a webhook, from its URL or the SID that handles it.
const (
	HandlerServer           = "server"            // the customer's own web server
	HandlerStudio           = "studio"            // a Studio Flow (webhooks.twilio.com/…/Flows/FW…)
	HandlerFunction         = "function"          // a Twilio Function or Asset (*.twil.io)
	HandlerTwiMLBin         = "twiml_bin"         // a TwiML Bin (handler.twilio.com/twiml/EH…)
	HandlerApplication      = "twiml_app"         // a TwiML application (AP…) answers instead of the number
	HandlerMessagingService = "messaging_service" // a Messaging Service (MG…) answers instead of the number
	HandlerTrunk            = "trunk"             // a SIP trunk (TK…) takes the calls
	HandlerNone             = "none"              // nothing configured
)

// FlowChannel is what answers one channel (voice or SMS) of a number.
type FlowChannel struct {
	// Via is the TwiML application, messaging service or trunk that answers
	// instead of the number's own URLs (Handler* kind, SID and name).
	Via, ViaSID, ViaName string
	// Handler is what the effective URL is (Handler* kind); Target its SID
	// when the URL names one (FW…, EH…).
	Handler, Target                    string
	URL, Method                        string
	FallbackURL, FallbackMethod        string
	StatusCallback, StatusCallbackMeth string
}

// FlowNumber is one phone number and what answers its calls and messages.
type FlowNumber struct {
	Number, SID, Name string
	Voice, SMS        FlowChannel
}

// FlowModel is the part of the flow description the configuration answers.
type FlowModel struct {
	AccountSID, AccountName string
	Numbers                 []FlowNumber
	// Groups are the numbers whose calls and messages are answered the
	// same way, in the order of their first number: one entry each in the
	// description.
	Groups []FlowGroup
}

// FlowGroup is numbers whose calls and messages are answered the same way.
type FlowGroup struct {
	// Numbers are the group's numbers; Voice and SMS what answers them.
	Numbers    []FlowNumber
	Voice, SMS FlowChannel
}

// SID is the number SID of a group of one, "" for several (their SIDs are
// in config/endpoints.csv).
func (g FlowGroup) SID() string {
	if len(g.Numbers) == 1 {
		return g.Numbers[0].SID
	}
	return ""
}

// groupNumbers puts the numbers answered the same way together.
func groupNumbers(numbers []FlowNumber) []FlowGroup {
	var groups []FlowGroup
	at := map[[2]FlowChannel]int{}
	for _, n := range numbers {
		k := [2]FlowChannel{n.Voice, n.SMS}
		i, ok := at[k]
		if !ok {
			i = len(groups)
			at[k] = i
			groups = append(groups, FlowGroup{Voice: n.Voice, SMS: n.SMS})
		}
		groups[i].Numbers = append(groups[i].Numbers, n)
	}
	return groups
}

// label names the group's numbers at once in l's language: the number of
// a group of one, "+1415555010{0–2,4} (4 numbers)" for several.
func (g FlowGroup) label(l *Localizer) string {
	if len(g.Numbers) == 1 {
		return g.Numbers[0].Number
	}
	nums := make([]string, len(g.Numbers))
	for i, n := range g.Numbers {
		nums[i] = n.Number
	}
	return l.F("flow.numbers", "numbers", NumberRange(nums), "count", len(nums))
}

// NumberRange names several phone numbers at once: their common start,
// then the digits that differ as ranges in braces, "+1415555010{0–2,4}",
// "+141555501{06–09,11}". Numbers that differ in more than their last
// four digits are listed, "+13125550199, +14155550100".
func NumberRange(nums []string) string {
	switch len(nums) {
	case 0:
		return ""
	case 1:
		return nums[0]
	}
	sorted := append([]string(nil), nums...)
	sort.Strings(sorted)
	prefix := sorted[0]
	for _, n := range sorted[1:] {
		for !strings.HasPrefix(n, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	width := len(sorted[0]) - len(prefix)
	values := make([]int, len(sorted))
	for i, n := range sorted {
		v, err := strconv.Atoi(n[len(prefix):])
		if width > 4 || len(n) != len(sorted[0]) || err != nil || v < 0 {
			return strings.Join(sorted, ", ")
		}
		values[i] = v
	}
	digits := func(v int) string { return fmt.Sprintf("%0*d", width, v) }
	var parts []string
	for i := 0; i < len(values); {
		j := i
		for j+1 < len(values) && values[j+1] == values[j]+1 {
			j++
		}
		switch {
		case i == j:
			parts = append(parts, digits(values[i]))
		case j == i+1:
			parts = append(parts, digits(values[i]), digits(values[j]))
		default:
			parts = append(parts, digits(values[i])+"–"+digits(values[j]))
		}
		i = j + 1
	}
	return prefix + "{" + strings.Join(parts, ",") + "}"
}

var (
	studioRe = regexp.MustCompile(`^https://webhooks\.twilio\.com/v1/Accounts/AC[0-9a-fA-F]{32}/Flows/(FW[0-9a-fA-F]{32})`)
	binRe    = regexp.MustCompile(`^https://handler\.twilio\.com/twiml/(EH[0-9a-fA-F]{32})`)
)

// classifyURL says what answers a webhook URL.
func classifyURL(raw string) (kind, target string) {
	if raw == "" {
		return HandlerNone, ""
	}
	if m := studioRe.FindStringSubmatch(raw); m != nil {
		return HandlerStudio, m[1]
	}
	if m := binRe.FindStringSubmatch(raw); m != nil {
		return HandlerTwiMLBin, m[1]
	}
	if u, err := url.Parse(raw); err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), ".twil.io") {
		return HandlerFunction, u.Hostname()
	}
	return HandlerServer, ""
}

// NewFlowModel reads, for every phone number, what answers its calls and
// messages from the webhook configuration: the number's own URLs, or those
// of the TwiML application or messaging service that answers instead.
func NewFlowModel(ev *collect.Evidence) FlowModel {
	m := FlowModel{AccountSID: ev.Account.SID, AccountName: ev.Account.FriendlyName}
	byOwner := map[string]collect.Endpoint{}
	for _, e := range ev.Endpoints {
		byOwner[e.OwnerSID+"/"+e.Channel] = e
	}
	channel := func(e collect.Endpoint) FlowChannel {
		eff := e
		var c FlowChannel
		if e.HandledBy != "" {
			c.ViaSID = e.HandledBy
			switch e.HandledBy[:min(2, len(e.HandledBy))] {
			case "AP":
				c.Via = HandlerApplication
			case "MG":
				c.Via = HandlerMessagingService
			default:
				c.Via = HandlerTrunk
			}
			if o, ok := byOwner[e.HandledBy+"/"+e.Channel]; ok {
				eff = o
				c.ViaName = o.OwnerName
			} else {
				eff = collect.Endpoint{}
			}
		}
		c.Handler, c.Target = classifyURL(eff.URL)
		if c.Via == HandlerTrunk {
			c.Handler = HandlerTrunk
		}
		c.URL, c.Method = eff.URL, eff.Method
		c.FallbackURL, c.FallbackMethod = eff.FallbackURL, eff.FallbackMethod
		c.StatusCallback, c.StatusCallbackMeth = eff.StatusCallback, eff.StatusCallbackMethod
		if c.StatusCallback == "" && eff.OwnerSID != e.OwnerSID {
			c.StatusCallback, c.StatusCallbackMeth = e.StatusCallback, e.StatusCallbackMethod
		}
		return c
	}
	seen := map[string]int{}
	for _, e := range ev.Endpoints {
		if e.OwnerKind != collect.OwnerNumber {
			continue
		}
		i, ok := seen[e.OwnerSID]
		if !ok {
			i = len(m.Numbers)
			seen[e.OwnerSID] = i
			m.Numbers = append(m.Numbers, FlowNumber{Number: e.OwnerName, SID: e.OwnerSID,
				Voice: FlowChannel{Handler: HandlerNone}, SMS: FlowChannel{Handler: HandlerNone}})
		}
		switch e.Channel {
		case collect.ChannelVoice:
			m.Numbers[i].Voice = channel(e)
		case collect.ChannelSMS:
			m.Numbers[i].SMS = channel(e)
		}
	}
	m.Groups = groupNumbers(m.Numbers)
	return m
}

// RenderFlow writes the flow description of lang pre-filled from the
// configuration, the parts only the customer knows left as [[TODO: …]]
// blanks.
func RenderFlow(ev *collect.Evidence, lang string) ([]byte, error) {
	l, err := NewLocalizer(lang)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"handler": func(c FlowChannel) string {
			s := l.S("handler." + c.Handler)
			if c.Target != "" {
				s += " " + c.Target
			}
			if c.Via != "" {
				via := l.S("handler."+c.Via) + " " + c.ViaSID
				if c.ViaName != "" {
					via += " (" + c.ViaName + ")"
				}
				s = l.F("flow.via", "via", via, "handler", s)
			}
			return s
		},
		"label": func(g FlowGroup) string { return g.label(l) },
		"orNone": func(s string) string {
			if s == "" {
				return l.S("flow.none")
			}
			return s
		},
	}
	var b bytes.Buffer
	if err := templates.Execute(&b, templates.FlowTemplate(l.Lang()), funcs, NewFlowModel(ev)); err != nil {
		return nil, fmt.Errorf("flow description: %w", err)
	}
	return b.Bytes(), nil
}

// blankRe finds the blanks of a flow description; commentRe its HTML
// comments, whose examples of blanks are not blanks.
var (
	blankRe   = regexp.MustCompile(`\[\[TODO[^\]]*\]\]`)
	commentRe = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// FlowBlanks returns the blanks the customer has not filled in yet, in the
// order they appear, each as its line with the blank shown as "…" (e.g.
// "Since when, and how often by your own count: …").
func FlowBlanks(text []byte) []string {
	var out []string
	for _, line := range strings.Split(string(commentRe.ReplaceAll(text, nil)), "\n") {
		if !blankRe.MatchString(line) {
			continue
		}
		s := strings.TrimSpace(blankRe.ReplaceAllString(line, "…"))
		s = strings.TrimSpace(strings.TrimLeft(s, "-*# "))
		if s == "…" {
			// A blank on a line of its own: say what it asks for.
			m := blankRe.FindString(line)
			s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(m, "[[TODO"), "]]"), ":"))
		}
		out = append(out, s)
	}
	return out
}
