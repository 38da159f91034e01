package dk

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

//go:embed iban_registry.csv
var ibanRegistryCSV string

// ibanFormat is one country of the IBAN registry.
type ibanFormat struct {
	length int        // total IBAN length, country code and check digits included
	bban   string     // BBAN structure in registry notation, e.g. "4!n9!n1!n"
	name   string     // country name (English), for documentation and tests
	parts  []bbanPart // bban, parsed
}

// bbanPart is one "count!kind" element of a BBAN structure.
type bbanPart struct {
	count int
	kind  byte // 'n' digits, 'a' upper-case letters, 'c' letters or digits
}

// ibanRegistry maps an ISO country code to its IBAN format.
var ibanRegistry = mustParseIBANRegistry(ibanRegistryCSV)

// mustParseIBANRegistry parses the embedded registry; a broken embedded file
// is a programming error caught by the tests.
func mustParseIBANRegistry(data string) map[string]ibanFormat {
	reg, err := parseIBANRegistry(data)
	if err != nil {
		panic("dk: embedded iban_registry.csv: " + err.Error())
	}
	return reg
}

// parseIBANRegistry reads rows of "code,length,bban,name" and checks that the
// BBAN structure adds up to the stated length.
func parseIBANRegistry(data string) (map[string]ibanFormat, error) {
	r := csv.NewReader(strings.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = 4
	records, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	reg := make(map[string]ibanFormat, len(records))
	for _, rec := range records {
		code := rec[0]
		if len(code) != 2 || !isUpperLetters(code) {
			return nil, fmt.Errorf("bad country code %q", code)
		}
		if _, dup := reg[code]; dup {
			return nil, fmt.Errorf("%s listed twice", code)
		}
		length, err := strconv.Atoi(rec[1])
		if err != nil {
			return nil, fmt.Errorf("%s: bad length %q", code, rec[1])
		}
		parts, err := parseBBAN(rec[2])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", code, err)
		}
		total := 4
		for _, p := range parts {
			total += p.count
		}
		if total != length {
			return nil, fmt.Errorf("%s: BBAN %s gives length %d, not %d", code, rec[2], total, length)
		}
		reg[code] = ibanFormat{length: length, bban: rec[2], name: rec[3], parts: parts}
	}
	return reg, nil
}

// parseBBAN parses a structure such as "4!a6!n8!n".
func parseBBAN(spec string) ([]bbanPart, error) {
	var parts []bbanPart
	for spec != "" {
		bang := strings.IndexByte(spec, '!')
		if bang <= 0 || bang+1 >= len(spec) {
			return nil, fmt.Errorf("bad BBAN structure near %q", spec)
		}
		n, err := strconv.Atoi(spec[:bang])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad BBAN count near %q", spec)
		}
		kind := spec[bang+1]
		if kind != 'n' && kind != 'a' && kind != 'c' {
			return nil, fmt.Errorf("bad BBAN kind %q", kind)
		}
		parts = append(parts, bbanPart{count: n, kind: kind})
		spec = spec[bang+2:]
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("empty BBAN structure")
	}
	return parts, nil
}

// bbanMatches reports whether bban follows the structure parts.
func bbanMatches(bban string, parts []bbanPart) bool {
	i := 0
	for _, p := range parts {
		if i+p.count > len(bban) {
			return false
		}
		for _, c := range []byte(bban[i : i+p.count]) {
			isDigit := c >= '0' && c <= '9'
			isUpper := c >= 'A' && c <= 'Z'
			switch p.kind {
			case 'n':
				if !isDigit {
					return false
				}
			case 'a':
				if !isUpper {
					return false
				}
			default: // 'c'
				if !isDigit && !isUpper {
					return false
				}
			}
		}
		i += p.count
	}
	return i == len(bban)
}

// NormalizeIBAN returns s in electronic format: white space removed and the
// ASCII letters a–z turned into upper case. Other characters are kept as
// they are, so ValidateIBAN still rejects them.
func NormalizeIBAN(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FormatIBAN returns s in print format: normalised and split into groups of
// four characters separated by single spaces ("DK50 0040 0440 1162 43"). It
// does not validate s.
func FormatIBAN(s string) string {
	n := NormalizeIBAN(s)
	var b strings.Builder
	b.Grow(len(n) + len(n)/4)
	count := 0
	for _, r := range n {
		if count > 0 && count%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// ValidateIBAN checks an IBAN from any country in the SWIFT IBAN registry
// (RULE PAY-5): the country is known, the length is the country's length,
// the account part (BBAN) follows the country's structure, and the check
// digits pass the ISO 7064 MOD 97-10 check. Spaces and lower-case letters
// are accepted (s is normalised first).
func ValidateIBAN(s string) error {
	iban := NormalizeIBAN(s)
	if iban == "" {
		return netbank.Errorf(netbank.EINVALID, "IBAN mangler")
	}
	for _, r := range iban {
		if !(r >= 'A' && r <= 'Z') && !(r >= '0' && r <= '9') {
			return netbank.Errorf(netbank.EINVALID,
				"IBAN indeholder et ugyldigt tegn: %s (kun bogstaver A-Z og cifre er tilladt)", quoteRune(r))
		}
	}
	if len(iban) < 2 || !isUpperLetters(iban[:2]) {
		return netbank.Errorf(netbank.EINVALID, "IBAN skal starte med en landekode på to bogstaver, f.eks. DK")
	}
	country := iban[:2]
	f, ok := ibanRegistry[country]
	if !ok {
		return netbank.Errorf(netbank.EINVALID, "Landekoden %s findes ikke i IBAN-registret", country)
	}
	if len(iban) != f.length {
		return netbank.Errorf(netbank.EINVALID,
			"Et IBAN fra %s skal være %d tegn langt, men dette er %d tegn", country, f.length, len(iban))
	}
	if !isDigits(iban[2:4]) {
		return netbank.Errorf(netbank.EINVALID, "IBAN'ets kontrolcifre (tegn 3 og 4) skal være cifre")
	}
	if !bbanMatches(iban[4:], f.parts) {
		return netbank.Errorf(netbank.EINVALID,
			"Kontonummeret i IBAN'et har ikke det format, der bruges i %s", country)
	}
	if iban[2:4] == "00" || iban[2:4] == "01" || iban[2:4] == "99" || mod97(iban[4:]+iban[:4]) != 1 {
		return netbank.Errorf(netbank.EINVALID, "IBAN'ets kontrolcifre passer ikke – tjek for tastefejl")
	}
	return nil
}

// DanishIBAN builds the IBAN of a Danish account: DK, two check digits, the
// 4-digit registration number and the account number left-padded with zeros
// to 10 digits. account must be 1–10 digits; spaces are ignored.
func DanishIBAN(reg, account string) (string, error) {
	if err := ValidReg(reg); err != nil {
		return "", err
	}
	reg = strings.TrimSpace(reg)
	account = stripSpaces(account)
	if account == "" || len(account) > 10 || !isDigits(account) {
		return "", netbank.Errorf(netbank.EINVALID, "Kontonummeret skal være 1-10 cifre")
	}
	bban := reg + strings.Repeat("0", 10-len(account)) + account
	check := 98 - mod97(bban+"DK00")
	return fmt.Sprintf("DK%02d%s", check, bban), nil
}

// SplitDanishIBAN returns the registration number and the account number of
// a Danish (DK) IBAN. The account number comes without the zeros that pad it
// to 10 digits (at least one digit is kept), so
// DanishIBAN(SplitDanishIBAN(iban)) gives the IBAN back.
func SplitDanishIBAN(iban string) (reg, account string, err error) {
	if err := ValidateIBAN(iban); err != nil {
		return "", "", err
	}
	n := NormalizeIBAN(iban)
	if n[:2] != "DK" {
		return "", "", netbank.Errorf(netbank.EINVALID, "IBAN'et er ikke dansk: det starter med %s, ikke DK", n[:2])
	}
	account = strings.TrimLeft(n[8:], "0")
	if account == "" {
		account = "0"
	}
	return n[4:8], account, nil
}

// mod97 computes the ISO 7064 MOD 97-10 remainder of s, where letters count
// as two-digit numbers (A=10 … Z=35). s must be upper-case letters and digits.
func mod97(s string) int {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}

// isUpperLetters reports whether s is non-empty and only A–Z.
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

// quoteRune shows a character to the user: printable ones in quotes,
// invisible or invalid ones by their code point.
func quoteRune(r rune) string {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return fmt.Sprintf("U+%04X", r)
	}
	return "\"" + string(r) + "\""
}
