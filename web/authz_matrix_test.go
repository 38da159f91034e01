package web_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/netbank/netbank/api"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/web"
)

// The authorization matrix: for every route of the net bank, the back
// office and the JSON API, who may not read or act on what. The routes are
// enumerated from the servers themselves (web.Server.Routes, api.Server.Routes),
// so a route added without an entry here fails TestAuthzMatrixCoversEveryRoute.
//
// The rules the matrix proves (RULES BIZ-2, BIZ-5, SESS-5 and the API's
// "another customer's ids are 404"):
//
//   - Another customer's object — account, card, card transaction,
//     dispute, payment, payment file, message thread, contract, agreement,
//     collection, bill, API key, prepared signature — is 404, exactly like
//     one that does not exist, on every route that names one in the path.
//     A form or body that names one (pay from another's account) is refused
//     as any unknown value of the field is (400, or 422 for a payment file
//     none of whose lines can be paid). The answer is the same as for an id
//     that exists nowhere (the "ghost" of each first attempt), so it tells
//     nothing about existence. The owner's own GET of the same address
//     works (a control, so a 404 is not just a wrong address), and every
//     address is routed to the pattern it is meant for.
//   - A business user does only what the profile allows (BIZ-5): Karin,
//     who may only see, gets 403 for everything that creates, approves or
//     cancels; Jens may not approve his own payment (four eyes).
//   - Staff reach only the back office pages of their roles (403), customers
//     none (403), staff no net bank page (403); without a session every
//     page goes to its login page.
//   - API partners reach only their role's endpoints (403); a creditor or
//     a merchant only its own collections, bills and authentications (404).
//   - No answer to anyone contains another customer's ids or texts, and no
//     refused request changes anything: every row of the bank's tables is
//     the same before and after (azBank.digest).

// azKind is what the matrix proves of a route.
type azKind int

const (
	// azPublic: no login (start page, static files, login pages). The
	// attack tests cover them (CSRF, input).
	azPublic azKind = iota
	// azSelf: behind a login, acting on the caller's own session or user
	// only: no object of anyone else can be named.
	azSelf
	// azOwn: a page of the caller's own things; it must show nothing of
	// anyone else's.
	azOwn
	// azObject: names an object in the path (filled with the victim's):
	// another customer's is 404.
	azObject
	// azForged: a form or body naming another customer's object (filled
	// from the victim's): refused.
	azForged
	// azStaff: a back office page for staff with role.
	azStaff
	// azPeek: the session countdown's poll; answers JSON, never data.
	azPeek
)

// azRoute is the matrix's entry for one route.
type azRoute struct {
	kind azKind
	// path is the address with the parameters filled from o's objects.
	path func(o *azObjects) string
	// form is the web POST form (the CSRF token is added) and body the
	// API's JSON body or the file a web form uploads, filled from o's
	// objects; nil: none.
	form func(o *azObjects) url.Values
	body func(o *azObjects) string
	// ctype is the API body's content type (default application/json).
	// A web route with a body uploads it as the file of a multipart form.
	ctype string
	// uncoded (API): the refusal is a documented answer of its own, not
	// the coded error body.
	uncoded bool
	// want is the status of a refusal (default: 404 for azObject, 400 for
	// azForged, 403 for azStaff).
	want int
	// wantBy overrides want for an actor.
	wantBy map[string]int
	// karin is the status Karin (business, may only see) gets for the
	// business's own object: 403 where the profile forbids (BIZ-5); 0:
	// not tried.
	karin int
	// role is the staff role an azStaff route needs ("" any staff).
	role string
	// control is the status range the owner's GET must get: 0 means
	// "below 400"; -1 means no control (the page needs more than the
	// object, said in note).
	control int
	// guard (API) is who the route lets in: "customer", or a partner role
	// list ("creditor", "merchant", "merchant clearing").
	guard string
	// extra are further attempts of the route (see the entries).
	extra func(b *azBank) []azAttempt
	note  string
}

// azAttempt is one request of the matrix and what must come of it.
type azAttempt struct {
	actor  string
	method string
	path   string
	form   url.Values
	body   string
	ctype  string
	// want: the exact status; 0: any status below 500 (a page of one's
	// own, checked for leaks only).
	want int
	// location: for a 303, the prefix of its Location.
	location string
	// contains: the answer must contain this.
	contains string
	// route: the pattern the request must be routed to (a typo in a path
	// would otherwise pass as a 404).
	route string
	// ghost: the same request with the victim's ids replaced by ids that
	// exist nowhere must be answered the same (no existence leak).
	ghost bool
}

// sent is everything the attempt sends, decoded: an answer may repeat it.
func (a azAttempt) sent() string {
	parts := []string{a.path, a.body}
	if p, err := url.QueryUnescape(a.path); err == nil {
		parts = append(parts, p)
	}
	for _, vs := range a.form {
		parts = append(parts, vs...)
	}
	return strings.Join(parts, "\n")
}

func (a azAttempt) String() string {
	return fmt.Sprintf("%s %s %s", a.actor, a.method, a.path)
}

// Path makers for the entries.
func azFixed(p string) func(*azObjects) string { return func(*azObjects) string { return p } }

func azAt(format string, field func(o *azObjects) string) func(*azObjects) string {
	return func(o *azObjects) string { return fmt.Sprintf(format, field(o)) }
}

func azAt2(format string, f1, f2 func(o *azObjects) string) func(*azObjects) string {
	return func(o *azObjects) string { return fmt.Sprintf(format, f1(o), f2(o)) }
}

// Fields of azObjects, for azAt.
var (
	azAccount   = func(o *azObjects) string { return o.account.ID }
	azCard      = func(o *azObjects) string { return o.card.Card.ID }
	azAuth2     = func(o *azObjects) string { return o.auth2 }
	azDispute   = func(o *azObjects) string { return o.dispute }
	azSettled   = func(o *azObjects) string { return o.settled }
	azScheduled = func(o *azObjects) string { return o.scheduled }
	azUnsigned  = func(o *azObjects) string { return o.unsigned }
	// azApprovable is the business's payment awaiting approval; a private
	// customer has none, so theirs is the scheduled one.
	azApprovable = func(o *azObjects) string { return cmp.Or(o.awaiting, o.scheduled) }
	azThread     = func(o *azObjects) string { return o.thread }
	azContract   = func(o *azObjects) string { return o.contract }
	azAgreement  = func(o *azObjects) string { return o.bsAgreement }
	azCollection = func(o *azObjects) string { return o.collection }
	azInvoice    = func(o *azObjects) string { return o.invoice }
	azBatch      = func(o *azObjects) string { return o.batch }
	azKey        = func(o *azObjects) string { return o.apiKey }
	azCustomer   = func(o *azObjects) string { return o.customerID }
	azUser       = func(o *azObjects) string { return o.userID }
	azSign       = func(o *azObjects) string { return o.signRequest }
)

// azPaymentForm is "Ny betaling" from o's account to an account in
// another bank.
func azPaymentForm(o *azObjects) url.Values {
	return azForm("mode", "transfer", "client_id", "az-forged-"+o.tag, "from", o.account.ID, "to_kind", "other",
		"reg", "5301", "account", "0012345678", "name", "Modtager", "amount", "10,00")
}

// azForeignFile is a CSV payment file paying from o's account.
func azForeignFile(o *azObjects) string {
	return string(payCSV(o.account, ";10,00;5301;0012345678;Fremmed;A"))
}

// azWebMatrix is the matrix of the web routes, by pattern.
var azWebMatrix = map[string]azRoute{
	"GET /static/{file}":                    {kind: azPublic},
	"GET /{$}":                              {kind: azPublic},
	"GET /login":                            {kind: azPublic},
	"GET /login/":                           {kind: azPublic},
	"POST /login/private":                   {kind: azPublic},
	"POST /login/private/pin":               {kind: azPublic},
	"POST /login/private/enroll":            {kind: azPublic},
	"POST /login/private/signature":         {kind: azPublic},
	"POST /login/business":                  {kind: azPublic},
	"POST /login/business/code":             {kind: azPublic},
	"POST /logout":                          {kind: azPublic, note: "ends the cookie's own session only"},
	"GET /backoffice/login":                 {kind: azPublic},
	"POST /backoffice/login":                {kind: azPublic},
	"POST /backoffice/logout":               {kind: azPublic, note: "ends the cookie's own session only"},
	"GET /backoffice/{$}":                   {kind: azPublic, note: "a redirect to /backoffice"},
	"GET /netbank/session/status":           {kind: azPeek, path: azFixed("/netbank/session/status")},
	"POST /netbank/session/extend":          {kind: azSelf, path: azFixed("/netbank/session/extend")},
	"GET /netbank/noegleapp":                {kind: azSelf, path: azFixed("/netbank/noegleapp")},
	"POST /netbank/noegleapp":               {kind: azSelf, path: azFixed("/netbank/noegleapp")},
	"POST /netbank/noegleapp/bekraeft":      {kind: azSelf, path: azFixed("/netbank/noegleapp/bekraeft"), note: "the challenge is the user's own (identity.ConfirmKeyApp)"},
	"GET /netbank/spaerring":                {kind: azSelf, path: azFixed("/netbank/spaerring")},
	"POST /netbank/spaerring":               {kind: azSelf, path: azFixed("/netbank/spaerring"), form: func(*azObjects) url.Values { return azForm("confirm", "yes") }},
	"GET /netbank/underskriftskode":         {kind: azSelf, path: azFixed("/netbank/underskriftskode")},
	"POST /netbank/underskriftskode":        {kind: azSelf, path: azFixed("/netbank/underskriftskode"), note: "the challenge is the user's own (identity.ChangeCode)"},
	"GET /netbank/beskeder/ny":              {kind: azSelf, path: azFixed("/netbank/beskeder/ny")},
	"POST /netbank/beskeder/ny":             {kind: azSelf, path: azFixed("/netbank/beskeder/ny"), note: "a new thread of the caller's own customer"},
	"GET /netbank/underskriv/{request}":     {kind: azSelf, path: azAt("/netbank/underskriv/%s", azSign), note: "shows nothing: back to /netbank"},
	"GET /netbank/betalinger/fil/konverter": {kind: azSelf, path: azFixed("/netbank/betalinger/fil/konverter"), karin: 403},
	"POST /netbank/betalinger/fil/konverter": {kind: azSelf, path: azFixed("/netbank/betalinger/fil/konverter"), karin: 403,
		body: azForeignFile, note: "converts the uploaded file; nothing is stored"},
	"POST /netbank/api-adgang": {kind: azSelf, path: azFixed("/netbank/api-adgang"), note: "a key of the caller's own user, with the user's profile"},

	"GET /netbank":                         {kind: azOwn, path: azFixed("/netbank")},
	"GET /netbank/konti":                   {kind: azOwn, path: azFixed("/netbank/konti")},
	"GET /netbank/beskeder":                {kind: azOwn, path: azFixed("/netbank/beskeder")},
	"GET /netbank/kontrakter":              {kind: azOwn, path: azFixed("/netbank/kontrakter")},
	"GET /netbank/betalinger":              {kind: azOwn, path: azFixed("/netbank/betalinger")},
	"GET /netbank/betalinger/kommende":     {kind: azOwn, path: azFixed("/netbank/betalinger/kommende")},
	"GET /netbank/betalinger/fra-udlandet": {kind: azOwn, path: azFixed("/netbank/betalinger/fra-udlandet")},
	"GET /netbank/regninger":               {kind: azOwn, path: azFixed("/netbank/regninger")},
	"GET /netbank/aftaler":                 {kind: azOwn, path: azFixed("/netbank/aftaler")},
	"GET /netbank/betalinger/fil":          {kind: azOwn, path: azFixed("/netbank/betalinger/fil")},
	"GET /netbank/api-adgang":              {kind: azOwn, path: azFixed("/netbank/api-adgang")},
	"GET /netbank/kort":                    {kind: azOwn, path: azFixed("/netbank/kort")},
	"GET /netbank/indsigelser":             {kind: azOwn, path: azFixed("/netbank/indsigelser")},
	"GET /netbank/betalinger/historik": {kind: azOwn, path: azFixed("/netbank/betalinger/historik"),
		extra: func(b *azBank) []azAttempt {
			// The account filter with another customer's account shows nothing of it.
			return []azAttempt{{actor: "ole", method: "GET", path: "/netbank/betalinger/historik?konto=" + b.objs["vera"].account.ID}}
		}},
	"GET /netbank/spaerring/kort": {kind: azOwn, path: azFixed("/netbank/spaerring/kort"),
		extra: func(b *azBank) []azAttempt {
			// "Kortet er spærret" for another customer's card is 404.
			return []azAttempt{{actor: "ole", method: "GET", path: "/netbank/spaerring/kort?spaerret=" + b.objs["vera"].card.Card.ID, want: 404}}
		}},

	"GET /netbank/konti/{id}":             {kind: azObject, path: azAt("/netbank/konti/%s", azAccount)},
	"GET /netbank/konti/{id}/eksport.csv": {kind: azObject, path: azAt("/netbank/konti/%s/eksport.csv", azAccount)},
	"GET /netbank/konti/{id}/kontoudtog":  {kind: azObject, path: azAt("/netbank/konti/%s/kontoudtog", azAccount)},
	"GET /netbank/beskeder/{thread}":      {kind: azObject, path: azAt("/netbank/beskeder/%s", azThread)},
	"POST /netbank/beskeder/{thread}": {kind: azObject, path: azAt("/netbank/beskeder/%s", azThread),
		form: func(*azObjects) url.Values { return azForm("body", "Et svar fra en fremmed") }},
	"GET /netbank/kontrakter/{id}":          {kind: azObject, path: azAt("/netbank/kontrakter/%s", azContract)},
	"POST /netbank/kontrakter/{id}/godkend": {kind: azObject, path: azAt("/netbank/kontrakter/%s/godkend", azContract), karin: 403},
	"GET /netbank/kontrakter/{id}/fortryd":  {kind: azObject, path: azAt("/netbank/kontrakter/%s/fortryd", azContract)},
	"POST /netbank/kontrakter/{id}/fortryd": {kind: azObject, path: azAt("/netbank/kontrakter/%s/fortryd", azContract), karin: 403,
		form: func(*azObjects) url.Values { return azForm("confirm", "yes") }},
	"POST /netbank/underskriv/{request}": {kind: azObject, path: azAt("/netbank/underskriv/%s", azSign),
		form: func(o *azObjects) url.Values {
			return azForm("request", o.sealed, "checksum", "0000", "signature", "AAAA", "password", "x", "code", "000000")
		}, note: "the victim's sealed request, as if stolen from her page"},
	"POST /netbank/betalinger/{id}/underskriv": {kind: azObject, path: azAt("/netbank/betalinger/%s/underskriv", azUnsigned), karin: 403},
	"GET /netbank/betalinger/{id}/kvittering":  {kind: azObject, path: azAt("/netbank/betalinger/%s/kvittering", azSettled)},
	"GET /netbank/betalinger/{id}/swift": {kind: azObject, path: azAt("/netbank/betalinger/%s/swift", azSettled), control: -1,
		note: "a domestic payment has no pacs.008: the owner's control would be 404 too"},
	"POST /netbank/betalinger/{id}/slet": {kind: azObject, path: azAt("/netbank/betalinger/%s/slet", azScheduled), karin: 403},
	"POST /netbank/betalinger/{id}/godkend": {kind: azObject, path: azAt("/netbank/betalinger/%s/godkend", azApprovable), karin: 403, wantBy: map[string]int{"ole": 403},
		extra: func(b *azBank) []azAttempt {
			// Four eyes: Jens made the payment and may not approve it (BIZ-5).
			return []azAttempt{{actor: "jens", method: "POST", path: "/netbank/betalinger/" + b.objs["biz"].awaiting + "/godkend", want: 403}}
		}, note: "a private user may approve nothing (403 first); Jens gets 404 for Vera's payment"},
	"GET /netbank/regninger/{id}": {kind: azObject, path: azAt("/netbank/regninger/%s", azInvoice)},
	"POST /netbank/regninger/{id}/godkend": {kind: azObject, path: azAt("/netbank/regninger/%s/godkend", azInvoice), karin: 403,
		extra: func(b *azBank) []azAttempt {
			// Jens approves the business's own bill, paid from Vera's account.
			return []azAttempt{{actor: "jens", method: "POST", path: "/netbank/regninger/" + b.objs["biz"].invoice + "/godkend",
				form: azForm("from", b.objs["vera"].account.ID, "client_id", "az-bill"), want: 400}}
		}},
	"POST /netbank/regninger/{id}/afvis": {kind: azObject, path: azAt("/netbank/regninger/%s/afvis", azInvoice), karin: 403,
		form: func(*azObjects) url.Values { return azForm("reason", "Fremmed afvisning") }},
	"POST /netbank/aftaler/{id}/opsig":             {kind: azObject, path: azAt("/netbank/aftaler/%s/opsig", azAgreement), karin: 403},
	"POST /netbank/aftaler/betalinger/{id}/afvis":  {kind: azObject, path: azAt("/netbank/aftaler/betalinger/%s/afvis", azCollection), karin: 403},
	"GET /netbank/betalinger/fil/{id}/gennemse":    {kind: azObject, path: azAt("/netbank/betalinger/fil/%s/gennemse", azBatch)},
	"POST /netbank/betalinger/fil/{id}/underskriv": {kind: azObject, path: azAt("/netbank/betalinger/fil/%s/underskriv", azBatch), karin: 403},
	"POST /netbank/betalinger/fil/{id}/annuller":   {kind: azObject, path: azAt("/netbank/betalinger/fil/%s/annuller", azBatch), karin: 403},
	"GET /netbank/betalinger/fil/{id}/kvittering":  {kind: azObject, path: azAt("/netbank/betalinger/fil/%s/kvittering", azBatch)},
	"POST /netbank/betalinger/fil/{id}/fortsaet":   {kind: azObject, path: azAt("/netbank/betalinger/fil/%s/fortsaet", azBatch), karin: 403},
	"POST /netbank/api-adgang/{id}/tilbagekald": {kind: azObject, path: azAt("/netbank/api-adgang/%s/tilbagekald", azKey), karin: 404,
		note: "a key is its user's own: Karin gets 404 for Jens's key too"},
	"GET /netbank/kort/{id}":          {kind: azObject, path: azAt("/netbank/kort/%s", azCard)},
	"POST /netbank/kort/{id}/aktiver": {kind: azObject, path: azAt("/netbank/kort/%s/aktiver", azCard), karin: 403},
	"POST /netbank/kort/{id}/mobil": {kind: azObject, path: azAt("/netbank/kort/%s/mobil", azCard), karin: 403,
		form: func(*azObjects) url.Values { return azForm("mobile", "+4531313131") }},
	"POST /netbank/kort/{id}/mobil/fjern": {kind: azObject, path: azAt("/netbank/kort/%s/mobil/fjern", azCard), karin: 403},
	"POST /netbank/spaerring/kort/{id}": {kind: azObject, path: azAt("/netbank/spaerring/kort/%s", azCard),
		form: func(*azObjects) url.Values { return azForm("reason", "lost") }},
	"GET /netbank/kort/{id}/nytkort":           {kind: azObject, path: azAt("/netbank/kort/%s/nytkort", azCard)},
	"POST /netbank/kort/{id}/nytkort":          {kind: azObject, path: azAt("/netbank/kort/%s/nytkort", azCard), karin: 403},
	"GET /netbank/kort/{id}/opsig":             {kind: azObject, path: azAt("/netbank/kort/%s/opsig", azCard)},
	"POST /netbank/kort/{id}/opsig":            {kind: azObject, path: azAt("/netbank/kort/%s/opsig", azCard), karin: 403},
	"GET /netbank/kort/pinkodehusker":          {kind: azSelf, path: azFixed("/netbank/kort/pinkodehusker")},
	"GET /netbank/kort/{id}/indsigelse":        {kind: azObject, path: azAt("/netbank/kort/%s/indsigelse", azCard)},
	"GET /netbank/kort/{id}/indsigelse/{auth}": {kind: azObject, path: azAt2("/netbank/kort/%s/indsigelse/%s", azCard, azAuth2)},
	"POST /netbank/kort/{id}/indsigelse/{auth}": {kind: azObject, path: azAt2("/netbank/kort/%s/indsigelse/%s", azCard, azAuth2), karin: 403,
		form: func(*azObjects) url.Values {
			return azForm("case", "not_approved", "description", "Fremmed indsigelse")
		},
		extra: func(b *azBank) []azAttempt {
			// The business's own card with Vera's purchase.
			biz, vera := b.objs["biz"], b.objs["vera"]
			return []azAttempt{{actor: "jens", method: "POST", path: "/netbank/kort/" + biz.card.Card.ID + "/indsigelse/" + vera.auth2,
				form: azForm("case", "not_approved", "description", "Fremmed indsigelse"), want: 404}}
		}},
	"GET /netbank/indsigelser/{id}": {kind: azObject, path: azAt("/netbank/indsigelser/%s", azDispute)},

	"POST /netbank/betalinger": {kind: azForged, path: azFixed("/netbank/betalinger"), form: azPaymentForm, karin: 403},
	"POST /netbank/aftaler": {kind: azForged, path: azFixed("/netbank/aftaler"), karin: 403,
		form: func(o *azObjects) url.Values {
			return azForm("kind", "betalingsservice", "client_id", "az-agr-"+o.tag, "name", "Ørsted", "creditor", azPBS,
				"debtor_group", "1", "customer_number", "9990001", "from", o.account.ID)
		}},
	"POST /netbank/aftaler/eindbetaling": {kind: azForged, path: azFixed("/netbank/aftaler/eindbetaling"), karin: 403, want: 404,
		form: func(o *azObjects) url.Values {
			return azForm("payment", o.settled, "customer_number", "9990002", "confirm", "yes")
		}},
	"POST /netbank/betalinger/fil": {kind: azForged, path: azFixed("/netbank/betalinger/fil"), karin: 403, want: 422,
		form: func(o *azObjects) url.Values { return azForm("from", o.account.ID) }, body: azForeignFile,
		note: "a CSV file paying from the victim's account: no line can be paid, nothing is kept"},

	"GET /backoffice": {kind: azStaff, path: azFixed("/backoffice")},
	"POST /backoffice": {kind: azStaff, path: azFixed("/backoffice"), form: func(*azObjects) url.Values { return azForm("q", "Vera") },
		extra: func(b *azBank) []azAttempt {
			// Staff who do not serve customers find none (their page
			// shows no results at all).
			return []azAttempt{
				{actor: identity.RoleAuditor, method: "POST", path: "/backoffice", form: azForm("q", "Vera Vestergaard")},
				{actor: identity.RoleContract, method: "POST", path: "/backoffice", form: azForm("q", "Vera Vestergaard")},
				{actor: identity.RoleAuditor, method: "GET", path: "/backoffice?q=Hansen", route: "GET /backoffice"},
			}
		}},
	"GET /backoffice/kunder/ny": {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/kunder/ny")},
	"POST /backoffice/kunder/ny": {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/kunder/ny"),
		form: func(*azObjects) url.Values {
			return azForm("kind", "private", "name", "Ny Kunde", "cpr", "010101-1234", "address", "Gade 1", "postcode", "1000", "city", "København K")
		}},
	"GET /backoffice/kunder/{id}":               {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kunder/%s", azCustomer)},
	"POST /backoffice/kunder/{id}/brugere":      {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kunder/%s/brugere", azCustomer)},
	"GET /backoffice/brugere/{id}":              {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/brugere/%s", azUser)},
	"POST /backoffice/brugere/{id}/pinkode":     {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/brugere/%s/pinkode", azUser)},
	"POST /backoffice/brugere/{id}/ophaev":      {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/brugere/%s/ophaev", azUser)},
	"POST /backoffice/brugere/{id}/noeglekort":  {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/brugere/%s/noeglekort", azUser)},
	"POST /backoffice/brugere/{id}/adgangskode": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/brugere/%s/adgangskode", azUser)},
	"GET /backoffice/revision":                  {kind: azStaff, role: identity.RoleAuditor, path: azFixed("/backoffice/revision")},
	"POST /backoffice/revision/kontroller":      {kind: azStaff, role: identity.RoleAuditor, path: azFixed("/backoffice/revision/kontroller")},
	"GET /backoffice/medarbejdere":              {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/medarbejdere")},
	"POST /backoffice/medarbejdere/ophaev": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/medarbejdere/ophaev"),
		form: func(*azObjects) url.Values { return azForm("username", "az-support") }},
	"GET /backoffice/beskeder": {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/beskeder")},
	"POST /backoffice/kunder/{id}/beskeder": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kunder/%s/beskeder", azCustomer),
		form: func(*azObjects) url.Values { return azForm("subject", "Hej", "body", "Fra banken") }},
	"GET /backoffice/kunder/{id}/beskeder/{thread}": {kind: azStaff, role: identity.RoleSupport,
		path: azAt2("/backoffice/kunder/%s/beskeder/%s", azCustomer, azThread)},
	"POST /backoffice/kunder/{id}/beskeder/{thread}": {kind: azStaff, role: identity.RoleSupport,
		path: azAt2("/backoffice/kunder/%s/beskeder/%s", azCustomer, azThread), form: func(*azObjects) url.Values { return azForm("body", "Svar") }},
	"GET /backoffice/kunder/{id}/kontrakter": {kind: azStaff, role: identity.RoleContract, path: azAt("/backoffice/kunder/%s/kontrakter", azCustomer)},
	"POST /backoffice/kunder/{id}/kontrakter": {kind: azStaff, role: identity.RoleContract, path: azAt("/backoffice/kunder/%s/kontrakter", azCustomer),
		form: func(*azObjects) url.Values { return azForm("title", "Aftale", "kind", "distance", "body", "Vilkår") }},
	"GET /backoffice/priser": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/priser")},
	"POST /backoffice/priser/kurs": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/priser/kurs"),
		form: func(*azObjects) url.Values { return azForm("currency", "EUR", "rate", "7,00") }},
	"POST /backoffice/priser/pris": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/priser/pris"),
		form: func(*azObjects) url.Values { return azForm("key", "card.fee.visa_debit", "amount", "1,00") }},
	"GET /backoffice/api-klienter": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/api-klienter")},
	"POST /backoffice/api-klienter": {kind: azStaff, role: identity.RoleAdmin, path: azFixed("/backoffice/api-klienter"),
		form: func(*azObjects) url.Values { return azForm("role", "clearing", "name", "Fremmed", "validity", "30") }},
	"POST /backoffice/api-klienter/{id}/tilbagekald": {kind: azStaff, role: identity.RoleAdmin, path: azAt("/backoffice/api-klienter/%s/tilbagekald", azKey)},
	"GET /backoffice/sms":                            {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/sms")},
	"GET /backoffice/kort":                           {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/kort")},
	"POST /backoffice/kort":                          {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/kort"), form: func(*azObjects) url.Values { return azForm("q", "Vera") }},
	"GET /backoffice/kunder/{id}/kort":               {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kunder/%s/kort", azCustomer)},
	"POST /backoffice/kort/udsted": {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/kort/udsted"),
		form: func(o *azObjects) url.Values {
			return azForm("kunde", o.customerID, "account", o.account.ID, "type", "visa_debit")
		}},
	"POST /backoffice/kort/{id}/spaer": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/spaer", azCard),
		form: func(*azObjects) url.Values { return azForm("reason", "lost") }},
	"POST /backoffice/kort/{id}/ophaev": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/ophaev", azCard)},
	"POST /backoffice/kort/{id}/erstat": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/erstat", azCard),
		form: func(*azObjects) url.Values { return azForm("reason", "damaged") }},
	"POST /backoffice/kort/{id}/forny":         {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/forny", azCard)},
	"POST /backoffice/kort/{id}/opsig":         {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/opsig", azCard)},
	"POST /backoffice/kort/{id}/pinkode":       {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/pinkode", azCard)},
	"POST /backoffice/kort/{id}/fuldmagt":      {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/kort/%s/fuldmagt", azCard)},
	"GET /backoffice/indsigelser":              {kind: azStaff, role: identity.RoleSupport, path: azFixed("/backoffice/indsigelser")},
	"GET /backoffice/indsigelser/{id}":         {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/indsigelser/%s", azDispute)},
	"POST /backoffice/indsigelser/{id}/beregn": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/indsigelser/%s/beregn", azDispute)},
	"POST /backoffice/indsigelser/{id}/afgoer": {kind: azStaff, role: identity.RoleSupport, path: azAt("/backoffice/indsigelser/%s/afgoer", azDispute),
		form: func(*azObjects) url.Values { return azForm("outcome", "unfounded") }},
}

// azAPIMatrix is the matrix of the API routes, by "METHOD path".
var azAPIMatrix = map[string]azRoute{
	"GET /api/v1/openapi.yaml":          {kind: azPublic},
	"GET /api/v1/calendar":              {kind: azPublic},
	"GET /api/v1/banks/{reg}":           {kind: azPublic},
	"GET /api/v1/validate/iban":         {kind: azPublic},
	"GET /api/v1/validate/payment-slip": {kind: azPublic},
	"GET /api/v1/rates":                 {kind: azPublic},

	"GET /api/v1/accounts":                  {kind: azOwn, guard: "customer", path: azFixed("/api/v1/accounts")},
	"GET /api/v1/payments":                  {kind: azOwn, guard: "customer", path: azFixed("/api/v1/payments")},
	"GET /api/v1/payments/upcoming":         {kind: azOwn, guard: "customer", path: azFixed("/api/v1/payments/upcoming")},
	"GET /api/v1/incoming-payments":         {kind: azOwn, guard: "customer", path: azFixed("/api/v1/incoming-payments")},
	"GET /api/v1/agreements":                {kind: azOwn, guard: "customer", path: azFixed("/api/v1/agreements")},
	"GET /api/v1/betalingsservice/upcoming": {kind: azOwn, guard: "customer", path: azFixed("/api/v1/betalingsservice/upcoming")},
	"GET /api/v1/invoices":                  {kind: azOwn, guard: "customer", path: azFixed("/api/v1/invoices")},

	"GET /api/v1/accounts/{id}":          {kind: azObject, guard: "customer", path: azAt("/api/v1/accounts/%s", azAccount)},
	"GET /api/v1/accounts/{id}/postings": {kind: azObject, guard: "customer", path: azAt("/api/v1/accounts/%s/postings", azAccount)},
	"GET /api/v1/payments/{id}":          {kind: azObject, guard: "customer", path: azAt("/api/v1/payments/%s", azSettled)},
	"DELETE /api/v1/payments/{id}":       {kind: azObject, guard: "customer", path: azAt("/api/v1/payments/%s", azScheduled), karin: 403},
	"POST /api/v1/payments/{id}/approval": {kind: azObject, guard: "customer", path: azAt("/api/v1/payments/%s/approval", azApprovable), karin: 403, wantBy: map[string]int{"ole": 403},
		extra: func(b *azBank) []azAttempt {
			return []azAttempt{{actor: "jens", method: "POST", path: "/api/v1/payments/" + b.objs["biz"].awaiting + "/approval", want: 403}}
		}, note: "a private user may approve nothing (403 first); Jens gets 404 for Vera's payment"},
	"POST /api/v1/signatures/{request_id}": {kind: azObject, guard: "customer", path: azAt("/api/v1/signatures/%s", azSign),
		body: func(*azObjects) string { return `{"checksum":"00","signature":"AAAA","password":"x","code":"000000"}` }},
	"DELETE /api/v1/agreements/{id}": {kind: azObject, guard: "customer", path: azAt("/api/v1/agreements/%s", azAgreement), karin: 403},
	"POST /api/v1/betalingsservice/upcoming/{id}/rejection": {kind: azObject, guard: "customer",
		path: azAt("/api/v1/betalingsservice/upcoming/%s/rejection", azCollection), karin: 403},
	"POST /api/v1/invoices/{id}/approval": {kind: azObject, guard: "customer", path: azAt("/api/v1/invoices/%s/approval", azInvoice), karin: 403,
		body: func(*azObjects) string { return `{}` },
		extra: func(b *azBank) []azAttempt {
			// Jens approves the business's own bill, paid from Vera's account.
			return []azAttempt{{actor: "jens", method: "POST", path: "/api/v1/invoices/" + b.objs["biz"].invoice + "/approval",
				body: `{"from_account":"` + b.objs["vera"].account.ID + `"}`, want: 400}}
		}},
	"POST /api/v1/invoices/{id}/rejection": {kind: azObject, guard: "customer", path: azAt("/api/v1/invoices/%s/rejection", azInvoice), karin: 403,
		body: func(*azObjects) string { return `{"reason":"Fremmed"}` }},
	"GET /api/v1/payment-files/{id}":    {kind: azObject, guard: "customer", path: azAt("/api/v1/payment-files/%s", azBatch)},
	"DELETE /api/v1/payment-files/{id}": {kind: azObject, guard: "customer", path: azAt("/api/v1/payment-files/%s", azBatch), karin: 403},

	"POST /api/v1/payments": {kind: azForged, guard: "customer", path: azFixed("/api/v1/payments"), karin: 403,
		body: func(o *azObjects) string {
			return `{"type":"transfer","from_account":"` + o.account.ID + `","to_reg":"5301","to_account":"0012345678","to_name":"X","amount":1000}`
		}},
	"POST /api/v1/agreements": {kind: azForged, guard: "customer", path: azFixed("/api/v1/agreements"), karin: 403,
		body: func(o *azObjects) string {
			return `{"kind":"betalingsservice","account":"` + o.account.ID + `","creditor_number":"` + azPBS +
				`","debtor_group":"1","customer_number":"9990003","creditor_name":"Ørsted"}`
		}},
	"POST /api/v1/payment-files": {kind: azForged, guard: "customer", karin: 403, want: 422, ctype: "text/csv",
		path: func(o *azObjects) string { return "/api/v1/payment-files?name=fremmed.csv" },
		body: azForeignFile, uncoded: true,
		note: "a CSV file paying from the victim's account: no line can be paid, nothing is kept (422 with the lines' errors, as documented)"},
	"POST /api/v1/convert": {kind: azSelf, guard: "customer", path: azFixed("/api/v1/convert"), karin: 403, ctype: "text/csv",
		body: azForeignFile, note: "converts the file sent; nothing is stored"},

	"POST /api/v1/clearing/incoming": {kind: azSelf, guard: "clearing", path: azFixed("/api/v1/clearing/incoming"),
		body: func(o *azObjects) string {
			return `{"reference":"az-in-1","from_bank":"5301","from_name":"X","from_account":"0012345678","to_reg":"` +
				o.account.Reg + `","to_account":"` + o.account.Number + `","amount":100}`
		}},
	"POST /api/v1/betalingsservice/collections": {kind: azForged, guard: "creditor", path: azFixed("/api/v1/betalingsservice/collections"),
		want: 403, body: func(o *azObjects) string {
			return `{"creditor_number":"` + azPBS + `","debtor_group":"1","customer_number":"571001","amount":100,"due_date":"2026-12-15","text":"X","reference":"az-forged"}`
		}, note: "the second creditor announces under the first creditor's number"},
	"GET /api/v1/betalingsservice/collections/{reference}": {kind: azObject, guard: "creditor", want: 403,
		path:  azCreditorPath("/api/v1/betalingsservice/collections/", azPBS, func(o *azObjects) string { return o.collectionRef }),
		extra: azOwnNumberOnly("GET", "/api/v1/betalingsservice/collections/", azOtherPBS, func(o *azObjects) string { return o.collectionRef }),
		note:  "with the first creditor's number: 403 (not the key's); under its own: 404"},
	"DELETE /api/v1/betalingsservice/collections/{reference}": {kind: azObject, guard: "creditor", want: 403,
		path:  azCreditorPath("/api/v1/betalingsservice/collections/", azPBS, func(o *azObjects) string { return o.collectionRef }),
		extra: azOwnNumberOnly("DELETE", "/api/v1/betalingsservice/collections/", azOtherPBS, func(o *azObjects) string { return o.collectionRef })},
	"POST /api/v1/einvoices": {kind: azForged, guard: "creditor", path: azFixed("/api/v1/einvoices"), want: 403,
		body: func(o *azObjects) string {
			return `{"creditor_number":"` + azFI + `","customer_number":"441001","amount":100,"due_date":"2026-12-15","text":"X","reference":"az-forged","slip_type":"71","payment_id":"` + waterSlipID + `"}`
		}, note: "the second creditor bills under the first creditor's number"},
	"GET /api/v1/einvoices/{reference}": {kind: azObject, guard: "creditor", want: 403,
		path:  azCreditorPath("/api/v1/einvoices/", azFI, func(o *azObjects) string { return o.invoiceRef }),
		extra: azOwnNumberOnly("GET", "/api/v1/einvoices/", azOtherFI, func(o *azObjects) string { return o.invoiceRef })},
	"POST /api/v1/visa-secure/authentications": {kind: azSelf, guard: "merchant", path: azFixed("/api/v1/visa-secure/authentications"),
		body: func(o *azObjects) string {
			return `{"pan":"` + o.card.PAN + `","amount":100,"currency":"DKK","merchant_id":"SHOP2","merchant_name":"Butik"}`
		}, note: "starts the merchant's own authentication"},
	"POST /api/v1/visa-secure/authentications/{id}/code": {kind: azObject, guard: "merchant",
		path: func(o *azObjects) string { return "/api/v1/visa-secure/authentications/" + o.visaSecure + "/code" },
		body: func(*azObjects) string { return `{"code":"000000"}` }},
	"POST /api/v1/block-register": {kind: azSelf, guard: "merchant clearing", path: azFixed("/api/v1/block-register"),
		body: func(o *azObjects) string { return `{"pan":"` + o.card.PAN + `"}` }},
}

// azCreditorPath is a creditor's address of a reference, acting for the
// creditor number n (the first creditor holds two, so it must say which).
func azCreditorPath(prefix, n string, ref func(o *azObjects) string) func(o *azObjects) string {
	return func(o *azObjects) string { return prefix + ref(o) + "?creditor=" + n }
}

// azOwnNumberOnly is the second creditor asking for the first creditor's
// reference under a number of its own: not found.
func azOwnNumberOnly(method, prefix, own string, ref func(o *azObjects) string) func(b *azBank) []azAttempt {
	return func(b *azBank) []azAttempt {
		return []azAttempt{{actor: "creditor2", method: method, path: prefix + ref(b.objs["vera"]) + "?creditor=" + own, want: 404}}
	}
}

// azWebRoutes are the web server's routes.
func azWebRoutes(t *testing.T) []string {
	t.Helper()
	s, err := web.New(web.Config{CSRFKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return s.Routes()
}

// azAPIRoutes are the API's routes as "METHOD path".
func azAPIRoutes() []string {
	var out []string
	for _, r := range api.New(api.Config{}).Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// azCoverage reports routes without an entry and entries without a route.
func azCoverage(routes []string, matrix map[string]azRoute) (missing, stale []string) {
	for _, r := range routes {
		if _, ok := matrix[r]; !ok {
			missing = append(missing, r)
		}
	}
	for r := range matrix {
		if !slices.Contains(routes, r) {
			stale = append(stale, r)
		}
	}
	sort.Strings(stale)
	return missing, stale
}

// A route without an entry in the matrix fails here: every page and
// endpoint must say who may not use it.
func TestAuthzMatrixCoversEveryRoute(t *testing.T) {
	for _, c := range []struct {
		name   string
		routes []string
		matrix map[string]azRoute
	}{
		{"web", azWebRoutes(t), azWebMatrix},
		{"api", azAPIRoutes(), azAPIMatrix},
	} {
		missing, stale := azCoverage(c.routes, c.matrix)
		for _, r := range missing {
			t.Errorf("%s route %q has no entry in the authorization matrix", c.name, r)
		}
		for _, r := range stale {
			t.Errorf("%s matrix entry %q is no route", c.name, r)
		}
		for pattern, e := range c.matrix {
			if e.kind != azPublic && e.path == nil {
				t.Errorf("%s matrix entry %q has no path", c.name, pattern)
			}
			if c.name == "api" && e.kind != azPublic && e.guard == "" {
				t.Errorf("api matrix entry %q names no guard", pattern)
			}
		}
	}
}

// RULES BIZ-2, BIZ-5: the matrix on both engines (see the comment at the
// top of the file), whole on each: the digest is one query per table, so
// PostgreSQL takes seconds, not minutes.
func TestAuthzMatrix(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			b := newAZBank(t, pg)
			// Not subtests: the fixture's helpers fail the test that made it.
			b.runMatrix(t, "web", azWebRoutes(t), azWebMatrix, b.webAttempts, b.doWeb)
			b.runMatrix(t, "api", azAPIRoutes(), azAPIMatrix, b.apiAttempts, b.doAPI)
		})
	}
}

// runMatrix makes every route's attempts: first the owners' controls,
// then the refusals, each checked for its status, for leaks and for
// changing nothing.
func (b *azBank) runMatrix(t *testing.T, name string, routes []string, matrix map[string]azRoute,
	attempts func(pattern string, e azRoute) (controls, refusals []azAttempt), do func(a azAttempt) apiCall) {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r, http.NotFoundHandler())
	}
	var controls, refusals []azAttempt
	for _, pattern := range routes {
		c, r := attempts(pattern, matrix[pattern])
		controls, refusals = append(controls, c...), append(refusals, r...)
	}
	routed := func(a azAttempt) bool {
		req := httptest.NewRequest(a.method, a.path, nil)
		if _, p := mux.Handler(req); p != a.route {
			t.Errorf("%s: routed to %q, not to %q: the matrix's address is wrong", a, p, a.route)
			return false
		}
		return true
	}
	for _, a := range controls {
		if !routed(a) {
			continue
		}
		if got := do(a); got.status >= 400 {
			t.Errorf("control %s: %d, want the owner's page (below 400): the object of the matrix is not there\n%.300s", a, got.status, got.body)
		}
	}
	before := b.digest()
	for _, a := range refusals {
		if !routed(a) {
			continue
		}
		got := do(a)
		b.check(t, a, got)
		if a.ghost {
			g := b.ghostOf(a)
			ghost := do(g)
			if said, ghostSaid := b.said(got), b.said(ghost); ghost.status != got.status || said != ghostSaid {
				t.Errorf("%s: %d %q, but %d %q for an object that does not exist: the answer tells that it exists",
					a, got.status, said, ghost.status, ghostSaid)
			}
		}
		if after := b.digest(); after != before {
			t.Errorf("%s (%d) changed the bank's data", a, got.status)
			before = after
		}
	}
	t.Logf("%s: %d routes, %d controls, %d refused attempts", name, len(routes), len(controls), len(refusals))
}

// check compares one answer with the attempt's expectations.
func (b *azBank) check(t *testing.T, a azAttempt, got apiCall) {
	t.Helper()
	switch {
	case a.want == 0 && got.status >= 500:
		t.Errorf("%s: %d, want a page below 500\n%.300s", a, got.status, got.body)
	case a.want != 0 && got.status != a.want:
		t.Errorf("%s: %d, want %d\n%.300s", a, got.status, a.want, azVisible(got.body))
	}
	if a.location != "" && !strings.HasPrefix(got.location(), a.location) {
		t.Errorf("%s: Location %q, want %s…", a, got.location(), a.location)
	}
	if a.contains != "" && !strings.Contains(got.body, a.contains) {
		t.Errorf("%s: answer lacks %q: %.300s", a, a.contains, got.body)
	}
	if leaks := b.leaks(a.actor, got.body, a.sent()); len(leaks) > 0 {
		t.Errorf("%s (%d) shows another customer's data: %v", a, got.status, leaks)
	}
}

// ghostOf is a with every id of the victim's objects replaced by one of
// the same form that exists nowhere.
func (b *azBank) ghostOf(a azAttempt) azAttempt {
	var pairs []string
	for _, id := range b.objs["vera"].ids() {
		pairs = append(pairs, id, azGhostID(id))
	}
	r := strings.NewReplacer(pairs...)
	g := a
	g.path, g.body, g.form = r.Replace(a.path), r.Replace(a.body), url.Values{}
	for k, vs := range a.form {
		for _, v := range vs {
			g.form.Add(k, r.Replace(v))
		}
	}
	return g
}

// azIncidentRE matches the incident id of an error page, which differs
// on every answer.
var azIncidentRE = regexp.MustCompile(`[0-9a-f]{16}`)

// said is what an answer tells: an API error's code and message, or a
// page's visible text with the victim's ids written as their ghosts and
// the incident id left out.
func (b *azBank) said(c apiCall) string {
	if e := azErrorOf(c.body); e != "" {
		return e
	}
	text := azVisible(c.body)
	for _, id := range b.objs["vera"].ids() {
		text = strings.ReplaceAll(text, id, azGhostID(id))
	}
	return azIncidentRE.ReplaceAllString(text, "…")
}

// azGhostID keeps an id's prefix ("pay_", "9070-") and zeroes the rest.
func azGhostID(id string) string {
	i := strings.LastIndexAny(id, "_-") + 1
	return id[:i] + strings.Repeat("0", len(id)-i)
}

// azErrorOf is the code and message of an API error answer ("" for
// anything else: pages are compared by status).
func azErrorOf(body string) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return ""
	}
	return e.Error.Code + " " + e.Error.Message
}

// azVisible is a page's visible text, for failure messages.
func azVisible(body string) string { return httpPage{Body: body}.Text() }

// ---- web ----

// azCustomerActors are the customers' users who attack.
var azCustomerActors = []string{"ole", "jens", "karin"}

// azHasRole reports whether a staff member with role may use a page for
// need (admin may use every page).
func azHasRole(role, need string) bool {
	return need == "" || role == need || role == identity.RoleAdmin
}

// webAttempts expands one web route's entry into attempts.
func (b *azBank) webAttempts(pattern string, e azRoute) (controls, refusals []azAttempt) {
	if e.kind == azPublic {
		return nil, nil
	}
	method, _, _ := strings.Cut(pattern, " ")
	vera, biz := b.objs["vera"], b.objs["biz"]
	at := func(actor string, o *azObjects, want int) azAttempt {
		a := azAttempt{actor: actor, method: method, path: e.path(o), want: want, route: pattern}
		if e.form != nil {
			a.form = e.form(o)
		}
		if e.body != nil {
			a.body = e.body(o)
		}
		return a
	}
	if e.kind == azStaff {
		refusals = append(refusals, azAttempt{actor: "anon", method: method, path: e.path(vera), want: 303, location: "/backoffice/login", route: pattern})
		for _, actor := range []string{"ole", "jens"} {
			refusals = append(refusals, at(actor, vera, 403))
		}
		for _, role := range azStaffRoles {
			if !azHasRole(role, e.role) {
				refusals = append(refusals, at(role, vera, 403))
			}
		}
	} else {
		anon := azAttempt{actor: "anon", method: method, path: e.path(vera), want: 303, location: "/login", route: pattern}
		staff := at(identity.RoleSupport, vera, 403)
		if e.kind == azPeek {
			anon = azAttempt{actor: "anon", method: method, path: e.path(vera), want: 200, contains: `"active":false`, route: pattern}
			staff = azAttempt{actor: identity.RoleSupport, method: method, path: e.path(vera), want: 200, contains: `"active":false`, route: pattern}
		}
		refusals = append(refusals, anon, staff)
	}
	switch e.kind {
	case azOwn:
		for _, actor := range azCustomerActors {
			refusals = append(refusals, at(actor, b.objs[azCustomerOf(actor)], 0))
		}
	case azObject, azForged:
		want := e.want
		if want == 0 {
			want = map[azKind]int{azObject: 404, azForged: 400}[e.kind]
		}
		by := func(actor string) int { return cmp.Or(e.wantBy[actor], want) }
		first := at("ole", vera, by("ole"))
		first.ghost = true
		refusals = append(refusals, first, at("jens", vera, by("jens")), at("ole", biz, by("ole")))
		if e.kind == azObject && method == "GET" && e.control == 0 {
			controls = append(controls, at("vera", vera, 0), at("jens", biz, 0))
		}
	}
	if e.karin != 0 {
		k := at("karin", biz, e.karin)
		refusals = append(refusals, k)
	}
	if e.extra != nil {
		for _, x := range e.extra(b) {
			x.route = cmp.Or(x.route, pattern)
			refusals = append(refusals, x)
		}
	}
	return controls, refusals
}

// doWeb makes a web attempt with the actor's browser and CSRF token.
func (b *azBank) doWeb(a azAttempt) apiCall {
	c := b.webClient(a.actor)
	var p httpPage
	switch {
	case a.method == "GET":
		p = c.get(a.path)
	case a.body != "":
		p = c.postFile(a.path, a.form, "fremmed.csv", []byte(a.body), true)
	default:
		p = c.post(a.path, a.form)
	}
	return apiCall{status: p.StatusCode, body: p.Body, header: p.Header}
}

// ---- API ----

// apiAttempts expands one API route's entry into attempts.
func (b *azBank) apiAttempts(route string, e azRoute) (controls, refusals []azAttempt) {
	if e.kind == azPublic {
		return nil, nil
	}
	method, _, _ := strings.Cut(route, " ")
	vera, biz := b.objs["vera"], b.objs["biz"]
	at := func(actor string, o *azObjects, want int) azAttempt {
		a := azAttempt{actor: actor, method: method, path: e.path(o), want: want, route: route, ctype: e.ctype}
		if e.body != nil {
			a.body = e.body(o)
		}
		return a
	}
	// No token: 401. A token of the wrong kind: 403.
	refusals = append(refusals, at("none", vera, 401))
	guards := strings.Fields(e.guard)
	for _, actor := range []string{"ole", "clearing", "creditor", "merchant"} {
		kind := actor
		if azCustomerOf(actor) != "" {
			kind = "customer"
		}
		if !slices.Contains(guards, kind) {
			refusals = append(refusals, at(actor, vera, 403))
		}
	}
	// The attackers within the guard.
	var attackers []string
	switch {
	case e.guard == "customer":
		attackers = []string{"ole", "jens"}
	case slices.Contains(guards, "creditor"):
		attackers = []string{"creditor2"}
	case slices.Contains(guards, "merchant"):
		attackers = []string{"merchant2"}
	}
	switch e.kind {
	case azOwn:
		for _, actor := range azCustomerActors {
			refusals = append(refusals, at(actor, b.objs[azCustomerOf(actor)], 0))
		}
	case azObject, azForged:
		want := e.want
		if want == 0 {
			want = map[azKind]int{azObject: 404, azForged: 400}[e.kind]
		}
		by := func(actor string) int { return cmp.Or(e.wantBy[actor], want) }
		for i, actor := range attackers {
			a := at(actor, vera, by(actor))
			a.ghost = i == 0
			refusals = append(refusals, a)
		}
		if e.guard == "customer" {
			refusals = append(refusals, at("ole", biz, by("ole")))
		}
		if e.kind == azObject && method == "GET" && e.control == 0 {
			owner := map[string]string{"customer": "vera", "creditor": "creditor", "merchant": "merchant"}[e.guard]
			controls = append(controls, at(owner, vera, 0))
		}
	}
	if e.karin != 0 {
		refusals = append(refusals, at("karin", biz, e.karin))
	}
	if e.extra != nil {
		for _, x := range e.extra(b) {
			x.route = cmp.Or(x.route, route)
			refusals = append(refusals, x)
		}
	}
	return controls, refusals
}

// doAPI makes an API attempt with the actor's token.
func (b *azBank) doAPI(a azAttempt) apiCall {
	got := b.apiCtype(a.actor, a.method, a.path, a.body, a.ctype)
	if got.status >= 400 && !azAPIMatrix[a.route].uncoded {
		if code, msg, _ := strings.Cut(azErrorOf(got.body), " "); code == "" || msg == "" {
			b.t.Errorf("%s: %d without a coded JSON error: %.200s", a, got.status, got.body)
		}
	}
	return got
}
