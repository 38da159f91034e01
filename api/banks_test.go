package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/netbank/netbank"
)

// RULE PAY-2: a registration number is shown as the bank's name.
func TestBank(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ reg, name string }{
		{"5301", "Arbejdernes Landsbank"},
		{"0040", "Nordea"},
		{"9070", "Netbank"},
	} {
		rec := do(t, s, http.MethodGet, "/api/v1/banks/"+tc.reg)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d, body %s", tc.reg, rec.Code, rec.Body)
		}
		want := `{"reg":"` + tc.reg + `","name":"` + tc.name + `"}` + "\n"
		if got := rec.Body.String(); got != want {
			t.Errorf("%s: body %s, want %s", tc.reg, got, want)
		}
		mustDecodeStrict(t, rec) // checks the Content-Type
	}
}

// RULE PAY-2: a registration number is exactly 4 digits; an unknown one is
// not found.
func TestBankBadInput(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		reg    string
		status int
		code   netbank.ErrorCode
	}{
		{"0001", http.StatusNotFound, netbank.ENOTFOUND},
		{"9999", http.StatusNotFound, netbank.ENOTFOUND},
		{"530", http.StatusBadRequest, netbank.EINVALID},
		{"53011", http.StatusBadRequest, netbank.EINVALID},
		{"53a1", http.StatusBadRequest, netbank.EINVALID},
		{"５３０１", http.StatusBadRequest, netbank.EINVALID}, // full-width digits are not digits here
		{"-530", http.StatusBadRequest, netbank.EINVALID},
	} {
		t.Run(tc.reg, func(t *testing.T) {
			rec := do(t, s, http.MethodGet, "/api/v1/banks/"+url.PathEscape(tc.reg))
			mustError(t, rec, tc.status, tc.code)
		})
	}
}
