package web

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// The net bank's login (RULES AUTH-1…8, BIZ-1, BIZ-2, BIZ-4, SESS-1, SESS-2,
// SESS-5):
//
//	GET  /login                     choose Privat or Erhverv; ?reason= says why the user is here
//	POST /login/private             user number → the PIN step (first login) or the signature step
//	POST /login/private/pin         the PIN code from the letter → choose the signature code
//	POST /login/private/enroll      (login.js, JSON) the new public key + a signature of the challenge
//	POST /login/private/signature   the signature of the login challenge (made by login.js)
//	POST /login/business            user id + password → the key-card (or key-app) step
//	POST /login/business/code       the one-time code → logged in
//	POST /logout                    ends the session on the server
//
// Codes, PINs, passwords and signature files never travel in a URL: every
// step is a POST, the user number goes from step to step in a hidden field,
// and the signature code and file stay in the browser (the inputs that hold
// them have no name, so a form never sends them).

// rememberCookie keeps the user number on the device when the user asks
// for it (RULE AUTH-8): the user number and nothing else.
const rememberCookie = "nb_remember"

// keyCardNoticeCookie carries "few codes left on the key card" from the
// business login to the overview, which shows it once (BIZ-1).
const keyCardNoticeCookie = "nb_keycard"

// rememberMaxAge is how long the device remembers the user number.
const rememberMaxAge = 365 * 24 * 60 * 60

// registerLogin adds the login pages (called by registerNetbank).
func (s *Server) registerLogin() {
	s.HandleFunc("GET /login", s.handleLogin)
	// A step reloaded with GET (back button, bookmark) starts over.
	s.HandleFunc("GET /login/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	s.HandleFunc("POST /login/private", s.handlePrivateStart)
	s.HandleFunc("POST /login/private/pin", s.handlePrivatePIN)
	s.HandleFunc("POST /login/private/enroll", s.handlePrivateEnroll)
	s.HandleFunc("POST /login/private/signature", s.handlePrivateSignature)
	s.HandleFunc("POST /login/business", s.handleBusinessStart)
	s.HandleFunc("POST /login/business/code", s.handleBusinessCode)
	s.HandleFunc("POST /logout", s.handleLogout)
}

// loginView is the Data of the login page.
type loginView struct {
	// Notice says why the user is on the login page (timed out, logged in
	// elsewhere, logged out, blocked); NoticeKind is "info" or "warning".
	Notice     string
	NoticeKind string
	// UserNumber pre-fills the private form (remembered, or typed before
	// an error); Remember ticks "Husk brugernummer".
	UserNumber string
	Remember   bool
	// UserID pre-fills the business form after an error.
	UserID        string
	PrivateError  string
	BusinessError string
	// BusinessAgain explains, after a refused key-card code, that the
	// login starts over with user id and password (and a new key number).
	BusinessAgain bool
	// Business puts the business card first on small screens and focuses it
	// (after a business error).
	Business bool
}

// pinView is the Data of the PIN step (first login, RULE AUTH-2).
type pinView struct {
	UserNumber string
	Error      string
}

// enrollView is the Data of the step where the user chooses the signature
// code and the browser makes the signature file (RULE AUTH-2, AUTH-3).
type enrollView struct {
	UserNumber  string
	ChallengeID string
	Challenge   string
	FileName    string
}

// signatureView is the Data of the signature step (RULE AUTH-4, AUTH-7).
type signatureView struct {
	UserNumber  string
	ChallengeID string
	Challenge   string
	FileName    string
	Error       string
}

// businessCodeView is the Data of the key-card / key-app step (BIZ-1, BIZ-4).
type businessCodeView struct {
	UserID      string
	ChallengeID string
	KeyNumber   string
	KeyApp      bool
	CodesLeft   int
}

// actorOf is the anonymous actor of a login step: its IP address is the
// request's remote address (for the audit log and the rate limit).
func actorOf(r *http.Request) identity.Actor {
	return identity.Actor{IP: remoteIP(r)}
}

// remoteIP is the host part of r.RemoteAddr.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// userError tells whether err is a refusal with a message meant for the
// user (a wrong code, a block, an expired step) and gives the HTTP status
// to draw it with. Anything else is for s.Error.
func userError(err error) (int, string, bool) {
	switch netbank.ErrorCodeOf(err) {
	case netbank.EINVALID:
		return http.StatusBadRequest, netbank.ErrorMessageOf(err), true
	case netbank.EUNAUTHORIZED:
		return http.StatusUnauthorized, netbank.ErrorMessageOf(err), true
	case netbank.EFORBIDDEN:
		return http.StatusForbidden, netbank.ErrorMessageOf(err), true
	}
	return 0, "", false
}

// writeJSON answers a script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// jsonError answers a script with the user's message, or with a generic
// one (and the incident logged) for an internal error.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, err error, extra map[string]any) {
	status, msg, ok := userError(err)
	if !ok {
		// The database unavailable is 503 with its own text, as on the
		// error page; anything else is internal.
		kind := errorKinds[netbank.EINTERNAL]
		if netbank.ErrorCodeOf(err) == netbank.EUNAVAILABLE {
			kind = errorKinds[netbank.EUNAVAILABLE]
			w.Header().Set("Retry-After", "60")
		}
		id := newIncidentID()
		s.log.ErrorContext(r.Context(), "request failed", "incident", id, "method", r.Method, "path", r.URL.Path, "error", err)
		status, msg = kind.status, T(LangOf(r), kind.texts.Text)+" "+T(LangOf(r), "error.incident")+": "+id
	}
	out := map[string]any{"error": msg}
	for k, v := range extra {
		out[k] = v
	}
	writeJSON(w, status, out)
}

// available answers with the "unavailable" page when the server has no
// identity service (a public-pages-only configuration).
func (s *Server) available(w http.ResponseWriter, r *http.Request) bool {
	if s.identity == nil {
		s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: no identity service"))
		return false
	}
	return true
}

// durationText says a timeout the way the bank's rules do: "15 minutter",
// "60 minutter", "3 timer", "10 sekunder".
func durationText(lang Lang, d time.Duration) string {
	switch {
	case d >= 2*time.Hour && d%time.Hour == 0:
		return T(lang, "time.hours", int(d/time.Hour))
	case d >= time.Minute:
		m := int((d + time.Minute/2) / time.Minute)
		if m == 1 {
			return T(lang, "time.minute")
		}
		return T(lang, "time.minutes", m)
	}
	sec := int((d + time.Second/2) / time.Second)
	if sec == 1 {
		return T(lang, "time.second")
	}
	return T(lang, "time.seconds", sec)
}

// loginNotice is the text for ?reason= on the login page (SESS-1, SESS-2,
// SESS-5, AUTH-9). kind, when the countdown script knows it, picks the
// timeout of the private or the business bank.
func (s *Server) loginNotice(lang Lang, reason, kind string) (string, string) {
	switch reason {
	case "expired":
		if s.identity == nil {
			return T(lang, "login.reason.expired.generic"), "warning"
		}
		private := durationText(lang, s.identity.Timeout(identity.PrivateUser))
		business := durationText(lang, s.identity.Timeout(identity.BusinessUser))
		switch identity.UserKind(kind) {
		case identity.PrivateUser:
			return T(lang, "login.reason.expired", private), "warning"
		case identity.BusinessUser:
			return T(lang, "login.reason.expired", business), "warning"
		}
		// The server ended the session before the page's countdown could
		// say which bank it was: name both timeouts.
		return T(lang, "login.reason.expired.both", private, business), "warning"
	case "replaced":
		return T(lang, "login.reason.replaced"), "warning"
	case "ended":
		return T(lang, "login.reason.ended"), "info"
	case "blocked":
		return T(lang, "login.reason.blocked"), "warning"
	case "locked":
		return T(lang, "login.reason.locked"), "warning"
	}
	return "", ""
}

// handleLogin draws the login page: Privat and Erhverv side by side.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	lang := LangOf(r)
	v := loginView{}
	v.Notice, v.NoticeKind = s.loginNotice(lang, r.URL.Query().Get("reason"), r.URL.Query().Get("kind"))
	if n := s.rememberedUser(r); n != "" {
		v.UserNumber, v.Remember = n, true
	}
	s.Render(w, r, http.StatusOK, "login", v)
}

// rememberedUser is the user number kept by "Husk brugernummer", if the
// cookie holds a well-formed one.
func (s *Server) rememberedUser(r *http.Request) string {
	c, err := r.Cookie(rememberCookie)
	if err != nil || auth.ValidUserNumber(c.Value) != nil {
		return ""
	}
	return c.Value
}

// setRemember keeps (or, when unticked, forgets) the user number on the
// device: only the number, for a year, HttpOnly and SameSite=Strict (RULE
// AUTH-8).
func (s *Server) setRemember(w http.ResponseWriter, userNumber string, remember bool) {
	c := &http.Cookie{Name: rememberCookie, Path: "/login", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode}
	if remember && auth.ValidUserNumber(userNumber) == nil {
		c.Value, c.MaxAge = userNumber, rememberMaxAge
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// renderLoginError draws the login page again with the error in the
// private or the business card.
func (s *Server) renderLoginError(w http.ResponseWriter, r *http.Request, err error, business bool, userNumber, userID string, again ...bool) {
	status, msg, ok := userError(err)
	if !ok {
		s.Error(w, r, err)
		return
	}
	v := loginView{UserNumber: userNumber, UserID: userID, Business: business}
	if business {
		v.BusinessError = msg
		v.BusinessAgain = len(again) > 0 && again[0]
		if n := s.rememberedUser(r); n != "" {
			v.UserNumber, v.Remember = n, true
		}
	} else {
		v.PrivateError = msg
		v.Remember = r.PostFormValue("remember") != "" || s.rememberedUser(r) != ""
	}
	s.Render(w, r, status, "login", v)
}

// formUserNumber reads the user number, forgiving spaces people type to
// group the digits.
func formUserNumber(r *http.Request) string {
	return strings.Join(strings.Fields(r.PostFormValue("user_number")), "")
}

// handlePrivateStart: the user number (RULE AUTH-1). A user with a PIN
// letter goes to the PIN step; everyone else to the signature step (also
// unknown numbers, so user numbers cannot be probed).
func (s *Server) handlePrivateStart(w http.ResponseWriter, r *http.Request) {
	if !s.available(w, r) {
		return
	}
	num := formUserNumber(r)
	step, err := s.identity.BeginPrivateLogin(r.Context(), num, actorOf(r))
	if err != nil {
		s.renderLoginError(w, r, err, false, num, "")
		return
	}
	s.setRemember(w, num, r.PostFormValue("remember") != "")
	s.renderPrivateStep(w, r, http.StatusOK, num, step, "")
}

// renderPrivateStep draws the step the identity service asked for.
func (s *Server) renderPrivateStep(w http.ResponseWriter, r *http.Request, status int, num string, step identity.LoginStep, errMsg string) {
	switch step.Step {
	case "pin":
		s.Render(w, r, status, "login_pin", pinView{UserNumber: num, Error: errMsg})
	case "signature":
		s.Render(w, r, status, "login_signature", signatureView{UserNumber: num, ChallengeID: step.ChallengeID,
			Challenge: step.Challenge, FileName: auth.SignatureFileName(num), Error: errMsg})
	case "enroll":
		s.Render(w, r, status, "login_enroll", enrollView{UserNumber: num, ChallengeID: step.ChallengeID,
			Challenge: step.Challenge, FileName: auth.SignatureFileName(num)})
	default:
		s.Error(w, r, netbank.Errorf(netbank.EINTERNAL, "web: unknown login step %q", step.Step))
	}
}

// handlePrivatePIN: the PIN code from the letter (RULE AUTH-2). Right →
// the page where the user chooses the signature code. Wrong → the PIN
// page again with the attempts left; blocked → the login page.
func (s *Server) handlePrivatePIN(w http.ResponseWriter, r *http.Request) {
	if !s.available(w, r) {
		return
	}
	num := formUserNumber(r)
	pin := strings.TrimSpace(r.PostFormValue("pin"))
	step, err := s.identity.VerifyPIN(r.Context(), num, pin, actorOf(r))
	if err != nil {
		if netbank.ErrorCodeOf(err) == netbank.EUNAUTHORIZED {
			status, msg, _ := userError(err)
			s.Render(w, r, status, "login_pin", pinView{UserNumber: num, Error: msg})
			return
		}
		s.renderLoginError(w, r, err, false, num, "")
		return
	}
	s.renderPrivateStep(w, r, http.StatusOK, num, step, "")
}

// decodeBase64 reads a standard base64 form value; nil if malformed.
func decodeBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return b
}

// handlePrivateEnroll (called by login.js): the public key of the
// signature file just made in the browser and its signature of the
// enrolment challenge (RULE AUTH-3). It logs the user in; the script then
// keeps the file on the device if asked and offers its download.
func (s *Server) handlePrivateEnroll(w http.ResponseWriter, r *http.Request) {
	if s.identity == nil {
		s.jsonError(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: no identity service"), nil)
		return
	}
	num := formUserNumber(r)
	tok, _, err := s.identity.Enroll(r.Context(), num, r.PostFormValue("challenge_id"),
		decodeBase64(r.PostFormValue("public_key")), decodeBase64(r.PostFormValue("signature")), actorOf(r))
	if err != nil {
		s.jsonError(w, r, err, nil)
		return
	}
	s.setSessionCookie(w, tok)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "next": "/netbank"})
}

// handlePrivateSignature: the signature of the login challenge, made by
// login.js with the signature file and code (RULE AUTH-4). Wrong → the
// signature page again with a new challenge and the attempts left (AUTH-5);
// blocked → the login page with the bank's message.
func (s *Server) handlePrivateSignature(w http.ResponseWriter, r *http.Request) {
	if !s.available(w, r) {
		return
	}
	num := formUserNumber(r)
	ctx := r.Context()
	tok, _, err := s.identity.FinishPrivateLogin(ctx, num, r.PostFormValue("challenge_id"), decodeBase64(r.PostFormValue("signature")), actorOf(r))
	if err == nil {
		s.setSessionCookie(w, tok)
		http.Redirect(w, r, "/netbank", http.StatusSeeOther)
		return
	}
	status, msg, ok := userError(err)
	if !ok || netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
		s.renderLoginError(w, r, err, false, num, "")
		return
	}
	// Another try needs a new challenge (the old one is used up).
	step, err2 := s.identity.BeginPrivateLogin(ctx, num, actorOf(r))
	if err2 != nil {
		s.renderLoginError(w, r, err2, false, num, "")
		return
	}
	s.renderPrivateStep(w, r, status, num, step, msg)
}

// handleBusinessStart: user id and password (BIZ-1); a private user
// number does not open the business bank (BIZ-2).
func (s *Server) handleBusinessStart(w http.ResponseWriter, r *http.Request) {
	if !s.available(w, r) {
		return
	}
	userID := strings.TrimSpace(r.PostFormValue("user_id"))
	step, err := s.identity.BeginBusinessLogin(r.Context(), userID, r.PostFormValue("password"), actorOf(r))
	if err != nil {
		s.renderLoginError(w, r, err, true, "", userID)
		return
	}
	s.Render(w, r, http.StatusOK, "login_business_code", businessCodeView{UserID: strings.ToLower(userID),
		ChallengeID: step.ChallengeID, KeyNumber: step.KeyNumber, KeyApp: step.KeyApp, CodesLeft: step.CodesLeft})
}

// handleBusinessCode: the one-time code from the key card or the key app
// (BIZ-1, BIZ-4). Each code works once. A wrong code uses up the login
// attempt: the user starts again with user id and password.
func (s *Server) handleBusinessCode(w http.ResponseWriter, r *http.Request) {
	if !s.available(w, r) {
		return
	}
	userID := strings.TrimSpace(r.PostFormValue("user_id"))
	code := strings.Join(strings.Fields(r.PostFormValue("code")), "")
	tok, _, err := s.identity.FinishBusinessLogin(r.Context(), userID, r.PostFormValue("challenge_id"), code, actorOf(r))
	if err != nil {
		s.renderLoginError(w, r, err, true, "", userID, netbank.ErrorCodeOf(err) == netbank.EUNAUTHORIZED)
		return
	}
	s.setSessionCookie(w, tok)
	// This login used one more code of the ones counted at the first step.
	if left, err := strconv.Atoi(r.PostFormValue("codes_left")); err == nil && left > 0 && left-1 <= identity.KeyCardRenewAt {
		http.SetCookie(w, &http.Cookie{Name: keyCardNoticeCookie, Value: strconv.Itoa(left - 1), Path: "/netbank", MaxAge: 300,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, "/netbank", http.StatusSeeOther)
}

// handleLogout ends the session on the server, forgets the cookie and
// says so on the login page (SESS-5). Every page is no-store and the
// session is gone, so the back button shows nothing of it (SESS-3).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if tok := s.sessionToken(r); tok != "" && s.identity != nil {
		actor := actorOf(r)
		if sess, err := s.identity.Peek(r.Context(), tok); err == nil {
			actor.Kind = actorKind(sess.Kind)
		}
		if err := s.identity.Logout(r.Context(), tok, actor); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?reason=ended", http.StatusSeeOther)
}

// actorKind is the audit log's name for a kind of user.
func actorKind(k identity.UserKind) string {
	switch k {
	case identity.PrivateUser:
		return "customer"
	case identity.BusinessUser:
		return "business"
	case identity.StaffUser:
		return "staff"
	}
	return ""
}
