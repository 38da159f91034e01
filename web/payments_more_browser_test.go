package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/payment"
)

// Kommende betalinger and the four-eyes queue in a real, headless
// Chromium (see payments_browser_test.go). The bank runs on the real clock,
// so the dates are worked out with package calendar from today.
// Screenshots: artifacts/screenshots/pay-future-*.png and pay-foureyes-*.png.

// danishWeekdays are the weekday names the date hint uses.
var danishWeekdays = [...]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}

// movedHint is the hint payments.js shows for a date on a non-bank day
// (named name) that moves to the next bank day.
func movedHint(name string, d time.Time) string {
	next := calendar.OnOrAfter(d)
	return fmt.Sprintf("%s %s er ikke en bankdag. Betalingen gennemføres %s %s.", name, d.Format("02.01.2006"),
		danishWeekdays[next.Weekday()], next.Format("02.01.2006"))
}

// pickDate sets the date field as the browser's date picker does: the value,
// then "input" and "change", with no key pressed.
func (x tab) pickDate(day time.Time) {
	x.t.Helper()
	evalIn[bool](x, `(() => { const e = document.getElementById("date"); e.value = `+strconvQuote(day.Format(time.DateOnly))+`;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
}

// dateValue is the date field's value.
func (x tab) dateValue() string {
	x.t.Helper()
	return evalIn[string](x, `document.getElementById("date").value`)
}

// TestFutureDatedPaymentCancelledInBrowser_PAY3: a private customer dates
// a transfer to another customer of the bank in the future (RULE PAY-3).
// The date field offers no non-bank day (CAL-1): it ends on the last bank
// day a year ahead, a Saturday picked moves to the next bank day (Monday)
// with a hint saying so, and a holiday being typed moves, with its name,
// when the field is left. The payment is signed, waits under "Kommende
// betalinger" and is deleted there with "Slet" before it is made: it is
// cancelled, and no money has moved.
func TestFutureDatedPaymentCancelledInBrowser_PAY3(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-future", from.ID, 1_000_000)
	anders, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Anders Holm", CPR: "020280-2345",
		Address: "Nørregade 3", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	to, err := bank.app.Accounts.Open(ctx, anders.ID, account.Salary, "Budget", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}

	const code = "efteraar2026hus"

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.firstPrivateLogin(bank.url, num, pin, code)

	x.click("#nav-payments")
	x.wait("#pay-form")

	// The dates, from the bank's today (the field's min): the last bank
	// day a payment may take, the first plain Saturday (whose next bank
	// day the payment gets) and the first holiday on a weekday.
	today, err := calendar.ParseDate(evalIn[string](x, `document.getElementById("date").min`))
	if err != nil {
		t.Fatal(err)
	}
	last := calendar.PreviousBankDay(today.AddDate(0, 0, payment.DefaultMaxDaysAhead+1))
	if got := evalIn[string](x, `document.getElementById("date").max`); got != last.Format(time.DateOnly) {
		t.Errorf("date field max %q, want %s", got, last.Format(time.DateOnly))
	}
	var saturday, holiday time.Time
	for d := today.AddDate(0, 0, 1); saturday.IsZero() || holiday.IsZero(); d = d.AddDate(0, 0, 1) {
		switch {
		case saturday.IsZero() && d.Weekday() == time.Saturday && calendar.Reason(d) == "Lørdag":
			saturday = d
		case holiday.IsZero() && !calendar.IsBankDay(d) && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday:
			holiday = d
		}
	}
	due := calendar.OnOrAfter(saturday)
	if !evalIn[bool](x, `document.getElementById("date-moved").hidden`) {
		t.Error("a hint before a date is picked")
	}
	x.click("#to-other")
	x.fill("#reg", to.Reg)
	x.fill("#account", to.Number)
	x.fill("#name", "Anders Holm")
	x.fill("#amount", "2.345,00")
	x.fill("#text_self", "Husleje")

	// RULE CAL-1: a holiday being typed is named; it moves when the field
	// is left, not between keystrokes.
	evalIn[bool](x, `(() => { const e = document.getElementById("date"); e.focus();
		e.dispatchEvent(new KeyboardEvent("keydown", {key: "1", bubbles: true})); return true })()`)
	x.pickDate(holiday)
	x.waitFor("the holiday's hint", `!document.getElementById("date-moved").hidden`, 5*time.Second)
	if got, want := x.text("#date-moved"), movedHint(calendar.Reason(holiday), holiday); got != want {
		t.Errorf("holiday hint %q, want %q", got, want)
	}
	if got := x.dateValue(); got != holiday.Format(time.DateOnly) {
		t.Errorf("the date moved while typed: %s", got)
	}
	x.click("#text_self")
	x.waitFor("the holiday moved", `document.getElementById("date").value === `+strconvQuote(calendar.OnOrAfter(holiday).Format(time.DateOnly)), 5*time.Second)
	if got, want := x.text("#date-moved"), movedHint(calendar.Reason(holiday), holiday); got != want {
		t.Errorf("hint after the move %q, want %q", got, want)
	}

	// A Saturday picked moves to the next bank day at once.
	x.pickDate(saturday)
	x.waitFor("the Saturday moved", `document.getElementById("date").value === `+strconvQuote(due.Format(time.DateOnly)), 5*time.Second)
	if got, want := x.text("#date-moved"), movedHint("Lørdag", saturday); got != want {
		t.Errorf("Saturday hint %q, want %q", got, want)
	}
	x.shot("pay-future-01-moved")
	// A bank day needs no hint.
	x.pickDate(today.AddDate(0, 0, 1))
	if calendar.IsBankDay(today.AddDate(0, 0, 1)) && !evalIn[bool](x, `document.getElementById("date-moved").hidden`) {
		t.Error("a hint for a bank day")
	}
	x.pickDate(saturday)
	x.waitFor("the Saturday moved again", `document.getElementById("date").value === `+strconvQuote(due.Format(time.DateOnly)), 5*time.Second)
	x.click("#pay-submit")

	// The review: the bank day the customer saw, not moved again.
	x.wait("#pay-sign-form")
	if got := x.text("#pay-date"); got != due.Format("02.01.2006") {
		t.Errorf("review date %q, want %s", got, due.Format("02.01.2006"))
	}
	if evalIn[bool](x, `!!document.getElementById("pay-moved")`) {
		t.Error("the review says the date was moved, though the form moved it")
	}
	x.wantBody("2.345,00 kr.", "Anders Holm")
	x.click("#pay-sign")
	x.wait("#usf-stored")
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	if got, want := x.text("#pay-status"), "Status: Planlagt til "+due.Format("02.01.2006"); got != want {
		t.Errorf("receipt status %q, want %q", got, want)
	}
	id := x.text("#pay-id")
	x.shot("pay-future-02-receipt")

	// RULE PAY-3: under "Kommende betalinger" until it is made.
	x.click(`.form-actions a[href="/netbank/betalinger/kommende"]`)
	x.wait("#upcoming-" + id)
	if got := x.text("#upcoming-" + id); !strings.Contains(got, due.Format("02.01.2006")) || !strings.Contains(got, "2.345,00 kr.") ||
		!strings.Contains(got, "Anders Holm") || !strings.Contains(got, "Planlagt til") {
		t.Errorf("the upcoming payment shows %q", got)
	}
	x.shot("pay-future-03-upcoming")
	x.click("#upcoming-" + id + " button")
	x.wait("#pay-notice")
	if got := x.text("#pay-notice"); got != "Betalingen er slettet." {
		t.Errorf("notice %q", got)
	}
	if evalIn[bool](x, `!!document.getElementById("upcoming-`+id+`")`) {
		t.Error("the deleted payment is still under Kommende betalinger")
	}
	x.wantBody("Du har ingen kommende betalinger.")
	x.shot("pay-future-04-cancelled")

	got, err := bank.app.Payments.Get(ctx, u.CustomerID, id)
	if err != nil || got.Status != payment.Cancelled || !got.ExecutionDate.Equal(due) {
		t.Fatalf("after Slet: %s on %s, %v", got.Status, got.ExecutionDate.Format(time.DateOnly), err)
	}
	// No money moved, and none is held.
	if bal, err := bank.app.Ledger.Balance(ctx, from.ID); err != nil || bal.Posted != 1_000_000 || bal.Pending != 0 || bal.Available != 1_000_000 {
		t.Errorf("payer's balance %+v, %v; want 1000000 posted and available", bal, err)
	}
	if got := balance(t, bank, to.ID); got != 0 {
		t.Errorf("payee's balance %d, want 0", got)
	}
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, b)
}

// businessLogin logs a business user in with the password and the key
// card's code for the key number asked (AUTH-5).
func (x tab) businessLogin(url, userID, password string, codes map[string]string) {
	x.t.Helper()
	x.open(url + "/login")
	x.fill("#user-id", userID)
	x.fill("#password", password)
	x.click("#business-submit")
	x.wait("#keycode")
	x.fill("#keycode", codes[x.text("#key-number")])
	x.click("#code-submit")
	x.wait("#welcome")
}

// TestFourEyesApprovalInBrowser_BIZ5: the carpenter's business has an
// approval limit of 10.000,00 kr. Jens (profile: see, create, approve;
// RULE BIZ-5) pays 25.000,00 kr. to a customer of the bank; the review says
// a second user must approve it; he signs with the password and a key-card
// code (BIZ-3) and it waits for approval under "Kommende betalinger",
// where Jens is offered no approval of his own payment, and the bank
// refuses it if he asks. Pia (see, approve), in a browser of her own,
// finds it in her queue there, approves it with the password and a
// key-card code, and it is made: the money moves once.
func TestFourEyesApprovalInBrowser_BIZ5(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	c, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS",
		CVR: "25313763", City: "Viby J"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	_, pwJens, cardJens, err := bank.app.Identity.CreateBusinessUser(ctx, c.ID, "jens.hansen", "Jens Hansen",
		[]identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	_, pwPia, cardPia, err := bank.app.Identity.CreateBusinessUser(ctx, c.ID, "pia.hansen", "Pia Hansen",
		[]identity.Permission{identity.PermView, identity.PermApprove}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	if err := bank.app.Payments.SetApprovalLimit(ctx, c.ID, 1_000_000, "stf_lone"); err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, c.ID, account.Salary, "Erhvervskonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-foureyes", from.ID, 10_000_000)
	anders, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Anders Holm", CPR: "020280-2345",
		Address: "Nørregade 3", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	to, err := bank.app.Accounts.Open(ctx, anders.ID, account.Salary, "Budget", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}

	// Jens creates and signs.
	bj := browser.New(t)
	jens := tab{t, bj.Context()}
	jens.businessLogin(bank.url, "jens.hansen", pwJens, cardJens.Codes)
	jens.click("#nav-payments")
	jens.wait("#pay-form")
	jens.click("#to-other")
	jens.fill("#reg", to.Reg)
	jens.fill("#account", to.Number)
	jens.fill("#name", "Anders Holm")
	jens.fill("#amount", "25.000,00")
	jens.fill("#text_recipient", "Faktura 2211")
	jens.click("#pay-submit")
	jens.wait("#pay-sign-form")
	if got := jens.text("#pay-approval"); !strings.Contains(got, "over virksomhedens beløbsgrænse på 10.000,00 kr.") || !strings.Contains(got, "en anden bruger") {
		t.Errorf("review approval note %q", got)
	}
	jens.shot("pay-foureyes-01-review")
	jens.click("#pay-sign")
	jens.wait("#keycode")
	jens.fill("#password", pwJens)
	jens.fill("#keycode", cardJens.Codes[jens.text("#key-number")])
	jens.shot("pay-foureyes-02-sign")
	jens.click("#sign-submit")
	jens.wait("#pay-status")
	if got := jens.text("#pay-status"); got != "Status: Afventer godkendelse" {
		t.Errorf("receipt status %q", got)
	}
	id := jens.text("#pay-id")
	if got := balance(t, bank, to.ID); got != 0 {
		t.Fatalf("paid before approval: payee's balance %d", got)
	}

	// Under "Kommende betalinger": waiting, and not Jens's to approve.
	jens.click(`.form-actions a[href="/netbank/betalinger/kommende"]`)
	jens.wait("#upcoming-" + id)
	if got := jens.text("#upcoming-" + id); !strings.Contains(got, "Afventer godkendelse") || !strings.Contains(got, "25.000,00 kr.") {
		t.Errorf("Jens's upcoming payment shows %q", got)
	}
	if evalIn[bool](jens, `!!document.getElementById("pay-approvals") || !!document.getElementById("approval-`+id+`")`) {
		t.Error("Jens is offered his own payment to approve")
	}
	jens.shot("pay-foureyes-03-waiting")
	// Asked all the same (a form made in the page, with its CSRF token),
	// the bank refuses.
	evalIn[bool](jens, `(() => { const f = document.createElement("form"); f.method = "post";
		f.action = "/netbank/betalinger/`+id+`/godkend";
		const t = document.createElement("input"); t.type = "hidden"; t.name = "csrf_token";
		t.value = document.querySelector('input[name="csrf_token"]').value; f.appendChild(t);
		document.body.appendChild(f); f.submit(); return true })()`)
	jens.waitNavigation("the refusal", `document.location.pathname.endsWith("/godkend") && document.readyState === "complete"`, 20*time.Second)
	jens.wantBody("Adgang nægtet")
	if strings.Contains(jens.body(), "Underskriv og godkend") {
		t.Error("Jens got the approval's signing page")
	}
	if p, err := bank.app.Payments.Get(ctx, c.ID, id); err != nil || p.Status != payment.AwaitingApproval {
		t.Fatalf("after Jens asked to approve: %s, %v", p.Status, err)
	}

	// Pia, in a browser of her own, approves. (The menu's "Betalinger"
	// opens "Ny betaling", which she may not use, so she goes to the
	// queue's address.)
	bp := browser.New(t)
	pia := tab{t, bp.Context()}
	pia.businessLogin(bank.url, "pia.hansen", pwPia, cardPia.Codes)
	pia.open(bank.url + "/netbank/betalinger/kommende")
	pia.wait("#approval-" + id)
	if got := pia.text("#approval-" + id); !strings.Contains(got, "25.000,00 kr.") || !strings.Contains(got, "Anders Holm") {
		t.Errorf("Pia's queue shows %q", got)
	}
	pia.wantBody("Afventer din godkendelse")
	pia.shot("pay-foureyes-04-queue")
	pia.click("#approval-" + id + " button")
	pia.wait("#keycode")
	doc := evalIn[string](pia, `document.getElementById("sign-document").textContent`)
	if !strings.Contains(doc, "Godkendelse af betaling") || !strings.Contains(doc, "25.000,00") || !strings.Contains(doc, "Betaling: "+id) {
		t.Errorf("approval document shown:\n%s", doc)
	}
	pia.fill("#password", pwPia)
	pia.fill("#keycode", cardPia.Codes[pia.text("#key-number")])
	pia.shot("pay-foureyes-05-sign")
	pia.click("#sign-submit")
	pia.wait("#pay-status")
	if got := pia.text("#pay-status"); got != "Status: Gennemført" {
		t.Errorf("Pia's receipt status %q", got)
	}
	pia.shot("pay-foureyes-06-approved")

	// Jens sees it made.
	jens.open(bank.url + "/netbank/betalinger/" + id + "/kvittering")
	jens.wait("#pay-status")
	if got := jens.text("#pay-status"); got != "Status: Gennemført" {
		t.Errorf("Jens's receipt status %q", got)
	}
	p, err := bank.app.Payments.Get(ctx, c.ID, id)
	if err != nil || p.Status != payment.Settled || p.ApprovedBy == "" || p.ApprovedBy == p.CreatedBy {
		t.Fatalf("after approval: %s by %q (created by %q), %v", p.Status, p.ApprovedBy, p.CreatedBy, err)
	}
	if got := balance(t, bank, to.ID); got != 2_500_000 {
		t.Errorf("payee's balance %d, want 2500000", got)
	}
	if got := balance(t, bank, from.ID); got != 10_000_000-2_500_000 {
		t.Errorf("payer's balance %d", got)
	}
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, bj)
	requireNoUnexpectedProblems(t, bp)
}

// TestInvoiceDateMovesInBrowser_CAL1: on a bill's page under "Ikke
// godkendte" (PAY-8) the date field offers what "Ny betaling" offers
// (RULE CAL-1): a Saturday picked moves to the next bank day with the
// hint, and the bill is approved and signed for that bank day (the bank
// refuses a non-bank day for a bill, so the move matters here).
func TestInvoiceDateMovesInBrowser_CAL1(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-invoice-date", from.ID, 1_000_000)
	if _, err := bank.app.Agreements.Create(ctx, agreement.Request{CustomerID: u.CustomerID, UserID: u.ID, ClientID: "browser-e-date",
		Kind: agreement.EInvoice, AccountID: from.ID, CreditorNumber: testFI, CustomerNumber: "4410001"}); err != nil {
		t.Fatal(err)
	}
	inv, err := bank.app.Agreements.SendInvoice(ctx, agreement.Invoice{CreditorNumber: testFI, CustomerNumber: "4410001", SlipType: "71",
		PaymentID: waterSlipID, Amount: 1_187_50, DueDate: calendar.AddBankDays(calendar.Day(time.Now()), 15), Text: "Vand og afledning",
		CreditorName: "Aarhus Vand A/S", Reference: "browser-date"})
	if err != nil {
		t.Fatal(err)
	}
	const code = "vinter2026vej"

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.firstPrivateLogin(bank.url, num, pin, code)

	x.open(bank.url + "/netbank/regninger")
	x.click("#approve-" + inv.ID)
	x.wait("#invoice-approve-form")
	today, err := calendar.ParseDate(evalIn[string](x, `document.getElementById("date").min`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := evalIn[string](x, `document.getElementById("date").max`), calendar.PreviousBankDay(today.AddDate(0, 0, payment.DefaultMaxDaysAhead+1)); got != want.Format(time.DateOnly) {
		t.Errorf("date field max %q, want %s", got, want.Format(time.DateOnly))
	}
	saturday := today.AddDate(0, 0, 1)
	for saturday.Weekday() != time.Saturday || calendar.Reason(saturday) != "Lørdag" {
		saturday = saturday.AddDate(0, 0, 1)
	}
	due := calendar.OnOrAfter(saturday)
	x.pickDate(saturday)
	x.waitFor("the Saturday moved", `document.getElementById("date").value === `+strconvQuote(due.Format(time.DateOnly)), 5*time.Second)
	if got, want := x.text("#date-moved"), movedHint("Lørdag", saturday); got != want {
		t.Errorf("hint %q, want %q", got, want)
	}
	x.shot("pay-future-05-invoice-moved")
	x.click("#invoice-approve")
	x.wait("#sign-form")
	x.wait("#usf-stored")
	if doc := evalIn[string](x, `document.getElementById("sign-document").textContent`); !strings.Contains(doc, "Dato: "+due.Format("02.01.2006")) {
		t.Errorf("signed payment lacks the date %s:\n%s", due.Format("02.01.2006"), doc)
	}
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	if got, want := x.text("#pay-status"), "Status: Planlagt til "+due.Format("02.01.2006"); got != want {
		t.Errorf("receipt status %q, want %q", got, want)
	}
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, b)
}
