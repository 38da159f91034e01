package apikey_test

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *testkit.Clock
	id    *identity.Service
	keys  *apikey.Service
}

var staff = identity.Actor{ID: "stf_admin", Kind: audit.ActorStaff, IP: "10.0.0.9"}

func newFixture(t *testing.T, db *store.DB, maxFailures int) *fixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	key, pepper := make([]byte, 32), make([]byte, 32)
	rand.Read(key)
	rand.Read(pepper)
	id, err := identity.New(db.Identity(), identity.Config{Clock: clock, DataKey: key, Pepper: pepper})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: clock, id: id,
		keys: apikey.New(db.APIKeys(), apikey.Config{Clock: clock, Users: id, MaxFailures: maxFailures})}
	t.Cleanup(func() {
		if _, err := db.Audit().Verify(context.Background()); err != nil {
			t.Errorf("audit chain broken after the test: %v", err)
		}
	})
	return f
}

// user makes a private customer with a user (status pin_issued, as after
// the letter) and returns the user.
func (f *fixture) user(name, cpr string) identity.User {
	f.t.Helper()
	c, err := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: name, CPR: cpr}, staff)
	if err != nil {
		f.t.Fatal(err)
	}
	u, _, err := f.id.CreatePrivateUser(f.ctx, c.ID, "", staff)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) create(u identity.User, name string) (apikey.Key, string) {
	f.t.Helper()
	k, tok, err := f.keys.CreateForUser(f.ctx, u.ID, name, f.clock.Now().AddDate(0, 3, 0), identity.Actor{ID: u.ID, Kind: audit.ActorCustomer})
	if err != nil {
		f.t.Fatal(err)
	}
	return k, tok
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

// tokenRE is the token's shape: nbk_ + 43 characters of base64url (32 bytes).
var tokenRE = regexp.MustCompile(`^nbk_[A-Za-z0-9_-]{43}$`)

func TestCustomerKeyActsAsItsUser(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		u := f.user("Mette Kjær Nielsen", "150385-1234")
		k, tok := f.create(u, "Regnskabsprogram")
		if !tokenRE.MatchString(tok) {
			t.Fatalf("token %q does not look like nbk_<base64url of 32 bytes>", tok)
		}
		if k.Kind != apikey.Customer || k.UserID != u.ID || k.CustomerID != u.CustomerID || k.Prefix != tok[:12] {
			t.Fatalf("key %+v", k)
		}

		// Only the hash is kept: the token is in no column of the table.
		var n int
		if err := db.QueryRow(f.ctx, `SELECT COUNT(*) FROM api_keys WHERE token_hash = ? AND id = ?`, apikey.HashToken(tok), k.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("hash row %d %v", n, err)
		}
		if err := db.QueryRow(f.ctx, `SELECT COUNT(*) FROM api_keys WHERE token_hash = ? OR name = ? OR prefix = ? OR creditors = ?`,
			tok, tok, tok, tok).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the token itself is stored: %d %v", n, err)
		}

		p, err := f.keys.Authenticate(f.ctx, tok, "10.0.0.1")
		if err != nil || p.Key.ID != k.ID || p.User.ID != u.ID {
			t.Fatalf("authenticate: %+v %v", p, err)
		}
		keys, err := f.keys.OfUser(f.ctx, u.ID)
		if err != nil || len(keys) != 1 || !keys[0].LastUsedAt.Equal(f.clock.Now()) {
			t.Fatalf("last use not recorded: %+v %v", keys, err)
		}

		// Another user of the bank sees nothing of it and cannot revoke it.
		other := f.user("Lars Bo Jensen", "020779-2345")
		if keys, _ := f.keys.OfUser(f.ctx, other.ID); len(keys) != 0 {
			t.Fatalf("another user lists %+v", keys)
		}
		_, err = f.keys.RevokeForUser(f.ctx, other.ID, k.ID, identity.Actor{ID: other.ID, Kind: audit.ActorCustomer})
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("revoke by another user: %v", err)
		}
		if _, err := f.keys.RevokePartner(f.ctx, k.ID, staff); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a customer key revoked as a partner key: %v", err)
		}

		// Revoked: refused, and the revocation is audited with the maker's creation.
		r, err := f.keys.RevokeForUser(f.ctx, u.ID, k.ID, identity.Actor{ID: u.ID, Kind: audit.ActorCustomer})
		if err != nil || r.RevokedAt.IsZero() || r.RevokedBy != u.ID {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		_, err = f.keys.Authenticate(f.ctx, tok, "10.0.0.1")
		wantErr(t, err, apikey.ErrRevoked)
		for _, action := range []string{apikey.ActionCreated, apikey.ActionRevoked} {
			es, err := db.Audit().List(f.ctx, audit.Filter{Subject: k.ID, Action: action})
			if err != nil || len(es) != 1 || es[0].Actor != u.ID || es[0].Details["prefix"] != k.Prefix {
				t.Fatalf("audit %s: %+v %v", action, es, err)
			}
			for _, v := range es[0].Details {
				if strings.Contains(v, tok[len(k.Prefix):]) {
					t.Fatalf("audit %s holds the token: %v", action, es[0].Details)
				}
			}
		}
	})
}

func TestKeysExpire(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		u := f.user("Mette Kjær Nielsen", "150385-1234")
		by := identity.Actor{ID: u.ID, Kind: audit.ActorCustomer}
		now := f.clock.Now()
		for name, exp := range map[string]time.Time{"past": now.Add(-time.Second), "now": now, "beyond a year": now.AddDate(1, 0, 0).Add(time.Second)} {
			if _, _, err := f.keys.CreateForUser(f.ctx, u.ID, "x", exp, by); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		for name, n := range map[string]string{"empty": " ", "too long": strings.Repeat("æ", apikey.MaxName+1), "newline": "a\nb"} {
			if _, _, err := f.keys.CreateForUser(f.ctx, u.ID, n, now.Add(time.Hour), by); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("name %s: %v, want invalid", name, err)
			}
		}
		_, tok, err := f.keys.CreateForUser(f.ctx, u.ID, "Et år", now.AddDate(1, 0, 0), by)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(365*24*time.Hour - time.Second)
		if _, err := f.keys.Authenticate(f.ctx, tok, ""); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		f.clock.Advance(time.Second)
		_, err = f.keys.Authenticate(f.ctx, tok, "")
		wantErr(t, err, apikey.ErrExpired)
	})
}

// RULE AUTH-9, AUTH-5: a blocked user's keys stop working, and stay
// revoked when the block is lifted.
func TestBlockedUsersKeysStop_AUTH9(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		u := f.user("Mette Kjær Nielsen", "150385-1234")
		_, tok1 := f.create(u, "Et")
		_, tok2 := f.create(u, "To")
		if err := f.id.SelfBlock(f.ctx, u.ID, identity.Actor{ID: u.ID, Kind: audit.ActorCustomer}); err != nil {
			t.Fatal(err)
		}
		_, err := f.keys.Authenticate(f.ctx, tok1, "10.0.0.1")
		wantErr(t, err, apikey.ErrUserBlocked)
		if _, _, err := f.keys.CreateForUser(f.ctx, u.ID, "Ny", f.clock.Now().Add(time.Hour), identity.Actor{ID: u.ID, Kind: audit.ActorCustomer}); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("a blocked user made a key: %v", err)
		}
		if err := f.id.Unblock(f.ctx, u.ID, staff); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{tok1, tok2} {
			_, err = f.keys.Authenticate(f.ctx, tok, "10.0.0.1")
			wantErr(t, err, apikey.ErrRevoked)
		}
	})
}

func TestFailedAttemptsAreLimitedPerAddress(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 3)
		u := f.user("Mette Kjær Nielsen", "150385-1234")
		_, tok := f.create(u, "Program")
		wrong := tok[:len(tok)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(tok, "A")]
		for _, bad := range []string{wrong, "nbk_short", "Bearer " + tok} {
			_, err := f.keys.Authenticate(f.ctx, bad, "10.0.0.1")
			wantErr(t, err, apikey.ErrUnknown)
		}
		// Past the limit even the right token is refused from that address…
		_, err := f.keys.Authenticate(f.ctx, tok, "10.0.0.1")
		wantErr(t, err, apikey.ErrRateLimited)
		// …but not from another one, nor in the next minute.
		if _, err := f.keys.Authenticate(f.ctx, tok, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		if _, err := f.keys.Authenticate(f.ctx, tok, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPartnerKeys(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		exp := f.clock.Now().AddDate(0, 6, 0)
		for name, r := range map[string]apikey.PartnerRequest{
			"no role":                 {Name: "X", Expires: exp},
			"customer role":           {Kind: apikey.Customer, Name: "X", Expires: exp},
			"creditor without number": {Kind: apikey.Creditor, Name: "X", Expires: exp},
			"bad creditor number":     {Kind: apikey.Creditor, Name: "X", Creditors: []string{"1234567"}, Expires: exp},
			"clearing with number":    {Kind: apikey.Clearing, Name: "X", Creditors: []string{"81234567"}, Expires: exp},
		} {
			if _, _, err := f.keys.CreatePartner(f.ctx, r, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		ck, ctok, err := f.keys.CreatePartner(f.ctx, apikey.PartnerRequest{Kind: apikey.Clearing, Name: "Arbejdernes Landsbank", Expires: exp}, staff)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		dk, dtok, err := f.keys.CreatePartner(f.ctx, apikey.PartnerRequest{Kind: apikey.Creditor, Name: "Ørsted",
			Creditors: []string{"8123 4567", "81234567", "02345678"}, Expires: exp}, staff)
		if err != nil {
			t.Fatal(err)
		}
		if len(dk.Creditors) != 2 || !dk.HasCreditor("81234567") || dk.HasCreditor("80000000") || ck.HasCreditor("81234567") {
			t.Fatalf("creditors %v", dk.Creditors)
		}
		list, err := f.keys.Partners(f.ctx)
		if err != nil || len(list) != 2 || list[0].ID != dk.ID || list[1].ID != ck.ID || len(list[0].Creditors) != 2 {
			t.Fatalf("partners %+v %v", list, err)
		}
		for tok, kind := range map[string]apikey.Kind{ctok: apikey.Clearing, dtok: apikey.Creditor} {
			p, err := f.keys.Authenticate(f.ctx, tok, "192.0.2.1")
			if err != nil || p.Key.Kind != kind || p.User.ID != "" {
				t.Fatalf("partner %s: %+v %v", kind, p, err)
			}
		}
		if _, err := f.keys.RevokePartner(f.ctx, ck.ID, staff); err != nil {
			t.Fatal(err)
		}
		_, err = f.keys.Authenticate(f.ctx, ctok, "192.0.2.1")
		wantErr(t, err, apikey.ErrRevoked)
		es, err := db.Audit().List(f.ctx, audit.Filter{Actor: staff.ID})
		if err != nil || len(es) != 3 {
			t.Fatalf("staff audit %+v %v", es, err)
		}
	})
}

func TestTooManyKeys(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		u := f.user("Mette Kjær Nielsen", "150385-1234")
		var first apikey.Key
		for i := range apikey.MaxKeysPerUser {
			k, _ := f.create(u, "Nøgle")
			if i == 0 {
				first = k
			}
		}
		by := identity.Actor{ID: u.ID, Kind: audit.ActorCustomer}
		if _, _, err := f.keys.CreateForUser(f.ctx, u.ID, "En til", f.clock.Now().Add(time.Hour), by); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("key %d: %v, want conflict", apikey.MaxKeysPerUser+1, err)
		}
		if _, err := f.keys.RevokeForUser(f.ctx, u.ID, first.ID, by); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.keys.CreateForUser(f.ctx, u.ID, "En til", f.clock.Now().Add(time.Hour), by); err != nil {
			t.Fatalf("after revoking one: %v", err)
		}
	})
}
