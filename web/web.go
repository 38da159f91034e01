// Package web is the HTML face of the bank: the net bank and the back office
// as server-rendered pages. It owns the common page shell (layout, language,
// the "Siden hentet" line), the security headers, CSRF protection, the
// embedded templates and static assets, and the mapping of coded errors to
// Danish error pages. Features add their pages with [Server.Handle] and draw
// them with [Server.Render].
package web

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // the footer needs Europe/Copenhagen even on hosts without a zoneinfo database

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
)

// Config holds what the web layer needs from the outside. cmd/netbank fills
// it from flags; tests fill it by hand.
type Config struct {
	// Clock gives the time shown in the "Siden hentet" line (RULE SESS-4).
	// Nil means the system clock.
	Clock netbank.Clock
	// SecureCookies marks cookies Secure and uses the __Host- prefix for the
	// CSRF cookie. Turn it on whenever the bank is served over HTTPS.
	SecureCookies bool
	// CSRFKey is the secret that CSRF tokens are derived from: at least 32
	// random bytes, the same on every instance behind a load balancer.
	CSRFKey []byte
	// BankName is shown in the header and page titles. Empty means "Netbank".
	BankName string
	// Logger receives incident reports for failed requests. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Identity checks sessions for the pages behind a login. Nil serves
	// only the public pages.
	Identity *identity.Service
	// Audit is the audit log the back office reads and verifies (and where
	// it records the staff's look-ups). Nil leaves the back office without
	// the audit log.
	Audit AuditLog
	// Inbox is the secure message channel and the contracts (MSG-1,
	// CONTR-1). Nil leaves the back office without messages and contracts.
	Inbox *inbox.Service
	// Accounts are the customers' accounts; Ledger their postings.
	Accounts *account.Service
	Ledger   *ledger.Service
	// Payments is the payments domain (payments.go). Nil leaves the net
	// bank without payments.
	Payments *payment.Service
	// Agreements are the payment agreements: Betalingsservice and
	// electronic payment slips (agreements.go). Nil leaves the net bank
	// without them.
	Agreements *agreement.Service
	// Pricing is the price list and the exchange rates the back office
	// maintains (backoffice_pricing.go). Nil leaves it out.
	Pricing *pricing.Service
	// APIKeys are the keys of the JSON API: the net bank's "API-adgang"
	// and the back office's "API-klienter" (apikeys.go,
	// backoffice_apikeys.go). Nil leaves both out.
	APIKeys *apikey.Service
	// Cards is the card business: the net bank's "Kort" and the back
	// office's cards (cards.go, backoffice_cards.go). Nil leaves both out.
	Cards *card.Service
	// VisaSecure is the bank's access control server, whose SMS outbox
	// the back office shows (backoffice_sms.go). Nil leaves the page empty.
	VisaSecure *card.VisaSecure
	// Disputes are the cardholders' disputes of card transactions: the
	// net bank's and the back office's (card_disputes.go,
	// backoffice_disputes.go). Nil leaves both out.
	Disputes *card.Disputes
}

// Server serves the HTML pages of the bank. It is an http.Handler; every
// response it writes carries the security headers of [SecureHeaders], and
// every unsafe request passes the input and CSRF checks first.
type Server struct {
	clock      netbank.Clock
	secure     bool
	csrfKey    []byte
	bankName   string
	log        *slog.Logger
	zone       *time.Location
	identity   *identity.Service
	inbox      *inbox.Service
	accounts   *account.Service
	ledger     *ledger.Service
	payments   *payment.Service
	agreements *agreement.Service
	pricing    *pricing.Service
	apikeys    *apikey.Service
	cards      *card.Service
	visaSecure *card.VisaSecure
	disputes   *card.Disputes

	mux     *http.ServeMux
	routes  []string // every pattern registered, in order (Routes, routes.go)
	handler http.Handler
	views   map[Lang]map[string]*template.Template
	assets  *assets
}

// New builds a Server: it parses the embedded templates, fingerprints the
// static assets and registers the built-in pages (the start page, static
// files and the 404 page). It fails if the configuration is unusable.
func New(cfg Config) (*Server, error) {
	if len(cfg.CSRFKey) < 32 {
		return nil, netbank.Errorf(netbank.EINVALID, "web: CSRFKey must be at least 32 bytes, got %d", len(cfg.CSRFKey))
	}
	zone, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return nil, fmt.Errorf("web: load time zone: %w", err)
	}
	s := &Server{
		clock:      cfg.Clock,
		secure:     cfg.SecureCookies,
		csrfKey:    append([]byte(nil), cfg.CSRFKey...),
		bankName:   cfg.BankName,
		log:        cfg.Logger,
		zone:       zone,
		identity:   cfg.Identity,
		inbox:      cfg.Inbox,
		accounts:   cfg.Accounts,
		ledger:     cfg.Ledger,
		payments:   cfg.Payments,
		agreements: cfg.Agreements,
		pricing:    cfg.Pricing,
		apikeys:    cfg.APIKeys,
		cards:      cfg.Cards,
		visaSecure: cfg.VisaSecure,
		disputes:   cfg.Disputes,
		mux:        http.NewServeMux(),
	}
	if s.clock == nil {
		s.clock = netbank.SystemClock{}
	}
	if s.bankName == "" {
		s.bankName = "Netbank"
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.views, err = s.parseViews(); err != nil {
		return nil, err
	}

	s.HandleFunc("GET /static/{file}", s.serveStatic)
	s.HandleFunc("GET /{$}", s.handleHome)
	s.registerNetbank()
	s.registerBackoffice(cfg.Audit)
	s.registerCards(cfg.Audit) // Kort in the net bank and the back office (cards.go, backoffice_cards.go)
	// Disputes of card transactions (card_disputes.go, backoffice_disputes.go).
	s.registerDisputes(cfg.Audit)

	s.handler = SecureHeaders(s.crossOriginProtection(s.checkInput(s.csrf(s.switchLang(http.HandlerFunc(s.route))))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Handle registers h for pattern (Go 1.22 ServeMux syntax, e.g.
// "GET /konti/{id}" or "POST /betalinger"). The handler runs behind the
// security headers, the input checks (input.go), the language switch and
// the CSRF checks, so a POST handler only sees requests with a valid token
// and a form of text. Patterns must not clash with
// the built-in ones ("GET /{$}" and "GET /static/{file}"); a clash panics, as
// with http.ServeMux. Register all pages before serving. Every pattern
// needs an entry in the authorization matrix (authz_matrix_test.go), which
// fails for a route it does not know (Routes lists them).
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.routes = append(s.routes, pattern)
}

// HandleFunc is [Server.Handle] for a plain function.
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.mux.HandleFunc(pattern, h)
	s.routes = append(s.routes, pattern)
}

// route dispatches to the mux, but draws the bank's own pages where the mux
// would answer 404 or 405 with plain text.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// No pattern matched: the mux would write a plain-text 404 or 405. Let it
	// decide which (and set Allow), then draw our page instead of its text.
	iw := &interceptWriter{ResponseWriter: w}
	s.mux.ServeHTTP(iw, r)
	switch iw.status {
	case 0, http.StatusNotFound: // 0: the mux wrote nothing; treat it as not found
		s.NotFound(w, r)
	case http.StatusMethodNotAllowed:
		s.renderError(w, r, http.StatusMethodNotAllowed, errorTexts{"error.method.title", "error.method.text"}, newIncidentID())
	}
}

// interceptWriter swallows the plain-text answer of the mux's fallback
// handlers and remembers its status.
type interceptWriter struct {
	http.ResponseWriter
	status int
}

func (w *interceptWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *interceptWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status == http.StatusNotFound || w.status == http.StatusMethodNotAllowed {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}
