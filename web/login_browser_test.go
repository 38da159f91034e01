package web_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/ledger"
)

// The login and the net bank's shell in a real, headless Chromium under the
// bank's CSP, with the real signature file (usf.js, PBKDF2 with 600,000
// iterations, Ed25519 in WebCrypto, IndexedDB). Screenshots of every step
// go to artifacts/screenshots/login-*.png and netbank-*.png.

// browserBank is an empty bank on the real clock, served over HTTP.
type browserBank struct {
	app *app.App
	url string
}

func newBrowserBank(t *testing.T, id identity.Config) *browserBank {
	t.Helper()
	if id.RateLimit == 0 {
		id.RateLimit = 10000 // every step comes from 127.0.0.1
	}
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Identity: id,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	return &browserBank{app: a, url: ts.URL}
}

// fund pays amount øre from the bank's settlement account into accountID,
// in one ledger transfer with the given id.
func (b *browserBank) fund(t *testing.T, id, accountID string, amount int64) {
	t.Helper()
	if _, err := b.app.Ledger.Transfer(context.Background(), ledger.TransferRequest{ID: id,
		DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"), CreditAccountID: accountID, Amount: amount}); err != nil {
		t.Fatal(err)
	}
}

func (b *browserBank) privateUser(t *testing.T, name, cpr string) (string, string) {
	t.Helper()
	ctx := context.Background()
	c, err := b.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: name, CPR: cpr,
		Mobile: "20 45 67 89", Address: "Vestergade 12, 2. th.", Postcode: "8000", City: "Aarhus C", Email: "mette.kjaer@example.dk"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	u, pin, err := b.app.Identity.CreatePrivateUser(ctx, c.ID, "", identity.System)
	if err != nil {
		t.Fatal(err)
	}
	return u.Login, pin
}

// enrolledFile enrols a private user with a signature file made in Go
// (auth.NewSignatureFile, the same format as usf.js) and writes it to dir
// as NNNNNNN.usf, as if copied from another computer (AUTH-7).
func (b *browserBank) enrolledFile(t *testing.T, userNumber, pin, code, dir string) string {
	t.Helper()
	ctx := context.Background()
	step, err := b.app.Identity.VerifyPIN(ctx, userNumber, pin, identity.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	f, pub, err := auth.NewSignatureFile(rand.Reader, userNumber, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	sig := auth.LoginMessage(step.Challenge)
	if _, _, err := b.app.Identity.Enroll(ctx, userNumber, step.ChallengeID, pub, ed25519.Sign(f.PrivateKey(code), sig), identity.Actor{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, auth.SignatureFileName(userNumber))
	if err := os.WriteFile(path, f.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tab wraps one browser tab with the steps the tests take.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (x tab) run(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		body, _ := chromedp.Run(x.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		loc, _ := chromedp.Run(x.ctx, chromedp.Location())
		x.t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
	}
}

func (x tab) open(url string) {
	x.t.Helper()
	x.run("open "+url, 20*time.Second, chromedp.Navigate(url))
}

// wait waits until sel is visible.
func (x tab) wait(sel string) {
	x.t.Helper()
	x.run("wait for "+sel, 30*time.Second, chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (x tab) click(sel string) {
	x.t.Helper()
	x.run("click "+sel, 20*time.Second, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill types text into the input sel (after clearing it).
func (x tab) fill(sel, text string) {
	x.t.Helper()
	x.run("fill "+sel, 20*time.Second, chromedp.WaitVisible(chromedp.CSS(sel)))
	evalIn[bool](x, `(() => { const e = document.querySelector(`+strconvQuote(sel)+`); e.value = ""; return true })()`)
	x.run("fill "+sel, 20*time.Second, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// firstPrivateLogin logs a private user in for the first time through the
// real pages: user number, the PIN letter's code, then a new signature
// code; the browser makes the signature file and keeps it in IndexedDB.
// It returns on the overview.
func (x tab) firstPrivateLogin(bankURL, number, pin, code string) {
	x.t.Helper()
	x.open(bankURL + "/login")
	x.fill("#user-number", number)
	x.click("#private-submit")
	x.wait("#pin")
	x.fill("#pin", pin)
	x.click("#pin-submit")
	x.wait("#new-code")
	x.fill("#new-code", code)
	x.fill("#new-code-again", code)
	x.click("#enroll-submit")
	x.wait("#enroll-done")
	x.click("#continue")
	x.wait("#welcome")
}

func (x tab) upload(sel, path string) {
	x.t.Helper()
	x.run("upload to "+sel, 20*time.Second, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}, chromedp.NodeReady))
}

func (x tab) text(sel string) string {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		x.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

func (x tab) body() string {
	x.t.Helper()
	return strings.Join(strings.Fields(evalIn[string](x, `document.body.innerText`)), " ")
}

func (x tab) location() string {
	x.t.Helper()
	return evalIn[string](x, `location.pathname + location.search`)
}

func (x tab) shot(name string) {
	x.t.Helper()
	browser.Screenshot(x.t, x.ctx, name)
}

func evalIn[T any](x tab, js string) T {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		x.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition.
func (x tab) waitFor(what, js string, timeout time.Duration) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout))); err != nil {
		x.t.Fatalf("%s: %v\nat %s:\n%s", what, err, x.location(), x.body())
	}
}

func (x tab) wantBody(wants ...string) {
	x.t.Helper()
	body := x.body()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			x.t.Errorf("at %s the page lacks %q:\n%s", x.location(), w, body)
		}
	}
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// waitNavigation polls a JavaScript condition across page loads (the page
// navigates by itself).
func (x tab) waitNavigation(what, js string, timeout time.Duration) {
	x.t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(x.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
	}
	x.t.Fatalf("%s: not within %v; at %s:\n%s", what, timeout, x.location(), x.body())
}

// downloadTo lets the browser save downloads in dir.
func downloadTo(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
}

// waitFile waits for a complete download.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 && bytes.HasSuffix(b, []byte("}")) {
			return b
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	t.Fatalf("no download %s (dir has %v)", path, entries)
	return nil
}

// expectedStatus is a console message Chromium writes for a page answered
// with a 4xx status: expected where a login is refused.
var expectedStatus = regexp.MustCompile(`status of 40[0-3]`)

// requireNoUnexpectedProblems fails on console errors, exceptions and CSP
// violations, except the 4xx statuses of refused logins.
func requireNoUnexpectedProblems(t *testing.T, b *browser.Browser) {
	t.Helper()
	if v := b.CSPViolations(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	for _, m := range b.Problems() {
		if !expectedStatus.MatchString(m.Text) {
			t.Errorf("browser problem: %v", m)
		}
	}
}

// TestPrivateLoginInBrowser is the private customer's life with the
// signature file, from the PIN letter to a blocked signature:
//
//	(a) first login: PIN → choose the code → file made in the browser and
//	    kept in IndexedDB, downloaded as NNNNNNN.usf → overview (RULE AUTH-2,
//	    AUTH-3, AUTH-7), remembering the user number (AUTH-8)
//	(i) "Log af", then back: nothing of the session (SESS-3, SESS-5)
//	(b) log in again with the kept file (AUTH-4)
//	(c) log in on "another computer" (isolated tab, empty IndexedDB) with the
//	    downloaded file loaded from disk (AUTH-7), which (h) ends the first
//	    session: "Oplysningerne er forældede" (SESS-2)
//	(e) change the code; the old file, loaded from disk, no longer logs in;
//	    the new one does (AUTH-6)
//	(d) three wrong codes block the signature, in Danish (AUTH-5)
func TestPrivateLoginInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	const code, newCode = "Sommer2026hus", "vinter2027bil"
	fileName := num[4:] + ".usf"

	b := browser.New(t)
	x := tab{t, b.Context()}
	downloads := t.TempDir()
	downloadTo(t, x.ctx, downloads)

	// (a) First login. RULE AUTH-1, AUTH-2, AUTH-8.
	x.open(bank.url + "/login")
	x.wait("#user-number")
	x.shot("login-01-choose")
	x.fill("#user-number", num)
	x.click("#remember")
	x.click("#private-submit")
	x.wait("#pin")
	x.wantBody("Indtast pinkoden fra brevet", "Brugernummer: "+num)
	x.shot("login-02-pin")
	x.fill("#pin", pin)
	x.click("#pin-submit")
	x.wait("#new-code") // login.js showed the form
	x.wantBody("Vælg din underskriftskode", "8 til 16 tegn", "Gem underskriftsfilen på denne computer")
	if evalIn[bool](x, `!document.getElementById("js-required").hidden`) {
		t.Error(`"JavaScript er nødvendigt" still shown with JavaScript on`)
	}
	// RULE AUTH-2: the browser refuses a bad code before making anything.
	x.fill("#new-code", "kort1")
	x.fill("#new-code-again", "kort1")
	x.click("#enroll-submit")
	x.wait("#form-error")
	if got := x.text("#form-error"); got != "Underskriftskoden skal være mindst 8 tegn." {
		t.Errorf("short code: %q", got)
	}
	x.fill("#new-code", code)
	x.fill("#new-code-again", strings.ToLower(code)+"x")
	x.click("#enroll-submit")
	x.waitFor("mismatch message", `document.getElementById("form-error").innerText.includes("ikke ens")`, 5*time.Second)
	x.shot("login-03-choose-code-error")
	x.fill("#new-code-again", strings.ToLower(code)) // case does not matter (AUTH-2)
	x.shot("login-03-choose-code")
	x.click("#enroll-submit")
	x.wait("#enroll-done")
	x.wantBody("Din underskriftsfil er klar", "Underskriftsfilen er gemt på denne computer.", "Hent underskriftsfilen ("+fileName+")")
	x.shot("login-04-file-ready")

	// RULE AUTH-3: the file lives in the browser; the bank has only its
	// public key.
	stored := evalIn[string](x, `NetbankUSF.load("`+num+`").then(f => f || "")`)
	f, err := auth.ParseSignatureFile([]byte(stored))
	if err != nil {
		t.Fatalf("the kept file: %v\n%s", err, stored)
	}
	user, err := bank.app.Identity.UserByLogin(context.Background(), num)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.PrivateKey(strings.ToLower(code)).Public().(ed25519.PublicKey), user.PublicKey) {
		t.Error("the bank's public key is not the kept file's")
	}
	if f.Iterations() != auth.DefaultIterations {
		t.Errorf("file made with %d iterations", f.Iterations())
	}
	// RULE AUTH-7: downloaded as NNNNNNN.usf, the same bytes.
	x.click("#download")
	firstFile := filepath.Join(downloads, fileName)
	if got := waitFile(t, firstFile); string(got) != stored {
		t.Errorf("downloaded file differs from the kept one")
	}
	x.click("#continue")
	x.wait("#welcome")
	x.wantBody("Velkommen, Mette Kjær Nielsen", "Logget på som Mette Kjær Nielsen", "Du logges af om 1", "Log af")
	if got := x.text("#session-countdown"); !regexp.MustCompile(`^Du logges af om 1[45]:[0-5][0-9]$`).MatchString(got) {
		t.Errorf("countdown %q", got)
	}
	x.shot("login-05-overview")

	// The same on a phone: nothing scrolls sideways.
	phone := tab{t, b.NewTab(t)}
	phone.run("phone", 20*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, pg := range []struct{ path, shot string }{{"/netbank", "netbank-03-overview-phone"}, {"/login", "login-15-choose-phone"}} {
		phone.open(bank.url + pg.path)
		if evalIn[bool](phone, `document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s scrolls sideways on a phone", pg.path)
		}
		phone.shot(pg.shot)
	}

	// (i) Log af, then the back button. RULE SESS-5, SESS-3.
	x.click("#logout")
	x.wait("#login-notice")
	if got := x.text("#login-notice"); got != "Du er logget af." {
		t.Errorf("after Log af: %q", got)
	}
	if v := evalIn[string](x, `document.getElementById("user-number").value`); v != num {
		t.Errorf("remembered user number %q, want %q (AUTH-8)", v, num)
	}
	x.shot("login-06-logged-out")
	x.run("back", 20*time.Second, chromedp.NavigateBack())
	x.waitFor("page after back", `document.readyState === "complete" && !!document.querySelector("main")`, 10*time.Second)
	if body := x.body(); strings.Contains(body, "Mette") || strings.Contains(body, "Velkommen") || !strings.HasPrefix(x.location(), "/login") {
		t.Errorf("back after Log af shows %s:\n%s", x.location(), body)
	}
	x.shot("login-07-back-after-logout")

	// (b) Log in with the kept file. RULE AUTH-4.
	login := func(x tab, number, code string) {
		t.Helper()
		x.open(bank.url + "/login")
		x.fill("#user-number", number)
		x.click("#private-submit")
		x.wait("#code")
	}
	login(x, num, code)
	x.wait("#usf-stored")
	x.wantBody("Din underskriftsfil (" + fileName + ") er gemt på denne computer.")
	x.fill("#code", strings.ToUpper(code))
	x.shot("login-08-signature-kept-file")
	x.click("#signature-submit")
	x.wait("#welcome")
	x.wantBody("Velkommen, Mette Kjær Nielsen")

	// (c) Another computer: no kept file, load it from disk. RULE AUTH-7.
	other := tab{t, b.NewIsolatedTab(t)}
	login(other, num, code)
	other.wait("#usf-pick")
	other.wantBody("Der er ikke gemt en underskriftsfil på denne computer.")
	other.upload("#usf-file", firstFile)
	other.fill("#code", code)
	other.shot("login-09-signature-load-file")
	other.click("#signature-submit")
	other.wait("#welcome")
	other.shot("login-10-overview-other-computer")
	if n := evalIn[bool](other, `new Promise(r => { const q = indexedDB.open("netbank"); q.onsuccess = () => { const db = q.result; const ok = db.objectStoreNames.contains("signature-files"); if (!ok) { db.close(); return r(false); } const g = db.transaction("signature-files").objectStore("signature-files").count(); g.onsuccess = () => { db.close(); r(g.result > 0); }; }; q.onerror = () => r(false); })`); n {
		t.Error("the other computer kept the file although not asked to")
	}

	// (h) The first computer's session was ended by that login. SESS-2.
	x.open(bank.url + "/netbank")
	x.wait("#login-notice")
	if got := x.text("#login-notice"); got != "Oplysningerne er forældede, fordi du er logget på et andet sted. Log på igen." {
		t.Errorf("first session after the second login: %q at %s", got, x.location())
	}
	x.shot("login-11-replaced")

	// (e) Change the code. RULE AUTH-6.
	login(x, num, code)
	x.fill("#code", code)
	x.click("#signature-submit")
	x.wait("#welcome")
	x.click("#link-code")
	x.wait("#old-code")
	x.wantBody("Skift underskriftskode", "Alle kopier af din nuværende underskriftsfil holder op med at virke")
	x.fill("#old-code", code)
	x.fill("#new-code", newCode)
	x.fill("#new-code-again", newCode)
	x.shot("netbank-01-change-code")
	x.click("#change-submit")
	x.wait("#change-done")
	x.wantBody("Din underskriftskode er skiftet", "Den nye underskriftsfil er gemt på denne computer.")
	x.shot("netbank-02-code-changed")
	newStored := evalIn[string](x, `NetbankUSF.load("`+num+`").then(f => f || "")`)
	if newStored == stored || newStored == "" {
		t.Error("the kept file was not replaced")
	}
	newDownloads := t.TempDir()
	downloadTo(t, x.ctx, newDownloads)
	x.click("#download")
	newFile := filepath.Join(newDownloads, fileName)
	if got := waitFile(t, newFile); string(got) != newStored {
		t.Error("the downloaded new file differs from the kept one")
	}

	// The old file (a copy on the other computer) no longer works.
	login(other, num, code)
	other.wait("#usf-pick")
	other.upload("#usf-file", firstFile)
	other.fill("#code", code)
	other.click("#signature-submit")
	other.wait("#signature-error")
	if got := other.text("#signature-error"); got != "Forkert underskriftskode, eller underskriftsfilen passer ikke til dit brugernummer. Du har 2 forsøg tilbage." {
		t.Errorf("old file after the change: %q", got)
	}
	other.shot("login-12-old-file-refused")
	// The new file with the new code does.
	other.wait("#usf-pick")
	other.upload("#usf-file", newFile)
	other.fill("#code", newCode)
	other.click("#signature-submit")
	other.wait("#welcome")

	// "Spærring af bruger": the user blocks their own access. RULE AUTH-9.
	other.click("#link-block")
	other.wait("#block-form")
	other.shot("netbank-04-block-confirm")
	other.click("#confirm")
	other.click("#block-submit")
	other.wait("#login-notice")
	if got := other.text("#login-notice"); !strings.HasPrefix(got, "Din adgang til netbanken er spærret, og du er logget af.") {
		t.Errorf("after the block: %q", got)
	}
	other.shot("netbank-05-blocked")
	if u, err := bank.app.Identity.UserByLogin(context.Background(), num); err != nil || u.Status != identity.SelfBlocked {
		t.Errorf("user after the block: %v, %v", u.Status, err)
	}

	// (d) Three wrong codes block the signature. RULE AUTH-5.
	num2, pin2 := bank.privateUser(t, "Lars Bo Jensen", "020779-2345")
	file2 := bank.enrolledFile(t, num2, pin2, "larsbo2026", t.TempDir())
	third := tab{t, b.NewIsolatedTab(t)}
	for i, want := range []string{"Du har 2 forsøg tilbage.", "Du har 1 forsøg tilbage."} {
		login(third, num2, "")
		third.wait("#usf-pick")
		third.upload("#usf-file", file2)
		third.fill("#code", "forkert"+string(rune('1'+i))+"23")
		third.click("#signature-submit")
		third.wait("#signature-error")
		if got := third.text("#signature-error"); !strings.HasSuffix(got, want) {
			t.Errorf("wrong code %d: %q", i+1, got)
		}
		if i == 0 {
			third.shot("login-13-wrong-code")
		}
	}
	third.wait("#usf-pick")
	third.upload("#usf-file", file2)
	third.fill("#code", "forkert323")
	third.click("#signature-submit")
	third.wait("#private-error")
	if got := third.text("#private-error"); got != "Din digitale signatur er spærret efter 3 forkerte forsøg. Kontakt banken, så sender vi dig en ny pinkode." {
		t.Errorf("third wrong code: %q", got)
	}
	third.shot("login-14-blocked")
	// Now even the right code is refused.
	third.fill("#user-number", num2)
	third.click("#private-submit")
	third.wait("#private-error")
	third.wantBody("Din digitale signatur er spærret")

	requireNoUnexpectedProblems(t, b)
}

// TestBusinessLoginInBrowser: (f) user id, password and the key card's code
// for the key number the page asks for; a used code is refused (RULE
// BIZ-1); the overview names the profile's rights (BIZ-5).
func TestBusinessLoginInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	c, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS",
		CVR: "25313763", Mobile: "86 12 34 56", Address: "Industrivej 8", Postcode: "8260", City: "Viby J", Email: "kontor@hansen-toemrer.example.dk"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	_, password, card, err := bank.app.Identity.CreateBusinessUser(ctx, c.ID, "pia.hansen", "Pia Hansen",
		[]identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove}, identity.System)
	if err != nil {
		t.Fatal(err)
	}

	b := browser.New(t)
	x := tab{t, b.Context()}
	start := func() string {
		t.Helper()
		x.open(bank.url + "/login")
		x.fill("#user-id", "pia.hansen")
		x.fill("#password", password)
		x.click("#business-submit")
		x.wait("#keycode")
		return x.text("#key-number")
	}
	key := start()
	if got := x.text("#code-heading"); got != "Indtast koden til nøglenummer "+key {
		t.Errorf("heading %q", got)
	}
	x.fill("#keycode", card.Codes[key])
	x.shot("login-20-business-keycard")
	x.click("#code-submit")
	x.wait("#welcome")
	x.wantBody("Velkommen, Pia Hansen", "Hansen & Søn Tømrer ApS", "25313763", "Erhverv", "Se konti og posteringer",
		"Oprette betalinger og overførsler", "Godkende betalinger", "Efter 60 minutter uden aktivitet", "Du logges af om ")
	if strings.Contains(x.body(), "Administrere brugere") || strings.Contains(x.body(), "Skift underskriftskode") {
		t.Error("the overview shows what Pia's profile does not give")
	}
	x.shot("netbank-10-business-overview")
	// RULE BIZ-4: the key-app enrolment shows its QR code under the CSP.
	x.open(bank.url + "/netbank/noegleapp")
	x.click("#keyapp-start button[type=submit]")
	x.wait("#keyapp-qr")
	if ok := evalIn[bool](x, `document.getElementById("keyapp-qr").naturalWidth > 100`); !ok {
		t.Error("the QR code image did not load")
	}
	x.shot("netbank-11-keyapp-scan")
	x.open(bank.url + "/netbank")
	x.wait("#welcome")
	x.click("#logout")
	x.wait("#login-notice")

	// The next login asks for another key number; the used code is refused.
	key2 := start()
	if key2 == key {
		t.Fatalf("key number %s asked for again", key)
	}
	if card.Codes[key2] == card.Codes[key] {
		t.Skip("two key numbers share a code on this card: cannot show the refusal")
	}
	x.fill("#keycode", card.Codes[key])
	x.click("#code-submit")
	x.wait("#business-error")
	if got := x.text("#business-error"); got != "Forkert kode fra nøglekortet. Du har 2 forsøg tilbage. Log på igen med bruger-id og adgangskode. Du bliver bedt om en ny kode fra nøglekortet." {
		t.Errorf("used code: %q", got)
	}
	if v := evalIn[string](x, `document.getElementById("user-id").value`); v != "pia.hansen" {
		t.Errorf("user id not kept: %q", v)
	}
	x.shot("login-21-business-used-code")
	requireNoUnexpectedProblems(t, b)
}

// TestSessionTimeoutInBrowser: (g) the countdown in the header, "Forlæng",
// and the automatic log-out when the time is up (RULE SESS-1). The private
// timeout is 8 seconds in this test only; everything else is real.
func TestSessionTimeoutInBrowser(t *testing.T) {
	const timeout = 8 * time.Second
	bank := newBrowserBank(t, identity.Config{PrivateTimeout: timeout})
	num, pin := bank.privateUser(t, "Sofie Andersen", "110702-4566")
	file := bank.enrolledFile(t, num, pin, "sofie2026a", t.TempDir())

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-number", num)
	x.click("#private-submit")
	x.wait("#usf-pick")
	x.upload("#usf-file", file)
	x.fill("#code", "sofie2026a")
	x.click("#signature-submit")
	x.wait("#welcome")

	// Less than two minutes left: the countdown is highlighted.
	x.waitFor("countdown", `/^Du logges af om 0:0[0-9]$/.test(document.getElementById("session-countdown").innerText)`, 5*time.Second)
	if !evalIn[bool](x, `document.getElementById("session-timer").classList.contains("session-warning")`) {
		t.Error("the countdown is not highlighted in the last two minutes")
	}
	if live := evalIn[string](x, `document.getElementById("session-live").innerText`); !strings.Contains(live, "Du bliver snart logget af") {
		t.Errorf("screen readers were not told: %q", live)
	}
	x.shot("netbank-20-countdown-warning")

	// Wait a while, then "Forlæng": the full time again.
	x.waitFor("countdown running", `/^Du logges af om 0:0[0-5]$/.test(document.getElementById("session-countdown").innerText)`, 6*time.Second)
	x.click("#session-extend-button")
	x.waitFor("extended", `/^Du logges af om 0:0[78]$/.test(document.getElementById("session-countdown").innerText)`, 5*time.Second)
	if live := evalIn[string](x, `document.getElementById("session-live").innerText`); !strings.HasPrefix(live, "Tiden er forlænget.") {
		t.Errorf("after Forlæng, screen readers hear %q", live)
	}
	if x.location() != "/netbank" {
		t.Errorf("Forlæng left the page: %s", x.location())
	}
	x.shot("netbank-21-extended")

	// No activity: the page goes to the login page by itself.
	x.waitNavigation("logged out", `location.pathname === "/login" && document.readyState === "complete" && !!document.getElementById("login-notice")`, timeout+15*time.Second)
	if got := x.text("#login-notice"); got != "Du er blevet logget af, fordi du ikke har brugt netbanken i 8 sekunder. Log på igen." {
		t.Errorf("after the timeout: %q", got)
	}
	x.shot("netbank-22-timed-out")
	// And the server agrees: the net bank is closed.
	x.open(bank.url + "/netbank")
	x.wait("#login-notice")
	if loc := x.location(); loc != "/login?reason=expired" || strings.Contains(x.body(), "Sofie") {
		t.Errorf("net bank after the timeout: %s", loc)
	}
	requireNoUnexpectedProblems(t, b)
}
