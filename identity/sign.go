package identity

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // documents show Danish time even on hosts without zoneinfo
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
)

// SignTTL is how long a prepared document may be signed.
const SignTTL = 10 * time.Minute

// Signing methods.
const (
	MethodSignatureFile = "signature-file"
	MethodKeyCard       = "keycard"
	MethodKeyApp        = "keyapp"
)

// SignRequest is a financially binding action presented for signing
// (SIGN-1, SIGN-2, BIZ-3): a canonical document that shows what is agreed
// (amount, payee, …), its checksum, and what the user must provide.
type SignRequest struct {
	ID       string
	UserID   string
	Kind     string // payment | transfer | contract | card_block | …
	Document string
	Checksum string
	// Method is how this user signs: the signature file (private users),
	// or password + key-card code / key-app code (business users).
	Method string
	// KeyNumber is the key-card number whose code signs this document.
	KeyNumber string
	ExpiresAt time.Time
}

// SignProof is what the user sends back to sign a prepared document.
type SignProof struct {
	// Checksum is the checksum the user's device computed over exactly the
	// document it showed (SIGN-1); it must equal the bank's.
	Checksum string
	// Signature is the Ed25519 signature of auth.DocumentMessage(document)
	// (private users).
	Signature []byte
	// Password and Code confirm a business user's action (BIZ-3): the
	// password again and the key-card or key-app code.
	Password string
	Code     string
}

// SignedDocument is the bank's proof of what was signed, by whom and when.
type SignedDocument struct {
	ID        string
	UserID    string
	Kind      string
	Document  string
	Checksum  string
	Method    string
	Signature string // base64 signature, or the key-card serial:number used
	PublicKey []byte // the key the signature was verified with
	SignedAt  time.Time
}

// copenhagen is the time zone documents show their time in.
var copenhagen = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// kindName names a document kind in Danish for the document's header.
func kindName(kind string) string {
	switch kind {
	case "payment":
		return "Betaling"
	case "payment-approval":
		return "Godkendelse af betaling"
	case "contract":
		return "Godkendelse af kontrakt"
	case "card_block":
		return "Spærring af kort"
	case "payment-batch":
		return "Betalingsfil"
	case "agreement":
		return "Tilmelding til Betalingsservice"
	case "card_mobile":
		return "Mobilnummer til Visa Secure"
	}
	return kind
}

// maxDocument bounds a document's size.
const maxDocument = 64 << 10

// PrepareSignature presents a document for signing. The bank adds a
// header with a unique document id and the time, so every signed document
// is unique and a signature can never be replayed onto another one.
func (s *Service) PrepareSignature(ctx context.Context, userID, kind, body string) (SignRequest, error) {
	if kind == "" || strings.ContainsAny(kind, " \n") {
		return SignRequest{}, netbank.Errorf(netbank.EINVALID, "unknown document kind")
	}
	if body == "" || len(body) > maxDocument || !utf8.ValidString(body) {
		return SignRequest{}, netbank.Errorf(netbank.EINVALID, "Dokumentet er tomt eller for stort.")
	}
	var req SignRequest
	err := s.store.Tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, userID, false)
		if err != nil {
			return err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal
		}
		now := s.now()
		req = SignRequest{ID: s.newID("doc"), UserID: u.ID, Kind: kind, ExpiresAt: now.Add(SignTTL)}
		req.Document = fmt.Sprintf("Netbank dokument %s\nType: %s\nUnderskriver: %s (%s)\nTidspunkt: %s\n\n%s",
			req.ID, kindName(kind), u.Name, u.Login, now.In(copenhagen).Format("02.01.2006 kl. 15.04.05"), body)
		req.Checksum = auth.Checksum([]byte(req.Document))
		detail := ""
		switch {
		case u.Kind == PrivateUser:
			req.Method = MethodSignatureFile
		case u.TOTPSecret != "":
			req.Method = MethodKeyApp
		default:
			req.Method = MethodKeyCard
			serial, codes, err := tx.ActiveKeyCard(ctx, u.ID)
			if err != nil {
				return err
			}
			var unused []string
			for _, kc := range codes {
				if kc.UsedAt.IsZero() {
					unused = append(unused, kc.KeyNumber)
				}
			}
			if len(unused) == 0 {
				return netbank.Errorf(netbank.EFORBIDDEN, "Alle koder på dit nøglekort er brugt. Kontakt banken for et nyt.")
			}
			req.KeyNumber = auth.PickKeyNumber(s.cfg.Rand, unused)
			detail = serial + ":" + req.KeyNumber
		}
		return tx.InsertChallenge(ctx, Challenge{ID: req.ID, Principal: u.ID, Purpose: "sign:" + kind, Challenge: req.Document,
			Detail: detail, CreatedAt: now, ExpiresAt: req.ExpiresAt})
	})
	return req, err
}

// ConfirmSignature verifies the user's proof for a prepared document and
// keeps document, signature, who and when (SIGN-2). A changed document
// (checksum mismatch, SIGN-1), a signature over another document, or a
// second use of the same request is refused. A wrong signature counts as a
// failed attempt (AUTH-5).
func (s *Service) ConfirmSignature(ctx context.Context, userID, requestID string, proof SignProof, by Actor) (SignedDocument, error) {
	var doc SignedDocument
	err := s.failable(ctx, func(tx Tx) (error, error) {
		u, err := tx.User(ctx, userID, true)
		if err != nil {
			return nil, err
		}
		if refusal := loginRefusal(u); refusal != nil {
			return refusal, nil
		}
		c, err := tx.Challenge(ctx, requestID, true)
		if err != nil || !strings.HasPrefix(c.Purpose, "sign:") || c.Principal != u.ID {
			return netbank.Errorf(netbank.ENOTFOUND, "Dokumentet findes ikke."), nil
		}
		now := s.now()
		if !c.UsedAt.IsZero() {
			return netbank.Errorf(netbank.ECONFLICT, "Dokumentet er allerede underskrevet. En underskrift kan kun bruges én gang."), nil
		}
		if !now.Before(c.ExpiresAt) {
			return netbank.Errorf(netbank.EUNAUTHORIZED, "Tiden til at underskrive er udløbet. Start forfra."), nil
		}
		checksum := auth.Checksum([]byte(c.Challenge))
		if proof.Checksum != checksum {
			return netbank.Errorf(netbank.EINVALID, "Dokumentet er ændret undervejs og kan ikke underskrives."), nil
		}
		doc = SignedDocument{ID: c.ID, UserID: u.ID, Kind: strings.TrimPrefix(c.Purpose, "sign:"), Document: c.Challenge,
			Checksum: checksum, SignedAt: now}
		switch {
		case u.Kind == PrivateUser:
			doc.Method = MethodSignatureFile
			if !verifySignature(u.PublicKey, auth.DocumentMessage([]byte(c.Challenge)), proof.Signature) {
				return s.failedAttempt(ctx, tx, &u, "signature", by)
			}
			doc.Signature = base64.StdEncoding.EncodeToString(proof.Signature)
			doc.PublicKey = append(ed25519.PublicKey(nil), u.PublicKey...)
		default:
			ok, err := auth.VerifyPassword(u.PasswordHash, proof.Password)
			if err != nil {
				return nil, err
			}
			if !ok {
				return s.failedAttempt(ctx, tx, &u, "password", by)
			}
			if c.Detail == "" { // key app
				doc.Method = MethodKeyApp
				if !s.checkTOTP(&u, proof.Code) {
					return s.failedAttempt(ctx, tx, &u, "keyapp", by)
				}
				doc.Signature = "keyapp"
			} else {
				doc.Method = MethodKeyCard
				serial, keyNumber, _ := strings.Cut(c.Detail, ":")
				if !s.checkKeyCardCode(ctx, tx, u.ID, serial, keyNumber, strings.TrimSpace(proof.Code)) {
					return s.failedAttempt(ctx, tx, &u, "keycard", by)
				}
				if err := tx.UseKeyCardCode(ctx, serial, keyNumber, now); err != nil {
					return nil, err
				}
				doc.Signature = "keycard:" + c.Detail
			}
		}
		u.FailedAttempts = 0
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		if err := tx.UseChallenge(ctx, c.ID, now); err != nil {
			return nil, err
		}
		if err := tx.InsertSignedDocument(ctx, doc); err != nil {
			return nil, err
		}
		return nil, tx.Audit(ctx, now, by.event("document.signed", u.ID, map[string]string{"document": doc.ID, "kind": doc.Kind, "method": doc.Method, "checksum": checksum}))
	})
	return doc, err
}

// SignedDocument returns a signed document, for the signer's own customer
// or staff.
func (s *Service) SignedDocument(ctx context.Context, id string) (SignedDocument, error) {
	var d SignedDocument
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		d, err = tx.SignedDocument(ctx, id)
		return err
	})
	return d, err
}

// VerifySignedDocument re-checks a stored proof: the checksum over the kept
// document and, for signature-file documents, the signature with the key
// it was made with. It is how the bank later proves what was signed.
func VerifySignedDocument(d SignedDocument) error {
	if auth.Checksum([]byte(d.Document)) != d.Checksum {
		return netbank.Errorf(netbank.ECONFLICT, "the document %s no longer matches its checksum", d.ID)
	}
	if d.Method != MethodSignatureFile {
		return nil // key-card and key-app proofs are the bank's record of a verified code
	}
	sig, err := base64.StdEncoding.DecodeString(d.Signature)
	if err != nil || !verifySignature(d.PublicKey, auth.DocumentMessage([]byte(d.Document)), sig) {
		return netbank.Errorf(netbank.ECONFLICT, "the signature of document %s does not verify", d.ID)
	}
	return nil
}
