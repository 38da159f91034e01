package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/netbank/netbank"
)

// MaxTextLen is the longest reference text a transfer may carry.
const MaxTextLen = 140

// batch applies transfer requests to locked account state in memory. It is
// pure: given the same loaded state it makes the same writes, so the store
// may re-run a batch after a serialization conflict.
type batch struct {
	now      time.Time
	accounts map[string]*Account
	existing map[string]Transfer // stored before this batch
	holds    map[string]*Hold
	created  map[string]Transfer // written by this batch
	w        Writes
	touched  map[string]bool // accounts changed by this batch

	// undo log of the chain being applied
	savedAccounts map[string]Account
	savedHolds    map[string]Hold
}

func newBatch(now time.Time, accounts map[string]*Account, existing map[string]Transfer, holds map[string]Hold) *batch {
	b := &batch{
		now:      now,
		accounts: accounts,
		existing: existing,
		holds:    make(map[string]*Hold, len(holds)),
		created:  map[string]Transfer{},
		touched:  map[string]bool{},
	}
	for id, h := range holds {
		h := h
		b.holds[id] = &h
	}
	return b
}

// applyChain applies linked requests all or none. It returns the transfers
// (for duplicates, the original ones) or the first error, annotated with the
// failing position when the chain has more than one request.
func (b *batch) applyChain(reqs []TransferRequest) ([]Transfer, error) {
	b.savedAccounts = map[string]Account{}
	b.savedHolds = map[string]Hold{}
	nTransfers, nNewHolds, nResolved, nEntries := len(b.w.Transfers), len(b.w.NewHolds), len(b.w.Resolved), len(b.w.Entries)
	var createdHere []string
	out := make([]Transfer, 0, len(reqs))
	for i, r := range reqs {
		t, isNew, err := b.apply(r)
		if err != nil {
			// Undo everything the chain did.
			for id, a := range b.savedAccounts {
				*b.accounts[id] = a
			}
			for id, h := range b.savedHolds {
				if h.TransferID == "" { // created by this chain
					delete(b.holds, id)
					continue
				}
				*b.holds[id] = h
			}
			for _, id := range createdHere {
				delete(b.created, id)
			}
			b.w.Transfers, b.w.NewHolds, b.w.Resolved, b.w.Entries = b.w.Transfers[:nTransfers], b.w.NewHolds[:nNewHolds], b.w.Resolved[:nResolved], b.w.Entries[:nEntries]
			if len(reqs) > 1 {
				return nil, netbank.Errorf(netbank.ErrorCodeOf(err), "linked transfer %d of %d (%s): %s", i+1, len(reqs), r.ID, netbank.ErrorMessageOf(err))
			}
			return nil, err
		}
		if isNew {
			createdHere = append(createdHere, t.ID)
		}
		out = append(out, t)
	}
	for id := range b.savedAccounts {
		b.touched[id] = true
	}
	return out, nil
}

// account returns a locked account and records it in the chain's undo log.
func (b *batch) account(id string) (*Account, error) {
	a, ok := b.accounts[id]
	if !ok {
		return nil, netbank.Errorf(netbank.ENOTFOUND, "account %q not found", id)
	}
	if _, saved := b.savedAccounts[id]; !saved {
		b.savedAccounts[id] = *a
	}
	return a, nil
}

func (b *batch) hold(id string) (*Hold, error) {
	h, ok := b.holds[id]
	if !ok {
		return nil, netbank.Errorf(netbank.ENOTFOUND, "pending transfer %q not found", id)
	}
	if _, saved := b.savedHolds[id]; !saved {
		b.savedHolds[id] = *h
	}
	return h, nil
}

// apply applies one request. isNew is false for an idempotent repeat.
func (b *batch) apply(r TransferRequest) (t Transfer, isNew bool, err error) {
	if r.Kind == "" {
		r.Kind = Single
	}
	if r.Code == "" {
		r.Code = "transfer"
	}
	if err := validateRequest(r); err != nil {
		return Transfer{}, false, err
	}
	hash := RequestHash(r)
	if prev, ok := b.created[r.ID]; ok {
		return repeat(prev, hash)
	}
	if prev, ok := b.existing[r.ID]; ok {
		return repeat(prev, hash)
	}
	switch r.Kind {
	case Single, PendingKind:
		t, err = b.move(r, hash)
	case Post, Void, Expire:
		t, err = b.resolve(r, hash)
	}
	if err != nil {
		return Transfer{}, false, err
	}
	b.created[t.ID] = t
	b.w.Transfers = append(b.w.Transfers, t)
	return t, true, nil
}

func repeat(prev Transfer, hash string) (Transfer, bool, error) {
	if prev.RequestHash != hash {
		return Transfer{}, false, netbank.Errorf(netbank.ECONFLICT, "transfer id %q is already used for a different transfer", prev.ID)
	}
	return prev, false, nil
}

// move handles Single and PendingKind.
func (b *batch) move(r TransferRequest, hash string) (Transfer, error) {
	if r.DebitAccountID == r.CreditAccountID {
		return Transfer{}, netbank.Errorf(netbank.EINVALID, "debit and credit account are the same")
	}
	if r.Amount <= 0 {
		return Transfer{}, netbank.Errorf(netbank.EINVALID, "amount must be positive")
	}
	dr, err := b.account(r.DebitAccountID)
	if err != nil {
		return Transfer{}, err
	}
	cr, err := b.account(r.CreditAccountID)
	if err != nil {
		return Transfer{}, err
	}
	if dr.Currency != cr.Currency {
		return Transfer{}, netbank.Errorf(netbank.EINVALID, "currency mismatch: %s account to %s account", dr.Currency, cr.Currency)
	}
	at := b.now
	if !r.Timestamp.IsZero() {
		if r.Kind != Single {
			return Transfer{}, netbank.Errorf(netbank.EINVALID, "only single transfers may be imported with a timestamp")
		}
		if r.Timestamp.After(b.now) {
			return Transfer{}, netbank.Errorf(netbank.EINVALID, "imported timestamp is in the future")
		}
		if r.Timestamp.Before(dr.LastEntryAt) || r.Timestamp.Before(cr.LastEntryAt) {
			return Transfer{}, netbank.Errorf(netbank.EINVALID, "imported timestamp is before the newest entry of an account")
		}
		at = r.Timestamp
	}
	if r.Kind == PendingKind && !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(b.now) {
		return Transfer{}, netbank.Errorf(netbank.EINVALID, "hold expiry must be in the future")
	}
	if !dr.Unconstrained {
		avail, ok := sub(dr.Available(), r.Amount)
		if !ok || avail < 0 {
			return Transfer{}, netbank.Errorf(netbank.EINSUFFICIENT, "insufficient funds on account %s", dr.ID)
		}
	}
	t := Transfer{
		ID: r.ID, DebitAccountID: dr.ID, CreditAccountID: cr.ID, Amount: r.Amount, Currency: dr.Currency,
		Kind: r.Kind, Code: r.Code, Text: r.Text, CreatedAt: at, RequestHash: hash,
	}
	if r.Kind == PendingKind {
		if err := addTo(&dr.DebitsPending, r.Amount); err != nil {
			return Transfer{}, err
		}
		if err := addTo(&cr.CreditsPending, r.Amount); err != nil {
			return Transfer{}, err
		}
		t.ExpiresAt = r.ExpiresAt
		h := &Hold{TransferID: t.ID, DebitAccountID: dr.ID, CreditAccountID: cr.ID, Amount: r.Amount, Status: Open, ExpiresAt: r.ExpiresAt}
		b.holds[t.ID] = h
		b.savedHolds[t.ID] = Hold{} // marks it as created by this chain
		b.w.NewHolds = append(b.w.NewHolds, *h)
		return t, nil
	}
	if err := b.post(t, dr, cr, r.Amount); err != nil {
		return Transfer{}, err
	}
	return t, nil
}

// post books amount from dr to cr and writes the two entries.
func (b *batch) post(t Transfer, dr, cr *Account, amount int64) error {
	if err := addTo(&dr.DebitsPosted, amount); err != nil {
		return err
	}
	if err := addTo(&cr.CreditsPosted, amount); err != nil {
		return err
	}
	for _, side := range []struct {
		a      *Account
		amount int64
		other  string
	}{{dr, -amount, cr.ID}, {cr, amount, dr.ID}} {
		at := t.CreatedAt
		if at.Before(side.a.LastEntryAt) {
			// Clocks of several instances may disagree slightly: entries of
			// an account never go back in time.
			at = side.a.LastEntryAt
		}
		side.a.EntrySeq++
		side.a.LastEntryAt = at
		b.w.Entries = append(b.w.Entries, Entry{
			AccountID: side.a.ID, Seq: side.a.EntrySeq, TransferID: t.ID, Amount: side.amount,
			Balance: side.a.Posted(), PostedAt: at, Code: t.Code, Text: t.Text, CounterpartyID: side.other,
		})
	}
	return nil
}

// resolve handles Post and Void (and Expire, from the expiry job).
func (b *batch) resolve(r TransferRequest, hash string) (Transfer, error) {
	h, err := b.hold(r.PendingID)
	if err != nil {
		return Transfer{}, err
	}
	if h.Status != Open {
		return Transfer{}, netbank.Errorf(netbank.ECONFLICT, "pending transfer %q is already %s", h.TransferID, h.Status)
	}
	if r.Kind != Expire && h.ExpiresAt.After(time.Time{}) && !h.ExpiresAt.After(b.now) {
		return Transfer{}, netbank.Errorf(netbank.ECONFLICT, "pending transfer %q has expired", h.TransferID)
	}
	if (r.DebitAccountID != "" && r.DebitAccountID != h.DebitAccountID) || (r.CreditAccountID != "" && r.CreditAccountID != h.CreditAccountID) {
		return Transfer{}, netbank.Errorf(netbank.EINVALID, "accounts do not match pending transfer %q", h.TransferID)
	}
	amount := r.Amount
	switch r.Kind {
	case Post:
		if amount == 0 {
			amount = h.Amount
		}
		if amount < 0 || amount > h.Amount {
			return Transfer{}, netbank.Errorf(netbank.EINVALID, "amount to post must be between 1 and the held %d", h.Amount)
		}
	default:
		if amount != 0 && amount != h.Amount {
			return Transfer{}, netbank.Errorf(netbank.EINVALID, "a void releases the whole held amount %d", h.Amount)
		}
		amount = h.Amount
	}
	dr, err := b.account(h.DebitAccountID)
	if err != nil {
		return Transfer{}, err
	}
	cr, err := b.account(h.CreditAccountID)
	if err != nil {
		return Transfer{}, err
	}
	dr.DebitsPending -= h.Amount
	cr.CreditsPending -= h.Amount
	t := Transfer{
		ID: r.ID, DebitAccountID: dr.ID, CreditAccountID: cr.ID, Amount: amount, Currency: dr.Currency,
		Kind: r.Kind, PendingID: h.TransferID, Code: r.Code, Text: r.Text, CreatedAt: b.now, RequestHash: hash,
	}
	switch r.Kind {
	case Post:
		h.Status = Posted
		if err := b.post(t, dr, cr, amount); err != nil {
			return Transfer{}, err
		}
	case Void:
		h.Status = Voided
	case Expire:
		h.Status = Expired
	}
	h.ResolvedAt, h.ResolvedBy = b.now, t.ID
	b.w.Resolved = append(b.w.Resolved, *h)
	return t, nil
}

// finish collects the changed accounts into the writes.
func (b *batch) finish() *Writes {
	for id := range b.touched {
		b.w.Accounts = append(b.w.Accounts, b.accounts[id])
	}
	return &b.w
}

func validateRequest(r TransferRequest) error {
	if r.Kind != Expire {
		if err := ValidateID(r.ID); err != nil {
			return err
		}
	}
	switch r.Kind {
	case Single, PendingKind:
		if r.PendingID != "" {
			return netbank.Errorf(netbank.EINVALID, "pending_id is only for post and void")
		}
	case Post, Void:
		if r.PendingID == "" {
			return netbank.Errorf(netbank.EINVALID, "pending_id is required to %s a hold", r.Kind)
		}
		if !r.Timestamp.IsZero() || !r.ExpiresAt.IsZero() {
			return netbank.Errorf(netbank.EINVALID, "timestamp and expiry are not allowed on %s", r.Kind)
		}
	case Expire:
		// only the expiry job builds these
	default:
		return netbank.Errorf(netbank.EINVALID, "unknown transfer kind %q", r.Kind)
	}
	if r.Kind != PendingKind && !r.ExpiresAt.IsZero() {
		return netbank.Errorf(netbank.EINVALID, "only pending transfers expire")
	}
	if len(r.Code) > 32 {
		return netbank.Errorf(netbank.EINVALID, "code is longer than 32 characters")
	}
	if n := len([]rune(r.Text)); n > MaxTextLen {
		return netbank.Errorf(netbank.EINVALID, "text is longer than %d characters", MaxTextLen)
	}
	return nil
}

// ValidateID checks a client-chosen transfer or account id: 1–64 characters
// of A–Z a–z 0–9 . _ : -
func ValidateID(id string) error {
	if id == "" || len(id) > 64 {
		return netbank.Errorf(netbank.EINVALID, "id must be 1 to 64 characters")
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return netbank.Errorf(netbank.EINVALID, "id %q may contain only letters, digits and . _ : -", id)
		}
	}
	return nil
}

// RequestHash fingerprints the content of a request (everything but the
// id), so that a retry can be told from a reuse of the id.
func RequestHash(r TransferRequest) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(string(r.Kind))
	field(r.DebitAccountID)
	field(r.CreditAccountID)
	field(strconv.FormatInt(r.Amount, 10))
	field(r.PendingID)
	field(timeKey(r.ExpiresAt))
	field(r.Code)
	field(r.Text)
	field(timeKey(r.Timestamp))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func timeKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

func sub(a, b int64) (int64, bool) {
	c := a - b
	if (b > 0 && c > a) || (b < 0 && c < a) {
		return 0, false
	}
	return c, true
}

func addTo(p *int64, v int64) error {
	c := *p + v
	if (v > 0 && c < *p) || (v < 0 && c > *p) {
		return netbank.Errorf(netbank.EINVALID, "amount overflows the account's balance")
	}
	*p = c
	return nil
}
