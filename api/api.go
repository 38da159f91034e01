// Package api is the bank's JSON API under /api/v1.
//
// Every endpoint is one entry in the server's route table: an HTTP method, a
// path in OpenAPI form (/api/v1/banks/{reg}) and a handler. The table is
// registered into a Go 1.22 http.ServeMux ("GET /api/v1/banks/{reg}") and is
// also what the tests compare with openapi.yaml, so the document and the code
// cannot drift apart. Errors are coded netbank errors, mapped here to HTTP
// status codes and a fixed JSON error body (see WriteError).
//
// # Adding an endpoint
//
// A feature of this package (ledger.go, payment.go, card.go, …, one file per
// domain as in the other adapters) adds one line to the table in
// Server.routes and writes its handler as a method of Server, using
// r.PathValue for path parameters, WriteJSON for answers and WriteError for
// coded errors. Code outside the package can add a route to a Server with
// Server.Route, which goes into the same table. Either way the route is then
// described in openapi.yaml (path, method, parameters with examples,
// responses with schemas and a default error response); the tests in
// openapi_test.go fail until the table and the document agree, and compare
// every example marked with x-query or x-path with the real answer. The
// authorization matrix (web/authz_matrix_test.go, which tests the API
// through the whole bank) fails too until the route has its entry there:
// who may not use it, and with which of another customer's ids.
//
// # Authentication
//
// Public endpoints (calendar, banks, validation) need nothing. Every other
// endpoint takes a bearer token (package apikey) and wraps its handler in
// the route table with a guard from auth.go: s.customer(h, perms...) for
// customer tokens, which act as the token's user for the user's own
// customer (another customer's ids are 404), or s.partner(kind, h) for
// partner tokens of one role. An endpoint for Betalingsservice / FI
// creditors is one route line, {method, path, s.partner(apikey.Creditor,
// s.handleX)}, and a handler that keeps to callerOf(r).Key.Creditors.
// Binding actions answer with a signing object and are carried out by
// POST /api/v1/signatures/{request_id} (signatures.go), where a new kind
// of signed document is one line in signedActions.
package api

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
)

// Prefix is the path prefix of every route of this version of the API.
const Prefix = "/api/v1"

// MaxQueryValue is the longest query value (in characters) the API accepts.
// Nothing the API takes as a query parameter is anywhere near this long, so a
// longer value is a mistake or an attack, and is refused as invalid early.
const MaxQueryValue = 200

// noRouteMessage is the message of the 404 answer for a path that no route
// serves. Handlers answer their own 404s with other messages, which lets the
// OpenAPI test tell "no such endpoint" from "no such bank".
const noRouteMessage = "Ukendt adresse i API'et"

// codeMethodNotAllowed is the error code of a 405 answer. It is not a domain
// error code (no domain rule is broken): only routing produces it.
const codeMethodNotAllowed netbank.ErrorCode = "method_not_allowed"

// Config is what a Server needs from the outside world. It is filled in by
// cmd/netbank; the zero value gives a working server on the wall clock.
type Config struct {
	// Clock tells the time to handlers that need it; nil means
	// netbank.SystemClock. (The endpoints so far answer the same at any time.)
	Clock netbank.Clock
	// Keys checks the bearer tokens of the endpoints behind a key
	// (auth.go); nil answers them 401 without a token and 503 with one.
	Keys *apikey.Service
	// Identity prepares and verifies signatures (signatures.go).
	Identity *identity.Service
	// Accounts and Ledger are the customers' accounts and their postings
	// (accounts.go); Payments the payments (payments.go, clearing.go). Nil
	// answers their endpoints "unavailable".
	Accounts *account.Service
	Ledger   *ledger.Service
	Payments *payment.Service
	// Agreements are the payment agreements, Betalingsservice and
	// e-invoices (agreements.go); nil answers their endpoints
	// "unavailable".
	Agreements *agreement.Service
	// Pricing gives the exchange rates of GET /api/v1/rates (rates.go);
	// nil answers that endpoint "unavailable".
	Pricing *pricing.Service
	// Cards answer the block register and VisaSecure is the bank's access
	// control server (visasecure.go); nil answers their endpoints
	// "unavailable".
	Cards      *card.Service
	VisaSecure *card.VisaSecure
}

// Server is the JSON API as an http.Handler. Create it with New; it is safe
// for concurrent use.
type Server struct {
	clock    netbank.Clock
	keys     *apikey.Service
	identity *identity.Service
	accounts *account.Service
	ledger   *ledger.Service
	payments *payment.Service
	pricing  *pricing.Service
	mux      *http.ServeMux
	// agreements are Betalingsservice and e-invoices (agreements.go).
	agreements *agreement.Service
	// cards and visaSecure are the block register and Visa Secure (visasecure.go).
	cards      *card.Service
	visaSecure *card.VisaSecure

	mu    sync.Mutex
	table []RouteInfo // every route registered, in registration order
}

// RouteInfo describes one entry of the route table: the HTTP method and the
// path in OpenAPI form, exactly as the OpenAPI document lists it.
type RouteInfo struct {
	Method string // "GET", "POST", …
	Path   string // "/api/v1/banks/{reg}"
}

// route is one line of the route table.
type route struct {
	method  string
	path    string // OpenAPI form, under Prefix
	handler http.HandlerFunc
}

// routes is THE route table of the API: every endpoint the package serves is
// one line here, and has its entry in openapi.yaml. TestOpenAPIMatchesRoutes
// fails until both exist and agree.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, Prefix + "/openapi.yaml", s.handleOpenAPI},
		{http.MethodGet, Prefix + "/calendar", s.handleCalendar},
		{http.MethodGet, Prefix + "/banks/{reg}", s.handleBank},
		{http.MethodGet, Prefix + "/validate/iban", s.handleValidateIBAN},
		{http.MethodGet, Prefix + "/validate/payment-slip", s.handleValidatePaymentSlip},
		{http.MethodGet, Prefix + "/rates", s.handleRates},

		// Behind a customer token (auth.go): accounts.go, payments.go, signatures.go.
		{http.MethodGet, Prefix + "/accounts", s.customer(s.handleAccounts, identity.PermView)},
		{http.MethodGet, Prefix + "/accounts/{id}", s.customer(s.handleAccount, identity.PermView)},
		{http.MethodGet, Prefix + "/accounts/{id}/postings", s.customer(s.handlePostings, identity.PermView)},
		{http.MethodPost, Prefix + "/payments", s.customer(s.handleCreatePayment, identity.PermCreate)},
		{http.MethodGet, Prefix + "/payments", s.customer(s.handlePayments, viewPerms...)},
		{http.MethodGet, Prefix + "/payments/upcoming", s.customer(s.handleUpcoming, viewPerms...)},
		{http.MethodGet, Prefix + "/payments/{id}", s.customer(s.handlePayment, viewPerms...)},
		{http.MethodDelete, Prefix + "/payments/{id}", s.customer(s.handleCancelPayment, identity.PermCreate)},
		{http.MethodPost, Prefix + "/payments/{id}/approval", s.customer(s.handleApproval, identity.PermApprove)},
		{http.MethodPost, Prefix + "/signatures/{request_id}", s.customer(s.handleSign)},
		{http.MethodGet, Prefix + "/incoming-payments", s.customer(s.handleIncoming, identity.PermView)},
		// Behind a customer token: agreements.go (PAY-8), payfiles.go (PAY-6).
		{http.MethodGet, Prefix + "/agreements", s.customer(s.handleAgreements, viewPerms...)},
		{http.MethodPost, Prefix + "/agreements", s.customer(s.handleCreateAgreement, identity.PermCreate)},
		{http.MethodDelete, Prefix + "/agreements/{id}", s.customer(s.handleCancelAgreement, identity.PermCreate)},
		{http.MethodGet, Prefix + "/betalingsservice/upcoming", s.customer(s.handleUpcomingCollections, viewPerms...)},
		{http.MethodPost, Prefix + "/betalingsservice/upcoming/{id}/rejection", s.customer(s.handleRejectCollection, identity.PermCreate)},
		{http.MethodGet, Prefix + "/invoices", s.customer(s.handleInvoices, viewPerms...)},
		{http.MethodPost, Prefix + "/invoices/{id}/approval", s.customer(s.handleApproveInvoice, identity.PermCreate)},
		{http.MethodPost, Prefix + "/invoices/{id}/rejection", s.customer(s.handleRejectInvoice, identity.PermCreate)},
		{http.MethodPost, Prefix + "/payment-files", s.customer(s.handleLoadPaymentFile, identity.PermCreate)},
		{http.MethodGet, Prefix + "/payment-files/{id}", s.customer(s.handlePaymentFile, viewPerms...)},
		{http.MethodDelete, Prefix + "/payment-files/{id}", s.customer(s.handleCancelPaymentFile, identity.PermCreate)},
		{http.MethodPost, Prefix + "/convert", s.customer(s.handleConvert, identity.PermCreate)},
		// Behind a partner token: clearing.go, agreements.go (creditors, PAY-8).
		{http.MethodPost, Prefix + "/clearing/incoming", s.partner(apikey.Clearing, s.handleClearingIncoming)},
		{http.MethodPost, Prefix + "/betalingsservice/collections", s.partner(apikey.Creditor, s.handleAnnounce)},
		{http.MethodGet, Prefix + "/betalingsservice/collections/{reference}", s.partner(apikey.Creditor, s.handleCreditorCollection)},
		{http.MethodDelete, Prefix + "/betalingsservice/collections/{reference}", s.partner(apikey.Creditor, s.handleWithdraw)},
		{http.MethodPost, Prefix + "/einvoices", s.partner(apikey.Creditor, s.handleSendInvoice)},
		{http.MethodGet, Prefix + "/einvoices/{reference}", s.partner(apikey.Creditor, s.handleCreditorInvoice)},
		// Behind a partner token: visasecure.go (merchants, other banks; CARD-11, CARD-16).
		{http.MethodPost, Prefix + "/visa-secure/authentications", s.partner(apikey.Merchant, s.handleStartAuthentication)},
		{http.MethodPost, Prefix + "/visa-secure/authentications/{id}/code", s.partner(apikey.Merchant, s.handleCompleteAuthentication)},
		{http.MethodPost, Prefix + "/block-register", s.partnerOf(s.handleBlockRegister, apikey.Merchant, apikey.Clearing)},
	}
}

// New returns a Server with every built-in route registered.
func New(cfg Config) *Server {
	s := &Server{clock: cfg.Clock, keys: cfg.Keys, identity: cfg.Identity, accounts: cfg.Accounts, ledger: cfg.Ledger,
		payments: cfg.Payments, pricing: cfg.Pricing, mux: http.NewServeMux(), agreements: cfg.Agreements,
		cards: cfg.Cards, visaSecure: cfg.VisaSecure}
	if s.clock == nil {
		s.clock = netbank.SystemClock{}
	}
	for _, rt := range s.routes() {
		s.Route(rt.method, rt.path, rt.handler)
	}
	return s
}

// methods are the HTTP methods a route may use.
var methods = []string{
	http.MethodGet, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete,
}

// segmentRE matches one path segment of a route: a literal or a {name}.
var segmentRE = regexp.MustCompile(`^(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$`)

// Route adds an endpoint to the route table and serves it. method is an
// upper-case HTTP method; path is in OpenAPI form under Prefix, with path
// parameters as whole segments ("/api/v1/accounts/{id}/transfers"), which
// handlers read with r.PathValue("id"). Every route must also be documented
// in openapi.yaml. Route panics on a malformed or duplicate route, as
// http.ServeMux does: that is a programming error, found by the first test.
func (s *Server) Route(method, path string, h http.HandlerFunc) {
	if !slices.Contains(methods, method) {
		panic(fmt.Sprintf("api: route %s %s: unsupported method", method, path))
	}
	rest, ok := strings.CutPrefix(path, Prefix+"/")
	if !ok {
		panic(fmt.Sprintf("api: route %s %s: path must start with %s/", method, path, Prefix))
	}
	for seg := range strings.SplitSeq(rest, "/") {
		if !segmentRE.MatchString(seg) {
			panic(fmt.Sprintf("api: route %s %s: bad path segment %q", method, path, seg))
		}
	}
	if h == nil {
		panic(fmt.Sprintf("api: route %s %s: nil handler", method, path))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ri := RouteInfo{Method: method, Path: path}
	if slices.Contains(s.table, ri) {
		panic(fmt.Sprintf("api: route %s %s registered twice", method, path))
	}
	s.mux.HandleFunc(method+" "+path, h) // also panics on patterns that conflict
	s.table = append(s.table, ri)
}

// Routes returns a copy of the route table, in registration order.
func (s *Server) Routes() []RouteInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.table)
}

// ServeHTTP answers one API request. Requests that match no route get a JSON
// 404, or a JSON 405 with an Allow header when the path exists with other
// methods. Query values longer than MaxQueryValue are refused before any
// handler runs. Panics in handlers become internal errors with an incident id.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store") // SESS-3: nothing is kept on the device
	h.Set("X-Content-Type-Options", "nosniff")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			WriteError(w, fmt.Errorf("api: panic in %s %s: %v", r.Method, r.URL.Path, v))
		}
	}()

	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.noRoute(w, r)
		return
	}
	if err := checkQuery(r.URL.RawQuery); err != nil {
		WriteError(w, err)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// noRoute answers a request that no route matches: 405 if the path is served
// with other methods, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead) // GET routes also serve HEAD
			}
		}
	}
	if len(allow) == 0 {
		WriteError(w, netbank.Errorf(netbank.ENOTFOUND, "%s", noRouteMessage))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeErrorBody(w, http.StatusMethodNotAllowed, errorBody{
		Code:    codeMethodNotAllowed,
		Message: fmt.Sprintf("Metoden %s kan ikke bruges her; tilladt: %s", r.Method, strings.Join(allow, ", ")),
	})
}

// checkQuery refuses a query string that cannot be parsed, that is not
// text (input.go) or that holds a key or value longer than MaxQueryValue
// characters.
func checkQuery(raw string) error {
	if raw == "" {
		return nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return netbank.Errorf(netbank.EINVALID, "Ugyldig forespørgselsstreng (query string)")
	}
	for k, vs := range q {
		for _, v := range append([]string{k}, vs...) {
			if !netbank.IsText(v) {
				return netbank.Errorf(netbank.EINVALID, "Forespørgselsstrengen må kun indeholde tekst: gyldig UTF-8 uden styretegn.")
			}
		}
		if utf8.RuneCountInString(k) > MaxQueryValue {
			return netbank.Errorf(netbank.EINVALID, "Et parameternavn er længere end %d tegn", MaxQueryValue)
		}
		for _, v := range vs {
			if utf8.RuneCountInString(v) > MaxQueryValue {
				return netbank.Errorf(netbank.EINVALID, "Parameteren %s er længere end %d tegn", k, MaxQueryValue)
			}
		}
	}
	return nil
}
