package inbox

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// Publish puts a contract before a customer (staff). Until it is approved,
// the customer's net bank shows only the contract overview (CONTR-1).
func (s *Service) Publish(ctx context.Context, customerID, title, body string, kind ContractKind, by Actor) (Contract, error) {
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	if title == "" || utf8.RuneCountInString(title) > MaxSubject {
		return Contract{}, netbank.Errorf(netbank.EINVALID, "Titlen skal være mellem 1 og %d tegn.", MaxSubject)
	}
	if body == "" || len(body) > 60000 {
		return Contract{}, netbank.Errorf(netbank.EINVALID, "Kontraktteksten mangler eller er for lang.")
	}
	switch kind {
	case Distance, Credit, Pension, CapitalMarket:
	default:
		return Contract{}, netbank.Errorf(netbank.EINVALID, "Ukendt kontrakttype %q.", kind)
	}
	now := s.now()
	c := Contract{ID: newID("ctr"), CustomerID: customerID, Title: title, Body: body, Kind: kind, Status: Pending,
		PublishedBy: by.ID, PublishedAt: now, InformedAt: now}
	err := s.store.Tx(ctx, func(tx Tx) error {
		if err := tx.InsertContract(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("contract.published", customerID, map[string]string{"contract": c.ID, "kind": string(kind)}))
	})
	return c, err
}

// Contracts lists the customer's contracts, pending first.
func (s *Service) Contracts(ctx context.Context, customerID string) ([]Contract, error) {
	var out []Contract
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Contracts(ctx, customerID)
		return err
	})
	return out, err
}

// Contract returns one of the customer's contracts.
func (s *Service) Contract(ctx context.Context, customerID, id string) (Contract, error) {
	var c Contract
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Contract(ctx, customerID, id, false)
		return err
	})
	return c, err
}

// HasPending reports whether the customer must approve a contract before
// using the rest of the net bank (CONTR-1).
func (s *Service) HasPending(ctx context.Context, customerID string) (bool, error) {
	cs, err := s.Contracts(ctx, customerID)
	for _, c := range cs {
		if c.Status == Pending {
			return true, err
		}
	}
	return false, err
}

// ContractDocument is the canonical text a customer signs to approve a
// contract (SIGN-2: contracts are signed).
func ContractDocument(c Contract) string {
	return "Godkendelse af kontrakt\nKontrakt: " + c.ID + "\nTitel: " + c.Title + "\n\n" + c.Body
}

// Approve records that the customer approved a pending contract with the
// signed document signedDocID (made from ContractDocument by the identity
// service's signing).
func (s *Service) Approve(ctx context.Context, customerID, id, signedDocID string, by Actor) (Contract, error) {
	var c Contract
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Contract(ctx, customerID, id, true); err != nil {
			return err
		}
		if c.Status != Pending {
			return netbank.Errorf(netbank.ECONFLICT, "Kontrakten er allerede %s.", danishStatus(c.Status))
		}
		now := s.now()
		c.Status, c.ApprovedAt, c.ApprovedBy, c.SignedDocument = Approved, now, by.ID, signedDocID
		if err := tx.UpdateContract(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("contract.approved", customerID, map[string]string{"contract": c.ID, "document": signedDocID}))
	})
	return c, err
}

// Withdraw uses the right of withdrawal (CONTR-2) on an approved contract
// up to and including the deadline day (Danish time). Contracts with prices
// that follow the capital market have none (CONTR-3).
func (s *Service) Withdraw(ctx context.Context, customerID, id string, by Actor) (Contract, error) {
	var c Contract
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Contract(ctx, customerID, id, true); err != nil {
			return err
		}
		if c.Status != Approved {
			return netbank.Errorf(netbank.ECONFLICT, "Kun en godkendt kontrakt kan fortrydes.")
		}
		deadline, ok := c.WithdrawalDeadline()
		if !ok {
			return netbank.Errorf(netbank.EFORBIDDEN, "Der er ingen fortrydelsesret på denne aftale, fordi prisen følger kapitalmarkedet.")
		}
		now := s.now()
		if calendar.Day(now).After(deadline) {
			return netbank.Errorf(netbank.EFORBIDDEN, "Fristen for at fortryde udløb %s.", deadline.Format("02.01.2006"))
		}
		c.Status, c.WithdrawnAt = Withdrawn, now
		if err := tx.UpdateContract(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("contract.withdrawn", customerID, map[string]string{"contract": c.ID}))
	})
	return c, err
}

func danishStatus(st ContractStatus) string {
	switch st {
	case Approved:
		return "godkendt"
	case Withdrawn:
		return "fortrudt"
	}
	return "afventer godkendelse"
}

// DanishStatus names a contract status in Danish for pages.
func DanishStatus(st ContractStatus) string { return danishStatus(st) }
