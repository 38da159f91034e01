package api_test

import (
	"testing"

	"github.com/netbank/netbank/apikey"
)

// RULE PAY-7: the clearing delivers a SWIFT payment in euros; the bank
// converts it at its buying rate (746,1200 less the 1 % margin) and books
// the kroner; the answer and the customer's search of incoming payments
// show the euros sent, the rate and the kroner booked.
func TestAPIClearingDeliversForeignCurrency_PAY7(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		if err := b.a.Pricing.SetRate(b.ctx, "EUR", 7_461_200, "test"); err != nil {
			t.Fatal(err)
		}
		clearing, mette := b.token(apikey.Clearing), b.token(apikey.Customer)
		before, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		delivery := map[string]any{"reference": "DEUTDEFF-EUR-1", "swift": true, "from_bank": "DEUTDEFFXXX", "from_name": "Müller GmbH",
			"to_iban": "DK79 9070 0004 4100 01", "original_amount": 1_000_00, "original_currency": "EUR", "text": "Invoice 118"}
		in := b.want(b.do("POST", "/api/v1/clearing/incoming", clearing, delivery), 201, "IncomingPayment")
		orig := obj(in["original_amount"])
		if in["status"] != "booked" || minor(in["amount"]) != 7_386_59 || obj(in["amount"])["currency"] != "DKK" ||
			minor(orig) != 1_000_00 || orig["currency"] != "EUR" || orig["formatted"] != "1.000,00 EUR" ||
			in["rate"] != "738,6588" || in["reference_rate"] != "746,1200" {
			t.Fatalf("incoming %v", in)
		}
		if again := b.want(b.do("POST", "/api/v1/clearing/incoming", clearing, delivery), 201, "IncomingPayment"); again["id"] != in["id"] {
			t.Fatalf("retry %v", again)
		}
		after, _ := b.a.Ledger.Balance(b.ctx, metteSalary)
		if after.Posted-before.Posted != 7_386_59 {
			t.Fatalf("booked %d, want 7.386,59 once", after.Posted-before.Posted)
		}
		list := b.want(b.do("GET", "/api/v1/incoming-payments?swift=true", mette, nil), 200, "IncomingPaymentList")["payments"].([]any)
		if len(list) != 1 || obj(list[0])["id"] != in["id"] || obj(list[0])["rate"] != "738,6588" ||
			minor(obj(list[0])["original_amount"]) != 1_000_00 {
			t.Fatalf("incoming payments %v", list)
		}
		both := clone(delivery)
		both["reference"], both["amount"] = "DEUTDEFF-EUR-2", 100_00
		b.wantError(b.do("POST", "/api/v1/clearing/incoming", clearing, both), 400, "invalid")
		none := clone(delivery)
		none["reference"] = "DEUTDEFF-EUR-3"
		delete(none, "original_amount")
		b.wantError(b.do("POST", "/api/v1/clearing/incoming", clearing, none), 400, "invalid")
	})
}
