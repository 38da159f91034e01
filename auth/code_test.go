package auth

import "testing"

// signatureCodeCases is shared with the browser test, which checks that
// usf.js gives the same message for each case.
var signatureCodeCases = []struct {
	name, code, msg string
}{
	{"valid lowercase", "abcd1234", ""},
	{"valid mixed case", "AbCd1234", ""},
	{"valid uppercase", "ABCDEFG1", ""},
	{"valid 16", "a234567890123456", ""},
	{"valid one digit", "abcdefg1", ""},
	{"valid one letter", "1234567z", ""},
	{"empty", "", msgCodeEmpty},
	{"too short", "abc1234", msgCodeTooShort},
	{"too long", "a2345678901234567", msgCodeTooLong},
	{"no digit", "abcdefgh", msgCodeNoDigit},
	{"no letter", "12345678", msgCodeNoLetter},
	{"æ", "abcæ1234", msgCodeChars},
	{"ø", "søren123", msgCodeChars},
	{"Å", "Ålborg123", msgCodeChars},
	{"space", "abcd 1234", msgCodeChars},
	{"leading space", " abcd1234", msgCodeChars},
	{"punctuation", "abcd-1234", msgCodeChars},
	{"underscore", "abcd_1234", msgCodeChars},
	{"fullwidth digit", "abcd１234", msgCodeChars},
	{"Kelvin sign folds to k in Unicode", "\u212aode1234", msgCodeChars},
	{"dotted capital I", "\u0130stanbul1", msgCodeChars},
	{"chars before length", "æ", msgCodeChars},
	{"tab", "abcd\t1234", msgCodeChars},
}

// RULE AUTH-2: 8–16 characters, only 0-9 and a-z (case-insensitive), at
// least one digit and one letter; Danish messages.
func TestValidateSignatureCode(t *testing.T) {
	for _, tt := range signatureCodeCases {
		t.Run(tt.name, func(t *testing.T) {
			requireMessage(t, ValidateSignatureCode(tt.code), tt.msg)
		})
	}
}

// RULE AUTH-2: the code is case-insensitive; only ASCII is folded.
func TestNormalizeSignatureCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcd1234", "abcd1234"},
		{"ABCD1234", "abcd1234"},
		{"AbCdEfGhIjKlMnOpQrStUvWxYz", "abcdefghijklmnopqrstuvwxyz"},
		{"ÆØÅ", "ÆØÅ"},
		{"\u212a", "\u212a"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeSignatureCode(tt.in); got != tt.want {
			t.Errorf("NormalizeSignatureCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
