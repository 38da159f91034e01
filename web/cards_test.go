package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/web"
)

// The cards pages of the net bank and the back office (web/cards.go,
// web/backoffice_cards.go) over HTTP against a real bank on SQLite: Anna
// owns an account with her own card and a proxy card for Bo; Carl is a
// stranger with a card of his own.

type cardsBank struct {
	*testBank
	anna, bo, carl      nbCustomer
	annaCard, boCard    card.Issued
	carlCard            card.Issued
	annaAccount, carlAc string
	// n numbers the card requests the test sends (STAN, RRN).
	n int
}

func newCardsBank(t *testing.T) *cardsBank { return newCardsBankOn(t, false) }

// newCardsBankOn is the cards bank on SQLite, or on PostgreSQL when
// postgres is set.
func newCardsBankOn(t *testing.T, postgres bool) *cardsBank {
	t.Helper()
	b := &cardsBank{testBank: newTestBank(t, postgres)}
	b.anna = b.loggedInPrivate("Anna Berg", "150385-1234")
	b.bo = b.loggedInPrivate("Bo Berg", "020702-2345")
	b.carl = b.loggedInPrivate("Carl Dam", "010190-3456")
	b.annaAccount = b.openFunded(b.anna.customerID, "Lønkonto", 10_000_00).ID
	b.carlAc = b.openFunded(b.carl.customerID, "Lønkonto", 2_000_00).ID
	b.annaCard = b.issueCard(card.IssueRequest{CustomerID: b.anna.customerID, AccountID: b.annaAccount, MobileNumber: "20456789"})
	b.boCard = b.issueCard(card.IssueRequest{CustomerID: b.anna.customerID, AccountID: b.annaAccount, HolderCustomerID: b.bo.customerID})
	b.carlCard = b.issueCard(card.IssueRequest{CustomerID: b.carl.customerID, AccountID: b.carlAc})
	return b
}

func (b *cardsBank) issueCard(req card.IssueRequest) card.Issued {
	b.t.Helper()
	req.Type, req.By = card.VisaDebit, card.System
	iss, err := b.app.Cards.Issue(context.Background(), req)
	if err != nil {
		b.t.Fatal(err)
	}
	return iss
}

func (b *cardsBank) card(id string) card.Card {
	b.t.Helper()
	c, err := b.app.Cards.Card(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

// RULE CARD-12: the owner sees the cards on the account, the proxy's too;
// the proxy holder sees only their own; anyone else gets 404 for a card
// id, exactly like one that does not exist. The list shows the limits of
// the price list (CARD-5, CARD-6).
func TestCardPagesShowOnlyTheCustomersCards_CARD12(t *testing.T) {
	b := newCardsBank(t)
	p := b.anna.c.get("/netbank/kort")
	want(t, p, http.StatusOK, "Kort", b.annaCard.Card.Masked(), b.boCard.Card.Masked(), "Bo Berg (fuldmagt)",
		"Bestilt – ikke aktiveret", "11/30", "Kontanthævning pr. døgn 10.000,00 kr.", "Kontaktløs betaling uden PIN-kode, pr. betaling 350,00 kr.")
	if strings.Contains(p.Body, b.carlCard.Card.ID) || strings.Contains(p.Body, b.annaCard.PAN) {
		t.Error("the list shows another customer's card or a full card number")
	}
	if !strings.Contains(p.Body, `id="nav-cards" aria-current="page"`) {
		t.Error("the menu does not mark Kort")
	}
	p = b.bo.c.get("/netbank/kort")
	want(t, p, http.StatusOK, b.boCard.Card.Masked())
	if strings.Contains(p.Body, b.annaCard.Card.ID) {
		t.Error("the proxy holder sees the owner's card")
	}
	want(t, b.anna.c.get("/netbank/kort/"+b.boCard.Card.ID), http.StatusOK, "Bo Berg (fuldmagt til kontoen)", "Gyldigt til og med 11/30")
	for _, tc := range []struct {
		who  nbCustomer
		path string
	}{
		{b.bo, "/netbank/kort/" + b.annaCard.Card.ID},
		{b.carl, "/netbank/kort/" + b.annaCard.Card.ID},
		{b.carl, "/netbank/kort/crd_doesnotexist"},
		{b.anna, "/netbank/kort/" + b.carlCard.Card.ID},
	} {
		if p := tc.who.c.get(tc.path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s by %s: %d, want 404", tc.path, tc.who.customerID, p.StatusCode)
		}
	}
	if p := b.client().get("/netbank/kort"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
		t.Errorf("without login: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
}

// RULE CARD-11: the holder activates the card in the net bank, and it is
// enrolled in Visa Secure with the mobile number known; a stranger cannot
// activate it.
func TestCardActivationInTheNetbank_CARD11(t *testing.T) {
	b := newCardsBank(t)
	if p := b.carl.c.post("/netbank/kort/"+b.boCard.Card.ID+"/aktiver", nil); p.StatusCode != http.StatusNotFound {
		t.Fatalf("a stranger's activation: %d", p.StatusCode)
	}
	p := b.anna.c.post("/netbank/kort/"+b.annaCard.Card.ID+"/aktiver", nil)
	wantRedirect(t, p, "/netbank/kort/"+b.annaCard.Card.ID+"?besked=aktiveret")
	want(t, b.anna.c.follow(p), http.StatusOK, "Kortet er aktiveret og kan bruges.", "Aktivt", "Kortet er tilmeldt. Koderne sendes til +45 •• •• •• 89.")
	if c := b.card(b.annaCard.Card.ID); c.Status != card.Active || !c.VisaSecureEnrolled {
		t.Fatalf("card %s enrolled %v", c.Status, c.VisaSecureEnrolled)
	}
	if c := b.card(b.boCard.Card.ID); c.Status != card.Ordered {
		t.Fatalf("the stranger's attempt changed Bo's card: %s", c.Status)
	}
}

// RULE CARD-14: the cardholder blocks a card in the net bank at once,
// without signing, also while a contract waits for approval (the gate of
// CONTR-1 stays open for blocks); the page and a message say the reason
// and the time; a stranger cannot block it.
func TestCardholderBlocksInTheNetbank_CARD14(t *testing.T) {
	b := newCardsBank(t)
	b.publish(b.anna.customerID, "Nye vilkår", "Vilkårene er ændret.", inbox.Distance) // the gate is up
	if p := b.anna.c.get("/netbank/kort"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("the card list with a pending contract: %d, want the gate's redirect", p.StatusCode)
	}
	p := b.anna.c.get("/netbank/spaerring/kort")
	want(t, p, http.StatusOK, "Spær kort", b.annaCard.Card.Masked(), b.boCard.Card.Masked(), "Kortet er stjålet", "Andre kender PIN-koden")
	if p := b.carl.c.post("/netbank/spaerring/kort/"+b.boCard.Card.ID, url.Values{"reason": {"lost"}}); p.StatusCode != http.StatusNotFound {
		t.Fatalf("a stranger's block: %d", p.StatusCode)
	}
	want(t, b.anna.c.post("/netbank/spaerring/kort/"+b.annaCard.Card.ID, url.Values{"reason": {"fraud_suspicion"}}),
		http.StatusUnprocessableEntity, "Vælg, hvorfor kortet skal spærres.")
	p = b.anna.c.post("/netbank/spaerring/kort/"+b.annaCard.Card.ID, url.Values{"reason": {"stolen"}})
	wantRedirect(t, p, "/netbank/spaerring/kort?spaerret="+b.annaCard.Card.ID)
	want(t, b.anna.c.follow(p), http.StatusOK, "er spærret", "Spærret 21.11.2026 14.05", "Årsag: Kortet er stjålet")
	if c := b.card(b.annaCard.Card.ID); c.Status != card.Blocked || c.BlockReason != card.ReasonStolen {
		t.Fatalf("card %s %s", c.Status, c.BlockReason)
	}
	if c := b.card(b.boCard.Card.ID); c.Status != card.Ordered {
		t.Fatal("the stranger blocked Bo's card")
	}
	var found bool
	for _, th := range b.threads(b.anna.customerID) {
		if th.Subject == "Dit kort er spærret" && strings.Contains(th.Last().Body, "21.11.2026 kl. 14.05") &&
			strings.Contains(th.Last().Body, "Årsag: Kortet er stjålet") {
			found = true
		}
	}
	if !found {
		t.Fatal("no message with reason and time")
	}
	if blocked, _, err := b.app.Cards.BlockRegister(context.Background(), b.annaCard.PAN); err != nil || !blocked {
		t.Fatalf("block register %v %v (CARD-16)", blocked, err)
	}
	// Blocked for good: the form no longer offers the card.
	if strings.Contains(b.anna.c.get("/netbank/spaerring/kort").Body, `id="block-`+b.annaCard.Card.ID+`"`) {
		t.Error("a stolen card is offered for blocking again")
	}
}

// RULE CARD-11: the Visa Secure number is registered only after the
// customer signs it (the rules have it done with NemID); the signed
// document names the card and the number; removing it is not signed.
func TestVisaSecureNumberIsSigned_CARD11(t *testing.T) {
	b := newCardsBank(t)
	id := b.boCard.Card.ID
	want(t, b.bo.c.post("/netbank/kort/"+id+"/mobil", url.Values{"mobile": {"123"}}), http.StatusBadRequest, "dansk mobilnummer på 8 cifre")
	sp := readSignPage(t, b.bo.c.post("/netbank/kort/"+id+"/mobil", url.Values{"mobile": {"31 22 44 66"}}))
	for _, s := range []string{"Visa Secure: mobilnummer til engangskoder", "Kort: " + id, "Mobilnummer: +4531224466", b.boCard.Card.Masked()} {
		if !strings.Contains(sp.document, s) {
			t.Fatalf("signed document lacks %q:\n%s", s, sp.document)
		}
	}
	if c := b.card(id); c.MobileNumber != "" {
		t.Fatal("the number was registered before signing")
	}
	p := b.bo.signWith(sp, b.bo.key, auth.Checksum([]byte(sp.document)))
	wantRedirect(t, p, "/netbank/kort/"+id+"?besked=mobil")
	if c := b.card(id); c.MobileNumber != "+4531224466" || !c.VisaSecureEnrolled {
		t.Fatalf("after signing: %q enrolled %v", c.MobileNumber, c.VisaSecureEnrolled)
	}
	p = b.bo.c.post("/netbank/kort/"+id+"/mobil/fjern", nil)
	wantRedirect(t, p, "/netbank/kort/"+id+"?besked=mobilfjernet")
	if c := b.card(id); c.MobileNumber != "" || c.VisaSecureEnrolled {
		t.Fatalf("after removal: %q enrolled %v", c.MobileNumber, c.VisaSecureEnrolled)
	}
	if p := b.carl.c.post("/netbank/kort/"+id+"/mobil/fjern", nil); p.StatusCode != http.StatusNotFound {
		t.Fatalf("a stranger removed the number: %d", p.StatusCode)
	}
}

// staffClient logs in a support staff member in a browser of its own.
func (b *cardsBank) staffClient() (*browserClient, identity.Staff) {
	b.t.Helper()
	st, secret, err := b.app.Identity.CreateStaff(context.Background(), "kasper", "Kasper Thomsen", "korrekt-hest-batteri-kasper",
		[]string{identity.RoleSupport}, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	c := b.client()
	c.get("/backoffice/login")
	p := c.post("/backoffice/login", url.Values{"username": {"kasper"}, "password": {"korrekt-hest-batteri-kasper"},
		"totp": {auth.TOTPCode(secret, b.clock.Now())}})
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("staff login: %d\n%s", p.StatusCode, p.Text())
	}
	return c, st
}

var pinLetterRE = regexp.MustCompile(`id="pin">(\d{4})<`)

// RULE CARD-15, CARD-12, CARD-17, CARD-18: staff find a customer or a
// card, issue a card (the PIN letter shows the PIN once), block for the
// bank's reasons and lift it, register a revoked proxy, replace and
// terminate; customers cannot reach these pages.
func TestBackofficeCards_CARD15(t *testing.T) {
	b := newCardsBank(t)
	if p := b.anna.c.get("/backoffice/kort"); p.StatusCode == http.StatusOK {
		t.Fatal("a customer reached the back office's cards")
	}
	c, st := b.staffClient()
	want(t, c.get("/backoffice/kort"), http.StatusOK, "Kunde eller kortnummer")
	p := c.post("/backoffice/kort", url.Values{"q": {"Anna Berg"}})
	want(t, p, http.StatusOK, "Anna Berg")
	if !strings.Contains(p.Body, `href="/backoffice/kunder/`+b.anna.customerID+`/kort"`) {
		t.Fatal("no link to the customer's cards")
	}
	// A card found by its full number; the look-up is in the audit log.
	p = c.post("/backoffice/kort", url.Values{"q": {b.carlCard.PAN}})
	wantRedirect(t, p, "/backoffice/kunder/"+b.carl.customerID+"/kort#kort-"+b.carlCard.Card.ID)
	entries, err := b.app.DB.Audit().List(context.Background(), audit.Filter{Action: "backoffice.card_lookup"})
	if err != nil || len(entries) != 1 || entries[0].Actor != st.ID || entries[0].Subject != b.carlCard.Card.ID {
		t.Fatalf("look-up audit %+v %v", entries, err)
	}
	want(t, c.get("/backoffice/kunder/"+b.anna.customerID+"/kort"), http.StatusOK, "Anna Berg", b.annaCard.Card.Masked(),
		b.boCard.Card.Masked(), "Fuldmagt tilbagekaldt", "Udsted kort")

	// Issue: the letter shows the PIN once, and the production data.
	p = c.post("/backoffice/kort/udsted", url.Values{"kunde": {b.anna.customerID}, "account": {b.annaAccount}, "type": {"visa_flex"}})
	want(t, p, http.StatusOK, "Din PIN-kode til Visa Flex", "Til kortproduktionen", "Anna Berg")
	m := pinLetterRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no PIN in the letter\n%s", p.Text())
	}
	cards, _ := b.app.Cards.List(context.Background(), b.anna.customerID)
	var flex card.Card
	for _, x := range cards {
		if x.Type == card.VisaFlex {
			flex = x
		}
	}
	if flex.ID == "" || flex.IssuedBy != st.ID {
		t.Fatalf("the issued card %+v", flex)
	}
	if ok, _, err := b.app.Cards.VerifyPIN(context.Background(), flex.ID, m[1]); err != nil || !ok {
		t.Fatalf("the letter's PIN does not verify: %v %v", ok, err)
	}
	want(t, c.post("/backoffice/kort/udsted", url.Values{"kunde": {b.anna.customerID}, "account": {b.annaAccount}, "type": {"visa_1217"}}),
		http.StatusUnprocessableEntity, "Visa 12:17 kan kun udstedes til kortholdere på 12-17 år")

	// The bank's block, told to the holder, and lifted.
	back := "/backoffice/kunder/" + b.anna.customerID + "/kort"
	p = c.post("/backoffice/kort/"+flex.ID+"/spaer", url.Values{"kunde": {b.anna.customerID}, "reason": {"overdraft_after_reminder"}})
	wantRedirect(t, p, back+"?besked=spaerret#kort-"+flex.ID)
	if x := b.card(flex.ID); x.Status != card.Blocked || x.BlockReason != card.ReasonOverdraftAfterReminder || x.BlockedBy != st.ID {
		t.Fatalf("blocked %+v", x)
	}
	want(t, c.follow(p), http.StatusOK, "Kortet er spærret, og kortholderen har fået besked med årsag og tidspunkt.", "Overtræk efter skriftlig rykker")
	wantRedirect(t, c.post("/backoffice/kort/"+flex.ID+"/ophaev", url.Values{"kunde": {b.anna.customerID}}), back+"?besked=ophaevet#kort-"+flex.ID)
	if x := b.card(flex.ID); x.Status != card.Ordered {
		t.Fatalf("after the lift: %s", x.Status)
	}
	// A holder's block cannot be lifted: the page says so.
	if _, err := b.app.Cards.Block(context.Background(), b.anna.customerID, flex.ID, card.ReasonLost, card.System); err != nil {
		t.Fatal(err)
	}
	want(t, c.post("/backoffice/kort/"+flex.ID+"/ophaev", url.Values{"kunde": {b.anna.customerID}}), http.StatusBadRequest,
		"forbliver spærret; bestil et nyt kort i stedet")
	// Replace the lost card: a new PIN letter.
	p = c.post("/backoffice/kort/"+flex.ID+"/erstat", url.Values{"kunde": {b.anna.customerID}, "reason": {"blocked"}})
	want(t, p, http.StatusOK, "Det nye kort er udstedt", "Din PIN-kode til Visa Flex")
	if x := b.card(flex.ID); x.ReplacedBy == "" {
		t.Fatal("not replaced")
	}

	// The proxy is revoked: Bo's card is blocked.
	p = c.post("/backoffice/kort/"+b.boCard.Card.ID+"/fuldmagt", url.Values{"kunde": {b.anna.customerID}})
	wantRedirect(t, p, back+"?besked=fuldmagt#kort-"+b.boCard.Card.ID)
	if x := b.card(b.boCard.Card.ID); x.Status != card.Blocked || x.BlockReason != card.ReasonProxyRevoked {
		t.Fatalf("Bo's card %s %s", x.Status, x.BlockReason)
	}
	if x := b.card(b.annaCard.Card.ID); x.Status != card.Ordered {
		t.Fatal("the revocation blocked the owner's card")
	}

	// The bank terminates with two months' notice.
	p = c.post("/backoffice/kort/"+b.carlCard.Card.ID+"/opsig", url.Values{"kunde": {b.carl.customerID}, "by": {"bank"}})
	wantRedirect(t, p, "/backoffice/kunder/"+b.carl.customerID+"/kort?besked=opsagt#kort-"+b.carlCard.Card.ID)
	if x := b.card(b.carlCard.Card.ID); x.TerminatedByHolder || x.TerminatesAt.IsZero() {
		t.Fatalf("termination %+v", x)
	}
	want(t, c.follow(p), http.StatusOK, "Kortet er opsagt.", "21.01.2027 (Banken opsiger (2 måneder))")
	b.ledgerOK()
}

// The texts the card pages pick by value (statuses, block and replacement
// reasons, letter kinds) exist in both languages.
func TestCardTextsPickedByValueExist(t *testing.T) {
	var keys []string
	for _, st := range []card.Status{card.Ordered, card.Active, card.Blocked, card.Expired, card.Replaced, card.Terminated} {
		keys = append(keys, "card.status."+string(st))
	}
	for _, r := range append(append(append([]card.BlockReason{}, card.HolderReasons...), card.BankReasons...), card.ReasonProxyRevoked) {
		keys = append(keys, "card.reason."+string(r))
	}
	for _, r := range card.ReplaceReasons {
		keys = append(keys, "bo.cards.replace."+string(r))
	}
	for _, k := range []string{"issued", "replaced", "renewed", "pin"} {
		keys = append(keys, "bo.cards.letter."+k)
	}
	// The card's history: every response code the engine answers, every
	// kind of request, every state of an approval.
	for _, code := range []string{card.CodeApproved, card.CodeDoNotHonour, card.CodeInvalidTransaction, card.CodeInvalidAmount,
		card.CodeInvalidCardNumber, card.CodeLostCard, card.CodeStolenCard, card.CodeInsufficientFunds, card.CodeExpiredCard,
		card.CodeIncorrectPIN, card.CodeNotPermitted, card.CodeExceedsWithdrawalLimit, card.CodeRestrictedCard,
		card.CodePINTriesExceeded, card.CodeStrongAuthenticationRequired, card.CodeDuplicate, card.CodeSystemError, "other"} {
		keys = append(keys, "card.code."+code)
	}
	for _, k := range card.ActivityKinds {
		keys = append(keys, "card.auth.kind."+string(k))
	}
	for _, k := range []string{"reserved", "claimed", "claimable", "released", "reversed"} {
		keys = append(keys, "card.auth.state."+k)
	}
	for _, k := range keys {
		for _, lang := range []web.Lang{web.Danish, web.English} {
			if web.T(lang, k) == k {
				t.Errorf("%s has no %s text", k, lang)
			}
		}
	}
}

// activate activates a card for its holder.
func (b *cardsBank) activate(holder nbCustomer, id string) {
	b.t.Helper()
	if _, err := b.app.Cards.Activate(context.Background(), holder.customerID, id,
		card.Actor{ID: holder.userID, Kind: audit.ActorCustomer}); err != nil {
		b.t.Fatal(err)
	}
}

// ask has the bank's authorization engine decide a request with a card
// and returns the stored decision. Empty fields of r make a chip purchase
// in kroner at a bookshop in Aarhus, without PIN.
func (b *cardsBank) ask(iss card.Issued, r card.AuthRequest) card.Authorization {
	b.t.Helper()
	b.n++
	b.clock.Advance(time.Second)
	now := b.clock.Now()
	r.PAN, r.Expiry = iss.PAN, iss.Card.Expiry
	r.TransmissionTime, r.STAN, r.RRN = now.UTC().Format("0102150405"), fmt.Sprintf("%06d", b.n), fmt.Sprintf("%012d", b.n)
	if r.MTI == "" {
		r.MTI = card.MsgFinancial
	}
	if r.ProcessingCode == "" {
		r.ProcessingCode = "000000"
	}
	if r.Currency == "" {
		r.Currency = "208"
	}
	if r.TerminalID == "" {
		r.TerminalID, r.MerchantID, r.MCC = "TERM0042", "BOOKS0000000001", "5942"
	}
	if r.MerchantName == "" {
		r.MerchantName, r.MerchantCity, r.MerchantCountry = "Boghandlen", "Aarhus", "DK"
	}
	if r.POSEntryMode == "" {
		r.POSEntryMode, r.POSCondition = "051", "00"
	}
	b.app.Authorizer.Authorize(context.Background(), r)
	list, err := b.app.Authorizer.Authorizations(context.Background(), iss.Card.ID, 1)
	if err != nil || len(list) != 1 {
		b.t.Fatalf("authorizations: %+v %v", list, err)
	}
	return list[0]
}

// RULES CARD-7, CARD-8: the card's page shows the open reservations with
// what they hold and until when, apart from the recent authorizations:
// date, merchant, the amount in kroner and in the original currency, the
// outcome in words ("Godkendt", "Afvist: ikke dækning på kontoen"), and
// "Gør indsigelse" on the debited purchases only; the cards list shows
// what each card has reserved. On both engines.
func TestCardPageShowsReservationsAndAuthorizations_CARD7_CARD8(t *testing.T) {
	for _, engine := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(engine.name, func(t *testing.T) {
			b := newCardsBankOn(t, engine.postgres)
			ctx := context.Background()
			if err := b.app.Pricing.SetRate(ctx, "EUR", 7_461_200, "test"); err != nil {
				t.Fatal(err)
			}
			b.activate(b.anna, b.annaCard.Card.ID)
			hold := b.ask(b.annaCard, card.AuthRequest{MTI: card.MsgAuthorization, Amount: 500_00, TerminalID: "FUEL0001",
				MerchantID: "FUEL00000000001", MerchantName: "Circle K", MerchantCity: "Vejle", MerchantCountry: "DK", MCC: "5542"})
			buy := b.ask(b.annaCard, card.AuthRequest{Amount: 249_95})
			paris := b.ask(b.annaCard, card.AuthRequest{Amount: 42_50, Currency: "978", TerminalID: "CAFE0001",
				MerchantID: "CAFE00000000001", MerchantName: "Cafe de Flore", MerchantCity: "Paris", MerchantCountry: "FR", MCC: "5812"})
			poor := b.ask(b.annaCard, card.AuthRequest{Amount: 50_000_00})
			for _, a := range []card.Authorization{hold, buy, paris} {
				if !a.Approved() {
					t.Fatalf("%s %s: %s %v", a.MTI, a.MerchantName, a.Code, a.Reasons)
				}
			}
			if poor.Code != card.CodeInsufficientFunds {
				t.Fatalf("the big purchase: %s", poor.Code)
			}

			path := "/netbank/kort/" + b.annaCard.Card.ID
			p := b.anna.c.get(path)
			want(t, p, http.StatusOK, "Reservationer", "Reserveret i alt 500,00 kr.", "Circle K, Vejle", "Køb",
				"Seneste brug af kortet", "Boghandlen, Aarhus", "249,95 kr.", "Godkendt", "Afvist: ikke dækning på kontoen", "50.000,00 kr.",
				"Cafe de Flore, Paris (FR)", netbank.NewMoney(42_50, "EUR").String(), netbank.NewMoney(paris.AmountDKK, "DKK").String(),
				"Reserveret til og med "+hold.HoldExpiresAt.Add(-time.Nanosecond).In(cph).Format("02.01.2006"))
			if !strings.Contains(p.Body, `id="reservation-`+hold.ID+`"`) || strings.Contains(p.Body, `id="reservation-`+buy.ID+`"`) {
				t.Error("the reservations list is wrong")
			}
			// RULE DISP-3: the debited purchases may be disputed, from
			// their row; a reservation and a refusal may not.
			for _, a := range []card.Authorization{buy, paris} {
				if !strings.Contains(p.Body, `href="`+path+`/indsigelse/`+a.ID+`"`) {
					t.Errorf("no dispute link for %s", a.MerchantName)
				}
			}
			for _, a := range []card.Authorization{hold, poor} {
				if strings.Contains(p.Body, `id="dispute-`+a.ID+`"`) {
					t.Errorf("a dispute link for %s %s", a.MTI, a.Code)
				}
			}
			// RULE CARD-3: an approved card purchase cannot be revoked by
			// the cardholder, only disputed (DISP-*): no form on the page
			// acts on an authorization except the dispute link, and no
			// request of the cardholder's takes the money back.
			for _, a := range []card.Authorization{hold, buy, paris} {
				if regexp.MustCompile(`<form[^>]*action="[^"]*` + a.ID).MatchString(p.Body) {
					t.Errorf("a form acts on the approved %s", a.MerchantName)
				}
				for _, try := range []string{path + "/indsigelse/" + a.ID + "/annuller", path + "/transaktioner/" + a.ID + "/tilbagekald"} {
					if got := b.anna.c.post(try, url.Values{}); got.StatusCode != http.StatusNotFound && got.StatusCode != http.StatusMethodNotAllowed {
						t.Errorf("POST %s: %d, want no such action", try, got.StatusCode)
					}
				}
			}
			if again := b.anna.c.get(path); !strings.Contains(again.Body, "Reserveret i alt 500,00 kr.") {
				t.Errorf("the reservation changed after the cardholder's attempts:\n%s", again.Text())
			}
			if p := b.bo.c.get(path); p.StatusCode != http.StatusNotFound {
				t.Fatalf("the proxy holder sees the owner's card history: %d", p.StatusCode)
			}

			// The list: what each card has reserved.
			p = b.anna.c.get("/netbank/kort")
			want(t, p, http.StatusOK, "Reserveret")
			if !regexp.MustCompile(`id="card-` + b.annaCard.Card.ID + `"[\s\S]*?card-reserved">500,00 kr\.<`).MatchString(p.Body) {
				t.Errorf("the list does not show the reservation of Anna's card\n%s", p.Text())
			}

			// In English.
			b.anna.c.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "lang", Value: "en"}})
			want(t, b.anna.c.get(path), http.StatusOK, "Reservations", "Reserved in total 500,00 kr.", "Recent use of the card",
				"Approved", "Declined: insufficient funds", "Purchase", "Dispute")
		})
	}
}

// RULE CARD-17: the cardholder orders a new card for a worn one in the
// net bank, after a page that states the fee and that the PIN stays; the
// new card's page follows, and a message. A card blocked because others
// know the PIN is refused with the reason; a stolen card's new card is
// ordered from the block's confirmation, free. Strangers get 404.
func TestCardholderOrdersNewCardInTheNetbank_CARD17(t *testing.T) {
	b := newCardsBank(t)
	b.activate(b.anna, b.annaCard.Card.ID)
	path := "/netbank/kort/" + b.annaCard.Card.ID
	if !strings.Contains(b.anna.c.get(path).Body, `href="`+path+`/nytkort"`) {
		t.Fatal("the card page does not offer a new card")
	}
	want(t, b.anna.c.get(path+"/nytkort"), http.StatusOK, "Bestil nyt kort", "Slidt eller beskadiget", "Gebyr for nyt kort 150,00 kr.",
		"Det nye kort har samme PIN-kode som det gamle", "Det gamle kort virker, indtil du aktiverer det nye")
	for _, p := range []httpPage{b.carl.c.get(path + "/nytkort"), b.carl.c.post(path+"/nytkort", url.Values{"reason": {"damaged"}})} {
		if p.StatusCode != http.StatusNotFound {
			t.Fatalf("a stranger's order: %d", p.StatusCode)
		}
	}
	before := b.balance(b.annaAccount)
	p := b.anna.c.post(path+"/nytkort", url.Values{"reason": {"damaged"}})
	old := b.card(b.annaCard.Card.ID)
	if old.ReplacedBy == "" || old.Status != card.Active {
		t.Fatalf("after the order: %+v", old)
	}
	wantRedirect(t, p, "/netbank/kort/"+old.ReplacedBy+"?besked=bestilt")
	want(t, b.anna.c.follow(p), http.StatusOK, "Dit nye kort er bestilt", "samme PIN-kode", "Bestilt – ikke aktiveret", "Aktivér kortet")
	if got := before - b.balance(b.annaAccount); got != 150_00 {
		t.Fatalf("fee %d", got)
	}
	if !b.hasMessage(b.anna.customerID, "Nyt betalingskort bestilt", "samme PIN-kode") {
		t.Fatal("no message about the new card")
	}
	if strings.Contains(b.anna.c.get(path).Body, `id="replace-link"`) {
		t.Fatal("a second new card is offered")
	}
	want(t, b.anna.c.post(path+"/nytkort", url.Values{"reason": {"damaged"}}), http.StatusBadRequest, "allerede et nyt kort på vej")

	// Bo's card, blocked because others know the PIN: the bank must make
	// the new card, with a new PIN letter.
	boPath := "/netbank/kort/" + b.boCard.Card.ID
	wantRedirect(t, b.anna.c.post("/netbank/spaerring/kort/"+b.boCard.Card.ID, url.Values{"reason": {"pin_known"}}),
		"/netbank/spaerring/kort?spaerret="+b.boCard.Card.ID)
	want(t, b.bo.c.get(boPath), http.StatusOK, "Andre kender PIN-koden, så det nye kort skal have en ny PIN-kode")
	want(t, b.bo.c.get(boPath+"/nytkort"), http.StatusBadRequest, "Kontakt banken")
	want(t, b.bo.c.post(boPath+"/nytkort", url.Values{"reason": {"blocked"}}), http.StatusBadRequest, "ny PIN-kode")

	// Carl's stolen card: the block's confirmation offers the new card.
	p = b.carl.c.post("/netbank/spaerring/kort/"+b.carlCard.Card.ID, url.Values{"reason": {"stolen"}})
	p = b.carl.c.follow(p)
	want(t, p, http.StatusOK, "Bestil et nyt kort")
	carlPath := "/netbank/kort/" + b.carlCard.Card.ID
	if !strings.Contains(p.Body, `href="`+carlPath+`/nytkort"`) {
		t.Fatal("the block's confirmation does not link to the order")
	}
	want(t, b.carl.c.get(carlPath+"/nytkort"), http.StatusOK, "Spærret kort", "Gratis", "Det spærrede kort forbliver spærret")
	before = b.balance(b.carlAc)
	p = b.carl.c.post(carlPath+"/nytkort", url.Values{"reason": {"blocked"}})
	if c := b.card(b.carlCard.Card.ID); c.ReplacedBy == "" || c.Status != card.Blocked || b.balance(b.carlAc) != before {
		t.Fatalf("the stolen card after the order: %+v, fee %d", c, before-b.balance(b.carlAc))
	}
	wantRedirect(t, p, "/netbank/kort/"+b.card(b.carlCard.Card.ID).ReplacedBy+"?besked=bestilt")
	b.ledgerOK()
}

// RULE CARD-18: the cardholder terminates in the net bank after a page
// that states the notice, the last day, the early-termination fee (within
// 6 months) and the refund of the prepaid annual fee; the card's page
// says until when it works, and a message follows. Twice is refused;
// strangers get 404.
func TestCardholderTerminatesInTheNetbank_CARD18(t *testing.T) {
	b := newCardsBank(t)
	path := "/netbank/kort/" + b.annaCard.Card.ID
	if !strings.Contains(b.anna.c.get(path).Body, `href="`+path+`/opsig"`) {
		t.Fatal("the card page does not offer termination")
	}
	// Issued 21.11.2026 14:05: the last day is 21.12.2026, the fee applies
	// through 21.05.2027, and 334 of the 365 prepaid days remain.
	p := b.anna.c.get(path + "/opsig")
	want(t, p, http.StatusOK, "Opsig kortet", "Varsel 1 måned", "Sidste dag, kortet kan bruges 21.12.2026",
		"Gebyr for opsigelse 100,00 kr.", "inden for de første 6 måneder (til og med 21.05.2027)",
		"Forudbetalt kortgebyr tilbage "+netbank.NewMoney(250_00*334/365, "DKK").String())
	for _, p := range []httpPage{b.carl.c.get(path + "/opsig"), b.carl.c.post(path+"/opsig", nil)} {
		if p.StatusCode != http.StatusNotFound {
			t.Fatalf("a stranger's termination: %d", p.StatusCode)
		}
	}
	before := b.balance(b.annaAccount)
	p = b.anna.c.post(path+"/opsig", nil)
	wantRedirect(t, p, path+"?besked=opsagt")
	want(t, b.anna.c.follow(p), http.StatusOK, "Kortet er opsagt og kan bruges til og med 21.12.2026",
		"Opsagt, sidste gyldige dag 21.12.2026")
	if c := b.card(b.annaCard.Card.ID); !c.TerminatedByHolder || !c.TerminatesAt.Equal(time.Date(2026, 12, 22, 0, 0, 0, 0, cph)) {
		t.Fatalf("terminated %+v", c)
	}
	if got := before - b.balance(b.annaAccount); got != 100_00 {
		t.Fatalf("termination fee %d", got)
	}
	if !b.hasMessage(b.anna.customerID, "Dit kort er opsagt", "til og med 21.12.2026") {
		t.Fatal("no message about the termination")
	}
	if strings.Contains(b.anna.c.get(path).Body, `id="terminate-link"`) {
		t.Fatal("a terminated card is offered termination again")
	}
	want(t, b.anna.c.post(path+"/opsig", nil), http.StatusConflict, "Kortet er allerede opsagt")
	want(t, b.anna.c.get(path+"/opsig"), http.StatusConflict, "Kortet er allerede opsagt")
	b.ledgerOK()
}

// RULE CARD-21: the PIN memoriser's page has 40 fields and a PIN field
// that cannot be sent: no form, no name, autocomplete off; its script is a
// file of its own under the CSP, and the page names no card.
func TestPINMemoriserPage_CARD21(t *testing.T) {
	b := newCardsBank(t)
	p := b.anna.c.get("/netbank/kort/pinkodehusker")
	want(t, p, http.StatusOK, "PIN-kode-husker", "Skriv din PIN-kode", "Vælg fire af de farvede felter",
		"hvert ciffer fra 0 til 9 står i præcis 4 felter", "destruér PIN-brevet", "intet af den sendes til banken")
	if n := strings.Count(p.Body, `class="pinhusker-field `); n != 40 {
		t.Fatalf("%d fields, want 40", n)
	}
	input := regexp.MustCompile(`<input[^>]*id="pinhusker-pin"[^>]*>`).FindString(p.Body)
	if input == "" || !strings.Contains(input, `autocomplete="off"`) || strings.Contains(input, "name=") {
		t.Fatalf("the PIN field %q", input)
	}
	main := p.Body[strings.Index(p.Body, `id="main"`):]
	if strings.Contains(main, "<form") {
		t.Fatal("the memoriser's page has a form")
	}
	if !regexp.MustCompile(`<script src="/static/pinhusker\.[0-9a-f]{8}\.js" defer></script>`).MatchString(p.Body) ||
		regexp.MustCompile(`<script(\s[^>]*)?>[^<]`).MatchString(p.Body) {
		t.Fatal("the script is not a file of its own")
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	for _, c := range []card.Issued{b.annaCard, b.boCard} {
		if strings.Contains(p.Body, c.Card.Last4) || strings.Contains(p.Body, c.Card.ID) {
			t.Fatal("the memoriser names a card")
		}
	}
	js := b.anna.c.get(regexp.MustCompile(`/static/pinhusker\.[0-9a-f]{8}\.js`).FindString(p.Body))
	if js.StatusCode != http.StatusOK || !strings.Contains(js.Body, "crypto.getRandomValues") ||
		regexp.MustCompile(`fetch\(|XMLHttpRequest|sendBeacon|\.submit\(`).MatchString(js.Body) {
		t.Fatalf("pinhusker.js: %d, or it may send something", js.StatusCode)
	}
	if !strings.Contains(b.anna.c.get("/netbank/kort").Body, `href="/netbank/kort/pinkodehusker"`) ||
		!strings.Contains(b.anna.c.get("/netbank/kort/"+b.annaCard.Card.ID).Body, `href="/netbank/kort/pinkodehusker"`) {
		t.Fatal("the cards pages do not link to the memoriser")
	}
	b.anna.c.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "lang", Value: "en"}})
	want(t, b.anna.c.get("/netbank/kort/pinkodehusker"), http.StatusOK, "PIN memoriser", "Type your PIN",
		"every digit from 0 to 9 stands in exactly 4 fields")
	if p := b.client().get("/netbank/kort/pinkodehusker"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("without login: %d", p.StatusCode)
	}
}

// balance is an account's posted balance.
func (b *cardsBank) balance(id string) int64 {
	b.t.Helper()
	bal, err := b.app.Ledger.Balance(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal.Posted
}

// hasMessage reports whether the customer has a message with subject
// whose last text contains text.
func (b *cardsBank) hasMessage(customerID, subject, text string) bool {
	for _, th := range b.threads(customerID) {
		if th.Subject == subject && strings.Contains(th.Last().Body, text) {
			return true
		}
	}
	return false
}
