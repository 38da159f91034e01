package identity

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
)

// PINLength is the number of digits of the PIN code in the bank's letter.
const PINLength = 8

// ChallengeTTL is how long a login challenge may be answered.
const ChallengeTTL = 5 * time.Minute

// EnrollTTL is how long a user has, after the PIN was accepted, to choose a
// signature code and make the signature file.
const EnrollTTL = 15 * time.Minute

// CreatePrivateUser gives a private customer a net bank user with a fresh
// 11-digit user number (AUTH-1) and returns the PIN code for the letter.
func (s *Service) CreatePrivateUser(ctx context.Context, customerID, name string, by Actor) (User, string, error) {
	var u User
	var pin string
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		if c.Kind != PrivateCustomer {
			return netbank.Errorf(netbank.EINVALID, "Kunden er ikke en privatkunde.")
		}
		if name == "" {
			name = c.Name
		}
		login, err := s.freeLogin(ctx, tx, func() string { return auth.NewUserNumber(s.cfg.Rand) })
		if err != nil {
			return err
		}
		now := s.now()
		u = User{ID: s.newID("usr"), CustomerID: customerID, Kind: PrivateUser, Login: login, Name: name, Status: PINIssued, CreatedAt: now}
		pin, err = s.setPIN(&u)
		if err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("user.created", u.ID, map[string]string{"kind": string(PrivateUser), "customer": customerID}))
	})
	return u, pin, err
}

// freeLogin draws logins until one is unused.
func (s *Service) freeLogin(ctx context.Context, tx Tx, draw func() string) (string, error) {
	for i := 0; i < 20; i++ {
		l := draw()
		if _, err := tx.UserByLogin(ctx, l, false); netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return l, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", netbank.Errorf(netbank.EINTERNAL, "could not draw a free user number")
}

// setPIN draws a PIN for the letter and puts the user back at the start of
// AUTH-2: the old key stops working.
func (s *Service) setPIN(u *User) (string, error) {
	pin := s.randomDigits(PINLength)
	hash, err := auth.HashPassword(pin)
	if err != nil {
		return "", err
	}
	u.PINHash, u.PINExpiresAt = hash, s.now().Add(s.cfg.PINValidity)
	u.Status, u.PublicKey, u.KeyCreatedAt = PINIssued, nil, time.Time{}
	u.FailedAttempts, u.BlockedAt, u.BlockedReason = 0, time.Time{}, ""
	return pin, nil
}

// IssuePIN sends a new PIN letter (staff): it lifts a signature block
// (AUTH-5) and answers a forgotten code (AUTH-6). The user starts over at
// the first login; every old signature file stops working.
func (s *Service) IssuePIN(ctx context.Context, userID string, by Actor) (string, error) {
	var pin string
	err := s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return err
		}
		if u.Kind != PrivateUser {
			return netbank.Errorf(netbank.EINVALID, "Pinkodebreve er kun til private brugere.")
		}
		if pin, err = s.setPIN(&u); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.EndSessions(ctx, u.ID, s.now(), EndBlocked); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event("user.pin_issued", u.ID, nil))
	})
	return pin, err
}

// LoginStep tells the browser what the private login asks for next.
type LoginStep struct {
	// Step is "pin" (first login with the letter's PIN) or "signature".
	Step string
	// ChallengeID and Challenge are set for "signature": the browser signs
	// auth.LoginMessage(Challenge) with the key from the signature file.
	ChallengeID string
	Challenge   string
}

// errUnknownUser is what an unknown user number gets: the same refusal as
// a wrong signature, so user numbers cannot be probed.
var errUnknownUser = netbank.Errorf(netbank.EUNAUTHORIZED, "Brugernummeret eller underskriften er forkert.")

// BeginPrivateLogin starts a private login for a user number (AUTH-1).
func (s *Service) BeginPrivateLogin(ctx context.Context, userNumber string, by Actor) (LoginStep, error) {
	if err := auth.ValidUserNumber(userNumber); err != nil {
		return LoginStep{}, err
	}
	var step LoginStep
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		u, err := tx.UserByLogin(ctx, userNumber, false)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && u.Kind != PrivateUser) {
			// Unknown numbers get a challenge no key can answer (BIZ-2:
			// a business login cannot open the private bank either).
			step, err = s.newLoginChallenge(ctx, tx, "unknown:"+userNumber)
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, tx.Audit(ctx, s.now(), by.event("login.refused", u.ID, map[string]string{"status": string(u.Status)}))
		}
		if u.Status == PINIssued {
			step = LoginStep{Step: "pin"}
			return nil, nil
		}
		step, err = s.newLoginChallenge(ctx, tx, u.ID)
		return nil, err
	})
	return step, err
}

func (s *Service) newLoginChallenge(ctx context.Context, tx Tx, principal string) (LoginStep, error) {
	now := s.now()
	c := Challenge{ID: s.newID("chl"), Principal: principal, Purpose: "login", Challenge: s.randomToken(), CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
	return LoginStep{Step: "signature", ChallengeID: c.ID, Challenge: c.Challenge}, tx.InsertChallenge(ctx, c)
}

func (s *Service) randomToken() string {
	tok, _ := s.newToken()
	return string(tok)
}

// useChallenge checks and consumes a challenge of a purpose for a principal.
func (s *Service) useChallenge(ctx context.Context, tx Tx, id, purpose, principal string) (Challenge, error) {
	c, err := tx.Challenge(ctx, id, true)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Challenge{}, netbank.Errorf(netbank.EUNAUTHORIZED, "Login-forsøget er udløbet. Start forfra.")
	}
	if err != nil {
		return Challenge{}, err
	}
	now := s.now()
	if c.Purpose != purpose || c.Principal != principal || !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) {
		return Challenge{}, netbank.Errorf(netbank.EUNAUTHORIZED, "Login-forsøget er udløbet eller allerede brugt. Start forfra.")
	}
	return c, tx.UseChallenge(ctx, id, now)
}

// VerifyPIN checks the letter's PIN at the first login (AUTH-2) and returns
// the enrolment challenge the browser signs with the new key. Wrong PINs
// count towards the block (AUTH-5).
func (s *Service) VerifyPIN(ctx context.Context, userNumber, pin string, by Actor) (LoginStep, error) {
	var step LoginStep
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		u, err := tx.UserByLogin(ctx, userNumber, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && u.Kind != PrivateUser) {
			return errUnknownUser, nil
		}
		if err != nil {
			return nil, err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, nil
		}
		if u.Status != PINIssued {
			return netbank.Errorf(netbank.EINVALID, "Du har allerede valgt en underskriftskode. Log på med den."), nil
		}
		if !s.now().Before(u.PINExpiresAt) {
			return netbank.Errorf(netbank.EFORBIDDEN, "Pinkoden er udløbet. Kontakt banken, så sender vi dig en ny."), nil
		}
		ok, err := auth.VerifyPassword(u.PINHash, pin)
		if err != nil {
			return nil, err
		}
		if !ok {
			return s.failedAttempt(ctx, tx, &u, "pin", by.as(u))
		}
		now := s.now()
		c := Challenge{ID: s.newID("chl"), Principal: u.ID, Purpose: "enroll", Challenge: s.randomToken(), CreatedAt: now, ExpiresAt: now.Add(EnrollTTL)}
		step = LoginStep{Step: "enroll", ChallengeID: c.ID, Challenge: c.Challenge}
		if err := tx.InsertChallenge(ctx, c); err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, now, by.as(u).event("login.pin_accepted", u.ID, nil))
	})
	return step, err
}

// as names the acting user on an anonymous actor (a login in progress).
func (a Actor) as(u User) Actor {
	if a.ID == "" || a.ID == "anonymous" {
		a.ID = u.ID
	}
	if a.Kind == "" || a.Kind == "anonymous" {
		a.Kind = "customer"
		if u.Kind == BusinessUser {
			a.Kind = "business"
		}
	}
	return a
}

// Enroll stores the public key of the new signature file made in the
// browser (AUTH-3) after the PIN was accepted. The browser proves it holds
// the private key by signing the enrolment challenge. It logs the user in.
func (s *Service) Enroll(ctx context.Context, userNumber, challengeID string, publicKey, signature []byte, by Actor) (Token, Session, error) {
	var tok Token
	var sess Session
	err := s.failable(ctx, func(tx Tx) (error, error) {
		u, err := tx.UserByLogin(ctx, userNumber, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errUnknownUser, nil
		}
		if err != nil {
			return nil, err
		}
		c, err := s.useChallenge(ctx, tx, challengeID, "enroll", u.ID)
		if err != nil {
			return refuse(err)
		}
		if u.Status != PINIssued {
			return netbank.Errorf(netbank.EINVALID, "Du har allerede valgt en underskriftskode."), nil
		}
		if len(publicKey) != ed25519.PublicKeySize || !verifySignature(publicKey, auth.LoginMessage(c.Challenge), signature) {
			return netbank.Errorf(netbank.EINVALID, "Underskriftsfilen kunne ikke laves korrekt i din browser. Prøv igen."), nil
		}
		now := s.now()
		u.PublicKey, u.KeyCreatedAt, u.Status = publicKey, now, Active
		u.PINHash, u.PINExpiresAt, u.FailedAttempts = "", time.Time{}, 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		if err := tx.Audit(ctx, now, by.as(u).event("signature.enrolled", u.ID, map[string]string{"key": s.keyID(publicKey)})); err != nil {
			return nil, err
		}
		tok, sess, err = s.startSession(ctx, tx, PrivateUser, u.ID, by.IP)
		if err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, now, by.as(u).event("login.success", u.ID, map[string]string{"method": "pin+enroll"}))
	})
	return tok, sess, err
}

// keyID is a short fingerprint of a public key for the audit log. It is a
// keyed hash: the public key itself (or a plain prefix of it) would let
// anyone holding a copy of the signature file test codes offline.
func (s *Service) keyID(pub []byte) string {
	return s.seal.lookupHash(base64.StdEncoding.EncodeToString(pub))[:16]
}

// FinishPrivateLogin checks the signature over the login challenge with
// the user's public key (AUTH-4). Three failed signatures in a row block
// the signature (AUTH-5).
func (s *Service) FinishPrivateLogin(ctx context.Context, userNumber, challengeID string, signature []byte, by Actor) (Token, Session, error) {
	var tok Token
	var sess Session
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		u, err := tx.UserByLogin(ctx, userNumber, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && u.Kind != PrivateUser) {
			_, _ = s.useChallenge(ctx, tx, challengeID, "login", "unknown:"+userNumber)
			return errUnknownUser, nil
		}
		if err != nil {
			return nil, err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, nil
		}
		c, err := s.useChallenge(ctx, tx, challengeID, "login", u.ID)
		if err != nil {
			return refuse(err)
		}
		if !verifySignature(u.PublicKey, auth.LoginMessage(c.Challenge), signature) {
			return s.failedAttempt(ctx, tx, &u, "signature", by.as(u))
		}
		u.FailedAttempts = 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		tok, sess, err = s.startSession(ctx, tx, PrivateUser, u.ID, by.IP)
		if err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, s.now(), by.as(u).event("login.success", u.ID, map[string]string{"method": "signature"}))
	})
	return tok, sess, err
}

// SelfBlock blocks the user's own access at once (AUTH-9, "Spærring af
// bruger"); only the bank lifts it.
func (s *Service) SelfBlock(ctx context.Context, userID string, by Actor) error {
	return s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return err
		}
		return s.blockUser(ctx, tx, &u, SelfBlocked, "blocked by the user", by)
	})
}

// Unblock lifts a self-block or a business user's block (staff). A private
// user's blocked signature is lifted only by a new PIN letter (AUTH-5).
func (s *Service) Unblock(ctx context.Context, userID string, by Actor) error {
	return s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return err
		}
		switch {
		case u.Status == SignatureBlocked && u.Kind == PrivateUser:
			return netbank.Errorf(netbank.EINVALID, "En spærret signatur åbnes ved at sende brugeren en ny pinkode.")
		case u.Status != SelfBlocked && u.Status != SignatureBlocked:
			return netbank.Errorf(netbank.EINVALID, "Brugeren er ikke spærret.")
		}
		u.Status, u.FailedAttempts, u.BlockedAt, u.BlockedReason = Active, 0, time.Time{}, ""
		if u.Kind == PrivateUser && len(u.PublicKey) == 0 {
			u.Status = PINIssued
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event("user.unblocked", u.ID, nil))
	})
}

// BeginCodeChange issues the challenge a logged-in private user signs with
// the current key to change the signature code.
func (s *Service) BeginCodeChange(ctx context.Context, userID string) (LoginStep, error) {
	var step LoginStep
	err := s.store.Tx(ctx, func(tx Tx) error {
		now := s.now()
		c := Challenge{ID: s.newID("chl"), Principal: userID, Purpose: "change", Challenge: s.randomToken(), CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
		step = LoginStep{Step: "change", ChallengeID: c.ID, Challenge: c.Challenge}
		return tx.InsertChallenge(ctx, c)
	})
	return step, err
}

// ChangeCode replaces the user's key after a code change (AUTH-6): the
// browser signs the challenge with the old key (proving the old code) and
// with the new key (proving it holds it). Every copy of the old file stops
// working. A wrong old signature counts as a failed attempt.
func (s *Service) ChangeCode(ctx context.Context, userID, challengeID string, oldSig, newPublicKey, newSig []byte, by Actor) error {
	return s.failable(ctx, func(tx Tx) (error, error) {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return nil, err
		}
		c, err := s.useChallenge(ctx, tx, challengeID, "change", u.ID)
		if err != nil {
			return refuse(err)
		}
		msg := auth.LoginMessage(c.Challenge)
		if !verifySignature(u.PublicKey, msg, oldSig) {
			return s.failedAttempt(ctx, tx, &u, "signature", by)
		}
		if len(newPublicKey) != ed25519.PublicKeySize || !verifySignature(newPublicKey, msg, newSig) {
			return netbank.Errorf(netbank.EINVALID, "Den nye underskriftsfil kunne ikke laves korrekt. Prøv igen."), nil
		}
		u.PublicKey, u.KeyCreatedAt, u.FailedAttempts = newPublicKey, s.now(), 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, s.now(), by.event("signature.code_changed", u.ID, map[string]string{"key": s.keyID(newPublicKey)}))
	})
}
