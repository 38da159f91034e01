package app_test

// Brute force through the bank's own doors (issue 6, "Attacks"): card PINs
// guessed at a terminal over ISO 8583, and API keys guessed over HTTP. The
// identity package's tests (identity/bruteforce_test.go) cover the net
// bank's and the back office's secrets.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
)

// liveEngines are the databases a live bank runs on: SQLite, and a fresh
// PostgreSQL database (skipped without NETBANK_TEST_POSTGRES, failed in CI).
var liveEngines = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(testing.TB) string { return "" }},
	{"postgres", testkit.FreshPostgresDatabase},
}

// otherPIN is a PIN that is not pin.
func otherPIN(pin string, i int) string {
	guesses := []string{"0000", "1234", "9999", "1111", "5555"}
	for _, g := range guesses[i%len(guesses):] {
		if g != pin {
			return g
		}
	}
	return "2222"
}

// Card PINs guessed at terminals (issue 5: card.MaxPINTries = 3): two
// wrong PINs are 55, the third is 75 and locks the PIN, and from then on
// even the right PIN is 75 at any terminal. The lock is that card's alone:
// another card answers 00. The cardholder cannot lift it (changing the PIN
// needs the locked one); the bank's new PIN letter does, and the old PIN
// counts as a wrong one again.
func TestBruteForceCardPINIsStopped(t *testing.T) {
	for _, e := range liveEngines {
		t.Run(e.name, func(t *testing.T) {
			b := startLiveBank(t, e.dsn(t))
			ctx := context.Background()
			victim, other := b.creds.Cards[0], b.creds.Cards[6] // Mette's and Lars's active cards
			skimmer, shop := b.terminal("SKIM0001"), b.terminal("SHOP0001")
			for i, want := range []string{"55", "55", "75"} {
				if got := skimmer.send(skimmer.purchase(victim, 10_00, otherPIN(victim.PIN, i))); got != want {
					t.Fatalf("wrong PIN %d: %s, want %s", i+1, got, want)
				}
			}
			if got := shop.send(shop.purchase(victim, 10_00, victim.PIN)); got != card.CodePINTriesExceeded {
				t.Fatalf("the right PIN after the lock: %s, want 75", got)
			}
			if got := skimmer.send(skimmer.purchase(other, 10_00, other.PIN)); got != card.CodeApproved {
				t.Fatalf("another card after the attack: %s, want 00", got)
			}

			c, err := b.a.Cards.ByPAN(ctx, victim.PAN)
			if err != nil {
				t.Fatal(err)
			}
			if !c.PINLocked {
				t.Error("the card's PIN is not locked")
			}
			if n := auditCount(t, b, c.ID, card.ActionPINLocked); n != 1 {
				t.Errorf("%d PIN locks audited, want 1", n)
			}
			holder := card.Actor{ID: "holder", Kind: audit.ActorCustomer}
			if err := b.a.Cards.ChangePIN(ctx, c.CustomerID, c.ID, victim.PIN, "4829", holder); err == nil {
				t.Error("the cardholder changed a locked PIN")
			}

			pin, err := b.a.Cards.SetPIN(ctx, c.ID, "", card.Actor{ID: "stf_test", Kind: audit.ActorStaff})
			if err != nil {
				t.Fatal(err)
			}
			if got := shop.send(shop.purchase(victim, 10_00, pin)); got != card.CodeApproved {
				t.Errorf("the new PIN from the bank: %s, want 00", got)
			}
			if pin != victim.PIN {
				if got := shop.send(shop.purchase(victim, 10_00, victim.PIN)); got != card.CodeIncorrectPIN {
					t.Errorf("the old PIN after a new letter: %s, want 55", got)
				}
			}
		})
	}
}

// auditCount counts the audit entries of an action on a subject.
func auditCount(t *testing.T, b *liveBank, subject, action string) int {
	t.Helper()
	entries, err := b.a.DB.Audit().List(context.Background(), audit.Filter{Subject: subject, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// randomToken is a well-formed API key nobody was given.
func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return apikey.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// fromAddress is an HTTP client whose connections come from another
// loopback address: another client, as the bank sees it.
func fromAddress(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: d.DialContext}}
}

// getAccounts asks for the accounts with token from client and returns the
// status.
func (b *liveBank) getAccounts(t *testing.T, client *http.Client, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+"/api/v1/accounts", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		t.Error("a 429 without Retry-After")
	}
	return resp.StatusCode
}

// API keys guessed over HTTP: a key is 256 random bits, so a guess never
// matches (every one is 401); past apikey.DefaultMaxFailures refusals in
// a minute the guessing address gets 429 for every key, even a real one,
// while another address is served; the next minute the address is served
// again. Every refused request is in the bank's request log.
func TestBruteForceAPIKeysIsStopped(t *testing.T) {
	for _, e := range liveEngines {
		t.Run(e.name, func(t *testing.T) {
			b := startLiveBank(t, e.dsn(t))
			guesser := fromAddress(t, "127.0.0.1")
			real := b.customerToken()
			for i := range apikey.DefaultMaxFailures {
				if got := b.getAccounts(t, guesser, randomToken(t)); got != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d, want 401", i+1, got)
				}
			}
			if got := b.getAccounts(t, guesser, randomToken(t)); got != http.StatusTooManyRequests {
				t.Errorf("a guess past the limit: %d, want 429", got)
			}
			if got := b.getAccounts(t, guesser, real); got != http.StatusTooManyRequests {
				t.Errorf("the real key from the guessing address: %d, want 429", got)
			}
			if got := b.getAccounts(t, fromAddress(t, "127.0.0.2"), real); got != http.StatusOK {
				t.Errorf("the real key from another address: %d, want 200", got)
			}
			if n := loggedRequests(t, b, "/api/v1/accounts", http.StatusUnauthorized); n != apikey.DefaultMaxFailures {
				t.Errorf("%d refused guesses in the request log, want %d", n, apikey.DefaultMaxFailures)
			}
			if n := loggedRequests(t, b, "/api/v1/accounts", http.StatusTooManyRequests); n != 2 {
				t.Errorf("%d throttled requests in the request log, want 2", n)
			}
			b.clock.Advance(time.Minute)
			if got := b.getAccounts(t, guesser, real); got != http.StatusOK {
				t.Errorf("the real key from the guessing address a minute later: %d, want 200", got)
			}
		})
	}
}

// loggedRequests counts the request log lines of a path with a status.
func loggedRequests(t *testing.T, b *liveBank, path string, status int) int {
	t.Helper()
	n := 0
	for line := range strings.SplitSeq(b.logs.String(), "\n") {
		var l struct {
			Msg    string `json:"msg"`
			Path   string `json:"path"`
			Status int    `json:"status"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "request" && l.Path == path && l.Status == status {
			n++
		}
	}
	return n
}
