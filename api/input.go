package api

import (
	"unicode"
	"unicode/utf8"
)

// What a client sends the API is text: request bodies and query values
// must be valid UTF-8 (encoding/json would silently turn broken bytes into
// U+FFFD and store that) and hold no control characters but tab and line
// breaks (a NUL, as "\u0000" in JSON, has no place in a name or a text).
// readJSON and checkQuery refuse anything else with 400 before a handler
// runs.

// isText reports whether s is valid UTF-8 without control characters other
// than tab, line feed and carriage return.
func isText(s string) bool {
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

// allText reports whether every string in a decoded JSON value, object
// keys included, is text.
func allText(v any) bool {
	switch x := v.(type) {
	case string:
		return isText(x)
	case []any:
		for _, e := range x {
			if !allText(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range x {
			if !isText(k) || !allText(e) {
				return false
			}
		}
	}
	return true
}
