package card_test

// Visa Secure, the bank's access control server (RULE CARD-11), on both
// engines: dynamic linking of the code and the CAVV to card, amount and
// merchant, the code's tries and expiry, enrolment, the SMS outbox, and an
// e-commerce 0100 over ISO 8583 with the real ACS as the engine's
// CAVVVerifier.

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/store"
)

// The merchants of the tests: field 42 ids and names.
const (
	shopA     = "MERCHANT0000001"
	shopAName = "Boghandlen ApS"
	shopB     = "OTHERSHOP000001"
	merchKey  = "apk_merchant"
)

// newACS is the access control server over the fixture's cards.
func newACS(t *testing.T, f *fixture, cfg card.VisaSecureConfig) *card.VisaSecure {
	t.Helper()
	acs, err := card.NewVisaSecure(f.svc, f.db.VisaSecure(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return acs
}

var codeRE = regexp.MustCompile(`^Kode (\d{6}) til køb hos `)

// smsOf is the SMS of an authentication in the outbox, and the code in it.
func smsOf(t *testing.T, f *fixture, acs *card.VisaSecure, id string) (card.SMS, string) {
	t.Helper()
	out, err := acs.Outbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, sms := range out {
		if sms.Reference != id {
			continue
		}
		m := codeRE.FindStringSubmatch(sms.Text)
		if m == nil {
			t.Fatalf("SMS without a code: %q", sms.Text)
		}
		return sms, m[1]
	}
	t.Fatalf("no SMS for %s in the outbox %+v", id, out)
	return card.SMS{}, ""
}

// challenge is 100 kr. at shop A for a card.
func challenge(pan string) card.Challenge {
	return card.Challenge{PAN: pan, Amount: 100_00, Currency: "DKK", MerchantID: shopA, MerchantName: shopAName, Requester: merchKey}
}

// authenticate starts ch and completes it with the code of the SMS.
func authenticate(t *testing.T, f *fixture, acs *card.VisaSecure, ch card.Challenge) (card.Authentication, string) {
	t.Helper()
	a, err := acs.StartAuthentication(f.ctx, ch)
	if err != nil {
		t.Fatalf("start %+v: %v", ch, err)
	}
	_, code := smsOf(t, f, acs, a.ID)
	cavv, err := acs.CompleteAuthentication(f.ctx, ch.Requester, a.ID, code)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	return a, cavv
}

// wrong is another code than code.
func wrong(code string) string {
	last := (code[len(code)-1]-'0'+1)%10 + '0'
	return code[:len(code)-1] + string(rune(last))
}

// TestVisaSecureDynamicLinking_CARD11: the SMS names the merchant and the
// amount; the CAVV the code yields holds for exactly that card, amount,
// currency and merchant, once. A CAVV for 100 kr. at merchant A fails for
// 101 kr., for merchant B, in euros and for another card.
func TestVisaSecureDynamicLinking_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		anna1 := f.active()
		carlCard := f.issue(card.IssueRequest{CustomerID: carl, AccountID: carlAcc})
		if _, err := f.svc.Activate(f.ctx, carl, carlCard.Card.ID, customerActor(carl)); err != nil {
			t.Fatal(err)
		}

		ch := challenge(anna1.PAN)
		ch.Amount = 1_234_56
		a, err := acs.StartAuthentication(f.ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != card.ChallengeSent || !strings.HasPrefix(a.ID, "vsa_") || !a.CodeExpiresAt.Equal(f.clock.Now().UTC().Add(card.CodeValidity)) {
			t.Errorf("started %+v", a)
		}
		sms, code := smsOf(t, f, acs, a.ID)
		if want := "Kode " + code + " til køb hos Boghandlen ApS på 1.234,56 kr. Del aldrig koden."; sms.Text != want ||
			sms.To != "+4520456789" || sms.Reference != a.ID || sms.Status != card.SMSOutbox || sms.CustomerID != anna {
			t.Errorf("SMS %+v, want the text %q to Anna's number", sms, want)
		}
		// The code is kept only as a keyed hash.
		var codeHash string
		if err := db.QueryRow(f.ctx, "SELECT code_hash FROM visa_secure_authentications WHERE id = ?", a.ID).Scan(&codeHash); err != nil ||
			len(codeHash) != 64 || codeHash == code {
			t.Errorf("stored code %q (%v)", codeHash, err)
		}
		cavv, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, code)
		if raw, derr := base64.StdEncoding.DecodeString(cavv); err != nil || derr != nil || len(raw) != card.CAVVLength {
			t.Fatalf("CAVV %q (%v, %v), want 20 bytes in base64", cavv, err, derr)
		}
		var cavvHash string
		if err := db.QueryRow(f.ctx, "SELECT cavv_hash FROM visa_secure_authentications WHERE id = ?", a.ID).Scan(&cavvHash); err != nil ||
			len(cavvHash) != 64 || strings.Contains(cavvHash, cavv) {
			t.Errorf("stored CAVV %q (%v)", cavvHash, err)
		}

		// Dynamic linking: nothing but the approved purchase passes, and a
		// mismatch does not use the CAVV up.
		for _, c := range []struct {
			name, pan, currency, merchant string
			amount                        int64
		}{
			{"101 kr.", anna1.PAN, "DKK", shopA, 1_234_57},
			{"merchant B", anna1.PAN, "DKK", shopB, 1_234_56},
			{"euros", anna1.PAN, "EUR", shopA, 1_234_56},
			{"another card", carlCard.PAN, "DKK", shopA, 1_234_56},
			{"the merchant id padded otherwise", anna1.PAN, "DKK", "MERCHANT000000", 1_234_56},
		} {
			if acs.Verify(f.ctx, c.pan, c.amount, c.currency, c.merchant, cavv) {
				t.Errorf("%s: the CAVV holds", c.name)
			}
		}
		if acs.Verify(f.ctx, anna1.PAN, 1_234_56, "DKK", shopA, "AAABBEg0VhI0VniQEjRWAAAAAAA=") {
			t.Error("a CAVV the bank never issued holds")
		}
		if !acs.Verify(f.ctx, anna1.PAN, 1_234_56, "DKK", shopA, cavv) {
			t.Fatal("the CAVV does not hold for the approved purchase")
		}
		// Once: a second purchase with the same CAVV fails.
		if acs.Verify(f.ctx, anna1.PAN, 1_234_56, "DKK", shopA, cavv) {
			t.Error("the CAVV held a second time")
		}
		if _, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, code); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Errorf("completing a used authentication: %v", err)
		}

		// The same purchase on Carl's card gets another CAVV, which does
		// not hold for Anna's card.
		_, carlCAVV := authenticate(t, f, acs, challenge(carlCard.PAN))
		if carlCAVV == cavv || acs.Verify(f.ctx, anna1.PAN, 100_00, "DKK", shopA, carlCAVV) {
			t.Errorf("Carl's CAVV %q holds for Anna's card", carlCAVV)
		}
		if !acs.Verify(f.ctx, carlCard.PAN, 100_00, "DKK", shopA, carlCAVV) {
			t.Error("Carl's CAVV does not hold for Carl's purchase")
		}
	})
}

// TestVisaSecureWrongCodeThreeTimesLocks_CARD11: each wrong code counts,
// the third locks the authentication, and then even the right code is
// refused. Only the merchant that started an authentication can complete
// it; the right code again gives the same CAVV (a retry).
func TestVisaSecureWrongCodeThreeTimesLocks_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		iss := f.active()
		a, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		_, code := smsOf(t, f, acs, a.ID)
		if _, err := acs.CompleteAuthentication(f.ctx, "apk_other", a.ID, code); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another merchant completes: %v", err)
		}
		if _, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, ""); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("no code: %v", err)
		}
		for i, want := range []string{"2 forsøg tilbage", "1 forsøg tilbage", "godkendelsen er spærret"} {
			_, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, wrong(code))
			if netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN || !strings.Contains(netbank.ErrorMessageOf(err), want) {
				t.Fatalf("wrong code %d: %v, want %q", i+1, err, want)
			}
		}
		if _, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, code); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN ||
			!strings.Contains(netbank.ErrorMessageOf(err), "spærret") {
			t.Fatalf("the right code after the lock: %v", err)
		}
		var status string
		var tries int
		if err := db.QueryRow(f.ctx, "SELECT status, tries FROM visa_secure_authentications WHERE id = ?", a.ID).Scan(&status, &tries); err != nil ||
			status != string(card.AuthenticationLocked) || tries != card.MaxCodeTries {
			t.Errorf("stored %s after %d tries (%v)", status, tries, err)
		}
		var audited int
		if err := db.QueryRow(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?", card.ActionVisaSecureLocked, iss.Card.ID).Scan(&audited); err != nil || audited != 1 {
			t.Errorf("lock audited %d times (%v)", audited, err)
		}

		// Two wrong codes, then the right one: it holds; again: the same CAVV.
		b, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		_, code = smsOf(t, f, acs, b.ID)
		for range 2 {
			if _, err := acs.CompleteAuthentication(f.ctx, merchKey, b.ID, wrong(code)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
				t.Fatal(err)
			}
		}
		first, err := acs.CompleteAuthentication(f.ctx, merchKey, b.ID, code)
		if err != nil {
			t.Fatal(err)
		}
		again, err := acs.CompleteAuthentication(f.ctx, merchKey, b.ID, code)
		if err != nil || again != first {
			t.Errorf("the right code again: %q %v, want %q", again, err, first)
		}
		if _, err := acs.CompleteAuthentication(f.ctx, merchKey, b.ID, wrong(code)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Errorf("a wrong code after the right one: %v", err)
		}
	})
}

// TestVisaSecureExpiry_CARD11: a code holds for 5 minutes, a CAVV for 30
// minutes after the code.
func TestVisaSecureExpiry_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		iss := f.active()

		late, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		_, lateCode := smsOf(t, f, acs, late.ID)
		onTime, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		_, onTimeCode := smsOf(t, f, acs, onTime.ID)
		f.clock.Advance(card.CodeValidity - time.Second)
		cavv, err := acs.CompleteAuthentication(f.ctx, merchKey, onTime.ID, onTimeCode)
		if err != nil {
			t.Fatalf("a second before the code expires: %v", err)
		}
		f.clock.Advance(time.Second)
		if _, err := acs.CompleteAuthentication(f.ctx, merchKey, late.ID, lateCode); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN ||
			!strings.Contains(netbank.ErrorMessageOf(err), "udløbet") {
			t.Fatalf("after 5 minutes: %v", err)
		}

		f.clock.Advance(card.CAVVValidity - time.Second) // 30 minutes after the code
		if acs.Verify(f.ctx, iss.PAN, 100_00, "DKK", shopA, cavv) {
			t.Error("the CAVV holds 30 minutes after the code")
		}
		_, fresh := authenticate(t, f, acs, challenge(iss.PAN))
		f.clock.Advance(card.CAVVValidity - time.Second)
		if !acs.Verify(f.ctx, iss.PAN, 100_00, "DKK", shopA, fresh) {
			t.Error("the CAVV does not hold a second before 30 minutes")
		}
	})
}

// TestVisaSecureEnrolment_CARD11: only an enrolled, usable card gets a
// code. A holder under 15 is never enrolled at activation, even with a
// mobile number known; the holder's own registration enrols, removing the
// number ends it. Unknown and unenrolled cards get the same answer, and no
// SMS is sent.
func TestVisaSecureEnrolment_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		refused := func(what string, ch card.Challenge) {
			t.Helper()
			_, err := acs.StartAuthentication(f.ctx, ch)
			if netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN || !strings.Contains(netbank.ErrorMessageOf(err), "ikke tilmeldt") {
				t.Errorf("%s: %v, want the refusal for a card not enrolled", what, err)
			}
		}

		junior := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja, Type: card.VisaJunior})
		jc, err := f.svc.Activate(f.ctx, freja, junior.Card.ID, customerActor(freja))
		if err != nil || jc.MobileNumber == "" || jc.VisaSecureEnrolled || jc.HolderAge(f.clock.Now()) >= card.VisaSecureMinAge {
			t.Fatalf("junior card %+v %v: want a mobile number but no enrolment under 15", jc, err)
		}
		refused("under 15, not enrolled at activation", challenge(junior.PAN))

		proxy := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: bent})
		if _, err := f.svc.Activate(f.ctx, bent, proxy.Card.ID, customerActor(bent)); err != nil {
			t.Fatal(err)
		}
		refused("no mobile number", challenge(proxy.PAN))
		ordered := f.issue(card.IssueRequest{CustomerID: carl, AccountID: carlAcc})
		refused("not activated", challenge(ordered.PAN))
		refused("unknown card", challenge("4571990000000003"))
		if out, err := acs.Outbox(f.ctx, 10); err != nil || len(out) != 0 {
			t.Fatalf("SMS sent to cards that are not enrolled: %+v %v", out, err)
		}

		// The holder registers a number in the net bank: enrolled, also
		// under 15; removing it ends the enrolment.
		if _, err := f.svc.SetMobile(f.ctx, freja, junior.Card.ID, "42 18 90 12", customerActor(freja)); err != nil {
			t.Fatal(err)
		}
		ja, err := acs.StartAuthentication(f.ctx, challenge(junior.PAN))
		if err != nil {
			t.Fatalf("after the holder's registration: %v", err)
		}
		if sms, _ := smsOf(t, f, acs, ja.ID); sms.To != "+4542189012" || sms.CustomerID != freja {
			t.Errorf("SMS %+v, want Freja's number", sms)
		}
		if _, err := f.svc.RemoveMobile(f.ctx, freja, junior.Card.ID, customerActor(freja)); err != nil {
			t.Fatal(err)
		}
		refused("number removed", challenge(junior.PAN))

		iss := f.active()
		if _, err := f.svc.Block(f.ctx, anna, iss.Card.ID, card.ReasonLost, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		refused("blocked", challenge(iss.PAN))

		for name, ch := range map[string]card.Challenge{
			"bad card number":  {PAN: "4571990000000006", Amount: 1, MerchantID: shopA, MerchantName: shopAName},
			"no amount":        {PAN: iss.PAN, MerchantID: shopA, MerchantName: shopAName},
			"unknown currency": {PAN: iss.PAN, Amount: 1, Currency: "XYZ", MerchantID: shopA, MerchantName: shopAName},
			"no merchant id":   {PAN: iss.PAN, Amount: 1, MerchantName: shopAName},
			"long merchant id": {PAN: iss.PAN, Amount: 1, MerchantID: "MERCHANT00000001", MerchantName: shopAName},
			"no merchant name": {PAN: iss.PAN, Amount: 1, MerchantID: shopA},
			"control in name":  {PAN: iss.PAN, Amount: 1, MerchantID: shopA, MerchantName: "Shop\u0007"},
		} {
			if _, err := acs.StartAuthentication(f.ctx, ch); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
	})
}

// TestVisaSecureLimitsCodesPerHour_CARD11: a card gets at most
// MaxAuthenticationsPerHour codes an hour.
func TestVisaSecureLimitsCodesPerHour_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		iss := f.active()
		for range card.MaxAuthenticationsPerHour {
			if _, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN)); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute)
		}
		if _, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN)); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("code %d within the hour: %v", card.MaxAuthenticationsPerHour+1, err)
		}
		f.clock.Advance(time.Hour - time.Duration(card.MaxAuthenticationsPerHour-1)*time.Minute)
		if _, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN)); err != nil {
			t.Fatalf("an hour after the first: %v", err)
		}
	})
}

// recordingSender is an SMS gateway that records what it is given, and
// fails while fail is set.
type recordingSender struct {
	mu   sync.Mutex
	sent []card.SMS
	fail bool
}

func (r *recordingSender) SendSMS(ctx context.Context, m card.SMS) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("gateway down")
	}
	r.sent = append(r.sent, m)
	return nil
}

// TestVisaSecureSMSSender_CARD11: a gateway gets the SMS the outbox holds,
// and its outcome is recorded there; a failing gateway fails the start.
func TestVisaSecureSMSSender_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		gw := &recordingSender{}
		acs := newACS(t, f, card.VisaSecureConfig{Sender: gw, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		iss := f.active()
		a, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		sms, _ := smsOf(t, f, acs, a.ID)
		if len(gw.sent) != 1 || gw.sent[0].ID != sms.ID || gw.sent[0].Text != sms.Text || sms.Status != card.SMSSent || sms.SentAt.IsZero() {
			t.Errorf("gateway got %+v; outbox %+v", gw.sent, sms)
		}
		gw.fail = true
		f.clock.Advance(time.Second) // the newest SMS is the failed one
		if _, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN)); netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
			t.Errorf("a failing gateway: %v", err)
		}
		out, err := acs.Outbox(f.ctx, 1)
		if err != nil || len(out) != 1 || out[0].ID == sms.ID || out[0].Status != card.SMSFailed || out[0].Error != "gateway down" {
			t.Errorf("outbox after a failure %+v %v", out, err)
		}
	})
}

// cavvVerifier lets a test give the engine its verifier after the fixture
// that the verifier needs is made.
type cavvVerifier struct{ card.CAVVVerifier }

// TestECommerceWithVisaSecureOverISO8583_CARD11: an internet purchase
// (0100, entry mode 81, condition 59) carrying the CAVV of the bank's own
// ACS in field 48 is approved; without a CAVV, with a wrong one, with the
// CAVV of another amount or merchant, or with a used one, it is 1A.
func TestECommerceWithVisaSecureOverISO8583_CARD11(t *testing.T) {
	online := func(cvv2, cavv string) func(*iso8583.Request) {
		return func(r *iso8583.Request) {
			r.POSEntryMode, r.POSCondition, r.PINBlock, r.MCC = "812", "59", "", "5942"
			r.Field48 = map[string]string{iso8583.TagCVV2: cvv2}
			if cavv != "" {
				r.Field48[iso8583.TagCAVV] = cavv
			}
		}
	}
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ref := &cavvVerifier{}
		f := newAuthFixture(t, db, authStart, func(c *card.AuthConfig) { c.CAVV = ref })
		acs := newACS(t, f.fixture, card.VisaSecureConfig{})
		ref.CAVVVerifier = acs
		iss := f.active()

		_, cavv := authenticate(t, f.fixture, acs, challenge(iss.PAN))
		f.expect(f.request(iss, 100_00, online(iss.CVV2, "")), iso8583.CodeStrongAuthenticationRequired)
		f.expect(f.request(iss, 100_00, online(iss.CVV2, "AAABBEg0VhI0VniQEjRWAAAAAAA=")), iso8583.CodeStrongAuthenticationRequired)
		f.expect(f.request(iss, 101_00, online(iss.CVV2, cavv)), iso8583.CodeStrongAuthenticationRequired)
		f.expect(f.request(iss, 100_00, online(iss.CVV2, cavv), func(r *iso8583.Request) { r.MerchantID = shopB }), iso8583.CodeStrongAuthenticationRequired)
		before := f.balance(annaAcc)
		f.expect(f.request(iss, 100_00, online(iss.CVV2, cavv)), iso8583.CodeApproved)
		if after := f.balance(annaAcc); after.Pending != before.Pending+100_00 {
			t.Errorf("pending %d after %d, want 100,00 kr. held", after.Pending, before.Pending)
		}
		if a := f.last(iss.Card.ID); !strings.Contains(strings.Join(a.Reasons, " "), "Visa Secure") {
			t.Errorf("reasons %q do not name Visa Secure", a.Reasons)
		}
		// A second purchase with the same CAVV.
		f.expect(f.request(iss, 100_00, online(iss.CVV2, cavv)), iso8583.CodeStrongAuthenticationRequired)
	})
}
