package cardsec

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// PANLength is the length of the card numbers the bank issues.
const PANLength = 16

// Lengths of card numbers ValidPAN accepts: ISO/IEC 7812 allows 8 to 19
// digits; payment cards in use have at least 13.
const (
	// MinPANLength is the shortest card number ValidPAN accepts.
	MinPANLength = 13
	// MaxPANLength is the longest card number ValidPAN accepts.
	MaxPANLength = 19
)

// ValidateBIN checks a bank identification number (issuer identification
// number) from configuration: 6 or 8 digits, the first of them 4 for Visa.
func ValidateBIN(bin string) error {
	if (len(bin) != 6 && len(bin) != 8) || !isDigits(bin) {
		return netbank.Errorf(netbank.EINVALID, "BIN-nummeret skal være 6 eller 8 cifre")
	}
	if bin[0] != '4' {
		return netbank.Errorf(netbank.EINVALID, "Et Visa-BIN-nummer begynder med 4")
	}
	return nil
}

// NewPAN returns a new 16-digit card number: bin, then random digits, then
// the Luhn check digit. The random digits come from random (crypto/rand if
// nil), uniformly; with a 6-digit BIN there are 10⁹ numbers, with an 8-digit
// BIN 10⁷. The caller makes sure the number is not in use yet (the look-up
// hash is unique in storage) and draws again if it is. Random numbers rather
// than a counter keep the card numbers of other customers unguessable.
func NewPAN(bin string, random io.Reader) (string, error) {
	if err := ValidateBIN(bin); err != nil {
		return "", err
	}
	if random == nil {
		random = rand.Reader
	}
	width := PANLength - len(bin) - 1
	n, err := rand.Int(random, pow10(width))
	if err != nil {
		return "", fmt.Errorf("cardsec: drawing a card number: %w", err)
	}
	return withCheckDigit(fmt.Sprintf("%s%0*d", bin, width, n.Int64()))
}

// PANFromSerial returns the 16-digit card number with the given serial
// number under bin: bin, serial zero-padded to the width left, the Luhn
// check digit. serial must fit: below 10⁹ with a 6-digit BIN, 10⁷ with an
// 8-digit one. Use it for fixed numbers (tests, demo data); real cards take
// NewPAN.
func PANFromSerial(bin string, serial int64) (string, error) {
	if err := ValidateBIN(bin); err != nil {
		return "", err
	}
	width := PANLength - len(bin) - 1
	if serial < 0 || big.NewInt(serial).Cmp(pow10(width)) >= 0 {
		return "", netbank.Errorf(netbank.EINVALID, "Løbenummeret skal være et tal på højst %d cifre", width)
	}
	return withCheckDigit(fmt.Sprintf("%s%0*d", bin, width, serial))
}

// withCheckDigit appends the Luhn check digit to payload.
func withCheckDigit(payload string) (string, error) {
	d, err := dk.LuhnCheckDigit(payload)
	if err != nil {
		return "", err
	}
	return payload + string(d), nil
}

// ValidPAN reports whether pan is a plausible card number: 13 to 19 ASCII
// digits (nothing else, no spaces) ending in a correct Luhn check digit.
func ValidPAN(pan string) bool {
	return len(pan) >= MinPANLength && len(pan) <= MaxPANLength && dk.LuhnValid(pan)
}

// MaskPAN returns pan for display with all but the first six and the last
// four digits hidden, in groups of four: "4571 99•• •••• 1234" (the most
// PCI DSS allows to be shown). Anything that is not 13 to 19 digits is
// hidden completely, one "•" per character, so a mistyped number never
// shows in clear either.
func MaskPAN(pan string) string {
	if len(pan) < MinPANLength || len(pan) > MaxPANLength || !isDigits(pan) {
		return strings.Repeat("•", len([]rune(pan)))
	}
	var b strings.Builder
	for i := 0; i < len(pan); i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		if i < 6 || i >= len(pan)-4 {
			b.WriteByte(pan[i])
		} else {
			b.WriteString("•")
		}
	}
	return b.String()
}

// LastFour returns the last four digits of pan (for "kort der ender på
// 1234"), or "" if pan is shorter than four characters.
func LastFour(pan string) string {
	if len(pan) < 4 {
		return ""
	}
	return pan[len(pan)-4:]
}

// pow10 returns 10ⁿ.
func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// isDigits reports whether s is non-empty and only ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
