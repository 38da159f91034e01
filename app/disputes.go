package app

import "github.com/netbank/netbank/card"

// newDisputes starts the cardholders' disputes of card transactions
// (card/dispute.go, RULES DISP-1…DISP-4): over the card service, the
// authorization engine's stored decisions and the ledger. The interest on
// an unfounded dispute is card.DefaultDisputeInterestBP a year; the price
// list has no key for it.
func (a *App) newDisputes(cfg Config) error {
	var err error
	a.Disputes, err = card.NewDisputes(a.Cards, card.DisputeConfig{Clock: cfg.Clock, Store: a.DB.Disputes(),
		Authorizations: a.DB.CardAuthorizations(), Ledger: a.Ledger})
	return err
}
