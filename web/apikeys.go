package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
)

// "API-adgang": the user's own keys for the JSON API (package apikey):
//
//	GET  /netbank/api-adgang                      the user's keys and the form for a new one
//	POST /netbank/api-adgang                      make a key: the token is shown on the answer, once
//	POST /netbank/api-adgang/{id}/tilbagekald     revoke one of the user's keys
//
// A key acts as the user who made it, with the user's profile (BIZ-5), and
// binding actions made with it must still be signed; the page says so.
// Every user sees and revokes only their own keys: another user's key id
// is "not found". The token is drawn once, on the answer to the POST that
// made it (no-store, like every bank page), and never again: the bank
// keeps only its hash.

// apiKeyValidities are the lifetimes the form offers, in days; the last
// is one year, the most a key may live (apikey.MaxLifetime).
var apiKeyValidities = []int{30, 90, 180, 365}

// defaultAPIKeyValidity is the lifetime preselected on the form.
const defaultAPIKeyValidity = 90

// registerAPIKeys adds the page (called from registerNetbank).
func (s *Server) registerAPIKeys() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needAPIKeys(h)) }
	s.Handle("GET /netbank/api-adgang", user(s.handleAPIKeys))
	s.Handle("POST /netbank/api-adgang", user(s.handleAPIKeyCreate))
	s.Handle("POST /netbank/api-adgang/{id}/tilbagekald", user(s.handleAPIKeyRevoke))
}

// needAPIKeys answers "not found" when the server has no API keys.
func (s *Server) needAPIKeys(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.apikeys == nil {
			s.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// apiKeyRow is one key on the list.
type apiKeyRow struct {
	ID       string
	Name     string
	Prefix   string
	Created  string
	Expires  string
	LastUsed string
	// StatusKey is the catalog key of the key's state; Active whether it
	// can still be revoked.
	StatusKey string
	Active    bool
}

// apiKeyStatus names a key's state and whether it works.
func apiKeyStatus(k apikey.Key, now time.Time) (string, bool) {
	switch {
	case !k.RevokedAt.IsZero():
		return "apikey.status.revoked", false
	case !now.Before(k.ExpiresAt):
		return "apikey.status.expired", false
	}
	return "apikey.status.active", true
}

// apiKeysView is the Data of nb_apikeys.
type apiKeysView struct {
	Keys []apiKeyRow
	// NewToken is the token just made, shown this once; NewName its key's name.
	NewToken string
	NewName  string
	// The form as typed.
	Name       string
	Validity   int
	Validities []int
	// Error is the bank's refusal (Danish); Notice a catalog key.
	Error  string
	Notice string
}

// apiKeysPage fills the list of the user's keys into v.
func (s *Server) apiKeysPage(r *http.Request, v *apiKeysView) error {
	p := PrincipalOf(r)
	keys, err := s.apikeys.OfUser(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	lang := LangOf(r)
	for _, k := range keys {
		row := apiKeyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Created: s.localTime(lang, k.CreatedAt),
			Expires: s.localTime(lang, k.ExpiresAt), LastUsed: s.localTime(lang, k.LastUsedAt)}
		row.StatusKey, row.Active = apiKeyStatus(k, now)
		v.Keys = append(v.Keys, row)
	}
	v.Validities = apiKeyValidities
	if v.Validity == 0 {
		v.Validity = defaultAPIKeyValidity
	}
	return nil
}

func (s *Server) renderAPIKeys(w http.ResponseWriter, r *http.Request, status int, v apiKeysView) {
	if err := s.apiKeysPage(r, &v); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, status, "nb_apikeys", v)
}

// handleAPIKeys draws the user's keys and the form.
func (s *Server) handleAPIKeys(w http.ResponseWriter, r *http.Request) {
	v := apiKeysView{}
	if r.URL.Query().Get("besked") == "tilbagekaldt" {
		v.Notice = "apikey.notice.revoked"
	}
	s.renderAPIKeys(w, r, http.StatusOK, v)
}

// handleAPIKeyCreate makes a key and shows its token once.
func (s *Server) handleAPIKeyCreate(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	v := apiKeysView{Name: cleanField(r.PostFormValue("name"), 2*apikey.MaxName)}
	days, err := strconv.Atoi(r.PostFormValue("validity"))
	valid := false
	for _, d := range apiKeyValidities {
		valid = valid || d == days
	}
	if err != nil || !valid {
		v.Error = T(LangOf(r), "apikey.err.validity")
		s.renderAPIKeys(w, r, http.StatusBadRequest, v)
		return
	}
	v.Validity = days
	k, tok, err := s.apikeys.CreateForUser(r.Context(), p.User.ID, v.Name, s.clock.Now().AddDate(0, 0, days), userActor(r, p))
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EINVALID, netbank.ECONFLICT, netbank.EFORBIDDEN:
		v.Error = netbank.ErrorMessageOf(err)
		s.renderAPIKeys(w, r, http.StatusBadRequest, v)
		return
	default:
		s.Error(w, r, err)
		return
	}
	s.renderAPIKeys(w, r, http.StatusOK, apiKeysView{NewToken: tok, NewName: k.Name})
}

// handleAPIKeyRevoke revokes one of the user's keys.
func (s *Server) handleAPIKeyRevoke(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	id := r.PathValue("id")
	if len(id) > 64 || !strings.HasPrefix(id, "apk_") {
		s.NotFound(w, r)
		return
	}
	if _, err := s.apikeys.RevokeForUser(r.Context(), p.User.ID, id, userActor(r, p)); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/api-adgang?besked=tilbagekaldt", http.StatusSeeOther)
}
