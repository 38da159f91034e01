package auth

import "github.com/netbank/netbank"

// Limits of a signature code (underskriftskode), RULE AUTH-2.
const (
	// MinSignatureCodeLength is the fewest characters a signature code may have.
	MinSignatureCodeLength = 8
	// MaxSignatureCodeLength is the most characters a signature code may have.
	MaxSignatureCodeLength = 16
)

// The Danish messages of ValidateSignatureCode. web/static/usf.js uses the
// same texts, in the same order of checks.
const (
	msgCodeEmpty    = "Indtast en underskriftskode."
	msgCodeChars    = "Underskriftskoden må kun indeholde tallene 0-9 og bogstaverne a-z (ikke æ, ø og å)."
	msgCodeTooShort = "Underskriftskoden skal være mindst 8 tegn."
	msgCodeTooLong  = "Underskriftskoden må højst være 16 tegn."
	msgCodeNoDigit  = "Underskriftskoden skal indeholde mindst ét tal."
	msgCodeNoLetter = "Underskriftskoden skal indeholde mindst ét bogstav."
)

// ValidateSignatureCode checks a signature code against RULE AUTH-2: 8–16
// characters, only the digits 0-9 and the letters a-z, at least one digit and
// at least one letter. Case does not matter: A–Z are accepted and count as
// a–z (see NormalizeSignatureCode). Everything else — æ, ø, å, other
// letters, spaces, punctuation — is refused. The error has the code
// netbank.EINVALID and a Danish message for the user.
//
// The checks run in a fixed order (empty, characters, length, digit, letter)
// so that the first message is the most useful one; usf.js does the same.
func ValidateSignatureCode(code string) error {
	if code == "" {
		return netbank.Errorf(netbank.EINVALID, msgCodeEmpty)
	}
	var digit, letter bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		default:
			return netbank.Errorf(netbank.EINVALID, msgCodeChars)
		}
	}
	// Only ASCII is left, so bytes are characters.
	switch n := len(code); {
	case n < MinSignatureCodeLength:
		return netbank.Errorf(netbank.EINVALID, msgCodeTooShort)
	case n > MaxSignatureCodeLength:
		return netbank.Errorf(netbank.EINVALID, msgCodeTooLong)
	case !digit:
		return netbank.Errorf(netbank.EINVALID, msgCodeNoDigit)
	case !letter:
		return netbank.Errorf(netbank.EINVALID, msgCodeNoLetter)
	}
	return nil
}

// NormalizeSignatureCode folds the ASCII letters A–Z to a–z, the form in
// which a signature code is fed to the key derivation (the code is
// case-insensitive, RULE AUTH-2). Only ASCII is folded, never other
// letters, so that Go and the browser (usf.js) agree byte for byte; a code
// with other characters is refused by ValidateSignatureCode anyway.
func NormalizeSignatureCode(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
