package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/netbank/netbank"
)

// ContentType is the Content-Type of every JSON answer.
const ContentType = "application/json; charset=utf-8"

// internalMessage is all a caller learns about an internal error; the real
// error is logged with the incident id the caller is given.
const internalMessage = "Der opstod en intern fejl. Oplys incident-id'et, hvis du kontakter banken."

// WriteJSON writes v as the JSON body of a response with the given status.
// The value is encoded before anything is written, so an encoding failure
// still gives a clean 500 instead of half a body. HTML characters are not
// escaped (code lines contain '<'); the nosniff header set by the Server and
// the JSON content type keep browsers from treating the body as HTML.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		WriteError(w, err) // an internal error: encodes a fixed struct, cannot loop
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	if status != http.StatusNoContent && status != http.StatusNotModified {
		_, _ = w.Write(buf.Bytes())
	}
}

// errorBody is the inner object of the JSON error answer.
type errorBody struct {
	Code     netbank.ErrorCode `json:"code"`
	Message  string            `json:"message"`
	Incident string            `json:"incident,omitempty"`
}

// errorEnvelope is the JSON error answer: {"error":{"code":…,"message":…}}.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

// HTTPStatus maps an error code to the HTTP status the API answers with.
// Unknown codes are internal errors (500).
func HTTPStatus(code netbank.ErrorCode) int {
	switch code {
	case netbank.EINVALID:
		return http.StatusBadRequest
	case netbank.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case netbank.EFORBIDDEN:
		return http.StatusForbidden
	case netbank.ENOTFOUND:
		return http.StatusNotFound
	case netbank.ECONFLICT:
		return http.StatusConflict
	case netbank.EINSUFFICIENT:
		return http.StatusUnprocessableEntity
	case netbank.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// WriteError writes err as the JSON error answer
// {"error":{"code":"invalid","message":"…"}} with the status HTTPStatus gives
// for its code. For an internal error (any error without a netbank code) the
// message is generic: the real error is logged with log/slog together with a
// fresh incident id, and only the id is sent, as "incident". An unavailable
// dependency (503: the database cannot be reached) keeps its coded message,
// is logged with its cause, and tells the client when to try again
// (Retry-After, as the pages do).
func WriteError(w http.ResponseWriter, err error) {
	code := netbank.ErrorCodeOf(err)
	if err == nil {
		code = netbank.EINTERNAL
	}
	status := HTTPStatus(code)
	body := errorBody{Code: code, Message: netbank.ErrorMessageOf(err)}
	switch status {
	case http.StatusInternalServerError:
		body.Code = netbank.EINTERNAL
		body.Message = internalMessage
		body.Incident = newIncident()
		slog.Error("api: internal error", "incident", body.Incident, "err", err)
	case http.StatusServiceUnavailable:
		slog.Error("api: unavailable", "err", err)
		w.Header().Set("Retry-After", retryAfter)
	}
	writeErrorBody(w, status, body)
}

// retryAfter is how many seconds a client is asked to wait after a 503.
const retryAfter = "60"

// writeErrorBody writes a JSON error answer. It cannot fail to encode.
func writeErrorBody(w http.ResponseWriter, status int, body errorBody) {
	WriteJSON(w, status, errorEnvelope{Error: body})
}

// newIncident returns a random id that ties an internal error the caller sees
// to the log line with the details.
func newIncident() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
