package identity_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

const paymentDoc = "Betaling\nBeløb: 1.250,00 kr.\nTil: 5301 0001234567 (Arbejdernes Landsbank)\nTekst til modtager: Husleje december"

func TestSignPrivate(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, key := f.enrolled("150385-1234")
		// RULE SIGN-1, SIGN-2: the document shows amount and payee; its checksum is signed.
		req, err := f.id.PrepareSignature(f.ctx, u.ID, "payment", paymentDoc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(req.Document, "1.250,00 kr.") || !strings.Contains(req.Document, "5301 0001234567") || req.Method != identity.MethodSignatureFile {
			t.Fatalf("request %+v", req)
		}
		if !strings.Contains(req.Document, "\nType: Betaling\n") || !strings.Contains(req.Document, "\nTidspunkt: 21.11.2026 kl. 11.00.00\n") {
			t.Fatalf("header not in Danish and Danish time:\n%s", req.Document)
		}
		if req.Checksum != auth.Checksum([]byte(req.Document)) {
			t.Fatal("checksum is not over the document")
		}
		sig := ed25519.Sign(key, auth.DocumentMessage([]byte(req.Document)))

		// A tampered document: the device's checksum differs from the bank's.
		tampered := strings.Replace(req.Document, "1.250,00", "9.250,00", 1)
		_, err = f.id.ConfirmSignature(f.ctx, u.ID, req.ID, identity.SignProof{Checksum: auth.Checksum([]byte(tampered)),
			Signature: ed25519.Sign(key, auth.DocumentMessage([]byte(tampered)))}, identity.Actor{ID: u.ID, Kind: "customer"})
		f.wantCode(err, netbank.EINVALID)
		// A signature over another document is refused and counts as a failed attempt.
		other, _ := f.id.PrepareSignature(f.ctx, u.ID, "payment", paymentDoc)
		_, err = f.id.ConfirmSignature(f.ctx, u.ID, other.ID, identity.SignProof{Checksum: other.Checksum, Signature: sig}, identity.Actor{ID: u.ID, Kind: "customer"})
		f.wantCode(err, netbank.EUNAUTHORIZED)

		doc, err := f.id.ConfirmSignature(f.ctx, u.ID, req.ID, identity.SignProof{Checksum: req.Checksum, Signature: sig}, identity.Actor{ID: u.ID, Kind: "customer"})
		if err != nil {
			t.Fatal(err)
		}
		// Replaying the same signature is refused.
		_, err = f.id.ConfirmSignature(f.ctx, u.ID, req.ID, identity.SignProof{Checksum: req.Checksum, Signature: sig}, identity.Actor{ID: u.ID, Kind: "customer"})
		f.wantCode(err, netbank.ECONFLICT)

		// The bank can prove later what was signed, also after a code change.
		kept, err := f.id.SignedDocument(f.ctx, doc.ID)
		if err != nil || kept.Document != req.Document || kept.UserID != u.ID {
			t.Fatalf("kept %+v %v", kept, err)
		}
		step, _ := f.id.BeginCodeChange(f.ctx, u.ID)
		pub2, key2, _ := ed25519.GenerateKey(nil)
		msg := auth.LoginMessage(step.Challenge)
		if err := f.id.ChangeCode(f.ctx, u.ID, step.ChallengeID, ed25519.Sign(key, msg), pub2, ed25519.Sign(key2, msg), identity.Actor{ID: u.ID, Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		if err := identity.VerifySignedDocument(kept); err != nil {
			t.Fatalf("proof after code change: %v", err)
		}
		kept.Document = strings.Replace(kept.Document, "Husleje", "Gave", 1)
		if identity.VerifySignedDocument(kept) == nil {
			t.Fatal("a changed stored document still verifies")
		}
		// An expired request cannot be signed.
		late, _ := f.id.PrepareSignature(f.ctx, u.ID, "payment", paymentDoc)
		f.clock.Advance(identity.SignTTL + time.Second)
		_, err = f.id.ConfirmSignature(f.ctx, u.ID, late.ID, identity.SignProof{Checksum: late.Checksum,
			Signature: ed25519.Sign(key2, auth.DocumentMessage([]byte(late.Document)))}, identity.Actor{ID: u.ID, Kind: "customer"})
		f.wantCode(err, netbank.EUNAUTHORIZED)
	})
}

func TestSignBusiness(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c, _ := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS", CVR: "25313763"}, staffActor)
		u, password, card, err := f.id.CreateBusinessUser(f.ctx, c.ID, "jens", "Jens Hansen", []identity.Permission{identity.PermView, identity.PermCreate}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		// RULE BIZ-3: every action is confirmed with the password again plus a code bound to this document.
		req, err := f.id.PrepareSignature(f.ctx, u.ID, "payment", paymentDoc)
		if err != nil || req.Method != identity.MethodKeyCard || req.KeyNumber == "" {
			t.Fatalf("request %+v %v", req, err)
		}
		code := card.Codes[req.KeyNumber]
		_, err = f.id.ConfirmSignature(f.ctx, u.ID, req.ID, identity.SignProof{Checksum: req.Checksum, Password: "forkert", Code: code}, identity.Actor{})
		f.wantCode(err, netbank.EUNAUTHORIZED)
		doc, err := f.id.ConfirmSignature(f.ctx, u.ID, req.ID, identity.SignProof{Checksum: req.Checksum, Password: password, Code: code}, identity.Actor{})
		if err != nil || doc.Method != identity.MethodKeyCard {
			t.Fatalf("business signature: %+v %v", doc, err)
		}
		// The code is spent: a later document never asks for that key number again.
		for i := 0; i < 10; i++ {
			r, _ := f.id.PrepareSignature(f.ctx, u.ID, "payment", paymentDoc)
			if r.KeyNumber == req.KeyNumber {
				t.Fatal("a used key number was asked for again")
			}
		}
	})
}
