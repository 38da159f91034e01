package dk

import "testing"

// RULE PAY-2: a Danish account is a 4-digit registration number + account
// number; the registration number must be exactly four digits.
func TestValidReg(t *testing.T) {
	tests := []struct {
		name string
		reg  string
		want string // substring of the error message; "" means valid
	}{
		{name: "four digits", reg: "9070"},
		{name: "leading zeros", reg: "0040"},
		{name: "surrounding spaces are ignored", reg: " 3001 "},
		{name: "empty", reg: "", want: "Registreringsnummer mangler"},
		{name: "only spaces", reg: "   ", want: "Registreringsnummer mangler"},
		{name: "three digits", reg: "904", want: "præcis 4 cifre"},
		{name: "five digits", reg: "90701", want: "præcis 4 cifre"},
		{name: "letter", reg: "90A0", want: "præcis 4 cifre"},
		{name: "inner space", reg: "90 70", want: "præcis 4 cifre"},
		{name: "sign", reg: "+907", want: "præcis 4 cifre"},
		{name: "non-ASCII digits", reg: "٩٠٧٠", want: "præcis 4 cifre"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidReg(tc.reg), tc.want)
		})
	}
}

// RULE PAY-2: while typing, the registration number is shown as the bank's
// name.
func TestBankName(t *testing.T) {
	tests := []struct {
		name   string
		reg    string
		want   string
		wantOK bool
	}{
		{name: "Netbank's own number", reg: NetbankReg, want: "Netbank", wantOK: true},
		{name: "Nordea low range", reg: "0040", want: "Nordea", wantOK: true},
		{name: "Nordea 2xxx", reg: "2191", want: "Nordea", wantOK: true},
		{name: "Lån & Spar Bank", reg: "0400", want: "Lån & Spar Bank", wantOK: true},
		{name: "Danske Bank 3xxx", reg: "3001", want: "Danske Bank", wantOK: true},
		{name: "Danske Bank 4xxx", reg: "4180", want: "Danske Bank", wantOK: true},
		{name: "Danmarks Nationalbank", reg: "1001", want: "Danmarks Nationalbank", wantOK: true},
		{name: "Saxo Bank", reg: "1149", want: "Saxo Bank", wantOK: true},
		{name: "Jyske Bank", reg: "5010", want: "Jyske Bank", wantOK: true},
		{name: "Arbejdernes Landsbank", reg: "5301", want: "Arbejdernes Landsbank", wantOK: true},
		{name: "Nykredit Bank", reg: "5470", want: "Nykredit Bank", wantOK: true},
		{name: "Sparekassen Kronjylland", reg: "6111", want: "Sparekassen Kronjylland", wantOK: true},
		{name: "Lunar", reg: "6695", want: "Lunar", wantOK: true},
		{name: "Sydbank", reg: "7030", want: "Sydbank", wantOK: true},
		{name: "Vestjysk Bank", reg: "7600", want: "Vestjysk Bank", wantOK: true},
		{name: "Ringkjøbing Landbobank", reg: "7670", want: "Ringkjøbing Landbobank", wantOK: true},
		{name: "Spar Nord", reg: "9001", want: "Spar Nord", wantOK: true},
		{name: "first number of a range", reg: "5301", want: "Arbejdernes Landsbank", wantOK: true},
		{name: "last number of a range", reg: "5398", want: "Arbejdernes Landsbank", wantOK: true},
		{name: "spaces are ignored", reg: " 9070 ", want: "Netbank", wantOK: true},
		{name: "unassigned low number", reg: "0001"},
		{name: "unassigned gap", reg: "8300"},
		{name: "unassigned high number", reg: "9999"},
		{name: "malformed", reg: "12a4"},
		{name: "too short", reg: "907"},
		{name: "empty", reg: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := BankName(tc.reg)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("BankName(%q) = %q, %v; want %q, %v", tc.reg, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// RULE PAY-2: the embedded directory is complete enough to name the bank
// of hundreds of registration numbers, and it is well formed.
func TestRegDirectory(t *testing.T) {
	if n := len(regDirectory); n < 300 {
		t.Fatalf("directory has %d rows, want several hundred", n)
	}
	banks := map[string]bool{}
	for i, r := range regDirectory {
		banks[r.name] = true
		if r.from > r.to {
			t.Errorf("row %d: from %d > to %d", i, r.from, r.to)
		}
		if i > 0 && r.from <= regDirectory[i-1].to {
			t.Errorf("row %d overlaps row %d", i, i-1)
		}
	}
	for _, want := range []string{
		"Danske Bank", "Nordea", "Jyske Bank", "Nykredit Bank", "Sydbank", "Spar Nord",
		"Arbejdernes Landsbank", "Lunar", "Saxo Bank", "Ringkjøbing Landbobank",
		"Vestjysk Bank", "Lån & Spar Bank", "Sparekassen Kronjylland",
		"Danmarks Nationalbank", "Netbank",
	} {
		if !banks[want] {
			t.Errorf("directory lacks %q", want)
		}
	}
}

func TestParseRegDirectory(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr bool
		rows    int
	}{
		{name: "valid with comments", data: "# comment\n0001,0009,A\n0010,0010,B\n", rows: 2},
		{name: "too few fields", data: "0001,0009\n", wantErr: true},
		{name: "from not 4 digits", data: "001,0009,A\n", wantErr: true},
		{name: "to not digits", data: "0001,00x9,A\n", wantErr: true},
		{name: "reversed range", data: "0009,0001,A\n", wantErr: true},
		{name: "empty name", data: "0001,0002, \n", wantErr: true},
		{name: "overlap", data: "0001,0005,A\n0005,0006,B\n", wantErr: true},
		{name: "out of order", data: "0010,0011,A\n0001,0002,B\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRegDirectory(tc.data)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && len(got) != tc.rows {
				t.Fatalf("got %d rows, want %d", len(got), tc.rows)
			}
		})
	}
}
