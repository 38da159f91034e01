package web

// The signing page of the net bank (RULES SIGN-1, SIGN-2, BIZ-3, AUTH-4,
// AUTH-5): one page for every financially binding action — contracts now,
// payments, transfers and card actions later.
//
//	POST /netbank/underskriv/{request}   the user's proof → identity.ConfirmSignature → the kind's action
//	GET  /netbank/underskriv/{request}   nothing to show: back to the net bank (see below)
//
// How a feature uses it:
//
//  1. Register the kind once, at package init, in the feature's own file:
//
//	func init() {
//		registerSignKind("payment", signKind{
//			Title: "pay.sign.title", Lead: "pay.sign.lead", Submit: "pay.sign.submit",
//			Back: "/netbank/betalinger",
//			Signed: func(s *Server, w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
//				// read what to do from doc.Document (or look it up by doc.ID),
//				// check it, do it, and return the page to go to (303)
//			},
//		})
//	}
//
//  2. From the feature's POST handler, once its form is valid, call
//     s.beginSigning(w, r, "payment", body). body is the canonical text of
//     exactly what is agreed (amounts, accounts, dates …), with every value
//     the action needs written in it ("Kontrakt: ctr_…", "Beløb: 1.250,00
//     DKK"), since Signed only gets the signed document. beginSigning asks
//     identity.PrepareSignature for a document (the bank adds a header with
//     a document id, the signer and the time) and draws the signing page.
//
//  3. The user signs; the page posts here. identity.ConfirmSignature checks
//     the checksum (SIGN-1) and the proof, and keeps document, signature,
//     signer and time (SIGN-2). Only then does Signed run, with the document
//     as the bank stored it — the kind comes from the bank's record, never
//     from the form. Signed must check that the document is one it can act
//     on (the right customer, a pending item, the same text) before acting.
//
// What signs:
//
//   - Private users (signature file): the code and the file stay in the
//     browser (sign.js, usf.js). The script takes the document from the
//     page's <pre> exactly as shown, computes NetbankUSF.checksum over it and
//     signs "netbank-sign-v1\n" + checksum with the file; the form carries
//     only the checksum and the signature. Without JavaScript a private user
//     cannot sign (the page says so), as with the login.
//   - Business users (BIZ-3): the password again and the code from the key
//     card for the key number shown (or from the key app), as a plain form.
//     sign.js fills the hidden checksum field from the shown text, so the
//     bank compares its checksum with the browser's (SIGN-1). Without
//     JavaScript the field stays empty and the bank uses its own checksum:
//     the document then never passed through a script in the browser, and
//     password + one-time code still confirm it. A checksum that is sent and
//     differs is always refused.
//
// Why the page is drawn on a POST: the identity service keeps a prepared
// document, but offers no way to read it back by its id, and every instance
// of the bank must be able to take the answer. So the page carries the
// prepared request itself, sealed with an HMAC under a key derived from the
// server secret (the CSRF key): a refused attempt (wrong code: attempts
// left, AUTH-5) is drawn again from the sealed copy, which is exactly what
// the bank holds, not from anything the browser could change. A GET of the
// signing address (reload, bookmark) has nothing to show and goes back to
// the net bank; the user starts the action again, which prepares a new
// document (the old one expires unused after identity.SignTTL).
//
// Line ends: the HTML parser turns CR LF and CR into LF and drops NUL, so a
// document with either could never be shown exactly. beginSigning writes
// the body with LF line ends and without NUL before it is prepared; what the
// user sees is what is signed.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// signKind describes one kind of signed document: the texts of its signing
// page and what happens once it is signed.
type signKind struct {
	// Title, Lead and Submit are catalog keys: the heading of the signing
	// page, the sentence under it, and the text of the sign button.
	Title, Lead, Submit string
	// Back is the page "Annullér" goes to.
	Back string
	// Signed carries out the signed action. It runs after the bank has
	// verified and stored the signature (identity.ConfirmSignature), with the
	// principal in r, and returns the page to go to (a local path). An error
	// is drawn as the error page; the signature stays stored either way.
	Signed func(s *Server, w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error)
}

// signKinds are the registered kinds, by the kind identity stores. They are
// filled at package init (registerSignKind) and only read afterwards.
var signKinds = map[string]signKind{}

// registerSignKind adds a kind of signed document. Call it from an init
// function; a kind registered twice is a programming error.
func registerSignKind(kind string, k signKind) {
	if kind == "" || strings.ContainsAny(kind, " \n") || k.Signed == nil || k.Back == "" {
		panic("web: invalid sign kind " + kind)
	}
	if _, dup := signKinds[kind]; dup {
		panic("web: sign kind registered twice: " + kind)
	}
	signKinds[kind] = k
}

// registerSigning adds the signing page (called by registerNetbankInbox).
func (s *Server) registerSigning() {
	s.Handle("GET /netbank/underskriv/{request}", s.RequireUser(http.HandlerFunc(s.handleSignGet)))
	s.Handle("POST /netbank/underskriv/{request}", s.RequireUser(http.HandlerFunc(s.handleSign)))
}

// signCanonical is the body as it can be shown exactly in HTML: LF line
// ends, no NUL.
func signCanonical(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	return strings.ReplaceAll(body, "\x00", "")
}

// signedBody is the body of a signed document, what follows the bank's
// header, and the id its last line names after idLine ("\nBetaling: ");
// ok is false when it names none.
func signedBody(doc identity.SignedDocument, idLine string) (body, id string, ok bool) {
	_, body, found := strings.Cut(doc.Document, "\n\n")
	i := strings.LastIndex(body, idLine)
	if !found || i < 0 {
		return body, "", false
	}
	return body, strings.TrimSpace(body[i+len(idLine):]), true
}

// signSealed is the prepared request as the signing page carries it.
type signSealed struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user"`
	Kind      string    `json:"kind"`
	Document  string    `json:"document"`
	Checksum  string    `json:"checksum"`
	Method    string    `json:"method"`
	KeyNumber string    `json:"key_number,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// signKey is the HMAC key of sealed requests, derived from the server
// secret with its own label (so it is never the CSRF token key itself).
func (s *Server) signKey() []byte {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte("netbank web sign request v1"))
	return mac.Sum(nil)
}

// seal encodes a prepared request with its HMAC.
func (s *Server) seal(req identity.SignRequest) string {
	b, _ := json.Marshal(signSealed{ID: req.ID, UserID: req.UserID, Kind: req.Kind, Document: req.Document,
		Checksum: req.Checksum, Method: req.Method, KeyNumber: req.KeyNumber, ExpiresAt: req.ExpiresAt})
	payload := base64.RawURLEncoding.EncodeToString(b)
	mac := hmac.New(sha256.New, s.signKey())
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// unseal checks and decodes a sealed request; ok is false for anything the
// bank did not make.
func (s *Server) unseal(v string) (identity.SignRequest, bool) {
	payload, sum, found := strings.Cut(v, ".")
	if !found {
		return identity.SignRequest{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sum)
	if err != nil {
		return identity.SignRequest{}, false
	}
	mac := hmac.New(sha256.New, s.signKey())
	mac.Write([]byte(payload))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return identity.SignRequest{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return identity.SignRequest{}, false
	}
	var x signSealed
	if err := json.Unmarshal(b, &x); err != nil {
		return identity.SignRequest{}, false
	}
	return identity.SignRequest{ID: x.ID, UserID: x.UserID, Kind: x.Kind, Document: x.Document, Checksum: x.Checksum,
		Method: x.Method, KeyNumber: x.KeyNumber, ExpiresAt: x.ExpiresAt}, true
}

// beginSigning prepares body as a document of kind for the logged-in user
// and draws the signing page. kind must be registered (registerSignKind).
// Refusals of the preparation (a blocked user, a used-up key card) are
// drawn as the error page.
func (s *Server) beginSigning(w http.ResponseWriter, r *http.Request, kind, body string) {
	p := PrincipalOf(r)
	if p == nil || p.User == nil {
		s.Error(w, r, netbank.Errorf(netbank.EUNAUTHORIZED, "web: signing without a user"))
		return
	}
	if _, ok := signKinds[kind]; !ok {
		s.Error(w, r, netbank.Errorf(netbank.EINTERNAL, "web: sign kind %q not registered", kind))
		return
	}
	req, err := s.identity.PrepareSignature(r.Context(), p.User.ID, kind, signCanonical(body))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.renderSign(w, r, http.StatusOK, req, "", false)
}

// signView is the Data of nb_sign.
type signView struct {
	RequestID string
	Kind      string
	// Title, Lead and Submit are catalog keys of the kind; Back is where
	// "Annullér" goes.
	Title, Lead, Submit, Back string
	// Document is the canonical text as the bank stores it; Checksum its
	// SHA-256 (SIGN-1).
	Document string
	Checksum string
	// Private: the signature file (code + file). KeyCard / KeyApp: business
	// users confirm with the password and a one-time code (BIZ-3).
	Private   bool
	KeyCard   bool
	KeyApp    bool
	KeyNumber string
	// UserNumber and FileName are the private user's, for the file picker.
	UserNumber string
	FileName   string
	// Expires is when the document can no longer be signed ("14.15").
	Expires    string
	ExpiresISO string
	Sealed     string
	// Error is the bank's refusal (Danish, from the identity service).
	Error string
	// Closed: no form (signed already, or the time ran out).
	Closed bool
}

// renderSign draws the signing page for a prepared request.
func (s *Server) renderSign(w http.ResponseWriter, r *http.Request, status int, req identity.SignRequest, errMsg string, closed bool) {
	p := PrincipalOf(r)
	k := signKinds[req.Kind]
	v := signView{RequestID: req.ID, Kind: req.Kind, Title: k.Title, Lead: k.Lead, Submit: k.Submit, Back: k.Back,
		Document: req.Document, Checksum: req.Checksum, Private: req.Method == identity.MethodSignatureFile,
		KeyCard: req.Method == identity.MethodKeyCard, KeyApp: req.Method == identity.MethodKeyApp, KeyNumber: req.KeyNumber,
		Expires: req.ExpiresAt.In(s.zone).Format("15.04"), ExpiresISO: req.ExpiresAt.UTC().Format(time.RFC3339),
		Sealed: s.seal(req), Error: errMsg, Closed: closed}
	if v.Private && p != nil && p.User != nil {
		v.UserNumber, v.FileName = p.User.Login, auth.SignatureFileName(p.User.Login)
	}
	if v.Title == "" {
		v.Title, v.Lead, v.Submit = "nb.sign.title", "nb.sign.lead", "nb.sign.submit"
	}
	s.Render(w, r, status, "nb_sign", v)
}

// handleSignGet: a GET of the signing address has nothing to show (the page
// is drawn on the POST that prepares the document); back to the net bank.
func (s *Server) handleSignGet(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/netbank", http.StatusSeeOther)
}

// handleSign takes the user's proof for a prepared document. Signed: the
// kind's action runs and the user goes to its result. Refused: the page
// again with the bank's message (wrong code with the attempts left, a
// changed document, time ran out, signed already). Blocked after too many
// wrong attempts (AUTH-5): the sessions are over; to the login page, which
// says why.
func (s *Server) handleSign(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	ctx := r.Context()
	req, ok := s.unseal(r.PostFormValue("request"))
	if !ok {
		s.Error(w, r, netbank.Errorf(netbank.EINVALID, "web: signing form without a valid sealed request"))
		return
	}
	if req.ID != r.PathValue("request") || req.UserID != p.User.ID {
		// Another user's document (or another address): not found, as
		// every other customer's object is.
		s.NotFound(w, r)
		return
	}
	proof := identity.SignProof{
		Checksum:  strings.TrimSpace(r.PostFormValue("checksum")),
		Signature: decodeBase64(r.PostFormValue("signature")),
		Password:  r.PostFormValue("password"),
		Code:      strings.Join(strings.Fields(r.PostFormValue("code")), ""),
	}
	if proof.Checksum == "" && req.Method != identity.MethodSignatureFile {
		// A business form sent without JavaScript: the bank's own checksum
		// (see the package comment above).
		proof.Checksum = req.Checksum
	}
	doc, err := s.identity.ConfirmSignature(ctx, p.User.ID, req.ID, proof, userActor(r, p))
	if err == nil {
		k, ok := signKinds[doc.Kind]
		if !ok {
			s.Error(w, r, netbank.Errorf(netbank.EINTERNAL, "web: signed document %s of unregistered kind %q", doc.ID, doc.Kind))
			return
		}
		next, err := k.Signed(s, w, r, doc)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		u, err := url.Parse(next)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, localURL(u.Path, u.RawQuery), http.StatusSeeOther)
		return
	}
	switch netbank.ErrorCodeOf(err) {
	case netbank.EFORBIDDEN:
		// Blocked (AUTH-5): identity ended the user's sessions. The login
		// page says why: a private user's signature is blocked until a new
		// PIN code; a business user's access until the bank opens it.
		s.clearSessionCookie(w)
		reason := "locked"
		if p.User.Kind == identity.BusinessUser {
			reason = "blocked"
		}
		http.Redirect(w, r, "/login?reason="+reason, http.StatusSeeOther)
	case netbank.EUNAUTHORIZED:
		expired := !s.clock.Now().Before(req.ExpiresAt)
		s.renderSign(w, r, http.StatusUnauthorized, req, netbank.ErrorMessageOf(err), expired)
	case netbank.EINVALID:
		s.renderSign(w, r, http.StatusBadRequest, req, netbank.ErrorMessageOf(err), false)
	case netbank.ECONFLICT:
		s.renderSign(w, r, http.StatusConflict, req, netbank.ErrorMessageOf(err), true)
	default:
		s.Error(w, r, err)
	}
}
