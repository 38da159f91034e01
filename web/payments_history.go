package web

// The history of payments and the search of incoming SWIFT payments
// (RULE PAY-7), two tabs of "Betalinger" next to "Kommende betalinger":
//
//	GET /netbank/betalinger/historik   the customer's past payments, newest first: period (execution
//	                                   date), text, amount from/to, paying account and status; "Vis
//	                                   flere" pages on; each row links to its receipt
//	GET /netbank/betalinger/fra-udlandet     incoming SWIFT payments booked to the customer's accounts,
//	                                   newest first: period (booking date), sender, amount, currency;
//	                                   a payment converted into kroner shows the amount sent, the
//	                                   kroner booked ("Indsat i kroner") and the bank's buying rate
//
// Both read through payment.Service.Search and SearchIncoming, which take
// the customer id of the session: nothing of another customer can be
// listed, and the account filter accepts only the customer's own accounts.
// Business users need a profile that may see payments (BIZ-5), as for
// "Kommende betalinger". Searches are GET forms (nothing changes), so the
// page can be bookmarked and reloaded; what is typed is checked and shown
// back, and wrong fields answer 400 with Danish messages.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/payment"
)

// historyPage is how many payments a page of the history shows.
const historyPage = 50

// The statuses the history can show: "" is every payment that was made or
// refused; the others narrow it.
var historyStatuses = map[string][]payment.Status{
	"":            {payment.Settled, payment.InClearing, payment.Rejected},
	"gennemfoert": {payment.Settled, payment.InClearing},
	"afvist":      {payment.Rejected},
	"slettet":     {payment.Cancelled},
}

// historyForm is a search as typed (shown again) and as understood.
type historyForm struct {
	// As typed: fra, til, tekst, beloeb_fra, beloeb_til, konto, status
	// (the SWIFT search: afsender for tekst, valuta for konto/status).
	From, To, Text, AmountFrom, AmountTo, Account, Status, Currency string

	// As understood: the civil days of the period, its instants in
	// Copenhagen [start, end), and the amounts (0: open).
	FirstDay, LastDay time.Time
	start, end        time.Time
	min, max          int64
	// The cursor of "Vis flere": created (or booked) before, and id.
	before   time.Time
	beforeID string

	fieldErrors
}

// Filtered reports whether the search narrows more than the period.
func (f *historyForm) Filtered() bool {
	return f.Text != "" || f.min > 0 || f.max > 0 || f.Account != "" || f.Status != "" || f.Currency != ""
}

// parseHistoryForm reads the fields every search has: the period (default
// the last three months up to today), the text field named textField, and
// the amount range in currency.
func (s *Server) parseHistoryForm(r *http.Request, textField, currency string) *historyForm {
	lang := LangOf(r)
	q := r.URL.Query()
	f := &historyForm{}
	field := func(name string) string {
		return f.typed(lang, q, name, payment.MaxIncomingText, payment.MaxIncomingText)
	}
	f.From, f.To, f.Text = field("fra"), field("til"), field(textField)
	f.AmountFrom, f.AmountTo = field("beloeb_fra"), field("beloeb_til")
	if len(f.Errors) > 0 {
		return f
	}

	today := civilDay(s.clock.Now().In(s.zone))
	first, okFrom := f.typedDay(lang, "fra", f.From, "acc.err.from", today.AddDate(0, -defaultMonths, 0))
	last, okTo := f.typedDay(lang, "til", f.To, "acc.err.to", today)
	if f.To == "" && f.From != "" && okFrom && first.After(today) {
		last = first
	}
	if okFrom && okTo {
		if f.From == "" && f.To != "" {
			first = last.AddDate(0, -defaultMonths, 0)
		}
		switch {
		case last.Before(first):
			f.fail("til", T(lang, "acc.err.order"))
		case first.AddDate(maxPeriodYears, 0, 0).Before(last):
			f.fail("fra", T(lang, "acc.err.span", maxPeriodYears))
		}
		f.FirstDay, f.LastDay = first, last
		f.start, f.end = s.dayBounds(first, last)
	}
	if utf8.RuneCountInString(f.Text) > payment.MaxIncomingText {
		f.fail(textField, T(lang, "acc.err.text", payment.MaxIncomingText))
	}

	parse := func(name, v, label string) int64 {
		n, ok := f.typedAmount(lang, name, label, v, currency)
		if ok && n <= 0 {
			f.fail(name, T(lang, label)+": "+T(lang, "hist.err.positive"))
			return 0
		}
		return n
	}
	f.min = parse("beloeb_fra", f.AmountFrom, "acc.search.amountfrom")
	f.max = parse("beloeb_til", f.AmountTo, "acc.search.amountto")
	if f.min > 0 && f.max > 0 && f.min > f.max {
		f.fail("beloeb_til", T(lang, "acc.err.amountorder"))
	}

	if us, err := strconv.ParseInt(q.Get("foer"), 10, 64); err == nil && us > 0 {
		if id := q.Get("foer_id"); id != "" && len(id) <= 64 {
			f.before, f.beforeID = time.UnixMicro(us).UTC(), id
		}
	}
	return f
}

// query is the search as URL parameters, without the cursor.
func (f *historyForm) query(textField string) url.Values {
	q := url.Values{}
	if !f.FirstDay.IsZero() {
		q.Set("fra", f.FirstDay.Format("02.01.2006"))
		q.Set("til", f.LastDay.Format("02.01.2006"))
	}
	for k, v := range map[string]string{textField: f.Text, "beloeb_fra": f.AmountFrom, "beloeb_til": f.AmountTo,
		"konto": f.Account, "status": f.Status, "valuta": f.Currency} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// historyPages is what both searches show around their rows: the period
// and the links to the newest and to the next page.
type historyPages struct {
	// FirstDay and LastDay are the period shown ("01.09.2026").
	FirstDay, LastDay string
	// MoreURL shows the next (older) items; FirstURL the newest again.
	MoreURL, FirstURL string
	// Older: this is not the first page.
	Older bool
}

// cutHistoryPage cuts found, read with up to historyPage+1 items, to one
// page and makes the period and links of the search at base (textField
// names its text field): "Vis flere" continues after the last item shown,
// created (or booked) at the time and with the id that cursor gives.
func cutHistoryPage[T any](f *historyForm, found []T, base, textField string, cursor func(T) (time.Time, string)) ([]T, historyPages) {
	pg := historyPages{FirstDay: f.FirstDay.Format("02.01.2006"), LastDay: f.LastDay.Format("02.01.2006"), Older: !f.before.IsZero()}
	q := f.query(textField)
	pg.FirstURL = base + "?" + q.Encode()
	if len(found) > historyPage {
		found = found[:historyPage]
		at, id := cursor(found[len(found)-1])
		q.Set("foer", strconv.FormatInt(at.UnixMicro(), 10))
		q.Set("foer_id", id)
		pg.MoreURL = base + "?" + q.Encode()
	}
	return found, pg
}

// searchRefused answers a search the payments refused with err: a text
// they cannot search for (EINVALID) marks the form's text field with the
// bank's message and draws view with data again (400); anything else is
// the error page.
func (s *Server) searchRefused(w http.ResponseWriter, r *http.Request, err error, f *historyForm, textField, view string, data any) {
	if netbank.ErrorCodeOf(err) != netbank.EINVALID {
		s.Error(w, r, err)
		return
	}
	f.fail(textField, netbank.ErrorMessageOf(err))
	s.Render(w, r, http.StatusBadRequest, view, data)
}

// historyOption is an option of a select on the search form.
type historyOption struct {
	Value, Label string
	Selected     bool
}

// ---- the history of payments ----

// historyRow is one payment in the history.
type historyRow struct {
	ID, URL   string
	Date      string
	ISODate   string
	Kind      string
	Payee     string
	Name      string
	From      string
	Text      string
	Amount    amountView
	Status    string
	StatusKey string
}

// historyView is the Data of nb_pay_history.
type historyView struct {
	Form     *historyForm
	Accounts []historyOption
	Statuses []historyOption
	Rows     []historyRow
	historyPages
}

// handleHistory draws the search of past payments (PAY-7).
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	ctx := r.Context()
	lang := LangOf(r)
	f := s.parseHistoryForm(r, "tekst", "DKK")
	q := r.URL.Query()
	f.Account = cleanField(q.Get("konto"), 64)
	f.Status = cleanField(q.Get("status"), 20)
	v := historyView{Form: f}

	list, err := s.accounts.List(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	labels := accountNames(list)
	known := false
	for _, a := range list {
		v.Accounts = append(v.Accounts, historyOption{Value: a.Account.ID, Label: labels[a.Account.ID], Selected: a.Account.ID == f.Account})
		known = known || a.Account.ID == f.Account
	}
	if f.Account != "" && !known {
		f.fail("konto", T(lang, "hist.err.account"))
	}
	statuses, ok := historyStatuses[f.Status]
	if !ok {
		f.fail("status", T(lang, "hist.err.status"))
	}
	for _, st := range []string{"", "gennemfoert", "afvist", "slettet"} {
		v.Statuses = append(v.Statuses, historyOption{Value: st, Label: T(lang, "hist.status."+statusKey(st)), Selected: st == f.Status})
	}
	if len(f.Errors) > 0 {
		s.Render(w, r, http.StatusBadRequest, "nb_pay_history", v)
		return
	}

	filter := payment.Filter{Query: payment.Query{Statuses: statuses, AccountID: f.Account, FromDate: f.FirstDay, ToDate: f.LastDay,
		MinAmount: f.min, MaxAmount: f.max, BeforeCreated: f.before, BeforeID: f.beforeID, Limit: historyPage + 1}, Text: f.Text}
	found, err := s.payments.Search(ctx, p.Customer.ID, filter)
	if err != nil {
		s.searchRefused(w, r, err, f, "tekst", "nb_pay_history", v)
		return
	}
	found, v.historyPages = cutHistoryPage(f, found, "/netbank/betalinger/historik", "tekst",
		func(p payment.Payment) (time.Time, string) { return p.CreatedAt, p.ID })
	for _, pay := range found {
		v.Rows = append(v.Rows, historyRowOf(lang, pay, labels))
	}
	s.Render(w, r, http.StatusOK, "nb_pay_history", v)
}

// statusKey names a status filter in the catalog.
func statusKey(st string) string {
	if st == "" {
		return "all"
	}
	return st
}

// historyRowOf is a payment as the history shows it.
func historyRowOf(lang Lang, p payment.Payment, accounts map[string]string) historyRow {
	row := historyRow{ID: p.ID, URL: paymentPathOf(p.ID) + "/kvittering", Date: p.ExecutionDate.Format("02.01.2006"),
		ISODate: p.ExecutionDate.Format(time.DateOnly), Kind: p.Kind.Danish(), Payee: p.Payee(), Name: p.ToName,
		Text: p.TextToSelf, Amount: money(p.Amount, p.Currency), StatusKey: string(p.Status)}
	if p.Kind != payment.SlipPayment && p.ToReg != "" {
		if name, ok := dk.BankName(p.ToReg); ok {
			row.Payee += " (" + name + ")"
		}
	}
	row.From = accounts[p.FromAccount]
	if row.From == "" {
		row.From = strings.Replace(p.FromAccount, "-", " ", 1)
	}
	switch p.Status {
	case payment.Settled:
		row.Status = T(lang, "pay.status.settled")
	case payment.InClearing:
		row.Status = T(lang, "pay.status.clearing")
	case payment.Rejected:
		row.Status = T(lang, "pay.status.rejected")
	default:
		row.Status = p.Status.Danish()
	}
	return row
}

// ---- incoming SWIFT payments ----

// swiftRow is one incoming SWIFT payment.
type swiftRow struct {
	ID      string
	Date    string
	ISODate string
	Sender  string
	// SenderAccount is the sender's account as sent (often an IBAN).
	SenderAccount string
	// BIC is the sending bank's.
	BIC string
	// Original is the amount as sent, in its currency; Booked the kroner
	// booked to the account (empty when the payment booked no kroner);
	// Conversion says, for a payment converted into kroner, from what and
	// at which rate: "1.000,00 EUR til kurs 738,6588" (the bank's buying
	// rate, kroner per 100); "" for one that was not converted.
	Original   amountView
	Booked     amountView
	HasDKK     bool
	Conversion string
	To         string
	Text       string
	Status     string
}

// swiftView is the Data of nb_pay_swift.
type swiftView struct {
	Form       *historyForm
	Currencies []historyOption
	Rows       []swiftRow
	historyPages
}

// swiftScan bounds how many incoming payments one page may look through
// when a currency narrows the search (the store pages by 500).
const swiftScan = 20 * payment.MaxPage

// handleSWIFT draws the search of incoming SWIFT payments (PAY-7).
func (s *Server) handleSWIFT(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	ctx := r.Context()
	lang := LangOf(r)
	q := r.URL.Query()
	currency := strings.ToUpper(cleanField(q.Get("valuta"), 10))
	amountIn := "DKK"
	v := swiftView{}
	if currency != "" {
		if c, err := netbank.LookupCurrency(currency); err == nil && c.Code == currency {
			amountIn = c.Code
		}
	}
	f := s.parseHistoryForm(r, "afsender", amountIn)
	f.Currency = currency
	v.Form = f
	if currency != "" && amountIn != currency {
		f.fail("valuta", T(lang, "hist.err.currency"))
	}
	v.Currencies = append(v.Currencies, historyOption{Value: "", Label: T(lang, "hist.swift.currency.all"), Selected: currency == ""})
	for _, c := range netbank.Currencies() {
		v.Currencies = append(v.Currencies, historyOption{Value: c.Code, Label: c.Code, Selected: c.Code == currency})
	}
	if len(f.Errors) > 0 {
		s.Render(w, r, http.StatusBadRequest, "nb_pay_swift", v)
		return
	}

	list, err := s.accounts.List(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	labels := accountNames(list)

	// Newest first, a page at a time; a currency is picked out here, so
	// keep reading (within swiftScan) until the page is full. The store
	// compares amounts with what was booked (kroner): amounts typed in
	// another currency are compared here with the amount sent.
	sentAmounts := currency != "" && currency != "DKK"
	filter := payment.IncomingFilter{IncomingQuery: payment.IncomingQuery{SWIFTOnly: true, From: f.start, To: f.end,
		MinAmount: f.min, MaxAmount: f.max, BeforeBooked: f.before, BeforeID: f.beforeID, Limit: payment.MaxPage}, Text: f.Text}
	if sentAmounts {
		filter.MinAmount, filter.MaxAmount = 0, 0
	}
	var found []payment.Incoming
	for scanned := 0; len(found) <= historyPage && scanned < swiftScan; {
		batch, err := s.payments.SearchIncoming(ctx, p.Customer.ID, filter)
		if err != nil {
			s.searchRefused(w, r, err, f, "afsender", "nb_pay_swift", v)
			return
		}
		for _, in := range batch {
			sent := in.Sent()
			if sentAmounts && (f.min > 0 && sent.Amount < f.min || f.max > 0 && sent.Amount > f.max) {
				continue
			}
			if currency == "" || sent.Currency == currency {
				found = append(found, in)
				if len(found) > historyPage {
					break
				}
			}
		}
		scanned += len(batch)
		if len(batch) < payment.MaxPage {
			break
		}
		last := batch[len(batch)-1]
		filter.BeforeBooked, filter.BeforeID = last.BookedAt, last.ID
	}
	found, v.historyPages = cutHistoryPage(f, found, "/netbank/betalinger/fra-udlandet", "afsender",
		func(in payment.Incoming) (time.Time, string) { return in.BookedAt, in.ID })
	for _, in := range found {
		sent := in.Sent()
		row := swiftRow{ID: in.ID, Date: s.danishDate(in.BookedAt), ISODate: in.BookedAt.In(s.zone).Format(time.DateOnly),
			Sender: in.FromName, SenderAccount: in.FromAccount, BIC: in.Source, Original: money(sent.Amount, sent.Currency),
			To: labels[in.AccountID], Text: in.Text}
		if in.Currency == "DKK" && in.Status == payment.Booked {
			row.Booked, row.HasDKK = money(in.Amount, "DKK"), true
			if in.Converted() {
				row.Conversion = T(lang, "hist.swift.rate", row.Original.Text, payment.FormatRate(in.Rate))
			}
		}
		switch in.Status {
		case payment.Booked:
			row.Status = T(lang, "hist.swift.booked")
		case payment.Returned:
			row.Status = T(lang, "hist.swift.returned")
		default:
			row.Status = T(lang, "hist.swift.received")
		}
		v.Rows = append(v.Rows, row)
	}
	s.Render(w, r, http.StatusOK, "nb_pay_swift", v)
}
