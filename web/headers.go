package web

import "net/http"

// ContentSecurityPolicy is the policy sent with every response: only the
// bank's own scripts, styles, images and fonts; no inline code, no framing,
// no plugins, forms post only to the bank.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// PermissionsPolicy turns off the browser features a bank page never needs.
const PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

// SecureHeaders sets the bank's security headers on every response that next
// writes, before next runs, so that even error pages and redirects carry them.
//
// Responses are not cached (Cache-Control: no-store, Pragma: no-cache,
// Expires: 0), because nothing of a session may stay on the device (RULE
// SESS-3). A handler for immutable content, such as the fingerprinted static
// assets, may overwrite Cache-Control and remove Pragma and Expires.
//
// The JSON API wraps its handler with it as well.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		h.Set("Expires", "0")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", PermissionsPolicy)
		if r.TLS != nil {
			// Only meaningful over HTTPS; browsers ignore it on plain HTTP.
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}
