package web_test

import (
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// RULE BIZ-4: a business user enrols the key app by QR code in the net bank;
// the app then replaces the key card, for logins as for signing.
func TestKeyAppEnrolment(t *testing.T) {
	b := newTestBank(t, false)
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate)
	c := b.client()
	p, _, _ := c.businessLogin("jens.hansen", password, card)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", p.StatusCode, p.Text())
	}
	p = c.get("/netbank/noegleapp")
	wantText(t, p, "Nøgleapp", "Én app erstatter ét nøglekort", "Start tilmelding")
	p = c.post("/netbank/noegleapp", nil)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Fatalf("scan page: %d\n%s", p.StatusCode, p.Body)
	}
	secretText := attr(t, p.Body, `id="keyapp-secret">([A-Z2-7]+)<`)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secretText)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)},
		"secret": {secretText}, "uri": {attr(t, p.Body, `name="uri" value="([^"]+)"`)}}
	// A wrong code shows the same enrolment again.
	form.Set("code", "000000")
	if auth.TOTPCode(secret, b.clock.Now()) == "000000" {
		form.Set("code", "111111")
	}
	p = c.post("/netbank/noegleapp/bekraeft", form)
	if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.Body, secretText) {
		t.Fatalf("wrong code: %d\n%s", p.StatusCode, p.Text())
	}
	wantText(t, p, "Koden fra appen passer ikke")
	form.Set("code", auth.TOTPCode(secret, b.clock.Now()))
	p = c.post("/netbank/noegleapp/bekraeft", form)
	wantText(t, p, "Nøgleappen er klar")

	// The next login asks for the app's code; the key card no longer works.
	b.clock.Advance(30 * time.Second)
	other := b.client()
	p = other.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password}})
	wantText(t, p, "nøgleappen")
	if strings.Contains(p.Body, `id="key-number"`) {
		t.Fatal("a key-card number was asked for after the app replaced the card")
	}
	p = other.post("/login/business/code", url.Values{"user_id": {"jens.hansen"}, "code": {auth.TOTPCode(secret, b.clock.Now())},
		"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with the app: %d\n%s", p.StatusCode, p.Text())
	}

	// Private users have no key app page.
	userNumber, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	priv := b.client()
	priv.firstLogin(userNumber, pin)
	if p := priv.get("/netbank/noegleapp"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("private user: %d", p.StatusCode)
	}
	// Every POST needs the CSRF token.
	if p := c.postRaw("/netbank/noegleapp", url.Values{}, nil); p.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without CSRF: %d", p.StatusCode)
	}
}
