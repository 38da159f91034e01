package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for creating test databases

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
)

// testTime is the fixed time of the tests' clock: 14.05.09 UTC is 15.05.09
// in Copenhagen (winter time).
var testTime = time.Date(2026, 11, 21, 14, 5, 9, 0, time.UTC)

// quietLogger drops the app's logs; the tests look at responses.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// bankEngine is a way to configure a fresh, empty bank on one engine.
type bankEngine struct {
	name   string // what /readyz reports as the database
	config func(t *testing.T) app.Config
}

var bankEngines = []bankEngine{
	{name: "sqlite", config: func(t *testing.T) app.Config {
		return app.Config{DataDir: t.TempDir()}
	}},
	{name: "postgres", config: func(t *testing.T) app.Config {
		return app.Config{DataDir: t.TempDir(), DB: testkit.FreshPostgresDatabase(t)}
	}},
}

// mustNew builds an App and closes it when the test ends.
func mustNew(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

// get fetches url with a client that keeps no cookies, and returns the
// response with its body read.
func get(t *testing.T, client *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp, string(b)
}

func decodeJSON(t *testing.T, body string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q is not a JSON object of strings: %v", body, err)
	}
	return m
}

// entryCounts counts the rows of the ledger's append-only tables.
func entryCounts(t *testing.T, a *app.App) (transfers, entries int64) {
	t.Helper()
	ctx := context.Background()
	if err := a.DB.QueryRow(ctx, "SELECT COUNT(*) FROM ledger_transfers").Scan(&transfers); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.QueryRow(ctx, "SELECT COUNT(*) FROM ledger_entries").Scan(&entries); err != nil {
		t.Fatal(err)
	}
	return transfers, entries
}

// csrfAccepted posts to the start page as a non-browser client with a CSRF
// cookie and the token that key derives for it. The web layer answers 403
// when the token is not the one its own key derives, and otherwise lets the
// request through to the router, which has no POST / (405). So it reports
// whether the app runs with key.
func csrfAccepted(t *testing.T, base string, key []byte) bool {
	t.Helper()
	cookie := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(cookie))
	req, err := http.NewRequest(http.MethodPost, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "nb_csrf", Value: cookie})
	req.Header.Set("X-CSRF-Token", base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusForbidden:
		return false
	case http.StatusMethodNotAllowed:
		return true
	}
	t.Fatalf("POST / with a CSRF token: status %d, want 403 or 405", resp.StatusCode)
	return false
}

func readSecretFile(t *testing.T, dataDir string) []byte {
	t.Helper()
	path := filepath.Join(dataDir, "secret.key")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("secret key file: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %o, want 600 (only the bank's user may read the key)", path, mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) < 32 {
		t.Fatalf("%s holds %q: want at least 32 hex-encoded bytes", path, data)
	}
	return key
}

// TestDemoBank starts the demo bank on each engine and checks what an
// operator and a customer see first: health checks, the security headers on
// every kind of response, the Danish start page and the seeded demo ledger;
// then that a restart seeds nothing twice and keeps its key, and that
// /readyz notices a lost database.
func TestDemoBank(t *testing.T) {
	for _, e := range bankEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testkit.NewClock(testTime)
			cfg := e.config(t)
			cfg.Demo = true
			cfg.Clock = clock
			a := mustNew(t, cfg)
			srv := httptest.NewServer(a.Handler)
			defer srv.Close()
			client := srv.Client()

			t.Run("healthz", func(t *testing.T) {
				resp, body := get(t, client, srv.URL+"/healthz")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200", resp.StatusCode)
				}
				if got := decodeJSON(t, body); len(got) != 1 || got["status"] != "ok" {
					t.Errorf("body %s, want {\"status\":\"ok\"}", body)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want JSON", ct)
				}
			})

			t.Run("readyz", func(t *testing.T) {
				resp, body := get(t, client, srv.URL+"/readyz")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200 (body %s)", resp.StatusCode, body)
				}
				got := decodeJSON(t, body)
				if got["status"] != "ok" || got["database"] != e.name {
					t.Errorf("body %s, want status ok and database %q", body, e.name)
				}
			})

			// RULE SESS-3: nothing of a session may stay on the device, and
			// no page may be framed; every answer can be traced in the logs.
			t.Run("security headers on every response", func(t *testing.T) {
				ids := map[string]string{}
				for _, tc := range []struct {
					name, path string
					status     int
					mediaType  string
				}{
					{"start page", "/", http.StatusOK, "text/html"},
					{"health check", "/healthz", http.StatusOK, "application/json"},
					{"readiness check", "/readyz", http.StatusOK, "application/json"},
					{"API answer", "/api/v1/banks/5301", http.StatusOK, "application/json"},
					{"missing page", "/findes-ikke", http.StatusNotFound, "text/html"},
					{"missing API path", "/api/v1/findes-ikke", http.StatusNotFound, "application/json"},
					{"API error", "/api/v1/banks/53011", http.StatusBadRequest, "application/json"},
				} {
					t.Run(tc.name, func(t *testing.T) {
						resp, body := get(t, client, srv.URL+tc.path)
						if resp.StatusCode != tc.status {
							t.Errorf("status %d, want %d (body %.200s)", resp.StatusCode, tc.status, body)
						}
						if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.mediaType) {
							t.Errorf("Content-Type %q, want %s", ct, tc.mediaType)
						}
						if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
							t.Errorf("Cache-Control %q, want no-store", cc)
						}
						csp := resp.Header.Get("Content-Security-Policy")
						if !strings.Contains(csp, "frame-ancestors 'none'") {
							t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
						}
						if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
							t.Errorf("X-Content-Type-Options %q, want nosniff", got)
						}
						id := resp.Header.Get("X-Request-Id")
						if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
							t.Errorf("X-Request-Id %q, want 16 hex digits", id)
						}
						if other, dup := ids[id]; dup {
							t.Errorf("X-Request-Id %s was also given to %s", id, other)
						}
						ids[id] = tc.path
					})
				}
			})

			// RULE SESS-4: the start page is Danish and says when it was fetched.
			t.Run("start page", func(t *testing.T) {
				resp, body := get(t, client, srv.URL+"/")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				for _, want := range []string{`<html lang="da"`, "Log på", "Siden hentet"} {
					if !strings.Contains(body, want) {
						t.Errorf("start page lacks %q", want)
					}
				}
				// The time is the app's clock in Copenhagen time.
				fetched := regexp.MustCompile(`Siden hentet\s*<time[^>]*>([^<]*)</time>`).FindStringSubmatch(body)
				if fetched == nil || fetched[1] != "21.11.2026 15.05.09" {
					t.Errorf("fetched line %q, want Siden hentet 21.11.2026 15.05.09", fetched)
				}
			})

			t.Run("demo ledger", func(t *testing.T) {
				rep, err := a.Ledger.Check(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !rep.OK() {
					t.Fatalf("ledger check: %v", rep.Violations)
				}
				if rep.Accounts <= len(demo.Accounts) {
					t.Errorf("check saw %d accounts, want the %d demo accounts and the internal ones", rep.Accounts, len(demo.Accounts))
				}
				for _, d := range demo.Accounts {
					acct, err := a.Ledger.Account(ctx, d.ID)
					if err != nil {
						t.Errorf("demo account %s: %v", d.ID, err)
						continue
					}
					if acct.EntrySeq < 2 {
						t.Errorf("demo account %s (%s %s) has %d postings, want its history", d.ID, d.Owner, d.Name, acct.EntrySeq)
					}
				}
			})

			t.Run("restart", func(t *testing.T) {
				key := readSecretFile(t, cfg.DataDir)
				if !csrfAccepted(t, srv.URL, key) {
					t.Fatal("the running bank does not use the key in secret.key")
				}
				transfers, entries := entryCounts(t, a)
				for _, tc := range []struct {
					name  string
					after time.Duration
				}{
					{"same instant", 0},
					{"next day", 25 * time.Hour},
				} {
					t.Run(tc.name, func(t *testing.T) {
						clock.Set(testTime.Add(tc.after))
						b := mustNew(t, cfg)
						gotT, gotE := entryCounts(t, b)
						if gotT != transfers || gotE != entries {
							t.Errorf("restart seeded again: %d transfers and %d entries, had %d and %d", gotT, gotE, transfers, entries)
						}
						if rep, err := b.Ledger.Check(ctx); err != nil || !rep.OK() {
							t.Errorf("ledger check after restart: %v %v", rep.Violations, err)
						}
						if got := readSecretFile(t, cfg.DataDir); !hmac.Equal(got, key) {
							t.Errorf("secret.key changed on restart")
						}
						srv2 := httptest.NewServer(b.Handler)
						defer srv2.Close()
						if !csrfAccepted(t, srv2.URL, key) {
							t.Errorf("the restarted bank does not accept CSRF tokens made with the stored key")
						}
						b.Close()
					})
				}
			})

			t.Run("readyz without a database", func(t *testing.T) {
				a.DB.Close()
				resp, body := get(t, client, srv.URL+"/readyz")
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503 (body %s)", resp.StatusCode, body)
				}
				if got := decodeJSON(t, body); got["status"] == "ok" {
					t.Errorf("body %s still says ok", body)
				}
				if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q on the 503, want no-store", cc)
				}
				// Liveness does not depend on the database.
				if resp, _ := get(t, client, srv.URL+"/healthz"); resp.StatusCode != http.StatusOK {
					t.Errorf("/healthz status %d without a database, want 200", resp.StatusCode)
				}
			})
		})
	}
}

// TestSecret covers where the CSRF key comes from: the configuration, or a
// key file in the data directory that is created once and then reused.
func TestSecret(t *testing.T) {
	configured := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name     string
		secret   string
		keyFile  string // written to secret.key before New; "" for none
		wantErr  string // substring of New's error; "" for success
		wantFile bool   // secret.key exists afterwards
		wantKey  string // hex key the app must use; "" to read it from secret.key
	}{
		{name: "first start creates a key file", wantFile: true},
		{name: "existing key file is used", keyFile: strings.Repeat("cd", 32) + "\n", wantFile: true, wantKey: strings.Repeat("cd", 32)},
		{name: "configured secret wins and writes no file", secret: configured, wantKey: configured},
		{name: "configured secret with spaces", secret: "  " + configured + "\n", wantKey: configured},
		{name: "configured secret too short", secret: strings.Repeat("ab", 31), wantErr: "at least 32 bytes"},
		{name: "configured secret not hex", secret: strings.Repeat("zz", 32), wantErr: "hex"},
		{name: "key file too short", keyFile: "abcd\n", wantErr: "secret.key"},
		{name: "key file not hex", keyFile: strings.Repeat("x", 64), wantErr: "secret.key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.keyFile != "" {
				if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte(tc.keyFile), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg := app.Config{DataDir: dir, Secret: tc.secret, Logger: quietLogger()}
			a, err := app.New(context.Background(), cfg)
			if tc.wantErr != "" {
				if err == nil {
					a.Close()
					t.Fatalf("New succeeded, want an error containing %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer a.Close()
			_, statErr := os.Stat(filepath.Join(dir, "secret.key"))
			if exists := statErr == nil; exists != tc.wantFile {
				t.Errorf("secret.key exists: %v, want %v", exists, tc.wantFile)
			}
			var key []byte
			if tc.wantKey != "" {
				key, _ = hex.DecodeString(tc.wantKey)
			} else {
				key = readSecretFile(t, dir)
			}
			srv := httptest.NewServer(a.Handler)
			defer srv.Close()
			if !csrfAccepted(t, srv.URL, key) {
				t.Errorf("the bank does not use the expected key")
			}
			if csrfAccepted(t, srv.URL, make([]byte, 32)) {
				t.Errorf("the bank accepts a token made with an all-zero key")
			}
		})
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago
// (Run listens on Config.Addr itself, so the test picks the port).
func freeAddr(t *testing.T, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return net.JoinHostPort(host, port)
}

// dialHost is where a client reaches a server listening on addr.
func dialHost(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "0.0.0.0" || host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// running is an App.Run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func startRun(t *testing.T, a *app.App) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Errorf("Run did not return after its context was cancelled")
		}
	})
	return r
}

// waitHealthy polls url until it answers 200, or fails the test when Run
// returns first or it takes too long.
func waitHealthy(t *testing.T, r *running, client *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-r.done:
			t.Fatalf("Run returned %v before %s answered", err, url)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200: last error %v", url, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait returns Run's result, failing the test if it does not come promptly.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s")
		return nil
	}
}

func assertClosed(t *testing.T, addr string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", dialHost(addr), time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Run returned", addr)
	}
}

// TestRunGracefulShutdown cancels Run while a request is in flight: the
// listener closes at once, the request still completes, and only then does
// Run return, without an error.
func TestRunGracefulShutdown(t *testing.T) {
	addr := freeAddr(t, "127.0.0.1")
	a := mustNew(t, app.Config{Addr: addr, DataDir: t.TempDir(), InsecureHTTP: true})
	started, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // also when the test fails before it lets the request finish
	bank := a.Handler
	mux := http.NewServeMux()
	mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	mux.Handle("/", bank)
	a.Handler = mux

	r := startRun(t, a)
	base := "http://" + addr
	client := &http.Client{Timeout: 20 * time.Second}
	waitHealthy(t, r, client, base+"/healthz")
	if resp, body := get(t, client, base+"/readyz"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"sqlite"`) {
		t.Fatalf("/readyz over TCP: %d %s", resp.StatusCode, body)
	}

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := client.Get(base + "/test/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	r.cancel()

	// Shutdown closes the listener first; wait for that.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open 10s after cancelling Run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run returned (%v) while a request was still in flight", err)
	default:
	}
	unblock()
	res := <-slow
	if res.err != nil || res.status != http.StatusOK || res.body != "done" {
		t.Fatalf("in-flight request: status %d body %q err %v; want 200 done", res.status, res.body, res.err)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("Run after a graceful shutdown: %v, want nil", err)
	}
	assertClosed(t, addr)
}

// writeSelfSignedCert writes a certificate for 127.0.0.1 and its key to dir
// and returns the file names and a pool that trusts the certificate.
func writeSelfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "netbank test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestRunListen checks which listen configurations Run accepts. RULE SIGN-3:
// all traffic is encrypted, so plain HTTP is only served on loopback unless
// the operator says a TLS-terminating proxy is in front.
func TestRunListen(t *testing.T) {
	certFile, keyFile, pool := writeSelfSignedCert(t, t.TempDir())
	for _, tc := range []struct {
		name         string
		host         string // the port is picked free; "" for an address without a port
		addr         string // used as is when host is ""
		tls          bool   // serve HTTPS with the test certificate
		certOnly     bool   // give the certificate but no key
		missingFiles bool   // name certificate files that do not exist
		insecure     bool
		demo         bool   // the demo bank (plain HTTP allowed on loopback)
		wantErr      string // substring of Run's error; "" when it must serve
	}{
		{name: "demo on loopback IPv4", host: "127.0.0.1", demo: true},
		{name: "demo on localhost", host: "localhost", demo: true},
		{name: "demo on all interfaces without TLS", host: "0.0.0.0", demo: true, wantErr: "--tls-cert"},
		{name: "outside demo mode on loopback without TLS", host: "127.0.0.1", wantErr: "outside demo mode"},
		{name: "outside demo mode on loopback with --insecure-http", host: "127.0.0.1", insecure: true},
		{name: "all interfaces without TLS", host: "0.0.0.0", wantErr: "--tls-cert"},
		{name: "all interfaces with --insecure-http", host: "0.0.0.0", insecure: true},
		{name: "all interfaces with TLS", host: "0.0.0.0", tls: true},
		{name: "certificate without key", host: "0.0.0.0", certOnly: true, wantErr: "--tls-key"},
		{name: "missing certificate files", host: "127.0.0.1", missingFiles: true, wantErr: "no such file"},
		{name: "no port", addr: "0.0.0.0", wantErr: "bad listen address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.addr
			if tc.host != "" {
				addr = freeAddr(t, tc.host)
			}
			cfg := app.Config{Addr: addr, DataDir: t.TempDir(), InsecureHTTP: tc.insecure, Demo: tc.demo}
			switch {
			case tc.tls:
				cfg.TLSCert, cfg.TLSKey = certFile, keyFile
			case tc.certOnly:
				cfg.TLSCert = certFile
			case tc.missingFiles:
				dir := t.TempDir()
				cfg.TLSCert, cfg.TLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
			}
			a := mustNew(t, cfg)
			r := startRun(t, a)
			if tc.wantErr != "" {
				err := r.wait(t)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Run: %v, want an error containing %q", err, tc.wantErr)
				}
				if tc.host != "" {
					assertClosed(t, addr)
				}
				return
			}
			scheme, client := "http", &http.Client{Timeout: 5 * time.Second}
			if tc.tls {
				scheme = "https"
				client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
			}
			base := scheme + "://" + dialHost(addr)
			waitHealthy(t, r, client, base+"/healthz")
			resp, _ := get(t, client, base+"/")
			hsts := resp.Header.Get("Strict-Transport-Security")
			if tc.tls != (hsts != "") {
				t.Errorf("Strict-Transport-Security %q over %s", hsts, scheme)
			}
			// Over HTTPS the CSRF cookie is Secure and __Host- prefixed.
			wantCookie := map[bool]string{false: "nb_csrf", true: "__Host-nb_csrf"}[tc.tls]
			var found bool
			for _, c := range resp.Cookies() {
				if c.Name == wantCookie {
					found = true
					if c.Secure != tc.tls {
						t.Errorf("cookie %s Secure=%v over %s", c.Name, c.Secure, scheme)
					}
				}
			}
			if !found {
				t.Errorf("no %s cookie over %s (cookies %v)", wantCookie, scheme, resp.Cookies())
			}
			r.cancel()
			if err := r.wait(t); err != nil {
				t.Fatalf("Run after cancel: %v, want nil", err)
			}
			assertClosed(t, addr)
		})
	}
}

// TestRunAddressInUse: when the port is taken, Run says so instead of
// blocking.
func TestRunAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a := mustNew(t, app.Config{Addr: ln.Addr().String(), DataDir: t.TempDir(), InsecureHTTP: true})
	r := startRun(t, a)
	err = r.wait(t)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Run on a taken port: %v, want address already in use", err)
	}
}
