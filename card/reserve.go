package card

// Reservations after the authorization (RULES CARD-7…CARD-10): the
// merchant's completion (0220) that claims a hold, reversals (0400), and
// the hotels' and car rentals' incremental authorizations and later
// charges.
//
//   - A completion names the authorization in field 90 and carries the
//     final amount. In kroner it posts that much of the hold and releases
//     the rest (a fuel station's pre-authorization, CARD-9). In a foreign
//     currency at another rate than the hold's, the hold is released and the
//     final amount debited in kroner at today's rate (CARD-8); both amounts
//     and rates are stored. A completion for 0 releases the hold.
//   - The hold lapses after 7 calendar days + 2 bank days. Later, only an
//     internet, mail or phone order may still be claimed, within 30 days of
//     the authorization: then the final amount is debited anew, if the
//     account covers it (CARD-7). Anything else is 12.
//   - More than was authorized is 13, except at hotels and car rentals
//     (MCC 3351–3441, 3501–3999, 7011, 7512), which may reserve more with
//     incremental authorizations (a 0100 naming the first in field 90: a
//     further hold, completed together with the first) and charge later
//     with the cardholder's consent (CARD-10): a completion above the holds,
//     or one after the reservation was completed, is debited.
//   - A reversal names what it undoes in field 90: a hold is released (the
//     first authorization of a hotel releases its increments too), a debit
//     or a completion credited back with its fee, a refund debited again. A
//     reversal of a declined request, or of one already reversed, has
//     nothing to undo and is approved.
//
// Completions and reversals are advices of what already happened at the
// merchant: they take no PIN, limit or status rule, and a completion or
// reversal that misses the deadline keeps its effect — the acquirer
// repeats it and gets the stored answer.

import (
	"context"
	"strconv"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
)

// LodgingOrCarRental reports whether a merchant category is a hotel or a
// car rental, which may reserve more and charge later (CARD-10): the
// hotel chains 3501–3999 and other lodging 7011, the car rental companies
// 3351–3441 and other car rental 7512.
func LodgingOrCarRental(mcc string) bool {
	n, err := strconv.Atoi(mcc)
	if err != nil || len(mcc) != 4 {
		return false
	}
	return (n >= 3501 && n <= 3999) || n == 7011 || (n >= 3351 && n <= 3441) || n == 7512
}

// original finds the request field 90 names at the request's terminal.
func (a *Authorizer) original(ctx context.Context, t *attempt) (Authorization, bool, error) {
	o := t.req.Original
	if o == nil {
		return Authorization{}, false, nil
	}
	p, err := a.cfg.Store.OriginalAuthorization(ctx, t.req.TerminalID, o.MTI, o.STAN, o.TransmissionTime)
	switch netbank.ErrorCodeOf(err) {
	case "":
		return p, true, nil
	case netbank.ENOTFOUND:
		return Authorization{}, false, nil
	}
	return Authorization{}, false, err
}

// headOf returns the first authorization of a reservation: orig itself,
// or the one an incremental authorization adds to.
func (a *Authorizer) headOf(ctx context.Context, orig Authorization) (Authorization, error) {
	if orig.MTI != MsgAuthorization || orig.OriginalID == "" {
		return orig, nil
	}
	heads, err := a.cfg.Store.AuthorizationsByID(ctx, []string{orig.OriginalID})
	if err != nil {
		return Authorization{}, err
	}
	if len(heads) == 0 {
		return Authorization{}, netbank.Errorf(netbank.EINTERNAL, "card: authorization %s names a missing %s", orig.ID, orig.OriginalID)
	}
	return heads[0], nil
}

// incrementalHead checks an incremental authorization (a 0100 with field
// 90) and returns the reservation it adds to (CARD-10).
func (a *Authorizer) incrementalHead(ctx context.Context, t *attempt) (Authorization, AuthResponse, bool, error) {
	if !LodgingOrCarRental(t.req.MCC) {
		return Authorization{}, t.refuse(CodeInvalidTransaction, "Kun hoteller og biludlejning kan reservere mere (felt 90)."), true, nil
	}
	orig, found, err := a.original(ctx, t)
	if err != nil {
		return Authorization{}, AuthResponse{}, false, err
	}
	if !found {
		return Authorization{}, t.refuse(CodeInvalidTransaction, "Reservationen, der skal forhøjes (felt 90), findes ikke."), true, nil
	}
	head, err := a.headOf(ctx, orig)
	if err != nil {
		return Authorization{}, AuthResponse{}, false, err
	}
	switch {
	case head.CardID != t.card.ID:
		return Authorization{}, t.refuse(CodeInvalidTransaction, "Reservationen i felt 90 er på et andet kort."), true, nil
	case head.MTI != MsgAuthorization || !head.Approved() || head.Status != AuthApproved:
		return Authorization{}, t.refuse(CodeInvalidTransaction, "Reservationen i felt 90 er ikke åben."), true, nil
	case head.Currency != t.cur.Code:
		return Authorization{}, t.refuse(CodeInvalidTransaction, "Tillægsreservationen er i en anden valuta end reservationen."), true, nil
	}
	return head, AuthResponse{}, false, nil
}

// heldRow is an authorization of a reservation with its hold's state.
type heldRow struct {
	auth Authorization
	hold ledger.Hold
}

// complete decides a completion (0220): the merchant claims a
// reservation with the final amount.
func (a *Authorizer) complete(ctx context.Context, t *attempt) (AuthResponse, error) {
	req := t.req
	switch {
	case req.TxType() != TxPurchase:
		return t.refuse(CodeInvalidTransaction, "Kun køb kan gennemføres (0220)."), nil
	case t.cur.Code == "":
		return t.refuse(CodeInvalidTransaction, "Valutaen %s kendes ikke.", clip(req.Currency)), nil
	}
	orig, found, err := a.original(ctx, t)
	if err != nil {
		return AuthResponse{}, err
	}
	if !found {
		return t.refuse(CodeInvalidTransaction, "Reservationen, der skal gennemføres (felt 90), findes ikke."), nil
	}
	head, err := a.headOf(ctx, orig)
	if err != nil {
		return AuthResponse{}, err
	}
	t.auth.OriginalID, t.auth.CardNotPresent = head.ID, head.CardNotPresent
	switch {
	case head.CardID != t.card.ID:
		return t.refuse(CodeInvalidTransaction, "Reservationen i felt 90 er på et andet kort."), nil
	case head.MTI != MsgAuthorization || txType(head.ProcessingCode) != TxPurchase:
		return t.refuse(CodeInvalidTransaction, "Kun en reservation (0100) kan gennemføres."), nil
	case !head.Approved():
		return t.refuse(CodeInvalidTransaction, "Reservationen blev afvist (kode %s) og kan ikke gennemføres.", head.Code), nil
	case head.Currency != t.cur.Code:
		return t.refuse(CodeInvalidTransaction, "Gennemførelsen er i en anden valuta end reservationen."), nil
	case head.Status == AuthReversed:
		return t.refuse(CodeInvalidTransaction, "Reservationen er tilbageført."), nil
	case head.Status == AuthCompleted && LodgingOrCarRental(head.MCC):
		return a.laterCharge(ctx, t, head)
	case head.Status == AuthCompleted:
		return t.refuse(CodeInvalidTransaction, "Reservationen er allerede gennemført."), nil
	}

	group, err := a.cfg.Store.AuthorizationGroup(ctx, head.ID)
	if err != nil {
		return AuthResponse{}, err
	}
	var open []heldRow
	var heldAmount, heldDKK int64
	claimUntil := head.ClaimUntil
	rows := 0
	for _, g := range group {
		if g.MTI != MsgAuthorization || !g.Approved() || g.Status != AuthApproved || g.TransferID == "" {
			continue
		}
		rows++
		heldAmount += g.Amount
		heldDKK += g.AmountDKK
		claimUntil = laterOf(claimUntil, g.ClaimUntil)
		h, err := a.cfg.Ledger.GetHold(ctx, g.TransferID)
		if err != nil {
			return AuthResponse{}, err
		}
		if h.Status == ledger.Open && (h.ExpiresAt.IsZero() || t.now.Before(h.ExpiresAt)) {
			open = append(open, heldRow{g, h})
		}
	}
	lodging := LodgingOrCarRental(head.MCC)
	switch {
	case req.Amount > heldAmount && !lodging:
		return t.refuse(CodeInvalidAmount, "Beløbet %s er større end det godkendte %s.", netbank.NewMoney(req.Amount, t.cur.Code),
			netbank.NewMoney(heldAmount, t.cur.Code)), nil
	case len(open) == 0 && !t.now.Before(claimUntil):
		return t.refuse(CodeInvalidTransaction, "Reservationen er udløbet, og fristen for at gøre krav på beløbet er overskredet (%s).",
			danishDate(claimUntil)), nil
	}
	if req.Amount > 0 {
		if resp, refused, err := a.convert(ctx, t, pricing.Sell); err != nil || refused {
			return resp, err
		}
	}

	var reqs []ledger.TransferRequest
	remaining := t.auth.AmountDKK
	sameRate := req.Amount == heldAmount && t.auth.AmountDKK == heldDKK && len(open) == rows
	if t.cur.Code != "DKK" && !sameRate && req.Amount > 0 {
		// CARD-8: the held kroner are released and the final amount, at
		// today's rate, debited.
		for _, o := range open {
			reqs = append(reqs, a.voidOf(t, o))
		}
		t.reason("Endelig afregning i %s til en anden kurs: reservationen på %s er frigivet, og %s hæves (CARD-8).",
			t.cur.Code, netbank.NewMoney(heldDKK, "DKK"), netbank.NewMoney(t.auth.AmountDKK, "DKK"))
	} else {
		for _, o := range open {
			switch {
			case remaining >= o.hold.Amount:
				reqs = append(reqs, ledger.TransferRequest{ID: t.auth.ID + ":post:" + o.auth.ID, Kind: ledger.Post,
					PendingID: o.hold.TransferID, Amount: o.hold.Amount, Code: "card"})
				remaining -= o.hold.Amount
			case remaining > 0:
				reqs = append(reqs, ledger.TransferRequest{ID: t.auth.ID + ":post:" + o.auth.ID, Kind: ledger.Post,
					PendingID: o.hold.TransferID, Amount: remaining, Code: "card"})
				t.reason("%s af reservationen på %s er hævet; resten er frigivet.", netbank.NewMoney(remaining, "DKK"),
					netbank.NewMoney(o.hold.Amount, "DKK"))
				remaining = 0
			default:
				reqs = append(reqs, a.voidOf(t, o))
			}
		}
	}
	debit := remaining
	if debit > 0 {
		switch {
		case len(open) < rows && !lodging:
			t.reason("Reservationen var udløbet; internet-, post- og telefonordrer må hæves inden for %d dage (CARD-7).", CNPClaimDays)
		case t.cur.Code == "DKK" || sameRate:
			t.reason("%s ud over reservationen hæves (hotel/billeje, CARD-10).", netbank.NewMoney(debit, "DKK"))
		}
		if resp, refused, err := a.checkFunds(ctx, t, debit); err != nil || refused {
			return resp, err
		}
		reqs = append(reqs, ledger.TransferRequest{ID: t.auth.ID + ":debit", DebitAccountID: t.card.AccountID,
			CreditAccountID: cardSettlementAccount, Amount: debit, Code: "card", Text: statementText("Kortkøb", t)})
	}
	t.auth.LimitDKK = max(0, t.auth.AmountDKK-heldDKK)
	if len(reqs) > 0 {
		t.auth.TransferID = reqs[0].ID
		if resp, refused, err := a.move(ctx, t, reqs, nil); err != nil || refused {
			return resp, err
		}
		t.undo = nil // an advice keeps its effect (see the top of this file)
	}
	for _, g := range group {
		if g.MTI == MsgAuthorization && g.Approved() && g.Status == AuthApproved {
			t.updates = append(t.updates, AuthUpdate{ID: g.ID, Status: AuthCompleted})
		}
	}
	if req.Amount == 0 {
		return a.approve(t, "Gennemført med 0: reservationen på %s er frigivet.", netbank.NewMoney(heldDKK, "DKK")), nil
	}
	return a.approve(t, "Gennemført: %s hævet på kontoen.", netbank.NewMoney(t.auth.AmountDKK, "DKK")), nil
}

// voidOf releases a hold of a reservation for t.
func (a *Authorizer) voidOf(t *attempt, o heldRow) ledger.TransferRequest {
	return ledger.TransferRequest{ID: t.auth.ID + ":void:" + o.auth.ID, Kind: ledger.Void, PendingID: o.hold.TransferID, Code: "card"}
}

// laterCharge debits a hotel's or car rental's charge after the
// reservation was completed (CARD-10: with the cardholder's consent, given
// at check-in).
func (a *Authorizer) laterCharge(ctx context.Context, t *attempt, head Authorization) (AuthResponse, error) {
	if t.req.Amount <= 0 {
		return t.refuse(CodeInvalidAmount, "Beløbet mangler."), nil
	}
	if resp, refused, err := a.convert(ctx, t, pricing.Sell); err != nil || refused {
		return resp, err
	}
	if resp, refused, err := a.checkFunds(ctx, t, t.auth.AmountDKK); err != nil || refused {
		return resp, err
	}
	t.auth.TransferID, t.auth.LimitDKK = t.auth.ID+":debit", t.auth.AmountDKK
	r := ledger.TransferRequest{ID: t.auth.TransferID, DebitAccountID: t.card.AccountID, CreditAccountID: cardSettlementAccount,
		Amount: t.auth.AmountDKK, Code: "card", Text: statementText("Efterfølgende opkrævning", t)}
	if resp, refused, err := a.move(ctx, t, []ledger.TransferRequest{r}, nil); err != nil || refused {
		return resp, err
	}
	t.undo = nil
	return a.approve(t, "Efterfølgende opkrævning på %s til reservationen %s (hotel/billeje, CARD-10).",
		netbank.NewMoney(t.auth.AmountDKK, "DKK"), head.ID), nil
}

// reverse decides a reversal (0400) of the request field 90 names.
func (a *Authorizer) reverse(ctx context.Context, t *attempt) (AuthResponse, error) {
	orig, found, err := a.original(ctx, t)
	if err != nil {
		return AuthResponse{}, err
	}
	if !found {
		return t.refuse(CodeInvalidTransaction, "Anmodningen, der skal tilbageføres (felt 90), findes ikke."), nil
	}
	t.auth.OriginalID, t.auth.Cash, t.auth.CardNotPresent = orig.ID, false, orig.CardNotPresent
	switch {
	case orig.CardID != t.card.ID:
		return t.refuse(CodeInvalidTransaction, "Anmodningen i felt 90 er på et andet kort."), nil
	case orig.MTI == MsgReversal:
		return t.refuse(CodeInvalidTransaction, "En tilbageførsel kan ikke tilbageføres."), nil
	case !orig.Approved():
		return a.approve(t, "Intet at tilbageføre: anmodningen blev afvist (kode %s).", orig.Code), nil
	case orig.Status == AuthReversed:
		return a.approve(t, "Intet at tilbageføre: anmodningen er allerede tilbageført."), nil
	}
	typ := txType(orig.ProcessingCode)
	switch {
	case typ == TxBalanceInquiry:
		return a.approve(t, "Intet at tilbageføre: en saldoforespørgsel flytter ingen penge."), nil
	case orig.MTI == MsgAuthorization && typ == TxPurchase:
		return a.releaseReservation(ctx, t, orig)
	case typ == TxRefund:
		t.auth.AmountDKK = orig.AmountDKK
		return a.reverseMoney(ctx, t, orig, []ledger.TransferRequest{{ID: t.auth.ID + ":debit", DebitAccountID: t.card.AccountID,
			CreditAccountID: cardSettlementAccount, Amount: orig.AmountDKK, Code: "card_refund",
			Text: statementText("Tilbageført refundering", t)}}, "Refunderingen på %s er trukket tilbage.")
	default: // a 0200 or a completion: credited back, with its fee
		t.auth.AmountDKK, t.auth.FeeDKK = orig.AmountDKK, orig.FeeDKK
		reqs := []ledger.TransferRequest{{ID: t.auth.ID + ":credit", DebitAccountID: cardSettlementAccount,
			CreditAccountID: t.card.AccountID, Amount: orig.AmountDKK, Code: "card_reversal", Text: statementText("Tilbageført kortkøb", t)}}
		if orig.FeeDKK > 0 {
			reqs = append(reqs, ledger.TransferRequest{ID: t.auth.ID + ":fee", DebitAccountID: cardFeeAccount,
				CreditAccountID: t.card.AccountID, Amount: orig.FeeDKK, Code: "card_fee", Text: "Tilbageført gebyr for kontanthævning"})
		}
		if orig.AmountDKK == 0 { // a completion for 0 moved nothing
			reqs = nil
		}
		return a.reverseMoney(ctx, t, orig, reqs, "%s er ført tilbage til kontoen.")
	}
}

// releaseReservation releases the hold of an authorization (0100) — with
// its incremental authorizations when it is the first of a reservation.
func (a *Authorizer) releaseReservation(ctx context.Context, t *attempt, orig Authorization) (AuthResponse, error) {
	if orig.Status == AuthCompleted {
		return t.refuse(CodeInvalidTransaction, "Reservationen er gennemført; tilbagefør gennemførelsen (0220) i stedet."), nil
	}
	rows := []Authorization{orig}
	if orig.OriginalID == "" {
		group, err := a.cfg.Store.AuthorizationGroup(ctx, orig.ID)
		if err != nil {
			return AuthResponse{}, err
		}
		rows = rows[:0]
		for _, g := range group {
			if g.MTI == MsgAuthorization && g.Approved() && g.Status == AuthApproved {
				rows = append(rows, g)
			}
		}
	}
	var reqs []ledger.TransferRequest
	var released int64
	for _, g := range rows {
		t.updates = append(t.updates, AuthUpdate{ID: g.ID, Status: AuthReversed, ClearLimit: true})
		if g.TransferID == "" {
			continue
		}
		h, err := a.cfg.Ledger.GetHold(ctx, g.TransferID)
		if err != nil {
			return AuthResponse{}, err
		}
		if h.Status == ledger.Open && (h.ExpiresAt.IsZero() || t.now.Before(h.ExpiresAt)) {
			reqs = append(reqs, a.voidOf(t, heldRow{g, h}))
			released += h.Amount
		}
	}
	t.auth.AmountDKK = released
	if len(reqs) > 0 {
		t.auth.TransferID = reqs[0].ID
		if resp, refused, err := a.move(ctx, t, reqs, nil); err != nil || refused {
			return resp, err
		}
		t.undo = nil
	}
	return a.approve(t, "Reservationen er frigivet (%s).", netbank.NewMoney(released, "DKK")), nil
}

// reverseMoney books reqs (undoing orig's money) and marks orig reversed;
// what is the reason, with the amount as its argument.
func (a *Authorizer) reverseMoney(ctx context.Context, t *attempt, orig Authorization, reqs []ledger.TransferRequest, what string) (AuthResponse, error) {
	if len(reqs) > 0 {
		t.auth.TransferID = reqs[0].ID
		if resp, refused, err := a.move(ctx, t, reqs, nil); err != nil || refused {
			return resp, err
		}
		t.undo = nil
	}
	t.updates = append(t.updates, AuthUpdate{ID: orig.ID, Status: AuthReversed, ClearLimit: true})
	return a.approve(t, what, netbank.NewMoney(orig.AmountDKK, "DKK")), nil
}
