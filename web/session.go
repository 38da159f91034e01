package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/identity"
)

// The session cookie carries only a random token; the session itself lives
// in the database (identity.Session), so every instance shares it.
func (s *Server) sessionCookieName() string {
	if s.secure {
		return "__Host-nb_session"
	}
	return "nb_session"
}

// setSessionCookie starts the browser's session: a new token at every login
// (no session fixation), HttpOnly, SameSite=Strict, Secure on HTTPS.
func (s *Server) setSessionCookie(w http.ResponseWriter, tok identity.Token) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: string(tok), Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) sessionToken(r *http.Request) identity.Token {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return identity.Token(c.Value)
}

// Principal is who a request is made by, once a session has been checked.
type Principal struct {
	Session identity.Session
	// User is set for private and business sessions, Staff for staff.
	User     *identity.User
	Customer *identity.Customer
	Staff    *identity.Staff
}

// Name is the display name of the principal.
func (p *Principal) Name() string {
	switch {
	case p.User != nil:
		return p.User.Name
	case p.Staff != nil:
		return p.Staff.Name
	}
	return ""
}

type principalKey struct{}

// PrincipalOf returns the principal of a request that passed RequireUser or
// RequireStaff (nil otherwise).
func PrincipalOf(r *http.Request) *Principal {
	p, _ := r.Context().Value(principalKey{}).(*Principal)
	return p
}

// SessionInfo is what the layout shows of a session: who is logged in, the
// "Log af" button and the inactivity countdown with its "extend" button.
type SessionInfo struct {
	Name string
	Kind identity.UserKind
	// ExpiresAt is when the session times out without activity.
	ExpiresAt time.Time
	// Timeout is the full inactivity timeout, in seconds.
	Timeout int
	// Inbox is what the net bank's menu shows beyond the fixed items: the
	// unread count of Beskeder, whether a contract awaits approval
	// (CONTR-1), and whether "Konti" is shown. Nil for staff and without an
	// inbox (NetbankMenu, netbank_inbox.go).
	Inbox *NetbankMenu
}

// ExpiresUnix is ExpiresAt as Unix milliseconds, for the countdown script.
func (i *SessionInfo) ExpiresUnix() int64 { return i.ExpiresAt.UnixMilli() }

// loginReason maps a session error to the reason shown on the login page.
func loginReason(err error) string {
	switch err {
	case identity.ErrSessionExpired:
		return "expired"
	case identity.ErrSessionReplaced:
		return "replaced"
	case identity.ErrSessionEnded:
		return "ended"
	}
	return ""
}

// authenticate loads the request's session and principal, or says why not.
func (s *Server) authenticate(r *http.Request) (*Principal, error) {
	if s.identity == nil {
		return nil, identity.ErrNoSession
	}
	sess, err := s.identity.Authenticate(r.Context(), s.sessionToken(r))
	if err != nil {
		return nil, err
	}
	p := &Principal{Session: sess}
	if sess.Kind == identity.StaffUser {
		st, err := s.identity.Staff(r.Context(), sess.Principal)
		if err != nil {
			return nil, err
		}
		p.Staff = &st
		return p, nil
	}
	u, err := s.identity.User(r.Context(), sess.Principal)
	if err != nil {
		return nil, err
	}
	c, err := s.identity.Customer(r.Context(), u.CustomerID)
	if err != nil {
		return nil, err
	}
	p.User, p.Customer = &u, &c
	return p, nil
}

// RequireUser lets only logged-in customers' users (private or business)
// through. Others go to the login page, which says why (timed out, logged
// in elsewhere: SESS-1, SESS-2). While the customer has a contract to
// approve, the contract gate keeps them on the contract overview (RULE
// CONTR-1, contractGate in netbank_inbox.go).
func (s *Server) RequireUser(next http.Handler) http.Handler {
	return s.require(s.contractGate(next), "/login", func(p *Principal) bool { return p.User != nil })
}

// RequireStaff lets only logged-in staff with role through (any staff
// member when role is "").
func (s *Server) RequireStaff(role string, next http.Handler) http.Handler {
	return s.require(next, "/backoffice/login", func(p *Principal) bool {
		return p.Staff != nil && (role == "" || p.Staff.HasRole(role))
	})
}

func (s *Server) require(next http.Handler, loginPath string, ok func(*Principal) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			if netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
				s.Error(w, r, err)
				return
			}
			s.clearSessionCookie(w)
			target := loginPath
			if reason := loginReason(err); reason != "" {
				target += "?reason=" + url.QueryEscape(reason)
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if !ok(p) {
			s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "forbidden"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// sessionInfo builds the layout's session facts for a request.
func (s *Server) sessionInfo(r *http.Request) *SessionInfo {
	p := PrincipalOf(r)
	if p == nil || s.identity == nil {
		return nil
	}
	return &SessionInfo{Name: p.Name(), Kind: p.Session.Kind, ExpiresAt: p.Session.ExpiresAt,
		Timeout: int(s.identity.Timeout(p.Session.Kind) / time.Second), Inbox: s.netbankMenu(r)}
}
