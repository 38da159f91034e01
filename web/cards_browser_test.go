package web_test

import (
	"context"
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestCardsInBrowser walks the cards of the demo bank in Chromium under the
// real CSP: Lars sees his lost card, its replacement and his daughter
// Freja's Visa Junior on his budget account (RULE CARD-12), opens Freja's
// card (no Visa Secure under 15, CARD-11; no gambling) and blocks it as
// stolen (CARD-14); then the support staff issue a card in the back
// office and get its PIN letter. Screenshots: artifacts/screenshots/cards-*.png.
func TestCardsInBrowser(t *testing.T) {
	bank, creds := demoBrowserBank(t)
	a := bank.app
	lars := creds.Users[1]
	if lars.Name != "Lars Bo Jensen" {
		t.Fatalf("second demo user is %s", lars.Name)
	}
	junior, err := a.Cards.ByPAN(context.Background(), creds.Cards[4].PAN)
	if err != nil {
		t.Fatal(err)
	}
	file := bank.enrolledFile(t, lars.UserNumber, lars.PINCode, "lars2026ab", t.TempDir())

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-number", lars.UserNumber)
	x.click("#private-submit")
	x.wait("#usf-pick")
	x.upload("#usf-file", file)
	x.fill("#code", "lars2026ab")
	x.click("#signature-submit")
	x.wait("#welcome")

	x.click("#nav-cards")
	x.wait("#cards")
	x.wantBody("Kort", "Visa Junior", "Freja Holm (fuldmagt)", "Visa Debit", "Spærret", "Kortet er bortkommet", "Beløbsgrænser")
	x.shot("cards-01-list")

	x.click(`a.acc-name[href="/netbank/kort/` + junior.ID + `"]`)
	x.wait("#card-facts")
	x.wantBody("Visa Junior", "Freja Holm", "Kortholderen er under 15 år", "Ikke spil, væddemål", "Saldoen tjekkes altid")
	x.shot("cards-02-junior")

	x.click("#nav-cards")
	x.wait("#block-cards-link")
	x.click("#block-cards-link")
	x.wait("#block-" + junior.ID)
	x.shot("cards-03-block")
	x.click("#block-" + junior.ID + ` input[value="stolen"]`)
	x.click("#block-" + junior.ID + ` button[type="submit"]`)
	x.wait("#card-blocked-done")
	x.wantBody("er spærret", "Kortet er stjålet")
	x.shot("cards-04-blocked")
	if c, _ := a.Cards.Card(context.Background(), junior.ID); c.Status != card.Blocked || c.BlockReason != card.ReasonStolen {
		t.Fatalf("junior card %s %s", c.Status, c.BlockReason)
	}

	// The back office: support finds Sofie and issues a card.
	var support demo.StaffLogin
	for _, s := range creds.Staff {
		if s.Username == "support" {
			support = s
		}
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(support.TOTPSecret, "="))
	if err != nil {
		t.Fatal(err)
	}
	s := tab{t, browser.New(t).Context()}
	s.open(bank.url + "/backoffice/login")
	s.fill("#username", support.Username)
	s.fill("#password", support.Password)
	s.fill("#totp", auth.TOTPCode(secret, time.Now()))
	s.click("#login-submit")
	s.wait("#staff-name")
	s.click("#nav-cards")
	s.wait("#q")
	s.fill("#q", "Sofie Andersen")
	s.click("#search-submit")
	s.wait("#results")
	s.click(`#results a.bo-strong-link`)
	s.wait("#issue-form")
	s.wantBody("Sofie Andersen", "Visa Basis", "Udløbet", "Bestilt – ikke aktiveret", "Udsted kort")
	s.shot("cards-05-backoffice")
	s.click("#issue-submit")
	s.wait("#pin-letter")
	s.wantBody("Din PIN-kode til Visa Debit", "Til kortproduktionen", "CVV2")
	if pin := s.text("#pin"); !regexp.MustCompile(`^\d{4}$`).MatchString(pin) {
		t.Errorf("PIN %q", pin)
	}
	s.shot("cards-06-pin-letter")
}

// TestCardHistoryNewCardAndTerminationInBrowser walks a card's page in
// Chromium under the real CSP: the cards list shows what is reserved, the
// card's page the open reservation (RULE CARD-7) and the recent
// authorizations with the foreign amount (CARD-8) and a refusal in words,
// "Gør indsigelse" opens the dispute form (DISP-3); the cardholder orders
// a new card for the worn one (CARD-17) and then terminates the agreement
// after reading its terms (CARD-18). Screenshots:
// artifacts/screenshots/cards-07…12-*.png.
func TestCardHistoryNewCardAndTerminationInBrowser(t *testing.T) {
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
	bank.fund(t, "fund-browser-card-history", acc.ID, 10_000_00)
	if err := bank.app.Pricing.SetRate(ctx, "EUR", 7_461_200, "test"); err != nil {
		t.Fatal(err)
	}
	iss, err := bank.app.Cards.Issue(ctx, card.IssueRequest{CustomerID: u.CustomerID, AccountID: acc.ID, Type: card.VisaDebit, By: card.System})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.app.Cards.Activate(ctx, u.CustomerID, iss.Card.ID, card.Actor{ID: u.ID, Kind: audit.ActorCustomer}); err != nil {
		t.Fatal(err)
	}
	n := 0
	ask := func(r card.AuthRequest) card.Authorization {
		t.Helper()
		n++
		now := time.Now()
		r.PAN, r.Expiry, r.ProcessingCode, r.POSEntryMode, r.POSCondition = iss.PAN, iss.Card.Expiry, "000000", "051", "00"
		r.TransmissionTime, r.STAN, r.RRN = now.UTC().Format("0102150405"), fmt.Sprintf("%06d", n), fmt.Sprintf("%012d", n)
		r.TerminalID, r.MerchantID = fmt.Sprintf("TERM%04d", n), fmt.Sprintf("MERCHANT%07d", n)
		bank.app.Authorizer.Authorize(ctx, r)
		list, err := bank.app.Authorizer.Authorizations(ctx, iss.Card.ID, 1)
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		return list[0]
	}
	ask(card.AuthRequest{MTI: card.MsgAuthorization, Amount: 500_00, Currency: "208", MCC: "5542",
		MerchantName: "Circle K", MerchantCity: "Vejle", MerchantCountry: "DK"})
	buy := ask(card.AuthRequest{MTI: card.MsgFinancial, Amount: 249_95, Currency: "208", MCC: "5411",
		MerchantName: "Netto", MerchantCity: "Aarhus", MerchantCountry: "DK"})
	ask(card.AuthRequest{MTI: card.MsgFinancial, Amount: 42_50, Currency: "978", MCC: "5812",
		MerchantName: "Cafe de Flore", MerchantCity: "Paris", MerchantCountry: "FR"})
	ask(card.AuthRequest{MTI: card.MsgFinancial, Amount: 25_000_00, Currency: "208", MCC: "5732",
		MerchantName: "Elgiganten", MerchantCity: "Odense", MerchantCountry: "DK"})

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.firstPrivateLogin(bank.url, userNumber, pin, "mette2026ab")
	x.click("#nav-cards")
	x.wait("#cards")
	x.wantBody("Reserveret", "500,00 kr.", "Lav en PIN-kode-husker")
	x.shot("cards-07-list-reserved")

	cardPath := "/netbank/kort/" + iss.Card.ID
	x.click(`a.acc-name[href="` + cardPath + `"]`)
	x.wait("#authorization-list")
	x.wantBody("Reservationer", "Reserveret i alt 500,00 kr.", "Circle K, Vejle", "Seneste brug af kortet", "Netto, Aarhus",
		"249,95 kr.", "Cafe de Flore, Paris (FR)", "42,50 EUR", "Godkendt", "Afvist: ikke dækning på kontoen", "Gør indsigelse")
	x.shot("cards-08-card-history")
	x.click("#dispute-" + buy.ID)
	x.wait("#dispute-form")
	x.wantBody("Netto, Aarhus", "249,95 kr.")

	x.open(bank.url + cardPath)
	x.wait("#replace-link")
	x.click("#replace-link")
	x.wait("#replace-form")
	x.wantBody("Bestil nyt kort", "Slidt eller beskadiget", "150,00 kr.", "samme PIN-kode som det gamle")
	x.shot("cards-09-new-card")
	x.click("#replace-submit")
	x.wait("#card-notice")
	x.wantBody("Dit nye kort er bestilt", "Bestilt – ikke aktiveret")
	x.shot("cards-10-new-card-ordered")

	x.open(bank.url + cardPath)
	x.wait("#terminate-link")
	x.click("#terminate-link")
	x.wait("#terminate-form")
	x.wantBody("Varsel 1 måned", "Sidste dag, kortet kan bruges", "Gebyr for opsigelse 100,00 kr.", "Forudbetalt kortgebyr tilbage",
		"Det nye kort, der er på vej, ophører samtidig.")
	x.shot("cards-11-terminate")
	x.click("#terminate-submit")
	x.wait("#card-notice")
	x.wantBody("Kortet er opsagt og kan bruges til og med", "Opsagt, sidste gyldige dag")
	x.shot("cards-12-terminated")
	requireNoUnexpectedProblems(t, b)

	old, err := bank.app.Cards.Card(ctx, iss.Card.ID)
	if err != nil || old.TerminatesAt.IsZero() || old.ReplacedBy == "" {
		t.Fatalf("the card %+v %v", old, err)
	}
	if next, err := bank.app.Cards.Card(ctx, old.ReplacedBy); err != nil || !next.TerminatesAt.Equal(old.TerminatesAt) {
		t.Fatalf("the new card %+v %v", next, err)
	}
}
