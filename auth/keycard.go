package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
)

// Key card (nøglekort) dimensions, RULE BIZ-1.
const (
	// KeyCardPairs is the number of key number / code pairs on a card.
	KeyCardPairs = 148
	// KeyCardRenewAt is the number of unused codes left at which the bank
	// sends (or offers) a new card, so the user never runs out.
	KeyCardRenewAt = 20

	keyCardSerialDigits = 10
	keyNumberDigits     = 4
	keyCodeDigits       = 6
)

// KeyCard is a newly made key card, as printed and sent to the user. The
// bank keeps only the serial and, per key number, HashKeyCode of the code;
// the clear codes exist only until the card is printed.
type KeyCard struct {
	// Serial is the card's 10-digit number, printed on it and shown at
	// login so the user picks the right card.
	Serial string
	// Codes maps each key number ("0001"–"9999", 4 digits) to its one-time
	// code (6 digits). It has KeyCardPairs entries.
	Codes map[string]string
}

// NewKeyCard draws a key card from rand: a 10-digit serial and
// KeyCardPairs distinct random key numbers in "0001"–"9999", each with a
// random 6-digit code. Random key numbers (rather than 1–148) mean a
// phisher who asks for "code 0042" learns nothing about the next challenge.
// It panics if rand fails, as crypto/rand would.
func NewKeyCard(rand io.Reader) KeyCard {
	c := KeyCard{Serial: randomDigits(rand, keyCardSerialDigits), Codes: make(map[string]string, KeyCardPairs)}
	for len(c.Codes) < KeyCardPairs {
		n := 1 + mustRandUint64n(rand, 9999)
		k := fmt.Sprintf("%04d", n)
		if _, dup := c.Codes[k]; dup {
			continue
		}
		c.Codes[k] = randomDigits(rand, keyCodeDigits)
	}
	return c
}

// HashKeyCode returns what the bank stores for one code of a key card: the
// lowercase hex HMAC-SHA256 under pepper of serial + ":" + keyNumber + ":" +
// code.
//
// Why a pepper: a code has only 10^6 values, so a plain (even salted and
// slow) hash would fall to an offline search within seconds for anyone who
// reads the table; the codes of a stolen database would be as good as the
// printed card. The pepper is a secret key kept outside the database (in the
// bank's configuration), so a leaked table alone reveals nothing. Serial and
// key number are inside the MAC, so a stored value cannot be moved to another
// card or key number.
func HashKeyCode(pepper []byte, serial, keyNumber, code string) string {
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte(serial + ":" + keyNumber + ":" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyKeyCode reports, in constant time, whether code is the code stored
// as hash (from HashKeyCode) for the card's key number. Each code works
// once (RULE BIZ-1): the caller marks the key number used on success.
func VerifyKeyCode(pepper []byte, serial, keyNumber, code, hash string) bool {
	got := HashKeyCode(pepper, serial, keyNumber, code)
	return subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}

// PickKeyNumber chooses, uniformly from rand, the key number whose code the
// login asks for among the card's unused key numbers; "" if none is left.
// It panics if rand fails, as crypto/rand would.
func PickKeyNumber(rand io.Reader, unused []string) string {
	if len(unused) == 0 {
		return ""
	}
	return unused[mustRandUint64n(rand, uint64(len(unused)))]
}
