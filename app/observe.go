package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/netbank/netbank/api"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/metrics"
)

// Operations: what the bank tells its operators about each request (a JSON
// log line and the Prometheus metrics), and the taps that feed the metrics
// from the domain's observer hooks.

// unmatchedRoute is the route label of a request no pattern serves (a 404
// or 405 before any handler): never the raw path, which a client chooses.
const unmatchedRoute = "unmatched"

// routeTable names a request by the ServeMux pattern that serves it, for
// the logs and the metrics. The bank's top-level mux hands /api/v1/ and
// everything else to two routers of their own, whose patterns a request
// passed down cannot report back up; so the table is a mux holding every
// pattern of the three (without their handlers), asked before the request
// is served.
type routeTable struct {
	mux   *http.ServeMux
	known map[string]bool
}

// noop stands in for the real handlers in the route table.
var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// newRouteTable builds the table from the top-level patterns, the web
// pages' and the API's routes.
func newRouteTable(top []string, webRoutes []string, apiRoutes []api.RouteInfo) *routeTable {
	t := &routeTable{mux: http.NewServeMux(), known: map[string]bool{}}
	patterns := append(append([]string{}, top...), webRoutes...)
	for _, r := range apiRoutes {
		patterns = append(patterns, r.Method+" "+r.Path)
	}
	for _, p := range patterns {
		t.add(p)
	}
	return t
}

// add registers a pattern; one that clashes with another (which the
// routers themselves would have refused) is left out, and its requests are
// named by the pattern they do match.
func (t *routeTable) add(pattern string) {
	defer func() { _ = recover() }()
	t.mux.Handle(pattern, noop)
	t.known[pattern] = true
}

// route is the pattern that serves r, or unmatchedRoute. Only patterns
// registered here count: whatever else ServeMux.Handler might answer is
// unmatched, so a label is never a path a client chose.
func (t *routeTable) route(r *http.Request) string {
	if _, p := t.mux.Handler(r); t.known[p] {
		return p
	}
	return unmatchedRoute
}

// upstreamRequestID is what an X-Request-Id from a proxy in front may look
// like to be logged: a bounded, plain token.
var upstreamRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// observeRequests gives each request its own request id (the X-Request-Id
// header of the answer), logs one JSON line for it when it is answered
// (method, path, route, status, duration, never the query string, which
// may carry account data, nor headers or bodies), and counts it in the
// metrics by route pattern.
//
// An X-Request-Id sent by the client is never taken as the bank's own id:
// anyone can send one, and an id chosen by a client could collide with or
// impersonate another request's in the logs. When it is a plain token (a
// proxy's id, see upstreamRequestID) it is logged beside the bank's as
// upstream_request_id, so a proxy's logs can be matched with the bank's.
func (a *App) observeRequests(routes *routeTable, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		route := routes.route(r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		a.Metrics.HTTPRequest(r.Method, route, rec.status, took)
		attrs := []slog.Attr{slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", route), slog.Int("status", rec.status), slog.Duration("duration", took)}
		if up := r.Header.Get("X-Request-Id"); upstreamRequestID.MatchString(up) {
			attrs = append(attrs, slog.String("upstream_request_id", up))
		}
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// batchObservers tells every non-nil observer about each committed ledger
// batch.
func batchObservers(obs ...ledger.BatchObserver) ledger.BatchObserver {
	var out fanOut
	for _, o := range obs {
		if o != nil {
			out = append(out, o)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

type fanOut []ledger.BatchObserver

func (f fanOut) BatchCommitted(transfers int) {
	for _, o := range f {
		o.BatchCommitted(transfers)
	}
}

// countLoginFailures wraps the identity store so that the failed logins
// the identity service writes to the audit log are counted in the metrics
// too, once each and only when their transaction commits (a transaction
// retried after a conflict counts its last attempt).
func countLoginFailures(s identity.Store, m *metrics.Metrics) identity.Store {
	return loginFailureCounter{Store: s, m: m}
}

type loginFailureCounter struct {
	identity.Store
	m *metrics.Metrics
}

// Tx implements identity.Store.
func (c loginFailureCounter) Tx(ctx context.Context, fn func(identity.Tx) error) error {
	var kinds []string
	err := c.Store.Tx(ctx, func(tx identity.Tx) error {
		kinds = kinds[:0]
		return fn(auditTap{Tx: tx, kinds: &kinds})
	})
	if err == nil {
		for _, k := range kinds {
			c.m.LoginFailed(k)
		}
	}
	return err
}

// auditTap notes the failed logins among the audit events of a transaction.
type auditTap struct {
	identity.Tx
	kinds *[]string
}

// Audit implements identity.Tx.
func (t auditTap) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	if err := t.Tx.Audit(ctx, at, e); err != nil {
		return err
	}
	if kind, ok := loginFailureKind(e); ok {
		*t.kinds = append(*t.kinds, kind)
	}
	return nil
}

// loginSteps are the metrics' kinds of the steps the identity service
// names in its login.failed events.
var loginSteps = map[string]string{"pin": metrics.LoginPIN, "signature": metrics.LoginSignature,
	"password": metrics.LoginPassword, "keycard": metrics.LoginKeyCard, "keyapp": metrics.LoginKeyApp}

// loginFailureKind is the metrics' kind of a failed login event of the
// identity service: a wrong PIN, signature, password, key-card or key-app
// code (login.failed with its step), a failed staff login, or a login by a
// blocked user.
func loginFailureKind(e audit.Event) (string, bool) {
	switch e.Action {
	case audit.ActionLoginFailed:
		if kind, ok := loginSteps[e.Details["step"]]; ok {
			return kind, true
		}
		return metrics.LoginOther, true
	case "staff.login_failed":
		return metrics.LoginStaff, true
	case "login.refused":
		return metrics.LoginBlocked, true
	}
	return "", false
}
