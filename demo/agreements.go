package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
)

// bsAgreement is a demo Betalingsservice agreement and the amount its
// creditor collects every month.
type bsAgreement struct {
	owner    string // the customer's name
	account  int    // index into Accounts
	creditor string // PBS number (invented)
	name     string
	customer string // the customer's number with the creditor
	amount   int64
	text     string
	// varies: the amount changes a little from month to month (electricity).
	varies bool
}

// bsAgreements are the demo customers' Betalingsservice agreements: the
// creditors whose collections the history already shows (RULE PAY-8).
var bsAgreements = []bsAgreement{
	{"Mette Kjær Nielsen", 0, "02631445", "Ørsted Salg & Service A/S", "5710012345", 645_00, "El, aconto", true},
	{"Mette Kjær Nielsen", 0, "04538271", "Fitness World", "88213", 299_00, "Medlemskab", false},
	{"Lars Bo Jensen", 2, "01934456", "Tryg Forsikring A/S", "4412078", 1_045_00, "Husstandsforsikring", false},
	{"Lars Bo Jensen", 2, "05512873", "Norlys bredbånd", "22019384", 329_00, "Internet", false},
	{"Sofie Andersen", 4, "03379912", "Kollegiet Kampsax", "214", 3_900_00, "Husleje, værelse 214", false},
}

// eInvoice is the demo e-invoice agreement and its waiting bill: Mette's
// water bill from Aarhus Vand (an invented FI creditor number).
var eInvoice = struct {
	owner    string
	account  int
	creditor string
	name     string
	customer string
	amount   int64
}{"Mette Kjær Nielsen", 0, "85172330", "Aarhus Vand A/S", "4410001", 1_187_50}

// demoUser is who the demo's agreements are registered by.
const demoUser = "demo"

// SeedAgreements gives the demo private customers their payment
// agreements (RULE PAY-8): the Betalingsservice agreements of bsAgreements,
// each with one collection announced for the first bank day of next month
// (or of the month after, when the customer could no longer reject that
// one), and Mette's e-invoice agreement with a bill waiting under "Ikke
// godkendte". The agreements are registered as made (Register), as if the
// customers had signed up long ago. Everything is keyed by fixed client ids
// and references derived from the due month, so seeding again on the same
// day — or any later day — repeats nothing; a later month adds that
// month's collections and bill.
func SeedAgreements(ctx context.Context, svc *agreement.Service, id *identity.Service, clock netbank.Clock) error {
	now := clock.Now()
	due := firstBankDayOfNextMonth(calendar.Day(now))
	if !now.Before(agreement.RejectDeadline(due)) {
		due = firstBankDayOfNextMonth(due)
	}
	customers := map[string]string{}
	customer := func(name string) (string, error) {
		if c, ok := customers[name]; ok {
			return c, nil
		}
		found, err := id.FindCustomers(ctx, name, 2)
		if err != nil {
			return "", err
		}
		if len(found) != 1 {
			return "", fmt.Errorf("demo: %d customers named %q", len(found), name)
		}
		customers[name] = found[0].ID
		return found[0].ID, nil
	}
	for _, b := range bsAgreements {
		cid, err := customer(b.owner)
		if err != nil {
			return err
		}
		a, err := svc.Register(ctx, agreement.Request{CustomerID: cid, UserID: demoUser, ClientID: "demo-bs-" + b.creditor,
			Kind: agreement.Betalingsservice, AccountID: Accounts[b.account].ID, CreditorNumber: b.creditor, DebtorGroup: "00001",
			CustomerNumber: b.customer, CreditorName: b.name})
		if skip, err := seeded(a, err); skip || err != nil {
			if err != nil {
				return fmt.Errorf("demo: agreement with %s: %w", b.name, err)
			}
			continue
		}
		amount := b.amount
		if b.varies {
			amount += int64(due.Month()) * 17_35 // a little more or less each month
		}
		if _, err := svc.Announce(ctx, agreement.Announcement{CreditorNumber: b.creditor, DebtorGroup: "00001", CustomerNumber: b.customer,
			Amount: amount, DueDate: due, Text: b.text + " " + danishMonth(due.Month()) + " " + due.Format("2006"),
			CreditorReference: "demo-" + due.Format("2006-01-02")}); err != nil {
			return fmt.Errorf("demo: collection of %s: %w", b.name, err)
		}
	}

	cid, err := customer(eInvoice.owner)
	if err != nil {
		return err
	}
	a, err := svc.Register(ctx, agreement.Request{CustomerID: cid, UserID: demoUser, ClientID: "demo-einv-" + eInvoice.creditor,
		Kind: agreement.EInvoice, AccountID: Accounts[eInvoice.account].ID, CreditorNumber: eInvoice.creditor,
		CustomerNumber: eInvoice.customer, CreditorName: eInvoice.name})
	if skip, err := seeded(a, err); skip || err != nil {
		if err != nil {
			return fmt.Errorf("demo: agreement with %s: %w", eInvoice.name, err)
		}
		return nil
	}
	// The quarter's water bill, due on the 15th of next month (a bank day).
	month := calendar.Day(now).AddDate(0, 0, 1-calendar.Day(now).Day()).AddDate(0, 1, 0)
	billDue := calendar.OnOrAfter(month.AddDate(0, 0, 14))
	if _, err := svc.SendInvoice(ctx, agreement.Invoice{CreditorNumber: eInvoice.creditor, CustomerNumber: eInvoice.customer,
		SlipType: "71", PaymentID: dk.PaymentIDWithCheckDigit(eInvoice.customer + month.Format("200601") + "0"),
		Amount: eInvoice.amount, DueDate: billDue, Text: "Vand og afledning, " + danishMonth(month.Month()) + " " + month.Format("2006"),
		CreditorName: eInvoice.name, Reference: "demo-" + month.Format("2006-01")}); err != nil {
		return fmt.Errorf("demo: bill from %s: %w", eInvoice.name, err)
	}
	return nil
}

// seeded says whether a demo agreement is there to announce under: skip
// is true when a tester cancelled it (or made one of their own on the same
// numbers) since an earlier start.
func seeded(a agreement.Agreement, err error) (skip bool, _ error) {
	switch {
	case netbank.ErrorCodeOf(err) == netbank.ECONFLICT:
		return true, nil
	case err != nil:
		return false, err
	}
	return a.Status != agreement.Active, nil
}

// firstBankDayOfNextMonth is the first bank day of the month after d's.
func firstBankDayOfNextMonth(d time.Time) time.Time {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	return calendar.OnOrAfter(first)
}
