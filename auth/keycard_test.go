package auth

import (
	"bytes"
	"strconv"
	"testing"
)

// RULE BIZ-1: a key card has 148 pairs; key numbers are distinct random
// 4-digit numbers 0001–9999, codes random 6-digit strings, the serial 10
// digits.
func TestNewKeyCard(t *testing.T) {
	r := testRand(6)
	serials := map[string]bool{}
	for i := range 20 {
		c := NewKeyCard(r)
		if len(c.Serial) != 10 || !isDigits(c.Serial) {
			t.Fatalf("serial %q", c.Serial)
		}
		if serials[c.Serial] {
			t.Fatalf("serial %q repeated", c.Serial)
		}
		serials[c.Serial] = true
		if len(c.Codes) != KeyCardPairs {
			t.Fatalf("card %d has %d pairs, want %d", i, len(c.Codes), KeyCardPairs)
		}
		distinctCodes := map[string]bool{}
		for k, code := range c.Codes {
			n, err := strconv.Atoi(k)
			if len(k) != 4 || !isDigits(k) || err != nil || n < 1 || n > 9999 {
				t.Fatalf("key number %q", k)
			}
			if len(code) != 6 || !isDigits(code) {
				t.Fatalf("code %q for key %s", code, k)
			}
			distinctCodes[code] = true
		}
		if len(distinctCodes) < KeyCardPairs-2 {
			t.Errorf("only %d distinct codes on a card: not random", len(distinctCodes))
		}
	}
	if KeyCardRenewAt != 20 {
		t.Errorf("KeyCardRenewAt = %d", KeyCardRenewAt)
	}
}

// RULE BIZ-1: key numbers are not 1..148 in order; over many cards they
// cover the whole range 0001–9999.
func TestKeyCardNumbersSpread(t *testing.T) {
	r := testRand(8)
	var low, high bool
	for range 50 {
		for k := range NewKeyCard(r).Codes {
			n, _ := strconv.Atoi(k)
			low = low || n < 1000
			high = high || n > 9000
		}
	}
	if !low || !high {
		t.Errorf("key numbers do not span the range: low %v high %v", low, high)
	}
}

// RULE BIZ-1: codes are stored as a peppered HMAC bound to card and key
// number.
func TestHashKeyCode(t *testing.T) {
	pepper := []byte("a pepper of at least 32 bytes...")
	h := HashKeyCode(pepper, "1234567890", "0042", "123456")
	// Computed independently:
	// printf '1234567890:0042:123456' | openssl dgst -sha256 -hmac 'a pepper of at least 32 bytes...'
	const want = "c6896a9710a0f00c898eba19c7f1db76c9b5b5abd0a9d488d40850cb4d995a99"
	if h != want {
		t.Fatalf("HashKeyCode = %s, want %s", h, want)
	}
	tests := []struct {
		name                    string
		pepper                  []byte
		serial, keyNumber, code string
		same                    bool
	}{
		{"same", pepper, "1234567890", "0042", "123456", true},
		{"other code", pepper, "1234567890", "0042", "123457", false},
		{"other key number", pepper, "1234567890", "0043", "123456", false},
		{"other card", pepper, "1234567891", "0042", "123456", false},
		{"other pepper", bytes.Repeat([]byte{1}, 32), "1234567890", "0042", "123456", false},
		{"shifted separator", pepper, "1234567890:0", "042", "123456", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HashKeyCode(tt.pepper, tt.serial, tt.keyNumber, tt.code)
			if (got == h) != tt.same {
				t.Errorf("hash equal = %v, want %v", got == h, tt.same)
			}
			if ok := VerifyKeyCode(tt.pepper, tt.serial, tt.keyNumber, tt.code, h); ok != tt.same {
				t.Errorf("VerifyKeyCode = %v, want %v", ok, tt.same)
			}
		})
	}
}

// RULE BIZ-1: the login asks for a random unused key number.
func TestPickKeyNumber(t *testing.T) {
	r := testRand(10)
	if got := PickKeyNumber(r, nil); got != "" {
		t.Errorf("PickKeyNumber(nil) = %q", got)
	}
	if got := PickKeyNumber(r, []string{"0007"}); got != "0007" {
		t.Errorf("PickKeyNumber(one) = %q", got)
	}
	unused := []string{"0001", "0500", "9999"}
	counts := map[string]int{}
	for range 3000 {
		counts[PickKeyNumber(r, unused)]++
	}
	for _, k := range unused {
		if counts[k] < 800 || counts[k] > 1200 {
			t.Errorf("key %s picked %d of 3000 times: not uniform", k, counts[k])
		}
	}
	if len(counts) != len(unused) {
		t.Errorf("picked outside the list: %v", counts)
	}
}
