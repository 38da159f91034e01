// Package payfile reads and writes payment files (RULE PAY-6) and the
// bank's outbound ISO 20022 interbank messages: the formats a business
// customer's bookkeeping system produces and "Indlæs betalingsfil" takes
// in, and the converter between them (`netbank convert`).
//
// The formats:
//   - ISO 20022 pain.001.001.03 and pain.001.001.09 (customer credit
//     transfer initiation), pain.go;
//   - the BEC ERH format: comma-separated, quoted fields, one record per
//     line (ERH351, ERH352, ERH354, ERH356, ERH357, ERH358, ERH100,
//     ERH400), erh.go;
//   - a simple CSV with a header line, csv.go;
//   - outbound pacs.008.001.08 (FI to FI customer credit transfer) for
//     foreign transfers, pacs008.go.
//
// Every format is read into the same neutral model, File: a list of
// Lines, one per payment, each with the number of the line (or
// transaction) it came from, and a list of LineErrors for the lines that
// could not be read. Reading never stops at the first bad line: a file
// with one bad line gives every good line and one error naming the bad
// line and the reason in Danish. Checks that need the bank (does the
// account exist, is the amount covered) are the payment domain's; this
// package checks what the file itself can tell (syntax, check digits,
// dates, amounts, lengths).
//
// pain.001 has no element for a Danish payment slip; the bank follows the
// Danish CGI model: RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Prtry is the card
// type ("71"), CdtrRefInf/Ref the payment id, CdtrAcct/Id/Othr/Id the
// creditor number or giro account. A pain.001 whose control totals
// (NbOfTxs, CtrlSum) do not match, or that is not a pain.001 at all, is
// refused as a whole. pain.go and docs/payment-files.md have the details.
//
// The package is pure: no I/O beyond the readers and writers it is given,
// no database, no clock except what the caller passes.
package payfile

import (
	"strconv"
	"time"
)

// Format names a payment file format.
type Format string

// The formats.
const (
	Pain00100103 Format = "pain.001.001.03"
	Pain00100109 Format = "pain.001.001.09"
	ERH          Format = "erh"
	CSV          Format = "csv"
)

// Formats lists the formats files can be read from and written to, in
// the order the user interface offers them.
var Formats = []Format{Pain00100103, Pain00100109, ERH, CSV}

// Kind says what one line pays.
type Kind string

// The kinds of lines.
const (
	// Transfer is a transfer to a Danish account (reg + account number).
	Transfer Kind = "transfer"
	// Slip pays a payment slip (FIK +01, +04, +15, +71, +73, +75).
	Slip Kind = "slip"
	// Foreign is a transfer abroad (IBAN + BIC, a currency).
	Foreign Kind = "foreign"
)

// Line is one payment of a file, in the neutral model.
type Line struct {
	// No is the 1-based number of the line in the file (ERH, CSV) or of
	// the transaction in document order (pain.001); errors and the
	// user interface refer to it.
	No   int
	Kind Kind
	// FromReg and FromAccount are the paying account (reg 4 digits,
	// account 10 digits, zero-padded); FromIBAN is set instead when the
	// file names the debtor account by IBAN (pain.001). A reader that
	// gets one fills in the other when it is a Danish IBAN.
	FromReg     string
	FromAccount string
	FromIBAN    string
	// Date is the requested execution date (a civil date at midnight
	// UTC); zero means "as soon as possible".
	Date time.Time
	// Amount is in minor units of Currency (øre for DKK); always > 0.
	Amount   int64
	Currency string // ISO 4217, "DKK" when the file does not say
	// Transfer: the payee's registration and account number (10 digits).
	ToReg     string
	ToAccount string
	// Foreign: the payee's IBAN (or account number where the country has
	// no IBAN), BIC and country (ISO 3166 alpha-2).
	ToIBAN    string
	ToBIC     string
	ToCountry string
	// ToName and ToAddress are the payee's name and address line
	// (optional for Danish transfers, required for foreign ones).
	ToName    string
	ToAddress string
	// Slip: the type without "+" ("71"), the payment id (may be empty
	// for +01, +73) and the creditor number (+71/+73/+75) or giro
	// account (+01/+04/+15).
	SlipType      string
	SlipPaymentID string
	SlipCreditor  string
	// TextToSelf is the text on the payer's statement, TextToRecipient
	// the message to the payee.
	TextToSelf      string
	TextToRecipient string
	// EndToEndID is the file's own reference of the payment (pain.001
	// EndToEndId, the ERH reference field, the CSV "reference" column);
	// empty when the file has none.
	EndToEndID string
	// Instant asks for an instant transfer (straksoverførsel).
	Instant bool
}

// LineError is a line that could not be read.
type LineError struct {
	No int // as Line.No; 0 for an error about the whole file
	// Field names the field that is wrong ("beløb", "reg.nr.", …), in
	// Danish; empty when the line as a whole is wrong.
	Field string
	// Message says what is wrong, in Danish, for the customer.
	Message string
}

// Error returns "linje 3: beløb: Beløbet skal være større end 0."
func (e LineError) Error() string {
	s := ""
	if e.No > 0 {
		s = "linje " + strconv.Itoa(e.No) + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Message
}

// File is a payment file read into the neutral model.
type File struct {
	Format Format
	// MessageID is the file's own id (pain.001 MsgId); empty when the
	// format has none.
	MessageID string
	// Created is when the file says it was made (zero when it does not).
	Created time.Time
	// Payer is the initiating party's name (pain.001 InitgPty/Nm), if any.
	Payer string
	// Lines are the lines that could be read, in file order.
	Lines []Line
	// Errors are the lines that could not be read, in file order.
	Errors []LineError
}

// InterbankTransfer is one outgoing foreign transfer as the bank sends
// it to its correspondent bank: a pacs.008.001.08 FI-to-FI customer
// credit transfer with one transaction (Pacs008).
type InterbankTransfer struct {
	// MessageID (MsgId) and EndToEndID are at most 35 characters;
	// TransactionID (TxId) likewise. The payment id serves well.
	MessageID     string
	EndToEndID    string
	TransactionID string
	Created       time.Time // CreDtTm
	// SettlementDate is the interbank settlement date (IntrBkSttlmDt).
	SettlementDate time.Time
	// Amount and Currency are what the payee's bank is to receive
	// (IntrBkSttlmAmt, minor units of Currency).
	Amount   int64
	Currency string
	// ChargeBearer is "SHAR" (shared), "DEBT" (payer pays all) or "CRED".
	ChargeBearer string
	// The payer: name, address line, IBAN, and the bank's BIC.
	DebtorName    string
	DebtorAddress string
	DebtorCountry string
	DebtorIBAN    string
	DebtorBIC     string
	// The payee: name, address line, country, IBAN (or other account id)
	// and the payee's bank's BIC.
	CreditorName    string
	CreditorAddress string
	CreditorCountry string
	CreditorIBAN    string
	CreditorBIC     string
	// RemittanceInfo is the message to the payee (Ustrd, ≤ 140).
	RemittanceInfo string
	// InstructingBIC is this bank's BIC, InstructedBIC the correspondent's.
	InstructingBIC string
	InstructedBIC  string
}
