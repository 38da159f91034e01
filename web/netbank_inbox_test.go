package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/web"
)

// The customer's side of messages and contracts, and the signing page
// (web/netbank_inbox.go, web/sign.go), over HTTP against a real bank on
// SQLite (and PostgreSQL where it says so), with keys held here instead of
// in a browser.

// nbCustomer is a logged-in private customer: the browser, the user number,
// the key of the signature file and the customer id.
type nbCustomer struct {
	c          *browserClient
	num        string
	key        ed25519.PrivateKey
	customerID string
	userID     string
}

// loggedInPrivate makes a private customer and logs in for the first time
// (PIN, then a key made here: AUTH-2, AUTH-3).
func (b *testBank) loggedInPrivate(name, cpr string) nbCustomer {
	b.t.Helper()
	num, pin := b.privateUser(name, cpr)
	c := b.client()
	key := c.firstLogin(num, pin)
	u, err := b.app.Identity.UserByLogin(context.Background(), num)
	if err != nil {
		b.t.Fatal(err)
	}
	return nbCustomer{c: c, num: num, key: key, customerID: u.CustomerID, userID: u.ID}
}

// publish sends a contract to a customer, as the back office does.
func (b *testBank) publish(customerID, title, body string, kind inbox.ContractKind) inbox.Contract {
	b.t.Helper()
	c, err := b.app.Inbox.Publish(context.Background(), customerID, title, body, kind, inbox.Actor{ID: "stf_lone", Kind: audit.ActorStaff, Name: "Lone Dahl"})
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

// contract reads a contract back from the inbox.
func (b *testBank) contract(customerID, id string) inbox.Contract {
	b.t.Helper()
	c, err := b.app.Inbox.Contract(context.Background(), customerID, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

func (b *testBank) threads(customerID string) []inbox.Thread {
	b.t.Helper()
	ts, err := b.app.Inbox.Threads(context.Background(), customerID)
	if err != nil {
		b.t.Fatal(err)
	}
	return ts
}

// want checks the status and the visible texts of a page.
func want(t *testing.T, p httpPage, status int, texts ...string) {
	t.Helper()
	if p.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, status, p.Text())
	}
	wantText(t, p, texts...)
}

// wantRedirect checks a 303 and its target.
func wantRedirect(t *testing.T, p httpPage, location string) {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != location {
		t.Fatalf("%s %s: %d → %q, want 303 → %q\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, p.Header.Get("Location"), location, p.Text())
	}
}

// signPage is the signing page as the test reads it: the request, the
// document exactly as shown in <pre>, the sealed request the form carries.
type signPage struct {
	id, document, sealed, keyNumber string
	page                            httpPage
}

var signDocRE = regexp.MustCompile(`(?s)<pre[^>]*id="sign-document"[^>]*>\n(.*?)</pre>`)

func readSignPage(t *testing.T, p httpPage) signPage {
	t.Helper()
	if !strings.Contains(p.Body, `id="sign-form"`) {
		t.Fatalf("no signing page: %d\n%s", p.StatusCode, p.Text())
	}
	m := signDocRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no document on the signing page")
	}
	sp := signPage{id: attr(t, p.Body, `action="/netbank/underskriv/([^"]+)"`), document: html.UnescapeString(m[1]),
		sealed: attr(t, p.Body, `name="request" value="([^"]+)"`), page: p}
	if k := regexp.MustCompile(`id="key-number">([0-9]{4})<`).FindStringSubmatch(p.Body); k != nil {
		sp.keyNumber = k[1]
	}
	return sp
}

// approve posts "Godkend kontrakt" and returns the signing page.
func (x nbCustomer) approve(t *testing.T, contractID string) signPage {
	t.Helper()
	return readSignPage(t, x.c.post("/netbank/kontrakter/"+contractID+"/godkend", nil))
}

// signWith posts a private user's proof: the checksum and the signature
// of the document (as sign.js computes them).
func (x nbCustomer) signWith(sp signPage, key ed25519.PrivateKey, checksum string) httpPage {
	return x.c.post("/netbank/underskriv/"+sp.id, url.Values{"request": {sp.sealed}, "checksum": {checksum},
		"signature": {b64(ed25519.Sign(key, auth.DocumentMessage([]byte(sp.document))))}})
}

// RULE MSG-1: the customer writes to the bank inside the net bank, reads
// the answer (which is then marked read), and answers again. The list says
// when a thread was last active (Danish time), whether it is answered, and
// how many of the bank's messages are unread — also in the menu. A
// customer only ever reaches its own threads.
func TestNetbankMessages(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	c := mette.c

	p := c.get("/netbank/beskeder")
	want(t, p, http.StatusOK, "Beskeder", "Du har ingen beskeder.", "Skriv ny besked",
		"Banken beder dig aldrig om koder i en besked", "Siden hentet 21.11.2026 14.05.09")
	if !strings.Contains(p.Body, `id="nav-messages" aria-current="page"`) {
		t.Error("the menu does not mark Beskeder")
	}

	// Danish validation, what was typed is kept.
	want(t, c.get("/netbank/beskeder/ny"), http.StatusOK, "Skriv til banken", "Emne", "Besked", "Skriv aldrig dine koder i en besked.")
	p = c.post("/netbank/beskeder/ny", url.Values{"subject": {"  "}, "body": {"Hej banken"}})
	want(t, p, http.StatusUnprocessableEntity, "Beskeden blev ikke sendt", "Skriv et emne.")
	if !strings.Contains(p.Body, ">Hej banken</textarea>") {
		t.Error("the message was not kept")
	}
	p = c.post("/netbank/beskeder/ny", url.Values{"subject": {"Mit kort"}, "body": {""}})
	want(t, p, http.StatusUnprocessableEntity, "Skriv en besked.")
	if !strings.Contains(p.Body, `value="Mit kort"`) {
		t.Error("the subject was not kept")
	}
	want(t, c.post("/netbank/beskeder/ny", url.Values{"subject": {strings.Repeat("x", 201)}, "body": {"Hej"}}),
		http.StatusUnprocessableEntity, "Emnet må højst være 200 tegn.")
	if n := len(b.threads(mette.customerID)); n != 0 {
		t.Fatalf("refused forms stored %d threads", n)
	}

	// Sent: line breaks kept (the browser's CR LF as LF).
	p = c.post("/netbank/beskeder/ny", url.Values{"subject": {"Mit kort er ikke kommet"}, "body": {"Hej\r\nJeg bestilte et kort.\r\n\r\nMette"}})
	m := regexp.MustCompile(`^/netbank/beskeder/(msg_[0-9a-f]+)\?sendt=ny$`).FindStringSubmatch(p.Header.Get("Location"))
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("send: %d → %q\n%s", p.StatusCode, p.Header.Get("Location"), p.Text())
	}
	thread := m[1]
	ts := b.threads(mette.customerID)
	if len(ts) != 1 || ts[0].ID != thread || ts[0].Messages[0].Body != "Hej\nJeg bestilte et kort.\n\nMette" ||
		ts[0].Messages[0].Author != "Mette Kjær Nielsen" || ts[0].Messages[0].Sender != inbox.FromCustomer {
		t.Fatalf("stored %+v", ts)
	}
	p = c.follow(p)
	want(t, p, http.StatusOK, "Din besked er sendt til banken.", "Mit kort er ikke kommet", "Afventer svar", "Dig Mette Kjær Nielsen",
		"21.11.2026 14.05")
	if !strings.Contains(p.Body, "Hej\nJeg bestilte et kort.\n\nMette</div>") {
		t.Error("the line breaks of the message are not kept")
	}

	// The bank answers (back office), 75 minutes later.
	b.clock.Advance(75 * time.Minute)
	c.login(mette.num, mette.key) // the session timed out meanwhile
	if _, err := b.app.Inbox.Answer(ctx, mette.customerID, thread, "Kære Mette\nKortet er sendt.", inbox.Actor{ID: "stf_karen", Kind: audit.ActorStaff, Name: "Karen Bøgh"}); err != nil {
		t.Fatal(err)
	}
	p = c.get("/netbank/beskeder")
	want(t, p, http.StatusOK, "Dine samtaler 1 ulæst", "Mit kort er ikke kommet", "Kortet er sendt.", "21.11.2026 15.20", "Besvaret", "Ny", "2 beskeder")
	if got := attr(t, p.Body, `id="nav-unread">([0-9]+)<`); got != "1" {
		t.Errorf("menu badge %q", got)
	}
	// The overview's menu shows the count too.
	if over := c.get("/netbank"); !strings.Contains(over.Body, `id="nav-unread">1<`) {
		t.Error("the overview's menu has no unread count")
	}

	// Reading the thread marks the bank's message read.
	p = c.get("/netbank/beskeder/" + thread)
	want(t, p, http.StatusOK, "Banken Karen Bøgh", "Kære Mette", "Besvaret", "Svar banken")
	if n, _ := b.app.Inbox.Unread(ctx, mette.customerID); n != 0 {
		t.Errorf("%d unread after reading the thread", n)
	}
	if strings.Contains(p.Body, `id="nav-unread"`) {
		t.Error("the menu still counts the read message")
	}

	// The customer answers; the thread waits for the bank again.
	b.clock.Advance(time.Minute)
	want(t, c.post("/netbank/beskeder/"+thread, url.Values{"body": {" "}}), http.StatusUnprocessableEntity, "Skriv en besked.")
	p = c.post("/netbank/beskeder/"+thread, url.Values{"body": {"Tak!"}})
	wantRedirect(t, p, "/netbank/beskeder/"+thread+"?sendt=svar")
	want(t, c.follow(p), http.StatusOK, "Dit svar er sendt til banken.", "Afventer svar", "Tak!")
	if th := b.threads(mette.customerID)[0]; len(th.Messages) != 3 || th.Answered {
		t.Errorf("after the reply: %d messages, answered %v", len(th.Messages), th.Answered)
	}

	// Another customer sees nothing of it: not in the list, 404 on the
	// thread, and an answer to it is not stored.
	jens := b.loggedInPrivate("Jens Holm", "010190-4321")
	if p := jens.c.get("/netbank/beskeder"); strings.Contains(p.Text(), "Mit kort") {
		t.Error("another customer lists the thread")
	}
	want(t, jens.c.get("/netbank/beskeder/"+thread), http.StatusNotFound)
	jens.c.post("/netbank/beskeder/"+thread, url.Values{"body": {"Hej fra Jens"}})
	if th := b.threads(mette.customerID)[0]; len(th.Messages) != 3 {
		t.Errorf("another customer's answer was stored: %d messages", len(th.Messages))
	}
	if ts := b.threads(jens.customerID); len(ts) != 0 {
		t.Errorf("the answer to another customer's thread started a thread: %+v", ts)
	}
	want(t, jens.c.get("/netbank/beskeder/msg_findes_ikke"), http.StatusNotFound)

	// English on request.
	c.get("/netbank/beskeder?lang=en")
	want(t, c.get("/netbank/beskeder"), http.StatusOK, "Messages", "Your conversations", "Awaiting answer", "The bank never asks you for codes")
}

// RULE MSG-2: the bank's system messages (card blocks with reason and
// time, changed prices) are marked as such and cannot be answered; the
// page offers a new message instead.
func TestNetbankSystemMessage(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	m, err := b.app.Inbox.Notify(context.Background(), mette.customerID, "Dit Visa Debit-kort er spærret",
		"Vi har spærret dit kort 21.11.2026 kl. 14.05.\nÅrsag: mistanke om misbrug.")
	if err != nil {
		t.Fatal(err)
	}
	c := mette.c
	want(t, c.get("/netbank/beskeder"), http.StatusOK, "Dit Visa Debit-kort er spærret", "Besked fra banken", "Ny")
	p := c.get("/netbank/beskeder/" + m.ThreadID)
	want(t, p, http.StatusOK, "Besked fra banken", "Årsag: mistanke om misbrug.", "Du kan ikke svare på denne besked", "Skriv ny besked")
	if strings.Contains(p.Body, `id="reply-form"`) {
		t.Error("a system message has a reply form")
	}
	newURL := attr(t, p.Body, `href="([^"]+)" id="write-new"`)
	if newURL != "/netbank/beskeder/ny?emne="+url.QueryEscape("Vedr.: Dit Visa Debit-kort er spærret") {
		t.Errorf("write-new link %q", newURL)
	}
	if q := c.get(newURL); !strings.Contains(q.Body, `value="Vedr.: Dit Visa Debit-kort er spærret"`) {
		t.Error("the new message does not carry the subject")
	}
	// A reply posted anyway is refused and not stored.
	want(t, c.post("/netbank/beskeder/"+m.ThreadID, url.Values{"body": {"Hvorfor?"}}), http.StatusUnprocessableEntity,
		"Du kan ikke svare på en systembesked. Skriv en ny besked til banken.")
	if th := b.threads(mette.customerID)[0]; len(th.Messages) != 1 {
		t.Errorf("a reply to a system message was stored")
	}
}

// Untrusted text is drawn escaped, never as HTML, in the list, the thread
// and the contract pages; there is no inline script or style.
func TestNetbankInboxXSS(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	c := mette.c
	p := c.post("/netbank/beskeder/ny", url.Values{"subject": {`<b onmouseover="alert(2)">Emne</b>`}, "body": {"<script>alert(1)</script>\nLinje 2"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", p.StatusCode)
	}
	thread := strings.TrimSuffix(strings.TrimPrefix(p.Header.Get("Location"), "/netbank/beskeder/"), "?sendt=ny")
	ct := b.publish(mette.customerID, "<i>Aftale</i>", "</div><script>alert(4)</script>", inbox.Distance)
	for _, path := range []string{"/netbank/beskeder", "/netbank/beskeder/" + thread, "/netbank/kontrakter", "/netbank/kontrakter/" + ct.ID} {
		p := c.get(path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.StatusCode)
		}
		for _, raw := range []string{"<script>alert", "<b onmouseover", "<i>Aftale", "</div><script>", " style=", " onclick="} {
			if strings.Contains(p.Body, raw) {
				t.Errorf("%s: %q drawn as HTML", path, raw)
			}
		}
		if regexp.MustCompile(`<script>|<script [^s]|<style`).MatchString(p.Body) {
			t.Errorf("%s: inline script or style", path)
		}
	}
	p = c.get("/netbank/beskeder/" + thread)
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;\nLinje 2", "&lt;b onmouseover=&#34;alert(2)&#34;&gt;Emne&lt;/b&gt;"} {
		if !strings.Contains(p.Body, escaped) {
			t.Errorf("the thread lacks %q", escaped)
		}
	}
	// The signing page shows the contract escaped too.
	sp := mette.approve(t, ct.ID)
	if strings.Contains(sp.page.Body, "<script>alert(4)") || !strings.Contains(sp.document, "</div><script>alert(4)</script>") {
		t.Errorf("signing page: document %q", sp.document)
	}
}

// RULE CONTR-1: while a contract awaits approval, every page of the net
// bank but the contract overview, the messages and the signing page sends
// the customer to Kontraktoversigt, which says why; "Spærring af bruger"
// and "Log af" stay reachable. RULE SIGN-2: the customer approves by
// signing the contract with the signature file; the bank keeps the signed
// document and the approval names it; then the net bank opens. RULE
// SIGN-1: a checksum over anything but the shown document is refused. A
// replay of the same signature is refused.
func TestContractGateAndPrivateApproval(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			b := newTestBank(t, engine == "postgres")
			ctx := context.Background()
			mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
			c := mette.c
			want(t, c.get("/netbank"), http.StatusOK, "Velkommen, Mette Kjær Nielsen")

			// Sent from the back office; the body as a browser's textarea sends it.
			ct := b.publish(mette.customerID, "Aftale om Visa Debit", "§ 1 Aftalen\r\nAftalen gælder dit Visa Debit-kort.\r\n\r\n§ 2 Priser\r\nSe prislisten.", inbox.Distance)

			for _, path := range []string{"/netbank", "/netbank/underskriftskode"} {
				wantRedirect(t, c.get(path), "/netbank/kontrakter")
			}
			wantRedirect(t, c.post("/netbank/underskriftskode", url.Values{}), "/netbank/kontrakter")
			for _, path := range []string{"/netbank/kontrakter", "/netbank/kontrakter/" + ct.ID, "/netbank/beskeder", "/netbank/beskeder/ny", "/netbank/spaerring"} {
				if p := c.get(path); p.StatusCode != http.StatusOK {
					t.Errorf("GET %s while pending: %d", path, p.StatusCode)
				}
			}
			if p := c.get("/netbank/session/status"); !strings.Contains(p.Body, `"active":true`) {
				t.Errorf("session status while pending: %s", p.Body)
			}

			p := c.get("/netbank/kontrakter")
			want(t, p, http.StatusOK, "Kontraktoversigt", "Du skal godkende kontrakt",
				"De øvrige menuer i netbanken åbner, når du har godkendt alle dine kontrakter.",
				"Aftale om Visa Debit", "Fjernsalgsaftale", "Sendt 21.11.2026", "Afventer godkendelse", "Læs og godkend")
			// The messages page explains the gate too.
			want(t, c.get("/netbank/beskeder"), http.StatusOK, "Du skal godkende kontrakt")

			p = c.get("/netbank/kontrakter/" + ct.ID)
			want(t, p, http.StatusOK, "Aftale om Visa Debit", "Aftalen gælder dit Visa Debit-kort.", "Godkend kontrakt",
				"Regnes fra den dag, du godkender", "underskriftskode og underskriftsfil")

			// The signing page: the document as the bank will keep it.
			sp := mette.approve(t, ct.ID)
			wantText(t, sp.page, "Godkend kontrakt", "Det underskriver du", "Underskriftsfil", "Underskriftskode", "Underskriv og godkend",
				"Underskriv senest kl. 14.15")
			wantDoc := "Godkendelse af kontrakt\nKontrakt: " + ct.ID + "\nTitel: Aftale om Visa Debit\n\n§ 1 Aftalen\nAftalen gælder dit Visa Debit-kort.\n\n§ 2 Priser\nSe prislisten."
			if !strings.HasPrefix(sp.document, "Netbank dokument "+sp.id+"\nType: Godkendelse af kontrakt\nUnderskriver: Mette Kjær Nielsen ("+mette.num+")\n") ||
				!strings.HasSuffix(sp.document, "\n\n"+wantDoc) {
				t.Fatalf("document on the signing page:\n%s", sp.document)
			}
			if got := attr(t, sp.page.Body, `id="sign-checksum">([0-9a-f]{64})<`); got != auth.Checksum([]byte(sp.document)) {
				t.Errorf("shown checksum %s is not the document's", got)
			}
			if strings.Contains(sp.page.Body, `name="code"`) || strings.Contains(sp.page.Body, `name="password"`) {
				t.Error("the private signing form would send the code")
			}

			// RULE SIGN-1: a checksum over anything else is refused; nothing approved.
			p = mette.signWith(sp, mette.key, auth.Checksum([]byte(sp.document+" ")))
			want(t, p, http.StatusBadRequest, "Dokumentet er ændret undervejs og kan ikke underskrives.", "Underskriv og godkend")
			if got := b.contract(mette.customerID, ct.ID); got.Status != inbox.Pending {
				t.Fatalf("approved after a wrong checksum: %+v", got)
			}
			// A sealed request changed in the browser is refused.
			tampered := strings.Replace(sp.sealed, sp.sealed[:4], "AAAA", 1)
			if p := c.post("/netbank/underskriv/"+sp.id, url.Values{"request": {tampered}, "checksum": {auth.Checksum([]byte(sp.document))}}); p.StatusCode != http.StatusBadRequest {
				t.Errorf("tampered sealed request: %d", p.StatusCode)
			}

			// Signed with the file: approved, kept, and the net bank opens.
			p = mette.signWith(sp, mette.key, auth.Checksum([]byte(sp.document)))
			wantRedirect(t, p, "/netbank/kontrakter?besked=godkendt")
			got := b.contract(mette.customerID, ct.ID)
			if got.Status != inbox.Approved || got.SignedDocument != sp.id || got.ApprovedBy != mette.userID {
				t.Fatalf("contract after signing: %+v", got)
			}
			doc, err := b.app.Identity.SignedDocument(ctx, sp.id)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Document != sp.document || doc.Kind != "contract" || doc.Method != identity.MethodSignatureFile || doc.UserID != mette.userID {
				t.Errorf("signed document %+v", doc)
			}
			if err := identity.VerifySignedDocument(doc); err != nil {
				t.Errorf("the kept proof does not verify: %v", err)
			}
			p = c.follow(p)
			want(t, p, http.StatusOK, "Kontrakten er godkendt og gemt med din underskrift.", "Nu kan du bruge hele netbanken igen.",
				"Gå til oversigten", "Godkendte aftaler", "Godkendt 21.11.2026",
				// 21.11.2026 + 14 days = Saturday 05.12 → Monday 07.12 (CONTR-2).
				"Du kan fortryde til og med 07.12.2026", "Fortryd aftalen")
			if strings.Contains(p.Text(), "De øvrige menuer") {
				t.Error("the gate's banner is still shown")
			}
			want(t, c.get("/netbank"), http.StatusOK, "Velkommen, Mette Kjær Nielsen")
			want(t, c.get("/netbank/underskriftskode"), http.StatusOK)

			// A replay of the same POST is refused; still one approval.
			p = mette.signWith(sp, mette.key, auth.Checksum([]byte(sp.document)))
			want(t, p, http.StatusConflict, "Dokumentet er allerede underskrevet.")
			if strings.Contains(p.Body, `id="sign-form"`) {
				t.Error("the replayed request still offers the form")
			}
			es, err := b.app.DB.Audit().List(ctx, audit.Filter{Action: "contract.approved", Subject: mette.customerID})
			if err != nil || len(es) != 1 || es[0].Details["document"] != sp.id {
				t.Errorf("audit of the approval: %+v, %v", es, err)
			}
			// A GET of the signing address goes back to the net bank.
			wantRedirect(t, c.get("/netbank/underskriv/"+sp.id), "/netbank")
		})
	}
}

// RULE AUTH-5: wrong signatures on the signing page count toward the
// block; the page says how many attempts are left, and the third ends the
// session with the reason on the login page.
func TestSigningWrongKeyBlocks(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	ct := b.publish(mette.customerID, "Aftale om netbank", "§ 1", inbox.Distance)
	_, wrong, _ := ed25519.GenerateKey(rand.Reader)
	sp := mette.approve(t, ct.ID)
	sum := auth.Checksum([]byte(sp.document))
	p := mette.signWith(sp, wrong, sum)
	want(t, p, http.StatusUnauthorized, "Forkert underskriftskode, eller underskriftsfilen passer ikke til dit brugernummer. Du har 2 forsøg tilbage.",
		"Underskriv og godkend")
	// The same request again, still refused.
	want(t, mette.signWith(readSignPage(t, p), wrong, sum), http.StatusUnauthorized, "Du har 1 forsøg tilbage.")
	p = mette.signWith(sp, wrong, sum)
	wantRedirect(t, p, "/login?reason=locked")
	want(t, mette.c.follow(p), http.StatusOK, "Din digitale signatur er spærret efter for mange forkerte forsøg")
	if p := mette.c.get("/netbank/kontrakter"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
		t.Errorf("after the block the session goes on: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	if got := b.contract(mette.customerID, ct.ID); got.Status != inbox.Pending {
		t.Errorf("contract after a block: %s", got.Status)
	}
}

// RULE BIZ-3: a business user approves with the password again and the
// key-card code for the key number the page shows. sign.js sends the
// browser's checksum (RULE SIGN-1: a different one is refused); without
// JavaScript the bank uses its own. A wrong password counts as a failed
// attempt. A user whose profile may not approve cannot (BIZ-5).
func TestContractApprovalBusiness(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermApprove)
	u, err := b.app.Identity.UserByLogin(ctx, "jens.hansen")
	if err != nil {
		t.Fatal(err)
	}
	c := b.client()
	p, _, _ := c.businessLogin("jens.hansen", password, card)
	wantRedirect(t, p, "/netbank")
	x := nbCustomer{c: c, customerID: u.CustomerID, userID: u.ID}

	ct := b.publish(u.CustomerID, "Erhvervskonto – vilkår", "§ 1 Kontoen\n§ 2 Priser", inbox.Credit)
	wantRedirect(t, c.get("/netbank"), "/netbank/kontrakter")
	want(t, c.get("/netbank/kontrakter/"+ct.ID), http.StatusOK, "adgangskode og en kode fra dit nøglekort", "Godkend kontrakt")

	sp := x.approve(t, ct.ID)
	if sp.keyNumber == "" {
		t.Fatal("the signing page shows no key number")
	}
	wantText(t, sp.page, "Adgangskode", "Kode til nøglenummer "+sp.keyNumber, "Underskriv og godkend")
	if strings.Contains(sp.page.Body, `id="js-required"`) {
		t.Error("business signing asks for JavaScript")
	}
	sum := auth.Checksum([]byte(sp.document))
	post := func(sp signPage, form url.Values) httpPage {
		form.Set("request", sp.sealed)
		return c.post("/netbank/underskriv/"+sp.id, form)
	}

	// A wrong password counts (AUTH-5), a tampered checksum is refused.
	want(t, post(sp, url.Values{"password": {"forkert"}, "code": {card.Codes[sp.keyNumber]}, "checksum": {sum}}),
		http.StatusUnauthorized, "Forkert bruger-id eller adgangskode. Du har 2 forsøg tilbage.", "Kode til nøglenummer "+sp.keyNumber)
	want(t, post(sp, url.Values{"password": {password}, "code": {card.Codes[sp.keyNumber]}, "checksum": {auth.Checksum([]byte("noget andet"))}}),
		http.StatusBadRequest, "Dokumentet er ændret undervejs")
	if got := b.contract(u.CustomerID, ct.ID); got.Status != inbox.Pending {
		t.Fatalf("approved after refusals: %s", got.Status)
	}

	// Password + the code, with the browser's checksum.
	p = post(sp, url.Values{"password": {password}, "code": {card.Codes[sp.keyNumber][:3] + " " + card.Codes[sp.keyNumber][3:]}, "checksum": {sum}})
	wantRedirect(t, p, "/netbank/kontrakter?besked=godkendt")
	got := b.contract(u.CustomerID, ct.ID)
	doc, err := b.app.Identity.SignedDocument(ctx, sp.id)
	if err != nil || got.Status != inbox.Approved || got.SignedDocument != sp.id || doc.Method != identity.MethodKeyCard ||
		!strings.HasPrefix(doc.Signature, "keycard:") || !strings.HasSuffix(doc.Signature, ":"+sp.keyNumber) || doc.Document != sp.document {
		t.Fatalf("after signing: %+v, %+v, %v", got, doc, err)
	}
	// Credit agreement: 21.11 + 14 days = Saturday 05.12, never moved (CONTR-2).
	want(t, c.follow(p), http.StatusOK, "Kontrakten er godkendt", "Du kan fortryde til og med 05.12.2026")
	want(t, c.get("/netbank"), http.StatusOK, "Velkommen, Jens Hansen")

	// Without JavaScript the checksum field is empty: the bank's own.
	ct2 := b.publish(u.CustomerID, "Netbank Erhverv – vilkår", "§ 1", inbox.Distance)
	sp2 := x.approve(t, ct2.ID)
	if sp2.keyNumber == sp.keyNumber {
		t.Errorf("the used key number %s is asked for again", sp.keyNumber)
	}
	wantRedirect(t, post(sp2, url.Values{"password": {password}, "code": {card.Codes[sp2.keyNumber]}}), "/netbank/kontrakter?besked=godkendt")
	if got := b.contract(u.CustomerID, ct2.ID); got.Status != inbox.Approved {
		t.Errorf("no-JavaScript approval: %s", got.Status)
	}

	// A colleague who may only see: reads, cannot approve (BIZ-5), and
	// stays on the contract overview.
	pw3, card3 := b.businessUser("pia.hansen", "Pia Hansen", identity.PermView)
	ct3 := b.publish(u.CustomerID, "Tillæg", "§ 1", inbox.Distance)
	pia := b.client()
	p, _, _ = pia.businessLogin("pia.hansen", pw3, card3)
	wantRedirect(t, pia.follow(p), "/netbank/kontrakter")
	want(t, pia.get("/netbank/kontrakter"), http.StatusOK, "Din brugerprofil giver ikke ret til at godkende aftaler", "Læs kontrakten")
	p = pia.get("/netbank/kontrakter/" + ct3.ID)
	if strings.Contains(p.Body, `id="approve-form"`) {
		t.Error("a see-only user gets the approve form")
	}
	want(t, pia.post("/netbank/kontrakter/"+ct3.ID+"/godkend", nil), http.StatusForbidden)
}

// BIZ-4: a key-app user confirms with the password and the app's code.
func TestContractApprovalKeyApp(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	password, _ := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermApprove)
	u, _ := b.app.Identity.UserByLogin(ctx, "jens.hansen")
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
	b.clock.Advance(30 * time.Second)
	c := b.client()
	p := c.post("/login/business", url.Values{"user_id": {"jens.hansen"}, "password": {password}})
	form := url.Values{"user_id": {"jens.hansen"}, "code": {auth.TOTPCode(secret, b.clock.Now())}, "codes_left": {"0"},
		"challenge_id": {attr(t, p.Body, `name="challenge_id" value="([^"]+)"`)}}
	wantRedirect(t, c.post("/login/business/code", form), "/netbank")

	ct := b.publish(u.CustomerID, "Aftale", "§ 1", inbox.Distance)
	x := nbCustomer{c: c, customerID: u.CustomerID}
	sp := x.approve(t, ct.ID)
	wantText(t, sp.page, "Kode fra nøgleappen")
	if sp.keyNumber != "" {
		t.Error("the key-app page shows a key number")
	}
	b.clock.Advance(30 * time.Second)
	p = c.post("/netbank/underskriv/"+sp.id, url.Values{"request": {sp.sealed}, "password": {password},
		"code": {auth.TOTPCode(secret, b.clock.Now())}, "checksum": {auth.Checksum([]byte(sp.document))}})
	wantRedirect(t, p, "/netbank/kontrakter?besked=godkendt")
	if doc, err := b.app.Identity.SignedDocument(ctx, sp.id); err != nil || doc.Method != identity.MethodKeyApp {
		t.Errorf("signed %+v, %v", doc, err)
	}
}

// RULE CONTR-2: an approved contract can be withdrawn, after a
// confirmation, up to and including the deadline day, not after. RULE
// CONTR-3: prices that follow the capital market have no right of
// withdrawal: no button, and a POST is refused.
func TestContractWithdrawal(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	c := mette.c
	approve := func(ct inbox.Contract) {
		t.Helper()
		if _, err := b.app.Inbox.Approve(ctx, mette.customerID, ct.ID, "doc_"+ct.ID, inbox.Actor{ID: mette.userID, Kind: audit.ActorCustomer}); err != nil {
			t.Fatal(err)
		}
	}
	card := b.publish(mette.customerID, "Aftale om Visa Debit", "§ 1", inbox.Distance)
	bonds := b.publish(mette.customerID, "Køb af obligationer", "Kurs efter markedet.", inbox.CapitalMarket)
	late := b.publish(mette.customerID, "Aftale om opsparing", "§ 1", inbox.Distance)
	for _, ct := range []inbox.Contract{card, bonds, late} {
		approve(ct)
	}

	p := c.get("/netbank/kontrakter")
	want(t, p, http.StatusOK, "Godkendte aftaler", "Du kan fortryde til og med 07.12.2026", "Ingen fortrydelsesret Prisen følger kapitalmarkedet.")
	if !strings.Contains(p.Body, `id="withdraw-`+card.ID+`"`) || strings.Contains(p.Body, `id="withdraw-`+bonds.ID+`"`) {
		t.Error("withdraw buttons: want one for the card agreement and none for the bonds (CONTR-3)")
	}

	// Confirmation first.
	p = c.get("/netbank/kontrakter/" + card.ID + "/fortryd")
	want(t, p, http.StatusOK, "Fortryd aftalen", "Du har fortrydelsesret til og med 07.12.2026", "Ja, jeg vil fortryde aftalen »Aftale om Visa Debit«",
		"Nej, behold aftalen")
	want(t, c.post("/netbank/kontrakter/"+card.ID+"/fortryd", nil), http.StatusBadRequest, "Sæt flueben for at bekræfte")
	if got := b.contract(mette.customerID, card.ID); got.Status != inbox.Approved {
		t.Fatalf("withdrawn without confirmation: %s", got.Status)
	}
	p = c.post("/netbank/kontrakter/"+card.ID+"/fortryd", url.Values{"confirm": {"yes"}})
	wantRedirect(t, p, "/netbank/kontrakter?besked=fortrudt")
	if got := b.contract(mette.customerID, card.ID); got.Status != inbox.Withdrawn {
		t.Fatalf("after withdrawal: %s", got.Status)
	}
	want(t, c.follow(p), http.StatusOK, "Du har fortrudt aftalen.", "Fortrudte aftaler", "Aftale om Visa Debit", "Fortrudt 21.11.2026")

	// CONTR-3: no right of withdrawal, also not by a POST.
	want(t, c.get("/netbank/kontrakter/"+bonds.ID+"/fortryd"), http.StatusOK, "Ingen fortrydelsesret")
	want(t, c.post("/netbank/kontrakter/"+bonds.ID+"/fortryd", url.Values{"confirm": {"yes"}}), http.StatusForbidden,
		"Aftalen kan ikke fortrydes", "Der er ingen fortrydelsesret på denne aftale, fordi prisen følger kapitalmarkedet.")
	if got := b.contract(mette.customerID, bonds.ID); got.Status != inbox.Approved {
		t.Errorf("capital-market contract withdrawn: %s", got.Status)
	}

	// The deadline day still counts (Danish time), the day after does not.
	b.clock.Set(time.Date(2026, 12, 7, 22, 30, 0, 0, time.UTC)) // 07.12.2026 23.30 in Copenhagen
	c.login(mette.num, mette.key)
	p = c.get("/netbank/kontrakter")
	want(t, p, http.StatusOK, "Du kan fortryde til og med 07.12.2026")
	b.clock.Advance(time.Hour) // 08.12.2026 00.30
	c.login(mette.num, mette.key)
	p = c.get("/netbank/kontrakter")
	want(t, p, http.StatusOK, "Fristen for at fortryde udløb 07.12.2026")
	if strings.Contains(p.Body, `id="withdraw-`+late.ID+`"`) {
		t.Error("a withdraw button after the deadline")
	}
	want(t, c.post("/netbank/kontrakter/"+late.ID+"/fortryd", url.Values{"confirm": {"yes"}}), http.StatusForbidden,
		"Fristen for at fortryde udløb 07.12.2026.")
	if got := b.contract(mette.customerID, late.ID); got.Status != inbox.Approved {
		t.Errorf("withdrawn after the deadline: %s", got.Status)
	}

	// Another customer's contract is not found.
	jens := b.loggedInPrivate("Jens Holm", "010190-4321")
	want(t, jens.c.get("/netbank/kontrakter/"+late.ID), http.StatusNotFound)
	want(t, jens.c.post("/netbank/kontrakter/"+late.ID+"/fortryd", url.Values{"confirm": {"yes"}}), http.StatusNotFound)
	want(t, jens.c.post("/netbank/kontrakter/"+late.ID+"/godkend", nil), http.StatusNotFound)
}

// Every POST of messages, contracts and signing needs the CSRF token:
// without it the answer is 403 and nothing changes.
func TestNetbankInboxCSRF(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Kjær Nielsen", "150385-1234")
	c := mette.c
	m, err := b.app.Inbox.Write(context.Background(), mette.customerID, "", "Spørgsmål", "Hej", inbox.Actor{ID: mette.userID, Kind: audit.ActorCustomer})
	if err != nil {
		t.Fatal(err)
	}
	pending := b.publish(mette.customerID, "Aftale", "§ 1", inbox.Distance)
	sp := mette.approve(t, pending.ID)
	form := url.Values{"subject": {"Emne"}, "body": {"Tekst"}, "confirm": {"yes"}, "request": {sp.sealed},
		"checksum": {auth.Checksum([]byte(sp.document))}, "signature": {b64(ed25519.Sign(mette.key, auth.DocumentMessage([]byte(sp.document))))}}
	for _, path := range []string{"/netbank/beskeder/ny", "/netbank/beskeder/" + m.ThreadID, "/netbank/kontrakter/" + pending.ID + "/godkend",
		"/netbank/kontrakter/" + pending.ID + "/fortryd", "/netbank/underskriv/" + sp.id} {
		for _, token := range []string{"", "forkert"} {
			f := cloneValues(form)
			if token != "" {
				f.Set("csrf_token", token)
			}
			if p := c.postRaw(path, f, nil); p.StatusCode != http.StatusForbidden || !strings.Contains(p.Text(), "Sikkerhedstjekket fejlede") {
				t.Errorf("POST %s with token %q: %d", path, token, p.StatusCode)
			}
		}
	}
	if ts := b.threads(mette.customerID); len(ts) != 1 || len(ts[0].Messages) != 1 {
		t.Errorf("requests without a token stored messages")
	}
	if got := b.contract(mette.customerID, pending.ID); got.Status != inbox.Pending {
		t.Errorf("a request without a token approved the contract")
	}
	// With the token, the same signature goes through.
	wantRedirect(t, c.post("/netbank/underskriv/"+sp.id, form), "/netbank/kontrakter?besked=godkendt")
}

// The texts the pages pick by value exist in both languages, and the
// statuses say in Danish what the inbox says.
func TestNetbankInboxTexts(t *testing.T) {
	for _, k := range []inbox.ContractKind{inbox.Distance, inbox.Credit, inbox.Pension, inbox.CapitalMarket} {
		if key := "nb.contract.kind." + string(k); web.T(web.Danish, key) == key || web.T(web.English, key) == key {
			t.Errorf("no text for %s", key)
		}
	}
	for _, st := range []inbox.ContractStatus{inbox.Pending, inbox.Approved, inbox.Withdrawn} {
		key := "nb.contract.status." + string(st)
		if web.T(web.English, key) == key || !strings.EqualFold(web.T(web.Danish, key), inbox.DanishStatus(st)) {
			t.Errorf("%s: %q, inbox says %q", key, web.T(web.Danish, key), inbox.DanishStatus(st))
		}
	}
	for _, key := range []string{"nb.msg.state.answered", "nb.msg.state.waiting", "nb.msg.state.system", "nb.msg.from.you", "nb.msg.from.bank",
		"nb.msg.from.system", "nb.msg.flash.sent", "nb.msg.flash.replied", "nb.msg.err.general", "nb.msg.err.subject.missing",
		"nb.msg.err.subject.long", "nb.msg.err.body.missing", "nb.msg.err.body.long", "nb.contract.flash.approved", "nb.contract.flash.withdrawn",
		"nb.contract.withdraw.confirm.missing", "nb.contract.withdraw.refused", "nb.sign.contract.title", "nb.sign.contract.lead",
		"nb.sign.contract.submit", "nb.sign.title", "nb.sign.lead", "nb.sign.submit"} {
		if web.T(web.Danish, key) == key || web.T(web.English, key) == key {
			t.Errorf("no text for %s", key)
		}
	}
}
