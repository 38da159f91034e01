package iso8583

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
)

// Layout of field 43, card acceptor name/location: 40 characters.
const (
	// MerchantNameLength is the width of the name, positions 1–25.
	MerchantNameLength = 25
	// MerchantCityLength is the width of the city, positions 26–38.
	MerchantCityLength = 13
	// MerchantCountryLength is the width of the country code, positions
	// 39–40 (ISO 3166 alpha-2).
	MerchantCountryLength = 2
	merchantLength        = MerchantNameLength + MerchantCityLength + MerchantCountryLength
)

// Merchant is field 43: where the card was used.
type Merchant struct {
	// Name is the merchant's name as the cardholder sees it, up to 25
	// characters.
	Name string
	// City is up to 13 characters.
	City string
	// Country is the ISO 3166-1 alpha-2 code, e.g. "DK".
	Country string
}

// ParseMerchant reads field 43: name (25), city (13), country (2), each
// padded on the right with spaces, which are removed. Every character must
// be printable ASCII and the country two letters A–Z.
func ParseMerchant(s string) (Merchant, error) {
	if len(s) != merchantLength || !isPrintable(s) {
		return Merchant{}, fieldErr(43, fmt.Sprintf("skal være %d skrivbare tegn", merchantLength))
	}
	m := Merchant{
		Name:    strings.TrimRight(s[:MerchantNameLength], " "),
		City:    strings.TrimRight(s[MerchantNameLength:MerchantNameLength+MerchantCityLength], " "),
		Country: s[MerchantNameLength+MerchantCityLength:],
	}
	if !isUpperLetters(m.Country) {
		return Merchant{}, fieldErr(43, "skal slutte med en landekode på 2 bogstaver")
	}
	return m, nil
}

// Format writes m as field 43, padding each part with spaces.
func (m Merchant) Format() (string, error) {
	if len(m.Name) > MerchantNameLength || len(m.City) > MerchantCityLength || !isPrintable(m.Name+m.City) {
		return "", fieldErr(43, "navn højst 25 og by højst 13 skrivbare tegn")
	}
	if len(m.Country) != MerchantCountryLength || !isUpperLetters(m.Country) {
		return "", fieldErr(43, "skal slutte med en landekode på 2 bogstaver")
	}
	return fmt.Sprintf("%-*s%-*s%s", MerchantNameLength, m.Name, MerchantCityLength, m.City, m.Country), nil
}

// maxTagLength bounds a field 48 tag.
const maxTagLength = 20

// ParseField48 reads field 48, private data: TAG=VALUE pairs separated by
// ";", strictly. A tag is 1–20 characters A–Z, 0–9 and "_"; a value is 1 or
// more printable ASCII characters without ";" (it may contain "=", as
// base64 does: the pair splits at the first "="). One ";" after the last
// pair is allowed, empty pairs are not, nor is a tag given twice. Known tags
// must have their format: CVV2 3 digits, RECURRING "0" or "1", CAVV 1–64
// letters, digits or "+/=-_". Other tags are kept as they are.
func ParseField48(s string) (map[string]string, error) {
	if s == "" {
		return nil, fieldErr(48, "er tomt")
	}
	if !isPrintable(s) {
		return nil, fieldErr(48, "må kun indeholde skrivbare tegn")
	}
	s = strings.TrimSuffix(s, ";")
	out := make(map[string]string)
	for _, pair := range strings.Split(s, ";") {
		tag, value, ok := strings.Cut(pair, "=")
		if !ok || !validTag(tag) || value == "" {
			return nil, fieldErr(48, "skal være TAG=VÆRDI-par adskilt af semikolon")
		}
		if _, dup := out[tag]; dup {
			return nil, fieldErr(48, "har samme tag flere gange")
		}
		if p := checkTagValue(tag, value); p != "" {
			return nil, fieldErr(48, p)
		}
		out[tag] = value
	}
	return out, nil
}

// FormatField48 writes pairs as field 48, tags in alphabetical order, or ""
// for none. The pairs must be what ParseField48 accepts.
func FormatField48(pairs map[string]string) (string, error) {
	if len(pairs) == 0 {
		return "", nil
	}
	tags := make([]string, 0, len(pairs))
	for t := range pairs {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	parts := make([]string, len(tags))
	for i, t := range tags {
		v := pairs[t]
		if !validTag(t) || v == "" || !isPrintable(v) || strings.Contains(v, ";") {
			return "", fieldErr(48, "skal være TAG=VÆRDI-par adskilt af semikolon")
		}
		if p := checkTagValue(t, v); p != "" {
			return "", fieldErr(48, p)
		}
		parts[i] = t + "=" + v
	}
	return strings.Join(parts, ";"), nil
}

// validTag reports whether t is a field 48 tag.
func validTag(t string) bool {
	if t == "" || len(t) > maxTagLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// checkTagValue checks the value of a known tag; "" if fine.
func checkTagValue(tag, v string) string {
	switch tag {
	case TagCVV2:
		if len(v) != 3 || !isDigits(v) {
			return "CVV2 skal være 3 cifre"
		}
	case TagRecurring:
		if v != "0" && v != "1" {
			return "RECURRING skal være 0 eller 1"
		}
	case TagCAVV:
		if len(v) > 64 {
			return "CAVV er for lang"
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if (c < '0' || c > '9') && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && !strings.ContainsRune("+/=-_", rune(c)) {
				return "CAVV indeholder ugyldige tegn"
			}
		}
	}
	return ""
}

// Field 54, additional amounts (ISO 8583:1987): up to 6 amounts of 20
// characters each.
const (
	balanceLength = 20
	maxBalances   = 6
	maxAmount54   = 999_999_999_999
)

// Account types of field 54 (positions 1–2).
const (
	// AccountUnspecified is account type 00.
	AccountUnspecified = "00"
	// AccountSavings is account type 10.
	AccountSavings = "10"
	// AccountChecking is account type 20, a current account (the
	// Visa Debit card's).
	AccountChecking = "20"
	// AccountCredit is account type 30.
	AccountCredit = "30"
)

// Amount types of field 54 (positions 3–4).
const (
	// AmountLedger is the ledger (booked) balance, amount type 01.
	AmountLedger = "01"
	// AmountAvailable is the available balance (booked minus holds plus
	// overdraft), amount type 02.
	AmountAvailable = "02"
)

// Balance is one amount of field 54.
type Balance struct {
	// AccountType is 2 digits: AccountChecking for the card's account.
	AccountType string
	// AmountType is 2 digits: AmountLedger or AmountAvailable.
	AmountType string
	// Currency is the ISO 4217 numeric code, e.g. "208".
	Currency string
	// Amount is in minor units of Currency; negative for a debit
	// balance (sign D on the wire), positive or zero for credit (C).
	Amount int64
}

// ParseBalances reads field 54: one or more (at most 6) amounts of 20
// characters: account type (2 digits), amount type (2 digits), currency
// code (3 digits), sign C (credit) or D (debit), amount (12 digits, minor
// units).
func ParseBalances(s string) ([]Balance, error) {
	if s == "" || len(s)%balanceLength != 0 || len(s)/balanceLength > maxBalances {
		return nil, fieldErr(54, "skal være 1 til 6 beløb på 20 tegn")
	}
	var out []Balance
	for i := 0; i < len(s); i += balanceLength {
		e := s[i : i+balanceLength]
		acct, typ, cur, sign, amt := e[0:2], e[2:4], e[4:7], e[7], e[8:20]
		if !isDigits(acct) || !isDigits(typ) || !isDigits(cur) || !isDigits(amt) || (sign != 'C' && sign != 'D') {
			return nil, fieldErr(54, "har et beløb i forkert format")
		}
		n, _ := strconv.ParseInt(amt, 10, 64)
		if sign == 'D' {
			n = -n
		}
		out = append(out, Balance{AccountType: acct, AmountType: typ, Currency: cur, Amount: n})
	}
	return out, nil
}

// FormatBalances writes field 54 from 1 to 6 balances.
func FormatBalances(bs []Balance) (string, error) {
	if len(bs) == 0 || len(bs) > maxBalances {
		return "", fieldErr(54, "skal have 1 til 6 beløb")
	}
	var b strings.Builder
	for _, x := range bs {
		if len(x.AccountType) != 2 || !isDigits(x.AccountType) || len(x.AmountType) != 2 || !isDigits(x.AmountType) ||
			len(x.Currency) != 3 || !isDigits(x.Currency) {
			return "", fieldErr(54, "har et beløb i forkert format")
		}
		sign, n := byte('C'), x.Amount
		if n < 0 {
			sign = 'D'
			if n < -maxAmount54 {
				return "", fieldErr(54, "har et beløb over 12 cifre")
			}
			n = -n
		}
		if n > maxAmount54 {
			return "", fieldErr(54, "har et beløb over 12 cifre")
		}
		fmt.Fprintf(&b, "%s%s%s%c%012d", x.AccountType, x.AmountType, x.Currency, sign, n)
	}
	return b.String(), nil
}

// OriginalData is field 90, original data elements (ISO 8583:1987, 42
// digits): which earlier message a completion or reversal refers to.
type OriginalData struct {
	// MTI of the original message (4 digits), e.g. "0100".
	MTI string
	// STAN of the original message (6 digits).
	STAN string
	// TransmissionTime of the original message, field 7 (10 digits,
	// MMDDhhmmss).
	TransmissionTime string
	// Acquirer is the original acquiring institution id (11 digits,
	// zero-filled; "00000000000" if not used).
	Acquirer string
	// Forwarder is the original forwarding institution id (11 digits).
	Forwarder string
}

// ParseOriginalData reads field 90: MTI (4), STAN (6), transmission date
// and time (10), acquirer (11), forwarder (11), all digits.
func ParseOriginalData(s string) (OriginalData, error) {
	if len(s) != 42 || !isDigits(s) {
		return OriginalData{}, fieldErr(90, "skal være 42 cifre")
	}
	return OriginalData{MTI: s[0:4], STAN: s[4:10], TransmissionTime: s[10:20], Acquirer: s[20:31], Forwarder: s[31:42]}, nil
}

// Format writes o as field 90; empty Acquirer and Forwarder become zeros.
func (o OriginalData) Format() (string, error) {
	acq, fwd := o.Acquirer, o.Forwarder
	if acq == "" {
		acq = strings.Repeat("0", 11)
	}
	if fwd == "" {
		fwd = strings.Repeat("0", 11)
	}
	s := o.MTI + o.STAN + o.TransmissionTime + acq + fwd
	if len(o.MTI) != 4 || len(o.STAN) != 6 || len(o.TransmissionTime) != 10 || len(acq) != 11 || len(fwd) != 11 || !isDigits(s) {
		return "", netbank.Errorf(netbank.EINVALID, "Felt 90 skal være MTI (4), STAN (6), tidspunkt (10) og to institutions-id'er (11) i cifre")
	}
	return s, nil
}

// isUpperLetters reports whether s is non-empty ASCII A–Z.
func isUpperLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
