package api

// Payment agreements (RULES PAY-8, PAY-3, CAL-1, SIGN-2, BIZ-5): the
// creditor's side and the customer's side of Betalingsservice and
// electronic payment slips (package agreement).
//
// Creditors (partner keys with the role "creditor"):
//
//	POST   /api/v1/betalingsservice/collections              announce a collection (agreement.Announce)
//	GET    /api/v1/betalingsservice/collections/{reference}  follow it (agreement.CreditorCollection)
//	DELETE /api/v1/betalingsservice/collections/{reference}  withdraw it (agreement.Withdraw)
//	POST   /api/v1/einvoices                                 send a bill (agreement.SendInvoice)
//	GET    /api/v1/einvoices/{reference}                     follow it (agreement.CreditorInvoice)
//
// A creditor key holds one or more creditor numbers (apikey.Key.Creditors):
// a request names the one it acts for (creditor_number in the body, or
// the query parameter creditor), which may be left out when the key has
// exactly one. A number the key does not hold is 403: the caller named it,
// and the key alone decides which numbers it may use, so the answer tells
// nothing about anybody's customers. A reference is looked up under the
// caller's own number only, so another creditor's reference is simply not
// found (404). The creditor's reference is the idempotency key: sending
// the same reference with the same content again is a retry and answers
// 200 with the collection or bill as it now stands (201 the first time);
// other content is 409. No active agreement for the numbers is 404 with
// the bank's Danish message. What a creditor sees of a collection or a
// bill is what it sent and where it stands: never the customer's account,
// the customer's reason for a rejection, or why a payment failed (that
// could tell the customer's balance).
//
// Customers (customer keys; seeing needs "view", "create" or "approve",
// changing anything "create", BIZ-5):
//
//	GET    /api/v1/agreements                                 "Aftaleoversigt" (agreement.List)
//	POST   /api/v1/agreements                                 sign up; Betalingsservice answers a signing object (kind "agreement")
//	DELETE /api/v1/agreements/{id}                            cancel an agreement (agreement.Cancel)
//	GET    /api/v1/betalingsservice/upcoming                  announced collections (agreement.Upcoming, PAY-3)
//	POST   /api/v1/betalingsservice/upcoming/{id}/rejection   reject one until the end of the bank day before it is due
//	GET    /api/v1/invoices                                   "Ikke godkendte": bills not yet approved
//	POST   /api/v1/invoices/{id}/approval                     the bill's slip payment + its signing object (kind "payment")
//	POST   /api/v1/invoices/{id}/rejection                    reject a bill
//
// A Betalingsservice sign-up is a binding instruction (SIGN-2): it is
// created awaiting signature and activated by
// POST /api/v1/signatures/{request_id} (agreementSigned, the kind
// "agreement" of signedActions), exactly as the net bank signs it. An
// e-invoice agreement only lets the creditor send bills and is active at
// once. A bill is approved by signing the slip payment it becomes, as any
// payment. A collection whose rejection deadline has passed is 409 with
// the bank's Danish reason.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
)

// The kind of signed document of a Betalingsservice sign-up, and the line
// that ends it, naming the agreement; the net bank signs the same.
const (
	signKindAgreement = "agreement"
	agreementIDLine   = "\nAftale: "
)

// agreementDocument is the body a customer signs to sign up to
// Betalingsservice: the domain's text and the agreement's id.
func agreementDocument(a agreement.Agreement) string {
	return agreement.Document(a) + agreementIDLine + a.ID
}

// needAgreements answers "unavailable" when the server has no agreements.
func (s *Server) needAgreements(w http.ResponseWriter) bool {
	if s.agreements == nil || s.payments == nil || s.identity == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Betalingsaftaler kan ikke bruges på denne server."))
		return false
	}
	return true
}

// ---- the creditor's side ----

// creditorOf is the creditor number a creditor's request acts for: given
// (from the body or the query), or the key's only number.
func creditorOf(r *http.Request, given string) (string, error) {
	k := callerOf(r).Key
	n := strings.Join(strings.Fields(given), "")
	if n == "" {
		if len(k.Creditors) != 1 {
			return "", invalid("Angiv kreditornummeret (creditor_number eller creditor): nøglen har %d kreditornumre.", len(k.Creditors))
		}
		return k.Creditors[0], nil
	}
	if !k.HasCreditor(n) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "API-nøglen giver ikke adgang til kreditornummer %s.", n)
	}
	return n, nil
}

// queryCreditor is creditorOf with the query parameter creditor.
func queryCreditor(r *http.Request) (string, error) {
	return creditorOf(r, r.URL.Query().Get("creditor"))
}

// parseDate reads a body field YYYY-MM-DD (zero when empty).
func parseDate(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1900 || d.Year() > 2200 {
		return time.Time{}, invalid("Feltet %s skal være en dato i formatet ÅÅÅÅ-MM-DD.", field)
	}
	return d, nil
}

// creditorCollectionJSON is a collection as its creditor sees it.
type creditorCollectionJSON struct {
	Reference        string `json:"reference"`
	CreditorNumber   string `json:"creditor_number"`
	DebtorGroup      string `json:"debtor_group"`
	CustomerNumber   string `json:"customer_number"`
	Amount           Money  `json:"amount"`
	Text             string `json:"text"`
	RequestedDueDate string `json:"requested_due_date"`
	DueDate          string `json:"due_date"`
	Status           string `json:"status"`
	StatusText       string `json:"status_text"`
	AnnouncedAt      string `json:"announced_at"`
	FinishedAt       string `json:"finished_at,omitempty"`
}

func creditorCollectionView(c agreement.Collection) creditorCollectionJSON {
	return creditorCollectionJSON{Reference: c.Reference, CreditorNumber: c.CreditorNumber, DebtorGroup: c.DebtorGroup,
		CustomerNumber: c.CustomerNumber, Amount: money(c.Amount, c.Currency), Text: c.Text,
		RequestedDueDate: isoDate(c.RequestedDueDate), DueDate: isoDate(c.DueDate), Status: string(c.Status),
		StatusText: c.Status.Danish(), AnnouncedAt: stamp(c.AnnouncedAt), FinishedAt: stamp(c.FinishedAt)}
}

// creditorRequest is what a creditor's announcement and bill both carry:
// the creditor number it acts for, the customer's number with the
// creditor, the amount in øre, the due date (YYYY-MM-DD), the text and the
// creditor's reference.
type creditorRequest struct {
	CreditorNumber string `json:"creditor_number"`
	CustomerNumber string `json:"customer_number"`
	Amount         *int64 `json:"amount"`
	DueDate        string `json:"due_date"`
	Text           string `json:"text"`
	Reference      string `json:"reference"`
}

// creditorBody is the body of a creditor's POST: it holds a
// creditorRequest.
type creditorBody interface{ shared() *creditorRequest }

func (b *creditorRequest) shared() *creditorRequest { return b }

// announcementRequest is the body of POST /api/v1/betalingsservice/collections.
type announcementRequest struct {
	creditorRequest
	DebtorGroup string `json:"debtor_group"`
}

// handleAnnounce answers POST /api/v1/betalingsservice/collections: the
// collection, 201 when new, 200 for a retry of the same reference.
func (s *Server) handleAnnounce(w http.ResponseWriter, r *http.Request) {
	var b announcementRequest
	s.creditorPost(w, r, &b, func(ctx context.Context, creditor string) error {
		_, err := s.agreements.CreditorCollection(ctx, creditor, b.Reference)
		return err
	}, func(ctx context.Context, creditor string, due time.Time) (any, error) {
		c, err := s.agreements.Announce(ctx, agreement.Announcement{CreditorNumber: creditor, DebtorGroup: b.DebtorGroup,
			CustomerNumber: b.CustomerNumber, Amount: *b.Amount, DueDate: due, Text: b.Text, CreditorReference: b.Reference})
		return creditorCollectionView(c), err
	})
}

// creditorPost answers a creditor's POST: it reads the body into b and
// checks what every such body has (the creditor number it acts for,
// creditorOf; the amount; the due date), looks the reference up with find
// to tell a retry (200) from a new item (201, retryStatus), and makes the
// item with send, which gives the answer.
func (s *Server) creditorPost(w http.ResponseWriter, r *http.Request, body creditorBody,
	find func(ctx context.Context, creditor string) error, send func(ctx context.Context, creditor string, due time.Time) (any, error)) {
	if !s.needAgreements(w) {
		return
	}
	if err := readJSON(r, body); err != nil {
		WriteError(w, err)
		return
	}
	b := body.shared()
	creditor, err := creditorOf(r, b.CreditorNumber)
	if err != nil {
		WriteError(w, err)
		return
	}
	if b.Amount == nil {
		WriteError(w, invalid("Feltet amount mangler: beløbet i øre."))
		return
	}
	due, err := parseDate("due_date", b.DueDate)
	if err != nil {
		WriteError(w, err)
		return
	}
	status, err := s.retryStatus(func() error { return find(r.Context(), creditor) })
	if err != nil {
		WriteError(w, err)
		return
	}
	out, err := send(r.Context(), creditor, due)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, status, out)
}

// retryStatus tells a retry from a new item by looking it up first: 200
// when find finds it, 201 when it is not found.
func (s *Server) retryStatus(find func() error) (int, error) {
	switch err := find(); netbank.ErrorCodeOf(err) {
	case "":
		return http.StatusOK, nil
	case netbank.ENOTFOUND, netbank.EINVALID: // an invalid reference is refused by the call that follows
		return http.StatusCreated, nil
	default:
		return 0, err
	}
}

// handleCreditorCollection answers GET
// /api/v1/betalingsservice/collections/{reference}.
func (s *Server) handleCreditorCollection(w http.ResponseWriter, r *http.Request) {
	s.creditorReference(w, r, func(ctx context.Context, creditor, reference string) (any, error) {
		c, err := s.agreements.CreditorCollection(ctx, creditor, reference)
		return creditorCollectionView(c), err
	})
}

// creditorReference answers a creditor's request about the item of the
// path's {reference}: do reads (or changes) it under the creditor number
// the request acts for (queryCreditor) and gives the answer (200).
func (s *Server) creditorReference(w http.ResponseWriter, r *http.Request,
	do func(ctx context.Context, creditor, reference string) (any, error)) {
	if !s.needAgreements(w) {
		return
	}
	creditor, err := queryCreditor(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	out, err := do(r.Context(), creditor, r.PathValue("reference"))
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// handleWithdraw answers DELETE
// /api/v1/betalingsservice/collections/{reference}: the collection,
// withdrawn; 409 once it is being paid or is final.
func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	s.creditorReference(w, r, func(ctx context.Context, creditor, reference string) (any, error) {
		c, err := s.agreements.Withdraw(ctx, creditor, reference)
		return creditorCollectionView(c), err
	})
}

// creditorInvoiceJSON is a bill as its creditor sees it.
type creditorInvoiceJSON struct {
	Reference      string `json:"reference"`
	CreditorNumber string `json:"creditor_number"`
	CustomerNumber string `json:"customer_number"`
	CreditorName   string `json:"creditor_name"`
	SlipType       string `json:"slip_type"`
	PaymentID      string `json:"payment_id"`
	Amount         Money  `json:"amount"`
	DueDate        string `json:"due_date"`
	Text           string `json:"text"`
	Status         string `json:"status"`
	StatusText     string `json:"status_text"`
	ReceivedAt     string `json:"received_at"`
	DecidedAt      string `json:"decided_at,omitempty"`
}

func creditorInvoiceView(inv agreement.Invoice) creditorInvoiceJSON {
	return creditorInvoiceJSON{Reference: inv.Reference, CreditorNumber: inv.CreditorNumber, CustomerNumber: inv.CustomerNumber,
		CreditorName: inv.CreditorName, SlipType: inv.SlipType, PaymentID: inv.PaymentID, Amount: money(inv.Amount, inv.Currency),
		DueDate: isoDate(inv.DueDate), Text: inv.Text, Status: string(inv.Status), StatusText: inv.Status.Danish(),
		ReceivedAt: stamp(inv.ReceivedAt), DecidedAt: stamp(inv.DecidedAt)}
}

// invoiceRequest is the body of POST /api/v1/einvoices.
type invoiceRequest struct {
	creditorRequest
	CreditorName string `json:"creditor_name"`
	SlipType     string `json:"slip_type"`
	PaymentID    string `json:"payment_id"`
}

// handleSendInvoice answers POST /api/v1/einvoices: the bill, 201 when
// new, 200 for a retry of the same reference.
func (s *Server) handleSendInvoice(w http.ResponseWriter, r *http.Request) {
	var b invoiceRequest
	s.creditorPost(w, r, &b, func(ctx context.Context, creditor string) error {
		_, err := s.agreements.CreditorInvoice(ctx, creditor, b.Reference)
		return err
	}, func(ctx context.Context, creditor string, due time.Time) (any, error) {
		inv, err := s.agreements.SendInvoice(ctx, agreement.Invoice{CreditorNumber: creditor, CustomerNumber: b.CustomerNumber,
			CreditorName: b.CreditorName, SlipType: b.SlipType, PaymentID: b.PaymentID, Amount: *b.Amount, DueDate: due, Text: b.Text,
			Reference: b.Reference})
		return creditorInvoiceView(inv), err
	})
}

// handleCreditorInvoice answers GET /api/v1/einvoices/{reference}.
func (s *Server) handleCreditorInvoice(w http.ResponseWriter, r *http.Request) {
	s.creditorReference(w, r, func(ctx context.Context, creditor, reference string) (any, error) {
		inv, err := s.agreements.CreditorInvoice(ctx, creditor, reference)
		return creditorInvoiceView(inv), err
	})
}

// ---- the customer's agreements ----

// agreementJSON is one of the customer's agreements.
type agreementJSON struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	KindText       string `json:"kind_text"`
	Status         string `json:"status"`
	StatusText     string `json:"status_text"`
	CreditorNumber string `json:"creditor_number"`
	DebtorGroup    string `json:"debtor_group,omitempty"`
	CustomerNumber string `json:"customer_number"`
	CreditorName   string `json:"creditor_name"`
	Account        string `json:"account"`
	CreatedAt      string `json:"created_at"`
	ActivatedAt    string `json:"activated_at,omitempty"`
	CancelledAt    string `json:"cancelled_at,omitempty"`
}

func agreementView(a agreement.Agreement) agreementJSON {
	return agreementJSON{ID: a.ID, Kind: string(a.Kind), KindText: a.Kind.Danish(), Status: string(a.Status), StatusText: a.Status.Danish(),
		CreditorNumber: a.CreditorNumber, DebtorGroup: a.DebtorGroup, CustomerNumber: a.CustomerNumber, CreditorName: a.CreditorName,
		Account: a.AccountID, CreatedAt: stamp(a.CreatedAt), ActivatedAt: stamp(a.ActivatedAt), CancelledAt: stamp(a.CancelledAt)}
}

// handleAgreements answers GET /api/v1/agreements: active agreements
// first, then cancelled ones, newest first within each.
func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	writeList(w, r, "agreements", s.agreements.List, agreementView)
}

// agreementRequest is the body of POST /api/v1/agreements.
type agreementRequest struct {
	// Kind is "betalingsservice" or "einvoice".
	Kind           string `json:"kind"`
	Account        string `json:"account"`
	CreditorNumber string `json:"creditor_number"`
	DebtorGroup    string `json:"debtor_group"`
	CustomerNumber string `json:"customer_number"`
	CreditorName   string `json:"creditor_name"`
}

// agreementWithSigning is the answer of a sign-up.
type agreementWithSigning struct {
	Agreement agreementJSON `json:"agreement"`
	Signing   *signingJSON  `json:"signing"`
}

// handleCreateAgreement answers POST /api/v1/agreements: the agreement
// (201); a Betalingsservice sign-up awaits its signature, with the
// document to sign. The same Idempotency-Key with the same content returns
// the same agreement (also 201: package agreement offers no look-up by
// the key to tell a retry from a new sign-up), with a fresh signing
// object while it awaits its signature; other content is 409.
func (s *Server) handleCreateAgreement(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	c := callerOf(r)
	var b agreementRequest
	clientID, ok := readIdempotent(w, r, &b)
	if !ok {
		return
	}
	kind := agreement.Kind(b.Kind)
	if kind != agreement.Betalingsservice && kind != agreement.EInvoice {
		WriteError(w, invalid("Feltet kind skal være %s eller %s.", agreement.Betalingsservice, agreement.EInvoice))
		return
	}
	req := agreement.Request{CustomerID: c.Customer(), UserID: c.User.ID, ClientID: clientID, Kind: kind,
		AccountID: strings.TrimSpace(b.Account), CreditorNumber: b.CreditorNumber, DebtorGroup: b.DebtorGroup,
		CustomerNumber: b.CustomerNumber, CreditorName: b.CreditorName}
	a, err := s.agreements.Create(r.Context(), req)
	if err != nil {
		WriteError(w, err)
		return
	}
	out := agreementWithSigning{Agreement: agreementView(a)}
	if a.Status == agreement.AwaitingSignature && a.CreatedBy == c.User.ID {
		sr, err := s.identity.PrepareSignature(r.Context(), c.User.ID, signKindAgreement, agreementDocument(a))
		if err != nil {
			WriteError(w, err)
			return
		}
		out.Signing = signingView(sr)
	}
	WriteJSON(w, http.StatusCreated, out)
}

// handleCancelAgreement answers DELETE /api/v1/agreements/{id}: the
// agreement, cancelled at once with its collections not yet paid.
func (s *Server) handleCancelAgreement(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	c := callerOf(r)
	a, err := s.agreements.Cancel(r.Context(), c.Customer(), r.PathValue("id"), c.User.ID)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, agreementView(a))
}

// agreementSigned activates a Betalingsservice sign-up its creator has
// signed: the signed body must be exactly the bank's text of the
// agreement the document names (SIGN-2).
func (s *Server) agreementSigned(r *http.Request, doc identity.SignedDocument) (signedResult, error) {
	c := callerOf(r)
	if !c.User.Can(identity.PermCreate) {
		return signedResult{}, errProfile
	}
	if s.agreements == nil {
		return signedResult{}, netbank.Errorf(netbank.EUNAVAILABLE, "Betalingsaftaler kan ikke bruges på denne server.")
	}
	body, id, ok := signedBody(doc, agreementIDLine)
	if !ok {
		return signedResult{}, netbank.Errorf(netbank.EINVALID, "api: signed document %s names no agreement", doc.ID)
	}
	a, err := s.agreements.Get(r.Context(), c.Customer(), id)
	if err != nil {
		return signedResult{}, err
	}
	if body != agreementDocument(a) {
		return signedResult{}, netbank.Errorf(netbank.ECONFLICT, "Det underskrevne dokument svarer ikke til aftalen %s.", a.ID)
	}
	if a, err = s.agreements.Confirm(r.Context(), c.Customer(), a.ID, doc.ID, c.User.ID); err != nil {
		return signedResult{}, err
	}
	v := agreementView(a)
	return signedResult{Agreement: &v}, nil
}

// ---- Betalingsservice: Kommende betalinger ----

// collectionJSON is an announced collection as the customer sees it.
type collectionJSON struct {
	ID               string `json:"id"`
	AgreementID      string `json:"agreement_id"`
	CreditorNumber   string `json:"creditor_number"`
	DebtorGroup      string `json:"debtor_group"`
	CustomerNumber   string `json:"customer_number"`
	CreditorName     string `json:"creditor_name"`
	Account          string `json:"account"`
	Amount           Money  `json:"amount"`
	Text             string `json:"text"`
	RequestedDueDate string `json:"requested_due_date"`
	DueDate          string `json:"due_date"`
	Status           string `json:"status"`
	StatusText       string `json:"status_text"`
	// Rejectable says whether it can still be rejected; LastRejectDay is
	// the last (bank) day it can, RejectDeadline the moment that ends.
	Rejectable     bool   `json:"rejectable"`
	LastRejectDay  string `json:"last_reject_day"`
	RejectDeadline string `json:"reject_deadline"`
	Reason         string `json:"reason,omitempty"`
	PaymentID      string `json:"payment_id,omitempty"`
}

func (s *Server) collectionView(c agreement.Collection) collectionJSON {
	return collectionJSON{ID: c.ID, AgreementID: c.AgreementID, CreditorNumber: c.CreditorNumber, DebtorGroup: c.DebtorGroup,
		CustomerNumber: c.CustomerNumber, CreditorName: c.CreditorName, Account: c.AccountID, Amount: money(c.Amount, c.Currency),
		Text: c.Text, RequestedDueDate: isoDate(c.RequestedDueDate), DueDate: isoDate(c.DueDate), Status: string(c.Status),
		StatusText: c.Status.Danish(), Rejectable: c.Rejectable(s.clock.Now()), LastRejectDay: isoDate(agreement.LastRejectDay(c.DueDate)),
		RejectDeadline: stamp(agreement.RejectDeadline(c.DueDate)), Reason: c.Reason, PaymentID: c.PaymentID}
}

// handleUpcomingCollections answers GET /api/v1/betalingsservice/upcoming:
// the collections announced to the customer and not yet paid, soonest
// first (PAY-3, PAY-8).
func (s *Server) handleUpcomingCollections(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	writeList(w, r, "collections", s.agreements.Upcoming, s.collectionView)
}

// handleRejectCollection answers POST
// /api/v1/betalingsservice/upcoming/{id}/rejection: the collection,
// rejected (rejecting again returns it). After the deadline, the end of
// the bank day before the due date (PAY-8, CAL-1), it is 409 with the
// bank's Danish reason: the request is right, the moment has passed.
func (s *Server) handleRejectCollection(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	c := callerOf(r)
	col, err := s.agreements.RejectCollection(r.Context(), c.Customer(), r.PathValue("id"), c.User.ID)
	if netbank.ErrorCodeOf(err) == netbank.EINVALID {
		err = netbank.Errorf(netbank.ECONFLICT, "%s", netbank.ErrorMessageOf(err))
	}
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, s.collectionView(col))
}

// ---- electronic payment slips: Ikke godkendte ----

// invoiceJSON is a bill as the customer sees it.
type invoiceJSON struct {
	ID             string   `json:"id"`
	AgreementID    string   `json:"agreement_id"`
	CreditorNumber string   `json:"creditor_number"`
	CustomerNumber string   `json:"customer_number"`
	CreditorName   string   `json:"creditor_name"`
	Account        string   `json:"account"`
	Slip           slipJSON `json:"slip"`
	Amount         Money    `json:"amount"`
	DueDate        string   `json:"due_date"`
	Text           string   `json:"text"`
	Status         string   `json:"status"`
	StatusText     string   `json:"status_text"`
	// PaymentID is the slip payment made of the bill, once approved (or
	// while its approval awaits the signature).
	PaymentID  string `json:"payment_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
	ReceivedAt string `json:"received_at"`
	DecidedAt  string `json:"decided_at,omitempty"`
}

func invoiceView(inv agreement.Invoice) invoiceJSON {
	sl := inv.Slip()
	return invoiceJSON{ID: inv.ID, AgreementID: inv.AgreementID, CreditorNumber: inv.CreditorNumber, CustomerNumber: inv.CustomerNumber,
		CreditorName: inv.CreditorName, Account: inv.AccountID,
		Slip:   slipJSON{Type: sl.Type, PaymentID: sl.PaymentID, Creditor: sl.Creditor, GiroAccount: sl.GiroAccount, CodeLine: sl.CodeLine()},
		Amount: money(inv.Amount, inv.Currency), DueDate: isoDate(inv.DueDate), Text: inv.Text, Status: string(inv.Status),
		StatusText: inv.Status.Danish(), PaymentID: inv.ApprovedPayment, Reason: inv.Reason, ReceivedAt: stamp(inv.ReceivedAt),
		DecidedAt: stamp(inv.DecidedAt)}
}

// handleInvoices answers GET /api/v1/invoices: the bills not yet
// approved ("Ikke godkendte"), soonest due first.
func (s *Server) handleInvoices(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	writeList(w, r, "invoices", s.agreements.Invoices, invoiceView)
}

// invoiceApprovalRequest is the body of POST /api/v1/invoices/{id}/approval;
// every field is optional.
type invoiceApprovalRequest struct {
	// FromAccount is the account to pay from (default: the agreement's).
	FromAccount string `json:"from_account"`
	// Amount in øre (default: the billed amount).
	Amount *int64 `json:"amount"`
	// Date YYYY-MM-DD (default: the due date, or today once it has passed).
	Date string `json:"date"`
}

// handleApproveInvoice answers POST /api/v1/invoices/{id}/approval: the
// bill's slip payment awaiting signature and the document to sign (kind
// "payment"); the bill is approved once the payment is signed. 201 for a
// new payment, 200 for a retry of the same Idempotency-Key.
func (s *Server) handleApproveInvoice(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	c := callerOf(r)
	var b invoiceApprovalRequest
	clientID, ok := readIdempotent(w, r, &b)
	if !ok {
		return
	}
	req := agreement.InvoiceApproval{CustomerID: c.Customer(), UserID: c.User.ID, InvoiceID: r.PathValue("id"), ClientID: clientID,
		FromAccount: strings.TrimSpace(b.FromAccount)}
	if b.Amount != nil {
		if *b.Amount <= 0 {
			WriteError(w, invalid("Feltet amount skal være et positivt beløb i øre."))
			return
		}
		req.Amount = *b.Amount
	}
	var err error
	if req.Date, err = parseDate("date", b.Date); err != nil {
		WriteError(w, err)
		return
	}
	s.writeNewPayment(w, r, clientID, func(ctx context.Context) (payment.Payment, error) { return s.agreements.ApproveInvoice(ctx, req) })
}

// invoiceRejectionRequest is the body of POST /api/v1/invoices/{id}/rejection.
type invoiceRejectionRequest struct {
	// Reason is the customer's reason, optional (at most 140 characters).
	Reason string `json:"reason"`
}

// handleRejectInvoice answers POST /api/v1/invoices/{id}/rejection: the
// bill, rejected (an unsigned payment made of it is deleted); rejecting
// again returns it, an approved bill is 409.
func (s *Server) handleRejectInvoice(w http.ResponseWriter, r *http.Request) {
	if !s.needAgreements(w) {
		return
	}
	c := callerOf(r)
	var b invoiceRejectionRequest
	if r.ContentLength != 0 {
		if err := readJSON(r, &b); err != nil {
			WriteError(w, err)
			return
		}
	}
	inv, err := s.agreements.RejectInvoice(r.Context(), c.Customer(), r.PathValue("id"), c.User.ID, b.Reason)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, invoiceView(inv))
}
