package redact

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type inner struct {
	URL    string
	Raw    json.RawMessage
	Binary []byte
	hidden string
}

type outer struct {
	Name   string
	Ptr    *inner
	List   []inner
	Map    map[string]string
	Any    any
	AnyPtr any
	Arr    [2]string
	Self   *outer
}

func TestValue_RedactsEveryReachableString(t *testing.T) {
	r, err := New(Options{Secrets: []string{authToken}, MaskPhoneNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	leak := "https://u:" + authToken + "@h/?token=abc"
	v := &outer{
		Name:   authToken,
		Ptr:    &inner{URL: leak, Raw: json.RawMessage(`{"auth_token":"` + authToken + `"}`), hidden: authToken},
		List:   []inner{{URL: leak}},
		Map:    map[string]string{"to " + authToken: "+14155551234"},
		Any:    "Bearer " + authToken,
		AnyPtr: &inner{URL: leak},
		Arr:    [2]string{"ok", authToken},
	}
	v.Self = v
	v.Ptr.Binary = []byte{0xff, 0xfe, 0, 1, 2, 3, 4, 5, 6}
	r.Value("evidence", v)
	b, _ := json.Marshal(struct {
		*outer
		Self any `json:"Self,omitempty"`
	}{outer: v})
	if strings.Contains(string(b), authToken) || strings.Contains(string(b), "14155551234") {
		t.Errorf("a value kept the secret or the number: %s", b)
	}
	if v.Ptr.hidden != authToken {
		t.Error("an unexported field was changed")
	}
	if !reflect.DeepEqual(v.Ptr.Binary, []byte{0xff, 0xfe, 0, 1, 2, 3, 4, 5, 6}) {
		t.Error("binary bytes were changed")
	}
	if n := r.Counts()["evidence"][RuleSecret]; n < 6 {
		t.Errorf("counted %d secrets under evidence, want every one: %v", n, r.Counts())
	}
}

func TestValue_SharedSlicesAreAllRedacted(t *testing.T) {
	r, _ := New(Options{Secrets: []string{authToken}})
	all := []string{"a", "b", authToken}
	v := &struct{ First, All []string }{First: all[:1], All: all}
	r.Value("evidence", v)
	if v.All[2] == authToken {
		t.Error("a slice sharing its array with a shorter one was skipped")
	}
}

func TestMerge_AddsCountsAndRenumbersUserRules(t *testing.T) {
	prev := Report{
		Rules: []ReportRule{{Name: RuleSecret}, {Name: "user-1"}, {Name: "user-2"}},
		Files: map[string]map[string]int{"a.txt": {RuleSecret: 1, "user-2": 4}},
	}
	cur := Report{
		Rules: []ReportRule{{Name: RuleSecret}, {Name: RulePhone}, {Name: "user-1"}},
		Files: map[string]map[string]int{"a.txt": {RuleSecret: 2, "user-1": 1}, "b.txt": {RulePhone: 3}},
	}
	got := Merge(prev, cur)
	var names []string
	for _, ru := range got.Rules {
		names = append(names, ru.Name)
	}
	if want := []string{RuleSecret, "user-1", "user-2", RulePhone, "user-3"}; !reflect.DeepEqual(names, want) {
		t.Errorf("rules = %v, want %v", names, want)
	}
	want := map[string]map[string]int{"a.txt": {RuleSecret: 3, "user-2": 4, "user-3": 1}, "b.txt": {RulePhone: 3}}
	if !reflect.DeepEqual(got.Files, want) {
		t.Errorf("files = %v, want %v", got.Files, want)
	}
	if got.Totals[RuleSecret] != 3 || got.Totals["user-3"] != 1 {
		t.Errorf("totals = %v", got.Totals)
	}
}
