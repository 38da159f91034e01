package payfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// This file reads and writes ISO 20022 pain.001 (customer credit transfer
// initiation), versions pain.001.001.03 and pain.001.001.09 (RULE PAY-6).
// docs/payment-files.md, section "pain.001", describes the mapping for
// people who write such files; the summary:
//
//   - One Line per CdtTrfTxInf, numbered 1, 2, … in document order over
//     all PmtInf blocks.
//   - The paying account is PmtInf/DbtrAcct: an IBAN, or Othr/Id with a
//     Danish reg. no. + account number (4 + up to 10 digits). The date is
//     PmtInf/ReqdExctnDt (.03: a date; .09: Dt, or DtTm whose date part
//     counts).
//   - The amount is Amt/InstdAmt with its Ccy; the decimals are turned
//     into minor units exactly with the currency's exponent, and more
//     decimals than the currency has (other than trailing zeros) are an
//     error of that line.
//   - The payee is CdtrAcct (IBAN, or Othr/Id), CdtrAgt's BIC (BIC in .03,
//     BICFI in .09), Cdtr/Nm and Cdtr/PstlAdr (Ctry, and AdrLine joined
//     with ", ", or StrtNm BldgNb, PstCd TwnNm). RmtInf/Ustrd (joined with
//     a space) is the text to the payee, InstrForDbtrAgt the text on the
//     payer's own statement, PmtId/EndToEndId the file's reference
//     ("NOTPROVIDED" reads as none), PmtTpInf/LclInstrm/Cd "INST" asks
//     for an instant transfer.
//   - Payment slips (FI-kort and girokort) follow the Danish CGI model:
//     RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Prtry is the card type "71"
//     ("01", "04", "15", "71", "73" or "75"; "+71" is read too),
//     CdtrRefInf/Ref is the payment id (left out for +01 and +73), and
//     CdtrAcct/Id/Othr/Id is the creditor number (+71, +73, +75) or the
//     giro account (+01, +04, +15).
//   - The kind of a line: a slip when it has the card type above;
//     otherwise a Danish account (a DK IBAN, or Othr/Id of 5–14 digits
//     with no BIC or a Danish one) in DKK is a Transfer, and anything else
//     (an IBAN outside Denmark, an account number with a foreign BIC, a
//     currency other than DKK) is Foreign.
//
// Errors in a transaction become a LineError with its number; the other
// transactions are read. Errors in the file as a whole make ParsePain001
// return an error and no lines: not XML, a DOCTYPE (so no entity tricks),
// nesting deeper than painMaxDepth, a namespace other than the two
// versions, no transactions, a GrpHdr that cannot be read (MsgId,
// CreDtTm), and a NbOfTxs or CtrlSum (of the group header or of a PmtInf)
// that does not match the transactions. A file whose control totals do not
// add up is damaged or cut short, and paying part of it would be worse
// than paying none of it.

// BankBIC is this bank's BIC (SWIFT code), written as the debtor agent
// (DbtrAgt) of the pain.001 files the bank writes.
const BankBIC = dk.NetbankBIC

// The namespaces of the two pain.001 versions.
const (
	pain03NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
	pain09NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
)

// painMaxDepth is the deepest element nesting ParsePain001 accepts. A
// pain.001 nests about a dozen levels; the limit keeps a hostile file
// from making the decoder work through deep nesting.
const painMaxDepth = 32

// painNotProvided is the EndToEndId written when a line has no reference,
// as ISO 20022 prescribes; it reads back as no reference.
const painNotProvided = "NOTPROVIDED"

// painMaxAmount is the first amount in minor units that the decimal types
// of the schemas (totalDigits 18) cannot hold: 10^18.
const painMaxAmount = 1_000_000_000_000_000_000

// painInstant is the local instrument code (ExternalLocalInstrument1Code
// "INST", instant credit transfer) that marks an instant transfer.
const painInstant = "INST"

// ---- the XML of both versions ----
//
// The two versions differ, for what the bank reads and writes, in the
// financial institution identification (BIC in .03, BICFI in .09) and in
// the requested execution date (an ISODate in .03, a choice of Dt and DtTm
// in .09); the types below are generic over those two parts, and
// pain03Document and pain09Document are the two versions. PostalAddress6
// (.03) and PostalAddress24 (.09) agree on the elements used here (StrtNm,
// BldgNb, PstCd, TwnNm, Ctry, AdrLine, in that order), so painAddress
// serves both. Field order is schema order: encoding/xml writes fields in
// declaration order.

// painAgent is the financial institution identification of one version.
type painAgent interface {
	pain03Agent | pain09Agent
	bic() string
}

// painDate is the requested execution date of one version.
type painDate interface {
	pain03Date | pain09Date
	parts() (date, dateTime string)
}

// pain03Agent is BranchAndFinancialInstitutionIdentification4 (.03).
type pain03Agent struct {
	FinInstnID struct {
		BIC string `xml:"BIC,omitempty"`
	} `xml:"FinInstnId"`
}

func (a pain03Agent) bic() string { return a.FinInstnID.BIC }

// pain09Agent is BranchAndFinancialInstitutionIdentification6 (.09).
type pain09Agent struct {
	FinInstnID struct {
		BICFI string `xml:"BICFI,omitempty"`
	} `xml:"FinInstnId"`
}

func (a pain09Agent) bic() string { return a.FinInstnID.BICFI }

// pain03Date is ReqdExctnDt of .03: an ISODate.
type pain03Date string

func (d pain03Date) parts() (string, string) { return string(d), "" }

// pain09Date is ReqdExctnDt of .09: DateAndDateTime2Choice.
type pain09Date struct {
	Dt   string `xml:"Dt,omitempty"`
	DtTm string `xml:"DtTm,omitempty"`
}

func (d pain09Date) parts() (string, string) { return d.Dt, d.DtTm }

// painDocument is the Document of a pain.001. XMLName carries the
// namespace, which tells the version.
type painDocument[A painAgent, D painDate] struct {
	XMLName xml.Name
	Initn   painInitiation[A, D] `xml:"CstmrCdtTrfInitn"`
}

// The two versions.
type (
	pain03Document = painDocument[pain03Agent, pain03Date]
	pain09Document = painDocument[pain09Agent, pain09Date]
)

// painInitiation is CustomerCreditTransferInitiationV03 / V09.
type painInitiation[A painAgent, D painDate] struct {
	GrpHdr painGroupHeader         `xml:"GrpHdr"`
	PmtInf []painPaymentInfo[A, D] `xml:"PmtInf"`
}

// painGroupHeader is GroupHeader32 (.03) / GroupHeader85 (.09).
type painGroupHeader struct {
	MsgID    string    `xml:"MsgId"`
	CreDtTm  string    `xml:"CreDtTm"`
	NbOfTxs  string    `xml:"NbOfTxs"`
	CtrlSum  string    `xml:"CtrlSum,omitempty"`
	InitgPty painParty `xml:"InitgPty"`
}

// painPaymentInfo is PaymentInstructionInformation3 (.03) /
// PaymentInstruction30 (.09): the payments from one account on one date.
type painPaymentInfo[A painAgent, D painDate] struct {
	PmtInfID    string               `xml:"PmtInfId"`
	PmtMtd      string               `xml:"PmtMtd"`
	BtchBookg   string               `xml:"BtchBookg,omitempty"`
	NbOfTxs     string               `xml:"NbOfTxs,omitempty"`
	CtrlSum     string               `xml:"CtrlSum,omitempty"`
	PmtTpInf    *painPaymentType     `xml:"PmtTpInf,omitempty"`
	ReqdExctnDt D                    `xml:"ReqdExctnDt"`
	Dbtr        painParty            `xml:"Dbtr"`
	DbtrAcct    painAccount          `xml:"DbtrAcct"`
	DbtrAgt     A                    `xml:"DbtrAgt"`
	CdtTrfTxInf []painTransaction[A] `xml:"CdtTrfTxInf"`
}

// painTransaction is CreditTransferTransactionInformation10 (.03) /
// CreditTransferTransaction34 (.09): one payment.
type painTransaction[A painAgent] struct {
	PmtID           painPaymentID    `xml:"PmtId"`
	PmtTpInf        *painPaymentType `xml:"PmtTpInf,omitempty"`
	Amt             painAmount       `xml:"Amt"`
	CdtrAgt         *A               `xml:"CdtrAgt,omitempty"`
	Cdtr            *painParty       `xml:"Cdtr,omitempty"`
	CdtrAcct        *painAccount     `xml:"CdtrAcct,omitempty"`
	InstrForDbtrAgt string           `xml:"InstrForDbtrAgt,omitempty"`
	RmtInf          *painRemittance  `xml:"RmtInf,omitempty"`
}

// painPaymentID is PaymentIdentification1 / 6.
type painPaymentID struct {
	EndToEndID string `xml:"EndToEndId"`
}

// painPaymentType is PaymentTypeInformation19 / 26, of which only the
// local instrument is used.
type painPaymentType struct {
	LclInstrm *painCodeOrProprietary `xml:"LclInstrm,omitempty"`
}

// painCodeOrProprietary is the ISO pattern of a choice between a code and
// a proprietary text (LocalInstrument2Choice, AccountSchemeName1Choice,
// CreditorReferenceType1Choice).
type painCodeOrProprietary struct {
	Cd    string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}

// painAmount is AmountType3Choice / AmountType4Choice. Only InstdAmt is
// supported; EqvtAmt is recognised so the error can say so.
type painAmount struct {
	InstdAmt *painCurrencyAmount `xml:"InstdAmt,omitempty"`
	EqvtAmt  *struct{}           `xml:"EqvtAmt,omitempty"`
}

// painCurrencyAmount is an amount with its currency attribute
// (ActiveOrHistoricCurrencyAndAmount, and ActiveCurrencyAndAmount in
// pacs.008).
type painCurrencyAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

// painParty is PartyIdentification32 / 135, of which the name and postal
// address are used.
type painParty struct {
	Nm      string       `xml:"Nm,omitempty"`
	PstlAdr *painAddress `xml:"PstlAdr,omitempty"`
}

// painAddress is PostalAddress6 (.03) / PostalAddress24 (.09, pacs.008).
type painAddress struct {
	StrtNm  string   `xml:"StrtNm,omitempty"`
	BldgNb  string   `xml:"BldgNb,omitempty"`
	PstCd   string   `xml:"PstCd,omitempty"`
	TwnNm   string   `xml:"TwnNm,omitempty"`
	Ctry    string   `xml:"Ctry,omitempty"`
	AdrLine []string `xml:"AdrLine,omitempty"`
}

// painAccount is CashAccount16 / 38: an IBAN or another identification.
type painAccount struct {
	ID struct {
		IBAN string     `xml:"IBAN,omitempty"`
		Othr *painOther `xml:"Othr,omitempty"`
	} `xml:"Id"`
}

// painOther is GenericAccountIdentification1.
type painOther struct {
	ID      string                 `xml:"Id"`
	SchmeNm *painCodeOrProprietary `xml:"SchmeNm,omitempty"`
}

// painRemittance is RemittanceInformation5 / 16.
type painRemittance struct {
	Ustrd []string         `xml:"Ustrd,omitempty"`
	Strd  []painStructured `xml:"Strd,omitempty"`
}

// painStructured is StructuredRemittanceInformation7 / 16, of which the
// creditor reference is used.
type painStructured struct {
	CdtrRefInf *painCreditorRef `xml:"CdtrRefInf,omitempty"`
}

// painCreditorRef is CreditorReferenceInformation2.
type painCreditorRef struct {
	Tp *struct {
		CdOrPrtry painCodeOrProprietary `xml:"CdOrPrtry"`
	} `xml:"Tp,omitempty"`
	Ref string `xml:"Ref,omitempty"`
}

// ---- reading ----

// ParsePain001 reads a pain.001.001.03 or pain.001.001.09 file (RULE
// PAY-6); the namespace tells the version, and File.Format says which it
// was. Every CdtTrfTxInf becomes a Line numbered by its place in the
// document, or a LineError with that number and a Danish field and reason
// when it cannot be read. The error is for the file as a whole (see the
// comment at the top of pain.go): such a file gives no lines at all.
//
// Files over MaxFileSize are refused unread. The XML may be UTF-8 or
// declare ISO-8859-1, ISO-8859-15 or Windows-1252. encoding/xml expands no
// external entities; a DOCTYPE is refused all the same, and so is nesting
// deeper than painMaxDepth.
func ParsePain001(data []byte) (File, error) {
	if len(data) > MaxFileSize {
		return File{}, errTooLarge()
	}
	ns, err := painScan(data)
	if err != nil {
		return File{}, err
	}
	switch ns {
	case pain03NS:
		var doc pain03Document
		if err := painDecode(data, &doc); err != nil {
			return File{}, err
		}
		return painRead(Pain00100103, doc.Initn)
	case pain09NS:
		var doc pain09Document
		if err := painDecode(data, &doc); err != nil {
			return File{}, err
		}
		return painRead(Pain00100109, doc.Initn)
	}
	if ns == "" {
		return File{}, netbank.Errorf(netbank.EINVALID,
			"XML-filen har intet navnerum; en pain.001-fil skal have navnerummet %s eller %s.", pain03NS, pain09NS)
	}
	return File{}, netbank.Errorf(netbank.EINVALID,
		"XML-filen har navnerummet %q; kun pain.001.001.03 og pain.001.001.09 kan indlæses.", clip(ns, 80))
}

// painDecoder returns a decoder for data that understands the 8-bit
// encodings Danish bookkeeping systems declare. *badCharset is set to the
// declared encoding when it is one the decoder does not know.
func painDecoder(data []byte) (d *xml.Decoder, badCharset *string) {
	badCharset = new(string)
	d = xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		r, err := painCharsetReader(label, input)
		if err != nil {
			*badCharset = label
		}
		return r, err
	}
	return d, badCharset
}

// painSyntaxError turns a decoder error into the Danish error for a file
// that is not well-formed XML.
func painSyntaxError(err error, badCharset string) error {
	if badCharset != "" {
		return netbank.Errorf(netbank.EINVALID,
			"Filens tegnsæt %q kendes ikke; brug UTF-8 eller ISO-8859-1.", clip(badCharset, 40))
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return netbank.Errorf(netbank.EINVALID, "Filen er ikke gyldig XML (fejl i linje %d).", se.Line)
	}
	return netbank.Errorf(netbank.EINVALID, "Filen er ikke gyldig XML.")
}

// painScan reads data token by token before it is decoded: it must be
// well-formed XML with one root element, no DOCTYPE or other directive,
// and no nesting deeper than painMaxDepth. It returns the namespace of
// the root element, which must be called Document.
func painScan(data []byte) (string, error) {
	d, bad := painDecoder(data)
	depth, roots := 0, 0
	ns := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", painSyntaxError(err, *bad)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return "", netbank.Errorf(netbank.EINVALID,
				"Filen indeholder en DOCTYPE eller et andet XML-direktiv, som en betalingsfil ikke må have.")
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return "", netbank.Errorf(netbank.EINVALID, "Filen indeholder mere end ét XML-dokument.")
				}
				if t.Name.Local != "Document" {
					return "", netbank.Errorf(netbank.EINVALID,
						"XML-filens rodelement er %q; en pain.001-fil starter med Document.", clip(t.Name.Local, 40))
				}
				ns = t.Name.Space
			}
			depth++
			if depth > painMaxDepth {
				return "", netbank.Errorf(netbank.EINVALID,
					"XML-filen er indlejret dybere end %d niveauer og kan ikke være en betalingsfil.", painMaxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
	if roots == 0 {
		return "", netbank.Errorf(netbank.EINVALID, "Filen er ikke gyldig XML: den indeholder intet XML-element.")
	}
	return ns, nil
}

// painDecode decodes data, which painScan has passed, into doc.
func painDecode(data []byte, doc any) error {
	d, bad := painDecoder(data)
	if err := d.Decode(doc); err != nil {
		return painSyntaxError(err, *bad)
	}
	return nil
}

// painCharsetReader turns the 8-bit encodings a pain.001 may declare into
// UTF-8: ISO-8859-1 (and US-ASCII, read leniently as ISO-8859-1),
// ISO-8859-15 and Windows-1252. encoding/xml handles UTF-8 itself.
func painCharsetReader(label string, input io.Reader) (io.Reader, error) {
	var conv func(byte) rune
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii":
		conv = func(c byte) rune { return rune(c) }
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9":
		conv = latin9Rune
	case "windows-1252", "cp1252":
		conv = func(c byte) rune {
			if c >= 0x80 && c < 0xA0 {
				return cp1252High[c-0x80]
			}
			return rune(c)
		}
	default:
		return nil, fmt.Errorf("charset %q not supported", label)
	}
	raw, err := io.ReadAll(io.LimitReader(input, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(len(raw) + len(raw)/8)
	for _, c := range raw {
		if c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(conv(c))
		}
	}
	return strings.NewReader(b.String()), nil
}

// latin9Rune maps a byte of ISO-8859-15, which differs from ISO-8859-1 in
// eight places (the euro sign among them).
func latin9Rune(c byte) rune {
	switch c {
	case 0xA4:
		return '€'
	case 0xA6:
		return 'Š'
	case 0xA8:
		return 'š'
	case 0xB4:
		return 'Ž'
	case 0xB8:
		return 'ž'
	case 0xBC:
		return 'Œ'
	case 0xBD:
		return 'œ'
	case 0xBE:
		return 'Ÿ'
	}
	return rune(c)
}

// painRead turns a decoded document into a File: the group header and
// the control totals first (errors of the whole file), then one Line or
// LineError per transaction.
func painRead[A painAgent, D painDate](format Format, in painInitiation[A, D]) (File, error) {
	f := File{Format: format}
	h := in.GrpHdr
	f.MessageID = strings.TrimSpace(h.MsgID)
	if f.MessageID == "" {
		return File{}, netbank.Errorf(netbank.EINVALID, "Filens id (GrpHdr/MsgId) mangler.")
	}
	created, ok := painDateTime(h.CreDtTm)
	if !ok {
		return File{}, netbank.Errorf(netbank.EINVALID,
			"Filens oprettelsestidspunkt (GrpHdr/CreDtTm) %q er ikke et gyldigt tidspunkt.", clip(strings.TrimSpace(h.CreDtTm), 40))
	}
	f.Created = created
	f.Payer = strings.TrimSpace(h.InitgPty.Nm)
	if f.Payer == "" && len(in.PmtInf) > 0 {
		f.Payer = strings.TrimSpace(in.PmtInf[0].Dbtr.Nm)
	}

	var all []string
	for i, pi := range in.PmtInf {
		amounts := make([]string, len(pi.CdtTrfTxInf))
		for j, tx := range pi.CdtTrfTxInf {
			if tx.Amt.InstdAmt != nil {
				amounts[j] = tx.Amt.InstdAmt.Value
			}
		}
		where := fmt.Sprintf("betalingsblok %d (PmtInf)", i+1)
		if err := painCheckTotals(where, pi.NbOfTxs, false, pi.CtrlSum, amounts); err != nil {
			return File{}, err
		}
		all = append(all, amounts...)
	}
	if len(all) == 0 {
		return File{}, netbank.Errorf(netbank.EINVALID, "Filen indeholder ingen betalinger.")
	}
	if err := painCheckTotals("filen (GrpHdr)", h.NbOfTxs, true, h.CtrlSum, all); err != nil {
		return File{}, err
	}

	no := 0
	for _, pi := range in.PmtInf {
		for _, tx := range pi.CdtTrfTxInf {
			no++
			l, p := painLine(no, pi, tx)
			if p != nil {
				f.Errors = append(f.Errors, *p)
				continue
			}
			f.Lines = append(f.Lines, l)
		}
	}
	return f, nil
}

// painCheckTotals checks a NbOfTxs and a CtrlSum against the amounts of
// the transactions they count. NbOfTxs may be left out unless required;
// CtrlSum may always be left out. The sum is checked only when every
// amount is a decimal number: a bad amount is that line's error.
func painCheckTotals(where, nb string, required bool, ctrlSum string, amounts []string) error {
	nb = strings.TrimSpace(nb)
	switch {
	case nb == "" && required:
		return netbank.Errorf(netbank.EINVALID, "Antallet af betalinger (NbOfTxs) mangler for %s.", where)
	case nb != "":
		n, err := strconv.Atoi(nb)
		if err != nil || !allDigits(nb) || n != len(amounts) {
			return netbank.Errorf(netbank.EINVALID,
				"Antallet af betalinger (NbOfTxs = %s) for %s passer ikke med de %d betalinger, der er i filen.",
				clip(nb, 20), where, len(amounts))
		}
	}
	ctrlSum = strings.TrimSpace(ctrlSum)
	if ctrlSum == "" {
		return nil
	}
	want, ok := painRat(ctrlSum)
	if !ok {
		return netbank.Errorf(netbank.EINVALID, "Kontrolsummen (CtrlSum = %s) for %s er ikke et tal.", clip(ctrlSum, 30), where)
	}
	sum := new(big.Rat)
	for _, a := range amounts {
		r, ok := painRat(a)
		if !ok {
			return nil
		}
		sum.Add(sum, r)
	}
	if sum.Cmp(want) != 0 {
		return netbank.Errorf(netbank.EINVALID,
			"Kontrolsummen (CtrlSum = %s) for %s passer ikke med summen af betalingerne (%s).",
			clip(ctrlSum, 30), where, sum.FloatString(5))
	}
	return nil
}

// painLine reads transaction no of the payment instruction pi into a Line,
// or says why it cannot.
func painLine[A painAgent, D painDate](no int, pi painPaymentInfo[A, D], tx painTransaction[A]) (Line, *LineError) {
	l := Line{No: no}
	if m := strings.TrimSpace(pi.PmtMtd); m != "TRF" {
		return Line{}, lineErr(no, "betalingsmåde",
			"Kun overførsler (PmtMtd TRF) kan indlæses, ikke "+strconv.Quote(clip(m, 10))+".")
	}
	date, p := painRequestedDate(no, pi.ReqdExctnDt)
	if p != nil {
		return Line{}, p
	}
	l.Date = date
	switch acc := pi.DbtrAcct.ID; {
	case strings.TrimSpace(acc.IBAN) != "":
		l.FromIBAN = acc.IBAN
	case acc.Othr != nil && strings.TrimSpace(acc.Othr.ID) != "":
		reg, account, ok := painBBAN(acc.Othr.ID)
		if !ok {
			return Line{}, lineErr(no, "fra konto",
				"Kontoen, der betales fra, skal være et IBAN eller reg.nr. og kontonummer (4 + op til 10 cifre).")
		}
		l.FromReg, l.FromAccount = reg, account
	default:
		return Line{}, lineErr(no, "fra konto", "Kontoen, der skal betales fra (DbtrAcct), mangler.")
	}

	amt := tx.Amt.InstdAmt
	if amt == nil {
		if tx.Amt.EqvtAmt != nil {
			return Line{}, lineErr(no, "beløb",
				"Beløbet skal angives i betalingens valuta (InstdAmt); et modværdibeløb (EqvtAmt) kan ikke indlæses.")
		}
		return Line{}, lineErr(no, "beløb", "Beløbet (InstdAmt) mangler.")
	}
	if strings.TrimSpace(amt.Ccy) == "" {
		return Line{}, lineErr(no, "valuta", "Valutaen (Ccy) mangler.")
	}
	cur, err := netbank.LookupCurrency(amt.Ccy)
	if err != nil {
		return Line{}, lineErrOf(no, "valuta", err)
	}
	l.Currency = cur.Code
	if l.Amount, p = painMinorUnits(no, amt.Value, cur); p != nil {
		return Line{}, p
	}

	if e := strings.TrimSpace(tx.PmtID.EndToEndID); e != painNotProvided {
		l.EndToEndID = e
	}
	l.Instant = painIsInstant(pi.PmtTpInf) || painIsInstant(tx.PmtTpInf)
	if tx.CdtrAgt != nil {
		l.ToBIC = strings.TrimSpace((*tx.CdtrAgt).bic())
	}
	if tx.Cdtr != nil {
		l.ToName = strings.TrimSpace(tx.Cdtr.Nm)
		l.ToAddress, l.ToCountry = painAddressText(tx.Cdtr.PstlAdr)
	}
	l.TextToSelf = strings.TrimSpace(tx.InstrForDbtrAgt)
	slipType, slipRef, otherRef := painCreditorRefs(tx.RmtInf)
	if tx.RmtInf != nil {
		var parts []string
		for _, u := range tx.RmtInf.Ustrd {
			if u = strings.TrimSpace(u); u != "" {
				parts = append(parts, u)
			}
		}
		l.TextToRecipient = strings.Join(parts, " ")
	}
	if l.TextToRecipient == "" {
		// A creditor reference that is not a Danish card type (an RF
		// reference, say) is the payee's way to recognise the payment.
		l.TextToRecipient = otherRef
	}

	// The payee's account: an IBAN, or another id (spaces dropped).
	iban, othr := "", ""
	if tx.CdtrAcct != nil {
		iban = strings.TrimSpace(tx.CdtrAcct.ID.IBAN)
		if o := tx.CdtrAcct.ID.Othr; o != nil {
			othr = strings.Join(strings.Fields(o.ID), "")
		}
	}
	switch {
	case slipType != "":
		if iban != "" {
			return Line{}, lineErr(no, "kreditornummer",
				"Et indbetalingskort betales til et kreditornummer eller gironummer (CdtrAcct/Id/Othr/Id), ikke til et IBAN.")
		}
		l.Kind, l.SlipType, l.SlipPaymentID, l.SlipCreditor = Slip, slipType, slipRef, othr
	case iban != "":
		iban = dk.NormalizeIBAN(iban)
		if strings.HasPrefix(iban, "DK") && l.Currency == "DKK" {
			reg, account, err := dk.SplitDanishIBAN(iban)
			if err != nil {
				return Line{}, lineErrOf(no, "til IBAN", err)
			}
			l.Kind, l.ToReg, l.ToAccount = Transfer, reg, account
		} else {
			l.Kind, l.ToIBAN = Foreign, iban
		}
	case othr != "":
		reg, account, ok := painBBAN(othr)
		danishBIC := l.ToBIC == "" || painBICCountry(l.ToBIC) == "DK"
		switch {
		case ok && danishBIC && l.Currency == "DKK":
			l.Kind, l.ToReg, l.ToAccount = Transfer, reg, account
		case ok && danishBIC:
			danish, err := dk.DanishIBAN(reg, account)
			if err != nil {
				return Line{}, lineErrOf(no, "til konto", err)
			}
			l.Kind, l.ToIBAN = Foreign, danish
		default:
			l.Kind, l.ToIBAN = Foreign, othr
		}
	default:
		return Line{}, lineErr(no, "til konto", "Modtagerens konto (CdtrAcct) mangler.")
	}
	if p := checkLine(&l); p != nil {
		return Line{}, p
	}
	return l, nil
}

// painRequestedDate reads ReqdExctnDt as a civil date at midnight UTC;
// in .09 a DtTm gives the date it names in its own time zone.
func painRequestedDate[D painDate](no int, d D) (time.Time, *LineError) {
	date, dateTime := d.parts()
	date, dateTime = strings.TrimSpace(date), strings.TrimSpace(dateTime)
	switch {
	case date != "":
		if t, ok := painCivilDate(date); ok {
			return t, nil
		}
		return time.Time{}, lineErr(no, "dato", "Betalingsdatoen "+strconv.Quote(clip(date, 30))+" er ikke en gyldig dato (ÅÅÅÅ-MM-DD).")
	case dateTime != "":
		if t, ok := painDateTime(dateTime); ok {
			if c, ok := civilDate(t.Year(), int(t.Month()), t.Day()); ok {
				return c, nil
			}
		}
		return time.Time{}, lineErr(no, "dato", "Betalingstidspunktet "+strconv.Quote(clip(dateTime, 40))+" er ikke et gyldigt tidspunkt.")
	}
	return time.Time{}, lineErr(no, "dato", "Betalingsdatoen (ReqdExctnDt) mangler.")
}

// painCivilDate parses an ISODate ("2025-03-14", perhaps with a time zone
// such as "Z" or "+01:00", which does not change the day).
func painCivilDate(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if zone := s[10:]; zone != "" && zone != "Z" {
		if _, err := time.Parse("-07:00", zone); err != nil {
			return time.Time{}, false
		}
	}
	if !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:10]) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:10])
	return civilDate(y, m, d)
}

// painDateTime parses an ISODateTime: RFC 3339 with or without a time
// zone (none means UTC) and fractions of a second.
func painDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// painDecimalParts splits an xs:decimal ("1234.5", "+0.50", "12.", ".5")
// into its integer and fraction digits; ok is false for anything else.
func painDecimalParts(s string) (whole, frac string, ok bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	whole, frac, _ = strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return "", "", false
	}
	if (whole != "" && !allDigits(whole)) || (frac != "" && !allDigits(frac)) {
		return "", "", false
	}
	if whole == "" {
		whole = "0"
	}
	return whole, frac, true
}

// painRat is an xs:decimal as an exact rational number.
func painRat(s string) (*big.Rat, bool) {
	whole, frac, ok := painDecimalParts(s)
	if !ok {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(whole + "." + frac + "0")
	return r, ok
}

// painMinorUnits turns the decimal amount s into minor units of cur,
// exactly: more decimals than the currency has are refused unless they
// are zeros, as are zero, negative and oversized amounts.
func painMinorUnits(no int, s string, cur netbank.Currency) (int64, *LineError) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, lineErr(no, "beløb", "Beløbet mangler.")
	}
	if strings.HasPrefix(t, "-") {
		return 0, lineErr(no, "beløb", "Beløbet må ikke være negativt.")
	}
	whole, frac, ok := painDecimalParts(t)
	if !ok {
		return 0, lineErr(no, "beløb", "Beløbet "+strconv.Quote(clip(t, 30))+" er ikke et tal (brug punktum som decimaltegn, f.eks. 1234.50).")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > cur.Exponent {
		if cur.Exponent == 0 {
			return 0, lineErr(no, "beløb", "Beløbet "+t+" har decimaler, men "+cur.Code+" har ingen decimaler.")
		}
		return 0, lineErr(no, "beløb", fmt.Sprintf("Beløbet %s har for mange decimaler: %s har højst %d.", t, cur.Code, cur.Exponent))
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", cur.Exponent-len(frac)), "0")
	if len(digits) > 18 {
		return 0, lineErr(no, "beløb", "Beløbet er for stort.")
	}
	var minor int64
	if digits != "" {
		minor, _ = strconv.ParseInt(digits, 10, 64)
	}
	if minor <= 0 {
		return 0, lineErr(no, "beløb", "Beløbet skal være større end 0.")
	}
	return minor, nil
}

// painBBAN reads a Danish reg. no. + account number written together
// (spaces ignored): 4 + 1–10 digits. The account number comes back padded
// with zeros to 10 digits.
func painBBAN(s string) (reg, account string, ok bool) {
	s = strings.Join(strings.Fields(s), "")
	if len(s) < 5 || len(s) > 14 || !allDigits(s) {
		return "", "", false
	}
	return s[:4], strings.Repeat("0", 14-len(s)) + s[4:], true
}

// painBICCountry is the country code of a BIC (characters 5 and 6), or ""
// when the BIC is too short to have one.
func painBICCountry(bic string) string {
	bic = strings.ToUpper(strings.Join(strings.Fields(bic), ""))
	if len(bic) < 6 {
		return ""
	}
	return bic[4:6]
}

// painIsInstant reports whether the payment type asks for an instant
// transfer.
func painIsInstant(t *painPaymentType) bool {
	return t != nil && t.LclInstrm != nil && strings.TrimSpace(t.LclInstrm.Cd) == painInstant
}

// painAddressText is the address as one line (AdrLine joined with ", ",
// or else street and building number, postcode and town) and the country.
func painAddressText(a *painAddress) (address, country string) {
	if a == nil {
		return "", ""
	}
	var parts []string
	for _, s := range a.AdrLine {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		join := func(a, b string) string { return strings.TrimSpace(strings.TrimSpace(a) + " " + strings.TrimSpace(b)) }
		for _, s := range []string{join(a.StrtNm, a.BldgNb), join(a.PstCd, a.TwnNm)} {
			if s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, ", "), strings.ToUpper(strings.TrimSpace(a.Ctry))
}

// painCreditorRefs finds the Danish card type and payment id among the
// creditor references (the first one whose proprietary type is a card
// type), and else the first other reference.
func painCreditorRefs(r *painRemittance) (slipType, slipRef, otherRef string) {
	if r == nil {
		return "", "", ""
	}
	for _, s := range r.Strd {
		c := s.CdtrRefInf
		if c == nil {
			continue
		}
		ref := strings.TrimSpace(c.Ref)
		if c.Tp != nil {
			typ := strings.TrimPrefix(strings.TrimSpace(c.Tp.CdOrPrtry.Prtry), "+")
			if knownSlipTypes[typ] {
				return typ, ref, ""
			}
		}
		if otherRef == "" {
			otherRef = ref
		}
	}
	return "", "", otherRef
}

// ---- writing ----

// WritePain001 writes f as a pain.001 document of the given version
// (Pain00100103 or Pain00100109) that validates against the ISO schema
// (RULE PAY-6). The group header has f.MessageID as MsgId (or an id
// derived from the lines when f has none), f.Created as CreDtTm (it must
// be set: the package has no clock of its own), the number of lines and
// their control sum, and f.Payer as the initiating party. The lines are
// grouped into one PmtInf per paying account, date and currency, in the
// order each group first appears; a line without a date is written with
// the date of f.Created (as soon as possible). Every line is checked as
// the readers check it, and a line the format cannot express (a text
// longer than its element, a transfer to a Danish account in another
// currency than DKK, …) makes WritePain001 fail with an EINVALID error
// naming the line, before anything is written.
func WritePain001(w io.Writer, f File, version Format) error {
	if version != Pain00100103 && version != Pain00100109 {
		return errUnknownFormat(version)
	}
	if len(f.Lines) == 0 {
		return netbank.Errorf(netbank.EINVALID, "Filen har ingen betalinger at skrive.")
	}
	if f.Created.IsZero() {
		return netbank.Errorf(netbank.EINVALID, "Filens oprettelsestidspunkt mangler.")
	}
	msgID := strings.TrimSpace(f.MessageID)
	if msgID == "" {
		msgID = painDerivedMessageID(f)
	}
	if p := checkLen(0, "filens id", msgID, 35); p != nil {
		return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
	}
	payer := strings.TrimSpace(f.Payer)
	for _, c := range []struct{ field, s string }{{"filens id", msgID}, {"betaler", payer}} {
		if p := checkChars(0, c.field, c.s); p != nil {
			return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
		}
	}
	if p := checkLen(0, "betaler", payer, 140); p != nil {
		return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
	}

	var groups []painGroup
	index := map[string]int{}
	for _, l := range f.Lines {
		if p := painLineProblem(&l); p != nil {
			return netbank.Errorf(netbank.EINVALID, "%s", p.Error())
		}
		if l.Date.IsZero() {
			l.Date, _ = civilDate(f.Created.Year(), int(f.Created.Month()), f.Created.Day())
		}
		key := l.FromIBAN + "|" + l.FromReg + l.FromAccount + "|" + l.Date.Format(time.DateOnly) + "|" + l.Currency
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, painGroup{})
		}
		groups[i].lines = append(groups[i].lines, l)
	}

	var total big.Int
	for _, g := range groups {
		for _, l := range g.lines {
			total.Add(&total, big.NewInt(l.Amount))
		}
	}
	if total.Cmp(big.NewInt(painMaxAmount/1000)) >= 0 {
		// CtrlSum is written with up to 3 decimals; keep it within 18 digits.
		return netbank.Errorf(netbank.EINVALID, "Summen af filens betalinger er for stor til én pain.001-fil; del filen op.")
	}

	var doc any
	switch version {
	case Pain00100103:
		doc = painBuild(pain03NS, f, msgID, payer, groups,
			func(bic string) pain03Agent {
				var a pain03Agent
				a.FinInstnID.BIC = bic
				return a
			},
			func(d time.Time) pain03Date { return pain03Date(d.Format(time.DateOnly)) })
	default:
		doc = painBuild(pain09NS, f, msgID, payer, groups,
			func(bic string) pain09Agent {
				var a pain09Agent
				a.FinInstnID.BICFI = bic
				return a
			},
			func(d time.Time) pain09Date { return pain09Date{Dt: d.Format(time.DateOnly)} })
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("payfile: write pain.001: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// painGroup is the lines of one PmtInf: one paying account, date and
// currency.
type painGroup struct {
	lines []Line
}

// painLineProblem checks l as the readers do (checkLine, which also
// normalises it) and then for what pain.001 cannot hold. It returns the
// first problem, or nil.
func painLineProblem(l *Line) *LineError {
	if p := checkLine(l); p != nil {
		return p
	}
	for _, c := range []struct {
		field, s string
		max      int
	}{
		{"reference", l.EndToEndID, 35},
		{"tekst til modtager", l.TextToRecipient, 140},
		{"egen tekst", l.TextToSelf, 140},
		{"modtager", l.ToName, 140},
	} {
		if p := checkLen(l.No, c.field, c.s, c.max); p != nil {
			return p
		}
	}
	if l.Amount >= painMaxAmount {
		return lineErr(l.No, "beløb", "Beløbet er for stort.")
	}
	if l.EndToEndID == painNotProvided {
		return lineErr(l.No, "reference", "Referencen "+painNotProvided+" betyder »ingen reference« i pain.001 og kan ikke bruges.")
	}
	l.ToBIC = strings.ToUpper(strings.Join(strings.Fields(l.ToBIC), ""))
	if l.ToBIC != "" {
		if err := dk.ValidateBIC(l.ToBIC); err != nil {
			return lineErrOf(l.No, "BIC", err)
		}
	}
	l.ToCountry = strings.ToUpper(strings.TrimSpace(l.ToCountry))
	if l.ToCountry != "" && !dk.ValidCountryCode(l.ToCountry) {
		return lineErr(l.No, "land", "Landet skal være en landekode på to bogstaver (ISO 3166), f.eks. DE.")
	}
	if _, ok := painAddressLines(l.ToAddress); !ok {
		return lineErr(l.No, "adresse", "Adressen kan ikke deles i højst 7 linjer på højst 70 tegn (del den med »,«).")
	}
	switch l.Kind {
	case Transfer:
		if l.Currency != "DKK" {
			return lineErr(l.No, "valuta", "En overførsel til en dansk konto i "+l.Currency+" skal angives som udlandsoverførsel med IBAN.")
		}
		if l.ToBIC != "" && painBICCountry(l.ToBIC) != "DK" {
			return lineErr(l.No, "BIC", "BIC'en "+l.ToBIC+" er ikke dansk, men kontoen er en dansk konto.")
		}
	case Foreign:
		if !looksLikeIBAN(l.ToIBAN) {
			if _, _, ok := painBBAN(l.ToIBAN); ok && painBICCountry(l.ToBIC) == "DK" {
				return lineErr(l.No, "IBAN", "Kontonummeret ligner et dansk reg.nr. og kontonummer; angiv modtagerens IBAN.")
			}
		}
	}
	return nil
}

// painAddressLines splits an address into AdrLine elements of at most 70
// characters, at most 7 of them: one line when it fits, else the parts
// between ", " packed into lines, so that joining the lines with ", "
// (as ParsePain001 does) gives the address back.
func painAddressLines(s string) ([]string, bool) {
	if s == "" {
		return nil, true
	}
	if utf8.RuneCountInString(s) <= 70 {
		return []string{s}, true
	}
	var lines []string
	cur := ""
	for _, part := range strings.Split(s, ", ") {
		switch {
		case utf8.RuneCountInString(part) > 70:
			return nil, false
		case cur == "":
			cur = part
		case utf8.RuneCountInString(cur)+2+utf8.RuneCountInString(part) <= 70:
			cur += ", " + part
		default:
			lines = append(lines, cur)
			cur = part
		}
	}
	lines = append(lines, cur)
	return lines, len(lines) <= 7
}

// painBuild makes the document of one version from checked, grouped
// lines; newAgent and newDate make that version's agent and date.
func painBuild[A painAgent, D painDate](ns string, f File, msgID, payer string, groups []painGroup,
	newAgent func(bic string) A, newDate func(time.Time) D) painDocument[A, D] {
	var doc painDocument[A, D]
	doc.XMLName = xml.Name{Space: ns, Local: "Document"}
	var all []Line
	for gi, g := range groups {
		first := g.lines[0]
		pi := painPaymentInfo[A, D]{
			PmtInfID:    painPaymentInfoID(msgID, gi+1),
			PmtMtd:      "TRF",
			BtchBookg:   "false",
			NbOfTxs:     strconv.Itoa(len(g.lines)),
			CtrlSum:     painControlSum(g.lines),
			ReqdExctnDt: newDate(first.Date),
			Dbtr:        painParty{Nm: payer},
			DbtrAgt:     newAgent(BankBIC),
		}
		if first.FromIBAN != "" {
			pi.DbtrAcct.ID.IBAN = first.FromIBAN
		} else {
			pi.DbtrAcct.ID.Othr = &painOther{ID: first.FromReg + first.FromAccount, SchmeNm: &painCodeOrProprietary{Cd: "BBAN"}}
		}
		for _, l := range g.lines {
			pi.CdtTrfTxInf = append(pi.CdtTrfTxInf, painTransactionOf(l, newAgent))
		}
		doc.Initn.PmtInf = append(doc.Initn.PmtInf, pi)
		all = append(all, g.lines...)
	}
	doc.Initn.GrpHdr = painGroupHeader{
		MsgID:    msgID,
		CreDtTm:  f.Created.Format(time.RFC3339),
		NbOfTxs:  strconv.Itoa(len(all)),
		CtrlSum:  painControlSum(all),
		InitgPty: painParty{Nm: payer},
	}
	return doc
}

// painTransactionOf is the CdtTrfTxInf of a checked line.
func painTransactionOf[A painAgent](l Line, newAgent func(string) A) painTransaction[A] {
	exp := 2
	if c, err := netbank.LookupCurrency(l.Currency); err == nil {
		exp = c.Exponent
	}
	tx := painTransaction[A]{
		PmtID:           painPaymentID{EndToEndID: l.EndToEndID},
		Amt:             painAmount{InstdAmt: &painCurrencyAmount{Ccy: l.Currency, Value: painDecimal(big.NewInt(l.Amount), exp)}},
		InstrForDbtrAgt: l.TextToSelf,
	}
	if tx.PmtID.EndToEndID == "" {
		tx.PmtID.EndToEndID = painNotProvided
	}
	if l.Instant {
		tx.PmtTpInf = &painPaymentType{LclInstrm: &painCodeOrProprietary{Cd: painInstant}}
	}
	if l.ToBIC != "" {
		a := newAgent(l.ToBIC)
		tx.CdtrAgt = &a
	}
	if l.ToName != "" || l.ToAddress != "" || l.ToCountry != "" {
		tx.Cdtr = &painParty{Nm: l.ToName}
		if l.ToAddress != "" || l.ToCountry != "" {
			lines, _ := painAddressLines(l.ToAddress)
			tx.Cdtr.PstlAdr = &painAddress{Ctry: l.ToCountry, AdrLine: lines}
		}
	}
	tx.CdtrAcct = &painAccount{}
	switch l.Kind {
	case Transfer:
		tx.CdtrAcct.ID.Othr = &painOther{ID: l.ToReg + l.ToAccount, SchmeNm: &painCodeOrProprietary{Cd: "BBAN"}}
	case Slip:
		tx.CdtrAcct.ID.Othr = &painOther{ID: l.SlipCreditor}
	default:
		if looksLikeIBAN(l.ToIBAN) {
			tx.CdtrAcct.ID.IBAN = l.ToIBAN
		} else {
			tx.CdtrAcct.ID.Othr = &painOther{ID: l.ToIBAN}
		}
	}
	var rmt painRemittance
	if l.TextToRecipient != "" {
		rmt.Ustrd = []string{l.TextToRecipient}
	}
	if l.Kind == Slip {
		ref := &painCreditorRef{Ref: l.SlipPaymentID}
		ref.Tp = &struct {
			CdOrPrtry painCodeOrProprietary `xml:"CdOrPrtry"`
		}{painCodeOrProprietary{Prtry: l.SlipType}}
		rmt.Strd = []painStructured{{CdtrRefInf: ref}}
	}
	if rmt.Ustrd != nil || rmt.Strd != nil {
		tx.RmtInf = &rmt
	}
	return tx
}

// painPaymentInfoID is the PmtInfId of group n: the MsgId (shortened to
// fit Max35Text) and the group's number.
func painPaymentInfoID(msgID string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	r := []rune(msgID)
	if len(r)+len(suffix) > 35 {
		r = r[:35-len(suffix)]
	}
	return string(r) + suffix
}

// painDerivedMessageID is a MsgId for a file that has none: "NB" and a
// hash of the lines, so the same lines give the same id.
func painDerivedMessageID(f File) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|", f.Payer, f.Created.Unix())
	for _, l := range f.Lines {
		fmt.Fprintf(h, "%#v\n", l)
	}
	return "NB" + hex.EncodeToString(h.Sum(nil))[:30]
}

// painControlSum is the CtrlSum of lines: the sum of their amounts
// regardless of currency (as ISO 20022 defines it), exact, with as many
// decimals as the currency with the most.
func painControlSum(lines []Line) string {
	scale := 0
	for _, l := range lines {
		if c, err := netbank.LookupCurrency(l.Currency); err == nil && c.Exponent > scale {
			scale = c.Exponent
		}
	}
	sum := new(big.Int)
	for _, l := range lines {
		exp := 2
		if c, err := netbank.LookupCurrency(l.Currency); err == nil {
			exp = c.Exponent
		}
		a := big.NewInt(l.Amount)
		a.Mul(a, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-exp)), nil))
		sum.Add(sum, a)
	}
	return painDecimal(sum, scale)
}

// painDecimal writes n units of 10^-scale as a decimal: 123456, 2 →
// "1234.56"; 5, 2 → "0.05"; 7, 0 → "7".
func painDecimal(n *big.Int, scale int) string {
	s := n.String()
	if scale == 0 {
		return s
	}
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	return s[:len(s)-scale] + "." + s[len(s)-scale:]
}
