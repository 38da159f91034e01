package dk

import (
	"strings"

	"github.com/netbank/netbank"
)

// isoCountries lists the ISO 3166-1 alpha-2 country codes (all 249 officially
// assigned codes) plus XK, the code SWIFT uses for Kosovo.
const isoCountries = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ " +
	"EC EE EG EH ER ES ET " +
	"FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT " +
	"JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ " +
	"LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ " +
	"OM " +
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA " +
	"RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU " +
	"WF WS " +
	"XK " +
	"YE YT " +
	"ZA ZM ZW"

// countryCodes is isoCountries as a set.
var countryCodes = func() map[string]bool {
	m := make(map[string]bool)
	for _, c := range strings.Fields(isoCountries) {
		m[c] = true
	}
	return m
}()

// ValidCountryCode reports whether code is an ISO 3166-1 alpha-2 country code
// (upper case), or XK for Kosovo.
func ValidCountryCode(code string) bool {
	return countryCodes[code]
}

// ValidateBIC checks a BIC (SWIFT code, ISO 9362): 8 or 11 characters made of
// a 4-letter bank code, a 2-letter ISO country code, a 2-character location
// code (letters or digits) and an optional 3-character branch code (letters
// or digits). Spaces are ignored and lower case is accepted (RULE PAY-5).
func ValidateBIC(s string) error {
	bic := asciiUpper(stripSpaces(s))
	if bic == "" {
		return netbank.Errorf(netbank.EINVALID, "BIC mangler")
	}
	for i := 0; i < len(bic); i++ {
		if bic[i] >= 0x80 {
			return netbank.Errorf(netbank.EINVALID, "BIC må kun indeholde bogstaver A-Z og cifre")
		}
	}
	if len(bic) != 8 && len(bic) != 11 {
		return netbank.Errorf(netbank.EINVALID, "BIC skal være 8 eller 11 tegn, men er %d tegn", len(bic))
	}
	if !isUpperLetters(bic[:4]) {
		return netbank.Errorf(netbank.EINVALID, "BIC'ens bankkode (de første 4 tegn) må kun være bogstaver")
	}
	if !ValidCountryCode(bic[4:6]) {
		return netbank.Errorf(netbank.EINVALID,
			"BIC'ens landekode (tegn 5 og 6) %q er ikke en gyldig landekode", bic[4:6])
	}
	if !isAlnum(bic[6]) || !isAlnum(bic[7]) {
		return netbank.Errorf(netbank.EINVALID,
			"BIC'ens lokationskode (tegn 7 og 8) må kun være bogstaver og cifre")
	}
	if len(bic) == 11 && (!isAlnum(bic[8]) || !isAlnum(bic[9]) || !isAlnum(bic[10])) {
		return netbank.Errorf(netbank.EINVALID,
			"BIC'ens filialkode (tegn 9-11) må kun være bogstaver og cifre")
	}
	return nil
}

// asciiUpper turns the ASCII letters a-z in s into upper case and leaves
// every other byte alone (so look-alike Unicode letters are not accepted).
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// isAlnum reports whether c is an ASCII upper-case letter or digit.
func isAlnum(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
