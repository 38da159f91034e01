// Package app wires the bank together: it opens the database, starts the
// ledger and the background jobs, seeds the demo bank, and serves the web
// pages, the JSON API, the health checks and the Prometheus metrics on one
// HTTP server (with a JSON log line per request, observe.go). cmd/netbank
// turns flags into a Config and calls it; tests build an App directly.
package app

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/api"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/metrics"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
	"github.com/netbank/netbank/web"
)

// Config is everything the bank needs to start. cmd/netbank fills it from
// flags and NETBANK_* environment variables.
type Config struct {
	// Addr is the HTTP listen address, e.g. 127.0.0.1:8080.
	Addr string
	// DataDir holds the SQLite database and the secret key file.
	DataDir string
	// DB is a postgres:// URL; empty means SQLite in DataDir/netbank.db.
	DB string
	// Demo seeds the demo bank on first start.
	Demo bool
	// Secret (hex, >= 32 bytes) keys CSRF tokens; it must be the same on
	// every instance. Empty: read or create DataDir/secret.key.
	Secret string
	// TLSCert and TLSKey switch on HTTPS.
	TLSCert, TLSKey string
	// InsecureHTTP allows plain HTTP on a non-loopback address.
	InsecureHTTP bool
	// Ledger tunes group commit. Its Observer, if any, is told about
	// batches alongside the bank's metrics.
	Ledger ledger.Config
	// ExpiryInterval is how often expired holds are released (default 30s).
	ExpiryInterval time.Duration
	// RequestTimeout bounds the work of one web or API request (default
	// 30s): when the database stalls, the request's context ends and the
	// customer gets the "unavailable" page or error instead of waiting.
	RequestTimeout time.Duration
	// Identity tunes sessions and logins (timeouts, attempts); its keys are
	// derived from Secret.
	Identity identity.Config
	// ISO8583Addr is where Run listens for the card network (ISO 8583,
	// cardnet.go); empty: no listener.
	ISO8583Addr string
	// Cards is the BIN and the card keys (cards.go).
	Cards  CardConfig
	Logger *slog.Logger
	Clock  netbank.Clock
}

// App is a running bank.
type App struct {
	cfg    Config
	log    *slog.Logger
	DB     *store.DB
	Ledger *ledger.Service
	// Identity is the identity service (customers, users, sessions).
	Identity *identity.Service
	// Accounts is the customers' accounts over the ledger.
	Accounts *account.Service
	// Scheduler runs the time-driven jobs, once across all instances.
	Scheduler *scheduler.Scheduler
	// Payments is the payments domain (execution and clearing run on the scheduler).
	Payments *payment.Service
	// Inbox is the secure message channel between customers and the bank,
	// and the contracts customers approve (MSG-1, CONTR-1).
	Inbox *inbox.Service
	// Agreements are the payment agreements: Betalingsservice and
	// electronic payment slips (PAY-8; its collections run on the scheduler).
	Agreements *agreement.Service
	// Pricing is the price list and the exchange rates (PAY-5, CARD-*).
	Pricing *pricing.Service
	// APIKeys are the bearer tokens of the JSON API: customers' own and
	// the bank's partners' (package apikey).
	APIKeys *apikey.Service
	// Cards is the Visa Debit card business (package card; its renewal,
	// expiry, fee, termination and retention jobs run on the scheduler).
	Cards *card.Service
	// VisaSecure is the bank's access control server (card
	// visasecure.go, CARD-11): the merchants' API starts and completes
	// authentications, the Authorizer verifies their CAVVs.
	VisaSecure *card.VisaSecure
	// Authorizer decides the card network's authorizations (card
	// authorize.go); Run serves it on Config.ISO8583Addr.
	Authorizer *card.Authorizer
	// Disputes are the cardholders' disputes of card transactions (card
	// dispute.go, disputes.go).
	Disputes *card.Disputes
	cardNet  atomic.Pointer[iso8583.Server]
	// Metrics are the bank's Prometheus metrics, served at GET /metrics
	// (package metrics; observe.go connects them).
	Metrics *metrics.Metrics
	// Handler serves every HTTP route of the bank.
	Handler http.Handler
}

// DSN returns the database the configuration names: the PostgreSQL URL, or
// the SQLite file in the data directory.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "netbank.db")
}

// Open opens the database (applying migrations) and starts the ledger
// with the bank's internal accounts: what every command needs. It serves
// nothing; New builds the HTTP side on top.
func Open(ctx context.Context, cfg Config) (*App, error) {
	cfg = withDefaults(cfg)
	db, err := store.Open(ctx, cfg.DSN(), store.Options{})
	if err != nil {
		return nil, err
	}
	cfg.Ledger.Clock = cfg.Clock
	m := metrics.New()
	cfg.Ledger.Observer = batchObservers(cfg.Ledger.Observer, m)
	a := &App{cfg: cfg, log: cfg.Logger, DB: db, Ledger: ledger.New(db.Ledger(), cfg.Ledger), Metrics: m}
	a.Pricing = pricing.New(db.Pricing(), pricing.Config{Clock: cfg.Clock})
	currencies := []string{"DKK", "EUR"}
	rates, err := a.Pricing.Rates(ctx) // the bank's own accounts in every currency it trades (PAY-5)
	if err != nil {
		a.Close()
		return nil, err
	}
	for _, r := range rates {
		if r.Currency != "DKK" && r.Currency != "EUR" {
			currencies = append(currencies, r.Currency)
		}
	}
	if err := a.Ledger.EnsureInternalAccounts(ctx, currencies...); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.ExpiryInterval <= 0 {
		cfg.ExpiryInterval = 30 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "netbank-data"
	}
	return cfg
}

// New opens the bank (see Open), seeds the demo data when asked and builds
// the HTTP handler.
func New(ctx context.Context, cfg Config) (*App, error) {
	cfg = withDefaults(cfg)
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	a, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	idCfg := cfg.Identity
	idCfg.Clock = cfg.Clock
	idCfg.DataKey = deriveKey(secret, "netbank data key v1")
	idCfg.Pepper = deriveKey(secret, "netbank key-card pepper v1")
	if a.Identity, err = identity.New(countLoginFailures(a.DB.Identity(), a.Metrics), idCfg); err != nil {
		a.Close()
		return nil, err
	}
	a.Accounts = account.New(a.DB.Accounts(), a.Ledger, dk.NetbankReg, cfg.Clock)
	a.APIKeys = apikey.New(a.DB.APIKeys(), apikey.Config{Clock: cfg.Clock, Users: a.Identity})
	a.Scheduler = scheduler.New(a.DB.Scheduler(), scheduler.Config{Clock: cfg.Clock, Logger: cfg.Logger, OnRun: a.Metrics.JobRun})
	a.Scheduler.Register(scheduler.Job{Name: "identity-housekeeping", Plan: scheduler.Daily(3, 30, nil), Lookback: time.Hour,
		Run: func(ctx context.Context, key string, due time.Time) error {
			_, err := a.Identity.Housekeeping(ctx)
			return err
		}})
	a.Inbox = inbox.New(a.DB.Inbox(), cfg.Clock)
	a.Payments = payment.New(a.DB.Payments(), a.Ledger, a.Accounts, payment.Config{Clock: cfg.Clock, Reg: dk.NetbankReg,
		Notify: a.notifyRejected, Quoter: a.Pricing, Payer: a.payer, Buyer: a.Pricing})
	a.Payments.RegisterJobs(a.Scheduler)
	a.Agreements = agreement.New(a.DB.Agreements(), a.Payments, a.Accounts, agreement.Config{Clock: cfg.Clock})
	a.Agreements.RegisterJobs(a.Scheduler)
	zpkHex, err := a.newCards(cfg, secret)
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.VisaSecure, err = card.NewVisaSecure(a.Cards, a.DB.VisaSecure(), card.VisaSecureConfig{Clock: cfg.Clock, Logger: cfg.Logger}); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.newAuthorizer(cfg); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.newDisputes(cfg); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Demo {
		if err := demo.Seed(ctx, a.Ledger, cfg.Clock); err != nil {
			a.Close()
			return nil, err
		}
		if _, err := demo.SeedPeople(ctx, a.Identity, cfg.DataDir); err != nil {
			a.Close()
			return nil, err
		}
		if err := demo.LinkAccounts(ctx, a.Accounts, a.Identity); err != nil {
			a.Close()
			return nil, err
		}
		if err := demo.SeedAgreements(ctx, a.Agreements, a.Identity, cfg.Clock); err != nil {
			a.Close()
			return nil, err
		}
		if err := demo.SeedAPIKeys(ctx, a.APIKeys, a.Identity, cfg.Clock, cfg.DataDir); err != nil {
			a.Close()
			return nil, err
		}
		if err := demo.SeedCards(ctx, a.Cards, a.Accounts, a.Identity, a.Ledger, cfg.Clock, cfg.DataDir, zpkHex); err != nil {
			a.Close()
			return nil, err
		}
		if err := demo.RefreshRates(ctx, a.Pricing, cfg.Clock); err != nil {
			a.Close()
			return nil, err
		}
		a.Scheduler.Register(demo.RatesJob(a.Pricing, cfg.Clock))
	}
	w, err := web.New(web.Config{Clock: cfg.Clock, SecureCookies: cfg.TLSCert != "", CSRFKey: secret, Logger: cfg.Logger, Identity: a.Identity, Audit: a.DB.Audit(), Inbox: a.Inbox, Accounts: a.Accounts, Ledger: a.Ledger, Payments: a.Payments, Agreements: a.Agreements, Pricing: a.Pricing, APIKeys: a.APIKeys, Cards: a.Cards, VisaSecure: a.VisaSecure, Disputes: a.Disputes})
	if err != nil {
		a.Close()
		return nil, err
	}
	apiServer := api.New(api.Config{Clock: cfg.Clock, Pricing: a.Pricing, Keys: a.APIKeys, Identity: a.Identity, Accounts: a.Accounts,
		Ledger: a.Ledger, Payments: a.Payments, Agreements: a.Agreements, Cards: a.Cards, VisaSecure: a.VisaSecure})
	mux := http.NewServeMux()
	var top []string // the patterns served here, for the route table
	handle := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, h)
		top = append(top, pattern)
	}
	handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	handle("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.DB.Ping(ctx); err != nil {
			api.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(a.DB.Engine())})
	})
	// The metrics are on the main listener, for the scrapers that reach
	// each instance directly; they hold counts only, no customer data, and
	// the load balancer keeps /metrics from the internet (README, Metrics).
	handle("GET /metrics", a.Metrics.Handler().ServeHTTP)
	mux.Handle(api.Prefix+"/", apiServer)
	mux.Handle("/", w)
	a.Handler = web.SecureHeaders(a.observeRequests(newRouteTable(top, w.Routes(), apiServer.Routes()),
		withDeadline(cfg.RequestTimeout, mux)))
	return a, nil
}

// withDeadline gives each request's context a deadline: the store maps a
// passed deadline to "unavailable", which the pages and the API answer
// with 503 and Retry-After.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// notifyRejected tells the customer, in the net bank's messages, that a
// scheduled payment could not be made.
func (a *App) notifyRejected(ctx context.Context, p payment.Payment) {
	body := fmt.Sprintf("Din betaling på %s til %s, som skulle være gennemført %s, kunne ikke gennemføres: %s\n\nDer er ikke trukket noget på din konto.",
		netbank.NewMoney(p.Amount, "DKK"), p.ToName, p.ExecutionDate.Format("02.01.2006"), p.FailureReason)
	if _, err := a.Inbox.Notify(ctx, p.CustomerID, "Betaling afvist", body); err != nil {
		a.log.Error("notifying a rejected payment", "payment", p.ID, "err", err)
	}
}

// payer names a customer as the payer of a foreign transfer (PAY-5): name
// and address, as the outbound message must carry them.
func (a *App) payer(ctx context.Context, customerID string) (payment.Party, error) {
	c, err := a.Identity.Customer(ctx, customerID)
	if err != nil {
		return payment.Party{}, err
	}
	addr := strings.TrimSpace(c.Postcode + " " + c.City)
	if c.Address != "" {
		addr = strings.TrimSuffix(c.Address+", "+addr, ", ")
	}
	return payment.Party{Name: c.Name, Address: addr, Country: "DK"}, nil
}

// Close stops the ledger and closes the database.
func (a *App) Close() {
	a.Ledger.Close()
	a.DB.Close()
}

// Run serves HTTP and runs the background jobs until ctx is cancelled, then
// shuts down gracefully: it stops accepting connections, lets in-flight
// requests finish (up to 15 seconds) and drains the ledger's queue.
func (a *App) Run(ctx context.Context) error {
	if err := checkListen(a.cfg); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if a.cfg.TLSCert != "" {
		scheme = "https"
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if err := a.startCardNetwork(); err != nil {
		ln.Close()
		return err
	}
	a.log.Info("netbank listening", "url", scheme+"://"+ln.Addr().String(), "database", string(a.DB.Engine()), "demo", a.cfg.Demo)

	var jobs sync.WaitGroup
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	jobs.Add(2)
	go func() {
		defer jobs.Done()
		a.runExpiry(jobCtx)
	}()
	go func() {
		defer jobs.Done()
		a.Scheduler.Loop(jobCtx, time.Minute)
	}()

	errc := make(chan error, 1)
	go func() {
		if a.cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, a.cfg.TLSCert, a.cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		// Serve closes the listener when it stops, but ServeTLS returns
		// before serving (leaving the port bound) when it cannot load the
		// key pair.
		ln.Close()
		a.stopCardNetwork(context.Background())
		stopJobs()
		jobs.Wait()
		return err
	case <-ctx.Done():
	}
	a.log.Info("netbank shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cardNetDone := make(chan struct{})
	go func() {
		defer close(cardNetDone)
		a.stopCardNetwork(shutdownCtx)
	}()
	err = srv.Shutdown(shutdownCtx)
	<-cardNetDone
	stopJobs()
	jobs.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// runExpiry releases expired holds at every tick, from start-up on, and
// undoes the card money of requests whose decision a crash lost (older
// than a minute: any decision in flight, on any instance, is younger).
// Several instances may run it at once: the ledger resolves each hold
// exactly once, and a recovery claims each request's id first.
func (a *App) runExpiry(ctx context.Context) {
	t := time.NewTicker(a.cfg.ExpiryInterval)
	defer t.Stop()
	for {
		n, err := a.Ledger.ExpireHolds(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error("releasing expired holds", "err", err)
		} else if n > 0 {
			a.log.Info("released expired holds", "count", n)
		}
		if a.Authorizer != nil { // card money whose decision a crash lost (card/recover.go)
			if _, err := a.Authorizer.RecoverOrphans(ctx, a.cfg.Clock.Now().Add(-time.Minute)); err != nil && ctx.Err() == nil {
				a.log.Error("recovering orphaned card money", "err", err)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkListen refuses plain HTTP unless the operator insisted
// (--insecure-http, behind a TLS proxy) or it is the demo on loopback
// (SIGN-3: all traffic is encrypted).
func checkListen(cfg Config) error {
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return netbank.Errorf(netbank.EINVALID, "both --tls-cert and --tls-key are needed for HTTPS")
		}
		return nil
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return netbank.Errorf(netbank.EINVALID, "bad listen address %q: %v", cfg.Addr, err)
	}
	if cfg.InsecureHTTP {
		return nil
	}
	// A real bank (not the demo) serves HTTPS, or plain HTTP only when
	// the operator says a TLS-terminating proxy is in front.
	if !cfg.Demo {
		return netbank.Errorf(netbank.EINVALID, "refusing plain HTTP outside demo mode: give --tls-cert and --tls-key, or --insecure-http behind a TLS-terminating proxy")
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return netbank.Errorf(netbank.EINVALID, "refusing plain HTTP on %s: give --tls-cert and --tls-key, or --insecure-http behind a TLS-terminating proxy", cfg.Addr)
}

// deriveKey derives a 32-byte key for one purpose from the bank's secret
// (HKDF-SHA256), so one secret serves CSRF, encryption at rest and the
// key-card pepper without any two sharing a key.
func deriveKey(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		panic(err) // only for impossible lengths
	}
	return k
}

// loadSecret returns the configured secret, or reads (creating on first
// start) DataDir/secret.key.
func loadSecret(cfg Config) ([]byte, error) {
	if cfg.Secret != "" {
		b, err := hex.DecodeString(strings.TrimSpace(cfg.Secret))
		if err != nil || len(b) < 32 {
			return nil, netbank.Errorf(netbank.EINVALID, "the secret must be at least 32 bytes, hex-encoded")
		}
		return b, nil
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	if data, err := os.ReadFile(path); err == nil {
		b, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(b) < 32 {
			return nil, fmt.Errorf("app: %s is not a hex secret of at least 32 bytes", path)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return b, nil
}
