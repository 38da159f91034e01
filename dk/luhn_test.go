package dk

import "testing"

func TestLuhnValid(t *testing.T) {
	tests := []struct {
		name   string
		digits string
		want   bool
	}{
		{name: "FIK +71 example", digits: "000100017156728", want: true},
		{name: "Visa test card", digits: "4111111111111111", want: true},
		{name: "classic example", digits: "79927398713", want: true},
		{name: "all zeros", digits: "00", want: true},
		{name: "18 gives digit sum 9", digits: "18", want: true},
		{name: "wrong check digit", digits: "000100017156727", want: false},
		{name: "transposed digits", digits: "000100017165728", want: false},
		{name: "single digit is too short", digits: "0", want: false},
		{name: "empty", digits: "", want: false},
		{name: "space", digits: "4111 1111 1111 1111", want: false},
		{name: "letter", digits: "41a1", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LuhnValid(tc.digits); got != tc.want {
				t.Fatalf("LuhnValid(%q) = %v, want %v", tc.digits, got, tc.want)
			}
		})
	}
}

func TestLuhnCheckDigit(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    byte
		wantErr string
	}{
		{name: "FIK +71 example", payload: "00010001715672", want: '8'},
		{name: "Visa test card", payload: "411111111111111", want: '1'},
		{name: "classic example", payload: "7992739871", want: '3'},
		{name: "check digit zero", payload: "0", want: '0'},
		{name: "single nine", payload: "9", want: '1'},
		{name: "empty", payload: "", wantErr: "ingen cifre"},
		{name: "non-digit", payload: "12-34", wantErr: "kun være cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LuhnCheckDigit(tc.payload)
			checkErr(t, err, tc.wantErr)
			if err == nil {
				if got != tc.want {
					t.Fatalf("LuhnCheckDigit(%q) = %q, want %q", tc.payload, got, tc.want)
				}
				if !LuhnValid(tc.payload + string(rune(got))) {
					t.Fatalf("payload plus check digit is not Luhn-valid")
				}
			}
		})
	}
}
