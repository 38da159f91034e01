package api

// Payments (customer tokens; RULES PAY-1…PAY-5, PAY-7, SIGN-1, SIGN-2,
// BIZ-3, BIZ-5):
//
//	POST   /api/v1/payments                 create (transfer, payment slip, foreign); Idempotency-Key → 201 + signing
//	GET    /api/v1/payments                 search (status, period, text, amounts), cursor-paged (PAY-7)
//	GET    /api/v1/payments/upcoming        not yet executed, soonest first (PAY-3)
//	GET    /api/v1/payments/{id}            one payment
//	DELETE /api/v1/payments/{id}            cancel until executed (PAY-3)
//	POST   /api/v1/payments/{id}/approval   four-eyes: a second user's signing request (BIZ-3, BIZ-5)
//	GET    /api/v1/incoming-payments        payments received, SWIFT too (PAY-7)
//
// A payment is created awaiting signature, as in the net bank: the answer
// carries a signing object (identity.PrepareSignature, kind "payment")
// with the document the user signs — the same text the net bank shows —
// and the user sends the proof to POST /api/v1/signatures/{request_id}
// (signatures.go), which confirms the payment (payment.Confirm) and, for
// today, executes it. The token alone never moves money.
//
// The Idempotency-Key header is required on POST /api/v1/payments and is
// the payment's client id ("api:" + key): sending the same key with the
// same content again returns the same payment (200, with a fresh signing
// object while it awaits its signature); the same key with other content
// is 409.
//
// Permissions (BIZ-5): seeing payments needs "view", "create" or
// "approve"; creating, signing and cancelling "create"; approving
// "approve" and a business user other than the one who created and signed
// the payment. Private users may do all but approve (four-eyes is for
// businesses).

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
)

// The kinds of signed documents of payments; the net bank signs the same.
const (
	signKindPayment         = "payment"
	signKindPaymentApproval = "payment-approval"
	// paymentIDLine ends every signed payment document: the payment it is about.
	paymentIDLine = "\nBetaling: "
	// approvalHeading starts the body of a signed approval.
	approvalHeading = "Godkendelse af betaling\n"
)

// paymentDocument is the body the creator signs to confirm a payment: the
// domain's canonical text (payment.Document) and the payment's id, exactly
// as the net bank builds it, so a document means the same whichever way it
// was prepared.
func paymentDocument(p payment.Payment) string { return payment.Document(p) + paymentIDLine + p.ID }

// approvalDocument is the body a second user signs to approve a payment.
func approvalDocument(p payment.Payment) string { return approvalHeading + paymentDocument(p) }

// viewPerms are the permissions that let a user see payments.
var viewPerms = []identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove}

// slipJSON is a paid payment slip.
type slipJSON struct {
	Type        string `json:"type"`
	PaymentID   string `json:"payment_id"`
	Creditor    string `json:"creditor"`
	GiroAccount string `json:"giro_account"`
	CodeLine    string `json:"code_line"`
}

// paymentJSON is a payment as the API writes it.
type paymentJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	KindText    string    `json:"kind_text"`
	Status      string    `json:"status"`
	StatusText  string    `json:"status_text"`
	FromAccount string    `json:"from_account"`
	ToReg       string    `json:"to_reg,omitempty"`
	ToAccount   string    `json:"to_account,omitempty"`
	ToBank      string    `json:"to_bank,omitempty"`
	ToName      string    `json:"to_name"`
	Slip        *slipJSON `json:"slip,omitempty"`
	// A foreign transfer: the payee's IBAN, bank (BIC), address and
	// country, who bears the charges, and the price (PAY-5).
	ToIBAN       string     `json:"to_iban,omitempty"`
	ToBIC        string     `json:"to_bic,omitempty"`
	ToAddress    string     `json:"to_address,omitempty"`
	ToCountry    string     `json:"to_country,omitempty"`
	ChargeBearer string     `json:"charge_bearer,omitempty"`
	Quote        *quoteJSON `json:"quote,omitempty"`
	// Amount is what leaves the account (for a foreign transfer: the
	// kroner of the quote; the fee comes on top).
	Amount           Money  `json:"amount"`
	TextToSelf       string `json:"text_to_self"`
	TextToRecipient  string `json:"text_to_recipient"`
	Instant          bool   `json:"instant"`
	RequestedDate    string `json:"requested_date"`
	ExecutionDate    string `json:"execution_date"`
	CreatedAt        string `json:"created_at"`
	CreatedBy        string `json:"created_by"`
	SignedBy         string `json:"signed_by,omitempty"`
	ApprovalRequired bool   `json:"approval_required"`
	ApprovedBy       string `json:"approved_by,omitempty"`
	Clearing         string `json:"clearing,omitempty"`
	ExecutedAt       string `json:"executed_at,omitempty"`
	SettledAt        string `json:"settled_at,omitempty"`
	CancelledAt      string `json:"cancelled_at,omitempty"`
	FailureReason    string `json:"failure_reason,omitempty"`
}

func paymentView(p payment.Payment) paymentJSON {
	v := paymentJSON{ID: p.ID, Kind: string(p.Kind), KindText: p.Kind.Danish(), Status: string(p.Status), StatusText: p.Status.Danish(),
		FromAccount: p.FromAccount, ToReg: p.ToReg, ToAccount: p.ToAccount, ToName: p.ToName, Amount: money(p.Amount, p.Currency),
		TextToSelf: p.TextToSelf, TextToRecipient: p.TextToRecipient, Instant: p.Instant,
		RequestedDate: isoDate(p.RequestedDate), ExecutionDate: isoDate(p.ExecutionDate), CreatedAt: stamp(p.CreatedAt),
		CreatedBy: p.CreatedBy, SignedBy: p.SignedBy, ApprovalRequired: p.ApprovalRequired, ApprovedBy: p.ApprovedBy,
		Clearing: string(p.Clearing), ExecutedAt: stamp(p.ExecutedAt), SettledAt: stamp(p.SettledAt),
		CancelledAt: stamp(p.CancelledAt), FailureReason: p.FailureReason}
	if p.ToReg != "" {
		v.ToBank, _ = dk.BankName(p.ToReg)
	}
	if p.Kind == payment.SlipPayment {
		v.Slip = &slipJSON{Type: p.Slip.Type, PaymentID: p.Slip.PaymentID, Creditor: p.Slip.Creditor,
			GiroAccount: p.Slip.GiroAccount, CodeLine: p.Slip.CodeLine()}
	}
	if p.Kind == payment.Foreign {
		v.ToIBAN, v.ToBIC, v.ToAddress, v.ToCountry, v.ChargeBearer = p.ToIBAN, p.ToBIC, p.ToAddress, p.ToCountry, p.ChargeBearer
		v.Quote = quoteView(p.Quote, p.RateFixed)
	}
	return v
}

// quoteJSON is a foreign transfer's price (PAY-5): the currency amount the
// payee's bank receives, the kroner it costs at the customer's rate, the
// fee and the total; binding (rate_fixed) or indicative.
type quoteJSON struct {
	Amount        Money  `json:"amount"`
	DKK           Money  `json:"dkk"`
	ReferenceRate string `json:"reference_rate"`
	CustomerRate  string `json:"customer_rate"`
	Fee           Money  `json:"fee"`
	Total         Money  `json:"total"`
	RateFixed     bool   `json:"rate_fixed"`
	RateDate      string `json:"rate_date"`
	QuotedAt      string `json:"quoted_at"`
}

func quoteView(q pricing.Quote, fixed bool) *quoteJSON {
	return &quoteJSON{Amount: money(q.Amount, q.Currency), DKK: money(q.DKK, "DKK"), ReferenceRate: pricing.FormatRate(q.ReferenceRate),
		CustomerRate: pricing.FormatRate(q.CustomerRate), Fee: money(q.Fee, "DKK"), Total: money(q.Total, "DKK"), RateFixed: fixed,
		RateDate: isoDate(q.RateDate), QuotedAt: stamp(q.At)}
}

// signingJSON is a document to sign (identity.SignRequest): send the proof
// to POST /api/v1/signatures/{request_id} before expires_at.
type signingJSON struct {
	RequestID string `json:"request_id"`
	Kind      string `json:"kind"`
	Document  string `json:"document"`
	Checksum  string `json:"checksum"`
	Method    string `json:"method"`
	KeyNumber string `json:"key_number,omitempty"`
	ExpiresAt string `json:"expires_at"`
}

func signingView(req identity.SignRequest) *signingJSON {
	return &signingJSON{RequestID: req.ID, Kind: req.Kind, Document: req.Document, Checksum: req.Checksum, Method: req.Method,
		KeyNumber: req.KeyNumber, ExpiresAt: stamp(req.ExpiresAt)}
}

// paymentWithSigning is the answer of a create or an approval request.
type paymentWithSigning struct {
	Payment paymentJSON  `json:"payment"`
	Signing *signingJSON `json:"signing"`
}

// needPayments answers "unavailable" when the server has no payments.
func (s *Server) needPayments(w http.ResponseWriter) bool {
	if s.payments == nil || s.identity == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Betalinger kan ikke bruges på denne server."))
		return false
	}
	return true
}

// paymentRequest is the body of POST /api/v1/payments.
type paymentRequest struct {
	// Type is "transfer", "slip" or "foreign".
	Type        string `json:"type"`
	FromAccount string `json:"from_account"`
	// A transfer: registration number, account number, payee's name.
	ToReg     string `json:"to_reg"`
	ToAccount string `json:"to_account"`
	ToName    string `json:"to_name"`
	// A payment slip: the code line, or its fields.
	CodeLine      string `json:"code_line"`
	SlipType      string `json:"slip_type"`
	SlipPaymentID string `json:"slip_payment_id"`
	SlipAccount   string `json:"slip_account"`
	// A foreign transfer (PAY-5): the payee's IBAN, bank's BIC, address
	// and country (default: the IBAN's), the currency the payee receives,
	// who bears the charges (SHA or OUR), and whether amount is in kroner.
	ToIBAN       string `json:"to_iban"`
	ToBIC        string `json:"to_bic"`
	ToAddress    string `json:"to_address"`
	ToCountry    string `json:"to_country"`
	Currency     string `json:"currency"`
	ChargeBearer string `json:"charge_bearer"`
	AmountInDKK  bool   `json:"amount_in_dkk"`
	// Amount in minor units: øre, or for a foreign transfer minor units of
	// currency unless amount_in_dkk.
	Amount          *int64 `json:"amount"`
	TextToSelf      string `json:"text_to_self"`
	TextToRecipient string `json:"text_to_recipient"`
	// Date YYYY-MM-DD; empty: today.
	Date    string `json:"date"`
	Instant bool   `json:"instant"`
}

// The payment types of the API and the fields that belong to each.
const (
	typeTransfer = "transfer"
	typeSlip     = "slip"
	typeForeign  = "foreign"
)

// toRequest checks the body's shape (the domain checks the content) and
// makes the domain's request of it.
func (b paymentRequest) toRequest(c *Caller, clientID string) (payment.Request, error) {
	req := payment.Request{CustomerID: c.Customer(), UserID: c.User.ID, ClientID: clientID, FromAccount: strings.TrimSpace(b.FromAccount),
		ToName: b.ToName, TextToSelf: b.TextToSelf, TextToRecipient: b.TextToRecipient, Instant: b.Instant}
	if b.Amount == nil {
		return req, invalid("Feltet amount mangler: beløbet i øre, f.eks. 125000 for 1.250,00 kr.")
	}
	req.Amount = *b.Amount
	if b.Date != "" {
		d, err := time.Parse(time.DateOnly, b.Date)
		if err != nil {
			return req, invalid("Feltet date skal være en dato i formatet ÅÅÅÅ-MM-DD.")
		}
		req.Date = d
	}
	transfer := b.ToReg != "" || b.ToAccount != ""
	slip := b.CodeLine != "" || b.SlipType != "" || b.SlipPaymentID != "" || b.SlipAccount != ""
	foreign := b.ToIBAN != "" || b.ToBIC != "" || b.ToAddress != "" || b.ToCountry != "" || b.Currency != "" ||
		b.ChargeBearer != "" || b.AmountInDKK
	if foreign && b.Type != typeForeign {
		return req, invalid("Felterne to_iban, to_bic, to_address, to_country, currency, charge_bearer og amount_in_dkk hører kun til en udlandsoverførsel (type foreign).")
	}
	switch b.Type {
	case typeTransfer:
		if slip {
			return req, invalid("En overførsel (type transfer) har ikke felter fra et indbetalingskort.")
		}
		req.ToReg, req.ToAccount = b.ToReg, b.ToAccount
		if req.ToReg == "" || req.ToAccount == "" {
			return req, invalid("En overførsel skal have to_reg og to_account.")
		}
	case typeSlip:
		if transfer {
			return req, invalid("Et indbetalingskort (type slip) betales med kodelinjen, ikke med to_reg og to_account.")
		}
		req.CodeLine, req.SlipType, req.SlipPaymentID, req.SlipAccount = b.CodeLine, b.SlipType, b.SlipPaymentID, b.SlipAccount
		if !slip {
			return req, invalid("Et indbetalingskort skal have code_line eller slip_type, slip_payment_id og slip_account.")
		}
	case typeForeign:
		if transfer || slip {
			return req, invalid("En udlandsoverførsel (type foreign) betales til to_iban, ikke til to_reg/to_account eller et indbetalingskort.")
		}
		if strings.TrimSpace(b.ToIBAN) == "" {
			return req, invalid("En udlandsoverførsel skal have to_iban.")
		}
		req.ToIBAN, req.ToBIC, req.ToAddress, req.ToCountry = b.ToIBAN, b.ToBIC, b.ToAddress, b.ToCountry
		req.Currency, req.ChargeBearer, req.AmountInDKK = b.Currency, b.ChargeBearer, b.AmountInDKK
	default:
		return req, invalid("Feltet type skal være %s, %s eller %s.", typeTransfer, typeSlip, typeForeign)
	}
	return req, nil
}

// idempotencyKey reads the Idempotency-Key header: 1–60 of A–Z a–z 0–9 . _ : -
func idempotencyKey(r *http.Request) (string, error) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if k == "" {
		return "", invalid("Headeren Idempotency-Key mangler: send en unik nøgle pr. betaling (f.eks. et UUID), så en gentagelse ikke betaler to gange.")
	}
	if len(k) > 60 || strings.Trim(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != "" {
		return "", invalid("Idempotency-Key må højst være 60 tegn og kun indeholde bogstaver a-z, cifre og . _ : -")
	}
	return "api:" + k, nil
}

// readIdempotent reads the request of a POST that creates something: its
// Idempotency-Key (the client id) and its JSON body into b. ok is false
// when either is wrong; the error is then answered.
func readIdempotent(w http.ResponseWriter, r *http.Request, b any) (clientID string, ok bool) {
	clientID, err := idempotencyKey(r)
	if err == nil {
		err = readJSON(r, b)
	}
	if err != nil {
		WriteError(w, err)
		return "", false
	}
	return clientID, true
}

// handleCreatePayment answers POST /api/v1/payments: the payment awaiting
// its signature (201), with the document to sign.
func (s *Server) handleCreatePayment(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	c := callerOf(r)
	var body paymentRequest
	clientID, ok := readIdempotent(w, r, &body)
	if !ok {
		return
	}
	req, err := body.toRequest(c, clientID)
	if err != nil {
		WriteError(w, err)
		return
	}
	s.writeNewPayment(w, r, clientID, func(ctx context.Context) (payment.Payment, error) { return s.payments.Create(ctx, req) })
}

// writeNewPayment makes the caller's payment of clientID with create and
// answers it with the document to sign while it awaits the caller's
// signature: 201 for a new payment, 200 for a retry of the same client id
// (create then returns the payment it made before).
func (s *Server) writeNewPayment(w http.ResponseWriter, r *http.Request, clientID string,
	create func(context.Context) (payment.Payment, error)) {
	c := callerOf(r)
	status, err := s.retryStatus(func() error {
		_, err := s.payments.ByClientID(r.Context(), c.Customer(), clientID)
		return err
	})
	if err != nil {
		WriteError(w, err)
		return
	}
	p, err := create(r.Context())
	if err != nil {
		WriteError(w, err)
		return
	}
	out := paymentWithSigning{Payment: paymentView(p)}
	if p.Status == payment.AwaitingSignature && p.CreatedBy == c.User.ID {
		sr, err := s.identity.PrepareSignature(r.Context(), c.User.ID, signKindPayment, paymentDocument(p))
		if err != nil {
			WriteError(w, err)
			return
		}
		out.Signing = signingView(sr)
	}
	WriteJSON(w, status, out)
}

// errNoPayment is another customer's payment, or none at all.
var errNoPayment = netbank.Errorf(netbank.ENOTFOUND, "Betalingen findes ikke.")

// loadPayment finds the customer's payment of the request's {id}.
func (s *Server) loadPayment(r *http.Request) (payment.Payment, error) {
	return loadOwned(r, errNoPayment, s.payments.Get)
}

// handlePayment answers GET /api/v1/payments/{id}.
func (s *Server) handlePayment(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	p, err := s.loadPayment(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, paymentView(p))
}

// handleCancelPayment answers DELETE /api/v1/payments/{id}: the payment,
// cancelled (PAY-3); 409 once it is executing or executed.
func (s *Server) handleCancelPayment(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	c := callerOf(r)
	p, err := s.payments.Cancel(r.Context(), c.Customer(), r.PathValue("id"), c.User.ID)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		err = errNoPayment
	}
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, paymentView(p))
}

// paymentList is the answer of the payment search.
type paymentList struct {
	Payments   []paymentJSON `json:"payments"`
	NextCursor string        `json:"next_cursor"`
}

// handleUpcoming answers GET /api/v1/payments/upcoming: payments awaiting
// approval, scheduled or executing, soonest first (PAY-3).
func (s *Server) handleUpcoming(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	writeList(w, r, "payments", s.payments.Upcoming, paymentView)
}

// Paging of searches.
const (
	defaultPage = 100
	maxPage     = payment.MaxPage - 1
)

// cursorOf is the cursor after an item created (or booked) at t with id:
// "<unix microseconds>_<id>".
func cursorOf(t time.Time, id string) string { return strconv.FormatInt(t.UnixMicro(), 10) + "_" + id }

// parseCursor reads a cursor of cursorOf.
func parseCursor(v, prefix string) (time.Time, string, error) {
	us, id, ok := strings.Cut(v, "_")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || n <= 0 || !strings.HasPrefix(id, prefix) || len(id) > 64 {
		return time.Time{}, "", errCursor
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// paymentSearch is what the searches of payments and of incoming
// payments read after their own parameters: the text (text), the amount
// filter (min_amount–max_amount: positive minor units, 0 when open) and
// the paging (limit, and from the cursor of the page before the item to
// continue after: its time and id).
type paymentSearch struct {
	text     string
	min, max int64
	limit    int
	before   time.Time
	beforeID string
}

// queryPaymentSearch reads a paymentSearch whose text is at most maxText
// characters and whose items' ids start with prefix.
func queryPaymentSearch(r *http.Request, maxText int, prefix string) (paymentSearch, error) {
	var q paymentSearch
	var err error
	if q.text, err = queryText(r, "text", maxText); err != nil {
		return q, err
	}
	for _, b := range []struct {
		name string
		dst  *int64
	}{{"min_amount", &q.min}, {"max_amount", &q.max}} {
		n, ok, err := queryAmount(r, b.name)
		if err == nil && ok && n <= 0 {
			err = invalid("Parameteren %s skal være et positivt beløb i øre.", b.name)
		}
		if err != nil {
			return q, err
		}
		*b.dst = n
	}
	if q.limit, err = queryLimit(r, defaultPage, maxPage); err != nil {
		return q, err
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		if q.before, q.beforeID, err = parseCursor(c, prefix); err != nil {
			return q, err
		}
	}
	return q, nil
}

// cutPage cuts the answer of a search that read limit+1 items to limit,
// with the cursor of the next page (of the last item kept, by cursor), or
// "" when there is none.
func cutPage[T any](list []T, limit int, cursor func(T) string) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	list = list[:limit]
	return list, cursor(list[limit-1])
}

// handlePayments answers GET /api/v1/payments: the customer's payments,
// newest first, searched (PAY-7) and paged by next_cursor.
func (s *Server) handlePayments(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	var f payment.Filter
	q := r.URL.Query()
	for _, st := range strings.Split(q.Get("status"), ",") {
		st = strings.TrimSpace(st)
		if st == "" {
			continue
		}
		if !knownStatus(payment.Status(st)) {
			WriteError(w, invalid("Ukendt status %q.", st))
			return
		}
		f.Statuses = append(f.Statuses, payment.Status(st))
	}
	f.AccountID = strings.TrimSpace(q.Get("account"))
	var err error
	if f.FromDate, err = queryDate(r, "from"); err != nil {
		WriteError(w, err)
		return
	}
	if f.ToDate, err = queryDate(r, "to"); err != nil {
		WriteError(w, err)
		return
	}
	sq, err := queryPaymentSearch(r, 140, "pay_")
	if err != nil {
		WriteError(w, err)
		return
	}
	f.Text, f.MinAmount, f.MaxAmount = sq.text, sq.min, sq.max
	f.BeforeCreated, f.BeforeID, f.Limit = sq.before, sq.beforeID, sq.limit+1
	list, err := s.payments.Search(r.Context(), callerOf(r).Customer(), f)
	if err != nil {
		WriteError(w, err)
		return
	}
	list, next := cutPage(list, sq.limit, func(p payment.Payment) string { return cursorOf(p.CreatedAt, p.ID) })
	WriteJSON(w, http.StatusOK, paymentList{Payments: views(list, paymentView), NextCursor: next})
}

// knownStatus reports whether st is a status a payment can have.
func knownStatus(st payment.Status) bool {
	switch st {
	case payment.AwaitingSignature, payment.AwaitingApproval, payment.Scheduled, payment.Executing, payment.InClearing,
		payment.Settled, payment.Cancelled, payment.Rejected:
		return true
	}
	return false
}

// canApprove reports whether the user may approve others' payments: a
// business user whose profile has "approve" (BIZ-5).
func canApprove(u identity.User) bool {
	return u.Kind == identity.BusinessUser && u.Can(identity.PermApprove)
}

// handleApproval answers POST /api/v1/payments/{id}/approval: the signing
// request of a second user's approval (four-eyes, BIZ-3) of a payment
// awaiting approval.
func (s *Server) handleApproval(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	c := callerOf(r)
	if !canApprove(c.User) {
		WriteError(w, errProfile)
		return
	}
	p, err := s.loadPayment(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	if p.Status != payment.AwaitingApproval {
		WriteError(w, netbank.Errorf(netbank.ECONFLICT, "Betalingen afventer ikke godkendelse (den er %s).", strings.ToLower(p.Status.Danish())))
		return
	}
	if p.CreatedBy == c.User.ID || p.SignedBy == c.User.ID {
		WriteError(w, netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal godkendes af en anden bruger end den, der oprettede den."))
		return
	}
	sr, err := s.identity.PrepareSignature(r.Context(), c.User.ID, signKindPaymentApproval, approvalDocument(p))
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, paymentWithSigning{Payment: paymentView(p), Signing: signingView(sr)})
}

// signedPayment reads the payment a signed document names (its last line,
// "Betaling: <id>"), for the caller's customer, and checks that the signed
// body is exactly the text the bank makes of that payment (SIGN-2).
func (s *Server) signedPayment(r *http.Request, doc identity.SignedDocument, text func(payment.Payment) string) (payment.Payment, error) {
	body, id, ok := signedBody(doc, paymentIDLine)
	if !ok {
		return payment.Payment{}, netbank.Errorf(netbank.EINVALID, "api: signed document %s names no payment", doc.ID)
	}
	p, err := s.payments.Get(r.Context(), callerOf(r).Customer(), id)
	if err != nil {
		return payment.Payment{}, err
	}
	if body != text(p) {
		return payment.Payment{}, netbank.Errorf(netbank.ECONFLICT, "Det underskrevne dokument svarer ikke til betalingen %s.", p.ID)
	}
	return p, nil
}

// paymentSigned confirms a payment its creator has signed; a payment for
// today is executed at once.
func (s *Server) paymentSigned(r *http.Request, doc identity.SignedDocument) (signedResult, error) {
	c := callerOf(r)
	if !c.User.Can(identity.PermCreate) {
		return signedResult{}, errProfile
	}
	p, err := s.signedPayment(r, doc, paymentDocument)
	if err != nil {
		return signedResult{}, err
	}
	if p, err = s.payments.Confirm(r.Context(), c.Customer(), p.ID, doc.ID, c.User.ID); err != nil {
		return signedResult{}, err
	}
	v := paymentView(p)
	return signedResult{Payment: &v}, nil
}

// paymentApprovalSigned approves a payment once a second user has signed
// the approval (BIZ-3).
func (s *Server) paymentApprovalSigned(r *http.Request, doc identity.SignedDocument) (signedResult, error) {
	c := callerOf(r)
	if !canApprove(c.User) {
		return signedResult{}, errProfile
	}
	p, err := s.signedPayment(r, doc, approvalDocument)
	if err != nil {
		return signedResult{}, err
	}
	if p, err = s.payments.Approve(r.Context(), c.Customer(), p.ID, c.User.ID, doc.ID); err != nil {
		return signedResult{}, err
	}
	v := paymentView(p)
	return signedResult{Payment: &v}, nil
}

// ---- incoming payments ----

// incomingJSON is a payment from another bank.
type incomingJSON struct {
	ID          string `json:"id"`
	Reference   string `json:"reference"`
	SWIFT       bool   `json:"swift"`
	FromBank    string `json:"from_bank"`
	FromName    string `json:"from_name"`
	FromAccount string `json:"from_account"`
	ToAccount   string `json:"to_account"`
	// Amount is what was booked: the kroner of a converted payment.
	Amount Money `json:"amount"`
	// A SWIFT payment converted from another currency (PAY-7): the amount
	// sent, and the bank's buying rate and the reference rate it was
	// converted at (kroner per 100, the Danish way).
	OriginalAmount *Money `json:"original_amount,omitempty"`
	Rate           string `json:"rate,omitempty"`
	ReferenceRate  string `json:"reference_rate,omitempty"`
	Text           string `json:"text"`
	Status         string `json:"status"`
	Reason         string `json:"reason,omitempty"`
	ReceivedAt     string `json:"received_at"`
	BookedAt       string `json:"booked_at,omitempty"`
	BookedDate     string `json:"booked_date,omitempty"`
}

func (s *Server) incomingView(in payment.Incoming) incomingJSON {
	to := in.AccountID
	if to == "" {
		to = in.ToReg + "-" + in.ToAccount
	}
	v := incomingJSON{ID: in.ID, Reference: in.Reference, SWIFT: in.SWIFT, FromBank: in.Source, FromName: in.FromName,
		FromAccount: in.FromAccount, ToAccount: to, Amount: money(in.Amount, in.Currency), Text: in.Text, Status: string(in.Status),
		Reason: in.Reason, ReceivedAt: stamp(in.ReceivedAt), BookedAt: stamp(in.BookedAt), BookedDate: s.localDate(in.BookedAt)}
	if in.Converted() {
		sent := money(in.OriginalAmount, in.OriginalCurrency)
		v.OriginalAmount, v.Rate, v.ReferenceRate = &sent, pricing.FormatRate(in.Rate), pricing.FormatRate(in.ReferenceRate)
	}
	return v
}

// handleIncoming answers GET /api/v1/incoming-payments: the payments other
// banks sent to the customer's accounts, newest first (PAY-7; swift=true
// keeps SWIFT payments), paged by next_cursor.
func (s *Server) handleIncoming(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	q := r.URL.Query()
	var f payment.IncomingFilter
	switch q.Get("swift") {
	case "", "false":
	case "true":
		f.SWIFTOnly = true
	default:
		WriteError(w, invalid("Parameteren swift skal være true eller false."))
		return
	}
	f.AccountID = strings.TrimSpace(q.Get("account"))
	var err error
	if f.From, f.To, err = queryPeriod(r); err != nil {
		WriteError(w, err)
		return
	}
	sq, err := queryPaymentSearch(r, payment.MaxIncomingText, "inc_")
	if err != nil {
		WriteError(w, err)
		return
	}
	f.Text, f.MinAmount, f.MaxAmount = sq.text, sq.min, sq.max
	f.BeforeBooked, f.BeforeID, f.Limit = sq.before, sq.beforeID, sq.limit+1
	list, err := s.payments.SearchIncoming(r.Context(), callerOf(r).Customer(), f)
	if err != nil {
		WriteError(w, err)
		return
	}
	list, next := cutPage(list, sq.limit, func(in payment.Incoming) string { return cursorOf(in.BookedAt, in.ID) })
	WriteJSON(w, http.StatusOK, struct {
		Payments   []incomingJSON `json:"payments"`
		NextCursor string         `json:"next_cursor"`
	}{views(list, s.incomingView), next})
}
