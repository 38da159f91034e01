package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
)

// The customer's accounts and their postings ("Konti og posteringer"):
//
//	GET /netbank/konti                   the accounts: name, product, reg + account number (PAY-2), IBAN,
//	                                     balance, available amount, overdraft limit, totals
//	GET /netbank/konti/{id}              the postings, newest first, searched by period, text and amount,
//	                                     "Vis flere" through the ledger's cursor
//	GET /netbank/konti/{id}/eksport.csv  the same postings as CSV for Danish Excel
//	GET /netbank/konti/{id}/kontoudtog   a printable statement (kontoudtog) for a period
//
// Every page is behind RequireUser and shows only the customer's own
// accounts: account.Service looks an account up by customer, so another
// customer's account id is "not found" (404), exactly like an id that does
// not exist. A business user also needs the profile's "see" permission
// (BIZ-5); without it the pages answer 403.

// registerAccounts adds the account pages.
func (s *Server) registerAccounts() {
	s.Handle("GET /netbank/konti", s.RequireUser(s.requireView(s.handleAccounts)))
	s.Handle("GET /netbank/konti/{id}", s.RequireUser(s.requireView(s.handleAccount)))
	s.Handle("GET /netbank/konti/{id}/eksport.csv", s.RequireUser(s.requireView(s.handleAccountCSV)))
	s.Handle("GET /netbank/konti/{id}/kontoudtog", s.RequireUser(s.requireView(s.handleStatement)))
}

// canViewAccounts reports whether the logged-in user may see the
// customer's accounts: every private user, and business users whose
// profile has "see" (BIZ-5).
func (s *Server) canViewAccounts(p *Principal) bool {
	return s.accounts != nil && s.ledger != nil && p != nil && p.User != nil && p.User.Can(identity.PermView)
}

// requireView lets through only users who may see the accounts (403 for
// the others).
func (s *Server) requireView(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.accounts == nil || s.ledger == nil {
			s.NotFound(w, r)
			return
		}
		if !s.canViewAccounts(PrincipalOf(r)) {
			s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "the user's profile does not allow seeing accounts"))
			return
		}
		next(w, r)
	})
}

// ---- formatting ----

// amountView is a sum of money as a page shows it.
type amountView struct {
	// Text is the amount the Danish way: "12.345,67 kr.", "-500,00 kr.";
	// for a posting "+32.450,00" or "-9.850,00" (the table says the currency).
	Text     string
	Negative bool
}

// money formats minor units of currency with the currency: "1.234,56 kr.".
func money(minor int64, currency string) amountView {
	return amountView{Text: netbank.NewMoney(minor, currency).String(), Negative: minor < 0}
}

// exponentOf is the number of decimals of the currency (2 if unknown).
func exponentOf(currency string) int {
	if c, err := netbank.LookupCurrency(currency); err == nil {
		return c.Exponent
	}
	return 2
}

// plain formats minor units without the currency: "1.234,56", "-0,05".
func plain(minor int64, currency string) amountView {
	return amountView{Text: netbank.FormatAmount(minor, exponentOf(currency)), Negative: minor < 0}
}

// signed formats a posting's amount with its sign, so credits and debits
// differ by more than colour: "+32.450,00", "-9.850,00".
func signed(minor int64, currency string) amountView {
	v := plain(minor, currency)
	if minor > 0 {
		v.Text = "+" + v.Text
	}
	return v
}

// currencyLabel is how the tables name the currency: "kr." for kroner.
func currencyLabel(currency string) string {
	if currency == "DKK" {
		return "kr."
	}
	return currency
}

// danishDate formats a moment's date in Copenhagen: "21.11.2026".
func (s *Server) danishDate(t time.Time) string { return t.In(s.zone).Format("02.01.2006") }

// ---- the list of accounts ----

// accountRow is one account on the list and on the overview.
type accountRow struct {
	ID      string
	URL     string
	Name    string
	Product string
	// Number is reg + account number the Danish way, "9070 0004410001"
	// (RULE PAY-2); IBAN is grouped in fours.
	Number    string
	IBAN      string
	Currency  string
	Balance   amountView
	Available amountView
	// Overdraft and Pending are zero amounts when there is none.
	Overdraft    amountView
	HasOverdraft bool
	Pending      amountView
	HasPending   bool
	// PendingText is the reserved amount without its sign, for "heraf
	// reserveret 249,95 kr.".
	PendingText string
}

// accountTotal sums the accounts of one currency.
type accountTotal struct {
	Currency  string
	Balance   amountView
	Available amountView
}

// accountsSummary is the Data part the list and the overview share.
type accountsSummary struct {
	Accounts []accountRow
	Totals   []accountTotal
}

func newAccountRow(a account.WithBalance) accountRow {
	cur := a.Account.Currency
	row := accountRow{ID: a.Account.ID, URL: "/netbank/konti/" + url.PathEscape(a.Account.ID), Name: a.Account.Name,
		Product: a.Product.Danish(), Number: a.Display(), IBAN: dk.FormatIBAN(a.IBAN), Currency: cur,
		Balance: money(a.Posted, cur), Available: money(a.Available, cur),
		Overdraft: money(a.Overdraft, cur), HasOverdraft: a.Overdraft > 0,
		Pending: money(-a.Pending, cur), HasPending: a.Pending > 0, PendingText: money(a.Pending, cur).Text}
	if row.Name == "" {
		row.Name = row.Product
	}
	return row
}

// summarizeAccounts lists the customer's accounts with totals per currency
// (in the order the currencies first appear).
func (s *Server) summarizeAccounts(ctx context.Context, customerID string) (*accountsSummary, error) {
	list, err := s.accounts.List(ctx, customerID)
	if err != nil {
		return nil, err
	}
	sum := &accountsSummary{}
	type tot struct{ balance, available int64 }
	totals := map[string]*tot{}
	var order []string
	for _, a := range list {
		sum.Accounts = append(sum.Accounts, newAccountRow(a))
		cur := a.Account.Currency
		if totals[cur] == nil {
			totals[cur] = &tot{}
			order = append(order, cur)
		}
		totals[cur].balance += a.Posted
		totals[cur].available += a.Available
	}
	for _, cur := range order {
		sum.Totals = append(sum.Totals, accountTotal{Currency: cur, Balance: money(totals[cur].balance, cur),
			Available: money(totals[cur].available, cur)})
	}
	return sum, nil
}

// overviewAccounts is the accounts part of the overview: nil when the user
// may not see accounts (a business profile without "see").
func (s *Server) overviewAccounts(r *http.Request, p *Principal) (*accountsSummary, error) {
	if !s.canViewAccounts(p) {
		return nil, nil
	}
	return s.summarizeAccounts(r.Context(), p.Customer.ID)
}

// accountsView is the Data of nb_accounts.
type accountsView struct {
	Business bool
	Customer string
	*accountsSummary
}

// handleAccounts draws "Konti": every account of the customer.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	sum, err := s.summarizeAccounts(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_accounts", accountsView{Business: p.User.Kind == identity.BusinessUser,
		Customer: p.Customer.Name, accountsSummary: sum})
}

// ---- the search of postings ----

// Limits of the search.
const (
	// postingsPage is how many postings a page shows ("Vis flere" shows
	// the next ones).
	postingsPage = 50
	// defaultMonths is the period shown when none is chosen.
	defaultMonths = 3
	// maxPeriodYears bounds a period.
	maxPeriodYears = 5
	// maxExportRows and maxStatementRows bound a CSV file and a statement.
	maxExportRows    = 50_000
	maxStatementRows = 10_000
	// maxFieldBytes: anything longer is refused before it is parsed.
	maxFieldBytes = 4 * ledger.MaxSearchText
)

// postingForm holds the search as typed (the form shows it again) and as
// understood.
type postingForm struct {
	// As typed: fra, til, tekst, beloeb_fra, beloeb_til.
	From, To, Text, AmountFrom, AmountTo string

	// As understood: the period [start, end) in Copenhagen, with its first
	// and last civil day.
	FirstDay, LastDay time.Time
	start, end        time.Time
	text              string
	amount            *ledger.AmountRange
	// before is the "Vis flere" cursor (foer).
	before int64

	fieldErrors
}

// Filtered reports whether the search narrows by text or amount.
func (f *postingForm) Filtered() bool { return f.text != "" || f.amount != nil }

// query is the search as URL parameters (without the cursor), for the
// export, the statement and "Vis flere" links.
func (f *postingForm) query() url.Values {
	q := url.Values{}
	q.Set("fra", f.FirstDay.Format("02.01.2006"))
	q.Set("til", f.LastDay.Format("02.01.2006"))
	if f.Text != "" {
		q.Set("tekst", f.Text)
	}
	if f.AmountFrom != "" {
		q.Set("beloeb_fra", f.AmountFrom)
	}
	if f.AmountTo != "" {
		q.Set("beloeb_til", f.AmountTo)
	}
	return q
}

// fieldErrors are the fields of a search form that are wrong: Errors the
// Danish (or English) messages, Bad marks the fields. The searches of
// postings and of payments read their fields alike with its methods.
type fieldErrors struct {
	Errors []string
	Bad    map[string]bool
}

// fail marks field as wrong with msg.
func (e *fieldErrors) fail(field, msg string) {
	if e.Bad == nil {
		e.Bad = map[string]bool{}
	}
	e.Bad[field] = true
	e.Errors = append(e.Errors, msg)
}

// typed reads the field name of the query q as typed, made safe to show
// (cleanField) at most max characters long; a value over maxFieldBytes
// fails (and is cut to maxTooLong).
func (e *fieldErrors) typed(lang Lang, q url.Values, name string, max, maxTooLong int) string {
	v := q.Get(name)
	if len(v) > maxFieldBytes {
		e.fail(name, T(lang, "acc.err.toolong"))
		return cleanField(v, maxTooLong)
	}
	return cleanField(v, max)
}

// typedDay reads the date typed in the field name, v (parseDanishDate):
// def when nothing is typed; ok is false, and the field fails with the
// message msgKey, when it is no date.
func (e *fieldErrors) typedDay(lang Lang, name, v, msgKey string, def time.Time) (time.Time, bool) {
	if v == "" {
		return def, true
	}
	d, ok := parseDanishDate(v)
	if !ok {
		e.fail(name, T(lang, msgKey))
	}
	return d, ok
}

// typedAmount reads the amount typed in the field name, v, in currency
// (Danish format): ok is false when nothing is typed, or when it is no
// amount; then the field fails with its label and the bank's reason (a
// general one in English).
func (e *fieldErrors) typedAmount(lang Lang, name, label, v, currency string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	m, err := netbank.ParseAmount(v, currency)
	if err != nil {
		msg := T(lang, "acc.err.amount")
		if lang == Danish {
			if _, text, ok := userError(err); ok {
				msg = text
			}
		}
		e.fail(name, T(lang, label)+": "+msg)
		return 0, false
	}
	return m.Amount, true
}

// dayBounds is the period of the civil days first–last (both included) as
// the instants [start, end) in the bank's time zone.
func (s *Server) dayBounds(first, last time.Time) (start, end time.Time) {
	return time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, s.zone),
		time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, s.zone)
}

// cleanField makes a typed value safe to keep and show: valid UTF-8,
// trimmed, and cut to at most max characters.
func cleanField(s string, max int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

// parseDanishDate reads a date as Danes write it: "21.11.2026" (also
// "21-11-2026", "21/11/2026", "1.9.2026" and "21112026"), or as a date
// field sends it, "2026-11-21". It returns the civil date at midnight UTC.
func parseDanishDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 20 {
		return time.Time{}, false
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, t.Year() >= 1900 && t.Year() <= 2200
	}
	var parts []string
	switch {
	case len(s) == 8 && strings.Trim(s, "0123456789") == "":
		parts = []string{s[0:2], s[2:4], s[4:8]}
	default:
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '/' })
	}
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return time.Time{}, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return time.Time{}, false
		}
		n[i] = v
	}
	t := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[0] || int(t.Month()) != n[1] || n[2] < 1900 || n[2] > 2200 {
		return time.Time{}, false // 31.02 and the like
	}
	return t, true
}

// parsePostingForm reads the search from the query. Wrong fields become
// messages (f.Errors); nothing typed can reach the database other than as
// a parameter of a query.
func (s *Server) parsePostingForm(r *http.Request, currency string) *postingForm {
	lang := LangOf(r)
	q := r.URL.Query()
	f := &postingForm{}
	field := func(name string) string { return f.typed(lang, q, name, maxFieldBytes, ledger.MaxSearchText) }
	f.From, f.To, f.Text = field("fra"), field("til"), field("tekst")
	f.AmountFrom, f.AmountTo = field("beloeb_fra"), field("beloeb_til")
	if len(f.Errors) > 0 {
		return f
	}

	// The period: default the last three months up to today.
	today := civilDay(s.clock.Now().In(s.zone))
	first, okFrom := f.typedDay(lang, "fra", f.From, "acc.err.from", time.Time{})
	last, okTo := f.typedDay(lang, "til", f.To, "acc.err.to", time.Time{})
	if okFrom && okTo {
		switch {
		case f.From == "" && f.To == "":
			last = today
			first = last.AddDate(0, -defaultMonths, 0)
		case f.From == "":
			first = last.AddDate(0, -defaultMonths, 0)
		case f.To == "":
			last = today
		}
		// Nothing is booked after today: a period ends today at the latest,
		// so its closing balance is never dated in the future.
		if last.After(today) && !first.After(today) {
			last = today
		}
		switch {
		case first.After(today):
			f.fail("fra", T(lang, "acc.err.future"))
		case last.Before(first):
			f.fail("til", T(lang, "acc.err.order"))
		case first.AddDate(maxPeriodYears, 0, 0).Before(last):
			f.fail("fra", T(lang, "acc.err.span", maxPeriodYears))
		}
		f.FirstDay, f.LastDay = first, last
		f.start, f.end = s.dayBounds(first, last)
	}

	// The text: at most as long as a posting's text can be.
	f.text = f.Text
	if utf8.RuneCountInString(f.text) > ledger.MaxSearchText {
		f.fail("tekst", T(lang, "acc.err.text", ledger.MaxSearchText))
	}

	// The amount: exact (the same in both fields) or a range, in Danish
	// format. Without a minus the amount is compared without its sign, so
	// 500 finds both a payment and a deposit of 500 kr.
	lo, hasLo := f.typedAmount(lang, "beloeb_fra", "acc.search.amountfrom", f.AmountFrom, currency)
	hi, hasHi := f.typedAmount(lang, "beloeb_til", "acc.search.amountto", f.AmountTo, currency)
	if hasLo || hasHi {
		abs := (!hasLo || lo >= 0) && (!hasHi || hi >= 0)
		a := &ledger.AmountRange{Min: lo, Max: hi, Abs: abs}
		if !hasLo {
			a.Min = 0
			if !abs {
				a.Min = math.MinInt64 + 1
			}
		}
		if !hasHi {
			a.Max = math.MaxInt64
		}
		if a.Min > a.Max {
			f.fail("beloeb_til", T(lang, "acc.err.amountorder"))
		}
		f.amount = a
	}

	if v, err := strconv.ParseInt(q.Get("foer"), 10, 64); err == nil && v > 0 {
		f.before = v
	}
	return f
}

// civilDay is t's calendar date (in t's location) at midnight UTC.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// accountName names an account on the payment pages: its name and
// number, "Lønkonto (9070 0004410001)".
func accountName(a account.WithBalance) string { return accountLabel(a) + " (" + a.Display() + ")" }

// accountNames maps the ids of the accounts of list to their accountName.
func accountNames(list []account.WithBalance) map[string]string {
	names := make(map[string]string, len(list))
	for _, a := range list {
		names[a.Account.ID] = accountName(a)
	}
	return names
}

// dkkOptions are the open kroner accounts of list as the options of a
// select of the account to pay from, with what is available on each; the
// one with the id selected is chosen.
func dkkOptions(list []account.WithBalance, selected string) []payAccountOption {
	var out []payAccountOption
	for _, a := range list {
		if !a.ClosedAt.IsZero() || a.Account.Currency != "DKK" {
			continue
		}
		out = append(out, payAccountOption{ID: a.Account.ID, Label: accountName(a), Available: money(a.Available, a.Account.Currency),
			Selected: a.Account.ID == selected})
	}
	return out
}

// loadAccount finds the customer's account of the request's {id}; another
// customer's account (or none) is not found.
func (s *Server) loadAccount(w http.ResponseWriter, r *http.Request) (account.WithBalance, bool) {
	p := PrincipalOf(r)
	id := r.PathValue("id")
	if len(id) > 64 {
		s.NotFound(w, r)
		return account.WithBalance{}, false
	}
	a, err := s.accounts.Get(r.Context(), p.Customer.ID, id)
	if err != nil {
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			s.NotFound(w, r)
		} else {
			s.Error(w, r, err)
		}
		return account.WithBalance{}, false
	}
	return a, true
}

// postingRow is one posting on the page and in the statement.
type postingRow struct {
	Date    string
	ISODate string
	Text    string
	Amount  amountView
	Credit  bool
	Balance amountView
}

func (s *Server) postingRow(e ledger.Entry, currency string) postingRow {
	return postingRow{Date: s.danishDate(e.PostedAt), ISODate: e.PostedAt.In(s.zone).Format("2006-01-02"), Text: e.Text,
		Amount: signed(e.Amount, currency), Credit: e.Amount > 0, Balance: plain(e.Balance, currency)}
}

// accountView is the Data of nb_account.
type accountView struct {
	Business bool
	Account  accountRow
	// CurrencyLabel names the currency of the table's amounts ("kr.").
	CurrencyLabel string
	Form          *postingForm
	// The period's first and last day, and the balance at its start and end.
	FirstDay, LastDay string
	Opening, Closing  amountView
	Postings          []postingRow
	// Older is set on a "Vis flere" page (it continues an earlier one).
	Older bool
	// MoreURL shows the next (older) postings; FirstURL the newest again.
	MoreURL, FirstURL string
	ExportURL         string
	StatementURL      string
	ResetURL          string
}

// handleAccount draws an account's postings with the search form.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	p := PrincipalOf(r)
	row := newAccountRow(a)
	f := s.parsePostingForm(r, a.Account.Currency)
	if len(f.Errors) > 0 {
		s.renderSearchErrors(w, r, a, f)
		return
	}
	v := accountView{Business: p.User.Kind == identity.BusinessUser, Account: row,
		CurrencyLabel: currencyLabel(a.Account.Currency), Form: f, ResetURL: row.URL}
	ctx := r.Context()
	page, err := s.ledger.Search(ctx, ledger.EntrySearch{AccountID: a.Account.ID, From: f.start, To: f.end, Text: f.text,
		Amount: f.amount, Before: f.before, Limit: postingsPage})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	opening, closing, err := s.periodBalances(ctx, a.Account.ID, f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cur := a.Account.Currency
	v.FirstDay, v.LastDay = f.FirstDay.Format("02.01.2006"), f.LastDay.Format("02.01.2006")
	v.Opening, v.Closing = money(opening, cur), money(closing, cur)
	for _, e := range page.Entries {
		v.Postings = append(v.Postings, s.postingRow(e, cur))
	}
	q := f.query()
	v.FirstURL = row.URL + "?" + q.Encode()
	v.ExportURL = row.URL + "/eksport.csv?" + q.Encode()
	sq := url.Values{"fra": q["fra"], "til": q["til"]}
	v.StatementURL = row.URL + "/kontoudtog?" + sq.Encode()
	v.Older = f.before > 0
	if page.Next > 0 {
		q.Set("foer", strconv.FormatInt(page.Next, 10))
		v.MoreURL = row.URL + "?" + q.Encode()
	}
	s.Render(w, r, http.StatusOK, "nb_account", v)
}

// renderSearchErrors draws the account page with the search form and its
// messages, and no postings (400).
func (s *Server) renderSearchErrors(w http.ResponseWriter, r *http.Request, a account.WithBalance, f *postingForm) {
	row := newAccountRow(a)
	s.Render(w, r, http.StatusBadRequest, "nb_account", accountView{Business: PrincipalOf(r).User.Kind == identity.BusinessUser,
		Account: row, CurrencyLabel: currencyLabel(a.Account.Currency), Form: f, ResetURL: row.URL})
}

// periodBalances are the posted balances at the start and at the end of
// the search's period.
func (s *Server) periodBalances(ctx context.Context, accountID string, f *postingForm) (opening, closing int64, err error) {
	if opening, err = s.ledger.BalanceAt(ctx, accountID, f.start.Add(-time.Microsecond)); err != nil {
		return 0, 0, err
	}
	closing, err = s.ledger.BalanceAt(ctx, accountID, f.end.Add(-time.Microsecond))
	return opening, closing, err
}

// ---- CSV ----

// csvText protects a text cell against formula injection: a spreadsheet
// must never run a posting's text as a formula, so a text that starts
// like one (=, +, -, @, or a tab or carriage return) gets a leading
// apostrophe.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvAmount writes minor units for Danish Excel: comma decimals, no
// thousands separator ("-9850,00").
func csvAmount(minor int64, currency string) string {
	return strings.ReplaceAll(netbank.FormatAmount(minor, exponentOf(currency)), ".", "")
}

// handleAccountCSV sends the selected postings (the same search as the
// page, all of its pages) as a CSV file for Danish Excel: UTF-8 with a BOM,
// semicolons, comma decimals, dates dd-mm-åååå, newest first.
func (s *Server) handleAccountCSV(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	f := s.parsePostingForm(r, a.Account.Currency)
	if len(f.Errors) > 0 {
		s.renderSearchErrors(w, r, a, f)
		return
	}
	cur := a.Account.Currency
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	cw.Write([]string{"Dato", "Tekst", "Beløb", "Saldo"})
	rows := 0
	q := ledger.EntrySearch{AccountID: a.Account.ID, From: f.start, To: f.end, Text: f.text, Amount: f.amount,
		Limit: ledger.MaxStatementPage}
	for {
		page, err := s.ledger.Search(r.Context(), q)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		for _, e := range page.Entries {
			cw.Write([]string{e.PostedAt.In(s.zone).Format("02-01-2006"), csvText(e.Text), csvAmount(e.Amount, cur),
				csvAmount(e.Balance, cur)})
		}
		rows += len(page.Entries)
		if page.Next == 0 {
			break
		}
		if rows >= maxExportRows {
			f.fail("fra", T(LangOf(r), "acc.err.toomanycsv"))
			s.renderSearchErrors(w, r, a, f)
			return
		}
		q.Before = page.Next
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.Error(w, r, err)
		return
	}
	name := "posteringer-" + a.Account.Reg + "-" + a.Account.Number + "-" + f.FirstDay.Format("2006-01-02") + "-" +
		f.LastDay.Format("2006-01-02") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// ---- the statement (kontoudtog) ----

// statementView is the Data of nb_statement.
type statementView struct {
	Business bool
	Account  accountRow
	Customer identity.Customer
	Form     *postingForm
	// The period's first and last day.
	FirstDay, LastDay string
	// PrintedAt is when the statement was made ("21.11.2026 kl. 14.05").
	PrintedAt     string
	CurrencyLabel string
	Reg           string
	Opening       amountView
	Closing       amountView
	TotalIn       amountView
	TotalOut      amountView
	Count         int
	Postings      []postingRow
	AccountURL    string
	TooMany       bool
}

// handleStatement draws a printable statement for the period fra–til
// (default the last three months): letterhead, customer, account, the
// opening balance, every posting with the running balance, the closing
// balance and the totals in and out.
func (s *Server) handleStatement(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	p := PrincipalOf(r)
	lang := LangOf(r)
	row := newAccountRow(a)
	// The statement covers the whole period: only fra and til count.
	f := s.parsePostingForm(r, a.Account.Currency)
	f.Text, f.AmountFrom, f.AmountTo, f.text, f.amount = "", "", "", "", nil
	cur := a.Account.Currency
	v := statementView{Business: p.User.Kind == identity.BusinessUser, Account: row, Customer: *p.Customer, Form: f,
		PrintedAt: s.localTime(lang, s.clock.Now()), CurrencyLabel: currencyLabel(cur), Reg: a.Account.Reg, AccountURL: row.URL}
	if len(f.Errors) > 0 {
		s.Render(w, r, http.StatusBadRequest, "nb_statement", v)
		return
	}
	ctx := r.Context()
	opening, closing, err := s.periodBalances(ctx, a.Account.ID, f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.FirstDay, v.LastDay = f.FirstDay.Format("02.01.2006"), f.LastDay.Format("02.01.2006")
	v.Opening, v.Closing = money(opening, cur), money(closing, cur)
	var in, out int64
	var after int64
	for {
		st, err := s.ledger.Statement(ctx, a.Account.ID, f.start, f.end, after, ledger.MaxStatementPage)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		for _, e := range st.Entries {
			v.Postings = append(v.Postings, s.postingRow(e, cur))
			if e.Amount > 0 {
				in += e.Amount
			} else {
				out += e.Amount
			}
		}
		if st.Next == 0 {
			break
		}
		if len(v.Postings) >= maxStatementRows {
			v.TooMany, v.Postings = true, nil
			f.fail("fra", T(lang, "acc.err.toomany"))
			s.Render(w, r, http.StatusBadRequest, "nb_statement", v)
			return
		}
		after = st.Next
	}
	v.Count = len(v.Postings)
	v.TotalIn, v.TotalOut = money(in, cur), money(out, cur)
	s.Render(w, r, http.StatusOK, "nb_statement", v)
}
