package bundle

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzManifestRewrite reads arbitrary JSON as a manifest and writes it
// back: no panic, the same keys in the same order, the same values, and a
// second rewrite changes nothing.
func FuzzManifestRewrite(f *testing.F) {
	f.Add([]byte("{\n  \"tool\": {\"name\": \"twilio-evidence\"},\n  \"files\": [],\n  \"incomplete\": false\n}\n"))
	f.Add([]byte(`{"a":1,"a":2,"b":"<&>","c":[1,{"d":null}]}`))
	f.Add([]byte(`{"x":"\u2028\ud800"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseObject(data)
		if err != nil {
			return
		}
		out, err := o.marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		o2, err := parseObject(out)
		if err != nil {
			t.Fatalf("rewritten manifest does not parse: %v\n%s", err, out)
		}
		if len(o2.keys) != len(o.keys) {
			t.Fatalf("keys %v became %v", o.keys, o2.keys)
		}
		for i, k := range o.keys {
			var a, b any
			json.Unmarshal(o.vals[k], &a)
			json.Unmarshal(o2.vals[o2.keys[i]], &b)
			ab, _ := json.Marshal(a)
			bb, _ := json.Marshal(b)
			if o2.keys[i] != k || !bytes.Equal(ab, bb) {
				t.Errorf("field %q changed: %s → %s", k, o.vals[k], o2.vals[o2.keys[i]])
			}
		}
		again, _ := o2.marshal()
		if !bytes.Equal(again, out) {
			t.Errorf("a second rewrite changed the bytes")
		}
	})
}

// FuzzDropFields removes alert detail fields from arbitrary lines: no
// panic, and what comes out is a JSON object without them.
func FuzzDropFields(f *testing.F) {
	f.Add([]byte(`{"sid":"NO1","response_body":"<html>","request_headers":"a=b","alert_text":"x"}` + "\n"))
	f.Add([]byte(`{"response_body":1}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, line []byte) {
		out, ok := dropFields(line, alertDetailFields)
		if !ok {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("output is not an object: %v\n%s", err, out)
		}
		for k := range alertDetailFields {
			if _, has := m[k]; has {
				t.Errorf("%s kept", k)
			}
		}
	})
}
