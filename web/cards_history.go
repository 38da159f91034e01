package web

// A card's recent use on its page in the net bank (card.Disputes.History):
// the open reservations, with what they hold and until when (CARD-7), and
// the latest authorizations — date, merchant, amount in kroner and in the
// original currency (CARD-8), and the outcome in words ("Godkendt",
// "Afvist: forkert PIN-kode") — each debited transaction with "Gør
// indsigelse" or the dispute made of it (web/card_disputes.go).

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
)

// cardHistoryRows is how many recent authorizations the card page shows.
const cardHistoryRows = 20

// cardAuthRow is one authorization on the card page.
type cardAuthRow struct {
	ID, Date, Merchant string
	// KindKey names the kind of request (purchase, cash, refund …).
	KindKey string
	// Amount is in kroner ("" when nothing was converted, e.g. a refused
	// foreign purchase); Original the foreign amount ("" in kroner); Fee
	// a cash fee; Credit marks money into the account (a refund).
	Amount, Original, Fee string
	Credit                bool
	// Approved, OutcomeKey and OutcomeArg say the outcome: "Godkendt", or
	// the refusal's response code in words.
	Approved   bool
	OutcomeKey string
	OutcomeArg string
	// StateKey and StateArg say where an approval stands now ("" for
	// nothing to add): reserved until, claimed, released, reversed.
	StateKey, StateArg string
	// ReservedUntil is the last day of an open reservation.
	ReservedUntil string
	// FormURL files a dispute (DISP-1…3); DisputeURL, DisputeKey and
	// DisputeTone name the dispute made of it.
	FormURL                             string
	DisputeURL, DisputeKey, DisputeTone string
}

// cardHistoryView is the history part of the card page.
type cardHistoryView struct {
	Recent, Reservations []cardAuthRow
	// Reserved is the open reservations' total.
	Reserved string
	// TransactionsURL lists every debited transaction for disputes.
	TransactionsURL string
}

// cardCodeKeys are the response codes the card page has words for
// ("card.code.<code>"); any other refusal says its code.
var cardCodeKeys = map[string]bool{
	card.CodeDoNotHonour: true, card.CodeInvalidTransaction: true, card.CodeInvalidAmount: true,
	card.CodeInvalidCardNumber: true, card.CodeLostCard: true, card.CodeStolenCard: true,
	card.CodeInsufficientFunds: true, card.CodeExpiredCard: true, card.CodeIncorrectPIN: true,
	card.CodeNotPermitted: true, card.CodeExceedsWithdrawalLimit: true, card.CodeRestrictedCard: true,
	card.CodePINTriesExceeded: true, card.CodeStrongAuthenticationRequired: true, card.CodeDuplicate: true,
	card.CodeSystemError: true,
}

// cardOutcome is the catalog key (and its argument) of an authorization's
// outcome.
func cardOutcome(a card.Authorization) (key, arg string) {
	switch {
	case a.Approved():
		return "card.code.00", ""
	case cardCodeKeys[a.Code]:
		return "card.code." + a.Code, ""
	}
	return "card.code.other", a.Code
}

// cardAuthState says where an approval stands now.
func (s *Server) cardAuthState(a card.CardActivity, now time.Time) (key, arg string) {
	if !a.Approved() {
		return "", ""
	}
	switch {
	case a.Status == card.AuthReversed:
		return "card.auth.state.reversed", ""
	case a.Reserved:
		return "card.auth.state.reserved", s.nbDate(a.HoldExpiresAt.Add(-time.Nanosecond))
	case a.MTI != card.MsgAuthorization || a.TransferID == "":
		return "", ""
	case a.Status == card.AuthCompleted:
		return "card.auth.state.claimed", ""
	case a.CardNotPresent && now.Before(a.ClaimUntil):
		return "card.auth.state.claimable", s.nbDate(a.ClaimUntil.Add(-time.Nanosecond))
	}
	return "card.auth.state.released", ""
}

// cardMerchant is the merchant's name and city, with the country when it
// is not Denmark.
func cardMerchant(a card.Authorization) string {
	m := disputeMerchant(a.MerchantName, a.MerchantCity)
	if c := strings.TrimSpace(a.MerchantCountry); c != "" && c != "DK" {
		m += " (" + c + ")"
	}
	return m
}

// cardAuthRow builds one row of the card's history.
func (s *Server) cardAuthRow(c card.Card, a card.CardActivity, now time.Time) cardAuthRow {
	row := cardAuthRow{ID: a.ID, Date: s.nbMinute(a.CreatedAt), Merchant: cardMerchant(a.Authorization),
		KindKey: "card.auth.kind." + string(a.Kind), Credit: a.Kind == card.ActivityRefund && a.Approved(), Approved: a.Approved()}
	switch {
	case a.AmountDKK > 0:
		row.Amount = disputeMoney(a.AmountDKK)
	case a.Currency == "DKK" && a.Amount > 0:
		row.Amount = disputeMoney(a.Amount)
	}
	if a.Currency != "" && a.Currency != "DKK" && a.Amount > 0 {
		row.Original = netbank.NewMoney(a.Amount, a.Currency).String()
	}
	if a.FeeDKK > 0 {
		row.Fee = disputeMoney(a.FeeDKK)
	}
	row.OutcomeKey, row.OutcomeArg = cardOutcome(a.Authorization)
	row.StateKey, row.StateArg = s.cardAuthState(a, now)
	if a.Reserved {
		row.ReservedUntil = row.StateArg
	}
	switch {
	case a.Dispute != nil:
		row.DisputeURL, row.DisputeKey, row.DisputeTone = disputeURL(a.Dispute.ID), "disp.status."+string(a.Dispute.Status),
			disputeStatusTone(a.Dispute.Status)
	case a.Disputable:
		row.FormURL = "/netbank/kort/" + url.PathEscape(c.ID) + "/indsigelse/" + url.PathEscape(a.ID)
	}
	return row
}

// cardHistory reads the card's recent use for its page (nil without the
// dispute service).
func (s *Server) cardHistory(r *http.Request, c card.Card, now time.Time) (*cardHistoryView, error) {
	if s.disputes == nil {
		return nil, nil
	}
	h, err := s.disputes.History(r.Context(), PrincipalOf(r).Customer.ID, c.ID, cardHistoryRows)
	if err != nil {
		return nil, err
	}
	v := &cardHistoryView{TransactionsURL: "/netbank/kort/" + url.PathEscape(c.ID) + "/indsigelse"}
	for _, a := range h.Recent {
		v.Recent = append(v.Recent, s.cardAuthRow(c, a, now))
	}
	for _, a := range h.Reservations {
		v.Reservations = append(v.Reservations, s.cardAuthRow(c, a, now))
	}
	if h.Reserved > 0 {
		v.Reserved = disputeMoney(h.Reserved)
	}
	return v, nil
}

// cardReserved is what a card's open reservations hold, for the cards
// list ("" for nothing, or without the dispute service).
func (s *Server) cardReserved(ctx context.Context, customerID string, c card.Card) (string, error) {
	if s.disputes == nil {
		return "", nil
	}
	h, err := s.disputes.History(ctx, customerID, c.ID, 1)
	if err != nil || h.Reserved == 0 {
		return "", err
	}
	return disputeMoney(h.Reserved), nil
}
