package cardsec

import (
	"crypto/des"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

func demoZPK(t testing.TB) []byte {
	t.Helper()
	k, err := ParseKey(DemoZPK)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tdesByHand returns crypto/des's TDES under K1‖K2‖K1 for a double-length
// key, independent of newTDES.
func tdesByHand(t *testing.T, key []byte) interface {
	Encrypt(dst, src []byte)
	Decrypt(dst, src []byte)
} {
	t.Helper()
	c, err := des.NewTripleDESCipher(append(append([]byte{}, key...), key[:8]...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The ISO 9564-1 format 0 example found in most descriptions of the format
// (e.g. the Wikipedia article on ISO 9564): PIN 1234, PAN 43219876543210987.
// PIN field 041234FFFFFFFFFF, PAN field 0000987654321098, clear PIN block
// 0412AC89ABCDEF67. The test derives the fields and the XOR by hand and
// encrypts with crypto/des directly, then compares with EncodePINBlock.
func TestPINBlockFormat0KnownVector(t *testing.T) {
	const pin, pan = "1234", "43219876543210987"
	pinField, _ := hex.DecodeString("041234FFFFFFFFFF")
	panFieldWant, _ := hex.DecodeString("0000987654321098")
	if pf, err := panField(pan); err != nil || hex.EncodeToString(pf[:]) != hex.EncodeToString(panFieldWant) {
		t.Fatalf("panField(%s) = %X, %v; want %X", pan, pf, err, panFieldWant)
	}
	clear := make([]byte, 8)
	for i := range clear {
		clear[i] = pinField[i] ^ panFieldWant[i]
	}
	if got := strings.ToUpper(hex.EncodeToString(clear)); got != "0412AC89ABCDEF67" {
		t.Fatalf("clear PIN block by hand = %s, want 0412AC89ABCDEF67", got)
	}

	zpk := demoZPK(t)
	enc := make([]byte, 8)
	tdesByHand(t, zpk).Encrypt(enc, clear)
	want := strings.ToUpper(hex.EncodeToString(enc))

	got, err := EncodePINBlock(pin, pan, zpk)
	if err != nil || got != want {
		t.Fatalf("EncodePINBlock = %s, %v; want %s (TDES of 0412AC89ABCDEF67)", got, err, want)
	}
	back, err := DecodePINBlock(got, zpk, pan)
	if err != nil || back != pin {
		t.Fatalf("DecodePINBlock = %q, %v; want %q", back, err, pin)
	}
	// Field 52 may arrive in lower case.
	if back, err := DecodePINBlock(strings.ToLower(got), zpk, pan); err != nil || back != pin {
		t.Fatalf("DecodePINBlock(lower case) = %q, %v", back, err)
	}
}

func TestPINBlockRoundTrip(t *testing.T) {
	zpk := demoZPK(t)
	key24, err := ParseKey("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range [][]byte{zpk, key24} {
		for _, pin := range []string{"0000", "1234", "98765", "123456789012"} {
			for _, pan := range []string{"4571991234561234", "4222222222222", "4000000000000000006"} {
				enc, err := EncodePINBlock(pin, pan, key)
				if err != nil {
					t.Fatal(err)
				}
				if len(enc) != PINBlockHexLength || strings.ToUpper(enc) != enc {
					t.Fatalf("EncodePINBlock = %q: want 16 upper-case hex digits", enc)
				}
				got, err := DecodePINBlock(enc, key, pan)
				if err != nil || got != pin {
					t.Fatalf("round trip of %s on %s (%d-byte key) = %q, %v", pin, pan, len(key), got, err)
				}
			}
		}
	}
}

// rawBlock encrypts a clear format 0 block given as 16 nibbles (before the
// PAN XOR) for pan under the demo key, by hand.
func rawBlock(t *testing.T, pinFieldHex, pan string) string {
	t.Helper()
	pf, err := hex.DecodeString(pinFieldHex)
	if err != nil {
		t.Fatal(err)
	}
	pan12, _ := panField(pan)
	for i := range pf {
		pf[i] ^= pan12[i]
	}
	enc := make([]byte, 8)
	tdesByHand(t, demoZPK(t)).Encrypt(enc, pf)
	return hex.EncodeToString(enc)
}

func TestDecodePINBlockStrictChecks(t *testing.T) {
	const pan = "4571991234561234"
	zpk := demoZPK(t)
	if pin, err := DecodePINBlock(rawBlock(t, "041234FFFFFFFFFF", pan), zpk, pan); err != nil || pin != "1234" {
		t.Fatalf("well-formed block = %q, %v", pin, err)
	}
	tests := []struct{ name, pinField string }{
		{"format 1 nibble", "141234FFFFFFFFFF"},
		{"length 3", "03123FFFFFFFFFFF"},
		{"length 13", "0D1234567890123F"},
		{"length 15", "0F12345678901234"},
		{"letter in PIN", "04123AFFFFFFFFFF"},
		{"filler E", "041234FFFFFFFFFE"},
		{"filler 0", "0412340000000000"},
		{"filler inside the PIN digits", "051234FFFFFFFFFF"},
	}
	for _, tc := range tests {
		enc := rawBlock(t, tc.pinField, pan)
		if pin, err := DecodePINBlock(enc, zpk, pan); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("%s: DecodePINBlock = %q, %v; want EINVALID", tc.name, pin, err)
		}
	}

	good, _ := EncodePINBlock("1234", pan, zpk)
	other, _ := ParseKey("0123456789ABCDEFFEDCBA9876543210")
	if pin, err := DecodePINBlock(good, other, pan); err == nil && pin == "1234" {
		t.Error("the block decodes to the PIN under another zone key")
	}
	for _, junk := range []string{"", good[:15], good + "0", "Z" + good[1:], " " + good[1:]} {
		if pin, err := DecodePINBlock(junk, zpk, pan); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("DecodePINBlock(%q) = %q, %v; want EINVALID", junk, pin, err)
		}
	}
	if _, err := DecodePINBlock(good, zpk, "457199123456"); netbank.ErrorCodeOf(err) != netbank.EINVALID {
		t.Errorf("12-digit PAN: err = %v, want EINVALID", err)
	}
	if _, err := DecodePINBlock(good, zpk[:8], pan); err == nil {
		t.Error("a single-length ZPK was accepted")
	}
}

func TestEncodePINBlockRefusesBadPIN(t *testing.T) {
	zpk := demoZPK(t)
	for _, pin := range []string{"", "123", "1234567890123", "12a4", "12 4"} {
		if enc, err := EncodePINBlock(pin, "4571991234561234", zpk); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("EncodePINBlock(%q) = %q, %v; want EINVALID", pin, enc, err)
		}
	}
}

// The PIN is never stored: the bank keeps a keyed hash salted with the PAN's
// look-up hash (issue 5, "Issuing and card life").
func TestPINVerifier(t *testing.T) {
	v, err := NewPINVerifier(testKey(7))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSealer(t, Key{ID: "k1", Secret: testKey(1)})
	cardA := s.LookupHash("4571991234561234")
	cardB := s.LookupHash("4571990000000003")

	h, err := v.Hash(cardA, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 64 {
		t.Fatalf("Hash = %q: want 64 hex digits", h)
	}
	if !v.Verify(cardA, "1234", h) {
		t.Fatal("Verify rejects the right PIN")
	}
	if v.Verify(cardA, "1235", h) || v.Verify(cardB, "1234", h) || v.Verify(cardA, "1234", h[:62]) || v.Verify(cardA, "1234", "zz") {
		t.Fatal("Verify accepts a wrong PIN, card or stored value")
	}
	if hb, _ := v.Hash(cardB, "1234"); hb == h {
		t.Fatal("the same PIN on two cards has the same verification value")
	}
	other, _ := NewPINVerifier(testKey(8))
	if other.Verify(cardA, "1234", h) {
		t.Fatal("a value verifies under another PIN key")
	}
	if _, err := v.Hash(cardA, "12"); netbank.ErrorCodeOf(err) != netbank.EINVALID {
		t.Errorf("Hash of a 2-digit PIN: err = %v, want EINVALID", err)
	}
	if _, err := v.Hash("", "1234"); err == nil {
		t.Error("Hash without a card hash succeeded")
	}
	if _, err := NewPINVerifier(testKey(7)[:16]); err == nil {
		t.Error("NewPINVerifier accepted a 16-byte key")
	}
}

// FuzzDecodePINBlock: no input makes DecodePINBlock panic, and whatever it
// accepts is a 4–12 digit PIN that encodes back to a block decoding to the
// same PIN.
func FuzzDecodePINBlock(f *testing.F) {
	zpk := demoZPK(f)
	good, _ := EncodePINBlock("1234", "4571991234561234", zpk)
	f.Add(good, "4571991234561234")
	f.Add("0412AC89ABCDEF67", "43219876543210987")
	f.Add("", "")
	f.Add("zzzzzzzzzzzzzzzz", "4571991234561234")
	f.Add("FFFFFFFFFFFFFFFF", "0000000000000")
	f.Fuzz(func(t *testing.T, enc, pan string) {
		pin, err := DecodePINBlock(enc, zpk, pan)
		if err != nil {
			if netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Fatalf("DecodePINBlock error %v is not EINVALID", err)
			}
			return
		}
		if ValidatePIN(pin) != nil {
			t.Fatalf("DecodePINBlock returned %q", pin)
		}
		again, err := EncodePINBlock(pin, pan, zpk)
		if err != nil {
			t.Fatalf("EncodePINBlock(%q) after a successful decode: %v", pin, err)
		}
		if back, err := DecodePINBlock(again, zpk, pan); err != nil || back != pin {
			t.Fatalf("re-encoded block decodes to %q, %v; want %q", back, err, pin)
		}
	})
}
