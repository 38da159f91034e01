package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// The logged-in net bank's shell (every page behind RequireUser, so every
// page counts as activity, SESS-1):
//
//	GET  /netbank                     the overview ("Oversigt")
//	GET  /netbank/spaerring           "Spærring af bruger": confirm (RULE AUTH-9)
//	POST /netbank/spaerring           block the access, log out
//	GET  /netbank/underskriftskode    change the signature code (AUTH-6; private users)
//	POST /netbank/underskriftskode    (login.js, JSON) old and new signature, new public key
//	POST /netbank/session/extend      "Forlæng": counts as activity; JSON {"expires_at": ms}
//	GET  /netbank/session/status      the countdown's poll: JSON, does NOT count as activity
//
//	Beskeder, Kontrakter and Underskriv: see netbank_inbox.go and sign.go.

// registerNetbank adds the login pages and the net bank's pages.
func (s *Server) registerNetbank() {
	s.registerLogin()
	s.registerKeyApp()
	s.Handle("GET /netbank", s.RequireUser(http.HandlerFunc(s.handleOverview)))
	s.Handle("GET /netbank/spaerring", s.RequireUser(http.HandlerFunc(s.handleBlockPage)))
	s.Handle("POST /netbank/spaerring", s.RequireUser(http.HandlerFunc(s.handleBlock)))
	s.Handle("GET /netbank/underskriftskode", s.RequireUser(http.HandlerFunc(s.handleCodeChangePage)))
	s.Handle("POST /netbank/underskriftskode", s.RequireUser(http.HandlerFunc(s.handleCodeChange)))
	s.Handle("POST /netbank/session/extend", s.RequireUser(http.HandlerFunc(s.handleSessionExtend)))
	s.HandleFunc("GET /netbank/session/status", s.requirePeek(s.handleSessionStatus))
	s.registerAccounts() // Konti og posteringer (accounts.go)
	// Beskeder, Kontrakter, the signing page (netbank_inbox.go, sign.go).
	s.registerNetbankInbox()
	s.registerPayments()   // Betalinger (payments.go)
	s.registerAgreements() // Betalingsaftaler (agreements.go)
	s.registerPayfiles()   // Indlæs betalingsfil (payfiles.go)
	s.registerAPIKeys()    // API-adgang (apikeys.go)
}

// TimeoutText is the inactivity timeout in words ("15 minutter"), for the
// text the layout shows until session.js starts the countdown.
func (i *SessionInfo) TimeoutText(lang Lang) string {
	return durationText(lang, time.Duration(i.Timeout)*time.Second)
}

// userActor is the logged-in user as the audit log names them.
func userActor(r *http.Request, p *Principal) identity.Actor {
	return identity.Actor{ID: p.User.ID, Kind: actorKind(p.User.Kind), IP: remoteIP(r)}
}

// overviewView is the Data of the overview.
type overviewView struct {
	Name     string
	Business bool
	// Login is the user number (private) or the user id (business).
	Login    string
	Customer identity.Customer
	// Rights are the catalog keys of the business profile's permissions
	// (BIZ-5), in a fixed order.
	Rights []string
	// LoggedInAt is when this session started; KeyCreatedAt when the
	// signature file in use was made (private users).
	LoggedInAt   string
	KeyCreatedAt string
	// Timeout is the inactivity timeout, said in words.
	Timeout string
	// CodesLeft > 0 shows the "new key card" notice (BIZ-1).
	CodesLeft int
	// Mobile is the customer's mobile number grouped the Danish way.
	Mobile string
	// Accounts are the customer's accounts with balances, shown first
	// (nil when the user's profile may not see them; accounts.go).
	Accounts *accountsSummary
}

// permissionKeys are the business permissions in the order the overview
// lists them, with their catalog keys (BIZ-5).
var permissionKeys = []struct {
	perm identity.Permission
	key  string
}{
	{identity.PermView, "nb.right.view"},
	{identity.PermCreate, "nb.right.create"},
	{identity.PermApprove, "nb.right.approve"},
	{identity.PermAdmin, "nb.right.admin"},
}

// localTime formats a moment in Danish time: "21.11.2026 kl. 14.05".
func (s *Server) localTime(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(s.zone)
	return T(lang, "nb.datetime", t.Format("02.01.2006"), t.Format("15.04"))
}

// formatMobile groups a Danish mobile number in pairs: "+45 20 45 67 89".
// Anything else is shown as stored.
func formatMobile(m string) string {
	d, ok := strings.CutPrefix(m, "+45")
	if !ok || len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return m
	}
	return "+45 " + d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8]
}

// handleOverview draws "Oversigt": who is logged in, for which customer,
// with which rights, and what they can do from here.
func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	lang := LangOf(r)
	v := overviewView{
		Name:       p.User.Name,
		Business:   p.User.Kind == identity.BusinessUser,
		Login:      p.User.Login,
		Customer:   *p.Customer,
		LoggedInAt: s.localTime(lang, p.Session.CreatedAt),
		Timeout:    durationText(lang, s.identity.Timeout(p.Session.Kind)),
		Mobile:     formatMobile(p.Customer.Mobile),
	}
	if v.Business {
		for _, pk := range permissionKeys {
			if p.User.Can(pk.perm) {
				v.Rights = append(v.Rights, pk.key)
			}
		}
		if c, err := r.Cookie(keyCardNoticeCookie); err == nil {
			if n, err := strconv.Atoi(c.Value); err == nil && n >= 0 && n <= identity.KeyCardRenewAt {
				v.CodesLeft = n
				if n == 0 {
					v.CodesLeft = -1 // none left: the notice says so
				}
			}
			http.SetCookie(w, &http.Cookie{Name: keyCardNoticeCookie, Path: "/netbank", MaxAge: -1,
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
		}
	} else {
		v.KeyCreatedAt = s.localTime(lang, p.User.KeyCreatedAt)
	}
	var err error
	if v.Accounts, err = s.overviewAccounts(r, p); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_overview", v)
}

// blockView is the Data of "Spærring af bruger".
type blockView struct {
	Error string
}

// handleBlockPage asks the user to confirm the block (RULE AUTH-9).
func (s *Server) handleBlockPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, "nb_block", blockView{})
}

// handleBlock blocks the user's own access at once; only the bank lifts
// it (RULE AUTH-9). The session ends with it: the user lands on the login
// page, which says what happened.
func (s *Server) handleBlock(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if r.PostFormValue("confirm") != "yes" {
		s.Render(w, r, http.StatusBadRequest, "nb_block", blockView{Error: T(LangOf(r), "nb.block.confirm.missing")})
		return
	}
	if err := s.identity.SelfBlock(r.Context(), p.User.ID, userActor(r, p)); err != nil {
		s.Error(w, r, err)
		return
	}
	// The user's API keys end with the block, so they cannot come back
	// when the bank lifts it. A blocked user's keys are refused anyway,
	// and the bank's unblock revokes them too: a failure here is logged.
	if s.apikeys != nil {
		if err := s.apikeys.RevokeUser(r.Context(), p.User.ID, userActor(r, p), "blocked by the user"); err != nil {
			s.log.ErrorContext(r.Context(), "revoking the API keys of a blocked user failed", "user", p.User.ID, "error", err)
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?reason=blocked", http.StatusSeeOther)
}

// codeChangeView is the Data of the signature-code change (RULE AUTH-6).
type codeChangeView struct {
	UserNumber  string
	ChallengeID string
	Challenge   string
	FileName    string
}

// handleCodeChangePage draws the code change with a fresh challenge that
// login.js signs with the old and with the new key. Private users only.
func (s *Server) handleCodeChangePage(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if p.User.Kind != identity.PrivateUser {
		s.NotFound(w, r)
		return
	}
	step, err := s.identity.BeginCodeChange(r.Context(), p.User.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_code", codeChangeView{UserNumber: p.User.Login, ChallengeID: step.ChallengeID,
		Challenge: step.Challenge, FileName: auth.SignatureFileName(p.User.Login)})
}

// handleCodeChange (called by login.js) replaces the key: the challenge
// signed with the old key (the old code and file) and with the new one
// (RULE AUTH-6). Every copy of the old file stops working. A refusal comes
// back with a new challenge for the next try; a block ends the session.
func (s *Server) handleCodeChange(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if p.User.Kind != identity.PrivateUser {
		s.jsonError(w, r, netbank.Errorf(netbank.EFORBIDDEN, "%s", T(LangOf(r), "error.forbidden.text")), nil)
		return
	}
	ctx := r.Context()
	err := s.identity.ChangeCode(ctx, p.User.ID, r.PostFormValue("challenge_id"), decodeBase64(r.PostFormValue("old_signature")),
		decodeBase64(r.PostFormValue("public_key")), decodeBase64(r.PostFormValue("new_signature")), userActor(r, p))
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	if netbank.ErrorCodeOf(err) == netbank.EFORBIDDEN {
		// Blocked after too many wrong codes (AUTH-5): the sessions ended.
		s.clearSessionCookie(w)
		s.jsonError(w, r, err, map[string]any{"next": "/login?reason=locked"})
		return
	}
	if _, _, ok := userError(err); !ok {
		s.jsonError(w, r, err, nil)
		return
	}
	step, err2 := s.identity.BeginCodeChange(ctx, p.User.ID)
	if err2 != nil {
		s.jsonError(w, r, err2, nil)
		return
	}
	s.jsonError(w, r, err, map[string]any{"challenge_id": step.ChallengeID, "challenge": step.Challenge})
}

// sessionJSON is what the countdown learns from the server: when the
// session times out and the server's time now, both in Unix milliseconds
// (the script counts with the difference, so a wrong clock on the device
// does not matter).
func (s *Server) sessionJSON(sess identity.Session) map[string]any {
	return map[string]any{"active": true, "expires_at": sess.ExpiresAt.UnixMilli(), "now": s.clock.Now().UnixMilli(),
		"timeout": int(s.identity.Timeout(sess.Kind) / time.Second)}
}

// wantsJSON tells a script's request from a plain form's.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// handleSessionExtend is "Forlæng" (SESS-1): RequireUser has counted the
// request as activity, so the timeout has started again. A script gets the
// new expiry as JSON; a plain form (no JavaScript) goes back to its page.
func (s *Server) handleSessionExtend(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, s.sessionJSON(p.Session))
		return
	}
	back := r.PostFormValue("back")
	if back != "/netbank" && !strings.HasPrefix(back, "/netbank/") || strings.HasPrefix(back, "/netbank/session/") {
		back = "/netbank"
	}
	http.Redirect(w, r, localURL(back, ""), http.StatusSeeOther)
}

// requirePeek is RequireUser for the countdown's poll: it checks the
// session with identity.Peek, which does not count as activity (polling
// must not keep an idle session alive). It answers in JSON; a session that
// is gone (timed out, replaced, ended) is a normal answer of a status
// poll, not an error: {"active": false, "reason": …, "login": page to go to}.
func (s *Server) requirePeek(next func(http.ResponseWriter, *http.Request, identity.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.identity == nil {
			writeJSON(w, http.StatusOK, map[string]any{"active": false, "reason": "", "login": "/login"})
			return
		}
		sess, err := s.identity.Peek(r.Context(), s.sessionToken(r))
		if err == nil && sess.Kind == identity.StaffUser {
			err = identity.ErrNoSession
		}
		if err != nil {
			if netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
				s.jsonError(w, r, err, nil)
				return
			}
			// The cookie stays: the next page request clears it and the
			// login page still learns why (replaced, expired, ended).
			reason := loginReason(err)
			login := "/login"
			if reason != "" {
				login += "?reason=" + reason
			}
			writeJSON(w, http.StatusOK, map[string]any{"active": false, "reason": reason, "login": login})
			return
		}
		next(w, r, sess)
	}
}

// handleSessionStatus answers the countdown's poll (every 30 seconds).
func (s *Server) handleSessionStatus(w http.ResponseWriter, r *http.Request, sess identity.Session) {
	writeJSON(w, http.StatusOK, s.sessionJSON(sess))
}
