package store

import (
	"context"

	"github.com/netbank/netbank/account"
)

// Accounts is the SQL implementation of account.Store.
type Accounts struct{ db *DB }

// Accounts returns the account store over db.
func (db *DB) Accounts() *Accounts { return &Accounts{db: db} }

var _ account.Store = (*Accounts)(nil)

const customerAccountColumns = `id, customer_id, reg, number, iban, name, product, currency, created_at, closed_at`

func scanCustomerAccount(s scanner) (account.Account, error) {
	var a account.Account
	var product string
	var created, closed int64
	err := s.Scan(&a.ID, &a.CustomerID, &a.Reg, &a.Number, &a.IBAN, &a.Name, &product, &a.Currency, &created, &closed)
	a.Product = account.Product(product)
	a.CreatedAt, a.ClosedAt = fromMicros(created), fromMicros(closed)
	return a, err
}

// Insert implements account.Store.
func (s *Accounts) Insert(ctx context.Context, a account.Account) error {
	_, err := s.db.Exec(ctx, `INSERT INTO accounts (`+customerAccountColumns+`) VALUES (`+Placeholders(10)+`)`,
		a.ID, a.CustomerID, a.Reg, a.Number, a.IBAN, a.Name, string(a.Product), a.Currency, micros(a.CreatedAt), micros(a.ClosedAt))
	return classify(err)
}

// Get implements account.Store.
func (s *Accounts) Get(ctx context.Context, customerID, id string) (account.Account, error) {
	a, err := scanCustomerAccount(s.db.QueryRow(ctx, "SELECT "+customerAccountColumns+" FROM accounts WHERE id = ? AND customer_id = ?", id, customerID))
	return a, classify(notFound(err, "account"))
}

// ByNumber implements account.Store.
func (s *Accounts) ByNumber(ctx context.Context, reg, number string) (account.Account, error) {
	a, err := scanCustomerAccount(s.db.QueryRow(ctx, "SELECT "+customerAccountColumns+" FROM accounts WHERE reg = ? AND number = ?", reg, number))
	return a, classify(notFound(err, "account"))
}

// OfCustomer implements account.Store.
func (s *Accounts) OfCustomer(ctx context.Context, customerID string) ([]account.Account, error) {
	rows, err := s.db.Query(ctx, "SELECT "+customerAccountColumns+" FROM accounts WHERE customer_id = ? AND closed_at = 0 ORDER BY created_at, id", customerID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []account.Account
	for rows.Next() {
		a, err := scanCustomerAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, classify(rows.Err())
}
