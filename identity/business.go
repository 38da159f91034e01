package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
)

// KeyCardRenewAt re-exports when a new key card is offered (BIZ-1).
const KeyCardRenewAt = auth.KeyCardRenewAt

// CreateBusinessUser gives a business customer a user with a user id, an
// initial password and a key card (BIZ-1), acting within profile (BIZ-5).
// The password and the card's codes are returned once, for the letter.
func (s *Service) CreateBusinessUser(ctx context.Context, customerID, login, name string, profile []Permission, by Actor) (User, string, auth.KeyCard, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if err := validateBusinessLogin(login); err != nil {
		return User{}, "", auth.KeyCard{}, err
	}
	if err := validateProfile(profile); err != nil {
		return User{}, "", auth.KeyCard{}, err
	}
	password := s.initialPassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return User{}, "", auth.KeyCard{}, err
	}
	var u User
	var card auth.KeyCard
	err = s.store.Tx(ctx, func(tx Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		if c.Kind != BusinessCustomer {
			return netbank.Errorf(netbank.EINVALID, "Kunden er ikke en erhvervskunde.")
		}
		if _, err := tx.UserByLogin(ctx, login, false); err == nil {
			return netbank.Errorf(netbank.ECONFLICT, "Bruger-id'et %q er allerede i brug.", login)
		}
		now := s.now()
		u = User{ID: s.newID("usr"), CustomerID: customerID, Kind: BusinessUser, Login: login, Name: name,
			Status: Active, PasswordHash: hash, Profile: profile, CreatedAt: now}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if card, err = s.issueKeyCard(ctx, tx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("user.created", u.ID, map[string]string{"kind": string(BusinessUser), "customer": customerID, "profile": profileString(profile)}))
	})
	return u, password, card, err
}

func validateBusinessLogin(login string) error {
	if len(login) < 3 || len(login) > 32 {
		return netbank.Errorf(netbank.EINVALID, "Bruger-id'et skal være 3 til 32 tegn.")
	}
	for _, c := range login {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return netbank.Errorf(netbank.EINVALID, "Bruger-id'et må kun indeholde a-z, 0-9, punktum, bindestreg og understreg.")
		}
	}
	if strings.Trim(login, "0123456789") == "" {
		return netbank.Errorf(netbank.EINVALID, "Bruger-id'et må ikke kun være cifre (det ligner et brugernummer).")
	}
	return nil
}

func validateProfile(p []Permission) error {
	if len(p) == 0 {
		return netbank.Errorf(netbank.EINVALID, "Brugerprofilen skal give mindst én rettighed.")
	}
	for _, q := range p {
		switch q {
		case PermView, PermCreate, PermApprove, PermAdmin:
		default:
			return netbank.Errorf(netbank.EINVALID, "Ukendt rettighed %q.", q)
		}
	}
	return nil
}

func profileString(p []Permission) string {
	parts := make([]string, len(p))
	for i, q := range p {
		parts[i] = string(q)
	}
	return strings.Join(parts, ",")
}

// ParseProfile reads a comma list of permissions.
func ParseProfile(s string) []Permission {
	var out []Permission
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, Permission(p))
		}
	}
	return out
}

// initialPassword is a readable random password for the letter.
func (s *Service) initialPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := s.cfg.Rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
}

// issueKeyCard replaces the user's cards by a new one.
func (s *Service) issueKeyCard(ctx context.Context, tx Tx, userID string) (auth.KeyCard, error) {
	card := auth.NewKeyCard(s.cfg.Rand)
	if err := tx.ReplaceKeyCards(ctx, userID); err != nil {
		return auth.KeyCard{}, err
	}
	codes := make([]KeyCardCode, 0, len(card.Codes))
	for k, c := range card.Codes {
		codes = append(codes, KeyCardCode{Serial: card.Serial, KeyNumber: k, CodeHash: auth.HashKeyCode(s.cfg.Pepper, card.Serial, k, c)})
	}
	return card, tx.InsertKeyCard(ctx, userID, card.Serial, codes, s.now())
}

// IssueKeyCard gives a business user a new key card (staff, or the user
// when few codes remain); the old card stops working.
func (s *Service) IssueKeyCard(ctx context.Context, userID string, by Actor) (auth.KeyCard, error) {
	var card auth.KeyCard
	err := s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return err
		}
		if u.Kind != BusinessUser {
			return netbank.Errorf(netbank.EINVALID, "Nøglekort er kun til erhvervsbrugere.")
		}
		if card, err = s.issueKeyCard(ctx, tx, u.ID); err != nil {
			return err
		}
		u.TOTPSecret, u.TOTPLastStep = "", 0 // a card replaces the app (BIZ-4)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event("keycard.issued", u.ID, map[string]string{"serial": card.Serial}))
	})
	return card, err
}

// BusinessStep is the second step of a business login: the key number whose
// code the user must type, or "app" for the key app.
type BusinessStep struct {
	ChallengeID string
	KeyNumber   string // "" when the key app is used
	KeyApp      bool
	// CodesLeft is how many unused codes the card has; at KeyCardRenewAt
	// or fewer a new card is offered.
	CodesLeft int
}

// BeginBusinessLogin checks user id and password (BIZ-1) and asks for a
// one-time code. Wrong passwords count towards the block.
func (s *Service) BeginBusinessLogin(ctx context.Context, login, password string, by Actor) (BusinessStep, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var step BusinessStep
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		u, err := tx.UserByLogin(ctx, login, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && u.Kind != BusinessUser) {
			// BIZ-2: only business credentials open the business bank.
			_, _ = auth.VerifyPassword(dummyHash, password) // same time as a real check
			return netbank.Errorf(netbank.EUNAUTHORIZED, "Forkert bruger-id eller adgangskode."), nil
		}
		if err != nil {
			return nil, err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, nil
		}
		ok, err := auth.VerifyPassword(u.PasswordHash, password)
		if err != nil {
			return nil, err
		}
		if !ok {
			return s.failedAttempt(ctx, tx, &u, "password", by.as(u))
		}
		now := s.now()
		c := Challenge{ID: s.newID("chl"), Principal: u.ID, Purpose: "second", CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
		if len(u.TOTPSecret) > 0 {
			c.Detail, step.KeyApp = "app", true
		} else {
			serial, codes, err := tx.ActiveKeyCard(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			var unused []string
			for _, kc := range codes {
				if kc.UsedAt.IsZero() {
					unused = append(unused, kc.KeyNumber)
				}
			}
			if len(unused) == 0 {
				return netbank.Errorf(netbank.EFORBIDDEN, "Alle koder på dit nøglekort er brugt. Kontakt banken for et nyt."), nil
			}
			step.KeyNumber, step.CodesLeft = auth.PickKeyNumber(s.cfg.Rand, unused), len(unused)
			c.Detail = serial + ":" + step.KeyNumber
		}
		c.Challenge = c.Detail
		step.ChallengeID = c.ID
		return nil, tx.InsertChallenge(ctx, c)
	})
	return step, err
}

// dummyHash is verified against for unknown users so that a wrong user id
// takes as long as a wrong password.
var dummyHash = func() string {
	h, err := auth.HashPassword("netbank dummy password for timing")
	if err != nil {
		panic(err)
	}
	return h
}()

// FinishBusinessLogin checks the key-card or key-app code (each works once)
// and logs the user in.
func (s *Service) FinishBusinessLogin(ctx context.Context, login, challengeID, code string, by Actor) (Token, Session, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	code = strings.TrimSpace(code)
	var tok Token
	var sess Session
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		u, err := tx.UserByLogin(ctx, login, true)
		if err != nil || u.Kind != BusinessUser {
			return netbank.Errorf(netbank.EUNAUTHORIZED, "Login-forsøget er udløbet. Start forfra."), nil
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, nil
		}
		c, err := s.useChallenge(ctx, tx, challengeID, "second", u.ID)
		if err != nil {
			return refuse(err)
		}
		if c.Detail == "app" {
			if !s.checkTOTP(&u, code) {
				return s.failedAttempt(ctx, tx, &u, "keyapp", by.as(u))
			}
		} else {
			serial, keyNumber, _ := strings.Cut(c.Detail, ":")
			if !s.checkKeyCardCode(ctx, tx, u.ID, serial, keyNumber, code) {
				return s.failedAttempt(ctx, tx, &u, "keycard", by.as(u))
			}
			if err := tx.UseKeyCardCode(ctx, serial, keyNumber, s.now()); err != nil {
				return nil, err
			}
		}
		u.FailedAttempts = 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		tok, sess, err = s.startSession(ctx, tx, BusinessUser, u.ID, by.IP)
		if err != nil {
			return nil, err
		}
		method := "keycard"
		if c.Detail == "app" {
			method = "keyapp"
		}
		return nil, tx.Audit(ctx, s.now(), by.as(u).event("login.success", u.ID, map[string]string{"method": method}))
	})
	return tok, sess, err
}

// checkKeyCardCode verifies a code against the stored hash of an unused
// code of the user's active card.
func (s *Service) checkKeyCardCode(ctx context.Context, tx Tx, userID, serial, keyNumber, code string) bool {
	active, codes, err := tx.ActiveKeyCard(ctx, userID)
	if err != nil || active != serial || len(code) != 6 || !utf8.ValidString(code) {
		return false
	}
	for _, kc := range codes {
		if kc.KeyNumber == keyNumber {
			return kc.UsedAt.IsZero() && auth.VerifyKeyCode(s.cfg.Pepper, serial, keyNumber, code, kc.CodeHash)
		}
	}
	return false
}

// checkTOTP verifies a key-app code; a code works once.
func (s *Service) checkTOTP(u *User, code string) bool {
	secret, err := s.seal.open(u.TOTPSecret, "totp:"+u.ID)
	if err != nil || len(secret) == 0 {
		return false
	}
	step, ok := auth.VerifyTOTP(secret, code, s.now(), u.TOTPLastStep)
	if ok {
		u.TOTPLastStep = step
	}
	return ok
}
