package agreement_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/store"
)

// waterID is the +71 payment id of Aarhus Vand's bill (check digit included).
var waterID = dk.PaymentIDWithCheckDigit("00012345600052")

// eInvoice is Anna's e-invoice agreement with Aarhus Vand.
func (f *fixture) eInvoice() agreement.Agreement {
	f.t.Helper()
	a, err := f.svc.Create(f.ctx, agreement.Request{CustomerID: "cus_anna", UserID: "usr_anna", ClientID: f.clientID(),
		Kind: agreement.EInvoice, AccountID: annaSalary, CreditorNumber: "8123 4567", CustomerNumber: "123456"})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func bill(reference string, amount int64, due time.Time) agreement.Invoice {
	return agreement.Invoice{CreditorNumber: aarhusVand, CustomerNumber: "123456", SlipType: "+71", PaymentID: waterID,
		Amount: amount, DueDate: due, Text: "Vand og afledning, 2. kvartal", CreditorName: "Aarhus Vand A/S", Reference: reference}
}

// RULE PAY-8, PAY-4, CAL-1: an e-invoice agreement needs no signature;
// bills sent under it wait under "Ikke godkendte"; the customer approves
// one with another amount and date, which makes a +71 slip payment with
// those (awaiting signature, signed as any payment), and the bill leaves
// the list once the payment is signed. A non-bank day or a past date is
// refused; a bill can be rejected with a reason.
func TestEInvoiceApproveAndReject_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		_, err := f.svc.SendInvoice(f.ctx, bill("b1", 1_234_56, date(2026, 5, 20)))
		wantCode(t, err, netbank.ENOTFOUND)
		if !strings.Contains(netbank.ErrorMessageOf(err), "Ingen aftale") {
			t.Fatalf("message %q", netbank.ErrorMessageOf(err))
		}
		a := f.eInvoice()
		if a.Status != agreement.Active || a.CreditorNumber != aarhusVand || a.CreditorName != "" {
			t.Fatalf("agreement %+v", a)
		}
		inv, err := f.svc.SendInvoice(f.ctx, bill("b1", 1_234_56, date(2026, 5, 23))) // a Saturday
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != agreement.InvoicePending || inv.SlipType != "71" || !inv.DueDate.Equal(date(2026, 5, 26)) || inv.AccountID != annaSalary {
			t.Fatalf("bill %+v", inv)
		}
		if got, _ := f.svc.Get(f.ctx, "cus_anna", a.ID); got.CreditorName != "Aarhus Vand A/S" {
			t.Fatalf("the agreement did not learn the creditor's name: %+v", got)
		}
		if again, err := f.svc.SendInvoice(f.ctx, bill("b1", 1_234_56, date(2026, 5, 23))); err != nil || again.ID != inv.ID {
			t.Fatalf("retry %+v %v", again, err)
		}
		_, err = f.svc.SendInvoice(f.ctx, bill("b1", 1_000_00, date(2026, 5, 23)))
		wantCode(t, err, netbank.ECONFLICT)
		bad := bill("b2", 1_00, date(2026, 5, 20))
		bad.PaymentID = waterID[:14] + string('0'+(waterID[14]-'0'+1)%10) // a wrong check digit
		_, err = f.svc.SendInvoice(f.ctx, bad)
		wantCode(t, err, netbank.EINVALID)
		_, err = f.svc.SendInvoice(f.ctx, bill("b3", 1_00, date(2026, 5, 5)))
		wantCode(t, err, netbank.EINVALID)

		list, err := f.svc.Invoices(f.ctx, "cus_anna")
		if err != nil || len(list) != 1 || list[0].ID != inv.ID {
			t.Fatalf("Ikke godkendte %+v %v", list, err)
		}
		if list, _ := f.svc.Invoices(f.ctx, "cus_bent"); len(list) != 0 {
			t.Fatalf("Bent sees %+v", list)
		}

		approval := agreement.InvoiceApproval{CustomerID: "cus_anna", UserID: "usr_anna", InvoiceID: inv.ID, ClientID: "appr-1",
			Amount: 1_000_00, Date: date(2026, 5, 16)} // a Saturday
		_, err = f.svc.ApproveInvoice(f.ctx, approval)
		wantCode(t, err, netbank.EINVALID)
		if !strings.Contains(netbank.ErrorMessageOf(err), "ikke en bankdag") {
			t.Fatalf("message %q", netbank.ErrorMessageOf(err))
		}
		approval.Date = date(2026, 5, 5)
		_, err = f.svc.ApproveInvoice(f.ctx, approval)
		wantCode(t, err, netbank.EINVALID)
		// Another customer cannot approve it.
		_, err = f.svc.ApproveInvoice(f.ctx, agreement.InvoiceApproval{CustomerID: "cus_bent", UserID: "usr_bent", InvoiceID: inv.ID, ClientID: "x"})
		wantCode(t, err, netbank.ENOTFOUND)

		// A first approval left unsigned, then another one: the first payment goes.
		first, err := f.svc.ApproveInvoice(f.ctx, agreement.InvoiceApproval{CustomerID: "cus_anna", UserID: "usr_anna", InvoiceID: inv.ID, ClientID: "appr-0"})
		if err != nil || first.Amount != 1_234_56 || !first.ExecutionDate.Equal(date(2026, 5, 26)) {
			t.Fatalf("first approval %+v %v", first, err)
		}
		approval.Date = date(2026, 5, 19)
		p, err := f.svc.ApproveInvoice(f.ctx, approval)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != payment.SlipPayment || p.Slip.Type != "71" || p.Slip.PaymentID != waterID || p.Slip.Creditor != aarhusVand ||
			p.Amount != 1_000_00 || !p.ExecutionDate.Equal(date(2026, 5, 19)) || p.Status != payment.AwaitingSignature ||
			p.FromAccount != annaSalary || p.ToName != "Aarhus Vand A/S" {
			t.Fatalf("payment %+v", p)
		}
		if old, _ := f.payments.Get(f.ctx, "cus_anna", first.ID); old.Status != payment.Cancelled {
			t.Fatalf("the first, unsigned payment %+v", old)
		}
		// Not approved until signed.
		if list, _ := f.svc.Invoices(f.ctx, "cus_anna"); len(list) != 1 {
			t.Fatalf("approved before the signature: %+v", list)
		}
		if _, err := f.payments.Confirm(f.ctx, "cus_anna", p.ID, "doc_p", "usr_anna"); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.svc.Invoices(f.ctx, "cus_anna"); len(list) != 0 {
			t.Fatalf("still not approved: %+v", list)
		}
		if got, _ := f.svc.Invoice(f.ctx, "cus_anna", inv.ID); got.Status != agreement.InvoiceApproved || got.ApprovedPayment != p.ID || got.DecidedBy != "usr_anna" {
			t.Fatalf("approved bill %+v", got)
		}
		_, err = f.svc.ApproveInvoice(f.ctx, approval)
		wantCode(t, err, netbank.ECONFLICT)
		if got, _ := f.svc.CreditorInvoice(f.ctx, aarhusVand, "b1"); got.Status != agreement.InvoiceApproved {
			t.Fatalf("creditor's view %+v", got)
		}

		// Reject another bill, with a reason; Bent cannot.
		other, err := f.svc.SendInvoice(f.ctx, bill("b4", 99_00, date(2026, 6, 1)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.RejectInvoice(f.ctx, "cus_bent", other.ID, "usr_bent", "")
		wantCode(t, err, netbank.ENOTFOUND)
		_, err = f.svc.RejectInvoice(f.ctx, "cus_anna", other.ID, "usr_anna", "linje1\nlinje2")
		wantCode(t, err, netbank.EINVALID)
		rej, err := f.svc.RejectInvoice(f.ctx, "cus_anna", other.ID, "usr_anna", "Allerede betalt i kontanter")
		if err != nil || rej.Status != agreement.InvoiceRejected || rej.Reason != "Allerede betalt i kontanter" {
			t.Fatalf("rejected %+v %v", rej, err)
		}
		if list, _ := f.svc.Invoices(f.ctx, "cus_anna"); len(list) != 0 {
			t.Fatalf("a rejected bill is listed: %+v", list)
		}
		_, err = f.svc.ApproveInvoice(f.ctx, agreement.InvoiceApproval{CustomerID: "cus_anna", UserID: "usr_anna", InvoiceID: other.ID, ClientID: "late"})
		wantCode(t, err, netbank.ECONFLICT)

		// A payment deleted before it was signed leaves the bill to approve again.
		third, err := f.svc.SendInvoice(f.ctx, bill("b5", 50_00, date(2026, 6, 1)))
		if err != nil {
			t.Fatal(err)
		}
		tp, err := f.svc.ApproveInvoice(f.ctx, agreement.InvoiceApproval{CustomerID: "cus_anna", UserID: "usr_anna", InvoiceID: third.ID, ClientID: "appr-3"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.payments.Cancel(f.ctx, "cus_anna", tp.ID, "usr_anna"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Invoice(f.ctx, "cus_anna", third.ID); got.Status != agreement.InvoicePending || got.ApprovedPayment != "" {
			t.Fatalf("after the deleted payment %+v", got)
		}
	})
}

// RULE PAY-8: a second e-invoice agreement with the same creditor and
// customer number is refused; an FI creditor number must start with 8.
func TestEInvoiceAgreement_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		a := f.eInvoice()
		_, err := f.svc.Create(f.ctx, agreement.Request{CustomerID: "cus_anna", UserID: "usr_anna", ClientID: "dup",
			Kind: agreement.EInvoice, AccountID: annaSalary, CreditorNumber: aarhusVand, CustomerNumber: "00123456"})
		wantCode(t, err, netbank.ECONFLICT)
		_, err = f.svc.Create(f.ctx, agreement.Request{CustomerID: "cus_anna", UserID: "usr_anna", ClientID: "bad",
			Kind: agreement.EInvoice, AccountID: annaSalary, CreditorNumber: "71234567", CustomerNumber: "1"})
		wantCode(t, err, netbank.EINVALID)
		if _, err := f.svc.Cancel(f.ctx, "cus_anna", a.ID, "usr_anna"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SendInvoice(f.ctx, bill("after", 1_00, date(2026, 5, 20)))
		wantCode(t, err, netbank.ENOTFOUND)
		// Cancelled, a new agreement on the same numbers may be made.
		if again := f.eInvoice(); again.Status != agreement.Active {
			t.Fatalf("new agreement %+v", again)
		}
	})
}
