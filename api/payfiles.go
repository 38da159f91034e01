package api

// Payment files and the converter (customer keys; RULES PAY-6, SIGN-2,
// BIZ-3, BIZ-5):
//
//	POST   /api/v1/payment-files        the raw file → payment.LoadFile → the batch, its bad lines and a signing object (kind "payment-batch")
//	GET    /api/v1/payment-files/{id}   a loaded file, its payments and bad lines
//	DELETE /api/v1/payment-files/{id}   cancel a file not yet signed (payment.CancelBatch)
//	POST   /api/v1/convert              the raw file → payfile.ConvertWith → the converted file
//
// The request body is the file itself, as it came from the bookkeeping
// system, with the Content-Type of its format: application/xml (or
// text/xml) for pain.001, text/plain for ERH, text/csv for CSV; the bank
// detects the format from the content (the Content-Type only says that
// the body is a file, not JSON). The file's name goes in the query
// parameter name, or in a Content-Disposition header with a filename
// (RFC 6266); it is kept with the batch and shown in the signed document.
// A file is at most payment.MaxBatchFileSize bytes, as in the net bank.
//
// A loaded file is paid as in the net bank's "Indlæs betalingsfil": every
// good line becomes a payment awaiting signature, every bad line is listed
// with its line number and the Danish reason, and the user signs the whole
// file once (payment.BatchDocument) at POST /api/v1/signatures/{request_id};
// the action of kind "payment-batch" (paymentFileSigned) then confirms
// every payment (payment.ConfirmBatch), the four-eyes limit included.
// Loading the same file again returns the earlier batch (200, reloaded):
// nothing is paid twice. A file none of whose lines can be paid is 422 with
// the lines' errors; nothing is kept.
//
// The converter answers the converted file itself (200) with the
// Content-Type of the target format and these headers:
//
//	Content-Disposition: attachment; filename="<name>-pain001v09.xml"
//	X-Source-Format:     the format the file was read as (pain.001.001.03, erh, …)
//	X-Converted-Lines:   how many payments the converted file holds
//	X-Skipped-Lines:     how many lines were left out (only with skip_bad=true)
//
// When lines cannot be converted it answers 422 with a JSON report of
// them (line number, field, Danish reason) and no file, unless the query
// asks skip_bad=true: then the good lines are converted and the rest only
// counted. A report in JSON rather than in headers keeps every reason
// however many lines fail, and a file that came back is always complete.
// Converting needs the profile's "create" permission, as in the net bank.

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
)

const (
	// signKindPaymentBatch is the kind of signed document of a whole file;
	// the net bank signs the same.
	signKindPaymentBatch = "payment-batch"
	// batchIDLine names the batch in its signed document
	// (payment.BatchDocument); its first occurrence is the one: no text of
	// a file can hold a line break.
	batchIDLine = "\nReference: "
	// statusNotLoaded is the status of a file none of whose lines can be
	// paid: the bank kept nothing of it.
	statusNotLoaded = "not_loaded"
)

// fileContentTypes are the Content-Types a payment file may be sent with.
var fileContentTypes = []string{"application/xml", "text/xml", "text/csv", "text/plain"}

// readFile reads the raw file of a request: its name (query name, or the
// Content-Disposition filename) and bytes, at most
// payment.MaxBatchFileSize.
func readFile(r *http.Request) (string, []byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(fileContentTypes, strings.ToLower(mt)) {
		return "", nil, invalid("Send filen som den er, med Content-Type application/xml (pain.001), text/plain (ERH) eller text/csv (CSV).")
	}
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
			name = params["filename"]
		}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, payment.MaxBatchFileSize+1))
	if err != nil {
		return "", nil, invalid("Filen kunne ikke læses.")
	}
	if len(data) > payment.MaxBatchFileSize {
		return "", nil, invalid("Filen er for stor: en betalingsfil må højst fylde %d MB.", payment.MaxBatchFileSize>>20)
	}
	if len(data) == 0 {
		return "", nil, invalid("Filen er tom.")
	}
	return name, data, nil
}

// lineErrorJSON is a line of a file that is not paid (or not converted).
type lineErrorJSON struct {
	// Line is the line's number in the file (the transaction's in a
	// pain.001); 0 for the file as a whole.
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func lineErrors(errs []payfile.LineError) []lineErrorJSON {
	return views(errs, func(e payfile.LineError) lineErrorJSON {
		return lineErrorJSON{Line: e.No, Field: e.Field, Message: e.Message}
	})
}

// paymentFileLineJSON is a good line of a loaded file: its payment.
type paymentFileLineJSON struct {
	Line    int         `json:"line"`
	Payment paymentJSON `json:"payment"`
	// Failed says why the payment was not confirmed when the file was
	// signed (its date passed meanwhile, …).
	Failed string `json:"failed,omitempty"`
}

// paymentFileJSON is a loaded payment file.
type paymentFileJSON struct {
	// ID is "" for a file none of whose lines can be paid (not kept).
	ID                 string                `json:"id"`
	FileName           string                `json:"file_name"`
	FileHash           string                `json:"file_hash"`
	Format             string                `json:"format"`
	Status             string                `json:"status"`
	StatusText         string                `json:"status_text"`
	DefaultFromAccount string                `json:"default_from_account,omitempty"`
	Lines              int                   `json:"lines"`
	Totals             []Money               `json:"totals"`
	Payments           []paymentFileLineJSON `json:"payments"`
	Errors             []lineErrorJSON       `json:"errors"`
	// Reloaded: the customer had loaded this file before, and this is
	// that batch.
	Reloaded    bool   `json:"reloaded"`
	CreatedAt   string `json:"created_at"`
	SignedAt    string `json:"signed_at,omitempty"`
	CancelledAt string `json:"cancelled_at,omitempty"`
}

// paymentFileView is a batch with its payments ps (in the order of
// b.Payments).
func paymentFileView(b payment.Batch, ps []payment.Payment) paymentFileJSON {
	v := paymentFileJSON{ID: b.ID, FileName: b.FileName, FileHash: b.FileHash, Format: string(b.Format), Status: string(b.Status),
		StatusText: b.Status.Danish(), DefaultFromAccount: b.DefaultFromAccount, Lines: b.Lines, Totals: []Money{},
		Payments: []paymentFileLineJSON{}, Errors: lineErrors(b.Errors), Reloaded: b.Reloaded, CreatedAt: stamp(b.CreatedAt),
		SignedAt: stamp(b.SignedAt), CancelledAt: stamp(b.CancelledAt)}
	if b.ID == "" {
		v.Status, v.StatusText = statusNotLoaded, "Ikke indlæst: ingen af filens linjer kan betales"
	}
	for _, t := range b.Totals {
		v.Totals = append(v.Totals, money(t.Amount, t.Currency))
	}
	for i, p := range ps {
		line := paymentFileLineJSON{Payment: paymentView(p), Failed: b.Failed[p.ID]}
		if i < len(b.PaymentLines) {
			line.Line = b.PaymentLines[i]
		}
		v.Payments = append(v.Payments, line)
	}
	return v
}

// paymentFileWithSigning is the answer of a load.
type paymentFileWithSigning struct {
	PaymentFile paymentFileJSON `json:"payment_file"`
	Signing     *signingJSON    `json:"signing"`
}

// handleLoadPaymentFile answers POST /api/v1/payment-files: the batch
// awaiting signature (201) with the document to sign, the earlier batch
// for a file loaded before (200), or the bad lines of a file that cannot
// be paid at all (422).
func (s *Server) handleLoadPaymentFile(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	c := callerOf(r)
	name, data, err := readFile(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	from := strings.TrimSpace(r.URL.Query().Get("from_account"))
	b, err := s.payments.LoadFile(r.Context(), c.Customer(), c.User.ID, name, data, from)
	if err != nil {
		WriteError(w, err)
		return
	}
	if b.ID == "" {
		WriteJSON(w, http.StatusUnprocessableEntity, paymentFileWithSigning{PaymentFile: paymentFileView(b, nil)})
		return
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	if err != nil {
		WriteError(w, err)
		return
	}
	out := paymentFileWithSigning{PaymentFile: paymentFileView(b, ps)}
	if b.Status == payment.BatchAwaitingSignature && b.CreatedBy == c.User.ID {
		sr, err := s.identity.PrepareSignature(r.Context(), c.User.ID, signKindPaymentBatch, payment.BatchDocument(b, ps))
		if err != nil {
			WriteError(w, err)
			return
		}
		out.Signing = signingView(sr)
	}
	status := http.StatusCreated
	if b.Reloaded {
		status = http.StatusOK
	}
	WriteJSON(w, status, out)
}

// loadBatch reads the customer's batch of the request's {id} and its
// payments.
func (s *Server) loadBatch(r *http.Request) (payment.Batch, []payment.Payment, error) {
	b, err := s.payments.Batch(r.Context(), callerOf(r).Customer(), r.PathValue("id"))
	if err != nil {
		return b, nil, err
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	return b, ps, err
}

// handlePaymentFile answers GET /api/v1/payment-files/{id}.
func (s *Server) handlePaymentFile(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	b, ps, err := s.loadBatch(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, paymentFileView(b, ps))
}

// handleCancelPaymentFile answers DELETE /api/v1/payment-files/{id}: the
// batch cancelled with its unsigned payments; a signed file is 409.
func (s *Server) handleCancelPaymentFile(w http.ResponseWriter, r *http.Request) {
	if !s.needPayments(w) {
		return
	}
	c := callerOf(r)
	b, err := s.payments.CancelBatch(r.Context(), c.Customer(), r.PathValue("id"), c.User.ID)
	if err != nil {
		WriteError(w, err)
		return
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	if err != nil {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, paymentFileView(b, ps))
}

// paymentFileSigned confirms every payment of a file once its loader has
// signed the file's document (SIGN-2: exactly the bank's text of the
// file); the ones for today are executed at once. The proof sent again for
// a file signed with this document resumes a confirmation that stopped
// midway.
func (s *Server) paymentFileSigned(r *http.Request, doc identity.SignedDocument) (signedResult, error) {
	c := callerOf(r)
	if !c.User.Can(identity.PermCreate) {
		return signedResult{}, errProfile
	}
	_, body, found := strings.Cut(doc.Document, "\n\n")
	_, rest, named := strings.Cut("\n"+body, batchIDLine)
	id, _, _ := strings.Cut(rest, "\n")
	if !found || !named || strings.TrimSpace(id) == "" {
		return signedResult{}, netbank.Errorf(netbank.EINVALID, "api: signed document %s names no payment file", doc.ID)
	}
	b, err := s.payments.Batch(r.Context(), c.Customer(), strings.TrimSpace(id))
	if err != nil {
		return signedResult{}, err
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	if err != nil {
		return signedResult{}, err
	}
	// A retry of this very signature was checked the first time; the
	// payments may have moved on since (executed at today's rate).
	retry := b.Status == payment.BatchSigned && b.SignedDocument == doc.ID
	if !retry && body != payment.BatchDocument(b, ps) {
		return signedResult{}, netbank.Errorf(netbank.ECONFLICT, "Det underskrevne dokument svarer ikke til betalingsfilen %s.", b.ID)
	}
	if b, err = s.payments.ConfirmBatch(r.Context(), c.Customer(), b.ID, doc.ID, c.User.ID); err != nil {
		return signedResult{}, err
	}
	if ps, err = s.payments.BatchPayments(r.Context(), b); err != nil {
		return signedResult{}, err
	}
	v := paymentFileView(b, ps)
	return signedResult{PaymentFile: &v}, nil
}

// ---- the converter ----

// conversionReportJSON lists the lines of a file that cannot be converted.
type conversionReportJSON struct {
	SourceFormat string          `json:"source_format"`
	To           string          `json:"to"`
	Convertible  int             `json:"convertible"`
	Errors       []lineErrorJSON `json:"errors"`
}

// formatParam reads a format query parameter (ok false when absent).
func formatParam(r *http.Request, name string) (payfile.Format, bool, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return "", false, nil
	}
	f := payfile.Format(strings.ToLower(v))
	if !slices.Contains(payfile.Formats, f) {
		var names []string
		for _, f := range payfile.Formats {
			names = append(names, string(f))
		}
		return "", false, invalid("Parameteren %s skal være et af formaterne %s.", name, strings.Join(names, ", "))
	}
	return f, true, nil
}

// handleConvert answers POST /api/v1/convert?to=<format>[&from=<format>]
// [&skip_bad=true][&name=<file name>]: the converted file, or 422 with the
// lines that cannot be converted.
func (s *Server) handleConvert(w http.ResponseWriter, r *http.Request) {
	to, ok, err := formatParam(r, "to")
	if err == nil && !ok {
		err = invalid("Parameteren to mangler: det format, filen skal konverteres til.")
	}
	if err != nil {
		WriteError(w, err)
		return
	}
	from, _, err := formatParam(r, "from")
	if err != nil {
		WriteError(w, err)
		return
	}
	skipBad := false
	switch r.URL.Query().Get("skip_bad") {
	case "", "false":
	case "true":
		skipBad = true
	default:
		WriteError(w, invalid("Parameteren skip_bad skal være true eller false."))
		return
	}
	name, data, err := readFile(r)
	if err != nil {
		WriteError(w, err)
		return
	}
	// A pain.001 made from ERH or CSV is dated now (Danish time), as in
	// the net bank.
	out, f, err := payfile.ConvertWith(data, to, payfile.ConvertOptions{From: from, Now: s.clock.Now().In(copenhagen)})
	report := conversionReportJSON{SourceFormat: string(f.Format), To: string(to), Convertible: len(f.Lines), Errors: lineErrors(f.Errors)}
	var coded *netbank.Error
	switch {
	case err != nil && errors.As(err, &coded) && coded.Code == netbank.EINVALID && len(f.Errors) > 0:
		report.Convertible = 0
		WriteJSON(w, http.StatusUnprocessableEntity, report)
		return
	case err != nil:
		WriteError(w, err)
		return
	case len(f.Errors) > 0 && !skipBad:
		WriteJSON(w, http.StatusUnprocessableEntity, report)
		return
	}
	h := w.Header()
	h.Set("Content-Type", payfile.ContentType(to, out))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": payfile.ConvertedName(strings.TrimSpace(name), to)}))
	h.Set("Content-Length", strconv.Itoa(len(out)))
	h.Set("X-Source-Format", string(f.Format))
	h.Set("X-Converted-Lines", strconv.Itoa(len(f.Lines)))
	if skipBad {
		h.Set("X-Skipped-Lines", strconv.Itoa(len(f.Errors)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}
