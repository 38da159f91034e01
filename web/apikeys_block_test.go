package web_test

// Blocks and API keys (RULES AUTH-5, AUTH-9): a user's API keys end with
// a block and never come back when the bank lifts it.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/identity"
)

// wantRevoked checks that every key of the user is revoked and that tok
// no longer authenticates, as revoked (not merely as a blocked user's).
func wantRevoked(t *testing.T, keys *apikey.Service, userID, tok string) {
	t.Helper()
	ctx := context.Background()
	list, err := keys.OfUser(ctx, userID)
	if err != nil || len(list) == 0 {
		t.Fatalf("keys %v %v", list, err)
	}
	for _, k := range list {
		if k.RevokedAt.IsZero() {
			t.Errorf("key %s of %s is not revoked", k.ID, userID)
		}
	}
	if _, err := keys.Authenticate(ctx, tok, ""); !errors.Is(err, apikey.ErrRevoked) {
		t.Errorf("the key authenticates as %v, want revoked", err)
	}
}

// RULE AUTH-9: blocking oneself in the net bank ("Spærring af bruger")
// revokes every API key of the user at once, not only when a key is next
// used.
func TestSelfBlockRevokesAPIKeys_AUTH9(t *testing.T) {
	b := newDemoBank(t)
	c := b.private("Mette Kjær Nielsen")
	u, err := b.app.Identity.UserByLogin(context.Background(), b.creds.Users[0].UserNumber)
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := b.app.APIKeys.CreateForUser(context.Background(), u.ID, "Regnskab", b.clock.Now().AddDate(0, 1, 0), identity.System)
	if err != nil {
		t.Fatal(err)
	}
	p := c.post("/netbank/spaerring", url.Values{"confirm": {"yes"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/login?reason=blocked" {
		t.Fatalf("block: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	wantRevoked(t, b.app.APIKeys, u.ID, tok)
}

// RULES AUTH-9, AUTH-5: when the bank lifts a block — a self-block by
// "Ophæv spærring", a blocked signature by a new PIN code — the user's API
// keys stay revoked, even a key nobody used while the user was blocked.
func TestLiftedBlockKeepsAPIKeysRevoked_AUTH9_AUTH5(t *testing.T) {
	b := newBoBank(t)
	ctx := context.Background()
	support := b.staff("support1", "Kasper Thomsen", identity.RoleSupport)
	c := b.client()
	c.login(support)
	id := c.createCustomer(metteForm)
	letter := c.post("/backoffice/kunder/"+id+"/brugere", nil)
	number, pin := userNumberRE.FindStringSubmatch(letter.body)[1], pinRE.FindStringSubmatch(letter.body)[1]
	enrol(t, b, number, pin)
	u, _ := b.a.Identity.UserByLogin(ctx, number)
	key := func() string {
		_, tok, err := b.a.APIKeys.CreateForUser(ctx, u.ID, "Regnskab", b.clock.Now().AddDate(0, 1, 0), identity.System)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	// Blocked outside the net bank's page (so no key was revoked then).
	tok := key()
	if err := b.a.Identity.SelfBlock(ctx, u.ID, identity.Actor{ID: u.ID, Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	p := c.post("/backoffice/brugere/"+u.ID+"/ophaev", nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("unblock: %d", p.status)
	}
	if u, _ = b.a.Identity.User(ctx, u.ID); u.Status != identity.Active {
		t.Fatalf("status %s after unblock", u.Status)
	}
	wantRevoked(t, b.a.APIKeys, u.ID, tok)

	// AUTH-5: three wrong signatures block it; the new PIN lifts the block.
	tok = key()
	for range 3 {
		req, err := b.a.Identity.PrepareSignature(ctx, u.ID, "payment", "Betaling: pay_x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.a.Identity.ConfirmSignature(ctx, u.ID, req.ID, identity.SignProof{Checksum: req.Checksum,
			Signature: make([]byte, 64)}, identity.Actor{ID: u.ID, Kind: "customer"}); err == nil {
			t.Fatal("a wrong signature was accepted")
		}
	}
	if u, _ = b.a.Identity.User(ctx, u.ID); u.Status != identity.SignatureBlocked {
		t.Fatalf("status %s, want signature_blocked", u.Status)
	}
	c.post("/backoffice/brugere/"+u.ID+"/pinkode", nil).want(t, http.StatusOK, "Du har fået en ny pinkode til netbanken.")
	wantRevoked(t, b.a.APIKeys, u.ID, tok)
}
