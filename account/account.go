// Package account is the customer's view of the bank's accounts: a
// registration number and account number (PAY-2), the IBAN, a name and a
// product, owned by a customer, over a ledger account with the same id that
// holds the money. Every read names the customer asking, so nobody sees an
// account that is not theirs.
package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/ledger"
)

// Product is the kind of account.
type Product string

// The bank's account products.
const (
	Salary       Product = "loenkonto"       // Lønkonto
	Budget       Product = "budgetkonto"     // Budgetkonto
	Savings      Product = "opsparing"       // Opsparingskonto
	ChildSavings Product = "boerneopsparing" // Børneopsparing
	Business     Product = "erhvervskonto"   // Erhvervskonto
	TaxAccount   Product = "skattekonto"     // Skattekonto
	CurrencyEUR  Product = "valutakonto"     // Valutakonto
)

// Danish names the product for pages.
func (p Product) Danish() string {
	switch p {
	case Salary:
		return "Lønkonto"
	case Budget:
		return "Budgetkonto"
	case Savings:
		return "Opsparingskonto"
	case ChildSavings:
		return "Børneopsparing"
	case Business:
		return "Erhvervskonto"
	case TaxAccount:
		return "Skattekonto"
	case CurrencyEUR:
		return "Valutakonto"
	}
	return string(p)
}

// Account is a customer account.
type Account struct {
	ID         string // "<reg>-<number>", also the ledger account id
	CustomerID string
	Reg        string
	Number     string // 10 digits
	IBAN       string
	Name       string
	Product    Product
	Currency   string
	CreatedAt  time.Time
	ClosedAt   time.Time
}

// Display is the account number as Danes write it: "9070 0004410001".
func (a Account) Display() string { return a.Reg + " " + a.Number }

// WithBalance is an account with its ledger balances.
type WithBalance struct {
	Account
	ledger.Balance
}

// ID returns the account id of reg and a 10-digit account number.
func ID(reg, number string) string { return reg + "-" + number }

// Store is what accounts need from persistence. Package store implements it.
type Store interface {
	Insert(ctx context.Context, a Account) error
	// Get returns the account if it belongs to customerID (ENOTFOUND otherwise).
	Get(ctx context.Context, customerID, id string) (Account, error)
	// ByNumber finds an account of this bank by reg + number, whoever owns
	// it (for payments between customers; the caller shows only the name).
	ByNumber(ctx context.Context, reg, number string) (Account, error)
	OfCustomer(ctx context.Context, customerID string) ([]Account, error)
}

// Service opens and lists accounts.
type Service struct {
	store  Store
	ledger *ledger.Service
	reg    string
	clock  netbank.Clock
}

// New returns the account service of the bank with registration number reg.
func New(store Store, l *ledger.Service, reg string, clock netbank.Clock) *Service {
	if clock == nil {
		clock = netbank.SystemClock{}
	}
	return &Service{store: store, ledger: l, reg: reg, clock: clock}
}

// Open opens an account for a customer: a ledger account, then the account
// row. number may be "" to draw a free one.
func (s *Service) Open(ctx context.Context, customerID string, product Product, name, currency, number string, overdraft int64) (Account, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = product.Danish()
	}
	if utf8.RuneCountInString(name) > 60 {
		return Account{}, netbank.Errorf(netbank.EINVALID, "Kontonavnet må højst være 60 tegn.")
	}
	if currency == "" {
		currency = "DKK"
	}
	if number == "" {
		number = s.freeNumber(ctx)
	}
	if len(number) != 10 || strings.Trim(number, "0123456789") != "" {
		return Account{}, netbank.Errorf(netbank.EINVALID, "Kontonummeret skal være 10 cifre.")
	}
	iban, err := dk.DanishIBAN(s.reg, number)
	if err != nil {
		return Account{}, err
	}
	a := Account{ID: ID(s.reg, number), CustomerID: customerID, Reg: s.reg, Number: number, IBAN: iban, Name: name,
		Product: product, Currency: currency, CreatedAt: s.clock.Now().UTC().Truncate(time.Microsecond)}
	if _, err := s.ledger.CreateAccount(ctx, ledger.NewAccount{ID: a.ID, Name: name, Kind: ledger.KindCustomerDeposit,
		Currency: currency, OverdraftLimit: overdraft}); err != nil {
		return Account{}, err
	}
	if err := s.store.Insert(ctx, a); err != nil {
		return Account{}, err
	}
	return a, nil
}

func (s *Service) freeNumber(ctx context.Context) string {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
		if err != nil {
			panic(err)
		}
		number := fmt.Sprintf("%010d", n.Int64()+1_000_000_000)
		if _, err := s.store.ByNumber(ctx, s.reg, number); netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return number
		}
	}
}

// Link attaches an existing ledger account (e.g. migrated history) to a
// customer as an account, keeping its id. The id must be "<reg>-<number>".
func (s *Service) Link(ctx context.Context, customerID, id string, product Product, name string) (Account, error) {
	reg, number, ok := strings.Cut(id, "-")
	if !ok || reg != s.reg {
		return Account{}, netbank.Errorf(netbank.EINVALID, "account id %q is not <reg>-<number> of this bank", id)
	}
	la, err := s.ledger.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	iban, err := dk.DanishIBAN(reg, number)
	if err != nil {
		return Account{}, err
	}
	a := Account{ID: id, CustomerID: customerID, Reg: reg, Number: number, IBAN: iban, Name: name, Product: product,
		Currency: la.Currency, CreatedAt: la.CreatedAt}
	if existing, err := s.store.Get(ctx, customerID, id); err == nil {
		return existing, nil
	}
	return a, s.store.Insert(ctx, a)
}

// Get returns one of the customer's accounts with its balance.
func (s *Service) Get(ctx context.Context, customerID, id string) (WithBalance, error) {
	a, err := s.store.Get(ctx, customerID, id)
	if err != nil {
		return WithBalance{}, err
	}
	b, err := s.ledger.Balance(ctx, a.ID)
	return WithBalance{Account: a, Balance: b}, err
}

// List returns the customer's accounts with balances.
func (s *Service) List(ctx context.Context, customerID string) ([]WithBalance, error) {
	as, err := s.store.OfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]WithBalance, 0, len(as))
	for _, a := range as {
		b, err := s.ledger.Balance(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, WithBalance{Account: a, Balance: b})
	}
	return out, nil
}

// Lookup finds an account of this bank by reg + number for a payment to it.
func (s *Service) Lookup(ctx context.Context, reg, number string) (Account, error) {
	return s.store.ByNumber(ctx, reg, number)
}
