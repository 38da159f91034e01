package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/ledger"
)

// TestCardDisputeInBrowser walks a dispute in Chromium under the real
// CSP: Mette opens her card, picks a purchase she did not make, files a
// dispute (DISP-3) and sees it credited (DISP-4); support opens the queue,
// ticks "PIN used" in the liability calculator (LIAB-2: 375 kr.) and
// upholds it; Mette sees the decision. Screenshots:
// artifacts/screenshots/disputes-*.png.
func TestCardDisputeInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	userNumber, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, userNumber)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.app.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "fund-dispute", DebitAccountID: "bank:settlement:DKK",
		CreditAccountID: acc.ID, Amount: 10_000_00}); err != nil {
		t.Fatal(err)
	}
	iss, err := bank.app.Cards.Issue(ctx, card.IssueRequest{CustomerID: u.CustomerID, AccountID: acc.ID, Type: card.VisaDebit, By: card.System})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.app.Cards.Activate(ctx, u.CustomerID, iss.Card.ID, card.Actor{ID: u.ID, Kind: audit.ActorCustomer}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	resp := bank.app.Authorizer.Authorize(ctx, card.AuthRequest{MTI: card.MsgFinancial, PAN: iss.PAN, ProcessingCode: "000000",
		Amount: 1_499_00, Currency: "208", TransmissionTime: now.UTC().Format("0102150405"), STAN: "000001", RRN: "000000000001",
		TerminalID: "TERM0042", MerchantID: "ELEC00000000001", MerchantName: "Elgiganten", MerchantCity: "Odense", MerchantCountry: "DK",
		MCC: "5732", POSEntryMode: "051", POSCondition: "00", Expiry: iss.Card.Expiry})
	if resp.Code != card.CodeApproved {
		t.Fatalf("purchase: %s", resp.Code)
	}
	auths, err := bank.app.Authorizer.Authorizations(ctx, iss.Card.ID, 1)
	if err != nil || len(auths) != 1 {
		t.Fatal(auths, err)
	}
	file := bank.enrolledFile(t, userNumber, pin, "mette2026ab", t.TempDir())

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-number", userNumber)
	x.click("#private-submit")
	x.wait("#usf-pick")
	x.upload("#usf-file", file)
	x.fill("#code", "mette2026ab")
	x.click("#signature-submit")
	x.wait("#welcome")

	x.open(bank.url + "/netbank/kort/" + iss.Card.ID)
	x.wait("#card-dispute-link")
	x.click("#card-dispute-link")
	x.wait("#dispute-transactions")
	x.wantBody("Betalinger med kortet", "Elgiganten, Odense", "1.499,00 kr.")
	x.shot("disputes-01-transactions")
	x.click("#dispute-" + auths[0].ID)
	x.wait("#dispute-form")
	x.wantBody("Beløbet var ukendt", "Betalingen er ikke godkendt af mig", "13 måneder")
	x.shot("disputes-02-form")
	x.click(`#case-not_approved input[type="radio"]`)
	x.fill("#description", "Jeg har ikke handlet i Odense; kortet har hele tiden været i min pung.")
	x.click("#dispute-submit")
	x.wait("#dispute-notice")
	x.wantBody("Vi har modtaget din indsigelse", "Under behandling", "Sat ind på kontoen")
	x.shot("disputes-03-filed")

	_, secret, err := bank.app.Identity.CreateStaff(ctx, "lene", "Lene Holm", "korrekt-hest-batteri-lene", []string{identity.RoleSupport}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	s := tab{t, browser.New(t).Context()}
	s.open(bank.url + "/backoffice/login")
	s.fill("#username", "lene")
	s.fill("#password", "korrekt-hest-batteri-lene")
	s.fill("#totp", auth.TOTPCode(secret, time.Now()))
	s.click("#login-submit")
	s.wait("#staff-name")
	s.click("#nav-disputes")
	s.wait("#pending")
	s.wantBody("Til afgørelse", "Elgiganten, Odense", "Betalingen er ikke godkendt af mig (DISP-3)")
	s.shot("disputes-04-queue")
	s.click("#pending a.bo-strong-link")
	s.wait("#calculator")
	s.click("#fact-pin_used")
	s.click("#calculate")
	s.wait("#calc-result")
	s.wantBody("LIAB-2: kortholderen hæfter for 375,00 kr.", "Mette Kjær Nielsen")
	s.shot("disputes-05-calculator")
	s.fill("#note", "PIN-koden blev brugt ved købet.")
	s.click("#decide-founded")
	s.wait("#decision")
	s.wantBody("Indsigelsen er afgjort", "Medhold", "af Lene Holm", "LIAB-2")
	s.shot("disputes-06-decided")

	x.open(bank.url + "/netbank/indsigelser")
	x.wait("#disputes")
	x.wantBody("Mine indsigelser", "Elgiganten, Odense", "Medhold")
	x.click("#disputes a.acc-name")
	x.wait("#dispute-debit")
	x.wantBody("Din egenbetaling på 375,00 kr. er trukket på kontoen.", "PIN-koden blev brugt ved købet.")
	x.shot("disputes-07-decision")
	b.RequireNoProblems(t)

	d, err := bank.app.Disputes.Dispute(ctx, card.DisputeID(auths[0].ID))
	if err != nil || d.Status != card.DisputeFounded || d.Debit != 375_00 {
		t.Fatalf("dispute %+v %v", d, err)
	}
	if bal, err := bank.app.Ledger.Balance(ctx, acc.ID); err != nil || bal.Posted != 10_000_00-250_00-375_00 {
		t.Fatal(fmt.Sprint("balance ", bal.Posted, err))
	}
}
