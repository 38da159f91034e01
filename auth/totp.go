package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"rsc.io/qr"
)

// TOTP parameters of the key app (RULE BIZ-4) and staff two-factor login:
// RFC 6238 with HMAC-SHA1, 30-second steps and 6 digits — the defaults that
// every authenticator app supports.
const (
	// TOTPPeriod is the length of one time step.
	TOTPPeriod = 30 * time.Second
	// TOTPDigits is the number of digits in a code.
	TOTPDigits = 6
	// TOTPSecretSize is the size of a new secret in bytes (160 bits, the
	// size RFC 4226 recommends for HMAC-SHA1).
	TOTPSecretSize = 20
)

// NewTOTPSecret draws a new 20-byte TOTP secret from rand. It panics if rand
// fails, as crypto/rand would.
func NewTOTPSecret(rand io.Reader) []byte {
	return mustReadRandom(rand, TOTPSecretSize)
}

// totpStep returns the RFC 6238 time step of t (T0 = 0, X = 30 s), rounding
// down also before 1970.
func totpStep(t time.Time) int64 {
	sec := t.Unix()
	p := int64(TOTPPeriod / time.Second)
	step := sec / p
	if sec%p < 0 {
		step--
	}
	return step
}

// hotp is RFC 4226 HOTP with HMAC-SHA1 for the counter, as a zero-padded
// decimal string of the given number of digits (1–9).
func hotp(secret []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// totpDigits is RFC 6238 TOTP (HMAC-SHA1, 30 s) with any number of digits,
// so the 8-digit test vectors of RFC 6238 Appendix B can be checked.
func totpDigits(secret []byte, t time.Time, digits int) string {
	return hotp(secret, uint64(totpStep(t)), digits)
}

// TOTPCode returns the 6-digit code of secret at time t.
func TOTPCode(secret []byte, t time.Time) string {
	return totpDigits(secret, t, TOTPDigits)
}

// VerifyTOTP checks a 6-digit code against secret at time t. It accepts the
// codes of the current step and of one step either side (clock skew of the
// phone), but never of a step at or before lastStep, the step of the last
// code accepted for this secret: each code works once (RULE BIZ-1, BIZ-4).
// On success it returns the step that matched, for the caller to store as
// the next lastStep (atomically with the login, so two parallel requests
// cannot both use one code). Comparisons are constant-time. For a secret
// never used, pass lastStep = -1 << 63 (math.MinInt64) or any step in the
// past.
func VerifyTOTP(secret []byte, code string, t time.Time, lastStep int64) (step int64, ok bool) {
	if len(code) != TOTPDigits || !isDigits(code) {
		return 0, false
	}
	now := totpStep(t)
	found := false
	for s := now - 1; s <= now+1; s++ {
		if s <= lastStep {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(secret, uint64(s), TOTPDigits)), []byte(code)) == 1 {
			// Keep the latest match: it burns every step up to it.
			step, found = s, true
		}
	}
	if !found {
		return 0, false
	}
	return step, true
}

// base32NoPad is the encoding of secrets in otpauth URIs.
var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// Base32Secret returns secret as unpadded base32 (RFC 4648), the form that
// authenticator apps accept when the user types it in instead of scanning.
func Base32Secret(secret []byte) string {
	return base32NoPad.EncodeToString(secret)
}

// OTPAuthURI returns the otpauth:// URI (the Key URI Format of Google
// Authenticator, understood by all common apps) that enrols secret in an
// authenticator app:
//
//	otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30
//
// Issuer and account are percent-encoded (a space as %20).
func OTPAuthURI(issuer, account string, secret []byte) string {
	return "otpauth://totp/" + uriEscape(issuer) + ":" + uriEscape(account) +
		"?secret=" + Base32Secret(secret) +
		"&issuer=" + uriEscape(issuer) +
		"&algorithm=SHA1&digits=6&period=30"
}

// uriEscape percent-encodes s for both the label and the query of an
// otpauth URI; spaces become %20, which every app decodes (some do not know
// "+").
func uriEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// QRCodePNG renders uri (from OTPAuthURI) as a QR code in PNG format, for
// enrolment by scanning. The error correction level is M (15 %), a common
// choice for screens. The image must be shown only to the user enrolling: it
// holds the secret.
func QRCodePNG(uri string) ([]byte, error) {
	c, err := qr.Encode(uri, qr.M)
	if err != nil {
		return nil, fmt.Errorf("auth: qr code: %w", err)
	}
	return c.PNG(), nil
}
