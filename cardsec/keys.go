package cardsec

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"

	"github.com/netbank/netbank"
)

// DemoZPK is the zone PIN key of the demo bank and of the tests, as hex: a
// double-length TDES key with odd parity. It is public (README, demo.json)
// and therefore protects nothing: a real bank passes its own key with
// --zpk, shared with the acquirer under key-exchange procedures, and never
// uses this one.
const DemoZPK = "3B5D7C9E1F2A4C6E8A0B2C4F6B1C3E5D"

// ParseKey parses a DES/TDES key written as hex (upper or lower case;
// spaces are ignored, so "0123 4567 …" works): 16, 32 or 48 hex digits for a
// single-, double- or triple-length key. A double- or triple-length key
// whose parts collapse TDES to single DES (K1 = K2, or K2 = K3) is refused.
// Parity is not checked here; CheckOddParity does that for callers that
// want it.
func ParseKey(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "")
	key, err := hex.DecodeString(s)
	if err != nil {
		return nil, netbank.Errorf(netbank.EINVALID, "Nøglen skal skrives med hexadecimale tegn (0-9, A-F)")
	}
	switch len(key) {
	case 8:
	case 16:
		if subtle.ConstantTimeCompare(key[:8], key[8:]) == 1 {
			return nil, netbank.Errorf(netbank.EINVALID, "Nøglens to halvdele er ens, så den virker kun som enkelt DES")
		}
	case 24:
		if subtle.ConstantTimeCompare(key[:8], key[8:16]) == 1 || subtle.ConstantTimeCompare(key[8:16], key[16:]) == 1 {
			return nil, netbank.Errorf(netbank.EINVALID, "Nøglens dele er ens, så den virker kun som enkelt DES")
		}
	default:
		return nil, netbank.Errorf(netbank.EINVALID, "Nøglen skal være 16, 32 eller 48 hexadecimale tegn (8, 16 eller 24 byte)")
	}
	return key, nil
}

// CheckOddParity checks the DES parity convention: every byte of key has an
// odd number of 1 bits (the low bit of each byte is the parity bit, which
// DES itself ignores). Keys made by an HSM or a key ceremony have it, so a
// key with wrong parity is most likely mistyped.
func CheckOddParity(key []byte) error {
	for _, b := range key {
		if bits.OnesCount8(b)%2 == 0 {
			return netbank.Errorf(netbank.EINVALID, "Nøglen har ikke ulige paritet i hver byte; er den skrevet rigtigt?")
		}
	}
	return nil
}

// newTDES returns 3DES-EDE under a double-length (16-byte, K1‖K2, used as
// K1‖K2‖K1) or triple-length (24-byte) key.
func newTDES(key []byte) (cipher.Block, error) {
	var k []byte
	switch len(key) {
	case 16:
		k = make([]byte, 0, 24)
		k = append(append(k, key...), key[:8]...)
	case 24:
		k = key
	default:
		return nil, fmt.Errorf("cardsec: a TDES key must be 16 or 24 bytes, not %d", len(key))
	}
	return des.NewTripleDESCipher(k)
}
