package api

// Authentication of the API: bearer tokens (RFC 6750) made by package
// apikey.
//
//	Authorization: Bearer nbk_…
//
// Every endpoint that is not public wraps its handler in one of two
// guards, in the route table:
//
//	{http.MethodGet, Prefix + "/accounts", s.customer(s.handleAccounts, identity.PermView)}
//	{http.MethodPost, Prefix + "/clearing/incoming", s.partner(apikey.Clearing, s.handleClearingIncoming)}
//
//   - s.customer(h, perms...) lets through customer tokens only. The
//     request then acts as the token's user, for the user's customer alone:
//     handlers read callerOf(r) and pass Customer() to every domain call, so
//     another customer's account or payment is "not found" (404), exactly
//     like one that does not exist. When perms are given, the user's
//     profile must grant at least one of them (BIZ-5; private users may do
//     everything); otherwise 403.
//   - s.partner(kind, h) lets through partner tokens of that role only
//     (apikey.Clearing, apikey.Creditor). An endpoint for creditors is one
//     route line with s.partner(apikey.Creditor, h) and a handler that
//     keeps to callerOf(r).Key.Creditors (Key.HasCreditor).
//
// A customer token on a partner endpoint, or a partner token on a customer
// endpoint, is 403. No token, or a token that is unknown, expired or
// revoked, or whose user is blocked, is 401 with a WWW-Authenticate header;
// too many failed tokens from one address in a minute is 429 with
// Retry-After (apikey.ErrRateLimited).

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
)

// codeTooManyRequests is the error code of a 429 answer: too many failed
// tokens from one address (apikey.ErrRateLimited).
const codeTooManyRequests netbank.ErrorCode = "too_many_requests"

// authRealm names the bank in the WWW-Authenticate header.
const authRealm = `Bearer realm="netbank"`

// Caller is who an authenticated request is made by.
type Caller struct {
	// Key is the token's key.
	Key apikey.Key
	// User is the user a customer token acts as (zero for partners).
	User identity.User
	// IP is the address the request came from.
	IP string
}

// Customer is the customer a customer token acts for.
func (c *Caller) Customer() string { return c.User.CustomerID }

// Actor is the caller as the audit log names them.
func (c *Caller) Actor() identity.Actor {
	if c.Key.Kind.Partner() {
		return identity.Actor{ID: c.Key.ID, Kind: audit.ActorSystem, IP: c.IP}
	}
	kind := audit.ActorCustomer
	if c.User.Kind == identity.BusinessUser {
		kind = audit.ActorBusiness
	}
	return identity.Actor{ID: c.User.ID, Kind: kind, IP: c.IP}
}

type callerKey struct{}

// callerOf returns the caller of a request that passed customer or
// partner (nil otherwise).
func callerOf(r *http.Request) *Caller {
	c, _ := r.Context().Value(callerKey{}).(*Caller)
	return c
}

// clientIP is the address the request came from, without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bearer reads the token of the Authorization header ("" without one).
// ok is false for a header that is there but not a bearer token.
func bearer(r *http.Request) (token string, ok bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", true
	}
	scheme, tok, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// errNoToken is the answer to a request without a token.
var errNoToken = netbank.Errorf(netbank.EUNAUTHORIZED, "API-nøgle mangler: send den som Authorization: Bearer <nøgle>.")

// errNotBearer is the answer to an Authorization header of another scheme.
var errNotBearer = netbank.Errorf(netbank.EUNAUTHORIZED, "Authorization-headeren skal have formen Bearer <nøgle>.")

// authenticate checks the request's token. It writes the refusal and
// returns nil when there is none or it does not hold.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *Caller {
	tok, ok := bearer(r)
	switch {
	case !ok:
		unauthorized(w, errNotBearer, true)
		return nil
	case tok == "":
		unauthorized(w, errNoToken, false)
		return nil
	case s.keys == nil:
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "API'et kan ikke bruges med nøgler på denne server."))
		return nil
	}
	ip := clientIP(r)
	p, err := s.keys.Authenticate(r.Context(), tok, ip)
	switch {
	case errors.Is(err, apikey.ErrRateLimited):
		slog.WarnContext(r.Context(), "api: key refused, too many failed keys from the address", "ip", ip)
		w.Header().Set("Retry-After", "60")
		writeErrorBody(w, http.StatusTooManyRequests, errorBody{Code: codeTooManyRequests, Message: netbank.ErrorMessageOf(err)})
		return nil
	case netbank.ErrorCodeOf(err) == netbank.EUNAUTHORIZED:
		// Never the token: only where the guess came from.
		slog.WarnContext(r.Context(), "api: key refused", "ip", ip)
		unauthorized(w, err, true)
		return nil
	case err != nil:
		WriteError(w, err)
		return nil
	}
	return &Caller{Key: p.Key, User: p.User, IP: ip}
}

// unauthorized writes a 401 with the WWW-Authenticate challenge (RFC 6750
// §3): with error="invalid_token" when a token was sent and refused.
func unauthorized(w http.ResponseWriter, err error, invalidToken bool) {
	challenge := authRealm
	if invalidToken {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	WriteError(w, err)
}

// withCaller runs h with c in the request's context.
func withCaller(h http.HandlerFunc, w http.ResponseWriter, r *http.Request, c *Caller) {
	h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
}

// customer guards an endpoint for customer tokens: the request acts as the
// token's user for the user's customer. With perms, the user's profile
// must grant one of them (BIZ-5).
func (s *Server) customer(h http.HandlerFunc, perms ...identity.Permission) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.authenticate(w, r)
		if c == nil {
			return
		}
		if c.Key.Kind != apikey.Customer {
			WriteError(w, netbank.Errorf(netbank.EFORBIDDEN, "Denne API-nøgle tilhører en samarbejdspartner og giver ikke adgang til kunders data."))
			return
		}
		if len(perms) > 0 && !slices.ContainsFunc(perms, c.User.Can) {
			WriteError(w, errProfile)
			return
		}
		withCaller(h, w, r, c)
	}
}

// errProfile refuses what the user's profile does not allow (BIZ-5).
var errProfile = netbank.Errorf(netbank.EFORBIDDEN, "Din brugerprofil giver ikke adgang til dette.")

// partner guards an endpoint for partner tokens of one role.
func (s *Server) partner(kind apikey.Kind, h http.HandlerFunc) http.HandlerFunc {
	if !kind.Partner() {
		panic("api: partner route for a kind that is not a partner role: " + string(kind))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.authenticate(w, r)
		if c == nil {
			return
		}
		if c.Key.Kind != kind {
			WriteError(w, netbank.Errorf(netbank.EFORBIDDEN, "Denne API-nøgle giver ikke adgang her; det kræver en nøgle med rollen %s.", kind))
			return
		}
		withCaller(h, w, r, c)
	}
}
