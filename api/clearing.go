package api

// The clearing's side of incoming payments (partner tokens with role
// "clearing"; RULE PAY-7):
//
//	POST /api/v1/clearing/incoming   another bank delivers a payment to an account here → payment.Receive
//
// A Danish payment names the payee by registration number + account
// number (or a Danish IBAN) and the sending bank by its registration
// number; a SWIFT payment ("swift": true) names the sending bank by its
// BIC and usually the payee by IBAN. The answer says what became of it:
//
//   - 201 Created, status "booked": the amount is on the payee's account;
//   - 200 OK, status "returned" with a reason: the account does not exist
//     here, is closed or is in another currency; nothing was booked and
//     the sender's bank gets the money back through the clearing.
//
// A SWIFT payment in another currency than kroner gives original_amount
// (minor units) and original_currency instead of amount: the bank
// converts it at its buying rate of the moment and books the kroner
// (payment.Receive); the answer shows both amounts and the rate. A
// currency the bank has no rate for is returned; a rate too old to quote
// is 503, to be sent again later.
//
// Delivering the same reference from the same bank again is a retry and
// gets the same answer (the payment is booked once); the same reference
// with other content is 409. Anything the bank cannot read is 400.

import (
	"net/http"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/payment"
)

// incomingRequest is the body of POST /api/v1/clearing/incoming.
type incomingRequest struct {
	Reference   string `json:"reference"`
	FromBank    string `json:"from_bank"`
	FromName    string `json:"from_name"`
	FromAccount string `json:"from_account"`
	ToReg       string `json:"to_reg"`
	ToAccount   string `json:"to_account"`
	ToIBAN      string `json:"to_iban"`
	// Amount in minor units of Currency (øre).
	Amount   *int64 `json:"amount"`
	Currency string `json:"currency"`
	// A SWIFT payment in another currency: the amount in minor units of
	// OriginalCurrency, instead of Amount.
	OriginalAmount   *int64 `json:"original_amount"`
	OriginalCurrency string `json:"original_currency"`
	Text             string `json:"text"`
	SWIFT            bool   `json:"swift"`
}

// handleClearingIncoming answers POST /api/v1/clearing/incoming.
func (s *Server) handleClearingIncoming(w http.ResponseWriter, r *http.Request) {
	if s.payments == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Betalinger kan ikke modtages på denne server."))
		return
	}
	var b incomingRequest
	if err := readJSON(r, &b); err != nil {
		WriteError(w, err)
		return
	}
	req := payment.IncomingRequest{Reference: b.Reference, FromBank: b.FromBank, FromName: b.FromName, FromAccount: b.FromAccount,
		ToReg: b.ToReg, ToAccount: b.ToAccount, ToIBAN: b.ToIBAN, Currency: b.Currency, OriginalCurrency: b.OriginalCurrency,
		Text: b.Text, SWIFT: b.SWIFT}
	switch {
	case b.Amount != nil && b.OriginalAmount != nil:
		WriteError(w, invalid("Send enten amount (kroner) eller original_amount og original_currency, ikke begge: banken omregner selv."))
		return
	case b.Amount != nil:
		req.Amount = *b.Amount
	case b.OriginalAmount != nil:
		req.OriginalAmount = *b.OriginalAmount
	default:
		WriteError(w, invalid("Feltet amount mangler: beløbet i øre (eller original_amount og original_currency for en SWIFT-betaling i anden valuta)."))
		return
	}
	in, err := s.payments.Receive(r.Context(), req)
	if err != nil {
		WriteError(w, err)
		return
	}
	switch in.Status {
	case payment.Booked:
		WriteJSON(w, http.StatusCreated, s.incomingView(in))
	case payment.Returned:
		WriteJSON(w, http.StatusOK, s.incomingView(in))
	default:
		// Recorded but not booked (the ledger failed after the record):
		// the sender retries, and the retry finishes the booking.
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Betalingen er modtaget, men ikke bogført endnu. Send den igen med samme reference."))
	}
}
