package card_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// RULE CARD-1, CARD-12 (issue 5: "The PAN is stored encrypted … looked up
// by a keyed hash; CVV2 and PIN are never stored in clear"): a new card
// has a Luhn-valid number under the BIN, and no column of its row, no
// audit entry and no message holds its number, CVV2 or PIN.
func TestIssueStoresNoClearSecrets_CARD1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		iss := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc})
		c := iss.Card
		if len(iss.PAN) != 16 || !cardsec.ValidPAN(iss.PAN) || !strings.HasPrefix(iss.PAN, card.DefaultBIN) {
			t.Fatalf("PAN %q: want 16 Luhn-valid digits under BIN %s", cardsec.MaskPAN(iss.PAN), card.DefaultBIN)
		}
		if c.Status != card.Ordered || c.Last4 != iss.PAN[12:] || c.Expiry != "3011" || c.HolderName != "Anna Berg" || c.Proxy {
			t.Fatalf("issued %+v", c)
		}
		if c.Masked() != "4571 99•• •••• "+c.Last4 || c.ExpiryText() != "11/30" {
			t.Fatalf("masked %q expiry %q", c.Masked(), c.ExpiryText())
		}
		if !c.ExpiresAt.Equal(at(2030, 12, 1, 0, 0)) {
			t.Fatalf("expires at %v, want 1.12.2030 00:00 Danish time (valid through 11/30, CARD-13)", c.ExpiresAt.In(cph))
		}
		if len(iss.CVV2) != 3 || !f.svc.VerifyCVV2(c, iss.PAN, iss.CVV2) {
			t.Fatalf("CVV2 %q does not verify", iss.CVV2)
		}
		if len(iss.PIN) != card.PINLength || card.WeakPIN(iss.PIN) {
			t.Fatalf("PIN %q: want %d digits, not weak", iss.PIN, card.PINLength)
		}
		// Found by its number through the look-up hash; the sealed number opens.
		got, err := f.svc.ByPAN(f.ctx, iss.PAN)
		if err != nil || got.ID != c.ID {
			t.Fatalf("ByPAN = %s, %v", got.ID, err)
		}
		if pan, err := f.svc.PAN(f.ctx, c.ID, staff); err != nil || pan != iss.PAN {
			t.Fatalf("PAN() = %v", err)
		}
		if _, err := f.svc.PAN(f.ctx, c.ID, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("a customer opened the card number: %v", err)
		}
		other, _ := cardsec.PANFromSerial(card.DefaultBIN, 1)
		if _, err := f.svc.ByPAN(f.ctx, other); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("ByPAN(unknown) = %v, want ENOTFOUND", err)
		}
		if _, err := f.svc.ByPAN(f.ctx, "4571991234567891"); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("ByPAN(bad Luhn) = %v, want EINVALID", err)
		}

		// Every column of the stored row, read as text.
		rows, err := db.Query(f.ctx, "SELECT * FROM cards WHERE id = ?", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if !rows.Next() {
			t.Fatal("no row")
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		public := map[string]bool{"last4": true, "expiry": true, "bin": true} // printed on the card
		for i, v := range vals {
			s := strings.TrimSpace(toText(v))
			if strings.Contains(s, iss.PAN) || !public[cols[i]] && (s == iss.PIN || s == iss.CVV2) {
				t.Errorf("column %s holds a secret in clear: %q", cols[i], s)
			}
		}
		var sealed, hash string
		if err := db.QueryRow(f.ctx, "SELECT pan_sealed, pin_hash FROM cards WHERE id = ?", c.ID).Scan(&sealed, &hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "k1:") || len(hash) != 64 {
			t.Fatalf("sealed %q, PIN hash %d characters", sealed[:3], len(hash))
		}
		var audits int
		if err := db.QueryRow(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE details LIKE ? OR subject LIKE ?", "%"+iss.PAN+"%", "%"+iss.PAN+"%").Scan(&audits); err != nil || audits != 0 {
			t.Fatalf("%d audit entries name the card number (%v)", audits, err)
		}
		msgs := f.sent()
		if len(msgs) != 1 || msgs[0].customer != anna || !strings.Contains(msgs[0].body, "ender på "+c.Last4) {
			t.Fatalf("messages %+v", msgs)
		}
		for _, m := range msgs {
			if strings.Contains(m.body, iss.PAN) || strings.Contains(m.body, iss.PIN) {
				t.Fatalf("a message holds the number or the PIN: %q", m.body)
			}
		}
	})
}

func toText(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// RULE CARD-1, CARD-4: the card types' rules: ages, balance-only types,
// the merchant categories closed to the young; a card goes to a person,
// on a kroner account of the owner.
func TestTypeRulesAndIssueChecks_CARD1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		r := f.svc.Rules(card.Visa1217)
		if !r.BalanceOnly || r.MCCAllowed("7995") || !r.MCCAllowed("5411") || r.AgeAllowed(18) || !r.AgeAllowed(12) {
			t.Fatalf("Visa 12:17 rules %+v", r)
		}
		if d := f.svc.Rules(card.VisaDebit); d.BalanceOnly || !d.MCCAllowed("7995") || d.AgeAllowed(17) {
			t.Fatalf("Visa Debit rules %+v", d)
		}
		for _, tc := range []struct {
			name string
			req  card.IssueRequest
			code netbank.ErrorCode
			text string
		}{
			{"12:17 to an adult", card.IssueRequest{CustomerID: anna, AccountID: annaAcc, Type: card.Visa1217}, netbank.EINVALID, "12-17 år"},
			{"Visa Debit to a child", card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja}, netbank.EINVALID, "18 år eller mere"},
			{"another customer's account", card.IssueRequest{CustomerID: anna, AccountID: carlAcc}, netbank.EINVALID, "findes ikke"},
			{"currency account", card.IssueRequest{CustomerID: anna, AccountID: annaEUR}, netbank.EINVALID, "kronekonto"},
			{"business as holder", card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: biz}, netbank.EINVALID, "person"},
			{"unknown type", card.IssueRequest{CustomerID: anna, AccountID: annaAcc, Type: "mastercard"}, netbank.EINVALID, "korttype"},
			{"by a customer", card.IssueRequest{CustomerID: anna, AccountID: annaAcc, By: customerActor(anna)}, netbank.EFORBIDDEN, "banken"},
			{"fee not covered", card.IssueRequest{CustomerID: carl, AccountID: poorAcc}, netbank.EINSUFFICIENT, "250,00 kr."},
		} {
			if tc.req.Type == "" {
				tc.req.Type = card.VisaDebit
			}
			if tc.req.By.ID == "" {
				tc.req.By = staff
			}
			_, err := f.svc.Issue(f.ctx, tc.req)
			if netbank.ErrorCodeOf(err) != tc.code || !strings.Contains(netbank.ErrorMessageOf(err), tc.text) {
				t.Errorf("%s: %v, want %s with %q", tc.name, err, tc.code, tc.text)
			}
		}
		if n, _ := f.svc.List(f.ctx, anna); len(n) != 0 {
			t.Fatalf("refused issues left %d cards", len(n))
		}
		if f.posted(poorAcc) != 100_00 {
			t.Fatalf("a refused issue charged a fee: %d", f.posted(poorAcc))
		}
		// A Visa Junior to a 13-year-old on her parent's account: a proxy card.
		j := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja, Type: card.VisaJunior})
		if !j.Card.Proxy || j.Card.HolderName != "Freja Berg" || j.Card.HolderAge(f.clock.Now()) != 13 {
			t.Fatalf("junior card %+v", j.Card)
		}
	})
}

// RULE CARD-19: the annual fee is charged in advance, once per year: at
// issue for the first year, by the annual-fee job for the next, and never
// twice for one year however often the job runs.
func TestAnnualFeeChargedOnceAYearInAdvance_CARD19(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		before, feesBefore := f.posted(annaAcc), f.posted(fees)
		iss := f.active()
		if f.posted(annaAcc) != before-250_00 || f.posted(fees) != feesBefore+250_00 {
			t.Fatalf("after issue: account %d fees %d; want the 250,00 kr. fee moved", f.posted(annaAcc), f.posted(fees))
		}
		if c := f.card(iss.Card.ID); c.AnnualFee != 250_00 || !c.AnnualFeePaidUntil.Equal(at(2027, 11, 21, 14, 5)) {
			t.Fatalf("fee %d paid until %v", c.AnnualFee, c.AnnualFeePaidUntil)
		}
		for range 2 {
			if n, err := f.svc.ChargeAnnualFees(f.ctx); err != nil || n != 0 {
				t.Fatalf("within the paid year the job charged %d (%v)", n, err)
			}
		}
		f.clock.Set(at(2027, 11, 22, 2, 40))
		if n, err := f.svc.ChargeAnnualFees(f.ctx); err != nil || n != 1 {
			t.Fatalf("after the year the job charged %d (%v), want 1", n, err)
		}
		if n, err := f.svc.ChargeAnnualFees(f.ctx); err != nil || n != 0 {
			t.Fatalf("a second run charged %d (%v)", n, err)
		}
		if f.posted(annaAcc) != before-2*250_00 {
			t.Fatalf("account %d, want two fees", f.posted(annaAcc))
		}
		tr, err := f.ledger.GetTransfer(f.ctx, "card:"+iss.Card.ID+":fee:20271121")
		if err != nil || tr.Amount != 250_00 || !strings.Contains(tr.Text, "21.11.2027-20.11.2028") {
			t.Fatalf("second year's fee %+v %v", tr, err)
		}
		if c := f.card(iss.Card.ID); !c.AnnualFeePaidUntil.Equal(at(2028, 11, 21, 14, 5)) {
			t.Fatalf("paid until %v", c.AnnualFeePaidUntil.In(cph))
		}
	})
}

// RULE CARD-11: activation enrols the card in Visa Secure when a mobile
// number is known, never automatically for a holder under 15; the
// cardholder registers, changes and removes the number.
func TestActivationAndVisaSecureEnrolment_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		adult := f.active()
		if adult.Card.Status != card.Active || adult.Card.ActivatedAt.IsZero() || !adult.Card.VisaSecureEnrolled || adult.Card.MobileNumber != "+4520456789" {
			t.Fatalf("adult with a mobile number: %+v", adult.Card)
		}
		junior := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja, Type: card.VisaJunior})
		jc, err := f.svc.Activate(f.ctx, freja, junior.Card.ID, customerActor(freja))
		if err != nil || jc.Status != card.Active || jc.MobileNumber == "" || jc.VisaSecureEnrolled {
			t.Fatalf("13-year-old's card enrolled automatically: %+v %v", jc, err)
		}
		noMobile := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: bent})
		nc, err := f.svc.Activate(f.ctx, bent, noMobile.Card.ID, customerActor(bent))
		if err != nil || nc.VisaSecureEnrolled {
			t.Fatalf("enrolled without a number: %+v %v", nc, err)
		}
		f.sent()
		// The holder registers a number: enrolled, and told.
		nc, err = f.svc.SetMobile(f.ctx, bent, nc.ID, "31 22 44 66", customerActor(bent))
		if err != nil || nc.MobileNumber != "+4531224466" || !nc.VisaSecureEnrolled {
			t.Fatalf("SetMobile %+v %v", nc, err)
		}
		if msgs := f.sent(); len(msgs) != 2 || !strings.Contains(msgs[0].body, "+45 •• •• •• 66") {
			t.Fatalf("messages after SetMobile %+v", msgs)
		}
		if _, err := f.svc.SetMobile(f.ctx, bent, nc.ID, "1234", customerActor(bent)); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("bad number accepted: %v", err)
		}
		if _, err := f.svc.SetMobile(f.ctx, carl, nc.ID, "31224466", customerActor(carl)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger changed the number: %v", err)
		}
		nc, err = f.svc.RemoveMobile(f.ctx, anna, nc.ID, customerActor(anna)) // the account's owner may too
		if err != nil || nc.MobileNumber != "" || nc.VisaSecureEnrolled {
			t.Fatalf("RemoveMobile %+v %v", nc, err)
		}
		// Activating twice is harmless; an expired card cannot be activated.
		if c, err := f.svc.Activate(f.ctx, anna, adult.Card.ID, customerActor(anna)); err != nil || c.Status != card.Active {
			t.Fatalf("second activation %v", err)
		}
	})
}

// RULE CARD-14: the cardholder blocks a card at any hour for one of the
// holder's reasons; the holder gets a message with the reason and the
// time; the card stays blocked (a found card is replaced, not unblocked),
// and a stranger cannot block it.
func TestHolderBlocksCardWithMessage_CARD14(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 3, 17)) // the middle of the night
		iss := f.active()
		f.sent()
		if _, err := f.svc.Block(f.ctx, carl, iss.Card.ID, card.ReasonLost, customerActor(carl)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger blocked the card: %v", err)
		}
		if _, err := f.svc.Block(f.ctx, anna, iss.Card.ID, card.ReasonFraudSuspicion, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("the holder used a bank reason: %v", err)
		}
		c, err := f.svc.Block(f.ctx, anna, iss.Card.ID, card.ReasonLost, customerActor(anna))
		if err != nil || c.Status != card.Blocked || c.BlockReason != card.ReasonLost || !c.BlockedAt.Equal(at(2026, 11, 21, 3, 17)) {
			t.Fatalf("blocked %+v %v", c, err)
		}
		msgs := f.sent()
		if len(msgs) != 1 || msgs[0].customer != anna || msgs[0].subject != "Dit kort er spærret" ||
			!strings.Contains(msgs[0].body, "21.11.2026 kl. 03.17") || !strings.Contains(msgs[0].body, "Årsag: Kortet er bortkommet") ||
			!strings.Contains(msgs[0].body, "forbliver spærret, hvis du finder det") {
			t.Fatalf("block message %+v", msgs)
		}
		// Blocking again changes nothing and sends nothing.
		if c, err := f.svc.Block(f.ctx, anna, iss.Card.ID, card.ReasonStolen, customerActor(anna)); err != nil || c.BlockReason != card.ReasonLost {
			t.Fatalf("second block %+v %v", c, err)
		}
		if len(f.sent()) != 0 {
			t.Fatal("a second block sent a message")
		}
		// Found again: still blocked (CARD-14).
		if _, err := f.svc.Unblock(f.ctx, iss.Card.ID, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a lost card was unblocked: %v", err)
		}
		if _, err := f.svc.Activate(f.ctx, anna, iss.Card.ID, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a blocked card was activated: %v", err)
		}
	})
}

// RULE CARD-15: staff block for the bank's reasons and the cardholder is
// told the reason and the time; the bank's block can be lifted; a holder's
// report afterwards makes the block the holder's, for good.
func TestStaffBlocksForTheBanksReasons_CARD15(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		iss := f.active()
		f.sent()
		if _, err := f.svc.Block(f.ctx, "", iss.Card.ID, card.ReasonOverdraftAfterReminder, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a customer used the staff path: %v", err)
		}
		c, err := f.svc.Block(f.ctx, "", iss.Card.ID, card.ReasonFraudSuspicion, staff)
		if err != nil || c.Status != card.Blocked || c.BlockedBy != staffID {
			t.Fatalf("staff block %+v %v", c, err)
		}
		msgs := f.sent()
		if len(msgs) != 1 || !strings.Contains(msgs[0].body, "Årsag: Banken har mistanke om, at andre misbruger kortet") ||
			!strings.Contains(msgs[0].body, "21.11.2026 kl. 14.05") {
			t.Fatalf("messages %+v", msgs)
		}
		if _, err := f.svc.Unblock(f.ctx, iss.Card.ID, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("a customer lifted a block: %v", err)
		}
		c, err = f.svc.Unblock(f.ctx, iss.Card.ID, staff)
		if err != nil || c.Status != card.Active || c.BlockReason != "" {
			t.Fatalf("unblocked %+v %v", c, err)
		}
		if msgs := f.sent(); len(msgs) != 1 || msgs[0].subject != "Spærringen af dit kort er ophævet" {
			t.Fatalf("messages %+v", msgs)
		}
		// Blocked for an overdraft, then reported stolen: stolen, for good.
		if _, err := f.svc.Block(f.ctx, "", iss.Card.ID, card.ReasonOverdraftAfterReminder, staff); err != nil {
			t.Fatal(err)
		}
		c, err = f.svc.Block(f.ctx, anna, iss.Card.ID, card.ReasonStolen, customerActor(anna))
		if err != nil || c.BlockReason != card.ReasonStolen {
			t.Fatalf("holder's report after the bank's block %+v %v", c, err)
		}
		if _, err := f.svc.Unblock(f.ctx, iss.Card.ID, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a stolen card was unblocked: %v", err)
		}
	})
}

// RULE CARD-16: every block goes into the block register, which answers
// for a card number whether it is blocked and since when; a lifted block
// leaves it, a replaced lost card stays in it.
func TestBlockRegister_CARD16(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		a, b := f.active(), f.active()
		check := func(pan string, wantBlocked bool, wantSince time.Time) {
			t.Helper()
			blocked, since, err := f.svc.BlockRegister(f.ctx, pan)
			if err != nil || blocked != wantBlocked || !since.Equal(wantSince) {
				t.Fatalf("BlockRegister = %v since %v (%v); want %v since %v", blocked, since, err, wantBlocked, wantSince)
			}
		}
		check(a.PAN, false, time.Time{})
		unknown, _ := cardsec.PANFromSerial(card.DefaultBIN, 42)
		check(unknown, false, time.Time{})
		if _, _, err := f.svc.BlockRegister(f.ctx, "12345"); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a malformed number: %v", err)
		}
		blockedAt := f.clock.Now()
		if _, err := f.svc.Block(f.ctx, anna, a.Card.ID, card.ReasonLost, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if _, err := f.svc.Block(f.ctx, "", b.Card.ID, card.ReasonFraudSuspicion, staff); err != nil {
			t.Fatal(err)
		}
		check(a.PAN, true, blockedAt.UTC())
		check(b.PAN, true, f.clock.Now().UTC())
		if _, err := f.svc.Unblock(f.ctx, b.Card.ID, staff); err != nil {
			t.Fatal(err)
		}
		check(b.PAN, false, time.Time{})
		if _, err := f.svc.Replace(f.ctx, a.Card.ID, card.ReplaceBlocked, staff); err != nil {
			t.Fatal(err)
		}
		check(a.PAN, true, blockedAt.UTC())
	})
}

// RULE CARD-17, CARD-13: the bank replaces a card at any time with a new
// number and PIN; the old card ends (a blocked one stays blocked) and its
// wallet tokens die; the fee follows the price list for a lost card.
func TestReplaceGivesNewNumberAndKillsTokens_CARD17(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		old := f.active()
		tok, err := f.svc.AddToken(f.ctx, old.Card.ID, "Apple Pay", "Annas iPhone", card.System)
		if err != nil || tok.Status != card.TokenActive || !tok.Usable(f.card(old.Card.ID), f.clock.Now()) {
			t.Fatalf("AddToken %+v %v", tok, err)
		}
		if _, err := f.svc.Replace(f.ctx, old.Card.ID, card.ReplaceBlocked, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("replaced as blocked while active: %v", err)
		}
		if _, err := f.svc.Block(f.ctx, anna, old.Card.ID, card.ReasonLost, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		if tok.Usable(f.card(old.Card.ID), f.clock.Now()) {
			t.Fatal("a blocked card's token is usable (CARD-14)")
		}
		before := f.posted(annaAcc)
		f.sent()
		nw, err := f.svc.Replace(f.ctx, old.Card.ID, card.ReplaceBlocked, staff)
		if err != nil {
			t.Fatal(err)
		}
		if nw.PAN == old.PAN || nw.Card.Replaces != old.Card.ID || nw.Card.Status != card.Ordered || nw.PIN == "" ||
			nw.Card.AnnualFeePaidUntil != old.Card.AnnualFeePaidUntil || !nw.Card.AgreementStart.Equal(old.Card.AgreementStart) {
			t.Fatalf("replacement %+v", nw.Card)
		}
		if got := f.posted(annaAcc); got != before-150_00 {
			t.Fatalf("replacement fee: account %d, want %d", got, before-150_00)
		}
		oc := f.card(old.Card.ID)
		if oc.Status != card.Blocked || oc.ReplacedBy != nw.Card.ID || oc.EndedAt.IsZero() {
			t.Fatalf("old card %+v", oc)
		}
		toks, err := f.svc.Tokens(f.ctx, anna, old.Card.ID)
		if err != nil || len(toks) != 1 || toks[0].Status != card.TokenEnded || toks[0].EndReason == "" {
			t.Fatalf("tokens %+v %v", toks, err)
		}
		if _, err := f.svc.Tokens(f.ctx, carl, old.Card.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger listed tokens: %v", err)
		}
		if ok, _, err := f.svc.VerifyPIN(f.ctx, nw.Card.ID, nw.PIN); err != nil || !ok {
			t.Fatalf("new PIN %v %v", ok, err)
		}
		if msgs := f.sent(); len(msgs) != 1 || !strings.Contains(msgs[0].body, "ender på "+nw.Card.Last4) || !strings.Contains(msgs[0].body, "150,00 kr.") {
			t.Fatalf("messages %+v", msgs)
		}
		if _, err := f.svc.Replace(f.ctx, old.Card.ID, card.ReplaceBlocked, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("replaced twice: %v", err)
		}
		// The bank's own replacement (CARD-17) is free and ends an active card.
		if _, err := f.svc.Activate(f.ctx, anna, nw.Card.ID, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		before = f.posted(annaAcc)
		third, err := f.svc.Replace(f.ctx, nw.Card.ID, card.ReplaceBank, staff)
		if err != nil || f.posted(annaAcc) != before || f.card(nw.Card.ID).Status != card.Replaced {
			t.Fatalf("bank's replacement %v, account %d→%d", err, before, f.posted(annaAcc))
		}
		if _, err := f.svc.AddToken(f.ctx, third.Card.ID, "Google Pay", "", card.System); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a token for a card not activated: %v", err)
		}
	})
}

// RULE CARD-13: the renewal job sends a new card with a new number and
// expiry before the old one expires (RenewBefore ahead, once); the new card
// keeps the PIN; activating it ends the old card and its wallet tokens;
// a card not renewed expires after its printed month.
func TestRenewalJobBeforeExpiry_CARD13(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		old := f.active()
		if _, err := f.svc.AddToken(f.ctx, old.Card.ID, "Apple Pay", "Annas ur", card.System); err != nil {
			t.Fatal(err)
		}

		// A card taken over from an earlier system, never activated, expires
		// after its printed month.
		lone := f.issue(card.IssueRequest{CustomerID: carl, AccountID: carlAcc, IssuedAt: at(2022, 11, 25, 10, 0)})
		if lone.Card.Expiry != "2611" || lone.Card.Status != card.Ordered {
			t.Fatalf("card taken over from 2022: %+v", lone.Card)
		}
		f.clock.Set(at(2026, 11, 30, 23, 59))
		if n, err := f.svc.ExpireDue(f.ctx); err != nil || n != 0 {
			t.Fatalf("expired %d (%v) within its month", n, err)
		}
		f.clock.Set(at(2026, 12, 1, 0, 10))
		if n, err := f.svc.ExpireDue(f.ctx); err != nil || n != 1 {
			t.Fatalf("expired %d (%v), want 1", n, err)
		}
		if c := f.card(lone.Card.ID); c.Status != card.Expired || c.EndedAt.IsZero() {
			t.Fatalf("status %s", c.Status)
		}

		expires := old.Card.ExpiresAt // 1.12.2030 00:00
		f.clock.Set(expires.Add(-card.DefaultRenewBefore - time.Hour))
		if n, err := f.svc.RenewDue(f.ctx); err != nil || n != 0 {
			t.Fatalf("renewed %d (%v) before the window", n, err)
		}
		f.clock.Set(expires.Add(-card.DefaultRenewBefore + time.Hour))
		if n, err := f.svc.RenewDue(f.ctx); err != nil || n != 1 {
			t.Fatalf("renewed %d (%v), want 1", n, err)
		}
		if n, err := f.svc.RenewDue(f.ctx); err != nil || n != 0 {
			t.Fatalf("renewed again: %d (%v)", n, err)
		}
		oc := f.card(old.Card.ID)
		if oc.Status != card.Active || oc.ReplacedBy == "" {
			t.Fatalf("old card after renewal %+v", oc)
		}
		nc := f.card(oc.ReplacedBy)
		if nc.Status != card.Ordered || nc.Last4 == "" || nc.PANHash == oc.PANHash || nc.Expiry != "3410" || nc.PINHash != "" {
			t.Fatalf("renewal %+v", nc)
		}
		// Same PIN: the old one works on the new card, and is taken over.
		if ok, locked, err := f.svc.VerifyPIN(f.ctx, nc.ID, old.PIN); err != nil || !ok || locked {
			t.Fatalf("old PIN on the renewal: %v %v %v", ok, locked, err)
		}
		if f.card(nc.ID).PINHash == "" {
			t.Fatal("the renewal did not take the PIN over")
		}
		if _, err := f.svc.Activate(f.ctx, anna, nc.ID, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		if oc := f.card(old.Card.ID); oc.Status != card.Replaced {
			t.Fatalf("old card after activation of the new one: %s", oc.Status)
		}
		toks, _ := f.svc.Tokens(f.ctx, "", old.Card.ID)
		if len(toks) != 1 || toks[0].Status != card.TokenEnded {
			t.Fatalf("old card's tokens %+v", toks)
		}
	})
}

// RULE CARD-18: termination with a month's notice by the cardholder and
// two months' by the bank; the early-termination fee within 6 months; at
// the end the prepaid annual fee is refunded pro rata and the tokens die.
func TestTerminationNoticePeriodsAndRefund_CARD18(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		mine := f.active()
		bank := f.active()
		before := f.posted(annaAcc)
		f.sent()
		c, err := f.svc.Terminate(f.ctx, anna, mine.Card.ID, true, customerActor(anna))
		if err != nil || !c.TerminatedByHolder || !c.TerminatesAt.Equal(at(2026, 12, 22, 0, 0)) {
			t.Fatalf("holder's termination %+v %v; want it to end after 21.12.2026", c.TerminatesAt.In(cph), err)
		}
		if got := f.posted(annaAcc); got != before-100_00 {
			t.Fatalf("early-termination fee: account %d, want %d", got, before-100_00)
		}
		if msgs := f.sent(); len(msgs) != 1 || !strings.Contains(msgs[0].body, "til og med 21.12.2026") || !strings.Contains(msgs[0].body, "1 måneds varsel") {
			t.Fatalf("messages %+v", msgs)
		}
		if _, err := f.svc.Terminate(f.ctx, anna, bank.Card.ID, false, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("a customer gave the bank's notice: %v", err)
		}
		c, err = f.svc.Terminate(f.ctx, "", bank.Card.ID, false, staff)
		if err != nil || c.TerminatedByHolder || !c.TerminatesAt.Equal(at(2027, 1, 22, 0, 0)) {
			t.Fatalf("bank's termination %v %v", c.TerminatesAt.In(cph), err)
		}
		if _, err := f.svc.Terminate(f.ctx, "", bank.Card.ID, false, staff); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("terminated twice: %v", err)
		}
		if _, err := f.svc.AddToken(f.ctx, mine.Card.ID, "Apple Pay", "", card.System); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(at(2026, 12, 21, 23, 59))
		if n, err := f.svc.EndTerminations(f.ctx); err != nil || n != 0 {
			t.Fatalf("ended %d (%v) within the notice", n, err)
		}
		if !f.card(mine.Card.ID).Usable(f.clock.Now()) {
			t.Fatal("the card stopped working within the notice")
		}
		before = f.posted(annaAcc)
		f.clock.Set(at(2026, 12, 22, 0, 20))
		if n, err := f.svc.EndTerminations(f.ctx); err != nil || n != 1 {
			t.Fatalf("ended %d (%v), want 1", n, err)
		}
		mc := f.card(mine.Card.ID)
		want := card.Refund(mc, mc.TerminatesAt)
		if mc.Status != card.Terminated || want <= 0 || f.posted(annaAcc) != before+want {
			t.Fatalf("after the end: %s, refund %d, account %d→%d", mc.Status, want, before, f.posted(annaAcc))
		}
		// 21.11.2026 14:05 to 21.11.2027 14:05 is 365 days; 334 of them remain after 22.12.2026 00:00.
		if want != 250_00*334/365 {
			t.Fatalf("refund %d, want %d", want, 250_00*334/365)
		}
		toks, _ := f.svc.Tokens(f.ctx, "", mine.Card.ID)
		if len(toks) != 1 || toks[0].Status != card.TokenEnded {
			t.Fatalf("tokens %+v", toks)
		}
		if n, err := f.svc.EndTerminations(f.ctx); err != nil || n != 0 {
			t.Fatalf("a second run ended %d (%v)", n, err)
		}
		if f.posted(annaAcc) != before+want {
			t.Fatal("the refund was paid twice")
		}
	})
}

// RULE CARD-12: a proxy holder gets a card and PIN of their own on the
// account; revoking the proxy blocks that card and no other. The holder
// sees their own card, the owner every card on the account, a stranger
// none.
func TestRevokingProxyBlocksTheProxysCard_CARD12(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		own := f.active()
		proxy := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: bent})
		if !proxy.Card.Proxy || proxy.PIN == "" || proxy.PIN == own.PIN && proxy.Card.PINHash == own.Card.PINHash {
			t.Fatalf("proxy card %+v", proxy.Card)
		}
		if _, err := f.svc.Activate(f.ctx, bent, proxy.Card.ID, customerActor(bent)); err != nil {
			t.Fatal(err)
		}
		if l, _ := f.svc.List(f.ctx, bent); len(l) != 1 || l[0].ID != proxy.Card.ID {
			t.Fatalf("the proxy holder sees %d cards", len(l))
		}
		if l, _ := f.svc.List(f.ctx, anna); len(l) != 2 {
			t.Fatalf("the owner sees %d cards, want 2", len(l))
		}
		if l, _ := f.svc.List(f.ctx, carl); len(l) != 0 {
			t.Fatalf("a stranger sees %d cards", len(l))
		}
		if _, err := f.svc.Get(f.ctx, carl, proxy.Card.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger got the card: %v", err)
		}
		if _, err := f.svc.Get(f.ctx, bent, own.Card.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("the proxy holder got the owner's card: %v", err)
		}
		f.sent()
		if _, err := f.svc.RevokeProxy(f.ctx, annaAcc, bent, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("a customer registered the revocation: %v", err)
		}
		n, err := f.svc.RevokeProxy(f.ctx, annaAcc, bent, staff)
		if err != nil || n != 1 {
			t.Fatalf("RevokeProxy = %d, %v", n, err)
		}
		pc := f.card(proxy.Card.ID)
		if pc.Status != card.Blocked || pc.BlockReason != card.ReasonProxyRevoked {
			t.Fatalf("proxy's card %+v", pc)
		}
		if f.card(own.Card.ID).Status != card.Active {
			t.Fatal("the owner's card was blocked too")
		}
		msgs := f.sent()
		if len(msgs) != 2 || msgs[0].customer != bent || msgs[1].customer != anna || !strings.Contains(msgs[0].body, "Fuldmagten") {
			t.Fatalf("messages %+v", msgs)
		}
		if _, err := f.svc.Unblock(f.ctx, proxy.Card.ID, staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a revoked proxy's card was unblocked: %v", err)
		}
		if n, err := f.svc.RevokeProxy(f.ctx, annaAcc, bent, staff); err != nil || n != 0 {
			t.Fatalf("second revocation blocked %d (%v)", n, err)
		}
	})
}

// Issue 5: "3 wrong PINs lock the PIN" (answered 55, then 75); a right PIN
// forgets earlier wrong tries; a new PIN from the bank opens it. The PIN
// arrives as an ISO 9564 format 0 block under the zone PIN key.
func TestThreeWrongPINsLockThePIN(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		iss := f.active()
		wrong := "2580"
		if wrong == iss.PIN {
			wrong = "2581"
		}
		block, err := cardsec.EncodePINBlock(iss.PIN, iss.PAN, f.zpk)
		if err != nil {
			t.Fatal(err)
		}
		pin, err := f.svc.PINFromBlock(iss.PAN, block)
		if err != nil || pin != iss.PIN {
			t.Fatalf("PINFromBlock = %v", err)
		}
		try := func(pin string, wantOK, wantLocked bool) {
			t.Helper()
			ok, locked, err := f.svc.VerifyPIN(f.ctx, iss.Card.ID, pin)
			if err != nil || ok != wantOK || locked != wantLocked {
				t.Fatalf("VerifyPIN = %v, %v, %v; want %v, %v", ok, locked, err, wantOK, wantLocked)
			}
		}
		try(wrong, false, false)
		try(wrong, false, false)
		try(iss.PIN, true, false) // forgets the two
		try(wrong, false, false)
		try(wrong, false, false)
		try(wrong, false, true) // the third in a row locks
		try(iss.PIN, false, true)
		if c := f.card(iss.Card.ID); !c.PINLocked || c.PINTries != 3 {
			t.Fatalf("card %+v", c)
		}
		if err := f.svc.ChangePIN(f.ctx, anna, iss.Card.ID, iss.PIN, "4826", customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("changed a locked PIN: %v", err)
		}
		if _, err := f.svc.SetPIN(f.ctx, iss.Card.ID, "1234", staff); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("a weak PIN was set: %v", err)
		}
		newPIN, err := f.svc.SetPIN(f.ctx, iss.Card.ID, "", staff)
		if err != nil || len(newPIN) != 4 {
			t.Fatalf("SetPIN %v", err)
		}
		try(newPIN, true, false)
		if err := f.svc.ChangePIN(f.ctx, anna, iss.Card.ID, newPIN, "4826", customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		try("4826", true, false)
		var locks int
		if err := db.QueryRow(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?", card.ActionPINLocked, iss.Card.ID).Scan(&locks); err != nil || locks != 1 {
			t.Fatalf("%d PIN-lock audit entries (%v), want 1", locks, err)
		}
	})
}

// RULE CARD-20: card transaction data is kept for the current year + 5
// years, then deleted: in 2026 the retention job deletes what is older
// than 1 January 2021 (Danish time) and nothing newer.
func TestRetentionDeletesOnlyOldCardData_CARD20(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		if got := card.RetentionCutoff(f.clock.Now()); !got.Equal(at(2021, 1, 1, 0, 0)) {
			t.Fatalf("cutoff %v", got.In(cph))
		}
		for i, ts := range []time.Time{at(2019, 6, 1, 12, 0), at(2020, 12, 31, 23, 59), at(2021, 1, 1, 0, 0), at(2026, 11, 21, 14, 0)} {
			if _, err := db.Exec(f.ctx, `INSERT INTO card_authorizations (id, card_id, mti, stan, rrn, response_code, status, created_at)
				VALUES (?, 'crd_x', '0100', ?, ?, '00', 'completed', ?)`, "aut_"+string(rune('a'+i)), "00000"+string(rune('1'+i)), "rrn"+string(rune('a'+i)), ts.UnixMicro()); err != nil {
				t.Fatal(err)
			}
		}
		n, err := f.svc.DeleteOldTransactions(f.ctx)
		if err != nil || n != 2 {
			t.Fatalf("deleted %d (%v), want 2", n, err)
		}
		var left []string
		rows, err := db.Query(f.ctx, "SELECT id FROM card_authorizations ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			left = append(left, id)
		}
		rows.Close()
		if strings.Join(left, ",") != "aut_c,aut_d" {
			t.Fatalf("left %v", left)
		}
		if n, err := f.svc.DeleteOldTransactions(f.ctx); err != nil || n != 0 {
			t.Fatalf("a second run deleted %d (%v)", n, err)
		}
	})
}

// The jobs are registered with the scheduler and run through it: one day
// of ticks renews, expires and charges what is due (CARD-13, CARD-19).
func TestJobsRunOnTheScheduler(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		iss := f.active()
		f.clock.Set(at(2027, 11, 21, 23, 0))
		sched := newScheduler(f)
		f.clock.Set(at(2027, 11, 22, 3, 0))
		if _, err := sched.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		if c := f.card(iss.Card.ID); !c.AnnualFeePaidUntil.Equal(at(2028, 11, 21, 14, 5)) {
			t.Fatalf("the annual-fee job did not run: paid until %v", c.AnnualFeePaidUntil.In(cph))
		}
		names := map[string]bool{}
		for _, j := range f.svc.Jobs() {
			names[j.Name] = true
		}
		for _, n := range []string{card.JobRenewal, card.JobExpiry, card.JobAnnualFee, card.JobTermination, card.JobRetention} {
			if !names[n] {
				t.Errorf("job %s missing", n)
			}
		}
	})
}

// Small pure rules.
func TestWeakPINAndMobileNumbers(t *testing.T) {
	for pin, weak := range map[string]bool{"1111": true, "1234": true, "9876": true, "8901": true, "2109": true, "4826": false, "1235": false, "0000": true} {
		if card.WeakPIN(pin) != weak {
			t.Errorf("WeakPIN(%s) = %v", pin, !weak)
		}
	}
	for in, want := range map[string]string{"20 45 67 89": "+4520456789", "+45 20456789": "+4520456789", "004520456789": "+4520456789",
		"2045-6789": "+4520456789", "1234567": "", "12345678": "", "+4612345678": "", "2045678a": ""} {
		got, err := card.NormalizeMobile(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if m := card.MaskMobile("+4520456789"); m != "+45 •• •• •• 89" {
		t.Errorf("MaskMobile = %q", m)
	}
	c := card.Card{AnnualFee: 365_00, AnnualFeePaidUntil: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	for end, want := range map[time.Time]int64{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC):   365_00,
		time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC):   183_00,
		time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC): 1_00,
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC):   0,
		time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC):   365_00,
	} {
		if got := card.Refund(c, end); got != want {
			t.Errorf("Refund(%v) = %d, want %d", end, got, want)
		}
	}
	if k := card.AnnualFeeKey(card.VisaJunior); k != "card_annual_fee_visa_debit" && k != "card_annual_fee_visa_junior" {
		t.Errorf("AnnualFeeKey(junior) = %q", k)
	}
}

// RULE CARD-19: a card the holder replaced keeps working until its
// successor is activated, but the year's fee is charged once, on the
// successor, which took over the paid-until date.
func TestAnnualFeeNotChargedTwiceWhileReplaced_CARD19(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		old := f.active()
		f.clock.Set(at(2027, 11, 10, 9, 0))
		nc, err := f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceDamaged, customerActor(anna))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(at(2027, 11, 22, 2, 40))
		if n, err := f.svc.ChargeAnnualFees(f.ctx); err != nil || n != 1 {
			t.Fatalf("the job charged %d (%v), want 1: the successor only", n, err)
		}
		if _, err := f.ledger.GetTransfer(f.ctx, "card:"+old.Card.ID+":fee:20271121"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Errorf("the replaced card was charged too: %v", err)
		}
		if tr, err := f.ledger.GetTransfer(f.ctx, "card:"+nc.ID+":fee:20271121"); err != nil || tr.Amount != 250_00 {
			t.Errorf("the successor's fee: %+v %v", tr, err)
		}
	})
}
