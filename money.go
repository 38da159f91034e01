package netbank

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Currency is an ISO 4217 currency: its alphabetic code, its numeric code
// (three digits, as sent in ISO 8583 field 49) and its exponent, the number
// of decimals of its minor unit (2 for DKK: 1 krone = 100 øre; 0 for JPY).
type Currency struct {
	Code     string
	Numeric  string
	Exponent int
}

// currencyList is the registry of currencies the bank knows.
var currencyList = []Currency{
	{"AUD", "036", 2},
	{"BHD", "048", 3},
	{"CAD", "124", 2},
	{"CHF", "756", 2},
	{"CZK", "203", 2},
	{"DKK", "208", 2},
	{"EUR", "978", 2},
	{"GBP", "826", 2},
	{"HUF", "348", 2},
	{"ISK", "352", 0},
	{"JPY", "392", 0},
	{"KWD", "414", 3},
	{"NOK", "578", 2},
	{"PLN", "985", 2},
	{"SEK", "752", 2},
	{"USD", "840", 2},
}

var (
	currencyByCode    = make(map[string]Currency, len(currencyList))
	currencyByNumeric = make(map[string]Currency, len(currencyList))
)

func init() {
	for _, c := range currencyList {
		currencyByCode[c.Code] = c
		currencyByNumeric[c.Numeric] = c
	}
}

// LookupCurrency returns the currency with the given alphabetic ISO 4217 code.
// The code is matched case-insensitively, ignoring surrounding spaces ("dkk"
// finds DKK). An unknown code is an EINVALID error.
func LookupCurrency(code string) (Currency, error) {
	if c, ok := currencyByCode[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return c, nil
	}
	if len(code) > 10 {
		code = code[:10] + "…"
	}
	return Currency{}, Errorf(EINVALID, "Ukendt valuta %q", code)
}

// CurrencyByNumeric returns the currency with the given numeric ISO 4217 code,
// written with exactly three digits as in ISO 8583 field 49 ("208" for DKK,
// "036" for AUD). Anything else is an EINVALID error.
func CurrencyByNumeric(n string) (Currency, error) {
	if c, ok := currencyByNumeric[n]; ok {
		return c, nil
	}
	if len(n) > 10 {
		n = n[:10] + "…"
	}
	return Currency{}, Errorf(EINVALID, "Ukendt valutakode %q", n)
}

// Currencies returns every currency the bank knows, sorted by code.
func Currencies() []Currency {
	return slices.Clone(currencyList)
}

// Money is an amount in minor units (øre for DKK, cents for EUR, yen for JPY)
// of one currency, identified by its upper-case ISO 4217 code. It never uses
// floating point.
//
// Amounts produced by this package (ParseAmount, Add, Sub) stay within
// ±math.MaxInt64, so Neg is always exact for them; math.MinInt64 is never
// produced.
type Money struct {
	Amount   int64
	Currency string
}

// NewMoney returns minor units of the given currency. The code is upper-cased
// but not checked; use LookupCurrency to check it.
func NewMoney(minor int64, currency string) Money {
	return Money{Amount: minor, Currency: strings.ToUpper(currency)}
}

// Add returns m + o. It returns an EINVALID error if the currencies differ or
// the sum does not fit in ±math.MaxInt64 minor units.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, Errorf(EINVALID, "Beløb i %s og %s kan ikke lægges sammen", m.Currency, o.Currency)
	}
	s := m.Amount + o.Amount
	if (o.Amount > 0 && s < m.Amount) || (o.Amount < 0 && s > m.Amount) || s == math.MinInt64 {
		return Money{}, Errorf(EINVALID, "Beløbet er for stort")
	}
	return Money{Amount: s, Currency: m.Currency}, nil
}

// Sub returns m - o. It returns an EINVALID error if the currencies differ or
// the difference does not fit in ±math.MaxInt64 minor units.
func (m Money) Sub(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, Errorf(EINVALID, "Beløb i %s og %s kan ikke trækkes fra hinanden", m.Currency, o.Currency)
	}
	d := m.Amount - o.Amount
	if (o.Amount > 0 && d > m.Amount) || (o.Amount < 0 && d < m.Amount) || d == math.MinInt64 {
		return Money{}, Errorf(EINVALID, "Beløbet er for stort")
	}
	return Money{Amount: d, Currency: m.Currency}, nil
}

// Neg returns -m. (For the one amount that has no negation, math.MinInt64,
// which this package never produces, it returns m unchanged.)
func (m Money) Neg() Money {
	if m.Amount == math.MinInt64 {
		return m
	}
	return Money{Amount: -m.Amount, Currency: m.Currency}
}

// IsZero reports whether the amount is zero (in any currency).
func (m Money) IsZero() bool { return m.Amount == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.Amount < 0 }

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o. Amounts in
// different currencies cannot be compared without an exchange rate, so a
// currency mismatch is an EINVALID error rather than a silent answer.
func (m Money) Cmp(o Money) (int, error) {
	if m.Currency != o.Currency {
		return 0, Errorf(EINVALID, "Beløb i %s og %s kan ikke sammenlignes", m.Currency, o.Currency)
	}
	switch {
	case m.Amount < o.Amount:
		return -1, nil
	case m.Amount > o.Amount:
		return 1, nil
	}
	return 0, nil
}

// exponent returns the number of decimals of m's currency, or 2 if the
// currency is unknown.
func (m Money) exponent() int {
	if c, ok := currencyByCode[m.Currency]; ok {
		return c.Exponent
	}
	return 2
}

// String formats m the Danish way: "1.234,56 kr." for DKK, "1.234,56 EUR"
// for other currencies, "-1.234,56 kr." when negative, with as many decimals
// as the currency has ("1.235 JPY", "1.234,567 KWD"). An unknown currency is
// formatted with two decimals. ParseAmount accepts the result.
func (m Money) String() string {
	s := FormatAmount(m.Amount, m.exponent())
	switch m.Currency {
	case "DKK":
		return s + " kr."
	case "":
		return s
	}
	return s + " " + m.Currency
}

// FormatEnglish formats m the English way, code first: "DKK 1,234.56",
// "DKK -1,234.56", "JPY 1,235".
func (m Money) FormatEnglish() string {
	s := formatGrouped(m.Amount, m.exponent(), ',', '.')
	if m.Currency == "" {
		return s
	}
	return m.Currency + " " + s
}

// FormatAmount formats minor units with the given number of decimals the
// Danish way, without a currency: "." between groups of three digits and ","
// before the decimals, e.g. FormatAmount(123456, 2) == "1.234,56",
// FormatAmount(-5, 2) == "-0,05", FormatAmount(1235, 0) == "1.235". A
// negative exponent counts as 0.
func FormatAmount(minor int64, exponent int) string {
	return formatGrouped(minor, exponent, '.', ',')
}

// formatGrouped formats minor units with thousands separator sep and decimal
// mark dec.
func formatGrouped(minor int64, exponent int, sep, dec byte) string {
	if exponent < 0 {
		exponent = 0
	}
	mag := uint64(minor)
	if minor < 0 {
		mag = -mag // two's complement: exact even for math.MinInt64
	}
	digits := strconv.FormatUint(mag, 10)
	if len(digits) <= exponent {
		digits = strings.Repeat("0", exponent+1-len(digits)) + digits
	}
	intPart, frac := digits[:len(digits)-exponent], digits[len(digits)-exponent:]

	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3 + 2)
	if minor < 0 {
		b.WriteByte('-')
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteByte(intPart[i])
	}
	if exponent > 0 {
		b.WriteByte(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// maxAmountInput is the longest input ParseAmount looks at, in bytes.
const maxAmountInput = 100

// Messages ParseAmount returns (Danish: they are shown to the user as is).
const (
	msgAmountEmpty     = "Angiv et beløb"
	msgAmountNotNumber = "Beløbet skal skrives som et tal, f.eks. 1.234,56"
	msgDecimalComma    = "Brug komma som decimaltegn, f.eks. 1234,56"
	msgGrouping        = "Punktum bruges kun som tusindtalsseparator for hvert tredje ciffer, f.eks. 1.234.567,89; brug komma som decimaltegn"
	msgOneComma        = "Beløbet må kun have ét komma (decimaltegnet), f.eks. 1.234,56"
	msgNoIntegerPart   = "Skriv et tal før kommaet, f.eks. 0,50"
	msgNoDecimals      = "Skriv decimalerne efter kommaet, f.eks. 1234,50, eller udelad kommaet"
	msgAmountTooLarge  = "Beløbet er for stort"
	msgAmountTooLong   = "Beløbet er for langt"
)

// isSpaceSep reports whether r may separate groups of thousands: a space, a
// non-breaking space or a narrow non-breaking space.
func isSpaceSep(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' }

// isKroner reports whether "kr" is the everyday symbol of the currency.
func isKroner(code string) bool {
	switch code {
	case "DKK", "NOK", "SEK", "ISK":
		return true
	}
	return false
}

// ParseAmount parses an amount as a Danish user types it, in the given
// currency (an ISO 4217 code, case-insensitive), and returns it in minor
// units. The rules:
//
//   - The decimal mark is a comma, followed by 1 up to the currency's
//     exponent digits: "1234,5" is 1234,50; "1234,56" and "0,01" are fine;
//     "12,345" is refused for a two-decimal currency, and any comma is
//     refused for JPY or ISK. At most one comma; "1234," and ",50" are
//     refused.
//   - A "." is accepted only as a thousands separator between correct groups
//     of three digits ("1.234,56", "12.345.678"), so "1.234" is one thousand
//     two hundred and thirty-four. "1234.56" is refused with a message to use
//     the comma as decimal mark; "1.23,45" is refused for bad grouping.
//   - Spaces, non-breaking spaces (U+00A0) and narrow non-breaking spaces
//     (U+202F) may be used as thousands separators instead, under the same
//     grouping rule ("1 234,56"); one kind of separator per amount.
//   - An optional leading "-" (or the minus sign U+2212) or "+", directly
//     before the first digit.
//   - An optional trailing currency: the currency's own code
//     (case-insensitive) or, for kroner currencies (DKK, NOK, SEK, ISK), "kr"
//     or "kr."; with or without a space before it. Another currency's code is
//     refused. A leading currency code is not accepted.
//   - Surrounding white space is ignored; only ASCII digits count.
//   - The amount must fit in ±math.MaxInt64 minor units.
//
// Every refusal is an EINVALID error with a Danish message fit to show the
// user. ParseAmount accepts what FormatAmount and String produce, and gives
// back the same amount.
func ParseAmount(s string, currency string) (Money, error) {
	cur, err := LookupCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	if len(s) > maxAmountInput {
		return Money{}, Errorf(EINVALID, msgAmountTooLong)
	}
	if !utf8.ValidString(s) {
		return Money{}, Errorf(EINVALID, msgAmountNotNumber)
	}
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" {
		return Money{}, Errorf(EINVALID, msgAmountEmpty)
	}

	// Split off the trailing currency: the number is the longest prefix of
	// sign, digits, separators and marks.
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '.' || r == ',' || r == '-' || r == '+' || r == '\u2212' || isSpaceSep(r))
	})
	number, unit := s, ""
	if end >= 0 {
		number, unit = strings.TrimRightFunc(s[:end], isSpaceSep), s[end:]
	}
	if unit != "" {
		u := strings.ToUpper(unit)
		switch {
		case u == cur.Code, isKroner(cur.Code) && (u == "KR" || u == "KR."):
		default:
			if other, ok := currencyByCode[u]; ok {
				return Money{}, Errorf(EINVALID, "Beløbet er angivet i %s, men skal være i %s", other.Code, cur.Code)
			}
			return Money{}, Errorf(EINVALID, msgAmountNotNumber)
		}
	}
	if number == "" {
		return Money{}, Errorf(EINVALID, msgAmountNotNumber)
	}

	neg := false
	switch {
	case strings.HasPrefix(number, "-"):
		neg, number = true, number[1:]
	case strings.HasPrefix(number, "\u2212"):
		neg, number = true, number[len("\u2212"):]
	case strings.HasPrefix(number, "+"):
		number = number[1:]
	}
	if number == "" || number[0] < '0' || number[0] > '9' {
		if number != "" && number[0] == ',' {
			return Money{}, Errorf(EINVALID, msgNoIntegerPart)
		}
		return Money{}, Errorf(EINVALID, msgAmountNotNumber)
	}

	intPart, frac, hasComma := strings.Cut(number, ",")
	if strings.Contains(frac, ",") {
		return Money{}, Errorf(EINVALID, msgOneComma)
	}
	if hasComma {
		if strings.Contains(frac, ".") {
			return Money{}, Errorf(EINVALID, msgDecimalComma) // "1,234.56"
		}
		if frac == "" {
			return Money{}, Errorf(EINVALID, msgNoDecimals)
		}
		if !allDigits(frac) {
			return Money{}, Errorf(EINVALID, msgAmountNotNumber)
		}
		if len(frac) > cur.Exponent {
			if cur.Exponent == 0 {
				return Money{}, Errorf(EINVALID, "%s har ingen decimaler; skriv et helt tal, f.eks. 1235", cur.Code)
			}
			return Money{}, Errorf(EINVALID, "For mange decimaler: %s har højst %d decimaler", cur.Code, cur.Exponent)
		}
	}

	digits, err := ungroup(intPart, hasComma)
	if err != nil {
		return Money{}, err
	}

	// value = digits * 10^exponent + frac (padded), checked against MaxInt64.
	var v uint64
	const limit = math.MaxInt64
	push := func(c byte) bool {
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return false
		}
		v = v*10 + d
		return true
	}
	for i := range len(digits) {
		if !push(digits[i]) {
			return Money{}, Errorf(EINVALID, msgAmountTooLarge)
		}
	}
	for i := range cur.Exponent {
		c := byte('0')
		if i < len(frac) {
			c = frac[i]
		}
		if !push(c) {
			return Money{}, Errorf(EINVALID, msgAmountTooLarge)
		}
	}
	amount := int64(v)
	if neg {
		amount = -amount
	}
	return Money{Amount: amount, Currency: cur.Code}, nil
}

// allDigits reports whether s is made of ASCII digits only (true for "").
func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ungroup checks the integer part of an amount (non-empty, starting with a
// digit) and returns its digits without thousands separators. hasComma tells
// whether a decimal comma followed, to choose the clearer message.
func ungroup(s string, hasComma bool) (string, error) {
	if allDigits(s) {
		return s, nil
	}
	// Find the separator: the first non-digit.
	sepIdx := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	sep, _ := utf8.DecodeRuneInString(s[sepIdx:])
	if sep != '.' && !isSpaceSep(sep) {
		return "", Errorf(EINVALID, msgAmountNotNumber)
	}
	groups := strings.Split(s, string(sep))
	bad := false
	for i, g := range groups {
		switch {
		case !allDigits(g):
			bad = true // another separator or a stray sign
		case i == 0:
			bad = bad || len(g) < 1 || len(g) > 3 || g[0] == '0'
		default:
			bad = bad || len(g) != 3
		}
	}
	if !bad {
		return strings.Join(groups, ""), nil
	}
	// "1234.56" or "12.5": a decimal point where a comma belongs.
	if last := groups[len(groups)-1]; sep == '.' && !hasComma && len(groups) == 2 && len(last) != 3 && allDigits(last) && allDigits(groups[0]) {
		return "", Errorf(EINVALID, msgDecimalComma)
	}
	if sep == '.' || strings.Contains(s, ".") {
		return "", Errorf(EINVALID, msgGrouping)
	}
	return "", Errorf(EINVALID, "Mellemrum bruges kun som tusindtalsseparator for hvert tredje ciffer, f.eks. 1 234 567,89")
}
