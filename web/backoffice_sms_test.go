package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/web"
)

// RULE CARD-11: the Visa Secure SMS (code, merchant and amount) is in the
// outbox that support staff read in the back office, with the mobile
// number masked; every look is in the audit log; customers cannot reach
// the page.
func TestBackofficeSMSOutbox_CARD11(t *testing.T) {
	b := newCardsBank(t)
	ctx := context.Background()
	if _, err := b.app.Cards.Activate(ctx, b.anna.customerID, b.annaCard.Card.ID, card.System); err != nil {
		t.Fatal(err)
	}
	a, err := b.app.VisaSecure.StartAuthentication(ctx, card.Challenge{PAN: b.annaCard.PAN, Amount: 1_234_56, Currency: "DKK",
		MerchantID: "BOGHANDLEN01", MerchantName: "Boghandlen ApS", Requester: "apk_test"})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.anna.c.get("/backoffice/sms"); p.StatusCode == http.StatusOK {
		t.Fatal("a customer reached the SMS outbox")
	}

	c, st := b.staffClient()
	p := c.get("/backoffice/sms")
	want(t, p, http.StatusOK, "Sendte SMS", "til køb hos Boghandlen ApS på 1.234,56 kr. Del aldrig koden.", "+45 •• •• •• 89",
		"I udbakken", a.ID)
	if strings.Contains(p.Body, "20456789") {
		t.Error("the page shows the whole mobile number")
	}
	if !strings.Contains(p.Body, `id="nav-sms" aria-current="page"`) {
		t.Error("no current menu item for the SMS outbox")
	}
	entries, err := b.app.DB.Audit().List(ctx, audit.Filter{Action: web.ActionSMSOutboxViewed})
	if err != nil || len(entries) != 1 || entries[0].Actor != st.ID {
		t.Fatalf("look audited as %+v %v", entries, err)
	}

	// An auditor has no business with the codes.
	_, secret, err := b.app.Identity.CreateStaff(ctx, "rikke", "Rikke Vang", "korrekt-hest-batteri-rikke",
		[]string{identity.RoleAuditor}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	ac := b.client()
	ac.get("/backoffice/login")
	wantRedirect(t, ac.post("/backoffice/login", url.Values{"username": {"rikke"}, "password": {"korrekt-hest-batteri-rikke"},
		"totp": {auth.TOTPCode(secret, b.clock.Now())}}), "/backoffice")
	if p := ac.get("/backoffice/sms"); p.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor on the SMS outbox: %d, want 403", p.StatusCode)
	}
}

// RULES CARD-11, CARD-16: an administrator makes a partner key with the
// role merchant in the back office; it reaches the block register and
// Visa Secure, and nothing of the other partners.
func TestBackofficeMakesMerchantKeys_CARD16(t *testing.T) {
	b := newBoBank(t)
	admin := b.staff("birgitte", "Birgitte Lauridsen", identity.RoleAdmin)
	c := b.client()
	c.login(admin)
	c.get("/backoffice/api-klienter").want(t, http.StatusOK, "Forretning (Visa Secure, spærreliste)")
	p := c.post("/backoffice/api-klienter", url.Values{"role": {"merchant"}, "name": {"Boghandlen ApS"}, "validity": {"365"}})
	p.want(t, http.StatusOK, "Nøglen til Boghandlen ApS", "Forretning (Visa Secure, spærreliste)")
	tok := tokenRE.FindString(p.body)
	if tok == "" {
		t.Fatal("no token shown")
	}
	if got := apiStatus(t, b.url, "POST", "/api/v1/block-register", tok, `{"pan":"4571990000000003"}`); got != http.StatusOK {
		t.Errorf("merchant key on the block register: %d", got)
	}
	if got := apiStatus(t, b.url, "POST", "/api/v1/visa-secure/authentications", tok,
		`{"pan":"4571990000000003","amount":100,"merchant_id":"SHOP1","merchant_name":"Shop"}`); got != http.StatusUnprocessableEntity {
		t.Errorf("merchant key on Visa Secure, unknown card: %d, want 422", got)
	}
	if got := apiStatus(t, b.url, "POST", "/api/v1/clearing/incoming", tok, `{"reference":"X"}`); got != http.StatusForbidden {
		t.Errorf("merchant key on the clearing: %d", got)
	}
}
