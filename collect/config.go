package collect

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	api "github.com/twilio/twilio-go/rest/api/v2010"
	messaging "github.com/twilio/twilio-go/rest/messaging/v1"

	"github.com/twilio-evidence/twilio-evidence/collect/csvsafe"
)

// EndpointsFile is the bundle file listing every webhook.
const EndpointsFile = "config/endpoints.csv"

// Config collects the webhook configuration of every phone number, TwiML
// application and messaging service, resolving which URLs Twilio actually
// requests: a trunk beats an application, an application beats the number's
// own URLs, and a messaging service beats the number's SMS URL unless
// use_inbound_webhook_on_number is set.
type Config struct{}

// Name implements Collector.
func (Config) Name() string { return "config" }

// Off implements Switchable.
func (Config) Off(env *Env) string { return noAPI(env) }

// Collect implements Collector.
func (Config) Collect(ctx context.Context, env *Env) error {
	if why := noAPI(env); why != "" {
		return Skip("%s", why)
	}
	rc := env.API.Client(ctx)
	numbers, err := rc.Api.ListIncomingPhoneNumber(new(api.ListIncomingPhoneNumberParams).SetPageSize(1000).SetLimit(100000))
	if err != nil {
		return fmt.Errorf("list phone numbers: %w", apiErr(err))
	}
	apps, err := rc.Api.ListApplication(new(api.ListApplicationParams).SetPageSize(1000).SetLimit(100000))
	if err != nil {
		return fmt.Errorf("list TwiML applications: %w", apiErr(err))
	}
	services, err := rc.MessagingV1.ListService(new(messaging.ListServiceParams).SetPageSize(1000).SetLimit(10000))
	if err != nil {
		return fmt.Errorf("list messaging services: %w", apiErr(err))
	}
	serviceOf := map[string]messaging.MessagingV1Service{} // number SID → its service
	for _, svc := range services {
		pns, err := rc.MessagingV1.ListPhoneNumber(deref(svc.Sid), new(messaging.ListPhoneNumberParams).SetPageSize(1000).SetLimit(100000))
		if err != nil {
			return fmt.Errorf("list numbers of messaging service %s: %w", deref(svc.Sid), apiErr(err))
		}
		for _, pn := range pns {
			serviceOf[deref(pn.Sid)] = svc
		}
	}
	eps := endpoints(numbers, apps, services, serviceOf)
	env.Evidence.Endpoints = append(env.Evidence.Endpoints, eps...)
	var buf bytes.Buffer
	if err := csvsafe.Marshal(eps, &buf); err != nil {
		return fmt.Errorf("write %s: %w", EndpointsFile, err)
	}
	return env.Stage.WriteFile(EndpointsFile, buf.Bytes())
}

// endpoints turns the API resources into one row per owner and channel.
func endpoints(numbers []api.ApiV2010IncomingPhoneNumber, apps []api.ApiV2010Application, services []messaging.MessagingV1Service, serviceOf map[string]messaging.MessagingV1Service) []Endpoint {
	var out []Endpoint
	usedApps := map[string]bool{}
	usedServices := map[string]bool{}
	for _, n := range numbers {
		sid, name := deref(n.Sid), deref(n.PhoneNumber)
		trunk := deref(n.TrunkSid)
		voice := Endpoint{
			OwnerKind: OwnerNumber, OwnerSID: sid, OwnerName: name, Channel: ChannelVoice,
			URL: deref(n.VoiceUrl), Method: upper(n.VoiceMethod),
			FallbackURL: deref(n.VoiceFallbackUrl), FallbackMethod: upper(n.VoiceFallbackMethod),
			StatusCallback: deref(n.StatusCallback), StatusCallbackMethod: upper(n.StatusCallbackMethod),
		}
		switch {
		case trunk != "":
			voice.HandledBy = trunk
		case deref(n.VoiceApplicationSid) != "":
			voice.HandledBy = deref(n.VoiceApplicationSid)
			usedApps[voice.HandledBy] = true
		}
		sms := Endpoint{
			OwnerKind: OwnerNumber, OwnerSID: sid, OwnerName: name, Channel: ChannelSMS,
			URL: deref(n.SmsUrl), Method: upper(n.SmsMethod),
			FallbackURL: deref(n.SmsFallbackUrl), FallbackMethod: upper(n.SmsFallbackMethod),
		}
		svc, inService := serviceOf[sid]
		switch {
		case trunk != "":
			sms.HandledBy = trunk
		case inService && !derefBool(svc.UseInboundWebhookOnNumber):
			sms.HandledBy = deref(svc.Sid)
			usedServices[sms.HandledBy] = true
		case deref(n.SmsApplicationSid) != "":
			sms.HandledBy = deref(n.SmsApplicationSid)
			usedApps[sms.HandledBy] = true
		}
		voice.Effective, sms.Effective = voice.HandledBy == "", sms.HandledBy == ""
		out = append(out, voice, sms)
	}
	for _, a := range apps {
		sid, name := deref(a.Sid), deref(a.FriendlyName)
		out = append(out,
			Endpoint{
				OwnerKind: OwnerApplication, OwnerSID: sid, OwnerName: name, Channel: ChannelVoice,
				URL: deref(a.VoiceUrl), Method: upper(a.VoiceMethod),
				FallbackURL: deref(a.VoiceFallbackUrl), FallbackMethod: upper(a.VoiceFallbackMethod),
				StatusCallback: deref(a.StatusCallback), StatusCallbackMethod: upper(a.StatusCallbackMethod),
				Effective: usedApps[sid],
			},
			Endpoint{
				OwnerKind: OwnerApplication, OwnerSID: sid, OwnerName: name, Channel: ChannelSMS,
				URL: deref(a.SmsUrl), Method: upper(a.SmsMethod),
				FallbackURL: deref(a.SmsFallbackUrl), FallbackMethod: upper(a.SmsFallbackMethod),
				StatusCallback: deref(a.SmsStatusCallback), StatusCallbackMethod: "POST",
				Effective: usedApps[sid],
			})
	}
	for _, s := range services {
		sid := deref(s.Sid)
		out = append(out, Endpoint{
			OwnerKind: OwnerMessagingService, OwnerSID: sid, OwnerName: deref(s.FriendlyName), Channel: ChannelSMS,
			URL: deref(s.InboundRequestUrl), Method: upper(s.InboundMethod),
			FallbackURL: deref(s.FallbackUrl), FallbackMethod: upper(s.FallbackMethod),
			StatusCallback: deref(s.StatusCallback), StatusCallbackMethod: "POST",
			Effective: usedServices[sid],
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].OwnerKind != out[j].OwnerKind {
			return ownerOrder(out[i].OwnerKind) < ownerOrder(out[j].OwnerKind)
		}
		if out[i].OwnerName != out[j].OwnerName {
			return out[i].OwnerName < out[j].OwnerName
		}
		return out[i].Channel > out[j].Channel // voice before sms
	})
	return out
}

func ownerOrder(kind string) int {
	return map[string]int{OwnerNumber: 0, OwnerApplication: 1, OwnerMessagingService: 2}[kind]
}

func upper(s *string) string { return strings.ToUpper(deref(s)) }

func derefBool(b *bool) bool { return b != nil && *b }
