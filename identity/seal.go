package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// sealer encrypts personal data and secrets at rest (AES-256-GCM) and makes
// keyed look-up hashes, so a database dump alone reveals no CPR number and
// no key-app secret.
type sealer struct {
	aead    cipher.AEAD
	hashKey []byte
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("identity: the data key must be 32 bytes")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("netbank identity: encryption key"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac = hmac.New(sha256.New, key)
	mac.Write([]byte("netbank identity: look-up hash key"))
	return &sealer{aead: aead, hashKey: mac.Sum(nil)}, nil
}

// seal encrypts plaintext; the empty string stays empty.
func (s *sealer) seal(plain []byte, label string) string {
	if len(plain) == 0 {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(label))
	return base64.StdEncoding.EncodeToString(out)
}

// open decrypts what seal made with the same label.
func (s *sealer) open(sealed, label string) ([]byte, error) {
	if sealed == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, errors.New("identity: sealed value is malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(label))
	if err != nil {
		return nil, errors.New("identity: sealed value does not open (wrong data key?)")
	}
	return plain, nil
}

// lookupHash is a keyed hash for finding a value without storing it.
func (s *sealer) lookupHash(value string) string {
	if value == "" {
		return ""
	}
	mac := hmac.New(sha256.New, s.hashKey)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil))
}
