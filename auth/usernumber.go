package auth

import (
	"io"

	"github.com/netbank/netbank"
)

// UserNumberLength is the number of digits in a user number (brugernummer),
// RULE AUTH-1.
const UserNumberLength = 11

// signatureFileDigits is how many trailing digits of the user number name
// the signature file (RULE AUTH-3).
const signatureFileDigits = 7

// The Danish messages of ValidUserNumber.
const (
	msgUserNumberEmpty   = "Indtast dit brugernummer."
	msgUserNumberInvalid = "Brugernummeret skal bestå af 11 cifre."
)

// ValidUserNumber checks that s is a user number: exactly 11 ASCII digits
// (RULE AUTH-1). The error has the code netbank.EINVALID and a Danish
// message. It does not tell whether the user exists.
func ValidUserNumber(s string) error {
	if s == "" {
		return netbank.Errorf(netbank.EINVALID, msgUserNumberEmpty)
	}
	if len(s) != UserNumberLength || !isDigits(s) {
		return netbank.Errorf(netbank.EINVALID, msgUserNumberInvalid)
	}
	return nil
}

// NewUserNumber draws a new user number from rand: 11 digits, the first not
// 0 (so it survives being read as a number). The caller checks that it is
// not taken. It panics if rand fails, as crypto/rand would.
func NewUserNumber(rand io.Reader) string {
	return string('1'+byte(mustRandUint64n(rand, 9))) + randomDigits(rand, UserNumberLength-1)
}

// SignatureFileName returns the name of the user's signature file: the last
// 7 digits of the user number and ".usf" (RULE AUTH-3: 99991234567 →
// "1234567.usf"). It returns "" for anything that is not a valid user
// number.
func SignatureFileName(userNumber string) string {
	if ValidUserNumber(userNumber) != nil {
		return ""
	}
	return userNumber[len(userNumber)-signatureFileDigits:] + ".usf"
}
