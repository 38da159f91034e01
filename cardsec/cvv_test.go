package cardsec

import (
	"crypto/des"
	"encoding/hex"
	"testing"

	"github.com/netbank/netbank"
)

func mustCVK(t *testing.T, hexKey string) *CVK {
	t.Helper()
	key, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewCVK(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Published test vectors of the Visa CVV method. Provenance (values only;
// no code was taken):
//   - "170": the doctest of generate_cvv in the Python library psec
//     (CVK 0123456789ABCDEF FEDCBA9876543210, PAN 1234567890123456,
//     expiry 9912, service code 220).
//   - "361": psec's test_generate_cvv (CVK 9999999999999999
//     8888888888888888, PAN 2222222222222222, "3333", "111"); 3333 is no
//     YYMM date, so this one goes through the unchecked inner step.
func TestCVVPublishedVectors(t *testing.T) {
	k := mustCVK(t, "0123456789ABCDEFFEDCBA9876543210")
	if got, err := k.CVV("1234567890123456", "9912", "220"); err != nil || got != "170" {
		t.Errorf("CVV(psec doctest) = %q, %v; want 170", got, err)
	}
	k2 := mustCVK(t, "99999999999999998888888888888888")
	if got := k2.digits("2222222222222222"+"3333"+"111", 3); got != "361" {
		t.Errorf("CVV(psec test) = %q, want 361", got)
	}
}

// A worked example with every intermediate value, published in a course
// exercise (CVK A D676DCF3AFB73505, CVK B 32EAF00EA253D875, PAN
// 4123450990122129, expiry 0721, service code 202; 4-digit CVC 2410). The
// test recomputes each step with crypto/des itself, so the vector and the
// implementation are checked against each other and against the method.
func TestCVVWorkedExampleStepByStep(t *testing.T) {
	keyA, _ := hex.DecodeString("D676DCF3AFB73505")
	keyB, _ := hex.DecodeString("32EAF00EA253D875")
	a, _ := des.NewCipher(keyA)
	b, _ := des.NewCipher(keyB)
	block1, _ := hex.DecodeString("4123450990122129")
	block2, _ := hex.DecodeString("0721202000000000")

	r := make([]byte, 8)
	a.Encrypt(r, block1)
	if got := hex.EncodeToString(r); got != "4dc867aa9bce665b" {
		t.Fatalf("step 2, E_A(block 1) = %s, want 4dc867aa9bce665b", got)
	}
	for i := range r {
		r[i] ^= block2[i]
	}
	if got := hex.EncodeToString(r); got != "4ae9478a9bce665b" {
		t.Fatalf("step 3, XOR block 2 = %s, want 4ae9478a9bce665b", got)
	}
	a.Encrypt(r, r)
	b.Decrypt(r, r)
	a.Encrypt(r, r)
	if got := hex.EncodeToString(r); got != "24e1a05574051bbf" {
		t.Fatalf("step 4, 3DES = %s, want 24e1a05574051bbf", got)
	}
	var rr [8]byte
	copy(rr[:], r)
	if got := decimalise(rr, 16); got != "2410557405140115" {
		t.Fatalf("step 5, decimalised = %s, want 2410557405140115", got)
	}

	k := mustCVK(t, "D676DCF3AFB73505"+"32EAF00EA253D875")
	if got := k.digits("4123450990122129"+"0721"+"202", 4); got != "2410" {
		t.Fatalf("CVK.digits(…, 4) = %s, want 2410", got)
	}
	if got := k.digits("4123450990122129"+"0721"+"202", 3); got != "241" {
		t.Fatalf("CVK.digits(…, 3) = %s, want 241", got)
	}
}

func TestDecimaliseSecondPass(t *testing.T) {
	// Only two decimal digits: the third comes from the first letter, A → 0.
	r := [8]byte{0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x1F, 0xF2}
	if got := decimalise(r, 3); got != "120" {
		t.Fatalf("decimalise = %q, want 120", got)
	}
	r = [8]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	if got := decimalise(r, 3); got != "555" {
		t.Fatalf("decimalise(all F) = %q, want 555", got)
	}
}

func TestCVV2IsServiceCode000AndVerifies(t *testing.T) {
	k := mustCVK(t, "0123456789ABCDEFFEDCBA9876543210")
	const pan, exp = "4571991234561234", "2812"
	cvv2, err := k.CVV2(pan, exp)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := k.CVV(pan, exp, "000"); cvv2 != want {
		t.Fatalf("CVV2 = %s, CVV with service code 000 = %s", cvv2, want)
	}
	if len(cvv2) != 3 || !isDigits(cvv2) {
		t.Fatalf("CVV2 = %q: want 3 digits", cvv2)
	}
	if !k.VerifyCVV2(pan, exp, cvv2) {
		t.Fatal("VerifyCVV2 rejects the right CVV2")
	}
	wrong := []byte(cvv2)
	wrong[2] = '0' + (wrong[2]-'0'+1)%10
	for _, bad := range []string{string(wrong), "", cvv2 + "0", cvv2[:2]} {
		if k.VerifyCVV2(pan, exp, bad) {
			t.Errorf("VerifyCVV2 accepts %q", bad)
		}
	}
	if k.VerifyCVV2(pan, "2813", cvv2) {
		t.Error("VerifyCVV2 accepts an impossible expiry")
	}
	// Another key gives, for this card, another CVV2 (checked, not assumed).
	other := mustCVK(t, "FEDCBA98765432100123456789ABCDEF")
	if o, _ := other.CVV2(pan, exp); o == cvv2 {
		t.Fatalf("two CVKs give the same CVV2 %s; pick another test card", o)
	}
}

func TestSingleLengthCVKIsAEqualsB(t *testing.T) {
	single := mustCVK(t, "0123456789ABCDEF")
	double := mustCVK(t, "0123456789ABCDEF0123456789ABCDEF")
	s, err1 := single.CVV2("4571991234561234", "2812")
	d, err2 := double.CVV2("4571991234561234", "2812")
	if err1 != nil || err2 != nil || s != d {
		t.Fatalf("single-length CVV2 %s (%v), A=B double-length %s (%v)", s, err1, d, err2)
	}
	if _, err := NewCVK(make([]byte, 24)); err == nil {
		t.Error("NewCVK accepted 24 bytes")
	}
}

func TestCVVRefusesMalformedInput(t *testing.T) {
	k := mustCVK(t, "0123456789ABCDEFFEDCBA9876543210")
	tests := []struct{ name, pan, exp, sc string }{
		{"short PAN", "457199123456", "2812", "000"},
		{"long PAN", "45719912345612345678", "2812", "000"},
		{"PAN with space", "4571 991234561234", "2812", "000"},
		{"expiry month 13", "4571991234561234", "2813", "000"},
		{"expiry month 00", "4571991234561234", "2800", "000"},
		{"expiry MM/YY", "4571991234561234", "12/28", "000"},
		{"service code 2 digits", "4571991234561234", "2812", "20"},
		{"service code letter", "4571991234561234", "2812", "20A"},
	}
	for _, tc := range tests {
		if got, err := k.CVV(tc.pan, tc.exp, tc.sc); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("%s: CVV = %q, %v; want EINVALID", tc.name, got, err)
		}
	}
}
