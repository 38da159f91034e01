package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/netbank/netbank"
)

// The argon2id parameters of new password hashes: the OWASP minimum
// (19 MiB, 2 passes, 1 lane). They are written into every hash, so raising
// them later only changes new hashes; NeedsRehash tells which old ones to
// replace at the next successful login.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSalt    = 16
	argonKey     = 32
)

// Bounds on the parameters VerifyPassword accepts, so that a corrupt or
// hostile hash string cannot make the bank allocate gigabytes or spin.
const (
	maxArgonMemory  = 1 << 20 // KiB: 1 GiB
	maxArgonTime    = 64
	maxArgonThreads = 64
	minArgonSaltKey = 8
	maxArgonSaltKey = 128
)

// Password length limits, in characters (RULE BIZ-1, staff and business
// users).
const (
	// MinPasswordLength is the fewest characters a password may have.
	MinPasswordLength = 10
	// MaxPasswordLength is the most characters a password may have.
	MaxPasswordLength = 128
)

// The Danish messages of ValidatePassword.
const (
	msgPasswordTooShort = "Adgangskoden skal være mindst 10 tegn."
	msgPasswordTooLong  = "Adgangskoden må højst være 128 tegn."
	msgPasswordInvalid  = "Adgangskoden indeholder ugyldige tegn."
)

// ValidatePassword checks a new password against the bank's policy: 10 to
// 128 characters of valid UTF-8 without control characters. Length, not
// composition rules, is what makes a password strong (NIST SP 800-63B). The
// error has the code netbank.EINVALID and a Danish message.
func ValidatePassword(pw string) error {
	if !utf8.ValidString(pw) {
		return netbank.Errorf(netbank.EINVALID, msgPasswordInvalid)
	}
	for _, r := range pw {
		if r < 0x20 || r == 0x7f {
			return netbank.Errorf(netbank.EINVALID, msgPasswordInvalid)
		}
	}
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		return netbank.Errorf(netbank.EINVALID, msgPasswordTooShort)
	case n > MaxPasswordLength:
		return netbank.Errorf(netbank.EINVALID, msgPasswordTooLong)
	}
	return nil
}

// argonParams are the parts of an argon2id PHC string.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	hash    []byte
}

// String formats p as a PHC string.
func (p argonParams) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(p.salt),
		base64.RawStdEncoding.EncodeToString(p.hash))
}

// derive runs argon2id over pw with p's parameters and salt.
func (p argonParams) derive(pw string, keyLen int) []byte {
	return argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(keyLen))
}

// HashPassword hashes pw with argon2id and a fresh 16-byte salt and returns
// the PHC string "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded
// standard base64, 32-byte hash) to store. It does not check the policy;
// call ValidatePassword on new passwords first.
func HashPassword(pw string) (string, error) {
	p := argonParams{memory: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, argonSalt)}
	if _, err := rand.Read(p.salt); err != nil {
		return "", fmt.Errorf("auth: read random: %w", err)
	}
	p.hash = p.derive(pw, argonKey)
	return p.String(), nil
}

// VerifyPassword reports whether pw matches the PHC string made by
// HashPassword, with whatever parameters the string names (so they can be
// raised over time), comparing in constant time. A malformed string, or one
// with parameters outside sane bounds, is an error, not a mismatch.
func VerifyPassword(phc, pw string) (bool, error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	got := p.derive(pw, len(p.hash))
	return subtle.ConstantTimeCompare(got, p.hash) == 1, nil
}

// NeedsRehash reports whether phc should be replaced by a fresh
// HashPassword of the same password (after a successful VerifyPassword):
// because its parameters or sizes differ from the current ones, or because
// it cannot be parsed at all.
func NeedsRehash(phc string) bool {
	p, err := parsePHC(phc)
	if err != nil {
		return true
	}
	return p.memory != argonMemory || p.time != argonTime || p.threads != argonThreads ||
		len(p.salt) != argonSalt || len(p.hash) != argonKey
}

// parsePHC parses "$argon2id$v=19$m=…,t=…,p=…$salt$hash" strictly.
func parsePHC(phc string) (argonParams, error) {
	var p argonParams
	bad := func(what string) (argonParams, error) {
		return argonParams{}, fmt.Errorf("auth: malformed password hash: %s", what)
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version is not 19")
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return bad("not m,t,p")
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(params[i], name)
		if !ok || !isDigits(s) || (len(s) > 1 && s[0] == '0') {
			return bad("parameter " + name)
		}
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return bad("parameter " + name)
		}
		vals[i] = v
	}
	p.memory, p.time = uint32(vals[0]), uint32(vals[1])
	if vals[2] < 1 || vals[2] > maxArgonThreads {
		return bad("p out of range")
	}
	p.threads = uint8(vals[2])
	// argon2 needs at least 8 KiB per lane.
	if p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemory {
		return bad("m out of range")
	}
	if p.time < 1 || p.time > maxArgonTime {
		return bad("t out of range")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil ||
		len(p.salt) < minArgonSaltKey || len(p.salt) > maxArgonSaltKey ||
		base64.RawStdEncoding.EncodeToString(p.salt) != parts[4] {
		return bad("salt")
	}
	if p.hash, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil ||
		len(p.hash) < minArgonSaltKey || len(p.hash) > maxArgonSaltKey ||
		base64.RawStdEncoding.EncodeToString(p.hash) != parts[5] {
		return bad("hash")
	}
	return p, nil
}
