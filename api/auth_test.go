package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
)

// The guards answer before any handler runs: without a token 401 with the
// bearer challenge (RFC 6750), with another scheme 401 invalid_token, and
// with a token on a server without keys 503. The handler never runs.
func TestGuardsRefuseWithoutAKey(t *testing.T) {
	s := newTestServer(t)
	ran := false
	h := func(http.ResponseWriter, *http.Request) { ran = true }
	for name, guard := range map[string]http.HandlerFunc{
		"customer": s.customer(h),
		"partner":  s.partner(apikey.Clearing, h),
	} {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				auth, challenge string
				status          int
				code            netbank.ErrorCode
			}{
				{"", `Bearer realm="netbank"`, http.StatusUnauthorized, netbank.EUNAUTHORIZED},
				{"Basic dXNlcjpwdw==", `Bearer realm="netbank", error="invalid_token"`, http.StatusUnauthorized, netbank.EUNAUTHORIZED},
				{"Bearer ", `Bearer realm="netbank"`, http.StatusUnauthorized, netbank.EUNAUTHORIZED},
				{"Bearer nbk_x", "", http.StatusServiceUnavailable, netbank.EUNAVAILABLE},
			} {
				req, _ := http.NewRequest(http.MethodGet, Prefix+"/accounts", nil)
				if tc.auth != "" {
					req.Header.Set("Authorization", tc.auth)
				}
				rec := httptest.NewRecorder()
				guard(rec, req)
				mustError(t, rec, tc.status, tc.code)
				if got := rec.Header().Get("WWW-Authenticate"); got != tc.challenge {
					t.Errorf("%q: WWW-Authenticate %q, want %q", tc.auth, got, tc.challenge)
				}
			}
			if ran {
				t.Fatal("the handler ran without a valid key")
			}
		})
	}
}

// A partner guard is only for partner roles: a customer "role" is a
// programming error, found when the route table is built.
func TestPartnerGuardNeedsAPartnerRole(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("partner(customer) did not panic")
		}
	}()
	newTestServer(t).partner(apikey.Customer, func(http.ResponseWriter, *http.Request) {})
}
