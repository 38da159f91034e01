package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// Page is what every template receives as its dot: the common facts of the
// page shell plus the view's own Data. Inside a view, use {{.Data.Field}} for
// the view's data and {{csrfField .}} (or {{csrfField $}} inside range/with)
// in every form.
type Page struct {
	// Lang is the language the page is drawn in.
	Lang Lang
	// BankName is shown in the header and titles.
	BankName string
	// FetchedAt is when the page was made, in Europe/Copenhagen (RULE SESS-4).
	FetchedAt time.Time
	// CSRFToken is the token forms must send back (see csrfField).
	CSRFToken string
	// Status is the HTTP status of the response.
	Status int
	// SwitchLang is the language the header offers to switch to, and
	// SwitchURL the link that does it.
	SwitchLang Lang
	SwitchURL  string
	// Path is the request path, e.g. to mark the current menu item.
	Path string
	// Session is set when the request is made in a logged-in session: the
	// layout then shows the name, "Log af" and the inactivity countdown.
	Session *SessionInfo
	// Data is the view's own data, as given to Render.
	Data any
}

// Fetched formats FetchedAt the Danish way, "dd.mm.åååå tt.mm.ss", as the
// "Siden hentet" line shows it (RULE SESS-4). The format is the same in both
// languages.
func (p *Page) Fetched() string { return p.FetchedAt.Format("02.01.2006 15.04.05") }

// FetchedISO is FetchedAt for the datetime attribute of <time>.
func (p *Page) FetchedISO() string { return p.FetchedAt.Format(time.RFC3339) }

// layoutFile is the template every view is drawn inside.
const layoutFile = "layout.html"

// parseViews parses layout.html plus each other templates/*.html once per
// language: the t func of each set is fixed to its language, so rendering
// never has to touch a shared template. A view file defines "title" and
// "content"; a partial (_name.html) defines blocks shared by views.
func (s *Server) parseViews() (map[Lang]map[string]*template.Template, error) {
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, fmt.Errorf("web: read templates: %w", err)
	}
	views := map[Lang]map[string]*template.Template{}
	for _, lang := range []Lang{Danish, English} {
		base, err := template.New(layoutFile).Funcs(s.funcs(lang)).ParseFS(templateFS, "templates/"+layoutFile)
		if err != nil {
			return nil, fmt.Errorf("web: parse layout: %w", err)
		}
		// Partials (files named _*.html) define named blocks that any view
		// may draw, such as the net bank's menu; they are not views.
		if _, err := base.ParseFS(templateFS, "templates/_*.html"); err != nil {
			return nil, fmt.Errorf("web: parse partials: %w", err)
		}
		views[lang] = map[string]*template.Template{}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || name == layoutFile || path.Ext(name) != ".html" || strings.HasPrefix(name, "_") {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name)
			if err != nil {
				return nil, fmt.Errorf("web: parse view %s: %w", name, err)
			}
			views[lang][strings.TrimSuffix(name, ".html")] = t
		}
	}
	return views, nil
}

// funcs are the template functions of the language lang:
//
//	t "key" args...   the text for key in this language (see T)
//	asset "app.css"   the fingerprinted URL of a static file
//	csrfField .       the hidden input with the CSRF token of the page
//	hasPrefix s p     strings.HasPrefix, e.g. to mark the current menu item
func (s *Server) funcs(lang Lang) template.FuncMap {
	return template.FuncMap{
		"t":         func(key string, args ...any) string { return T(lang, key, args...) },
		"hasPrefix": strings.HasPrefix,
		"asset": func(name string) (string, error) {
			return s.assets.url(name)
		},
		"csrfField": func(p *Page) template.HTML {
			return template.HTML(`<input type="hidden" name="` + CSRFFormField + `" value="` +
				template.HTMLEscapeString(p.CSRFToken) + `">`)
		},
	}
}

// Render draws view (the name of templates/<view>.html without the
// extension) inside the common layout and writes it with status. data
// becomes Page.Data. The page is drawn into a buffer first, so a template
// failure yields a clean 500 instead of half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, view string, data any) {
	lang := LangOf(r)
	t, ok := s.views[lang][view]
	if !ok {
		s.renderFailed(w, r, fmt.Errorf("web: no view %q", view))
		return
	}
	p := &Page{
		Lang:       lang,
		BankName:   s.bankName,
		FetchedAt:  s.clock.Now().In(s.zone),
		CSRFToken:  s.CSRFToken(r),
		Status:     status,
		SwitchLang: lang.other(),
		SwitchURL:  switchURL(r, lang.other()),
		Path:       r.URL.Path,
		Session:    s.sessionInfo(r),
		Data:       data,
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layoutFile, p); err != nil {
		s.renderFailed(w, r, fmt.Errorf("web: render %s: %w", view, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(lang))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// renderFailed is the last resort when a template cannot be drawn: a bare
// Danish page with an incident id. It must not use templates itself.
func (s *Server) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	id := newIncidentID()
	s.log.ErrorContext(r.Context(), "render failed", "incident", id, "method", r.Method, "path", r.URL.Path, "error", err)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "Der opstod en fejl. Prøv igen senere.\nFejl-id: %s\n", id)
}
