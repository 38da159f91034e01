// Package cardsec holds the secrets of the bank's Visa Debit cards and the
// pure functions that make and check them (RULE CARD-1, CARD-12, CARD-13 and
// the authorization engine of issue 5):
//
//   - card numbers (PANs): 16 digits from a configured 6- or 8-digit BIN,
//     Luhn-valid (NewPAN, PANFromSerial, ValidPAN), and the masked form
//     "4571 99•• •••• 1234" for display (MaskPAN);
//   - the PAN at rest: AES-256-GCM under versioned data keys so keys can
//     rotate, and a keyed look-up hash (HMAC-SHA256 under a separate key)
//     to find a card by its number without decrypting anything (Sealer);
//   - CVV2: computed, never stored, with the Visa CVV method under a card
//     verification key (CVK), checked in constant time;
//   - PINs: ISO 9564-1 format 0 PIN blocks encrypted with TDES under the zone
//     PIN key (ZPK) as they arrive in ISO 8583 field 52 (DecodePINBlock,
//     EncodePINBlock), and the PIN verification value the bank stores
//     instead of the PIN: a keyed hash salted with the PAN's look-up hash
//     (PINVerifier);
//   - keys from configuration and flags (ParseKey, CheckOddParity) and the
//     demo zone PIN key DemoZPK.
//
// Nothing here stores or logs anything: the package takes values and keys
// and returns values. Errors about input are *netbank.Error values with code
// netbank.EINVALID and a Danish message; none of them contains a PAN, PIN or
// key. Errors about keys or sealed data that do not fit (configuration,
// corrupt storage) are plain errors, so callers treat them as internal.
//
// Every algorithm uses only the Go standard library (crypto/aes,
// crypto/cipher, crypto/des, crypto/hmac, crypto/sha256); the Luhn check is
// package dk's.
package cardsec
