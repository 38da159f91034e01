package cardsec

import (
	"bytes"
	"crypto/des"
	"encoding/hex"
	"testing"

	"github.com/netbank/netbank"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantLen int
	}{
		{"single length", "0123456789ABCDEF", 8},
		{"double length", "0123456789ABCDEFFEDCBA9876543210", 16},
		{"double length lower case with spaces", "01234567 89abcdef fedcba98 76543210", 16},
		{"triple length", "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", 24},
		{"demo ZPK", DemoZPK, 16},
		{"odd number of digits", "0123456789ABCDE", 0},
		{"not hex", "0123456789ABCDEG", 0},
		{"wrong length", "0123456789ABCDEF01", 0},
		{"empty", "", 0},
		{"double length with equal halves", "0123456789ABCDEF0123456789ABCDEF", 0},
		{"triple length with K1 = K2", "0123456789ABCDEF0123456789ABCDEFFEDCBA9876543210", 0},
		{"triple length with K2 = K3", "FEDCBA98765432100123456789ABCDEF0123456789ABCDEF", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParseKey(tc.in)
			if tc.wantLen == 0 {
				if netbank.ErrorCodeOf(err) != netbank.EINVALID {
					t.Fatalf("ParseKey(%q) = %X, %v; want EINVALID", tc.in, key, err)
				}
				return
			}
			if err != nil || len(key) != tc.wantLen {
				t.Fatalf("ParseKey(%q) = %X, %v; want %d bytes", tc.in, key, err, tc.wantLen)
			}
		})
	}
}

func TestCheckOddParity(t *testing.T) {
	for _, good := range []string{"0123456789ABCDEFFEDCBA9876543210", DemoZPK} {
		key, _ := hex.DecodeString(good)
		if err := CheckOddParity(key); err != nil {
			t.Errorf("CheckOddParity(%s) = %v; every byte has an odd number of 1 bits", good, err)
		}
	}
	// 0x00 has no 1 bits: even parity.
	key, _ := hex.DecodeString("0023456789ABCDEFFEDCBA9876543210")
	if err := CheckOddParity(key); netbank.ErrorCodeOf(err) != netbank.EINVALID {
		t.Errorf("CheckOddParity with byte 00 = %v, want EINVALID", err)
	}
}

// A double-length key K1‖K2 is TDES with K1‖K2‖K1 (keying option 2).
func TestNewTDESDoubleLengthIsK1K2K1(t *testing.T) {
	k, _ := hex.DecodeString("0123456789ABCDEFFEDCBA9876543210")
	got, err := newTDES(k)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := des.NewTripleDESCipher(append(append([]byte{}, k...), k[:8]...))
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("PINBLOCK")
	a, b := make([]byte, 8), make([]byte, 8)
	got.Encrypt(a, in)
	ref.Encrypt(b, in)
	if !bytes.Equal(a, b) {
		t.Fatalf("newTDES(K1‖K2) encrypts to %X, TDES(K1‖K2‖K1) to %X", a, b)
	}
	if _, err := newTDES(k[:8]); err == nil {
		t.Error("newTDES accepted a single-length key")
	}
}
