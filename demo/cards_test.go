package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/store"
)

// Issue 5, "Terminal simulator and demo data": the demo bank has a card for
// every case (good, blocked, expired, not activated, junior under 15, low
// balance, foreign use), and demo.json lists them with exactly the fields
// the issue names, and the zone PIN key. RULE CARD-11: the junior is not
// enrolled in Visa Secure.
func TestSeedCardsForEveryCase(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC))
		l := ledger.New(db.Ledger(), ledger.Config{Clock: clock})
		defer l.Close()
		if err := demo.Seed(ctx, l, clock); err != nil {
			t.Fatal(err)
		}
		key, pepper := make([]byte, 32), make([]byte, 32)
		rand.Read(key)
		rand.Read(pepper)
		id, err := identity.New(db.Identity(), identity.Config{Clock: clock, DataKey: key, Pepper: pepper})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := demo.SeedPeople(ctx, id, dir); err != nil {
			t.Fatal(err)
		}
		accounts := account.New(db.Accounts(), l, dk.NetbankReg, clock)
		if err := demo.LinkAccounts(ctx, accounts, id); err != nil {
			t.Fatal(err)
		}
		zpk, _ := cardsec.ParseKey(cardsec.DemoZPK)
		cvk, _ := hex.DecodeString("0123456789ABCDEFFEDCBA9876543210")
		cards, err := card.New(db.Cards(), card.Config{Clock: clock, Keys: card.Keys{PANKey: key, CVK: cvk, PINKey: pepper, ZPK: zpk},
			Prices: pricing.New(db.Pricing(), pricing.Config{Clock: clock}), Ledger: l, Accounts: accounts, Customers: id})
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedCards(ctx, cards, accounts, id, l, clock, dir, cardsec.DemoZPK); err != nil {
			t.Fatal(err)
		}

		raw, err := os.ReadFile(filepath.Join(dir, "demo.json"))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			ZPK   string           `json:"zpk"`
			Cards []map[string]any `json:"cards"`
		}
		if err := json.Unmarshal(raw, &file); err != nil {
			t.Fatal(err)
		}
		if file.ZPK != cardsec.DemoZPK {
			t.Fatalf("zpk %q", file.ZPK)
		}
		if len(file.Cards) != len(demo.CardCases) {
			t.Fatalf("%d cards, want one per case %v", len(file.Cards), demo.CardCases)
		}
		fields := []string{"account_iban", "available_minor", "cvv2", "expiry", "holder_age", "pan", "pin", "status", "type"}
		for i, c := range file.Cards {
			var keys []string
			for k := range c {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(keys, fields) {
				t.Fatalf("card %d has fields %v, want %v", i, keys, fields)
			}
		}
		var creds demo.Credentials
		if err := json.Unmarshal(raw, &creds); err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			status card.Status
			typ    card.Type
		}{
			"good": {card.Active, card.VisaDebit}, "blocked": {card.Blocked, card.VisaDebit}, "expired": {card.Expired, card.VisaDebit},
			"not_activated": {card.Ordered, card.VisaDebit}, "junior_under_15": {card.Active, card.VisaJunior},
			"low_balance": {card.Active, card.VisaBasis}, "foreign_use": {card.Active, card.VisaDebit},
		}
		for i, dc := range creds.Cards {
			name := demo.CardCases[i]
			c, err := cards.ByPAN(ctx, dc.PAN)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			w := want[name]
			if c.Status != w.status || c.Type != w.typ || dc.Status != string(w.status) || dc.Type != string(w.typ) || dc.Expiry != c.Expiry {
				t.Errorf("%s: card %s %s %s, demo.json %+v", name, c.Status, c.Type, c.Expiry, dc)
			}
			if !cards.VerifyCVV2(c, dc.PAN, dc.CVV2) {
				t.Errorf("%s: the CVV2 does not verify", name)
			}
			if ok, _, err := cards.VerifyPIN(ctx, c.ID, dc.PIN); err != nil || !ok {
				t.Errorf("%s: the PIN does not verify (%v)", name, err)
			}
			acc, err := accounts.Get(ctx, c.CustomerID, c.AccountID)
			if err != nil || acc.IBAN != dc.AccountIBAN || acc.Available != dc.AvailableMinor {
				t.Errorf("%s: account %s %d, demo.json %s %d (%v)", name, acc.IBAN, acc.Available, dc.AccountIBAN, dc.AvailableMinor, err)
			}
		}
		junior, _ := cards.ByPAN(ctx, creds.Cards[4].PAN)
		if creds.Cards[4].HolderAge >= card.VisaSecureMinAge || junior.VisaSecureEnrolled || !junior.Proxy {
			t.Errorf("junior: age %d enrolled %v proxy %v", creds.Cards[4].HolderAge, junior.VisaSecureEnrolled, junior.Proxy)
		}
		if good, _ := cards.ByPAN(ctx, creds.Cards[0].PAN); !good.VisaSecureEnrolled {
			t.Error("the good card is not enrolled in Visa Secure")
		}
		if creds.Cards[5].AvailableMinor != 120_00 {
			t.Errorf("low balance: %d available", creds.Cards[5].AvailableMinor)
		}
		if lost, _ := cards.ByPAN(ctx, creds.Cards[1].PAN); lost.BlockReason != card.ReasonLost {
			t.Errorf("blocked card's reason %q, want lost (response code 41)", lost.BlockReason)
		}
		// Idempotent: a second start adds nothing.
		if err := demo.SeedCards(ctx, cards, accounts, id, l, clock, dir, cardsec.DemoZPK); err != nil {
			t.Fatal(err)
		}
		again, _ := os.ReadFile(filepath.Join(dir, "demo.json"))
		if string(again) != string(raw) {
			t.Error("a second SeedCards changed demo.json")
		}
		if rep, err := l.Check(ctx); err != nil || !rep.OK() {
			t.Fatalf("ledger %v %v", rep.Violations, err)
		}
	})
}
