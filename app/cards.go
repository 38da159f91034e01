package app

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
)

// CardConfig configures the card business (package card): the BIN new
// cards are drawn under and the card keys, each as hex. cmd/netbank fills
// it from --card-bin, --pan-key, --cvk, --pin-key and --zpk (NETBANK_*).
//
// A key left empty is derived from the bank's secret (HKDF-SHA256, one
// label per key), which suits a demo or a development bank; the zone PIN
// key is then the public demo key cardsec.DemoZPK in demo mode (demo.json
// names it, so the terminal simulator can make PIN blocks), and a derived
// key otherwise. A real bank gives every key: the CVK and the ZPK are
// shared with the card processor and the acquirer under key-exchange
// procedures and cannot be derived from anything.
type CardConfig struct {
	// BIN is the 6- or 8-digit Visa BIN ("" is card.DefaultBIN).
	BIN string
	// PANKey (at least 32 bytes) seals card numbers and keys their look-up
	// hash; it must never change once cards exist.
	PANKey string
	// CVK is the card verification key, 16 bytes (CVK A ‖ CVK B).
	CVK string
	// PINKey (at least 32 bytes) keys the stored PIN verification values.
	PINKey string
	// ZPK is the zone PIN key, 16 or 24 bytes.
	ZPK string
}

// cardKeys turns the configuration into the card keys, deriving what is
// not given from secret; zpkHex is the zone PIN key in hex (for demo.json).
func cardKeys(cfg Config, secret []byte) (keys card.Keys, zpkHex string, err error) {
	bytesOf := func(flag, value string, minLen int, derive string) ([]byte, error) {
		if value == "" {
			return deriveKey(secret, derive), nil
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(value), " ", ""))
		if err != nil || len(b) < minLen {
			return nil, netbank.Errorf(netbank.EINVALID, "--%s must be at least %d bytes, hex-encoded", flag, minLen)
		}
		return b, nil
	}
	if keys.PANKey, err = bytesOf("pan-key", cfg.Cards.PANKey, cardsec.DataKeySize, "netbank card pan key v1"); err != nil {
		return card.Keys{}, "", err
	}
	if keys.PINKey, err = bytesOf("pin-key", cfg.Cards.PINKey, cardsec.DataKeySize, "netbank card pin key v1"); err != nil {
		return card.Keys{}, "", err
	}
	tdes := func(flag, value, derive string) ([]byte, error) {
		if value == "" {
			return deriveKey(secret, derive)[:16], nil
		}
		k, err := cardsec.ParseKey(value)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flag, err)
		}
		if len(k) == 8 {
			return nil, netbank.Errorf(netbank.EINVALID, "--%s must be a double- or triple-length key (32 or 48 hex digits)", flag)
		}
		return k, nil
	}
	if keys.CVK, err = tdes("cvk", cfg.Cards.CVK, "netbank card cvk v1"); err != nil {
		return card.Keys{}, "", err
	}
	if len(keys.CVK) != 16 {
		return card.Keys{}, "", netbank.Errorf(netbank.EINVALID, "--cvk must be a double-length key (32 hex digits)")
	}
	zpk := cfg.Cards.ZPK
	if zpk == "" && cfg.Demo {
		zpk = cardsec.DemoZPK
	}
	if keys.ZPK, err = tdes("zpk", zpk, "netbank card zpk v1"); err != nil {
		return card.Keys{}, "", err
	}
	return keys, strings.ToUpper(hex.EncodeToString(keys.ZPK)), nil
}

// newCards starts the card service with its jobs; zpkHex is the zone PIN
// key in hex, for demo.json.
func (a *App) newCards(cfg Config, secret []byte) (zpkHex string, err error) {
	keys, zpkHex, err := cardKeys(cfg, secret)
	if err != nil {
		return "", err
	}
	if !cfg.Demo && (cfg.Cards.PANKey == "" || cfg.Cards.CVK == "" || cfg.Cards.PINKey == "" || cfg.Cards.ZPK == "") {
		a.log.Warn("card keys derived from the bank's secret: give --pan-key, --cvk, --pin-key and --zpk in production")
	}
	a.Cards, err = card.New(a.DB.Cards(), card.Config{Clock: cfg.Clock, BIN: cfg.Cards.BIN, Keys: keys, Prices: a.Pricing,
		Ledger: a.Ledger, Accounts: a.Accounts, Customers: a.Identity, Notify: a.notifyCard})
	if err != nil {
		return "", err
	}
	a.Cards.RegisterJobs(a.Scheduler)
	return zpkHex, nil
}

// notifyCard sends a customer the card business's messages (new cards,
// blocks with reason and time, terminations) in the net bank's messages.
func (a *App) notifyCard(ctx context.Context, customerID, subject, body string) {
	if _, err := a.Inbox.Notify(ctx, customerID, subject, body); err != nil {
		a.log.Error("notifying a card event", "customer", customerID, "subject", subject, "err", err)
	}
}
