package cardsec

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/netbank/netbank"
)

// PIN lengths of ISO 9564-1 format 0 (the length nibble allows 4 to 12).
const (
	// MinPINLength is the shortest PIN a format 0 PIN block can carry.
	MinPINLength = 4
	// MaxPINLength is the longest PIN a format 0 PIN block can carry.
	MaxPINLength = 12
)

// PINBlockHexLength is the length of an encrypted PIN block written as hex,
// as it travels in ISO 8583 field 52: 8 bytes, 16 hex digits.
const PINBlockHexLength = 16

// msgPINBlock is the message of every error about the content of a PIN
// block. It deliberately does not say which check failed: a wrong zone key,
// a wrong card number and a tampered block look alike and should.
const msgPINBlock = "PIN-blokken kan ikke læses (forkert format, nøgle eller kortnummer)"

// ValidatePIN checks a PIN: 4 to 12 ASCII digits.
func ValidatePIN(pin string) error {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength || !isDigits(pin) {
		return netbank.Errorf(netbank.EINVALID, "PIN-koden skal være %d til %d cifre", MinPINLength, MaxPINLength)
	}
	return nil
}

// EncodePINBlock makes what a terminal puts in field 52: the ISO 9564-1
// format 0 PIN block of pin for pan, encrypted with TDES (3DES-EDE, one
// 8-byte block, ECB) under zpk (16 or 24 bytes), as 16 upper-case hex
// digits.
//
// Format 0: the PIN field is the nibbles 0, the PIN length, the PIN digits
// and F up to 16 nibbles; the PAN field is the nibbles 0000 and the 12
// rightmost digits of the PAN without its check digit; the clear PIN block
// is PIN field XOR PAN field.
func EncodePINBlock(pin, pan string, zpk []byte) (string, error) {
	if err := ValidatePIN(pin); err != nil {
		return "", err
	}
	pf, err := panField(pan)
	if err != nil {
		return "", err
	}
	block, err := newTDES(zpk)
	if err != nil {
		return "", err
	}
	var clear [8]byte
	for i, n := 0, 0; i < 8; i++ {
		hi := pinNibble(pin, n)
		lo := pinNibble(pin, n+1)
		n += 2
		clear[i] = (hi<<4 | lo) ^ pf[i]
	}
	var enc [8]byte
	block.Encrypt(enc[:], clear[:])
	return strings.ToUpper(hex.EncodeToString(enc[:])), nil
}

// pinNibble returns nibble n (0–15) of the format 0 PIN field of pin.
func pinNibble(pin string, n int) byte {
	switch {
	case n == 0:
		return 0 // format
	case n == 1:
		return byte(len(pin))
	case n-2 < len(pin):
		return pin[n-2] - '0'
	default:
		return 0xF
	}
}

// DecodePINBlock decrypts an encrypted format 0 PIN block (16 hex digits,
// upper or lower case, from field 52) under zpk and returns the PIN, after
// strict checks of the clear block: format nibble 0, length 4 to 12, decimal
// PIN digits, every filler nibble F. pan is the card number of the
// transaction (field 2), needed to undo the XOR. Every failure of those
// checks gives the same EINVALID error, so the answer does not help anyone
// probing the key; the authorization engine treats it as a wrong PIN.
func DecodePINBlock(encHex string, zpk []byte, pan string) (string, error) {
	if len(encHex) != PINBlockHexLength {
		return "", netbank.Errorf(netbank.EINVALID, msgPINBlock)
	}
	enc, err := hex.DecodeString(encHex)
	if err != nil {
		return "", netbank.Errorf(netbank.EINVALID, msgPINBlock)
	}
	pf, err := panField(pan)
	if err != nil {
		return "", err
	}
	block, err := newTDES(zpk)
	if err != nil {
		return "", err
	}
	var clear [8]byte
	block.Decrypt(clear[:], enc)
	var nib [16]byte
	for i := range clear {
		b := clear[i] ^ pf[i]
		nib[2*i], nib[2*i+1] = b>>4, b&0xF
	}
	n := int(nib[1])
	if nib[0] != 0 || n < MinPINLength || n > MaxPINLength {
		return "", netbank.Errorf(netbank.EINVALID, msgPINBlock)
	}
	pin := make([]byte, n)
	for i := range n {
		d := nib[2+i]
		if d > 9 {
			return "", netbank.Errorf(netbank.EINVALID, msgPINBlock)
		}
		pin[i] = '0' + d
	}
	for _, f := range nib[2+n:] {
		if f != 0xF {
			return "", netbank.Errorf(netbank.EINVALID, msgPINBlock)
		}
	}
	return string(pin), nil
}

// panField returns the format 0 PAN field of pan: nibbles 0000 and the 12
// rightmost digits of pan excluding its check digit. pan must be 13 to 19
// digits (Luhn is not checked here; the card look-up has done that).
func panField(pan string) ([8]byte, error) {
	var f [8]byte
	if len(pan) < MinPANLength || len(pan) > MaxPANLength || !isDigits(pan) {
		return f, netbank.Errorf(netbank.EINVALID, "Kortnummeret skal være %d til %d cifre", MinPANLength, MaxPANLength)
	}
	digits := pan[len(pan)-13 : len(pan)-1]
	for i := 0; i < 12; i += 2 {
		f[2+i/2] = (digits[i]-'0')<<4 | (digits[i+1] - '0')
	}
	return f, nil
}

// PINVerifier makes and checks the PIN verification value the bank stores
// for a card instead of its PIN: hex of HMAC-SHA256(PIN key, domain ‖ PAN
// look-up hash ‖ PIN). The PAN's look-up hash (Sealer.LookupHash) is the
// salt, so equal PINs on different cards give different values.
//
// A PIN has few digits: whoever has both the stored value and the PIN key
// can find the PIN by trying them all. The PIN key must therefore live only
// in configuration (never in the database next to the values), and rotating
// it means new PINs for every card.
type PINVerifier struct {
	key []byte
}

// NewPINVerifier returns a PINVerifier under key (at least 32 bytes).
func NewPINVerifier(key []byte) (*PINVerifier, error) {
	if len(key) < DataKeySize {
		return nil, fmt.Errorf("cardsec: the PIN key must be at least %d bytes", DataKeySize)
	}
	return &PINVerifier{key: append([]byte(nil), key...)}, nil
}

// Hash returns the PIN verification value of pin (4 to 12 digits) on the
// card whose look-up hash is panHash.
func (v *PINVerifier) Hash(panHash, pin string) (string, error) {
	if err := ValidatePIN(pin); err != nil {
		return "", err
	}
	if panHash == "" {
		return "", fmt.Errorf("cardsec: the PIN hash needs the card's look-up hash")
	}
	return hex.EncodeToString(v.mac(panHash, pin)), nil
}

// Verify reports whether pin is the PIN whose verification value is stored,
// comparing in constant time. A malformed PIN or stored value is simply not
// a match.
func (v *PINVerifier) Verify(panHash, pin, stored string) bool {
	want, err := hex.DecodeString(stored)
	if err != nil || ValidatePIN(pin) != nil || panHash == "" {
		return false
	}
	return hmac.Equal(v.mac(panHash, pin), want)
}

// mac computes the raw HMAC of a PIN verification value.
func (v *PINVerifier) mac(panHash, pin string) []byte {
	m := hmac.New(sha256.New, v.key)
	m.Write([]byte("netbank cardsec v1: pin\x00"))
	m.Write([]byte(panHash))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return m.Sum(nil)
}
