package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
)

// Betalinger (RULES PAY-1..PAY-5, BIZ-3, BIZ-5):
//
//	GET  /netbank/betalinger                    "Ny betaling": transfer (?type=kort: "Indbetalingskort", ?type=udland: "Udland")
//	POST /netbank/betalinger                    payment.Create → the review page (or the form again with a message)
//	POST /netbank/betalinger/{id}/underskriv    the signing page (kind "payment") → payment.Confirm
//	GET  /netbank/betalinger/{id}/kvittering    the receipt: the payment's status in Danish
//	GET  /netbank/betalinger/{id}/swift         a foreign transfer's pacs.008 message, as sent (PAY-5)
//	GET  /netbank/betalinger/kommende           upcoming payments (PAY-3) and, for approvers, the four-eyes queue
//	POST /netbank/betalinger/{id}/slet          payment.Cancel (PAY-3)
//	POST /netbank/betalinger/{id}/godkend       the signing page (kind "payment-approval") → payment.Approve (BIZ-3)
//
// Business users need the profile's "create" permission to create, sign
// and cancel payments and "approve" to approve another user's payment
// (BIZ-5); the others get 403.

const (
	signKindPayment         = "payment"
	signKindPaymentApproval = "payment-approval"
	// paymentIDLine ends every signed payment document: the payment it is about.
	paymentIDLine = "\nBetaling: "
	// approvalHeading starts the body of a signed approval.
	approvalHeading = "Godkendelse af betaling\n"
)

func init() {
	registerSignKind(signKindPayment, signKind{
		Title: "pay.sign.title", Lead: "pay.sign.lead", Submit: "pay.sign.submit",
		Back:   "/netbank/betalinger",
		Signed: (*Server).paymentSigned,
	})
	registerSignKind(signKindPaymentApproval, signKind{
		Title: "pay.approve.sign.title", Lead: "pay.approve.sign.lead", Submit: "pay.approve.sign.submit",
		Back:   "/netbank/betalinger/kommende",
		Signed: (*Server).paymentApprovalSigned,
	})
}

// registerPayments adds the payment pages (called from registerNetbank).
func (s *Server) registerPayments() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needPayments(h)) }
	s.Handle("GET /netbank/betalinger", user(s.handlePaymentForm))
	s.Handle("POST /netbank/betalinger", user(s.handlePaymentCreate))
	s.Handle("GET /netbank/betalinger/kommende", user(s.handleUpcoming))
	s.Handle("GET /netbank/betalinger/historik", user(s.handleHistory))   // payments_history.go (PAY-7)
	s.Handle("GET /netbank/betalinger/fra-udlandet", user(s.handleSWIFT)) // payments_history.go (PAY-7)
	s.Handle("POST /netbank/betalinger/{id}/underskriv", user(s.handlePaymentSign))
	s.Handle("GET /netbank/betalinger/{id}/kvittering", user(s.handleReceipt))
	s.Handle("GET /netbank/betalinger/{id}/swift", user(s.handleOutboundMessage))
	s.Handle("POST /netbank/betalinger/{id}/slet", user(s.handlePaymentCancel))
	s.Handle("POST /netbank/betalinger/{id}/godkend", user(s.handlePaymentApprove))
}

// needPayments answers "unavailable" when the server has no payments.
func (s *Server) needPayments(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.payments == nil || s.accounts == nil {
			s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without payments"))
			return
		}
		h(w, r)
	}
}

func canCreatePayments(p *Principal) bool { return p.User.Can(identity.PermCreate) }

func canApprovePayments(p *Principal) bool {
	return p.User.Kind == identity.BusinessUser && p.User.Can(identity.PermApprove)
}

func canSeePayments(p *Principal) bool {
	return p.User.Can(identity.PermView) || p.User.Can(identity.PermCreate) || p.User.Can(identity.PermApprove)
}

func forbidPayments(w http.ResponseWriter, r *http.Request, s *Server, what string) {
	s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow %s payments", what))
}

func newClientID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "web-" + hex.EncodeToString(b)
}

func paymentPathOf(id string) string { return "/netbank/betalinger/" + url.PathEscape(id) }

// ---- the form ----

// payAccountOption is one of the customer's accounts in a select.
type payAccountOption struct {
	ID, Label string
	Available amountView
	Selected  bool
	// ToSelected marks the "to" select's choice.
	ToSelected bool
}

// payForm is what the user typed (kept on a redraw).
type payForm struct {
	Mode                        string // "transfer", "slip" or "foreign"
	ClientID                    string
	From                        string
	ToKind                      string // "own" or "other"
	ToOwn                       string
	Reg, Account, Name          string
	BankName                    string
	Instant                     bool
	Amount, Date                string
	TextToSelf, TextToRecipient string
	// A payment slip (PAY-4): the code line pasted whole, or its fields.
	CodeLine                             string
	SlipType, SlipPaymentID, SlipAccount string
	// A foreign transfer (PAY-5). AmountIn is "currency" or "dkk",
	// Charges "SHA" or "OUR".
	IBAN, BIC, Address, Country string
	Currency, AmountIn, Charges string
}

// payFormView is the Data of nb_pay.
type payFormView struct {
	Form     payForm
	Accounts []payAccountOption
	Error    string
	Today    string
	Business bool
	// OwnReg is this bank's registration number: a transfer elsewhere may
	// be instant (straksoverførsel), up to InstantLimit.
	OwnReg       string
	InstantLimit string
	// OtherBank: the typed registration number is another bank's.
	OtherBank bool
	// SlipTypes are the card types of the type select (PAY-4),
	// SlipSelected the chosen one.
	SlipTypes    []slipTypeOption
	SlipSelected slipTypeOption
	// Currencies a foreign transfer can be made in (PAY-5).
	Currencies []string
	// Dates are the dates the date field offers (PAY-3, CAL-1).
	Dates payDates
}

// payDates is what the date field of a payment offers (RULE PAY-3, CAL-1):
// today, or a later date up to Max, the last bank day at most
// payment.DefaultMaxDaysAhead days ahead. Closed lists the non-bank days
// after today up to Max; payments.js moves a date picked on one of them to
// the next bank day and says so, as the bank does without it. Today is
// never in Closed: a payment dated today is made today, whatever the day.
type payDates struct {
	Min, Max string // "2026-11-22"
	// Closed names each non-bank day ("2026-11-28") in the page's
	// language: "Lørdag", "2. juledag".
	Closed map[string]string
}

// newPayDates returns the dates of a payment made on the day today (a
// civil date, calendar.Day), with the names of the non-bank days in lang.
func newPayDates(today time.Time, lang Lang) payDates {
	last := calendar.PreviousBankDay(today.AddDate(0, 0, payment.DefaultMaxDaysAhead+1))
	v := payDates{Min: today.Format(time.DateOnly), Max: last.Format(time.DateOnly), Closed: map[string]string{}}
	for d := today.AddDate(0, 0, 1); !d.After(last); d = d.AddDate(0, 0, 1) {
		if calendar.IsBankDay(d) {
			continue
		}
		name := calendar.Reason(d)
		if lang == English {
			name = calendar.ReasonEnglish(d)
		}
		v.Closed[d.Format(time.DateOnly)] = name
	}
	return v
}

// Dates are the dates the approval form of a bill offers (nb_invoice,
// agreements.go): the bill is paid as a payment dated from Today.
func (v invoicePageView) Dates(lang Lang) payDates {
	today, err := calendar.ParseDate(v.Today)
	if err != nil {
		return payDates{Min: v.Today}
	}
	return newPayDates(today, lang)
}

// slipTypeOption is one card type: whether it has a payment id (and its
// length), a creditor number or a giro account, and a message field.
type slipTypeOption struct {
	Type       string // "71"
	IDLength   int    // 0: no payment id
	Creditor   bool
	HasMessage bool
	Selected   bool
}

// slipTypes are the card types in the order of the select (dk/slip.go).
var slipTypes = []slipTypeOption{
	{Type: "71", IDLength: 15, Creditor: true},
	{Type: "73", Creditor: true, HasMessage: true},
	{Type: "75", IDLength: 16, Creditor: true, HasMessage: true},
	{Type: "01", HasMessage: true},
	{Type: "04", IDLength: 16},
	{Type: "15", IDLength: 16, HasMessage: true},
}

func (s *Server) payFormView(r *http.Request, f payForm, errMsg string) (payFormView, error) {
	p := PrincipalOf(r)
	list, err := s.accounts.List(r.Context(), p.Customer.ID)
	if err != nil {
		return payFormView{}, err
	}
	today := calendar.Day(s.clock.Now())
	v := payFormView{Form: f, Error: errMsg, Today: today.Format(time.DateOnly),
		Business: p.User.Kind == identity.BusinessUser, OwnReg: dk.NetbankReg,
		InstantLimit: money(payment.DefaultInstantLimit, "DKK").Text, Dates: newPayDates(today, LangOf(r))}
	for _, a := range list {
		if !a.ClosedAt.IsZero() {
			continue
		}
		name := a.Account.Name
		if name == "" {
			name = a.Product.Danish()
		}
		v.Accounts = append(v.Accounts, payAccountOption{ID: a.Account.ID, Label: name + " (" + a.Display() + ")",
			Available: money(a.Available, a.Account.Currency), Selected: a.Account.ID == f.From, ToSelected: a.Account.ID == f.ToOwn})
	}
	if v.Form.Date == "" {
		v.Form.Date = v.Today
	}
	if v.Form.Mode == "" {
		v.Form.Mode = "transfer"
	}
	if v.Form.ToKind == "" {
		v.Form.ToKind = "other"
	}
	if name, ok := dk.BankName(f.Reg); ok {
		v.Form.BankName = name
		v.OtherBank = f.Reg != dk.NetbankReg
	}
	if v.Form.SlipType == "" {
		v.Form.SlipType = "71"
	}
	for _, o := range slipTypes {
		if o.Selected = o.Type == v.Form.SlipType; o.Selected {
			v.SlipSelected = o
		}
		v.SlipTypes = append(v.SlipTypes, o)
	}
	if v.Form.Mode == "foreign" {
		if v.Currencies, err = s.payments.ForeignCurrencies(r.Context()); err != nil {
			return payFormView{}, err
		}
		if v.Form.Currency == "" {
			v.Form.Currency = "EUR"
		}
		if v.Form.AmountIn != "dkk" {
			v.Form.AmountIn = "currency"
		}
		if v.Form.Charges != "OUR" {
			v.Form.Charges = "SHA"
		}
	}
	return v, nil
}

func (s *Server) renderPayForm(w http.ResponseWriter, r *http.Request, status int, f payForm, errMsg string) {
	v, err := s.payFormView(r, f, errMsg)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, status, "nb_pay", v)
}

// handlePaymentForm draws "Ny betaling" with a fresh client id.
func (s *Server) handlePaymentForm(w http.ResponseWriter, r *http.Request) {
	if p := PrincipalOf(r); !canCreatePayments(p) {
		// "Betalinger" in the menu leads a user who may not create
		// payments to what the profile does allow (BIZ-5): an approver to
		// the approval queue, a viewer to the payment history.
		switch {
		case canApprovePayments(p):
			http.Redirect(w, r, "/netbank/betalinger/kommende", http.StatusSeeOther)
		case canSeePayments(p):
			http.Redirect(w, r, "/netbank/betalinger/historik", http.StatusSeeOther)
		default:
			forbidPayments(w, r, s, "creating")
		}
		return
	}
	mode := "transfer"
	switch r.URL.Query().Get("type") {
	case "kort":
		mode = "slip"
	case "udland":
		mode = "foreign"
	}
	s.renderPayForm(w, r, http.StatusOK, payForm{Mode: mode, ClientID: newClientID()}, "")
}

func readPayForm(r *http.Request) payForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := payForm{Mode: v("mode"), ClientID: v("client_id"), From: v("from"), ToKind: v("to_kind"), ToOwn: v("to_own"),
		Reg: v("reg"), Account: v("account"), Name: v("name"), Instant: v("instant") != "", Amount: v("amount"), Date: v("date"),
		TextToSelf: r.PostFormValue("text_self"), TextToRecipient: r.PostFormValue("text_recipient"), CodeLine: v("codeline"),
		SlipType: strings.TrimPrefix(v("slip_type"), "+"), SlipPaymentID: v("slip_id"), SlipAccount: v("slip_account"),
		IBAN: v("iban"), BIC: v("bic"), Address: v("address"), Country: strings.ToUpper(v("country")),
		Currency: strings.ToUpper(v("currency")), AmountIn: v("amount_in"), Charges: v("charges")}
	if f.Mode != "slip" && f.Mode != "foreign" {
		f.Mode = "transfer"
	}
	if f.ToKind != "own" {
		f.ToKind = "other"
	}
	return f
}

// handlePaymentCreate creates the payment (awaiting signature) and shows
// the review page; a refusal redraws the form with the bank's message.
func (s *Server) handlePaymentCreate(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "creating")
		return
	}
	ctx := r.Context()
	f := readPayForm(r)
	fail := func(msg string) { s.renderPayForm(w, r, http.StatusBadRequest, f, msg) }
	if f.ClientID == "" {
		f.ClientID = newClientID()
	}
	req := payment.Request{CustomerID: p.Customer.ID, UserID: p.User.ID, ClientID: f.ClientID, FromAccount: f.From,
		ToName: f.Name, TextToSelf: f.TextToSelf, TextToRecipient: f.TextToRecipient}
	if f.Amount == "" {
		fail(T(LangOf(r), "pay.err.amount"))
		return
	}
	amountCurrency := "DKK"
	if f.Mode == "foreign" && f.AmountIn != "dkk" {
		if _, err := netbank.LookupCurrency(f.Currency); err == nil {
			amountCurrency = f.Currency
		}
	}
	m, err := netbank.ParseAmount(f.Amount, amountCurrency)
	if err != nil {
		fail(netbank.ErrorMessageOf(err))
		return
	}
	req.Amount = m.Amount
	if f.Date != "" {
		d, ok := parseDanishDate(f.Date)
		if !ok {
			fail(T(LangOf(r), "pay.err.date"))
			return
		}
		req.Date = d
	}
	switch {
	case f.Mode == "foreign":
		req.ToIBAN, req.ToBIC, req.ToAddress, req.ToCountry = f.IBAN, f.BIC, f.Address, f.Country
		req.Currency, req.AmountInDKK, req.ChargeBearer = f.Currency, f.AmountIn == "dkk", f.Charges
		if strings.TrimSpace(req.ToIBAN) == "" {
			fail(T(LangOf(r), "pay.err.iban"))
			return
		}
	case f.Mode == "slip":
		req.ToName = ""
		// The code line pasted whole, or the fields typed one by one
		// (payments.js moves a pasted line into the fields); both at once
		// is for payment.Create to refuse.
		req.CodeLine = f.CodeLine
		if f.SlipPaymentID != "" || f.SlipAccount != "" {
			req.SlipType, req.SlipPaymentID, req.SlipAccount = f.SlipType, f.SlipPaymentID, f.SlipAccount
		}
		if strings.TrimSpace(req.CodeLine) == "" && req.SlipAccount == "" && req.SlipPaymentID == "" {
			fail(T(LangOf(r), "pay.err.codeline"))
			return
		}
	case f.ToKind == "own":
		to, err := s.accounts.Get(ctx, p.Customer.ID, f.ToOwn)
		if err != nil {
			fail(T(LangOf(r), "pay.err.own"))
			return
		}
		req.ToReg, req.ToAccount = to.Account.Reg, to.Account.Number
	default:
		req.ToReg, req.ToAccount, req.Instant = f.Reg, f.Account, f.Instant
	}
	pay, err := s.payments.Create(ctx, req)
	if err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID, netbank.EINSUFFICIENT, netbank.EUNAVAILABLE:
			fail(netbank.ErrorMessageOf(err))
		case netbank.ECONFLICT:
			f.ClientID = newClientID()
			s.renderPayForm(w, r, http.StatusConflict, f, netbank.ErrorMessageOf(err))
		default:
			s.Error(w, r, err)
		}
		return
	}
	if pay.Status != payment.AwaitingSignature {
		// A double submit of a payment already signed: its receipt.
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	v, err := s.paymentView(r, pay)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_pay_review", v)
}

// ---- review, receipt and the lists ----

// paymentView is one payment as the review, the receipt and the lists show it.
type paymentView struct {
	ID, URL    string
	Kind       string
	Amount     amountView
	Payee      string // "9070 0004410001 (Netbank)" or "+71 000100017156728 +81234567"
	Name       string
	From       string
	Date       string
	Moved      bool   // the chosen date was not a bank day
	Requested  string // the chosen date, when moved
	TextSelf   string
	TextRecip  string
	Status     string // in Danish
	StatusCode string
	Reason     string
	// NeedsApproval: a second user must approve it (business, above the limit).
	NeedsApproval bool
	Limit         string
	Cancellable   bool
	Mine          bool
	// Instant: a straksoverførsel.
	Instant bool
	// Foreign is a foreign transfer's price and payee (PAY-5); nil for
	// other payments.
	Foreign *foreignView
}

// foreignView is what the review page and the receipt show of a foreign
// transfer: the amount in the currency is paymentView.Amount.
type foreignView struct {
	IBAN, BIC, Address, Country string
	Currency                    string
	Rate, ReferenceRate         string // "753,5812" (kroner per 100), "" for DKK
	DKK, Fee, Total             amountView
	Charges                     string
	// Fixed: the rate is binding until Until (Copenhagen time); otherwise
	// it is indicative and set on the payment day.
	Fixed bool
	Until string
	// Message: the pacs.008 is written (the receipt links to it).
	Message bool
}

func (s *Server) paymentView(r *http.Request, p payment.Payment) (paymentView, error) {
	pr := PrincipalOf(r)
	lang := LangOf(r)
	v := paymentView{ID: p.ID, URL: paymentPathOf(p.ID), Kind: p.Kind.Danish(), Amount: money(p.Amount, p.Currency),
		Name: p.ToName, Date: p.ExecutionDate.Format("02.01.2006"), TextSelf: p.TextToSelf, TextRecip: p.TextToRecipient,
		StatusCode: string(p.Status), Reason: p.FailureReason, Cancellable: p.Status.Cancellable(), Mine: p.CreatedBy == pr.User.ID,
		Instant: p.Instant}
	if !p.RequestedDate.IsZero() && !p.RequestedDate.Equal(p.ExecutionDate) {
		v.Moved, v.Requested = true, p.RequestedDate.Format("02.01.2006")
	}
	if p.Kind == payment.Foreign {
		q := p.Quote
		v.Amount, v.Payee = money(q.Amount, q.Currency), dk.FormatIBAN(p.ToIBAN)+" ("+p.ToBIC+")"
		fv := &foreignView{IBAN: dk.FormatIBAN(p.ToIBAN), BIC: p.ToBIC, Address: p.ToAddress, Country: p.ToCountry, Currency: q.Currency,
			DKK: money(q.DKK, "DKK"), Fee: money(q.Fee, "DKK"), Total: money(q.DKK+q.Fee, "DKK"), Charges: payment.ChargesDanish(p.ChargeBearer),
			Fixed: p.RateFixed, Until: s.payments.QuoteExpires(p).In(s.zone).Format("15:04"), Message: p.Status == payment.Settled}
		if q.Currency != "DKK" {
			fv.Rate, fv.ReferenceRate = payment.FormatRate(q.CustomerRate), payment.FormatRate(q.ReferenceRate)
		}
		v.Foreign = fv
	} else if p.Kind == payment.SlipPayment {
		v.Payee = "+" + p.Slip.Type + " " + p.Slip.PaymentID
		if p.Slip.Creditor != "" {
			v.Payee += " +" + p.Slip.Creditor
		}
		if p.Slip.GiroAccount != "" {
			v.Payee += " " + p.Slip.GiroAccount
		}
	} else if p.Kind == payment.Betalingsservice {
		v.Payee = p.Payee()
	} else {
		v.Payee = p.ToReg + " " + p.ToAccount
		if name, ok := dk.BankName(p.ToReg); ok {
			v.Payee += " (" + name + ")"
		}
	}
	v.From = strings.Replace(p.FromAccount, "-", " ", 1)
	if a, err := s.accounts.Get(r.Context(), p.CustomerID, p.FromAccount); err == nil {
		v.From = accountLabel(a) + " (" + a.Display() + ")"
	}
	switch p.Status {
	case payment.Settled:
		v.Status = T(lang, "pay.status.settled")
		if p.Kind == payment.Foreign {
			v.Status = T(lang, "pay.status.sent")
		}
	case payment.Executing:
		v.Status = T(lang, "pay.status.executing")
	case payment.Scheduled:
		v.Status = T(lang, "pay.status.scheduled", v.Date)
	case payment.AwaitingApproval:
		v.Status = T(lang, "pay.status.approval")
	case payment.InClearing:
		v.Status = T(lang, "pay.status.clearing")
	case payment.Rejected:
		v.Status = T(lang, "pay.status.rejected")
	default:
		v.Status = p.Status.Danish()
	}
	if p.Status == payment.AwaitingSignature && pr.User.Kind == identity.BusinessUser {
		limit, ok, err := s.payments.ApprovalLimit(r.Context(), p.CustomerID)
		if err != nil {
			return v, err
		}
		if ok && p.Amount > limit {
			v.NeedsApproval, v.Limit = true, money(limit, "DKK").Text
		}
	}
	return v, nil
}

func accountLabel(a account.WithBalance) string {
	if a.Account.Name != "" {
		return a.Account.Name
	}
	return a.Product.Danish()
}

// handleReceipt draws the receipt of a payment.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.paymentView(r, pay)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_pay_receipt", v)
}

// handleOutboundMessage serves the pacs.008 message the bank sent for one
// of the customer's foreign transfers (PAY-5), as an XML download.
func (s *Server) handleOutboundMessage(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	id := r.PathValue("id")
	body, err := s.payments.OutboundMessage(r.Context(), p.Customer.ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			return c
		}
		return -1
	}, id)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-pacs008.xml"`)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// upcomingView is the Data of nb_pay_upcoming.
type upcomingView struct {
	Upcoming  []paymentView
	Approvals []paymentView
	// Collections are the Betalingsservice collections announced by
	// creditors (PAY-8, agreements.go), with "Afvis" while allowed.
	Collections []collectionView
	CanCancel   bool
	Approver    bool
	Notice      string
	// Refusal is the notice that a collection could no longer be rejected.
	Refusal string
}

// handleUpcoming draws "Kommende betalinger" (PAY-3): the customer's
// payments not yet executed, the Betalingsservice collections announced
// (PAY-8) and, for approvers, the payments of others that await approval
// (BIZ-3).
func (s *Server) handleUpcoming(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	list, err := s.payments.Upcoming(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := upcomingView{CanCancel: canCreatePayments(p), Approver: canApprovePayments(p)}
	switch r.URL.Query().Get("besked") {
	case "slettet":
		v.Notice = T(LangOf(r), "pay.notice.cancelled")
	case "godkendt":
		v.Notice = T(LangOf(r), "pay.notice.approved")
	case "afvist":
		v.Notice = T(LangOf(r), "agr.notice.collection.rejected")
	case "frist":
		v.Refusal = T(LangOf(r), "agr.notice.collection.toolate")
	}
	if v.Collections, err = s.upcomingCollections(r, p); err != nil {
		s.Error(w, r, err)
		return
	}
	for _, pay := range list {
		pv, err := s.paymentView(r, pay)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.Upcoming = append(v.Upcoming, pv)
		if v.Approver && pay.Status == payment.AwaitingApproval && pay.CreatedBy != p.User.ID && pay.SignedBy != p.User.ID {
			v.Approvals = append(v.Approvals, pv)
		}
	}
	s.Render(w, r, http.StatusOK, "nb_pay_upcoming", v)
}

// handlePaymentCancel deletes an upcoming payment (PAY-3).
func (s *Server) handlePaymentCancel(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "cancelling")
		return
	}
	if _, err := s.payments.Cancel(r.Context(), p.Customer.ID, r.PathValue("id"), p.User.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/betalinger/kommende?besked=slettet", http.StatusSeeOther)
}

// ---- signing ----

// paymentDocument is the body the user signs to confirm a payment.
func paymentDocument(p payment.Payment) string {
	return payment.Document(p) + paymentIDLine + p.ID
}

// approvalDocument is the body a second user signs to approve a payment.
func approvalDocument(p payment.Payment) string {
	return approvalHeading + paymentDocument(p)
}

// handlePaymentSign ("Godkend og underskriv") draws the signing page for
// a payment awaiting its creator's signature.
func (s *Server) handlePaymentSign(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "signing")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if pay.Status != payment.AwaitingSignature {
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	if pay.CreatedBy != p.User.ID {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal underskrives af den bruger, der har oprettet den."))
		return
	}
	s.beginSigning(w, r, signKindPayment, paymentDocument(pay))
}

// handlePaymentApprove ("Godkend") draws the signing page of a second
// user's approval (BIZ-3).
func (s *Server) handlePaymentApprove(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canApprovePayments(p) {
		forbidPayments(w, r, s, "approving")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if pay.Status != payment.AwaitingApproval {
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	if pay.CreatedBy == p.User.ID || pay.SignedBy == p.User.ID {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal godkendes af en anden bruger end den, der oprettede den."))
		return
	}
	s.beginSigning(w, r, signKindPaymentApproval, approvalDocument(pay))
}

// signedPayment reads the payment a signed document names (the last line,
// "Betaling: <id>") and checks that the signed body is exactly the text
// the bank makes of that payment (SIGN-2).
func (s *Server) signedPayment(r *http.Request, doc identity.SignedDocument, text func(payment.Payment) string) (payment.Payment, error) {
	p := PrincipalOf(r)
	body, id, ok := signedBody(doc, paymentIDLine)
	if !ok {
		return payment.Payment{}, netbank.Errorf(netbank.EINVALID, "web: signed document %s names no payment", doc.ID)
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, id)
	if err != nil {
		return payment.Payment{}, err
	}
	if body != signCanonical(text(pay)) {
		return payment.Payment{}, netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the text of payment %s", doc.ID, pay.ID)
	}
	return pay, nil
}

// paymentSigned confirms a payment once its creator has signed it; a
// payment for today is executed at once.
func (s *Server) paymentSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow signing payments")
	}
	pay, err := s.signedPayment(r, doc, paymentDocument)
	if err != nil {
		return "", err
	}
	if pay, err = s.payments.Confirm(r.Context(), p.Customer.ID, pay.ID, doc.ID, p.User.ID); err != nil {
		return "", err
	}
	return paymentPathOf(pay.ID) + "/kvittering", nil
}

// paymentApprovalSigned approves a payment once a second user has signed
// the approval (BIZ-3).
func (s *Server) paymentApprovalSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canApprovePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow approving payments")
	}
	pay, err := s.signedPayment(r, doc, approvalDocument)
	if err != nil {
		return "", err
	}
	if pay, err = s.payments.Approve(r.Context(), p.Customer.ID, pay.ID, p.User.ID, doc.ID); err != nil {
		return "", err
	}
	return paymentPathOf(pay.ID) + "/kvittering", nil
}
