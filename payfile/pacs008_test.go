package payfile_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/payfile"
)

// sampleTransfer is a foreign transfer as the payment domain hands it to
// Pacs008: a Danish business pays a German supplier in EUR.
func sampleTransfer() payfile.InterbankTransfer {
	return payfile.InterbankTransfer{
		MessageID:       "NB20250507-000123",
		EndToEndID:      "HS-2025-118",
		TransactionID:   "PAY-7f3a9c21",
		Created:         time.Date(2025, 5, 7, 9, 15, 0, 0, time.FixedZone("CEST", 2*3600)),
		SettlementDate:  day(2025, 5, 8),
		Amount:          234567,
		Currency:        "EUR",
		ChargeBearer:    "SHAR",
		DebtorName:      "Tømrerfirma Jens Hansen ApS",
		DebtorAddress:   "Søndergade 12, 8000 Aarhus C",
		DebtorCountry:   "DK",
		DebtorIBAN:      "DK49 9070 0001 2345 67",
		DebtorBIC:       payfile.BankBIC,
		CreditorName:    "Holzhandel Schmidt GmbH",
		CreditorAddress: "Hauptstraße 5, 20095 Hamburg",
		CreditorCountry: "DE",
		CreditorIBAN:    "DE89370400440532013000",
		CreditorBIC:     "COBADEFFXXX",
		RemittanceInfo:  "Rechnung 2025-118",
		InstructingBIC:  payfile.BankBIC,
		InstructedBIC:   "DEUTDEFF",
	}
}

// pacs008Read is what the tests read back from a pacs.008 document.
type pacs008Read struct {
	XMLName xml.Name `xml:"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08 Document"`
	GrpHdr  struct {
		MsgID    string `xml:"MsgId"`
		CreDtTm  string `xml:"CreDtTm"`
		NbOfTxs  string `xml:"NbOfTxs"`
		SttlmMtd string `xml:"SttlmInf>SttlmMtd"`
		InstgAgt string `xml:"InstgAgt>FinInstnId>BICFI"`
		InstdAgt string `xml:"InstdAgt>FinInstnId>BICFI"`
	} `xml:"FIToFICstmrCdtTrf>GrpHdr"`
	Tx []struct {
		InstrID    string `xml:"PmtId>InstrId"`
		EndToEndID string `xml:"PmtId>EndToEndId"`
		TxID       string `xml:"PmtId>TxId"`
		Amount     struct {
			Ccy   string `xml:"Ccy,attr"`
			Value string `xml:",chardata"`
		} `xml:"IntrBkSttlmAmt"`
		Date       string   `xml:"IntrBkSttlmDt"`
		ChrgBr     string   `xml:"ChrgBr"`
		DbtrNm     string   `xml:"Dbtr>Nm"`
		DbtrAdr    []string `xml:"Dbtr>PstlAdr>AdrLine"`
		DbtrIBAN   string   `xml:"DbtrAcct>Id>IBAN"`
		DbtrAgt    string   `xml:"DbtrAgt>FinInstnId>BICFI"`
		CdtrAgt    string   `xml:"CdtrAgt>FinInstnId>BICFI"`
		CdtrNm     string   `xml:"Cdtr>Nm"`
		CdtrCtry   string   `xml:"Cdtr>PstlAdr>Ctry"`
		CdtrIBAN   string   `xml:"CdtrAcct>Id>IBAN"`
		CdtrOthrID string   `xml:"CdtrAcct>Id>Othr>Id"`
		Ustrd      string   `xml:"RmtInf>Ustrd"`
	} `xml:"FIToFICstmrCdtTrf>CdtTrfTxInf"`
}

// RULE PAY-5: a foreign transfer goes to the correspondent bank as a
// pacs.008.001.08 with one transaction that validates against the ISO
// schema and carries the payer, the payee, both banks, the amount and the
// settlement by the instructed agent (INDA).
func TestPacs008ValidatesAgainstISOSchema_PAY5(t *testing.T) {
	doc, err := payfile.Pacs008(sampleTransfer())
	if err != nil {
		t.Fatal(err)
	}
	xmllintValidate(t, "pacs.008.001.08.xsd", doc)
	var got pacs008Read
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	h := got.GrpHdr
	if h.MsgID != "NB20250507-000123" || h.CreDtTm != "2025-05-07T09:15:00+02:00" || h.NbOfTxs != "1" ||
		h.SttlmMtd != "INDA" || h.InstgAgt != "NETBDKKK" || h.InstdAgt != "DEUTDEFF" {
		t.Errorf("group header %+v", h)
	}
	if len(got.Tx) != 1 {
		t.Fatalf("%d transactions, want 1", len(got.Tx))
	}
	tx := got.Tx[0]
	for _, c := range []struct{ name, got, want string }{
		{"InstrId", tx.InstrID, "PAY-7f3a9c21"},
		{"EndToEndId", tx.EndToEndID, "HS-2025-118"},
		{"TxId", tx.TxID, "PAY-7f3a9c21"},
		{"amount", tx.Amount.Ccy + " " + tx.Amount.Value, "EUR 2345.67"},
		{"IntrBkSttlmDt", tx.Date, "2025-05-08"},
		{"ChrgBr", tx.ChrgBr, "SHAR"},
		{"Dbtr", tx.DbtrNm, "Tømrerfirma Jens Hansen ApS"},
		{"Dbtr address", strings.Join(tx.DbtrAdr, "|"), "Søndergade 12, 8000 Aarhus C"},
		{"DbtrAcct", tx.DbtrIBAN, "DK4990700001234567"},
		{"DbtrAgt", tx.DbtrAgt, "NETBDKKK"},
		{"CdtrAgt", tx.CdtrAgt, "COBADEFFXXX"},
		{"Cdtr", tx.CdtrNm + " " + tx.CdtrCtry, "Holzhandel Schmidt GmbH DE"},
		{"CdtrAcct", tx.CdtrIBAN, "DE89370400440532013000"},
		{"Ustrd", tx.Ustrd, "Rechnung 2025-118"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// RULE PAY-5: other shapes of a foreign transfer validate too: a payee
// without IBAN (an account number and the bank's BIC), a currency without
// decimals, no message, no addresses, a long address over several lines.
func TestPacs008Variants_PAY5(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*payfile.InterbankTransfer)
		check func(t *testing.T, doc string)
	}{
		{"account number in USD", func(tr *payfile.InterbankTransfer) {
			tr.Currency, tr.Amount, tr.ChargeBearer = "USD", 150000, "DEBT"
			tr.CreditorIBAN, tr.CreditorBIC, tr.CreditorCountry = "000123456789", "CHASUS33", "US"
			tr.CreditorName, tr.CreditorAddress = "Acme Supplies Inc.", "500 Main Street, Springfield, IL 62701"
		}, func(t *testing.T, doc string) {
			for _, want := range []string{`<IntrBkSttlmAmt Ccy="USD">1500.00</IntrBkSttlmAmt>`, "<Othr>", "<Id>000123456789</Id>", "<ChrgBr>DEBT</ChrgBr>"} {
				if !strings.Contains(doc, want) {
					t.Errorf("document lacks %q", want)
				}
			}
		}},
		{"yen, nothing optional", func(tr *payfile.InterbankTransfer) {
			tr.Currency, tr.Amount, tr.ChargeBearer = "JPY", 125000, "CRED"
			tr.CreditorIBAN, tr.CreditorBIC = "1234567", "MHCBJPJT"
			tr.DebtorAddress, tr.DebtorCountry, tr.CreditorAddress, tr.CreditorCountry, tr.RemittanceInfo = "", "", "", "", ""
		}, func(t *testing.T, doc string) {
			if !strings.Contains(doc, `<IntrBkSttlmAmt Ccy="JPY">125000</IntrBkSttlmAmt>`) || strings.Contains(doc, "RmtInf") || strings.Contains(doc, "PstlAdr") {
				t.Errorf("document:\n%s", doc)
			}
		}},
		{"long address", func(tr *payfile.InterbankTransfer) {
			tr.CreditorAddress = "Abteilung Buchhaltung, Hauptstraße 5, Hinterhaus, 2. Stock, 20095 Hamburg-Altona, Deutschland"
		}, func(t *testing.T, doc string) {
			if n := strings.Count(doc, "<AdrLine>"); n != 3 {
				t.Errorf("%d AdrLine, want 3 (1 for the payer, 2 for the payee)", n)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := sampleTransfer()
			c.edit(&tr)
			doc, err := payfile.Pacs008(tr)
			if err != nil {
				t.Fatal(err)
			}
			xmllintValidate(t, "pacs.008.001.08.xsd", doc)
			c.check(t, string(doc))
		})
	}
}

// RULE PAY-5: Pacs008 checks every field and refuses, with an EINVALID
// error naming the field, what the message cannot carry or the
// correspondent would reject.
func TestPacs008Rejects_PAY5(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*payfile.InterbankTransfer)
		field string
	}{
		{"no MsgId", func(tr *payfile.InterbankTransfer) { tr.MessageID = " " }, "MsgId"},
		{"long MsgId", func(tr *payfile.InterbankTransfer) { tr.MessageID = strings.Repeat("M", 36) }, "MsgId"},
		{"long EndToEndId", func(tr *payfile.InterbankTransfer) { tr.EndToEndID = strings.Repeat("E", 36) }, "EndToEndId"},
		{"no TxId", func(tr *payfile.InterbankTransfer) { tr.TransactionID = "" }, "TxId"},
		{"line break in TxId", func(tr *payfile.InterbankTransfer) { tr.TransactionID = "a\nb" }, "TxId"},
		{"no creation time", func(tr *payfile.InterbankTransfer) { tr.Created = time.Time{} }, "CreDtTm"},
		{"no settlement date", func(tr *payfile.InterbankTransfer) { tr.SettlementDate = time.Time{} }, "IntrBkSttlmDt"},
		{"unknown currency", func(tr *payfile.InterbankTransfer) { tr.Currency = "XYZ" }, "Ccy"},
		{"zero amount", func(tr *payfile.InterbankTransfer) { tr.Amount = 0 }, "IntrBkSttlmAmt"},
		{"huge amount", func(tr *payfile.InterbankTransfer) { tr.Amount = 1e18 }, "IntrBkSttlmAmt"},
		{"SEPA charges", func(tr *payfile.InterbankTransfer) { tr.ChargeBearer = "SLEV" }, "ChrgBr"},
		{"no charges", func(tr *payfile.InterbankTransfer) { tr.ChargeBearer = "" }, "ChrgBr"},
		{"bad debtor BIC", func(tr *payfile.InterbankTransfer) { tr.DebtorBIC = "NETB" }, "DbtrAgt"},
		{"bad creditor BIC", func(tr *payfile.InterbankTransfer) { tr.CreditorBIC = "COBAXXFF" }, "CdtrAgt"},
		{"no instructing BIC", func(tr *payfile.InterbankTransfer) { tr.InstructingBIC = "" }, "InstgAgt"},
		{"bad instructed BIC", func(tr *payfile.InterbankTransfer) { tr.InstructedBIC = "DEUT-DEFF" }, "InstdAgt"},
		{"no debtor name", func(tr *payfile.InterbankTransfer) { tr.DebtorName = "" }, "Dbtr/Nm"},
		{"long creditor name", func(tr *payfile.InterbankTransfer) { tr.CreditorName = strings.Repeat("n", 141) }, "Cdtr/Nm"},
		{"address word over 70", func(tr *payfile.InterbankTransfer) { tr.CreditorAddress = strings.Repeat("a", 71) }, "Cdtr/PstlAdr/AdrLine"},
		{"bad country", func(tr *payfile.InterbankTransfer) { tr.DebtorCountry = "XX" }, "Dbtr/PstlAdr/Ctry"},
		{"bad debtor IBAN", func(tr *payfile.InterbankTransfer) { tr.DebtorIBAN = "DK4990700001234568" }, "DbtrAcct"},
		{"bad creditor IBAN", func(tr *payfile.InterbankTransfer) { tr.CreditorIBAN = "DE89370400440532013001" }, "CdtrAcct"},
		{"no creditor account", func(tr *payfile.InterbankTransfer) { tr.CreditorIBAN = "" }, "CdtrAcct"},
		{"creditor account with signs", func(tr *payfile.InterbankTransfer) { tr.CreditorIBAN = "ACME-0001" }, "CdtrAcct"},
		{"long message", func(tr *payfile.InterbankTransfer) { tr.RemittanceInfo = strings.Repeat("m", 141) }, "RmtInf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := sampleTransfer()
			c.edit(&tr)
			doc, err := payfile.Pacs008(tr)
			if err == nil {
				t.Fatalf("no error; document:\n%s", doc)
			}
			if netbank.ErrorCodeOf(err) != netbank.EINVALID || !strings.Contains(netbank.ErrorMessageOf(err), "pacs.008 "+c.field+":") {
				t.Errorf("error %v, want EINVALID for field %s", err, c.field)
			}
			if doc != nil {
				t.Errorf("a document came with the error")
			}
		})
	}
}
