package bundle

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
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
