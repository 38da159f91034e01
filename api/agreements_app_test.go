package api_test

// Payment agreements through the whole bank (RULES PAY-8, PAY-3, CAL-1,
// SIGN-2): the customer signs up with the API, the demo creditor's
// partner key announces collections and sends bills, the customer rejects
// and approves them. Every answer is checked against its schema.

import (
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/demo"
)

// signUp makes Mette's agreement of kind with the demo creditor through
// the API and returns it with the answer's signing object (nil for an
// e-invoice agreement).
func (b *bank) signUp(tok, key string, body map[string]any) (map[string]any, map[string]any) {
	b.t.Helper()
	a := b.want(b.do("POST", "/api/v1/agreements", tok, body, "Idempotency-Key", key), 201, "AgreementWithSigning")
	s, _ := a["signing"].(map[string]any)
	return obj(a["agreement"]), s
}

// RULES PAY-8, SIGN-2, PAY-3, CAL-1: a customer signs up to Betalingsservice
// through the API (a signed document of kind "agreement"); the creditor's
// key announces collections under it, idempotently by its reference; the
// customer sees them as upcoming and rejects one until the end of the bank
// day before it is due — after that it is 409 with the Danish reason; the
// creditor withdraws one; cancelling the agreement stops new ones. Keys
// reach only their own side, and only their own creditor numbers.
func TestAPIBetalingsserviceAnnounceAndReject_PAY8(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		mette, creditor := b.token(apikey.Customer), b.token(apikey.Creditor)
		priv := b.enrollMette()
		signup := map[string]any{"kind": "betalingsservice", "account": metteSalary, "creditor_number": demo.APICreditor,
			"debtor_group": "1", "customer_number": "000777", "creditor_name": "Ørsted Salg & Service"}
		ann := map[string]any{"debtor_group": "00001", "customer_number": "777", "amount": 645_00, "due_date": "2026-11-28",
			"text": "El, aconto december", "reference": "EL-1"}

		ag, s := b.signUp(mette, "bs-1", signup)
		if ag["status"] != "awaiting_signature" || s == nil || s["kind"] != "agreement" ||
			!strings.Contains(s["document"].(string), "PBS-nr.: "+demo.APICreditor) ||
			!strings.HasSuffix(s["document"].(string), "\nAftale: "+ag["id"].(string)) {
			t.Fatalf("sign-up %v %v", ag, s)
		}
		// Not signed yet: no agreement the creditor can collect under.
		if msg := b.wantError(b.do("POST", "/api/v1/betalingsservice/collections", creditor, ann), 404, "not_found"); !strings.Contains(msg, "Ingen aftale") {
			t.Fatalf("announce before signing: %s", msg)
		}
		signed := b.want(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), mette, signWithKey(s, priv)), 200, "SignatureResult")
		if a := obj(signed["agreement"]); a["status"] != "active" || a["id"] != ag["id"] || obj(signed["document"])["kind"] != "agreement" {
			t.Fatalf("signed %v", signed)
		}
		list := b.want(b.do("GET", "/api/v1/agreements", mette, nil), 200, "AgreementList")["agreements"].([]any)
		if !hasID(list, ag["id"]) {
			t.Fatalf("agreements %v", list)
		}

		// The creditor announces: a Saturday moves to Monday (CAL-1); a
		// retry is 200 with the same collection, other content 409.
		c := b.want(b.do("POST", "/api/v1/betalingsservice/collections", creditor, ann), 201, "CreditorCollection")
		if c["due_date"] != "2026-11-30" || c["requested_due_date"] != "2026-11-28" || c["status"] != "announced" ||
			c["customer_number"] != "777" || c["creditor_number"] != demo.APICreditor {
			t.Fatalf("announced %v", c)
		}
		b.want(b.do("POST", "/api/v1/betalingsservice/collections", creditor, ann), 200, "CreditorCollection")
		changed := clone(ann)
		changed["amount"] = 700_00
		b.wantError(b.do("POST", "/api/v1/betalingsservice/collections", creditor, changed), 409, "conflict")
		// Another creditor's number: 403, whatever agreements it has.
		other := clone(ann)
		other["creditor_number"], other["reference"] = "02631445", "EL-x"
		b.wantError(b.do("POST", "/api/v1/betalingsservice/collections", creditor, other), 403, "forbidden")
		b.wantError(b.do("GET", "/api/v1/betalingsservice/collections/EL-1?creditor=02631445", creditor, nil), 403, "forbidden")
		// Keys reach only their own side.
		b.wantError(b.do("POST", "/api/v1/betalingsservice/collections", mette, ann), 403, "forbidden")
		b.wantError(b.do("GET", "/api/v1/betalingsservice/upcoming", creditor, nil), 403, "forbidden")
		b.wantError(b.do("GET", "/api/v1/betalingsservice/collections/EL-9", creditor, nil), 404, "not_found")

		// A second one due Wednesday: it can be rejected until the end of Tuesday.
		soon := clone(ann)
		soon["due_date"], soon["reference"], soon["amount"] = "2026-11-25", "EL-2", 100_00
		b.want(b.do("POST", "/api/v1/betalingsservice/collections", creditor, soon), 201, "CreditorCollection")

		up := b.want(b.do("GET", "/api/v1/betalingsservice/upcoming", mette, nil), 200, "CollectionList")["collections"].([]any)
		byRef := map[string]map[string]any{}
		for _, it := range up {
			if obj(it)["creditor_number"] == demo.APICreditor {
				byRef[obj(it)["due_date"].(string)] = obj(it)
			}
		}
		first, second := byRef["2026-11-30"], byRef["2026-11-25"]
		if len(byRef) != 2 || first["rejectable"] != true || first["last_reject_day"] != "2026-11-27" ||
			first["reject_deadline"] != "2026-11-27T23:00:00Z" || first["account"] != metteSalary || minor(first["amount"]) != 645_00 ||
			second["last_reject_day"] != "2026-11-24" {
			t.Fatalf("upcoming %v", up)
		}
		// Another customer cannot reject Mette's collection.
		_, lars := b.userToken(b.creds.Users[1].UserNumber)
		b.wantError(b.do("POST", "/api/v1/betalingsservice/upcoming/"+first["id"].(string)+"/rejection", lars, nil), 404, "not_found")

		r := b.want(b.do("POST", "/api/v1/betalingsservice/upcoming/"+first["id"].(string)+"/rejection", mette, nil), 200, "Collection")
		if r["status"] != "rejected" || r["rejectable"] != false {
			t.Fatalf("rejected %v", r)
		}
		b.want(b.do("POST", "/api/v1/betalingsservice/upcoming/"+first["id"].(string)+"/rejection", mette, nil), 200, "Collection")
		if c := b.want(b.do("GET", "/api/v1/betalingsservice/collections/EL-1", creditor, nil), 200, "CreditorCollection"); c["status"] != "rejected" {
			t.Fatalf("creditor sees %v", c)
		}
		// A rejected collection cannot be withdrawn.
		b.wantError(b.do("DELETE", "/api/v1/betalingsservice/collections/EL-1", creditor, nil), 409, "conflict")

		// PAY-8: 00.10 on the due date (Copenhagen) is past the deadline,
		// the end of the bank day before.
		b.clock.Set(time.Date(2026, 11, 24, 23, 10, 0, 0, time.UTC))
		msg := b.wantError(b.do("POST", "/api/v1/betalingsservice/upcoming/"+second["id"].(string)+"/rejection", mette, nil), 409, "conflict")
		if !strings.Contains(msg, "Fristen for at afvise betalingen udløb ved udgangen af 24.11.2026") {
			t.Fatalf("too late: %s", msg)
		}

		// The creditor withdraws one it announced.
		third := clone(ann)
		third["due_date"], third["reference"] = "2026-12-15", "EL-3"
		b.want(b.do("POST", "/api/v1/betalingsservice/collections", creditor, third), 201, "CreditorCollection")
		if w := b.want(b.do("DELETE", "/api/v1/betalingsservice/collections/EL-3", creditor, nil), 200, "CreditorCollection"); w["status"] != "withdrawn" {
			t.Fatalf("withdrawn %v", w)
		}

		// Cancelled, the agreement takes no more collections.
		if a := b.want(b.do("DELETE", "/api/v1/agreements/"+ag["id"].(string), mette, nil), 200, "Agreement"); a["status"] != "cancelled" {
			t.Fatalf("cancelled %v", a)
		}
		fourth := clone(ann)
		fourth["due_date"], fourth["reference"] = "2026-12-16", "EL-4"
		b.wantError(b.do("POST", "/api/v1/betalingsservice/collections", creditor, fourth), 404, "not_found")
		b.wantError(b.do("DELETE", "/api/v1/agreements/"+ag["id"].(string), lars, nil), 404, "not_found")
	})
}

// RULES PAY-8, PAY-4, SIGN-2: the creditor's key sends bills under an
// e-invoice agreement the customer made through the API; the customer
// approves one with another amount and date (a slip payment signed like
// any payment, which approves the bill) and rejects another. The creditor
// follows both, and never sees the customer's reason.
func TestAPIEInvoiceApproveAndReject_PAY8(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		mette, creditor := b.token(apikey.Customer), b.token(apikey.Creditor)
		priv := b.enrollMette()
		ag, s := b.signUp(mette, "einv-1", map[string]any{"kind": "einvoice", "account": metteSalary,
			"creditor_number": demo.APICreditor, "customer_number": "4410001"})
		if ag["status"] != "active" || s != nil {
			t.Fatalf("e-invoice agreement %v %v", ag, s)
		}
		bill := map[string]any{"customer_number": "4410001", "slip_type": "+71", "payment_id": "000100017156728", "amount": 1_187_50,
			"due_date": "2026-12-15", "text": "Vand, 4. kvartal", "creditor_name": "Ørsted Vand", "reference": "VAND-1"}
		sent := b.want(b.do("POST", "/api/v1/einvoices", creditor, bill), 201, "CreditorInvoice")
		if sent["status"] != "pending" || sent["slip_type"] != "71" {
			t.Fatalf("sent %v", sent)
		}
		b.want(b.do("POST", "/api/v1/einvoices", creditor, bill), 200, "CreditorInvoice")
		changed := clone(bill)
		changed["amount"] = 2_000_00
		b.wantError(b.do("POST", "/api/v1/einvoices", creditor, changed), 409, "conflict")
		badSlip := clone(bill)
		badSlip["payment_id"], badSlip["reference"] = "000100017156729", "VAND-bad" // PAY-4: wrong check digit
		b.wantError(b.do("POST", "/api/v1/einvoices", creditor, badSlip), 400, "invalid")
		noAgreement := clone(bill)
		noAgreement["customer_number"], noAgreement["reference"] = "999", "VAND-none"
		b.wantError(b.do("POST", "/api/v1/einvoices", creditor, noAgreement), 404, "not_found")
		second := clone(bill)
		second["reference"], second["amount"] = "VAND-2", 50_00
		b.want(b.do("POST", "/api/v1/einvoices", creditor, second), 201, "CreditorInvoice")

		bills := b.want(b.do("GET", "/api/v1/invoices", mette, nil), 200, "InvoiceList")["invoices"].([]any)
		var first, other map[string]any
		for _, it := range bills {
			inv := obj(it)
			if inv["creditor_number"] != demo.APICreditor {
				continue // the demo's own bill from Aarhus Vand
			}
			if minor(inv["amount"]) == 1_187_50 {
				first = inv
			} else {
				other = inv
			}
		}
		if first == nil || other == nil || obj(first["slip"])["code_line"] != "+71<000100017156728+81234567<" || first["due_date"] != "2026-12-15" {
			t.Fatalf("bills %v", bills)
		}

		// Approve with another amount and date: a slip payment awaiting signature.
		approval := map[string]any{"amount": 1_000_00, "date": "2026-12-04"}
		path := "/api/v1/invoices/" + first["id"].(string) + "/approval"
		a := b.want(b.do("POST", path, mette, approval, "Idempotency-Key", "water-1"), 201, "PaymentWithSigning")
		p, ps := obj(a["payment"]), obj(a["signing"])
		if p["kind"] != "slip" || p["status"] != "awaiting_signature" || minor(p["amount"]) != 1_000_00 || p["execution_date"] != "2026-12-04" ||
			ps["kind"] != "payment" {
			t.Fatalf("approval %v", a)
		}
		if again := b.want(b.do("POST", path, mette, approval, "Idempotency-Key", "water-1"), 200, "PaymentWithSigning"); obj(again["payment"])["id"] != p["id"] {
			t.Fatalf("retry %v", again)
		}
		b.wantError(b.do("POST", path, mette, map[string]any{"date": "2026-11-20"}, "Idempotency-Key", "water-2"), 400, "invalid") // in the past
		_, lars := b.userToken(b.creds.Users[1].UserNumber)
		b.wantError(b.do("POST", path, lars, approval, "Idempotency-Key", "water-1"), 404, "not_found")

		ps = obj(b.want(b.do("POST", path, mette, approval, "Idempotency-Key", "water-1"), 200, "PaymentWithSigning")["signing"])
		done := b.want(b.do("POST", "/api/v1/signatures/"+ps["request_id"].(string), mette, signWithKey(ps, priv)), 200, "SignatureResult")
		if obj(done["payment"])["status"] != "scheduled" {
			t.Fatalf("signed %v", done)
		}
		for _, it := range b.want(b.do("GET", "/api/v1/invoices", mette, nil), 200, "InvoiceList")["invoices"].([]any) {
			if obj(it)["id"] == first["id"] {
				t.Fatalf("an approved bill is still listed: %v", it)
			}
		}
		if c := b.want(b.do("GET", "/api/v1/einvoices/VAND-1", creditor, nil), 200, "CreditorInvoice"); c["status"] != "approved" || c["decided_at"] == "" {
			t.Fatalf("creditor sees %v", c)
		}
		b.wantError(b.do("POST", "/api/v1/invoices/"+first["id"].(string)+"/rejection", mette, nil), 409, "conflict")

		// Reject the other with a reason; the creditor sees the status only.
		rj := b.want(b.do("POST", "/api/v1/invoices/"+other["id"].(string)+"/rejection", mette, map[string]any{"reason": "Allerede betalt"}), 200, "Invoice")
		if rj["status"] != "rejected" || rj["reason"] != "Allerede betalt" {
			t.Fatalf("rejected %v", rj)
		}
		if c := b.want(b.do("GET", "/api/v1/einvoices/VAND-2", creditor, nil), 200, "CreditorInvoice"); c["status"] != "rejected" {
			t.Fatalf("creditor sees %v", c)
		}
		b.wantError(b.do("GET", "/api/v1/einvoices/VAND-2", mette, nil), 403, "forbidden")
	})
}

// hasID reports whether a list of objects holds one with this id.
func hasID(list []any, id any) bool {
	for _, it := range list {
		if obj(it)["id"] == id {
			return true
		}
	}
	return false
}

// clone copies a request body.
func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
