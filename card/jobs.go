package card

// The card jobs: renewal before expiry (CARD-13), expiry, annual fees
// (CARD-19), the end of terminated agreements (CARD-18) and the deletion of
// old card transaction data (CARD-20). Each is idempotent and safe to run
// on several instances: they work from what is due in the database.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/scheduler"
)

// The names of the card jobs.
const (
	JobRenewal     = "card-renewal"
	JobExpiry      = "card-expiry"
	JobAnnualFee   = "card-annual-fee"
	JobTermination = "card-termination"
	JobRetention   = "card-retention"
)

// Jobs returns the scheduler jobs of cards, each once a day (Danish time):
// expiry at 00:10 (a card expires at midnight starting the month after its
// expiry month), terminations at 00:20, renewals at 02:10, annual fees at
// 02:40 and the retention of card data at 04:10. Missed days are caught up
// within a week.
func (s *Service) Jobs() []scheduler.Job {
	job := func(name string, hour, minute int, run func(ctx context.Context) (int, error)) scheduler.Job {
		return scheduler.Job{Name: name, Plan: scheduler.Daily(hour, minute, nil), Lookback: 7 * 24 * time.Hour,
			Run: func(ctx context.Context, key string, due time.Time) error {
				_, err := run(ctx)
				return err
			}}
	}
	return []scheduler.Job{
		job(JobExpiry, 0, 10, s.ExpireDue),
		job(JobTermination, 0, 20, s.EndTerminations),
		job(JobRenewal, 2, 10, s.RenewDue),
		job(JobAnnualFee, 2, 40, s.ChargeAnnualFees),
		job(JobRetention, 4, 10, s.DeleteOldTransactions),
	}
}

// RegisterJobs adds the card jobs (see Jobs) to a scheduler.
func (s *Service) RegisterJobs(sch *scheduler.Scheduler) {
	for _, j := range s.Jobs() {
		sch.Register(j)
	}
}

// due runs a due-list query in a transaction.
func (s *Service) due(ctx context.Context, q func(Tx) ([]Card, error)) ([]Card, error) {
	var out []Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		out, err = q(tx)
		return err
	})
	return out, err
}

// RenewDue issues the renewal of every live card that expires within
// RenewBefore and has none yet (CARD-13), and returns how many it renewed.
// A card that cannot be renewed is reported in the error after the others
// were tried.
func (s *Service) RenewDue(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	seen := map[string]bool{}
	for {
		now := s.now()
		due, err := s.due(ctx, func(tx Tx) ([]Card, error) { return tx.RenewalDue(ctx, now, now.Add(s.renewFrom), 100) })
		if err != nil {
			return n, err
		}
		progress := false
		for _, c := range due {
			if seen[c.ID] {
				continue
			}
			seen[c.ID], progress = true, true
			if _, err := s.Renew(ctx, c.ID, System); err != nil {
				errs = append(errs, fmt.Errorf("card %s: %w", c.ID, err))
				continue
			}
			n++
		}
		if !progress || len(due) < 100 {
			return n, errors.Join(errs...)
		}
	}
}

// ExpireDue marks every live card past its expiry Expired (CARD-13: valid
// through the printed month); its wallet tokens die with it. It returns
// how many expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.now()
		due, err := s.due(ctx, func(tx Tx) ([]Card, error) { return tx.ExpiryDue(ctx, now, 200) })
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, c := range due {
			err := s.store.Tx(ctx, func(tx Tx) error {
				cur, err := tx.Card(ctx, c.ID, true)
				if err != nil {
					return err
				}
				if !cur.Live() || now.Before(cur.ExpiresAt) {
					return nil
				}
				cur.Status, cur.EndedAt = Expired, cur.ExpiresAt
				if err := tx.UpdateCard(ctx, cur); err != nil {
					return err
				}
				if _, err := tx.EndTokens(ctx, cur.ID, now, "Kortet er udløbet"); err != nil {
					return err
				}
				return tx.Audit(ctx, now, System.event(ActionExpired, cur.ID, nil))
			})
			if err != nil {
				return n, err
			}
			n++
		}
		if len(due) < 200 {
			return n, nil
		}
	}
}

// EndTerminations ends every card whose termination notice has run out
// (CARD-18): it refunds the prepaid annual fee for the rest of the paid
// year pro rata (Refund), marks the card Terminated, ends its wallet
// tokens and tells the cardholder. It returns how many ended.
func (s *Service) EndTerminations(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.now()
		due, err := s.due(ctx, func(tx Tx) ([]Card, error) { return tx.TerminationDue(ctx, now, 100) })
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, c := range due {
			// The refund first: its id makes it once only, and a card is
			// marked Terminated only after it is booked.
			refund := Refund(c, c.TerminatesAt)
			if refund > 0 {
				if _, err := s.ledgerOf().Transfer(ctx, refundRequest(c, refund)); err != nil {
					return n, err
				}
			}
			var ended bool
			err := s.store.Tx(ctx, func(tx Tx) error {
				cur, err := tx.Card(ctx, c.ID, true)
				if err != nil {
					return err
				}
				if cur.Status == Terminated {
					ended = false
					return nil
				}
				ended = true
				cur.Status, cur.EndedAt = Terminated, now
				if err := tx.UpdateCard(ctx, cur); err != nil {
					return err
				}
				if _, err := tx.EndTokens(ctx, cur.ID, now, "Kortaftalen er ophørt"); err != nil {
					return err
				}
				return tx.Audit(ctx, now, System.event(ActionTerminated, cur.ID, map[string]string{"refund": fmt.Sprint(refund)}))
			})
			if err != nil {
				return n, err
			}
			if !ended {
				continue
			}
			n++
			text := fmt.Sprintf("Aftalen om %s er ophørt, og kortet kan ikke bruges længere, heller ikke i en wallet. Klip kortet over, og smid det ud.", c.name())
			if refund > 0 {
				text += fmt.Sprintf("\n\nDen forudbetalte del af det årlige kortgebyr for tiden efter ophøret, %s, er sat ind på kontoen.",
					netbank.NewMoney(refund, "DKK"))
			}
			s.notifyHolder(ctx, c, "Dit kort er ophørt", text)
		}
		if len(due) < 100 {
			return n, nil
		}
	}
}

// RetentionCutoff is the first moment whose card transaction data is kept
// at now: data is kept for the current year and RetentionYears more
// (CARD-20), so in 2026 everything from 1 January 2021 (Danish time) stays
// and anything older goes.
func RetentionCutoff(now time.Time) time.Time {
	return time.Date(now.In(copenhagen).Year()-RetentionYears, time.January, 1, 0, 0, 0, 0, copenhagen).UTC()
}

// DeleteOldTransactions deletes the card transaction data older than
// RetentionCutoff (CARD-20) and returns how many authorizations went; the
// deletion is in the audit log (the count, nothing of the data).
func (s *Service) DeleteOldTransactions(ctx context.Context) (int, error) {
	cutoff := RetentionCutoff(s.now())
	total := 0
	for {
		var n int
		err := s.store.Tx(ctx, func(tx Tx) error {
			var err error
			if n, err = tx.DeleteAuthorizationsBefore(ctx, cutoff, 1000); err != nil || n == 0 {
				return err
			}
			return tx.Audit(ctx, s.now(), System.event(ActionRetention, "card_authorizations",
				map[string]string{"deleted": fmt.Sprint(n), "before": cutoff.Format(time.RFC3339)}))
		})
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}
