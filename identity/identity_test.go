package identity_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
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
}

var staffActor = identity.Actor{ID: "stf_test", Kind: "staff"}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	key := make([]byte, 32)
	pepper := make([]byte, 32)
	rand.Read(key)
	rand.Read(pepper)
	svc, err := identity.New(db.Identity(), identity.Config{Clock: clock, DataKey: key, Pepper: pepper})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: clock, id: svc}
	t.Cleanup(func() {
		if _, err := db.Audit().Verify(context.Background()); err != nil {
			t.Errorf("audit chain broken after the test: %v", err)
		}
	})
	return f
}

func (f *fixture) wantCode(err error, code netbank.ErrorCode) {
	f.t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		f.t.Fatalf("got %v, want code %s", err, code)
	}
}

func (f *fixture) privateCustomer(cpr string) identity.Customer {
	f.t.Helper()
	c, err := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Mette Kjær Nielsen", CPR: cpr,
		Mobile: "20 12 34 56", Address: "Vestergade 12, 2. th.", Postcode: "8000", City: "Aarhus C"}, staffActor)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// enrolled creates a private user and runs the first login: PIN, then a key
// made "in the browser" (here: in Go). It returns the user and the key.
func (f *fixture) enrolled(cpr string) (identity.User, ed25519.PrivateKey) {
	f.t.Helper()
	c := f.privateCustomer(cpr)
	u, pin, err := f.id.CreatePrivateUser(f.ctx, c.ID, "", staffActor)
	if err != nil {
		f.t.Fatal(err)
	}
	step, err := f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{IP: "10.0.0.1"})
	if err != nil {
		f.t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	if _, _, err := f.id.Enroll(f.ctx, u.Login, step.ChallengeID, pub, ed25519.Sign(priv, auth.LoginMessage(step.Challenge)), identity.Actor{IP: "10.0.0.1"}); err != nil {
		f.t.Fatal(err)
	}
	return u, priv
}

// login runs a signature login with key.
func (f *fixture) login(userNumber string, key ed25519.PrivateKey) (identity.Token, error) {
	f.t.Helper()
	step, err := f.id.BeginPrivateLogin(f.ctx, userNumber, identity.Actor{IP: "10.0.0.2"})
	if err != nil {
		return "", err
	}
	if step.Step != "signature" {
		f.t.Fatalf("step %q, want signature", step.Step)
	}
	tok, _, err := f.id.FinishPrivateLogin(f.ctx, userNumber, step.ChallengeID, ed25519.Sign(key, auth.LoginMessage(step.Challenge)), identity.Actor{IP: "10.0.0.2"})
	return tok, err
}

func TestPrivateFirstLoginAndSignatureLogin(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.privateCustomer("150385-1234")
		if c.BirthDate != time.Date(1985, 3, 15, 0, 0, 0, 0, time.UTC) {
			t.Fatalf("birth date %v", c.BirthDate)
		}
		// RULE AUTH-1: an 11-digit user number from the bank, and a PIN letter.
		u, pin, err := f.id.CreatePrivateUser(f.ctx, c.ID, "", staffActor)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Login) != 11 || strings.Trim(u.Login, "0123456789") != "" || len(pin) != identity.PINLength {
			t.Fatalf("user number %q pin %q", u.Login, pin)
		}
		// RULE AUTH-2: the first login asks for the PIN.
		step, err := f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		if err != nil || step.Step != "pin" {
			t.Fatalf("first step %+v %v, want pin", step, err)
		}
		step, err = f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{})
		if err != nil || step.Step != "enroll" {
			t.Fatalf("pin: %+v %v", step, err)
		}
		// RULE AUTH-3: the bank keeps only the public key; the browser proves it holds the private one.
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		_, wrong, _ := ed25519.GenerateKey(rand.Reader)
		_, _, err = f.id.Enroll(f.ctx, u.Login, step.ChallengeID, pub, ed25519.Sign(wrong, auth.LoginMessage(step.Challenge)), identity.Actor{})
		f.wantCode(err, netbank.EINVALID)
		step, _ = f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{})
		tok, sess, err := f.id.Enroll(f.ctx, u.Login, step.ChallengeID, pub, ed25519.Sign(priv, auth.LoginMessage(step.Challenge)), identity.Actor{})
		if err != nil || tok == "" || sess.Kind != identity.PrivateUser {
			t.Fatalf("enroll: %v", err)
		}
		got, _ := f.id.User(f.ctx, u.ID)
		if got.Status != identity.Active || string(got.PublicKey) != string(pub) || got.PINHash != "" {
			t.Fatalf("after enrolment: %+v", got)
		}
		// The PIN is spent.
		_, err = f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{})
		f.wantCode(err, netbank.EINVALID)
		// RULE AUTH-4: later logins sign a fresh challenge; a challenge works once.
		if _, err := f.login(u.Login, priv); err != nil {
			t.Fatal(err)
		}
		step, _ = f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		sig := ed25519.Sign(priv, auth.LoginMessage(step.Challenge))
		if _, _, err := f.id.FinishPrivateLogin(f.ctx, u.Login, step.ChallengeID, sig, identity.Actor{}); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.id.FinishPrivateLogin(f.ctx, u.Login, step.ChallengeID, sig, identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
		// A challenge older than its lifetime is refused.
		step, _ = f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		f.clock.Advance(identity.ChallengeTTL + time.Second)
		_, _, err = f.id.FinishPrivateLogin(f.ctx, u.Login, step.ChallengeID, ed25519.Sign(priv, auth.LoginMessage(step.Challenge)), identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
	})
}

func TestThreeFailedSignaturesBlock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, priv := f.enrolled("010203-4321")
		_, wrong, _ := ed25519.GenerateKey(rand.Reader)
		// RULE AUTH-5: three failed signatures block; a right one in between resets the count.
		for i := 0; i < 2; i++ {
			_, err := f.login(u.Login, wrong)
			f.wantCode(err, netbank.EUNAUTHORIZED)
		}
		if _, err := f.login(u.Login, priv); err != nil {
			t.Fatal("a right signature after two wrong ones must log in:", err)
		}
		for i := 0; i < 3; i++ {
			_, err := f.login(u.Login, wrong)
			if i < 2 {
				f.wantCode(err, netbank.EUNAUTHORIZED)
				if !strings.Contains(netbank.ErrorMessageOf(err), "tilbage") {
					t.Errorf("message %q does not say how many attempts are left", netbank.ErrorMessageOf(err))
				}
			} else {
				f.wantCode(err, netbank.EFORBIDDEN)
			}
		}
		// Blocked: even the right key is refused, at the first step.
		_, err := f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)
		// Staff cannot simply unblock a signature: a new PIN letter is needed.
		f.wantCode(f.id.Unblock(f.ctx, u.ID, staffActor), netbank.EINVALID)
		pin, err := f.id.IssuePIN(f.ctx, u.ID, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		step, err := f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		if err != nil || step.Step != "pin" {
			t.Fatalf("after a new PIN: %+v %v", step, err)
		}
		if _, err := f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWrongPINsBlock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.privateCustomer("241299-1111")
		u, pin, _ := f.id.CreatePrivateUser(f.ctx, c.ID, "", staffActor)
		// RULE AUTH-5: wrong PIN codes count too.
		for i := 0; i < 3; i++ {
			_, err := f.id.VerifyPIN(f.ctx, u.Login, "00000000", identity.Actor{})
			if i < 2 {
				f.wantCode(err, netbank.EUNAUTHORIZED)
			} else {
				f.wantCode(err, netbank.EFORBIDDEN)
			}
		}
		_, err := f.id.VerifyPIN(f.ctx, u.Login, pin, identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)
		// An expired PIN letter is refused.
		c2 := f.privateCustomer("241299-2222")
		u2, pin2, _ := f.id.CreatePrivateUser(f.ctx, c2.ID, "", staffActor)
		f.clock.Advance(31 * 24 * time.Hour)
		_, err = f.id.VerifyPIN(f.ctx, u2.Login, pin2, identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)
	})
}

func TestCodeChangeInvalidatesOldKey(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, old := f.enrolled("111111-1118")
		tok, err := f.login(u.Login, old)
		if err != nil {
			t.Fatal(err)
		}
		_ = tok
		// RULE AUTH-6: a new code makes a new key; the old file stops working.
		step, err := f.id.BeginCodeChange(f.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		msg := auth.LoginMessage(step.Challenge)
		if err := f.id.ChangeCode(f.ctx, u.ID, step.ChallengeID, ed25519.Sign(old, msg), pub, ed25519.Sign(priv, msg), identity.Actor{ID: u.ID, Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.login(u.Login, old)
		f.wantCode(err, netbank.EUNAUTHORIZED)
		if _, err := f.login(u.Login, priv); err != nil {
			t.Fatal("the new key must work:", err)
		}
		// Changing needs the old key.
		step, _ = f.id.BeginCodeChange(f.ctx, u.ID)
		pub2, priv2, _ := ed25519.GenerateKey(rand.Reader)
		msg = auth.LoginMessage(step.Challenge)
		err = f.id.ChangeCode(f.ctx, u.ID, step.ChallengeID, ed25519.Sign(old, msg), pub2, ed25519.Sign(priv2, msg), identity.Actor{ID: u.ID, Kind: "customer"})
		f.wantCode(err, netbank.EUNAUTHORIZED)
	})
}

func TestSelfBlock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("050505-5555")
		tok, err := f.login(u.Login, key)
		if err != nil {
			t.Fatal(err)
		}
		// RULE AUTH-9: the user blocks their own access; sessions end; only staff lift it.
		if err := f.id.SelfBlock(f.ctx, u.ID, identity.Actor{ID: u.ID, Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.id.Authenticate(f.ctx, tok); err == nil {
			t.Fatal("session survived the block")
		}
		_, err = f.id.BeginPrivateLogin(f.ctx, u.Login, identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)
		if err := f.id.Unblock(f.ctx, u.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.login(u.Login, key); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSessions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("121212-1212")
		tok, err := f.login(u.Login, key)
		if err != nil {
			t.Fatal(err)
		}
		// RULE SESS-1: 15 minutes of inactivity end a private session; activity extends it.
		f.clock.Advance(14 * time.Minute)
		if _, err := f.id.Authenticate(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(14 * time.Minute)
		if _, err := f.id.Peek(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Minute) // 16 minutes since the last activity; Peek did not count
		_, err = f.id.Authenticate(f.ctx, tok)
		if err != identity.ErrSessionExpired {
			t.Fatalf("after 16 idle minutes: %v, want expired", err)
		}
		// RULE SESS-2: a second login ends the first, which then reads "forældede".
		first, _ := f.login(u.Login, key)
		second, err := f.login(u.Login, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.id.Authenticate(f.ctx, first); err != identity.ErrSessionReplaced || !strings.Contains(netbank.ErrorMessageOf(err), "forældede") {
			t.Fatalf("first session: %v, want replaced", err)
		}
		if _, err := f.id.Authenticate(f.ctx, second); err != nil {
			t.Fatal(err)
		}
		// RULE SESS-5: logout ends the session on the server.
		if err := f.id.Logout(f.ctx, second, identity.Actor{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.id.Authenticate(f.ctx, second); err != identity.ErrSessionEnded {
			t.Fatalf("after logout: %v", err)
		}
		if _, err := f.id.Authenticate(f.ctx, "made-up"); err != identity.ErrNoSession {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

// RULE SESS-1: activity extends the session, but a request writes the
// activity stamp only when it is more than a few seconds old: pages
// clicked in quick succession are reads, and the timeout still runs from
// (at most a few seconds before) the last activity.
func TestActivityStampWrittenAtMostEveryFewSeconds_SESS1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("121212-1212")
		tok, err := f.login(u.Login, key)
		if err != nil {
			t.Fatal(err)
		}
		first, err := f.id.Authenticate(f.ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Second)
		quick, err := f.id.Authenticate(f.ctx, tok)
		if err != nil || !quick.ExpiresAt.Equal(first.ExpiresAt) || !quick.LastSeenAt.Equal(first.LastSeenAt) {
			t.Fatalf("3 s later: %+v %v, want the session as stamped (no write)", quick, err)
		}
		f.clock.Advance(3 * time.Second)
		later, err := f.id.Authenticate(f.ctx, tok)
		if err != nil || !later.LastSeenAt.Equal(f.clock.Now().UTC().Truncate(time.Microsecond)) || !later.ExpiresAt.After(first.ExpiresAt) {
			t.Fatalf("6 s later: %+v %v, want the activity stamped anew", later, err)
		}
		f.clock.Advance(15*time.Minute - time.Second)
		if _, err := f.id.Peek(f.ctx, tok); err != nil {
			t.Fatalf("15 minutes after the last stamped activity, less a second: %v", err)
		}
		f.clock.Advance(2 * time.Second)
		if _, err := f.id.Authenticate(f.ctx, tok); err != identity.ErrSessionExpired {
			t.Fatalf("after 15 idle minutes: %v, want expired", err)
		}
	})
}

func TestBusinessLogin(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c, err := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS", CVR: "25313763"}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		u, password, card, err := f.id.CreateBusinessUser(f.ctx, c.ID, "jens.hansen", "Jens Hansen", []identity.Permission{identity.PermView, identity.PermCreate}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		// RULE BIZ-5: the profile decides what the user may do.
		if !u.Can(identity.PermCreate) || u.Can(identity.PermApprove) || u.Can(identity.PermAdmin) {
			t.Fatalf("profile %v", u.Profile)
		}
		if len(card.Codes) != auth.KeyCardPairs {
			t.Fatalf("card with %d codes", len(card.Codes))
		}
		// RULE BIZ-1: user id + password, then the code for the key number asked.
		step, err := f.id.BeginBusinessLogin(f.ctx, "Jens.Hansen", password, identity.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		code := card.Codes[step.KeyNumber]
		if _, _, err := f.id.FinishBusinessLogin(f.ctx, "jens.hansen", step.ChallengeID, code, identity.Actor{}); err != nil {
			t.Fatal(err)
		}
		// Each code works once: asking again never picks the used number, and
		// a used code is refused even if presented for its number.
		for i := 0; i < 20; i++ {
			s2, err := f.id.BeginBusinessLogin(f.ctx, "jens.hansen", password, identity.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			if s2.KeyNumber == step.KeyNumber {
				t.Fatal("a used key number was asked for again")
			}
			if s2.CodesLeft != auth.KeyCardPairs-1 {
				t.Fatalf("codes left %d", s2.CodesLeft)
			}
		}
		// RULE BIZ-2: business credentials do not open the private bank, and a user number not the business bank.
		_, err = f.id.BeginBusinessLogin(f.ctx, "00000000000", password, identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
		// Wrong password three times blocks.
		for i := 0; i < 3; i++ {
			_, err = f.id.BeginBusinessLogin(f.ctx, "jens.hansen", "wrong password", identity.Actor{})
		}
		f.wantCode(err, netbank.EFORBIDDEN)
		if err := f.id.Unblock(f.ctx, u.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		// Wrong key-card codes count too.
		for i := 0; i < 3; i++ {
			s, err := f.id.BeginBusinessLogin(f.ctx, "jens.hansen", password, identity.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.id.FinishBusinessLogin(f.ctx, "jens.hansen", s.ChallengeID, "000000", identity.Actor{})
			if i < 2 {
				f.wantCode(err, netbank.EUNAUTHORIZED)
			} else {
				f.wantCode(err, netbank.EFORBIDDEN)
			}
		}
	})
}

func TestKeyAppReplacesCard(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c, _ := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Lund IT ApS", CVR: "25313763"}, staffActor)
		u, password, _, err := f.id.CreateBusinessUser(f.ctx, c.ID, "anne", "Anne Lund", []identity.Permission{identity.PermView}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		// RULE BIZ-4: the key app replaces the key card.
		e, err := f.id.BeginKeyApp(f.ctx, u.ID)
		if err != nil || len(e.QRPNG) == 0 || !strings.HasPrefix(e.URI, "otpauth://totp/") {
			t.Fatalf("enrolment %+v %v", e.URI, err)
		}
		secret, err := base32Decode(e.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.id.ConfirmKeyApp(f.ctx, u.ID, e.ChallengeID, auth.TOTPCode(secret, f.clock.Now()), identity.Actor{ID: u.ID, Kind: "business"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * time.Second)
		step, err := f.id.BeginBusinessLogin(f.ctx, "anne", password, identity.Actor{})
		if err != nil || !step.KeyApp {
			t.Fatalf("second step %+v %v, want key app", step, err)
		}
		code := auth.TOTPCode(secret, f.clock.Now())
		if _, _, err := f.id.FinishBusinessLogin(f.ctx, "anne", step.ChallengeID, code, identity.Actor{}); err != nil {
			t.Fatal(err)
		}
		// The same app code works once.
		step, _ = f.id.BeginBusinessLogin(f.ctx, "anne", password, identity.Actor{})
		_, _, err = f.id.FinishBusinessLogin(f.ctx, "anne", step.ChallengeID, code, identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
	})
}

func TestStaffLogin(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st, secret, err := f.id.CreateStaff(f.ctx, "kbo", "Karen Bøgh", "korrekt-hest-batteri", []string{identity.RoleSupport}, identity.System)
		if err != nil {
			t.Fatal(err)
		}
		code := auth.TOTPCode(secret, f.clock.Now())
		if _, _, err := f.id.StaffLogin(f.ctx, "kbo", "forkert-hest-batteri", code, identity.Actor{}); netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		tok, sess, err := f.id.StaffLogin(f.ctx, "kbo", "korrekt-hest-batteri", code, identity.Actor{})
		if err != nil || sess.Principal != st.ID || sess.Kind != identity.StaffUser {
			t.Fatalf("staff login %v %+v", err, sess)
		}
		_ = tok
		// The same TOTP code is refused a second time.
		_, _, err = f.id.StaffLogin(f.ctx, "kbo", "korrekt-hest-batteri", code, identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
	})
}

func TestCustomers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.privateCustomer("150385-1234")
		// The CPR number is not stored in clear.
		var stored string
		if err := db.QueryRow(f.ctx, "SELECT cpr_encrypted || cpr_hash FROM customers WHERE id = ?", c.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "1503851234") || strings.Contains(stored, "150385") {
			t.Fatal("CPR stored in clear")
		}
		got, err := f.id.Customer(f.ctx, c.ID)
		if err != nil || got.CPR != "1503851234" || got.Mobile != "+4520123456" {
			t.Fatalf("read back %+v %v", got, err)
		}
		_, err = f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Dublet", CPR: "150385-1234"}, staffActor)
		f.wantCode(err, netbank.ECONFLICT)
		for _, bad := range []identity.Customer{
			{Kind: identity.PrivateCustomer, Name: "X", CPR: "320185-1234"},
			{Kind: identity.PrivateCustomer, Name: "X", CPR: "12345"},
			{Kind: identity.BusinessCustomer, Name: "X", CVR: "12345678"},
			{Kind: identity.PrivateCustomer, Name: "", CPR: "150385-1234"},
			{Kind: identity.PrivateCustomer, Name: "X", CPR: "010101-0101", Mobile: "123"},
		} {
			_, err := f.id.CreateCustomer(f.ctx, bad, staffActor)
			f.wantCode(err, netbank.EINVALID)
		}
		found, err := f.id.FindCustomers(f.ctx, "kjær", 10)
		if err != nil || len(found) != 1 {
			t.Fatalf("search: %v %v", found, err)
		}
		if found, _ := f.id.FindCustomers(f.ctx, "%", 10); len(found) != 0 {
			t.Fatalf("a %% search matched %d customers: wildcards must be escaped", len(found))
		}
	})
}

func TestCPRCentury(t *testing.T) {
	cases := []struct {
		cpr  string
		want string
	}{
		{"010100-0000", "1900-01-01"}, {"010100-3999", "1900-01-01"},
		{"010136-4000", "2036-01-01"}, {"010137-4000", "1937-01-01"},
		{"010157-5000", "2057-01-01"}, {"010158-5000", "1858-01-01"},
		{"010112-9000", "2012-01-01"}, {"010199-9000", "1999-01-01"},
	}
	for _, c := range cases {
		got, err := identity.ParseCPR(c.cpr)
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("ParseCPR(%s) = %v %v, want %s", c.cpr, got, err, c.want)
		}
	}
	if _, err := identity.ParseCPR("290223-1234"); err == nil {
		t.Error("29 Feb 1923 accepted")
	}
}

func TestHousekeeping(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("070707-7777")
		if _, err := f.login(u.Login, key); err != nil {
			t.Fatal(err)
		}
		count := func(table string) int {
			var n int
			if err := db.QueryRow(f.ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if count("rate_limits") == 0 || count("login_challenges") == 0 {
			t.Fatal("nothing to clean up")
		}
		if n, err := f.id.Housekeeping(f.ctx); err != nil || n != 0 {
			t.Fatalf("fresh rows purged: %d %v", n, err)
		}
		f.clock.Advance(25 * time.Hour)
		if _, err := f.id.Housekeeping(f.ctx); err != nil {
			t.Fatal(err)
		}
		if count("rate_limits") != 0 || count("login_challenges") != 0 {
			t.Fatalf("left %d windows and %d challenges", count("rate_limits"), count("login_challenges"))
		}
		if count("sessions") == 0 {
			t.Fatal("sessions must be kept")
		}
	})
}
