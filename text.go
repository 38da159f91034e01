package netbank

import (
	"unicode"
	"unicode/utf8"
)

// IsText reports whether s is text as people type it: valid UTF-8 without
// control characters other than tab, line feed and carriage return. The
// web forms and the JSON API refuse anything else before a handler runs
// (a NUL or broken bytes have no place in a name, an address or a payment
// text, and would otherwise be stored).
func IsText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
