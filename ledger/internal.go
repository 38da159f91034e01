package ledger

import (
	"context"
	"fmt"
)

// InternalKinds are the kinds of the bank's own accounts, kept once per
// currency. They are unconstrained: a settlement account, for one, runs a
// negative balance as a matter of course.
var InternalKinds = []AccountKind{
	KindSettlement, KindFees, KindInterest, KindFXPosition, KindInterbankClearing,
	KindCardReceivables, KindCardSettlement, KindSuspense, KindEquity,
}

// InternalAccountID names the bank's internal account of a kind and currency,
// e.g. "bank:settlement:DKK".
func InternalAccountID(kind AccountKind, currency string) string {
	return fmt.Sprintf("bank:%s:%s", kind, currency)
}

var internalNames = map[AccountKind]string{
	KindSettlement:        "Afregningskonto",
	KindFees:              "Gebyrindtægter",
	KindInterest:          "Renter",
	KindFXPosition:        "Valutaposition",
	KindInterbankClearing: "Interbank clearing",
	KindCardReceivables:   "Korttilgodehavender",
	KindCardSettlement:    "Kortafregning",
	KindSuspense:          "Mellemregning",
	KindEquity:            "Egenkapital",
}

// EnsureInternalAccounts creates the bank's internal accounts for each
// currency (idempotent).
func (s *Service) EnsureInternalAccounts(ctx context.Context, currencies ...string) error {
	for _, cur := range currencies {
		for _, k := range InternalKinds {
			_, err := s.CreateAccount(ctx, NewAccount{
				ID: InternalAccountID(k, cur), Name: internalNames[k] + " " + cur, Kind: k, Currency: cur, Unconstrained: true,
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
