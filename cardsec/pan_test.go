package cardsec

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

// Card numbers come from the configured BIN and are Luhn-valid (issue 5,
// "Issuing and card life"). The expected check digits were worked out by
// hand, not with dk.LuhnCheckDigit, so the test does not trust the code it
// tests.
func TestPANFromSerial(t *testing.T) {
	tests := []struct {
		name    string
		bin     string
		serial  int64
		want    string
		wantErr bool
	}{
		{name: "6-digit BIN", bin: "457199", serial: 123456789, want: "4571991234567890"},
		{name: "6-digit BIN, zero padded", bin: "457199", serial: 1, want: "4571990000000011"},
		{name: "serial 0", bin: "457199", serial: 0, want: "4571990000000003"},
		{name: "8-digit BIN", bin: "45719900", serial: 1234567, want: "4571990012345677"},
		{name: "serial too large for 8-digit BIN", bin: "45719900", serial: 10_000_000, wantErr: true},
		{name: "largest serial for 6-digit BIN", bin: "457199", serial: 999_999_999, want: "4571999999999992"},
		{name: "negative serial", bin: "457199", serial: -1, wantErr: true},
		{name: "7-digit BIN", bin: "4571990", serial: 1, wantErr: true},
		{name: "BIN with letter", bin: "45719a", serial: 1, wantErr: true},
		{name: "not a Visa BIN", bin: "557199", serial: 1, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PANFromSerial(tc.bin, tc.serial)
			if tc.wantErr {
				if netbank.ErrorCodeOf(err) != netbank.EINVALID {
					t.Fatalf("PANFromSerial(%q, %d) = %q, %v; want EINVALID", tc.bin, tc.serial, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PANFromSerial(%q, %d) = %q, %v; want %q", tc.bin, tc.serial, got, err, tc.want)
			}
			if !ValidPAN(got) {
				t.Fatalf("ValidPAN(%q) = false", got)
			}
		})
	}
}

func TestNewPANDrawsLuhnValidNumbersUnderBIN(t *testing.T) {
	for _, bin := range []string{"457199", "45719900"} {
		seen := map[string]bool{}
		for range 200 {
			pan, err := NewPAN(bin, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(pan) != PANLength || !strings.HasPrefix(pan, bin) || !ValidPAN(pan) {
				t.Fatalf("NewPAN(%q) = %q: want 16 Luhn-valid digits starting with the BIN", bin, pan)
			}
			seen[pan] = true
		}
		// 200 draws from at least 10⁷ numbers: a repeat is far less likely
		// (≈ 0.2 %) than a broken random source giving one number.
		if len(seen) < 195 {
			t.Fatalf("NewPAN(%q): only %d distinct numbers in 200 draws", bin, len(seen))
		}
	}
}

func TestNewPANUsesTheGivenRandomSource(t *testing.T) {
	// Eight zero bytes make rand.Int return 0: the serial is all zeros.
	pan, err := NewPAN("457199", bytes.NewReader(make([]byte, 64)))
	if err != nil || pan != "4571990000000003" {
		t.Fatalf("NewPAN with a zero source = %q, %v; want 4571990000000003", pan, err)
	}
	// A source that runs dry is an error, not a panic.
	if _, err := NewPAN("457199", bytes.NewReader(nil)); err == nil {
		t.Fatal("NewPAN with an empty source: want an error")
	}
	if _, err := NewPAN("1234", rand.Reader); netbank.ErrorCodeOf(err) != netbank.EINVALID {
		t.Fatalf("NewPAN with a 4-digit BIN: err = %v, want EINVALID", err)
	}
}

func TestValidPAN(t *testing.T) {
	tests := []struct {
		pan  string
		want bool
	}{
		{"4111111111111111", true},
		{"4571990000000003", true},
		{"4571990000000004", false},     // wrong check digit
		{"4222222222222", true},         // 13 digits
		{"4000000000000000006", true},   // 19 digits
		{"422222222222", false},         // 12 digits: too short
		{"40000000000000000002", false}, // 20 digits, Luhn-valid: too long
		{"4111 1111 1111 1111", false},
		{"", false},
		{"411111111111111a", false},
	}
	for _, tc := range tests {
		if got := ValidPAN(tc.pan); got != tc.want {
			t.Errorf("ValidPAN(%q) = %v, want %v", tc.pan, got, tc.want)
		}
	}
}

func TestMaskPAN(t *testing.T) {
	tests := []struct {
		pan, want string
	}{
		{"4571991234561234", "4571 99•• •••• 1234"},
		{"4571991234567890123", "4571 99•• •••• •••0 123"},
		{"4222222222222", "4222 22•• •222 2"},
		{"1234", "••••"},                               // too short: all hidden
		{"4571 9912 3456 1234", "•••••••••••••••••••"}, // not digits: all hidden
		{"", ""},
	}
	for _, tc := range tests {
		if got := MaskPAN(tc.pan); got != tc.want {
			t.Errorf("MaskPAN(%q) = %q, want %q", tc.pan, got, tc.want)
		}
	}
	if got := LastFour("4571991234561234"); got != "1234" {
		t.Errorf("LastFour = %q, want 1234", got)
	}
}
