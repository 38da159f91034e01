package payfile_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/payfile"
)

// day is a civil date at midnight UTC, as the readers give dates.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// readFixture reads testdata/pain/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pain", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mustParsePain parses data and fails the test on a file error.
func mustParsePain(t *testing.T, data []byte) payfile.File {
	t.Helper()
	f, err := payfile.ParsePain001(data)
	if err != nil {
		t.Fatalf("ParsePain001: %v", err)
	}
	return f
}

// diffLines reports the lines that differ, field by field.
func diffLines(t *testing.T, got, want []payfile.Line) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d lines, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
		return
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("line %d:\n got  %+v\n want %+v", i+1, got[i], want[i])
		}
	}
}

// The fixtures are real pain.001 documents: each validates against the
// ISO schema of its version (RULE PAY-6).
func TestPainFixturesValidateAgainstISOSchema_PAY6(t *testing.T) {
	for _, c := range []struct{ file, xsd string }{
		{"valid-03.xml", "pain.001.001.03.xsd"},
		{"valid-09.xml", "pain.001.001.09.xsd"},
		{"bad-lines-03.xml", "pain.001.001.03.xsd"},
	} {
		t.Run(c.file, func(t *testing.T) { xmllintValidate(t, c.xsd, readFixture(t, c.file)) })
	}
}

// RULE PAY-6: a pain.001.001.03 file from a Danish bookkeeping system is
// read into the neutral model: transfers to Danish accounts (by reg. no.
// + account and by DK IBAN), FIK slips +71 and +73, and foreign transfers
// by IBAN and BIC with their addresses.
func TestParsePain00100103_PAY6(t *testing.T) {
	f := mustParsePain(t, readFixture(t, "valid-03.xml"))
	if f.Format != payfile.Pain00100103 || f.MessageID != "TJH-2025-03-0042" || f.Payer != "Tømrerfirma Jens Hansen ApS" {
		t.Errorf("header: format %q, id %q, payer %q", f.Format, f.MessageID, f.Payer)
	}
	if want := time.Date(2025, 3, 13, 15, 45, 10, 0, time.UTC); !f.Created.Equal(want) {
		t.Errorf("Created = %v, want %v", f.Created, want)
	}
	if len(f.Errors) != 0 {
		t.Errorf("errors: %v", f.Errors)
	}
	from := payfile.Line{FromReg: "9070", FromAccount: "0001234567", FromIBAN: "DK4990700001234567"}
	with := func(l payfile.Line) payfile.Line {
		l.FromReg, l.FromAccount, l.FromIBAN = from.FromReg, from.FromAccount, from.FromIBAN
		return l
	}
	diffLines(t, f.Lines, []payfile.Line{
		with(payfile.Line{No: 1, Kind: payfile.Transfer, Date: day(2025, 3, 14), Amount: 1250000, Currency: "DKK",
			ToReg: "5301", ToAccount: "0002468135", ToName: "Trælast Nord A/S",
			TextToSelf: "Trælast faktura 20431", TextToRecipient: "Faktura 20431", EndToEndID: "F20431"}),
		with(payfile.Line{No: 2, Kind: payfile.Transfer, Date: day(2025, 3, 14), Amount: 450050, Currency: "DKK",
			ToReg: "1551", ToAccount: "0003912345", ToName: "Mikkel Sørensen", TextToRecipient: "Løn marts", Instant: true}),
		with(payfile.Line{No: 3, Kind: payfile.Slip, Date: day(2025, 3, 14), Amount: 187525, Currency: "DKK",
			ToName: "Energi Danmark", SlipType: "71", SlipPaymentID: "000100017156728", SlipCreditor: "81234567", EndToEndID: "EL-2025-03"}),
		with(payfile.Line{No: 4, Kind: payfile.Slip, Date: day(2025, 3, 14), Amount: 68900, Currency: "DKK",
			ToName: "Aarhus Vand A/S", SlipType: "73", SlipCreditor: "87654321", TextToRecipient: "Kundenr. 4411 marts", EndToEndID: "VAND-Q1"}),
		with(payfile.Line{No: 5, Kind: payfile.Foreign, Date: day(2025, 3, 17), Amount: 234567, Currency: "EUR",
			ToIBAN: "DE89370400440532013000", ToBIC: "COBADEFFXXX", ToCountry: "DE", ToName: "Holzhandel Schmidt GmbH",
			ToAddress: "Hauptstraße 5, 20095 Hamburg", TextToRecipient: "Rechnung 2025-118", EndToEndID: "HS-2025-118"}),
		with(payfile.Line{No: 6, Kind: payfile.Foreign, Date: day(2025, 3, 17), Amount: 1000000, Currency: "SEK",
			ToIBAN: "SE4550000000058398257466", ToBIC: "ESSESESS", ToCountry: "SE", ToName: "Svensk Verktyg AB",
			ToAddress: "Storgatan 12, 111 51 Stockholm", TextToRecipient: "Order 77", EndToEndID: "SV-77"}),
	})
}

// RULE PAY-6: pain.001.001.09 (BICFI, ReqdExctnDt as Dt or DtTm) with
// slips +75, +04 and "+71", and foreign transfers in USD (an account
// number, no IBAN), GBP and JPY (no decimals).
func TestParsePain00100109_PAY6(t *testing.T) {
	f := mustParsePain(t, readFixture(t, "valid-09.xml"))
	if f.Format != payfile.Pain00100109 || f.MessageID != "ND-20250601" || f.Payer != "Nordisk Design ApS" {
		t.Errorf("header: format %q, id %q, payer %q", f.Format, f.MessageID, f.Payer)
	}
	if want := time.Date(2025, 6, 1, 8, 12, 0, 123e6, time.UTC); !f.Created.Equal(want) {
		t.Errorf("Created = %v, want %v", f.Created, want)
	}
	if len(f.Errors) != 0 {
		t.Errorf("errors: %v", f.Errors)
	}
	with := func(l payfile.Line) payfile.Line {
		l.FromReg, l.FromAccount, l.FromIBAN = "9070", "0007654321", "DK6590700007654321"
		return l
	}
	diffLines(t, f.Lines, []payfile.Line{
		with(payfile.Line{No: 1, Kind: payfile.Transfer, Date: day(2025, 6, 2), Amount: 299995, Currency: "DKK",
			ToReg: "0040", ToAccount: "0440116243", ToName: "Ejendomsselskabet Havnen K/S", TextToRecipient: "Husleje juni", EndToEndID: "ND-1001"}),
		with(payfile.Line{No: 2, Kind: payfile.Slip, Date: day(2025, 6, 2), Amount: 34900, Currency: "DKK", ToName: "Fagbladet Design",
			SlipType: "75", SlipPaymentID: "0000000202403150", SlipCreditor: "85556667", TextToRecipient: "Abonnement 2025", EndToEndID: "ND-1002"}),
		with(payfile.Line{No: 3, Kind: payfile.Slip, Date: day(2025, 6, 2), Amount: 120000, Currency: "DKK", ToName: "Foreningen Dansk Kunsthåndværk",
			SlipType: "04", SlipPaymentID: "0000040012345670", SlipCreditor: "1234567", EndToEndID: "ND-1003"}),
		with(payfile.Line{No: 4, Kind: payfile.Slip, Date: day(2025, 6, 2), Amount: 7500, Currency: "DKK", ToName: "Energi Danmark",
			SlipType: "71", SlipPaymentID: "123456789012347", SlipCreditor: "81234567", EndToEndID: "ND-1004"}),
		with(payfile.Line{No: 5, Kind: payfile.Foreign, Date: day(2025, 6, 3), Amount: 150000, Currency: "USD",
			ToIBAN: "000123456789", ToBIC: "CHASUS33", ToCountry: "US", ToName: "Acme Supplies Inc.",
			ToAddress: "500 Main Street, Springfield, IL 62701", TextToRecipient: "Invoice 88-1943", EndToEndID: "ND-1005"}),
		with(payfile.Line{No: 6, Kind: payfile.Foreign, Date: day(2025, 6, 3), Amount: 82040, Currency: "GBP",
			ToIBAN: "GB29NWBK60161331926819", ToBIC: "NWBKGB2L", ToCountry: "GB", ToName: "Thames Textiles Ltd",
			ToAddress: "12 Riverside Walk, London SE1 9PG", TextToRecipient: "PO 5512", EndToEndID: "ND-1006"}),
		with(payfile.Line{No: 7, Kind: payfile.Foreign, Date: day(2025, 6, 2), Amount: 125000, Currency: "JPY",
			ToIBAN: "1234567", ToBIC: "MHCBJPJT", ToCountry: "JP", ToName: "Kyoto Crafts KK", TextToRecipient: "Lacquer bowls", EndToEndID: "ND-1007"}),
	})
}

// RULE PAY-6: a file with bad transactions gives every good one and one
// LineError per bad one, numbered by its place in the document: a German
// IBAN with wrong check digits (2), an amount of 0 (3), three decimals in
// DKK (5).
func TestParsePain001BadTransactions_PAY6(t *testing.T) {
	f := mustParsePain(t, readFixture(t, "bad-lines-03.xml"))
	var nos []int
	for _, l := range f.Lines {
		nos = append(nos, l.No)
	}
	if !slices.Equal(nos, []int{1, 4, 6}) {
		t.Errorf("good lines %v, want [1 4 6]", nos)
	}
	want := []struct {
		no            int
		field, reason string
	}{
		{2, "IBAN", "kontrolcifre"},
		{3, "beløb", "Beløbet skal være større end 0."},
		{5, "beløb", "for mange decimaler"},
	}
	if len(f.Errors) != len(want) {
		t.Fatalf("errors %v, want %d", f.Errors, len(want))
	}
	for i, w := range want {
		e := f.Errors[i]
		if e.No != w.no || e.Field != w.field || !strings.Contains(e.Message, w.reason) {
			t.Errorf("error %d = %+v, want line %d, field %q, reason containing %q", i, e, w.no, w.field, w.reason)
		}
	}
}

// painDoc is a minimal pain.001.001.03 with one transaction; the fields
// of t replace the defaults.
type painDoc struct {
	pmtMtd, date, debtor, tx, amount, ccy, creditor, rmtInf string
}

func (d painDoc) xml() []byte {
	def := func(s, v string) string {
		if s == "" {
			return v
		}
		return s
	}
	body := def(d.tx, `<Amt><InstdAmt Ccy="`+def(d.ccy, "DKK")+`">`+def(d.amount, "10.00")+`</InstdAmt></Amt>`+
		def(d.creditor, `<Cdtr><Nm>Modtager</Nm></Cdtr><CdtrAcct><Id><Othr><Id>53010002468135</Id></Othr></Id></CdtrAcct>`)+d.rmtInf)
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>T</MsgId><CreDtTm>2025-01-02T10:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs><InitgPty><Nm>Betaler</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>T-1</PmtInfId><PmtMtd>` + def(d.pmtMtd, "TRF") + `</PmtMtd><ReqdExctnDt>` + def(d.date, "2025-01-03") + `</ReqdExctnDt>
<Dbtr><Nm>Betaler</Nm></Dbtr><DbtrAcct><Id>` + def(d.debtor, `<IBAN>DK4990700001234567</IBAN>`) + `</Id></DbtrAcct>
<DbtrAgt><FinInstnId><BIC>NETBDKKK</BIC></FinInstnId></DbtrAgt>
<CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId></PmtId>` + body + `</CdtTrfTxInf></PmtInf>
</CstmrCdtTrfInitn></Document>`)
}

// RULE PAY-6: amounts are turned into minor units exactly with the
// currency's exponent; more decimals than the currency has, zero,
// negative and oversized amounts are errors of the line.
func TestParsePain001Amounts_PAY6(t *testing.T) {
	for _, c := range []struct {
		amount, ccy string
		want        int64
		reason      string
	}{
		{"1234.56", "DKK", 123456, ""},
		{"1234.5", "DKK", 123450, ""},
		{"1234", "DKK", 123400, ""},
		{"0.01", "DKK", 1, ""},
		{".5", "DKK", 50, ""},
		{"+7.", "DKK", 700, ""},
		{" 12.30000 ", "DKK", 1230, ""},
		{"9999999999999999.99", "DKK", 999999999999999999, ""},
		{"125000", "JPY", 125000, ""},
		{"1.234", "KWD", 1234, ""},
		{"12.345", "DKK", 0, "for mange decimaler"},
		{"12.5", "JPY", 0, "ingen decimaler"},
		{"1.2345", "KWD", 0, "for mange decimaler"},
		{"0", "DKK", 0, "større end 0"},
		{"0.00", "DKK", 0, "større end 0"},
		{"-5.00", "DKK", 0, "negativt"},
		{"1e3", "DKK", 0, "ikke et tal"},
		{"1,50", "DKK", 0, "ikke et tal"},
		{"10000000000000000.00", "DKK", 0, "for stort"},
		{"10.00", "XYZ", 0, "Ukendt valuta"},
	} {
		t.Run(c.amount+" "+c.ccy, func(t *testing.T) {
			f := mustParsePain(t, painDoc{amount: c.amount, ccy: c.ccy, creditor: foreignCreditor}.xml())
			if c.reason == "" {
				if len(f.Lines) != 1 || f.Lines[0].Amount != c.want {
					t.Fatalf("lines %+v, errors %v; want amount %d", f.Lines, f.Errors, c.want)
				}
				return
			}
			if len(f.Errors) != 1 || !strings.Contains(f.Errors[0].Message, c.reason) {
				t.Fatalf("errors %v, want one containing %q (lines %+v)", f.Errors, c.reason, f.Lines)
			}
		})
	}
}

// foreignCreditor is a payee that any currency can be paid to.
const foreignCreditor = `<CdtrAgt><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></CdtrAgt>` +
	`<Cdtr><Nm>Holzhandel Schmidt GmbH</Nm><PstlAdr><Ctry>DE</Ctry></PstlAdr></Cdtr>` +
	`<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>`

// RULE PAY-6: what else makes one transaction unreadable, with the field
// the error names.
func TestParsePain001LineErrors_PAY6(t *testing.T) {
	for _, c := range []struct {
		name  string
		doc   painDoc
		field string
	}{
		{"cheque", painDoc{pmtMtd: "CHK"}, "betalingsmåde"},
		{"bad date", painDoc{date: "2025-02-30"}, "dato"},
		{"no debtor account", painDoc{debtor: `<Othr><Id>12</Id></Othr>`}, "fra konto"},
		{"equivalent amount", painDoc{tx: `<Amt><EqvtAmt><Amt Ccy="EUR">1.00</Amt><CcyOfTrf>DKK</CcyOfTrf></EqvtAmt></Amt>`}, "beløb"},
		{"no creditor account", painDoc{creditor: `<Cdtr><Nm>X</Nm></Cdtr>`}, "til konto"},
		{"slip to an IBAN", painDoc{creditor: `<CdtrAcct><Id><IBAN>DK5615510003912345</IBAN></Id></CdtrAcct>`,
			rmtInf: `<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>71</Prtry></CdOrPrtry></Tp><Ref>000100017156728</Ref></CdtrRefInf></Strd></RmtInf>`}, "kreditornummer"},
		{"slip with a bad check digit", painDoc{creditor: `<CdtrAcct><Id><Othr><Id>81234567</Id></Othr></Id></CdtrAcct>`,
			rmtInf: `<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>71</Prtry></CdOrPrtry></Tp><Ref>000100017156729</Ref></CdtrRefInf></Strd></RmtInf>`}, "betalings-id"},
		{"slip in EUR", painDoc{ccy: "EUR", creditor: `<CdtrAcct><Id><Othr><Id>81234567</Id></Othr></Id></CdtrAcct>`,
			rmtInf: `<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>71</Prtry></CdOrPrtry></Tp><Ref>000100017156728</Ref></CdtrRefInf></Strd></RmtInf>`}, "valuta"},
		{"bad Danish IBAN", painDoc{creditor: `<CdtrAcct><Id><IBAN>DK5615510003912346</IBAN></Id></CdtrAcct>`}, "til IBAN"},
		{"foreign without name", painDoc{ccy: "EUR", creditor: `<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>`}, "modtager"},
		{"account number without BIC", painDoc{ccy: "USD", creditor: `<Cdtr><Nm>Acme</Nm></Cdtr><CdtrAcct><Id><Othr><Id>ACME-1</Id></Othr></Id></CdtrAcct>`}, "IBAN"},
		{"control character", painDoc{rmtInf: "<RmtInf><Ustrd>a&#9;b</Ustrd></RmtInf>"}, "tekst til modtager"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParsePain(t, c.doc.xml())
			if len(f.Lines) != 0 || len(f.Errors) != 1 || f.Errors[0].No != 1 || f.Errors[0].Field != c.field {
				t.Fatalf("lines %+v, errors %+v; want one error in field %q", f.Lines, f.Errors, c.field)
			}
		})
	}
}

// RULE PAY-6: damage to the file as a whole (not XML, entity tricks,
// another message, control totals that do not add up, …) is an error for
// the whole file and gives no lines.
func TestParsePain001RejectsFile_PAY6(t *testing.T) {
	valid := string(readFixture(t, "valid-03.xml"))
	replace := func(old, new string) []byte {
		if !strings.Contains(valid, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return []byte(strings.Replace(valid, old, new, 1))
	}
	deep := `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">` +
		strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + `</Document>`
	for _, c := range []struct {
		name   string
		data   []byte
		reason string
	}{
		{"not XML", []byte("Dette er ikke XML"), "ikke gyldig XML"},
		{"cut short", []byte(valid[:len(valid)/2]), "ikke gyldig XML"},
		{"billion laughs", []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` +
			`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">&lol2;</Document>`), "DOCTYPE"},
		{"external entity", []byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>`), "DOCTYPE"},
		{"other version", replace(`xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"`, `xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.02"`), "navnerummet"},
		{"no namespace", replace(` xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"`, ""), "navnerum"},
		{"other root", []byte(`<?xml version="1.0"?><Dokument xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>`), "rodelement"},
		{"two roots", []byte(valid + "<Document/>"), "mere end ét"},
		{"too deep", []byte(deep), "dybere"},
		{"too large", append(replace("<Dbtr>", "<Dbtr>"), make([]byte, payfile.MaxFileSize)...), "for stor"},
		{"unknown charset", []byte(strings.Replace(valid, `encoding="UTF-8"`, `encoding="EBCDIC-US"`, 1)), "tegnsæt"},
		{"no MsgId", replace("<MsgId>TJH-2025-03-0042</MsgId>", "<MsgId> </MsgId>"), "MsgId"},
		{"bad CreDtTm", replace("2025-03-13T16:45:10+01:00", "13-03-2025 16:45"), "CreDtTm"},
		{"no transactions", []byte(`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn>` +
			`<GrpHdr><MsgId>X</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm><NbOfTxs>0</NbOfTxs></GrpHdr></CstmrCdtTrfInitn></Document>`), "ingen betalinger"},
		{"NbOfTxs of the file", replace("<NbOfTxs>6</NbOfTxs>", "<NbOfTxs>5</NbOfTxs>"), "NbOfTxs = 5"},
		{"no NbOfTxs", replace("<NbOfTxs>6</NbOfTxs>", ""), "NbOfTxs"},
		{"NbOfTxs of a PmtInf", replace("<NbOfTxs>4</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>"), "betalingsblok 1"},
		{"CtrlSum of the file", replace("<CtrlSum>31910.42</CtrlSum>", "<CtrlSum>31910.43</CtrlSum>"), "31910.42000"},
		{"CtrlSum of a PmtInf", replace("<CtrlSum>2345.67</CtrlSum>", "<CtrlSum>2345.76</CtrlSum>"), "betalingsblok 2"},
		{"CtrlSum not a number", replace("<CtrlSum>31910.42</CtrlSum>", "<CtrlSum>mange</CtrlSum>"), "ikke et tal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := payfile.ParsePain001(c.data)
			if err == nil {
				t.Fatalf("no error; lines %+v, errors %v", f.Lines, f.Errors)
			}
			if netbank.ErrorCodeOf(err) != netbank.EINVALID || !strings.Contains(netbank.ErrorMessageOf(err), c.reason) {
				t.Errorf("error %v, want EINVALID containing %q", err, c.reason)
			}
			if len(f.Lines) != 0 || len(f.Errors) != 0 {
				t.Errorf("a rejected file gave lines %v, errors %v", f.Lines, f.Errors)
			}
		})
	}
}

// latin1 encodes s in ISO-8859-1 (s must hold only such characters).
func latin1(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

// RULE PAY-6: files that declare ISO-8859-1 or Windows-1252, as Danish
// bookkeeping systems often do, read with their æ, ø and å.
func TestParsePain001Latin1_PAY6(t *testing.T) {
	valid := string(readFixture(t, "valid-03.xml"))
	for _, enc := range []string{"ISO-8859-1", "windows-1252"} {
		t.Run(enc, func(t *testing.T) {
			doc := latin1(strings.Replace(valid, `encoding="UTF-8"`, `encoding="`+enc+`"`, 1))
			f := mustParsePain(t, doc)
			if f.Payer != "Tømrerfirma Jens Hansen ApS" || len(f.Lines) != 6 || f.Lines[0].ToName != "Trælast Nord A/S" {
				t.Errorf("payer %q, %d lines, first payee %q", f.Payer, len(f.Lines), f.Lines[0].ToName)
			}
		})
	}
}

// sampleFile is a file with every kind of line the writers support, in
// the order WritePain001 groups them (paying account, date, currency), so
// it reads back in the same order. The lines are as the readers give
// them: accounts padded, the paying account's IBAN filled in.
func sampleFile() payfile.File {
	from := func(l payfile.Line) payfile.Line {
		if l.FromIBAN == "" {
			l.FromReg, l.FromAccount, l.FromIBAN = "9070", "0001234567", "DK4990700001234567"
		}
		return l
	}
	lines := []payfile.Line{
		{Kind: payfile.Transfer, Date: day(2025, 5, 6), Amount: 1250000, Currency: "DKK", ToReg: "5301", ToAccount: "0002468135",
			ToName: "Trælast Nord A/S", ToAddress: "Industrivej 4, 8600 Silkeborg", ToCountry: "DK",
			TextToSelf: "Trælast faktura 20431", TextToRecipient: "Faktura 20431 – tak for leveringen", EndToEndID: "F20431"},
		{Kind: payfile.Transfer, Date: day(2025, 5, 6), Amount: 1, Currency: "DKK", ToReg: "1551", ToAccount: "0003912345", Instant: true},
		{Kind: payfile.Slip, Date: day(2025, 5, 6), Amount: 187525, Currency: "DKK", ToName: "Energi Danmark",
			SlipType: "71", SlipPaymentID: "000100017156728", SlipCreditor: "81234567", EndToEndID: "EL-2025-05"},
		{Kind: payfile.Slip, Date: day(2025, 5, 6), Amount: 68900, Currency: "DKK", SlipType: "73", SlipCreditor: "87654321",
			TextToRecipient: "Kundenr. 4411"},
		{Kind: payfile.Slip, Date: day(2025, 5, 6), Amount: 34900, Currency: "DKK", SlipType: "75",
			SlipPaymentID: "0000000202403150", SlipCreditor: "85556667", TextToRecipient: "Abonnement"},
		{Kind: payfile.Slip, Date: day(2025, 5, 6), Amount: 120000, Currency: "DKK", SlipType: "04",
			SlipPaymentID: "0000040012345670", SlipCreditor: "1234567"},
		{Kind: payfile.Slip, Date: day(2025, 5, 6), Amount: 5000, Currency: "DKK", SlipType: "01", SlipCreditor: "12345678",
			TextToRecipient: "Kontingent"},
		{Kind: payfile.Foreign, Date: day(2025, 5, 7), Amount: 234567, Currency: "EUR", ToIBAN: "DE89370400440532013000",
			ToBIC: "COBADEFFXXX", ToCountry: "DE", ToName: "Holzhandel Schmidt GmbH",
			ToAddress:       "Abteilung Buchhaltung, Hauptstraße 5, Hinterhaus, 2. Stock, 20095 Hamburg-Altona, Deutschland",
			TextToRecipient: "Rechnung 2025-118", EndToEndID: "HS-2025-118"},
		{Kind: payfile.Foreign, Date: day(2025, 5, 7), Amount: 9900, Currency: "EUR", ToIBAN: "FR1420041010050500013M02606",
			ToCountry: "FR", ToName: "Atelier Lumière"},
		{Kind: payfile.Foreign, Date: day(2025, 5, 7), Amount: 150000, Currency: "USD", ToIBAN: "000123456789",
			ToBIC: "CHASUS33", ToCountry: "US", ToName: "Acme Supplies Inc.", ToAddress: "500 Main Street, Springfield, IL 62701"},
		{Kind: payfile.Foreign, Date: day(2025, 5, 7), Amount: 125000, Currency: "JPY", ToIBAN: "1234567",
			ToBIC: "MHCBJPJT", ToCountry: "JP", ToName: "Kyoto Crafts KK"},
		{Kind: payfile.Foreign, Date: day(2025, 5, 7), Amount: 1234, Currency: "KWD", ToIBAN: "KW81CBKU0000000000001234560101",
			ToBIC: "CBKUKWKW", ToCountry: "KW", ToName: "Gulf Timber Co."},
		{Kind: payfile.Transfer, FromReg: "5301", FromAccount: "0000012345", FromIBAN: "DK6653010000012345",
			Date: day(2025, 5, 6), Amount: 99, Currency: "DKK", ToReg: "9070", ToAccount: "0001234567"},
	}
	for i := range lines {
		lines[i] = from(lines[i])
		lines[i].No = i + 1
	}
	return payfile.File{
		MessageID: "NB-RUNDTUR-1",
		Created:   time.Date(2025, 5, 5, 14, 30, 0, 0, time.UTC),
		Payer:     "Tømrerfirma Jens Hansen ApS",
		Lines:     lines,
	}
}

// RULE PAY-6: WritePain001 writes both versions so that the ISO schema
// validates them, and ParsePain001 reads back exactly the lines written:
// transfers (instant too), every kind of payment slip, foreign transfers
// by IBAN and by account number and BIC, in currencies with 0, 2 and 3
// decimals, an address split over several AdrLine.
func TestWritePain001ValidatesAndReadsBack_PAY6(t *testing.T) {
	in := sampleFile()
	for _, c := range []struct {
		version payfile.Format
		xsd     string
	}{
		{payfile.Pain00100103, "pain.001.001.03.xsd"},
		{payfile.Pain00100109, "pain.001.001.09.xsd"},
	} {
		t.Run(string(c.version), func(t *testing.T) {
			var buf bytes.Buffer
			if err := payfile.WritePain001(&buf, in, c.version); err != nil {
				t.Fatalf("WritePain001: %v", err)
			}
			xmllintValidate(t, c.xsd, buf.Bytes())
			out := mustParsePain(t, buf.Bytes())
			if out.Format != c.version || out.MessageID != in.MessageID || out.Payer != in.Payer || !out.Created.Equal(in.Created) {
				t.Errorf("header: %q %q %q %v", out.Format, out.MessageID, out.Payer, out.Created)
			}
			if len(out.Errors) != 0 {
				t.Errorf("errors reading back: %v", out.Errors)
			}
			diffLines(t, out.Lines, in.Lines)
		})
	}
}

// RULE PAY-6: one PmtInf per paying account, date and currency, with its
// own NbOfTxs and CtrlSum; the control sum of the file adds the amounts
// regardless of currency, exactly. A line without a date is paid as soon
// as possible: it is written with the file's creation date.
func TestWritePain001Groups_PAY6(t *testing.T) {
	f := sampleFile()
	f.MessageID = ""
	base := f.Lines[0]
	line := func(amount int64, currency string, date time.Time) payfile.Line {
		l := base
		l.Amount, l.Currency, l.Date = amount, currency, date
		if currency != "DKK" {
			l.Kind, l.ToIBAN, l.ToBIC, l.ToReg, l.ToAccount = payfile.Foreign, "DE89370400440532013000", "COBADEFFXXX", "", ""
		}
		return l
	}
	f.Lines = []payfile.Line{
		line(10000, "DKK", day(2025, 5, 6)),
		line(5, "JPY", day(2025, 5, 6)),
		line(1234, "KWD", day(2025, 5, 6)),
		line(20000, "DKK", day(2025, 5, 6)),
		line(30000, "DKK", time.Time{}),
	}
	var buf bytes.Buffer
	if err := payfile.WritePain001(&buf, f, payfile.Pain00100109); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	xmllintValidate(t, "pain.001.001.09.xsd", buf.Bytes())
	if n := strings.Count(doc, "<PmtInf>"); n != 4 {
		t.Errorf("%d PmtInf, want 4 (DKK, JPY, KWD, the day of creation)", n)
	}
	for _, want := range []string{
		"<CtrlSum>606.234</CtrlSum>", // 100.00 + 5 + 1.234 + 200.00 + 300.00
		"<CtrlSum>300.00</CtrlSum>",  // 100.00 + 200.00, and 300.00 on the day of creation
		"<Dt>2025-05-05</Dt>",
		"<BICFI>" + payfile.BankBIC + "</BICFI>",
		"<EndToEndId>F20431</EndToEndId>",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
	out := mustParsePain(t, buf.Bytes())
	if len(out.Lines) != 5 || out.Lines[4].Date != day(2025, 5, 5) {
		t.Errorf("read back %+v", out.Lines)
	}
	if !strings.HasPrefix(out.MessageID, "NB") || len(out.MessageID) > 35 {
		t.Errorf("derived MsgId %q", out.MessageID)
	}
	var again bytes.Buffer
	if err := payfile.WritePain001(&again, f, payfile.Pain00100109); err != nil || again.String() != doc {
		t.Errorf("writing the same file twice gave another document (err %v)", err)
	}
}

// RULE PAY-6: a line pain.001 cannot express makes WritePain001 fail,
// naming the line, and nothing is written.
func TestWritePain001Rejects_PAY6(t *testing.T) {
	edit := func(fn func(f *payfile.File)) payfile.File {
		f := sampleFile()
		f.Lines = slices.Clone(f.Lines)
		fn(&f)
		return f
	}
	for _, c := range []struct {
		name    string
		file    payfile.File
		version payfile.Format
		reason  string
	}{
		{"unknown version", sampleFile(), payfile.ERH, "Ukendt filformat"},
		{"no lines", edit(func(f *payfile.File) { f.Lines = nil }), payfile.Pain00100103, "ingen betalinger"},
		{"no creation time", edit(func(f *payfile.File) { f.Created = time.Time{} }), payfile.Pain00100103, "oprettelsestidspunkt"},
		{"long MsgId", edit(func(f *payfile.File) { f.MessageID = strings.Repeat("M", 36) }), payfile.Pain00100103, "35 tegn"},
		{"long reference", edit(func(f *payfile.File) { f.Lines[2].EndToEndID = strings.Repeat("R", 36) }), payfile.Pain00100109, "linje 3: reference"},
		{"NOTPROVIDED", edit(func(f *payfile.File) { f.Lines[2].EndToEndID = "NOTPROVIDED" }), payfile.Pain00100109, "linje 3: reference"},
		{"long text", edit(func(f *payfile.File) { f.Lines[0].TextToRecipient = strings.Repeat("t", 141) }), payfile.Pain00100103, "linje 1: tekst til modtager"},
		{"long own text", edit(func(f *payfile.File) { f.Lines[0].TextToSelf = strings.Repeat("t", 141) }), payfile.Pain00100103, "linje 1: egen tekst"},
		{"address without commas", edit(func(f *payfile.File) { f.Lines[7].ToAddress = strings.Repeat("a", 71) }), payfile.Pain00100103, "linje 8: adresse"},
		{"Danish transfer in EUR", edit(func(f *payfile.File) { f.Lines[0].Currency = "EUR" }), payfile.Pain00100103, "linje 1: valuta"},
		{"Danish transfer with a German BIC", edit(func(f *payfile.File) { f.Lines[0].ToBIC = "COBADEFF" }), payfile.Pain00100103, "linje 1: BIC"},
		{"bad IBAN", edit(func(f *payfile.File) { f.Lines[7].ToIBAN = "DE89370400440532013001" }), payfile.Pain00100109, "linje 8: IBAN"},
		{"bad slip", edit(func(f *payfile.File) { f.Lines[2].SlipPaymentID = "000100017156729" }), payfile.Pain00100109, "linje 3: betalings-id"},
		{"zero amount", edit(func(f *payfile.File) { f.Lines[1].Amount = 0 }), payfile.Pain00100109, "linje 2: beløb"},
		{"huge amount", edit(func(f *payfile.File) { f.Lines[1].Amount = 1e18 }), payfile.Pain00100109, "linje 2: beløb"},
		{"Danish account number as foreign account", edit(func(f *payfile.File) {
			f.Lines[9].ToIBAN, f.Lines[9].ToBIC = "53010002468135", "DABADKKK"
		}), payfile.Pain00100109, "linje 10: IBAN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := payfile.WritePain001(&buf, c.file, c.version)
			if err == nil || netbank.ErrorCodeOf(err) != netbank.EINVALID || !strings.Contains(netbank.ErrorMessageOf(err), c.reason) {
				t.Fatalf("error %v, want EINVALID containing %q", err, c.reason)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
}

// FuzzParsePain001 feeds ParsePain001 arbitrary input, seeded with the
// fixtures (RULE PAY-6). It must not panic; lines and errors must carry
// distinct, increasing numbers; and whatever it reads, WritePain001 either
// refuses or writes a document that reads back as the same lines.
func FuzzParsePain001(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "pain", "*.xml"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := payfile.ParsePain001(data)
		if err != nil {
			if netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Fatalf("error not coded EINVALID: %v", err)
			}
			return
		}
		seen := map[int]bool{}
		for _, l := range file.Lines {
			if l.No < 1 || seen[l.No] {
				t.Fatalf("line number %d repeated or < 1", l.No)
			}
			seen[l.No] = true
		}
		for _, e := range file.Errors {
			if e.No < 1 || seen[e.No] {
				t.Fatalf("error number %d repeated or < 1", e.No)
			}
			seen[e.No] = true
		}
		if len(file.Lines) == 0 {
			return
		}
		var buf bytes.Buffer
		if err := payfile.WritePain001(&buf, file, file.Format); err != nil {
			return
		}
		back, err := payfile.ParsePain001(buf.Bytes())
		if err != nil || len(back.Errors) != 0 {
			t.Fatalf("written document does not read back: %v %v\n%s", err, back.Errors, buf.Bytes())
		}
		key := func(ls []payfile.Line) []string {
			var out []string
			for _, l := range ls {
				l.No = 0
				out = append(out, fmt.Sprintf("%#v", l))
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(key(back.Lines), key(file.Lines)) {
			t.Fatalf("lines changed on the way round:\n got  %v\n want %v", key(back.Lines), key(file.Lines))
		}
	})
}
