package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/netbank/netbank"
)

// What a browser sends the bank is text typed into the bank's own forms.
// checkInput refuses, before any handler runs and so before anything is
// written, what no form of the bank sends:
//
//   - a body over the limit of csrf.go (413),
//   - a body that is neither a form nor a multipart upload (415),
//   - in a request that may change something (POST …), a form or query
//     value, or an uploaded file's name, that is not valid UTF-8 or holds a
//     control character other than tab and line breaks (400),
//
// each with the Danish error page. Lengths of single fields are the
// handlers' to judge: they know the field; so is the query of a page (a
// search or a filter), which the handlers clean before they show it.

// checkInput is the middleware. It runs before the CSRF checks, which find
// the token of a form in the body it has parsed.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unsafeMethod(r.Method) {
			// Bound the body before anything parses it: a larger one
			// fails to parse and is refused.
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyOf(r))
		}
		status, why := inputRefusal(r)
		if status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		id := newIncidentID()
		s.log.InfoContext(r.Context(), "input refused", "incident", id, "reason", why, "method", r.Method, "path", r.URL.Path)
		texts := errorTexts{"error.input.title", "error.input.text"}
		if status == http.StatusRequestEntityTooLarge {
			texts = errorTexts{"error.toolarge.title", "error.toolarge.text"}
		}
		s.renderError(w, r, status, texts, id)
	})
}

// maxMultipartMemory is how much of an upload is kept in memory while
// parsing (the rest goes to a temporary file); the body is bounded anyway.
const maxMultipartMemory = 8 << 20

// inputRefusal parses the form of a request that may change something
// and says why it is refused (0: it is not). Other requests pass.
func inputRefusal(r *http.Request) (status int, why string) {
	if !unsafeMethod(r.Method) {
		// A page's query is a search or a filter: its handler cleans
		// what it shows (cleanField) and drops what is not text.
		return 0, ""
	}
	if status, why := parseBody(r); status != 0 {
		return status, why
	}
	if !cleanValues(r.Form) {
		return http.StatusBadRequest, "a value is not text"
	}
	if r.MultipartForm != nil {
		for _, files := range r.MultipartForm.File {
			for _, f := range files {
				if !netbank.IsText(f.Filename) {
					return http.StatusBadRequest, "a file name is not text"
				}
			}
		}
	}
	return 0, ""
}

// parseBody parses the query and the body, a form or a multipart upload.
func parseBody(r *http.Request) (status int, why string) {
	var err error
	if r.ContentLength == 0 {
		err = r.ParseForm()
	} else {
		mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case perr != nil:
			return http.StatusUnsupportedMediaType, "no content type"
		case mt == "multipart/form-data":
			err = r.ParseMultipartForm(maxMultipartMemory)
		case mt == "application/x-www-form-urlencoded":
			err = r.ParseForm()
		default:
			return http.StatusUnsupportedMediaType, "content type " + mt
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, "body too large"
	case err != nil:
		return http.StatusBadRequest, "form: " + err.Error()
	}
	return 0, ""
}

// cleanValues reports whether every key and value of v is text.
func cleanValues(v url.Values) bool {
	for k, vs := range v {
		if !netbank.IsText(k) {
			return false
		}
		for _, s := range vs {
			if !netbank.IsText(s) {
				return false
			}
		}
	}
	return true
}
