package payfile

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

// The BEC "ERH" format (Bankens Erhvervsformat), as the business net
// banks of the BEC banks read it: one payment per line, CR LF between
// lines, no start or end record, the fields separated by commas and each
// in double quotes, the record type in field 1. docs/payment-files.md
// ("ERH") describes the layout field by field, with its sources.

// Field numbers (1-based, as the format description counts them).
const (
	erhFType          = 1  // record type, "ERH356"
	erhFFrom          = 2  // paying account: reg (4) + account (10)
	erhFOwnText       = 3  // text on the payer's statement (≤ 20)
	erhFTo            = 4  // payee: reg + account, "FI"+creditor, "GIRO"+giro, IBAN
	erhFName          = 5  // payee's name (≤ 35)
	erhFAddress       = 6  // ERH400: payee's address, fields 6–8 (≤ 35 each)
	erhFAmount        = 9  // amount in DKK, decimal comma
	erhFDate          = 10 // date DDMMYYYY (DDMMYY read too); blank: at once
	erhFRef           = 11 // short text to payee / card type + payment id / BIC
	erhFCurrency      = 13 // ERH400: currency
	erhFForeignAmount = 14 // ERH400: amount in that currency
	erhFAdviceFlag    = 20 // domestic records: "N"
	erhFCharges       = 22 // ERH400: charges, "S" (shared)
	erhFSender        = 28 // sender's name on the advice (ERH355/356/357)
	erhFAdvice        = 33 // advice lines 33–73 (≤ 35 each)

	erhMinFields   = erhFRef                      // a record needs fields 1–11
	erhBaseFields  = erhFAdvice - 1               // fields before the advice lines
	erhMaxAdvice   = 41                           // advice lines
	erhMaxFields   = erhBaseFields + erhMaxAdvice // 73
	erhLineWidth   = 35                           // advice and address lines
	erhMaxOwnText  = 20                           // field 3
	erhMaxName     = 35                           // field 5
	erhMaxShort    = 20                           // field 11 as written
	erhMaxShortIn  = 35                           // field 11 as read
	erhMaxAddress  = 3                            // address lines of ERH400
	erhMaxForeign  = 140                          // ERH400 message (MT103 field 70)
	erhAccountSize = 14                           // width of field 4 for slips
)

// erhType describes one record type.
type erhType struct {
	kind Kind
	// slips are the card types the record pays; the first is meant when
	// field 11 holds only the payment id (or nothing, for +01 and +73).
	slips []string
	// advice: the record carries advice lines (fields 33–73).
	advice bool
	// sender: field 28 is the sender's name on the advice.
	sender bool
	// firstOnly: fields after 11 are not read (ERH100, whose layout beyond the
	// fields it shares with ERH356 is not documented here).
	firstOnly bool
}

// erhTypes are the record types read.
var erhTypes = map[string]erhType{
	"ERH100": {kind: Transfer, firstOnly: true},
	"ERH351": {kind: Slip, slips: []string{"71"}},
	"ERH352": {kind: Slip, slips: []string{"04", "15"}},
	"ERH354": {kind: Slip, slips: []string{"01", "41"}, advice: true},
	"ERH355": {kind: Transfer, advice: true, sender: true},
	"ERH356": {kind: Transfer, advice: true, sender: true},
	"ERH357": {kind: Slip, slips: []string{"73"}, advice: true, sender: true},
	"ERH358": {kind: Slip, slips: []string{"75"}, advice: true},
	"ERH400": {kind: Foreign, advice: true},
}

// erhSlipRecord is the record type written for each card type.
var erhSlipRecord = map[string]string{
	"71": "ERH351", "04": "ERH352", "15": "ERH352", "01": "ERH354", "73": "ERH357", "75": "ERH358",
}

// slipIDLen is the length of the payment id of each card type.
var slipIDLen = map[string]int{"01": 0, "04": 16, "15": 16, "41": 0, "71": 15, "73": 0, "75": 16}

// isERHRecord reports whether a line starts like an ERH record: ERH and
// three digits, quoted or not.
func isERHRecord(line string) bool {
	s := strings.TrimPrefix(strings.TrimSpace(line), `"`)
	return len(s) >= 6 && strings.EqualFold(s[:3], "ERH") && allDigits(s[3:6])
}

// ParseERH reads a BEC ERH payment file (RULE PAY-6), in UTF-8 or
// Windows-1252/ISO-8859-1 (told apart by whether the bytes are valid
// UTF-8), with CR LF or LF line ends; blank lines are skipped. Each
// payment record becomes a Line numbered by its line in the file; a line
// that cannot be read becomes a LineError naming the field (in Danish)
// and the reason, and the good lines are still returned. An ERH001 header
// (older files) is skipped. The name of the sender on the advice of
// ERH355/356/357 records becomes File.Payer. The error is for the file as
// a whole: too large, or empty.
func ParseERH(data []byte) (File, error) {
	f := File{Format: ERH}
	if len(data) > MaxFileSize {
		return f, errTooLarge()
	}
	empty := true
	for no, raw := range textLines(decodeText(data)) {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		empty = false
		l, payer, skip, p := parseERHLine(raw, no)
		switch {
		case p != nil:
			f.Errors = append(f.Errors, *p)
		case !skip:
			f.Lines = append(f.Lines, l)
			if f.Payer == "" {
				f.Payer = payer
			}
		}
	}
	if empty {
		return f, netbank.Errorf(netbank.EINVALID, "Filen er tom.")
	}
	return f, nil
}

// parseERHLine reads the record on line no. skip is true for a header
// record, which holds no payment.
func parseERHLine(raw string, no int) (l Line, payer string, skip bool, p *LineError) {
	fields, err := erhSplit(raw)
	if err != nil {
		return l, "", false, lineErr(no, "", "Linjen kan ikke læses: "+err.Error())
	}
	typ := strings.ToUpper(strings.TrimSpace(fields[0]))
	if typ == "ERH001" {
		return l, "", true, nil
	}
	spec, ok := erhTypes[typ]
	if !ok {
		if utf8.RuneCountInString(typ) > 10 {
			typ = string([]rune(typ)[:10]) + "…"
		}
		return l, "", false, lineErr(no, "betalingstype", "Ukendt betalingstype »"+typ+
			"« – kendte typer er ERH100, ERH351, ERH352, ERH354, ERH355, ERH356, ERH357, ERH358 og ERH400.")
	}
	if n := len(fields); n < erhMinFields || n > erhMaxFields {
		return l, "", false, lineErr(no, "", "Linjen har "+strconv.Itoa(n)+" felter; en "+typ+"-post skal have "+
			strconv.Itoa(erhMinFields)+"-"+strconv.Itoa(erhMaxFields)+" felter.")
	}
	get := func(i int) string {
		if i <= len(fields) {
			return strings.TrimSpace(fields[i-1])
		}
		return ""
	}
	l = Line{No: no, Kind: spec.kind, Currency: "DKK"}
	if l.FromReg, l.FromAccount, p = erhAccount(no, "fra konto", get(erhFFrom)); p != nil {
		return l, "", false, p
	}
	l.TextToSelf = get(erhFOwnText)
	if p := checkLen(no, "egen tekst", l.TextToSelf, erhMaxOwnText); p != nil {
		return l, "", false, p
	}
	switch spec.kind {
	case Transfer:
		if l.ToReg, l.ToAccount, p = erhAccount(no, "til konto", get(erhFTo)); p != nil {
			return l, "", false, p
		}
	case Slip:
		l.SlipCreditor = erhSlipAccount(get(erhFTo))
	case Foreign:
		l.ToIBAN = get(erhFTo)
	}
	l.ToName = get(erhFName)
	if p := checkLen(no, "modtager", l.ToName, erhMaxName); p != nil {
		return l, "", false, p
	}
	if spec.kind == Foreign {
		var addr []string
		for i := erhFAddress; i < erhFAddress+erhMaxAddress; i++ {
			if p := checkLen(no, "adresse", get(i), erhLineWidth); p != nil {
				return l, "", false, p
			}
			if s := get(i); s != "" {
				addr = append(addr, s)
			}
		}
		l.ToAddress = strings.Join(addr, " ")
	}
	if spec.kind != Foreign {
		if p := erhDomesticCurrency(no, typ, get(erhFCurrency), spec.firstOnly); p != nil {
			return l, "", false, p
		}
		if l.Amount, p = erhAmount(no, get(erhFAmount), "DKK"); p != nil {
			return l, "", false, p
		}
	}
	if l.Date, p = erhDate(no, get(erhFDate)); p != nil {
		return l, "", false, p
	}
	var advice string
	if !spec.firstOnly {
		if advice, p = erhAdvice(no, typ, fields, spec.advice); p != nil {
			return l, "", false, p
		}
	}
	switch spec.kind {
	case Transfer:
		short := get(erhFRef)
		if p := checkLen(no, "tekst til modtager", short, erhMaxShortIn); p != nil {
			return l, "", false, p
		}
		switch {
		case advice == "":
			l.TextToRecipient = short
		case short == "" || strings.HasPrefix(advice, short):
			l.TextToRecipient = advice
		default:
			l.TextToRecipient = short + " " + advice
		}
	case Slip:
		l.SlipType, l.SlipPaymentID = erhSlipRef(get(erhFRef), spec.slips)
		l.TextToRecipient = advice
	case Foreign:
		l.ToBIC = get(erhFRef)
		if l.Currency = strings.ToUpper(get(erhFCurrency)); l.Currency == "" {
			l.Currency = "DKK"
		}
		if _, err := netbank.LookupCurrency(l.Currency); err != nil {
			return l, "", false, lineErrOf(no, "valuta", err)
		}
		switch amount := get(erhFForeignAmount); {
		case amount != "":
			l.Amount, p = erhAmount(no, amount, l.Currency)
		case l.Currency == "DKK" && get(erhFAmount) != "":
			l.Amount, p = erhAmount(no, get(erhFAmount), "DKK")
		default:
			p = lineErr(no, "beløb", "Beløbet i valuta (felt 14) mangler.")
		}
		if p != nil {
			return l, "", false, p
		}
		if p := checkLen(no, "tekst til modtager", advice, erhMaxForeign); p != nil {
			return l, "", false, p
		}
		l.TextToRecipient = advice
	}
	if p := checkLine(&l); p != nil {
		return l, "", false, p
	}
	if spec.sender {
		if s := get(erhFSender); checkChars(no, "", s) == nil {
			payer = s
		}
	}
	return l, payer, false, nil
}

// erhSplit splits a record into its fields: separated by commas, each in
// double quotes (a doubled quote inside is one quote) or bare (as some
// programs write empty fields).
func erhSplit(s string) ([]string, error) {
	var fields []string
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return nil, errors.New("felt " + strconv.Itoa(len(fields)+1) + " mangler sit afsluttende anførselstegn")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			fields = append(fields, b.String())
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
			if i == len(s) {
				return fields, nil
			}
			if s[i] != ',' {
				return nil, errors.New("efter felt " + strconv.Itoa(len(fields)) + " skal der stå et komma")
			}
			i++
			continue
		}
		j := strings.IndexByte(s[i:], ',')
		field := s[i:]
		if j >= 0 {
			field = s[i : i+j]
		}
		if strings.Contains(field, `"`) {
			return nil, errors.New("felt " + strconv.Itoa(len(fields)+1) + " har et anførselstegn inde i feltet")
		}
		fields = append(fields, field)
		if j < 0 {
			return fields, nil
		}
		i += j + 1
	}
}

// erhAccount reads reg + account number written together (14 digits, or
// fewer when the account number is not padded): the first four digits are
// the registration number. Spaces and hyphens are ignored.
func erhAccount(no int, field, s string) (reg, account string, p *LineError) {
	d := strings.NewReplacer(" ", "", "-", "").Replace(s)
	if d == "" {
		return "", "", lineErr(no, field, "Kontoen mangler.")
	}
	if !allDigits(d) || len(d) < 5 || len(d) > 14 {
		return "", "", lineErr(no, field,
			"Kontoen skal skrives som reg.nr. (4 cifre) og kontonummer (op til 10 cifre) i ét felt, f.eks. 90700001234567.")
	}
	return d[:4], d[4:], nil
}

// erhSlipAccount reads the creditor number ("FI" + 8 digits) or giro
// account ("GIRO" + 7–8 digits) of a slip record; the prefix and spaces
// may be left out.
func erhSlipAccount(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	for _, prefix := range []string{"GIRO", "FI"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			return rest
		}
	}
	return s
}

// erhSlipRef reads field 11 of a slip record: the card type followed by
// the payment id ("71000100017156728"), just the card type ("73"), just
// the payment id when the record pays one card type only, or nothing for
// a card without payment id. The result is checked by checkLine.
func erhSlipRef(s string, slips []string) (typ, id string) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimPrefix(s, "+")
	for _, t := range slips {
		if s == t || (strings.HasPrefix(s, t) && len(s) == len(t)+slipIDLen[t]) {
			return t, s[len(t):]
		}
	}
	if s == "" && slipIDLen[slips[0]] == 0 {
		return slips[0], ""
	}
	if len(slips) == 1 && len(s) == slipIDLen[slips[0]] {
		return slips[0], s
	}
	for _, t := range slips {
		if strings.HasPrefix(s, t) {
			return t, s[len(t):]
		}
	}
	if len(slips) == 1 {
		return slips[0], s
	}
	return "", s
}

// erhDomesticCurrency checks field 13 of a domestic record: blank or DKK.
func erhDomesticCurrency(no int, typ, s string, firstOnly bool) *LineError {
	if firstOnly || s == "" || strings.EqualFold(s, "DKK") {
		return nil
	}
	return lineErr(no, "valuta", "En "+typ+"-post kan kun være i DKK.")
}

// erhAmount reads an amount with a decimal comma ("1234,56"; thousands
// dots are accepted).
func erhAmount(no int, s, currency string) (int64, *LineError) {
	if s == "" {
		return 0, lineErr(no, "beløb", "Beløbet mangler.")
	}
	m, err := netbank.ParseAmount(s, currency)
	if err != nil {
		return 0, lineErrOf(no, "beløb", err)
	}
	return m.Amount, nil
}

// erhDate reads the date: DDMMYYYY, or DDMMYY (20YY); blank means as soon
// as possible (the zero time).
func erhDate(no int, s string) (time.Time, *LineError) {
	if s == "" {
		return time.Time{}, nil
	}
	if allDigits(s) && (len(s) == 8 || len(s) == 6) {
		d, _ := strconv.Atoi(s[0:2])
		m, _ := strconv.Atoi(s[2:4])
		y, _ := strconv.Atoi(s[4:])
		if len(s) == 6 {
			y += 2000
		}
		if t, ok := civilDate(y, m, d); ok {
			return t, nil
		}
		return time.Time{}, lineErr(no, "dato", "Datoen "+s+" findes ikke.")
	}
	return time.Time{}, lineErr(no, "dato", "Datoen skal skrives DDMMÅÅÅÅ, f.eks. 15012027.")
}

// erhAdvice reads the advice lines (fields 33–73), joined with single
// spaces. A record without advice must leave them blank.
func erhAdvice(no int, typ string, fields []string, allowed bool) (string, *LineError) {
	var lines []string
	for i := erhFAdvice; i <= len(fields); i++ {
		s := strings.TrimSpace(fields[i-1])
		if s == "" {
			continue
		}
		if !allowed {
			return "", lineErr(no, "advisering", "En "+typ+"-post kan ikke have advisering (felt 33 og frem skal være tomme).")
		}
		if p := checkLen(no, "advisering", s, erhLineWidth); p != nil {
			return "", p
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, " "), nil
}

// ---- writing ----

// erhFrom returns the paying account as field 2 writes it (reg + account,
// 14 digits), from FromReg and FromAccount or a Danish FromIBAN.
func erhFrom(l Line) (string, bool) {
	reg, acc := strings.TrimSpace(l.FromReg), strings.TrimSpace(l.FromAccount)
	if reg == "" && acc == "" && strings.HasPrefix(l.FromIBAN, "DK") && len(l.FromIBAN) == 18 {
		reg, acc = l.FromIBAN[4:8], l.FromIBAN[8:]
	}
	if len(reg) != 4 || !allDigits(reg) || len(acc) > 10 || !allDigits(acc) {
		return "", false
	}
	return reg + strings.Repeat("0", 10-len(acc)) + acc, true
}

// erhLineProblem says why an ERH file cannot hold l, or nil when it can.
// What ERH has no field for (the end-to-end reference, a Danish payee's
// address) is left out without a problem.
func erhLineProblem(l Line) *LineError {
	_, p := erhPrepare(l)
	return p
}

// erhPrepare checks that an ERH file can hold l (and read it back: the
// checks of the readers pass) and returns it normalised.
func erhPrepare(l Line) (Line, *LineError) {
	if p := checkLine(&l); p != nil {
		return l, p
	}
	return l, erhFits(l)
}

// erhFits checks what only the ERH format limits.
func erhFits(l Line) *LineError {
	if _, ok := erhFrom(l); !ok {
		return lineErr(l.No, "fra konto", "En ERH-fil kan kun betale fra en dansk konto (reg.nr. og kontonummer).")
	}
	if l.Amount <= 0 {
		return lineErr(l.No, "beløb", "Beløbet skal være større end 0.")
	}
	if l.Instant {
		return lineErr(l.No, "straks", "En ERH-fil kan ikke bestille en straksoverførsel.")
	}
	if p := checkLen(l.No, "egen tekst", l.TextToSelf, erhMaxOwnText); p != nil {
		return p
	}
	if p := checkLen(l.No, "modtager", l.ToName, erhMaxName); p != nil {
		return p
	}
	advice := true
	switch l.Kind {
	case Transfer:
		if len(l.ToReg) != 4 || !allDigits(l.ToReg) || len(l.ToAccount) > 10 || !allDigits(l.ToAccount) {
			return lineErr(l.No, "til konto", "Modtagerens reg.nr. og kontonummer mangler.")
		}
	case Slip:
		rec, ok := erhSlipRecord[l.SlipType]
		if !ok {
			return lineErr(l.No, "kortart", "Kortart +"+l.SlipType+" kan ikke skrives i en ERH-fil.")
		}
		advice = erhTypes[rec].advice
		if !advice && strings.TrimSpace(l.TextToRecipient) != "" {
			return lineErr(l.No, "tekst til modtager", "Kortart +"+l.SlipType+" kan ikke have en tekst til modtager i en ERH-fil.")
		}
	case Foreign:
		if l.ToIBAN == "" || len(l.ToIBAN) > 34 {
			return lineErr(l.No, "IBAN", "Modtagerens IBAN eller kontonummer mangler.")
		}
		if p := checkLen(l.No, "tekst til modtager", l.TextToRecipient, erhMaxForeign); p != nil {
			return p
		}
		if len(wrapText(l.ToAddress, erhLineWidth)) > erhMaxAddress {
			return lineErr(l.No, "adresse", "Adressen er for lang til en ERH-fil (højst 3 linjer á 35 tegn).")
		}
	default:
		return lineErr(l.No, "", "Betalingens type kendes ikke.")
	}
	if l.Kind != Foreign && l.Currency != "" && l.Currency != "DKK" {
		return lineErr(l.No, "valuta", "En betaling til en dansk konto eller et indbetalingskort kan kun være i DKK i en ERH-fil.")
	}
	if len(wrapText(l.TextToRecipient, erhLineWidth)) > erhMaxAdvice {
		return lineErr(l.No, "tekst til modtager", "Teksten er for lang til en ERH-fil (højst 41 linjer á 35 tegn).")
	}
	texts := []struct{ field, s string }{
		{"egen tekst", l.TextToSelf}, {"modtager", l.ToName}, {"adresse", l.ToAddress},
		{"tekst til modtager", l.TextToRecipient}, {"IBAN", l.ToIBAN}, {"BIC", l.ToBIC},
	}
	for _, t := range texts {
		if p := checkChars(l.No, t.field, t.s); p != nil {
			return p
		}
		if _, bad, ok := encodeCP1252(t.s); !ok {
			return lineErr(l.No, t.field, "Tegnet »"+string(bad)+"« kan ikke skrives i en ERH-fil (Windows-1252).")
		}
	}
	return nil
}

// WriteERH writes the lines of f as an ERH file (RULE PAY-6): a transfer
// as ERH356, a slip as ERH351 (+71), ERH352 (+04, +15), ERH354 (+01),
// ERH357 (+73) or ERH358 (+75), a foreign transfer as ERH400. The file is
// Windows-1252 with CR LF line ends, as BEC's format description and the
// programs that make ERH files for BEC banks have it. Every field is in
// double quotes; a double quote inside a text is written as an
// apostrophe. File.Payer (at most 35 characters kept) is the sender's
// name on ERH356 and ERH357 records.
//
// A line an ERH file cannot hold (see Convert) is an EINVALID error and
// nothing is written. ParseERH gives back every field ERH holds; see
// docs/payment-files.md for which those are.
func WriteERH(w io.Writer, f File) error {
	payer := erhPayer(f.Payer)
	var buf bytes.Buffer
	for _, l := range f.Lines {
		l, p := erhPrepare(l)
		if p != nil {
			return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
		}
		for i, v := range erhFields(l, payer) {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, _, _ := encodeCP1252(strings.ReplaceAll(v, `"`, "'"))
			buf.WriteByte('"')
			buf.Write(b)
			buf.WriteByte('"')
		}
		buf.WriteString("\r\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// erhPayer is the sender's name as written: what Windows-1252 can hold of
// the first 35 characters (others become "?"), without control characters.
func erhPayer(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if n == erhMaxName {
			break
		}
		if _, ok := cp1252Byte(r); !ok || r < ' ' || (r >= 0x7F && r < 0xA0) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// erhFields renders one line as the fields of its record.
func erhFields(l Line, payer string) []string {
	rec := make([]string, erhBaseFields)
	set := func(i int, v string) { rec[i-1] = v }
	from, _ := erhFrom(l)
	set(erhFFrom, from)
	set(erhFOwnText, l.TextToSelf)
	set(erhFName, l.ToName)
	if !l.Date.IsZero() {
		set(erhFDate, l.Date.Format("02012006"))
	}
	var advice []string
	switch l.Kind {
	case Transfer:
		set(erhFType, "ERH356")
		set(erhFTo, l.ToReg+strings.Repeat("0", 10-len(l.ToAccount))+l.ToAccount)
		set(erhFAmount, plainAmount(l.Amount, "DKK"))
		set(erhFAdviceFlag, "N")
		set(erhFSender, payer)
		// A text of up to 20 characters goes in field 11 as it is; a
		// longer one in the advice lines, and its first 20 characters in
		// field 11 (the reader takes the advice when it starts with them).
		text := strings.TrimSpace(l.TextToRecipient)
		norm := strings.Join(strings.Fields(text), " ")
		switch {
		case utf8.RuneCountInString(text) <= erhMaxShort:
			set(erhFRef, text)
		case utf8.RuneCountInString(norm) <= erhMaxShort:
			set(erhFRef, norm)
		default:
			set(erhFRef, strings.TrimSpace(string([]rune(norm)[:erhMaxShort])))
			advice = wrapText(norm, erhLineWidth)
		}
	case Slip:
		rec := erhSlipRecord[l.SlipType]
		set(erhFType, rec)
		prefix := "FI"
		if !creditorSlipTypes[l.SlipType] {
			prefix = "GIRO"
		}
		pad := erhAccountSize - len(prefix) - len(l.SlipCreditor)
		set(erhFTo, prefix+strings.Repeat(" ", max(pad, 0))+l.SlipCreditor)
		set(erhFAmount, plainAmount(l.Amount, "DKK"))
		set(erhFRef, l.SlipType+l.SlipPaymentID)
		set(erhFAdviceFlag, "N")
		if erhTypes[rec].sender {
			set(erhFSender, payer)
		}
		advice = wrapText(l.TextToRecipient, erhLineWidth)
	case Foreign:
		set(erhFType, "ERH400")
		set(erhFTo, l.ToIBAN)
		for i, s := range wrapText(l.ToAddress, erhLineWidth) {
			set(erhFAddress+i, s)
		}
		set(erhFRef, l.ToBIC)
		cur := l.Currency
		if cur == "" {
			cur = "DKK"
		}
		set(erhFCurrency, cur)
		set(erhFForeignAmount, plainAmount(l.Amount, cur))
		set(erhFCharges, "S")
		advice = wrapText(l.TextToRecipient, erhLineWidth)
	}
	return append(rec, advice...)
}
