package payfile

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// pacs008SettlementMethod is the settlement method of every pacs.008 the
// bank sends: INDA, "instructed agent". The bank holds an account (a
// nostro account) with its correspondent bank, and the correspondent, the
// instructed agent, settles by debiting that account. INGA ("instructing
// agent") would be the other way round: the correspondent's account with
// this bank credited by this bank, which the bank does not offer; CLRG
// (a clearing system) and COVE (a cover payment) are not used either.
const pacs008SettlementMethod = "INDA"

// pacs008ChargeBearers are the charge bearer codes a foreign transfer may
// have: shared (SHAR, the usual one), all paid by the payer (DEBT) or all
// by the payee (CRED). SLEV belongs to SEPA and is not offered here.
var pacs008ChargeBearers = map[string]bool{"SHAR": true, "DEBT": true, "CRED": true}

// pacs008Document is the Document of a pacs.008.001.08 with one
// transaction. Field order is schema order.
type pacs008Document struct {
	XMLName xml.Name `xml:"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08 Document"`
	Trf     struct {
		GrpHdr      pacs008GroupHeader `xml:"GrpHdr"`
		CdtTrfTxInf pacs008Transaction `xml:"CdtTrfTxInf"`
	} `xml:"FIToFICstmrCdtTrf"`
}

// pacs008GroupHeader is GroupHeader93.
type pacs008GroupHeader struct {
	MsgID    string `xml:"MsgId"`
	CreDtTm  string `xml:"CreDtTm"`
	NbOfTxs  string `xml:"NbOfTxs"`
	SttlmInf struct {
		SttlmMtd string `xml:"SttlmMtd"`
	} `xml:"SttlmInf"`
	InstgAgt pain09Agent `xml:"InstgAgt"`
	InstdAgt pain09Agent `xml:"InstdAgt"`
}

// pacs008Transaction is CreditTransferTransaction39.
type pacs008Transaction struct {
	PmtID struct {
		InstrID    string `xml:"InstrId"`
		EndToEndID string `xml:"EndToEndId"`
		TxID       string `xml:"TxId"`
	} `xml:"PmtId"`
	IntrBkSttlmAmt painCurrencyAmount `xml:"IntrBkSttlmAmt"`
	IntrBkSttlmDt  string             `xml:"IntrBkSttlmDt"`
	ChrgBr         string             `xml:"ChrgBr"`
	Dbtr           painParty          `xml:"Dbtr"`
	DbtrAcct       painAccount        `xml:"DbtrAcct"`
	DbtrAgt        pain09Agent        `xml:"DbtrAgt"`
	CdtrAgt        pain09Agent        `xml:"CdtrAgt"`
	Cdtr           painParty          `xml:"Cdtr"`
	CdtrAcct       painAccount        `xml:"CdtrAcct"`
	RmtInf         *struct {
		Ustrd string `xml:"Ustrd"`
	} `xml:"RmtInf,omitempty"`
}

// Pacs008 renders t as a pacs.008.001.08 document (FI to FI customer
// credit transfer) with one transaction, as the bank sends a foreign
// transfer to its correspondent (RULE PAY-5). The group header carries
// MsgId, CreDtTm, NbOfTxs 1, the settlement method INDA (see
// pacs008SettlementMethod) and the instructing (this bank) and instructed
// (the correspondent) agents; the transaction carries InstrId and TxId
// (both t.TransactionID), EndToEndId, the interbank settlement amount and
// date, the charge bearer, the payer (name, address, IBAN, BIC) and the
// payee (BIC, name, address, IBAN or other account number) and the
// message to the payee.
//
// Every field is checked first: ids of 1–35 characters, names of 1–140,
// addresses that fit AdrLine (at most 7 lines of 70 characters, split at
// ", "), valid country codes, IBANs (dk.ValidateIBAN) and BICs
// (dk.ValidateBIC), a known currency, an amount above zero that fits the
// schema, a charge bearer of SHAR, DEBT or CRED, dates that are set, and
// a message of at most 140 characters. A problem is an EINVALID error
// naming the field; the document is then not made.
func Pacs008(t InterbankTransfer) ([]byte, error) {
	var doc pacs008Document
	for _, id := range []struct{ field, s string }{
		{"MsgId", t.MessageID}, {"EndToEndId", t.EndToEndID}, {"TxId", t.TransactionID},
	} {
		if err := pacs008Text(id.field, id.s, 35, true); err != nil {
			return nil, err
		}
	}
	if t.Created.IsZero() {
		return nil, pacs008Error("CreDtTm", "oprettelsestidspunktet mangler")
	}
	if t.SettlementDate.IsZero() {
		return nil, pacs008Error("IntrBkSttlmDt", "afregningsdatoen mangler")
	}
	cur, err := netbank.LookupCurrency(t.Currency)
	if err != nil {
		return nil, pacs008Error("Ccy", netbank.ErrorMessageOf(err))
	}
	if t.Amount <= 0 {
		return nil, pacs008Error("IntrBkSttlmAmt", "beløbet skal være større end 0")
	}
	if t.Amount >= painMaxAmount {
		return nil, pacs008Error("IntrBkSttlmAmt", "beløbet er for stort")
	}
	chargeBearer := strings.ToUpper(strings.TrimSpace(t.ChargeBearer))
	if !pacs008ChargeBearers[chargeBearer] {
		return nil, pacs008Error("ChrgBr", "omkostningerne skal bæres som SHAR, DEBT eller CRED")
	}
	bics := map[string]string{}
	for _, b := range []struct {
		field string
		s     string
	}{
		{"DbtrAgt", t.DebtorBIC}, {"CdtrAgt", t.CreditorBIC},
		{"InstgAgt", t.InstructingBIC}, {"InstdAgt", t.InstructedBIC},
	} {
		if err := dk.ValidateBIC(b.s); err != nil {
			return nil, pacs008Error(b.field, netbank.ErrorMessageOf(err))
		}
		bics[b.field] = strings.ToUpper(strings.Join(strings.Fields(b.s), ""))
	}
	debtor, err := pacs008PartyOf("Dbtr", t.DebtorName, t.DebtorAddress, t.DebtorCountry)
	if err != nil {
		return nil, err
	}
	creditor, err := pacs008PartyOf("Cdtr", t.CreditorName, t.CreditorAddress, t.CreditorCountry)
	if err != nil {
		return nil, err
	}
	if err := dk.ValidateIBAN(t.DebtorIBAN); err != nil {
		return nil, pacs008Error("DbtrAcct", netbank.ErrorMessageOf(err))
	}
	doc.Trf.CdtTrfTxInf.DbtrAcct.ID.IBAN = dk.NormalizeIBAN(t.DebtorIBAN)
	switch acc := dk.NormalizeIBAN(t.CreditorIBAN); {
	case acc == "":
		return nil, pacs008Error("CdtrAcct", "modtagerens konto mangler")
	case looksLikeIBAN(acc):
		if err := dk.ValidateIBAN(acc); err != nil {
			return nil, pacs008Error("CdtrAcct", netbank.ErrorMessageOf(err))
		}
		doc.Trf.CdtTrfTxInf.CdtrAcct.ID.IBAN = acc
	default:
		if len(acc) > 34 || !allAlnum(acc) {
			return nil, pacs008Error("CdtrAcct", "modtagerens kontonummer må højst være 34 bogstaver og cifre")
		}
		doc.Trf.CdtTrfTxInf.CdtrAcct.ID.Othr = &painOther{ID: acc}
	}
	if err := pacs008Text("RmtInf", t.RemittanceInfo, 140, false); err != nil {
		return nil, err
	}

	h := &doc.Trf.GrpHdr
	h.MsgID = strings.TrimSpace(t.MessageID)
	h.CreDtTm = t.Created.Format(time.RFC3339)
	h.NbOfTxs = "1"
	h.SttlmInf.SttlmMtd = pacs008SettlementMethod
	h.InstgAgt.FinInstnID.BICFI = bics["InstgAgt"]
	h.InstdAgt.FinInstnID.BICFI = bics["InstdAgt"]

	tx := &doc.Trf.CdtTrfTxInf
	tx.PmtID.InstrID = strings.TrimSpace(t.TransactionID)
	tx.PmtID.EndToEndID = strings.TrimSpace(t.EndToEndID)
	tx.PmtID.TxID = strings.TrimSpace(t.TransactionID)
	tx.IntrBkSttlmAmt = painCurrencyAmount{Ccy: cur.Code, Value: painDecimal(big.NewInt(t.Amount), cur.Exponent)}
	tx.IntrBkSttlmDt = t.SettlementDate.Format(time.DateOnly)
	tx.ChrgBr = chargeBearer
	tx.Dbtr = debtor
	tx.DbtrAgt.FinInstnID.BICFI = bics["DbtrAgt"]
	tx.CdtrAgt.FinInstnID.BICFI = bics["CdtrAgt"]
	tx.Cdtr = creditor
	if s := strings.TrimSpace(t.RemittanceInfo); s != "" {
		tx.RmtInf = &struct {
			Ustrd string `xml:"Ustrd"`
		}{s}
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("payfile: write pacs.008: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// pacs008Error is the EINVALID error for a field of a pacs.008.
func pacs008Error(field, msg string) error {
	return netbank.Errorf(netbank.EINVALID, "pacs.008 %s: %s", field, msg)
}

// pacs008Text checks a text field: at most max characters, no control
// characters, and not empty when required.
func pacs008Text(field, s string, max int, required bool) error {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		return pacs008Error(field, "mangler")
	case n > max:
		return pacs008Error(field, fmt.Sprintf("må højst være %d tegn (der er %d)", max, n))
	}
	if !utf8.ValidString(s) {
		return pacs008Error(field, "indeholder ugyldige tegn")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return pacs008Error(field, "må ikke indeholde linjeskift eller andre styretegn")
		}
	}
	return nil
}

// pacs008PartyOf checks and builds a party (Dbtr or Cdtr): a name of 1–140
// characters, an address that fits AdrLine and a valid country code.
func pacs008PartyOf(field, name, address, country string) (painParty, error) {
	if err := pacs008Text(field+"/Nm", name, 140, true); err != nil {
		return painParty{}, err
	}
	p := painParty{Nm: strings.TrimSpace(name)}
	address = strings.TrimSpace(address)
	if err := pacs008Text(field+"/PstlAdr/AdrLine", address, 7*70, false); err != nil {
		return painParty{}, err
	}
	lines, ok := painAddressLines(address)
	if !ok {
		return painParty{}, pacs008Error(field+"/PstlAdr/AdrLine", "adressen kan ikke deles i højst 7 linjer på højst 70 tegn")
	}
	country = strings.ToUpper(strings.TrimSpace(country))
	if country != "" && !dk.ValidCountryCode(country) {
		return painParty{}, pacs008Error(field+"/PstlAdr/Ctry", fmt.Sprintf("%q er ikke en landekode (ISO 3166)", clip(country, 10)))
	}
	if country != "" || len(lines) > 0 {
		p.PstlAdr = &painAddress{Ctry: country, AdrLine: lines}
	}
	return p, nil
}
