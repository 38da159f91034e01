package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/web"
)

// Disputes of card transactions over HTTP (web/card_disputes.go,
// web/backoffice_disputes.go) against a real bank on SQLite: Anna's card
// buys at a bookshop (an ISO 8583 0200 decided by the bank's engine), she
// disputes it in the net bank, staff decide it in the back office with the
// liability calculator, and she follows it under "Mine indsigelser".

// disputeBank is the cards bank with Anna's card active.
type disputeBank struct {
	*cardsBank
	n int
}

func newDisputeBank(t *testing.T) *disputeBank {
	t.Helper()
	b := &disputeBank{cardsBank: newCardsBank(t)}
	if _, err := b.app.Cards.Activate(context.Background(), b.anna.customerID, b.annaCard.Card.ID,
		card.Actor{ID: b.anna.userID, Kind: audit.ActorCustomer}); err != nil {
		t.Fatal(err)
	}
	return b
}

// buy has the bank's engine approve a chip purchase (0200, debited at
// once) with Anna's card and returns the stored authorization.
func (b *disputeBank) buy(amount int64, merchant string) card.Authorization {
	b.t.Helper()
	b.n++
	b.clock.Advance(time.Second)
	now := b.clock.Now()
	resp := b.app.Authorizer.Authorize(context.Background(), card.AuthRequest{MTI: card.MsgFinancial, PAN: b.annaCard.PAN,
		ProcessingCode: "000000", Amount: amount, Currency: "208", TransmissionTime: now.UTC().Format("0102150405"),
		STAN: fmt.Sprintf("%06d", b.n), RRN: fmt.Sprintf("%012d", b.n), TerminalID: "TERM0042", MerchantID: "BOOKS0000000001",
		MerchantName: merchant, MerchantCity: "Aarhus", MerchantCountry: "DK", MCC: "5942", POSEntryMode: "051", POSCondition: "00",
		Expiry: b.annaCard.Card.Expiry})
	list, err := b.app.Authorizer.Authorizations(context.Background(), b.annaCard.Card.ID, 1)
	if err != nil || len(list) != 1 || resp.Code != card.CodeApproved {
		b.t.Fatalf("purchase: %s %+v %v", resp.Code, list, err)
	}
	return list[0]
}

// staff logs in a staff member with roles in a browser of its own.
func (b *disputeBank) staff(username string, roles ...string) *browserClient {
	b.t.Helper()
	password := "korrekt-hest-batteri-" + username
	_, secret, err := b.app.Identity.CreateStaff(context.Background(), username, "Medarbejder "+username, password, roles, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	c := b.client()
	c.get("/backoffice/login")
	p := c.post("/backoffice/login", url.Values{"username": {username}, "password": {password}, "totp": {auth.TOTPCode(secret, b.clock.Now())}})
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("staff login: %d\n%s", p.StatusCode, p.Text())
	}
	return c
}

func (b *disputeBank) posted(account string) int64 {
	b.t.Helper()
	bal, err := b.app.Ledger.Balance(context.Background(), account)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal.Posted
}

// RULES DISP-3, DISP-4, LIAB-2: Anna disputes a payment she did not
// approve from the card's page; the form names each case's deadline; the
// amount is credited at once and she follows the dispute; staff calculate
// her liability from the facts (PIN used: 375 kr.) and uphold it, which
// debits exactly that; she sees the decision and gets a message.
func TestCardDisputeInTheNetbankAndBackoffice_DISP3_DISP4_LIAB2(t *testing.T) {
	b := newDisputeBank(t)
	a := b.buy(2_000_00, "Boghandlen")
	cardPath := "/netbank/kort/" + b.annaCard.Card.ID

	p := b.anna.c.get(cardPath)
	want(t, p, http.StatusOK, "Gør indsigelse mod en betaling med kortet", "Mine indsigelser")
	p = b.anna.c.get(cardPath + "/indsigelse")
	want(t, p, http.StatusOK, "Betalinger med kortet", "Boghandlen, Aarhus", "2.000,00 kr.", "Gør indsigelse")
	formPath := cardPath + "/indsigelse/" + a.ID
	if !strings.Contains(p.Body, `href="`+formPath+`"`) {
		t.Fatalf("no link to the form\n%s", p.Body)
	}
	// 21.11.2026 + 8 weeks = 16.01.2027; + 13 months = 21.12.2027.
	want(t, b.anna.c.get(formPath), http.StatusOK, "Beløbet var ukendt, da jeg godkendte betalingen", "senest 16.01.2027",
		"Betalingen er ikke godkendt af mig", "senest 21.12.2027", "regnet fra trækket: senest 05.12.2026")

	// DISP-2 without the merchant tried first: refused on the form.
	want(t, b.anna.c.post(formPath, url.Values{"case": {"distance_purchase"}, "description": {"Aldrig leveret."}}),
		http.StatusBadRequest, "Du skal først have forsøgt at løse problemet med forretningen")
	before := b.posted(b.annaAccount)
	p = b.anna.c.post(formPath, url.Values{"case": {"not_approved"}, "description": {"Jeg har ikke været i Aarhus."}})
	id := card.DisputeID(a.ID)
	wantRedirect(t, p, "/netbank/indsigelser/"+id+"?besked=oprettet")
	want(t, b.anna.c.follow(p), http.StatusOK, "Vi har modtaget din indsigelse", "Under behandling", "Jeg har ikke været i Aarhus.",
		"Betalingen er ikke godkendt af mig (DISP-3)")
	if got := b.posted(b.annaAccount); got != before+2_000_00 {
		t.Fatalf("balance %d → %d: the amount is not credited (DISP-4)", before, got)
	}
	want(t, b.anna.c.get("/netbank/indsigelser"), http.StatusOK, "Mine indsigelser", "Boghandlen, Aarhus", "Under behandling")
	wantRedirect(t, b.anna.c.get(formPath), "/netbank/indsigelser/"+id)
	want(t, b.anna.c.post(formPath, url.Values{"case": {"not_approved"}}), http.StatusConflict, "Der er allerede gjort indsigelse")

	// The back office: the queue, the calculator, the decision.
	staff := b.staff("lene", identity.RoleSupport)
	p = staff.get("/backoffice/indsigelser")
	want(t, p, http.StatusOK, "Indsigelser", "Til afgørelse", "Boghandlen, Aarhus", "2.000,00 kr.")
	if !strings.Contains(p.Body, `id="nav-disputes" aria-current="page"`) {
		t.Error("the menu does not mark Indsigelser")
	}
	casePath := "/backoffice/indsigelser/" + id
	want(t, staff.get(casePath), http.StatusOK, "Hæftelse ved misbrug", "Jeg har ikke været i Aarhus.", "Ved ikke medhold trækkes i dag",
		"Gebyr for notakopi", "50,00 kr.")
	p = staff.post(casePath+"/beregn", url.Values{"pin_used": {"1"}, "loss": {"2.000,00"}})
	want(t, p, http.StatusOK, "LIAB-2: kortholderen hæfter for 375,00 kr.", "Ved medhold trækkes 375,00 kr. på denne transaktion.")
	if !strings.Contains(p.Body, `id="fact-pin_used" checked`) {
		t.Error("the calculator forgot the ticked fact")
	}
	p = staff.post(casePath+"/beregn", url.Values{"pin_used": {"1"}, "late_notice": {"1"}})
	want(t, p, http.StatusOK, "LIAB-3: kortholderen hæfter for 2.000,00 kr.")
	if d, _ := b.app.Disputes.Dispute(context.Background(), id); d.Status != card.DisputeOpen {
		t.Fatalf("the calculator changed the dispute: %s", d.Status)
	}
	mid := b.posted(b.annaAccount)
	p = staff.post(casePath+"/afgoer", url.Values{"outcome": {"founded"}, "pin_used": {"1"}, "loss": {"2.000,00"},
		"note": {"Kortet blev stjålet, og PIN-koden blev brugt."}})
	wantRedirect(t, p, casePath+"?besked=afgjort")
	want(t, staff.follow(p), http.StatusOK, "Indsigelsen er afgjort", "LIAB-2", "375,00 kr.", "af Medarbejder lene", "Anna Berg")
	if got := b.posted(b.annaAccount); got != mid-375_00 {
		t.Fatalf("balance %d → %d, want 375,00 kr. debited (LIAB-2)", mid, got)
	}
	want(t, b.anna.c.get("/netbank/indsigelser/"+id), http.StatusOK, "Medhold", "Din egenbetaling på 375,00 kr. er trukket på kontoen.",
		"Kortet blev stjålet, og PIN-koden blev brugt.")
	var told bool
	for _, th := range b.threads(b.anna.customerID) {
		if th.Subject == "Din indsigelse er afgjort" && strings.Contains(th.Last().Body, "375,00 kr.") {
			told = true
		}
	}
	if !told {
		t.Error("no message with the decision")
	}
	want(t, staff.post(casePath+"/afgoer", url.Values{"outcome": {"unfounded"}}), http.StatusUnprocessableEntity, "allerede afgjort")
	b.ledgerOK()
}

// RULE DISP-4: staff find a dispute unfounded: the credit is reversed
// with interest for the period and the receipt-copy fee of the price
// list; the cardholder sees what was debited.
func TestUnfoundedDisputeInTheBackoffice_DISP4(t *testing.T) {
	b := newDisputeBank(t)
	a := b.buy(640_00, "Hotel Aarhus")
	p := b.anna.c.post("/netbank/kort/"+b.annaCard.Card.ID+"/indsigelse/"+a.ID,
		url.Values{"case": {"unknown_amount"}, "description": {"Regningen er meget højere end aftalt."}})
	id := card.DisputeID(a.ID)
	wantRedirect(t, p, "/netbank/indsigelser/"+id+"?besked=oprettet")
	staff := b.staff("lene", identity.RoleSupport)
	casePath := "/backoffice/indsigelser/" + id
	p = staff.get(casePath)
	want(t, p, http.StatusOK, "Beløbet var ukendt", "Ved ikke medhold trækkes i dag")
	if strings.Contains(p.Body, `id="calculator"`) {
		t.Error("the liability calculator is offered for a merchant dispute")
	}
	before := b.posted(b.annaAccount)
	wantRedirect(t, staff.post(casePath+"/afgoer", url.Values{"outcome": {"unfounded"}, "note": {"Hotellet har dokumenteret regningen."}}),
		casePath+"?besked=afgjort")
	// Decided the same day it was credited: no interest, the fee of 50 kr.
	if got := b.posted(b.annaAccount); got != before-640_00-50_00 {
		t.Fatalf("balance %d → %d", before, got)
	}
	want(t, b.anna.c.get("/netbank/indsigelser/"+id), http.StatusOK, "Ikke medhold", "Gebyr for notakopi", "690,00 kr.",
		"Hotellet har dokumenteret regningen.")
	want(t, b.anna.c.get("/netbank/indsigelser"), http.StatusOK, "Ikke medhold")
	b.ledgerOK()
}

// Another customer can neither open nor see a dispute: every page of
// someone else's card, transaction or dispute is 404, as for one that
// does not exist; customers and staff without the support role cannot
// reach the back office's disputes.
func TestDisputePagesAreTheCustomersOwn_DISP4(t *testing.T) {
	b := newDisputeBank(t)
	a := b.buy(300_00, "Boghandlen")
	formPath := "/netbank/kort/" + b.annaCard.Card.ID + "/indsigelse/" + a.ID
	for _, path := range []string{"/netbank/kort/" + b.annaCard.Card.ID + "/indsigelse", formPath,
		"/netbank/kort/" + b.carlCard.Card.ID + "/indsigelse/" + a.ID} {
		if p := b.carl.c.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("Carl GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := b.carl.c.post(formPath, url.Values{"case": {"not_approved"}}); p.StatusCode != http.StatusNotFound {
		t.Fatalf("Carl's dispute of Anna's payment: %d, want 404", p.StatusCode)
	}
	if _, err := b.app.Disputes.Dispute(context.Background(), card.DisputeID(a.ID)); err == nil {
		t.Fatal("Carl's attempt stored a dispute")
	}
	wantRedirect(t, b.anna.c.post(formPath, url.Values{"case": {"not_approved"}}), "/netbank/indsigelser/"+card.DisputeID(a.ID)+"?besked=oprettet")
	for _, path := range []string{"/netbank/indsigelser/" + card.DisputeID(a.ID), "/netbank/indsigelser/dsp_doesnotexist"} {
		if p := b.carl.c.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("Carl GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := b.carl.c.get("/netbank/indsigelser"); p.StatusCode != http.StatusOK || strings.Contains(p.Body, card.DisputeID(a.ID)) {
		t.Errorf("Carl's list: %d, shows Anna's dispute: %v", p.StatusCode, strings.Contains(p.Body, card.DisputeID(a.ID)))
	}
	// Bo holds a proxy card on Anna's account, not this one.
	if p := b.bo.c.get("/netbank/indsigelser/" + card.DisputeID(a.ID)); p.StatusCode != http.StatusNotFound {
		t.Errorf("Bo reads Anna's card's dispute: %d", p.StatusCode)
	}

	casePath := "/backoffice/indsigelser/" + card.DisputeID(a.ID)
	if p := b.anna.c.get(casePath); p.StatusCode == http.StatusOK {
		t.Fatal("a customer reached the back office's disputes")
	}
	auditor := b.staff("revisor", identity.RoleAuditor)
	for _, path := range []string{"/backoffice/indsigelser", casePath} {
		if p := auditor.get(path); p.StatusCode != http.StatusForbidden {
			t.Errorf("an auditor GET %s: %d, want 403", path, p.StatusCode)
		}
	}
	if p := auditor.post(casePath+"/afgoer", url.Values{"outcome": {"founded"}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor decided: %d, want 403", p.StatusCode)
	}
	if d, _ := b.app.Disputes.Dispute(context.Background(), card.DisputeID(a.ID)); d.Status != card.DisputeOpen {
		t.Fatalf("the refused decision changed the dispute: %s", d.Status)
	}
	b.ledgerOK()
}

// The texts the dispute pages pick by value (cases, statuses, facts)
// exist in both languages.
func TestDisputeTextsPickedByValueExist(t *testing.T) {
	var keys []string
	for _, c := range []string{"unknown_amount", "distance_purchase", "not_approved"} {
		keys = append(keys, "disp.case."+c, "disp.case."+c+".hint")
	}
	for _, st := range []card.DisputeStatus{card.DisputeOpen, card.DisputeDeciding, card.DisputeFounded, card.DisputeUnfounded} {
		keys = append(keys, "disp.status."+string(st), "bo.disp.status."+string(st))
	}
	for _, f := range []string{"pin_used", "late_notice", "code_given_away", "gross_negligence", "code_given_away_knowingly", "fraud",
		"intentional_breach", "blocking_impossible", "not_detectable", "staff_fault", "payee_knew", "sca_not_required",
		"not_correctly_recorded", "same_pin_blocked_together"} {
		keys = append(keys, "bo.disp.fact."+f)
	}
	for _, k := range keys {
		for _, lang := range []web.Lang{web.Danish, web.English} {
			if web.T(lang, k) == k {
				t.Errorf("%s has no %s text", k, lang)
			}
		}
	}
}
