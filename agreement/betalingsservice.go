package agreement

// Betalingsservice collections (RULES PAY-8, PAY-3, CAL-1).
//
// A collection moves
//
//	announced → collecting → paid
//	          ↘ rejected     ↘ failed      (not covered, account closed: nothing debited)
//	          ↘ cancelled    (the agreement was cancelled)
//	          ↘ withdrawn    (the creditor took it back)
//
// "collecting" means the job has started to pay it: the payment (client id
// "bs-<collection id>") is made, or about to be; a run taken over after a
// crash resumes there and payment.Collect returns the same payment, so a
// collection is paid once however often the job runs.

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/payment"
)

// CollectionStatus is where a collection stands.
type CollectionStatus string

// The states of a collection.
const (
	// Announced: waiting for its due date; the customer may reject it until
	// RejectDeadline.
	Announced CollectionStatus = "announced"
	// Collecting: the job is paying it (PaymentID names the payment once made).
	Collecting CollectionStatus = "collecting"
	// Paid: debited on the due date and sent to the creditor's bank.
	Paid CollectionStatus = "paid"
	// Failed: the payment was rejected (not covered, account closed);
	// nothing was debited and the customer was told.
	Failed CollectionStatus = "failed"
	// Rejected by the customer before the deadline (afvist).
	Rejected CollectionStatus = "rejected"
	// CollectionCancelled: the agreement was cancelled before the due date.
	CollectionCancelled CollectionStatus = "cancelled"
	// Withdrawn by the creditor before it was paid.
	Withdrawn CollectionStatus = "withdrawn"
)

// Danish names the status for pages.
func (s CollectionStatus) Danish() string {
	switch s {
	case Announced:
		return "Kommende"
	case Collecting:
		return "Gennemføres"
	case Paid:
		return "Betalt"
	case Failed:
		return "Ikke betalt"
	case Rejected:
		return "Afvist"
	case CollectionCancelled:
		return "Annulleret"
	case Withdrawn:
		return "Tilbagekaldt af kreditor"
	}
	return string(s)
}

// Collection is one Betalingsservice collection (betaling) a creditor
// announced under an agreement.
type Collection struct {
	ID          string // "col_…"
	AgreementID string
	CustomerID  string
	// The agreement's creditor, numbers and account when announced.
	CreditorNumber string
	DebtorGroup    string
	CustomerNumber string
	CreditorName   string
	AccountID      string
	// Reference is the creditor's reference, unique per creditor (the
	// idempotency key of Announce); RequestHash fingerprints the content.
	Reference   string
	RequestHash string
	Amount      int64 // øre
	Currency    string
	Text        string
	// RequestedDueDate is the due date the creditor sent; DueDate the bank
	// day it is paid on (the next bank day if the requested date is not
	// one, RULE CAL-1). Civil dates at midnight UTC.
	RequestedDueDate time.Time
	DueDate          time.Time
	Status           CollectionStatus
	// PaymentID is the payment (payment.Payment) that paid it, once made.
	PaymentID string
	// Reason says why it was not paid (failed, cancelled, rejected).
	Reason      string
	AnnouncedAt time.Time
	RejectedAt  time.Time
	RejectedBy  string
	// FinishedAt is when it reached a final state.
	FinishedAt time.Time
}

// Money returns the amount with its currency.
func (c Collection) Money() netbank.Money { return netbank.NewMoney(c.Amount, c.Currency) }

// RejectDeadline is the moment a collection due on due can no longer be
// rejected: the end of the bank day before the due date, Copenhagen time
// (RULE CAL-1). Due Monday 18 May 2026 → until Friday 15 May 23:59:59 would
// be the rule, but that Friday is the one after Ascension Day, so the last
// day is Wednesday 13 May and the deadline is Thursday 14 May 00:00.
func RejectDeadline(due time.Time) time.Time {
	d := LastRejectDay(due).AddDate(0, 0, 1)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, copenhagen)
}

// LastRejectDay is the last date (a bank day) a collection due on due can
// be rejected on.
func LastRejectDay(due time.Time) time.Time { return calendar.PreviousBankDay(due) }

// Rejectable reports whether the customer can still reject the collection
// at now.
func (c Collection) Rejectable(now time.Time) bool {
	return c.Status == Announced && now.Before(RejectDeadline(c.DueDate))
}

// copenhagen is where the bank day ends.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("agreement: " + err.Error()) // calendar embeds the zone database
	}
	return loc
}()

// Announcement is a collection as a creditor sends it (through the API).
type Announcement struct {
	// CreditorNumber is the PBS number of the creditor who sends it, as
	// the API authenticated it.
	CreditorNumber string
	// DebtorGroup and CustomerNumber name the agreement, with
	// CreditorNumber.
	DebtorGroup    string
	CustomerNumber string
	Amount         int64 // øre, > 0
	// DueDate is the date to pay; a date that is not a bank day moves to
	// the next bank day.
	DueDate time.Time
	// Text tells the customer what is paid ("Elregning maj 2026"), at most
	// MaxText characters.
	Text string
	// CreditorReference is the creditor's reference of the collection:
	// announcing the same reference again is a retry (1–64 of A–Z a–z 0–9
	// . _ : -).
	CreditorReference string
}

// Announce records a collection a creditor announces under a customer's
// active Betalingsservice agreement (RULE PAY-8). The due date, moved to a
// bank day if it is not one (CAL-1), must be a future bank day no further
// ahead than the configured limit, and the customer must still be able to
// reject it: the announcement must come before RejectDeadline of the due
// date. No active agreement for the creditor, debtor group and customer
// number is ENOTFOUND ("Ingen aftale …"). Announcing the same reference
// again with the same content returns the collection as it now stands
// (also once its date has passed); with other content it is ECONFLICT.
// Other refusals are EINVALID.
func (s *Service) Announce(ctx context.Context, an Announcement) (Collection, error) {
	c := Collection{Currency: "DKK", Status: Announced}
	var err error
	if c.CreditorNumber, err = normalizePBS(an.CreditorNumber); err != nil {
		return Collection{}, err
	}
	if c.DebtorGroup, err = normalizeDebtorGroup(an.DebtorGroup); err != nil {
		return Collection{}, err
	}
	if c.CustomerNumber, err = normalizeCustomerNumber(an.CustomerNumber); err != nil {
		return Collection{}, err
	}
	if err := validKey("Kreditors reference", an.CreditorReference); err != nil {
		return Collection{}, err
	}
	c.Reference = an.CreditorReference
	if an.Amount <= 0 || an.Amount > payment.MaxAmount {
		return Collection{}, invalid("Beløbet skal være mellem 0,01 kr. og %s.", kroner(payment.MaxAmount))
	}
	c.Amount = an.Amount
	if c.Text, err = checkText("Teksten", an.Text, MaxText); err != nil {
		return Collection{}, err
	}
	if an.DueDate.IsZero() {
		return Collection{}, invalid("Forfaldsdatoen mangler.")
	}
	now := s.now()
	today := calendar.Day(now)
	c.RequestedDueDate = civil(an.DueDate)
	c.DueDate = calendar.OnOrAfter(c.RequestedDueDate)
	// The date rules depend on today, so they apply to a new announcement
	// only: a retry of one accepted earlier returns it, also later.
	var dateErr error
	switch {
	case !c.DueDate.After(today):
		dateErr = invalid("Forfaldsdatoen %s er ikke en fremtidig bankdag.", danishDate(c.RequestedDueDate))
	case c.DueDate.After(today.AddDate(0, 0, s.cfg.MaxDaysAhead)):
		dateErr = invalid("Forfaldsdatoen må højst ligge %d dage frem.", s.cfg.MaxDaysAhead)
	case !now.Before(RejectDeadline(c.DueDate)):
		dateErr = invalid("Betalingen er meddelt for sent: kunden skal kunne afvise den til og med bankdagen før forfaldsdagen (%s).",
			danishDate(LastRejectDay(c.DueDate)))
	}
	c.RequestHash = hash(c.DebtorGroup, c.CustomerNumber, strconv.FormatInt(c.Amount, 10), c.RequestedDueDate.Format(time.DateOnly), c.Text)

	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.CollectionByReference(ctx, c.CreditorNumber, c.Reference, true)
		if err == nil {
			if old.RequestHash != c.RequestHash {
				return netbank.Errorf(netbank.ECONFLICT, "Referencen %s er allerede brugt til en anden betaling.", c.Reference)
			}
			c = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		if dateErr != nil {
			return dateErr
		}
		a, err := tx.ActiveAgreement(ctx, Betalingsservice, c.CreditorNumber, c.DebtorGroup, c.CustomerNumber)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return netbank.Errorf(netbank.ENOTFOUND, "Ingen aftale om Betalingsservice med kundenummer %s i debitorgruppe %s.",
				c.CustomerNumber, c.DebtorGroup)
		}
		if err != nil {
			return err
		}
		c.ID, c.AgreementID, c.CustomerID = newID("col"), a.ID, a.CustomerID
		c.CreditorName, c.AccountID, c.AnnouncedAt = a.CreditorName, a.AccountID, now
		return tx.InsertCollection(ctx, c)
	})
	if err != nil {
		return Collection{}, err
	}
	return c, nil
}

// Withdraw takes back a collection the creditor announced (creditor is the
// authenticated PBS number), as long as it is not being paid. Withdrawing
// a withdrawn collection returns it; one already paid, rejected or being
// paid is ECONFLICT.
func (s *Service) Withdraw(ctx context.Context, creditor, reference string) (Collection, error) {
	creditor, err := normalizePBS(creditor)
	if err != nil {
		return Collection{}, err
	}
	var c Collection
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.CollectionByReference(ctx, creditor, reference, true); err != nil {
			return err
		}
		switch c.Status {
		case Withdrawn:
			return nil
		case Announced:
		default:
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen kan ikke tilbagekaldes (den er %s).", c.Status.Danish())
		}
		c.Status, c.FinishedAt, c.Reason = Withdrawn, s.now(), "Tilbagekaldt af kreditor."
		return tx.UpdateCollection(ctx, c)
	})
	return c, notFound(err, collectionNotFound)
}

// CreditorCollection returns a collection by the creditor's reference, for
// the creditor (creditor is the authenticated PBS number) to follow it.
func (s *Service) CreditorCollection(ctx context.Context, creditor, reference string) (Collection, error) {
	creditor, err := normalizePBS(creditor)
	if err != nil {
		return Collection{}, err
	}
	var c Collection
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.CollectionByReference(ctx, creditor, reference, false)
		return err
	})
	return c, notFound(err, collectionNotFound)
}

// Upcoming lists the customer's collections not yet paid, soonest first:
// announced ones (under "Kommende betalinger", PAY-3) and ones being paid.
func (s *Service) Upcoming(ctx context.Context, customerID string) ([]Collection, error) {
	list, err := s.store.Collections(ctx, customerID, []CollectionStatus{Announced, Collecting})
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, c := range list {
		if c.Status == Collecting && c.PaymentID != "" {
			// The payment may have finished since: bring the collection up to date.
			p, err := s.payments.Get(ctx, c.CustomerID, c.PaymentID)
			if err != nil {
				return nil, err
			}
			if c, err = s.record(ctx, c.ID, p); err != nil {
				return nil, err
			}
			if c.Status != Collecting {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Collection returns one of the customer's collections.
func (s *Service) Collection(ctx context.Context, customerID, id string) (Collection, error) {
	var c Collection
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Collection(ctx, customerID, id, false)
		return err
	})
	return c, notFound(err, collectionNotFound)
}

// RejectCollection is the customer's rejection (afvisning) of an announced
// collection: allowed until RejectDeadline, the end of the bank day before
// the due date (Copenhagen time); after that it is EINVALID with a Danish
// message. Rejecting a rejected collection returns it.
func (s *Service) RejectCollection(ctx context.Context, customerID, id, by string) (Collection, error) {
	var c Collection
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Collection(ctx, customerID, id, true); err != nil {
			return err
		}
		switch c.Status {
		case Rejected:
			return nil
		case Announced:
		default:
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen kan ikke afvises (den er %s).", c.Status.Danish())
		}
		now := s.now()
		if !c.Rejectable(now) {
			return invalid("Fristen for at afvise betalingen udløb ved udgangen af %s. Kontakt kreditoren.", danishDate(LastRejectDay(c.DueDate)))
		}
		c.Status, c.RejectedAt, c.RejectedBy, c.FinishedAt, c.Reason = Rejected, now, by, now, "Afvist af dig."
		return tx.UpdateCollection(ctx, c)
	})
	return c, notFound(err, collectionNotFound)
}

// clientID is the payment client id of a collection: one payment per
// collection, however often it is collected.
func clientID(c Collection) string { return "bs-" + c.ID }

// RunDue pays every collection due on or before day (a Copenhagen date):
// announced ones are marked collecting and paid through payment.Collect;
// ones left collecting by a crashed run are resumed; ones whose agreement
// has been cancelled are cancelled. It also cancels sign-ups that waited
// longer than the draft TTL for their signature. It returns how many
// collections it finished (paid, failed or cancelled); payments that are
// rejected reach the customer through payment's Notify. Safe to run from
// several instances at once and to run again: a collection is paid once.
func (s *Service) RunDue(ctx context.Context, day time.Time) (int, error) {
	now := s.now()
	if err := s.store.Tx(ctx, func(tx Tx) error {
		_, err := tx.ExpireDrafts(ctx, now.Add(-s.cfg.DraftTTL), now)
		return err
	}); err != nil {
		return 0, err
	}
	if today := calendar.Day(now); day.After(today) {
		day = today // never before the due date
	}
	const page = 100
	done := 0
	var errs []error
	seen := map[string]bool{}
	for {
		var ids []string
		err := s.store.Tx(ctx, func(tx Tx) error {
			var err error
			ids, err = tx.DueCollections(ctx, day, page)
			return err
		})
		if err != nil {
			return done, err
		}
		progressed := false
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id], progressed = true, true
			c, err := s.collect(ctx, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if c.Status != Collecting {
				done++
			}
		}
		if !progressed || len(ids) < page {
			return done, errors.Join(errs...)
		}
	}
}

// collect pays one due collection (see RunDue) and returns it as it then
// stands.
func (s *Service) collect(ctx context.Context, id string) (Collection, error) {
	var c Collection
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.CollectionByID(ctx, id, true); err != nil {
			return err
		}
		if c.Status != Announced {
			return nil // collecting: resume; anything else is final
		}
		a, err := tx.AgreementByID(ctx, c.AgreementID, false)
		if err != nil {
			return err
		}
		if a.Status != Active {
			c.Status, c.Reason, c.FinishedAt = CollectionCancelled, reasonAgreementCancelled, s.now()
			return tx.UpdateCollection(ctx, c)
		}
		c.Status = Collecting
		return tx.UpdateCollection(ctx, c)
	})
	if err != nil || c.Status != Collecting {
		return c, err
	}
	p, err := s.payments.Collect(ctx, payment.CollectionRequest{CustomerID: c.CustomerID, FromAccount: c.AccountID,
		CreditorNumber: c.CreditorNumber, CreditorName: c.CreditorName, Amount: c.Amount, Text: "BS " + c.CreditorName,
		Reference: clientID(c), Date: c.DueDate})
	if code := netbank.ErrorCodeOf(err); code == netbank.EINVALID || code == netbank.ECONFLICT {
		// The payment cannot be made at all (the agreement's account is no
		// longer the customer's, …): final, nothing was debited.
		return s.fail(ctx, c.ID, "Betalingen kunne ikke gennemføres: "+netbank.ErrorMessageOf(err))
	}
	if err != nil {
		return c, err // stays collecting; the next run resumes it
	}
	return s.record(ctx, c.ID, p)
}

// record brings a collection being paid up to date with its payment.
func (s *Service) record(ctx context.Context, id string, p payment.Payment) (Collection, error) {
	var c Collection
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.CollectionByID(ctx, id, true); err != nil {
			return err
		}
		if c.Status != Collecting {
			return nil
		}
		c.PaymentID = p.ID
		now := s.now()
		switch p.Status {
		case payment.Settled, payment.InClearing:
			c.Status, c.FinishedAt = Paid, now
		case payment.Rejected:
			c.Status, c.Reason, c.FinishedAt = Failed, p.FailureReason, now
		case payment.Cancelled:
			// The customer deleted the payment in the moment it waited.
			c.Status, c.Reason, c.FinishedAt, c.RejectedAt, c.RejectedBy = Rejected, "Afvist af dig.", now, p.CancelledAt, p.CancelledBy
		}
		return tx.UpdateCollection(ctx, c)
	})
	return c, err
}

// fail marks a collection being paid as failed with reason.
func (s *Service) fail(ctx context.Context, id, reason string) (Collection, error) {
	var c Collection
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.CollectionByID(ctx, id, true); err != nil {
			return err
		}
		if c.Status != Collecting {
			return nil
		}
		c.Status, c.Reason, c.FinishedAt = Failed, reason, s.now()
		return tx.UpdateCollection(ctx, c)
	})
	return c, err
}
