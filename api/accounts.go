package api

// The customer's accounts and their postings (customer tokens; the
// profile's "view" permission, BIZ-5):
//
//	GET /api/v1/accounts                  every account of the customer, with balances
//	GET /api/v1/accounts/{id}             one account
//	GET /api/v1/accounts/{id}/postings    its postings, newest first, searched and paged by cursor
//
// Another customer's account is "not found" (404), exactly like an
// account that does not exist. The file also holds what the customer
// endpoints share: amounts (Money), dates, query parameters, cursors and
// request bodies.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/ledger"
)

// ---- shared by the customer endpoints ----

// Money is an amount as the API writes it: integer minor units (øre for
// kroner), the currency, and the amount the Danish way ("1.250,00 kr.").
type Money struct {
	Minor     int64  `json:"minor"`
	Currency  string `json:"currency"`
	Formatted string `json:"formatted"`
}

// money returns minor units of currency as Money.
func money(minor int64, currency string) Money {
	return Money{Minor: minor, Currency: currency, Formatted: netbank.NewMoney(minor, currency).String()}
}

// isoDate writes a civil date (midnight UTC, as package calendar keeps
// them) as YYYY-MM-DD; "" for the zero time.
func isoDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// stamp writes a moment as RFC 3339 in UTC; "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// invalid is a coded EINVALID error with a Danish message.
func invalid(format string, args ...any) error {
	return netbank.Errorf(netbank.EINVALID, format, args...)
}

// queryDate reads a query parameter YYYY-MM-DD (zero when absent).
func queryDate(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1900 || d.Year() > 2200 {
		return time.Time{}, invalid("Parameteren %s skal være en dato i formatet ÅÅÅÅ-MM-DD, f.eks. 2026-05-14.", name)
	}
	return d, nil
}

// queryAmount reads an amount in minor units (ok false when absent).
func queryAmount(r *http.Request, name string) (int64, bool, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == math.MinInt64 {
		return 0, false, invalid("Parameteren %s skal være et helt beløb i øre, f.eks. 125000 for 1.250,00 kr.", name)
	}
	return n, true, nil
}

// queryLimit reads the page size: 1–max, def when absent.
func queryLimit(r *http.Request, def, max int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("limit"))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, invalid("Parameteren limit skal være et tal fra 1 til %d.", max)
	}
	return n, nil
}

// queryText reads a search text of at most max characters.
func queryText(r *http.Request, name string, max int) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return "", invalid("Parameteren %s må højst være %d tegn.", name, max)
	}
	return v, nil
}

// views maps the items of a list to their JSON views; an empty list is
// [] in JSON, never null.
func views[T, V any](list []T, view func(T) V) []V {
	out := make([]V, 0, len(list))
	for _, v := range list {
		out = append(out, view(v))
	}
	return out
}

// writeList answers a list of the caller's customer's items: read reads
// them, and the answer is {"<name>": [the views of them]}.
func writeList[T, V any](w http.ResponseWriter, r *http.Request, name string, read func(ctx context.Context, customerID string) ([]T, error),
	view func(T) V) {
	list, err := read(r.Context(), callerOf(r).Customer())
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string][]V{name: views(list, view)})
}

// errCursor refuses a cursor the API did not give out.
var errCursor = invalid("Ugyldig cursor: brug next_cursor fra det forrige svar.")

// queryPeriod reads the period from–to (Copenhagen dates YYYY-MM-DD, both
// included) as the instants [start, end) it spans; a bound that is absent
// is zero (open).
func queryPeriod(r *http.Request) (start, end time.Time, err error) {
	from, err := queryDate(r, "from")
	if err != nil {
		return start, end, err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return start, end, err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return start, end, invalid("Perioden slutter (to) før den begynder (from).")
	}
	if !from.IsZero() {
		start = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, copenhagen)
	}
	if !to.IsZero() {
		end = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, copenhagen)
	}
	return start, end, nil
}

// loadOwned finds the caller's customer's item of the request's {id} with
// get; an id no item can have, another customer's item or none at all is
// notFound, so the answer tells nothing about other customers.
func loadOwned[T any](r *http.Request, notFound error, get func(ctx context.Context, customerID, id string) (T, error)) (T, error) {
	var none T
	id := r.PathValue("id")
	if len(id) > 64 {
		return none, notFound
	}
	v, err := get(r.Context(), callerOf(r).Customer(), id)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return none, notFound
	}
	return v, err
}

// amountRange makes the amount filter of a search from amount (exact),
// min_amount and max_amount, all in minor units. Without a negative
// bound amounts are compared without their sign, so 50000 finds both a
// payment and a deposit of 500 kr. (as the net bank's search does).
func amountRange(r *http.Request) (*ledger.AmountRange, error) {
	exact, hasExact, err := queryAmount(r, "amount")
	if err != nil {
		return nil, err
	}
	lo, hasLo, err := queryAmount(r, "min_amount")
	if err != nil {
		return nil, err
	}
	hi, hasHi, err := queryAmount(r, "max_amount")
	if err != nil {
		return nil, err
	}
	if hasExact {
		if hasLo || hasHi {
			return nil, invalid("Brug enten amount eller min_amount/max_amount, ikke begge.")
		}
		lo, hi, hasLo, hasHi = exact, exact, true, true
	}
	if !hasLo && !hasHi {
		return nil, nil
	}
	a := &ledger.AmountRange{Min: lo, Max: hi, Abs: (!hasLo || lo >= 0) && (!hasHi || hi >= 0)}
	if !hasLo {
		a.Min = 0
		if !a.Abs {
			a.Min = math.MinInt64 + 1
		}
	}
	if !hasHi {
		a.Max = math.MaxInt64
	}
	if a.Min > a.Max {
		return nil, invalid("min_amount er større end max_amount.")
	}
	return a, nil
}

// maxBody bounds a request body.
const maxBody = 64 << 10

// readJSON decodes a request body holding exactly one JSON object into v;
// unknown fields are refused, so a misspelt field is not silently ignored.
func readJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return invalid("Send data som JSON (Content-Type: application/json).")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return invalid("Forespørgslens data kunne ikke læses.")
	}
	if len(body) > maxBody {
		return invalid("Forespørgslens data er for store (højst %d KB).", maxBody>>10)
	}
	var raw any // the body's strings, checked before the fields are filled (input.go)
	if !utf8.Valid(body) || (json.Unmarshal(body, &raw) == nil && !allText(raw)) {
		return invalid("Forespørgslens data må kun indeholde tekst: gyldig UTF-8 uden styretegn.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return invalid("Feltet %s har en forkert type.", typeErr.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return invalid("Ukendt felt %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return invalid("Forespørgslens data er ikke et gyldigt JSON-objekt.")
	}
	if dec.More() {
		return invalid("Forespørgslens data må kun være ét JSON-objekt.")
	}
	return nil
}

// ---- accounts ----

// accountJSON is an account as the API writes it.
type accountJSON struct {
	ID          string `json:"id"`
	Reg         string `json:"reg"`
	Number      string `json:"number"`
	IBAN        string `json:"iban"`
	Name        string `json:"name"`
	Product     string `json:"product"`
	ProductName string `json:"product_name"`
	Currency    string `json:"currency"`
	// Balance is the posted balance; Reserved what card holds and
	// similar keep back; Available what can be spent (overdraft included).
	Balance        Money  `json:"balance"`
	Reserved       Money  `json:"reserved"`
	Available      Money  `json:"available"`
	OverdraftLimit Money  `json:"overdraft_limit"`
	Opened         string `json:"opened"`
	Closed         string `json:"closed,omitempty"`
}

func (s *Server) accountJSON(a account.WithBalance) accountJSON {
	cur := a.Account.Currency
	v := accountJSON{ID: a.Account.ID, Reg: a.Reg, Number: a.Number, IBAN: a.IBAN, Name: a.Account.Name,
		Product: string(a.Product), ProductName: a.Product.Danish(), Currency: cur,
		Balance: money(a.Posted, cur), Reserved: money(a.Pending, cur), Available: money(a.Available, cur),
		OverdraftLimit: money(a.Overdraft, cur), Opened: s.localDate(a.CreatedAt)}
	if v.Name == "" {
		v.Name = v.ProductName
	}
	if !a.ClosedAt.IsZero() {
		v.Closed = s.localDate(a.ClosedAt)
	}
	return v
}

// copenhagen is the time zone of the bank's dates: a posting made at
// 00.30 Danish time belongs to that Danish day.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("api: " + err.Error()) // identity and calendar embed the zone database
	}
	return loc
}()

// localDate is a moment's date in Copenhagen, YYYY-MM-DD.
func (s *Server) localDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(copenhagen).Format(time.DateOnly)
}

// needAccounts answers "unavailable" when the server has no accounts.
func (s *Server) needAccounts(w http.ResponseWriter) bool {
	if s.accounts == nil || s.ledger == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Kontoerne kan ikke ses på denne server."))
		return false
	}
	return true
}

// handleAccounts answers GET /api/v1/accounts: the customer's accounts.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) {
	if !s.needAccounts(w) {
		return
	}
	writeList(w, r, "accounts", s.accounts.List, s.accountJSON)
}

// errNoAccount is another customer's account, or none at all.
var errNoAccount = netbank.Errorf(netbank.ENOTFOUND, "Kontoen findes ikke.")

// loadAccount finds the customer's account of the request's {id}.
func (s *Server) loadAccount(r *http.Request) (account.WithBalance, error) {
	return loadOwned(r, errNoAccount, s.accounts.Get)
}

// handleAccount answers GET /api/v1/accounts/{id}.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	if !s.needAccounts(w) {
		return
	}
	a, err := s.loadAccount(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, s.accountJSON(a))
}

// Paging of postings.
const (
	defaultPostings = 100
	maxPostings     = ledger.MaxStatementPage
)

// postingJSON is one posting.
type postingJSON struct {
	Date       string `json:"date"`
	PostedAt   string `json:"posted_at"`
	Text       string `json:"text"`
	Amount     Money  `json:"amount"`
	Balance    Money  `json:"balance"`
	TransferID string `json:"transfer_id"`
}

// handlePostings answers GET /api/v1/accounts/{id}/postings: the postings
// of the period from–to (Copenhagen dates, both included; open when
// absent), with text and amount filters, newest first; next_cursor
// continues with older ones.
func (s *Server) handlePostings(w http.ResponseWriter, r *http.Request) {
	if !s.needAccounts(w) {
		return
	}
	a, err := s.loadAccount(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	q := ledger.EntrySearch{AccountID: a.Account.ID}
	if q.From, q.To, err = queryPeriod(r); err != nil {
		WriteError(w, err)
		return
	}
	if q.Text, err = queryText(r, "text", ledger.MaxSearchText); err != nil {
		WriteError(w, err)
		return
	}
	if q.Amount, err = amountRange(r); err != nil {
		WriteError(w, err)
		return
	}
	if q.Limit, err = queryLimit(r, defaultPostings, maxPostings); err != nil {
		WriteError(w, err)
		return
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n <= 0 {
			WriteError(w, errCursor)
			return
		}
		q.Before = n
	}
	page, err := s.ledger.Search(r.Context(), q)
	if err != nil {
		WriteError(w, err)
		return
	}
	cur := a.Account.Currency
	out := struct {
		AccountID  string        `json:"account_id"`
		Postings   []postingJSON `json:"postings"`
		NextCursor string        `json:"next_cursor"`
	}{AccountID: a.Account.ID, Postings: []postingJSON{}}
	for _, e := range page.Entries {
		out.Postings = append(out.Postings, postingJSON{Date: s.localDate(e.PostedAt), PostedAt: stamp(e.PostedAt), Text: e.Text,
			Amount: money(e.Amount, cur), Balance: money(e.Balance, cur), TransferID: e.TransferID})
	}
	if page.Next > 0 {
		out.NextCursor = strconv.FormatInt(page.Next, 10)
	}
	WriteJSON(w, http.StatusOK, out)
}
