// Package demo seeds the demo bank: the bank's internal accounts and a few
// months of realistic Danish history on the demo customers' accounts —
// salaries on the last bank day of the month, rent, Betalingsservice
// collections, card purchases, MobilePay and transfers to savings — booked
// through the ledger as imported transfers, so every balance is the sum of
// its postings like any other.
//
// Seeding is deterministic for a given day and idempotent: transfer ids are
// derived from the events, so a second run on the same day changes nothing.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/ledger"
)

// Reg is the registration number of the demo bank (this bank's).
const Reg = dk.NetbankReg

// Account is a demo customer account.
type Account struct {
	// ID is the ledger account id: reg + "-" + 10-digit account number.
	ID        string
	Owner     string
	Name      string
	Overdraft int64
	// Opening is the balance brought forward at the start of the history.
	Opening int64
	// Product is the kind of account the customer sees.
	Product account.Product
}

// Accounts are the demo customers' accounts. Later features attach them
// to customers and cards.
var Accounts = []Account{
	{ID: Reg + "-0004410001", Owner: "Mette Kjær Nielsen", Name: "Lønkonto", Overdraft: 5_000_00, Opening: 14_230_55, Product: account.Salary},
	{ID: Reg + "-0004410002", Owner: "Mette Kjær Nielsen", Name: "Opsparing", Opening: 62_500_00, Product: account.Savings},
	{ID: Reg + "-0004420001", Owner: "Lars Bo Jensen", Name: "Budgetkonto", Opening: 8_912_40, Product: account.Budget},
	{ID: Reg + "-0004420002", Owner: "Lars Bo Jensen", Name: "Lønkonto", Overdraft: 10_000_00, Opening: 21_044_10, Product: account.Salary},
	{ID: Reg + "-0004430001", Owner: "Sofie Andersen", Name: "Lønkonto", Opening: 4_310_75, Product: account.Salary},
	{ID: Reg + "-0004440001", Owner: "Freja Holm", Name: "Børneopsparing", Opening: 3_150_00, Product: account.ChildSavings},
	{ID: Reg + "-0004510001", Owner: "Hansen & Søn Tømrer ApS", Name: "Erhvervskonto", Overdraft: 50_000_00, Opening: 184_330_00, Product: account.Business},
	{ID: Reg + "-0004510002", Owner: "Hansen & Søn Tømrer ApS", Name: "Skattekonto", Opening: 45_000_00, Product: account.TaxAccount},
}

// event is one posting of the history, before it is booked.
type event struct {
	at             time.Time
	debit, credit  string
	amount         int64
	code, text, id string
}

// Months is how many whole months of history are seeded before the current one.
const Months = 3

// Seed creates the internal accounts, the demo accounts and their history
// up to now. It is idempotent for a given day.
func Seed(ctx context.Context, l *ledger.Service, clock netbank.Clock) error {
	if err := l.EnsureInternalAccounts(ctx, "DKK", "EUR"); err != nil {
		return err
	}
	for _, a := range Accounts {
		if _, err := l.CreateAccount(ctx, ledger.NewAccount{ID: a.ID, Name: a.Owner + " – " + a.Name,
			Kind: ledger.KindCustomerDeposit, Currency: "DKK", OverdraftLimit: a.Overdraft}); err != nil {
			return err
		}
	}
	acct, err := l.Account(ctx, Accounts[0].ID)
	if err != nil {
		return err
	}
	if acct.EntrySeq > 0 && acct.LastEntryAt.Before(calendar.Day(clock.Now())) {
		return nil // seeded on an earlier day
	}
	events := History(clock.Now())
	// Book in chunks of linked transfers: any failure is a bug in the data
	// and must stop the seeding loudly.
	const chunk = 200
	for start := 0; start < len(events); start += chunk {
		var reqs []ledger.TransferRequest
		for _, e := range events[start:min(len(events), start+chunk)] {
			reqs = append(reqs, ledger.TransferRequest{ID: e.id, DebitAccountID: e.debit, CreditAccountID: e.credit,
				Amount: e.amount, Code: e.code, Text: e.text, Timestamp: e.at})
		}
		if _, err := l.TransferLinked(ctx, reqs); err != nil {
			return fmt.Errorf("demo: seeding history: %w", err)
		}
	}
	return nil
}

var (
	settlement = ledger.InternalAccountID(ledger.KindSettlement, "DKK")
	clearing   = ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK")
	cards      = ledger.InternalAccountID(ledger.KindCardSettlement, "DKK")
	fees       = ledger.InternalAccountID(ledger.KindFees, "DKK")
	interest   = ledger.InternalAccountID(ledger.KindInterest, "DKK")
)

var groceries = []string{"Netto", "Føtex", "REMA 1000", "Lidl", "Irma", "Coop 365", "Meny", "Bilka", "Lövbjerg", "SuperBrugsen"}
var other = []struct {
	name     string
	min, max int64
}{
	{"Circle K", 250_00, 650_00}, {"Shell", 300_00, 700_00}, {"7-Eleven", 25_00, 90_00}, {"Matas", 80_00, 400_00},
	{"Normal", 40_00, 250_00}, {"Flying Tiger", 30_00, 180_00}, {"DSB", 60_00, 450_00}, {"Rejsekort", 100_00, 300_00},
	{"Wolt", 150_00, 420_00}, {"Zalando", 300_00, 1_200_00}, {"Apoteket", 60_00, 350_00}, {"Sticks'n'Sushi", 350_00, 900_00},
	{"Elgiganten", 200_00, 3_000_00}, {"IKEA Aarhus", 150_00, 2_500_00}, {"Biografen Nordisk Film", 120_00, 260_00},
}

// History returns the demo postings from the first day of the month
// Months months before now's month until now, sorted by time.
func History(now time.Time) []event {
	today := calendar.Day(now)
	start := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -Months, 0)
	rng := rand.New(rand.NewPCG(uint64(start.Unix()), 42))
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	var evs []event
	add := func(day time.Time, hour, minute int, debit, credit string, amount int64, code, text string) {
		at := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, cph).UTC()
		if !at.Before(now) {
			return
		}
		evs = append(evs, event{at: at, debit: debit, credit: credit, amount: amount, code: code, text: text})
	}
	acc := func(i int) string { return Accounts[i].ID }

	// Balances brought forward.
	for i, a := range Accounts {
		add(start, 0, i, settlement, a.ID, a.Opening, "opening", "Overført saldo")
	}
	for m := start; !m.After(today); m = m.AddDate(0, 1, 0) {
		first := calendar.OnOrAfter(m)
		last := calendar.AddBankDays(m.AddDate(0, 1, 0), -1) // last bank day of the month
		month := danishMonth(m.Month())
		// Rent and Betalingsservice on the first bank day.
		add(first, 6, 0, acc(0), clearing, 9_850_00, "payment", "Husleje Boligforeningen AAB")
		add(first, 6, 0, acc(3), clearing, 12_400_00, "payment", "Husleje Ejendomsselskabet Nørrebro")
		add(first, 6, 5, acc(0), clearing, 645_00+rng.Int64N(200_00), "betalingsservice", "BS Ørsted Salg & Service "+month)
		add(first, 6, 5, acc(0), clearing, 299_00, "betalingsservice", "BS Fitness World")
		add(first, 6, 5, acc(2), clearing, 1_045_00, "betalingsservice", "BS Tryg Forsikring")
		add(first, 6, 5, acc(2), clearing, 329_00, "betalingsservice", "BS Norlys bredbånd")
		add(first, 6, 5, acc(4), clearing, 3_900_00, "betalingsservice", "BS Kollegiet Kampsax husleje")
		// Budget account: Lars moves a fixed amount on the first.
		add(first, 7, 0, acc(3), acc(2), 6_500_00, "transfer", "Overførsel til budgetkonto")
		// Business: supplier payments, VAT reserve, salaries.
		add(first, 8, 0, acc(6), clearing, 38_912_50+rng.Int64N(10_000_00), "payment", "STARK Danmark faktura")
		add(calendar.AddBankDays(first, 5), 8, 0, acc(6), clearing, 12_455_00+rng.Int64N(5_000_00), "payment", "Bygma Aarhus faktura")
		add(calendar.AddBankDays(first, 2), 9, 0, acc(6), acc(7), 15_000_00, "transfer", "Hensættelse moms")
		for _, in := range []struct {
			days int
			name string
		}{{3, "Familien Lund, Risskov"}, {8, "Boligselskabet Østjylland"}, {14, "Aarhus Kommune"}} {
			add(calendar.AddBankDays(first, in.days), 10, 0, clearing, acc(6), 42_000_00+rng.Int64N(60_000_00), "incoming", "Indbetaling "+in.name)
		}
		// Salaries on the last bank day.
		add(last, 5, 0, clearing, acc(0), 32_450_00, "salary", "Løn Region Midtjylland "+month)
		add(last, 5, 0, clearing, acc(3), 38_900_00, "salary", "Løn Novo Nordisk A/S "+month)
		add(last, 5, 0, clearing, acc(4), 4_218_00, "salary", "Løn Netto "+month)
		add(last, 5, 0, clearing, acc(4), 6_589_00, "salary", "SU "+month)
		for i, emp := range []string{"Jonas Hansen", "Ahmed Karimi"} {
			add(last, 6, i, acc(6), clearing, 27_800_00+int64(i)*3_150_00, "salary", "Løn "+emp+" "+month)
		}
		// Savings and pocket money.
		add(calendar.AddBankDays(last, 1), 9, 0, acc(0), acc(1), 2_500_00, "transfer", "Fast overførsel opsparing")
		add(calendar.AddBankDays(first, 1), 9, 0, acc(3), acc(5), 250_00, "transfer", "Lommepenge Freja")
		// Account fee and interest at the end of the month.
		add(last, 23, 0, acc(6), fees, 125_00, "fee", "Gebyr erhvervskonto "+month)
		add(last, 23, 5, interest, acc(1), 62_00+rng.Int64N(20_00), "interest", "Rente "+month)
		// Card purchases and MobilePay through the month.
		for d := m; d.Month() == m.Month() && !d.After(today); d = d.AddDate(0, 0, 1) {
			for _, who := range []int{0, 3, 4} {
				if rng.IntN(10) < 6 {
					add(d, 9+rng.IntN(10), rng.IntN(60), acc(who), cards, 45_00+rng.Int64N(520_00), "card", "Visa/Dankort "+groceries[rng.IntN(len(groceries))])
				}
				if rng.IntN(10) < 2 {
					o := other[rng.IntN(len(other))]
					add(d, 10+rng.IntN(11), rng.IntN(60), acc(who), cards, o.min+rng.Int64N(o.max-o.min), "card", "Visa/Dankort "+o.name)
				}
			}
			if rng.IntN(14) == 0 {
				add(d, 18, rng.IntN(60), acc(0), clearing, 100_00+rng.Int64N(300_00), "mobilepay", "MobilePay til Lars B.")
				add(d, 20, rng.IntN(60), clearing, acc(4), 50_00+rng.Int64N(200_00), "mobilepay", "MobilePay fra Mor")
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	return affordable(evs, start)
}

// affordable drops the card purchases and MobilePay payments that would
// have left the account unable to pay its fixed bills (the demo customers
// are sensible people), and numbers the rest.
func affordable(evs []event, start time.Time) []event {
	balance := map[string]int64{}
	limit := map[string]int64{}
	for _, a := range Accounts {
		balance[a.ID], limit[a.ID] = 0, a.Overdraft
	}
	out := evs[:0]
	for _, e := range evs {
		// Spending keeps a buffer for the rent and bills that follow.
		const buffer = 4_500_00
		if b, customer := balance[e.debit]; customer && b-e.amount < buffer-limit[e.debit] && (e.code == "card" || e.code == "mobilepay") {
			continue
		}
		if _, customer := balance[e.debit]; customer {
			balance[e.debit] -= e.amount
		}
		if _, customer := balance[e.credit]; customer {
			balance[e.credit] += e.amount
		}
		e.id = fmt.Sprintf("demo-%s-%04d", start.Format("20060102"), len(out))
		out = append(out, e)
	}
	return out
}

func danishMonth(m time.Month) string {
	return [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}[m-1]
}
