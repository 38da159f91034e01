package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
)

// Indlæs betalingsfil (RULES PAY-6, SIGN-2, BIZ-3, BIZ-5):
//
//	GET  /netbank/betalinger/fil                     upload form (file + default paying account) and the files loaded before
//	POST /netbank/betalinger/fil                     payment.LoadFile → the review (303), or the form again with the bank's message
//	GET  /netbank/betalinger/fil/{id}/gennemse       the review: every line, the bad ones with the reason, the totals
//	POST /netbank/betalinger/fil/{id}/underskriv     the signing page (kind "payment-batch") → payment.ConfirmBatch
//	POST /netbank/betalinger/fil/{id}/annuller       payment.CancelBatch ("Annullér")
//	GET  /netbank/betalinger/fil/{id}/kvittering     the batch's receipt: each payment's status, linked to its own receipt
//	POST /netbank/betalinger/fil/{id}/fortsaet       resumes a signed batch whose confirmation stopped midway (ConfirmBatch again)
//	GET  /netbank/betalinger/fil/konverter           the converter: upload a file, choose a format
//	POST /netbank/betalinger/fil/konverter           payfile.Convert → the converted file as a download, or the lines that failed
//
// The file is paid as one batch signed once (payment.BatchDocument);
// every payment of it still follows the rules of a single payment, the
// four-eyes limit included. Business users need the profile's "create"
// permission for everything here but the receipt, which "see" allows.
//
// The upload forms are multipart/form-data with the CSRF token as a
// hidden field like every other form: the CSRF check reads it from the
// multipart body (Request.PostFormValue parses it), before the handler
// runs. That parse is Go's (at most 32 MB in memory, the rest in temporary
// files removed after the request); the handlers then refuse a file over
// payment.MaxBatchFileSize.

const (
	signKindPaymentBatch = "payment-batch"
	// batchIDLine names the batch in its signed document
	// (payment.BatchDocument); its first occurrence is the one: no text
	// of a file can hold a line break.
	batchIDLine = "\nReference: "
	// payfileField is the form field of the uploaded file.
	payfileField = "file"
	// payfileAccept lists the file types the upload offers.
	payfileAccept = ".xml,.txt,.csv,.erh"
)

func init() {
	registerSignKind(signKindPaymentBatch, signKind{
		Title: "pf.sign.title", Lead: "pf.sign.lead", Submit: "pf.sign.submit",
		Back:   "/netbank/betalinger/fil",
		Signed: (*Server).payfileSigned,
	})
}

// registerPayfiles adds the payment-file pages (called from registerNetbank).
func (s *Server) registerPayfiles() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needPayments(h)) }
	s.Handle("GET /netbank/betalinger/fil", user(s.handlePayfileForm))
	s.Handle("POST /netbank/betalinger/fil", user(s.handlePayfileLoad))
	s.Handle("GET /netbank/betalinger/fil/{id}/gennemse", user(s.handlePayfileReview))
	s.Handle("POST /netbank/betalinger/fil/{id}/underskriv", user(s.handlePayfileSign))
	s.Handle("POST /netbank/betalinger/fil/{id}/annuller", user(s.handlePayfileCancel))
	s.Handle("GET /netbank/betalinger/fil/{id}/kvittering", user(s.handlePayfileReceipt))
	s.Handle("POST /netbank/betalinger/fil/{id}/fortsaet", user(s.handlePayfileResume))
	s.Handle("GET /netbank/betalinger/fil/konverter", user(s.handleConvertForm))
	s.Handle("POST /netbank/betalinger/fil/konverter", user(s.handleConvert))
}

func payfilePathOf(id string) string { return "/netbank/betalinger/fil/" + url.PathEscape(id) }

// readUpload reads the uploaded file of a multipart form: its base name and
// bytes, at most payment.MaxBatchFileSize. The error is a Danish message.
func readUpload(r *http.Request) (string, []byte, string) {
	lang := LangOf(r)
	f, hdr, err := r.FormFile(payfileField)
	if err != nil {
		return "", nil, T(lang, "pf.err.nofile")
	}
	defer f.Close()
	if hdr.Size > payment.MaxBatchFileSize {
		return "", nil, T(lang, "pf.err.size", payment.MaxBatchFileSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, payment.MaxBatchFileSize+1))
	if err != nil {
		return "", nil, T(lang, "pf.err.nofile")
	}
	if len(data) > payment.MaxBatchFileSize {
		return "", nil, T(lang, "pf.err.size", payment.MaxBatchFileSize>>20)
	}
	if len(data) == 0 {
		return "", nil, T(lang, "pf.err.empty")
	}
	return hdr.Filename, data, ""
}

// ---- the upload form ----

// payfileBatchItem is one loaded file in the list under the form.
type payfileBatchItem struct {
	ID, URL, FileName, Created, Status, StatusCode string
	Payments, Errors                               int
	Totals                                         []amountView
}

// payfileFormView is the Data of nb_payfile.
type payfileFormView struct {
	Accounts []payAccountOption
	From     string
	Error    string
	Notice   string
	Accept   string
	MaxMB    int
	MaxLines int
	Batches  []payfileBatchItem
	// Result is a file none of whose lines can be paid: its errors.
	Result *payfileView
}

func (s *Server) renderPayfileForm(w http.ResponseWriter, r *http.Request, status int, from, errMsg, notice string, result *payfileView) {
	p := PrincipalOf(r)
	ctx := r.Context()
	v := payfileFormView{From: from, Error: errMsg, Notice: notice, Accept: payfileAccept, MaxMB: payment.MaxBatchFileSize >> 20,
		MaxLines: payment.MaxBatchLines, Result: result}
	list, err := s.accounts.List(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Accounts = dkkOptions(list, from)
	if from == "" && len(v.Accounts) > 0 {
		// Nothing chosen yet: the first account.
		v.From, v.Accounts[0].Selected = v.Accounts[0].ID, true
	}
	batches, err := s.payments.Batches(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	for _, b := range batches {
		it := payfileBatchItem{ID: b.ID, URL: payfilePathOf(b.ID) + "/kvittering", FileName: b.FileName,
			Created: b.CreatedAt.In(s.zone).Format("02.01.2006 15.04"), Status: b.Status.Danish(), StatusCode: string(b.Status),
			Payments: len(b.Payments), Errors: len(b.Errors)}
		if b.Status == payment.BatchAwaitingSignature {
			it.URL = payfilePathOf(b.ID) + "/gennemse"
		}
		for _, t := range b.Totals {
			it.Totals = append(it.Totals, money(t.Amount, t.Currency))
		}
		v.Batches = append(v.Batches, it)
	}
	s.Render(w, r, status, "nb_payfile", v)
}

// handlePayfileForm draws "Indlæs betalingsfil".
func (s *Server) handlePayfileForm(w http.ResponseWriter, r *http.Request) {
	if !canCreatePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "loading files of")
		return
	}
	notice := ""
	if r.URL.Query().Get("besked") == "annulleret" {
		notice = T(LangOf(r), "pf.notice.cancelled")
	}
	s.renderPayfileForm(w, r, http.StatusOK, "", "", notice, nil)
}

// handlePayfileLoad loads the uploaded file and shows its review.
func (s *Server) handlePayfileLoad(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "loading files of")
		return
	}
	from := strings.TrimSpace(r.PostFormValue("from"))
	name, data, msg := readUpload(r)
	if msg != "" {
		s.renderPayfileForm(w, r, http.StatusBadRequest, from, msg, "", nil)
		return
	}
	b, err := s.payments.LoadFile(r.Context(), p.Customer.ID, p.User.ID, name, data, from)
	if err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID:
			s.renderPayfileForm(w, r, http.StatusBadRequest, from, netbank.ErrorMessageOf(err), "", nil)
		case netbank.ECONFLICT:
			s.renderPayfileForm(w, r, http.StatusConflict, from, netbank.ErrorMessageOf(err), "", nil)
		default:
			s.Error(w, r, err)
		}
		return
	}
	if b.ID == "" {
		// Not one line can be paid: the errors, under the form.
		v, err := s.payfileView(r, b, nil)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.renderPayfileForm(w, r, http.StatusUnprocessableEntity, from, T(LangOf(r), "pf.err.nolines"), "", &v)
		return
	}
	target := payfilePathOf(b.ID) + "/gennemse"
	if b.Status != payment.BatchAwaitingSignature {
		target = payfilePathOf(b.ID) + "/kvittering"
	}
	if b.Reloaded {
		target += "?besked=allerede"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// ---- review and receipt ----

// payfileRow is one line of the file on the review and the receipt.
type payfileRow struct {
	No int
	// Bad: the line is not paid; Reason says why (Danish).
	Bad    bool
	Reason string
	// The payment of a good line.
	PaymentID, URL     string
	Payee, Name        string
	Amount             amountView
	Date               string
	Text               string
	From               string
	Status, StatusCode string
	NeedsApproval      bool
}

// payfileView is the Data of nb_payfile_review and nb_payfile_receipt.
type payfileView struct {
	ID, URL          string
	FileName, Format string
	Lines            int
	Payments         int
	Bad              int
	Totals           []amountView
	Rows             []payfileRow
	Status           string
	StatusCode       string
	Created, Signed  string
	// Limit is the four-eyes limit when some payment is above it.
	Limit string
	// Reloaded: the user loaded this file before (?besked=allerede).
	Reloaded bool
	// Resumable: signed, but some payment still awaits its confirmation.
	Resumable bool
	Notice    string
}

// payfileView builds the review or receipt of a batch; ps are its
// payments (nil: read them).
func (s *Server) payfileView(r *http.Request, b payment.Batch, ps []payment.Payment) (payfileView, error) {
	ctx := r.Context()
	pr := PrincipalOf(r)
	lang := LangOf(r)
	v := payfileView{ID: b.ID, URL: payfilePathOf(b.ID), FileName: b.FileName, Format: string(b.Format), Lines: b.Lines,
		Payments: len(b.Payments), Bad: len(b.Errors), Status: b.Status.Danish(), StatusCode: string(b.Status),
		Created: b.CreatedAt.In(s.zone).Format("02.01.2006 15.04")}
	if !b.SignedAt.IsZero() {
		v.Signed = b.SignedAt.In(s.zone).Format("02.01.2006 15.04")
	}
	for _, t := range b.Totals {
		v.Totals = append(v.Totals, money(t.Amount, t.Currency))
	}
	if ps == nil && len(b.Payments) > 0 {
		var err error
		if ps, err = s.payments.BatchPayments(ctx, b); err != nil {
			return v, err
		}
	}
	var limit int64
	hasLimit := false
	if b.Status == payment.BatchAwaitingSignature && pr.User.Kind == identity.BusinessUser {
		var err error
		if limit, hasLimit, err = s.payments.ApprovalLimit(ctx, b.CustomerID); err != nil {
			return v, err
		}
	}
	froms := map[string]string{}
	fromLabel := func(id string) string {
		if l, ok := froms[id]; ok {
			return l
		}
		l := strings.Replace(id, "-", " ", 1)
		if a, err := s.accounts.Get(ctx, b.CustomerID, id); err == nil {
			l = accountName(a)
		}
		froms[id] = l
		return l
	}
	rows := make([]payfileRow, 0, len(ps)+len(b.Errors))
	for i, p := range ps {
		row := payfileRow{No: b.PaymentLines[i], PaymentID: p.ID, URL: paymentPathOf(p.ID) + "/kvittering", Name: p.ToName,
			Amount: money(p.Amount, p.Currency), Date: p.ExecutionDate.Format("02.01.2006"), Text: p.TextToRecipient,
			From: fromLabel(p.FromAccount), Status: payfileStatus(lang, p), StatusCode: string(p.Status)}
		switch p.Kind {
		case payment.SlipPayment:
			row.Payee = "+" + p.Slip.Type + " " + p.Slip.PaymentID
			if p.Slip.Creditor != "" {
				row.Payee += " +" + p.Slip.Creditor
			}
			if p.Slip.GiroAccount != "" {
				row.Payee += " " + p.Slip.GiroAccount
			}
		case payment.Foreign:
			row.Payee = p.Payee() + " (" + p.ToBIC + ")"
			row.Amount = money(p.Quote.Amount, p.Quote.Currency)
		default:
			row.Payee = p.Payee()
			if name, ok := dk.BankName(p.ToReg); ok {
				row.Payee += " (" + name + ")"
			}
		}
		if hasLimit && p.Amount > limit && p.Status == payment.AwaitingSignature {
			row.NeedsApproval, v.Limit = true, money(limit, "DKK").Text
		}
		if why := b.Failed[p.ID]; why != "" {
			row.Bad, row.Reason = true, why
		}
		if b.Status == payment.BatchSigned && p.Status == payment.AwaitingSignature && b.Failed[p.ID] == "" {
			v.Resumable = true
		}
		rows = append(rows, row)
	}
	for _, e := range b.Errors {
		reason := e.Message
		if e.Field != "" {
			reason = e.Field + ": " + e.Message
		}
		rows = append(rows, payfileRow{No: e.No, Bad: true, Reason: reason})
	}
	slices.SortStableFunc(rows, func(a, b payfileRow) int { return a.No - b.No })
	v.Rows = rows
	return v, nil
}

// payfileStatus is a payment's status on the batch pages.
func payfileStatus(lang Lang, p payment.Payment) string {
	switch p.Status {
	case payment.Settled:
		return T(lang, "pay.status.settled")
	case payment.Scheduled:
		return T(lang, "pay.status.scheduled", p.ExecutionDate.Format("02.01.2006"))
	case payment.AwaitingApproval:
		return T(lang, "pay.status.approval")
	case payment.InClearing:
		return T(lang, "pay.status.clearing")
	case payment.Rejected:
		s := T(lang, "pay.status.rejected")
		if p.FailureReason != "" {
			s += " – " + p.FailureReason
		}
		return s
	}
	return p.Status.Danish()
}

// batchOf reads the batch of the path for the logged-in customer.
func (s *Server) batchOf(r *http.Request) (payment.Batch, error) {
	return s.payments.Batch(r.Context(), PrincipalOf(r).Customer.ID, r.PathValue("id"))
}

// unsignedBatchOf reads the batch of the path for a user who may create
// payments (what names the action refused otherwise, as forbidPayments
// takes it). ok is false when the answer is written: the refusal, the
// error, or the way to the receipt of a file no longer awaiting signature.
func (s *Server) unsignedBatchOf(w http.ResponseWriter, r *http.Request, what string) (b payment.Batch, ok bool) {
	if !canCreatePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, what)
		return b, false
	}
	b, err := s.batchOf(r)
	if err != nil {
		s.Error(w, r, err)
		return b, false
	}
	if b.Status != payment.BatchAwaitingSignature {
		http.Redirect(w, r, payfilePathOf(b.ID)+"/kvittering", http.StatusSeeOther)
		return b, false
	}
	return b, true
}

// handlePayfileReview draws the review of a loaded file awaiting signature.
func (s *Server) handlePayfileReview(w http.ResponseWriter, r *http.Request) {
	b, ok := s.unsignedBatchOf(w, r, "loading files of")
	if !ok {
		return
	}
	v, err := s.payfileView(r, b, nil)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Reloaded = r.URL.Query().Get("besked") == "allerede"
	s.Render(w, r, http.StatusOK, "nb_payfile_review", v)
}

// handlePayfileReceipt draws a signed (or cancelled) file's receipt. A
// file loaded again after it was paid says so on every line.
func (s *Server) handlePayfileReceipt(w http.ResponseWriter, r *http.Request) {
	if !canSeePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	b, err := s.batchOf(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if b.Status == payment.BatchAwaitingSignature {
		http.Redirect(w, r, payfilePathOf(b.ID)+"/gennemse", http.StatusSeeOther)
		return
	}
	v, err := s.payfileView(r, b, nil)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := LangOf(r)
	if r.URL.Query().Get("besked") == "allerede" && b.Status == payment.BatchSigned {
		v.Reloaded = true
		v.Notice = T(lang, "pf.notice.already")
		for i := range v.Rows {
			if v.Rows[i].PaymentID != "" && !v.Rows[i].Bad {
				v.Rows[i].Reason = T(lang, "pf.already", v.Rows[i].PaymentID)
			}
		}
	}
	s.Render(w, r, http.StatusOK, "nb_payfile_receipt", v)
}

// handlePayfileCancel cancels an unsigned file ("Annullér").
func (s *Server) handlePayfileCancel(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "cancelling")
		return
	}
	if _, err := s.payments.CancelBatch(r.Context(), p.Customer.ID, r.PathValue("id"), p.User.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/betalinger/fil?besked=annulleret", http.StatusSeeOther)
}

// handlePayfileResume confirms the rest of a signed file whose
// confirmation stopped midway, with the document already signed.
func (s *Server) handlePayfileResume(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "signing")
		return
	}
	b, err := s.batchOf(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if b.Status == payment.BatchSigned {
		if _, err := s.payments.ConfirmBatch(r.Context(), p.Customer.ID, b.ID, b.SignedDocument, p.User.ID); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	http.Redirect(w, r, payfilePathOf(b.ID)+"/kvittering", http.StatusSeeOther)
}

// ---- signing ----

// batchDocument is the body the user signs to pay a loaded file.
func batchDocument(b payment.Batch, ps []payment.Payment) string {
	return payment.BatchDocument(b, ps)
}

// handlePayfileSign ("Godkend og underskriv") draws the signing page for
// a file awaiting its loader's signature.
func (s *Server) handlePayfileSign(w http.ResponseWriter, r *http.Request) {
	b, ok := s.unsignedBatchOf(w, r, "signing")
	if !ok {
		return
	}
	if b.CreatedBy != PrincipalOf(r).User.ID {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "Filen skal underskrives af den bruger, der har indlæst den."))
		return
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.beginSigning(w, r, signKindPaymentBatch, batchDocument(b, ps))
}

// payfileSigned confirms every payment of a file once its loader has
// signed the file's document; the ones for today are executed at once.
func (s *Server) payfileSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow signing payments")
	}
	_, body, found := strings.Cut(doc.Document, "\n\n")
	_, rest, named := strings.Cut("\n"+body, batchIDLine)
	id, _, _ := strings.Cut(rest, "\n")
	if !found || !named || id == "" {
		return "", netbank.Errorf(netbank.EINVALID, "web: signed document %s names no payment file", doc.ID)
	}
	b, err := s.payments.Batch(r.Context(), p.Customer.ID, strings.TrimSpace(id))
	if err != nil {
		return "", err
	}
	ps, err := s.payments.BatchPayments(r.Context(), b)
	if err != nil {
		return "", err
	}
	// SIGN-2: what was signed is exactly the bank's text of this file.
	if body != signCanonical(batchDocument(b, ps)) {
		return "", netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the text of payment file %s", doc.ID, b.ID)
	}
	if _, err := s.payments.ConfirmBatch(r.Context(), p.Customer.ID, b.ID, doc.ID, p.User.ID); err != nil {
		return "", err
	}
	return payfilePathOf(b.ID) + "/kvittering", nil
}

// ---- the converter ----

// convertFormat is a target format in the converter's select.
type convertFormat struct {
	Value, Label string
	Selected     bool
}

// convertView is the Data of nb_payfile_convert.
type convertView struct {
	Formats []convertFormat
	Accept  string
	MaxMB   int
	Error   string
	// Errors are the lines that could not be converted; SkipBad keeps the
	// "convert without them" box ticked.
	Errors   []payfile.LineError
	Source   string
	Lines    int
	SkipBad  bool
	FileName string
}

// formatLabel names a format in the converter.
func formatLabel(lang Lang, f payfile.Format) string {
	switch f {
	case payfile.Pain00100103:
		return T(lang, "pf.format.pain03")
	case payfile.Pain00100109:
		return T(lang, "pf.format.pain09")
	case payfile.ERH:
		return T(lang, "pf.format.erh")
	case payfile.CSV:
		return T(lang, "pf.format.csv")
	}
	return string(f)
}

func (s *Server) renderConvert(w http.ResponseWriter, r *http.Request, status int, v convertView, to payfile.Format) {
	lang := LangOf(r)
	v.Accept, v.MaxMB = payfileAccept, payment.MaxBatchFileSize>>20
	for _, f := range payfile.Formats {
		v.Formats = append(v.Formats, convertFormat{Value: string(f), Label: formatLabel(lang, f), Selected: f == to})
	}
	s.Render(w, r, status, "nb_payfile_convert", v)
}

// handleConvertForm draws the converter.
func (s *Server) handleConvertForm(w http.ResponseWriter, r *http.Request) {
	if !canCreatePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "converting files of")
		return
	}
	s.renderConvert(w, r, http.StatusOK, convertView{}, payfile.Pain00100109)
}

// handleConvert converts the uploaded file and sends it back as a
// download. Lines that cannot be converted are listed instead, unless the
// user asked to convert without them.
func (s *Server) handleConvert(w http.ResponseWriter, r *http.Request) {
	if !canCreatePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "converting files of")
		return
	}
	to := payfile.Format(r.PostFormValue("to"))
	v := convertView{SkipBad: r.PostFormValue("skip_bad") == "1"}
	if !slices.Contains(payfile.Formats, to) {
		v.Error = T(LangOf(r), "pf.err.format")
		s.renderConvert(w, r, http.StatusBadRequest, v, payfile.Pain00100109)
		return
	}
	name, data, msg := readUpload(r)
	if msg != "" {
		v.Error = msg
		s.renderConvert(w, r, http.StatusBadRequest, v, to)
		return
	}
	v.FileName = name
	// A pain.001 made from ERH or CSV is dated now (Danish time): its
	// creation time, and the date of lines "as soon as possible".
	out, f, err := payfile.ConvertWith(data, to, payfile.ConvertOptions{Now: s.clock.Now().In(s.zone)})
	v.Source, v.Errors, v.Lines = formatLabel(LangOf(r), f.Format), f.Errors, len(f.Lines)
	var coded *netbank.Error
	switch {
	case err != nil && errors.As(err, &coded) && coded.Code == netbank.EINVALID:
		v.Error = netbank.ErrorMessageOf(err)
		s.renderConvert(w, r, http.StatusUnprocessableEntity, v, to)
		return
	case err != nil:
		s.Error(w, r, err)
		return
	case len(f.Errors) > 0 && !v.SkipBad:
		s.renderConvert(w, r, http.StatusUnprocessableEntity, v, to)
		return
	}
	h := w.Header()
	h.Set("Content-Type", payfile.ContentType(to, out))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": payfile.ConvertedName(name, to)}))
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}
