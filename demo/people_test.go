package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

func TestSeedPeopleWritesWorkingCredentials(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC))
		key, pepper := make([]byte, 32), make([]byte, 32)
		rand.Read(key)
		rand.Read(pepper)
		id, err := identity.New(db.Identity(), identity.Config{Clock: clock, DataKey: key, Pepper: pepper})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		creds, err := demo.SeedPeople(ctx, id, dir)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "demo.json")
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("demo.json: %v mode %v", err, fi)
		}
		var onDisk map[string][]map[string]any
		raw, _ := os.ReadFile(path)
		if err := json.Unmarshal(raw, &onDisk); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"users", "business_users", "staff"} {
			if len(onDisk[k]) == 0 {
				t.Fatalf("demo.json has no %s", k)
			}
		}
		for _, f := range []string{"user_number", "pin_code", "name"} {
			if _, ok := onDisk["users"][0][f]; !ok {
				t.Fatalf("users[0] lacks %q", f)
			}
		}
		for _, f := range []string{"user_id", "password", "key_card"} {
			if _, ok := onDisk["business_users"][0][f]; !ok {
				t.Fatalf("business_users[0] lacks %q", f)
			}
		}
		for _, f := range []string{"username", "password", "totp_secret"} {
			if _, ok := onDisk["staff"][0][f]; !ok {
				t.Fatalf("staff[0] lacks %q", f)
			}
		}
		// The credentials work: a PIN, a business login with a key-card code, a staff login.
		u := creds.Users[0]
		if _, err := id.VerifyPIN(ctx, u.UserNumber, u.PINCode, identity.Actor{}); err != nil {
			t.Fatalf("demo PIN: %v", err)
		}
		b := creds.BusinessUsers[0]
		step, err := id.BeginBusinessLogin(ctx, b.UserID, b.Password, identity.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := id.FinishBusinessLogin(ctx, b.UserID, step.ChallengeID, b.KeyCard[step.KeyNumber], identity.Actor{}); err != nil {
			t.Fatalf("demo key card: %v", err)
		}
		if len(b.KeyCard) != auth.KeyCardPairs {
			t.Fatalf("key card with %d pairs", len(b.KeyCard))
		}
		st := creds.Staff[0]
		secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(st.TOTPSecret)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := id.StaffLogin(ctx, st.Username, st.Password, auth.TOTPCode(secret, clock.Now()), identity.Actor{}); err != nil {
			t.Fatalf("demo staff: %v", err)
		}
		// The demo accounts become the customers' accounts.
		l := ledger.New(db.Ledger(), ledger.Config{Clock: clock})
		defer l.Close()
		if err := demo.Seed(ctx, l, clock); err != nil {
			t.Fatal(err)
		}
		accounts := account.New(db.Accounts(), l, dk.NetbankReg, clock)
		for i := 0; i < 2; i++ { // idempotent
			if err := demo.LinkAccounts(ctx, accounts, id); err != nil {
				t.Fatal(err)
			}
		}
		mette, _ := id.FindCustomers(ctx, "Mette Kjær Nielsen", 1)
		list, err := accounts.List(ctx, mette[0].ID)
		if err != nil || len(list) != 2 || list[0].Posted <= 0 {
			t.Fatalf("Mette's accounts: %+v %v", list, err)
		}
		biz, _ := id.FindCustomers(ctx, "Hansen & Søn", 1)
		if list, _ := accounts.List(ctx, biz[0].ID); len(list) != 2 {
			t.Fatalf("the business has %d accounts", len(list))
		}

		// A second start creates nobody new and keeps demo.json.
		again, err := demo.SeedPeople(ctx, id, dir)
		if err != nil || again.Users[0].UserNumber != u.UserNumber {
			t.Fatalf("second seed: %v %+v", err, again.Users)
		}
		if found, _ := id.FindCustomers(ctx, "Mette Kjær Nielsen", 10); len(found) != 1 {
			t.Fatalf("%d Mettes after two seeds", len(found))
		}
	})
}
