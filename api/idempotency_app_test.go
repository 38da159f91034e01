package api_test

import (
	"testing"

	"github.com/netbank/netbank/apikey"
)

// A retry of POST /api/v1/payments at the very same instant (the bank's
// clock has not moved) is still told from a new payment: 200 with the
// same payment, because the bank looks the Idempotency-Key up
// (payment.Service.ByClientID) rather than comparing times. A new key is
// 201 at that instant too.
func TestAPIPaymentRetryAtTheSameInstant(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		tok := b.token(apikey.Customer)
		body := map[string]any{"type": "transfer", "from_account": metteSalary, "to_reg": "5301", "to_account": "1234567",
			"amount": 100_00, "date": "2026-12-01"}
		first := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "same-1"), 201, "PaymentWithSigning")
		again := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "same-1"), 200, "PaymentWithSigning")
		if obj(again["payment"])["id"] != obj(first["payment"])["id"] {
			t.Fatalf("retry made another payment: %v", again)
		}
		other := b.want(b.do("POST", "/api/v1/payments", tok, body, "Idempotency-Key", "same-2"), 201, "PaymentWithSigning")
		if obj(other["payment"])["id"] == obj(first["payment"])["id"] {
			t.Fatal("a new key returned the old payment")
		}
	})
}
