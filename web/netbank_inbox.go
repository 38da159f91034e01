package web

// Messages and contracts in the net bank: the customer's side of the secure
// channel between customer and bank (MSG-1, MSG-2) and the electronic
// contracts the customer must approve before the rest of the net bank opens
// (CONTR-1), with the right of withdrawal (CONTR-2, CONTR-3). The staff's
// side is backoffice_inbox.go; the signing page is sign.go.
//
//	GET  /netbank/beskeder                  the customer's threads, newest first, unread marked
//	GET  /netbank/beskeder/ny               write a new message to the bank (?emne= pre-fills the subject)
//	POST /netbank/beskeder/ny               send it → the new thread
//	GET  /netbank/beskeder/{thread}         one thread; marks the bank's messages read
//	POST /netbank/beskeder/{thread}         the customer's reply (not to the bank's system messages)
//	GET  /netbank/kontrakter                "Kontraktoversigt": pending first, then approved and withdrawn
//	GET  /netbank/kontrakter/{id}           the full text; a pending one has "Godkend kontrakt"
//	POST /netbank/kontrakter/{id}/godkend   prepare the signature → the signing page (kind "contract")
//	GET  /netbank/kontrakter/{id}/fortryd   confirm the withdrawal (CONTR-2)
//	POST /netbank/kontrakter/{id}/fortryd   withdraw (inbox.Withdraw decides if it is too late, CONTR-3)
//
// Every read goes through the inbox with the logged-in customer's id, so a
// customer only ever reaches its own threads and contracts: another
// customer's id is "not found" (404).
//
// The contract gate (CONTR-1, contractGate): RequireUser runs it for every
// page behind the login, also pages other features add. While the customer
// has a pending contract, every such request goes to /netbank/kontrakter,
// except the pages needed to read and approve it (Beskeder, Kontrakter,
// Underskriv), the session's own requests (Forlæng, status), and
// "Spærring af bruger", which the user may use at any time (AUTH-9).
// Logging out (/logout) is not behind RequireUser and always works.
//
// Business users (BIZ-5) approve and withdraw contracts only with the
// "approve" right of their user profile; without it they read them and the
// page says who can approve.
//
// Everything people type and every contract text is drawn by html/template
// as text, never as HTML; line breaks are kept by CSS (white-space:
// pre-wrap).

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
)

// signKindContract is the kind of the signed document that approves a
// contract.
const signKindContract = "contract"

func init() {
	registerSignKind(signKindContract, signKind{
		Title:  "nb.sign.contract.title",
		Lead:   "nb.sign.contract.lead",
		Submit: "nb.sign.contract.submit",
		Back:   "/netbank/kontrakter",
		Signed: (*Server).contractSigned,
	})
}

// registerNetbankInbox adds the pages of messages, contracts and signing
// (called once from registerNetbank).
func (s *Server) registerNetbankInbox() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needNetbankInbox(h)) }
	s.Handle("GET /netbank/beskeder", user(s.handleMessages))
	s.Handle("GET /netbank/beskeder/ny", user(s.handleNewMessagePage))
	s.Handle("POST /netbank/beskeder/ny", user(s.handleNewMessage))
	s.Handle("GET /netbank/beskeder/{thread}", user(s.handleThread))
	s.Handle("POST /netbank/beskeder/{thread}", user(s.handleReply))
	s.Handle("GET /netbank/kontrakter", user(s.handleContracts))
	s.Handle("GET /netbank/kontrakter/{id}", user(s.handleContract))
	s.Handle("POST /netbank/kontrakter/{id}/godkend", user(s.handleApprove))
	s.Handle("GET /netbank/kontrakter/{id}/fortryd", user(s.handleWithdrawPage))
	s.Handle("POST /netbank/kontrakter/{id}/fortryd", user(s.handleWithdraw))
	s.registerSigning()
}

// needNetbankInbox answers "unavailable" when the server has no inbox.
func (s *Server) needNetbankInbox(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.inbox == nil {
			s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without inbox"))
			return
		}
		h(w, r)
	}
}

// ---- the contract gate (CONTR-1) and the menu ----

// gateKey carries the gate's finding through a request.
type gateKey struct{}

// contractGateOpen reports whether path stays reachable while a contract
// awaits approval: what it takes to read and sign it, the session's own
// requests, and the self-block (AUTH-9).
func contractGateOpen(path string) bool {
	for _, p := range []string{"/netbank/beskeder", "/netbank/kontrakter", "/netbank/underskriv", "/netbank/session", "/netbank/spaerring"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// contractGate sends a customer with a pending contract to the contract
// overview from every page but the open ones (RULE CONTR-1). It runs inside
// RequireUser, after the principal is known: one query per request.
func (s *Server) contractGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalOf(r)
		if s.inbox == nil || p == nil || p.Customer == nil {
			next.ServeHTTP(w, r)
			return
		}
		pending, err := s.inbox.HasPending(r.Context(), p.Customer.ID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if pending && !contractGateOpen(r.URL.Path) {
			http.Redirect(w, r, "/netbank/kontrakter", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), gateKey{}, pending)))
	})
}

// NetbankMenu is what the net bank's menu shows on every page
// (SessionInfo.Inbox, {{.Session.Inbox.Unread}} in a template).
type NetbankMenu struct {
	// Unread counts the bank's messages the customer has not read.
	Unread int
	// Pending is set while a contract awaits approval (CONTR-1).
	Pending bool
	// Accounts: the user may see the accounts ("Konti": private users, and
	// business users whose profile has "see", BIZ-5).
	Accounts bool
	// Payments: the user may create or approve payments ("Betalinger":
	// private users, and business users whose profile has "create" or
	// "approve", BIZ-5).
	Payments bool
	// Agreements: "Betalingsaftaler" is shown (with Payments, when the
	// bank has agreements); Bills counts the bills not yet approved (PAY-8).
	Agreements bool
	Bills      int
}

// netbankMenu builds the menu's facts for a customer's request (nil for
// staff and without an inbox). It asks the inbox for the unread count only
// when a page is drawn.
func (s *Server) netbankMenu(r *http.Request) *NetbankMenu {
	p := PrincipalOf(r)
	if s.inbox == nil || p == nil || p.Customer == nil || p.User == nil {
		return nil
	}
	m := &NetbankMenu{Accounts: p.User.Kind != identity.BusinessUser || p.User.Can(identity.PermView),
		Payments: p.User.Can(identity.PermCreate) || p.User.Can(identity.PermApprove)}
	m.Pending, _ = r.Context().Value(gateKey{}).(bool)
	n, err := s.inbox.Unread(r.Context(), p.Customer.ID)
	if err != nil {
		s.log.WarnContext(r.Context(), "unread count failed", "error", err)
	}
	m.Unread = n
	m.Agreements, m.Bills = m.Payments && s.agreements != nil, s.menuBills(r, p, m.Payments)
	return m
}

// ---- helpers ----

// inboxActorOf is the logged-in user as the inbox names them.
func inboxActorOf(r *http.Request, p *Principal) inbox.Actor {
	return inbox.Actor{ID: p.User.ID, Kind: actorKind(p.User.Kind), Name: p.User.Name, IP: remoteIP(r)}
}

// nbMinute formats a time as dd.mm.åååå tt.mm in Copenhagen.
func (s *Server) nbMinute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.zone).Format("02.01.2006 15.04")
}

// nbDate formats a time as dd.mm.åååå in Copenhagen.
func (s *Server) nbDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.zone).Format("02.01.2006")
}

// canonicalText is typed text with LF line ends (browsers send CR LF).
func canonicalText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// threadPathOf is the net bank page of a thread.
func threadPathOf(id string) string { return "/netbank/beskeder/" + url.PathEscape(id) }

// contractPathOf is the net bank page of a contract.
func contractPathOf(id string) string { return "/netbank/kontrakter/" + url.PathEscape(id) }

// ---- Beskeder (MSG-1, MSG-2) ----

// nbThreadRow is one thread in the list.
type nbThreadRow struct {
	ID, URL, Subject string
	LastAt, LastISO  string
	// Preview is the start of the newest message on one line.
	Preview string
	Count   int
	// Unread counts the bank's messages the customer has not read.
	Unread int
	// System: a message from the bank that cannot be answered (MSG-2).
	System bool
	// StateKey and Tone: "Besvaret", "Afventer svar" or "Fra banken".
	StateKey, Tone string
}

// nbMessagesView is the Data of nb_messages.
type nbMessagesView struct {
	Threads []nbThreadRow
	Unread  int
	Pending bool
}

// handleMessages lists the customer's threads, newest activity first.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	threads, err := s.inbox.Threads(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbMessagesView{}
	v.Pending, _ = r.Context().Value(gateKey{}).(bool)
	for _, t := range threads {
		last := t.Last()
		row := nbThreadRow{ID: t.ID, URL: threadPathOf(t.ID), Subject: t.Subject, LastAt: s.nbMinute(last.CreatedAt),
			LastISO: last.CreatedAt.UTC().Format(time.RFC3339), Preview: boPreview(last.Body, 120), Count: len(t.Messages),
			Unread: t.Unread, System: t.Messages[0].Sender == inbox.FromSystem}
		switch {
		case row.System:
			row.StateKey, row.Tone = "nb.msg.state.system", "info"
		case t.Answered:
			row.StateKey, row.Tone = "nb.msg.state.answered", "ok"
		default:
			row.StateKey, row.Tone = "nb.msg.state.waiting", "wait"
		}
		v.Unread += t.Unread
		v.Threads = append(v.Threads, row)
	}
	s.Render(w, r, http.StatusOK, "nb_messages", v)
}

// nbMessageForm is a new message as typed, with its errors (catalog keys
// by field) and the inbox's refusal.
type nbMessageForm struct {
	Subject, Body string
	Errors        map[string]string
	Message       string
}

// handleNewMessagePage draws the form for a new message.
func (s *Server) handleNewMessagePage(w http.ResponseWriter, r *http.Request) {
	subject := strings.TrimSpace(r.URL.Query().Get("emne"))
	if utf8.RuneCountInString(subject) > inbox.MaxSubject {
		subject = ""
	}
	s.Render(w, r, http.StatusOK, "nb_message_new", nbMessageForm{Subject: subject})
}

// checkSubject and checkBody say what is wrong with typed text (a catalog
// key, "" when fine).
func checkSubject(subject string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(subject)); {
	case n == 0:
		return "nb.msg.err.subject.missing"
	case n > inbox.MaxSubject:
		return "nb.msg.err.subject.long"
	}
	return ""
}

func checkBody(body string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(body)); {
	case n == 0:
		return "nb.msg.err.body.missing"
	case n > inbox.MaxBody:
		return "nb.msg.err.body.long"
	}
	return ""
}

// handleNewMessage sends a new message to the bank (MSG-1). A refusal
// draws the form again with what was typed.
func (s *Server) handleNewMessage(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	f := nbMessageForm{Subject: strings.TrimSpace(r.PostFormValue("subject")), Body: canonicalText(r.PostFormValue("body")), Errors: map[string]string{}}
	if k := checkSubject(f.Subject); k != "" {
		f.Errors["subject"] = k
	}
	if k := checkBody(f.Body); k != "" {
		f.Errors["body"] = k
	}
	if len(f.Errors) == 0 {
		m, err := s.inbox.Write(r.Context(), p.Customer.ID, "", f.Subject, f.Body, inboxActorOf(r, p))
		switch netbank.ErrorCodeOf(err) {
		case "":
			http.Redirect(w, r, threadPathOf(m.ThreadID)+"?sendt=ny", http.StatusSeeOther)
			return
		case netbank.EINVALID:
			f.Message = netbank.ErrorMessageOf(err)
		default:
			s.Error(w, r, err)
			return
		}
	}
	s.Render(w, r, http.StatusUnprocessableEntity, "nb_message_new", f)
}

// nbMessageRow is one message of a thread.
type nbMessageRow struct {
	ID           string
	FromCustomer bool
	FromSystem   bool
	// SenderKey is the catalog key of who wrote it; Author the name.
	SenderKey string
	Author    string
	At, ISO   string
	Body      string
	// New marks the bank's messages the customer had not read before now.
	New bool
}

// nbThreadView is the Data of nb_thread.
type nbThreadView struct {
	ID, Subject, URL string
	// System: a message from the bank that cannot be answered (MSG-2);
	// NewURL writes a new message about it.
	System   bool
	NewURL   string
	Waiting  bool
	Messages []nbMessageRow
	// Reply as typed, kept when shown again with ReplyError (a catalog
	// key) or ReplyMessage (the inbox's refusal).
	Reply        string
	ReplyError   string
	ReplyMessage string
	// Flash is the catalog key of a note after sending (?sendt=).
	Flash string
}

// nbThreadFlashes are the notes a thread may show, by ?sendt=.
var nbThreadFlashes = map[string]string{
	"ny":   "nb.msg.flash.sent",
	"svar": "nb.msg.flash.replied",
}

// threadView loads one of the customer's threads (marking the bank's
// messages read); another customer's thread is not found.
func (s *Server) threadView(r *http.Request) (nbThreadView, error) {
	p := PrincipalOf(r)
	t, err := s.inbox.Thread(r.Context(), p.Customer.ID, r.PathValue("thread"), inbox.FromCustomer)
	if err != nil {
		return nbThreadView{}, err
	}
	v := nbThreadView{ID: t.ID, Subject: t.Subject, URL: threadPathOf(t.ID), System: t.Messages[0].Sender == inbox.FromSystem,
		Waiting: !t.Answered}
	if v.System {
		v.NewURL = "/netbank/beskeder/ny?emne=" + url.QueryEscape(T(LangOf(r), "nb.msg.re", t.Subject))
	}
	for _, m := range t.Messages {
		row := nbMessageRow{ID: m.ID, FromCustomer: m.Sender == inbox.FromCustomer, FromSystem: m.Sender == inbox.FromSystem,
			Author: m.Author, At: s.nbMinute(m.CreatedAt), ISO: m.CreatedAt.UTC().Format(time.RFC3339), Body: m.Body,
			New: m.Sender != inbox.FromCustomer && m.ReadAt.IsZero()}
		switch m.Sender {
		case inbox.FromCustomer:
			row.SenderKey = "nb.msg.from.you"
		case inbox.FromBank:
			row.SenderKey = "nb.msg.from.bank"
		default:
			row.SenderKey = "nb.msg.from.system"
		}
		v.Messages = append(v.Messages, row)
	}
	return v, nil
}

// handleThread shows a thread with the reply form.
func (s *Server) handleThread(w http.ResponseWriter, r *http.Request) {
	v, err := s.threadView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Flash = nbThreadFlashes[r.URL.Query().Get("sendt")]
	s.Render(w, r, http.StatusOK, "nb_thread", v)
}

// handleReply adds the customer's message to a thread. The bank's system
// messages cannot be answered (MSG-2): the customer writes a new message.
func (s *Server) handleReply(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	body := canonicalText(r.PostFormValue("body"))
	key, msg := checkBody(body), ""
	if key == "" {
		_, err := s.inbox.Write(r.Context(), p.Customer.ID, r.PathValue("thread"), "", body, inboxActorOf(r, p))
		switch netbank.ErrorCodeOf(err) {
		case "":
			http.Redirect(w, r, threadPathOf(r.PathValue("thread"))+"?sendt=svar", http.StatusSeeOther)
			return
		case netbank.EINVALID:
			key, msg = "nb.msg.err.general", netbank.ErrorMessageOf(err)
		default:
			s.Error(w, r, err)
			return
		}
	}
	v, err := s.threadView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Reply, v.ReplyError, v.ReplyMessage = body, key, msg
	s.Render(w, r, http.StatusUnprocessableEntity, "nb_thread", v)
}

// ---- Kontrakter (CONTR-1, CONTR-2, CONTR-3) ----

// nbContractRow is one contract as the pages show it.
type nbContractRow struct {
	ID, Title, URL string
	Body           string
	KindKey        string
	Status         inbox.ContractStatus
	StatusKey      string
	Tone           string
	PublishedAt    string
	ApprovedAt     string
	WithdrawnAt    string
	// Deadline is the last day of the right of withdrawal (CONTR-2);
	// CanWithdraw while it has not passed. NoWithdrawal: prices that follow
	// the capital market (CONTR-3).
	Deadline     string
	CanWithdraw  bool
	NoWithdrawal bool
}

// contractRow describes c as of today (Danish time).
func (s *Server) contractRow(c inbox.Contract) nbContractRow {
	row := nbContractRow{ID: c.ID, Title: c.Title, URL: contractPathOf(c.ID), Body: c.Body,
		KindKey: "nb.contract.kind." + string(c.Kind), Status: c.Status,
		PublishedAt: s.nbDate(c.PublishedAt), ApprovedAt: s.nbDate(c.ApprovedAt), WithdrawnAt: s.nbDate(c.WithdrawnAt),
		NoWithdrawal: c.Kind == inbox.CapitalMarket}
	switch c.Status {
	case inbox.Approved:
		row.StatusKey, row.Tone = "nb.contract.status.approved", "ok"
	case inbox.Withdrawn:
		row.StatusKey, row.Tone = "nb.contract.status.withdrawn", "off"
	default:
		row.StatusKey, row.Tone = "nb.contract.status.pending", "wait"
	}
	if d, ok := c.WithdrawalDeadline(); ok {
		// A civil date at midnight UTC: formatted as it is.
		row.Deadline = d.Format("02.01.2006")
		row.CanWithdraw = !calendar.Day(s.clock.Now()).After(d)
	}
	return row
}

// canApprove tells whether the user may approve and withdraw the
// customer's contracts: every private user; business users with the
// "approve" right of their profile (BIZ-5).
func canApprove(p *Principal) bool {
	return p.User.Kind != identity.BusinessUser || p.User.Can(identity.PermApprove)
}

// nbContractsView is the Data of nb_contracts.
type nbContractsView struct {
	Pending, Approved, Withdrawn []nbContractRow
	CanApprove                   bool
	// Flash is the catalog key of a note after an action (?besked=).
	Flash string
}

// nbContractFlashes are the notes the overview may show, by ?besked=.
var nbContractFlashes = map[string]string{
	"godkendt": "nb.contract.flash.approved",
	"fortrudt": "nb.contract.flash.withdrawn",
}

// handleContracts draws "Kontraktoversigt": pending contracts first (RULE
// CONTR-1), then approved ones with the withdrawal deadline (CONTR-2,
// CONTR-3), then withdrawn ones.
func (s *Server) handleContracts(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	cs, err := s.inbox.Contracts(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbContractsView{CanApprove: canApprove(p), Flash: nbContractFlashes[r.URL.Query().Get("besked")]}
	for _, c := range cs {
		row := s.contractRow(c)
		switch c.Status {
		case inbox.Pending:
			v.Pending = append(v.Pending, row)
		case inbox.Approved:
			v.Approved = append(v.Approved, row)
		default:
			v.Withdrawn = append(v.Withdrawn, row)
		}
	}
	s.Render(w, r, http.StatusOK, "nb_contracts", v)
}

// nbContractView is the Data of nb_contract.
type nbContractView struct {
	nbContractRow
	CanApprove bool
	// Confirm draws the withdrawal's confirmation step; Error is a catalog
	// key, Message the inbox's refusal.
	Confirm bool
	Error   string
	Message string
}

// loadContract loads one of the customer's contracts (another customer's is
// not found).
func (s *Server) loadContract(r *http.Request) (inbox.Contract, error) {
	return s.inbox.Contract(r.Context(), PrincipalOf(r).Customer.ID, r.PathValue("id"))
}

// handleContract shows a contract's full text.
func (s *Server) handleContract(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadContract(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_contract", nbContractView{nbContractRow: s.contractRow(c), CanApprove: canApprove(PrincipalOf(r))})
}

// handleApprove ("Godkend kontrakt") prepares the contract's approval for
// signing and draws the signing page (SIGN-2: contracts are signed). The
// document is inbox.ContractDocument, which names the contract
// ("Kontrakt: ctr_…"); contractSigned approves it once signed.
func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	c, err := s.loadContract(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !canApprove(p) {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "web: business user %s may not approve contracts", p.User.ID))
		return
	}
	if c.Status != inbox.Pending {
		http.Redirect(w, r, contractPathOf(c.ID), http.StatusSeeOther)
		return
	}
	s.beginSigning(w, r, signKindContract, inbox.ContractDocument(c))
}

// contractIDOf reads the contract id from a signed approval: the body
// (after the bank's header and a blank line) starts with
// "Godkendelse af kontrakt\nKontrakt: <id>\n".
func contractIDOf(document string) (id, body string, ok bool) {
	_, body, found := strings.Cut(document, "\n\n")
	if !found {
		return "", "", false
	}
	rest, found := strings.CutPrefix(body, "Godkendelse af kontrakt\nKontrakt: ")
	if !found {
		return "", "", false
	}
	id, _, found = strings.Cut(rest, "\n")
	return id, body, found && id != ""
}

// contractSigned approves the contract a signed document names, after
// checking that it is the customer's and that the signed text is exactly
// the contract's (RULE SIGN-2: the approval points to the signed document).
func (s *Server) contractSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	id, body, ok := contractIDOf(doc.Document)
	if !ok {
		return "", netbank.Errorf(netbank.EINVALID, "web: signed document %s names no contract", doc.ID)
	}
	c, err := s.inbox.Contract(r.Context(), p.Customer.ID, id)
	if err != nil {
		return "", err
	}
	if body != signCanonical(inbox.ContractDocument(c)) {
		return "", netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the text of contract %s", doc.ID, c.ID)
	}
	if !canApprove(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: business user %s may not approve contracts", p.User.ID)
	}
	if _, err := s.inbox.Approve(r.Context(), p.Customer.ID, c.ID, doc.ID, inboxActorOf(r, p)); err != nil {
		return "", err
	}
	return "/netbank/kontrakter?besked=godkendt", nil
}

// handleWithdrawPage asks the customer to confirm the withdrawal (CONTR-2).
func (s *Server) handleWithdrawPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadContract(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_contract", nbContractView{nbContractRow: s.contractRow(c), CanApprove: canApprove(PrincipalOf(r)), Confirm: true})
}

// handleWithdraw uses the right of withdrawal. The inbox refuses it after
// the deadline (CONTR-2) and for prices that follow the capital market
// (CONTR-3); the page then says why.
func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	c, err := s.loadContract(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbContractView{CanApprove: canApprove(p), Confirm: true}
	status := http.StatusBadRequest
	switch {
	case !v.CanApprove:
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "web: business user %s may not withdraw contracts", p.User.ID))
		return
	case r.PostFormValue("confirm") != "yes":
		v.Error = "nb.contract.withdraw.confirm.missing"
	default:
		_, err := s.inbox.Withdraw(r.Context(), p.Customer.ID, c.ID, inboxActorOf(r, p))
		switch netbank.ErrorCodeOf(err) {
		case "":
			http.Redirect(w, r, "/netbank/kontrakter?besked=fortrudt", http.StatusSeeOther)
			return
		case netbank.EFORBIDDEN, netbank.ECONFLICT:
			status, v.Error, v.Message = http.StatusForbidden, "nb.contract.withdraw.refused", netbank.ErrorMessageOf(err)
			if netbank.ErrorCodeOf(err) == netbank.ECONFLICT {
				status = http.StatusConflict
			}
		default:
			s.Error(w, r, err)
			return
		}
	}
	v.nbContractRow = s.contractRow(c)
	s.Render(w, r, status, "nb_contract", v)
}
