package payfile

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

// The bank's own CSV payment format: a header line naming the columns,
// then one payment per line. docs/payment-files.md ("CSV") describes it.

// The columns, by the Danish name the header uses and WriteCSV writes.
const (
	csvFromReg     = "fra_reg"
	csvFromAccount = "fra_konto"
	csvFromIBAN    = "fra_iban"
	csvDate        = "dato"
	csvAmount      = "beløb"
	csvCurrency    = "valuta"
	csvToReg       = "til_reg"
	csvToAccount   = "til_konto"
	csvToIBAN      = "til_iban"
	csvBIC         = "bic"
	csvName        = "modtager"
	csvAddress     = "adresse"
	csvCountry     = "land"
	csvSlipType    = "kortart"
	csvPaymentID   = "betalings_id"
	csvCreditor    = "kreditor"
	csvOwnText     = "egen_tekst"
	csvMessage     = "modtager_tekst"
	csvReference   = "reference"
	csvInstant     = "straks"
)

// csvColumns are the columns in the order WriteCSV writes them, each with
// the other names the reader takes (English, and Danish without æøå).
var csvColumns = []struct {
	name    string
	aliases []string
}{
	{csvFromReg, []string{"fra_regnr", "from_reg"}},
	{csvFromAccount, []string{"fra_kontonr", "from_account"}},
	{csvFromIBAN, []string{"from_iban"}},
	{csvDate, []string{"betalingsdato", "date"}},
	{csvAmount, []string{"belob", "beloeb", "amount"}},
	{csvCurrency, []string{"currency"}},
	{csvToReg, []string{"til_regnr", "to_reg"}},
	{csvToAccount, []string{"til_kontonr", "to_account"}},
	{csvToIBAN, []string{"iban", "to_iban"}},
	{csvBIC, []string{"swift", "to_bic"}},
	{csvName, []string{"modtager_navn", "navn", "name", "payee", "to_name"}},
	{csvAddress, []string{"modtager_adresse", "address", "to_address"}},
	{csvCountry, []string{"country", "to_country"}},
	{csvSlipType, []string{"korttype", "slip_type", "card_type"}},
	{csvPaymentID, []string{"betalingsid", "payment_id"}},
	{csvCreditor, []string{"kreditornr", "kreditornummer", "gironr", "gironummer", "creditor"}},
	{csvOwnText, []string{"tekst_egen_konto", "own_text", "text_to_self"}},
	{csvMessage, []string{"tekst_til_modtager", "message", "text_to_recipient"}},
	{csvReference, []string{"end_to_end_id", "end_to_end_reference"}},
	{csvInstant, []string{"straksoverførsel", "straksoverforsel", "instant"}},
}

// csvNames maps every name the reader takes (normalised by csvKey) to the
// column's Danish name.
var csvNames = func() map[string]string {
	m := make(map[string]string)
	for _, c := range csvColumns {
		m[c.name] = c.name
		for _, a := range c.aliases {
			m[a] = c.name
		}
	}
	return m
}()

// Limits of the texts (characters): the bank's limit on the payer's own
// text, the ISO 20022 limits on the rest.
const (
	csvMaxOwnText   = 20
	csvMaxName      = 70
	csvMaxAddress   = 140
	csvMaxMessage   = 140
	csvMaxReference = 35
)

// csvKey normalises a header name: case, surrounding space, and " ", "-"
// and "." as "_".
func csvKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return '_'
		}
		return r
	}, s)
}

// csvSeparator is the separator of a header line: ";" when it has
// semicolons (Danish Excel), else ",".
func csvSeparator(header string) rune {
	if strings.Count(header, ";") > 0 && strings.Count(header, ";") >= strings.Count(header, ",") {
		return ';'
	}
	return ','
}

// csvSplit splits one line into its cells (quotes as in RFC 4180; a cell
// cannot hold a line break).
func csvSplit(line string, sep rune) ([]string, error) {
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = sep
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err == io.EOF {
		return []string{""}, nil
	}
	if err != nil {
		return nil, netbank.Errorf(netbank.EINVALID, "Anførselstegnene i linjen står forkert")
	}
	return rec, nil
}

// isCSVHeader reports whether line is a header line of the CSV format: it
// names the amount column.
func isCSVHeader(line string) bool {
	cells, err := csvSplit(line, csvSeparator(line))
	if err != nil {
		return false
	}
	for _, c := range cells {
		if csvNames[csvKey(c)] == csvAmount {
			return true
		}
	}
	return false
}

// ParseCSV reads a payment file in the bank's CSV format (RULE PAY-6):
// UTF-8 or Windows-1252, the first line that is not blank a header naming
// the columns (Danish names or English aliases, in any order; the column
// "beløb" is required), ";" or "," between cells as the header has it.
// A line's kind follows from the columns it fills: a card type makes a
// payment slip; an IBAN, a BIC, a country other than DK or a currency
// other than DKK a transfer abroad; otherwise a transfer to a Danish
// account. Each bad line becomes a LineError, and an unknown column an
// error on the header line; the good lines are still returned. The error
// is for the file as a whole: too large, empty, or a header without the
// amount column or with a column twice.
func ParseCSV(data []byte) (File, error) {
	f := File{Format: CSV}
	if len(data) > MaxFileSize {
		return f, errTooLarge()
	}
	var (
		cols []string // the column of each cell, "" for an unknown one
		sep  rune
	)
	for no, line := range textLines(decodeText(data)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if cols == nil {
			var err error
			sep = csvSeparator(line)
			if cols, err = csvHeader(&f, no, line, sep); err != nil {
				return f, err
			}
			continue
		}
		l, p := parseCSVLine(line, no, sep, cols)
		if p != nil {
			f.Errors = append(f.Errors, *p)
			continue
		}
		f.Lines = append(f.Lines, l)
	}
	if cols == nil {
		return f, netbank.Errorf(netbank.EINVALID, "Filen er tom.")
	}
	return f, nil
}

// csvHeader reads the header line (line no) and returns the column of
// each cell; an unknown column is an error of that line in f.
func csvHeader(f *File, no int, line string, sep rune) ([]string, error) {
	header, err := csvSplit(line, sep)
	if err != nil {
		return nil, netbank.Errorf(netbank.EINVALID, "Overskriftslinjen kan ikke læses: %s.", netbank.ErrorMessageOf(err))
	}
	cols := make([]string, len(header))
	seen := make(map[string]bool)
	for i, name := range header {
		c, ok := csvNames[csvKey(name)]
		if !ok {
			if strings.TrimSpace(name) != "" {
				f.Errors = append(f.Errors, *lineErr(no, "", "Ukendt kolonne »"+clip(strings.TrimSpace(name), 30)+
					"« – den bliver ikke læst. Se beskrivelsen af CSV-formatet for kolonnernes navne."))
			}
			continue
		}
		if seen[c] {
			return nil, netbank.Errorf(netbank.EINVALID, "Kolonnen »%s« står to gange i overskriftslinjen.", c)
		}
		seen[c] = true
		cols[i] = c
	}
	if !seen[csvAmount] {
		return nil, netbank.Errorf(netbank.EINVALID, "Overskriftslinjen mangler kolonnen »beløb«.")
	}
	return cols, nil
}

// clip shortens s to n characters for a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// parseCSVLine reads the data line no.
func parseCSVLine(line string, no int, sep rune, cols []string) (Line, *LineError) {
	cells, err := csvSplit(line, sep)
	if err != nil {
		return Line{}, lineErrOf(no, "", err)
	}
	row := make(map[string]string, len(cols))
	for i, v := range cells {
		v = csvUnprotect(strings.TrimSpace(v))
		if i >= len(cols) {
			if v != "" {
				return Line{}, lineErr(no, "", "Linjen har "+strconv.Itoa(len(cells))+" felter, men overskriftslinjen har "+
					strconv.Itoa(len(cols))+".")
			}
			continue
		}
		if cols[i] != "" {
			row[cols[i]] = v
		}
	}
	if len(cells) < len(cols) {
		return Line{}, lineErr(no, "", "Linjen har "+strconv.Itoa(len(cells))+" felter, men overskriftslinjen har "+
			strconv.Itoa(len(cols))+".")
	}
	l := Line{No: no, Kind: Transfer}
	cur := strings.ToUpper(row[csvCurrency])
	if cur == "" {
		cur = "DKK"
	}
	country := strings.ToUpper(row[csvCountry])
	switch {
	case row[csvSlipType] != "":
		l.Kind = Slip
	case row[csvToIBAN] != "" || row[csvBIC] != "" || cur != "DKK" || (country != "" && country != "DK"):
		l.Kind = Foreign
	}
	// Columns that do not belong to the kind the line has.
	unused := map[Kind][]string{
		Transfer: {csvToIBAN, csvBIC, csvPaymentID, csvCreditor},
		Slip:     {csvToReg, csvToAccount, csvToIBAN, csvBIC, csvCountry},
		Foreign:  {csvToReg, csvToAccount, csvPaymentID, csvCreditor},
	}
	kindName := map[Kind]string{Transfer: "en overførsel til en dansk konto", Slip: "et indbetalingskort",
		Foreign: "en udlandsoverførsel"}
	for _, c := range unused[l.Kind] {
		if row[c] != "" {
			return Line{}, lineErr(no, c, "Kolonnen bruges ikke, når linjen er "+kindName[l.Kind]+".")
		}
	}
	l.FromReg, l.FromAccount = row[csvFromReg], row[csvFromAccount]
	if l.FromReg == "" {
		l.FromReg, l.FromAccount = csvSplitAccount(l.FromAccount)
	}
	l.FromIBAN = row[csvFromIBAN]
	var cerr error
	if l.Currency, cerr = currencyCode(cur); cerr != nil {
		return Line{}, lineErrOf(no, "valuta", cerr)
	}
	var p *LineError
	if l.Amount, p = csvParseAmount(no, row[csvAmount], l.Currency); p != nil {
		return Line{}, p
	}
	if l.Date, p = csvParseDate(no, row[csvDate]); p != nil {
		return Line{}, p
	}
	switch l.Kind {
	case Transfer:
		l.ToReg, l.ToAccount = row[csvToReg], row[csvToAccount]
		if l.ToReg == "" {
			l.ToReg, l.ToAccount = csvSplitAccount(l.ToAccount)
		}
	case Slip:
		l.SlipType, l.SlipPaymentID, l.SlipCreditor = row[csvSlipType], row[csvPaymentID], row[csvCreditor]
	case Foreign:
		l.ToIBAN, l.ToBIC, l.ToCountry = row[csvToIBAN], row[csvBIC], country
	}
	l.ToName, l.ToAddress = row[csvName], row[csvAddress]
	l.TextToSelf, l.TextToRecipient, l.EndToEndID = row[csvOwnText], row[csvMessage], row[csvReference]
	if l.Instant, p = csvParseBool(no, row[csvInstant]); p != nil {
		return Line{}, p
	}
	if l, p = csvPrepare(l); p != nil {
		return Line{}, p
	}
	return l, nil
}

// csvFieldColumns name the column for the fields checkLine names.
var csvFieldColumns = map[string]string{
	"fra konto": csvFromAccount, "fra reg.nr.": csvFromReg, "fra IBAN": csvFromIBAN, "til reg.nr.": csvToReg,
	"til konto": csvToAccount, "IBAN": csvToIBAN, "BIC": csvBIC, "land": csvCountry, "kortart": csvSlipType,
	"betalings-id": csvPaymentID, "kreditornummer": csvCreditor, "gironummer": csvCreditor, "kodelinje": csvPaymentID,
	"modtager": csvName, "adresse": csvAddress, "egen tekst": csvOwnText, "tekst til modtager": csvMessage,
	"reference": csvReference, "beløb": csvAmount, "valuta": csvCurrency,
}

// currencyCode checks a currency code and returns it in upper case.
func currencyCode(s string) (string, error) {
	c, err := netbank.LookupCurrency(s)
	return c.Code, err
}

// csvSplitAccount reads an account written with its registration number
// in one cell when there is no reg column: "9070-0001234567",
// "9070 1234567" or 14 digits. Anything else is returned as the account
// number alone, for checkLine to report the missing registration number.
func csvSplitAccount(s string) (reg, account string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "- "); i > 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	if len(s) > 10 && allDigits(s) {
		return s[:4], s[4:]
	}
	return "", s
}

// csvParseAmount reads an amount in Danish notation ("1.234,56",
// netbank.ParseAmount) or plain with a decimal point ("1234.56").
func csvParseAmount(no int, s, currency string) (int64, *LineError) {
	if s == "" {
		return 0, lineErr(no, "beløb", "Beløbet mangler.")
	}
	m, err := netbank.ParseAmount(s, currency)
	if err == nil {
		return m.Amount, nil
	}
	if intPart, frac, ok := strings.Cut(strings.TrimPrefix(s, "+"), "."); ok && allDigits(intPart) && allDigits(frac) {
		m, err2 := netbank.ParseAmount(intPart+","+frac, currency)
		if err2 != nil {
			return 0, lineErrOf(no, "beløb", err2)
		}
		return m.Amount, nil
	}
	return 0, lineErrOf(no, "beløb", err)
}

// csvParseDate reads a date DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD (day and
// month may have one digit in the first two); blank is as soon as
// possible (the zero time).
func csvParseDate(no int, s string) (time.Time, *LineError) {
	if s == "" {
		return time.Time{}, nil
	}
	bad := lineErr(no, "dato", "Datoen skal skrives DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD.")
	var parts []string
	switch {
	case strings.Count(s, "-") == 2:
		parts = strings.Split(s, "-")
	case strings.Count(s, ".") == 2:
		parts = strings.Split(s, ".")
	default:
		return time.Time{}, bad
	}
	for _, p := range parts {
		if !allDigits(p) {
			return time.Time{}, bad
		}
	}
	var y, m, d string
	switch {
	case len(parts[0]) == 4 && len(parts[1]) == 2 && len(parts[2]) == 2 && strings.Contains(s, "-"):
		y, m, d = parts[0], parts[1], parts[2]
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		d, m, y = parts[0], parts[1], parts[2]
	default:
		return time.Time{}, bad
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t, ok := civilDate(yi, mi, di)
	if !ok {
		return time.Time{}, lineErr(no, "dato", "Datoen "+s+" findes ikke.")
	}
	return t, nil
}

// csvParseBool reads the instant column: ja/nej (j/n, yes/no, true/false,
// 1/0, x); blank is no.
func csvParseBool(no int, s string) (bool, *LineError) {
	switch strings.ToLower(s) {
	case "", "nej", "n", "no", "false", "0":
		return false, nil
	case "ja", "j", "yes", "y", "true", "1", "x":
		return true, nil
	}
	return false, lineErr(no, csvInstant, "Skriv ja eller nej.")
}

// csvLengths checks the lengths of a line's texts.
func csvLengths(l Line) *LineError {
	limits := []struct {
		field string
		s     string
		max   int
	}{
		{csvName, l.ToName, csvMaxName}, {csvAddress, l.ToAddress, csvMaxAddress},
		{csvOwnText, l.TextToSelf, csvMaxOwnText}, {csvMessage, l.TextToRecipient, csvMaxMessage},
		{csvReference, l.EndToEndID, csvMaxReference},
	}
	for _, x := range limits {
		if p := checkLen(l.No, x.field, strings.TrimSpace(x.s), x.max); p != nil {
			return p
		}
	}
	return nil
}

// csvPrepare checks that a CSV file can hold l (and read it back) and
// returns it normalised.
func csvPrepare(l Line) (Line, *LineError) {
	if p := csvLengths(l); p != nil {
		return l, p
	}
	if p := checkLine(&l); p != nil {
		if c, ok := csvFieldColumns[p.Field]; ok {
			p.Field = c
		}
		return l, p
	}
	return l, nil
}

// csvLineProblem says why a CSV file cannot hold l, or nil when it can.
func csvLineProblem(l Line) *LineError {
	_, p := csvPrepare(l)
	return p
}

// csvNeedsPrefix reports whether a cell would start like a formula (=, +,
// -, @, tab, carriage return) once any leading apostrophes are removed.
func csvNeedsPrefix(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// csvProtect protects a cell against formula injection: a spreadsheet must
// never run a text from a payment file as a formula, so a cell that starts
// like one gets a leading apostrophe (as the account CSV export does).
func csvProtect(s string) string {
	if csvNeedsPrefix(s) {
		return "'" + s
	}
	return s
}

// csvUnprotect undoes csvProtect when reading.
func csvUnprotect(s string) string {
	if strings.HasPrefix(s, "'") && csvNeedsPrefix(s[1:]) {
		return s[1:]
	}
	return s
}

// WriteCSV writes the lines of f in the bank's CSV format (RULE PAY-6):
// UTF-8 with a byte order mark, ";" between cells, CR LF line ends (as
// Danish Excel reads them), the header with every column's Danish name,
// amounts with a decimal comma and no thousands separators, dates
// DD-MM-YYYY. Only the columns of a line's kind are filled. Cells that
// start like a formula get a leading apostrophe, which ParseCSV removes
// again. A line the format cannot hold is an EINVALID error and nothing
// is written.
func WriteCSV(w io.Writer, f File) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	header := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		header[i] = c.name
	}
	cw.Write(header)
	for _, l := range f.Lines {
		l, p := csvPrepare(l)
		if p != nil {
			return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
		}
		v := map[string]string{
			csvFromReg: l.FromReg, csvFromAccount: l.FromAccount, csvFromIBAN: l.FromIBAN,
			csvAmount: plainAmount(l.Amount, l.Currency), csvCurrency: l.Currency,
			csvName: l.ToName, csvAddress: l.ToAddress, csvOwnText: l.TextToSelf, csvMessage: l.TextToRecipient,
			csvReference: l.EndToEndID,
		}
		if !l.Date.IsZero() {
			v[csvDate] = l.Date.Format("02-01-2006")
		}
		if l.Instant {
			v[csvInstant] = "ja"
		}
		switch l.Kind {
		case Transfer:
			v[csvToReg], v[csvToAccount] = l.ToReg, l.ToAccount
		case Slip:
			v[csvSlipType], v[csvPaymentID], v[csvCreditor] = l.SlipType, l.SlipPaymentID, l.SlipCreditor
		case Foreign:
			v[csvToIBAN], v[csvBIC], v[csvCountry] = l.ToIBAN, l.ToBIC, l.ToCountry
		}
		row := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			row[i] = csvProtect(v[c.name])
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
