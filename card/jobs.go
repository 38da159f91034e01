package card

// The card jobs: renewal before expiry (CARD-13), expiry, annual fees
// (CARD-19), the end of terminated agreements (CARD-18), the deletion of
// old card transaction data (CARD-20) and the removal of Visa Secure's
// spent secrets and old SMS (data minimisation). Each is idempotent and
// safe to run on several instances: they work from what is due in the
// database.
//
// # What is kept, and for how long
//
// Card transaction data — card, amount, date and place — is kept for the
// current year and RetentionYears more (CARD-20), then deleted by
// DeleteOldTransactions: the authorizations with their decisions
// (card_authorizations), the Visa Secure authentications (card, amount,
// merchant and when the cardholder approved: the proof of strong customer
// authentication a dispute of an internet purchase needs, LIAB-5), the
// SMS outbox, and the disputes decided before the cutoff (an open dispute
// stays however old it is, as the bank's record of a claim).
//
// What is needed only for a short while goes sooner, by
// MinimizeVisaSecureData:
//
//   - the keyed hash of a one-time code and the hash of a CAVV, once the
//     authentication can no longer be completed or used
//     (VisaSecureSecretLifetime after it started);
//   - the one-time code in the text of a Visa Secure SMS, once the code
//     has expired (CodeValidity): the text keeps the merchant and the
//     amount, with the code replaced by RedactedCode;
//   - the SMS themselves — mobile number and text — after SMSRetention
//     (30 days): long enough for support to answer "I got no code" or
//     "what did the SMS say", while the authentication row keeps the facts
//     a dispute needs.
//
// The ledger's postings are not card data in this sense: they are the
// account's bookkeeping, kept under the bookkeeping rules, and the ledger
// never deletes; the audit log is append-only and hash-chained, and names
// card ids, never numbers.

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
	// JobVisaSecureRetention removes Visa Secure's spent secrets and old
	// SMS (MinimizeVisaSecureData).
	JobVisaSecureRetention = "card-visa-secure-retention"
)

// Retention of Visa Secure data (data minimisation; see the top of this
// file).
const (
	// VisaSecureSecretLifetime is how long after its start an
	// authentication's code hash and CAVV hash can still be used: the
	// code's validity and the CAVV's after it.
	VisaSecureSecretLifetime = CodeValidity + CAVVValidity
	// SMSRetention is how long the SMS outbox keeps a message.
	SMSRetention = 30 * 24 * time.Hour
	// retentionBatch bounds the rows one transaction of a retention job
	// changes.
	retentionBatch = 1000
)

// Jobs returns the scheduler jobs of cards, each once a day (Danish time):
// expiry at 00:10 (a card expires at midnight starting the month after its
// expiry month), terminations at 00:20, renewals at 02:10, annual fees at
// 02:40, the retention of card data at 04:10 and of Visa Secure's secrets
// and SMS at 04:20. Missed days are caught up within a week.
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
		job(JobVisaSecureRetention, 4, 20, s.MinimizeVisaSecureData),
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

// RetentionTx is what the retention jobs need of a transaction of the
// card store beyond Tx: the Visa Secure authentications, the SMS outbox
// and the disputes, which live in the same database. Each deletion or
// change takes at most limit rows, oldest first, and returns how many it
// took. Package store's card transactions implement it; a store whose
// transactions do not fails the retention jobs.
type RetentionTx interface {
	// DeleteAuthenticationsBefore deletes Visa Secure authentications
	// started before t.
	DeleteAuthenticationsBefore(ctx context.Context, t time.Time, limit int) (int, error)
	// ClearAuthenticationSecrets blanks the code hash and the CAVV hash of
	// authentications started before t that still have one.
	ClearAuthenticationSecrets(ctx context.Context, t time.Time, limit int) (int, error)
	// UnredactedSMS lists SMS of a purpose written before t whose text
	// was not redacted yet.
	UnredactedSMS(ctx context.Context, purpose string, t time.Time, limit int) ([]SMS, error)
	// RedactSMS replaces an SMS's text and records when.
	RedactSMS(ctx context.Context, id, text string, at time.Time) error
	// DeleteSMSBefore deletes SMS written before t.
	DeleteSMSBefore(ctx context.Context, t time.Time, limit int) (int, error)
	// DeleteDecidedDisputesBefore deletes decided disputes (founded or
	// unfounded) last changed before t.
	DeleteDecidedDisputesBefore(ctx context.Context, t time.Time, limit int) (int, error)
}

// retentionTx runs fn in a transaction of the card store as a RetentionTx.
func (s *Service) retentionTx(ctx context.Context, fn func(Tx, RetentionTx) error) error {
	return s.store.Tx(ctx, func(tx Tx) error {
		rtx, ok := tx.(RetentionTx)
		if !ok {
			return errors.New("card: the card store cannot delete old card data (its transactions do not implement card.RetentionTx)")
		}
		return fn(tx, rtx)
	})
}

// sweep runs step in batches of retentionBatch until a batch takes fewer
// rows, recording each batch that took any in the audit log (what, how
// many and the limit, nothing of the data), and returns the rows taken.
func (s *Service) sweep(ctx context.Context, what string, limit time.Time, step func(Tx, RetentionTx) (int, error)) (int, error) {
	total := 0
	for {
		var n int
		err := s.retentionTx(ctx, func(tx Tx, rtx RetentionTx) error {
			var err error
			if n, err = step(tx, rtx); err != nil || n == 0 {
				return err
			}
			return tx.Audit(ctx, s.now(), System.event(ActionRetention, what,
				map[string]string{"rows": fmt.Sprint(n), "before": limit.UTC().Format(time.RFC3339)}))
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < retentionBatch {
			return total, nil
		}
	}
}

// DeleteOldTransactions deletes the card data older than RetentionCutoff
// (CARD-20; see the top of this file): authorizations, Visa Secure
// authentications and SMS made before it, and disputes decided before it.
// It returns how many rows went; each deletion is in the audit log (the
// table and the count, nothing of the data).
func (s *Service) DeleteOldTransactions(ctx context.Context) (int, error) {
	cutoff := RetentionCutoff(s.now())
	total := 0
	for _, step := range []struct {
		what string
		del  func(Tx, RetentionTx) (int, error)
	}{
		{"card_authorizations", func(tx Tx, _ RetentionTx) (int, error) {
			return tx.DeleteAuthorizationsBefore(ctx, cutoff, retentionBatch)
		}},
		{"visa_secure_authentications", func(_ Tx, rtx RetentionTx) (int, error) {
			return rtx.DeleteAuthenticationsBefore(ctx, cutoff, retentionBatch)
		}},
		{"sms_outbox", func(_ Tx, rtx RetentionTx) (int, error) { return rtx.DeleteSMSBefore(ctx, cutoff, retentionBatch) }},
		{"card_disputes", func(_ Tx, rtx RetentionTx) (int, error) {
			return rtx.DeleteDecidedDisputesBefore(ctx, cutoff, retentionBatch)
		}},
	} {
		n, err := s.sweep(ctx, step.what, cutoff, step.del)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// MinimizeVisaSecureData removes what Visa Secure no longer needs (see the
// top of this file): the code and CAVV hashes of authentications started
// more than VisaSecureSecretLifetime ago, the codes in the texts of Visa
// Secure SMS whose code has expired, and SMS older than SMSRetention. It
// returns how many rows it changed or deleted; each step is in the audit
// log.
func (s *Service) MinimizeVisaSecureData(ctx context.Context) (int, error) {
	now := s.now()
	secrets, codes, old := now.Add(-VisaSecureSecretLifetime), now.Add(-CodeValidity), now.Add(-SMSRetention)
	total := 0
	for _, step := range []struct {
		what   string
		before time.Time
		run    func(Tx, RetentionTx) (int, error)
	}{
		{"visa_secure_authentications.secrets", secrets, func(_ Tx, rtx RetentionTx) (int, error) {
			return rtx.ClearAuthenticationSecrets(ctx, secrets, retentionBatch)
		}},
		{"sms_outbox.codes", codes, func(_ Tx, rtx RetentionTx) (int, error) { return redactCodes(ctx, rtx, codes, now) }},
		{"sms_outbox", old, func(_ Tx, rtx RetentionTx) (int, error) { return rtx.DeleteSMSBefore(ctx, old, retentionBatch) }},
	} {
		n, err := s.sweep(ctx, step.what, step.before, step.run)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// redactCodes removes the one-time codes from a batch of Visa Secure SMS
// written before t.
func redactCodes(ctx context.Context, rtx RetentionTx, t, now time.Time) (int, error) {
	list, err := rtx.UnredactedSMS(ctx, SMSPurposeVisaSecure, t, retentionBatch)
	if err != nil {
		return 0, err
	}
	for _, m := range list {
		if err := rtx.RedactSMS(ctx, m.ID, RedactSMSCode(m.Text), now); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}
