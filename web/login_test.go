package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
)

// loginTestTime is 21.11.2026 14.05.09 in Copenhagen.
var loginTestTime = time.Date(2026, 11, 21, 13, 5, 9, 0, time.UTC)

// testBank is an empty bank (no demo data) on a clock the test moves,
// served over HTTP.
type testBank struct {
	t     *testing.T
	app   *app.App
	clock *testkit.Clock
	url   string
	logs  *testkit.LogBuffer
}

// newTestBank starts a bank on SQLite in t.TempDir(), or on a fresh
// PostgreSQL database when postgres is true.
func newTestBank(t *testing.T, postgres bool) *testBank {
	t.Helper()
	clock := testkit.NewClock(loginTestTime)
	logs := &testkit.LogBuffer{}
	cfg := app.Config{
		DataDir: t.TempDir(),
		Clock:   clock,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Every request comes from 127.0.0.1 in one minute of the test
		// clock: lift the per-address rate limit.
		Identity: identity.Config{RateLimit: 100000},
	}
	if postgres {
		cfg.DB = testkit.FreshPostgresDatabase(t)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	return &testBank{t: t, app: a, clock: clock, url: ts.URL, logs: logs}
}

// privateUser creates a private customer with a net bank user and returns
// the user number and the PIN code of the letter (AUTH-1).
func (b *testBank) privateUser(name, cpr string) (string, string) {
	b.t.Helper()
	ctx := context.Background()
	c, err := b.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: name, CPR: cpr,
		Address: "Vestergade 12, 2. th.", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	u, pin, err := b.app.Identity.CreatePrivateUser(ctx, c.ID, "", identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.Login, pin
}

// businessUser creates the carpenter's business (once) and a user with a
// key card, and returns the password and the card.
func (b *testBank) businessUser(login, name string, profile ...identity.Permission) (string, auth.KeyCard) {
	b.t.Helper()
	ctx := context.Background()
	found, err := b.app.Identity.FindCustomers(ctx, "25313763", 1)
	if err != nil {
		b.t.Fatal(err)
	}
	var c identity.Customer
	if len(found) > 0 {
		c = found[0]
	} else if c, err = b.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer,
		Name: "Hansen & Søn Tømrer ApS", CVR: "25313763", City: "Viby J"}, identity.System); err != nil {
		b.t.Fatal(err)
	}
	_, password, card, err := b.app.Identity.CreateBusinessUser(ctx, c.ID, login, name, profile, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return password, card
}

// browserClient is one browser: its own cookies, no automatic redirects.
type browserClient struct {
	t    *testing.T
	bank *testBank
	http *http.Client
	csrf string
}

func (b *testBank) client() *browserClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return &browserClient{t: b.t, bank: b, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// httpPage is a response with its body read.
type httpPage struct {
	*http.Response
	Body string
}

// Text is the page's visible text, roughly.
func (p httpPage) Text() string {
	s := p.Body
	if i := strings.Index(s, "<body"); i >= 0 {
		s = s[i:]
	}
	s = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

var loginCSRFRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *browserClient) do(req *http.Request) httpPage {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := httpPage{Response: resp, Body: string(body)}
	if m := loginCSRFRE.FindStringSubmatch(p.Body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *browserClient) get(path string) httpPage {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.bank.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form with the CSRF token of the last page.
func (c *browserClient) post(path string, form url.Values) httpPage {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	form = cloneValues(form)
	form.Set("csrf_token", c.csrf)
	return c.postRaw(path, form, nil)
}

func (c *browserClient) postRaw(path string, form url.Values, header http.Header) httpPage {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.bank.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return c.do(req)
}

// postJSON is post as login.js and session.js send it: token in the
// header, JSON answer.
func (c *browserClient) postJSON(path string, form url.Values) (httpPage, map[string]any) {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	p := c.postRaw(path, form, http.Header{"Accept": {"application/json"}, "X-Csrf-Token": {c.csrf}})
	var v map[string]any
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil {
		c.t.Fatalf("POST %s: status %d, not JSON: %v\n%s", path, p.StatusCode, err, p.Body)
	}
	return p, v
}

// follow GETs the Location of a redirect.
func (c *browserClient) follow(p httpPage) httpPage {
	c.t.Helper()
	loc := p.Header.Get("Location")
	if p.StatusCode != http.StatusSeeOther || loc == "" {
		c.t.Fatalf("want a 303 redirect, got %d (Location %q)\n%s", p.StatusCode, loc, p.Text())
	}
	return c.get(loc)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func attr(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s in\n%s", re, body)
	}
	return html.UnescapeString(m[1])
}

// challengeOf reads the challenge a signature form carries for login.js.
func challengeOf(t *testing.T, p httpPage) (id, challenge string) {
	t.Helper()
	return attr(t, p.Body, `name="challenge_id" value="([^"]+)"`), attr(t, p.Body, `data-challenge="([^"]+)"`)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// firstLogin goes from the PIN letter to a logged-in session as login.js
// does, with a key made here instead of in a browser (AUTH-2, AUTH-3). It
// returns the private key of the new "signature file".
func (c *browserClient) firstLogin(userNumber, pin string) ed25519.PrivateKey {
	c.t.Helper()
	p := c.post("/login/private", url.Values{"user_number": {userNumber}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Text(), "Indtast pinkoden fra brevet") {
		c.t.Fatalf("after the user number: %d\n%s", p.StatusCode, p.Text())
	}
	p = c.post("/login/private/pin", url.Values{"user_number": {userNumber}, "pin": {pin}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Text(), "Vælg din underskriftskode") {
		c.t.Fatalf("after the PIN: %d\n%s", p.StatusCode, p.Text())
	}
	id, challenge := challengeOf(c.t, p)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, v := c.postJSON("/login/private/enroll", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"public_key": {b64(pub)}, "signature": {b64(ed25519.Sign(priv, auth.LoginMessage(challenge)))}})
	if resp.StatusCode != http.StatusOK || v["ok"] != true || v["next"] != "/netbank" {
		c.t.Fatalf("enroll: %d %v", resp.StatusCode, v)
	}
	return priv
}

// startLogin posts the user number and returns the signature page.
func (c *browserClient) startLogin(userNumber string) httpPage {
	c.t.Helper()
	p := c.post("/login/private", url.Values{"user_number": {userNumber}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `id="signature-form"`) {
		c.t.Fatalf("no signature step: %d\n%s", p.StatusCode, p.Text())
	}
	return p
}

// sign answers the signature page with key (AUTH-4).
func (c *browserClient) sign(p httpPage, userNumber string, key ed25519.PrivateKey) httpPage {
	c.t.Helper()
	id, challenge := challengeOf(c.t, p)
	return c.post("/login/private/signature", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"signature": {b64(ed25519.Sign(key, auth.LoginMessage(challenge)))}})
}

// login logs in with the key and returns the overview.
func (c *browserClient) login(userNumber string, key ed25519.PrivateKey) httpPage {
	c.t.Helper()
	p := c.sign(c.startLogin(userNumber), userNumber, key)
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/netbank" {
		c.t.Fatalf("login: %d %q\n%s", p.StatusCode, p.Header.Get("Location"), p.Text())
	}
	return c.follow(p)
}

// businessLogin logs in with user id, password and the key card code the
// page asks for (BIZ-1), and returns the answer to the code, the key number
// and the form that sent the code.
func (c *browserClient) businessLogin(login, password string, card auth.KeyCard) (httpPage, string, url.Values) {
	c.t.Helper()
	p := c.post("/login/business", url.Values{"user_id": {login}, "password": {password}})
	if p.StatusCode != http.StatusOK {
		c.t.Fatalf("business login: %d\n%s", p.StatusCode, p.Text())
	}
	key := attr(c.t, p.Body, `id="key-number">([0-9]{4})<`)
	if !strings.Contains(p.Text(), "Indtast koden til nøglenummer "+key) {
		c.t.Errorf("code page does not ask for key number %s:\n%s", key, p.Text())
	}
	form := url.Values{"user_id": {login}, "challenge_id": {attr(c.t, p.Body, `name="challenge_id" value="([^"]+)"`)},
		"codes_left": {attr(c.t, p.Body, `name="codes_left" value="([0-9]+)"`)}, "code": {card.Codes[key]}}
	return c.post("/login/business/code", form), key, form
}

func (c *browserClient) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.bank.url + "/netbank")
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func setCookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantText(t *testing.T, p httpPage, wants ...string) {
	t.Helper()
	text := p.Text()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("page (status %d) lacks %q:\n%s", p.StatusCode, w, text)
		}
	}
}

// RULE SESS-4: the login pages are Danish and say when they were fetched.
// No inline code: the CSP forbids it.
func TestLoginPagesRenderInDanish(t *testing.T) {
	b := newTestBank(t, false)
	c := b.client()
	p := c.get("/login")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `<html lang="da">`) {
		t.Fatalf("GET /login: %d", p.StatusCode)
	}
	wantText(t, p, "Log på netbanken", "Privat", "Erhverv", "Brugernummer", "Husk brugernummer", "Bruger-id", "Adgangskode",
		"Siden hentet 21.11.2026 14.05.09", "Vi beder dig aldrig om koder")
	for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onsubmit=", "javascript:"} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("login page contains %q", bad)
		}
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc) // RULE SESS-3
	}
	// Every form of the login posts: nothing typed ends up in a URL.
	if n, posts := strings.Count(p.Body, "<form"), strings.Count(p.Body, `<form method="post"`); n != posts || n < 2 {
		t.Errorf("%d forms, %d of them POST", n, posts)
	}

	// The steps of a first login, in Danish, each with "Siden hentet".
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	p = c.post("/login/private", url.Values{"user_number": {num}})
	wantText(t, p, "Indtast pinkoden fra brevet", "Brugernummer: "+num, "Siden hentet 21.11.2026 14.05.09")
	p = c.post("/login/private/pin", url.Values{"user_number": {num}, "pin": {pin}})
	wantText(t, p, "Vælg din underskriftskode", "8 til 16 tegn", "ikke æ, ø og å", "Mindst ét tal og mindst ét bogstav",
		"Gem underskriftsfilen på denne computer", "Din underskriftsfil er klar", "Hent underskriftsfilen ("+num[4:]+".usf)",
		"JavaScript skal være slået til", "Siden hentet 21.11.2026 14.05.09")
	for _, bad := range []string{"<script>", " style=", pin} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("enrolment page contains %q", bad)
		}
	}

	// In English when asked for.
	en := b.client()
	en.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "lang", Value: "en"}})
	wantText(t, en.get("/login"), "Log in to the online bank", "Personal", "Business", "Remember user number", "Page fetched")
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// RULE SESS-1, SESS-2, SESS-5, AUTH-9: the login page says why the user is
// there, with the bank's actual timeouts.
func TestLoginReasons(t *testing.T) {
	b := newTestBank(t, false)
	c := b.client()
	for reason, want := range map[string]string{
		"expired&kind=private":  "Du er blevet logget af, fordi du ikke har brugt netbanken i 15 minutter. Log på igen.",
		"expired&kind=business": "Du er blevet logget af, fordi du ikke har brugt netbanken i 60 minutter. Log på igen.",
		"expired":               "Du er blevet logget af, fordi du ikke har brugt netbanken i 15 minutter (60 minutter i Netbank Erhverv). Log på igen.",
		"replaced":              "Oplysningerne er forældede, fordi du er logget på et andet sted. Log på igen.",
		"ended":                 "Du er logget af.",
		"blocked":               "Din adgang til netbanken er spærret",
	} {
		p := c.get("/login?reason=" + reason)
		if p.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", reason, p.StatusCode)
		}
		if got := attr(t, p.Body, `(?s)id="login-notice">.*?<p>(.*?)</p>`); !strings.HasPrefix(got, want) {
			t.Errorf("reason=%s: notice %q, want %q", reason, got, want)
		}
	}
	if p := c.get("/login?reason=%3Cscript%3E"); strings.Contains(p.Body, `id="login-notice"`) {
		t.Error("an unknown reason shows a notice")
	}
}

// RULE AUTH-8: "Husk brugernummer" keeps only the user number on the
// device, for a year, HttpOnly and SameSite=Strict; unticking forgets it.
func TestRememberUserNumber(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	p := c.post("/login/private", url.Values{"user_number": {num}, "remember": {"1"}})
	k := setCookieNamed(p.Response, "nb_remember")
	if k == nil {
		t.Fatal("no nb_remember cookie")
	}
	if k.Value != num {
		t.Errorf("nb_remember = %q, want only the user number %q", k.Value, num)
	}
	if !k.HttpOnly || k.SameSite != http.SameSiteStrictMode || k.MaxAge < 364*24*3600 || k.MaxAge > 366*24*3600 {
		t.Errorf("nb_remember cookie %+v: want HttpOnly, SameSite=Strict, one year", k)
	}
	// Nothing else of the login is kept: no cookie carries the PIN.
	p = c.post("/login/private/pin", url.Values{"user_number": {num}, "pin": {pin}})
	for _, x := range p.Cookies() {
		if strings.Contains(x.Value, pin) {
			t.Errorf("cookie %s carries the PIN", x.Name)
		}
	}

	// The next visit pre-fills the number and ticks the box.
	login := c.get("/login")
	if !strings.Contains(login.Body, `value="`+num+`"`) || !regexp.MustCompile(`id="remember" value="1" checked`).MatchString(login.Body) {
		t.Errorf("remembered number not pre-filled:\n%s", login.Body)
	}

	// Unticked: the cookie is deleted.
	p = c.post("/login/private", url.Values{"user_number": {num}})
	if k := setCookieNamed(p.Response, "nb_remember"); k == nil || k.MaxAge >= 0 {
		t.Errorf("unticked: cookie %+v, want it deleted", k)
	}
	if login := c.get("/login"); strings.Contains(login.Body, `value="`+num+`"`) {
		t.Error("number still pre-filled after unticking")
	}
}

// Every step of the login refuses a POST without the CSRF token.
func TestLoginRefusesPostWithoutCSRF(t *testing.T) {
	b := newTestBank(t, false)
	num, _ := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	c.get("/login") // the browser has its CSRF cookie, but the form lacks the token
	for _, path := range []string{"/login/private", "/login/private/pin", "/login/private/enroll", "/login/private/signature",
		"/login/business", "/login/business/code", "/logout", "/netbank/session/extend", "/netbank/spaerring"} {
		p := c.postRaw(path, url.Values{"user_number": {num}}, nil)
		if p.StatusCode != http.StatusForbidden || !strings.Contains(p.Text(), "Sikkerhedstjekket fejlede") {
			t.Errorf("POST %s without a token: %d\n%s", path, p.StatusCode, p.Text())
		}
	}
}

// RULE BIZ-1: user id, password and the code for the key number the page
// asks for; each code works once. RULE BIZ-5: the overview names the
// profile's rights in Danish.
func TestBusinessLoginWithKeyCard(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			b := newTestBank(t, engine == "postgres")
			password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermApprove)
			c := b.client()
			p, key, form := c.businessLogin("Jens.Hansen", password, card)
			if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/netbank" {
				t.Fatalf("code for key number %s: %d\n%s", key, p.StatusCode, p.Text())
			}
			over := c.follow(p)
			wantText(t, over, "Velkommen, Jens Hansen", "Hansen & Søn Tømrer ApS", "CVR-nummer 25313763", "Erhverv",
				"Se konti og posteringer", "Godkende betalinger", "Efter 60 minutter uden aktivitet", "Log af")
			for _, not := range []string{"Oprette betalinger", "Administrere brugere", "Skift underskriftskode"} {
				if strings.Contains(over.Text(), not) {
					t.Errorf("overview shows %q", not)
				}
			}
			if !strings.Contains(over.Body, `data-timeout="3600"`) {
				t.Error("countdown does not carry the business timeout")
			}

			// The used code, sent again (the same form), is refused.
			other := b.client()
			other.get("/login")
			p = other.post("/login/business/code", form)
			if p.StatusCode != http.StatusUnauthorized || !strings.Contains(p.Text(), "allerede brugt") {
				t.Errorf("replayed code: %d\n%s", p.StatusCode, p.Text())
			}
			// Later logins never ask for a key number whose code was used,
			// and the used code does not answer the others. (A number asked
			// for but not used may legitimately be asked for again.)
			used := map[string]bool{key: true}
			for i := 0; i < 3; i++ {
				p := other.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password}})
				k := attr(t, p.Body, `id="key-number">([0-9]{4})<`)
				if used[k] {
					t.Errorf("key number %s asked for again after its code was used", k)
				}
				if i == 0 && card.Codes[k] != card.Codes[key] {
					p = other.post("/login/business/code", url.Values{"user_id": {"jens.hansen"}, "code": {card.Codes[key]},
						"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}})
					wantText(t, p, "Forkert kode fra nøglekortet. Du har 2 forsøg tilbage.", "Log på igen med bruger-id og adgangskode.")
					continue
				}
				p = other.post("/login/business/code", url.Values{"user_id": {"jens.hansen"}, "code": {card.Codes[k]},
					"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}})
				if p.StatusCode != http.StatusSeeOther {
					t.Fatalf("login %d: %d\n%s", i, p.StatusCode, p.Text())
				}
				used[k] = true
			}
		})
	}
}

// RULE BIZ-1: with few codes left on the card, the overview says so once.
// The code step carries the count the identity service gave (all 148 at
// first); the test then stands in for a card with 21 codes left, as the
// count is only shown, never trusted for anything else.
func TestKeyCardRunningOut(t *testing.T) {
	b := newTestBank(t, false)
	password, card := b.businessUser("pia.hansen", "Pia Hansen", identity.PermView)
	c := b.client()
	p, _, _ := c.businessLogin("pia.hansen", password, card)
	if over := c.follow(p); strings.Contains(over.Text(), "nøglekort er snart brugt op") {
		t.Error("notice shown with a new card")
	}
	p = c.post("/login/business", url.Values{"user_id": {"pia.hansen"}, "password": {password}})
	if left := attr(t, p.Body, `name="codes_left" value="([0-9]+)"`); left != "147" {
		t.Errorf("codes left after one login = %s, want 147", left)
	}
	key := attr(t, p.Body, `id="key-number">([0-9]{4})<`)
	p = c.post("/login/business/code", url.Values{"user_id": {"pia.hansen"}, "code": {card.Codes[key]}, "codes_left": {"21"},
		"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}})
	over := c.follow(p)
	wantText(t, over, "Dit nøglekort er snart brugt op", "Der er 20 ubrugte koder tilbage på dit nøglekort.", "Kontakt banken")
	if again := c.get("/netbank"); strings.Contains(again.Text(), "snart brugt op") {
		t.Error("the notice is shown again on reload")
	}
}

// RULE BIZ-2: business credentials do not open the private bank, and a
// private user number does not open the business bank.
func TestLoginKindsDoNotMix(t *testing.T) {
	b := newTestBank(t, false)
	password, _ := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()

	p := c.post("/login/private", url.Values{"user_number": {"jens.hansen"}})
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Text(), "Brugernummeret skal bestå af 11 cifre.") {
		t.Errorf("business user id on the private form: %d\n%s", p.StatusCode, p.Text())
	}
	p = c.post("/login/business", url.Values{"user_id": {num}, "password": {pin}})
	if p.StatusCode != http.StatusUnauthorized || !strings.Contains(p.Text(), "Forkert bruger-id eller adgangskode.") {
		t.Errorf("user number on the business form: %d\n%s", p.StatusCode, p.Text())
	}
	if !strings.Contains(p.Body, `value="`+num+`"`) || strings.Contains(p.Body, pin) {
		t.Error("the business form should keep the user id and never the password")
	}
	p = c.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password + "x"}})
	wantText(t, p, "Forkert bruger-id eller adgangskode.")
	if c.cookie("nb_session") != nil {
		t.Error("a refused login set a session cookie")
	}
}

// RULE AUTH-2, AUTH-5: a wrong PIN says how many attempts are left; the
// third blocks and the login page says only the bank can help.
func TestWrongPINAndSignatureBlock(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	p := c.post("/login/private/pin", url.Values{"user_number": {num}, "pin": {"00000000"}})
	if p.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong PIN: %d", p.StatusCode)
	}
	wantText(t, p, "Forkert pinkode. Du har 2 forsøg tilbage.", "Indtast pinkoden fra brevet")

	key := c.firstLogin(num, pin)
	c.post("/logout", nil)
	_, wrong, _ := ed25519.GenerateKey(rand.Reader)
	p = c.sign(c.startLogin(num), num, wrong)
	if p.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d", p.StatusCode)
	}
	wantText(t, p, "Forkert underskriftskode, eller underskriftsfilen passer ikke til dit brugernummer. Du har 2 forsøg tilbage.")
	p = c.sign(p, num, wrong) // the page came back with a new challenge
	wantText(t, p, "Du har 1 forsøg tilbage.")
	p = c.sign(p, num, wrong)
	if p.StatusCode != http.StatusForbidden {
		t.Errorf("third wrong signature: %d", p.StatusCode)
	}
	wantText(t, p, "Din digitale signatur er spærret efter 3 forkerte forsøg. Kontakt banken, så sender vi dig en ny pinkode.", "Log på netbanken")
	p = c.post("/login/private", url.Values{"user_number": {num}})
	wantText(t, p, "Din digitale signatur er spærret")
	_ = key
}

// Without a session the net bank sends the browser to the login page; the
// countdown's poll says the session is not active.
func TestNetbankRequiresLogin(t *testing.T) {
	b := newTestBank(t, false)
	c := b.client()
	for _, path := range []string{"/netbank", "/netbank/spaerring", "/netbank/underskriftskode"} {
		p := c.get(path)
		if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login" {
			t.Errorf("GET %s: %d → %q", path, p.StatusCode, p.Header.Get("Location"))
		}
	}
	p := c.get("/netbank/session/status")
	var v map[string]any
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil || v["active"] != false {
		t.Errorf("status without a session: %s", p.Body)
	}
	if p := c.get("/login/private"); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login" {
		t.Errorf("GET of a login step: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
}

// RULE AUTH-3, AUTH-4: the private overview after the first login and
// after a login with the signature.
func TestPrivateLoginAndOverview(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	key := c.firstLogin(num, pin)
	over := c.get("/netbank")
	if over.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d", over.StatusCode)
	}
	wantText(t, over, "Velkommen, Mette Kjær Nielsen", "Oversigt", "Privat", "Brugernummer "+num, "Vestergade 12, 2. th.",
		"Logget på 21.11.2026 kl. 14.05", "Underskriftsfil lavet 21.11.2026 kl. 14.05", "Efter 15 minutter uden aktivitet",
		"Skift underskriftskode", "Spærring af bruger", "Log af", "Forlæng", "Siden hentet 21.11.2026 14.05.09")
	if strings.Contains(over.Text(), "150385") {
		t.Error("the overview shows the CPR number")
	}
	wantExpires := loginTestTime.Add(15 * time.Minute).UnixMilli()
	if !strings.Contains(over.Body, `data-expires="`+itoa(wantExpires)+`"`) || !strings.Contains(over.Body, `data-timeout="900"`) {
		t.Errorf("countdown data missing (want expires %d)", wantExpires)
	}
	if cc := over.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("overview Cache-Control %q", cc) // RULE SESS-3
	}

	// A new token at every login: no session fixation.
	first := c.cookie("nb_session").Value
	c.post("/logout", nil)
	c.login(num, key)
	if second := c.cookie("nb_session").Value; second == first || second == "" {
		t.Error("the second login kept the session token")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// RULE SESS-2: a second login ends the first session, whose next request
// says the information is out of date.
func TestSecondLoginReplacesFirst(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			b := newTestBank(t, engine == "postgres")
			num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
			first := b.client()
			key := first.firstLogin(num, pin)
			if p := first.get("/netbank"); p.StatusCode != http.StatusOK {
				t.Fatalf("first: %d", p.StatusCode)
			}
			second := b.client()
			second.login(num, key)

			p := first.get("/netbank")
			if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=replaced" {
				t.Fatalf("first after the second login: %d → %q", p.StatusCode, p.Header.Get("Location"))
			}
			wantText(t, first.follow(p), "Oplysningerne er forældede, fordi du er logget på et andet sted. Log på igen.")
			if p := second.get("/netbank"); p.StatusCode != http.StatusOK {
				t.Errorf("second: %d", p.StatusCode)
			}
		})
	}
}

// RULE SESS-1: 15 minutes without activity end a private session; the
// countdown's poll does not count as activity, "Forlæng" does.
func TestInactivityTimeout(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	key := c.firstLogin(num, pin)
	c.get("/netbank")

	// Polling the status for 14 minutes keeps nothing alive…
	b.clock.Advance(10 * time.Minute)
	p := c.get("/netbank/session/status")
	var v map[string]any
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil || v["active"] != true ||
		int64(v["expires_at"].(float64)) != loginTestTime.Add(15*time.Minute).UnixMilli() {
		t.Fatalf("status: %s", p.Body)
	}
	b.clock.Advance(4 * time.Minute)
	c.get("/netbank/session/status")

	// …"Forlæng" does: a new quarter of an hour from now.
	resp, v := c.postJSON("/netbank/session/extend", nil)
	now := b.clock.Now()
	if resp.StatusCode != http.StatusOK || int64(v["expires_at"].(float64)) != now.Add(15*time.Minute).UnixMilli() ||
		int64(v["now"].(float64)) != now.UnixMilli() {
		t.Fatalf("extend: %d %v", resp.StatusCode, v)
	}
	b.clock.Advance(14 * time.Minute)
	if p := c.get("/netbank"); p.StatusCode != http.StatusOK {
		t.Fatalf("14 minutes after Forlæng: %d", p.StatusCode)
	}

	// 16 minutes of nothing: logged out.
	b.clock.Advance(16 * time.Minute)
	p = c.get("/netbank")
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=expired" {
		t.Fatalf("after 16 minutes: %d → %q", p.StatusCode, p.Header.Get("Location"))
	}
	wantText(t, c.follow(p), "Du er blevet logget af, fordi du ikke har brugt netbanken i 15 minutter")

	// The same for a poll: not active, and why.
	c.login(num, key)
	b.clock.Advance(16 * time.Minute)
	p = c.get("/netbank/session/status")
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil || v["active"] != false || v["login"] != "/login?reason=expired" {
		t.Errorf("status after 16 minutes: %s", p.Body)
	}
	// A plain form's "Forlæng" (no JavaScript) goes back to its page.
	c.login(num, key)
	p = c.post("/netbank/session/extend", url.Values{"back": {"/netbank/spaerring"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/netbank/spaerring" {
		t.Errorf("plain Forlæng: %d → %q", p.StatusCode, p.Header.Get("Location"))
	}
	p = c.post("/netbank/session/extend", url.Values{"back": {"//evil.example/netbank"}})
	if p.Header.Get("Location") != "/netbank" {
		t.Errorf("Forlæng back to %q", p.Header.Get("Location"))
	}
}

// RULE SESS-5, SESS-3: "Log af" ends the session on the server; the old
// cookie opens nothing, and nothing is cached.
func TestLogoutEndsSession(t *testing.T) {
	b := newTestBank(t, false)
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView)
	c := b.client()
	p, _, _ := c.businessLogin("jens.hansen", password, card)
	over := c.follow(p)
	if over.StatusCode != http.StatusOK || over.Header.Get("Cache-Control") != "no-store" || over.Header.Get("Pragma") != "no-cache" {
		t.Fatalf("overview: %d, Cache-Control %q", over.StatusCode, over.Header.Get("Cache-Control"))
	}
	old := c.cookie("nb_session").Value

	p = c.post("/logout", nil)
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=ended" {
		t.Fatalf("logout: %d → %q", p.StatusCode, p.Header.Get("Location"))
	}
	if k := setCookieNamed(p.Response, "nb_session"); k == nil || k.MaxAge >= 0 {
		t.Errorf("logout does not delete the cookie: %+v", k)
	}
	wantText(t, c.follow(p), "Du er logget af.")

	// The server ended it: the old cookie, replayed, opens nothing.
	if _, err := b.app.Identity.Peek(context.Background(), identity.Token(old)); err != identity.ErrSessionEnded {
		t.Errorf("session after logout: %v", err)
	}
	thief := b.client()
	thief.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "nb_session", Value: old, Path: "/"}})
	p = thief.get("/netbank")
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=ended" {
		t.Errorf("old cookie after logout: %d → %q", p.StatusCode, p.Header.Get("Location"))
	}
	if strings.Contains(p.Body, "Jens Hansen") {
		t.Error("account content after logout")
	}
}

// RULE AUTH-9: the user blocks their own access; it ends the session and
// only the bank lifts it.
func TestSelfBlock(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	key := c.firstLogin(num, pin)
	p := c.get("/netbank/spaerring")
	wantText(t, p, "Spærring af bruger", "Kun banken kan åbne for din adgang igen", "Spær min adgang")
	p = c.post("/netbank/spaerring", nil)
	if p.StatusCode != http.StatusBadRequest {
		t.Errorf("without confirmation: %d", p.StatusCode)
	}
	wantText(t, p, "Sæt flueben for at bekræfte")
	p = c.post("/netbank/spaerring", url.Values{"confirm": {"yes"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=blocked" {
		t.Fatalf("block: %d → %q", p.StatusCode, p.Header.Get("Location"))
	}
	wantText(t, c.follow(p), "Din adgang til netbanken er spærret, og du er logget af.")
	if p := c.get("/netbank"); p.StatusCode != http.StatusSeeOther {
		t.Errorf("net bank after the block: %d", p.StatusCode)
	}
	p = c.post("/login/private", url.Values{"user_number": {num}})
	if p.StatusCode != http.StatusForbidden {
		t.Errorf("login after the block: %d", p.StatusCode)
	}
	wantText(t, p, "Du har selv spærret din adgang til netbanken. Kontakt banken")
	// The key still signs, but the bank refuses the blocked user.
	if _, _, err := b.app.Identity.FinishPrivateLogin(context.Background(), num, "chl_x", ed25519.Sign(key, []byte("x")), identity.Actor{}); err == nil {
		t.Error("a blocked user logged in")
	}
}

// RULE AUTH-6: changing the code makes a new key; the old one stops
// working. Only private users have a signature code.
func TestChangeSignatureCode(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	c := b.client()
	oldKey := c.firstLogin(num, pin)
	p := c.get("/netbank/underskriftskode")
	wantText(t, p, "Skift underskriftskode", "Alle kopier af din nuværende underskriftsfil holder op med at virke")
	id, challenge := challengeOf(t, p)
	newPub, newKey, _ := ed25519.GenerateKey(rand.Reader)
	msg := auth.LoginMessage(challenge)

	// A wrong old signature is refused with a new challenge to try again.
	_, wrong, _ := ed25519.GenerateKey(rand.Reader)
	resp, v := c.postJSON("/netbank/underskriftskode", url.Values{"challenge_id": {id}, "old_signature": {b64(ed25519.Sign(wrong, msg))},
		"public_key": {b64(newPub)}, "new_signature": {b64(ed25519.Sign(newKey, msg))}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(v["error"].(string), "Du har 2 forsøg tilbage") || v["challenge_id"] == nil {
		t.Fatalf("wrong old code: %d %v", resp.StatusCode, v)
	}
	id, challenge = v["challenge_id"].(string), v["challenge"].(string)
	msg = auth.LoginMessage(challenge)
	resp, v = c.postJSON("/netbank/underskriftskode", url.Values{"challenge_id": {id}, "old_signature": {b64(ed25519.Sign(oldKey, msg))},
		"public_key": {b64(newPub)}, "new_signature": {b64(ed25519.Sign(newKey, msg))}})
	if resp.StatusCode != http.StatusOK || v["ok"] != true {
		t.Fatalf("change: %d %v", resp.StatusCode, v)
	}
	c.post("/logout", nil)
	if p := c.sign(c.startLogin(num), num, oldKey); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("old key after the change: %d", p.StatusCode)
	}
	c.login(num, newKey)

	// Business users have no signature code.
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView)
	biz := b.client()
	p, _, _ = biz.businessLogin("jens.hansen", password, card)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatal(p.StatusCode)
	}
	if p := biz.get("/netbank/underskriftskode"); p.StatusCode != http.StatusNotFound {
		t.Errorf("business user's code change page: %d", p.StatusCode)
	}
	if resp, _ := biz.postJSON("/netbank/underskriftskode", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("business user's code change: %d", resp.StatusCode)
	}
}

// Codes, PINs and passwords never reach the server's log (nor a URL: every
// form posts, see TestLoginPagesRenderInDanish).
func TestNoSecretsInLogs(t *testing.T) {
	b := newTestBank(t, false)
	num, pin := b.privateUser("Mette Kjær Nielsen", "150385-1234")
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView)
	c := b.client()
	c.post("/login/private/pin", url.Values{"user_number": {num}, "pin": {"12345678"}})
	c.firstLogin(num, pin)
	c.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {"forkert-kode-9"}})
	p, key, _ := b.client().businessLogin("jens.hansen", password, card)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatal(p.StatusCode)
	}
	logs := b.logs.String()
	if !strings.Contains(logs, "/login/private/pin") {
		t.Fatal("the requests were not logged at all")
	}
	for _, secret := range []string{pin, "12345678", password, "forkert-kode-9", card.Codes[key]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the secret %q", secret)
		}
	}
}

// The customer's header (name, countdown, "Log af" to /logout) belongs to
// the net bank only: a staff session in the back office has its own.
func TestStaffPagesHaveNoCustomerHeader(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	st, _, err := b.app.Identity.CreateStaff(ctx, "kasper", "Kasper Thomsen", "demo-support-Netbank1", []string{identity.RoleSupport}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	code, err := b.app.Identity.StaffTOTP(ctx, st, b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := b.app.Identity.StaffLogin(ctx, "kasper", "demo-support-Netbank1", code, identity.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	c := b.client()
	c.http.Jar.SetCookies(mustURL(t, b.url), []*http.Cookie{{Name: "nb_session", Value: string(tok), Path: "/"}})
	p := c.get("/backoffice")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("back office: %d", p.StatusCode)
	}
	if strings.Contains(p.Body, `id="session-timer"`) || strings.Contains(p.Body, `action="/logout"`) {
		t.Error("a back-office page carries the net bank's session header")
	}
	// Nor does a staff session open the net bank or its countdown.
	if p := c.get("/netbank"); p.StatusCode == http.StatusOK {
		t.Errorf("staff session opens /netbank")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(c.get("/netbank/session/status").Body), &v); err != nil || v["active"] != false {
		t.Errorf("staff session status: %v", v)
	}
}

// RULE BIZ-4: with the key app instead of the key card, the page asks for
// the app's code; each code works once (BIZ-1).
func TestBusinessLoginWithKeyApp(t *testing.T) {
	b := newTestBank(t, false)
	password, _ := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView)
	ctx := context.Background()
	u, err := b.app.Identity.UserByLogin(ctx, "jens.hansen")
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.app.Identity.BeginKeyApp(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(e.Secret, "="))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.app.Identity.ConfirmKeyApp(ctx, u.ID, e.ChallengeID, auth.TOTPCode(secret, b.clock.Now()), identity.System); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(30 * time.Second) // the next code

	c := b.client()
	p := c.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password}})
	wantText(t, p, "Indtast koden fra nøgleappen", "Kode fra nøgleappen")
	if strings.Contains(p.Body, `id="key-number"`) {
		t.Error("the key-app step shows a key number")
	}
	code := auth.TOTPCode(secret, b.clock.Now())
	form := url.Values{"user_id": {"jens.hansen"}, "code": {code}, "codes_left": {attr(t, p.Body, `name="codes_left" value="([0-9]+)"`)},
		"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}}
	if p := c.post("/login/business/code", form); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/netbank" {
		t.Fatalf("key-app code: %d\n%s", p.StatusCode, p.Text())
	}
	if over := c.get("/netbank"); strings.Contains(over.Text(), "nøglekort er snart brugt op") {
		t.Error("a key-app user is told about the key card")
	}
	// The same code again, in a new login, is refused.
	p = c.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password}})
	form.Set("challenge_id", attr(t, p.Body, `name="challenge_id" value="([^"]+)"`))
	p = c.post("/login/business/code", form)
	if p.StatusCode != http.StatusUnauthorized {
		t.Errorf("used key-app code: %d", p.StatusCode)
	}
	wantText(t, p, "Forkert kode fra nøgleappen.")
}
