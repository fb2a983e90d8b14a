package faketwilio

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// specDir holds Twilio's OpenAPI specs, next to the repository.
func specDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(file); dir != "/"; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "..", "shared", "twilio-oai")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		p = filepath.Join(dir, "testdata", "twilio-oai")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("Twilio OpenAPI specs not found (../shared/twilio-oai or testdata/twilio-oai)")
	return ""
}

func schemaProps(t *testing.T, file, schema string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(specDir(t), file))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	s, ok := spec.Components.Schemas[schema]
	if !ok {
		t.Fatalf("%s: no schema %s", file, schema)
	}
	out := map[string]bool{}
	for k := range s.Properties {
		out[k] = true
	}
	return out
}

func jsonKeys(v any) []string {
	var keys []string
	rt := reflect.TypeOf(v)
	for i := 0; i < rt.NumField(); i++ {
		tag := rt.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestFixtures_FieldNamesMatchTwilioSpecs keeps the fake's resources from
// drifting away from Twilio's real field names.
func TestFixtures_FieldNamesMatchTwilioSpecs(t *testing.T) {
	cases := []struct {
		v            any
		file, schema string
	}{
		{Alert{}, "twilio_monitor_v1.json", "monitor.v1.alert-instance"},
		{MonitorEvent{}, "twilio_monitor_v1.json", "monitor.v1.event"},
		{Account{}, "twilio_api_v2010.json", "api.v2010.account"},
		{IncomingPhoneNumber{}, "twilio_api_v2010.json", "api.v2010.account.incoming_phone_number"},
		{Application{}, "twilio_api_v2010.json", "api.v2010.account.application"},
		{UsageRecord{}, "twilio_api_v2010.json", "api.v2010.account.usage.usage_record.usage_record_daily"},
		{Notification{}, "twilio_api_v2010.json", "api.v2010.account.notification-instance"},
		{CallEvent{}, "twilio_api_v2010.json", "api.v2010.account.call.call_event"},
		{MessagingService{}, "twilio_messaging_v1.json", "messaging.v1.service"},
		{ServicePhoneNumber{}, "twilio_messaging_v1.json", "messaging.v1.service.phone_number"},
	}
	for _, c := range cases {
		props := schemaProps(t, c.file, c.schema)
		for _, k := range jsonKeys(c.v) {
			if !props[k] {
				t.Errorf("%T: field %q is not in %s %s", c.v, k, c.file, c.schema)
			}
		}
	}
}

// TestFixtures_DatesUseEachAPIsFormat: v1 ISO 8601, v2010 RFC 2822.
func TestFixtures_DatesUseEachAPIsFormat(t *testing.T) {
	d := DemoData(time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if _, err := time.Parse(time.RFC3339, d.Alerts.At(0).DateGenerated); err != nil {
		t.Errorf("alert date %q is not ISO 8601", d.Alerts.At(0).DateGenerated)
	}
	if _, err := time.Parse(time.RFC1123Z, d.Numbers[0].DateCreated); err != nil {
		t.Errorf("number date %q is not RFC 2822", d.Numbers[0].DateCreated)
	}
	if _, err := time.Parse(time.RFC3339, d.Services[0].DateCreated); err != nil {
		t.Errorf("service date %q is not ISO 8601", d.Services[0].DateCreated)
	}
}
