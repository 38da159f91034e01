package web

// The back office (/backoffice) is where the bank's staff serve customers:
// they log in with username, password and a TOTP code, find and create
// customers, give them net bank users, print PIN letters and key cards,
// lift blocks, and read and verify the audit log. Every staff action is
// audited by the identity service with the staff member as the actor; the
// back office itself records what only it knows (customer cards viewed,
// verifications of the audit chain).
//
// Roles decide what a staff member sees (RequireStaff): support works with
// customers and users, auditor reads the audit log, admin does everything.
// Every page is Danish by default and no-store like all bank pages (SESS-3).

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
)

// AuditLog is what the back office needs of the audit log: read it
// (newest first, filtered, paged), verify the whole chain, and record the
// staff's look-ups that change nothing else. *store.AuditLog implements it.
type AuditLog interface {
	// List returns the entries f selects, newest first.
	List(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
	// Verify checks the whole chain against the head and returns the head
	// it verified; a broken chain is an error wrapping *audit.BrokenError.
	Verify(ctx context.Context) (audit.Head, error)
	// Record appends one event in a transaction of its own.
	Record(ctx context.Context, at time.Time, e audit.Event) (audit.Entry, error)
}

// backoffice holds the back office's handlers.
type backoffice struct {
	s     *Server
	audit AuditLog
}

// The paths of the back office.
const (
	boPath      = "/backoffice"
	boLoginPath = "/backoffice/login"
)

// registerBackoffice adds the back office's pages to s. log may be nil: the
// audit log pages then answer "unavailable".
func (s *Server) registerBackoffice(log AuditLog) {
	b := &backoffice{s: s, audit: log}
	staff := func(role string, h http.HandlerFunc) http.Handler { return s.RequireStaff(role, h) }
	support, auditor, admin := identity.RoleSupport, identity.RoleAuditor, identity.RoleAdmin

	s.HandleFunc("GET /backoffice/login", b.loginPage)
	s.HandleFunc("POST /backoffice/login", b.login)
	s.HandleFunc("POST /backoffice/logout", b.logout)
	s.Handle("GET /backoffice", staff("", b.dashboard))
	s.Handle("POST /backoffice", staff("", b.dashboard))
	s.HandleFunc("GET /backoffice/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, boPath, http.StatusSeeOther)
	})

	s.Handle("GET /backoffice/kunder/ny", staff(support, b.newCustomerPage))
	s.Handle("POST /backoffice/kunder/ny", staff(support, b.createCustomer))
	s.Handle("GET /backoffice/kunder/{id}", staff(support, b.customerCard))
	s.Handle("POST /backoffice/kunder/{id}/brugere", staff(support, b.createUser))
	s.Handle("GET /backoffice/brugere/{id}", staff(support, b.userRedirect))
	s.Handle("POST /backoffice/brugere/{id}/pinkode", staff(support, b.issuePIN))
	s.Handle("POST /backoffice/brugere/{id}/ophaev", staff(support, b.unblockUser))
	s.Handle("POST /backoffice/brugere/{id}/noeglekort", staff(support, b.issueKeyCard))
	s.Handle("POST /backoffice/brugere/{id}/adgangskode", staff(support, b.issuePassword))

	s.Handle("GET /backoffice/revision", staff(auditor, b.auditPage))
	s.Handle("POST /backoffice/revision/kontroller", staff(auditor, b.verifyAudit))

	s.Handle("GET /backoffice/medarbejdere", staff(admin, b.staffPage))
	s.Handle("POST /backoffice/medarbejdere/ophaev", staff(admin, b.unblockStaff))

	b.registerInbox()
	b.registerPricing()
	b.registerAPIKeys()
	b.registerSMS()
}

// boBase is what every back office page knows: who is working and which
// menu item is current. Views embed it, so templates ask
// {{.Data.CanSupport}} and {{.Data.Staff.Name}}.
type boBase struct {
	Staff *identity.Staff
	Nav   string
}

// CanSupport tells whether the staff member works with customers.
func (b boBase) CanSupport() bool { return b.Staff != nil && b.Staff.HasRole(identity.RoleSupport) }

// CanAudit tells whether the staff member reads the audit log.
func (b boBase) CanAudit() bool { return b.Staff != nil && b.Staff.HasRole(identity.RoleAuditor) }

// IsAdmin tells whether the staff member is an administrator.
func (b boBase) IsAdmin() bool { return b.Staff != nil && b.Staff.HasRole(identity.RoleAdmin) }

// RoleKeys are the catalog keys of the staff member's roles.
func (b boBase) RoleKeys() []string {
	if b.Staff == nil {
		return nil
	}
	keys := make([]string, 0, len(b.Staff.Roles))
	for _, r := range b.Staff.Roles {
		keys = append(keys, "bo.role."+r)
	}
	return keys
}

// base returns the boBase of a request behind RequireStaff.
func (b *backoffice) base(r *http.Request, nav string) boBase {
	var st *identity.Staff
	if p := PrincipalOf(r); p != nil {
		st = p.Staff
	}
	return boBase{Staff: st, Nav: nav}
}

// actor is the staff member of the request, as the audit log names them.
func (b *backoffice) actor(r *http.Request) identity.Actor {
	a := identity.Actor{Kind: audit.ActorStaff, IP: boClientIP(r)}
	if p := PrincipalOf(r); p != nil && p.Staff != nil {
		a.ID = p.Staff.ID
	}
	return a
}

// record writes a back-office event (a look-up) to the audit log with the
// staff member as the actor. Without an audit log it does nothing.
func (b *backoffice) record(r *http.Request, action, subject string, details map[string]string) error {
	if b.audit == nil {
		return nil
	}
	a := b.actor(r)
	_, err := b.audit.Record(r.Context(), b.s.clock.Now(), audit.Event{Actor: a.ID, ActorKind: a.Kind, Action: action,
		Subject: subject, IP: a.IP, Details: details})
	return err
}

// boClientIP is the address the request came from (without the port).
func boClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ---- login and logout ----

// boLoginView is the Data of bo_login.
type boLoginView struct {
	boBase
	Username string
	// Error is the catalog key of the refusal; Reason of the note (timed
	// out, logged out, replaced).
	Error  string
	Reason string
}

// boLoginReasons are the notes the login page may show, by ?reason=.
var boLoginReasons = map[string]string{
	"expired":  "bo.login.reason.expired",
	"replaced": "bo.login.reason.replaced",
	"ended":    "bo.login.reason.ended",
	"logout":   "bo.login.reason.logout",
}

// loginPage draws the staff login. A staff member who is logged in already
// goes straight to the dashboard.
func (b *backoffice) loginPage(w http.ResponseWriter, r *http.Request) {
	if b.s.identity != nil && b.s.sessionToken(r) != "" {
		if sess, err := b.s.identity.Peek(r.Context(), b.s.sessionToken(r)); err == nil && sess.Kind == identity.StaffUser {
			http.Redirect(w, r, boPath, http.StatusSeeOther)
			return
		}
	}
	b.s.Render(w, r, http.StatusOK, "bo_login", boLoginView{Reason: boLoginReasons[r.URL.Query().Get("reason")]})
}

// login checks username, password and the TOTP code (identity.StaffLogin)
// and starts the staff session.
func (b *backoffice) login(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("totp")), " ", "")
	v := boLoginView{Username: username}
	fail := func(status int, key string) {
		v.Error = key
		b.s.Render(w, r, status, "bo_login", v)
	}
	switch {
	case username == "" || password == "" || code == "":
		fail(http.StatusUnprocessableEntity, "bo.login.err.missing")
		return
	case len(code) != 6 || strings.Trim(code, "0123456789") != "":
		fail(http.StatusUnprocessableEntity, "bo.login.err.totp")
		return
	case b.s.identity == nil:
		b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without identity service"))
		return
	}
	tok, _, err := b.s.identity.StaffLogin(r.Context(), username, password, code, identity.Actor{IP: boClientIP(r)})
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EUNAUTHORIZED:
		fail(http.StatusUnauthorized, "bo.login.err.wrong")
		return
	case netbank.EFORBIDDEN:
		fail(http.StatusForbidden, "bo.login.err.blocked")
		return
	default:
		b.s.Error(w, r, err)
		return
	}
	b.s.setSessionCookie(w, tok)
	http.Redirect(w, r, boPath, http.StatusSeeOther)
}

// logout ends the session on the server and in the browser (SESS-5). It
// needs no live session: logging out twice, or after a timeout, simply
// lands on the login page.
func (b *backoffice) logout(w http.ResponseWriter, r *http.Request) {
	if tok := b.s.sessionToken(r); tok != "" && b.s.identity != nil {
		if sess, err := b.s.identity.Peek(r.Context(), tok); err == nil {
			kind := audit.ActorStaff
			switch sess.Kind {
			case identity.PrivateUser:
				kind = audit.ActorCustomer
			case identity.BusinessUser:
				kind = audit.ActorBusiness
			}
			if err := b.s.identity.Logout(r.Context(), tok, identity.Actor{Kind: kind, IP: boClientIP(r)}); err != nil {
				b.s.Error(w, r, err)
				return
			}
		}
	}
	b.s.clearSessionCookie(w)
	http.Redirect(w, r, boLoginPath+"?reason=logout", http.StatusSeeOther)
}

// ---- dashboard and search ----

// boDashboardView is the Data of bo_dashboard.
type boDashboardView struct {
	boBase
	Query    string
	Searched bool
	Results  []boCustomerRow
	// More is set when the search found more than is shown.
	More  bool
	Limit int
}

// boCustomerRow is one customer in a list.
type boCustomerRow struct {
	ID       string
	Name     string
	Business bool
	// Ident is the masked CPR number or the CVR number.
	Ident string
	City  string
}

// boSearchLimit is how many customers a search shows.
const boSearchLimit = 50

// dashboard is the start page of the back office: the customer search for
// support, the way to the audit log for auditors. The search form posts
// (with its CSRF token), so CPR numbers never end up in a URL, a log line
// or the browser's history; a GET with ?q= works too, for links.
func (b *backoffice) dashboard(w http.ResponseWriter, r *http.Request) {
	v := boDashboardView{boBase: b.base(r, "customers"), Query: strings.TrimSpace(r.FormValue("q")), Limit: boSearchLimit}
	if v.Query != "" && v.CanSupport() {
		found, err := b.search(r.Context(), v.Query)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		v.Searched = true
		if len(found) > boSearchLimit {
			found, v.More = found[:boSearchLimit], true
		}
		for _, c := range found {
			v.Results = append(v.Results, boRow(c, false))
		}
	}
	b.s.Render(w, r, http.StatusOK, "bo_dashboard", v)
}

// search finds customers by name, CVR number or customer id, and by CPR
// number when the query is one (through its keyed hash: CPR numbers are
// never stored in clear).
func (b *backoffice) search(ctx context.Context, q string) ([]identity.Customer, error) {
	found, err := b.s.identity.FindCustomers(ctx, q, boSearchLimit+1)
	if err != nil {
		return nil, err
	}
	if _, err := identity.ParseCPR(q); err == nil {
		c, err := b.s.identity.CustomerByCPR(ctx, q)
		switch {
		case err == nil:
			found = append([]identity.Customer{c}, found...)
		case netbank.ErrorCodeOf(err) != netbank.ENOTFOUND:
			return nil, err
		}
	}
	return found, nil
}

// boRow is the list form of a customer; full shows the whole CPR number.
func boRow(c identity.Customer, full bool) boCustomerRow {
	row := boCustomerRow{ID: c.ID, Name: c.Name, Business: c.Kind == identity.BusinessCustomer, City: strings.TrimSpace(c.Postcode + " " + c.City)}
	if row.Business {
		row.Ident = c.CVR
	} else {
		row.Ident = boCPR(c.CPR, full)
	}
	return row
}

// boCPR shows a CPR number as ddmmåå-xxxx, with the last four digits
// masked unless full.
func boCPR(cpr string, full bool) string {
	if len(cpr) != 10 {
		return cpr
	}
	if full {
		return cpr[:6] + "-" + cpr[6:]
	}
	return cpr[:6] + "-XXXX"
}

// boURL builds a back office URL with a query.
func boURL(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// date formats a time as dd.mm.åååå in Copenhagen ("" for zero).
func (b *backoffice) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.s.zone).Format("02.01.2006")
}

// dateTime formats a time as dd.mm.åååå tt.mm.ss in Copenhagen.
func (b *backoffice) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.s.zone).Format("02.01.2006 15.04.05")
}
