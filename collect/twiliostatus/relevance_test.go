package twiliostatus

import (
	"reflect"
	"testing"
)

func TestConcerns_KeywordRules(t *testing.T) {
	tests := []struct {
		texts []string
		want  []string
	}{
		{[]string{"Delays in inbound webhook delivery"}, []string{ConcernWebhooks}},
		{[]string{"Status Callbacks delayed"}, []string{ConcernWebhooks}},
		{[]string{"TwiML fetch errors"}, []string{ConcernWebhooks}},
		{[]string{"Programmable Voice"}, []string{ConcernVoice}},
		{[]string{"Outbound Calls"}, []string{ConcernVoice}},
		{[]string{"Elastic SIP Trunking"}, []string{ConcernVoice}},
		{[]string{"Inbound SMS"}, []string{ConcernMessaging}},
		{[]string{"Programmable Messaging"}, []string{ConcernMessaging}},
		{[]string{"WhatsApp Business API"}, []string{ConcernMessaging}},
		{[]string{"REST API"}, []string{ConcernRESTAPI}},
		{[]string{"API"}, []string{ConcernRESTAPI}},
		{[]string{"Increased Twilio API error rates"}, []string{ConcernRESTAPI}},
		{[]string{"Console", "Voice Webhooks"}, []string{ConcernVoice, ConcernWebhooks}},
		{[]string{"sms/mms delivery"}, []string{ConcernMessaging}},
		// Whole words only, and product APIs that deliver no webhooks are not the REST API.
		{[]string{"Invoice generation delayed"}, nil},
		{[]string{"SMSC maintenance"}, nil},
		{[]string{"Verify API"}, nil},
		{[]string{"Video API"}, nil},
		{[]string{"Console"}, nil},
		{[]string{""}, nil},
		{nil, nil},
	}
	for _, tc := range tests {
		got := Concerns(tc.texts...)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Concerns(%q) = %v, want %v", tc.texts, got, tc.want)
		}
		if IsRelevant(tc.texts...) != (tc.want != nil) {
			t.Errorf("IsRelevant(%q) = %v", tc.texts, !(tc.want != nil))
		}
	}
}
