package ledger

import (
	"context"
	"fmt"
	"sort"
)

// Violation is one broken ledger invariant.
type Violation struct {
	AccountID string // empty for ledger-wide violations
	Problem   string
}

// String renders the violation for a report.
func (v Violation) String() string {
	if v.AccountID == "" {
		return v.Problem
	}
	return v.AccountID + ": " + v.Problem
}

// Report is the outcome of Check.
type Report struct {
	Accounts   int
	Violations []Violation
}

// OK reports whether every invariant holds.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Check verifies the ledger's invariants against the database:
//   - per currency, total debits equal total credits (posted and pending);
//   - every cached balance equals the sum of the transfers and open holds
//     behind it;
//   - entries are numbered 1..n without gaps, their running balances add up
//     and the last one equals the posted balance;
//   - no constrained account is past its overdraft limit;
//   - every transfer and entry names accounts (and transfers) that exist.
func (s *Service) Check(ctx context.Context) (Report, error) {
	audit, err := s.store.Audit(ctx)
	if err != nil {
		return Report{}, err
	}
	return CheckAudit(audit), nil
}

// CheckAudit applies the invariants to an audit (exported for tests of
// the checker itself).
func CheckAudit(audit Audit) Report {
	audits := audit.Accounts
	rep := Report{Accounts: len(audits)}
	add := func(id, format string, args ...any) {
		rep.Violations = append(rep.Violations, Violation{AccountID: id, Problem: fmt.Sprintf(format, args...)})
	}
	type sums struct{ dPosted, cPosted, dPending, cPending int64 }
	byCurrency := map[string]*sums{}
	for _, a := range audits {
		s := byCurrency[a.Currency]
		if s == nil {
			s = &sums{}
			byCurrency[a.Currency] = s
		}
		s.dPosted += a.DebitsPosted
		s.cPosted += a.CreditsPosted
		s.dPending += a.DebitsPending
		s.cPending += a.CreditsPending
		if a.DebitsPosted != a.TransferDebits {
			add(a.ID, "debits posted %d but posted transfers debit %d", a.DebitsPosted, a.TransferDebits)
		}
		if a.CreditsPosted != a.TransferCredits {
			add(a.ID, "credits posted %d but posted transfers credit %d", a.CreditsPosted, a.TransferCredits)
		}
		if a.DebitsPending != a.HoldDebits {
			add(a.ID, "debits pending %d but open holds debit %d", a.DebitsPending, a.HoldDebits)
		}
		if a.CreditsPending != a.HoldCredits {
			add(a.ID, "credits pending %d but open holds credit %d", a.CreditsPending, a.HoldCredits)
		}
		if a.EntryCount != a.EntrySeq || a.EntryMaxSeq != a.EntrySeq {
			add(a.ID, "entry sequence %d but %d entries numbered up to %d", a.EntrySeq, a.EntryCount, a.EntryMaxSeq)
		}
		if a.EntrySum != a.Posted() {
			add(a.ID, "entries sum to %d but posted balance is %d", a.EntrySum, a.Posted())
		}
		if a.EntryCount > 0 && a.LastBalance != a.Posted() {
			add(a.ID, "last entry balance %d but posted balance is %d", a.LastBalance, a.Posted())
		}
		if a.BadRunningBalance > 0 {
			add(a.ID, "%d entries with a running balance that does not add up", a.BadRunningBalance)
		}
		if !a.Unconstrained && a.Available() < 0 {
			add(a.ID, "past its limit: available %d (overdraft limit %d)", a.Available(), a.OverdraftLimit)
		}
	}
	if audit.OrphanTransfers > 0 {
		add("", "%d transfers name an account that does not exist", audit.OrphanTransfers)
	}
	if audit.OrphanEntries > 0 {
		add("", "%d entries name an account or transfer that does not exist", audit.OrphanEntries)
	}
	currencies := make([]string, 0, len(byCurrency))
	for c := range byCurrency {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	for _, c := range currencies {
		s := byCurrency[c]
		if s.dPosted != s.cPosted {
			add("", "%s: total debits posted %d != total credits posted %d", c, s.dPosted, s.cPosted)
		}
		if s.dPending != s.cPending {
			add("", "%s: total debits pending %d != total credits pending %d", c, s.dPending, s.cPending)
		}
	}
	return rep
}
