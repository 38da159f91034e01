package dk

import (
	"fmt"
	"strings"
	"testing"
)

// RULE PAY-5: foreign transfers need a valid IBAN; these are published
// examples from many registry countries.
func TestValidateIBANValid(t *testing.T) {
	tests := []struct {
		name string
		iban string
	}{
		{name: "Germany", iban: "DE89370400440532013000"},
		{name: "United Kingdom", iban: "GB29NWBK60161331926819"},
		{name: "Denmark", iban: "DK5000400440116243"},
		{name: "Norway", iban: "NO9386011117947"},
		{name: "France with letter in account", iban: "FR1420041010050500013M02606"},
		{name: "Andorra", iban: "AD1200012030200359100100"},
		{name: "United Arab Emirates", iban: "AE070331234567890123456"},
		{name: "Albania", iban: "AL47212110090000000235698741"},
		{name: "Austria", iban: "AT611904300234573201"},
		{name: "Azerbaijan", iban: "AZ21NABZ00000000137010001944"},
		{name: "Bosnia and Herzegovina", iban: "BA391290079401028494"},
		{name: "Belgium", iban: "BE68539007547034"},
		{name: "Bulgaria", iban: "BG80BNBG96611020345678"},
		{name: "Bahrain", iban: "BH67BMAG00001299123456"},
		{name: "Brazil", iban: "BR1800360305000010009795493C1"},
		{name: "Belarus", iban: "BY13NBRB3600900000002Z00AB00"},
		{name: "Switzerland", iban: "CH9300762011623852957"},
		{name: "Costa Rica", iban: "CR05015202001026284066"},
		{name: "Cyprus", iban: "CY17002001280000001200527600"},
		{name: "Czechia", iban: "CZ6508000000192000145399"},
		{name: "Dominican Republic", iban: "DO28BAGR00000001212453611324"},
		{name: "Estonia", iban: "EE382200221020145685"},
		{name: "Egypt", iban: "EG380019000500000000263180002"},
		{name: "Spain", iban: "ES9121000418450200051332"},
		{name: "Finland", iban: "FI2112345600000785"},
		{name: "Faroe Islands", iban: "FO6264600001631634"},
		{name: "Georgia", iban: "GE29NB0000000101904917"},
		{name: "Gibraltar", iban: "GI75NWBK000000007099453"},
		{name: "Greenland", iban: "GL8964710001000206"},
		{name: "Greece", iban: "GR1601101250000000012300695"},
		{name: "Guatemala", iban: "GT82TRAJ01020000001210029690"},
		{name: "Croatia", iban: "HR1210010051863000160"},
		{name: "Hungary", iban: "HU42117730161111101800000000"},
		{name: "Ireland", iban: "IE29AIBK93115212345678"},
		{name: "Israel", iban: "IL620108000000099999999"},
		{name: "Iraq", iban: "IQ98NBIQ850123456789012"},
		{name: "Iceland", iban: "IS140159260076545510730339"},
		{name: "Italy", iban: "IT60X0542811101000000123456"},
		{name: "Jordan", iban: "JO94CBJO0010000000000131000302"},
		{name: "Kuwait", iban: "KW81CBKU0000000000001234560101"},
		{name: "Kazakhstan", iban: "KZ86125KZT5004100100"},
		{name: "Lebanon", iban: "LB62099900000001001901229114"},
		{name: "Saint Lucia", iban: "LC55HEMM000100010012001200023015"},
		{name: "Liechtenstein", iban: "LI21088100002324013AA"},
		{name: "Lithuania", iban: "LT121000011101001000"},
		{name: "Luxembourg", iban: "LU280019400644750000"},
		{name: "Latvia", iban: "LV80BANK0000435195001"},
		{name: "Monaco", iban: "MC5811222000010123456789030"},
		{name: "Moldova", iban: "MD24AG000225100013104168"},
		{name: "Montenegro", iban: "ME25505000012345678951"},
		{name: "North Macedonia", iban: "MK07250120000058984"},
		{name: "Mauritania", iban: "MR1300020001010000123456753"},
		{name: "Malta", iban: "MT84MALT011000012345MTLCAST001S"},
		{name: "Mauritius", iban: "MU17BOMM0101101030300200000MUR"},
		{name: "Netherlands", iban: "NL91ABNA0417164300"},
		{name: "Pakistan", iban: "PK36SCBL0000001123456702"},
		{name: "Poland", iban: "PL61109010140000071219812874"},
		{name: "Palestine", iban: "PS92PALS000000000400123456702"},
		{name: "Portugal", iban: "PT50000201231234567890154"},
		{name: "Qatar", iban: "QA58DOHB00001234567890ABCDEFG"},
		{name: "Romania", iban: "RO49AAAA1B31007593840000"},
		{name: "Serbia", iban: "RS35260005601001611379"},
		{name: "Saudi Arabia", iban: "SA0380000000608010167519"},
		{name: "Seychelles", iban: "SC18SSCB11010000000000001497USD"},
		{name: "Sweden", iban: "SE4550000000058398257466"},
		{name: "Slovenia", iban: "SI56263300012039086"},
		{name: "Slovakia", iban: "SK3112000000198742637541"},
		{name: "San Marino", iban: "SM86U0322509800000000270100"},
		{name: "Sao Tome and Principe", iban: "ST68000100010051845310112"},
		{name: "El Salvador", iban: "SV62CENR00000000000000700025"},
		{name: "Timor-Leste", iban: "TL380080012345678910157"},
		{name: "Tunisia", iban: "TN5910006035183598478831"},
		{name: "Turkey", iban: "TR330006100519786457841326"},
		{name: "Ukraine", iban: "UA213223130000026007233566001"},
		{name: "Vatican City", iban: "VA59001123000012345678"},
		{name: "British Virgin Islands", iban: "VG96VPVG0000012345678901"},
		{name: "Kosovo", iban: "XK051212012345678906"},
		{name: "print format with spaces", iban: "DE89 3704 0044 0532 0130 00"},
		{name: "lower case", iban: "gb29nwbk60161331926819"},
		{name: "mixed case and extra spaces", iban: "  Fr14 2004 1010 0505 0001 3m02 606 "},
		{name: "tab and non-breaking space", iban: "DK50\t0040\u00a00440116243"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateIBAN(tc.iban), "")
		})
	}
}

func TestValidateIBANInvalid(t *testing.T) {
	tests := []struct {
		name string
		iban string
		want string
	}{
		{name: "empty", iban: "", want: "IBAN mangler"},
		{name: "only spaces", iban: "   ", want: "IBAN mangler"},
		{name: "dash", iban: "DE89-3704-0044-0532-0130-00", want: `ugyldigt tegn: "-"`},
		{name: "Danish letter", iban: "DK50Æ0400440116243", want: `ugyldigt tegn: "Æ"`},
		{name: "look-alike long s is not upper-cased", iban: "DE89370400440532013000ſ", want: "ugyldigt tegn"},
		{name: "invalid UTF-8", iban: "DK50\xff00400440116243", want: "U+FFFD"},
		{name: "starts with digits", iban: "1289370400440532013000", want: "landekode på to bogstaver"},
		{name: "single letter", iban: "D", want: "landekode på to bogstaver"},
		{name: "unknown country", iban: "US64SVBKUS6S3300958879", want: "Landekoden US findes ikke"},
		{name: "country not using IBAN", iban: "ZZ1234", want: "Landekoden ZZ findes ikke"},
		{name: "Danish IBAN too short", iban: "DK500040044011624", want: "Et IBAN fra DK skal være 18 tegn langt, men dette er 17 tegn"},
		{name: "German IBAN too long", iban: "DE893704004405320130001", want: "skal være 22 tegn langt, men dette er 23 tegn"},
		{name: "Norwegian IBAN too long", iban: "NO93860111179470", want: "skal være 15 tegn langt"},
		{name: "check digits not digits", iban: "DEAB370400440532013000", want: "kontrolcifre (tegn 3 og 4) skal være cifre"},
		{name: "letter where Denmark has digits", iban: "DK50004004401162A3", want: "har ikke det format, der bruges i DK"},
		{name: "digit where UK has letters", iban: "GB29NW3K60161331926819", want: "har ikke det format, der bruges i GB"},
		{name: "wrong check digits", iban: "DE88370400440532013000", want: "kontrolcifre passer ikke"},
		{name: "typo in account", iban: "DK5000400440116244", want: "kontrolcifre passer ikke"},
		{name: "transposed digits", iban: "GB29NWBK60161331926891", want: "kontrolcifre passer ikke"},
		{name: "check digits 00", iban: "DK0000400440116243", want: "kontrolcifre passer ikke"},
		{name: "check digits 99", iban: "DK9900400440116243", want: "kontrolcifre passer ikke"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateIBAN(tc.iban), tc.want)
		})
	}
}

// withCheckDigits returns country + computed check digits + bban.
func withCheckDigits(country, bban string) string {
	return fmt.Sprintf("%s%02d%s", country, 98-mod97(bban+country+"00"), bban)
}

// sampleBBAN fills a BBAN structure with characters of the right kinds.
func sampleBBAN(parts []bbanPart) string {
	var b strings.Builder
	for i, p := range parts {
		for j := 0; j < p.count; j++ {
			switch p.kind {
			case 'n':
				b.WriteByte(byte('0' + (i+j)%10))
			case 'a':
				b.WriteByte(byte('A' + (i+j)%26))
			default:
				if j%2 == 0 {
					b.WriteByte(byte('A' + (i+j)%26))
				} else {
					b.WriteByte(byte('0' + (i+j)%10))
				}
			}
		}
	}
	return b.String()
}

// RULE PAY-5: every country of the SWIFT IBAN registry is known, with its
// length and BBAN structure.
func TestIBANRegistryAllCountries(t *testing.T) {
	if n := len(ibanRegistry); n != 89 {
		t.Fatalf("registry has %d countries, want 89 (SWIFT release 102)", n)
	}
	for code, f := range ibanRegistry {
		t.Run(code, func(t *testing.T) {
			if !ValidCountryCode(code) {
				t.Fatalf("%s is not an ISO country code", code)
			}
			iban := withCheckDigits(code, sampleBBAN(f.parts))
			if len(iban) != f.length {
				t.Fatalf("sample %s has length %d, want %d", iban, len(iban), f.length)
			}
			checkErr(t, ValidateIBAN(iban), "")
			checkErr(t, ValidateIBAN(strings.ToLower(FormatIBAN(iban))), "")
			checkErr(t, ValidateIBAN(iban+"0"), fmt.Sprintf("skal være %d tegn langt", f.length))
			checkErr(t, ValidateIBAN(iban[:len(iban)-1]), fmt.Sprintf("skal være %d tegn langt", f.length))
		})
	}
}

func TestParseIBANRegistry(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr bool
	}{
		{name: "valid", data: "DK,18,4!n9!n1!n,Denmark\n"},
		{name: "length does not add up", data: "DK,19,4!n9!n1!n,Denmark\n", wantErr: true},
		{name: "bad kind", data: "DK,18,4!x9!n1!n,Denmark\n", wantErr: true},
		{name: "bad count", data: "DK,18,x!n,Denmark\n", wantErr: true},
		{name: "missing kind", data: "DK,8,4!", wantErr: true},
		{name: "empty structure", data: "DK,4,,Denmark\n", wantErr: true},
		{name: "lower-case code", data: "dk,18,4!n9!n1!n,Denmark\n", wantErr: true},
		{name: "duplicate", data: "DK,18,4!n9!n1!n,Denmark\nDK,18,4!n9!n1!n,Denmark\n", wantErr: true},
		{name: "bad length", data: "DK,x,4!n9!n1!n,Denmark\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseIBANRegistry(tc.data)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
}

func TestNormalizeAndFormatIBAN(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		normalized string
		formatted  string
	}{
		{name: "already electronic", in: "DK5000400440116243", normalized: "DK5000400440116243", formatted: "DK50 0040 0440 1162 43"},
		{name: "print format", in: "DE89 3704 0044 0532 0130 00", normalized: "DE89370400440532013000", formatted: "DE89 3704 0044 0532 0130 00"},
		{name: "lower case and odd spacing", in: " gb29 nwbk6016133 1926819\n", normalized: "GB29NWBK60161331926819", formatted: "GB29 NWBK 6016 1331 9268 19"},
		{name: "length divisible by four", in: "AT611904300234573201", normalized: "AT611904300234573201", formatted: "AT61 1904 3002 3457 3201"},
		{name: "empty", in: "", normalized: "", formatted: ""},
		{name: "non-ASCII kept", in: "dkæ1", normalized: "DKæ1", formatted: "DKæ1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeIBAN(tc.in); got != tc.normalized {
				t.Errorf("NormalizeIBAN(%q) = %q, want %q", tc.in, got, tc.normalized)
			}
			if got := FormatIBAN(tc.in); got != tc.formatted {
				t.Errorf("FormatIBAN(%q) = %q, want %q", tc.in, got, tc.formatted)
			}
		})
	}
}

// RULE PAY-2: a Danish account (registration number + account number) has
// one IBAN.
func TestDanishIBAN(t *testing.T) {
	tests := []struct {
		name    string
		reg     string
		account string
		want    string
		wantErr string
	}{
		{name: "registry example", reg: "0040", account: "0440116243", want: "DK5000400440116243"},
		{name: "account padded with zeros", reg: "0040", account: "440116243", want: "DK5000400440116243"},
		{name: "spaces in account", reg: "0040", account: "0440 116 243", want: "DK5000400440116243"},
		{name: "Netbank account", reg: "9070", account: "1234567890", want: withCheckDigits("DK", "90701234567890")},
		{name: "one-digit account", reg: "9070", account: "7", want: withCheckDigits("DK", "90700000000007")},
		{name: "bad reg", reg: "907", account: "1234567890", wantErr: "præcis 4 cifre"},
		{name: "empty account", reg: "9070", account: "", wantErr: "Kontonummeret skal være 1-10 cifre"},
		{name: "account too long", reg: "9070", account: "12345678901", wantErr: "Kontonummeret skal være 1-10 cifre"},
		{name: "account with letter", reg: "9070", account: "12345X", wantErr: "Kontonummeret skal være 1-10 cifre"},
		{name: "account with dash", reg: "9070", account: "1234-5678", wantErr: "Kontonummeret skal være 1-10 cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DanishIBAN(tc.reg, tc.account)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if got != tc.want {
				t.Fatalf("DanishIBAN(%q, %q) = %q, want %q", tc.reg, tc.account, got, tc.want)
			}
			checkErr(t, ValidateIBAN(got), "")
		})
	}
}

func TestSplitDanishIBAN(t *testing.T) {
	tests := []struct {
		name        string
		iban        string
		wantReg     string
		wantAccount string
		wantErr     string
	}{
		{name: "registry example", iban: "DK5000400440116243", wantReg: "0040", wantAccount: "440116243"},
		{name: "print format lower case", iban: "dk50 0040 0440 1162 43", wantReg: "0040", wantAccount: "440116243"},
		{name: "all-zero account", iban: withCheckDigits("DK", "90700000000000"), wantReg: "9070", wantAccount: "0"},
		{name: "invalid IBAN", iban: "DK5000400440116244", wantErr: "kontrolcifre passer ikke"},
		{name: "Faroese IBAN is not Danish", iban: "FO6264600001631634", wantErr: "ikke dansk: det starter med FO"},
		{name: "German IBAN", iban: "DE89370400440532013000", wantErr: "ikke dansk"},
		{name: "empty", iban: "", wantErr: "IBAN mangler"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg, account, err := SplitDanishIBAN(tc.iban)
			checkErr(t, err, tc.wantErr)
			if err == nil && (reg != tc.wantReg || account != tc.wantAccount) {
				t.Fatalf("SplitDanishIBAN(%q) = %q, %q; want %q, %q", tc.iban, reg, account, tc.wantReg, tc.wantAccount)
			}
		})
	}
}

func TestDanishIBANRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		reg     string
		account string
	}{
		{name: "full 10 digits", reg: "3001", account: "1234567890"},
		{name: "short account", reg: "9070", account: "42"},
		{name: "leading zeros are not significant", reg: "0400", account: "0000012345"},
		{name: "zero account", reg: "5301", account: "0"},
		{name: "Netbank", reg: NetbankReg, account: "9999999999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iban, err := DanishIBAN(tc.reg, tc.account)
			checkErr(t, err, "")
			reg, account, err := SplitDanishIBAN(iban)
			checkErr(t, err, "")
			wantAccount := strings.TrimLeft(tc.account, "0")
			if wantAccount == "" {
				wantAccount = "0"
			}
			if reg != tc.reg || account != wantAccount {
				t.Fatalf("split(%s) = %q, %q; want %q, %q", iban, reg, account, tc.reg, wantAccount)
			}
			again, err := DanishIBAN(reg, account)
			checkErr(t, err, "")
			if again != iban {
				t.Fatalf("DanishIBAN(SplitDanishIBAN(%s)) = %s", iban, again)
			}
		})
	}
}

func FuzzValidateIBAN(f *testing.F) {
	for _, seed := range []string{
		"DE89370400440532013000", "GB29NWBK60161331926819", "DK5000400440116243",
		"NO9386011117947", "FR1420041010050500013M02606", "dk50 0040 0440 1162 43",
		"", " ", "DK", "XX00", "DE00000000000000000000", "\xff\xfe", "ſ", "DK50Æ0400440116243",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateIBAN(s)
		norm := NormalizeIBAN(s)
		if NormalizeIBAN(norm) != norm {
			t.Fatalf("NormalizeIBAN is not idempotent for %q", s)
		}
		if err != nil {
			if ValidateIBAN(norm) == nil {
				t.Fatalf("%q rejected but its normal form %q accepted", s, norm)
			}
			return
		}
		if verr := ValidateIBAN(norm); verr != nil {
			t.Fatalf("%q accepted but normal form %q rejected: %v", s, norm, verr)
		}
		if verr := ValidateIBAN(FormatIBAN(s)); verr != nil {
			t.Fatalf("%q accepted but print form %q rejected: %v", s, FormatIBAN(s), verr)
		}
		if NormalizeIBAN(FormatIBAN(s)) != norm {
			t.Fatalf("FormatIBAN then NormalizeIBAN does not give back %q", norm)
		}
		if f, ok := ibanRegistry[norm[:2]]; !ok || len(norm) != f.length {
			t.Fatalf("accepted %q with unknown country or wrong length", norm)
		}
		if norm[:2] == "DK" {
			reg, account, serr := SplitDanishIBAN(s)
			if serr != nil {
				t.Fatalf("SplitDanishIBAN(%q): %v", s, serr)
			}
			back, derr := DanishIBAN(reg, account)
			if derr != nil || back != norm {
				t.Fatalf("DanishIBAN(%q, %q) = %q, %v; want %q", reg, account, back, derr, norm)
			}
		}
	})
}
