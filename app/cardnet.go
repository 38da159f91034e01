package app

import (
	"context"
	"time"

	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/iso8583"
)

// The card network: the ISO 8583 listener (--iso8583-addr) in front of the
// authorization engine (card.Authorizer). Package card speaks the network's
// vocabulary in its own types, so it imports no adapter; this file copies
// between them.

// CardNetworkHandler answers the card network's requests with the
// authorization engine: the ISO 8583 server's handler.
func CardNetworkHandler(auth *card.Authorizer) iso8583.Handler {
	return func(ctx context.Context, req iso8583.Request) iso8583.Response {
		return ISOResponse(auth.Authorize(ctx, AuthRequest(req)))
	}
}

// AuthRequest is the engine's view of an ISO 8583 request.
func AuthRequest(r iso8583.Request) card.AuthRequest {
	out := card.AuthRequest{
		MTI: r.MTI, PAN: r.PAN, ProcessingCode: r.ProcessingCode, Amount: r.Amount, Currency: r.Currency,
		TransmissionTime: r.TransmissionTime, STAN: r.STAN, LocalTime: r.LocalTime, LocalDate: r.LocalDate,
		Expiry: r.Expiry, MCC: r.MCC, POSEntryMode: r.POSEntryMode, POSCondition: r.POSCondition, RRN: r.RRN,
		TerminalID: r.TerminalID, MerchantID: r.MerchantID, MerchantName: r.Merchant.Name, MerchantCity: r.Merchant.City,
		MerchantCountry: r.Merchant.Country, CVV2: r.CVV2(), CAVV: r.CAVV(), Recurring: r.Recurring(), PINBlock: r.PINBlock,
	}
	if r.Original != nil {
		out.Original = &card.OriginalRef{MTI: r.Original.MTI, STAN: r.Original.STAN, TransmissionTime: r.Original.TransmissionTime}
	}
	return out
}

// ISOResponse is the ISO 8583 answer of an engine's response: field 39,
// 38 on approvals, and 54 (booked and available balance of the card's
// account, in kroner) on balance inquiries.
func ISOResponse(r card.AuthResponse) iso8583.Response {
	out := iso8583.Response{Code: r.Code, AuthCode: r.AuthCode}
	if r.Balance != nil {
		out.Balances = []iso8583.Balance{
			{AccountType: iso8583.AccountChecking, AmountType: iso8583.AmountLedger, Currency: "208", Amount: r.Balance.Booked},
			{AccountType: iso8583.AccountChecking, AmountType: iso8583.AmountAvailable, Currency: "208", Amount: r.Balance.Available},
		}
	}
	return out
}

// newAuthorizer starts the authorization engine over the card service.
// The bank's access control server (a.VisaSecure, made before) verifies
// the Visa Secure results (CAVV) of internet purchases (CARD-11).
func (a *App) newAuthorizer(cfg Config) error {
	var err error
	a.Authorizer, err = card.NewAuthorizer(a.Cards, card.AuthConfig{Clock: cfg.Clock, Store: a.DB.CardAuthorizations(),
		Ledger: a.Ledger, Pricing: a.Pricing, Logger: cfg.Logger, CAVV: a.VisaSecure})
	return err
}

// countAuthorizations counts each request the engine decides in the
// metrics, by message type and response code, with the time it took.
// (What the listener answers without the engine, such as 0800 echo tests,
// format errors and requests arriving during shutdown, is not counted.)
func (a *App) countAuthorizations(next iso8583.Handler) iso8583.Handler {
	return func(ctx context.Context, req iso8583.Request) iso8583.Response {
		start := time.Now()
		resp := next(ctx, req)
		a.Metrics.CardAuthorization(req.MTI, resp.Code, time.Since(start))
		return resp
	}
}

// startCardNetwork opens the ISO 8583 listener on Config.ISO8583Addr
// (nothing when it is empty).
func (a *App) startCardNetwork() error {
	if a.cfg.ISO8583Addr == "" || a.Authorizer == nil {
		return nil
	}
	srv := iso8583.NewServer(a.cfg.ISO8583Addr, a.countAuthorizations(CardNetworkHandler(a.Authorizer)), iso8583.WithLogger(a.log))
	if err := srv.Start(); err != nil {
		return err
	}
	a.cardNet.Store(srv)
	return nil
}

// stopCardNetwork closes the ISO 8583 listener gracefully: new requests
// are answered 96, those being decided finish (until ctx ends).
func (a *App) stopCardNetwork(ctx context.Context) {
	srv := a.cardNet.Load()
	if srv == nil {
		return
	}
	if err := srv.Close(ctx); err != nil {
		a.log.Warn("card network: shutdown", "err", err)
	}
}

// CardNetworkAddr is the address the ISO 8583 listener listens on while
// Run serves ("" when it does not), with the real port for ":0".
func (a *App) CardNetworkAddr() string {
	if srv := a.cardNet.Load(); srv != nil {
		return srv.Addr()
	}
	return ""
}
