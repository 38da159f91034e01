package app

import (
	"net/http/httptest"
	"testing"

	"github.com/netbank/netbank/api"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/metrics"
)

// TestRouteLabels: a request is named by the pattern that serves it (or,
// for a path the mux redirects to its clean form, the pattern of that
// form); a path no pattern serves is "unmatched", so no client-chosen path
// ever becomes a label.
func TestRouteLabels(t *testing.T) {
	routes := newRouteTable([]string{"GET /healthz", "GET /metrics"},
		[]string{"GET /{$}", "GET /static/{file}", "GET /login/", "GET /netbank/konti/{id}", "POST /netbank/konti/{id}/eksport"},
		[]api.RouteInfo{{Method: "GET", Path: "/api/v1/accounts/{id}"}, {Method: "POST", Path: "/api/v1/signatures/{request_id}"}})
	for _, c := range []struct{ method, target, want string }{
		{"GET", "/healthz", "GET /healthz"},
		{"HEAD", "/healthz", "GET /healthz"},
		{"GET", "/", "GET /{$}"},
		{"GET", "/static/app.3f9a2c.js", "GET /static/{file}"},
		{"GET", "/login/anything/at/all", "GET /login/"},
		{"GET", "/netbank/konti/9070-0004410001", "GET /netbank/konti/{id}"},
		{"GET", "/netbank/konti/9070-0004410001?from=2026-01-01", "GET /netbank/konti/{id}"},
		{"POST", "/netbank/konti/9070-0004410001/eksport", "POST /netbank/konti/{id}/eksport"},
		{"GET", "/api/v1/accounts/9070-0004410001", "GET /api/v1/accounts/{id}"},
		{"POST", "/api/v1/signatures/doc_1234", "POST /api/v1/signatures/{request_id}"},
		{"DELETE", "/netbank/konti/9070-0004410001", unmatchedRoute}, // 405
		{"GET", "/api/v1/no-such/123", unmatchedRoute},
		{"GET", "/wp-admin/9070-0004410001", unmatchedRoute},
		{"GET", "/netbank//konti/9070-0004410001", "GET /netbank/konti/{id}"}, // redirected to the clean path: its pattern
		{"GET", "/netbank/konti/1/../../secret", unmatchedRoute},              // cleaned to a path nothing serves
		{"POST", "/netbank/konti/", unmatchedRoute},                           // {id} needs a segment
		{"BREW", "/netbank/konti/9070-0004410001", unmatchedRoute},            // an unknown method
		{"GET", "/metrics/9070-0004410001", unmatchedRoute},                   // exact patterns only
		{"GET", "/netbank/konti/9070-0004410001/eksport", unmatchedRoute},     // POST only
	} {
		if got := routes.route(httptest.NewRequest(c.method, c.target, nil)); got != c.want {
			t.Errorf("%s %s: route %q, want %q", c.method, c.target, got, c.want)
		}
	}
}

// TestRouteTableSkipsClashes: a pattern that clashes with another is left
// out instead of stopping the bank.
func TestRouteTableSkipsClashes(t *testing.T) {
	routes := newRouteTable([]string{"GET /a/{x}", "GET /a/{y}"}, nil, nil)
	if got := routes.route(httptest.NewRequest("GET", "/a/1", nil)); got != "GET /a/{x}" {
		t.Fatalf("route %q, want the first of the clashing patterns", got)
	}
}

// TestLoginFailureKinds: the identity service's audit events map onto the
// metrics' kinds; other events are not failures.
func TestLoginFailureKinds(t *testing.T) {
	for _, c := range []struct {
		e    audit.Event
		want string
		ok   bool
	}{
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "pin"}}, metrics.LoginPIN, true},
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "signature"}}, metrics.LoginSignature, true},
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "password"}}, metrics.LoginPassword, true},
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "keycard"}}, metrics.LoginKeyCard, true},
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "keyapp"}}, metrics.LoginKeyApp, true},
		{audit.Event{Action: audit.ActionLoginFailed, Details: map[string]string{"step": "telepathy"}}, metrics.LoginOther, true},
		{audit.Event{Action: "staff.login_failed"}, metrics.LoginStaff, true},
		{audit.Event{Action: "login.refused"}, metrics.LoginBlocked, true},
		{audit.Event{Action: audit.ActionLoginSuccess}, "", false},
		{audit.Event{Action: "staff.login"}, "", false},
	} {
		if got, ok := loginFailureKind(c.e); got != c.want || ok != c.ok {
			t.Errorf("%s %v: kind %q %v, want %q %v", c.e.Action, c.e.Details, got, ok, c.want, c.ok)
		}
	}
}
