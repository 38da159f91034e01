package api_test

// Visa Secure and the block register through the whole bank (app.New with
// the demo data and its cards): partner keys with the role "merchant",
// the SMS outbox, the CAVV in the authorization engine the app wires, and
// the role checks. Every answer is checked against its schema in
// openapi.yaml.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/identity"
)

// demoCard is a demo card by its case name (demo.CardCases).
func (b *bank) demoCard(name string) demo.Card {
	b.t.Helper()
	for i, c := range demo.CardCases {
		if c == name && i < len(b.creds.Cards) {
			return b.creds.Cards[i]
		}
	}
	b.t.Fatalf("no demo card %q", name)
	return demo.Card{}
}

// merchantToken makes a partner key with the role merchant.
func (b *bank) merchantToken(name string) string {
	b.t.Helper()
	_, tok, err := b.a.APIKeys.CreatePartner(b.ctx, apikey.PartnerRequest{Kind: apikey.Merchant, Name: name,
		Expires: b.clock.Now().AddDate(0, 1, 0)}, identity.System)
	if err != nil {
		b.t.Fatal(err)
	}
	return tok
}

var smsCodeRE = regexp.MustCompile(`^Kode (\d{6}) til køb hos `)

// smsCode is the code of the SMS an authentication sent, from the outbox.
func (b *bank) smsCode(id string) (card.SMS, string) {
	b.t.Helper()
	out, err := b.a.VisaSecure.Outbox(b.ctx, 50)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, m := range out {
		if sub := smsCodeRE.FindStringSubmatch(m.Text); m.Reference == id && sub != nil {
			return m, sub[1]
		}
	}
	b.t.Fatalf("no SMS with a code for %s in %+v", id, out)
	return card.SMS{}, ""
}

// noPAN fails when an answer repeats a card number.
func (b *bank) noPAN(a answer, pan string) {
	b.t.Helper()
	if strings.Contains(a.raw, pan) || strings.Contains(a.raw, pan[len(pan)-10:]) {
		b.t.Fatalf("the answer repeats the card number: %s", a.raw)
	}
}

// RULE CARD-11: a merchant key starts an authentication (201, the SMS
// names merchant and amount), the cardholder's code gives a CAVV (200) —
// a wrong code is 422 — and the authorization engine the bank runs
// approves the internet purchase with that CAVV, once, and refuses another
// amount or merchant with 1A. Customer, clearing and creditor keys get
// 403; cards that are not enrolled (the junior under 15, a blocked card)
// are 422 not_enrolled; no answer repeats the card number.
func TestAPIVisaSecureAuthenticatesAnInternetPurchase_CARD11(t *testing.T) {
	forEachBank(t, func(t *testing.T, b *bank) {
		good := b.demoCard("good")
		shop, other := b.merchantToken("Boghandlen ApS"), b.merchantToken("Anden butik")
		start := func(tok, pan string, amount int64) answer {
			return b.do(http.MethodPost, "/api/v1/visa-secure/authentications", tok, map[string]any{"pan": pan, "amount": amount,
				"currency": "DKK", "merchant_id": "BOGHANDLEN01", "merchant_name": "Boghandlen ApS"})
		}
		for _, kind := range []apikey.Kind{apikey.Customer, apikey.Clearing, apikey.Creditor} {
			a := start(b.token(kind), good.PAN, 249_95)
			b.wantError(a, http.StatusForbidden, "forbidden")
			b.noPAN(a, good.PAN)
		}
		b.wantError(start("", good.PAN, 249_95), http.StatusUnauthorized, "unauthorized")
		for _, name := range []string{"junior_under_15", "blocked", "not_activated"} {
			c := b.demoCard(name)
			a := start(shop, c.PAN, 249_95)
			b.wantError(a, http.StatusUnprocessableEntity, "not_enrolled")
			b.noPAN(a, c.PAN)
		}
		b.wantError(b.do(http.MethodPost, "/api/v1/visa-secure/authentications", shop, map[string]any{"pan": good.PAN,
			"merchant_id": "BOGHANDLEN01", "merchant_name": "Boghandlen ApS"}), http.StatusBadRequest, "invalid")

		a := start(shop, good.PAN, 249_95)
		body := b.want(a, http.StatusCreated, "VisaSecureAuthentication")
		b.noPAN(a, good.PAN)
		id := body["id"].(string)
		if body["status"] != "challenge_sent" || body["expires_at"] != b.clock.Now().UTC().Add(5*time.Minute).Format(time.RFC3339) {
			t.Errorf("started %s", a.raw)
		}
		sms, code := b.smsCode(id)
		if want := fmt.Sprintf("Kode %s til køb hos Boghandlen ApS på 249,95 kr. Del aldrig koden.", code); sms.Text != want {
			t.Errorf("SMS %q, want %q", sms.Text, want)
		}

		codePath := "/api/v1/visa-secure/authentications/" + id + "/code"
		wrongCode := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
		msg := b.wantError(b.do(http.MethodPost, codePath, shop, map[string]any{"code": wrongCode}), http.StatusUnprocessableEntity, "authentication_failed")
		if !strings.Contains(msg, "2 forsøg tilbage") {
			t.Errorf("wrong code: %q", msg)
		}
		b.wantError(b.do(http.MethodPost, codePath, other, map[string]any{"code": code}), http.StatusNotFound, "not_found")
		b.wantError(b.do(http.MethodPost, codePath, b.token(apikey.Customer), map[string]any{"code": code}), http.StatusForbidden, "forbidden")
		res := b.want(b.do(http.MethodPost, codePath, shop, map[string]any{"code": code}), http.StatusOK, "VisaSecureResult")
		cavv := res["cavv"].(string)
		if len(cavv) != 28 {
			t.Fatalf("CAVV %q, want 28 base64 characters", cavv)
		}

		// The engine of the running bank verifies the CAVV (dynamic linking).
		n := 0
		purchase := func(amount int64, merchant string) string {
			n++
			now := b.clock.Now()
			return b.a.Authorizer.Authorize(b.ctx, card.AuthRequest{MTI: card.MsgAuthorization, PAN: good.PAN, ProcessingCode: "000000",
				Amount: amount, Currency: "208", TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", n),
				LocalTime: now.Format("150405"), LocalDate: now.Format("0102"), Expiry: good.Expiry, MCC: "5942", POSEntryMode: "812",
				POSCondition: "59", RRN: fmt.Sprintf("%012d", n), TerminalID: "WEBSHOP1", MerchantID: merchant,
				MerchantName: "Boghandlen ApS", MerchantCity: "Odense", MerchantCountry: "DK", CVV2: good.CVV2, CAVV: cavv}).Code
		}
		if got := purchase(250_00, "BOGHANDLEN01   "); got != "1A" {
			t.Errorf("another amount: %s, want 1A", got)
		}
		if got := purchase(249_95, "OTHERSHOP000001"); got != "1A" {
			t.Errorf("another merchant: %s, want 1A", got)
		}
		if got := purchase(249_95, "BOGHANDLEN01   "); got != "00" {
			t.Fatalf("the approved purchase: %s, want 00", got)
		}
		if got := purchase(249_95, "BOGHANDLEN01   "); got != "1A" {
			t.Errorf("a second purchase with the same CAVV: %s, want 1A", got)
		}
		b.wantError(b.do(http.MethodPost, codePath, shop, map[string]any{"code": code}), http.StatusUnprocessableEntity, "authentication_failed")
	})
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// RULE CARD-16: merchants and other banks ask the block register with a
// card number in the body: blocked or not, and since when; a card is in it
// from the moment it is blocked. Customer and creditor keys get 403; the
// answer never repeats the number.
func TestAPIBlockRegister_CARD16(t *testing.T) {
	forEachBank(t, func(t *testing.T, b *bank) {
		merchant, clearing := b.merchantToken("Boghandlen ApS"), b.token(apikey.Clearing)
		ask := func(tok, pan string) answer {
			return b.do(http.MethodPost, "/api/v1/block-register", tok, map[string]any{"pan": pan})
		}
		good, lost := b.demoCard("good"), b.demoCard("blocked")
		for _, tok := range []string{merchant, clearing} {
			a := ask(tok, good.PAN)
			if body := b.want(a, http.StatusOK, "BlockRegisterAnswer"); body["blocked"] != false || body["since"] != nil {
				t.Errorf("a good card: %s", a.raw)
			}
			b.noPAN(a, good.PAN)
			a = ask(tok, lost.PAN)
			if body := b.want(a, http.StatusOK, "BlockRegisterAnswer"); body["blocked"] != true || body["since"] == nil {
				t.Errorf("a lost card: %s", a.raw)
			}
			b.noPAN(a, lost.PAN)
		}
		for _, kind := range []apikey.Kind{apikey.Customer, apikey.Creditor} {
			b.wantError(ask(b.token(kind), lost.PAN), http.StatusForbidden, "forbidden")
		}
		b.wantError(ask(merchant, "4571990000000004"), http.StatusBadRequest, "invalid")
		b.wantError(ask(merchant, ""), http.StatusBadRequest, "invalid")

		// Blocked now: in the register at once, with the time of the block.
		b.clock.Advance(time.Hour)
		c, err := b.a.Cards.ByPAN(b.ctx, good.PAN)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.a.Cards.Block(b.ctx, "", c.ID, card.ReasonFraudSuspicion, card.Actor{ID: "stf_test", Kind: audit.ActorStaff}); err != nil {
			t.Fatal(err)
		}
		spaced := good.PAN[:4] + " " + good.PAN[4:8] + " " + good.PAN[8:12] + " " + good.PAN[12:]
		body := b.want(ask(merchant, spaced), http.StatusOK, "BlockRegisterAnswer")
		if body["blocked"] != true || body["since"] != b.clock.Now().UTC().Format(time.RFC3339) {
			t.Errorf("after the block: %v, want blocked since %s", body, b.clock.Now().UTC().Format(time.RFC3339))
		}
	})
}
