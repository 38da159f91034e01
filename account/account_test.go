package account_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

func TestAccounts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, id := range []string{"cus_a", "cus_b"} {
			if _, err := db.Exec(ctx, "INSERT INTO customers (id, kind, name, created_at) VALUES (?, 'private', ?, 1)", id, id); err != nil {
				t.Fatal(err)
			}
		}
		clock := testkit.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		l := ledger.New(db.Ledger(), ledger.Config{Clock: clock})
		defer l.Close()
		if err := l.EnsureInternalAccounts(ctx, "DKK"); err != nil {
			t.Fatal(err)
		}
		svc := account.New(db.Accounts(), l, dk.NetbankReg, clock)
		a, err := svc.Open(ctx, "cus_a", account.Salary, "", "", "", 5_000_00)
		if err != nil {
			t.Fatal(err)
		}
		// RULE PAY-2: a 4-digit registration number + account number; the IBAN follows.
		if a.Reg != "9070" || len(a.Number) != 10 || a.Name != "Lønkonto" || !strings.HasPrefix(a.IBAN, "DK") {
			t.Fatalf("opened %+v", a)
		}
		if err := dk.ValidateIBAN(a.IBAN); err != nil {
			t.Fatalf("IBAN %s: %v", a.IBAN, err)
		}
		if reg, number, _ := dk.SplitDanishIBAN(a.IBAN); reg+strings.Repeat("0", 10-len(number))+number != a.Reg+a.Number {
			t.Fatalf("IBAN %s does not carry %s", a.IBAN, a.Display())
		}
		if _, err := l.Transfer(ctx, ledger.TransferRequest{ID: "dep", DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"), CreditAccountID: a.ID, Amount: 1_000_00}); err != nil {
			t.Fatal(err)
		}
		list, err := svc.List(ctx, "cus_a")
		if err != nil || len(list) != 1 || list[0].Posted != 1_000_00 || list[0].Available != 6_000_00 {
			t.Fatalf("list %+v %v", list, err)
		}
		// Another customer cannot see it, by id or in its list.
		if _, err := svc.Get(ctx, "cus_b", a.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("customer b reads a's account: %v", err)
		}
		if list, _ := svc.List(ctx, "cus_b"); len(list) != 0 {
			t.Fatalf("customer b lists %d accounts", len(list))
		}
		// A payment can find it by number (to show the payee's account exists).
		if got, err := svc.Lookup(ctx, a.Reg, a.Number); err != nil || got.ID != a.ID {
			t.Fatalf("lookup %v %v", got, err)
		}
		// A chosen number, taken twice, is refused; bad input is refused.
		if _, err := svc.Open(ctx, "cus_b", account.Savings, "Ferie", "", "0000012345", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Open(ctx, "cus_b", account.Savings, "Ferie", "", "0000012345", 0); err == nil {
			t.Fatal("the same account number was opened twice")
		}
		if _, err := svc.Open(ctx, "cus_b", account.Savings, strings.Repeat("x", 61), "", "", 0); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("long name: %v", err)
		}
		if _, err := svc.Open(ctx, "cus_b", account.Savings, "x", "", "123", 0); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("short number: %v", err)
		}
		rep, err := l.Check(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("ledger check %v %v", rep.Violations, err)
		}
	})
}
