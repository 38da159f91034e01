package cardsec

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/netbank/netbank"
)

// CVV2ServiceCode is the service code that goes into the CVV computation
// for the CVV2 printed on the back of the card (the magnetic stripe's CVV1
// uses the card's real service code, e.g. 201, and the chip's iCVV 999), so
// that the three values differ.
const CVV2ServiceCode = "000"

// CVVLength is the number of digits of a CVV2.
const CVVLength = 3

// CVK is a card verification key pair (CVK A, CVK B) for the Visa CVV
// method. The bank computes a card's CVV2 when it prints the card and again
// for every card-not-present authorization; it never stores it.
//
// The method (as Visa and the HSM vendors publish it; MasterCard's CVC is
// the same):
//
//  1. Write PAN ‖ expiry (YYMM) ‖ service code as decimal digits and pad it
//     on the right with 0 to 32 digits; read them as 16 bytes of BCD and
//     split into block 1 and block 2 of 8 bytes.
//  2. Encrypt block 1 with single DES under CVK A.
//  3. XOR the result with block 2.
//  4. Encrypt with CVK A, decrypt with CVK B, encrypt with CVK A (3DES-EDE
//     under the double-length key A‖B).
//  5. Decimalise the 16 hex digits of the result: first every digit 0–9 from
//     left to right, then every digit A–F from left to right minus 10.
//  6. The CVV is the first 3 digits.
//
// A CVK is safe for concurrent use.
type CVK struct {
	a, b cipher.Block
}

// NewCVK returns a CVK from a double-length key (16 bytes: CVK A ‖ CVK B),
// the normal form. A single-length key (8 bytes) is taken as CVK A = CVK B,
// which some older systems use; step 4 then degenerates to single DES, so it
// is accepted only for compatibility.
func NewCVK(key []byte) (*CVK, error) {
	var ka, kb []byte
	switch len(key) {
	case 8:
		ka, kb = key, key
	case 16:
		ka, kb = key[:8], key[8:]
	default:
		return nil, fmt.Errorf("cardsec: a CVK must be 8 or 16 bytes, not %d", len(key))
	}
	a, err := des.NewCipher(ka)
	if err != nil {
		return nil, err
	}
	b, err := des.NewCipher(kb)
	if err != nil {
		return nil, err
	}
	return &CVK{a: a, b: b}, nil
}

// CVV returns the 3-digit card verification value of pan (13 to 19 digits),
// expiry (YYMM) and serviceCode (3 digits).
func (k *CVK) CVV(pan, expiry, serviceCode string) (string, error) {
	return k.compute(pan, expiry, serviceCode, CVVLength)
}

// CVV2 returns the CVV2 printed on the card: CVV with service code 000.
func (k *CVK) CVV2(pan, expiry string) (string, error) {
	return k.CVV(pan, expiry, CVV2ServiceCode)
}

// VerifyCVV2 reports whether given is the CVV2 of pan and expiry, comparing
// in constant time. Malformed input is simply not a match.
func (k *CVK) VerifyCVV2(pan, expiry, given string) bool {
	want, err := k.CVV2(pan, expiry)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(given)) == 1
}

// compute runs the Visa CVV method and returns the first n decimalised
// digits (1 ≤ n ≤ 16).
func (k *CVK) compute(pan, expiry, serviceCode string, n int) (string, error) {
	if len(pan) < MinPANLength || len(pan) > MaxPANLength || !isDigits(pan) {
		return "", netbank.Errorf(netbank.EINVALID, "Kortnummeret skal være %d til %d cifre", MinPANLength, MaxPANLength)
	}
	if err := ValidateExpiry(expiry); err != nil {
		return "", err
	}
	if len(serviceCode) != 3 || !isDigits(serviceCode) {
		return "", netbank.Errorf(netbank.EINVALID, "Servicekoden skal være 3 cifre")
	}
	return k.digits(pan+expiry+serviceCode, n), nil
}

// digits runs steps 1–5 of the method on data (at most 32 decimal digits)
// and returns the first n decimalised digits.
func (k *CVK) digits(data string, n int) string {
	data += strings.Repeat("0", 32-len(data))
	raw, _ := hex.DecodeString(data) // decimal digits are valid hex
	var r [8]byte
	k.a.Encrypt(r[:], raw[:8])
	for i := range r {
		r[i] ^= raw[8+i]
	}
	k.a.Encrypt(r[:], r[:])
	k.b.Decrypt(r[:], r[:])
	k.a.Encrypt(r[:], r[:])
	return decimalise(r, n)
}

// decimalise picks n digits from the 16 hex digits of r: the digits 0–9
// from left to right, then the digits A–F from left to right as 0–5.
func decimalise(r [8]byte, n int) string {
	h := hex.EncodeToString(r[:])
	out := make([]byte, 0, 16)
	for i := 0; i < len(h); i++ {
		if h[i] <= '9' {
			out = append(out, h[i])
		}
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 'a' {
			out = append(out, '0'+h[i]-'a')
		}
	}
	return string(out[:n])
}

// ValidateExpiry checks an expiry date as it is printed on a card and
// carried in ISO 8583 field 14: YYMM, four digits, month 01–12.
func ValidateExpiry(expiry string) error {
	if len(expiry) != 4 || !isDigits(expiry) {
		return netbank.Errorf(netbank.EINVALID, "Udløbsdatoen skal skrives ÅÅMM (4 cifre)")
	}
	if m := (expiry[2]-'0')*10 + expiry[3] - '0'; m < 1 || m > 12 {
		return netbank.Errorf(netbank.EINVALID, "Udløbsdatoens måned skal være 01-12")
	}
	return nil
}
