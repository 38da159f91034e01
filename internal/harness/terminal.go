package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/iso8583"
)

// Terminal is a card terminal of an acquirer: it builds chip + PIN
// requests for cards of demo.json, each with a STAN (field 11) and RRN
// (field 37) of its own, and sends them over one ISO 8583 connection,
// which it opens again when the bank's address changes or the connection
// broke. One goroutine uses a terminal at a time (a terminal waits for
// each answer); a test runs many terminals at once.
type Terminal struct {
	id  string // field 41, 8 characters
	num int
	zpk []byte

	mu     sync.Mutex
	seq    int
	client *iso8583.Client
	addr   string
}

// NewTerminal returns terminal number n (its id is "T" and n in 7 digits)
// for the zone PIN key zpkHex (demo.json's "zpk").
func NewTerminal(n int, zpkHex string) (*Terminal, error) {
	zpk, err := cardsec.ParseKey(zpkHex)
	if err != nil {
		return nil, fmt.Errorf("harness: zone PIN key: %w", err)
	}
	return &Terminal{id: fmt.Sprintf("T%07d", n%10_000_000), num: n, zpk: zpk}, nil
}

// ID is the terminal id (field 41).
func (t *Terminal) ID() string { return t.id }

// Purchase builds the next request of the terminal: a chip + PIN purchase
// of amount øre with card c, as an authorization to hold (mti "0100") or a
// financial request debited at once ("0200"). Sending the same request
// again is a retry the bank recognises by terminal, STAN and RRN.
func (t *Terminal) Purchase(mti string, c demo.Card, amount int64) (iso8583.Request, error) {
	t.mu.Lock()
	t.seq++
	seq := t.seq
	t.mu.Unlock()
	now := time.Now()
	r := iso8583.Request{MTI: mti, PAN: c.PAN, ProcessingCode: "000000", Amount: amount,
		TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", seq%1_000_000),
		LocalTime: now.Format("150405"), LocalDate: now.Format("0102"), Expiry: c.Expiry, MCC: "5411",
		POSEntryMode: "051", POSCondition: iso8583.ConditionPresent, RRN: fmt.Sprintf("%04d%08d", t.num%10_000, seq%100_000_000),
		TerminalID: t.id, MerchantID: "SYSTEMTEST00001", Currency: "208",
		Merchant: iso8583.Merchant{Name: "Systemtest Butik", City: "Koebenhavn", Country: "DK"}}
	block, err := cardsec.EncodePINBlock(c.PIN, c.PAN, t.zpk)
	if err != nil {
		return iso8583.Request{}, err
	}
	r.PINBlock = block
	return r, nil
}

// Send sends r to the card network at addr and returns the bank's answer.
// An error means no answer came (the instance is down or died before
// answering); the connection is then dropped and the next Send dials
// again.
func (t *Terminal) Send(ctx context.Context, addr string, r iso8583.Request) (iso8583.Response, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if addr == "" {
		return iso8583.Response{}, ErrNoInstance
	}
	if t.client != nil && t.addr != addr {
		t.dropLocked()
	}
	if t.client == nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := iso8583.Dial(dctx, addr, iso8583.WithSendTimeout(15*time.Second))
		cancel()
		if err != nil {
			return iso8583.Response{}, err
		}
		t.client, t.addr = c, addr
	}
	m, err := iso8583.BuildRequest(r)
	if err != nil {
		return iso8583.Response{}, err
	}
	out, err := t.client.Send(ctx, m)
	if err != nil {
		t.dropLocked()
		return iso8583.Response{}, err
	}
	return iso8583.ParseResponse(out)
}

// dropLocked closes the connection without waiting long for a dead peer.
func (t *Terminal) dropLocked() {
	c := t.client
	t.client, t.addr = nil, ""
	done := make(chan struct{})
	go func() {
		_ = c.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// Close closes the terminal's connection.
func (t *Terminal) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client != nil {
		t.dropLocked()
	}
}
