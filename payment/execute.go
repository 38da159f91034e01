package payment

import (
	"context"
	"errors"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/scheduler"
)

// The bank's internal accounts a payment passes through.
var (
	clearingAccount   = ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK")
	settlementAccount = ledger.InternalAccountID(ledger.KindSettlement, "DKK")
	suspenseAccount   = ledger.InternalAccountID(ledger.KindSuspense, "DKK")
)

// Ledger transfer ids of a payment: derived from its id, so executing or
// settling it again finds the transfer already written and never pays twice.
func debitID(p Payment) string  { return p.ID + ":debit" }
func creditID(p Payment) string { return p.ID + ":credit" }
func settleID(p Payment) string { return p.ID + ":settle" }

// copenhagen is where clearing cycles keep time.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("payment: " + err.Error()) // calendar embeds the zone database
	}
	return loc
}()

// Cycle is a clearing cycle's time of day in Copenhagen.
type Cycle struct{ Hour, Minute int }

// IntradayCycles are the times of the intraday clearing on every bank day
// (Copenhagen time). The night's sum clearing settles with the first one.
var IntradayCycles = []Cycle{{1, 30}, {9, 0}, {12, 0}, {14, 0}}

// CycleKey names the cycle that runs at at: its Copenhagen time
// "2006-01-02T15:04", the same key the scheduler's run of it has.
func CycleKey(at time.Time) string { return at.In(copenhagen).Format("2006-01-02T15:04") }

// NextIntradayCycle returns when the first intraday cycle strictly after t
// runs: 01:30, 09:00, 12:00 or 14:00 on a bank day (RULE CAL-1).
func NextIntradayCycle(t time.Time) time.Time {
	d := calendar.Day(t)
	for {
		if calendar.IsBankDay(d) {
			for _, c := range IntradayCycles {
				if at := time.Date(d.Year(), d.Month(), d.Day(), c.Hour, c.Minute, 0, 0, copenhagen); at.After(t) {
					return at
				}
			}
		}
		d = d.AddDate(0, 0, 1)
	}
}

// SumClearingCycle returns when a payment debited at t settles in the sum
// clearing: with the first cycle (01:30) of the next bank day after t's
// date in Denmark.
func SumClearingCycle(t time.Time) time.Time {
	d := calendar.NextBankDay(calendar.Day(t))
	c := IntradayCycles[0]
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour, c.Minute, 0, 0, copenhagen)
}

// statementTexts are the texts on the payer's and the payee's statements.
func statementTexts(p Payment) (self, recipient string) {
	self = p.TextToSelf
	if self == "" {
		switch {
		case p.Kind == SlipPayment:
			self = "Indbetalingskort +" + p.Slip.Type
			if p.Slip.Creditor != "" {
				self += " " + p.Slip.Creditor
			}
		case p.ToName != "":
			self = p.ToName
		default:
			self = "Overførsel til " + p.ToReg + " " + p.ToAccount
		}
	}
	recipient = p.TextToRecipient
	if recipient == "" {
		recipient = "Overførsel"
	}
	return self, recipient
}

// outcome is what the ledger made of an execution.
type outcome struct {
	status     Status
	reason     string
	executedAt time.Time
	settledAt  time.Time
	clearing   Clearing
	cycle      string
	clearingAt time.Time
	// message is the outbound message of a foreign transfer, kept with
	// the outcome.
	message *OutboundMessage
}

// move writes the payment's ledger transaction. A refusal by a balance or
// account rule becomes a rejection (nothing was written); any other error
// is returned and the execution is retried later.
func (s *Service) move(ctx context.Context, p Payment) (outcome, error) {
	if reason, err := s.stillPossible(ctx, p); err != nil || reason != "" {
		return outcome{status: Rejected, reason: reason}, err
	}
	self, recipient := statementTexts(p)
	debit := ledger.TransferRequest{ID: debitID(p), DebitAccountID: p.FromAccount, Amount: p.Amount, Code: "payment", Text: self}
	var out outcome
	var err error
	switch {
	case p.Kind == Foreign:
		out, err = s.moveForeign(ctx, p)
	case p.Kind == Own || p.Kind == Internal:
		// Two legs through the suspense account, so each side's statement
		// shows its own text (and the payer's text stays private).
		debit.CreditAccountID = suspenseAccount
		var ts []ledger.Transfer
		ts, err = s.ledger.TransferLinked(ctx, []ledger.TransferRequest{debit,
			{ID: creditID(p), DebitAccountID: suspenseAccount, CreditAccountID: p.ToAccountID, Amount: p.Amount, Code: "payment", Text: recipient}})
		if err == nil {
			out = outcome{status: Settled, executedAt: ts[0].CreatedAt, settledAt: ts[0].CreatedAt}
		}
	case p.Instant:
		debit.CreditAccountID = clearingAccount
		var ts []ledger.Transfer
		ts, err = s.ledger.TransferLinked(ctx, []ledger.TransferRequest{debit,
			{ID: settleID(p), DebitAccountID: clearingAccount, CreditAccountID: settlementAccount, Amount: p.Amount, Code: "clearing", Text: "Straksclearing " + p.ID}})
		if err == nil {
			out = outcome{status: Settled, executedAt: ts[0].CreatedAt, settledAt: ts[0].CreatedAt, clearing: InstantClearing,
				cycle: "instant", clearingAt: ts[0].CreatedAt}
		}
	default:
		debit.CreditAccountID = clearingAccount
		debit.Code = ledgerCode(p.Kind)
		var t ledger.Transfer
		t, err = s.ledger.Transfer(ctx, debit)
		if err == nil {
			// The cycle follows from when the money left the account: the
			// original transfer's time, also on a re-run.
			out = outcome{status: InClearing, executedAt: t.CreatedAt, clearing: IntradayClearing, clearingAt: NextIntradayCycle(t.CreatedAt)}
			if sumCleared(p.Kind) {
				out.clearing, out.clearingAt = SumClearing, SumClearingCycle(t.CreatedAt)
			}
			out.cycle = CycleKey(out.clearingAt)
		}
	}
	switch netbank.ErrorCodeOf(err) {
	case "":
		return out, nil
	case netbank.EINSUFFICIENT:
		return outcome{status: Rejected, reason: "Der var ikke dækning på kontoen, da betalingen skulle gennemføres den " +
			danishDate(calendar.Day(s.now())) + "."}, nil
	case netbank.EINVALID:
		return outcome{status: Rejected, reason: "Betalingen kunne ikke gennemføres."}, nil
	}
	return outcome{}, err
}

// stillPossible checks, before the first attempt writes anything, that
// the accounts are still open; it returns a reason to reject the payment
// ("" if it may go ahead).
func (s *Service) stillPossible(ctx context.Context, p Payment) (string, error) {
	if _, err := s.ledger.GetTransfer(ctx, debitID(p)); err == nil {
		return "", nil // an earlier attempt already moved the money
	} else if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
		return "", err
	}
	from, err := s.accounts.Get(ctx, p.CustomerID, p.FromAccount)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || err == nil && !from.ClosedAt.IsZero() {
		return "Kontoen, der skulle betales fra, er lukket.", nil
	}
	if err != nil {
		return "", err
	}
	if p.ToAccountID != "" {
		to, err := s.accounts.Lookup(ctx, p.ToReg, p.ToAccount)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || err == nil && (!to.ClosedAt.IsZero() || to.ID != p.ToAccountID) {
			return "Modtagerens konto findes ikke længere.", nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", nil
}

func (s *Service) executeIfDue(ctx context.Context, p Payment) (Payment, error) {
	if p.Status != Scheduled || p.ExecutionDate.After(calendar.Day(s.now())) {
		return p, nil
	}
	q, err := s.execute(ctx, p.ID)
	if errors.As(err, new(retryLater)) {
		return q, nil // stays executing; the due job takes it up again
	}
	return q, err
}

// execute runs one payment if it is due: it takes the payment's lease
// (scheduled and due, or executing with a lapsed lease), writes the ledger
// transaction and records the outcome. It returns the payment as it then
// stands; if someone else holds it, as it is.
func (s *Service) execute(ctx context.Context, id string) (Payment, error) {
	owner := newID("lease")
	var p Payment
	claimed := false
	err := s.store.Tx(ctx, func(tx Tx) error {
		claimed = false
		var err error
		if p, err = tx.ByID(ctx, id, true); err != nil {
			return err
		}
		now := s.now()
		switch {
		case p.Status == Scheduled && !p.ExecutionDate.After(calendar.Day(now)):
		case p.Status == Executing && p.LeaseUntil.Before(now):
		default:
			return nil
		}
		p.Status, p.LeaseOwner, p.LeaseUntil = Executing, owner, now.Add(s.cfg.Lease)
		claimed = true
		return tx.Update(ctx, p)
	})
	if err != nil || !claimed {
		return p, err
	}
	out, err := s.move(ctx, p)
	if err != nil {
		return p, err // stays executing; taken over when the lease lapses
	}
	finished := false
	err = s.store.Tx(ctx, func(tx Tx) error {
		finished = false
		cur, err := tx.ByID(ctx, id, true)
		if err != nil {
			return err
		}
		if cur.Status != Executing || cur.LeaseOwner != owner {
			p = cur // another execution took over; it records the outcome
			return nil
		}
		cur.Status, cur.FailureReason = out.status, out.reason
		cur.ExecutedAt, cur.SettledAt = out.executedAt, out.settledAt
		cur.Clearing, cur.ClearingCycle, cur.ClearingAt = out.clearing, out.cycle, out.clearingAt
		cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
		p, finished = cur, true
		if out.message != nil {
			if err := tx.InsertOutbound(ctx, *out.message); err != nil {
				return err
			}
		}
		return tx.Update(ctx, cur)
	})
	if err != nil {
		return p, err
	}
	if finished && p.Status == Rejected && s.cfg.Notify != nil {
		s.cfg.Notify(ctx, p)
	}
	return p, nil
}

// ExecuteDue executes every payment due now: scheduled ones whose execution
// date has come, and executions whose lease lapsed (a crashed instance). It
// also cancels unsigned payments older than the draft TTL. It returns the
// payments it finished (settled, in clearing or rejected — tell the
// customer of rejections). Safe to run from several instances at once and
// to run again after a crash.
func (s *Service) ExecuteDue(ctx context.Context) ([]Payment, error) {
	now := s.now()
	if err := s.store.Tx(ctx, func(tx Tx) error {
		_, err := tx.ExpireDrafts(ctx, now.Add(-s.cfg.DraftTTL), now, "Betalingen blev ikke underskrevet.")
		return err
	}); err != nil {
		return nil, err
	}
	const page = 100
	var done []Payment
	var errs []error
	seen := map[string]bool{}
	for {
		var ids []string
		err := s.store.Tx(ctx, func(tx Tx) error {
			var err error
			ids, err = tx.Due(ctx, calendar.Day(s.now()), s.now(), page)
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
			p, err := s.execute(ctx, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if p.Status == Settled || p.Status == InClearing || p.Status == Rejected {
				done = append(done, p)
			}
		}
		if !progressed || len(ids) < page {
			return done, errors.Join(errs...)
		}
	}
}

// clearingBatch is how many payments one linked ledger batch settles.
const clearingBatch = 200

// RunClearing runs the clearing cycle due at due: every payment in
// clearing whose cycle runs at or before due (so a cycle missed while the
// bank was down is caught up) moves from the interbank clearing account to
// the settlement account in linked ledger batches and is marked settled.
// It returns how many it settled. Running it again is harmless.
func (s *Service) RunClearing(ctx context.Context, due time.Time) (int, error) {
	total := 0
	for {
		var batch []Payment
		err := s.store.Tx(ctx, func(tx Tx) error {
			var err error
			batch, err = tx.InClearing(ctx, due, clearingBatch)
			return err
		})
		if err != nil || len(batch) == 0 {
			return total, err
		}
		reqs := make([]ledger.TransferRequest, len(batch))
		for i, p := range batch {
			reqs[i] = ledger.TransferRequest{ID: settleID(p), DebitAccountID: clearingAccount, CreditAccountID: settlementAccount,
				Amount: p.Amount, Code: "clearing", Text: "Clearing " + p.ClearingCycle}
		}
		ts, err := s.ledger.TransferLinked(ctx, reqs)
		if err != nil {
			return total, err
		}
		err = s.store.Tx(ctx, func(tx Tx) error {
			for i, p := range batch {
				cur, err := tx.ByID(ctx, p.ID, true)
				if err != nil {
					return err
				}
				if cur.Status != InClearing {
					continue
				}
				cur.Status, cur.SettledAt = Settled, ts[i].CreatedAt
				if err := tx.Update(ctx, cur); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(batch)
		if len(batch) < clearingBatch {
			return total, nil
		}
	}
}

// Job names.
const (
	JobDue      = "payments-due"
	JobClearing = "clearing"
)

// Jobs returns the scheduler jobs of payments:
//   - "payments-due", every hour at :05 (every day: payments inside the
//     bank and instant payments run on any day), executes what is due;
//   - "clearing", the intraday cycles 01:30, 09:00, 12:00 and 14:00 of
//     every bank day (the 01:30 run also settles the night's sum
//     clearing); a week of missed cycles is caught up after downtime.
func (s *Service) Jobs() []scheduler.Job {
	return []scheduler.Job{{
		Name: JobDue, Plan: Hourly(5), Lookback: 2 * time.Hour,
		Run: func(ctx context.Context, key string, due time.Time) error {
			_, err := s.ExecuteDue(ctx)
			return err
		},
	}, {
		Name: JobClearing, Lookback: 7 * 24 * time.Hour, Plan: PlanCycles,
		Run: func(ctx context.Context, key string, due time.Time) error {
			_, err := s.RunClearing(ctx, due)
			return err
		},
	}}
}

// RegisterJobs adds the payment jobs (see Jobs) to a scheduler.
func (s *Service) RegisterJobs(sch *scheduler.Scheduler) {
	for _, j := range s.Jobs() {
		sch.Register(j)
	}
}

// PlanCycles plans the clearing cycles (IntradayCycles) of every bank day
// in (from, to], keyed by CycleKey. (It does not use scheduler.Daily, which
// misses runs between Copenhagen midnight and UTC midnight, such as 01:30,
// when the window it is given lies wholly in those hours.)
func PlanCycles(from, to time.Time) []scheduler.Planned {
	var out []scheduler.Planned
	for d := calendar.Day(from); !d.After(calendar.Day(to)); d = d.AddDate(0, 0, 1) {
		if !calendar.IsBankDay(d) {
			continue
		}
		for _, c := range IntradayCycles {
			at := time.Date(d.Year(), d.Month(), d.Day(), c.Hour, c.Minute, 0, 0, copenhagen)
			if at.After(from) && !at.After(to) {
				out = append(out, scheduler.Planned{Key: CycleKey(at), DueAt: at})
			}
		}
	}
	return out
}

// Hourly plans one run every hour at the given minute (UTC hours, so
// daylight saving time neither skips nor doubles a run), keyed
// "2006-01-02T15:04Z".
func Hourly(minute int) func(from, to time.Time) []scheduler.Planned {
	return func(from, to time.Time) []scheduler.Planned {
		var out []scheduler.Planned
		for t := from.UTC().Truncate(time.Hour).Add(time.Duration(minute) * time.Minute); !t.After(to); t = t.Add(time.Hour) {
			if t.After(from) {
				out = append(out, scheduler.Planned{Key: t.Format("2006-01-02T15:04Z"), DueAt: t})
			}
		}
		return out
	}
}
