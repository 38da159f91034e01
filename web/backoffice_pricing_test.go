package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/pricing"
)

// The price list and the exchange rates in the back office
// (backoffice_pricing.go), over HTTP against a whole bank on SQLite.

func (b *boBank) rate(currency string) pricing.Rate {
	b.t.Helper()
	r, err := b.a.Pricing.Rate(b.ctx, currency)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

func (b *boBank) price(key string) pricing.Price {
	b.t.Helper()
	p, err := b.a.Pricing.Price(b.ctx, key)
	if err != nil {
		b.t.Fatal(err)
	}
	return p
}

// RULE PAY-5 (the rate and the fee shown before signing come from here):
// an administrator sees the rates and the price list, sets a new rate and
// changes a price; each change is a new version, read back at once, and
// audited with the staff member and the address. Wrong input is refused in
// Danish and changes nothing.
func TestBackofficePricingAdmin_PAY5(t *testing.T) {
	b := newBoBank(t)
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	c := b.client()
	c.login(admin)

	dash := c.get("/backoffice")
	if !strings.Contains(dash.body, `id="nav-pricing"`) {
		t.Error("no Priser og kurser in an administrator's menu")
	}
	p := c.get("/backoffice/priser")
	p.want(t, http.StatusOK, "Priser og valutakurser", "EUR", "746,1000", "753,5610", "738,6390", "JPY", "4,2330",
		"Overførsel til udlandet, pr. overførsel", "50,00 kr.", "100 bp (1,00 %)", "Banken (standard)")
	if !strings.Contains(p.body, `id="nav-pricing" aria-current="page"`) {
		t.Error("Priser og kurser is not the current menu item")
	}

	// A new rate for EUR.
	p = c.post("/backoffice/priser/kurs", url.Values{"currency": {"EUR"}, "rate": {"747,25"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("set rate: %d\n%s", p.status, p.text())
	}
	p = c.get(p.location())
	p.want(t, http.StatusOK, "Den nye kurs for EUR er gemt", "747,2500", "Birgitte Lauridsen (admin1)")
	r := b.rate("EUR")
	if r.Rate != 7472500 || r.Version != 2 || r.UpdatedBy != admin.ID {
		t.Errorf("EUR after the form: %+v", r)
	}
	q, err := b.a.Pricing.QuoteSell(b.ctx, "EUR", 100_00, pricing.KeyForeignTransferFee)
	if err != nil || q.ReferenceRate != 7472500 {
		t.Errorf("a quote after the new rate: %+v, %v", q, err)
	}
	// The history keeps the seed.
	c.get("/backoffice/priser?historik=EUR").want(t, http.StatusOK, "Tidligere kurser for EUR", "747,2500", "746,1000")

	// Refusals: the message in Danish, the value kept, nothing stored.
	for _, tc := range []struct {
		currency, rate, msg string
	}{
		{"EUR", "747.25", "komma som decimaltegn"},
		{"EUR", "0", "større end 0"},
		{"DKK", "100", "Kronen har ingen kurs"},
		{"XXX", "10", "Ukendt valuta"},
	} {
		p = c.post("/backoffice/priser/kurs", url.Values{"currency": {tc.currency}, "rate": {tc.rate}})
		p.want(t, http.StatusUnprocessableEntity, tc.msg)
		if !strings.Contains(p.body, `value="`+tc.rate+`"`) {
			t.Errorf("%s %s: the typed rate is not kept", tc.currency, tc.rate)
		}
	}
	if r := b.rate("EUR"); r.Version != 2 {
		t.Errorf("a refused rate was stored: %+v", r)
	}

	// A price.
	p = c.post("/backoffice/priser/pris", url.Values{"key": {pricing.KeyForeignTransferFee}, "amount": {"75,00"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("set price: %d\n%s", p.status, p.text())
	}
	c.get(p.location()).want(t, http.StatusOK, "Prisen er ændret", "75,00 kr.")
	if pr := b.price(pricing.KeyForeignTransferFee); pr.Amount != 75_00 || pr.UpdatedBy != admin.ID {
		t.Errorf("price after the form: %+v", pr)
	}
	p = c.post("/backoffice/priser/pris", url.Values{"key": {pricing.KeyFXMarginBP}, "amount": {"150"}})
	if p.status != http.StatusSeeOther || b.price(pricing.KeyFXMarginBP).Amount != 150 {
		t.Errorf("margin: %d, %+v", p.status, b.price(pricing.KeyFXMarginBP))
	}
	// EU 2021/1230: a euro transfer in the EU/EEA costs what a national one does.
	c.post("/backoffice/priser/pris", url.Values{"key": {pricing.KeyForeignTransferFeeEUEUR}, "amount": {"10,00"}}).
		want(t, http.StatusUnprocessableEntity, "2021/1230")
	c.post("/backoffice/priser/pris", url.Values{"key": {pricing.KeyFXMarginBP}, "amount": {"1,5"}}).
		want(t, http.StatusUnprocessableEntity, "Skriv et helt tal")
	c.post("/backoffice/priser/pris", url.Values{"key": {"free_lunch"}, "amount": {"0"}}).
		want(t, http.StatusUnprocessableEntity, "Prislisten har ingen pris")
	if pr := b.price(pricing.KeyForeignTransferFeeEUEUR); pr.Amount != 0 {
		t.Errorf("a refused EU fee was stored: %+v", pr)
	}

	// The audit log: who, from where, old and new.
	entries, err := b.a.DB.Audit().List(context.Background(), audit.Filter{Actor: admin.ID, Action: pricing.ActionRateSet})
	if err != nil || len(entries) != 1 {
		t.Fatalf("rate audit entries %+v, %v", entries, err)
	}
	if e := entries[0]; e.Subject != "EUR" || e.IP == "" || e.Details["rate"] != "747,2500" || e.Details["previous"] != "746,1000" {
		t.Errorf("rate audit entry %+v", e)
	}
	entries, err = b.a.DB.Audit().List(context.Background(), audit.Filter{Actor: admin.ID, Action: pricing.ActionPriceSet})
	if err != nil || len(entries) != 2 {
		t.Fatalf("price audit entries %+v, %v", entries, err)
	}
	if e := entries[1]; e.Subject != pricing.KeyForeignTransferFee || e.Details["previous"] != "50,00 kr." || e.Details["amount"] != "75,00 kr." {
		t.Errorf("price audit entry %+v", e)
	}
	c.get("/backoffice/revision").want(t, http.StatusOK, "Valutakurs sat", "Pris ændret")
}

// Only administrators reach the price list: support and auditors get 403
// on the page and on both forms (and change nothing), and the menu does
// not offer it to them. A form without the CSRF token is refused.
func TestBackofficePricingRolesAndCSRF(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	auditor := b.staff("revisor1", "Rikke Vang", identity.RoleAuditor)
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	for _, st := range []boStaff{support, auditor} {
		c := b.client()
		c.login(st)
		if strings.Contains(c.get("/backoffice").body, `id="nav-pricing"`) {
			t.Errorf("%s: Priser og kurser in the menu", st.Username)
		}
		c.get("/backoffice/priser").want(t, http.StatusForbidden, "Adgang nægtet")
		c.post("/backoffice/priser/kurs", url.Values{"currency": {"EUR"}, "rate": {"800,00"}}).want(t, http.StatusForbidden)
		c.post("/backoffice/priser/pris", url.Values{"key": {pricing.KeyForeignTransferFee}, "amount": {"1,00"}}).want(t, http.StatusForbidden)
	}
	// Not logged in: to the login.
	anon := b.client()
	if p := anon.get("/backoffice/priser"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/backoffice/login") {
		t.Errorf("anonymous: %d → %q", p.status, p.location())
	}

	c := b.client()
	c.login(admin)
	c.get("/backoffice/priser")
	if p := c.postRaw("/backoffice/priser/kurs", url.Values{"currency": {"EUR"}, "rate": {"800,00"}}); p.status != http.StatusForbidden {
		t.Errorf("rate without CSRF: %d", p.status)
	}
	if p := c.postRaw("/backoffice/priser/pris", url.Values{"key": {pricing.KeyForeignTransferFee}, "amount": {"1,00"}}); p.status != http.StatusForbidden {
		t.Errorf("price without CSRF: %d", p.status)
	}
	if p := c.postRaw("/backoffice/priser/kurs", url.Values{"currency": {"EUR"}, "rate": {"800,00"}, "csrf_token": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("rate with a forged token: %d", p.status)
	}
	if r := b.rate("EUR"); r.Version != 1 || r.Rate != 7461000 {
		t.Errorf("EUR changed by refused requests: %+v", r)
	}
	if p := b.price(pricing.KeyForeignTransferFee); p.Amount != 50_00 {
		t.Errorf("the fee changed by refused requests: %+v", p)
	}
}
