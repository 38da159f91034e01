package identity_test

// Brute force (issue 6, "Attacks"): guessing a PIN letter, a signature
// code, a business password, key-card and key-app codes or a staff
// password is stopped by the limits. For each secret the tests show that
// the guess after the limit is refused even when it is right, that the
// lock is the target user's alone (another user is not touched, and
// changing address does not help the attacker), what is audited, and how
// the bank lifts it.

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// attacker returns the actor of the i-th guess: a new address each time,
// so only the per-user limit can stop the guesses.
func attacker(i int) identity.Actor { return identity.Actor{IP: fmt.Sprintf("203.0.113.%d", i+1)} }

// audited counts the audit entries of an action on a subject.
func (f *fixture) audited(subject, action string) int {
	f.t.Helper()
	entries, err := f.db.Audit().List(f.ctx, audit.Filter{Subject: subject, Action: action, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(entries)
}

// status is a user's status as stored.
func (f *fixture) status(userID string) identity.UserStatus {
	f.t.Helper()
	u, err := f.id.User(f.ctx, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Status
}

// wrongKey is what a guessed signature code gives: the signature file
// decrypts to another key without an error (auth.TestSignatureFileWrongCode).
func wrongKey() ed25519.PrivateKey {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	return k
}

// RULE AUTH-5: the third wrong PIN code from the letter blocks the user;
// the fourth guess is refused even when it is the right PIN, from any
// address. Another user's letter still works. Only a new PIN letter from
// the bank lifts the block; the old PIN is dead.
func TestBruteForcePINLetterIsStopped_AUTH5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		victim, pin, _ := f.id.CreatePrivateUser(f.ctx, f.privateCustomer("241299-1111").ID, "", staffActor)
		other, otherPIN, _ := f.id.CreatePrivateUser(f.ctx, f.privateCustomer("241299-2222").ID, "", staffActor)
		for i, guess := range []string{"00000000", "12345678", "11111111"} {
			_, err := f.id.VerifyPIN(f.ctx, victim.Login, guess, attacker(i))
			if i < 2 {
				f.wantCode(err, netbank.EUNAUTHORIZED)
			} else {
				f.wantCode(err, netbank.EFORBIDDEN) // AUTH-5: the third wrong PIN blocks
			}
		}
		_, err := f.id.VerifyPIN(f.ctx, victim.Login, pin, attacker(3))
		f.wantCode(err, netbank.EFORBIDDEN) // the right PIN after the limit
		if got := f.status(victim.ID); got != identity.SignatureBlocked {
			t.Errorf("status %s, want signature_blocked", got)
		}
		if n := f.audited(victim.ID, "login.failed"); n != 3 {
			t.Errorf("%d failed attempts audited, want 3", n)
		}
		if n := f.audited(victim.ID, "user.blocked"); n != 1 {
			t.Errorf("%d blocks audited, want 1", n)
		}

		// The lock is the victim's alone.
		if _, err := f.id.VerifyPIN(f.ctx, other.Login, otherPIN, attacker(4)); err != nil {
			t.Fatalf("another user's PIN letter after the attack: %v", err)
		}

		// Staff cannot just unblock it (AUTH-5): a new PIN letter is needed,
		// and with it the old PIN stops working.
		f.wantCode(f.id.Unblock(f.ctx, victim.ID, staffActor), netbank.EINVALID)
		newPIN, err := f.id.IssuePIN(f.ctx, victim.ID, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		if newPIN != pin {
			_, err = f.id.VerifyPIN(f.ctx, victim.Login, pin, attacker(5))
			f.wantCode(err, netbank.EUNAUTHORIZED)
		}
		if _, err := f.id.VerifyPIN(f.ctx, victim.Login, newPIN, identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("the new PIN letter: %v", err)
		}
	})
}

// RULE AUTH-5, AUTH-4: guessing the signature code gives a wrong key, and
// wrong signatures count the same whether they sign a login or a payment:
// the third blocks the signature and ends the user's sessions; the right
// key is refused after it. Another user logs in as before. A new PIN
// letter lifts the block (the user makes a new signature file).
func TestBruteForceSignatureIsStopped_AUTH5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		victim, key := f.enrolled("010203-4321")
		other, otherKey := f.enrolled("010203-4322")
		tok, err := f.login(victim.Login, key) // the victim's own session, open during the attack
		if err != nil {
			t.Fatal(err)
		}

		// Two guesses at the login…
		for i := range 2 {
			step, err := f.id.BeginPrivateLogin(f.ctx, victim.Login, attacker(i))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.id.FinishPrivateLogin(f.ctx, victim.Login, step.ChallengeID,
				ed25519.Sign(wrongKey(), auth.LoginMessage(step.Challenge)), attacker(i))
			f.wantCode(err, netbank.EUNAUTHORIZED)
		}
		// …and one on a payment the victim's session prepared: blocked.
		req, err := f.id.PrepareSignature(f.ctx, victim.ID, "payment", paymentDoc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.id.ConfirmSignature(f.ctx, victim.ID, req.ID, identity.SignProof{Checksum: req.Checksum,
			Signature: ed25519.Sign(wrongKey(), auth.DocumentMessage([]byte(req.Document)))}, attacker(2))
		f.wantCode(err, netbank.EFORBIDDEN)

		// After the limit: the right key neither logs in nor signs, and the
		// open session has ended.
		_, err = f.login(victim.Login, key)
		f.wantCode(err, netbank.EFORBIDDEN)
		_, err = f.id.ConfirmSignature(f.ctx, victim.ID, req.ID, identity.SignProof{Checksum: req.Checksum,
			Signature: ed25519.Sign(key, auth.DocumentMessage([]byte(req.Document)))}, identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)
		if _, err := f.id.Authenticate(f.ctx, tok); err == nil {
			t.Error("the victim's session survived the block")
		}
		if n := f.audited(victim.ID, "login.failed"); n != 3 {
			t.Errorf("%d failed attempts audited, want 3", n)
		}

		// Another user is not touched.
		if _, err := f.login(other.Login, otherKey); err != nil {
			t.Fatalf("another user after the attack: %v", err)
		}

		// Lifted by a new PIN letter: the user starts over (AUTH-2) with a new key.
		pin, err := f.id.IssuePIN(f.ctx, victim.ID, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.id.VerifyPIN(f.ctx, victim.Login, pin, identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("the new PIN letter: %v", err)
		}
	})
}

// businessFixture is a business customer with two users, each with a
// password and a key card.
type businessFixture struct {
	*fixture
	victim, other           identity.User
	password, otherPassword string
	card, otherCard         auth.KeyCard
}

func newBusinessFixture(t *testing.T, db *store.DB) *businessFixture {
	t.Helper()
	f := newFixture(t, db)
	c, err := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS", CVR: "25313763"}, staffActor)
	if err != nil {
		t.Fatal(err)
	}
	b := &businessFixture{fixture: f}
	perms := []identity.Permission{identity.PermView, identity.PermCreate}
	if b.victim, b.password, b.card, err = f.id.CreateBusinessUser(f.ctx, c.ID, "jens.hansen", "Jens Hansen", perms, staffActor); err != nil {
		t.Fatal(err)
	}
	if b.other, b.otherPassword, b.otherCard, err = f.id.CreateBusinessUser(f.ctx, c.ID, "pia.hansen", "Pia Hansen", perms, staffActor); err != nil {
		t.Fatal(err)
	}
	return b
}

// loginWith runs a whole business login with a password and the code the
// card has for the key number asked; it returns the first refusal.
func (b *businessFixture) loginWith(login, password string, card auth.KeyCard, by identity.Actor) error {
	b.t.Helper()
	step, err := b.id.BeginBusinessLogin(b.ctx, login, password, by)
	if err != nil {
		return err
	}
	_, _, err = b.id.FinishBusinessLogin(b.ctx, login, step.ChallengeID, card.Codes[step.KeyNumber], by)
	return err
}

// guessCode asks for a key number with the right password and answers a
// wrong code.
func (b *businessFixture) guessCode(i int) error {
	b.t.Helper()
	step, err := b.id.BeginBusinessLogin(b.ctx, b.victim.Login, b.password, attacker(i))
	if err != nil {
		return err
	}
	guess := fmt.Sprintf("%06d", i)
	if guess == b.card.Codes[step.KeyNumber] {
		guess = "999999"
	}
	_, _, err = b.id.FinishBusinessLogin(b.ctx, b.victim.Login, step.ChallengeID, guess, attacker(i))
	return err
}

// wantBlockedAndOtherFine checks the victim is blocked, the right password
// and code are refused, and the other user logs in.
func (b *businessFixture) wantBlockedAndOtherFine() {
	b.t.Helper()
	b.wantCode(b.loginWith(b.victim.Login, b.password, b.card, attacker(9)), netbank.EFORBIDDEN)
	if got := b.status(b.victim.ID); got != identity.SignatureBlocked {
		b.t.Errorf("status %s, want blocked", got)
	}
	if err := b.loginWith(b.other.Login, b.otherPassword, b.otherCard, attacker(10)); err != nil {
		b.t.Fatalf("the other business user after the attack: %v", err)
	}
}

// RULE BIZ-1: the third wrong password blocks the business user; then the
// right password is refused. The user next to them is not touched. Staff
// lift the block (Unblock), or send a new password, which also lifts it.
func TestBruteForceBusinessPasswordIsStopped_BIZ1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBusinessFixture(t, db)
		for i := range 3 {
			_, err := b.id.BeginBusinessLogin(b.ctx, b.victim.Login, fmt.Sprintf("gæt-nummer-%d", i), attacker(i))
			if i < 2 {
				b.wantCode(err, netbank.EUNAUTHORIZED)
			} else {
				b.wantCode(err, netbank.EFORBIDDEN)
			}
		}
		b.wantBlockedAndOtherFine()
		if n := b.audited(b.victim.ID, "login.failed"); n != 3 {
			t.Errorf("%d failed attempts audited, want 3", n)
		}
		if err := b.id.Unblock(b.ctx, b.victim.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		if err := b.loginWith(b.victim.Login, b.password, b.card, identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("after staff lifted the block: %v", err)
		}

		// Again, lifted this time by a new password letter.
		for i := range 3 {
			_, _ = b.id.BeginBusinessLogin(b.ctx, b.victim.Login, "forkert-igen", attacker(i))
		}
		b.wantCode(b.loginWith(b.victim.Login, b.password, b.card, identity.Actor{IP: "10.0.0.1"}), netbank.EFORBIDDEN)
		password, err := b.id.IssuePassword(b.ctx, b.victim.ID, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.loginWith(b.victim.Login, password, b.card, identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("with the new password: %v", err)
		}
	})
}

// RULE BIZ-1, BIZ-3: someone who has the password cannot guess the
// key-card codes either: a right password does not forget wrong codes, and
// the third wrong code — at the login or confirming a payment — blocks the
// user; then the right code is refused. Codes are never used up by wrong
// guesses. The other user is not touched; staff lift the block.
func TestBruteForceKeyCardCodesAreStopped_BIZ1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBusinessFixture(t, db)
		for i := range 2 {
			b.wantCode(b.guessCode(i), netbank.EUNAUTHORIZED)
		}
		// The third guess on a payment confirmation (BIZ-3).
		req, err := b.id.PrepareSignature(b.ctx, b.victim.ID, "payment", paymentDoc)
		if err != nil {
			t.Fatal(err)
		}
		guess := "000000"
		if guess == b.card.Codes[req.KeyNumber] {
			guess = "999999"
		}
		_, err = b.id.ConfirmSignature(b.ctx, b.victim.ID, req.ID, identity.SignProof{Checksum: req.Checksum,
			Password: b.password, Code: guess}, attacker(2))
		b.wantCode(err, netbank.EFORBIDDEN)
		_, err = b.id.ConfirmSignature(b.ctx, b.victim.ID, req.ID, identity.SignProof{Checksum: req.Checksum,
			Password: b.password, Code: b.card.Codes[req.KeyNumber]}, attacker(3))
		b.wantCode(err, netbank.EFORBIDDEN)
		b.wantBlockedAndOtherFine()

		if err := b.id.Unblock(b.ctx, b.victim.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		step, err := b.id.BeginBusinessLogin(b.ctx, b.victim.Login, b.password, identity.Actor{IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if step.CodesLeft != auth.KeyCardPairs {
			t.Errorf("%d codes left after the attack, want %d: wrong guesses must not use codes up", step.CodesLeft, auth.KeyCardPairs)
		}
		if _, _, err := b.id.FinishBusinessLogin(b.ctx, b.victim.Login, step.ChallengeID, b.card.Codes[step.KeyNumber], identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("after staff lifted the block: %v", err)
		}
	})
}

// RULE BIZ-4: the key app's codes are guarded the same way: the third wrong
// code blocks the user, and then the app's right code is refused.
func TestBruteForceKeyAppCodesAreStopped_BIZ4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBusinessFixture(t, db)
		e, err := b.id.BeginKeyApp(b.ctx, b.victim.ID)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := base32Decode(e.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.id.ConfirmKeyApp(b.ctx, b.victim.ID, e.ChallengeID, auth.TOTPCode(secret, b.clock.Now()), identity.Actor{ID: b.victim.ID, Kind: "business"}); err != nil {
			t.Fatal(err)
		}
		b.clock.Advance(time.Minute) // the enrolment's code is spent
		for i := range 3 {
			step, err := b.id.BeginBusinessLogin(b.ctx, b.victim.Login, b.password, attacker(i))
			if err != nil || !step.KeyApp {
				t.Fatalf("step %+v %v, want the key app", step, err)
			}
			guess := fmt.Sprintf("%06d", i)
			if guess == auth.TOTPCode(secret, b.clock.Now()) {
				guess = "999999"
			}
			_, _, err = b.id.FinishBusinessLogin(b.ctx, b.victim.Login, step.ChallengeID, guess, attacker(i))
			if i < 2 {
				b.wantCode(err, netbank.EUNAUTHORIZED)
			} else {
				b.wantCode(err, netbank.EFORBIDDEN)
			}
		}
		_, err = b.id.BeginBusinessLogin(b.ctx, b.victim.Login, b.password, attacker(3))
		b.wantCode(err, netbank.EFORBIDDEN) // the right password (and any code) after the limit
		if err := b.loginWith(b.other.Login, b.otherPassword, b.otherCard, attacker(4)); err != nil {
			t.Fatalf("the other business user after the attack: %v", err)
		}
		if err := b.id.Unblock(b.ctx, b.victim.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		step, err := b.id.BeginBusinessLogin(b.ctx, b.victim.Login, b.password, identity.Actor{IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.id.FinishBusinessLogin(b.ctx, b.victim.Login, step.ChallengeID, auth.TOTPCode(secret, b.clock.Now()), identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("after staff lifted the block: %v", err)
		}
	})
}

// Staff logins (the back office) get five tries — a wrong password or a
// wrong TOTP code with the right password, alike; the sixth is refused
// even with the right password and code. Another staff member is not
// touched; an administrator lifts the block (UnblockStaff).
func TestBruteForceStaffLoginIsStopped(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const password, otherPassword = "korrekt-hest-batteri", "anden-hest-batteri"
		victim, secret, err := f.id.CreateStaff(f.ctx, "kbo", "Karen Bøgh", password, []string{identity.RoleSupport}, identity.System)
		if err != nil {
			t.Fatal(err)
		}
		_, otherSecret, err := f.id.CreateStaff(f.ctx, "pol", "Poul Olsen", otherPassword, []string{identity.RoleAdmin}, identity.System)
		if err != nil {
			t.Fatal(err)
		}
		code := func(secret []byte) string { return auth.TOTPCode(secret, f.clock.Now()) }
		wrongCode := func() string {
			if code(secret) == "000000" {
				return "111111"
			}
			return "000000"
		}
		for i := range 5 {
			pw, c := fmt.Sprintf("gæt-%d-hest-batteri", i), code(secret)
			if i%2 == 1 { // the right password with a guessed code counts too
				pw, c = password, wrongCode()
			}
			_, _, err := f.id.StaffLogin(f.ctx, "kbo", pw, c, attacker(i))
			f.wantCode(err, netbank.EUNAUTHORIZED)
		}
		_, _, err = f.id.StaffLogin(f.ctx, "kbo", password, code(secret), attacker(5))
		f.wantCode(err, netbank.EFORBIDDEN)
		if n := f.audited(victim.ID, "staff.login_failed"); n != 5 {
			t.Errorf("%d failed staff logins audited, want 5", n)
		}
		if _, _, err := f.id.StaffLogin(f.ctx, "pol", otherPassword, code(otherSecret), attacker(6)); err != nil {
			t.Fatalf("another staff member after the attack: %v", err)
		}
		if _, err := f.id.UnblockStaff(f.ctx, "kbo", staffActor); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * time.Second) // a fresh code: each works once
		if _, _, err := f.id.StaffLogin(f.ctx, "kbo", password, code(secret), identity.Actor{IP: "10.0.0.1"}); err != nil {
			t.Fatalf("after an administrator lifted the block: %v", err)
		}
	})
}

// RULE AUTH-5 covers one user; spraying a few guesses over many users is
// stopped per address: past the rate limit (30 login steps a minute by
// default) every step from that address is refused, even a right one;
// another address is served, and the next minute the address is too.
func TestBruteForceFromOneAddressIsThrottled(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("010203-4321")
		spray := identity.Actor{IP: "198.51.100.7"}
		var err error
		for i := 0; i < 30; i++ {
			_, err = f.id.BeginPrivateLogin(f.ctx, fmt.Sprintf("9999%07d", i), spray)
			if err != nil {
				t.Fatalf("step %d within the limit: %v", i+1, err)
			}
		}
		_, err = f.id.BeginPrivateLogin(f.ctx, u.Login, spray)
		f.wantCode(err, netbank.EFORBIDDEN)
		_, err = f.id.BeginBusinessLogin(f.ctx, "jens.hansen", "korrekt-hest-batteri", spray)
		f.wantCode(err, netbank.EFORBIDDEN)
		// Not a lock of the user: from elsewhere the user logs in.
		if _, err := f.login(u.Login, key); err != nil {
			t.Fatalf("the user from their own address: %v", err)
		}
		f.clock.Advance(time.Minute)
		if _, err := f.id.BeginPrivateLogin(f.ctx, u.Login, spray); err != nil {
			t.Fatalf("the next minute: %v", err)
		}
	})
}
