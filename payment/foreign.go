package payment

// Foreign transfers (udlandsoverførsler, RULE PAY-5).
//
// A foreign transfer goes from one of the customer's kroner accounts to an
// IBAN abroad, with the payee's bank's BIC, name and address (the EU
// funds-transfer regulation 2015/847 makes the bank send the payer's and
// the payee's name, account and address with every transfer), in the
// currency the payee is to receive.
//
// # Currency and amount
//
// The currency is the one the payee's bank receives: any currency the
// bank has an exchange rate for (package pricing), and also DKK — kroner
// abroad are common to the Faroe Islands and Greenland, which have IBANs of
// their own (FO, GL), and to foreign suppliers that invoice in kroner. A
// Danish (DK) IBAN is refused: that is an ordinary transfer, cheaper and
// faster. The customer gives the amount either in the currency (the
// kroner follow from the rate) or in kroner (Request.AmountInDKK: the
// currency amount follows).
//
// # Quote, signature and execution
//
// Create gets a quote from the Quoter (the bank sells the currency to the
// customer): the reference rate, the customer's rate (with the bank's
// margin), the kroner amount, the fee and the total, and stores it on the
// payment. The review page and the signed document (Document) show all of
// it before the customer signs (PAY-5). The fee's price key follows from
// the currency and the country of the payee's bank (the IBAN's):
// pricing.KeyForeignTransferFeeEUEUR for euros inside the EU/EEA (EU
// regulation 924/2009: no dearer than a national transfer),
// pricing.KeyForeignTransferFee otherwise (pricing.ForeignTransferFeeKey).
//
// A quote is binding (RateFixed) when the payment executes at once: dated
// today and not waiting for a second user's approval (four-eyes). It then
// holds for QuoteValidity (15 minutes by default): Confirm after that is
// refused with a Danish message asking the customer to start again, and a
// confirmed payment always executes at the signed rate, also when the
// execution itself is retried later. A future-dated payment, or one that
// waits for approval, carries an indicative quote: the document says so
// ("Kursen er vejledende og fastsættes på betalingsdagen"), and the rate
// and the fee of the moment of execution apply; that quote is stored on the
// payment before any money moves, so a retried execution books the same
// amounts.
//
// # Charges
//
// ChargeBearer is the ISO 20022 code: "SHAR" (SHA, the default: each side
// pays its own bank) or "DEBT" (OUR: the payer pays every bank's charges).
// Within the EU/EEA only SHA is offered, as the payment services
// directive prescribes for payments between banks there. "CRED" (BEN, the
// payee pays all) is not offered.
//
// # Ledger and settlement
//
// Execution is one linked ledger transaction (all or none):
//
//	"<id>:debit"  customer account      → bank:fx_position:DKK   the kroner amount
//	"<id>:fee"    customer account      → bank:fees:DKK          the fee (when above 0)
//	"<id>:fx"     bank:fx_position:<CUR> → bank:settlement:<CUR>  the currency amount
//
// The first leg buys the currency from the bank's position, the last pays
// it out of the bank's account with its correspondent (nostro). The app
// makes the bank's internal accounts for every currency it has a rate for
// at start (ledger.EnsureInternalAccounts); a currency whose rate staff
// added later gets them at its first transfer. The account's available
// amount including the overdraft limit must cover the kroner amount and
// the fee; otherwise the payment is rejected without any ledger effect.
//
// With the booking the bank writes the outgoing pacs.008.001.08 message
// (payfile.Pacs008) and keeps it (OutboundMessage); the payment is then
// settled as far as this bank goes: the correspondent bank forwards it over
// SWIFT, and the payee's bank has the money one to two bank days later
// (the message's interbank settlement date is the next Danish bank day).
// The message is written before the money moves: if it cannot be written
// the execution fails without ledger effect and stays executing, to be
// taken up again when its lease lapses (the hourly due job) — a signed
// payment is never dropped because a formatter failed.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/pricing"
)

// Quoter prices foreign transfers: the bank sells the currency to the
// customer for kroner. *pricing.Service implements it.
type Quoter interface {
	// QuoteSell prices amount (minor units of currency) with the fee of
	// the price key feeKey.
	QuoteSell(ctx context.Context, currency string, amount int64, feeKey string) (pricing.Quote, error)
	// QuoteSellDKK prices as much currency as dkk øre buy, with the fee
	// of feeKey.
	QuoteSellDKK(ctx context.Context, currency string, dkk int64, feeKey string) (pricing.Quote, error)
}

// Party is a customer as a foreign transfer names the payer (EU
// regulation 2015/847: name, account and address).
type Party struct {
	Name    string
	Address string // one line: street, postcode and town
	Country string // ISO 3166 alpha-2
}

// Charge bearers of a foreign transfer (ISO 20022 ChargeBearerType1Code).
const (
	// ChargesShared (SHA): each side pays its own bank's charges.
	ChargesShared = "SHAR"
	// ChargesPayer (OUR): the payer pays every bank's charges.
	ChargesPayer = "DEBT"
)

// Limits of foreign transfers.
const (
	// DefaultQuoteValidity is how long a binding quote may be signed.
	DefaultQuoteValidity = 15 * time.Minute
	// MaxAddress is the payee's address line (pacs.008 AdrLine: 70).
	MaxAddress = 70
	// MaxForeignText is the message to the payee of a foreign transfer
	// (pacs.008 unstructured remittance information: 140).
	MaxForeignText = 140
)

// ChargesDanish names a charge bearer for pages and documents.
func ChargesDanish(code string) string {
	switch code {
	case ChargesShared:
		return "Delt (SHA): du betaler din banks gebyr, modtageren betaler sin banks"
	case ChargesPayer:
		return "Betaler alle (OUR): du betaler alle bankers gebyrer"
	}
	return code
}

// foreignPayee checks the payee of a foreign transfer and fills it in.
func foreignPayee(r Request, p *Payment) error {
	if strings.TrimSpace(r.CodeLine) != "" || r.SlipType != "" || r.SlipPaymentID != "" || r.SlipAccount != "" || r.ToReg != "" || r.ToAccount != "" {
		return invalid("En udlandsoverførsel betales til et IBAN, ikke til registrerings- og kontonummer eller et indbetalingskort.")
	}
	if err := dk.ValidateIBAN(r.ToIBAN); err != nil {
		return err
	}
	p.ToIBAN = dk.NormalizeIBAN(r.ToIBAN)
	ibanCountry := p.ToIBAN[:2]
	if ibanCountry == "DK" {
		return invalid("%s er en dansk konto. Brug en almindelig overførsel med registrerings- og kontonummer; den er billigere og hurtigere.", dk.FormatIBAN(p.ToIBAN))
	}
	bic := strings.ToUpper(strings.Join(strings.Fields(r.ToBIC), ""))
	if bic == "" {
		return invalid("Skriv modtagerbankens BIC (SWIFT-kode).")
	}
	if err := dk.ValidateBIC(bic); err != nil {
		return err
	}
	if bic[4:6] != ibanCountry {
		return invalid("BIC'en %s hører til en bank i %s, men IBAN'et er fra %s. Tjek BIC og IBAN.", bic, bic[4:6], ibanCountry)
	}
	p.ToBIC = bic
	if p.ToName == "" {
		return invalid("Skriv modtagers navn; det skal følge med en udlandsoverførsel.")
	}
	var err error
	if p.ToAddress, err = checkText("Modtagers adresse", r.ToAddress, MaxAddress); err != nil {
		return err
	}
	if p.ToAddress == "" {
		return invalid("Skriv modtagers adresse; den skal følge med en udlandsoverførsel.")
	}
	p.ToCountry = strings.ToUpper(strings.TrimSpace(r.ToCountry))
	if p.ToCountry == "" {
		p.ToCountry = ibanCountry
	}
	if !dk.ValidCountryCode(p.ToCountry) {
		return invalid("Ukendt landekode %q for modtagers land.", p.ToCountry)
	}
	cur, err := netbank.LookupCurrency(r.Currency)
	if strings.TrimSpace(r.Currency) == "" {
		return invalid("Vælg den valuta, modtageren skal have.")
	}
	if err != nil {
		return err
	}
	p.Quote.Currency = cur.Code
	switch strings.ToUpper(strings.TrimSpace(r.ChargeBearer)) {
	case "", "SHA", ChargesShared:
		p.ChargeBearer = ChargesShared
	case "OUR", ChargesPayer:
		if pricing.InEEA(ibanCountry) {
			return invalid("Til en bank i EU/EØS deles gebyrerne altid (SHA): du betaler din banks gebyr, modtageren sin banks.")
		}
		p.ChargeBearer = ChargesPayer
	default:
		return invalid("Vælg hvem der betaler gebyrerne: delt (SHA) eller dig (OUR).")
	}
	p.AmountInDKK = r.AmountInDKK
	p.Kind = Foreign
	return nil
}

// ForeignCurrencies lists the currencies a foreign transfer can be made
// in, by code: DKK and every currency whose rate quotes now (when the
// Quoter can list its rates, as *pricing.Service can); nil when the bank
// makes no foreign transfers.
func (s *Service) ForeignCurrencies(ctx context.Context) ([]string, error) {
	if s.cfg.Quoter == nil || s.cfg.Payer == nil {
		return nil, nil
	}
	out := []string{"DKK"}
	board, ok := s.cfg.Quoter.(interface {
		RateBoard(ctx context.Context) ([]pricing.RateLine, error)
	})
	if !ok {
		return out, nil
	}
	lines, err := board.RateBoard(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if !l.Stale && l.Currency != "DKK" {
			out = append(out, l.Currency)
		}
	}
	return out, nil
}

// quote prices a foreign transfer: the amount the customer gave (in the
// currency, or in kroner with AmountInDKK) at the rate and fee of now.
func (s *Service) quote(ctx context.Context, p Payment, amount int64) (pricing.Quote, error) {
	if s.cfg.Quoter == nil || s.cfg.Payer == nil {
		return pricing.Quote{}, netbank.Errorf(netbank.EUNAVAILABLE, "Udlandsoverførsler er ikke mulige lige nu. Prøv igen senere.")
	}
	key := pricing.ForeignTransferFeeKey(p.Quote.Currency, p.ToIBAN[:2])
	var q pricing.Quote
	var err error
	if p.AmountInDKK {
		q, err = s.cfg.Quoter.QuoteSellDKK(ctx, p.Quote.Currency, amount, key)
	} else {
		q, err = s.cfg.Quoter.QuoteSell(ctx, p.Quote.Currency, amount, key)
	}
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		// No rate for the currency: the bank does not trade it.
		return pricing.Quote{}, invalid("%s", netbank.ErrorMessageOf(err))
	}
	if err != nil {
		return pricing.Quote{}, err
	}
	if q.Amount <= 0 || q.DKK <= 0 {
		return pricing.Quote{}, invalid("Beløbet er for lille til at blive overført i %s.", p.Quote.Currency)
	}
	if q.DKK > MaxAmount {
		return pricing.Quote{}, invalid("Beløbet må højst svare til %s.", kroner(MaxAmount))
	}
	if q.Fee < 0 || q.Currency != p.Quote.Currency {
		return pricing.Quote{}, netbank.Errorf(netbank.EINTERNAL, "payment: quote %+v for %s", q, p.Quote.Currency)
	}
	q.Total = q.DKK + q.Fee
	q.At = q.At.UTC().Truncate(time.Microsecond)
	return q, nil
}

// withQuote puts a quote on a payment: the kroner amount is its amount.
func withQuote(p Payment, q pricing.Quote) Payment {
	p.Quote, p.Amount = q, q.DKK
	return p
}

// requestedAmount is the amount the customer gave, for the request hash
// (made before the quote): Amount in kroner or in the currency.
func requestedAmount(p Payment) string {
	unit := p.Quote.Currency
	if p.AmountInDKK {
		unit = "DKK"
	}
	return unit + " " + strconv.FormatInt(p.Amount, 10)
}

// QuoteExpires is when a payment's binding quote stops being signable.
func (s *Service) QuoteExpires(p Payment) time.Time { return p.Quote.At.Add(s.cfg.QuoteValidity) }

// FormatRate writes a quote's rate (kroner per 100 units of the currency,
// pricing.RateScale) the Danish way: "753,5812".
func FormatRate(rate int64) string { return pricing.FormatRate(rate) }

// clock formats a time of day in Copenhagen, "14:05".
func clock(t time.Time) string { return t.In(copenhagen).Format("15:04") }

// foreignDocument writes the foreign transfer's part of Document.
func foreignDocument(p Payment, line func(label, value string)) {
	q := p.Quote
	line("Til IBAN", dk.FormatIBAN(p.ToIBAN))
	line("BIC", p.ToBIC)
	line("Modtager", p.ToName)
	line("Adresse", p.ToAddress)
	line("Land", p.ToCountry)
	line("Beløb", netbank.NewMoney(q.Amount, q.Currency).String())
	if q.Currency != "DKK" {
		line("Kurs", FormatRate(q.CustomerRate)+" kr. pr. 100 "+q.Currency)
		line("Referencekurs", FormatRate(q.ReferenceRate)+" kr. pr. 100 "+q.Currency)
	}
	line("Beløb i kroner", kroner(q.DKK))
	line("Gebyr", kroner(q.Fee))
	line("I alt trækkes", kroner(q.DKK+q.Fee))
	line("Omkostninger", ChargesDanish(p.ChargeBearer))
	if q.Currency != "DKK" {
		if p.RateFixed {
			line("Kursen", "Fast kurs, beregnet "+danishDate(calendar.Day(q.At))+" kl. "+clock(q.At))
		} else {
			line("Kursen", "Vejledende. Kursen fastsættes på betalingsdagen, og beløb og gebyr kan ændre sig")
		}
	}
}

// fixQuote gives a payment with an indicative quote the quote of now and
// stores it (with the payment's lease) before any money moves, so a
// retried execution books the same amounts.
func (s *Service) fixQuote(ctx context.Context, p Payment) (Payment, error) {
	amount := p.Quote.Amount
	if p.AmountInDKK {
		amount = p.Amount
	}
	q, err := s.quote(ctx, p, amount)
	if err != nil {
		return p, err
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		cur, err := tx.ByID(ctx, p.ID, true)
		if err != nil {
			return err
		}
		if cur.Status != Executing || cur.LeaseOwner != p.LeaseOwner {
			return netbank.Errorf(netbank.ECONFLICT, "payment: %s was taken over during execution", p.ID)
		}
		if cur.RateFixed {
			p = cur // fixed by an earlier attempt of this lease
			return nil
		}
		cur = withQuote(cur, q)
		cur.RateFixed = true
		p = cur
		return tx.Update(ctx, cur)
	})
	return p, err
}

// fxAccounts reports whether the ledger keeps the bank's position and
// settlement accounts in currency.
func (s *Service) fxAccounts(ctx context.Context, currency string) (bool, error) {
	for _, k := range []ledger.AccountKind{ledger.KindFXPosition, ledger.KindSettlement} {
		_, err := s.ledger.Account(ctx, ledger.InternalAccountID(k, currency))
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// Ledger transfer ids of a foreign transfer's fee and currency legs.
func feeID(p Payment) string { return p.ID + ":fee" }
func fxID(p Payment) string  { return p.ID + ":fx" }

// moveForeign executes a foreign transfer: the quote (the signed one, or
// the one of now for an indicative quote), the pacs.008 message, then the
// linked ledger transaction (see the file comment).
func (s *Service) moveForeign(ctx context.Context, p Payment) (outcome, error) {
	var err error
	if !p.RateFixed {
		if p, err = s.fixQuote(ctx, p); err != nil {
			return outcome{}, later(err)
		}
	}
	q := p.Quote
	msg, err := s.pacs008(ctx, p)
	if err != nil {
		return outcome{}, later(err)
	}
	self, _ := statementTexts(p)
	reqs := []ledger.TransferRequest{{ID: debitID(p), DebitAccountID: p.FromAccount, CreditAccountID: ledger.InternalAccountID(ledger.KindFXPosition, "DKK"),
		Amount: q.DKK, Code: "foreign", Text: self}}
	if q.Fee > 0 {
		reqs = append(reqs, ledger.TransferRequest{ID: feeID(p), DebitAccountID: p.FromAccount, CreditAccountID: ledger.InternalAccountID(ledger.KindFees, "DKK"),
			Amount: q.Fee, Code: "fee", Text: "Gebyr udlandsoverførsel"})
	}
	ok, err := s.fxAccounts(ctx, q.Currency)
	if err == nil && !ok {
		err = s.ledger.EnsureInternalAccounts(ctx, q.Currency)
	}
	if err != nil {
		return outcome{}, err
	}
	reqs = append(reqs, ledger.TransferRequest{ID: fxID(p), DebitAccountID: ledger.InternalAccountID(ledger.KindFXPosition, q.Currency),
		CreditAccountID: ledger.InternalAccountID(ledger.KindSettlement, q.Currency), Amount: q.Amount, Code: "foreign",
		Text: "SWIFT " + p.ID})
	ts, err := s.ledger.TransferLinked(ctx, reqs)
	if err != nil {
		return outcome{}, err
	}
	return outcome{status: Settled, executedAt: ts[0].CreatedAt, settledAt: ts[0].CreatedAt, clearing: SWIFTClearing,
		message: &OutboundMessage{PaymentID: p.ID, CustomerID: p.CustomerID, Format: Pacs008Format, MessageID: p.ID, Body: msg,
			CreatedAt: ts[0].CreatedAt}}, nil
}

// retryLater marks an execution that failed before any money moved for a
// reason that passes (the price list or the message writer unavailable):
// the payment stays executing and is taken up again when its lease lapses.
type retryLater struct{ err error }

func (e retryLater) Error() string { return e.err.Error() }
func (e retryLater) Unwrap() error { return e.err }

// later marks err as retryLater, unless it is a refusal (EINVALID), which
// rejects the payment.
func later(err error) error {
	if netbank.ErrorCodeOf(err) == netbank.EINVALID {
		return err
	}
	return retryLater{err}
}

// Pacs008Format names the format of the outbound messages of foreign
// transfers.
const Pacs008Format = "pacs.008.001.08"

// pacs008 writes the interbank message of a foreign transfer.
func (s *Service) pacs008(ctx context.Context, p Payment) ([]byte, error) {
	if s.cfg.Payer == nil {
		return nil, netbank.Errorf(netbank.EUNAVAILABLE, "payment: no payer look-up for foreign transfers")
	}
	payer, err := s.cfg.Payer(ctx, p.CustomerID)
	if err != nil {
		return nil, err
	}
	from, err := s.accounts.Get(ctx, p.CustomerID, p.FromAccount)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.cfg.Pacs008(payfile.InterbankTransfer{
		MessageID: p.ID, EndToEndID: p.ID, TransactionID: p.ID,
		Created:        now,
		SettlementDate: calendar.NextBankDay(calendar.Day(now)),
		Amount:         p.Quote.Amount, Currency: p.Quote.Currency, ChargeBearer: p.ChargeBearer,
		DebtorName: payer.Name, DebtorAddress: payer.Address, DebtorCountry: payer.Country,
		DebtorIBAN: from.Account.IBAN, DebtorBIC: s.cfg.BIC,
		CreditorName: p.ToName, CreditorAddress: p.ToAddress, CreditorCountry: p.ToCountry,
		CreditorIBAN: p.ToIBAN, CreditorBIC: p.ToBIC,
		RemittanceInfo: p.TextToRecipient,
		InstructingBIC: s.cfg.BIC, InstructedBIC: s.correspondent(p),
	})
}

// correspondent is the bank the message goes to: Config.Correspondents'
// bank for the currency, else the payee's bank directly.
func (s *Service) correspondent(p Payment) string {
	if bic := s.cfg.Correspondents[p.Quote.Currency]; bic != "" {
		return bic
	}
	return p.ToBIC
}

// OutboundMessage is an interbank message the bank wrote for a payment: the
// pacs.008 of a foreign transfer.
type OutboundMessage struct {
	PaymentID  string
	CustomerID string
	Format     string // Pacs008Format
	MessageID  string
	Body       []byte
	CreatedAt  time.Time
}

// OutboundMessage returns the pacs.008 message written for one of the
// customer's foreign transfers (ENOTFOUND for another customer's payment,
// or before the transfer is executed).
func (s *Service) OutboundMessage(ctx context.Context, customerID, paymentID string) ([]byte, error) {
	var m OutboundMessage
	err := s.store.Tx(ctx, func(tx Tx) error {
		if _, err := tx.Get(ctx, customerID, paymentID, false); err != nil {
			return err
		}
		var err error
		m, err = tx.Outbound(ctx, paymentID)
		return err
	})
	if err != nil {
		return nil, notFound(err)
	}
	return m.Body, nil
}

// Outbound returns the message written for a payment, whoever's it is: for
// the bank's jobs that pass messages on, and for staff.
func (s *Service) Outbound(ctx context.Context, paymentID string) (OutboundMessage, error) {
	var m OutboundMessage
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		m, err = tx.Outbound(ctx, paymentID)
		return err
	})
	return m, err
}
