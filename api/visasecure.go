package api

// Visa Secure and the block register, for merchants (RULES CARD-11,
// CARD-16):
//
//	POST /api/v1/visa-secure/authentications             a merchant starts an authentication → card.VisaSecure.StartAuthentication
//	POST /api/v1/visa-secure/authentications/{id}/code   the code the cardholder typed → the CAVV for field 48 of the 0100
//	POST /api/v1/block-register                          is a card number blocked, and since when → card.Service.BlockRegister
//
// The Visa Secure endpoints take partner keys with the role "merchant";
// the block register those with the role "merchant" or "clearing" (other
// banks). Customer keys get 403 on all three.
//
// Card numbers travel only in request bodies, never in a URL (where they
// would end up in access logs and proxies), and no answer or error
// message repeats one. A card the bank cannot authenticate (unknown, not
// enrolled, blocked) is 422 not_enrolled, the same for each; a wrong,
// expired or locked code is 422 authentication_failed with the tries
// left. An authentication is the merchant key's own: another key's id is
// 404.

import (
	"net/http"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/card"
)

// The error codes of the Visa Secure answers with status 422.
const (
	// codeNotEnrolled: the card cannot be authenticated with Visa Secure.
	codeNotEnrolled netbank.ErrorCode = "not_enrolled"
	// codeAuthenticationFailed: the code is wrong, expired or used up.
	codeAuthenticationFailed netbank.ErrorCode = "authentication_failed"
)

// partnerOf guards an endpoint for partner tokens of any of the roles
// kinds, like partner does for one.
func (s *Server) partnerOf(h http.HandlerFunc, kinds ...apikey.Kind) http.HandlerFunc {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		if !k.Partner() {
			panic("api: partner route for a kind that is not a partner role: " + string(k))
		}
		names[i] = string(k)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.authenticate(w, r)
		if c == nil {
			return
		}
		ok := false
		for _, k := range kinds {
			ok = ok || c.Key.Kind == k
		}
		if !ok {
			WriteError(w, netbank.Errorf(netbank.EFORBIDDEN, "Denne API-nøgle giver ikke adgang her; det kræver en nøgle med rollen %s.",
				strings.Join(names, " eller ")))
			return
		}
		withCaller(h, w, r, c)
	}
}

// authenticationRequest is the body of POST /api/v1/visa-secure/authentications.
type authenticationRequest struct {
	PAN string `json:"pan"`
	// Amount in minor units of Currency.
	Amount       *int64 `json:"amount"`
	Currency     string `json:"currency"`
	MerchantID   string `json:"merchant_id"`
	MerchantName string `json:"merchant_name"`
}

// authenticationView is an authentication as the API shows it.
type authenticationView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// ExpiresAt is when the code stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// codeRequest is the body of POST …/authentications/{id}/code.
type codeRequest struct {
	Code string `json:"code"`
}

// cavvView is the answer to a right code.
type cavvView struct {
	CAVV string `json:"cavv"`
}

// needVisaSecure answers "unavailable" when the server has no ACS.
func (s *Server) needVisaSecure(w http.ResponseWriter) bool {
	if s.visaSecure == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Visa Secure kan ikke bruges på denne server."))
		return false
	}
	return true
}

// writeUnprocessable writes a 422 with one of the Visa Secure codes and
// the domain's Danish message.
func writeUnprocessable(w http.ResponseWriter, code netbank.ErrorCode, err error) {
	writeErrorBody(w, http.StatusUnprocessableEntity, errorBody{Code: code, Message: netbank.ErrorMessageOf(err)})
}

// handleStartAuthentication answers POST /api/v1/visa-secure/authentications.
func (s *Server) handleStartAuthentication(w http.ResponseWriter, r *http.Request) {
	if !s.needVisaSecure(w) {
		return
	}
	var b authenticationRequest
	if err := readJSON(r, &b); err != nil {
		WriteError(w, err)
		return
	}
	if b.Amount == nil {
		WriteError(w, invalid("Feltet amount mangler: beløbet i øre (eller valutaens mindste enhed)."))
		return
	}
	a, err := s.visaSecure.StartAuthentication(r.Context(), card.Challenge{PAN: strings.Join(strings.Fields(b.PAN), ""), Amount: *b.Amount,
		Currency: b.Currency, MerchantID: b.MerchantID, MerchantName: b.MerchantName, Requester: callerOf(r).Key.ID})
	switch netbank.ErrorCodeOf(err) {
	case "":
		WriteJSON(w, http.StatusCreated, authenticationView{ID: a.ID, Status: string(a.Status), ExpiresAt: a.CodeExpiresAt.UTC()})
	case netbank.EFORBIDDEN:
		writeUnprocessable(w, codeNotEnrolled, err)
	case netbank.ECONFLICT:
		writeErrorBody(w, http.StatusTooManyRequests, errorBody{Code: codeTooManyRequests, Message: netbank.ErrorMessageOf(err)})
	default:
		WriteError(w, err)
	}
}

// handleCompleteAuthentication answers POST
// /api/v1/visa-secure/authentications/{id}/code.
func (s *Server) handleCompleteAuthentication(w http.ResponseWriter, r *http.Request) {
	if !s.needVisaSecure(w) {
		return
	}
	id := r.PathValue("id")
	if len(id) > 64 || !strings.HasPrefix(id, "vsa_") {
		WriteError(w, netbank.Errorf(netbank.ENOTFOUND, "Godkendelsen findes ikke."))
		return
	}
	var b codeRequest
	if err := readJSON(r, &b); err != nil {
		WriteError(w, err)
		return
	}
	cavv, err := s.visaSecure.CompleteAuthentication(r.Context(), callerOf(r).Key.ID, id, b.Code)
	switch netbank.ErrorCodeOf(err) {
	case "":
		WriteJSON(w, http.StatusOK, cavvView{CAVV: cavv})
	case netbank.EFORBIDDEN:
		writeUnprocessable(w, codeAuthenticationFailed, err)
	default:
		WriteError(w, err)
	}
}

// blockRegisterRequest is the body of POST /api/v1/block-register.
type blockRegisterRequest struct {
	PAN string `json:"pan"`
}

// blockRegisterView is the register's answer: blocked or not, and since
// when (null when not blocked).
type blockRegisterView struct {
	Blocked bool       `json:"blocked"`
	Since   *time.Time `json:"since"`
}

// handleBlockRegister answers POST /api/v1/block-register (CARD-16).
func (s *Server) handleBlockRegister(w http.ResponseWriter, r *http.Request) {
	if s.cards == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Spærrelisten kan ikke bruges på denne server."))
		return
	}
	var b blockRegisterRequest
	if err := readJSON(r, &b); err != nil {
		WriteError(w, err)
		return
	}
	pan := strings.Join(strings.Fields(b.PAN), "")
	if pan == "" {
		WriteError(w, invalid("Feltet pan mangler: kortnummeret."))
		return
	}
	blocked, since, err := s.cards.BlockRegister(r.Context(), pan)
	if err != nil {
		WriteError(w, err)
		return
	}
	v := blockRegisterView{Blocked: blocked}
	if blocked {
		t := since.UTC()
		v.Since = &t
	}
	WriteJSON(w, http.StatusOK, v)
}
