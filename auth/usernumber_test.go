package auth

import "testing"

// RULE AUTH-1: a user number is exactly 11 digits.
func TestValidUserNumber(t *testing.T) {
	tests := []struct {
		name, in, msg string
	}{
		{"valid", "99991234567", ""},
		{"valid leading zero", "01234567890", ""},
		{"empty", "", msgUserNumberEmpty},
		{"10 digits", "9999123456", msgUserNumberInvalid},
		{"12 digits", "999912345678", msgUserNumberInvalid},
		{"letter", "9999123456a", msgUserNumberInvalid},
		{"space", "9999 123456", msgUserNumberInvalid},
		{"arabic-indic digit", "9999123456٣", msgUserNumberInvalid},
		{"sign", "+9999123456", msgUserNumberInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireMessage(t, ValidUserNumber(tt.in), tt.msg)
		})
	}
}

// RULE AUTH-1: the bank assigns 11-digit user numbers, never starting with 0.
func TestNewUserNumber(t *testing.T) {
	r := testRand(2)
	seen := map[string]bool{}
	firsts := map[byte]bool{}
	for range 2000 {
		n := NewUserNumber(r)
		if err := ValidUserNumber(n); err != nil {
			t.Fatalf("NewUserNumber() = %q: %v", n, err)
		}
		if n[0] == '0' {
			t.Fatalf("NewUserNumber() = %q starts with 0", n)
		}
		if seen[n] {
			t.Fatalf("NewUserNumber() repeated %q", n)
		}
		seen[n] = true
		firsts[n[0]] = true
	}
	if len(firsts) != 9 {
		t.Errorf("first digits seen: %d kinds, want all of 1–9", len(firsts))
	}
}

// RULE AUTH-3: the file is named after the last 7 digits + ".usf".
func TestSignatureFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"99991234567", "1234567.usf"},
		{"10000000001", "0000001.usf"},
		{"1234567", ""},
		{"", ""},
		{"9999123456x", ""},
	}
	for _, tt := range tests {
		if got := SignatureFileName(tt.in); got != tt.want {
			t.Errorf("SignatureFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
