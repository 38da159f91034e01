package api

// Signing (RULES SIGN-1, SIGN-2, BIZ-3, AUTH-4, AUTH-5):
//
//	POST /api/v1/signatures/{request_id}   the user's proof → identity.ConfirmSignature → the kind's action
//
// An endpoint that starts a binding action (a payment, an approval, …)
// answers with a signing object from identity.PrepareSignature: the
// document (the bank's header and the action's canonical text), its
// checksum, the method and, for a key card, the key number. The client
// shows the document to the user and sends back here:
//
//   - checksum: the SHA-256 (hex) of exactly the document it showed
//     (SIGN-1); the bank refuses a mismatch;
//   - private users (method "signature-file"): signature, the base64
//     Ed25519 signature of auth.DocumentMessage(document), i.e. of
//     "netbank-sign-v1\n" + checksum, made with the key of the user's
//     signature file;
//   - business users (methods "keycard", "keyapp"): password, the user's
//     password again, and code, the key-card code for key_number or the
//     key app's code (BIZ-3).
//
// A wrong signature, password or code counts as a failed attempt and the
// third blocks the user (AUTH-5) — and with it every API key of the user.
// Once the bank has verified and stored the proof (SIGN-2), the kind's
// action runs (signedActions) with the document as the bank stored it; the
// kind comes from the bank's record, never from the request.
//
// Sending the proof again for a document that is signed already repeats
// the action, which is idempotent (a payment confirmed with this document
// is returned as it is), so a client that lost the answer can ask again.
//
// # Adding a kind
//
// One line in signedActions: the kind identity stores, and a method that
// reads what to do from the signed document, checks that it belongs to the
// caller's customer and is exactly the text the bank makes of it, does it,
// and returns what to answer (a field of signedResult).

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/identity"
)

// signedAction carries out a signed document of one kind for the caller of
// r (callerOf), and returns the outcome to answer with.
type signedAction func(s *Server, r *http.Request, doc identity.SignedDocument) (signedResult, error)

// signedActions are the kinds of signed documents the API carries out, by
// the kind identity stores.
var signedActions = map[string]signedAction{
	signKindPayment:         (*Server).paymentSigned,
	signKindPaymentApproval: (*Server).paymentApprovalSigned,
	signKindAgreement:       (*Server).agreementSigned,
	signKindPaymentBatch:    (*Server).paymentFileSigned,
}

// signedResult is what a signed action did; each kind fills its own field.
type signedResult struct {
	Payment     *paymentJSON     `json:"payment,omitempty"`
	Agreement   *agreementJSON   `json:"agreement,omitempty"`
	PaymentFile *paymentFileJSON `json:"payment_file,omitempty"`
}

// signedBody is the body of a signed document, what follows the bank's
// header, and the id its last line names after idLine ("\nBetaling: ");
// ok is false when it names none.
func signedBody(doc identity.SignedDocument, idLine string) (body, id string, ok bool) {
	_, body, found := strings.Cut(doc.Document, "\n\n")
	i := strings.LastIndex(body, idLine)
	if !found || i < 0 {
		return body, "", false
	}
	return body, strings.TrimSpace(body[i+len(idLine):]), true
}

// signedDocumentJSON is the bank's record of a signature (SIGN-2).
type signedDocumentJSON struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Checksum string `json:"checksum"`
	Method   string `json:"method"`
	SignedAt string `json:"signed_at"`
}

// signatureRequest is the body of POST /api/v1/signatures/{request_id}.
type signatureRequest struct {
	Checksum  string `json:"checksum"`
	Signature string `json:"signature"`
	Password  string `json:"password"`
	Code      string `json:"code"`
}

// handleSign answers POST /api/v1/signatures/{request_id}: the signed
// document and the outcome of its action.
func (s *Server) handleSign(w http.ResponseWriter, r *http.Request) {
	if s.identity == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Underskrift kan ikke bruges på denne server."))
		return
	}
	c := callerOf(r)
	var body signatureRequest
	if err := readJSON(r, &body); err != nil {
		WriteError(w, err)
		return
	}
	proof := identity.SignProof{Checksum: strings.ToLower(strings.TrimSpace(body.Checksum)), Password: body.Password,
		Code: strings.Join(strings.Fields(body.Code), "")}
	if proof.Checksum == "" {
		WriteError(w, invalid("Feltet checksum mangler: SHA-256 (hex) af dokumentet, som det blev vist."))
		return
	}
	if body.Signature != "" {
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(body.Signature))
		if err != nil {
			WriteError(w, invalid("Feltet signature skal være base64."))
			return
		}
		proof.Signature = sig
	}
	requestID := r.PathValue("request_id")
	doc, err := s.identity.ConfirmSignature(r.Context(), c.User.ID, requestID, proof, c.Actor())
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.ECONFLICT:
		// Signed already: repeat the action if it is this user's document
		// with this checksum (the action is idempotent).
		d, derr := s.identity.SignedDocument(r.Context(), requestID)
		if derr != nil || d.UserID != c.User.ID || d.Checksum != proof.Checksum {
			WriteError(w, err)
			return
		}
		doc = d
	case netbank.EUNAUTHORIZED:
		// A wrong proof or a lapsed request, not a wrong API key: 400, so
		// a client does not take it for a refused token.
		WriteError(w, invalid("%s", netbank.ErrorMessageOf(err)))
		return
	default:
		WriteError(w, err)
		return
	}
	act, ok := signedActions[doc.Kind]
	if !ok {
		WriteError(w, netbank.Errorf(netbank.EINVALID, "Dokumenter af typen %s kan ikke underskrives gennem API'et.", doc.Kind))
		return
	}
	res, err := act(s, r, doc)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, struct {
		Document signedDocumentJSON `json:"document"`
		signedResult
	}{signedDocumentJSON{ID: doc.ID, Kind: doc.Kind, Checksum: doc.Checksum, Method: doc.Method, SignedAt: stamp(doc.SignedAt)}, res})
}
