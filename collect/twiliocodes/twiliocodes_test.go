package twiliocodes

import "testing"

func TestLookup(t *testing.T) {
	tests := []struct {
		code    string
		want    Code
		class   Class
		causes  int
		webhook bool
	}{
		{"11205", HTTPConnectionFailure, ClassTimeout, 2, true},
		{" 11210 ", HTTPBadHostName, ClassDNS, 1, true},
		{"11217", HTTPErrorResponse, ClassHTTP, 0, true},
		{"12200", SchemaValidation, ClassContent, 1, false},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.code)
		if !ok || e.Code != tt.want || e.Class != tt.class || len(e.Causes) != tt.causes || e.Name == "" {
			t.Errorf("Lookup(%q) = %+v, %v", tt.code, e, ok)
		}
		if got := IsWebhookFailure(tt.code); got != tt.webhook {
			t.Errorf("IsWebhookFailure(%q) = %v, want %v", tt.code, got, tt.webhook)
		}
	}
	for _, code := range []string{"", "abc", "30003", "13227"} {
		if _, ok := Lookup(code); ok || IsWebhookFailure(code) {
			t.Errorf("%q is in the table", code)
		}
	}
	if HTTPConnectionFailure.String() != "11205" {
		t.Errorf("String = %q", HTTPConnectionFailure.String())
	}
}

func TestTable_OneEntryPerCode(t *testing.T) {
	seen := map[Code]bool{}
	for _, e := range Entries() {
		if seen[e.Code] {
			t.Errorf("%d twice", e.Code)
		}
		seen[e.Code] = true
		if len(e.Causes) > 2 || e.Class == "" {
			t.Errorf("%d: %+v", e.Code, e)
		}
	}
}
