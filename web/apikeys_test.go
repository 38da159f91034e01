package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
)

// tokenRE finds a token shown on a page.
var tokenRE = regexp.MustCompile(`nbk_[A-Za-z0-9_-]{43}`)

// apiStatus calls GET path of the JSON API with a bearer token and returns
// the status.
func apiStatus(t *testing.T, base, method, path, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// "API-adgang": a user makes a key, sees its token once, uses it against
// the API, and revokes it; another user can neither see nor revoke it.
func TestAPIKeyPage(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")

	p := mette.c.get("/netbank/api-adgang")
	want(t, p, http.StatusOK, "API-adgang", "Du har ingen API-nøgler.", "Betalinger skal stadig underskrives af dig")
	if !strings.Contains(p.Body, `id="nav-apikeys" aria-current="page"`) {
		t.Error("API-adgang is not the current menu item")
	}

	// Refusals: the form again with the bank's message.
	want(t, mette.c.post("/netbank/api-adgang", url.Values{"name": {" "}, "validity": {"90"}}), http.StatusBadRequest, "Giv API-nøglen et navn")
	want(t, mette.c.post("/netbank/api-adgang", url.Values{"name": {"X"}, "validity": {"400"}}), http.StatusBadRequest, "Vælg, hvor længe nøglen skal gælde.")
	if p := mette.c.postRaw("/netbank/api-adgang", url.Values{"name": {"X"}, "validity": {"90"}}, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("create without CSRF: %d", p.StatusCode)
	}

	p = mette.c.post("/netbank/api-adgang", url.Values{"name": {"Regnskabsprogram"}, "validity": {"90"}})
	want(t, p, http.StatusOK, `Din nye API-nøgle "Regnskabsprogram"`, "Den vises ikke igen", "Aktiv", "Aldrig")
	token := tokenRE.FindString(p.Body)
	if token == "" {
		t.Fatalf("no token on the page:\n%s", p.Text())
	}
	if got := apiStatus(t, b.url, "GET", "/api/v1/accounts", token, ""); got != http.StatusOK {
		t.Fatalf("the new key: status %d", got)
	}
	// Shown once: the list has its prefix only, and now its last use.
	p = mette.c.get("/netbank/api-adgang")
	want(t, p, http.StatusOK, "Regnskabsprogram", token[:12]+"…", "21.11.2026 kl.")
	if strings.Contains(p.Body, token) {
		t.Fatal("the token is shown again")
	}

	keys, err := b.app.APIKeys.OfUser(context.Background(), mette.userID)
	if err != nil || len(keys) != 1 {
		t.Fatal(keys, err)
	}
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	if p := anders.c.get("/netbank/api-adgang"); strings.Contains(p.Body, keys[0].ID) || strings.Contains(p.Body, keys[0].Prefix) {
		t.Fatal("another user sees the key")
	}
	want(t, anders.c.post("/netbank/api-adgang/"+keys[0].ID+"/tilbagekald", nil), http.StatusNotFound)
	if got := apiStatus(t, b.url, "GET", "/api/v1/accounts", token, ""); got != http.StatusOK {
		t.Fatalf("after another user's attempt: status %d", got)
	}

	wantRedirect(t, mette.c.post("/netbank/api-adgang/"+keys[0].ID+"/tilbagekald", nil), "/netbank/api-adgang?besked=tilbagekaldt")
	want(t, mette.c.get("/netbank/api-adgang?besked=tilbagekaldt"), http.StatusOK, "Nøglen er tilbagekaldt", "Tilbagekaldt")
	if got := apiStatus(t, b.url, "GET", "/api/v1/accounts", token, ""); got != http.StatusUnauthorized {
		t.Fatalf("a revoked key: status %d", got)
	}
}

// "API-klienter": only administrators make partner keys; a clearing key
// delivers payments, a revoked one no longer does; both are audited.
func TestBackofficeAPIClients(t *testing.T) {
	b := newBoBank(t)
	admin := b.staff("birgitte", "Birgitte Lauridsen", identity.RoleAdmin)
	support := b.staff("kasper", "Kasper Thomsen", identity.RoleSupport)

	sc := b.client()
	sc.login(support)
	sc.get("/backoffice/api-klienter").want(t, http.StatusForbidden)
	if p := sc.get("/backoffice"); strings.Contains(p.body, `id="nav-apikeys"`) {
		t.Error("support sees API-klienter in the menu")
	}

	c := b.client()
	c.login(admin)
	c.get("/backoffice/api-klienter").want(t, http.StatusOK, "API-klienter", "Der er ingen API-klienter.")

	p := c.post("/backoffice/api-klienter", url.Values{"role": {"creditor"}, "name": {"Ørsted"}, "creditors": {"123"}, "validity": {"365"}})
	p.want(t, http.StatusUnprocessableEntity, "Et kreditornummer (PBS-nummer eller FI-kreditornummer) skal være 8 cifre.")
	c.post("/backoffice/api-klienter", url.Values{"role": {"customer"}, "name": {"X"}, "validity": {"365"}}).
		want(t, http.StatusUnprocessableEntity, "Vælg klientens rolle.")

	p = c.post("/backoffice/api-klienter", url.Values{"role": {"creditor"}, "name": {"Ørsted"}, "creditors": {"81234567, 02345678"}, "validity": {"365"}})
	p.want(t, http.StatusOK, "Nøglen til Ørsted", "Kreditor (Betalingsservice / FI)", "81234567, 02345678")
	creditor := tokenRE.FindString(p.body)
	p = c.post("/backoffice/api-klienter", url.Values{"role": {"clearing"}, "name": {"Arbejdernes Landsbank"}, "validity": {"30"}})
	p.want(t, http.StatusOK, "Nøglen til Arbejdernes Landsbank", "Clearing (anden bank)")
	clearing := tokenRE.FindString(p.body)
	if creditor == "" || clearing == "" || creditor == clearing {
		t.Fatalf("tokens %q %q", creditor, clearing)
	}

	delivery := `{"reference":"AL-1","from_bank":"5301","to_reg":"9070","to_account":"1","amount":100}`
	if got := apiStatus(t, b.url, "POST", "/api/v1/clearing/incoming", clearing, delivery); got != http.StatusOK { // returned: no such account
		t.Fatalf("clearing key: status %d", got)
	}
	if got := apiStatus(t, b.url, "POST", "/api/v1/clearing/incoming", creditor, delivery); got != http.StatusForbidden {
		t.Fatalf("creditor key on the clearing: status %d", got)
	}

	keys, err := b.a.APIKeys.Partners(b.ctx)
	if err != nil || len(keys) != 2 {
		t.Fatal(keys, err)
	}
	id := keys[0].ID
	if keys[1].Kind == apikey.Clearing {
		id = keys[1].ID
	}
	sc.post("/backoffice/api-klienter/"+id+"/tilbagekald", nil).want(t, http.StatusForbidden)
	p = c.post("/backoffice/api-klienter/"+id+"/tilbagekald", nil)
	if p.status != http.StatusSeeOther || p.location() != "/backoffice/api-klienter?besked=tilbagekaldt" {
		t.Fatalf("revoke: %d → %q", p.status, p.location())
	}
	c.get(p.location()).want(t, http.StatusOK, "Nøglen er tilbagekaldt.", "Tilbagekaldt")
	if got := apiStatus(t, b.url, "POST", "/api/v1/clearing/incoming", clearing, delivery); got != http.StatusUnauthorized {
		t.Fatalf("revoked clearing key: status %d", got)
	}

	for _, action := range []string{apikey.ActionCreated, apikey.ActionRevoked} {
		es, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Actor: admin.ID, Action: action})
		if err != nil || len(es) == 0 || es[0].ActorKind != audit.ActorStaff {
			t.Fatalf("audit %s: %+v %v", action, es, err)
		}
	}
}
