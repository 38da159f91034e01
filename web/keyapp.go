package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// The key app (nøgleapp) is the business user's alternative to the key card
// (RULE BIZ-4): an authenticator app enrolled by scanning a QR code. One app
// replaces one key card: once the app's first code is confirmed, the card
// stops working.

func (s *Server) registerKeyApp() {
	s.Handle("GET /netbank/noegleapp", s.RequireUser(http.HandlerFunc(s.handleKeyAppPage)))
	s.Handle("POST /netbank/noegleapp", s.RequireUser(http.HandlerFunc(s.handleKeyAppStart)))
	s.Handle("POST /netbank/noegleapp/bekraeft", s.RequireUser(http.HandlerFunc(s.handleKeyAppConfirm)))
}

// keyAppView is the Data of nb_keyapp. Step is "start", "scan" or "done".
type keyAppView struct {
	Step        string
	HasApp      bool
	ChallengeID string
	Secret      string // base32, shown for typing in by hand
	URI         string
	QR          template.URL // data: URL of the QR code PNG (made by the bank)
	Error       string
}

// businessOnly answers 404 to private users: the key app is the business
// bank's (private users sign with their signature file).
func (s *Server) businessOnly(w http.ResponseWriter, r *http.Request) (*Principal, bool) {
	p := PrincipalOf(r)
	if p.User.Kind != identity.BusinessUser {
		s.NotFound(w, r)
		return nil, false
	}
	return p, true
}

func (s *Server) handleKeyAppPage(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.businessOnly(w, r); ok {
		s.Render(w, r, http.StatusOK, "nb_keyapp", keyAppView{Step: "start", HasApp: p.User.TOTPSecret != ""})
	}
}

func (s *Server) handleKeyAppStart(w http.ResponseWriter, r *http.Request) {
	p, ok := s.businessOnly(w, r)
	if !ok {
		return
	}
	e, err := s.identity.BeginKeyApp(r.Context(), p.User.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_keyapp", scanView(e.ChallengeID, e.Secret, e.URI, e.QRPNG, ""))
}

func scanView(challengeID, secret, uri string, png []byte, errText string) keyAppView {
	return keyAppView{Step: "scan", ChallengeID: challengeID, Secret: secret, URI: uri, Error: errText,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
}

func (s *Server) handleKeyAppConfirm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.businessOnly(w, r)
	if !ok {
		return
	}
	challengeID, code := r.PostFormValue("challenge_id"), strings.TrimSpace(r.PostFormValue("code"))
	err := s.identity.ConfirmKeyApp(r.Context(), p.User.ID, challengeID, code, userActor(r, p))
	switch netbank.ErrorCodeOf(err) {
	case "":
		s.Render(w, r, http.StatusOK, "nb_keyapp", keyAppView{Step: "done"})
	case netbank.EINVALID:
		// A wrong code: show the same enrolment again (the secret is the
		// one already on the page), so the user need not scan again.
		uri := r.PostFormValue("uri")
		png, qrErr := auth.QRCodePNG(uri)
		if qrErr != nil || !strings.HasPrefix(uri, "otpauth://totp/") {
			s.Error(w, r, netbank.Errorf(netbank.EINVALID, "bad enrolment"))
			return
		}
		s.Render(w, r, http.StatusUnprocessableEntity, "nb_keyapp", scanView(challengeID, r.PostFormValue("secret"), uri, png, netbank.ErrorMessageOf(err)))
	default:
		// Expired or unknown enrolment: start over.
		s.Render(w, r, http.StatusUnprocessableEntity, "nb_keyapp", keyAppView{Step: "start", Error: netbank.ErrorMessageOf(err)})
	}
}
