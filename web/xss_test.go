package web_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
)

// XSS in every free-text field that is drawn back (issue 6, "Attacks"):
// the payloads are stored the way their authors store them — customers in
// the net bank's forms, staff in the back office's, creditors, the
// clearing and merchants through the API — and every page that shows
// them, to the author and to whoever else sees them, must draw them as
// text: the raw payload never appears, its HTML-escaped form does (so the
// test knows the field is on the page). Reflected input (searches, the
// login) is checked the same way. xss_browser_test.go opens such pages in
// Chromium and proves that no dialog opens and the CSP reports nothing.

// azXSS are the payloads of a field that takes 30 characters or more.
var azXSS = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}

// azXSSShort are payloads for the payment's text to oneself (at most 20
// characters, payment.MaxTextToSelf): a tag with a handler, and one that
// breaks out of an attribute.
var azXSSShort = []string{`<svg onload=alert()>`, `"><i onclick=1>x`}

// azXSSPage is a page that shows a stored payload: who sees it, and where.
type azXSSPage struct {
	actor, path string
}

// azXSSField is a free-text field: store saves payload p (made unique
// by the caller) as its author does, and returns the answer to the
// saving request (when it shows the text) and the pages that show it.
// shown is what the bank keeps of p, when it keeps less (a file's base
// name).
type azXSSField struct {
	name  string
	short bool
	store func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage)
	shown func(b *azBank, p string) string
}

// azScriptTagRE finds script tags: the bank's pages load scripts from
// /static only, and carry data only as application/json.
var azScriptTagRE = regexp.MustCompile(`(?i)<script[^>]*>`)

// wantEscaped checks that page draws p as text: never p itself, and
// shown (what the bank keeps of p) escaped.
func wantEscaped(t *testing.T, what, p, shown string, page httpPage) {
	t.Helper()
	switch {
	case page.StatusCode != http.StatusOK:
		t.Errorf("%s: status %d\n%.300s", what, page.StatusCode, page.Text())
	case strings.Contains(page.Body, p):
		t.Errorf("%s: the payload %q is drawn as HTML", what, p)
	case !strings.Contains(page.Body, template.HTMLEscapeString(shown)):
		t.Errorf("%s: the page does not show %q (escaped %q): the field is not where the test looks", what, shown, template.HTMLEscapeString(shown))
	}
	for _, tag := range azScriptTagRE.FindAllString(page.Body, -1) {
		if !strings.Contains(tag, ` src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("%s: an inline script: %s", what, tag)
		}
	}
}

// The payload is stored in every free-text field and read back on every
// page that shows it, on both engines.
func TestXSSInEveryFreeTextField(t *testing.T) {
	azForEachEngine(t, func(t *testing.T, b *azBank) {
		n := 0
		for _, f := range azXSSFields() {
			payloads := azXSS
			if f.short {
				payloads = azXSSShort
			}
			for i, base := range payloads {
				p := base
				if !f.short {
					p = fmt.Sprintf("%s %s%d", base, strings.ToUpper(f.name[:2]), i) // unique per field
				}
				answer, pages := f.store(t, b, p)
				shown := p
				if f.shown != nil {
					shown = f.shown(b, p)
				}
				if answer != nil {
					wantEscaped(t, f.name+": the answer to storing it", p, shown, *answer)
				}
				for _, pg := range pages {
					wantEscaped(t, f.name+": "+pg.actor+" GET "+pg.path, p, shown, b.webClient(pg.actor).get(pg.path))
					n++
				}
			}
		}
		t.Logf("%d pages checked", n)
	})
}

// azXSSFields are the free-text fields of the bank.
func azXSSFields() []azXSSField {
	support, contract, admin := identity.RoleSupport, identity.RoleContract, identity.RoleAdmin
	return []azXSSField{
		{name: "payment text to oneself", short: true, store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			id, review := b.xssPayment(t, url.Values{"text_self": {p}})
			vera := b.objs["vera"].account.ID
			return &review, []azXSSPage{{"vera", "/netbank/betalinger/" + id + "/kvittering"}, {"vera", "/netbank/betalinger/historik"},
				{"vera", "/netbank/konti/" + vera}, {"vera", "/netbank/konti/" + vera + "/kontoudtog"}}
		}},
		{name: "payment text to the payee", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			id, review := b.xssPayment(t, url.Values{"text_recipient": {p}})
			return &review, []azXSSPage{{"vera", "/netbank/betalinger/" + id + "/kvittering"}, {"ole", "/netbank/konti/" + b.objs["ole"].account.ID}}
		}},
		{name: "payee name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			id, review := b.xssPayment(t, url.Values{"name": {p}})
			return &review, []azXSSPage{{"vera", "/netbank/betalinger/" + id + "/kvittering"}, {"vera", "/netbank/betalinger/historik"}}
		}},
		{name: "message subject and body", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			loc := azLocation(t, b.vera.c.post("/netbank/beskeder/ny", url.Values{"subject": {p}, "body": {p + "\nLinje 2"}}))
			thread := strings.TrimPrefix(strings.TrimSuffix(loc, "?sendt=ny"), "/netbank/beskeder/")
			vera := b.objs["vera"].customerID
			return nil, []azXSSPage{{"vera", "/netbank/beskeder"}, {"vera", loc}, {support, "/backoffice/beskeder"},
				{support, "/backoffice/kunder/" + vera + "/beskeder/" + thread}}
		}},
		{name: "back office answer", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			o := b.objs["vera"]
			path := "/backoffice/kunder/" + o.customerID + "/beskeder/" + o.thread
			azLocation(t, b.crew[support].post(path, url.Values{"body": {p}}))
			return nil, []azXSSPage{{"vera", "/netbank/beskeder/" + o.thread}, {support, path}}
		}},
		{name: "back office message", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			vera := b.objs["vera"].customerID
			azLocation(t, b.crew[support].post("/backoffice/kunder/"+vera+"/beskeder", url.Values{"subject": {p}, "body": {p}}))
			return nil, []azXSSPage{{"vera", "/netbank/beskeder"}, {support, "/backoffice/kunder/" + vera}}
		}},
		{name: "card dispute description", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			id := b.xssDispute(t, p)
			return nil, []azXSSPage{{"vera", "/netbank/indsigelser/" + id}, {support, "/backoffice/indsigelser/" + id}}
		}},
		{name: "back office dispute note", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			id := b.xssDispute(t, "Ukendt køb")
			azLocation(t, b.crew[support].post("/backoffice/indsigelser/"+id+"/afgoer", url.Values{"outcome": {"unfounded"}, "note": {p}}))
			return nil, []azXSSPage{{"vera", "/netbank/indsigelser/" + id}, {support, "/backoffice/indsigelser/" + id}}
		}},
		{name: "API key name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			answer := b.vera.c.post("/netbank/api-adgang", url.Values{"name": {p}, "validity": {"30"}})
			return &answer, []azXSSPage{{"vera", "/netbank/api-adgang"}}
		}},
		{name: "partner key name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			answer := b.crew[admin].post("/backoffice/api-klienter", url.Values{"role": {"clearing"}, "name": {p}, "validity": {"30"}})
			return &answer, []azXSSPage{{admin, "/backoffice/api-klienter"}}
		}},
		{name: "payment file name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			o := b.objs["vera"]
			ole := b.objs["ole"].account
			loc := azLocation(t, b.vera.c.postFile("/netbank/betalinger/fil", url.Values{"from": {o.account.ID}}, p+".csv",
				payCSV(o.account, ";10,00;"+ole.Reg+";"+ole.Number+";Ole Olsen;"+fmt.Sprint(time.Now().UnixNano()%1000)), true))
			return nil, []azXSSPage{{"vera", loc}}
		}, shown: func(b *azBank, p string) string {
			// The bank keeps the base name: what follows the last slash.
			return p[strings.LastIndex(p, "/")+1:] + ".csv"
		}},
		{name: "customer name and address", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			loc := azLocation(t, b.crew[support].post("/backoffice/kunder/ny", url.Values{"kind": {"private"}, "name": {p},
				"cpr": {b.nextCPR()}, "address": {p}, "postcode": {"8000"}, "city": {"Aarhus C"}}))
			id := strings.TrimPrefix(strings.TrimSuffix(loc, "?besked=oprettet"), "/backoffice/kunder/")
			letter := b.crew[support].post("/backoffice/kunder/"+id+"/brugere", nil)
			num, pin := attr(t, letter.Body, `id="user-number">(\d+)<`), attr(t, letter.Body, `id="pin">(\d+)<`)
			c := b.client()
			c.firstLogin(num, pin)
			b.others["xss-customer"] = c
			return &letter, []azXSSPage{{support, loc}, {support, "/backoffice?q=" + url.QueryEscape(p)}, {"xss-customer", "/netbank"}}
		}},
		{name: "business user name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			biz := b.objs["biz"].customerID
			b.seq++
			login := fmt.Sprintf("xss.%d", b.seq)
			letter := b.crew[support].post("/backoffice/kunder/"+biz+"/brugere", url.Values{"login": {login}, "name": {p}, "profile": {"view"}})
			return &letter, []azXSSPage{{support, "/backoffice/kunder/" + biz}}
		}},
		{name: "contract title and text", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			ole := b.objs["ole"].customerID
			azLocation(t, b.crew[contract].post("/backoffice/kunder/"+ole+"/kontrakter", url.Values{"title": {p}, "kind": {"distance"}, "body": {p}}))
			ctr := b.contractTitled(t, ole, p)
			// Approved, so the contract gate (CONTR-1) keeps no page of Ole's away.
			if _, err := b.app.Inbox.Approve(b.ctx, ole, ctr, "doc-"+ctr, inbox.Actor{ID: b.ole.userID, Kind: audit.ActorCustomer}); err != nil {
				t.Fatal(err)
			}
			return nil, []azXSSPage{{"ole", "/netbank/kontrakter"}, {"ole", "/netbank/kontrakter/" + ctr}, {contract, "/backoffice/kunder/" + ole + "/kontrakter"}}
		}},
		{name: "e-invoice creditor name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			azLocation(t, b.vera.c.post("/netbank/aftaler", url.Values{"kind": {"einvoice"}, "client_id": {newTestClientID()}, "name": {p},
				"creditor": {azFI}, "customer_number": {b.nextCustomerNumber()}, "from": {b.objs["vera"].account.ID}}))
			return nil, []azXSSPage{{"vera", "/netbank/aftaler"}}
		}},
		{name: "collection text from the creditor", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			got := b.api("creditor", "POST", "/api/v1/betalingsservice/collections", `{"creditor_number":"`+azPBS+`","debtor_group":"1",`+
				`"customer_number":"571001","amount":12300,"due_date":"2026-12-15","text":`+azJSONString(p)+`,"reference":"`+newTestClientID()+`"}`)
			azCreated(t, got)
			return nil, []azXSSPage{{"vera", "/netbank/betalinger/kommende"}}
		}},
		{name: "bill text and creditor name", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			got := b.api("creditor", "POST", "/api/v1/einvoices", `{"creditor_number":"`+azFI+`","customer_number":"441001",`+
				`"amount":12300,"due_date":"2026-12-15","text":`+azJSONString(p)+`,"creditor_name":`+azJSONString(p)+`,`+
				`"reference":"`+newTestClientID()+`","slip_type":"71","payment_id":"`+waterSlipID+`"}`)
			azCreated(t, got)
			return nil, []azXSSPage{{"vera", "/netbank/regninger"}, {"vera", "/netbank/regninger/" + b.billWithText(t, p)}}
		}},
		{name: "incoming payment from the clearing", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			o := b.objs["vera"]
			got := b.api("clearing", "POST", "/api/v1/clearing/incoming", `{"reference":"`+newTestClientID()+`","from_bank":"DEUTDEFF",`+
				`"from_name":`+azJSONString(p)+`,"from_account":"DE89370400440532013000","to_reg":"`+o.account.Reg+`","to_account":"`+
				o.account.Number+`","amount":10000,"currency":"DKK","text":`+azJSONString(p)+`,"swift":true}`)
			azCreated(t, got)
			return nil, []azXSSPage{{"vera", "/netbank/konti/" + o.account.ID}, {"vera", "/netbank/betalinger/fra-udlandet"}}
		}},
		{name: "merchant name in the Visa Secure SMS", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			got := b.api("merchant", "POST", "/api/v1/visa-secure/authentications", `{"pan":"`+b.objs["vera"].card.PAN+
				`","amount":100,"currency":"DKK","merchant_id":"SHOP3","merchant_name":`+azJSONString(p)+`}`)
			azCreated(t, got)
			return nil, []azXSSPage{{support, "/backoffice/sms"}}
		}},
		{name: "reflected search text", store: func(t *testing.T, b *azBank, p string) (*httpPage, []azXSSPage) {
			answer := b.crew[support].post("/backoffice", url.Values{"q": {p}})
			return &answer, []azXSSPage{{"vera", "/netbank/konti/" + b.objs["vera"].account.ID + "?tekst=" + url.QueryEscape(p)},
				{"vera", "/netbank/betalinger/historik?tekst=" + url.QueryEscape(p)}, {identity.RoleAuditor, "/backoffice/revision?emne=" + url.QueryEscape(p)}}
		}},
	}
}

// xssPayment makes and signs a payment from Vera's account to Ole's with
// the fields set, and returns its id and the review page.
func (b *azBank) xssPayment(t *testing.T, fields url.Values) (string, httpPage) {
	t.Helper()
	ole := b.objs["ole"].account
	f := url.Values{"from": {b.objs["vera"].account.ID}, "to_kind": {"other"}, "reg": {ole.Reg}, "account": {ole.Number},
		"name": {"Ole Olsen"}, "amount": {"12,34"}}
	for k, v := range fields {
		f[k] = v
	}
	review := b.vera.c.post("/netbank/betalinger", payForm(t, b.vera.c, "/netbank/betalinger", f))
	id := reviewID(t, review)
	if p := b.vera.signPayment(t, id); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing the payment: %d\n%s", p.StatusCode, p.Text())
	}
	return id, review
}

// xssDispute buys with Vera's card and disputes the purchase in the net
// bank with description; it returns the dispute's id.
func (b *azBank) xssDispute(t *testing.T, description string) string {
	t.Helper()
	o := b.objs["vera"]
	b.cards.annaCard = o.card // buy pays with annaCard
	auth := b.cards.buy(99_00, "Netbutikken")
	loc := azLocation(t, b.vera.c.post("/netbank/kort/"+o.card.Card.ID+"/indsigelse/"+auth.ID,
		url.Values{"case": {"not_approved"}, "description": {description}}))
	return strings.TrimPrefix(strings.TrimSuffix(loc, "?besked=oprettet"), "/netbank/indsigelser/")
}

// billWithText is the id of Vera's bill with this text.
func (b *azBank) billWithText(t *testing.T, text string) string {
	t.Helper()
	list, err := b.app.Agreements.Invoices(b.ctx, b.objs["vera"].customerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range list {
		if inv.Text == text {
			return inv.ID
		}
	}
	t.Fatalf("no bill %q among %d", text, len(list))
	return ""
}

// contractTitled is the id of the customer's contract with this title.
func (b *azBank) contractTitled(t *testing.T, customerID, title string) string {
	t.Helper()
	list, err := b.app.Inbox.Contracts(b.ctx, customerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Title == title {
			return c.ID
		}
	}
	t.Fatalf("no contract %q among %d", title, len(list))
	return ""
}

// nextCPR is a CPR number no customer of the fixture has.
func (b *azBank) nextCPR() string {
	b.seq++
	return fmt.Sprintf("1505%02d-%04d", 60+b.seq, 1000+b.seq)
}

// nextCustomerNumber is a customer number with a creditor no agreement has.
func (b *azBank) nextCustomerNumber() string {
	b.seq++
	return fmt.Sprintf("77700%02d", b.seq)
}

// azLocation is the target of a 303 that saving answers.
func azLocation(t *testing.T, p httpPage) string {
	t.Helper()
	loc := p.Header.Get("Location")
	if p.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("%s %s: %d, want a redirect\n%.500s", p.Request.Method, p.Request.URL.Path, p.StatusCode, p.Text())
	}
	return loc
}

// azCreated checks that the API stored what it was sent.
func azCreated(t *testing.T, got apiCall) {
	t.Helper()
	if got.status != http.StatusCreated && got.status != http.StatusOK {
		t.Fatalf("API: %d %s", got.status, got.body)
	}
}
