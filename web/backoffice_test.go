package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/web"
)

// boBank is a whole bank (app.New, no demo data) on a hand-moved clock,
// served over HTTP for the back office tests.
type boBank struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *testkit.Clock
	url   string
}

// boStart is 21.11.2026 10.00 in Copenhagen.
var boStart = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func newBoBank(t *testing.T) *boBank {
	t.Helper()
	clock := testkit.NewClock(boStart)
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	b := &boBank{t: t, ctx: context.Background(), a: a, clock: clock, url: srv.URL}
	t.Cleanup(func() {
		// Whatever a test did, the audit chain stays intact (unless the
		// test broke it on purpose, which it then repairs).
		if _, err := a.DB.Audit().Verify(context.Background()); err != nil {
			t.Errorf("audit chain broken after the test: %v", err)
		}
	})
	return b
}

// boStaff is a staff member with the secrets to log in.
type boStaff struct {
	identity.Staff
	password string
	secret   []byte
}

func (b *boBank) staff(username, name string, roles ...string) boStaff {
	b.t.Helper()
	password := "korrekt-hest-batteri-" + username
	st, secret, err := b.a.Identity.CreateStaff(b.ctx, username, name, password, roles, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return boStaff{Staff: st, password: password, secret: secret}
}

// boClient is one browser: a cookie jar, redirects not followed.
type boClient struct {
	t    *testing.T
	bank *boBank
	c    *http.Client
	csrf string
}

func (b *boBank) client() *boClient {
	jar, _ := cookiejar.New(nil)
	return &boClient{t: b.t, bank: b, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// boPage is a response with its body read.
type boPage struct {
	status int
	header http.Header
	body   string
}

func (p boPage) location() string { return p.header.Get("Location") }

// text is the page's visible text with white space collapsed.
func (p boPage) text() string { return visibleText(p.body) }

var (
	boTagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	boSpaceRE = regexp.MustCompile(`\s+`)
	csrfRE    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

func visibleText(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	return strings.TrimSpace(boSpaceRE.ReplaceAllString(html.UnescapeString(boTagRE.ReplaceAllString(page, " ")), " "))
}

func (c *boClient) do(req *http.Request) boPage {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := boPage{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *boClient) get(path string) boPage {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.bank.url+path, nil)
	return c.do(req)
}

// post sends a form with the browser's CSRF token (fetching a page first
// if it has none yet).
func (c *boClient) post(path string, form url.Values) boPage {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/backoffice/login")
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.csrf)
	return c.postRaw(path, form)
}

// postRaw sends a form as it is (no CSRF token added).
func (c *boClient) postRaw(path string, form url.Values) boPage {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.bank.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login logs st in. Each TOTP code works once, so the clock moves to the
// next 30-second step first.
func (c *boClient) login(st boStaff) {
	c.t.Helper()
	c.bank.clock.Advance(30 * time.Second)
	p := c.post("/backoffice/login", url.Values{"username": {st.Username}, "password": {st.password},
		"totp": {auth.TOTPCode(st.secret, c.bank.clock.Now())}})
	if p.status != http.StatusSeeOther || p.location() != "/backoffice" {
		c.t.Fatalf("login %s: status %d → %q\n%s", st.Username, p.status, p.location(), p.text())
	}
}

func (p boPage) want(t *testing.T, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d\n%s", p.status, status, p.text())
	}
	text := p.text()
	for _, s := range texts {
		if !strings.Contains(text, s) {
			t.Errorf("page lacks %q\n%s", s, text)
		}
	}
}

// ---- login ----

func TestBackofficeStaffLogin(t *testing.T) {
	b := newBoBank(t)
	st := b.staff("kbo", "Karen Bøgh", identity.RoleSupport)
	c := b.client()

	// Without a session the back office sends you to its login.
	if p := c.get("/backoffice"); p.status != http.StatusSeeOther || p.location() != "/backoffice/login" {
		t.Fatalf("GET /backoffice without a session: %d → %q", p.status, p.location())
	}
	p := c.get("/backoffice/login")
	p.want(t, http.StatusOK, "Log på backoffice", "Brugernavn", "Adgangskode", "Engangskode")
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	b.clock.Advance(30 * time.Second)
	code := auth.TOTPCode(st.secret, b.clock.Now())
	// Wrong password: a Danish refusal, the username kept, never the password.
	p = c.post("/backoffice/login", url.Values{"username": {"kbo"}, "password": {"forkert-hest-batteri"}, "totp": {code}})
	p.want(t, http.StatusUnauthorized, "Forkert brugernavn, adgangskode eller engangskode")
	if !strings.Contains(p.body, `value="kbo"`) || strings.Contains(p.body, "forkert-hest-batteri") {
		t.Error("the username is not kept, or the password is echoed")
	}
	// A malformed code is refused before anything is checked.
	c.post("/backoffice/login", url.Values{"username": {"kbo"}, "password": {st.password}, "totp": {"12ab"}}).
		want(t, http.StatusUnprocessableEntity, "Engangskoden skal være 6 cifre.")
	c.post("/backoffice/login", url.Values{"username": {"kbo"}}).
		want(t, http.StatusUnprocessableEntity, "Udfyld brugernavn, adgangskode og engangskode.")

	// The right password and code open the back office.
	p = c.post("/backoffice/login", url.Values{"username": {"KBO "}, "password": {st.password}, "totp": {code}})
	if p.status != http.StatusSeeOther || p.location() != "/backoffice" {
		t.Fatalf("login: %d → %q %s", p.status, p.location(), p.text())
	}
	c.get("/backoffice").want(t, http.StatusOK, "Goddag, Karen Bøgh", "Søg efter kunde", "Log af")
	// Logged in, the login page sends you on.
	if p := c.get("/backoffice/login"); p.status != http.StatusSeeOther {
		t.Errorf("login page while logged in: %d", p.status)
	}

	// The same code does not work twice.
	other := b.client()
	other.post("/backoffice/login", url.Values{"username": {"kbo"}, "password": {st.password}, "totp": {code}}).
		want(t, http.StatusUnauthorized, "Forkert brugernavn")

	// Log af ends the session on the server (SESS-5).
	p = c.post("/backoffice/logout", nil)
	if p.status != http.StatusSeeOther || p.location() != "/backoffice/login?reason=logout" {
		t.Fatalf("logout: %d → %q", p.status, p.location())
	}
	c.get("/backoffice/login?reason=logout").want(t, http.StatusOK, "Du er logget af backoffice.")
	if p := c.get("/backoffice"); p.status != http.StatusSeeOther {
		t.Errorf("after logout: %d", p.status)
	}

	// Logins and failures are in the audit log.
	entries, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Subject: st.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "logout staff.login_failed staff.login staff.login_failed staff.created" {
		t.Errorf("audit actions %q", got)
	}
}

// ---- roles ----

func TestBackofficeRoleMatrix(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	auditor := b.staff("revisor1", "Rikke Vang", identity.RoleAuditor)
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	cust, err := b.a.Identity.CreateCustomer(b.ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Mette Kjær Nielsen",
		CPR: "150385-1234", Address: "Vestergade 12", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}

	pages := []string{"/backoffice/kunder/ny", "/backoffice/kunder/" + cust.ID, "/backoffice/revision", "/backoffice/medarbejdere"}
	for _, tc := range []struct {
		who  boStaff
		want []int
	}{
		{support, []int{200, 200, 403, 403}},
		{auditor, []int{403, 403, 200, 403}},
		{admin, []int{200, 200, 200, 200}},
	} {
		c := b.client()
		c.login(tc.who)
		for i, path := range pages {
			if p := c.get(path); p.status != tc.want[i] {
				t.Errorf("%s GET %s: %d, want %d", tc.who.Username, path, p.status, tc.want[i])
			}
		}
		dash := c.get("/backoffice").body
		if strings.Contains(dash, `id="nav-audit"`) != (tc.who.Username != "support1") {
			t.Errorf("%s: audit log in the menu = %v", tc.who.Username, strings.Contains(dash, `id="nav-audit"`))
		}
		if strings.Contains(dash, `id="nav-new"`) != (tc.who.Username != "revisor1") {
			t.Errorf("%s: new customer in the menu = %v", tc.who.Username, strings.Contains(dash, `id="nav-new"`))
		}
		if tc.who.Username == "revisor1" {
			// An auditor can neither create customers nor search them.
			p := c.post("/backoffice/kunder/ny", url.Values{"kind": {"private"}, "name": {"X"}, "cpr": {"010101-1234"},
				"address": {"Gade 1"}, "postcode": {"1000"}, "city": {"København K"}})
			p.want(t, http.StatusForbidden, "Adgang nægtet")
			if p := c.post("/backoffice", url.Values{"q": {"Mette"}}); strings.Contains(p.body, `id="results"`) || strings.Contains(p.body, cust.ID) {
				t.Error("an auditor can search customers")
			}
			c.post("/backoffice/revision/kontroller", nil).want(t, http.StatusOK, "Kæden er intakt")
		}
		if tc.who.Username == "support1" {
			c.post("/backoffice/revision/kontroller", nil).want(t, http.StatusForbidden)
		}
	}

	// A customer's session never reaches the back office.
	u, pin, err := b.a.Identity.CreatePrivateUser(b.ctx, cust.ID, "", identity.System)
	if err != nil {
		t.Fatal(err)
	}
	tok := enrol(t, b, u.Login, pin)
	c := b.client()
	base, _ := url.Parse(b.url)
	c.c.Jar.SetCookies(base, []*http.Cookie{{Name: "nb_session", Value: string(tok), Path: "/"}})
	for _, path := range append([]string{"/backoffice"}, pages...) {
		if p := c.get(path); p.status != http.StatusForbidden {
			t.Errorf("customer session GET %s: %d, want 403", path, p.status)
		}
	}
	c.post("/backoffice/kunder/ny", url.Values{"kind": {"private"}}).want(t, http.StatusForbidden)

	// And a staff session never reaches a customer's page.
	srv, err := web.New(web.Config{CSRFKey: make([]byte, 32), Identity: b.a.Identity, Clock: b.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle("GET /konti", srv.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "konti")
	})))
	b.clock.Advance(30 * time.Second)
	stok, _, err := b.a.Identity.StaffLogin(b.ctx, "support1", support.password, auth.TOTPCode(support.secret, b.clock.Now()), identity.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/konti", nil)
	r.AddCookie(&http.Cookie{Name: "nb_session", Value: string(stok)})
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "konti") {
		t.Errorf("staff session on a customer page: %d", w.Code)
	}
}

// enrol runs a private user's first login (AUTH-2, AUTH-3) and returns
// the session token.
func enrol(t *testing.T, b *boBank, userNumber, pin string) identity.Token {
	t.Helper()
	step, err := b.a.Identity.VerifyPIN(b.ctx, userNumber, pin, identity.Actor{})
	if err != nil {
		t.Fatalf("VerifyPIN: %v", err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	tok, _, err := b.a.Identity.Enroll(b.ctx, userNumber, step.ChallengeID, pub, ed25519.Sign(priv, auth.LoginMessage(step.Challenge)), identity.Actor{})
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	return tok
}

// ---- customers, users and letters ----

var (
	pinRE        = regexp.MustCompile(`id="pin">(\d+)<`)
	userNumberRE = regexp.MustCompile(`id="user-number">(\d+)<`)
	passwordRE   = regexp.MustCompile(`id="password">([^<]+)<`)
	pairRE       = regexp.MustCompile(`<span class="kc-key">(\d{4})</span><span class="kc-code">(\d{6})</span>`)
	cardPathRE   = regexp.MustCompile(`^/backoffice/kunder/(cus_[0-9a-f]+)\?besked=oprettet$`)
)

func (c *boClient) createCustomer(form url.Values) string {
	c.t.Helper()
	p := c.post("/backoffice/kunder/ny", form)
	m := cardPathRE.FindStringSubmatch(p.location())
	if p.status != http.StatusSeeOther || m == nil {
		c.t.Fatalf("create customer: %d → %q\n%s", p.status, p.location(), p.text())
	}
	return m[1]
}

var metteForm = url.Values{"kind": {"private"}, "name": {"Mette Kjær Nielsen"}, "cpr": {"150385-1234"}, "mobile": {"20 45 67 89"},
	"address": {"Vestergade 12, 2. th."}, "postcode": {"8000"}, "city": {"Aarhus C"}, "email": {"mette.kjaer@example.dk"}}

// RULE AUTH-1: the bank gives a private customer an 11-digit user number
// and sends a one-time PIN code by letter.
func TestBackofficePrivateCustomerAndPINLetter(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)

	c.get("/backoffice/kunder/ny").want(t, http.StatusOK, "Opret kunde", "Privatkunde", "CPR-nummer", "Postnr.")
	id := c.createCustomer(metteForm)

	card := c.get("/backoffice/kunder/" + id + "?besked=oprettet")
	card.want(t, http.StatusOK, "Kunden er oprettet.", "Mette Kjær Nielsen", "150385-XXXX", "Vestergade 12, 2. th.", "8000 Aarhus C",
		"+4520456789", "mette.kjaer@example.dk", "15.03.1985", "(41 år)", "Kunden har ingen netbankbruger endnu.", "Opret netbankbruger")
	if strings.Contains(card.body, "1503851234") || strings.Contains(card.body, "150385-1234") {
		t.Error("support sees the full CPR number")
	}

	// The search finds the customer by name, CPR number and customer id.
	// The search is a POST, so CPR numbers stay out of URLs and history.
	for _, q := range []string{"kjær", "150385-1234", "1503851234", id} {
		p := c.post("/backoffice", url.Values{"q": {q}})
		p.want(t, http.StatusOK, "1 kunde fundet", "Mette Kjær Nielsen", "150385-XXXX", "8000 Aarhus C")
		results := p.body[strings.Index(p.body, `id="results"`):]
		if strings.Contains(results, "150385-1234") {
			t.Errorf("search %q shows the full CPR number", q)
		}
		if !strings.Contains(results, `href="/backoffice/kunder/`+id+`"`) {
			t.Errorf("search %q: no link to the card", q)
		}
	}
	c.post("/backoffice", url.Values{"q": {"ingen sådan"}}).want(t, http.StatusOK, "Ingen kunder passer på „ingen sådan“.")

	// Create the user: the answer is the PIN letter.
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	if !strings.Contains(letter.body, "<title>Pinkodebrev – Mette Kjær Nielsen") {
		t.Error("the letter's title does not say what it is")
	}
	letter.want(t, http.StatusOK, "Koderne vises kun denne ene gang", "Din pinkode til netbanken", "Kære Mette Kjær Nielsen",
		"Mette Kjær Nielsen Vestergade 12, 2. th. 8000 Aarhus C", "Dato 21.11.2026",
		"Pinkoden kan bruges én gang og udløber den 21.12.2026.",
		"8–16 tegn, kun bogstaverne a–z og tallene 0–9, med mindst ét tal og mindst ét bogstav",
		"Banken beder dig aldrig om koder på telefon, e-mail eller sms.", "Udskriv")
	if cc := letter.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("PIN letter Cache-Control %q", cc)
	}
	pin, number := pinRE.FindStringSubmatch(letter.body), userNumberRE.FindStringSubmatch(letter.body)
	if pin == nil || len(pin[1]) != 8 || number == nil || len(number[1]) != 11 {
		t.Fatalf("PIN %v, user number %v", pin, number)
	}
	if !strings.Contains(letter.text(), number[1][4:]+".usf") {
		t.Error("the letter does not name the signature file (AUTH-3)")
	}
	// The PIN is the one the bank checks at the first login (AUTH-2).
	if _, err := b.a.Identity.VerifyPIN(b.ctx, number[1], pin[1], identity.Actor{}); err != nil {
		t.Fatalf("the letter's PIN does not work: %v", err)
	}
	// Sending the form again (a reload of the letter) makes no second user.
	p := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	if p.status != http.StatusSeeOther || !strings.Contains(p.location(), "besked=har-bruger") {
		t.Fatalf("second user: %d → %q", p.status, p.location())
	}
	if users, _ := b.a.Identity.UsersOfCustomer(b.ctx, id); len(users) != 1 {
		t.Fatalf("%d users, want 1", len(users))
	}
	// The card lists the user now, and offers no second user.
	card = c.get("/backoffice/kunder/" + id)
	card.want(t, http.StatusOK, number[1], "Pinkode sendt – venter på første login", "Send ny pinkode", "Kunden har allerede en netbankbruger.")
	if strings.Contains(card.body, pin[1]) {
		t.Error("the card shows the PIN again")
	}

	// An administrator sees the whole CPR number; every look-up is audited.
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	ca := b.client()
	ca.login(admin)
	ca.get("/backoffice/kunder/"+id).want(t, http.StatusOK, "150385-1234")
	views, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "customer.viewed", Subject: id})
	if err != nil || len(views) != 3 || views[0].Actor != admin.ID || views[0].Details["cpr"] != "full" || views[1].Details["cpr"] != "masked" {
		t.Errorf("customer.viewed entries %+v %v", views, err)
	}

	// An unknown customer is a 404 page.
	c.get("/backoffice/kunder/cus_findesikke").want(t, http.StatusNotFound, "Siden findes ikke")
}

// RULE AUTH-5: after 3 failed attempts the signature is blocked; only the
// bank unblocks it, by sending a new PIN code.
// RULE AUTH-6: a forgotten code is answered by a new PIN; the old
// signature file stops working.
func TestBackofficeNewPINLiftsSignatureBlock(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)
	id := c.createCustomer(metteForm)
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	number := userNumberRE.FindStringSubmatch(letter.body)[1]
	u, err := b.a.Identity.UserByLogin(b.ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := b.a.Identity.VerifyPIN(b.ctx, number, "00000000", identity.Actor{}); err == nil {
			t.Fatal("a wrong PIN was accepted")
		}
	}
	if u, _ = b.a.Identity.User(b.ctx, u.ID); u.Status != identity.SignatureBlocked {
		t.Fatalf("status %s, want signature_blocked", u.Status)
	}
	card := c.get("/backoffice/kunder/" + id)
	card.want(t, http.StatusOK, "Signatur spærret efter 3 forkerte forsøg", "Send ny pinkode",
		"En spærret signatur åbnes hermed, og alle kopier af den gamle underskriftsfil holder op med at virke.")
	if strings.Contains(card.body, `data-action="unblock"`) {
		t.Error("the card offers to unblock a blocked signature without a new PIN")
	}
	// "Ophæv spærring" cannot open a blocked signature.
	p := c.post("/backoffice/brugere/"+u.ID+"/ophaev", nil)
	if p.status != http.StatusSeeOther || !strings.Contains(p.location(), "besked=signatur") {
		t.Fatalf("unblock of a blocked signature: %d → %q", p.status, p.location())
	}
	c.get(p.location()).want(t, http.StatusOK, "En spærret signatur åbnes kun ved at sende en ny pinkode.")

	letter = c.post("/backoffice/brugere/"+u.ID+"/pinkode", nil)
	letter.want(t, http.StatusOK, "Du har fået en ny pinkode til netbanken.", number,
		"Har du ikke bedt om en ny pinkode, så ring til banken med det samme.")
	pin := pinRE.FindStringSubmatch(letter.body)
	if pin == nil || len(pin[1]) != 8 {
		t.Fatalf("no PIN in the letter")
	}
	if u, _ = b.a.Identity.User(b.ctx, u.ID); u.Status != identity.PINIssued || u.FailedAttempts != 0 {
		t.Fatalf("after a new PIN: %s, %d failed attempts; want pin_issued, 0", u.Status, u.FailedAttempts)
	}
	enrol(t, b, number, pin[1])
	entries, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "user.pin_issued", Subject: u.ID})
	if err != nil || len(entries) != 1 || entries[0].Actor != support.ID || entries[0].ActorKind != "staff" || entries[0].IP != "127.0.0.1" {
		t.Errorf("audit %+v %v", entries, err)
	}
}

// RULE AUTH-9: the user can block their own access; only the bank lifts it.
func TestBackofficeUnblockSelfBlockedUser(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)
	id := c.createCustomer(metteForm)
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	number, pin := userNumberRE.FindStringSubmatch(letter.body)[1], pinRE.FindStringSubmatch(letter.body)[1]
	enrol(t, b, number, pin)
	u, _ := b.a.Identity.UserByLogin(b.ctx, number)
	if err := b.a.Identity.SelfBlock(b.ctx, u.ID, identity.Actor{ID: u.ID, Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	c.get("/backoffice/kunder/"+id).want(t, http.StatusOK, "Spærret af brugeren selv", "Ophæv spærring",
		"Kun banken kan ophæve spærringen")
	p := c.post("/backoffice/brugere/"+u.ID+"/ophaev", nil)
	if p.status != http.StatusSeeOther || p.location() != "/backoffice/kunder/"+id+"?besked=ophaevet#bruger-"+u.ID {
		t.Fatalf("unblock: %d → %q", p.status, p.location())
	}
	c.get("/backoffice/kunder/"+id+"?besked=ophaevet").want(t, http.StatusOK, "Spærringen er ophævet.", "Aktiv")
	if u, _ = b.a.Identity.User(b.ctx, u.ID); u.Status != identity.Active {
		t.Fatalf("status %s after unblock", u.Status)
	}
	// Twice: nothing to lift.
	p = c.post("/backoffice/brugere/"+u.ID+"/ophaev", nil)
	if !strings.Contains(p.location(), "besked=ikke-spaerret") {
		t.Errorf("second unblock → %q", p.location())
	}
	c.post("/backoffice/brugere/usr_findesikke/ophaev", nil).want(t, http.StatusNotFound)
}

// RULE BIZ-1: a business user gets a user id, a password and a key card
// whose codes each work once. RULE BIZ-5: the user profile decides what the
// user may do.
func TestBackofficeBusinessUserAndKeyCard(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)
	c.get("/backoffice/kunder/ny?type=erhverv").want(t, http.StatusOK, "Erhvervskunde", "CVR-nummer", "Virksomhedens navn")
	id := c.createCustomer(url.Values{"kind": {"business"}, "name": {"Hansen & Søn Tømrer ApS"}, "cvr": {"25313763"},
		"address": {"Industrivej 8"}, "postcode": {"8260"}, "city": {"Viby J"}})
	c.get("/backoffice/kunder/"+id).want(t, http.StatusOK, "Hansen & Søn Tømrer ApS", "25313763", "Opret erhvervsbruger",
		"Se", "Oprette", "Godkende", "Administrere")

	// A wrong form is shown again with the errors and the values.
	p := c.post("/backoffice/kunder/"+id+"/brugere", url.Values{"login": {"12345"}, "name": {"Pia Hansen"}})
	p.want(t, http.StatusUnprocessableEntity, "Brugeren er ikke oprettet.", "Bruger-id'et må ikke kun være cifre", "Vælg mindst én rettighed.")
	if !strings.Contains(p.body, `value="Pia Hansen"`) {
		t.Error("the name is not kept")
	}

	form := url.Values{"login": {"Pia.Hansen"}, "name": {"Pia Hansen"}, "profile": {"view", "approve"}}
	letter := c.post("/backoffice/kunder/"+id+"/brugere", form)
	if !strings.Contains(letter.body, "<title>Adgangskodebrev – Pia Hansen") {
		t.Error("the letter's title does not say what it is")
	}
	letter.want(t, http.StatusOK, "Din adgang til erhvervsnetbanken", "Dit nøglekort", "Hansen & Søn Tømrer ApS Att.: Pia Hansen Industrivej 8 8260 Viby J",
		"pia.hansen", "Brugerprofil: Se, Godkende", "148 nøglenumre med koder", "Koderne vises kun denne ene gang",
		"Send adgangskoden og nøglekortet i to separate breve.")
	password := passwordRE.FindStringSubmatch(letter.body)
	pairs := pairRE.FindAllStringSubmatch(letter.body, -1)
	if password == nil || len(pairs) != auth.KeyCardPairs {
		t.Fatalf("password %v, %d key card pairs; want 148", password, len(pairs))
	}
	card := map[string]string{}
	for _, m := range pairs {
		card[m[1]] = m[2]
	}
	if len(card) != 148 {
		t.Fatalf("%d distinct key numbers", len(card))
	}
	// The letter's password and card log the user in.
	login := func(card map[string]string) error {
		step, err := b.a.Identity.BeginBusinessLogin(b.ctx, "pia.hansen", password[1], identity.Actor{})
		if err != nil {
			return err
		}
		_, _, err = b.a.Identity.FinishBusinessLogin(b.ctx, "pia.hansen", step.ChallengeID, card[step.KeyNumber], identity.Actor{})
		return err
	}
	if err := login(card); err != nil {
		t.Fatalf("login with the letter's password and card: %v", err)
	}
	c.get("/backoffice/kunder/"+id).want(t, http.StatusOK, "Pia Hansen", "pia.hansen", "Aktiv", "Se, Godkende", "Nyt nøglekort", "Ny adgangskode")

	// The same user id twice is refused.
	c.post("/backoffice/kunder/"+id+"/brugere", form).want(t, http.StatusConflict, "Bruger-id'et er allerede i brug.")

	// A new key card: the old one stops working.
	u, _ := b.a.Identity.UserByLogin(b.ctx, "pia.hansen")
	letter = c.post("/backoffice/brugere/"+u.ID+"/noeglekort", nil)
	letter.want(t, http.StatusOK, "Dit nøglekort", "Dit gamle nøglekort – og en eventuel nøgleapp – virker ikke længere.")
	if strings.Contains(letter.body, `id="password"`) {
		t.Error("a new key card shows a password")
	}
	newPairs := pairRE.FindAllStringSubmatch(letter.body, -1)
	if len(newPairs) != 148 {
		t.Fatalf("new card: %d pairs", len(newPairs))
	}
	newCard := map[string]string{}
	for _, m := range newPairs {
		newCard[m[1]] = m[2]
	}
	if err := login(card); netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
		t.Errorf("the old card still works: %v", err)
	}
	if err := login(newCard); err != nil {
		t.Errorf("the new card does not work: %v", err)
	}

	// A new password letter.
	letter = c.post("/backoffice/brugere/"+u.ID+"/adgangskode", nil)
	letter.want(t, http.StatusOK, "Du har fået en ny adgangskode til erhvervsnetbanken.")
	if strings.Contains(letter.body, "kc-code") {
		t.Error("a password letter shows a key card")
	}
	old := password[1]
	password = passwordRE.FindStringSubmatch(letter.body)
	if password == nil || password[1] == old {
		t.Fatalf("new password %v", password)
	}
	if err := login(newCard); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	// Private users have no key cards, business users no PIN letters.
	c.post("/backoffice/brugere/"+u.ID+"/pinkode", nil).want(t, http.StatusBadRequest)
}

func TestBackofficeCustomerFormValidation(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)

	form := url.Values{}
	for k, v := range metteForm {
		form[k] = v
	}
	form.Set("cpr", "320185-1234")
	p := c.post("/backoffice/kunder/ny", form)
	p.want(t, http.StatusUnprocessableEntity, "Kunden er ikke oprettet. Ret de markerede felter.",
		"CPR-nummeret indeholder ikke en gyldig fødselsdato.")
	for _, v := range []string{`value="Mette Kjær Nielsen"`, `value="320185-1234"`, `value="20 45 67 89"`, `value="Vestergade 12, 2. th."`,
		`value="8000"`, `value="Aarhus C"`, `value="mette.kjaer@example.dk"`, `aria-invalid="true" aria-describedby="cpr-error"`} {
		if !strings.Contains(p.body, v) {
			t.Errorf("the form lost %s", v)
		}
	}

	for _, tc := range []struct {
		field, value, want string
	}{
		{"cpr", "15038-1234", "CPR-nummeret skal være 10 cifre (ddmmåå-xxxx)."},
		{"cpr", "", "Skriv CPR-nummeret."},
		{"name", " ", "Skriv navnet."},
		{"mobile", "123", "Mobilnummeret skal være 8 cifre"},
		{"postcode", "80000", "Postnummeret skal være 4 cifre."},
		{"address", "", "Skriv adressen"},
		{"city", "", "Skriv byen."},
		{"email", "mette@", "E-mailadressen er ikke gyldig."},
	} {
		f := url.Values{}
		for k, v := range metteForm {
			f[k] = v
		}
		f.Set(tc.field, tc.value)
		c.post("/backoffice/kunder/ny", f).want(t, http.StatusUnprocessableEntity, tc.want)
	}
	c.post("/backoffice/kunder/ny", url.Values{"kind": {"business"}, "name": {"Firma ApS"}, "cvr": {"12345678"},
		"address": {"Gade 1"}, "postcode": {"1000"}, "city": {"København K"}}).
		want(t, http.StatusUnprocessableEntity, "CVR-nummeret er ikke gyldigt (kontrolcifferet passer ikke).")

	// The same CPR number twice.
	c.createCustomer(metteForm)
	c.post("/backoffice/kunder/ny", metteForm).want(t, http.StatusConflict, "Der findes allerede en kunde med dette CPR-nummer.")
	found, _ := b.a.Identity.FindCustomers(b.ctx, "", 10)
	if len(found) != 1 {
		t.Errorf("%d customers, want 1", len(found))
	}

	// English on request.
	c.get("/backoffice/kunder/ny?lang=en")
	c.post("/backoffice/kunder/ny", form).want(t, http.StatusUnprocessableEntity, "The CPR number does not contain a valid date of birth.")
}

// ---- the audit log ----

func TestBackofficeAuditLog(t *testing.T) {
	b := newBoBank(t)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	auditor := b.staff("revisor1", "Rikke Vang", identity.RoleAuditor)
	c := b.client()
	c.login(support)
	id := c.createCustomer(metteForm)
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	u, _ := b.a.Identity.UserByLogin(b.ctx, userNumberRE.FindStringSubmatch(letter.body)[1])
	c.post("/backoffice/brugere/"+u.ID+"/pinkode", nil)
	c.get("/backoffice/kunder/" + id)

	r := b.client()
	r.login(auditor)
	p := r.get("/backoffice/revision")
	p.want(t, http.StatusOK, "Revisionslog", "Kontrollér kæden", "Kasper Thomsen (support1)", "Kunde oprettet", "Bruger oprettet",
		"Ny pinkode sendt", "Kundekort vist", "Medarbejderlogin", "Mette Kjær Nielsen", "127.0.0.1", "21.11.2026 10.0")
	rows := regexp.MustCompile(`<tr data-seq="(\d+)" data-action="([^"]+)" data-actor="([^"]*)">`).FindAllStringSubmatch(p.body, -1)
	if len(rows) < 6 {
		t.Fatalf("%d rows", len(rows))
	}
	staffActions := map[string]bool{}
	for i, row := range rows {
		if i > 0 && row[1] >= rows[i-1][1] && len(row[1]) >= len(rows[i-1][1]) {
			t.Errorf("not newest first: %s after %s", row[1], rows[i-1][1])
		}
		if row[3] == support.ID {
			staffActions[row[2]] = true
		}
	}
	for _, a := range []string{"customer.created", "user.created", "user.pin_issued", "customer.viewed"} {
		if !staffActions[a] {
			t.Errorf("no %s by the support staff member in the log", a)
		}
	}
	// The auditor does not get links to customer cards (no support role).
	if strings.Contains(p.body, `href="/backoffice/kunder/`+id+`"`) {
		t.Error("the auditor gets a link to the customer card")
	}
	// Times are Copenhagen time, dd.mm.åååå tt.mm.ss.
	if !regexp.MustCompile(`<time datetime="2026-11-21T09:0\d:\d\dZ">21\.11\.2026 10\.0\d\.\d\d</time>`).MatchString(p.body) {
		t.Error("no time in Copenhagen time")
	}

	// Filters: actor and action.
	p = r.get("/backoffice/revision?aktoer=" + support.ID + "&handling=user.created")
	if n := strings.Count(p.body, `<tr data-seq=`); n != 1 || !strings.Contains(p.body, `data-action="user.created"`) {
		t.Errorf("filtered: %d rows", n)
	}
	if !strings.Contains(p.body, `<option value="user.created" selected>`) {
		t.Error("the action filter is not kept")
	}
	p = r.get("/backoffice/revision?emne=" + u.ID)
	if n := strings.Count(p.body, `<tr data-seq=`); n != 2 { // user.created, user.pin_issued
		t.Errorf("subject filter: %d rows", n)
	}
	r.get("/backoffice/revision?fra=2026-11-22").want(t, http.StatusOK, "Ingen poster passer på filteret.")
	r.get("/backoffice/revision?fra=21.11.2026&til=2026-11-21").want(t, http.StatusOK, "Kunde oprettet")
	r.get("/backoffice/revision?til=32.13.2026").want(t, http.StatusUnprocessableEntity, "Skriv datoen som dd.mm.åååå.")

	// Paging: 50 entries a page, BeforeSeq onwards.
	for i := range 60 {
		if _, err := b.a.Identity.CreateCustomer(b.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: fmt.Sprintf("Firma %02d", i),
			CVR: "25313763"}, identity.Actor{ID: support.ID, Kind: "staff"}); err != nil {
			t.Fatal(err)
		}
	}
	p = r.get("/backoffice/revision?handling=customer.created")
	if n := strings.Count(p.body, `<tr data-seq=`); n != 50 {
		t.Fatalf("page 1: %d rows", n)
	}
	older := regexp.MustCompile(`href="([^"]+)" id="page-older"`).FindStringSubmatch(p.body)
	if older == nil {
		t.Fatal("no link to older entries")
	}
	p = r.get(html.UnescapeString(older[1]))
	if n := strings.Count(p.body, `<tr data-seq=`); n != 11 || !strings.Contains(p.body, `id="page-newest"`) || strings.Contains(p.body, `id="page-older"`) {
		t.Errorf("page 2: %d rows", n)
	}

	// "Kontrollér kæden": intact, and the check is itself audited.
	p = r.post("/backoffice/revision/kontroller", nil)
	p.want(t, http.StatusOK, "Kæden er intakt")
	if !strings.Contains(p.body, `data-result="intact"`) {
		t.Error("no intact result")
	}
	checks, _ := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "audit.verified"})
	if len(checks) != 1 || checks[0].Actor != auditor.ID || checks[0].Details["result"] != "intact" {
		t.Errorf("audit.verified %+v", checks)
	}

	// Someone with the database owner's rights drops the append-only
	// trigger and changes entry 3: the check names it.
	if _, err := b.a.DB.Exec(b.ctx, "DROP TRIGGER audit_log_no_update"); err != nil {
		t.Fatal(err)
	}
	var action string
	if err := b.a.DB.QueryRow(b.ctx, "SELECT action FROM audit_log WHERE seq = 3").Scan(&action); err != nil {
		t.Fatal(err)
	}
	if _, err := b.a.DB.Exec(b.ctx, "UPDATE audit_log SET action = 'logout' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	p = r.post("/backoffice/revision/kontroller", nil)
	p.want(t, http.StatusOK, "Kæden er brudt", "Post 3: ændret")
	if !strings.Contains(p.body, `data-result="broken"`) {
		t.Error("no broken result")
	}
	if _, err := b.a.DB.Exec(b.ctx, "UPDATE audit_log SET action = ? WHERE seq = 3", action); err != nil {
		t.Fatal(err)
	}
}

// ---- staff administration ----

func TestBackofficeUnblockStaff(t *testing.T) {
	b := newBoBank(t)
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	for range 5 {
		_, _, _ = b.a.Identity.StaffLogin(b.ctx, "support1", "forkert", "000000", identity.Actor{})
	}
	c := b.client()
	c.login(admin)
	c.post("/backoffice/medarbejdere/ophaev", url.Values{"username": {"ingen"}}).want(t, http.StatusNotFound, "Der findes ingen medarbejder")
	c.post("/backoffice/medarbejdere/ophaev", url.Values{"username": {"admin1"}}).want(t, http.StatusUnprocessableEntity, "Medarbejderen er ikke spærret.")
	p := c.post("/backoffice/medarbejdere/ophaev", url.Values{"username": {"support1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("unblock staff: %d %s", p.status, p.text())
	}
	c.get(p.location()).want(t, http.StatusOK, "Spærringen af support1 er ophævet.")
	s := b.client()
	s.login(support)
	entries, _ := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "staff.unblocked"})
	if len(entries) != 1 || entries[0].Actor != admin.ID || entries[0].Subject != support.ID {
		t.Errorf("staff.unblocked %+v", entries)
	}
}

// ---- CSRF ----

// Every POST of the back office needs the CSRF token: without it, nothing
// happens (the audit log does not grow) and the answer is 403.
func TestBackofficeCSRF(t *testing.T) {
	b := newBoBank(t)
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	c := b.client()
	c.login(admin)
	id := c.createCustomer(metteForm)
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	u, _ := b.a.Identity.UserByLogin(b.ctx, userNumberRE.FindStringSubmatch(letter.body)[1])

	head, _ := b.a.DB.Audit().Head(b.ctx)
	for _, path := range []string{
		"/backoffice", "/backoffice/login", "/backoffice/logout", "/backoffice/kunder/ny", "/backoffice/kunder/" + id + "/brugere",
		"/backoffice/brugere/" + u.ID + "/pinkode", "/backoffice/brugere/" + u.ID + "/ophaev",
		"/backoffice/brugere/" + u.ID + "/noeglekort", "/backoffice/brugere/" + u.ID + "/adgangskode",
		"/backoffice/revision/kontroller", "/backoffice/medarbejdere/ophaev",
	} {
		for _, token := range []string{"", "forkert"} {
			form := url.Values{"name": {"X"}, "kind": {"private"}, "cpr": {"010101-1234"}, "address": {"Gade 1"}, "postcode": {"1000"},
				"city": {"København"}, "username": {"admin1"}, "password": {admin.password}, "totp": {"123456"}}
			if token != "" {
				form.Set("csrf_token", token)
			}
			c.postRaw(path, form).want(t, http.StatusForbidden, "Sikkerhedstjekket fejlede")
		}
	}
	if after, _ := b.a.DB.Audit().Head(b.ctx); after.Seq != head.Seq {
		t.Errorf("requests without a CSRF token changed something: audit head %d → %d", head.Seq, after.Seq)
	}
	// The session survived (logout without a token did nothing).
	c.get("/backoffice").want(t, http.StatusOK, "Goddag, Birgitte Lauridsen")
}

// The texts the back office picks by value (statuses, roles, permissions,
// actor kinds, actions, breaks of the chain) exist in both languages.
func TestBackofficeTextsForValues(t *testing.T) {
	var keys []string
	for _, st := range []identity.UserStatus{identity.PINIssued, identity.Active, identity.SignatureBlocked, identity.SelfBlocked, identity.Disabled} {
		keys = append(keys, "bo.status."+string(st))
	}
	for _, r := range []string{identity.RoleAdmin, identity.RoleSupport, identity.RoleAuditor, identity.RoleContract} {
		keys = append(keys, "bo.role."+r)
	}
	for _, p := range []identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove, identity.PermAdmin} {
		keys = append(keys, "bo.perm."+string(p), "bo.perm."+string(p)+".hint")
	}
	for _, k := range []string{audit.ActorCustomer, audit.ActorBusiness, audit.ActorStaff, audit.ActorSystem, audit.ActorAnonymous} {
		keys = append(keys, "bo.actor."+k)
	}
	for _, k := range []audit.Breakage{audit.Changed, audit.Missing, audit.Removed, audit.OutOfOrder, audit.Unrecorded, audit.HeadChanged} {
		keys = append(keys, "bo.verify.kind."+string(k))
	}
	for _, a := range []string{audit.ActionLoginSuccess, audit.ActionLoginFailed, audit.ActionLogout, audit.ActionUserBlocked,
		"customer.created", "customer.viewed", "user.created", "user.pin_issued", "user.password_reset", "user.unblocked",
		"keycard.issued", "staff.login", "staff.login_failed", "staff.unblocked", "audit.verified"} {
		keys = append(keys, "bo.action."+a)
	}
	for _, k := range keys {
		if web.T(web.Danish, k) == k || web.T(web.English, k) == k {
			t.Errorf("no text for %s", k)
		}
	}
}
