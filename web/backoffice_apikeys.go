package web

// API clients in the back office (package apikey): administrators make and
// revoke the keys of systems outside the bank.
//
//	GET  /backoffice/api-klienter                     the partner keys (role, name, creditor numbers,
//	                                                  created, expires, last used, state) and the form
//	POST /backoffice/api-klienter                     apikey.CreatePartner: the token is shown on the answer, once
//	POST /backoffice/api-klienter/{id}/tilbagekald    apikey.RevokePartner
//
// Roles: "clearing" (another bank or the clearing, which delivers incoming
// payments through POST /api/v1/clearing/incoming), "creditor" (a
// Betalingsservice / FI creditor, with its creditor numbers) and
// "merchant" (a shop: Visa Secure and the block register). Only the
// admin role reaches these pages (others get 403); the key service audits
// every key made and revoked with the staff member as the actor.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/identity"
)

// registerAPIKeys adds the API clients to the back office.
func (b *backoffice) registerAPIKeys() {
	s := b.s
	admin := func(h http.HandlerFunc) http.Handler { return s.RequireStaff(identity.RoleAdmin, b.needAPIKeys(h)) }
	s.Handle("GET /backoffice/api-klienter", admin(b.apiKeysPage))
	s.Handle("POST /backoffice/api-klienter", admin(b.createAPIKey))
	s.Handle("POST /backoffice/api-klienter/{id}/tilbagekald", admin(b.revokeAPIKey))
}

// needAPIKeys answers "unavailable" when the server has no API keys.
func (b *backoffice) needAPIKeys(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if b.s.apikeys == nil {
			b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without API keys"))
			return
		}
		h(w, r)
	}
}

// boAPIKeyRow is one partner key on the list.
type boAPIKeyRow struct {
	ID        string
	Name      string
	RoleKey   string
	Prefix    string
	Creditors string
	Created   string
	Expires   string
	LastUsed  string
	StatusKey string
	Active    bool
}

// boAPIKeysView is the Data of bo_apikeys.
type boAPIKeysView struct {
	boBase
	Keys []boAPIKeyRow
	// Roles are the partner roles the form offers.
	Roles []string
	// NewToken is the token just made, shown this once, for NewName.
	NewToken, NewName string
	// Done is the flash after a revocation (catalog key).
	Done string
	// The form as typed, and its refusal (Danish).
	Role, Name, Creditors string
	Validity              int
	Validities            []int
	Error                 string
}

// render draws the page with the list of partner keys.
func (b *backoffice) renderAPIKeys(w http.ResponseWriter, r *http.Request, status int, v boAPIKeysView) {
	keys, err := b.s.apikeys.Partners(r.Context())
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v.boBase = b.base(r, "apikeys")
	now := b.s.clock.Now()
	for _, k := range keys {
		row := boAPIKeyRow{ID: k.ID, Name: k.Name, RoleKey: "bo.apikeys.role." + string(k.Kind), Prefix: k.Prefix,
			Creditors: strings.Join(k.Creditors, ", "), Created: b.dateTime(k.CreatedAt), Expires: b.dateTime(k.ExpiresAt),
			LastUsed: b.dateTime(k.LastUsedAt)}
		row.StatusKey, row.Active = apiKeyStatus(k, now)
		v.Keys = append(v.Keys, row)
	}
	for _, k := range apikey.PartnerKinds {
		v.Roles = append(v.Roles, string(k))
	}
	v.Validities = apiKeyValidities
	if v.Validity == 0 {
		v.Validity = apiKeyValidities[len(apiKeyValidities)-1]
	}
	b.s.Render(w, r, status, "bo_apikeys", v)
}

// apiKeysPage draws the partner keys and the form.
func (b *backoffice) apiKeysPage(w http.ResponseWriter, r *http.Request) {
	v := boAPIKeysView{}
	if r.URL.Query().Get("besked") == "tilbagekaldt" {
		v.Done = "bo.apikeys.revoked"
	}
	b.renderAPIKeys(w, r, http.StatusOK, v)
}

// createAPIKey makes a partner key and shows its token once.
func (b *backoffice) createAPIKey(w http.ResponseWriter, r *http.Request) {
	v := boAPIKeysView{Role: r.PostFormValue("role"), Name: cleanField(r.PostFormValue("name"), 2*apikey.MaxName),
		Creditors: cleanField(r.PostFormValue("creditors"), 400)}
	days, err := strconv.Atoi(r.PostFormValue("validity"))
	valid := false
	for _, d := range apiKeyValidities {
		valid = valid || d == days
	}
	if err != nil || !valid {
		v.Error = T(LangOf(r), "apikey.err.validity")
		b.renderAPIKeys(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	v.Validity = days
	kind := apikey.Kind(v.Role)
	if !kind.Partner() {
		v.Error = T(LangOf(r), "bo.apikeys.err.role")
		b.renderAPIKeys(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	var creditors []string
	for c := range strings.SplitSeq(v.Creditors, ",") {
		if c = strings.TrimSpace(c); c != "" {
			creditors = append(creditors, c)
		}
	}
	k, tok, err := b.s.apikeys.CreatePartner(r.Context(), apikey.PartnerRequest{Kind: kind, Name: v.Name, Creditors: creditors,
		Expires: b.s.clock.Now().AddDate(0, 0, days)}, b.actor(r))
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EINVALID:
		v.Error = netbank.ErrorMessageOf(err)
		b.renderAPIKeys(w, r, http.StatusUnprocessableEntity, v)
		return
	default:
		b.s.Error(w, r, err)
		return
	}
	b.renderAPIKeys(w, r, http.StatusOK, boAPIKeysView{NewToken: tok, NewName: k.Name})
}

// revokeAPIKey revokes a partner key.
func (b *backoffice) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) > 64 || !strings.HasPrefix(id, "apk_") {
		b.s.NotFound(w, r)
		return
	}
	if _, err := b.s.apikeys.RevokePartner(r.Context(), id, b.actor(r)); err != nil {
		b.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/backoffice/api-klienter?besked=tilbagekaldt", http.StatusSeeOther)
}
