package payfile

import (
	"bytes"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// Convert reads a payment file in any format (Parse) and writes its lines
// in the format to (RULE PAY-6: the converter between file formats). It
// is ConvertWith without options: the format is detected, and a pain.001
// file can only be made from a file that says when it was created
// (pain.001 itself); ERH and CSV files need ConvertWith's Now.
//
// The conversion goes ahead with the good lines: a line that cannot be
// read, or that the target format cannot hold (an ERH file pays only from
// a Danish account, a +71 card carries no message, …), is left out and
// reported in the returned File's Errors, with its line number in the
// source file, in file order. The returned File's Lines are the lines that
// were converted. The error is for the file as a whole: it cannot be read
// (too large, unknown format), not one line could be converted, or the
// target format refuses the file (a pain.001 file without a creation
// time); then no output is returned.
func Convert(data []byte, to Format) ([]byte, File, error) {
	return ConvertWith(data, to, ConvertOptions{})
}

// ConvertOptions tune ConvertWith.
type ConvertOptions struct {
	// From is the format of the input; empty detects it (Detect).
	From Format
	// Now is the creation time written into a pain.001 file made from a
	// file that has none (ERH, CSV); the package has no clock of its own.
	// A line without a date is paid as soon as possible: in pain.001 it
	// gets Now's date.
	Now time.Time
}

// ConvertWith is Convert with options.
func ConvertWith(data []byte, to Format, opt ConvertOptions) ([]byte, File, error) {
	var f File
	var err error
	if opt.From == "" {
		f, err = Parse(data)
	} else {
		f, err = ParseFormat(data, opt.From)
	}
	if err != nil {
		return nil, f, err
	}
	if f.Created.IsZero() {
		f.Created = opt.Now
	}
	return convertFile(f, to)
}

// ConvertedName names the file converted to the format to after the file
// it was converted from: "løn.csv" to pain.001.001.09 is
// "løn-pain001v09.xml". The name is safe as a download's file name: no
// folder, no control characters, slashes or double quotes, at most 80
// characters before the ending; "betalingsfil" when nothing is left of
// uploaded.
func ConvertedName(uploaded string, to Format) string {
	base := path.Base(strings.ReplaceAll(uploaded, "\\", "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	base = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\"`, r) {
			return -1
		}
		return r
	}, base)
	if base == "" || base == "." || !utf8.ValidString(base) {
		base = "betalingsfil"
	}
	if r := []rune(base); len(r) > 80 {
		base = string(r[:80])
	}
	switch to {
	case Pain00100103:
		return base + "-pain001v03.xml"
	case Pain00100109:
		return base + "-pain001v09.xml"
	case ERH:
		return base + "-erh.txt"
	}
	return base + "-konverteret.csv"
}

// ContentType is the media type of data, a file in the format f:
// application/xml for pain.001, text/plain for ERH, text/csv for CSV, with
// the charset the file is written in (UTF-8, or Windows-1252 when it is
// not valid UTF-8).
func ContentType(f Format, data []byte) string {
	ct := "text/csv"
	switch f {
	case Pain00100103, Pain00100109:
		ct = "application/xml"
	case ERH:
		ct = "text/plain"
	}
	if utf8.Valid(data) {
		return ct + "; charset=utf-8"
	}
	return ct + "; charset=windows-1252"
}

// convertFile writes the lines of f that the format to can hold.
func convertFile(f File, to Format) ([]byte, File, error) {
	if !slices.Contains(Formats, to) {
		return nil, f, errUnknownFormat(to)
	}
	good := f.Lines[:0:0]
	for _, l := range f.Lines {
		if p := lineProblem(l, to); p != nil {
			f.Errors = append(f.Errors, *p)
			continue
		}
		good = append(good, l)
	}
	f.Lines = good
	slices.SortStableFunc(f.Errors, func(a, b LineError) int { return a.No - b.No })
	if len(f.Lines) == 0 {
		return nil, f, netbank.Errorf(netbank.EINVALID, "Filen har ingen betalinger, der kan konverteres.")
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, to); err != nil {
		return nil, f, err
	}
	return buf.Bytes(), f, nil
}

// lineProblem says why the format to cannot hold l, or nil when it can.
func lineProblem(l Line, to Format) *LineError {
	switch to {
	case ERH:
		return erhLineProblem(l)
	case CSV:
		return csvLineProblem(l)
	case Pain00100103, Pain00100109:
		return painLineProblem(&l) // l is a copy
	}
	return nil
}

// Write renders f in the format to: pain.001.001.03 or .09 (WritePain001),
// ERH (WriteERH) or CSV (WriteCSV).
func Write(w io.Writer, f File, to Format) error {
	switch to {
	case Pain00100103, Pain00100109:
		return WritePain001(w, f, to)
	case ERH:
		return WriteERH(w, f)
	case CSV:
		return WriteCSV(w, f)
	}
	return errUnknownFormat(to)
}

// ---- checks of a line, shared by the ERH and CSV readers ----

// lineErr builds the LineError of line no: field and message, the message
// ending with a full stop.
func lineErr(no int, field, msg string) *LineError {
	msg = strings.TrimSpace(msg)
	if msg != "" && !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return &LineError{No: no, Field: field, Message: msg}
}

// lineErrOf is lineErr with the Danish message of a netbank error.
func lineErrOf(no int, field string, err error) *LineError {
	return lineErr(no, field, netbank.ErrorMessageOf(err))
}

// creditorSlipTypes are the card types paid to a creditor number (FI
// cards); the others (+01, +04, +15) are paid to a giro account.
var creditorSlipTypes = map[string]bool{"71": true, "73": true, "75": true}

// knownSlipTypes are the card types dk knows (RULE PAY-4).
var knownSlipTypes = map[string]bool{"01": true, "04": true, "15": true, "71": true, "73": true, "75": true}

// checkLine checks what a file can tell about a line the ERH or CSV reader
// built, in the order of the fields, and normalises it: accounts padded
// to 10 digits, the Danish IBAN of the paying account filled in from reg
// and account (and the other way round), IBAN and BIC in upper case
// without spaces, texts trimmed, a foreign payee's country taken from the
// IBAN (or the BIC) when the file does not give it. It returns the first
// problem, or nil. Checking twice gives the same line.
func checkLine(l *Line) *LineError {
	if p := checkFrom(l); p != nil {
		return p
	}
	if l.Amount <= 0 {
		return lineErr(l.No, "beløb", "Beløbet skal være større end 0.")
	}
	if l.Currency == "" {
		l.Currency = "DKK"
	}
	cur, err := netbank.LookupCurrency(l.Currency)
	if err != nil {
		return lineErrOf(l.No, "valuta", err)
	}
	l.Currency = cur.Code
	switch l.Kind {
	case Transfer:
		l.ToReg = strings.TrimSpace(l.ToReg)
		if err := dk.ValidReg(l.ToReg); err != nil {
			return lineErrOf(l.No, "til reg.nr.", err)
		}
		acc, p := padAccount(l.No, "til konto", l.ToAccount)
		if p != nil {
			return p
		}
		l.ToAccount = acc
	case Slip:
		if p := checkSlip(l); p != nil {
			return p
		}
	case Foreign:
		if p := checkForeign(l); p != nil {
			return p
		}
	default:
		return lineErr(l.No, "", "Betalingens type kendes ikke.")
	}
	texts := []struct {
		field string
		s     *string
	}{
		{"modtager", &l.ToName}, {"adresse", &l.ToAddress}, {"egen tekst", &l.TextToSelf},
		{"tekst til modtager", &l.TextToRecipient}, {"reference", &l.EndToEndID},
	}
	for _, t := range texts {
		*t.s = strings.TrimSpace(*t.s)
		if p := checkChars(l.No, t.field, *t.s); p != nil {
			return p
		}
	}
	return nil
}

// checkFrom checks the paying account: reg + account (then the Danish IBAN
// is filled in and must agree with a given one), or an IBAN (then a Danish
// one gives reg and account).
func checkFrom(l *Line) *LineError {
	l.FromReg = strings.TrimSpace(l.FromReg)
	l.FromIBAN = dk.NormalizeIBAN(l.FromIBAN)
	if l.FromReg == "" && strings.TrimSpace(l.FromAccount) == "" {
		if l.FromIBAN == "" {
			return lineErr(l.No, "fra konto", "Kontoen, der skal betales fra, mangler.")
		}
		if err := dk.ValidateIBAN(l.FromIBAN); err != nil {
			return lineErrOf(l.No, "fra IBAN", err)
		}
		if l.FromIBAN[:2] == "DK" {
			reg, acc, _ := dk.SplitDanishIBAN(l.FromIBAN)
			l.FromReg, l.FromAccount = reg, strings.Repeat("0", 10-len(acc))+acc
		}
		return nil
	}
	if err := dk.ValidReg(l.FromReg); err != nil {
		return lineErrOf(l.No, "fra reg.nr.", err)
	}
	acc, p := padAccount(l.No, "fra konto", l.FromAccount)
	if p != nil {
		return p
	}
	l.FromAccount = acc
	iban, err := dk.DanishIBAN(l.FromReg, l.FromAccount)
	if err != nil {
		return lineErrOf(l.No, "fra konto", err)
	}
	if l.FromIBAN != "" && l.FromIBAN != iban {
		return lineErr(l.No, "fra IBAN", "IBAN'et passer ikke med reg.nr. og kontonummer ("+iban+").")
	}
	l.FromIBAN = iban
	return nil
}

// padAccount checks an account number of 1–10 digits (spaces ignored) and
// pads it with zeros to 10 digits.
func padAccount(no int, field, s string) (string, *LineError) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return "", lineErr(no, field, "Kontonummeret mangler.")
	}
	if len(s) > 10 || !allDigits(s) {
		return "", lineErr(no, field, "Kontonummeret skal være 1-10 cifre.")
	}
	return strings.Repeat("0", 10-len(s)) + s, nil
}

// checkSlip checks a payment slip: card type, payment id with its check
// digit, creditor number or giro account (RULE PAY-4).
func checkSlip(l *Line) *LineError {
	l.SlipType = strings.TrimPrefix(strings.TrimSpace(l.SlipType), "+")
	l.SlipPaymentID = strings.Join(strings.Fields(l.SlipPaymentID), "")
	l.SlipCreditor = strings.Join(strings.Fields(l.SlipCreditor), "")
	if l.Currency != "DKK" {
		return lineErr(l.No, "valuta", "Et indbetalingskort betales altid i DKK.")
	}
	if !knownSlipTypes[l.SlipType] {
		if l.SlipType == "" {
			return lineErr(l.No, "kortart", "Kortarten mangler (01, 04, 15, 71, 73 eller 75).")
		}
		return lineErrOf(l.No, "kortart", dk.ValidatePaymentID(l.SlipType, ""))
	}
	if err := dk.ValidatePaymentID(l.SlipType, l.SlipPaymentID); err != nil {
		return lineErrOf(l.No, "betalings-id", err)
	}
	s := dk.Slip{Type: l.SlipType, PaymentID: l.SlipPaymentID}
	if creditorSlipTypes[l.SlipType] {
		if err := dk.ValidateCreditor(l.SlipCreditor); err != nil {
			return lineErrOf(l.No, "kreditornummer", err)
		}
		s.Creditor = l.SlipCreditor
	} else {
		if err := dk.ValidateGiroAccount(l.SlipCreditor); err != nil {
			return lineErrOf(l.No, "gironummer", err)
		}
		s.GiroAccount = l.SlipCreditor
	}
	// The fields passed one by one; the code line they make must pass too.
	if _, err := dk.ParseCodeLine(s.CodeLine()); err != nil {
		return lineErrOf(l.No, "kodelinje", err)
	}
	return nil
}

// checkForeign checks a transfer abroad: the payee's IBAN (or account
// number with a BIC), BIC, name and country.
func checkForeign(l *Line) *LineError {
	l.ToIBAN = dk.NormalizeIBAN(l.ToIBAN)
	l.ToBIC = strings.ToUpper(strings.Join(strings.Fields(l.ToBIC), ""))
	l.ToCountry = strings.ToUpper(strings.TrimSpace(l.ToCountry))
	switch {
	case l.ToIBAN == "":
		return lineErr(l.No, "IBAN", "Modtagerens IBAN eller kontonummer mangler.")
	case looksLikeIBAN(l.ToIBAN):
		if err := dk.ValidateIBAN(l.ToIBAN); err != nil {
			return lineErrOf(l.No, "IBAN", err)
		}
	default:
		if len(l.ToIBAN) > 34 || !allAlnum(l.ToIBAN) {
			return lineErr(l.No, "IBAN", "Modtagerens kontonummer må højst være 34 bogstaver og cifre.")
		}
		if l.ToBIC == "" {
			return lineErr(l.No, "BIC", "BIC skal angives, når modtagerens konto ikke er et IBAN.")
		}
	}
	if l.ToBIC != "" {
		if err := dk.ValidateBIC(l.ToBIC); err != nil {
			return lineErrOf(l.No, "BIC", err)
		}
	}
	if strings.TrimSpace(l.ToName) == "" {
		return lineErr(l.No, "modtager", "Modtagerens navn skal angives ved en udlandsoverførsel.")
	}
	if l.ToCountry == "" {
		l.ToCountry = foreignCountry(l.ToIBAN, l.ToBIC)
	} else if !dk.ValidCountryCode(l.ToCountry) {
		return lineErr(l.No, "land", "Landet skal være en landekode på to bogstaver (ISO 3166), f.eks. DE.")
	}
	return nil
}

// foreignCountry is the payee's country as the IBAN (or else the BIC)
// tells it, or "".
func foreignCountry(iban, bic string) string {
	if looksLikeIBAN(iban) && dk.ValidateIBAN(iban) == nil {
		return iban[:2]
	}
	if bic != "" && dk.ValidateBIC(bic) == nil {
		return bic[4:6]
	}
	return ""
}

// looksLikeIBAN reports whether s (normalised) has the shape of an IBAN:
// two letters and two digits first. Anything else is taken for a plain
// account number.
func looksLikeIBAN(s string) bool {
	return len(s) >= 5 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
		s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9'
}

// checkChars refuses control characters (line breaks, tabs, the undefined
// bytes of Windows-1252) in a text.
func checkChars(no int, field, s string) *LineError {
	if !utf8.ValidString(s) {
		return lineErr(no, field, "Teksten indeholder ugyldige tegn.")
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return lineErr(no, field, "Teksten må ikke indeholde linjeskift eller andre styretegn.")
		}
	}
	return nil
}

// checkLen refuses a text longer than max characters.
func checkLen(no int, field, s string, max int) *LineError {
	if n := utf8.RuneCountInString(s); n > max {
		return lineErr(no, field, "Teksten må højst være "+strconv.Itoa(max)+" tegn (der er "+strconv.Itoa(n)+").")
	}
	return nil
}

// civilDate returns the date y-m-d at midnight UTC, and false when there
// is no such day (31 February) or the year is outside 1900–2199.
func civilDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, false
	}
	return t, true
}

// plainAmount formats minor units of currency without thousands
// separators, with a decimal comma: "1234,56", "1235" for JPY.
func plainAmount(minor int64, currency string) string {
	exp := 2
	if c, err := netbank.LookupCurrency(currency); err == nil {
		exp = c.Exponent
	}
	return strings.ReplaceAll(netbank.FormatAmount(minor, exp), ".", "")
}

// wrapText breaks s into lines of at most width characters at spaces (a
// word longer than width is cut). Runs of white space become one space,
// so joining the lines with single spaces gives the text back when it has
// no word longer than width and no double spaces.
func wrapText(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > width {
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			r := []rune(w)
			lines = append(lines, string(r[:width]))
			w = string(r[width:])
		}
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// allAlnum reports whether s is non-empty and only ASCII upper-case
// letters and digits.
func allAlnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
