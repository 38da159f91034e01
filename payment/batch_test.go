package payment_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/store"
)

// Payment files (batch.go): a file loaded into payments awaiting
// signature, signed once, never paid twice.

// csvFile is a CSV payment file from the business's account with lines
// (after the header line, so the first payment is line 2).
func csvFile(lines ...string) []byte {
	return []byte("fra_reg;fra_konto;dato;beløb;til_reg;til_konto;modtager;modtager_tekst\n" + strings.Join(lines, "\n") + "\n")
}

// threeGoodOneBad is a file with three payments the bank can make and one
// it cannot (line 5: no bank has registration number 0001).
var threeGoodOneBad = csvFile(
	"9070;0000004001;;1.000,00;9070;0000001001;Anna Holm;Løn maj",             // line 2: inside the bank, at once
	"9070;0000004001;;2.500,00;5301;0012345678;Jens Smed;Faktura 17",          // line 3: another bank, clearing
	"9070;0000004001;13.05.2026;300,00;9070;0000002001;Bent Juul;Honorar maj", // line 4: Wednesday, upcoming
	"9070;0000004001;;50,00;0001;0000000123;Ingen Bank;Fejl",                  // line 5: bad
)

func (f *fixture) load(user, name string, data []byte) payment.Batch {
	f.t.Helper()
	b, err := f.svc.LoadFile(f.ctx, "cus_biz", user, name, data, "")
	if err != nil {
		f.t.Fatalf("load %s: %v", name, err)
	}
	return b
}

func (f *fixture) batchPayments(b payment.Batch) []payment.Payment {
	f.t.Helper()
	ps, err := f.svc.BatchPayments(f.ctx, b)
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// RULE PAY-6 (with SIGN-2): a CSV file with three good lines and one bad
// gives three payments awaiting signature and one error naming line 5;
// one signature over one document (file, hash, count, total, each payee
// and amount) confirms all three: the payment inside the bank settles, the
// one to another bank goes to clearing, the dated one is upcoming. Loading
// the same file again pays nothing: the same batch, every line reported as
// already paid.
func TestPaymentFileSignedOnce_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		b := f.load("usr_jens", "løn maj.csv", threeGoodOneBad)
		if b.ID == "" || b.Status != payment.BatchAwaitingSignature || b.Reloaded || b.Format != payfile.CSV {
			t.Fatalf("batch %+v", b)
		}
		if len(b.Payments) != 3 || fmt.Sprint(b.PaymentLines) != "[2 3 4]" || b.Lines != 4 {
			t.Fatalf("payments %v on lines %v of %d", b.Payments, b.PaymentLines, b.Lines)
		}
		if len(b.Errors) != 1 || b.Errors[0].No != 5 || !strings.Contains(b.Errors[0].Message, "0001") {
			t.Fatalf("errors %+v", b.Errors)
		}
		if len(b.Totals) != 1 || b.Totals[0] != netbank.NewMoney(3_800_00, "DKK") {
			t.Fatalf("totals %v", b.Totals)
		}
		ps := f.batchPayments(b)
		for _, p := range ps {
			if p.Status != payment.AwaitingSignature || p.CreatedBy != "usr_jens" || p.FromAccount != bizAccount {
				t.Fatalf("draft %+v", p)
			}
		}
		if ps[2].ExecutionDate != date(2026, 5, 13) || ps[1].Kind != payment.Domestic || ps[0].Kind != payment.Internal {
			t.Fatalf("drafts %+v", ps)
		}
		// Stored as loaded, on both engines.
		got, err := f.svc.Batch(f.ctx, "cus_biz", b.ID)
		if err != nil || fmt.Sprint(got.Payments, got.PaymentLines, got.Errors, got.Totals, got.FileName, got.FileHash) !=
			fmt.Sprint(b.Payments, b.PaymentLines, b.Errors, b.Totals, "løn maj.csv", b.FileHash) {
			t.Fatalf("stored %+v, %v\nloaded %+v", got, err, b)
		}

		// RULE SIGN-2: one document names the file and every payment.
		doc := payment.BatchDocument(b, ps)
		for _, want := range []string{"Betalingsfil: løn maj.csv", "Filens SHA-256: " + b.FileHash, "Antal betalinger: 3",
			"I alt: 3.800,00 kr.", "Linjer der ikke betales: 5", "Fra konto: 9070 0000004001",
			"Linje 2: 9070 0000001001, Anna Holm, 1.000,00 kr., 11.05.2026",
			"Linje 3: 5301 0012345678, Jens Smed, 2.500,00 kr., 11.05.2026",
			"Linje 4: 9070 0000002001, Bent Juul, 300,00 kr., 13.05.2026"} {
			if !strings.Contains(doc, want) {
				t.Errorf("document lacks %q:\n%s", want, doc)
			}
		}
		if strings.Contains(doc, "Ingen Bank") {
			t.Errorf("the bad line is in the document:\n%s", doc)
		}

		signed, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_file1", "usr_jens")
		if err != nil || signed.Status != payment.BatchSigned || signed.SignedDocument != "doc_file1" || len(signed.Failed) != 0 {
			t.Fatalf("confirm batch: %+v, %v", signed, err)
		}
		ps = f.batchPayments(b)
		want := []payment.Status{payment.Settled, payment.InClearing, payment.Scheduled}
		for i, p := range ps {
			if p.Status != want[i] || p.SignedDocument != "doc_file1" || p.SignedBy != "usr_jens" {
				t.Errorf("payment %d: %s signed %q, want %s", i, p.Status, p.SignedDocument, want[i])
			}
		}
		if f.posted(annaSalary) != 10_000_00+1_000_00 || f.posted(bizAccount) != 1_000_000_00-1_000_00-2_500_00 {
			t.Fatalf("balances anna %d biz %d", f.posted(annaSalary), f.posted(bizAccount))
		}

		// The same file again: the same batch, nothing paid again.
		before := len(f.search("cus_biz"))
		again := f.load("usr_jens", "kopi af løn maj.csv", threeGoodOneBad)
		if again.ID != b.ID || !again.Reloaded || again.Status != payment.BatchSigned {
			t.Fatalf("reload %+v", again)
		}
		if len(again.Already) != 3 {
			t.Fatalf("already %+v", again.Already)
		}
		for i, e := range again.Already {
			if e.No != b.PaymentLines[i] || e.Message != "Allerede betalt/indlæst (betaling "+b.Payments[i]+")." {
				t.Errorf("already %+v", e)
			}
		}
		// Another user of the business: the same answer.
		if other := f.load("usr_pia", "løn.csv", threeGoodOneBad); other.ID != b.ID || len(other.Already) != 3 {
			t.Fatalf("reload by another user %+v", other)
		}
		f.runUntil(at(2026, 5, 13, 12, 0), time.Hour)
		if n := len(f.search("cus_biz")); n != before {
			t.Fatalf("%d payments after loading again, %d before", n, before)
		}
		if f.posted(bentSalary) != 1_000_00+300_00 || f.posted(bizAccount) != 1_000_000_00-3_800_00 {
			t.Fatalf("balances bent %d biz %d", f.posted(bentSalary), f.posted(bizAccount))
		}
		for _, p := range f.batchPayments(b) {
			if p.Status != payment.Settled {
				t.Errorf("payment %s is %s after its date", p.ID, p.Status)
			}
		}
		// Signing again with the same document is harmless; another is refused.
		if _, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_file1", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_other", "usr_jens")
		wantCode(t, err, netbank.ECONFLICT)
	})
}

func (f *fixture) search(customer string) []payment.Payment {
	f.t.Helper()
	ps, err := f.svc.Search(f.ctx, customer, payment.Filter{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// RULE PAY-6: the paying account of a line must be one of the customer's
// own. A line naming another customer's account is an error of that line
// in the same words as a line naming an account that does not exist (a
// file never tells whose an account is), and the other customer's money
// never moves.
func TestPaymentFileOtherCustomersAccount_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		b := f.load("usr_jens", "betalinger.csv", csvFile(
			"9070;0000001001;;500,00;5301;0012345678;Fra Annas konto;x", // Anna's account
			"9070;0000009999;;500,00;5301;0012345678;Findes ikke;x",     // no such account
			"5301;0012345678;;500,00;9070;0000002001;Anden bank;x",      // an account in another bank
			"9070;0000004001;;500,00;5301;0012345678;Egen konto;x",      // the business's own
		))
		if len(b.Payments) != 1 || b.PaymentLines[0] != 5 || len(b.Errors) != 3 {
			t.Fatalf("batch %+v", b)
		}
		for i, want := range []string{"Kontoen 9070 0000001001 er ikke en af dine konti.", "Kontoen 9070 0000009999 er ikke en af dine konti.",
			"Kontoen 5301 0012345678 er ikke en af dine konti."} {
			if e := b.Errors[i]; e.No != i+2 || e.Field != "fra konto" || e.Message != want {
				t.Errorf("error %d: %+v, want %q", i, e, want)
			}
		}
		if _, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_1", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		if f.posted(annaSalary) != 10_000_00 {
			t.Fatalf("Anna's account moved: %d", f.posted(annaSalary))
		}

	})
}

// RULE BIZ-5: four-eyes applies to every payment of a file: signing the
// file puts the payment above the business's limit before a second user
// and executes the rest. Only the user who loaded the file may sign it,
// and another user loading the same file meanwhile is told so.
func TestPaymentFileFourEyes_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		if err := f.svc.SetApprovalLimit(f.ctx, "cus_biz", 2_000_00, "stf_lone"); err != nil {
			t.Fatal(err)
		}
		b := f.load("usr_jens", "fil.csv", threeGoodOneBad)
		_, err := f.svc.LoadFile(f.ctx, "cus_biz", "usr_pia", "fil.csv", threeGoodOneBad, "")
		wantCode(t, err, netbank.ECONFLICT)
		_, err = f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_pia", "usr_pia")
		wantCode(t, err, netbank.EFORBIDDEN)
		// Another customer cannot reach the batch at all.
		_, err = f.svc.ConfirmBatch(f.ctx, "cus_anna", b.ID, "doc_anna", "usr_jens")
		wantCode(t, err, netbank.ENOTFOUND)
		if _, err := f.svc.Batch(f.ctx, "cus_anna", b.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another customer reads the batch: %v", err)
		}
		if _, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_jens", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		ps := f.batchPayments(b)
		if ps[0].Status != payment.Settled || ps[1].Status != payment.AwaitingApproval || !ps[1].ApprovalRequired || ps[2].Status != payment.Scheduled {
			t.Fatalf("after signing: %s %s %s", ps[0].Status, ps[1].Status, ps[2].Status)
		}
		p, err := f.svc.Approve(f.ctx, "cus_biz", ps[1].ID, "usr_pia", "doc_approval")
		if err != nil || p.Status != payment.InClearing {
			t.Fatalf("approve: %+v, %v", p, err)
		}
	})
}

// RULE PAY-6: ConfirmBatch is resumed by calling it again: a run that
// stopped after recording the signature (here: the batch marked signed
// and one payment confirmed, the rest not) confirms the rest and pays
// each payment once.
func TestPaymentFileConfirmResumes_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		b := f.load("usr_jens", "fil.csv", threeGoodOneBad)
		if err := db.Payments().BatchTx(f.ctx, func(tx payment.BatchTx) error {
			cur, err := tx.GetBatch(f.ctx, "cus_biz", b.ID, true)
			if err != nil {
				return err
			}
			cur.Status, cur.SignedDocument, cur.SignedAt = payment.BatchSigned, "doc_crash", f.clock.Now()
			return tx.UpdateBatch(f.ctx, cur)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Confirm(f.ctx, "cus_biz", b.Payments[0], "doc_crash", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_crash", "usr_jens")
		if err != nil || got.Status != payment.BatchSigned || len(got.Failed) != 0 {
			t.Fatalf("resume: %+v, %v", got, err)
		}
		for _, p := range f.batchPayments(b) {
			if p.Status == payment.AwaitingSignature || p.SignedDocument != "doc_crash" {
				t.Errorf("payment %s: %s", p.ID, p.Status)
			}
		}
		if f.posted(annaSalary) != 11_000_00 || f.countTransfers("payment") != 3 {
			t.Fatalf("anna %d, %d payment transfers", f.posted(annaSalary), f.countTransfers("payment"))
		}
	})
}

// RULE PAY-6, PAY-3: "Annullér" cancels the file's drafts; the same file
// can then be loaded afresh, as new payments. A file left unsigned past
// the draft time can no longer be signed, and loading it again starts
// over. A payment refused at signing (deleted on its own meanwhile) is
// noted on the batch, the others go ahead.
func TestPaymentFileCancelAndReload_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		b := f.load("usr_jens", "fil.csv", threeGoodOneBad)
		c, err := f.svc.CancelBatch(f.ctx, "cus_biz", b.ID, "usr_jens")
		if err != nil || c.Status != payment.BatchCancelled {
			t.Fatalf("cancel: %+v, %v", c, err)
		}
		for _, p := range f.batchPayments(b) {
			if p.Status != payment.Cancelled {
				t.Errorf("draft %s is %s", p.ID, p.Status)
			}
		}
		_, err = f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_1", "usr_jens")
		wantCode(t, err, netbank.ECONFLICT)

		fresh := f.load("usr_jens", "fil.csv", threeGoodOneBad)
		if fresh.ID == b.ID || fresh.Reloaded || len(fresh.Payments) != 3 {
			t.Fatalf("reload after cancel: %+v", fresh)
		}
		for i, id := range fresh.Payments {
			if id == b.Payments[i] {
				t.Fatalf("reload reuses cancelled payment %s", id)
			}
		}

		// Left unsigned past the draft time.
		f.clock.Advance(payment.DefaultDraftTTL + time.Minute)
		_, err = f.svc.ConfirmBatch(f.ctx, "cus_biz", fresh.ID, "doc_2", "usr_jens")
		wantCode(t, err, netbank.EINVALID)
		third := f.load("usr_jens", "fil.csv", threeGoodOneBad)
		if third.ID == fresh.ID || len(third.Payments) != 3 {
			t.Fatalf("reload after lapse: %+v", third)
		}
		if old, _ := f.svc.Batch(f.ctx, "cus_biz", fresh.ID); old.Status != payment.BatchCancelled {
			t.Errorf("lapsed batch is %s", old.Status)
		}

		// One payment deleted on its own before the file is signed.
		if _, err := f.svc.Cancel(f.ctx, "cus_biz", third.Payments[1], "usr_jens"); err != nil {
			t.Fatal(err)
		}
		signed, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", third.ID, "doc_3", "usr_jens")
		if err != nil || len(signed.Failed) != 1 || !strings.Contains(signed.Failed[third.Payments[1]], "Betalingen er allerede") {
			t.Fatalf("signed with a deleted payment: %+v, %v", signed, err)
		}
		if got, _ := f.svc.Batch(f.ctx, "cus_biz", third.ID); got.Failed[third.Payments[1]] == "" {
			t.Errorf("the failure is not stored: %+v", got)
		}
		_, err = f.svc.CancelBatch(f.ctx, "cus_biz", third.ID, "usr_jens")
		wantCode(t, err, netbank.ECONFLICT)
		list, err := f.svc.Batches(f.ctx, "cus_biz")
		if err != nil || len(list) != 3 || list[0].ID != third.ID || len(list[0].Payments) != 3 {
			t.Fatalf("batches %+v, %v", list, err)
		}
		if list, _ := f.svc.Batches(f.ctx, "cus_anna"); len(list) != 0 {
			t.Fatalf("another customer's list %+v", list)
		}
	})
}

// RULE PAY-6: an ERH file is read the same way: its lines become
// payments, a bad line an error.
func TestPaymentFileERH_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		rec := func(to, name, amount, date, text string) string {
			return `"ERH356","90700000004001","Betaling","` + to + `","` + name + `","","","","` + amount + `","` + date + `","` + text +
				`","","","","","","","","","N","","","","","","","","Hansen Tømrer ApS","","","",""`
		}
		data := []byte(strings.Join([]string{
			rec("90700000001001", "Anna Holm", "1.000,00", "", "Løn"),
			rec("53010012345678", "Jens Smed", "2500,00", "11052026", "Faktura"),
			rec("90700000002001", "Bent Juul", "300,00", "15052026", "Honorar"),
			rec("53010012345678", "Jens Smed", "0,00", "", "Nul"),
		}, "\r\n") + "\r\n")
		b := f.load("usr_jens", "ERH.txt", data)
		if b.Format != payfile.ERH || len(b.Payments) != 3 || len(b.Errors) != 1 || b.Errors[0].No != 4 {
			t.Fatalf("ERH batch %+v", b)
		}
		if _, err := f.svc.ConfirmBatch(f.ctx, "cus_biz", b.ID, "doc_erh", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		if f.posted(annaSalary) != 11_000_00 {
			t.Fatalf("anna %d", f.posted(annaSalary))
		}
	})
}

// RULE PAY-6: the bounds of a file: empty, unreadable, more lines than
// one signature may cover.
func TestPaymentFileLimits_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		for name, data := range map[string][]byte{
			"empty":    nil,
			"unknown":  []byte("hej med dig\n"),
			"too many": csvFile(strings.Repeat("9070;0000004001;;1,00;5301;0012345678;Jens;x\n", payment.MaxBatchLines+1)),
			"too big":  make([]byte, payment.MaxBatchFileSize+1),
		} {
			_, err := f.svc.LoadFile(f.ctx, "cus_biz", "usr_jens", name, data, "")
			if netbank.ErrorCodeOf(err) != netbank.EINVALID || netbank.ErrorMessageOf(err) == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if n := len(f.search("cus_biz")); n != 0 {
			t.Fatalf("%d payments from refused files", n)
		}
		// The most lines a file may have.
		b := f.load("usr_jens", "max.csv", csvFile(strings.TrimSuffix(strings.Repeat("9070;0000004001;;1,00;5301;0012345678;Jens Smed;Faktura\n", payment.MaxBatchLines), "\n")))
		if len(b.Payments) != payment.MaxBatchLines {
			t.Fatalf("%d payments, %d errors", len(b.Payments), len(b.Errors))
		}
		if doc := payment.BatchDocument(b, f.batchPayments(b)); len(doc) > payment.MaxBatchDocument {
			t.Fatalf("document of %d bytes", len(doc))
		}
	})
}

// foreignFile pays one transfer abroad (line 2) and one in Denmark (line 3).
var foreignFile = []byte("fra_reg;fra_konto;beløb;valuta;til_reg;til_konto;til_iban;bic;modtager;adresse\n" +
	"9070;0000004001;100,00;EUR;;;DE89370400440532013000;COBADEFFXXX;Müller GmbH;Hauptstraße 5, Hamburg\n" +
	"9070;0000004001;100,00;DKK;5301;0012345678;;;Jens Smed;\n")

// RULE PAY-6, PAY-5: a foreign transfer in a file becomes a foreign
// payment, priced when it is loaded; the signed document shows the amount
// in the currency, the rate, the kroner and the fee.
func TestPaymentFileForeignLine_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ff := newForeignFixture(t, db, at(2026, 5, 11, 10, 0))
		b := ff.load("usr_jens", "udland.csv", foreignFile)
		if len(b.Payments) != 2 || len(b.Errors) != 0 || fmt.Sprint(b.Totals) != "[100,00 kr. 100,00 EUR]" {
			t.Fatalf("batch %+v", b)
		}
		ps := ff.batchPayments(b)
		if p := ps[0]; p.Kind != payment.Foreign || p.Quote.Currency != "EUR" || p.Quote.Amount != 100_00 || p.ToBIC != "COBADEFFXXX" ||
			p.ToAddress != "Hauptstraße 5, Hamburg" {
			t.Fatalf("foreign payment %+v", p)
		}
		doc := payment.BatchDocument(b, ps)
		if !strings.Contains(doc, "Linje 2: DE89 3704 0044 0532 0130 00, Müller GmbH, 100,00 EUR til kurs 753,5812 = 753,58 kr. + gebyr") {
			t.Fatalf("document:\n%s", doc)
		}
		if _, err := ff.svc.ConfirmBatch(ff.ctx, "cus_biz", b.ID, "doc_udland", "usr_jens"); err != nil {
			t.Fatal(err)
		}
		for _, p := range ff.batchPayments(b) {
			if p.Status == payment.AwaitingSignature || p.Status == payment.Rejected {
				t.Errorf("payment %s (%s) is %s %s", p.ID, p.Kind, p.Status, p.FailureReason)
			}
		}
	})
}

// RULE PAY-6: without prices (no Quoter) a foreign line is an error of
// its own, and the Danish lines of the file go ahead.
func TestPaymentFileForeignLineWithoutPrices_PAY6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		b := f.load("usr_jens", "udland.csv", foreignFile)
		if len(b.Payments) != 1 || b.PaymentLines[0] != 3 || len(b.Errors) != 1 || b.Errors[0].No != 2 ||
			!strings.Contains(b.Errors[0].Message, "Udlandsoverførsler") {
			t.Fatalf("batch without prices %+v", b)
		}
	})
}
