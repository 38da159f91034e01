package identity

import (
	"context"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
)

// This file holds the few service methods only the back office uses: the
// look-up of a customer by CPR number, a new password letter for a business
// user, and lifting a staff member's login block. Each is a staff action
// and is audited with the acting staff member.

// CustomerByCPR finds the private customer with a CPR number (staff, when a
// customer calls and gives it). The CPR is never stored in clear; the
// look-up goes through its keyed hash. An invalid number is EINVALID, an
// unknown one ENOTFOUND.
func (s *Service) CustomerByCPR(ctx context.Context, cpr string) (Customer, error) {
	if _, err := ParseCPR(cpr); err != nil {
		return Customer{}, err
	}
	var c Customer
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.CustomerByCPRHash(ctx, s.seal.lookupHash(normalizeCPR(cpr)))
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	return s.openCustomer(c)
}

// IssuePassword gives a business user a new initial password for a letter
// (staff, when the user forgot it) and returns it once; only its hash is
// kept. The old password stops working and the user's sessions end. A block
// after too many failed attempts (BIZ-1, AUTH-5) is lifted with it, since a
// forgotten password is its usual cause; a block the user chose (AUTH-9) or
// a closed access is not.
func (s *Service) IssuePassword(ctx context.Context, userID string, by Actor) (string, error) {
	password := s.initialPassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return err
		}
		if u.Kind != BusinessUser {
			return netbank.Errorf(netbank.EINVALID, "Adgangskoder er kun til erhvervsbrugere; private brugere får en ny pinkode.")
		}
		details := map[string]string{}
		if u.Status == SignatureBlocked {
			u.Status, u.BlockedAt, u.BlockedReason = Active, time.Time{}, ""
			details["unblocked"] = "true"
		}
		u.PasswordHash, u.FailedAttempts = hash, 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.EndSessions(ctx, u.ID, s.now(), EndBlocked); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event("user.password_reset", u.ID, details))
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// UnblockStaff lifts the block a staff member gets after too many failed
// logins (an administrator's action; the web layer checks the role) and
// resets the count of failed attempts.
func (s *Service) UnblockStaff(ctx context.Context, username string, by Actor) (Staff, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var st Staff
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		st, err = tx.StaffByUsername(ctx, username, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return netbank.Errorf(netbank.ENOTFOUND, "Der findes ingen medarbejder med brugernavnet %q.", username)
		}
		if err != nil {
			return err
		}
		if !st.Blocked && st.FailedAttempts == 0 {
			return netbank.Errorf(netbank.EINVALID, "Medarbejderen er ikke spærret.")
		}
		st.Blocked, st.FailedAttempts = false, 0
		if err := tx.UpdateStaff(ctx, st); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event("staff.unblocked", st.ID, map[string]string{"username": st.Username}))
	})
	return st, err
}
