// Package auth holds the bank's identity primitives as plain Go, with no SQL
// and no HTTP: the private customer's user number, signature code and
// signature file (underskriftsfil) with its Ed25519 key pair (RULE AUTH-1 to
// AUTH-7), the exact bytes that are signed at login and for binding
// transactions (SIGN-1, SIGN-2), and the business and staff credentials:
// argon2id passwords, key cards (nøglekort) and the key app's TOTP codes
// (BIZ-1, BIZ-4).
//
// The browser half of the signature file lives in web/static/usf.js and
// writes and reads exactly the same bytes; docs/signature-file.md describes
// the format. Randomness is always passed in as an io.Reader (crypto/rand.Reader
// in production), so tests can be deterministic where they need to be.
//
// Errors that a user can cause carry the code netbank.EINVALID and a Danish
// message that is safe to show; anything else is an internal error.
package auth

import (
	"encoding/binary"
	"fmt"
	"io"
)

// randUint64n returns a uniformly random integer in [0, n) read from r,
// using rejection sampling so that no value is more likely than another.
func randUint64n(r io.Reader, n uint64) (uint64, error) {
	if n == 0 {
		return 0, fmt.Errorf("auth: randUint64n(0)")
	}
	// The largest multiple of n that fits; values at or above it are redrawn.
	limit := ^uint64(0) - (^uint64(0) % n)
	var b [8]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("auth: read random: %w", err)
		}
		v := binary.BigEndian.Uint64(b[:])
		if v < limit {
			return v % n, nil
		}
	}
}

// mustRandUint64n is randUint64n for the functions whose signature has no
// error: a failing source of randomness is a broken machine, and, as with
// crypto/rand, the only safe answer is to stop.
func mustRandUint64n(r io.Reader, n uint64) uint64 {
	v, err := randUint64n(r, n)
	if err != nil {
		panic(err)
	}
	return v
}

// mustReadRandom fills a new slice of n bytes from r, or panics (see
// mustRandUint64n).
func mustReadRandom(r io.Reader, n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		panic(fmt.Errorf("auth: read random: %w", err))
	}
	return b
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(r io.Reader, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0' + byte(mustRandUint64n(r, 10))
	}
	return string(b)
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
