package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/web"
)

// customer creates a private customer through the identity service.
func (b *boBank) customer(name, cpr string) identity.Customer {
	b.t.Helper()
	c, err := b.a.Identity.CreateCustomer(b.ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: name, CPR: cpr,
		Address: "Vestergade 12, 2. th.", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

// write is the customer writing to the bank from the net bank (a new
// thread when threadID is "").
func (b *boBank) write(c identity.Customer, threadID, subject, body string) inbox.Message {
	b.t.Helper()
	m, err := b.a.Inbox.Write(b.ctx, c.ID, threadID, subject, body, inbox.Actor{ID: "usr_" + c.ID, Kind: audit.ActorCustomer, Name: c.Name})
	if err != nil {
		b.t.Fatal(err)
	}
	return m
}

func (b *boBank) thread(c identity.Customer, id string) inbox.Thread {
	b.t.Helper()
	threads, err := b.a.Inbox.Threads(b.ctx, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, t := range threads {
		if t.ID == id {
			return t
		}
	}
	b.t.Fatalf("customer %s has no thread %s", c.ID, id)
	return inbox.Thread{}
}

func threadPath(c identity.Customer, threadID string) string {
	return "/backoffice/kunder/" + c.ID + "/beskeder/" + threadID
}

// RULE MSG-1: the customer's message reaches the bank inside the net bank
// (the staff's queue), and the bank's answer goes back the same way, with
// the staff member as its author; the answered thread leaves the queue.
func TestBackofficeMessageQueueAndAnswer(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	jens := b.customer("Jens Holm", "010190-4321")
	// Mette writes at 10.00, Jens at 11.15 (Copenhagen): Mette has waited longest.
	m1 := b.write(mette, "", "Mit kort er ikke kommet", "Hej\nJeg bestilte et nyt kort for to uger siden.\nHvor er det?")
	b.clock.Advance(75 * time.Minute)
	m2 := b.write(jens, "", "Adresseændring", "Jeg er flyttet.")
	karen := b.staff("kbo", "Karen Bøgh", identity.RoleSupport)
	c := b.client()
	c.login(karen)

	q := c.get("/backoffice/beskeder")
	q.want(t, http.StatusOK, "2 samtaler venter på svar.", "Mette Kjær Nielsen", "Mit kort er ikke kommet", "21.11.2026 10.00",
		"Jens Holm", "Adresseændring", "21.11.2026 11.15")
	if i, j := strings.Index(q.body, "Mit kort er ikke kommet"), strings.Index(q.body, "Adresseændring"); i > j {
		t.Errorf("the queue is not oldest first")
	}
	if !strings.Contains(q.body, `href="`+threadPath(mette, m1.ThreadID)+`"`) {
		t.Errorf("the queue does not link to the thread")
	}
	if !strings.Contains(q.body, `id="nav-messages" aria-current="page"`) {
		t.Errorf("the menu does not mark Beskeder")
	}

	// The card lists the customer's threads.
	c.get("/backoffice/kunder/"+mette.ID).want(t, http.StatusOK, "Beskeder", "Mit kort er ikke kommet", "Venter på svar", "Skriv til kunden")

	// Reading the thread marks the customer's messages read by the bank.
	p := c.get(threadPath(mette, m1.ThreadID))
	p.want(t, http.StatusOK, "Mit kort er ikke kommet", "Jeg bestilte et nyt kort for to uger siden.", "Venter på svar", "Svar kunden")
	if !strings.Contains(p.body, "Hej\nJeg bestilte et nyt kort for to uger siden.\nHvor er det?</div>") {
		t.Errorf("the line breaks of the message are not kept")
	}
	if got := b.thread(mette, m1.ThreadID).Messages[0].ReadAt; got.IsZero() {
		t.Errorf("the customer's message is not marked read after staff opened the thread")
	}
	// Another customer's thread is not reachable under this customer.
	c.get(threadPath(mette, m2.ThreadID)).want(t, http.StatusNotFound)

	// An empty answer is refused and nothing is stored.
	c.post(threadPath(mette, m1.ThreadID), url.Values{"body": {"  "}}).want(t, http.StatusUnprocessableEntity, "Skriv en besked.")
	if n := len(b.thread(mette, m1.ThreadID).Messages); n != 1 {
		t.Fatalf("%d messages after an empty answer", n)
	}

	r := c.post(threadPath(mette, m1.ThreadID), url.Values{"body": {"Kære Mette\nKortet blev sendt i går."}})
	if r.status != http.StatusSeeOther || r.location() != threadPath(mette, m1.ThreadID)+"?sendt=svar" {
		t.Fatalf("answer: %d → %q\n%s", r.status, r.location(), r.text())
	}
	th := b.thread(mette, m1.ThreadID)
	last := th.Last()
	if len(th.Messages) != 2 || last.Sender != inbox.FromBank || last.Author != "Karen Bøgh" || last.Body != "Kære Mette\nKortet blev sendt i går." {
		t.Fatalf("stored answer %+v", last)
	}
	// The customer sees it as unread in the net bank.
	if th.Unread != 1 || !th.Answered {
		t.Errorf("thread for the customer: unread %d, answered %v", th.Unread, th.Answered)
	}
	// The inbox audited the answer with the staff member as the actor.
	es, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "message.bank", Subject: mette.ID})
	if err != nil || len(es) != 1 || es[0].Actor != karen.ID || es[0].ActorKind != audit.ActorStaff {
		t.Errorf("audit of the answer: %+v, %v", es, err)
	}

	c.get(r.location()).want(t, http.StatusOK, "Svaret er sendt til kunden", "Besvaret", "Banken Karen Bøgh", "Kortet blev sendt i går.",
		"Ikke læst af kunden endnu")
	q = c.get("/backoffice/beskeder")
	q.want(t, http.StatusOK, "1 samtale venter på svar.", "Adresseændring")
	if strings.Contains(q.text(), "Mit kort er ikke kommet") {
		t.Errorf("the answered thread is still in the queue")
	}

	// When the customer writes again, the thread is back in the queue.
	b.write(mette, m1.ThreadID, "", "Tak, men det er ikke kommet.")
	c.get("/backoffice/beskeder").want(t, http.StatusOK, "2 samtaler venter på svar.", "Mit kort er ikke kommet")

	// English on request.
	c.get("/backoffice/beskeder?lang=en")
	c.get("/backoffice/beskeder").want(t, http.StatusOK, "Messages", "2 conversations are awaiting an answer.", "Customer's last message")
}

// Untrusted text (subjects, bodies, contract texts) is drawn escaped,
// never as HTML.
func TestBackofficeMessageXSS(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	m := b.write(mette, "", `<b onmouseover="alert(2)">Emne</b>`, "<script>alert(1)</script>\nLinje 2")
	admin := b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin)
	c := b.client()
	c.login(admin)
	if p := c.post(threadPath(mette, m.ThreadID), url.Values{"body": {`<img src=x onerror="alert(3)">`}}); p.status != http.StatusSeeOther {
		t.Fatalf("answer: %d", p.status)
	}
	if p := c.post("/backoffice/kunder/"+mette.ID+"/kontrakter", url.Values{"title": {"<i>Aftale</i>"}, "kind": {"distance"},
		"body": {"</div><script>alert(4)</script>"}}); p.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", p.status)
	}

	for _, path := range []string{"/backoffice/beskeder", "/backoffice/kunder/" + mette.ID, threadPath(mette, m.ThreadID),
		"/backoffice/kunder/" + mette.ID + "/kontrakter"} {
		b.write(mette, m.ThreadID, "", "<script>alert(1)</script>") // back in the queue
		p := c.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.status)
		}
		for _, raw := range []string{"<script>alert", `<b onmouseover`, `<img src=x`, "<i>Aftale", "</div><script>"} {
			if strings.Contains(p.body, raw) {
				t.Errorf("%s: %q drawn as HTML", path, raw)
			}
		}
	}
	p := c.get(threadPath(mette, m.ThreadID))
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;\nLinje 2", "&lt;b onmouseover=&#34;alert(2)&#34;&gt;Emne&lt;/b&gt;",
		"&lt;img src=x onerror=&#34;alert(3)&#34;&gt;"} {
		if !strings.Contains(p.body, escaped) {
			t.Errorf("the thread lacks %q", escaped)
		}
	}
	if card := c.get("/backoffice/kunder/" + mette.ID); !strings.Contains(card.body, "&lt;/div&gt;&lt;script&gt;alert(4)&lt;/script&gt;") {
		t.Errorf("the contract text is not shown escaped")
	}
}

// Staff write to the customer from the card: a message from the bank
// (a system message signed with the staff member's name), audited with the
// staff member as the actor.
func TestBackofficeNewMessageToCustomer(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	karen := b.staff("kbo", "Karen Bøgh", identity.RoleSupport)
	c := b.client()
	c.login(karen)
	card := "/backoffice/kunder/" + mette.ID

	c.post(card+"/beskeder", url.Values{"subject": {""}, "body": {"Hej"}}).want(t, http.StatusUnprocessableEntity,
		"Beskeden blev ikke sendt", "Skriv et emne.", "Vestergade 12")
	p := c.post(card+"/beskeder", url.Values{"subject": {"Nye priser"}, "body": {"Kære Mette\nVi ændrer priserne."}})
	m := regexp.MustCompile(`^/backoffice/kunder/` + mette.ID + `/beskeder/([^?]+)\?sendt=besked$`).FindStringSubmatch(p.location())
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("send: %d → %q\n%s", p.status, p.location(), p.text())
	}
	th := b.thread(mette, m[1])
	if len(th.Messages) != 1 || th.Messages[0].Sender != inbox.FromSystem || th.Subject != "Nye priser" ||
		th.Messages[0].Body != "Kære Mette\nVi ændrer priserne.\n\nMed venlig hilsen\nKaren Bøgh\nNetbank" {
		t.Fatalf("stored %+v", th.Messages[0])
	}
	es, err := b.a.DB.Audit().List(b.ctx, audit.Filter{Action: "message.sent_by_staff", Subject: mette.ID})
	if err != nil || len(es) != 1 || es[0].Actor != karen.ID || es[0].Details["thread"] != m[1] {
		t.Errorf("audit: %+v, %v", es, err)
	}
	c.get(p.location()).want(t, http.StatusOK, "Beskeden er sendt til kunden.", "Fra banken", "Kunden kan ikke svare på den")
	// It waits for no answer from the bank.
	c.get("/backoffice/beskeder").want(t, http.StatusOK, "Ingen kunder venter på svar.")
	c.get(card).want(t, http.StatusOK, "Nye priser", "Fra banken", "1 ulæst af kunden")
}

// contractArticle is the text of one contract on a page.
func contractArticle(t *testing.T, p boPage, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<article class="bo-contract" id="kontrakt-` + regexp.QuoteMeta(id) + `".*?</article>`).FindString(p.body)
	if m == "" {
		t.Fatalf("no contract %s on the page", id)
	}
	return visibleText(m)
}

// RULE CONTR-1: a contract sent from the back office is pending until the
// customer approves it, and the form says what the customer sees until
// then. RULE CONTR-2: the card shows the last day of the right of
// withdrawal, moved to the next bank day except for credit agreements.
// RULE CONTR-3: no right of withdrawal for capital-market prices.
func TestBackofficeContracts(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	st := b.staff("lone", "Lone Dahl", identity.RoleSupport, identity.RoleContract)
	c := b.client()
	c.login(st)
	card := "/backoffice/kunder/" + mette.ID

	c.get(card).want(t, http.StatusOK, "Kontrakter", "Kunden har ingen kontrakter.", "Send kontrakt til godkendelse",
		"Indtil kunden har godkendt, ser kunden kun Beskeder → Kontraktoversigt", "Fjernsalgsaftale", "Kreditaftale", "Pensionsordning",
		"Kapitalmarkedsprodukt")

	// Every field is checked; what was typed is kept.
	p := c.post(card+"/kontrakter", url.Values{"title": {"Aftale om Visa Debit"}, "kind": {"gave"}, "body": {""}})
	p.want(t, http.StatusUnprocessableEntity, "Kontrakten blev ikke sendt", "Vælg kontraktens type", "Indsæt kontraktteksten.")
	if !strings.Contains(p.body, `value="Aftale om Visa Debit"`) {
		t.Errorf("the title was not kept")
	}
	if pending, _ := b.a.Inbox.HasPending(b.ctx, mette.ID); pending {
		t.Fatal("a refused form published a contract")
	}

	publish := func(title string, kind inbox.ContractKind) inbox.Contract {
		t.Helper()
		p := c.post(card+"/kontrakter", url.Values{"title": {title}, "kind": {string(kind)}, "body": {"§ 1 Vilkår\n\n§ 2 Priser"}})
		if p.status != http.StatusSeeOther || p.location() != card+"?indbakke=kontrakt#kontrakter" {
			t.Fatalf("publish %s: %d → %q\n%s", title, p.status, p.location(), p.text())
		}
		cs, _ := b.a.Inbox.Contracts(b.ctx, mette.ID)
		for _, ct := range cs {
			if ct.Title == title {
				return ct
			}
		}
		t.Fatalf("contract %s not stored", title)
		return inbox.Contract{}
	}
	distance := publish("Aftale om Visa Debit", inbox.Distance)
	if pending, err := b.a.Inbox.HasPending(b.ctx, mette.ID); err != nil || !pending {
		t.Fatalf("HasPending after publishing: %v, %v", pending, err)
	}
	if distance.PublishedBy != st.ID || distance.Status != inbox.Pending || distance.Body != "§ 1 Vilkår\n\n§ 2 Priser" {
		t.Errorf("stored %+v", distance)
	}
	p = c.get(card + "?indbakke=kontrakt")
	p.want(t, http.StatusOK, "Kontrakten er sendt til kunden til godkendelse.", "Kunden har en kontrakt, der venter på godkendelse")
	if got := contractArticle(t, p, distance.ID); !strings.Contains(got, "Aftale om Visa Debit Fjernsalgsaftale Afventer godkendelse") ||
		!strings.Contains(got, "Sendt 21.11.2026 af Lone Dahl") || !strings.Contains(got, "Regnes fra godkendelsen") {
		t.Errorf("pending contract: %q", got)
	}

	credit := publish("Kassekredit", inbox.Credit)
	pension := publish("Ratepension", inbox.Pension)
	bonds := publish("Køb af obligationer", inbox.CapitalMarket)
	// The customer approves on Saturday 21.11.2026 (in the net bank).
	for _, ct := range []inbox.Contract{distance, credit, pension, bonds} {
		if _, err := b.a.Inbox.Approve(b.ctx, mette.ID, ct.ID, "doc_"+ct.ID, inbox.Actor{ID: "usr_mette", Kind: audit.ActorCustomer}); err != nil {
			t.Fatal(err)
		}
	}
	p = c.get(card)
	p.want(t, http.StatusOK)
	if strings.Contains(p.text(), "venter på godkendelse") {
		t.Errorf("still pending after approval")
	}
	for _, tc := range []struct {
		ct   inbox.Contract
		want string
	}{
		// 21.11 + 14 days = Saturday 5.12 → Monday 7.12.
		{distance, "Godkendt Sendt 21.11.2026 af Lone Dahl Godkendt 21.11.2026 Fortrydelsesret Til og med 07.12.2026"},
		// A credit agreement's deadline never moves.
		{credit, "Fortrydelsesret Til og med 05.12.2026"},
		// 30 days for a pension scheme: Monday 21.12.
		{pension, "Fortrydelsesret Til og med 21.12.2026"},
		{bonds, "Fortrydelsesret Ingen fortrydelsesret"},
	} {
		if got := contractArticle(t, p, tc.ct.ID); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.ct.Title, got, tc.want)
		}
	}
	// The deadline is the one the inbox computes.
	approved, _ := b.a.Inbox.Contract(b.ctx, mette.ID, distance.ID)
	if d, ok := approved.WithdrawalDeadline(); !ok || d.Format("02.01.2006") != "07.12.2026" {
		t.Errorf("inbox deadline %v %v", d, ok)
	}
	// After the deadline the card says so.
	b.clock.Advance(17 * 24 * time.Hour) // 08.12.2026
	c.login(st)
	if got := contractArticle(t, c.get(card), distance.ID); !strings.Contains(got, "Til og med 07.12.2026 (udløbet)") {
		t.Errorf("after the deadline: %q", got)
	}
}

// Who may do what: messages are for support, sending contracts for the
// contract role (or admin); auditors see neither.
func TestBackofficeInboxRoles(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	m := b.write(mette, "", "Spørgsmål", "Hej")
	card := "/backoffice/kunder/" + mette.ID
	contract := url.Values{"title": {"Aftale"}, "kind": {"distance"}, "body": {"Vilkår"}}
	contracts := func() int {
		cs, _ := b.a.Inbox.Contracts(b.ctx, mette.ID)
		return len(cs)
	}

	// An auditor cannot read or answer messages, nor send contracts.
	auditor := b.client()
	auditor.login(b.staff("rev", "Rikke Revisor", identity.RoleAuditor))
	for _, path := range []string{"/backoffice/beskeder", threadPath(mette, m.ThreadID), card + "/kontrakter"} {
		auditor.get(path).want(t, http.StatusForbidden, "Adgang nægtet")
	}
	auditor.post(threadPath(mette, m.ThreadID), url.Values{"body": {"Svar"}}).want(t, http.StatusForbidden)
	auditor.post(card+"/beskeder", url.Values{"subject": {"X"}, "body": {"Y"}}).want(t, http.StatusForbidden)
	auditor.post(card+"/kontrakter", contract).want(t, http.StatusForbidden)
	if strings.Contains(auditor.get("/backoffice").body, "nav-messages") {
		t.Errorf("the auditor's menu shows Beskeder")
	}

	// Support answers, but cannot send contracts: it sees them on the card
	// without the form.
	support := b.client()
	support.login(b.staff("kbo", "Karen Bøgh", identity.RoleSupport))
	support.get("/backoffice/beskeder").want(t, http.StatusOK, "Spørgsmål")
	support.post(card+"/kontrakter", contract).want(t, http.StatusForbidden)
	support.get(card+"/kontrakter").want(t, http.StatusForbidden)
	p := support.get(card)
	p.want(t, http.StatusOK, "Kontrakter")
	if strings.Contains(p.body, `id="contract-form"`) {
		t.Errorf("support sees the contract form")
	}
	if n := contracts(); n != 0 {
		t.Fatalf("%d contracts after refused requests", n)
	}

	// The contract role alone sends contracts from its own page (it has no
	// customer card) and reads no messages.
	ctr := b.client()
	ctr.login(b.staff("lone", "Lone Dahl", identity.RoleContract))
	ctr.get(card).want(t, http.StatusForbidden)
	ctr.get("/backoffice/beskeder").want(t, http.StatusForbidden)
	p = ctr.get(card + "/kontrakter")
	p.want(t, http.StatusOK, "Kontrakter – Mette Kjær Nielsen", "Send kontrakt til godkendelse")
	if strings.Contains(p.body, "Spørgsmål") {
		t.Errorf("the contracts page shows messages")
	}
	if p := ctr.post(card+"/kontrakter", contract); p.status != http.StatusSeeOther || p.location() != card+"/kontrakter?indbakke=kontrakt#kontrakter" {
		t.Fatalf("contract role publish: %d → %q", p.status, p.location())
	}
	ctr.post(card+"/kontrakter", url.Values{"title": {""}, "kind": {"credit"}, "body": {"Vilkår"}}).want(t, http.StatusUnprocessableEntity,
		"Skriv kontraktens titel.", "Kontrakter – Mette Kjær Nielsen")

	// An administrator does everything.
	admin := b.client()
	admin.login(b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin))
	if p := admin.post(card+"/kontrakter", contract); p.status != http.StatusSeeOther {
		t.Fatalf("admin publish: %d", p.status)
	}
	admin.get(card).want(t, http.StatusOK, "Send kontrakt til godkendelse", "Skriv til kunden")
	if n := contracts(); n != 2 {
		t.Errorf("%d contracts, want 2", n)
	}

	// Unknown customers and threads are 404.
	admin.get("/backoffice/kunder/cus_findes_ikke/beskeder/"+m.ThreadID).want(t, http.StatusNotFound)
	admin.get(threadPath(mette, "msg_findes_ikke")).want(t, http.StatusNotFound)
	admin.post("/backoffice/kunder/cus_findes_ikke/kontrakter", contract).want(t, http.StatusNotFound)

	// Without a session: the login.
	if p := b.client().get("/backoffice/beskeder"); p.status != http.StatusSeeOther || p.location() != "/backoffice/login" {
		t.Errorf("without a session: %d → %q", p.status, p.location())
	}
}

// Every POST of messages and contracts needs the CSRF token: without it
// nothing is stored and the answer is 403.
func TestBackofficeInboxCSRF(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	m := b.write(mette, "", "Spørgsmål", "Hej")
	c := b.client()
	c.login(b.staff("admin1", "Birgitte Lauridsen", identity.RoleAdmin))
	card := "/backoffice/kunder/" + mette.ID
	form := url.Values{"body": {"Svar"}, "subject": {"Emne"}, "title": {"Aftale"}, "kind": {"distance"}}
	for _, path := range []string{threadPath(mette, m.ThreadID), card + "/beskeder", card + "/kontrakter"} {
		for _, token := range []string{"", "forkert"} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if token != "" {
				f.Set("csrf_token", token)
			}
			c.postRaw(path, f).want(t, http.StatusForbidden, "Sikkerhedstjekket fejlede")
		}
	}
	threads, _ := b.a.Inbox.Threads(b.ctx, mette.ID)
	cs, _ := b.a.Inbox.Contracts(b.ctx, mette.ID)
	if len(threads) != 1 || len(threads[0].Messages) != 1 || len(cs) != 0 {
		t.Errorf("requests without a CSRF token stored something: %d threads, %d messages, %d contracts", len(threads), len(threads[0].Messages), len(cs))
	}
	// With the token it works.
	if p := c.post(threadPath(mette, m.ThreadID), url.Values{"body": {"Svar"}}); p.status != http.StatusSeeOther {
		t.Errorf("answer with a token: %d", p.status)
	}
}

// The texts picked by value exist in both languages, and the statuses say
// in Danish what inbox.DanishStatus says.
func TestBackofficeInboxTexts(t *testing.T) {
	for _, k := range []inbox.ContractKind{inbox.Distance, inbox.Credit, inbox.Pension, inbox.CapitalMarket} {
		for _, key := range []string{"bo.contract.kind." + string(k), "bo.contract.kind." + string(k) + ".hint"} {
			if web.T(web.Danish, key) == key || web.T(web.English, key) == key {
				t.Errorf("no text for %s", key)
			}
		}
	}
	for _, st := range []inbox.ContractStatus{inbox.Pending, inbox.Approved, inbox.Withdrawn} {
		key := "bo.contract.status." + string(st)
		if web.T(web.English, key) == key || !strings.EqualFold(web.T(web.Danish, key), inbox.DanishStatus(st)) {
			t.Errorf("%s: %q, inbox says %q", key, web.T(web.Danish, key), inbox.DanishStatus(st))
		}
	}
	for _, a := range []string{"message.customer", "message.bank", "message.system", "message.sent_by_staff", "message.thread_viewed",
		"contract.published", "contract.approved", "contract.withdrawn"} {
		if key := "bo.action." + a; web.T(web.Danish, key) == key || web.T(web.English, key) == key {
			t.Errorf("no text for %s", key)
		}
	}
	if got := web.T(web.Danish, "bo.contract.kind.capital_market"); got != "Kapitalmarkedsprodukt" {
		t.Errorf("capital market: %q", got)
	}
}

// TestBackofficeInboxInBrowser walks the staff's side of the message
// channel and the contracts in a real Chromium under the real CSP: the
// queue, a thread (a customer's text with markup shows as text, its line
// breaks kept), the answer, and the customer card with contracts.
// Screenshots: artifacts/screenshots/bo-inbox-*.png.
//
// RULE MSG-1: the customer's message and the bank's answer travel inside
// the net bank. RULE CONTR-2: the card shows the withdrawal deadline.
func TestBackofficeInboxInBrowser(t *testing.T) {
	b := newBoBank(t)
	mette := b.customer("Mette Kjær Nielsen", "150385-1234")
	jens := b.customer("Jens Holm", "010190-4321")
	m := b.write(mette, "", "Mit nye kort er ikke kommet", "Hej banken\n\nJeg bestilte et nyt Visa Debit-kort for to uger siden, men det er ikke kommet.\nKan I sende et nyt?\n\n<script>alert(1)</script>\n\nVenlig hilsen\nMette")
	b.clock.Advance(47 * time.Minute)
	b.write(jens, "", "Adresseændring", "Jeg er flyttet til Østergade 4, 8000 Aarhus C.")
	b.clock.Advance(2 * time.Hour)
	b.write(mette, "", "Spørgsmål om gebyr", "Hvorfor har jeg betalt 25 kr. i gebyr?")
	st := b.staff("lone", "Lone Dahl", identity.RoleSupport, identity.RoleContract)

	br := browser.New(t)
	ctx := br.Context()
	x := boTab{t, ctx}
	do, text, eval, submit := x.do, x.text, x.eval, x.submit

	do(chromedp.Navigate(b.url + "/backoffice/login"))
	b.clock.Advance(30 * time.Second)
	do(chromedp.SendKeys(chromedp.CSS("#username"), "lone"), chromedp.SendKeys(chromedp.CSS("#password"), st.password),
		chromedp.SendKeys(chromedp.CSS("#totp"), auth.TOTPCode(st.secret, b.clock.Now())))
	submit("#login-submit", http.StatusOK)

	// The queue, oldest first.
	submit("#nav-messages", http.StatusOK)
	if got := text("#queue-count"); got != "3 samtaler venter på svar." {
		t.Errorf("queue count %q", got)
	}
	if got := text("#queue tbody tr:first-child"); !strings.HasPrefix(got, "Mette Kjær Nielsen Mit nye kort er ikke kommet Hej banken") ||
		!strings.HasSuffix(got, "21.11.2026 10.00 1") {
		t.Errorf("first in the queue %q", got)
	}
	if got := text("#queue tbody tr:last-child"); !strings.Contains(got, "Spørgsmål om gebyr") || !strings.Contains(got, "21.11.2026 12.47") {
		t.Errorf("last in the queue %q", got)
	}
	browser.Screenshot(t, ctx, "bo-inbox-queue")

	// The thread: the customer's text as text, line breaks kept.
	submit(`#queue a[href="`+threadPath(mette, m.ThreadID)+`"]`, http.StatusOK)
	if got := text("#thread-subject"); got != "Mit nye kort er ikke kommet" {
		t.Errorf("subject %q", got)
	}
	if got := eval(`document.querySelector(".bo-msg-body").innerText`); !strings.Contains(got, "Kan I sende et nyt?\n\n<script>alert(1)</script>\n\nVenlig hilsen") {
		t.Errorf("message body %q", got)
	}
	if got := eval(`getComputedStyle(document.querySelector(".bo-msg-body")).whiteSpace`); got != "pre-wrap" {
		t.Errorf("white-space %q", got)
	}
	if got := eval(`String(document.querySelectorAll("main script:not([src])").length)`); got != "0" {
		t.Errorf("%s inline script elements in the page", got)
	}
	browser.Screenshot(t, ctx, "bo-inbox-thread")

	do(chromedp.SetValue(chromedp.CSS("#reply-body"), "Kære Mette\n\nDit kort blev sendt i går og er fremme inden for 3 bankdage.\n\nMed venlig hilsen\nLone Dahl"))
	submit("#reply-submit", http.StatusOK)
	if got := text("#flash"); !strings.HasPrefix(got, "Svaret er sendt til kunden") {
		t.Errorf("flash %q", got)
	}
	if got := text("#thread-state"); got != "Besvaret" {
		t.Errorf("state %q", got)
	}
	if got := text(".bo-msg-bank .bo-msg-who"); got != "Banken Lone Dahl" {
		t.Errorf("answer by %q", got)
	}
	browser.Screenshot(t, ctx, "bo-inbox-thread-answered")
	submit("#back-to-queue", http.StatusOK)
	if got := text("#queue-count"); got != "2 samtaler venter på svar." {
		t.Errorf("after the answer: %q", got)
	}

	// The card: threads and contracts; one contract sent from the form.
	do(chromedp.Navigate(b.url+"/backoffice/kunder/"+mette.ID), chromedp.WaitVisible(chromedp.CSS("#contract-form")))
	do(chromedp.SendKeys(chromedp.CSS("#contract-title"), "Aftale om Visa Debit"),
		chromedp.SetValue(chromedp.CSS("#contract-kind"), "distance"),
		chromedp.SetValue(chromedp.CSS("#contract-body"), "§ 1 Aftalen\nAftalen gælder dit Visa Debit-kort.\n\n§ 2 Priser\nSe prislisten."))
	submit("#contract-submit", http.StatusOK)
	if got := text("#contract-flash"); got != "Kontrakten er sendt til kunden til godkendelse." {
		t.Errorf("contract flash %q", got)
	}
	if pending, _ := b.a.Inbox.HasPending(b.ctx, mette.ID); !pending {
		t.Fatal("the contract from the browser is not pending")
	}
	bonds, err := b.a.Inbox.Publish(b.ctx, mette.ID, "Køb af obligationer", "Kurs efter markedet.", inbox.CapitalMarket, inbox.Actor{ID: st.ID, Kind: audit.ActorStaff})
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := b.a.Inbox.Contracts(b.ctx, mette.ID)
	for _, ct := range cs {
		if ct.Kind == inbox.Distance {
			if _, err := b.a.Inbox.Approve(b.ctx, mette.ID, ct.ID, "doc_1", inbox.Actor{ID: "usr_mette", Kind: audit.ActorCustomer}); err != nil {
				t.Fatal(err)
			}
		}
	}
	do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#contracts")))
	if got := text("#contracts"); !strings.Contains(got, "Til og med 07.12.2026") || !strings.Contains(got, "Ingen fortrydelsesret") {
		t.Errorf("contracts %q", got)
	}
	do(chromedp.Click(chromedp.CSS("#kontrakt-" + bonds.ID + " summary")))
	browser.Screenshot(t, ctx, "bo-inbox-card")

	// A phone-sized window does not scroll sideways on the thread.
	phone := br.NewTab(t)
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(b.url+threadPath(mette, m.ThreadID))); err != nil {
		t.Fatal(err)
	}
	if overflow, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || overflow {
		t.Errorf("the thread scrolls sideways on a phone (%v)", err)
	}
	browser.Screenshot(t, phone, "bo-inbox-thread-mobile")

	br.RequireNoProblems(t)
}
