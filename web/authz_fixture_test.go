package web_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/store"
)

// The bank of the authorization matrix (authz_matrix_test.go) and of the
// attack tests (attacks_test.go), over HTTP against a real bank:
//
//   - Vera Vestergaard, a private customer: the victim. She owns an
//     example of everything the net bank and the API serve: an account, a
//     card with two purchases and a dispute of one, payments (made,
//     scheduled, awaiting her signature), a message thread, an approved
//     contract, Betalingsservice and e-invoice agreements with a collection
//     and a bill, a loaded payment file, an API key and a prepared
//     signature.
//   - Ole Olsen, a private customer: the attacker, with an account and an
//     API key of his own.
//   - Hansen & Søn Tømrer ApS, a business with the same kinds of objects,
//     and two users: Jens (see, create, approve, administer) who made them,
//     and Karin, whose profile only lets her see (BIZ-5).
//   - Staff of each role: support, auditor, contract, admin.
//   - API partners: a clearing, two creditors (each with its own creditor
//     numbers) and two merchants.
//
// Every customer's objects are listed as markers (ids and unique texts):
// no page or answer to anyone else may contain them. The bank's clock is
// the test clock of newTestBank (Saturday 21 November 2026, 14.05 in
// Copenhagen); the tests move it only where they say so.

// The creditor numbers of the fixture: the first creditor has both, the
// second creditor others of its own.
const (
	azPBS      = "02631445"
	azFI       = "81234567"
	azOtherPBS = "04567891"
	azOtherFI  = "89999999"
)

// azStaffRoles are the staff roles, each logged in as one staff member.
var azStaffRoles = []string{identity.RoleSupport, identity.RoleAuditor, identity.RoleContract, identity.RoleAdmin}

// azObjects are one customer's objects, by the path parameters and
// bodies the matrix fills in.
type azObjects struct {
	tag        string // the owner's tag: "vera", "ole", "biz"
	customerID string
	userID     string // the user who made the objects
	account    account.Account
	// card is active; auth is a purchase with it that is disputed
	// (dispute), auth2 one that is not.
	card                 card.Issued
	auth, auth2, dispute string
	settled, scheduled   string // payments: made; future-dated (cancellable)
	unsigned, awaiting   string // payments: awaiting signature; awaiting approval (business)
	thread, contract     string
	bsAgreement          string // Betalingsservice
	collection           string // announced under bsAgreement
	collectionRef        string // the creditor's reference of it
	invoice, invoiceRef  string // an e-invoice and the creditor's reference
	batch                string // a loaded payment file, not signed
	apiKey               string // the owner's API key (id)
	signRequest, sealed  string // a prepared signature of unsigned (web form)
	visaSecure           string // a Visa Secure authentication of card, by the first merchant
	markers              []string
	customerName         string
}

// azBizUser is a business user's login.
type azBizUser struct {
	login    string
	password string
	card     auth.KeyCard
	user     identity.User
	c        *browserClient
}

// azBank is the fixture.
type azBank struct {
	*testBank
	ctx   context.Context
	cards *disputeBank // the card helpers of card_disputes_test.go
	vera  nbCustomer
	ole   nbCustomer
	jens  azBizUser
	karin azBizUser
	anon  *browserClient
	crew  map[string]*browserClient // staff by role
	// others are further browsers by name (customers a test makes).
	others map[string]*browserClient
	seq    int // numbers what a test makes unique
	// objs are the objects by owner: "vera", "ole", "biz".
	objs map[string]*azObjects
	// tokens are the API tokens by actor: the customers' users by name,
	// the partners by role ("clearing", "creditor", "creditor2",
	// "merchant", "merchant2").
	tokens map[string]string
}

// newAZBank builds the fixture on SQLite, or on PostgreSQL when postgres.
func newAZBank(t *testing.T, postgres bool) *azBank {
	t.Helper()
	b := &azBank{testBank: newTestBank(t, postgres), ctx: context.Background(), crew: map[string]*browserClient{}, others: map[string]*browserClient{},
		objs: map[string]*azObjects{}, tokens: map[string]string{}}
	b.cards = &disputeBank{cardsBank: &cardsBank{testBank: b.testBank}}
	b.anon = b.client()
	b.vera = b.loggedInPrivate("Vera Vestergaard", "120478-4321")
	b.ole = b.loggedInPrivate("Ole Olsen", "030391-1357")
	b.jens = b.bizUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate, identity.PermApprove, identity.PermAdmin)
	b.karin = b.bizUser("karin.lund", "Karin Lund", identity.PermView)
	for _, role := range azStaffRoles {
		b.crew[role] = b.cards.staff("az-"+role, role)
	}
	biz := b.jens.user.CustomerID
	if err := b.app.Payments.SetApprovalLimit(b.ctx, biz, 200_000, "stf_fixture"); err != nil {
		t.Fatal(err)
	}
	b.objs["vera"] = b.objects("vera", b.vera.customerID, b.vera.userID, b.vera.c, "VERA", "1")
	b.objs["biz"] = b.objects("biz", biz, b.jens.user.ID, b.jens.c, "HANSEN", "2")
	ole := &azObjects{tag: "ole", customerID: b.ole.customerID, userID: b.ole.userID,
		account: b.openFunded(b.ole.customerID, "OLE-KONTO", 1_000_00)}
	ole.apiKey, b.tokens["ole"] = b.apiKey(b.ole.userID, "OLE-NØGLE")
	b.objs["ole"] = ole
	_, b.tokens["vera"] = b.apiKey(b.vera.userID, "Vera ekstra")
	_, b.tokens["jens"] = b.apiKey(b.jens.user.ID, "Jens ekstra")
	_, b.tokens["karin"] = b.apiKey(b.karin.user.ID, "Karin")
	b.objs["vera"].apiKey, _ = b.apiKey(b.vera.userID, "VERA-NØGLE")
	b.objs["biz"].apiKey, _ = b.apiKey(b.jens.user.ID, "HANSEN-NØGLE")
	b.partners()
	for _, o := range b.objs {
		o.markers = b.markersOf(o)
	}
	return b
}

// bizUser makes a business user of Hansen & Søn and logs them in.
func (b *azBank) bizUser(login, name string, profile ...identity.Permission) azBizUser {
	b.t.Helper()
	pw, kc := b.businessUser(login, name, profile...)
	u, err := b.app.Identity.UserByLogin(b.ctx, login)
	if err != nil {
		b.t.Fatal(err)
	}
	c := b.client()
	if p, _, _ := c.businessLogin(login, pw, kc); p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("business login of %s: %d", login, p.StatusCode)
	}
	return azBizUser{login: login, password: pw, card: kc, user: u, c: c}
}

// apiKey makes an API key for a user and returns its id and token.
func (b *azBank) apiKey(userID, name string) (string, string) {
	b.t.Helper()
	k, tok, err := b.app.APIKeys.CreateForUser(b.ctx, userID, name, b.clock.Now().AddDate(0, 1, 0), identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return k.ID, tok
}

// partners makes the partner keys and a Visa Secure authentication of the
// first merchant for each customer's card.
func (b *azBank) partners() {
	b.t.Helper()
	for _, p := range []struct {
		actor     string
		kind      apikey.Kind
		creditors []string
	}{
		{"clearing", apikey.Clearing, nil},
		{"creditor", apikey.Creditor, []string{azPBS, azFI}},
		{"creditor2", apikey.Creditor, []string{azOtherPBS, azOtherFI}},
		{"merchant", apikey.Merchant, nil},
		{"merchant2", apikey.Merchant, nil},
	} {
		k, tok, err := b.app.APIKeys.CreatePartner(b.ctx, apikey.PartnerRequest{Kind: p.kind, Name: "AZ " + p.actor,
			Creditors: p.creditors, Expires: b.clock.Now().AddDate(0, 1, 0)}, identity.System)
		if err != nil {
			b.t.Fatal(err)
		}
		b.tokens[p.actor] = tok
		if p.actor != "merchant" {
			continue
		}
		for _, tag := range []string{"vera", "biz"} {
			o := b.objs[tag]
			a, err := b.app.VisaSecure.StartAuthentication(b.ctx, card.Challenge{PAN: o.card.PAN, Amount: 499_00, Currency: "DKK",
				MerchantID: "WEBSHOP00000001", MerchantName: "Webshoppen", Requester: k.ID})
			if err != nil {
				b.t.Fatalf("Visa Secure for %s: %v", tag, err)
			}
			o.visaSecure = a.ID
		}
	}
}

// objects makes one customer's objects as their user (c is the user's
// browser, for the prepared signature). tag names the owner, text prefixes
// the unique texts, n numbers the customer numbers with the creditors.
func (b *azBank) objects(tag, customerID, userID string, c *browserClient, text, n string) *azObjects {
	b.t.Helper()
	ctx := b.ctx
	o := &azObjects{tag: tag, customerID: customerID, userID: userID}
	cust, err := b.app.Identity.Customer(ctx, customerID)
	if err != nil {
		b.t.Fatal(err)
	}
	o.customerName = cust.Name
	o.account = b.openFunded(customerID, text+"-KONTO", 100_000_00)
	other := b.openFunded(customerID, text+"-OPSPARING", 0)
	holder := ""
	if cust.Kind == identity.BusinessCustomer {
		// A card is for a person: the business's card is its owner's.
		h, err := b.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: text + " Kortholder",
			CPR: "120480-" + n + "111", Postcode: "8000", City: "Aarhus C"}, identity.System)
		if err != nil {
			b.t.Fatal(err)
		}
		holder = h.ID
	}
	o.card = b.cards.issueCard(card.IssueRequest{CustomerID: customerID, AccountID: o.account.ID, HolderCustomerID: holder,
		MobileNumber: "20456789"})
	if _, err := b.app.Cards.Activate(ctx, customerID, o.card.Card.ID, card.Actor{ID: userID, Kind: audit.ActorCustomer}); err != nil {
		b.t.Fatal(err)
	}
	b.cards.annaCard = o.card // buy pays with annaCard
	o.auth = b.cards.buy(250_00, text+"-BOGHANDEL").ID
	o.auth2 = b.cards.buy(120_00, text+"-KIOSK").ID
	d, err := b.app.Disputes.OpenDispute(ctx, customerID, card.DisputeRequest{AuthorizationID: o.auth, Case: liability.NotApproved,
		Description: text + "-INDSIGELSE", By: card.Actor{ID: userID, Kind: audit.ActorCustomer}})
	if err != nil {
		b.t.Fatal(err)
	}
	o.dispute = d.ID

	pay := func(amount int64, date time.Time, confirm bool) payment.Payment {
		b.clock.Advance(time.Second)
		p, err := b.app.Payments.Create(ctx, payment.Request{CustomerID: customerID, UserID: userID, ClientID: newTestClientID(),
			FromAccount: o.account.ID, ToReg: other.Reg, ToAccount: other.Number, ToName: text + "-MODTAGER", Amount: amount,
			TextToSelf: text + "-HUSLEJE", Date: date})
		if err != nil {
			b.t.Fatal(err)
		}
		if confirm {
			if p, err = b.app.Payments.Confirm(ctx, customerID, p.ID, "doc-"+p.ID, userID); err != nil {
				b.t.Fatal(err)
			}
		}
		return p
	}
	o.settled = pay(100_00, time.Time{}, true).ID
	o.scheduled = pay(200_00, time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), true).ID
	o.unsigned = pay(300_00, time.Time{}, false).ID
	if tag == "biz" {
		o.awaiting = pay(5_000_00, time.Time{}, true).ID // over the approval limit: four-eyes
	}
	sp := readSignPage(b.t, c.post("/netbank/betalinger/"+o.unsigned+"/underskriv", nil))
	o.signRequest, o.sealed = sp.id, sp.sealed

	actor := inbox.Actor{ID: userID, Kind: audit.ActorCustomer, Name: cust.Name}
	m, err := b.app.Inbox.Write(ctx, customerID, "", text+"-EMNE", text+"-BESKED", actor)
	if err != nil {
		b.t.Fatal(err)
	}
	o.thread = m.ThreadID
	ctr := b.publish(customerID, text+"-KONTRAKT", text+"-VILKÅR", inbox.Distance)
	if _, err := b.app.Inbox.Approve(ctx, customerID, ctr.ID, "doc-"+ctr.ID, actor); err != nil {
		b.t.Fatal(err)
	}
	o.contract = ctr.ID

	register := func(kind agreement.Kind, creditor, group, customerNumber string) string {
		a, err := b.app.Agreements.Register(ctx, agreement.Request{CustomerID: customerID, UserID: userID, ClientID: newTestClientID(),
			Kind: kind, AccountID: o.account.ID, CreditorNumber: creditor, DebtorGroup: group, CustomerNumber: customerNumber,
			CreditorName: text + "-KREDITOR"})
		if err != nil {
			b.t.Fatal(err)
		}
		return a.ID
	}
	o.bsAgreement = register(agreement.Betalingsservice, azPBS, "1", "57100"+n)
	register(agreement.EInvoice, azFI, "", "44100"+n)
	o.collectionRef = "az-col-" + tag
	col, err := b.app.Agreements.Announce(ctx, agreement.Announcement{CreditorNumber: azPBS, DebtorGroup: "1",
		CustomerNumber: "57100" + n, Amount: 645_50, DueDate: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
		Text: text + "-OPKRÆVNING", CreditorReference: o.collectionRef})
	if err != nil {
		b.t.Fatal(err)
	}
	o.collection = col.ID
	o.invoiceRef = "az-inv-" + tag
	inv, err := b.app.Agreements.SendInvoice(ctx, agreement.Invoice{CreditorNumber: azFI, CustomerNumber: "44100" + n,
		SlipType: "71", PaymentID: waterSlipID, Amount: 375_00, DueDate: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
		Text: text + "-REGNING", CreditorName: text + "-VANDVÆRK", Reference: o.invoiceRef})
	if err != nil {
		b.t.Fatal(err)
	}
	o.invoice = inv.ID
	batch, err := b.app.Payments.LoadFile(ctx, customerID, userID, strings.ToLower(text)+"-fil.csv",
		payCSV(o.account, ";10,00;"+other.Reg+";"+other.Number+";"+text+"-FILMODTAGER;A"), "")
	if err != nil {
		b.t.Fatal(err)
	}
	o.batch = batch.ID
	return o
}

// ids are the ids of o's objects, as the matrix names them.
func (o *azObjects) ids() []string {
	ids := []string{o.customerID, o.userID, o.account.ID, o.card.Card.ID, o.auth, o.auth2, o.dispute, o.settled, o.scheduled,
		o.unsigned, o.awaiting, o.thread, o.contract, o.bsAgreement, o.collection, o.invoice, o.batch, o.apiKey, o.signRequest,
		o.visaSecure, o.collectionRef, o.invoiceRef}
	return slices.DeleteFunc(ids, func(s string) bool { return s == "" })
}

// markersOf lists what of o no one else may see: its ids and unique texts.
func (b *azBank) markersOf(o *azObjects) []string {
	m := append(o.ids(), o.account.Number, o.account.IBAN)
	if o.tag != "biz" {
		m = append(m, o.customerName)
	}
	for _, text := range []string{"KONTO", "OPSPARING", "BOGHANDEL", "KIOSK", "INDSIGELSE", "MODTAGER", "HUSLEJE", "EMNE",
		"BESKED", "KONTRAKT", "VILKÅR", "KREDITOR", "OPKRÆVNING", "REGNING", "VANDVÆRK", "FILMODTAGER", "NØGLE"} {
		m = append(m, map[string]string{"vera": "VERA-", "biz": "HANSEN-", "ole": "OLE-"}[o.tag]+text)
	}
	return slices.DeleteFunc(m, func(s string) bool { return s == "" })
}

// azCustomerOf names the customer an actor belongs to ("" for staff,
// partners and the anonymous).
func azCustomerOf(actor string) string {
	switch actor {
	case "vera", "ole":
		return actor
	case "jens", "karin":
		return "biz"
	}
	return ""
}

// leaks returns the markers of other customers than actor's that body
// contains, leaving out those the request itself named (a 404 page may
// repeat the address it was asked for).
func (b *azBank) leaks(actor, body, request string) []string {
	body = html.UnescapeString(body)
	own := azCustomerOf(actor)
	var found []string
	for tag, o := range b.objs {
		if tag == own {
			continue
		}
		for _, m := range o.markers {
			if strings.Contains(body, m) && !strings.Contains(request, m) {
				found = append(found, tag+":"+m)
			}
		}
	}
	sort.Strings(found)
	return found
}

// webClient is the browser of a web actor.
func (b *azBank) webClient(actor string) *browserClient {
	switch actor {
	case "anon":
		return b.anon
	case "vera":
		return b.vera.c
	case "ole":
		return b.ole.c
	case "jens":
		return b.jens.c
	case "karin":
		return b.karin.c
	}
	if c, ok := b.crew[actor]; ok {
		return c
	}
	if c, ok := b.others[actor]; ok {
		return c
	}
	b.t.Fatalf("no web actor %q", actor)
	return nil
}

// apiCall is one answer of the bank (the JSON API or a page).
type apiCall struct {
	status int
	body   string
	header http.Header
}

// location is the Location of a redirect.
func (c apiCall) location() string { return c.header.Get("Location") }

// api sends one request to the JSON API with an actor's token ("none": no
// token) and a JSON body.
func (b *azBank) api(actor, method, path, body string) apiCall {
	b.t.Helper()
	return b.apiCtype(actor, method, path, body, "")
}

// apiCtype is api with a body of the content type ctype ("": JSON).
func (b *azBank) apiCtype(actor, method, path, body, ctype string) apiCall {
	b.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	req, err := http.NewRequest(method, b.url+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if method == http.MethodPost {
		// Binding requests need one; a fresh one makes every request new.
		req.Header.Set("Idempotency-Key", newTestClientID())
	}
	if actor != "none" {
		tok, ok := b.tokens[actor]
		if !ok {
			b.t.Fatalf("no API actor %q", actor)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return apiCall{status: resp.StatusCode, body: string(data), header: resp.Header}
}

// azVolatile are the tables a refused request may touch without changing
// anything of a customer's: the sessions (last activity), the login
// challenges of the caller's own pages (only prepared signatures count),
// the rate limits, the audit log (refusals may be logged) and the
// scheduler's runs. Columns: the last use of an API key.
var (
	azVolatileTables = map[string]bool{"sessions": true, "rate_limits": true, "audit_log": true, "audit_head": true,
		"job_runs": true, "schema_migrations": true}
	azTableFilter    = map[string]string{"login_challenges": " WHERE purpose LIKE 'sign:%'"}
	azVolatileColumn = map[string]bool{"api_keys.last_used_at": true}
)

// digest fingerprints every row of the bank's tables but the volatile
// ones: equal digests before and after a request prove it changed nothing.
func (b *azBank) digest() string {
	b.t.Helper()
	tables := b.tables()
	h := sha256.New()
	for _, table := range tables {
		if azVolatileTables[table] {
			continue
		}
		rows, err := b.app.DB.Query(b.ctx, "SELECT * FROM "+table+azTableFilter[table])
		if err != nil {
			b.t.Fatalf("digest %s: %v", table, err)
		}
		lines, err := azRows(table, rows)
		if err != nil {
			b.t.Fatalf("digest %s: %v", table, err)
		}
		fmt.Fprintf(h, "%s %d\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tables lists the bank's tables on either engine.
func (b *azBank) tables() []string {
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if b.app.DB.Engine() == store.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := b.app.DB.Query(b.ctx, q)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			b.t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		b.t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

// azRows reads every row as one line of its column values, sorted.
func azRows(table string, rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var line strings.Builder
		for i, v := range vals {
			if azVolatileColumn[table+"."+cols[i]] {
				continue
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&line, "%s=%v\x1f", cols[i], v)
		}
		lines = append(lines, line.String())
	}
	sort.Strings(lines)
	return lines, rows.Err()
}

// azForm is url.Values from pairs of key and value.
func azForm(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}
