package auth

import (
	"strings"
	"testing"
)

// RULE BIZ-1: the staff and business password is 10–128 characters.
func TestValidatePassword(t *testing.T) {
	tests := []struct{ name, pw, msg string }{
		{"10 ascii", "abcdefghij", ""},
		{"10 danish letters", "æøåÆØÅæøåÆ", ""},
		{"spaces allowed", "en lang sætning", ""},
		{"128", strings.Repeat("x", 128), ""},
		{"128 multibyte", strings.Repeat("ø", 128), ""},
		{"empty", "", msgPasswordTooShort},
		{"9", "abcdefghi", msgPasswordTooShort},
		{"9 multibyte is 18 bytes", strings.Repeat("å", 9), msgPasswordTooShort},
		{"129", strings.Repeat("x", 129), msgPasswordTooLong},
		{"invalid utf-8", "abcdefghij\xff", msgPasswordInvalid},
		{"newline", "abcdefghij\n", msgPasswordInvalid},
		{"nul", "abcdefghij\x00", msgPasswordInvalid},
		{"del", "abcdefghij\x7f", msgPasswordInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireMessage(t, ValidatePassword(tt.pw), tt.msg)
		})
	}
}

// RULE BIZ-1: passwords are stored as argon2id PHC strings with the OWASP
// minimum parameters and checked against whatever parameters they name.
func TestHashPassword(t *testing.T) {
	const pw = "Korrekt hest batteri hæfteklamme"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	parts := strings.Split(h, "$")
	if len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Fatalf("salt %q / hash %q: want 16 and 32 bytes unpadded", parts[4], parts[5])
	}
	h2, _ := HashPassword(pw)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{
		{pw, true},
		{strings.ToUpper(pw), false},
		{pw + " ", false},
		{"", false},
	} {
		ok, err := VerifyPassword(h, tt.pw)
		if err != nil || ok != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	if NeedsRehash(h) {
		t.Error("NeedsRehash of a fresh hash")
	}
}

// RULE BIZ-1: the parameters come from the stored string, so hashes made
// with other (older or stronger) parameters still verify, and are due for a
// rehash.
func TestVerifyPasswordOtherParameters(t *testing.T) {
	p := argonParams{memory: 8 * 1024, time: 1, threads: 2, salt: []byte("somesaltsomesalt")}
	p.hash = p.derive("password", 24)
	s := p.String()
	if want := "$argon2id$v=19$m=8192,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$"; !strings.HasPrefix(s, want) {
		t.Fatalf("PHC string %q, want prefix %q", s, want)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"password", true}, {"Password", false}} {
		ok, err := VerifyPassword(s, tt.pw)
		if err != nil || ok != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	if !NeedsRehash(s) {
		t.Error("NeedsRehash = false for old parameters")
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good, err := HashPassword("abcdefghij")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, hash := parts[4], parts[5]
	tests := map[string]string{
		"empty":             "",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + hash,
		"version 16":        "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + hash,
		"no version":        "$argon2id$m=19456,t=2,p=1$" + salt + "$" + hash,
		"params reordered":  "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + hash,
		"param missing":     "$argon2id$v=19$m=19456,t=2$" + salt + "$" + hash,
		"param extra":       "$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + hash,
		"leading zero":      "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + hash,
		"negative":          "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + hash,
		"memory huge":       "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + hash,
		"memory overflow":   "$argon2id$v=19$m=4294967296,t=2,p=1$" + salt + "$" + hash,
		"memory too small":  "$argon2id$v=19$m=7,t=2,p=1$" + salt + "$" + hash,
		"time zero":         "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + hash,
		"time huge":         "$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + hash,
		"threads zero":      "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + hash,
		"threads 256":       "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + hash,
		"salt padded":       "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + hash,
		"salt bad":          "$argon2id$v=19$m=19456,t=2,p=1$" + salt[:21] + "!$" + hash,
		"salt short":        "$argon2id$v=19$m=19456,t=2,p=1$AAAA$" + hash,
		"hash missing":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"hash empty":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"trailing dollar":   good + "$",
		"no leading dollar": strings.TrimPrefix(good, "$"),
	}
	for name, phc := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := VerifyPassword(phc, "abcdefghij")
			if err == nil || ok {
				t.Fatalf("VerifyPassword(%q) = %v, %v; want an error", phc, ok, err)
			}
			if !NeedsRehash(phc) {
				t.Errorf("NeedsRehash(%q) = false", phc)
			}
		})
	}
}
