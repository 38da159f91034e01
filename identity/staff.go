package identity

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
)

// KeyAppEnrolment is what the user scans to set up the key app (BIZ-4).
type KeyAppEnrolment struct {
	ChallengeID string
	Secret      string // base32, for typing in by hand
	URI         string // otpauth:// URI
	QRPNG       []byte // the URI as a QR code
}

// BeginKeyApp starts enrolling a key app for a business user: a new TOTP
// secret, shown once as a QR code. It takes effect when ConfirmKeyApp gets
// a right code from the app.
func (s *Service) BeginKeyApp(ctx context.Context, userID string) (KeyAppEnrolment, error) {
	var e KeyAppEnrolment
	err := s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, false)
		if err != nil {
			return err
		}
		if u.Kind != BusinessUser {
			return netbank.Errorf(netbank.EINVALID, "Nøgleappen er kun til erhvervsbrugere.")
		}
		secret := auth.NewTOTPSecret(s.cfg.Rand)
		now := s.now()
		c := Challenge{ID: s.newID("chl"), Principal: u.ID, Purpose: "keyapp", Challenge: s.seal.seal(secret, "totp:"+u.ID),
			CreatedAt: now, ExpiresAt: now.Add(EnrollTTL)}
		e = KeyAppEnrolment{ChallengeID: c.ID, Secret: auth.Base32Secret(secret), URI: auth.OTPAuthURI("Netbank", u.Login, secret)}
		if e.QRPNG, err = auth.QRCodePNG(e.URI); err != nil {
			return err
		}
		return tx.InsertChallenge(ctx, c)
	})
	return e, err
}

// ConfirmKeyApp finishes the enrolment with a code from the app. One app
// replaces one key card (BIZ-4): the card stops working.
func (s *Service) ConfirmKeyApp(ctx context.Context, userID, challengeID, code string, by Actor) error {
	return s.failable(ctx, func(tx Tx) (error, error) {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return nil, err
		}
		c, err := tx.Challenge(ctx, challengeID, true)
		if err != nil || c.Purpose != "keyapp" || c.Principal != u.ID || !c.UsedAt.IsZero() || !s.now().Before(c.ExpiresAt) {
			return netbank.Errorf(netbank.EUNAUTHORIZED, "Tilmeldingen er udløbet. Start forfra."), nil
		}
		secret, err := s.seal.open(c.Challenge, "totp:"+u.ID)
		if err != nil {
			return nil, err
		}
		step, ok := auth.VerifyTOTP(secret, strings.TrimSpace(code), s.now(), 0)
		if !ok {
			return netbank.Errorf(netbank.EINVALID, "Koden fra appen passer ikke. Tjek at telefonens ur går rigtigt, og prøv igen."), nil
		}
		if err := tx.UseChallenge(ctx, c.ID, s.now()); err != nil {
			return nil, err
		}
		u.TOTPSecret, u.TOTPLastStep = c.Challenge, step
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		if err := tx.ReplaceKeyCards(ctx, u.ID); err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, s.now(), by.event("keyapp.enrolled", u.ID, nil))
	})
}

// CreateStaff adds a staff member and returns the TOTP secret to enrol in
// an authenticator app (shown once).
func (s *Service) CreateStaff(ctx context.Context, username, name, password string, roles []string, by Actor) (Staff, []byte, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if err := validateBusinessLogin(username); err != nil {
		return Staff{}, nil, err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return Staff{}, nil, err
	}
	for _, r := range roles {
		switch r {
		case RoleAdmin, RoleSupport, RoleAuditor, RoleContract:
		default:
			return Staff{}, nil, netbank.Errorf(netbank.EINVALID, "Ukendt rolle %q.", r)
		}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return Staff{}, nil, err
	}
	secret := auth.NewTOTPSecret(s.cfg.Rand)
	st := Staff{ID: s.newID("stf"), Username: username, Name: name, PasswordHash: hash, Roles: roles, CreatedAt: s.now()}
	st.TOTPSecret = s.seal.seal(secret, "totp:"+st.ID)
	err = s.store.Tx(ctx, func(tx Tx) error {
		if _, err := tx.StaffByUsername(ctx, username, false); err == nil {
			return netbank.Errorf(netbank.ECONFLICT, "Brugernavnet %q er i brug.", username)
		}
		if err := tx.InsertStaff(ctx, st); err != nil {
			return err
		}
		return tx.Audit(ctx, st.CreatedAt, by.event("staff.created", st.ID, map[string]string{"roles": strings.Join(roles, ",")}))
	})
	return st, secret, err
}

// StaffLogin checks username, password and a TOTP code (each code works
// once). Failed attempts count; at the limit the staff account is blocked
// until an administrator lifts it.
func (s *Service) StaffLogin(ctx context.Context, username, password, code string, by Actor) (Token, Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var tok Token
	var sess Session
	err := s.failable(ctx, func(tx Tx) (error, error) {
		if refusal, err := s.rateLimit(ctx, tx, by.IP); refusal != nil || err != nil {
			return refusal, err
		}
		refuse := netbank.Errorf(netbank.EUNAUTHORIZED, "Forkert brugernavn, adgangskode eller engangskode.")
		st, err := tx.StaffByUsername(ctx, username, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			_, _ = auth.VerifyPassword(dummyHash, password)
			return refuse, tx.Audit(ctx, s.now(), by.event("staff.login_failed", username, map[string]string{"reason": "unknown"}))
		}
		if err != nil {
			return nil, err
		}
		if st.Blocked {
			return netbank.Errorf(netbank.EFORBIDDEN, "Din medarbejderadgang er spærret. Kontakt en administrator."), nil
		}
		ok, err := auth.VerifyPassword(st.PasswordHash, password)
		if err != nil {
			return nil, err
		}
		if ok {
			secret, err := s.seal.open(st.TOTPSecret, "totp:"+st.ID)
			if err != nil {
				return nil, err
			}
			var step int64
			if step, ok = auth.VerifyTOTP(secret, strings.TrimSpace(code), s.now(), st.TOTPLastStep); ok {
				st.TOTPLastStep = step
			}
		}
		if !ok {
			st.FailedAttempts++
			st.Blocked = st.FailedAttempts >= s.cfg.MaxAttempts+2 // staff get five tries
			if err := tx.UpdateStaff(ctx, st); err != nil {
				return nil, err
			}
			return refuse, tx.Audit(ctx, s.now(), by.event("staff.login_failed", st.ID, map[string]string{"attempt": strconv.Itoa(st.FailedAttempts)}))
		}
		st.FailedAttempts = 0
		if err := tx.UpdateStaff(ctx, st); err != nil {
			return nil, err
		}
		by.ID, by.Kind = st.ID, "staff"
		tok, sess, err = s.startSession(ctx, tx, StaffUser, st.ID, by.IP)
		if err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, s.now(), by.event("staff.login", st.ID, nil))
	})
	return tok, sess, err
}

// StaffTOTP returns the current TOTP code of a staff member (demo and tests).
func (s *Service) StaffTOTP(ctx context.Context, st Staff, at time.Time) (string, error) {
	secret, err := s.seal.open(st.TOTPSecret, "totp:"+st.ID)
	if err != nil {
		return "", err
	}
	return auth.TOTPCode(secret, at), nil
}
