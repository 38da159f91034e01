package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/netbank/netbank"
)

// The signature file format (docs/signature-file.md). web/static/usf.js
// writes and reads the same bytes.
const (
	// SignatureFileFormat is the value of the "format" field.
	SignatureFileFormat = "netbank-usf"
	// SignatureFileVersion is the value of the "version" field.
	SignatureFileVersion = 1
	// SignatureFileKDF names the key derivation: PBKDF2 with HMAC-SHA-256.
	SignatureFileKDF = "PBKDF2-SHA256"
	// SignatureFileCipher names the cipher that hides the seed.
	SignatureFileCipher = "AES-256-CTR"

	// DefaultIterations is the PBKDF2 iteration count of new files: the
	// OWASP recommendation for PBKDF2-HMAC-SHA256.
	DefaultIterations = 600_000
	// MinIterations is the fewest iterations a file may have. Fewer would
	// make a stolen file cheap to attack once a public key or a signature
	// of the user is also known (see docs/signature-file.md).
	MinIterations = 100_000
	// MaxIterations is the most iterations a file may have, so that a
	// crafted file cannot keep the bank or the browser busy for minutes.
	MaxIterations = 10_000_000

	saltSize = 16
	ivSize   = 16
)

// msgInvalidSignatureFile is what the user sees for any file that is not a
// signature file; the details only go to the log (through Error()).
const msgInvalidSignatureFile = "Filen er ikke en gyldig underskriftsfil."

// errInvalidSignatureFile is the coded error wrapped by every parse failure.
var errInvalidSignatureFile = netbank.Errorf(netbank.EINVALID, msgInvalidSignatureFile)

// SignatureFile is a parsed signature file (underskriftsfil): the user's
// Ed25519 seed, encrypted under a key derived from the signature code (RULE
// AUTH-3). It holds no public key and no MAC, so any code decrypts it to some
// key and only a login at the bank tells a right code from a wrong one (RULE
// AUTH-5: the three attempts cannot be bypassed by guessing offline).
//
// A SignatureFile is immutable; make one with NewSignatureFile or
// ParseSignatureFile. A new signature code means a new file with a new key
// pair (RULE AUTH-6), never a re-encrypted old one.
type SignatureFile struct {
	user       string // last 7 digits of the user number
	iterations int
	salt       []byte // 16 bytes
	iv         []byte // 16 bytes: the initial AES-CTR counter block
	key        []byte // 32 bytes: the encrypted Ed25519 seed
}

// fileJSON is the wire form; the field order is the order of Marshal, and the
// same as JSON.stringify in usf.js produces.
type fileJSON struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	User       string `json:"user"`
	KDF        string `json:"kdf"`
	Iterations int    `json:"iterations"`
	Salt       string `json:"salt"`
	Cipher     string `json:"cipher"`
	IV         string `json:"iv"`
	Key        string `json:"key"`
}

// fileFields are the keys of a signature file, all required, no others.
var fileFields = []string{"format", "version", "user", "kdf", "iterations", "salt", "cipher", "iv", "key"}

// NewSignatureFile makes a new Ed25519 key pair for the user and returns the
// signature file that holds its private key under code, and the public key
// that the bank stores (RULE AUTH-3). The code must pass
// ValidateSignatureCode and the user number ValidUserNumber; their errors are
// returned as they are (coded, Danish). iterations 0 means
// DefaultIterations; other values must lie in [MinIterations,
// MaxIterations]. rand supplies the seed, salt and IV (crypto/rand.Reader in
// production).
//
// In the net bank the browser makes the file (usf.js), so the private key
// never leaves the device; this function is for tests, demo data and tools.
func NewSignatureFile(rand io.Reader, userNumber, code string, iterations int) (*SignatureFile, ed25519.PublicKey, error) {
	if err := ValidUserNumber(userNumber); err != nil {
		return nil, nil, err
	}
	if err := ValidateSignatureCode(code); err != nil {
		return nil, nil, err
	}
	if iterations == 0 {
		iterations = DefaultIterations
	}
	if iterations < MinIterations || iterations > MaxIterations {
		return nil, nil, fmt.Errorf("auth: %d PBKDF2 iterations is outside [%d, %d]", iterations, MinIterations, MaxIterations)
	}
	random := make([]byte, ed25519.SeedSize+saltSize+ivSize)
	if _, err := io.ReadFull(rand, random); err != nil {
		return nil, nil, fmt.Errorf("auth: read random: %w", err)
	}
	seed, salt, iv := random[:ed25519.SeedSize], random[ed25519.SeedSize:ed25519.SeedSize+saltSize], random[ed25519.SeedSize+saltSize:]
	f := &SignatureFile{
		user:       userNumber[len(userNumber)-signatureFileDigits:],
		iterations: iterations,
		salt:       slices.Clone(salt),
		iv:         slices.Clone(iv),
	}
	f.key = f.xorSeed(code, seed)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	clear(random)
	return f, pub, nil
}

// xorSeed runs AES-256-CTR over in (a seed or an encrypted seed) with the key
// derived from code; CTR is its own inverse.
func (f *SignatureFile) xorSeed(code string, in []byte) []byte {
	key, err := pbkdf2.Key(sha256.New, NormalizeSignatureCode(code), f.salt, f.iterations, 32)
	if err != nil {
		// Only possible for an invalid key length or, in FIPS 140-3 mode,
		// a too-short password or salt; none of which the format allows.
		panic(fmt.Errorf("auth: pbkdf2: %w", err))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(fmt.Errorf("auth: aes: %w", err))
	}
	clear(key)
	out := make([]byte, len(in))
	cipher.NewCTR(block, f.iv).XORKeyStream(out, in)
	return out
}

// PrivateKey decrypts the file with code and returns the Ed25519 private key.
// It always returns a key: a wrong code gives a different, useless key, and
// only the bank can tell (its signatures fail against the stored public key).
// The code is normalized (NormalizeSignatureCode) but not validated. It costs
// one PBKDF2 derivation (Iterations rounds).
func (f *SignatureFile) PrivateKey(code string) ed25519.PrivateKey {
	seed := f.xorSeed(code, f.key)
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed)
}

// User returns the last 7 digits of the user number the file was made for:
// a hint to pick the right file (its name, RULE AUTH-3), not a proof of
// anything.
func (f *SignatureFile) User() string { return f.user }

// Iterations returns the PBKDF2 iteration count of the file.
func (f *SignatureFile) Iterations() int { return f.iterations }

// Marshal returns the file as compact JSON, the bytes of a .usf file. The
// browser's JSON.stringify of the same file gives the same bytes.
func (f *SignatureFile) Marshal() []byte {
	b, err := json.Marshal(fileJSON{
		Format:     SignatureFileFormat,
		Version:    SignatureFileVersion,
		User:       f.user,
		KDF:        SignatureFileKDF,
		Iterations: f.iterations,
		Salt:       base64.StdEncoding.EncodeToString(f.salt),
		Cipher:     SignatureFileCipher,
		IV:         base64.StdEncoding.EncodeToString(f.iv),
		Key:        base64.StdEncoding.EncodeToString(f.key),
	})
	if err != nil {
		panic(fmt.Errorf("auth: marshal signature file: %w", err)) // cannot happen: plain strings and ints
	}
	return b
}

// ParseSignatureFile reads a .usf file strictly: one JSON object with
// exactly the fields of the format, format "netbank-usf", version 1,
// PBKDF2-SHA256 with MinIterations to MaxIterations rounds, AES-256-CTR,
// a 7-digit user, and canonical padded base64 of 16 (salt), 16 (iv) and 32
// (key) bytes. Anything else fails with the code netbank.EINVALID and the
// Danish message "Filen er ikke en gyldig underskriftsfil."; the error's
// text also says what was wrong, for the log.
func ParseSignatureFile(data []byte) (*SignatureFile, error) {
	fail := func(format string, args ...any) (*SignatureFile, error) {
		return nil, fmt.Errorf("auth: signature file: %s: %w", fmt.Sprintf(format, args...), errInvalidSignatureFile)
	}
	// First the set of keys, exactly (encoding/json alone would match keys
	// case-insensitively and ignore unknown ones).
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return fail("not a JSON object: %v", err)
	}
	if raw == nil {
		return fail("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("data after the JSON object")
	}
	if len(raw) != len(fileFields) {
		return fail("%d fields, want %d", len(raw), len(fileFields))
	}
	for _, k := range fileFields {
		if _, ok := raw[k]; !ok {
			return fail("missing field %q", k)
		}
	}
	var j fileJSON
	fields := []struct {
		name string
		dst  any
	}{
		{"format", &j.Format}, {"version", &j.Version}, {"user", &j.User},
		{"kdf", &j.KDF}, {"iterations", &j.Iterations}, {"salt", &j.Salt},
		{"cipher", &j.Cipher}, {"iv", &j.IV}, {"key", &j.Key},
	}
	for _, fd := range fields {
		v := raw[fd.name]
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return fail("field %q is null", fd.name)
		}
		if err := json.Unmarshal(v, fd.dst); err != nil {
			return fail("field %q: %v", fd.name, err)
		}
	}
	switch {
	case j.Format != SignatureFileFormat:
		return fail("format %q", j.Format)
	case j.Version != SignatureFileVersion:
		return fail("version %d", j.Version)
	case len(j.User) != signatureFileDigits || !isDigits(j.User):
		return fail("user %q", j.User)
	case j.KDF != SignatureFileKDF:
		return fail("kdf %q", j.KDF)
	case j.Iterations < MinIterations || j.Iterations > MaxIterations:
		return fail("iterations %d", j.Iterations)
	case j.Cipher != SignatureFileCipher:
		return fail("cipher %q", j.Cipher)
	}
	f := &SignatureFile{user: j.User, iterations: j.Iterations}
	var ok bool
	if f.salt, ok = decodeExact(j.Salt, saltSize); !ok {
		return fail("salt is not base64 of %d bytes", saltSize)
	}
	if f.iv, ok = decodeExact(j.IV, ivSize); !ok {
		return fail("iv is not base64 of %d bytes", ivSize)
	}
	if f.key, ok = decodeExact(j.Key, ed25519.SeedSize); !ok {
		return fail("key is not base64 of %d bytes", ed25519.SeedSize)
	}
	return f, nil
}

// decodeExact decodes canonical padded standard base64 of exactly n bytes.
// Re-encoding and comparing refuses what Go's decoder would forgive (line
// breaks, non-zero padding bits), so Go and usf.js accept the same strings.
func decodeExact(s string, n int) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != n || base64.StdEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
