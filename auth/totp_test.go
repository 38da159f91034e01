package auth

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the HMAC-SHA1 seed of RFC 4226 and RFC 6238.
var rfcSecret = []byte("12345678901234567890")

// RULE BIZ-4: the key app's codes are RFC 6238 TOTP; these are the SHA1
// vectors of RFC 6238 Appendix B (8 digits).
func TestTOTPRFC6238Vectors(t *testing.T) {
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		if got := totpDigits(rfcSecret, time.Unix(tt.unix, 0), 8); got != tt.want {
			t.Errorf("TOTP at %d = %s, want %s", tt.unix, got, tt.want)
		}
		if got, want := TOTPCode(rfcSecret, time.Unix(tt.unix, 0)), tt.want[2:]; got != want {
			t.Errorf("TOTPCode at %d = %s, want %s", tt.unix, got, want)
		}
	}
}

// RULE BIZ-4: 6-digit codes are the RFC 4226 HOTP values of the 30-second
// step (Appendix D of RFC 4226, counters 0–9).
func TestTOTPCodeRFC4226Vectors(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for step, w := range want {
		for _, off := range []int64{0, 29} {
			if got := TOTPCode(rfcSecret, time.Unix(int64(step)*30+off, 0)); got != w {
				t.Errorf("step %d +%ds: %s, want %s", step, off, got, w)
			}
		}
	}
}

// RULE BIZ-1, BIZ-4: a code is accepted in its step and one step either
// side (clock skew), and works only once.
func TestVerifyTOTP(t *testing.T) {
	secret := NewTOTPSecret(testRand(11))
	if len(secret) != 20 {
		t.Fatalf("secret of %d bytes", len(secret))
	}
	now := time.Date(2026, 11, 21, 14, 5, 9, 0, time.UTC)
	step := now.Unix() / 30
	at := func(d time.Duration) string { return TOTPCode(secret, now.Add(d)) }
	never := int64(math.MinInt64)
	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64
		ok       bool
	}{
		{"current", at(0), never, step, true},
		{"previous step", at(-30 * time.Second), never, step - 1, true},
		{"next step", at(30 * time.Second), never, step + 1, true},
		{"two steps old", at(-60 * time.Second), never, 0, false},
		{"two steps ahead", at(60 * time.Second), never, 0, false},
		{"replay of current", at(0), step, 0, false},
		{"previous after current used", at(-30 * time.Second), step, 0, false},
		{"current after previous used", at(0), step - 1, step, true},
		{"next after current used", at(30 * time.Second), step, step + 1, true},
		{"wrong code", "000000", never, 0, false},
		{"too short", at(0)[:5], never, 0, false},
		{"too long", at(0) + "0", never, 0, false},
		{"letters", "abcdef", never, 0, false},
		{"empty", "", never, 0, false},
		{"spaces", " " + at(0)[1:], never, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "wrong code" && (tt.code == at(0) || tt.code == at(-30*time.Second) || tt.code == at(30*time.Second)) {
				t.Skip("the random secret happens to give 000000")
			}
			gotStep, ok := VerifyTOTP(secret, tt.code, now, tt.lastStep)
			if ok != tt.ok || (ok && gotStep != tt.wantStep) {
				t.Errorf("VerifyTOTP = %d, %v; want %d, %v", gotStep, ok, tt.wantStep, tt.ok)
			}
		})
	}

	// The flow: use a code, store the step, the same code is refused.
	s, ok := VerifyTOTP(secret, at(0), now, never)
	if !ok {
		t.Fatal("first use refused")
	}
	if _, ok := VerifyTOTP(secret, at(0), now.Add(10*time.Second), s); ok {
		t.Fatal("replay accepted")
	}
}

// RULE BIZ-4: enrolment by typing the secret or scanning the QR code.
func TestOTPAuthURI(t *testing.T) {
	if got := Base32Secret(rfcSecret); got != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Errorf("Base32Secret = %s", got)
	}
	if got := Base32Secret([]byte{1}); strings.Contains(got, "=") {
		t.Errorf("Base32Secret pads: %s", got)
	}
	tests := []struct{ issuer, account, want string }{
		{"Netbank", "mette@example.dk",
			"otpauth://totp/Netbank:mette%40example.dk?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Netbank&algorithm=SHA1&digits=6&period=30"},
		{"Netbank Erhverv", "Søren & Co:1",
			"otpauth://totp/Netbank%20Erhverv:S%C3%B8ren%20%26%20Co%3A1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Netbank%20Erhverv&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tt := range tests {
		if got := OTPAuthURI(tt.issuer, tt.account, rfcSecret); got != tt.want {
			t.Errorf("OTPAuthURI(%q, %q) =\n%s\nwant\n%s", tt.issuer, tt.account, got, tt.want)
		}
	}

	b, err := QRCodePNG(tests[0].want)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 100 || r.Dx() != r.Dy() {
		t.Errorf("QR image %v", r)
	}
	if _, err := QRCodePNG(strings.Repeat("x", 10000)); err == nil {
		t.Error("QRCodePNG of 10 000 bytes: no error")
	}
}
