package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

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
}

func newCardsBank(t *testing.T) *cardsBank {
	t.Helper()
	b := &cardsBank{testBank: newTestBank(t, false)}
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
	for _, k := range keys {
		for _, lang := range []web.Lang{web.Danish, web.English} {
			if web.T(lang, k) == k {
				t.Errorf("%s has no %s text", k, lang)
			}
		}
	}
}
