package iso8583

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/netbank/netbank"
)

// The message types (MTI) the bank handles, and their responses (request
// MTI + 10).
const (
	// MTIAuthorization is an authorization request: a purchase is held on
	// the account (0100 → 0110).
	MTIAuthorization = "0100"
	// MTIFinancial is a financial request: ATM cash, debited at once
	// (0200 → 0210).
	MTIFinancial = "0200"
	// MTICompletion is a completion advice: the merchant claims a prior
	// authorization with the final amount in field 4 and the original in
	// field 90 (0220 → 0230).
	MTICompletion = "0220"
	// MTIReversal is a reversal of an earlier message named in field 90
	// (0400 → 0410).
	MTIReversal = "0400"
	// MTINetwork is a network management request (echo test); the server
	// answers it itself with 0810 and response code 00.
	MTINetwork = "0800"
)

// Transaction types: the first two digits of the processing code, field 3.
const (
	// TypePurchase is a purchase of goods or services.
	TypePurchase = "00"
	// TypeCash is a cash withdrawal.
	TypeCash = "01"
	// TypeRefund is a refund from a merchant onto the card.
	TypeRefund = "20"
	// TypeBalanceInquiry asks for the balance (answered in field 54).
	TypeBalanceInquiry = "30"
)

// POS entry modes: the first two digits of field 22.
const (
	// EntryKeyed: the card number was keyed in.
	EntryKeyed = "01"
	// EntryChip: read from the chip.
	EntryChip = "05"
	// EntryContactless: contactless chip.
	EntryContactless = "07"
	// EntryCredentialOnFile: a card number the merchant keeps on file
	// (subscriptions, wallets at the merchant).
	EntryCredentialOnFile = "10"
	// EntryECommerce: an internet purchase.
	EntryECommerce = "81"
)

// POS condition codes, field 25.
const (
	// ConditionPresent: cardholder and card present.
	ConditionPresent = "00"
	// ConditionMailPhone: mail or telephone order.
	ConditionMailPhone = "08"
	// ConditionECommerce: electronic commerce.
	ConditionECommerce = "59"
)

// Tags of field 48 (TAG=VALUE pairs separated by ";").
const (
	// TagCVV2 carries the 3-digit CVV2 the cardholder typed.
	TagCVV2 = "CVV2"
	// TagCAVV carries the Visa Secure authentication value from the bank's
	// access control server.
	TagCAVV = "CAVV"
	// TagRecurring is "1" for a recurring payment (subscription).
	TagRecurring = "RECURRING"
)

// Response codes, field 39.
const (
	CodeApproved                     = "00" // approved
	CodeDoNotHonour                  = "05" // do not honour
	CodeInvalidTransaction           = "12" // invalid transaction
	CodeInvalidAmount                = "13" // invalid amount
	CodeInvalidCardNumber            = "14" // invalid card number
	CodeFormatError                  = "30" // format error
	CodeLostCard                     = "41" // lost card, pick up
	CodeStolenCard                   = "43" // stolen card, pick up
	CodeInsufficientFunds            = "51" // insufficient funds
	CodeExpiredCard                  = "54" // expired card
	CodeIncorrectPIN                 = "55" // incorrect PIN
	CodeNotPermitted                 = "57" // transaction not permitted to cardholder
	CodeExceedsWithdrawalLimit       = "61" // exceeds withdrawal amount limit
	CodeRestrictedCard               = "62" // restricted card (blocked, not activated)
	CodePINTriesExceeded             = "75" // allowable number of PIN tries exceeded
	CodeStrongAuthenticationRequired = "1A" // strong customer authentication required
	CodeDuplicate                    = "94" // duplicate transmission
	CodeSystemError                  = "96" // system malfunction
)

// responseCodes describes every response code the bank sends, in Danish
// for staff screens.
var responseCodes = map[string]string{
	CodeApproved:                     "Godkendt",
	CodeDoNotHonour:                  "Afvist",
	CodeInvalidTransaction:           "Ugyldig transaktion",
	CodeInvalidAmount:                "Ugyldigt beløb",
	CodeInvalidCardNumber:            "Ugyldigt kortnummer",
	CodeFormatError:                  "Formatfejl",
	CodeLostCard:                     "Kortet er meldt bortkommet",
	CodeStolenCard:                   "Kortet er meldt stjålet",
	CodeInsufficientFunds:            "Der er ikke dækning",
	CodeExpiredCard:                  "Kortet er udløbet",
	CodeIncorrectPIN:                 "Forkert PIN-kode",
	CodeNotPermitted:                 "Transaktionen er ikke tilladt for kortet",
	CodeExceedsWithdrawalLimit:       "Beløbsgrænsen for hævning er overskredet",
	CodeRestrictedCard:               "Kortet er spærret eller ikke aktiveret",
	CodePINTriesExceeded:             "For mange forkerte PIN-koder",
	CodeStrongAuthenticationRequired: "Stærk kundeautentifikation kræves",
	CodeDuplicate:                    "Dobbelt transaktion",
	CodeSystemError:                  "Systemfejl",
}

// ResponseCodeDanish describes a response code in Danish ("" if the bank
// does not use it).
func ResponseCodeDanish(code string) string { return responseCodes[code] }

// ResponseCodes returns every response code the bank sends, sorted.
func ResponseCodes() []string {
	out := make([]string, 0, len(responseCodes))
	for c := range responseCodes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Request is the typed, checked view of an incoming request: the fields
// the bank uses. Optional fields that were absent are "" (nil for Field48
// and Original).
type Request struct {
	// MTI is the message type: MTIAuthorization, MTIFinancial,
	// MTICompletion or MTIReversal.
	MTI string
	// PAN is field 2, the card number: 13 to 19 digits (Luhn is the
	// engine's check: a wrong one is answered 14).
	PAN string
	// ProcessingCode is field 3, 6 digits; TransactionType gives the first
	// two.
	ProcessingCode string
	// Amount is field 4 in minor units of Currency (for a completion: the
	// final amount).
	Amount int64
	// TransmissionTime is field 7, MMDDhhmmss (UTC).
	TransmissionTime string
	// STAN is field 11, the system trace audit number: 6 digits.
	STAN string
	// LocalTime is field 12, hhmmss at the terminal (optional).
	LocalTime string
	// LocalDate is field 13, MMDD at the terminal (optional).
	LocalDate string
	// Expiry is field 14, the card's expiry date YYMM (optional).
	Expiry string
	// MCC is field 18, the merchant category code: 4 digits.
	MCC string
	// POSEntryMode is field 22, 3 digits: entry mode (EntryMode) and PIN
	// capability (PINCapable).
	POSEntryMode string
	// POSCondition is field 25 (optional): ConditionPresent,
	// ConditionMailPhone, ConditionECommerce.
	POSCondition string
	// RRN is field 37, the retrieval reference number: 12 letters or
	// digits.
	RRN string
	// TerminalID is field 41: 8 characters.
	TerminalID string
	// MerchantID is field 42, the card acceptor id: 15 characters
	// (optional; spaces kept).
	MerchantID string
	// Merchant is field 43, name and location (optional).
	Merchant Merchant
	// Field48 holds the TAG=VALUE pairs of field 48 (optional): TagCVV2,
	// TagCAVV, TagRecurring and any others.
	Field48 map[string]string
	// Currency is field 49, the ISO 4217 numeric code (208 DKK, 978 EUR).
	Currency string
	// PINBlock is field 52, the encrypted PIN block as 16 hex characters
	// (optional); cardsec.DecodePINBlock reads it.
	PINBlock string
	// Original is field 90 (completions and reversals).
	Original *OriginalData
}

// TransactionType returns the first two digits of the processing code:
// TypePurchase, TypeCash, TypeRefund, TypeBalanceInquiry, or another the
// engine answers with 12.
func (r Request) TransactionType() string {
	if len(r.ProcessingCode) < 2 {
		return ""
	}
	return r.ProcessingCode[:2]
}

// EntryMode returns the first two digits of the POS entry mode: EntryKeyed,
// EntryChip, EntryContactless, EntryCredentialOnFile, EntryECommerce, ….
func (r Request) EntryMode() string {
	if len(r.POSEntryMode) < 2 {
		return ""
	}
	return r.POSEntryMode[:2]
}

// PINCapable reports whether the terminal can take a PIN: the third digit
// of the POS entry mode is 1 (2 means no PIN capability, 0 unknown).
func (r Request) PINCapable() bool {
	return len(r.POSEntryMode) == 3 && r.POSEntryMode[2] == '1'
}

// CVV2 returns the CVV2 of field 48, or "".
func (r Request) CVV2() string { return r.Field48[TagCVV2] }

// CAVV returns the Visa Secure authentication value of field 48, or "".
func (r Request) CAVV() string { return r.Field48[TagCAVV] }

// Recurring reports whether field 48 marks a recurring payment.
func (r Request) Recurring() bool { return r.Field48[TagRecurring] == "1" }

// Response is the engine's answer to a Request.
type Response struct {
	// Code is the response code, field 39 (one of the Code* constants).
	Code string
	// AuthCode is the authorization code, field 38: 6 letters or digits,
	// set on approvals ("" leaves the field out).
	AuthCode string
	// Balances go into field 54 (balance inquiries).
	Balances []Balance
}

// requiredAll lists the fields every request must carry, requiredMTI the
// extra ones per supported MTI.
var (
	requiredAll = []int{2, 3, 4, 7, 11, 37, 41, 49}
	requiredMTI = map[string][]int{
		MTIAuthorization: {18, 22},
		MTIFinancial:     {18, 22},
		MTICompletion:    {90},
		MTIReversal:      {90},
	}
)

// echoed are the request fields a response repeats (when the request had
// them), so the acquirer can match it.
var echoed = []int{2, 3, 4, 7, 11, 12, 13, 37, 41, 42, 49, 90}

// SupportedMTI reports whether the server hands requests of this MTI to
// the handler.
func SupportedMTI(mti string) bool {
	_, ok := requiredMTI[mti]
	return ok
}

// ParseRequest checks a received message and returns its typed view. The
// MTI must be a supported request; the required fields must be present
// (2, 3, 4, 7, 11, 37, 41, 49; and 18, 22 for 0100/0200; 90 for 0220/0400);
// every field the bank uses must have its format. Errors are EINVALID and
// name the field, never its value; the server answers them with 30.
func ParseRequest(m *Message) (Request, error) {
	var r Request
	mti, err := m.GetMTI()
	if err != nil || !SupportedMTI(mti) {
		return r, netbank.Errorf(netbank.EINVALID, "Meddelelsestypen understøttes ikke")
	}
	r.MTI = mti
	get := func(id int) (string, error) {
		v, err := m.GetString(id)
		if err != nil {
			return "", fieldErr(id, "kan ikke læses")
		}
		return v, nil
	}
	for _, id := range append(append([]int{}, requiredAll...), requiredMTI[mti]...) {
		if f := m.GetField(id); f == nil {
			return r, fieldErr(id, "mangler")
		}
	}

	checks := []struct {
		id    int
		dst   *string
		check func(string) string // "" if fine, else the Danish problem
	}{
		{2, &r.PAN, digitsBetween(13, 19)},
		{7, &r.TransmissionTime, digitsExactly(10)},
		{11, &r.STAN, digitsExactly(6)},
		{12, &r.LocalTime, digitsExactly(6)},
		{13, &r.LocalDate, digitsExactly(4)},
		{14, &r.Expiry, expiryYYMM},
		{18, &r.MCC, digitsExactly(4)},
		{22, &r.POSEntryMode, digitsExactly(3)},
		{25, &r.POSCondition, digitsExactly(2)},
		{37, &r.RRN, alnumExactly(12)},
		{41, &r.TerminalID, printableExactly(8)},
		{42, &r.MerchantID, printableExactly(15)},
		{49, &r.Currency, digitsExactly(3)},
		{52, &r.PINBlock, hexExactly(16)},
	}
	for _, c := range checks {
		v, err := get(c.id)
		if err != nil {
			return r, err
		}
		if m.GetField(c.id) == nil {
			continue
		}
		if p := c.check(v); p != "" {
			return r, fieldErr(c.id, p)
		}
		*c.dst = v
	}

	// Field 3 is numeric: moov-io gives it without its leading zeros.
	if v, err := get(3); err != nil {
		return r, err
	} else if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 999999 {
		return r, fieldErr(3, "skal være 6 cifre")
	} else {
		r.ProcessingCode = fmt.Sprintf("%06d", n)
	}
	// Field 4 is left-padded with zeros, which moov-io strips.
	if v, err := get(4); err != nil {
		return r, err
	} else if v != "" && (len(v) > 12 || !isDigits(v)) {
		return r, fieldErr(4, "skal være op til 12 cifre")
	} else if v != "" {
		r.Amount, _ = strconv.ParseInt(v, 10, 64)
	}
	if m.GetField(43) != nil {
		v, err := get(43)
		if err != nil {
			return r, err
		}
		if r.Merchant, err = ParseMerchant(v); err != nil {
			return r, err
		}
	}
	if m.GetField(48) != nil {
		v, err := get(48)
		if err != nil {
			return r, err
		}
		if r.Field48, err = ParseField48(v); err != nil {
			return r, err
		}
	}
	if m.GetField(90) != nil {
		v, err := get(90)
		if err != nil {
			return r, err
		}
		o, err := ParseOriginalData(v)
		if err != nil {
			return r, err
		}
		r.Original = &o
	}
	return r, nil
}

// BuildRequest makes the message for r (the terminal simulator's side): the
// fields that are set, checked by ParseRequest before it is returned.
func BuildRequest(r Request) (*Message, error) {
	m := NewMessage(r.MTI)
	set := func(id int, v string) error {
		if v == "" {
			return nil
		}
		if err := m.Field(id, v); err != nil {
			return fieldErr(id, "kan ikke sættes")
		}
		return nil
	}
	if r.ProcessingCode != "" {
		if len(r.ProcessingCode) != 6 || !isDigits(r.ProcessingCode) {
			return nil, fieldErr(3, "skal være 6 cifre")
		}
	}
	if r.Amount < 0 || r.Amount > 999_999_999_999 {
		return nil, fieldErr(4, "skal være op til 12 cifre")
	}
	merchant := ""
	if r.Merchant != (Merchant{}) {
		var err error
		if merchant, err = r.Merchant.Format(); err != nil {
			return nil, err
		}
	}
	f48, err := FormatField48(r.Field48)
	if err != nil {
		return nil, err
	}
	f90 := ""
	if r.Original != nil {
		if f90, err = r.Original.Format(); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		id int
		v  string
	}{
		{2, r.PAN}, {3, r.ProcessingCode}, {4, fmt.Sprintf("%012d", r.Amount)},
		{7, r.TransmissionTime}, {11, r.STAN}, {12, r.LocalTime}, {13, r.LocalDate},
		{14, r.Expiry}, {18, r.MCC}, {22, r.POSEntryMode}, {25, r.POSCondition},
		{37, r.RRN}, {41, r.TerminalID}, {42, r.MerchantID}, {43, merchant},
		{48, f48}, {49, r.Currency}, {52, r.PINBlock}, {90, f90},
	} {
		if err := set(f.id, f.v); err != nil {
			return nil, err
		}
	}
	if _, err := ParseRequest(m); err != nil {
		return nil, err
	}
	return m, nil
}

// ResponseMTI returns the MTI of the response to a request MTI: the
// message function digit plus one (0100 → 0110, 0220 → 0230, 0400 →
// 0410), or "" if mti is not a request, advice or notification.
func ResponseMTI(mti string) string {
	if len(mti) != 4 || !isDigits(mti) || (mti[2]-'0')%2 != 0 {
		return ""
	}
	return mti[:2] + string(mti[2]+1) + mti[3:]
}

// BuildResponse makes the answer to req: MTI + 10, the echoed fields of
// the request (2, 3, 4, 7, 11, 12, 13, 37, 41, 42, 49, 90 when present),
// field 39 = resp.Code, 38 = resp.AuthCode when set, 54 = resp.Balances
// when any. An unknown response code, a malformed auth code or balance is
// an error; the server then answers 96.
func BuildResponse(req Request, resp Response) (*Message, error) {
	if ResponseCodeDanish(resp.Code) == "" {
		return nil, fieldErr(39, "ukendt svarkode")
	}
	if resp.AuthCode != "" && alnumExactly(6)(resp.AuthCode) != "" {
		return nil, fieldErr(38, "skal være 6 bogstaver eller cifre")
	}
	mti := ResponseMTI(req.MTI)
	if mti == "" {
		return nil, netbank.Errorf(netbank.EINVALID, "Meddelelsestypen understøttes ikke")
	}
	m := NewMessage(mti)
	values := map[int]string{
		2: req.PAN, 3: req.ProcessingCode, 7: req.TransmissionTime, 11: req.STAN,
		12: req.LocalTime, 13: req.LocalDate, 37: req.RRN, 41: req.TerminalID,
		42: req.MerchantID, 49: req.Currency, 4: fmt.Sprintf("%012d", req.Amount),
	}
	if req.Original != nil {
		v, err := req.Original.Format()
		if err != nil {
			return nil, err
		}
		values[90] = v
	}
	for _, id := range echoed {
		if v := values[id]; v != "" {
			if err := m.Field(id, v); err != nil {
				return nil, fieldErr(id, "kan ikke sættes")
			}
		}
	}
	if err := m.Field(39, resp.Code); err != nil {
		return nil, fieldErr(39, "kan ikke sættes")
	}
	if resp.AuthCode != "" {
		if err := m.Field(38, resp.AuthCode); err != nil {
			return nil, fieldErr(38, "kan ikke sættes")
		}
	}
	if len(resp.Balances) > 0 {
		v, err := FormatBalances(resp.Balances)
		if err != nil {
			return nil, err
		}
		if err := m.Field(54, v); err != nil {
			return nil, fieldErr(54, "kan ikke sættes")
		}
	}
	return m, nil
}

// ParseResponse reads the answer fields of a response (the client's side):
// 39 (required, a known code), 38 and 54 when present.
func ParseResponse(m *Message) (Response, error) {
	var r Response
	code, err := m.GetString(39)
	if err != nil || ResponseCodeDanish(code) == "" {
		return r, fieldErr(39, "mangler eller er en ukendt svarkode")
	}
	r.Code = code
	if m.GetField(38) != nil {
		v, err := m.GetString(38)
		if err != nil || alnumExactly(6)(v) != "" {
			return r, fieldErr(38, "skal være 6 bogstaver eller cifre")
		}
		r.AuthCode = v
	}
	if m.GetField(54) != nil {
		v, err := m.GetString(54)
		if err != nil {
			return r, fieldErr(54, "kan ikke læses")
		}
		if r.Balances, err = ParseBalances(v); err != nil {
			return r, err
		}
	}
	return r, nil
}

// fieldErr is the EINVALID error about field id.
func fieldErr(id int, problem string) error {
	return netbank.Errorf(netbank.EINVALID, "Felt %d %s", id, problem)
}

// Field format checks: each returns "" or the Danish problem.

func digitsExactly(n int) func(string) string {
	return func(v string) string {
		if len(v) != n || !isDigits(v) {
			return fmt.Sprintf("skal være %d cifre", n)
		}
		return ""
	}
}

func digitsBetween(lo, hi int) func(string) string {
	return func(v string) string {
		if len(v) < lo || len(v) > hi || !isDigits(v) {
			return fmt.Sprintf("skal være %d til %d cifre", lo, hi)
		}
		return ""
	}
}

func alnumExactly(n int) func(string) string {
	return func(v string) string {
		if len(v) != n {
			return fmt.Sprintf("skal være %d bogstaver eller cifre", n)
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if (c < '0' || c > '9') && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
				return fmt.Sprintf("skal være %d bogstaver eller cifre", n)
			}
		}
		return ""
	}
}

func printableExactly(n int) func(string) string {
	return func(v string) string {
		if len(v) != n || !isPrintable(v) {
			return fmt.Sprintf("skal være %d skrivbare tegn", n)
		}
		return ""
	}
}

func hexExactly(n int) func(string) string {
	return func(v string) string {
		if len(v) != n {
			return fmt.Sprintf("skal være %d hexadecimale tegn", n)
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if (c < '0' || c > '9') && (c < 'A' || c > 'F') && (c < 'a' || c > 'f') {
				return fmt.Sprintf("skal være %d hexadecimale tegn", n)
			}
		}
		return ""
	}
}

func expiryYYMM(v string) string {
	if len(v) != 4 || !isDigits(v) {
		return "skal være ÅÅMM (4 cifre)"
	}
	if mm := v[2:]; mm < "01" || mm > "12" {
		return "skal være ÅÅMM med måned 01-12"
	}
	return ""
}

// isDigits reports whether s is non-empty ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPrintable reports whether s is printable ASCII (space to tilde).
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}
