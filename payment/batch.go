package payment

// Payment files ("Indlæs betalingsfil", RULE PAY-6), paid as one signed
// batch (SIGN-2, BIZ-3, BIZ-5).
//
// # Loading
//
// LoadFile reads a file with payfile.Parse (pain.001.001.03/.09, ERH or
// CSV) and turns every good line into a payment awaiting signature with
// Create, exactly as if it had been typed into "Ny betaling": every rule
// of Create applies per line, and a line Create refuses (a wrong
// registration number, a date in the past, a text too long, …) becomes a
// LineError with Create's Danish message, as does a line the file itself
// could not give. The paying account of a line is the one the file names
// (reg. no. + account number, or IBAN), which must be one of the
// customer's own accounts — a line naming any other account is an error
// that says only that it is not one of the customer's accounts, whether it
// exists or not — or else the default account the user chose.
//
// The lines and the errors are kept as a Batch (the batches table and its
// lines). A file whose lines all fail is not kept: LoadFile returns a
// batch without an id that lists the errors.
//
// # Never paid twice
//
// A file is known by the SHA-256 of its bytes. Loading a file the customer
// has loaded before returns the earlier batch (Reloaded): still awaiting
// signature, or signed — then every line is reported as already paid
// (Already) and nothing new is created. Only a cancelled batch, or one left
// unsigned past the payments' draft time (Config.DraftTTL, then cancelled
// here), lets the same file be loaded afresh. A database index allows one
// batch per customer and file that is not cancelled, so two loads at once
// end in one batch. Underneath, each payment's client id derives from the
// file's hash, the number of earlier (cancelled) loads of it and the line
// number, "file-<24 hex of the hash>[.<n>]-<line>", and Create is
// idempotent on the client id: a load retried after a crash creates the
// same payments, never new ones.
//
// # Signing
//
// BatchDocument is the one text the user signs for the whole file: the
// file's name, hash and format, the number of payments, the total per
// currency, and one line per payment with its payee, amount and date.
// ConfirmBatch records the signature on the batch and then confirms each
// payment with Confirm and the same signed document, so every rule of
// Confirm applies to each payment, including the four-eyes limit (a
// payment above it waits for a second user, BIZ-5) and the execution of
// what is due today. This is idempotent per payment, not one transaction:
// ConfirmBatch called again with the same document resumes a run that
// stopped midway (a crash, a lost connection) and leaves the payments
// already confirmed as they are. A payment that Confirm refuses (its date
// passed while the file waited, it was deleted on its own) is noted on the
// batch with Confirm's reason (Failed) and stays unpaid.
//
// The size of what one signature may cover bounds a file: MaxBatchLines
// lines, and a BatchDocument of at most MaxBatchDocument bytes (the
// identity service signs documents up to 64 KiB).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/payfile"
)

// Limits of payment files.
const (
	// MaxBatchFileSize bounds the bytes of one file (2 MiB: far above
	// what MaxBatchLines lines take in any of the formats).
	MaxBatchFileSize = 2 << 20
	// MaxBatchLines bounds the payments (good and bad lines) of one file.
	// One signature covers the whole file, and the signed text names every
	// payment, so the bound follows from MaxBatchDocument.
	MaxBatchLines = 500
	// MaxBatchDocument bounds BatchDocument, leaving room within the
	// identity service's 64 KiB for the header it adds.
	MaxBatchDocument = 60 << 10
	// maxFileName bounds the file name kept with a batch.
	maxFileName = 100
)

// BatchStatus is where a loaded file stands.
type BatchStatus string

// The states of a batch: awaiting_signature → signed, or → cancelled.
const (
	BatchAwaitingSignature BatchStatus = "awaiting_signature"
	BatchSigned            BatchStatus = "signed"
	BatchCancelled         BatchStatus = "cancelled"
)

// Danish names the status for pages.
func (s BatchStatus) Danish() string {
	switch s {
	case BatchAwaitingSignature:
		return "Afventer underskrift"
	case BatchSigned:
		return "Underskrevet"
	case BatchCancelled:
		return "Annulleret"
	}
	return string(s)
}

// Batch is a loaded payment file: its payments and the lines that could
// not be paid.
type Batch struct {
	ID         string // "bat_…"
	CustomerID string
	// CreatedBy is the user who loaded the file; only they can sign it
	// (as with a single payment).
	CreatedBy string
	// FileName is the name the file was uploaded with (base name only).
	FileName string
	// FileHash is the SHA-256 of the file's bytes (hex).
	FileHash string
	Format   payfile.Format
	// DefaultFromAccount is the account id lines that name no account of
	// their own are paid from ("" if the user chose none).
	DefaultFromAccount string
	// Payments are the ids of the payments made of the good lines, in line
	// order; PaymentLines the line number in the file of each.
	Payments     []string
	PaymentLines []int
	// Errors are the lines that are not paid, with the reason in Danish,
	// in line order (No 0: about the whole file).
	Errors []payfile.LineError
	// Lines counts the payment lines of the file, good and bad.
	Lines int
	// Totals are the sums of the payments as the file gives them, one per
	// currency, by currency code.
	Totals []netbank.Money
	Status BatchStatus
	// SignedDocument is the id of the signed document (identity) that
	// confirmed every payment of the batch.
	SignedDocument string
	CreatedAt      time.Time
	SignedAt       time.Time
	CancelledAt    time.Time
	CancelledBy    string
	// Failed says, for a payment of the batch that Confirm refused at
	// signing, why (Danish). Nil when every payment was confirmed.
	Failed map[string]string

	// Reloaded is set by LoadFile when the customer had loaded the same
	// file before and this is that earlier batch (not stored).
	Reloaded bool
	// Already is set by LoadFile for a reloaded, signed batch: every
	// payment line, reported as already paid (not stored).
	Already []payfile.LineError
}

// BatchStore is what payment files need from persistence beside Store. The
// store given to New implements it too (package store does); without it
// the batch methods answer EUNAVAILABLE.
type BatchStore interface {
	// BatchTx runs fn in one read-write transaction (re-run on conflicts).
	BatchTx(ctx context.Context, fn func(BatchTx) error) error
	// Batches lists a customer's batches, newest first, at most limit.
	Batches(ctx context.Context, customerID string, limit int) ([]Batch, error)
}

// BatchTx is a read-write transaction over batches.
type BatchTx interface {
	// InsertBatch stores a new batch with its lines (payments and errors).
	InsertBatch(ctx context.Context, b Batch) error
	// UpdateBatch writes a batch's changing state: status, signature,
	// cancellation and Failed.
	UpdateBatch(ctx context.Context, b Batch) error
	// GetBatch returns the batch if it belongs to customerID (ENOTFOUND
	// otherwise), locked until commit when forUpdate.
	GetBatch(ctx context.Context, customerID, id string, forUpdate bool) (Batch, error)
	// ActiveBatch returns the customer's batch of the file with this hash
	// that is not cancelled (ENOTFOUND if none).
	ActiveBatch(ctx context.Context, customerID, fileHash string, forUpdate bool) (Batch, error)
	// CountBatches counts the customer's batches of the file, cancelled or not.
	CountBatches(ctx context.Context, customerID, fileHash string) (int, error)
}

func (s *Service) batchStore() (BatchStore, error) {
	bs, ok := s.store.(BatchStore)
	if !ok {
		return nil, netbank.Errorf(netbank.EUNAVAILABLE, "payment: the store keeps no payment files")
	}
	return bs, nil
}

func batchNotFound(err error) error {
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return netbank.Errorf(netbank.ENOTFOUND, "Den indlæste fil findes ikke.")
	}
	return err
}

// alreadyPaid is the message of a line whose payment exists and is signed.
func alreadyPaid(id string) string { return "Allerede betalt/indlæst (betaling " + id + ")." }

// cleanFileName keeps the base name of an uploaded file, without control
// characters, at most maxFileName characters.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	if name == "." || name == "/" || !utf8.ValidString(name) {
		return "betalingsfil"
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > maxFileName {
		name = string(r[:maxFileName])
	}
	if name == "" {
		return "betalingsfil"
	}
	return name
}

// batchExpired reports whether an unsigned batch is older than the drafts it
// holds may be (their lapse cancels them, ExecuteDue).
func (s *Service) batchExpired(b Batch, now time.Time) bool {
	return b.Status == BatchAwaitingSignature && !now.Before(b.CreatedAt.Add(s.cfg.DraftTTL))
}

// LoadFile reads a payment file (data, uploaded as fileName) for a
// customer's user and makes a payment awaiting signature of every line
// that can be paid; see the file comment. defaultFromAccount (an account
// id, may be empty) pays the lines that name no account. A file that
// cannot be read at all, or has more than MaxBatchLines lines, is
// EINVALID with a Danish message. A file another user of the customer
// loaded and has not signed yet is ECONFLICT (only that user can sign or
// it can be cancelled).
func (s *Service) LoadFile(ctx context.Context, customerID, userID, fileName string, data []byte, defaultFromAccount string) (Batch, error) {
	if customerID == "" || userID == "" {
		return Batch{}, invalid("Kunde og bruger skal angives.")
	}
	if len(data) == 0 {
		return Batch{}, invalid("Filen er tom.")
	}
	if len(data) > MaxBatchFileSize {
		return Batch{}, invalid("Filen er for stor: en betalingsfil må højst fylde %d MB.", MaxBatchFileSize>>20)
	}
	bs, err := s.batchStore()
	if err != nil {
		return Batch{}, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	now := s.now()

	// A file loaded before: that batch, unless it lapsed or the same user
	// now chose another default account (then it is replaced).
	var found, replaced Batch
	var generation int
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		found, replaced = Batch{}, Batch{}
		b, err := tx.ActiveBatch(ctx, customerID, hash, true)
		switch {
		case err == nil && (s.batchExpired(b, now) ||
			b.Status == BatchAwaitingSignature && b.CreatedBy == userID && b.DefaultFromAccount != defaultFromAccount):
			b.Status, b.CancelledAt, b.CancelledBy = BatchCancelled, now, userID
			if err := tx.UpdateBatch(ctx, b); err != nil {
				return err
			}
			replaced = b
		case err == nil:
			found = b
			return nil
		case netbank.ErrorCodeOf(err) != netbank.ENOTFOUND:
			return err
		}
		generation, err = tx.CountBatches(ctx, customerID, hash)
		return err
	})
	if err != nil {
		return Batch{}, err
	}
	if replaced.ID != "" {
		if err := s.cancelPayments(ctx, replaced, userID); err != nil {
			return Batch{}, err
		}
	}
	if found.ID != "" {
		return s.reloaded(found, userID)
	}

	file, err := payfile.Parse(data)
	if err != nil {
		if netbank.ErrorCodeOf(err) == netbank.EINVALID && netbank.ErrorMessageOf(err) != "" {
			return Batch{}, err
		}
		return Batch{}, invalid("Filen kunne ikke læses som en betalingsfil (pain.001, ERH eller CSV).")
	}
	lines := len(file.Lines)
	badLines := map[int]bool{}
	for _, e := range file.Errors {
		if e.No > 0 && !badLines[e.No] {
			badLines[e.No] = true
			lines++
		}
	}
	if lines == 0 {
		if len(file.Errors) > 0 {
			return Batch{}, invalid("Filen kunne ikke læses: %s", file.Errors[0].Error())
		}
		return Batch{}, invalid("Filen indeholder ingen betalinger.")
	}
	if lines > MaxBatchLines {
		return Batch{}, invalid("Filen har %d betalinger; der kan højst indlæses %d ad gangen. Del filen op i flere.", lines, MaxBatchLines)
	}

	b := Batch{ID: newID("bat"), CustomerID: customerID, CreatedBy: userID, FileName: cleanFileName(fileName), FileHash: hash,
		Format: file.Format, DefaultFromAccount: defaultFromAccount, Lines: lines, Status: BatchAwaitingSignature, CreatedAt: now}
	b.Errors = append(b.Errors, file.Errors...)
	prefix := "file-" + hash[:24]
	if generation > 0 {
		prefix += "." + strconv.Itoa(generation)
	}
	owned := map[string]error{}
	seen := map[int]bool{}
	var made []Payment
	amounts := map[string]int64{}
	for _, l := range file.Lines {
		if seen[l.No] {
			b.Errors = append(b.Errors, payfile.LineError{No: l.No, Message: "Linjenummeret findes to gange i filen."})
			continue
		}
		seen[l.No] = true
		req, lineErr, err := s.lineRequest(ctx, customerID, userID, l, defaultFromAccount, owned)
		if err != nil {
			return Batch{}, err
		}
		if lineErr != nil {
			b.Errors = append(b.Errors, *lineErr)
			continue
		}
		req.ClientID = prefix + "-" + strconv.Itoa(l.No)
		p, err := s.Create(ctx, req)
		switch netbank.ErrorCodeOf(err) {
		case "":
		case netbank.EINVALID, netbank.EINSUFFICIENT, netbank.ECONFLICT:
			b.Errors = append(b.Errors, payfile.LineError{No: l.No, Message: netbank.ErrorMessageOf(err)})
			continue
		case netbank.EUNAVAILABLE:
			if l.Kind != payfile.Foreign {
				return Batch{}, err
			}
			// No price for a foreign transfer now: that line only.
			b.Errors = append(b.Errors, payfile.LineError{No: l.No, Message: netbank.ErrorMessageOf(err)})
			continue
		default:
			return Batch{}, err
		}
		if p.Status != AwaitingSignature {
			b.Errors = append(b.Errors, payfile.LineError{No: l.No, Message: alreadyPaid(p.ID)})
			continue
		}
		made = append(made, p)
		b.Payments = append(b.Payments, p.ID)
		b.PaymentLines = append(b.PaymentLines, l.No)
		amounts[lineCurrency(l)] += l.Amount
	}
	sort.SliceStable(b.Errors, func(i, j int) bool { return b.Errors[i].No < b.Errors[j].No })
	b.Totals = totals(amounts)
	if len(made) == 0 {
		return Batch{CustomerID: customerID, CreatedBy: userID, FileName: b.FileName, FileHash: hash, Format: file.Format,
			DefaultFromAccount: defaultFromAccount, Errors: b.Errors, Lines: lines, CreatedAt: now}, nil
	}
	if n := len(BatchDocument(b, made)); n > MaxBatchDocument {
		_ = s.cancelPayments(ctx, b, userID)
		return Batch{}, invalid("Filen har for mange betalinger til at blive underskrevet samlet. Del den op i flere filer (højst %d betalinger pr. fil).",
			len(made)*MaxBatchDocument/n)
	}

	stored := b
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		old, err := tx.ActiveBatch(ctx, customerID, hash, true)
		if err == nil { // loaded at the same moment elsewhere
			stored = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		stored = b
		return tx.InsertBatch(ctx, b)
	})
	if err != nil {
		return Batch{}, err
	}
	if stored.ID != b.ID {
		return s.reloaded(stored, userID)
	}
	return b, nil
}

// reloaded is LoadFile's answer for a file loaded before.
func (s *Service) reloaded(b Batch, userID string) (Batch, error) {
	if b.Status == BatchAwaitingSignature && b.CreatedBy != userID {
		return Batch{}, netbank.Errorf(netbank.ECONFLICT,
			"Filen er allerede indlæst af en anden bruger og venter på dennes underskrift. Den kan annulleres under Indlæs betalingsfil.")
	}
	b.Reloaded = true
	if b.Status == BatchSigned {
		for i, id := range b.Payments {
			b.Already = append(b.Already, payfile.LineError{No: b.PaymentLines[i], Message: alreadyPaid(id)})
		}
	}
	return b, nil
}

// lineCurrency is a line's currency ("DKK" when the file gives none).
func lineCurrency(l payfile.Line) string {
	if l.Currency == "" {
		return "DKK"
	}
	return l.Currency
}

// totals lists per-currency sums by currency code.
func totals(amounts map[string]int64) []netbank.Money {
	var out []netbank.Money
	for cur, a := range amounts {
		out = append(out, netbank.NewMoney(a, cur))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// lineRequest maps one line of a file to a payment request. A line that
// cannot be a payment gives a LineError; err is for failures of the bank.
// owned caches which account ids are the customer's.
func (s *Service) lineRequest(ctx context.Context, customerID, userID string, l payfile.Line, defaultFrom string,
	owned map[string]error) (Request, *payfile.LineError, error) {
	lineErr := func(field, format string, args ...any) (Request, *payfile.LineError, error) {
		return Request{}, &payfile.LineError{No: l.No, Field: field, Message: fmt.Sprintf(format, args...)}, nil
	}
	r := Request{CustomerID: customerID, UserID: userID, Amount: l.Amount, Date: l.Date, Instant: l.Instant,
		ToName: l.ToName, TextToSelf: l.TextToSelf, TextToRecipient: l.TextToRecipient}

	// The paying account: the line's own, which must be the customer's.
	reg, number, named := l.FromReg, l.FromAccount, l.FromReg != "" || l.FromAccount != ""
	shown := strings.TrimSpace(reg + " " + number)
	if !named && l.FromIBAN != "" {
		named, shown = true, dk.FormatIBAN(l.FromIBAN)
		var err error
		if reg, number, err = dk.SplitDanishIBAN(l.FromIBAN); err != nil {
			return lineErr("fra konto", "Kontoen %s er ikke en af dine konti.", shown)
		}
	}
	switch {
	case named:
		n, err := normalizeAccountNumber(number)
		if err != nil || dk.ValidReg(reg) != nil {
			return lineErr("fra konto", "Kontoen %s er ikke en af dine konti.", shown)
		}
		id := account.ID(strings.TrimSpace(reg), n)
		ownErr, known := owned[id]
		if !known {
			_, ownErr = s.accounts.Get(ctx, customerID, id)
			if ownErr != nil && netbank.ErrorCodeOf(ownErr) != netbank.ENOTFOUND {
				return Request{}, nil, ownErr
			}
			owned[id] = ownErr
		}
		if ownErr != nil {
			// The same words whether the account is another customer's or
			// does not exist: a file never tells whose an account is.
			return lineErr("fra konto", "Kontoen %s er ikke en af dine konti.", shown)
		}
		r.FromAccount = id
	case defaultFrom != "":
		r.FromAccount = defaultFrom
	default:
		return lineErr("fra konto", "Linjen angiver ikke, hvilken konto der skal betales fra. Vælg en konto at betale fra.")
	}

	switch l.Kind {
	case payfile.Transfer, payfile.Slip:
		if cur := lineCurrency(l); cur != "DKK" {
			return lineErr("valuta", "Overførsler til danske konti og indbetalingskort betales i kroner, ikke i %s.", cur)
		}
		if l.Kind == payfile.Slip {
			r.SlipType, r.SlipPaymentID, r.SlipAccount = l.SlipType, l.SlipPaymentID, l.SlipCreditor
		} else {
			r.ToReg, r.ToAccount = l.ToReg, l.ToAccount
		}
	case payfile.Foreign:
		return foreignLineRequest(r, l)
	default:
		return lineErr("", "Ukendt type betaling.")
	}
	return r, nil, nil
}

// foreignLineRequest maps a foreign transfer of a file (PAY-5): the
// payee's IBAN, BIC, address and country, the amount in the line's
// currency; Create prices it.
func foreignLineRequest(r Request, l payfile.Line) (Request, *payfile.LineError, error) {
	r.ToIBAN, r.ToBIC, r.ToAddress, r.ToCountry = l.ToIBAN, l.ToBIC, l.ToAddress, l.ToCountry
	r.Currency = lineCurrency(l)
	return r, nil, nil
}

// cancelPayments cancels the payments of a batch that are still awaiting
// signature (drafts); others are left as they are.
func (s *Service) cancelPayments(ctx context.Context, b Batch, by string) error {
	for _, id := range b.Payments {
		p, err := s.Get(ctx, b.CustomerID, id)
		if err != nil {
			return err
		}
		if p.Status != AwaitingSignature {
			continue
		}
		if _, err := s.Cancel(ctx, b.CustomerID, id, by); err != nil && netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			return err
		}
	}
	return nil
}

// BatchDocument is the canonical text the user signs once for a whole
// file (SIGN-1, SIGN-2): the file (name, SHA-256, format), the batch's id
// ("Reference: bat_…", the first line so named: no text of a file holds
// a line break), the number of payments, the total per currency, the
// lines that are not paid, and one line per payment with its line number,
// payee, amount (a foreign transfer's with rate, kroner and fee), date
// and (when the payments do not all pay from one account) the paying
// account. payments are the batch's payments in the order of b.Payments.
func BatchDocument(b Batch, payments []Payment) string {
	var sb strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&sb, "%s: %s\n", label, value)
		}
	}
	line("Betalingsfil", b.FileName)
	line("Format", string(b.Format))
	line("Filens SHA-256", b.FileHash)
	line("Reference", b.ID)
	line("Antal betalinger", strconv.Itoa(len(payments)))
	for _, t := range b.Totals {
		line("I alt", t.String())
	}
	if len(b.Errors) > 0 {
		var nos []string
		for _, e := range b.Errors {
			if e.No > 0 && (len(nos) == 0 || nos[len(nos)-1] != strconv.Itoa(e.No)) {
				nos = append(nos, strconv.Itoa(e.No))
			}
		}
		line("Linjer der ikke betales", strings.Join(nos, ", "))
	}
	from, common := "", true
	for i, p := range payments {
		if i == 0 {
			from = p.FromAccount
		} else if p.FromAccount != from {
			common = false
		}
	}
	if common {
		line("Fra konto", strings.Replace(from, "-", " ", 1))
	}
	sb.WriteString("\n")
	for i, p := range payments {
		no := i + 1
		if i < len(b.PaymentLines) {
			no = b.PaymentLines[i]
		}
		fmt.Fprintf(&sb, "Linje %d: %s", no, batchPayee(p))
		if p.ToName != "" {
			sb.WriteString(", " + p.ToName)
		}
		sb.WriteString(", " + batchAmount(p) + ", " + danishDate(p.ExecutionDate))
		if p.Instant {
			sb.WriteString(", straks")
		}
		if !common {
			sb.WriteString(", fra " + strings.Replace(p.FromAccount, "-", " ", 1))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// batchPayee is a payment's payee in a batch's document.
func batchPayee(p Payment) string {
	if p.Kind == SlipPayment {
		return p.Slip.CodeLine()
	}
	return p.Payee()
}

// batchAmount is a payment's amount in a batch's document; for a foreign
// transfer the amount the payee receives, the rate, the kroner and the
// fee (PAY-5), the rate said to be indicative when it is.
func batchAmount(p Payment) string {
	if p.Kind != Foreign {
		return p.Money().String()
	}
	q := p.Quote
	s := netbank.NewMoney(q.Amount, q.Currency).String()
	if q.Currency != "DKK" {
		s += " til kurs " + FormatRate(q.CustomerRate)
		if !p.RateFixed {
			s += " (vejledende)"
		}
	}
	return s + " = " + kroner(q.DKK) + " + gebyr " + kroner(q.Fee)
}

// ConfirmBatch records that the user signed the batch's document
// (signedDocumentID names the identity.SignedDocument the caller verified)
// and confirms every payment of the batch with it (Confirm): each is then
// scheduled, waits for a second user's approval above the customer's
// limit (BIZ-5), or is executed at once when due today. signer must be the
// user who loaded the file. Idempotent: called again with the same
// document it resumes an interrupted run (see the file comment). The
// returned batch has Failed set for payments Confirm refused.
func (s *Service) ConfirmBatch(ctx context.Context, customerID, batchID, signedDocumentID, signer string) (Batch, error) {
	if signedDocumentID == "" {
		return Batch{}, invalid("Filen er ikke underskrevet.")
	}
	bs, err := s.batchStore()
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		var err error
		if b, err = tx.GetBatch(ctx, customerID, batchID, true); err != nil {
			return err
		}
		switch b.Status {
		case BatchSigned:
			if b.SignedDocument == signedDocumentID {
				return nil // a retry: resume below
			}
			return netbank.Errorf(netbank.ECONFLICT, "Filen er allerede underskrevet.")
		case BatchCancelled:
			return netbank.Errorf(netbank.ECONFLICT, "Den indlæste fil er annulleret og kan ikke underskrives. Indlæs den igen.")
		}
		if signer != b.CreatedBy {
			return netbank.Errorf(netbank.EFORBIDDEN, "Filen skal underskrives af den bruger, der har indlæst den.")
		}
		now := s.now()
		if s.batchExpired(b, now) {
			return invalid("Den indlæste fil er ikke længere gyldig, fordi den ikke blev underskrevet i tide. Indlæs den igen.")
		}
		b.Status, b.SignedDocument, b.SignedAt = BatchSigned, signedDocumentID, now
		return tx.UpdateBatch(ctx, b)
	})
	if err != nil {
		return Batch{}, batchNotFound(err)
	}
	failed := map[string]string{}
	for _, id := range b.Payments {
		_, err := s.Confirm(ctx, customerID, id, signedDocumentID, signer)
		switch netbank.ErrorCodeOf(err) {
		case "":
		case netbank.EINVALID, netbank.ECONFLICT, netbank.EFORBIDDEN, netbank.ENOTFOUND, netbank.EINSUFFICIENT:
			failed[id] = netbank.ErrorMessageOf(err)
		default:
			return b, err // the rest is done when it is called again
		}
	}
	if len(failed) == 0 && len(b.Failed) == 0 {
		return b, nil
	}
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		cur, err := tx.GetBatch(ctx, customerID, batchID, true)
		if err != nil {
			return err
		}
		cur.Failed = failed
		b = cur
		return tx.UpdateBatch(ctx, cur)
	})
	if len(b.Failed) == 0 {
		b.Failed = nil
	}
	return b, err
}

// Batch returns one of the customer's loaded files.
func (s *Service) Batch(ctx context.Context, customerID, id string) (Batch, error) {
	bs, err := s.batchStore()
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		var err error
		b, err = tx.GetBatch(ctx, customerID, id, false)
		return err
	})
	return b, batchNotFound(err)
}

// MaxBatchPage is the most batches Batches lists.
const MaxBatchPage = 50

// Batches lists the customer's loaded files, newest first (at most
// MaxBatchPage).
func (s *Service) Batches(ctx context.Context, customerID string) ([]Batch, error) {
	bs, err := s.batchStore()
	if err != nil {
		return nil, err
	}
	return bs.Batches(ctx, customerID, MaxBatchPage)
}

// BatchPayments returns the payments of a batch (as they stand now), in
// the order of b.Payments.
func (s *Service) BatchPayments(ctx context.Context, b Batch) ([]Payment, error) {
	out := make([]Payment, 0, len(b.Payments))
	err := s.store.Tx(ctx, func(tx Tx) error {
		out = out[:0]
		for _, id := range b.Payments {
			p, err := tx.Get(ctx, b.CustomerID, id, false)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, notFound(err)
}

// CancelBatch cancels a loaded file that has not been signed ("Annullér"):
// the batch and every payment of it still awaiting signature. A signed
// file is ECONFLICT (its upcoming payments can be deleted one by one,
// PAY-3). Cancelling a cancelled batch again finishes what an interrupted
// cancellation left.
func (s *Service) CancelBatch(ctx context.Context, customerID, batchID, by string) (Batch, error) {
	bs, err := s.batchStore()
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	err = bs.BatchTx(ctx, func(tx BatchTx) error {
		var err error
		if b, err = tx.GetBatch(ctx, customerID, batchID, true); err != nil {
			return err
		}
		switch b.Status {
		case BatchCancelled:
			return nil
		case BatchSigned:
			return netbank.Errorf(netbank.ECONFLICT, "Filen er underskrevet og kan ikke annulleres. Kommende betalinger kan slettes enkeltvis.")
		}
		b.Status, b.CancelledAt, b.CancelledBy = BatchCancelled, s.now(), by
		return tx.UpdateBatch(ctx, b)
	})
	if err != nil {
		return Batch{}, batchNotFound(err)
	}
	return b, s.cancelPayments(ctx, b, by)
}
