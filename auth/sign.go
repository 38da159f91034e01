package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
)

// The prefixes of the signed messages. A prefix per purpose (domain
// separation) means a login signature can never be passed off as a signed
// payment, or the other way round; "v1" leaves room for a later format.
const (
	loginPrefix    = "netbank-login-v1\n"
	documentPrefix = "netbank-sign-v1\n"
)

// LoginMessage returns the bytes the user's key signs to log in (RULE
// AUTH-4): "netbank-login-v1\n" followed by the challenge the bank issued
// for this login attempt (see NewChallenge).
func LoginMessage(challenge string) []byte {
	return []byte(loginPrefix + challenge)
}

// DocumentMessage returns the bytes the user's key signs to approve a
// financially binding document — a payment, a transfer, a contract (RULE
// SIGN-2): "netbank-sign-v1\n" followed by Checksum(document). The document
// is canonical UTF-8 text that the caller builds from exactly the data of the
// transaction and keeps next to the signature, so the bank can later show
// what was signed.
func DocumentMessage(document []byte) []byte {
	return []byte(documentPrefix + Checksum(document))
}

// Checksum returns the lowercase hex SHA-256 of the document: the checksum
// over exactly the transaction's data that the bank recomputes and compares
// (RULE SIGN-1).
func Checksum(document []byte) string {
	sum := sha256.Sum256(document)
	return hex.EncodeToString(sum[:])
}

// Verify reports whether sig is a valid Ed25519 signature of msg by pub. It
// returns false, never panics, for keys and signatures of the wrong size.
func Verify(pub ed25519.PublicKey, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, msg, sig)
}

// challengeSize is the number of random bytes in a login challenge.
const challengeSize = 32

// NewChallenge returns a fresh login challenge: 32 random bytes from rand as
// unpadded base64url (43 characters). The bank stores it with the login
// attempt, sends it to the browser, and accepts one signature of
// LoginMessage(challenge) for it. It panics if rand fails, as crypto/rand
// would.
func NewChallenge(rand io.Reader) string {
	return base64.RawURLEncoding.EncodeToString(mustReadRandom(rand, challengeSize))
}
