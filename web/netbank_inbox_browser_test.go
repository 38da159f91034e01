package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// Messages, contracts and the signing page in a real, headless Chromium
// under the bank's CSP, with the real signature file (usf.js, sign.js,
// WebCrypto, IndexedDB). Screenshots: artifacts/screenshots/inbox-*.png.

// TestContractsAndMessagesInBrowser: a private customer logs in for the
// first time through the real pages and finds a contract to approve: the
// net bank keeps them on Kontraktoversigt (RULE CONTR-1). They read it and
// approve it by signing with the signature code and the file the browser
// keeps (RULE SIGN-2, AUTH-4; sign.js computes the checksum over the shown
// text, SIGN-1); then the net bank opens. They write to the bank, read the
// answer and a system message (MSG-1, MSG-2), and look at the withdrawal
// (CONTR-2). The same pages on a phone do not scroll sideways.
func TestContractsAndMessagesInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	staff := inbox.Actor{ID: "stf_lone", Kind: audit.ActorStaff, Name: "Lone Dahl"}
	// As the back office's textarea sends it: CR LF line ends, quotes, signs.
	body := "§ 1 Aftalen\r\nAftalen gælder dit Visa Debit-kort og din lønkonto.\r\n\r\n§ 2 Priser\r\n" +
		"Årsgebyr: 150,00 kr. Hævning i udlandet: 1 % af beløbet, mindst 25,00 kr.\r\n\r\n" +
		"§ 3 Spærring\r\nDu kan altid spærre kortet på 70 10 10 10 – døgnet rundt. \"Misbrug\" og <andet> anmeldes straks."
	ct, err := bank.app.Inbox.Publish(ctx, u.CustomerID, "Aftale om Visa Debit og lønkonto", body, inbox.Distance, staff)
	if err != nil {
		t.Fatal(err)
	}
	const code = "Sommer2026hus"

	b := browser.New(t)
	x := tab{t, b.Context()}

	// First login through the real pages (AUTH-2, AUTH-3): the file is kept.
	x.open(bank.url + "/login")
	x.fill("#user-number", num)
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

	// RULE CONTR-1: the net bank opens on Kontraktoversigt.
	x.wait("#pending")
	if loc := x.location(); loc != "/netbank/kontrakter" {
		t.Errorf("after the login: %s", loc)
	}
	x.wantBody("Kontraktoversigt", "Du skal godkende kontrakt", "De øvrige menuer i netbanken åbner, når du har godkendt alle dine kontrakter.",
		"Aftale om Visa Debit og lønkonto", "Fjernsalgsaftale", "Læs og godkend")
	x.shot("inbox-01-contracts-pending")
	// The menu's other items lead back here.
	x.click(`.nb-nav a[href="/netbank"]`)
	x.wait("#pending")
	if loc := x.location(); loc != "/netbank/kontrakter" {
		t.Errorf("Oversigt while a contract is pending: %s", loc)
	}

	// Read it.
	x.click("#read-" + ct.ID)
	x.wait("#approve")
	x.wantBody("Aftale om Visa Debit og lønkonto", "§ 3 Spærring", `"Misbrug" og <andet> anmeldes straks.`, "Regnes fra den dag, du godkender")
	if ws := evalIn[string](x, `getComputedStyle(document.getElementById("contract-text")).whiteSpace`); ws != "pre-wrap" {
		t.Errorf("contract text white-space %q", ws)
	}
	x.shot("inbox-02-contract")

	// Approve: the signing page shows the document and signs it in the browser.
	x.click("#approve")
	x.wait("#sign-form")
	x.wait("#usf-stored") // the file kept at the first login
	doc := evalIn[string](x, `document.getElementById("sign-document").textContent`)
	if !strings.Contains(doc, "Kontrakt: "+ct.ID+"\n") || !strings.Contains(doc, "\n\n§ 3 Spærring\nDu kan altid spærre kortet") || strings.Contains(doc, "\r") {
		t.Errorf("document shown:\n%q", doc)
	}
	if sum := evalIn[string](x, `NetbankUSF.checksum(document.getElementById("sign-document").textContent)`); sum != x.text("#sign-checksum") {
		t.Errorf("the browser's checksum %s is not the bank's %s", sum, x.text("#sign-checksum"))
	}
	x.wantBody("Godkend kontrakt", "Det underskriver du", "Underskriv senest kl.", "Din underskriftsfil ("+num[4:]+".usf) er gemt på denne computer.")
	x.fill("#code", code)
	x.shot("inbox-03-sign")
	x.click("#sign-submit")
	x.wait("#flash")
	x.wantBody("Kontrakten er godkendt og gemt med din underskrift.", "Nu kan du bruge hele netbanken igen.", "Godkendte aftaler",
		"Du kan fortryde til og med")
	if strings.Contains(x.body(), "De øvrige menuer") {
		t.Error("the gate's banner is still shown after the approval")
	}
	x.shot("inbox-04-approved")
	got, err := bank.app.Inbox.Contract(ctx, u.CustomerID, ct.ID)
	if err != nil || got.Status != inbox.Approved || got.SignedDocument == "" {
		t.Fatalf("contract after signing in the browser: %+v, %v", got, err)
	}
	signed, err := bank.app.Identity.SignedDocument(ctx, got.SignedDocument)
	if err != nil || signed.Document != doc || identity.VerifySignedDocument(signed) != nil {
		t.Errorf("signed document: %v; same as shown: %v", err, signed.Document == doc)
	}

	// The net bank is open.
	x.click("#to-overview")
	x.wait("#welcome")
	x.wantBody("Velkommen, Mette Kjær Nielsen", "Beskeder", "Kontrakter")
	x.shot("inbox-05-overview")

	// Write to the bank (MSG-1).
	x.click("#nav-messages")
	x.wait("#new-message")
	x.wantBody("Du har ingen beskeder.", "Banken beder dig aldrig om koder i en besked")
	x.click("#new-message")
	x.wait("#message-form")
	x.click("#message-submit")
	x.wait("#message-errors")
	x.wantBody("Beskeden blev ikke sendt", "Skriv et emne.", "Skriv en besked.")
	x.fill("#subject", "Hvornår kommer mit nye kort?")
	x.run("type the message", 20*time.Second, chromedp.SetValue(chromedp.CSS("#body"), "Hej\n\nJeg har bestilt et nyt Visa Debit-kort. Hvornår kommer det?\n\nVenlig hilsen\nMette"))
	x.shot("inbox-06-new-message")
	x.click("#message-submit")
	x.wait("#flash")
	x.wantBody("Din besked er sendt til banken.", "Afventer svar", "Hvornår kommer det?")
	if ws := evalIn[string](x, `getComputedStyle(document.querySelector(".nbi-msg-body")).whiteSpace`); ws != "pre-wrap" {
		t.Errorf("message white-space %q", ws)
	}
	x.shot("inbox-07-message-sent")
	threads, err := bank.app.Inbox.Threads(ctx, u.CustomerID)
	if err != nil || len(threads) != 1 {
		t.Fatalf("threads %+v, %v", threads, err)
	}

	// The bank answers, and sends a system message (MSG-2).
	if _, err := bank.app.Inbox.Answer(ctx, u.CustomerID, threads[0].ID, "Kære Mette\n\nKortet blev sendt i går og er hos dig inden for 3 bankdage.\n\nMed venlig hilsen\nLone Dahl", staff); err != nil {
		t.Fatal(err)
	}
	sys, err := bank.app.Inbox.Notify(ctx, u.CustomerID, "Nye priser fra 1. februar 2027",
		"Kære kunde\n\nVi ændrer prislisten fra 1. februar 2027. Ændringerne er til din fordel.\n\nMed venlig hilsen\nNetbank")
	if err != nil {
		t.Fatal(err)
	}
	x.click("#back-to-messages")
	x.wait("#threads")
	if got := x.text("#nav-unread"); !strings.HasPrefix(got, "2") {
		t.Errorf("unread in the menu %q", got)
	}
	x.wantBody("Dine samtaler 2 ulæste", "Nye priser fra 1. februar 2027", "Besked fra banken", "Besvaret")
	x.shot("inbox-08-messages")
	x.click(`#threads a[href="/netbank/beskeder/` + threads[0].ID + `"]`)
	x.wait("#reply-form")
	x.wantBody("Banken Lone Dahl", "Kortet blev sendt i går")
	x.shot("inbox-09-thread")
	x.open(bank.url + "/netbank/beskeder/" + sys.ThreadID)
	x.wait("#system-note")
	x.wantBody("Du kan ikke svare på denne besked", "Vi ændrer prislisten")
	x.shot("inbox-10-system-message")

	// The withdrawal's confirmation (CONTR-2).
	x.open(bank.url + "/netbank/kontrakter/" + ct.ID + "/fortryd")
	x.wait("#withdraw-form")
	x.wantBody("Fortryd aftalen", "Du har fortrydelsesret til og med", "Nej, behold aftalen")
	x.shot("inbox-11-withdraw-confirm")

	// On a phone: a second contract to sign, and the messages.
	ct2, err := bank.app.Inbox.Publish(ctx, u.CustomerID, "Tillæg til netbankaftalen", "§ 1 Beskeder\nBanken skriver til dig i Beskeder i netbanken.", inbox.Distance, staff)
	if err != nil {
		t.Fatal(err)
	}
	phone := tab{t, b.NewTab(t)}
	phone.run("phone", 20*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	phone.open(bank.url + "/netbank")
	phone.wait("#pending")
	phone.shot("inbox-12-contracts-phone")
	phone.click("#read-" + ct2.ID)
	phone.wait("#approve")
	phone.click("#approve")
	phone.wait("#usf-stored")
	for _, pg := range []string{"sign", "messages"} {
		if pg == "messages" {
			phone.open(bank.url + "/netbank/beskeder")
			phone.wait("#threads")
		}
		if evalIn[bool](phone, `document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s scrolls sideways on a phone", pg)
		}
		phone.shot("inbox-13-" + pg + "-phone")
	}
	// Chromium logs the 422 of the refused empty message; nothing else.
	if v := b.CSPViolations(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	for _, m := range b.Problems() {
		if !strings.Contains(m.Text, "status of 422") {
			t.Errorf("browser problem: %v", m)
		}
	}
}

// TestBusinessSigningInBrowser: a business user approves with the password
// and the key-card code (RULE BIZ-3); sign.js adds the browser's checksum of
// the shown text (SIGN-1).
func TestBusinessSigningInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	c, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS",
		CVR: "25313763", City: "Viby J"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	_, password, card, err := bank.app.Identity.CreateBusinessUser(ctx, c.ID, "pia.hansen", "Pia Hansen",
		[]identity.Permission{identity.PermView, identity.PermApprove}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := bank.app.Inbox.Publish(ctx, c.ID, "Kassekredit 250.000 kr.", "§ 1 Kreditten\nRamme: 250.000,00 kr.\nRente: variabel, p.t. 7,25 % p.a.\n\n§ 2 Opsigelse\nBegge parter kan opsige med 1 måneds varsel.",
		inbox.Credit, inbox.Actor{ID: "stf_lone", Kind: audit.ActorStaff, Name: "Lone Dahl"})
	if err != nil {
		t.Fatal(err)
	}

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-id", "pia.hansen")
	x.fill("#password", password)
	x.click("#business-submit")
	x.wait("#keycode")
	x.fill("#keycode", card.Codes[x.text("#key-number")])
	x.click("#code-submit")
	x.wait("#pending")
	x.click("#read-" + ct.ID)
	x.wait("#approve")
	x.wantBody("Kreditaftale", "adgangskode og en kode fra dit nøglekort")
	x.click("#approve")
	x.wait("#keycode")
	key := x.text("#key-number")
	x.wantBody("Adgangskode", "Kode til nøglenummer "+key, "Underskriv og godkend")
	x.fill("#password", password)
	x.fill("#keycode", card.Codes[key])
	x.shot("inbox-20-business-sign")
	// Remember what the form sends as the checksum (sessionStorage outlives
	// the page load).
	evalIn[bool](x, `(() => { addEventListener("beforeunload", () => sessionStorage.setItem("sent-checksum", document.querySelector('#sign-form input[name="checksum"]').value)); return true })()`)
	x.click("#sign-submit")
	x.wait("#flash")
	got, err := bank.app.Inbox.Contract(ctx, c.ID, ct.ID)
	if err != nil || got.Status != inbox.Approved {
		t.Fatalf("contract: %+v, %v", got, err)
	}
	// A credit agreement's deadline never moves: 14 days after approval.
	deadline, _ := got.WithdrawalDeadline()
	x.wantBody("Kontrakten er godkendt", "Du kan fortryde til og med "+deadline.Format("02.01.2006"))
	x.shot("inbox-21-business-approved")
	signed, err := bank.app.Identity.SignedDocument(ctx, got.SignedDocument)
	if err != nil || signed.Method != identity.MethodKeyCard || identity.VerifySignedDocument(signed) != nil {
		t.Errorf("signed %+v, %v", signed, err)
	}
	// RULE SIGN-1: the checksum came from the browser, and it is the bank's.
	if sent := evalIn[string](x, `sessionStorage.getItem("sent-checksum") || ""`); sent != signed.Checksum {
		t.Errorf("the form sent checksum %q, the bank's is %q", sent, signed.Checksum)
	}
	requireNoUnexpectedProblems(t, b)
}
