package dk

import "testing"

// RULE PAY-4: payment slips (FIK +01, +04, +15, +71, +73, +75) are validated
// with their check digits before they are accepted. These code lines are
// valid.
func TestParseCodeLineValid(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Slip
	}{
		{name: "+71 as printed", line: "+71< 000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 without spaces", line: "+71<000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 without final <", line: "+71<000100017156728+81234567",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with amount part", line: "<  0000123456 > +71< 000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with kroner and øre apart", line: "<  00001234 56 > +71< 000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with empty amount part", line: "<>+71<000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with leading >", line: "> +71< 000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with amount missing its <", line: "0000123456>+71<000100017156728+81234567<",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with spaces inside the id", line: "+71< 0001 0001 7156 728 +8123 4567 <",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+71 with tabs and newline", line: "\t+71<000100017156728+81234567<\n",
			want: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
		{name: "+73 has no payment id", line: "+73<+81234567<",
			want: Slip{Type: "73", Creditor: "81234567"}},
		{name: "+73 as printed", line: "+73< +81234567<",
			want: Slip{Type: "73", Creditor: "81234567"}},
		{name: "+75", line: "+75< 0000000012345674+87654321<",
			want: Slip{Type: "75", PaymentID: "0000000012345674", Creditor: "87654321"}},
		{name: "+01 with 7-digit giro account", line: "+01<+1234567<",
			want: Slip{Type: "01", GiroAccount: "1234567"}},
		{name: "+01 with 8-digit giro account", line: "+01< +12345678<",
			want: Slip{Type: "01", GiroAccount: "12345678"}},
		{name: "+04", line: "+04< 1234567890123452+1234567<",
			want: Slip{Type: "04", PaymentID: "1234567890123452", GiroAccount: "1234567"}},
		{name: "+15", line: "+15< 0000000012345674+12345678<",
			want: Slip{Type: "15", PaymentID: "0000000012345674", GiroAccount: "12345678"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCodeLine(tc.line)
			checkErr(t, err, "")
			if got != tc.want {
				t.Fatalf("ParseCodeLine(%q) = %+v, want %+v", tc.line, got, tc.want)
			}
		})
	}
}

// RULE PAY-4: code lines that must be refused, each with a message that
// says what is wrong.
func TestParseCodeLineInvalid(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{name: "empty", line: "", want: "Kodelinjen er tom"},
		{name: "only spaces", line: "  \t ", want: "Kodelinjen er tom"},
		{name: "no card type", line: "000100017156728 81234567", want: "skal indeholde kortarten"},
		{name: "text before card type", line: "FIK +71<000100017156728+81234567<", want: "skal starte med kortarten"},
		{name: "amount part with letters", line: "<12a>+71<000100017156728+81234567<", want: "skal starte med kortarten"},
		{name: "amount part without >", line: "<0000123456 +71<000100017156728+81234567<", want: "skal starte med kortarten"},
		{name: "card type without <", line: "+71 000100017156728+81234567<", want: "+ og to cifre efterfulgt af <"},
		{name: "card type of one digit", line: "+7<000100017156728+81234567<", want: "+ og to cifre efterfulgt af <"},
		{name: "card type with letter", line: "+7A<000100017156728+81234567<", want: "+ og to cifre efterfulgt af <"},
		{name: "only card type", line: "+71", want: "+ og to cifre efterfulgt af <"},
		{name: "unknown card type", line: "+72<000100017156728+81234567<", want: "Ukendt kortart +72"},
		{name: "unknown card type 00", line: "+00<+81234567<", want: "Ukendt kortart +00"},
		{name: "no account part", line: "+71<000100017156728<", want: "skal have formen +71<betalings-id+kreditornummer<"},
		{name: "two account parts", line: "+71<000100017156728+81234567+81234567<", want: "skal have formen"},
		{name: "double final <", line: "+71<000100017156728+81234567<<", want: "skal have formen"},
		{name: "< inside id", line: "+71<0001<00017156728+81234567<", want: "skal have formen"},
		{name: "+73 form hint", line: "+73<81234567<", want: "skal have formen +73<+kreditornummer<"},
		{name: "+01 form hint", line: "+01<1234567<", want: "skal have formen +01<+gironummer<"},
		{name: "+71 id too short", line: "+71<00010001715672+81234567<", want: "Betalings-id skal være 15 cifre for kortart +71"},
		{name: "+71 id too long", line: "+71<0000100017156728+81234567<", want: "Betalings-id skal være 15 cifre for kortart +71"},
		{name: "+71 missing id", line: "+71<+81234567<", want: "Betalings-id mangler"},
		{name: "+71 id with letter", line: "+71<00010001715672X+81234567<", want: "Betalings-id må kun indeholde cifre"},
		{name: "+71 wrong check digit", line: "+71<000100017156727+81234567<", want: "Kontrolcifferet i betalings-id'et passer ikke"},
		{name: "+71 transposed digits", line: "+71<000100017165728+81234567<", want: "Kontrolcifferet i betalings-id'et passer ikke"},
		{name: "+75 id of 15 digits", line: "+75<000100017156728+81234567<", want: "Betalings-id skal være 16 cifre for kortart +75"},
		{name: "+75 wrong check digit", line: "+75<0000000012345675+87654321<", want: "Kontrolcifferet"},
		{name: "+04 id of 15 digits", line: "+04<000100017156728+1234567<", want: "Betalings-id skal være 16 cifre for kortart +04"},
		{name: "+15 wrong check digit", line: "+15<0000000012345670+1234567<", want: "Kontrolcifferet"},
		{name: "+73 with payment id", line: "+73<000100017156728+81234567<", want: "Kortart +73 har intet betalings-id"},
		{name: "+01 with payment id", line: "+01<000100017156728+1234567<", want: "Kortart +01 har intet betalings-id"},
		{name: "+71 creditor not starting with 8", line: "+71<000100017156728+71234567<", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "+71 creditor 7 digits", line: "+71<000100017156728+8123456<", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "+73 creditor 9 digits", line: "+73<+812345678<", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "+75 creditor empty", line: "+75<0000000012345674+<", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "+01 giro 6 digits", line: "+01<+123456<", want: "Gironummer skal være 7 eller 8 cifre"},
		{name: "+04 giro 9 digits", line: "+04<1234567890123452+123456789<", want: "Gironummer skal være 7 eller 8 cifre"},
		{name: "+15 giro with letter", line: "+15<0000000012345674+123456X<", want: "Gironummer skal være 7 eller 8 cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCodeLine(tc.line)
			checkErr(t, err, tc.want)
		})
	}
}

// RULE PAY-4: the payment id typed into its own field is checked the same
// way as in the code line.
func TestValidatePaymentID(t *testing.T) {
	tests := []struct {
		name     string
		slipType string
		id       string
		want     string
	}{
		{name: "+71 example", slipType: "71", id: "000100017156728"},
		{name: "type with plus", slipType: "+71", id: "000100017156728"},
		{name: "type with spaces", slipType: " +71 ", id: "000100017156728"},
		{name: "id with spaces", slipType: "71", id: "0001 0001 7156 728"},
		{name: "+04 16 digits", slipType: "04", id: "1234567890123452"},
		{name: "+15 16 digits", slipType: "15", id: "0000000012345674"},
		{name: "+75 16 digits", slipType: "75", id: "0000000012345674"},
		{name: "+73 empty id", slipType: "73", id: ""},
		{name: "+01 empty id", slipType: "01", id: "  "},
		{name: "+71 length", slipType: "71", id: "0000000012345674", want: "Betalings-id skal være 15 cifre for kortart +71"},
		{name: "+75 length", slipType: "75", id: "000100017156728", want: "Betalings-id skal være 16 cifre for kortart +75"},
		{name: "+71 check digit", slipType: "71", id: "000100017156720", want: "Kontrolcifferet i betalings-id'et passer ikke"},
		{name: "+71 empty", slipType: "71", id: "", want: "Betalings-id mangler"},
		{name: "+71 letters", slipType: "71", id: "00010001715672a", want: "må kun indeholde cifre"},
		{name: "+73 with id", slipType: "73", id: "000100017156728", want: "Kortart +73 har intet betalings-id"},
		{name: "unknown type", slipType: "72", id: "000100017156728", want: "Ukendt kortart +72"},
		{name: "empty type", slipType: "", id: "000100017156728", want: "Ukendt kortart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidatePaymentID(tc.slipType, tc.id), tc.want)
		})
	}
}

// RULE PAY-4: a creditor number is 8 digits starting with 8.
func TestValidateCreditor(t *testing.T) {
	tests := []struct {
		name     string
		creditor string
		want     string
	}{
		{name: "valid", creditor: "81234567"},
		{name: "spaces ignored", creditor: " 8123 4567 "},
		{name: "lowest", creditor: "80000000"},
		{name: "starts with 7", creditor: "71234567", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "7 digits", creditor: "8123456", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "9 digits", creditor: "812345678", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "letter", creditor: "8123456X", want: "Kreditornummer skal være 8 cifre og starte med 8"},
		{name: "empty", creditor: "", want: "Kreditornummer skal være 8 cifre og starte med 8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateCreditor(tc.creditor), tc.want)
		})
	}
}

// RULE PAY-4: a giro account number is 7 or 8 digits.
func TestValidateGiroAccount(t *testing.T) {
	tests := []struct {
		name    string
		account string
		want    string
	}{
		{name: "7 digits", account: "1234567"},
		{name: "8 digits", account: "12345678"},
		{name: "spaces ignored", account: "123 4567"},
		{name: "6 digits", account: "123456", want: "Gironummer skal være 7 eller 8 cifre"},
		{name: "9 digits", account: "123456789", want: "Gironummer skal være 7 eller 8 cifre"},
		{name: "letter", account: "123456X", want: "Gironummer skal være 7 eller 8 cifre"},
		{name: "empty", account: "", want: "Gironummer skal være 7 eller 8 cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateGiroAccount(tc.account), tc.want)
		})
	}
}

func TestSlipCodeLine(t *testing.T) {
	tests := []struct {
		name string
		slip Slip
		want string
	}{
		{name: "+71", slip: Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}, want: "+71<000100017156728+81234567<"},
		{name: "+73", slip: Slip{Type: "73", Creditor: "81234567"}, want: "+73<+81234567<"},
		{name: "+75", slip: Slip{Type: "75", PaymentID: "0000000012345674", Creditor: "87654321"}, want: "+75<0000000012345674+87654321<"},
		{name: "+01", slip: Slip{Type: "01", GiroAccount: "1234567"}, want: "+01<+1234567<"},
		{name: "+04", slip: Slip{Type: "04", PaymentID: "1234567890123452", GiroAccount: "1234567"}, want: "+04<1234567890123452+1234567<"},
		{name: "+15", slip: Slip{Type: "15", PaymentID: "0000000012345674", GiroAccount: "12345678"}, want: "+15<0000000012345674+12345678<"},
		{name: "unknown type keeps creditor", slip: Slip{Type: "99", Creditor: "81234567"}, want: "+99<+81234567<"},
		{name: "unknown type falls back to giro", slip: Slip{Type: "99", GiroAccount: "1234567"}, want: "+99<+1234567<"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.slip.CodeLine()
			if got != tc.want {
				t.Fatalf("CodeLine() = %q, want %q", got, tc.want)
			}
			if _, ok := slipKinds[tc.slip.Type]; !ok {
				return
			}
			back, err := ParseCodeLine(got)
			checkErr(t, err, "")
			if back != tc.slip {
				t.Fatalf("ParseCodeLine(CodeLine()) = %+v, want %+v", back, tc.slip)
			}
		})
	}
}

// RULE PAY-4: ids made for tests and demo data carry a valid check digit.
func TestPaymentIDWithCheckDigit(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		want     string
		slipType string // card type the id is valid for; "" for none
	}{
		{name: "+71 example", payload: "00010001715672", want: "000100017156728", slipType: "71"},
		{name: "+75 id", payload: "000000001234567", want: "0000000012345674", slipType: "75"},
		{name: "+04 id", payload: "123456789012345", want: "1234567890123452", slipType: "04"},
		{name: "short", payload: "1", want: "18"},
		{name: "empty", payload: "", want: ""},
		{name: "not digits", payload: "12 34", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PaymentIDWithCheckDigit(tc.payload)
			if got != tc.want {
				t.Fatalf("PaymentIDWithCheckDigit(%q) = %q, want %q", tc.payload, got, tc.want)
			}
			if tc.slipType != "" {
				checkErr(t, ValidatePaymentID(tc.slipType, got), "")
			}
		})
	}
}

func FuzzParseCodeLine(f *testing.F) {
	for _, seed := range []string{
		"+71< 000100017156728+81234567<",
		"<  0000123456 > +71< 000100017156728+81234567<",
		"> +71<000100017156728+81234567",
		"+73<+81234567<", "+01<+1234567<", "+04<1234567890123452+1234567<",
		"+15<0000000012345674+12345678<", "+75<0000000012345674+87654321<",
		"", "+", "+71<", "+71<+", "<>+73<+81234567<<", "\xff+71<", "+71<٠٠٠+81234567<",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slip, err := ParseCodeLine(s)
		if err != nil {
			return
		}
		canonical := slip.CodeLine()
		again, err := ParseCodeLine(canonical)
		if err != nil {
			t.Fatalf("%q accepted as %+v, but its canonical form %q is rejected: %v", s, slip, canonical, err)
		}
		if again != slip {
			t.Fatalf("canonical form %q parses to %+v, want %+v", canonical, again, slip)
		}
		if again.CodeLine() != canonical {
			t.Fatalf("CodeLine is not stable: %q then %q", canonical, again.CodeLine())
		}
		if err := ValidatePaymentID(slip.Type, slip.PaymentID); err != nil {
			t.Fatalf("accepted slip %+v has an invalid payment id: %v", slip, err)
		}
		if (slip.Creditor == "") == (slip.GiroAccount == "") {
			t.Fatalf("accepted slip %+v must have exactly one of creditor and giro account", slip)
		}
	})
}
