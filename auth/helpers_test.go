package auth

import (
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/netbank/netbank"
)

// testRand returns a deterministic source of "random" bytes, so a failing
// test fails the same way every time.
func testRand(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// testUser and testCode are the user and signature code of the shared test
// file.
const (
	testUser = "99991234567"
	testCode = "Kode2026abc"
)

// sharedFile is one signature file at MinIterations, made once: PBKDF2 is
// slow on purpose, so tests share what they can.
var sharedFile = sync.OnceValues(func() (*SignatureFile, ed25519.PublicKey) {
	f, pub, err := NewSignatureFile(testRand(1), testUser, testCode, MinIterations)
	if err != nil {
		panic(err)
	}
	return f, pub
})

// MustSignatureFile returns the shared test file and its public key.
func MustSignatureFile(t testing.TB) (*SignatureFile, ed25519.PublicKey) {
	t.Helper()
	return sharedFile()
}

// requireMessage fails t unless err is a coded EINVALID error with the
// Danish message want ("" means err must be nil).
func requireMessage(t testing.TB, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *netbank.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a coded error; want %q", err, want)
	}
	if e.Code != netbank.EINVALID || e.Message != want {
		t.Fatalf("error = %s %q, want invalid %q", e.Code, e.Message, want)
	}
}
