package app_test

// Graceful shutdown with real work in flight: an ISO 8583 authorization
// held inside the engine while Run is cancelled, and a ledger batch held
// inside its database transaction while the bank is closed. Both finish,
// answer and stay committed; nothing new gets in meanwhile.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
)

// shutdownEngines are the databases the shutdown tests run on.
var shutdownEngines = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return testkit.FreshPostgresDatabase(t) }},
}

// gatedLedger holds the card engine's first ledger call until released,
// and notes the ids of every transfer the engine asks for.
type gatedLedger struct {
	card.AuthLedger
	once    sync.Once
	entered chan struct{}
	release chan struct{}

	mu  sync.Mutex
	ids []string
}

func (g *gatedLedger) hold(reqs ...ledger.TransferRequest) {
	g.mu.Lock()
	for _, r := range reqs {
		g.ids = append(g.ids, r.ID)
	}
	g.mu.Unlock()
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
}

func (g *gatedLedger) Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error) {
	g.hold(r)
	return g.AuthLedger.Transfer(ctx, r)
}

func (g *gatedLedger) TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error) {
	g.hold(reqs...)
	return g.AuthLedger.TransferLinked(ctx, reqs)
}

// isoExchange sends m on a raw TCP connection and reads the answer (a raw
// connection, because moov-io's client may drop an answer that arrives
// just before the server closes the connection, which is what a graceful
// shutdown does right after answering).
func isoExchange(c net.Conn, m *iso8583.Message) (*iso8583.Message, error) {
	frame, err := iso8583.Pack(m)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write(frame); err != nil {
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Minute)) // only so a broken bank cannot hang the test
	n, err := iso8583.ReadLength(c)
	if err != nil {
		return nil, err
	}
	var answer bytes.Buffer
	if _, err := iso8583.WriteLength(&answer, n); err != nil {
		return nil, err
	}
	if _, err := io.CopyN(&answer, c, int64(n)); err != nil {
		return nil, err
	}
	return iso8583.Unpack(answer.Bytes())
}

// echoCode sends an 0800 echo test and returns its field 39.
func echoCode(t *testing.T, addr string, stan int) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := iso8583.NewMessage(iso8583.MTINetwork)
	_ = m.Field(7, time.Now().UTC().Format("0102150405"))
	_ = m.Field(11, fmt.Sprintf("%06d", stan))
	out, err := isoExchange(c, m)
	if err != nil {
		t.Fatalf("echo test: %v", err)
	}
	code, err := out.GetString(39)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// readDemoCredentials reads what the demo bank wrote to demo.json.
func readDemoCredentials(t *testing.T, dataDir string) demo.Credentials {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dataDir, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	var creds demo.Credentials
	if err := json.Unmarshal(data, &creds); err != nil {
		t.Fatal(err)
	}
	return creds
}

// TestShutdownFinishesInFlightAuthorization cancels Run while a chip + PIN
// purchase is inside the authorization engine: the HTTP listener closes
// at once, the card network answers new requests 96 (system error: the
// terminal may try again), Run waits; released, the purchase is approved
// on its own connection, Run returns cleanly, and its hold is in the
// ledger when the bank is opened again.
func TestShutdownFinishesInFlightAuthorization(t *testing.T) {
	for _, e := range shutdownEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testkit.NewClock(liveTime)
			cfg := app.Config{Addr: freeAddr(t, "127.0.0.1"), DataDir: t.TempDir(), DB: e.dsn(t), Demo: true, Clock: clock,
				ISO8583Addr: "127.0.0.1:0", Logger: quietLogger()}
			a := mustNew(t, cfg)
			gate := &gatedLedger{AuthLedger: a.Ledger, entered: make(chan struct{}), release: make(chan struct{})}
			var releaseOnce sync.Once
			release := func() { releaseOnce.Do(func() { close(gate.release) }) }
			t.Cleanup(release)
			auth, err := card.NewAuthorizer(a.Cards, card.AuthConfig{Clock: clock, Store: a.DB.CardAuthorizations(), Ledger: gate,
				Pricing: a.Pricing, CAVV: a.VisaSecure, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			a.Authorizer = auth

			r := startRun(t, a)
			waitHealthy(t, r, &http.Client{Timeout: time.Minute}, "http://"+cfg.Addr+"/healthz")
			cardAddr := a.CardNetworkAddr()
			if cardAddr == "" {
				t.Fatal("Run serves no card network")
			}

			creds := readDemoCredentials(t, cfg.DataDir)
			zpk, err := cardsec.ParseKey(creds.ZPK)
			if err != nil {
				t.Fatal(err)
			}
			c := creds.Cards[0]
			block, err := cardsec.EncodePINBlock(c.PIN, c.PAN, zpk)
			if err != nil {
				t.Fatal(err)
			}
			now := clock.Now()
			purchase, err := iso8583.BuildRequest(iso8583.Request{MTI: iso8583.MTIAuthorization, PAN: c.PAN, ProcessingCode: "000000",
				Amount: 456_00, TransmissionTime: now.UTC().Format("0102150405"), STAN: "000001", LocalTime: now.In(copenhagen).Format("150405"),
				LocalDate: now.In(copenhagen).Format("0102"), Expiry: c.Expiry, MCC: "5411", POSEntryMode: "051", POSCondition: "00",
				RRN: "SHUT00000001", TerminalID: "SHUT0001", MerchantID: "MERCHANT0000001",
				Merchant: iso8583.Merchant{Name: "Netto Vesterbro", City: "Koebenhavn", Country: "DK"}, Currency: "208", PINBlock: block})
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.Dial("tcp", cardAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			type answer struct {
				m   *iso8583.Message
				err error
			}
			inFlight := make(chan answer, 1)
			go func() {
				m, err := isoExchange(conn, purchase)
				inFlight <- answer{m, err}
			}()
			select {
			case <-gate.entered:
			case a := <-inFlight:
				t.Fatalf("the purchase was answered before it reached the ledger: %v", a.err)
			case <-time.After(time.Minute):
				t.Fatal("the purchase did not reach the ledger")
			}

			r.cancel()
			waitRefused(t, cfg.Addr) // the HTTP listener closes at once
			// The card network takes no new work: an echo test on a new
			// connection is answered 96 once the shutdown has reached it
			// (00 only until then).
			for stan := 2; ; stan++ {
				code := echoCode(t, cardAddr, stan)
				if code == iso8583.CodeSystemError {
					break
				}
				if code != iso8583.CodeApproved || stan > 10_000 {
					t.Fatalf("echo test during shutdown answered %s", code)
				}
			}
			select {
			case err := <-r.done:
				t.Fatalf("Run returned (%v) while an authorization was in flight", err)
			case a := <-inFlight:
				t.Fatalf("the held purchase was answered (%v) before the engine let it go", a.err)
			default:
			}

			release()
			got := <-inFlight
			if got.err != nil {
				t.Fatalf("the purchase in flight got no answer: %v", got.err)
			}
			resp, err := iso8583.ParseResponse(got.m)
			if err != nil || resp.Code != iso8583.CodeApproved || resp.AuthCode == "" {
				t.Fatalf("the purchase in flight: code %q auth %q (%v), want an approval", resp.Code, resp.AuthCode, err)
			}
			if err := r.wait(t); err != nil {
				t.Fatalf("Run after a graceful shutdown: %v", err)
			}
			assertClosed(t, cfg.Addr)
			assertClosed(t, cardAddr)

			// Committed: the bank opened again has the purchase's hold.
			a.Close()
			gate.mu.Lock()
			ids := append([]string(nil), gate.ids...)
			gate.mu.Unlock()
			if len(ids) == 0 {
				t.Fatal("the engine made no ledger call")
			}
			again, err := app.Open(ctx, app.Config{DataDir: cfg.DataDir, DB: cfg.DB, Clock: clock, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			h, err := again.Ledger.GetHold(ctx, ids[0])
			if err != nil || h.Amount != 456_00 || h.Status != ledger.Open {
				t.Fatalf("the purchase's hold after the restart: %+v %v", h, err)
			}
			if rep, err := again.Ledger.Check(ctx); err != nil || !rep.OK() {
				t.Fatalf("ledger check after the restart: %v %v", rep.Violations, err)
			}
		})
	}
}

// waitRefused waits until addr refuses connections (a listener closing,
// not a measure of time: the deadline only stops a hung bank).
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", dialHost(addr), time.Second)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections 10s after the shutdown began", addr)
		}
	}
}

// gateClock is a clock whose Now can be made to block: the ledger reads
// the time inside a batch's database transaction, so a blocked Now holds
// the batch there.
type gateClock struct {
	*testkit.Clock
	mu      sync.Mutex
	armed   chan struct{} // non-nil: Now waits for it to close
	entered chan struct{}
}

func (c *gateClock) arm() (entered chan struct{}, release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.entered = make(chan struct{}), make(chan struct{})
	var once sync.Once
	gate := c.armed
	return c.entered, func() { once.Do(func() { close(gate) }) }
}

func (c *gateClock) Now() time.Time {
	c.mu.Lock()
	gate, entered := c.armed, c.entered
	if gate != nil {
		c.armed, c.entered = nil, nil // one caller waits, the others go on
	}
	c.mu.Unlock()
	if gate != nil {
		close(entered)
		<-gate
	}
	return c.Clock.Now()
}

var _ netbank.Clock = (*gateClock)(nil)

// TestCloseLetsTheLedgerFinishBeforeTheDatabase closes the bank while a
// ledger batch is inside its database transaction: the ledger stops taking
// transfers first, the database stays open until the batch has committed,
// and the transfer's caller gets its answer; then the database closes. The
// transfer is there when the bank is opened again.
func TestCloseLetsTheLedgerFinishBeforeTheDatabase(t *testing.T) {
	for _, e := range shutdownEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			clock := &gateClock{Clock: testkit.NewClock(liveTime)}
			cfg := app.Config{DataDir: t.TempDir(), DB: e.dsn(t), Clock: clock, Logger: quietLogger()}
			a, err := app.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			entered, release := clock.arm()
			t.Cleanup(release)
			req := ledger.TransferRequest{ID: "close-1", DebitAccountID: ledger.InternalAccountID(ledger.KindCardSettlement, "DKK"),
				CreditAccountID: ledger.InternalAccountID(ledger.KindFees, "DKK"), Amount: 1_00, Text: "under lukning"}
			transferred := make(chan error, 1)
			go func() {
				_, err := a.Ledger.Transfer(ctx, req)
				transferred <- err
			}()
			<-entered // the batch is inside its transaction

			closed := make(chan struct{})
			go func() {
				a.Close()
				close(closed)
			}()
			// Wait until the ledger refuses new transfers (Close has begun);
			// a probe whose context has ended is never committed.
			gone, cancel := context.WithCancel(ctx)
			cancel()
			for {
				_, err := a.Ledger.Transfer(gone, ledger.TransferRequest{ID: "probe", DebitAccountID: req.DebitAccountID,
					CreditAccountID: req.CreditAccountID, Amount: 1})
				if errors.Is(err, ledger.ErrClosed) {
					break
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("a probe during Close: %v", err)
				}
				time.Sleep(time.Millisecond)
			}
			if err := a.DB.Ping(ctx); err != nil {
				t.Fatalf("the database is closed while a ledger batch is still committing: %v", err)
			}
			release()
			if err := <-transferred; err != nil {
				t.Fatalf("the transfer committing during Close: %v", err)
			}
			<-closed
			if err := a.DB.Ping(ctx); err == nil {
				t.Error("the database is still open after Close")
			}

			again, err := app.Open(ctx, app.Config{DataDir: cfg.DataDir, DB: cfg.DB, Clock: clock.Clock, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if tr, err := again.Ledger.GetTransfer(ctx, req.ID); err != nil || tr.Amount != req.Amount {
				t.Fatalf("the transfer after the restart: %+v %v", tr, err)
			}
			if _, err := again.Ledger.GetTransfer(ctx, "probe"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
				t.Fatalf("a probe whose caller had gone was committed: %v", err)
			}
		})
	}
}
