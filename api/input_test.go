package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

// Bodies and query strings must be text: valid UTF-8 without control
// characters but tab and line breaks, in values and keys, at any depth
// (input.go). Anything else is a coded 400 before a handler sees it.
func TestInputMustBeText(t *testing.T) {
	type body struct {
		Name  string            `json:"name"`
		Lines []string          `json:"lines"`
		Extra map[string]string `json:"extra"`
	}
	for _, tc := range []struct {
		name, json string
		ok         bool
	}{
		{"text", `{"name":"Husleje æøå\n\tmaj","lines":["a"],"extra":{"k":"v"}}`, true},
		{"escaped æ", `{"name":"\u00e6"}`, true},
		{"raw invalid UTF-8", "{\"name\":\"Hus\xffleje\"}", false},
		{"NUL", `{"name":"Hus\u0000leje"}`, false},
		{"escape character in a list", `{"lines":["ok","\u001b[31m"]}`, false},
		{"control character in a key", `{"extra":{"k\u0007":"v"}}`, false},
		{"a C1 control", `{"name":"\u0085"}`, false},
		{"DEL", `{"name":"\u007f"}`, false},
	} {
		r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(tc.json))
		r.Header.Set("Content-Type", "application/json")
		var v body
		err := readJSON(r, &v)
		if tc.ok != (err == nil) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("%s: %v is not invalid", tc.name, err)
		}
	}
	for _, q := range []string{"text=%ff", "text=a%00b", "te%01xt=a"} {
		if err := checkQuery(q); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("query %q: %v", q, err)
		}
	}
	if err := checkQuery("text=husleje%20maj&from=2026-05-01"); err != nil {
		t.Errorf("a query of text: %v", err)
	}
}
