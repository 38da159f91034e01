package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
)

// Card is one test card of the demo bank as demo.json lists it under
// "cards": everything a tester needs to pay with it at the terminal
// simulator or in a web shop. PAN, CVV2 and PIN are in clear here and
// nowhere else: the bank keeps the number sealed, the CVV2 not at all and
// the PIN as a verification value.
type Card struct {
	PAN string `json:"pan"`
	// Expiry is YYMM, as ISO 8583 field 14 carries it.
	Expiry string `json:"expiry"`
	CVV2   string `json:"cvv2"`
	PIN    string `json:"pin"`
	// Type is the card type (card.Type: "visa_debit", "visa_junior", …).
	Type string `json:"type"`
	// Status is the card's status when seeded (card.Status: "active",
	// "blocked", "expired", "ordered").
	Status    string `json:"status"`
	HolderAge int    `json:"holder_age"`
	// AccountIBAN is the account the card draws on, AvailableMinor its
	// available amount in øre (incl. any overdraft) when seeded.
	AccountIBAN    string `json:"account_iban"`
	AvailableMinor int64  `json:"available_minor"`
}

// CardCases names the demo cards in the order demo.json lists them, so
// tests and testers can pick a case by its index:
//
//	0 good             Mette's Visa Debit: active, Visa Secure enrolled, overdraft 5.000 kr.
//	1 blocked          Lars's Visa Debit, reported lost (response code 41)
//	2 expired          Sofie's old Visa Debit, past its expiry month (54)
//	3 not_activated    Sofie's new Visa Debit, ordered, not activated (62)
//	4 junior_under_15  Freja's (13) Visa Junior on her father Lars's budget account: no Visa Secure, no gambling
//	5 low_balance      Sofie's Visa Basis on a card account with 120,00 kr. and no overdraft (51 above it)
//	6 foreign_use      Lars's replacement for the lost card, active, for purchases abroad (CARD-8)
var CardCases = []string{"good", "blocked", "expired", "not_activated", "junior_under_15", "low_balance", "foreign_use"}

// The card account of the low-balance case.
const lowBalanceAccount = Reg + "-0004430002"

// lowBalance is what the low-balance card account holds.
const lowBalance = 120_00

// SeedCards gives the demo customers their cards, one for every case of
// CardCases, and writes them and the zone PIN key zpk (hex: the demo key,
// cardsec.DemoZPK) into demo.json under "cards" and "zpk". The cards are
// booked as issued some time ago (card.IssueRequest.IssuedAt: their fees
// were paid then, and no "new card" messages are sent now); today Lars
// reports his card lost and gets the replacement. It runs after SeedPeople
// and LinkAccounts and does nothing when demo.json is absent (not the
// demo's first start) or lists cards already.
func SeedCards(ctx context.Context, cards *card.Service, accounts *account.Service, id *identity.Service, l *ledger.Service,
	clock netbank.Clock, dataDir, zpk string) error {
	creds, err := ReadCredentials(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(creds.Cards) > 0 {
		return nil
	}
	if clock == nil {
		clock = netbank.SystemClock{}
	}
	now := clock.Now()
	customer := func(name string) (identity.Customer, error) {
		found, err := id.FindCustomers(ctx, name, 2)
		if err != nil {
			return identity.Customer{}, err
		}
		if len(found) != 1 {
			return identity.Customer{}, fmt.Errorf("demo: %d customers named %q", len(found), name)
		}
		return id.Customer(ctx, found[0].ID)
	}
	mette, err := customer("Mette Kjær Nielsen")
	if err != nil {
		return err
	}
	lars, err := customer("Lars Bo Jensen")
	if err != nil {
		return err
	}
	sofie, err := customer("Sofie Andersen")
	if err != nil {
		return err
	}
	freja, err := customer("Freja Holm")
	if err != nil {
		return err
	}

	issue := func(owner, accountID string, holder identity.Customer, t card.Type, issuedAt time.Time) (card.Issued, error) {
		return cards.Issue(ctx, card.IssueRequest{CustomerID: owner, AccountID: accountID, HolderCustomerID: holder.ID, Type: t,
			By: card.System, IssuedAt: issuedAt})
	}
	activate := func(iss *card.Issued, holder string) error {
		c, err := cards.Activate(ctx, holder, iss.Card.ID, card.System)
		iss.Card = c
		return err
	}
	var seeded []card.Issued

	// 0 good: Mette's everyday card.
	good, err := issue(mette.ID, Accounts[0].ID, mette, card.VisaDebit, now.AddDate(0, -7, -3))
	if err != nil {
		return err
	}
	if err := activate(&good, mette.ID); err != nil {
		return err
	}
	seeded = append(seeded, good)

	// 1 blocked: Lars lost his card and blocked it in the net bank.
	lost, err := issue(lars.ID, Accounts[3].ID, lars, card.VisaDebit, now.AddDate(-1, -2, 0))
	if err != nil {
		return err
	}
	if err := activate(&lost, lars.ID); err != nil {
		return err
	}
	users, err := id.UsersOfCustomer(ctx, lars.ID)
	if err != nil || len(users) == 0 {
		return fmt.Errorf("demo: no user of %s: %v", lars.Name, err)
	}
	if lost.Card, err = cards.Block(ctx, lars.ID, lost.Card.ID, card.ReasonLost,
		card.Actor{ID: users[0].ID, Kind: audit.ActorCustomer}); err != nil {
		return err
	}
	// 6 foreign use: the replacement the bank sent him (made now, listed last).
	abroad, err := cards.Replace(ctx, lost.Card.ID, card.ReplaceBlocked, card.System)
	if err != nil {
		return err
	}
	if err := activate(&abroad, lars.ID); err != nil {
		return err
	}
	if lost.Card, err = cards.Card(ctx, lost.Card.ID); err != nil {
		return err
	}
	seeded = append(seeded, lost)

	// 2 expired: Sofie's card from four years ago, past its month.
	expired, err := issue(sofie.ID, Accounts[4].ID, sofie, card.VisaDebit, now.AddDate(0, -card.DefaultValidityMonths-1, 0))
	if err != nil {
		return err
	}
	seeded = append(seeded, expired)

	// 3 not activated: her new card, on its way.
	ordered, err := issue(sofie.ID, Accounts[4].ID, sofie, card.VisaDebit, now.AddDate(0, 0, -5))
	if err != nil {
		return err
	}
	seeded = append(seeded, ordered)

	// 4 junior under 15: Freja's card on her father's budget account.
	junior, err := issue(lars.ID, Accounts[2].ID, freja, card.VisaJunior, now.AddDate(0, -2, 0))
	if err != nil {
		return err
	}
	if err := activate(&junior, freja.ID); err != nil {
		return err
	}
	seeded = append(seeded, junior)

	// 5 low balance: a Visa Basis on a card account with 120,00 kr.
	low, err := accounts.Open(ctx, sofie.ID, account.Budget, "Kortkonto", "DKK", lowBalanceAccount[len(Reg)+1:], 0)
	if err != nil {
		return err
	}
	if _, err := l.Transfer(ctx, ledger.TransferRequest{ID: "demo:cards:" + low.ID, DebitAccountID: Accounts[4].ID, CreditAccountID: low.ID,
		Amount: lowBalance, Code: "transfer", Text: "Overførsel til kortkonto"}); err != nil {
		return fmt.Errorf("demo: funding the card account: %w", err)
	}
	basis, err := issue(sofie.ID, low.ID, sofie, card.VisaBasis, now.AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	if err := activate(&basis, sofie.ID); err != nil {
		return err
	}
	seeded = append(seeded, basis, abroad)

	creds.ZPK = zpk
	for _, iss := range seeded {
		acc, err := accounts.Get(ctx, iss.Card.CustomerID, iss.Card.AccountID)
		if err != nil {
			return err
		}
		creds.Cards = append(creds.Cards, Card{PAN: iss.PAN, Expiry: iss.Card.Expiry, CVV2: iss.CVV2, PIN: iss.PIN,
			Type: string(iss.Card.Type), Status: string(iss.Card.Status), HolderAge: iss.Card.HolderAge(now),
			AccountIBAN: acc.IBAN, AvailableMinor: acc.Available})
	}
	return writeCredentials(dataDir, creds)
}
