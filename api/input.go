package api

import "github.com/netbank/netbank"

// What a client sends the API is text: request bodies and query values
// must be valid UTF-8 (encoding/json would silently turn broken bytes into
// U+FFFD and store that) and hold no control characters but tab and line
// breaks (a NUL, as "\u0000" in JSON, has no place in a name or a text).
// readJSON and checkQuery refuse anything else with 400 before a handler
// runs.

// allText reports whether every string in a decoded JSON value, object
// keys included, is text.
func allText(v any) bool {
	switch x := v.(type) {
	case string:
		return netbank.IsText(x)
	case []any:
		for _, e := range x {
			if !allText(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range x {
			if !netbank.IsText(k) || !allText(e) {
				return false
			}
		}
	}
	return true
}
