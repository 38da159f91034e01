package cardsec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// DataKeySize is the size in bytes of a Sealer's data keys (AES-256) and
// the least size of its look-up key.
const DataKeySize = 32

// maxKeyIDLength bounds a key id, which is written in front of every sealed
// value.
const maxKeyIDLength = 16

// Key is one data-encryption key of a Sealer: 32 secret bytes and the short
// id written in front of every value sealed with it, so that values sealed
// under an older key still open after a new key became current (rotation).
type Key struct {
	// ID names the key: 1 to 16 characters a–z and 0–9, e.g. "k1" or
	// "2026a". An id must never be reused for other key material.
	ID string
	// Secret is the 32-byte AES-256 key, from configuration.
	Secret []byte
}

// Sealer encrypts card numbers at rest and makes their keyed look-up hash.
//
// A sealed value is "<key id>:<base64url without padding of nonce ‖
// ciphertext ‖ tag>", AES-256-GCM with a random 96-bit nonce. The additional
// authenticated data binds the format version, the key id and a context the
// caller chooses (use the card's id), so a sealed number copied into another
// card's row does not open there.
//
// Rotation: make the new key current and keep the old ones in the Sealer
// until a job has re-sealed every value (NeedsReseal tells which). The
// look-up key does not rotate this way: every stored hash depends on it.
//
// A Sealer is safe for concurrent use.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
	lookup  []byte
}

// NewSealer returns a Sealer that seals with current, opens values sealed
// under current or any of old, and hashes with lookupKey (at least 32
// bytes, different from every data key). Key ids must be unique.
func NewSealer(current Key, old []Key, lookupKey []byte) (*Sealer, error) {
	if len(lookupKey) < DataKeySize {
		return nil, fmt.Errorf("cardsec: the PAN look-up key must be at least %d bytes", DataKeySize)
	}
	s := &Sealer{
		current: current.ID,
		aeads:   make(map[string]cipher.AEAD, 1+len(old)),
		lookup:  append([]byte(nil), lookupKey...),
	}
	for _, k := range append([]Key{current}, old...) {
		if !validKeyID(k.ID) {
			return nil, fmt.Errorf("cardsec: key id %q must be 1 to %d characters a-z and 0-9", k.ID, maxKeyIDLength)
		}
		if _, dup := s.aeads[k.ID]; dup {
			return nil, fmt.Errorf("cardsec: key id %q is given twice", k.ID)
		}
		if len(k.Secret) != DataKeySize {
			return nil, fmt.Errorf("cardsec: data key %q must be %d bytes", k.ID, DataKeySize)
		}
		if hmac.Equal(k.Secret, lookupKey) {
			return nil, fmt.Errorf("cardsec: data key %q must differ from the look-up key", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads[k.ID] = aead
	}
	return s, nil
}

// Seal encrypts plain under the current key, bound to context (for a card
// number: the card's id). The result is ASCII and safe to store in a text
// column.
func (s *Sealer) Seal(plain, context string) string {
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize())
	// crypto/rand.Read never returns an error (it aborts the program if the
	// system's random source fails), so there is nothing to handle.
	_, _ = rand.Read(nonce)
	out := aead.Seal(nonce, nonce, []byte(plain), additionalData(s.current, context))
	return s.current + ":" + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same context, under whichever
// of the Sealer's keys its id names. An unknown key id, a malformed value, a
// wrong context or tampering are errors; they say nothing about the content.
func (s *Sealer) Open(sealed, context string) (string, error) {
	id, body, ok := strings.Cut(sealed, ":")
	if !ok {
		return "", errors.New("cardsec: sealed value is malformed")
	}
	aead, known := s.aeads[id]
	if !known {
		return "", fmt.Errorf("cardsec: sealed value uses unknown key id %q", id)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", errors.New("cardsec: sealed value is malformed")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], additionalData(id, context))
	if err != nil {
		return "", errors.New("cardsec: sealed value does not open (wrong key or context, or altered)")
	}
	return string(plain), nil
}

// KeyID returns the id of the key a sealed value was made with ("" if the
// value is malformed).
func KeyID(sealed string) string {
	id, _, ok := strings.Cut(sealed, ":")
	if !ok || !validKeyID(id) {
		return ""
	}
	return id
}

// NeedsReseal reports whether sealed was made with another key than the
// current one, so a rotation job should open it and seal it again.
func (s *Sealer) NeedsReseal(sealed string) bool {
	return KeyID(sealed) != s.current
}

// LookupHash returns the keyed hash of a card number under which storage
// finds the card: hex of HMAC-SHA256(look-up key, domain ‖ pan), 64
// characters. The same PAN always gives the same hash; without the key the
// hash cannot be tested against guessed numbers. pan is hashed exactly as
// given: pass the digits only.
func (s *Sealer) LookupHash(pan string) string {
	mac := hmac.New(sha256.New, s.lookup)
	mac.Write([]byte("netbank cardsec v1: pan look-up\x00"))
	mac.Write([]byte(pan))
	return hex.EncodeToString(mac.Sum(nil))
}

// additionalData is the AES-GCM additional data of a sealed value.
func additionalData(keyID, context string) []byte {
	return []byte("netbank cardsec v1: sealed\x00" + keyID + "\x00" + context)
}

// validKeyID reports whether id is 1 to 16 characters a–z, 0–9.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
