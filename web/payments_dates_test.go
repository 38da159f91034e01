package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The date field of "Ny betaling" and of a bill's page (RULE PAY-3,
// CAL-1) over HTTP; payments_more_browser_test.go drives payments.js.

// closedDays reads the non-bank days a page lists for payments.js.
func closedDays(t *testing.T, p httpPage) map[string]string {
	t.Helper()
	raw := attr(t, p.Body, `<script type="application/json" id="date-closed">([^<]*)</script>`)
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("the non-bank days are not JSON: %v\n%s", err, raw)
	}
	return m
}

// RULE CAL-1, PAY-3: on Saturday 21.11.2026 the form offers today up to
// the last bank day a year ahead (Friday 19.11.2027: the 21st is a
// Sunday), and lists every non-bank day after today with its name for
// payments.js: weekends and holidays, in the page's language. Today is not
// listed (a payment dated today is made today). The bill's page offers the
// same. Without JavaScript the bank still moves a Saturday to Monday
// (TestPaymentFutureAndCancel).
func TestPaymentDateOffersBankDays_PAY3_CAL1(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000)

	for _, path := range []string{"/netbank/betalinger", "/netbank/betalinger?type=kort", "/netbank/betalinger?type=udland"} {
		p := mette.c.get(path)
		want(t, p, http.StatusOK)
		if got := attr(t, p.Body, `id="date"[^>]* min="([^"]*)"`); got != "2026-11-21" {
			t.Errorf("%s: min %q", path, got)
		}
		if got := attr(t, p.Body, `id="date"[^>]* max="([^"]*)"`); got != "2027-11-19" {
			t.Errorf("%s: max %q", path, got)
		}
		closed := closedDays(t, p)
		for day, name := range map[string]string{"2026-11-22": "Søndag", "2026-11-28": "Lørdag", "2026-12-24": "Juleaftensdag",
			"2026-12-25": "Juledag", "2026-12-26": "2. juledag", "2026-12-31": "Nytårsaftensdag", "2027-03-25": "Skærtorsdag",
			"2027-05-07": "Fredag efter Kristi himmelfartsdag", "2027-06-05": "Grundlovsdag", "2027-11-14": "Søndag"} {
			if closed[day] != name {
				t.Errorf("%s: %s is %q, want %q", path, day, closed[day], name)
			}
		}
		for _, day := range []string{"2026-11-21", "2026-11-23", "2026-12-23", "2026-12-28", "2027-11-19", "2027-11-20", "2027-11-21"} {
			if name, ok := closed[day]; ok {
				t.Errorf("%s: %s listed as %q", path, day, name)
			}
		}
		// 52 weekends, 24.11.2026-19.11.2027: 104 days, less the Sunday
		// 21.11.2027 beyond max, plus the holidays on weekdays.
		if len(closed) < 110 || len(closed) > 120 {
			t.Errorf("%s: %d non-bank days", path, len(closed))
		}
		hint := attr(t, p.Body, `(<p class="field-hint" id="date-moved"[^>]*>)`)
		for _, want := range []string{`aria-live="polite"`, `data-text="{day} er ikke en bankdag. Betalingen gennemføres {next}."`,
			`data-weekdays="søndag mandag tirsdag onsdag torsdag fredag lørdag"`} {
			if !strings.Contains(html.UnescapeString(hint), want) {
				t.Errorf("%s: the hint lacks %s: %s", path, want, hint)
			}
		}
	}

	// In English the names are English.
	if p := mette.c.get("/netbank/betalinger?lang=en"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("language switch: %d", p.StatusCode)
	}
	p := mette.c.get("/netbank/betalinger")
	if closed := closedDays(t, p); closed["2026-12-26"] != "Boxing Day" || closed["2026-11-28"] != "Saturday" {
		t.Errorf("English names: %q, %q", closed["2026-12-26"], closed["2026-11-28"])
	}
	if !strings.Contains(html.UnescapeString(p.Body), `data-text="{day} is not a bank day. The payment is made on {next}."`) {
		t.Error("no English hint")
	}
	mette.c.get("/netbank/betalinger?lang=da")

	// A bill's page: the same dates.
	p = mette.c.post("/netbank/aftaler", url.Values{"kind": {"einvoice"}, "client_id": {"web-e-dates"}, "creditor": {testFI},
		"customer_number": {"4410001"}, "from": {from.ID}})
	wantRedirect(t, p, "/netbank/aftaler?besked=oprettet")
	bill := b.sendBill("dates", 500_00)
	p = mette.c.get("/netbank/regninger/" + bill.ID)
	want(t, p, http.StatusOK, "Godkend og betal")
	if got := attr(t, p.Body, `id="date"[^>]* max="([^"]*)"`); got != "2027-11-19" {
		t.Errorf("bill: max %q", got)
	}
	if closed := closedDays(t, p); closed["2026-12-26"] != "2. juledag" || closed["2026-11-28"] != "Lørdag" {
		t.Errorf("bill: %q, %q", closed["2026-12-26"], closed["2026-11-28"])
	}
	if !strings.Contains(p.Body, `/static/payments.`) {
		t.Error("the bill's page does not load payments.js")
	}
}
