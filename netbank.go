// Package netbank holds the domain vocabulary shared by every part of the
// bank: coded errors that each adapter (HTML, JSON, ISO 8583) maps to its own
// world, and the injectable clock. It imports only the standard library, so
// every other package may depend on it and it depends on none of them.
package netbank

import (
	"errors"
	"fmt"
	"time"
)

// ErrorCode classifies an error for the adapters. The HTTP layer maps it to a
// status code, the HTML layer to a Danish message, the card network to an
// ISO 8583 response code.
type ErrorCode string

// The error codes used across the bank.
const (
	// EINVALID: the caller sent something malformed or not allowed by a rule.
	EINVALID ErrorCode = "invalid"
	// ENOTFOUND: the thing asked for does not exist (or is not visible to the caller).
	ENOTFOUND ErrorCode = "not_found"
	// ECONFLICT: the request contradicts what is already stored (e.g. an
	// idempotency key reused with other content).
	ECONFLICT ErrorCode = "conflict"
	// EFORBIDDEN: the caller is known but may not do this.
	EFORBIDDEN ErrorCode = "forbidden"
	// EUNAUTHORIZED: the caller is not (or no longer) authenticated.
	EUNAUTHORIZED ErrorCode = "unauthorized"
	// EINSUFFICIENT: a balance rule would be broken (available amount too low).
	EINSUFFICIENT ErrorCode = "insufficient_funds"
	// EUNAVAILABLE: a dependency (the database) cannot be reached right now.
	EUNAVAILABLE ErrorCode = "unavailable"
	// EINTERNAL: anything else; the message is never shown to users.
	EINTERNAL ErrorCode = "internal"
)

// Error is a coded error with a message that is safe to show to the caller.
type Error struct {
	Code    ErrorCode
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns a coded error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or
// EINTERNAL if there is none (and "" for a nil error).
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessageOf returns the caller-safe message of err: the message of a
// coded error, or a generic text for anything else (internals are never shown).
func ErrorMessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Clock tells the time. The bank never calls time.Now directly, so tests can
// move time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
