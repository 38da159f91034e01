package dk

import (
	"strings"
	"testing"
)

// RULE PAY-5: foreign transfers need a valid BIC/SWIFT code.
func TestValidateBIC(t *testing.T) {
	tests := []struct {
		name string
		bic  string
		want string
	}{
		{name: "Danske Bank 8", bic: "DABADKKK"},
		{name: "Nordea 11 with XXX branch", bic: "NDEADKKKXXX"},
		{name: "Deutsche Bank with branch", bic: "DEUTDEFF500"},
		{name: "digit in location", bic: "KRONDK22"},
		{name: "location with digit and letter", bic: "SXPYDKKK"},
		{name: "lower case", bic: "dabadkkk"},
		{name: "spaces ignored", bic: " DABA DK KK "},
		{name: "Kosovo", bic: "RBKOXKPR"},
		{name: "empty", bic: "", want: "BIC mangler"},
		{name: "7 characters", bic: "DABADKK", want: "8 eller 11 tegn, men er 7"},
		{name: "9 characters", bic: "DABADKKK1", want: "8 eller 11 tegn, men er 9"},
		{name: "12 characters", bic: "DABADKKKXXXX", want: "8 eller 11 tegn, men er 12"},
		{name: "digit in bank code", bic: "D4BADKKK", want: "bankkode (de første 4 tegn)"},
		{name: "unknown country", bic: "DABAZZKK", want: `landekode (tegn 5 og 6) "ZZ"`},
		{name: "digits as country", bic: "DABA12KK", want: `landekode (tegn 5 og 6) "12"`},
		{name: "punctuation in location", bic: "DABADK-K", want: "lokationskode (tegn 7 og 8)"},
		{name: "punctuation in branch", bic: "DABADKKK-XX", want: "filialkode (tegn 9-11)"},
		{name: "non-ASCII letter", bic: "DÆBADKKK", want: "kun indeholde bogstaver A-Z og cifre"},
		{name: "look-alike long s", bic: "DABADKKſ", want: "kun indeholde bogstaver A-Z og cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateBIC(tc.bic), tc.want)
		})
	}
}

func TestValidCountryCode(t *testing.T) {
	if n := len(strings.Fields(isoCountries)); n != 250 || len(countryCodes) != 250 {
		t.Fatalf("country list has %d codes (%d unique), want 249 ISO codes + XK", n, len(countryCodes))
	}
	tests := []struct {
		name string
		code string
		want bool
	}{
		{name: "Denmark", code: "DK", want: true},
		{name: "Greenland", code: "GL", want: true},
		{name: "United States", code: "US", want: true},
		{name: "Kosovo", code: "XK", want: true},
		{name: "lower case", code: "dk", want: false},
		{name: "unassigned", code: "ZZ", want: false},
		{name: "empty", code: "", want: false},
		{name: "three letters", code: "DNK", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidCountryCode(tc.code); got != tc.want {
				t.Fatalf("ValidCountryCode(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}
