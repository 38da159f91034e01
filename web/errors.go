package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"

	"github.com/netbank/netbank"
)

// errorTexts names the catalog keys of an error page's heading and text.
type errorTexts struct {
	Title string
	Text  string
}

// errorPage is the Data of the error view.
type errorPage struct {
	errorTexts
	Incident string
	Login    bool
}

// errorKinds maps each error code to its HTTP status and Danish texts.
var errorKinds = map[netbank.ErrorCode]struct {
	status int
	texts  errorTexts
}{
	netbank.EINVALID:      {http.StatusBadRequest, errorTexts{"error.invalid.title", "error.invalid.text"}},
	netbank.ENOTFOUND:     {http.StatusNotFound, errorTexts{"error.notfound.title", "error.notfound.text"}},
	netbank.EFORBIDDEN:    {http.StatusForbidden, errorTexts{"error.forbidden.title", "error.forbidden.text"}},
	netbank.EUNAUTHORIZED: {http.StatusUnauthorized, errorTexts{"error.unauthorized.title", "error.unauthorized.text"}},
	netbank.ECONFLICT:     {http.StatusConflict, errorTexts{"error.conflict.title", "error.conflict.text"}},
	netbank.EINSUFFICIENT: {http.StatusUnprocessableEntity, errorTexts{"error.insufficient.title", "error.insufficient.text"}},
	netbank.EUNAVAILABLE:  {http.StatusServiceUnavailable, errorTexts{"error.unavailable.title", "error.unavailable.text"}},
	netbank.EINTERNAL:     {http.StatusInternalServerError, errorTexts{"error.internal.title", "error.internal.text"}},
}

// Error answers a failed request with the error page: the status and the
// Danish (or English) text that belong to netbank.ErrorCodeOf(err), and a
// random incident id that is also logged with the full error. The error's own
// message is never shown; users never see internals. Internal and
// unavailable errors are logged at level Error, the others at Info.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := netbank.ErrorCodeOf(err)
	kind, ok := errorKinds[code]
	if !ok {
		code, kind = netbank.EINTERNAL, errorKinds[netbank.EINTERNAL]
	}
	id := newIncidentID()
	level := slog.LevelInfo
	if code == netbank.EINTERNAL || code == netbank.EUNAVAILABLE {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("incident", id),
		slog.String("code", string(code)),
		slog.Int("status", kind.status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Any("error", err),
	)
	if code == netbank.EUNAVAILABLE {
		w.Header().Set("Retry-After", "60")
	}
	s.renderError(w, r, kind.status, kind.texts, id)
}

// NotFound answers with the 404 page ("Siden findes ikke").
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusNotFound, "notfound", nil)
}

// renderError draws the error view.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, texts errorTexts, incident string) {
	s.Render(w, r, status, "error", errorPage{
		errorTexts: texts,
		Incident:   incident,
		Login:      status == http.StatusUnauthorized,
	})
}

// newIncidentID returns 8 random bytes in hex: short enough to read over the
// phone, unique enough to find the log line.
func newIncidentID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails: crypto/rand aborts the program instead
	return hex.EncodeToString(b)
}
