package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
)

// terminalEngines are the databases the terminal's demo bank runs on;
// PostgreSQL skips without NETBANK_TEST_POSTGRES (fails in CI).
var terminalEngines = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return testkit.FreshPostgresDatabase(t) }},
}

// terminalBank is a running demo bank: its card network listener, its
// HTTP API (for Visa Secure) and its demo.json.
type terminalBank struct {
	t       *testing.T
	ctx     context.Context
	a       *app.App
	dataDir string
	addr    string
	url     string
	creds   demo.Credentials
}

// startTerminalBank runs the demo bank with its card network listener on
// the engine db names ("" is SQLite) and stops it when the test ends,
// checking the ledger's invariants.
func startTerminalBank(t *testing.T, wd, db string) *terminalBank {
	t.Helper()
	b := &terminalBank{t: t, dataDir: filepath.Join(wd, "data")}
	ctx, cancel := context.WithCancel(context.Background())
	b.ctx = ctx
	a, err := app.New(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: b.dataDir, DB: db, Demo: true, ISO8583Addr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b.a = a
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	srv := httptest.NewServer(a.Handler) // the same handler Run serves, at an address the test knows
	b.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		rep, err := a.Ledger.Check(context.Background())
		if err != nil || !rep.OK() {
			t.Errorf("ledger check: %v %v", rep.Violations, err)
		}
		a.Close()
	})
	for deadline := time.Now().Add(20 * time.Second); b.addr == ""; {
		if b.addr = a.CardNetworkAddr(); b.addr == "" {
			select {
			case err := <-done:
				t.Fatalf("the bank stopped: %v", err)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatal("the card network listener did not start")
			}
		}
	}
	if b.creds, err = demo.ReadCredentials(b.dataDir); err != nil {
		t.Fatal(err)
	}
	return b
}

// args are the flags that point the terminal at the bank.
func (b *terminalBank) args(more ...string) []string {
	return append([]string{"--iso8583-addr", b.addr, "--url", b.url, "--data-dir", b.dataDir}, more...)
}

// terminal runs `netbank terminal args…` with nothing on its input and
// returns what it printed.
func (b *terminalBank) terminal(args ...string) string {
	b.t.Helper()
	var out, errOut testkit.LogBuffer
	if err := terminalRun(b.ctx, b.args(args...), strings.NewReader(""), &out, &errOut); err != nil {
		b.t.Fatalf("netbank terminal %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

var (
	answerCodeRE = regexp.MustCompile(`← \d{4} code (\w\w)`)
	startedRE    = regexp.MustCompile(`← Visa Secure: (vsa_\S+) challenge_sent`)
	smsCodeRE    = regexp.MustCompile(`^Kode (\d{6}) til køb hos `)
	cavvRE       = regexp.MustCompile(`authenticated, CAVV (\S{28})\n`)
)

// codes are the response codes (field 39) the terminal printed, in order.
func codes(out string) string {
	var c []string
	for _, m := range answerCodeRE.FindAllStringSubmatch(out, -1) {
		c = append(c, m[1])
	}
	return strings.Join(c, " ")
}

// typist answers the terminal's "SMS-kode: " prompts as a cardholder
// reading the SMS would: it waits for each prompt, finds the SMS of the
// authentication the terminal started in the bank's outbox, and types
// what code(sms) returns for it (the code, or another).
func (b *terminalBank) typist(out *testkit.LogBuffer, in *io.PipeWriter, codeOf func(try int, code string) string) {
	b.t.Helper()
	defer in.Close()
	for try := 1; ; try++ {
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(out.String(), "SMS-kode: ") < try {
			if time.Now().After(deadline) || strings.Contains(out.String(), "← 0110") {
				return // no (further) prompt: the terminal went on
			}
			time.Sleep(5 * time.Millisecond)
		}
		m := startedRE.FindStringSubmatch(out.String())
		if m == nil {
			b.t.Errorf("a prompt without a started authentication:\n%s", out.String())
			return
		}
		sms, err := b.a.VisaSecure.Outbox(b.ctx, 50)
		if err != nil {
			b.t.Error(err)
			return
		}
		code := ""
		for _, s := range sms {
			if s.Reference == m[1] {
				if c := smsCodeRE.FindStringSubmatch(s.Text); c != nil {
					code = c[1]
				}
			}
		}
		if code == "" {
			b.t.Errorf("no SMS with a code for %s in the outbox %+v", m[1], sms)
			return
		}
		if _, err := io.WriteString(in, codeOf(try, code)+"\n"); err != nil {
			return
		}
	}
}

// secure runs the terminal's ecommerce scenario (plus args) with a
// cardholder typing the codes codeOf gives, and returns what it printed.
func (b *terminalBank) secure(codeOf func(try int, code string) string, args ...string) string {
	b.t.Helper()
	var out, errOut testkit.LogBuffer
	r, w := io.Pipe()
	typed := make(chan struct{})
	go func() {
		defer close(typed)
		b.typist(&out, w, codeOf)
	}()
	err := terminalRun(b.ctx, b.args(append(args, "ecommerce")...), r, &out, &errOut)
	r.Close()
	<-typed
	if err != nil {
		b.t.Fatalf("netbank terminal %s ecommerce: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// rightCode types the code of the SMS.
func rightCode(try int, code string) string { return code }

// otherCode is a code the SMS did not give.
func otherCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}

// TestTerminalAgainstTheDemoBank runs the demo bank with its card network
// listener on both engines and plays every scenario of `netbank terminal`
// against it over TCP with the first active card of demo.json: the answers
// are the engine's (RULES CARD-2, CARD-6, CARD-7, CARD-9, CARD-10,
// CARD-11), and the ledger's invariants hold afterwards.
func TestTerminalAgainstTheDemoBank(t *testing.T) {
	wd := cleanEnv(t)
	for _, e := range terminalEngines {
		t.Run(e.name, func(t *testing.T) {
			b := startTerminalBank(t, filepath.Join(wd, e.name), e.db(t))
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"purchase"}, "00"},
				{[]string{"--amount", "99,50", "contactless"}, "00"},
				{[]string{"--amount", "400,00", "contactless"}, "1A"}, // above the contactless limit (CARD-6)
				{[]string{"cash"}, "00"},
				{[]string{"balance"}, "00"},
				{[]string{"moto"}, "00"},
				{[]string{"recurring"}, "00"},
				{[]string{"--cavv", "AAABBEg0VhI0VniQEjRWAAAAAAA=", "ecommerce"}, "1A"}, // a CAVV the bank never issued (CARD-11)
				{[]string{"fuel"}, "00 00"},                                             // CARD-9
				{[]string{"hotel"}, "00 00 00"},                                         // CARD-10
				{[]string{"reversal"}, "00 00"},                                         // CARD-7
				{[]string{"refund"}, "00"},                                              // CARD-2
				{[]string{"--card", "1", "purchase"}, "41"},                             // the demo's lost card
			} {
				t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
					out := b.terminal(tc.args...)
					if got := codes(out); got != tc.want {
						t.Errorf("codes %q, want %q:\n%s", got, tc.want, out)
					}
					if tc.args[len(tc.args)-1] == "balance" && !strings.Contains(out, "available: ") {
						t.Errorf("no balance printed:\n%s", out)
					}
				})
			}

			// The card's own data from flags instead of demo.json.
			c := b.creds.Cards[0]
			wrong := "0000"
			if c.PIN == wrong {
				wrong = "1111"
			}
			out := b.terminal("--demo-file", filepath.Join(wd, "missing.json"), "--pan", c.PAN, "--pin", wrong, "--expiry", c.Expiry,
				"--zpk", b.creds.ZPK, "purchase")
			if got := codes(out); got != "55" {
				t.Errorf("a wrong PIN from the flags answered %q, want 55:\n%s", got, out)
			}
		})
	}
}

// TestTerminalVisaSecure_CARD11 plays the internet purchase with real Visa
// Secure on both engines: the terminal starts an authentication through
// the bank's merchant API with demo.json's merchant key, the bank sends
// the cardholder an SMS naming the merchant and the amount, the code read
// from the outbox is typed at the "SMS-kode: " prompt, and the CAVV the
// bank answers goes in field 48 of the 0100: approved. Dynamic linking
// (RULE CARD-11): a CAVV for another amount than the purchase's is 1A,
// and does not use the CAVV up — the purchase of the amount the SMS named
// is approved with it, once. A wrong code may be typed again; a card that
// is not enrolled (the junior under 15) is refused, and its purchase 1A.
func TestTerminalVisaSecure_CARD11(t *testing.T) {
	wd := cleanEnv(t)
	for _, e := range terminalEngines {
		t.Run(e.name, func(t *testing.T) {
			b := startTerminalBank(t, filepath.Join(wd, e.name), e.db(t))
			good := b.creds.Cards[0]

			out := b.secure(rightCode)
			if got := codes(out); got != "00" || !strings.Contains(out, "SMS-kode: ") || !cavvRE.MatchString(out) {
				t.Fatalf("Visa Secure purchase: codes %q, want 00 after the SMS code:\n%s", got, out)
			}
			sms, err := b.a.VisaSecure.Outbox(b.ctx, 1)
			if err != nil || len(sms) != 1 || !strings.HasSuffix(sms[0].Text, "til køb hos Elgiganten Online på 125,00 kr. Del aldrig koden.") {
				t.Errorf("the SMS %+v (%v), want one naming the merchant and the amount", sms, err)
			}
			crd, err := b.a.Cards.ByPAN(b.ctx, good.PAN)
			if err != nil {
				t.Fatal(err)
			}
			list, err := b.a.Authorizer.Authorizations(b.ctx, crd.ID, 1)
			if err != nil || len(list) != 1 || list[0].Code != "00" || list[0].AmountDKK != 125_00 ||
				!strings.Contains(strings.Join(list[0].Reasons, " "), "Visa Secure") {
				t.Errorf("stored %+v %v, want the purchase approved with Visa Secure", list, err)
			}

			// Dynamic linking: the SMS and the CAVV say 100,00 kr., the 0100 125,00 kr.
			out = b.secure(rightCode, "--secure-amount", "100,00")
			if got := codes(out); got != "1A" || !strings.Contains(out, "Visa Secure: authentication of 100,00 kr.") {
				t.Fatalf("a CAVV for another amount: codes %q, want 1A:\n%s", got, out)
			}
			cavv := cavvRE.FindStringSubmatch(out)[1]
			if got := codes(b.terminal("--cavv", cavv, "--amount", "100,00", "ecommerce")); got != "00" {
				t.Errorf("the CAVV with the amount it was made for: %q, want 00", got)
			}
			if got := codes(b.terminal("--cavv", cavv, "--amount", "100,00", "ecommerce")); got != "1A" {
				t.Errorf("the same CAVV a second time: %q, want 1A", got)
			}

			// A wrong code, then the right one.
			out = b.secure(func(try int, code string) string {
				if try == 1 {
					return otherCode(code)
				}
				return code
			})
			if got := codes(out); got != "00" || strings.Count(out, "SMS-kode: ") != 2 || !strings.Contains(out, "authentication_failed") {
				t.Errorf("a wrong code, then the right one: codes %q:\n%s", got, out)
			}

			// The junior under 15 is not enrolled: refused, and the purchase is 1A.
			out = b.secure(rightCode, "--card", "4")
			if got := codes(out); got != "1A" || !strings.Contains(out, "not_enrolled") || strings.Contains(out, "SMS-kode: ") {
				t.Errorf("a card not enrolled: codes %q:\n%s", got, out)
			}
		})
	}
}

// TestTerminalFlagErrors refuses what it cannot send, before connecting.
func TestTerminalFlagErrors(t *testing.T) {
	wd := cleanEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"teleport"}, "unknown scenario"},
		{[]string{"purchase", "cash"}, "one scenario at a time"},
		{[]string{"purchase"}, "demo.json"},
		{[]string{"--pan", "4571990000000001", "--zpk", "00", "purchase"}, "--zpk"},
		{[]string{"--demo-file", filepath.Join(wd, "x.json"), "--pan", "4571990000000001", "--zpk", "3B5D7C9E1F2A4C6E8A0B2C4F6B1C3E5D", "--currency", "XYZ", "purchase"}, "--currency"},
		{[]string{"--demo-file", filepath.Join(wd, "x.json"), "--pan", "4571990000000001", "--zpk", "3B5D7C9E1F2A4C6E8A0B2C4F6B1C3E5D", "ecommerce"}, "--merchant-key"},
	} {
		var out, errOut testkit.LogBuffer
		err := terminalCmd(context.Background(), append([]string{"--iso8583-addr", "127.0.0.1:1"}, tc.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %q", tc.args, err, tc.want)
		}
	}
}
