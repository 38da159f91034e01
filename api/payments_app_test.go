package api_test

// The payments API through the whole bank (app.New with the demo data):
// API keys, accounts, payments signed with the signature file or password
// + key card, four-eyes approval, incoming payments from the clearing.
// Every answer is checked against its schema in openapi.yaml.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netbank/netbank/api"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
)

// The demo accounts the tests use.
var (
	metteSalary  = demo.Accounts[0].ID // Mette Kjær Nielsen, the first private user
	hansenSalary = demo.Accounts[6].ID // Hansen & Søn Tømrer ApS
)

// bank is a running demo bank with its HTTP server.
type bank struct {
	t      *testing.T
	ctx    context.Context
	a      *app.App
	srv    *httptest.Server
	clock  *testkit.Clock
	creds  demo.Credentials
	schema map[string]any
}

// engines are the databases the tests run on; PostgreSQL skips without
// NETBANK_TEST_POSTGRES (fails in CI).
var engines = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return testkit.FreshPostgresDatabase(t) }},
}

// forEachBank runs fn on a fresh demo bank on each engine, on a Monday at
// 11.00 Danish time.
func forEachBank(t *testing.T, fn func(t *testing.T, b *bank)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
			dir := t.TempDir()
			a, err := app.New(ctx, app.Config{DataDir: dir, DB: e.db(t), Demo: true, Clock: clock,
				Logger: testLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(a.Close)
			srv := httptest.NewServer(a.Handler)
			t.Cleanup(srv.Close)
			b := &bank{t: t, ctx: ctx, a: a, srv: srv, clock: clock, schema: loadSchema(t)}
			data, err := os.ReadFile(filepath.Join(dir, "demo.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &b.creds); err != nil {
				t.Fatal(err)
			}
			fn(t, b)
			if rep, err := a.Ledger.Check(ctx); err != nil || !rep.OK() {
				t.Errorf("ledger check: %v %v", rep.Violations, err)
			}
		})
	}
}

// token returns the demo token of a kind from demo.json.
func (b *bank) token(kind apikey.Kind) string {
	b.t.Helper()
	for _, tk := range b.creds.APITokens {
		if tk.Kind == string(kind) {
			return tk.Token
		}
	}
	b.t.Fatalf("demo.json has no %s token: %+v", kind, b.creds.APITokens)
	return ""
}

// userToken makes a customer key for the user with this login.
func (b *bank) userToken(login string) (identity.User, string) {
	b.t.Helper()
	u, err := b.a.Identity.UserByLogin(b.ctx, login)
	if err != nil {
		b.t.Fatal(err)
	}
	_, tok, err := b.a.APIKeys.CreateForUser(b.ctx, u.ID, "Test", b.clock.Now().AddDate(0, 1, 0), identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return u, tok
}

// enrollMette gives the first demo user a signature key (the first login
// with the PIN from the letter) and returns the private key.
func (b *bank) enrollMette() ed25519.PrivateKey {
	b.t.Helper()
	u := b.creds.Users[0]
	step, err := b.a.Identity.VerifyPIN(b.ctx, u.UserNumber, u.PINCode, identity.Actor{})
	if err != nil {
		b.t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	if _, _, err := b.a.Identity.Enroll(b.ctx, u.UserNumber, step.ChallengeID, pub, ed25519.Sign(priv, auth.LoginMessage(step.Challenge)), identity.Actor{}); err != nil {
		b.t.Fatal(err)
	}
	return priv
}

// answer is a decoded API answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request with a token (none when "") and a JSON body.
func (b *bank) do(method, path, token string, body any, header ...string) answer {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			b.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&a.body); err != nil {
		b.t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, data)
	}
	return a
}

// want checks the status and that the body is the named schema of
// openapi.yaml ("Error" for errors), and returns the body.
func (b *bank) want(a answer, status int, schema string) map[string]any {
	b.t.Helper()
	if a.status != status {
		b.t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	if schema != "" {
		checkSchema(b.t, b.schema, map[string]any{"$ref": "#/components/schemas/" + schema}, a.body, schema)
	}
	return a.body
}

// wantError checks an error answer's status and code.
func (b *bank) wantError(a answer, status int, code string) string {
	b.t.Helper()
	body := b.want(a, status, "Error")
	e := body["error"].(map[string]any)
	if e["code"] != code {
		b.t.Fatalf("error code %v, want %s: %s", e["code"], code, a.raw)
	}
	return e["message"].(string)
}

// sign signs a signing object as a private user with the signature key.
func signWithKey(signing map[string]any, priv ed25519.PrivateKey) map[string]any {
	doc := signing["document"].(string)
	sum := sha256.Sum256([]byte(doc))
	return map[string]any{"checksum": hex.EncodeToString(sum[:]),
		"signature": base64.StdEncoding.EncodeToString(ed25519.Sign(priv, auth.DocumentMessage([]byte(doc))))}
}

// signWithCard signs as a business user: password + the key-card code.
func (b *bank) signWithCard(signing map[string]any, login string) map[string]any {
	b.t.Helper()
	if signing["method"] != identity.MethodKeyCard {
		b.t.Fatalf("method %v, want keycard", signing["method"])
	}
	for _, u := range b.creds.BusinessUsers {
		if u.UserID == login {
			doc := signing["document"].(string)
			sum := sha256.Sum256([]byte(doc))
			return map[string]any{"checksum": hex.EncodeToString(sum[:]), "password": u.Password,
				"code": u.KeyCard[signing["key_number"].(string)]}
		}
	}
	b.t.Fatalf("no business user %s in demo.json", login)
	return nil
}

func obj(v any) map[string]any { return v.(map[string]any) }

func minor(v any) int64 {
	n, err := obj(v)["minor"].(json.Number).Int64()
	if err != nil {
		panic(err)
	}
	return n
}

// RULES PAY-1, SIGN-1, SIGN-2, AUTH-4: a private user's key creates a
// transfer, the user signs it with the signature file's key, it settles
// and the postings show it; a retry with the same Idempotency-Key pays
// once, and the same key with other content is refused.
func TestAPITransferSignedWithSignatureFile_PAY1_SIGN2(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		tok := b.token(apikey.Customer)
		priv := b.enrollMette()

		accounts := b.want(b.do("GET", "/api/v1/accounts", tok, nil), 200, "AccountList")["accounts"].([]any)
		if len(accounts) != 2 || obj(accounts[0])["id"] != metteSalary {
			t.Fatalf("accounts %v", accounts)
		}
		before := minor(obj(b.want(b.do("GET", "/api/v1/accounts/"+metteSalary, tok, nil), 200, "Account"))["balance"])

		body := map[string]any{"type": "transfer", "from_account": metteSalary, "to_reg": "9070", "to_account": "4420001",
			"to_name": "Lars Bo Jensen", "amount": 250_00, "text_to_self": "Koncert med Lars", "text_to_recipient": "Koncertbilletter"}
		created := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "k-1"), 201, "PaymentWithSigning")
		p, signing := obj(created["payment"]), obj(created["signing"])
		if p["status"] != "awaiting_signature" || p["kind"] != "internal" || signing["method"] != identity.MethodSignatureFile ||
			signing["kind"] != "payment" {
			t.Fatalf("created %v", created)
		}
		doc := signing["document"].(string)
		if sum := sha256.Sum256([]byte(doc)); signing["checksum"] != hex.EncodeToString(sum[:]) ||
			!strings.Contains(doc, "Beløb: 250,00 kr.") || !strings.HasSuffix(doc, "\nBetaling: "+p["id"].(string)) {
			t.Fatalf("document %q, checksum %v", doc, signing["checksum"])
		}

		// The same key and content again: the same payment, 200, a fresh document.
		b.clock.Advance(time.Second)
		again := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "k-1"), 200, "PaymentWithSigning")
		if obj(again["payment"])["id"] != p["id"] || obj(again["signing"])["request_id"] == signing["request_id"] {
			t.Fatalf("retry %v", again)
		}
		// The same key with another amount: conflict.
		other := map[string]any{}
		for k, v := range body {
			other[k] = v
		}
		other["amount"] = 999_00
		b.wantError(b.do("POST", "/api/v1/payments", tok, other, "Idempotency-Key", "k-1"), 409, "conflict")
		// Without the key: refused.
		b.wantError(b.do("POST", "/api/v1/payments", tok, body), 400, "invalid")

		// The newest document is signed; the first one stays unused.
		first := signing
		signing = obj(again["signing"])
		// SIGN-1: a checksum over another text is refused.
		proof := signWithKey(signing, priv)
		bad := map[string]any{"checksum": strings.Repeat("0", 64), "signature": proof["signature"]}
		b.wantError(b.do("POST", "/api/v1/signatures/"+signing["request_id"].(string), tok, bad), 400, "invalid")
		signed := b.want(b.do("POST", "/api/v1/signatures/"+signing["request_id"].(string), tok, proof), 200, "SignatureResult")
		if obj(signed["payment"])["status"] != "settled" || obj(signed["document"])["kind"] != "payment" {
			t.Fatalf("signed %v", signed)
		}
		// The proof again: the same answer, nothing more happens.
		again = b.want(b.do("POST", "/api/v1/signatures/"+signing["request_id"].(string), tok, proof), 200, "SignatureResult")
		if obj(again["payment"])["status"] != "settled" {
			t.Fatalf("signed again %v", again)
		}
		// The earlier document of the same payment cannot confirm it a second time.
		b.wantError(b.do("POST", "/api/v1/signatures/"+first["request_id"].(string), tok, signWithKey(first, priv)), 409, "conflict")

		// SIGN-2: the bank keeps what was signed, verifiable with the key.
		d, err := b.a.Identity.SignedDocument(b.ctx, obj(signed["document"])["id"].(string))
		if err != nil || identity.VerifySignedDocument(d) != nil || d.Document != signing["document"] {
			t.Fatalf("signed document %+v %v", d, err)
		}

		after := minor(obj(b.want(b.do("GET", "/api/v1/accounts/"+metteSalary, tok, nil), 200, "Account"))["balance"])
		if before-after != 250_00 {
			t.Fatalf("balance %d → %d: paid %d, want once 250,00", before, after, before-after)
		}
		postings := b.want(b.do("GET", "/api/v1/accounts/"+metteSalary+"/postings?text=KONCERT", tok, nil), 200, "PostingList")
		list := postings["postings"].([]any)
		if len(list) != 1 || minor(obj(list[0])["amount"]) != -250_00 || obj(list[0])["transfer_id"] != p["id"].(string)+":debit" ||
			obj(list[0])["date"] != "2026-11-23" {
			t.Fatalf("postings %v", postings)
		}
		got := b.want(b.do("GET", "/api/v1/payments/"+p["id"].(string), tok, nil), 200, "Payment")
		if got["status"] != "settled" || got["signed_by"] == "" {
			t.Fatalf("payment %v", got)
		}
	})
}

// RULE PAY-5: a foreign transfer through the API shows the rate, the fee
// and the total in the answer and in the signed document before signing,
// and executes at the signed rate.
func TestAPIForeignTransferShowsRateAndFee_PAY5(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		if err := b.a.Pricing.SetRate(b.ctx, "EUR", 7_461_200, "test"); err != nil {
			t.Fatal(err)
		}
		tok := b.token(apikey.Customer)
		priv := b.enrollMette()
		before, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		body := map[string]any{"type": "foreign", "from_account": metteSalary, "to_iban": "DE89 3704 0044 0532 0130 00",
			"to_bic": "COBADEFFXXX", "to_name": "Hans Müller", "to_address": "Hauptstraße 1, 10115 Berlin", "currency": "EUR",
			"amount": 100_00, "text_to_recipient": "Rechnung 117"}
		// The fields of another type are refused.
		wrong := map[string]any{"type": "transfer", "from_account": metteSalary, "to_reg": "5301", "to_account": "1", "currency": "EUR", "amount": 1}
		b.wantError(b.do("POST", "/api/v1/payments", tok, wrong, "Idempotency-Key", "w"), 400, "invalid")

		c := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "eur-1"), 201, "PaymentWithSigning")
		p, s := obj(c["payment"]), obj(c["signing"])
		q := obj(p["quote"])
		if p["kind"] != "foreign" || p["to_iban"] != "DE89370400440532013000" || p["charge_bearer"] != "SHAR" ||
			minor(q["amount"]) != 100_00 || obj(q["amount"])["currency"] != "EUR" || q["customer_rate"] != "753,5812" ||
			q["rate_fixed"] != true || minor(q["total"]) != minor(p["amount"])+minor(q["fee"]) {
			t.Fatalf("foreign payment %v", p)
		}
		for _, w := range []string{"Beløb: 100,00 EUR", "Kurs: 753,5812 kr. pr. 100 EUR", "Til IBAN: DE89 3704 0044 0532 0130 00"} {
			if !strings.Contains(s["document"].(string), w) {
				t.Errorf("document lacks %q:\n%s", w, s["document"])
			}
		}
		done := b.want(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), tok, signWithKey(s, priv)), 200, "SignatureResult")
		if dp := obj(done["payment"]); dp["status"] != "settled" || dp["clearing"] != "swift" {
			t.Fatalf("signed %v", dp)
		}
		after, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		if before.Posted-after.Posted != minor(q["total"]) {
			t.Fatalf("debited %d, quote total %d", before.Posted-after.Posted, minor(q["total"]))
		}
	})
}

// RULE PAY-3 and PAY-7: a future payment shows under upcoming once signed
// and can be cancelled; the search finds payments by status and pages
// with next_cursor.
func TestAPIUpcomingCancelAndSearch_PAY3_PAY7(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		tok := b.token(apikey.Customer)
		priv := b.enrollMette()
		var ids []string
		for i, date := range []string{"2026-11-28", "2026-12-01"} { // a Saturday (moved to Monday), a Tuesday
			b.clock.Advance(time.Second) // newest first needs distinct times
			c := b.want(b.do("POST", "/api/v1/payments", tok, map[string]any{"type": "slip", "from_account": metteSalary,
				"code_line": "+71< 000100017156728+81234567<", "amount": 645_00 + i, "date": date},
				"Idempotency-Key", fmt.Sprint("slip-", i)), 201, "PaymentWithSigning")
			s := obj(c["signing"])
			b.want(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), tok, signWithKey(s, priv)), 200, "SignatureResult")
			ids = append(ids, obj(c["payment"])["id"].(string))
			if i == 0 && (obj(c["payment"])["execution_date"] != "2026-11-30" || obj(obj(c["payment"])["slip"])["creditor"] != "81234567") {
				t.Fatalf("slip %v", c["payment"])
			}
		}
		up := b.want(b.do("GET", "/api/v1/payments/upcoming", tok, nil), 200, "UpcomingPayments")["payments"].([]any)
		if len(up) != 2 || obj(up[0])["id"] != ids[0] || obj(up[0])["status"] != "scheduled" {
			t.Fatalf("upcoming %v", up)
		}
		c := b.want(b.do("DELETE", "/api/v1/payments/"+ids[0], tok, nil), 200, "Payment")
		if c["status"] != "cancelled" {
			t.Fatalf("cancelled %v", c)
		}
		b.want(b.do("DELETE", "/api/v1/payments/"+ids[0], tok, nil), 200, "Payment") // twice is harmless
		up = b.want(b.do("GET", "/api/v1/payments/upcoming", tok, nil), 200, "UpcomingPayments")["payments"].([]any)
		if len(up) != 1 || obj(up[0])["id"] != ids[1] {
			t.Fatalf("upcoming after cancel %v", up)
		}

		page := b.want(b.do("GET", "/api/v1/payments?limit=1", tok, nil), 200, "PaymentSearchResult")
		cursor := page["next_cursor"].(string)
		if list := page["payments"].([]any); len(list) != 1 || obj(list[0])["id"] != ids[1] || cursor == "" {
			t.Fatalf("page 1 %v", page)
		}
		page = b.want(b.do("GET", "/api/v1/payments?limit=1&cursor="+cursor, tok, nil), 200, "PaymentSearchResult")
		if list := page["payments"].([]any); len(list) != 1 || obj(list[0])["id"] != ids[0] || page["next_cursor"] != "" {
			t.Fatalf("page 2 %v", page)
		}
		found := b.want(b.do("GET", "/api/v1/payments?status=cancelled&text=81234567", tok, nil), 200, "PaymentSearchResult")["payments"].([]any)
		if len(found) != 1 || obj(found[0])["id"] != ids[0] {
			t.Fatalf("search %v", found)
		}
		b.wantError(b.do("GET", "/api/v1/payments?status=paid", tok, nil), 400, "invalid")
		b.wantError(b.do("GET", "/api/v1/payments?cursor=nonsense", tok, nil), 400, "invalid")
	})
}

// Customer scoping: another customer's accounts and payments are not
// found (404), not forbidden, so their existence does not leak.
func TestAPIOtherCustomersDataIsNotFound(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		mette := b.token(apikey.Customer)
		_, lars := b.userToken(b.creds.Users[1].UserNumber)
		created := b.want(b.do("POST", "/api/v1/payments", mette, map[string]any{"type": "transfer", "from_account": metteSalary,
			"to_reg": "5301", "to_account": "1234567", "amount": 100_00, "date": "2026-12-01"}, "Idempotency-Key", "x"), 201, "PaymentWithSigning")
		id := obj(created["payment"])["id"].(string)
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/accounts/" + metteSalary},
			{"GET", "/api/v1/accounts/" + metteSalary + "/postings"},
			{"GET", "/api/v1/payments/" + id},
			{"DELETE", "/api/v1/payments/" + id},
			{"GET", "/api/v1/accounts/9070-9999999999"},
		} {
			b.wantError(b.do(r.method, r.path, lars, nil), 404, "not_found")
		}
		// Lars cannot pay from Mette's account either.
		b.wantError(b.do("POST", "/api/v1/payments", lars, map[string]any{"type": "transfer", "from_account": metteSalary,
			"to_reg": "5301", "to_account": "1234567", "amount": 100_00}, "Idempotency-Key", "y"), 400, "invalid")
		// Nor sign Mette's document.
		s := obj(created["signing"])
		b.wantError(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), lars, map[string]any{"checksum": s["checksum"]}), 404, "not_found")
		if list := b.want(b.do("GET", "/api/v1/payments", lars, nil), 200, "PaymentSearchResult")["payments"].([]any); len(list) != 0 {
			t.Fatalf("Lars sees %v", list)
		}
		if p, err := b.a.Payments.Get(b.ctx, b.customerOf(metteSalary), id); err != nil || p.Status != payment.AwaitingSignature {
			t.Fatalf("Mette's payment %+v %v", p, err)
		}
	})
}

// customerOf returns the customer owning a demo account.
func (b *bank) customerOf(accountID string) string {
	b.t.Helper()
	for _, a := range demo.Accounts {
		if a.ID == accountID {
			found, err := b.a.Identity.FindCustomers(b.ctx, a.Owner, 1)
			if err != nil || len(found) != 1 {
				b.t.Fatal(found, err)
			}
			return found[0].ID
		}
	}
	b.t.Fatalf("no demo account %s", accountID)
	return ""
}

// RULES BIZ-3, BIZ-5: a business user's profile decides what the key may
// do; above the approval limit a second user with "approve" approves
// (four-eyes), signing with password + key-card code; the creator may not.
func TestAPIFourEyesApproval_BIZ3_BIZ5(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		hansen := b.customerOf(hansenSalary)
		if err := b.a.Payments.SetApprovalLimit(b.ctx, hansen, 1_000_00, "test"); err != nil {
			t.Fatal(err)
		}
		_, jens := b.userToken("jens.hansen")
		_, pia := b.userToken("pia.hansen")
		_, bookkeeper := b.userToken("bogholder") // view + create
		_, auditor := b.userToken("revisor")      // view only

		body := map[string]any{"type": "transfer", "from_account": hansenSalary, "to_reg": "5301", "to_account": "1234567",
			"to_name": "STARK Danmark", "amount": 5_000_00, "text_to_self": "STARK faktura"}
		b.wantError(b.do("POST", "/api/v1/payments", auditor, body, "Idempotency-Key", "a"), 403, "forbidden")
		b.want(b.do("GET", "/api/v1/accounts", auditor, nil), 200, "AccountList")

		created := b.want(b.do("POST", "/api/v1/payments", jens, body, "Idempotency-Key", "stark-1"), 201, "PaymentWithSigning")
		id := obj(created["payment"])["id"].(string)
		s := obj(created["signing"])
		// BIZ-3: a wrong password counts as a failed attempt and is refused.
		wrong := b.signWithCard(s, "jens.hansen")
		wrong["password"] = "forkert"
		if msg := b.wantError(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), jens, wrong), 400, "invalid"); !strings.Contains(msg, "tilbage") {
			t.Fatalf("wrong password: %s", msg)
		}
		signed := b.want(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), jens, b.signWithCard(s, "jens.hansen")), 200, "SignatureResult")
		if p := obj(signed["payment"]); p["status"] != "awaiting_approval" || p["approval_required"] != true {
			t.Fatalf("signed %v", p)
		}

		// The creator may not approve; a profile without "approve" may not either.
		b.wantError(b.do("POST", "/api/v1/payments/"+id+"/approval", jens, nil), 403, "forbidden")
		b.wantError(b.do("POST", "/api/v1/payments/"+id+"/approval", bookkeeper, nil), 403, "forbidden")
		// A private user never approves (four-eyes is for businesses),
		// whatever the payment.
		b.wantError(b.do("POST", "/api/v1/payments/"+id+"/approval", b.token(apikey.Customer), nil), 403, "forbidden")

		ap := b.want(b.do("POST", "/api/v1/payments/"+id+"/approval", pia, nil), 200, "PaymentWithSigning")
		as := obj(ap["signing"])
		if as["kind"] != "payment-approval" || !strings.Contains(as["document"].(string), "Godkendelse af betaling") {
			t.Fatalf("approval %v", as)
		}
		// Jens cannot use Pia's approval document.
		b.wantError(b.do("POST", "/api/v1/signatures/"+as["request_id"].(string), jens, b.signWithCard(as, "pia.hansen")), 404, "not_found")
		done := b.want(b.do("POST", "/api/v1/signatures/"+as["request_id"].(string), pia, b.signWithCard(as, "pia.hansen")), 200, "SignatureResult")
		p := obj(done["payment"])
		if p["status"] != "in_clearing" || p["approved_by"] == "" || p["clearing"] != "intraday" {
			t.Fatalf("approved %v", p)
		}
		b.wantError(b.do("POST", "/api/v1/payments/"+id+"/approval", pia, nil), 409, "conflict")
	})
}

// RULE PAY-7: the clearing's partner key delivers a SWIFT payment, which
// is booked once, and the customer finds it among incoming payments.
// Partner and customer keys reach only their own endpoints.
func TestAPIClearingDeliversSWIFTPayment_PAY7(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		clearing, mette := b.token(apikey.Clearing), b.token(apikey.Customer)
		before, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		delivery := map[string]any{"reference": "DEUTDEFF-20261123-0001", "swift": true, "from_bank": "DEUTDEFFXXX",
			"from_name": "Müller GmbH", "from_account": "DE89370400440532013000", "to_iban": "DK79 9070 0004 4100 01",
			"amount": 12_500_00, "text": "Invoice 2026-117"}
		in := b.want(b.do("POST", "/api/v1/clearing/incoming", clearing, delivery), 201, "IncomingPayment")
		if in["status"] != "booked" || in["to_account"] != metteSalary || in["from_bank"] != "DEUTDEFFXXX" {
			t.Fatalf("incoming %v", in)
		}
		again := b.want(b.do("POST", "/api/v1/clearing/incoming", clearing, delivery), 201, "IncomingPayment")
		if again["id"] != in["id"] {
			t.Fatalf("retry %v", again)
		}
		after, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		if after.Posted-before.Posted != 12_500_00 {
			t.Fatalf("booked %d, want 12.500,00 once", after.Posted-before.Posted)
		}
		changed := map[string]any{}
		for k, v := range delivery {
			changed[k] = v
		}
		changed["amount"] = 1_00
		b.wantError(b.do("POST", "/api/v1/clearing/incoming", clearing, changed), 409, "conflict")
		changed["reference"], changed["to_iban"] = "DEUTDEFF-20261123-0002", "DK5000400440116243"
		ret := b.want(b.do("POST", "/api/v1/clearing/incoming", clearing, changed), 200, "IncomingPayment")
		if ret["status"] != "returned" || ret["reason"] == "" {
			t.Fatalf("returned %v", ret)
		}

		list := b.want(b.do("GET", "/api/v1/incoming-payments?swift=true", mette, nil), 200, "IncomingPaymentList")["payments"].([]any)
		if len(list) != 1 || obj(list[0])["id"] != in["id"] || obj(list[0])["booked_date"] != "2026-11-23" ||
			minor(obj(list[0])["amount"]) != 12_500_00 {
			t.Fatalf("incoming payments %v", list)
		}
		if list := b.want(b.do("GET", "/api/v1/incoming-payments?text=invoice", mette, nil), 200, "IncomingPaymentList")["payments"].([]any); len(list) != 1 {
			t.Fatalf("search by text %v", list)
		}

		// Keys reach only their own side.
		b.wantError(b.do("GET", "/api/v1/accounts", clearing, nil), 403, "forbidden")
		b.wantError(b.do("POST", "/api/v1/clearing/incoming", mette, delivery), 403, "forbidden")
		b.wantError(b.do("POST", "/api/v1/clearing/incoming", b.token(apikey.Creditor), delivery), 403, "forbidden")
		// Nobody else sees Mette's incoming payment.
		_, lars := b.userToken(b.creds.Users[1].UserNumber)
		if list := b.want(b.do("GET", "/api/v1/incoming-payments", lars, nil), 200, "IncomingPaymentList")["payments"].([]any); len(list) != 0 {
			t.Fatalf("Lars sees %v", list)
		}
	})
}

// Tokens: none, malformed, unknown, revoked, expired, or a blocked user's
// are refused with 401 and a WWW-Authenticate challenge (RFC 6750); too
// many failures from one address are 429.
func TestAPIRefusesBadTokens_AUTH9(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		chk := func(a answer, challenge string) {
			t.Helper()
			b.wantError(a, 401, "unauthorized")
			if got := a.header.Get("WWW-Authenticate"); got != challenge {
				t.Fatalf("WWW-Authenticate %q, want %q", got, challenge)
			}
		}
		plain, invalid := `Bearer realm="netbank"`, `Bearer realm="netbank", error="invalid_token"`
		chk(b.do("GET", "/api/v1/accounts", "", nil), plain)
		chk(b.do("GET", "/api/v1/accounts", "", nil, "Authorization", "Basic dXNlcjpwdw=="), invalid)
		chk(b.do("GET", "/api/v1/accounts", "nbk_"+strings.Repeat("A", 43), nil), invalid)

		u, short := b.userToken(b.creds.Users[1].UserNumber)
		b.want(b.do("GET", "/api/v1/accounts", short, nil), 200, "AccountList")
		keys, _ := b.a.APIKeys.OfUser(b.ctx, u.ID)
		if _, err := b.a.APIKeys.RevokeForUser(b.ctx, u.ID, keys[0].ID, identity.System); err != nil {
			t.Fatal(err)
		}
		chk(b.do("GET", "/api/v1/accounts", short, nil), invalid)

		_, expiring := b.userToken(b.creds.Users[2].UserNumber)
		b.clock.Advance(31 * 24 * time.Hour) // userToken keys live a month
		chk(b.do("GET", "/api/v1/accounts", expiring, nil), invalid)

		mette := b.token(apikey.Customer)
		b.want(b.do("GET", "/api/v1/accounts", mette, nil), 200, "AccountList")
		metteUser, _ := b.a.Identity.UserByLogin(b.ctx, b.creds.Users[0].UserNumber)
		if err := b.a.Identity.SelfBlock(b.ctx, metteUser.ID, identity.Actor{ID: metteUser.ID, Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		chk(b.do("GET", "/api/v1/accounts", mette, nil), invalid)

		// Too many failures from this address: 429, even with a good key.
		_, good := b.userToken(b.creds.Users[1].UserNumber)
		for i := 0; i < apikey.DefaultMaxFailures; i++ {
			b.do("GET", "/api/v1/accounts", "nbk_wrong", nil)
		}
		a := b.do("GET", "/api/v1/accounts", good, nil)
		b.wantError(a, 429, "too_many_requests")
		if a.header.Get("Retry-After") != "60" {
			t.Fatalf("Retry-After %q", a.header.Get("Retry-After"))
		}
		b.clock.Advance(time.Minute)
		b.want(b.do("GET", "/api/v1/accounts", good, nil), 200, "AccountList")
	})
}

// The demo writes its API keys to demo.json, and they work.
func TestDemoWritesAPITokens(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		var kinds []string
		for _, tk := range b.creds.APITokens {
			kinds = append(kinds, tk.Kind)
			if !regexp.MustCompile(`^nbk_[A-Za-z0-9_-]{43}$`).MatchString(tk.Token) {
				t.Fatalf("token %q", tk.Token)
			}
		}
		if !slices.Equal(kinds, []string{"customer", "clearing", "creditor", "merchant"}) ||
			b.creds.APITokens[0].UserNumber != b.creds.Users[0].UserNumber || b.creds.APITokens[2].CreditorNumber != demo.APICreditor {
			t.Fatalf("api_tokens %+v", b.creds.APITokens)
		}
		b.want(b.do("GET", "/api/v1/accounts", b.token(apikey.Customer), nil), 200, "AccountList")
		p, err := b.a.APIKeys.Authenticate(b.ctx, b.token(apikey.Creditor), "")
		if err != nil || !p.Key.HasCreditor(demo.APICreditor) {
			t.Fatalf("creditor key %+v %v", p.Key, err)
		}
	})
}

// ---- the schemas of openapi.yaml ----

// loadSchema parses the embedded OpenAPI document.
func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal(api.OpenAPI, &root); err != nil {
		t.Fatal(err)
	}
	return root
}

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
)

// checkSchema checks v (decoded with UseNumber) against an OpenAPI schema:
// $ref, allOf, nullable, type, required, no properties beyond the listed
// ones, items, enum and the date formats.
func checkSchema(t *testing.T, root, s map[string]any, v any, at string) {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		cur := any(root)
		for part := range strings.SplitSeq(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		checkSchema(t, root, cur.(map[string]any), v, at)
		return
	}
	if v == nil {
		if s["nullable"] != true {
			t.Errorf("%s is null", at)
		}
		return
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			checkSchema(t, root, sub.(map[string]any), v, at)
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		t.Errorf("%s = %v, not one of %v", at, v, enum)
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s is %T, want an object", at, v)
			return
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				t.Errorf("%s lacks required %q", at, r)
			}
		}
		for k, val := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%s has %q, which the schema does not list", at, k)
				continue
			}
			checkSchema(t, root, ps, val, at+"."+k)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			t.Errorf("%s is %T, want an array", at, v)
			return
		}
		for i, item := range list {
			checkSchema(t, root, s["items"].(map[string]any), item, fmt.Sprintf("%s[%d]", at, i))
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			t.Errorf("%s is %T, want a string", at, v)
			return
		}
		switch s["format"] {
		case "date":
			if !dateRE.MatchString(str) {
				t.Errorf("%s = %q, want YYYY-MM-DD", at, str)
			}
		case "date-time":
			if !dateTimeRE.MatchString(str) {
				t.Errorf("%s = %q, want RFC 3339 in UTC", at, str)
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			t.Errorf("%s = %v, want an integer", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s is %T, want a boolean", at, v)
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// testLogger drops the bank's logs; the tests look at answers.
func testLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
