package dk

import (
	"strings"

	"github.com/netbank/netbank"
)

// Slip is the machine-readable part of a Danish payment slip (FI-kort or
// girokort, "indbetalingskort"), as read from its code line (RULE PAY-4).
type Slip struct {
	// Type is the card type (kortart) without the plus sign: "01", "04",
	// "15", "71", "73" or "75".
	Type string
	// PaymentID is the payment id (betalings-id) including its check digit:
	// 15 digits for +71, 16 digits for +04, +15 and +75, empty for +01 and +73.
	PaymentID string
	// Creditor is the 8-digit creditor number (kreditornummer, starts with 8)
	// for +71, +73 and +75; empty otherwise.
	Creditor string
	// GiroAccount is the 7- or 8-digit giro account number for +01, +04 and
	// +15; empty otherwise.
	GiroAccount string
}

// slipKind describes one card type.
type slipKind struct {
	idLen    int  // length of the payment id; 0 means the type has none
	creditor bool // true: the account is a creditor number; false: a giro account
}

// slipKinds are the supported card types.
var slipKinds = map[string]slipKind{
	"01": {idLen: 0, creditor: false},
	"04": {idLen: 16, creditor: false},
	"15": {idLen: 16, creditor: false},
	"71": {idLen: 15, creditor: true},
	"73": {idLen: 0, creditor: true},
	"75": {idLen: 16, creditor: true},
}

// template shows the user what a code line of this type looks like.
func (k slipKind) template(typ string) string {
	account := "gironummer"
	if k.creditor {
		account = "kreditornummer"
	}
	if k.idLen == 0 {
		return "+" + typ + "<+" + account + "<"
	}
	return "+" + typ + "<betalings-id+" + account + "<"
}

// errUnknownType is the error for a card type that is not supported.
func errUnknownType(typ string) error {
	return netbank.Errorf(netbank.EINVALID,
		"Ukendt kortart +%s – kun +01, +04, +15, +71, +73 og +75 kan betales", typ)
}

// ParseCodeLine reads the code line of a payment slip as it is printed or
// typed, for example "+71< 000100017156728+81234567<" (RULE PAY-4). White
// space is ignored, the final "<" may be left out, and the amount part of
// the full OCR line may come first ("<  0000123456 > +71<…" or just ">").
// The payment id's check digit, the creditor number and the giro account
// number are validated.
func ParseCodeLine(s string) (Slip, error) {
	line := stripSpaces(s)
	if line == "" {
		return Slip{}, netbank.Errorf(netbank.EINVALID, "Kodelinjen er tom")
	}
	plus := strings.IndexByte(line, '+')
	if plus < 0 {
		return Slip{}, netbank.Errorf(netbank.EINVALID,
			"Kodelinjen skal indeholde kortarten, f.eks. +71<")
	}
	if !isAmountPart(line[:plus]) {
		return Slip{}, netbank.Errorf(netbank.EINVALID,
			"Kodelinjen skal starte med kortarten, f.eks. +71< (foran må kun stå beløbsfeltet <…>)")
	}
	rest := line[plus:]
	if len(rest) < 4 || !isDigits(rest[1:3]) || rest[3] != '<' {
		return Slip{}, netbank.Errorf(netbank.EINVALID,
			"Kortarten skal skrives som + og to cifre efterfulgt af <, f.eks. +71<")
	}
	typ := rest[1:3]
	kind, ok := slipKinds[typ]
	if !ok {
		return Slip{}, errUnknownType(typ)
	}
	body := strings.TrimSuffix(rest[4:], "<")
	id, account, found := strings.Cut(body, "+")
	if !found || strings.ContainsAny(account, "+<>") || strings.ContainsAny(id, "<>") {
		return Slip{}, netbank.Errorf(netbank.EINVALID,
			"Kodelinjen for kortart +%s skal have formen %s", typ, kind.template(typ))
	}
	if err := ValidatePaymentID(typ, id); err != nil {
		return Slip{}, err
	}
	slip := Slip{Type: typ, PaymentID: id}
	if kind.creditor {
		if err := ValidateCreditor(account); err != nil {
			return Slip{}, err
		}
		slip.Creditor = account
	} else {
		if err := ValidateGiroAccount(account); err != nil {
			return Slip{}, err
		}
		slip.GiroAccount = account
	}
	return slip, nil
}

// isAmountPart reports whether p (white space already removed) may stand
// before the card type: nothing, a lone ">", or the amount field "<digits>"
// (the opening "<" may be missing when only part of the line was copied).
func isAmountPart(p string) bool {
	if p == "" {
		return true
	}
	if !strings.HasSuffix(p, ">") {
		return false
	}
	p = strings.TrimPrefix(strings.TrimSuffix(p, ">"), "<")
	return p == "" || isDigits(p)
}

// CodeLine returns the slip's code line in canonical form, without spaces
// and with the final "<": "+71<000100017156728+81234567<",
// "+73<+81234567<", "+01<+1234567<". It does not validate the slip.
func (s Slip) CodeLine() string {
	account := s.Creditor
	if kind, ok := slipKinds[s.Type]; ok && !kind.creditor {
		account = s.GiroAccount
	} else if !ok && account == "" {
		account = s.GiroAccount
	}
	return "+" + s.Type + "<" + s.PaymentID + "+" + account + "<"
}

// ValidatePaymentID checks a payment id typed into its own form field
// (RULE PAY-4): its length for the card type (15 digits for +71, 16 for
// +04, +15 and +75; none for +01 and +73) and its modulus-10 (Luhn) check
// digit. slipType may be written with or without the plus ("71" or "+71");
// spaces in id are ignored.
func ValidatePaymentID(slipType, id string) error {
	typ := strings.TrimPrefix(strings.TrimSpace(slipType), "+")
	kind, ok := slipKinds[typ]
	if !ok {
		return errUnknownType(typ)
	}
	id = stripSpaces(id)
	if kind.idLen == 0 {
		if id != "" {
			return netbank.Errorf(netbank.EINVALID, "Kortart +%s har intet betalings-id", typ)
		}
		return nil
	}
	if id == "" {
		return netbank.Errorf(netbank.EINVALID, "Betalings-id mangler – kortart +%s skal have et betalings-id på %d cifre", typ, kind.idLen)
	}
	if !isDigits(id) {
		return netbank.Errorf(netbank.EINVALID, "Betalings-id må kun indeholde cifre")
	}
	if len(id) != kind.idLen {
		return netbank.Errorf(netbank.EINVALID, "Betalings-id skal være %d cifre for kortart +%s", kind.idLen, typ)
	}
	if !LuhnValid(id) {
		return netbank.Errorf(netbank.EINVALID, "Kontrolcifferet i betalings-id'et passer ikke")
	}
	return nil
}

// ValidateCreditor checks a creditor number (kreditornummer) for FI cards
// +71, +73 and +75: 8 digits, the first being 8 (RULE PAY-4). Spaces are
// ignored.
func ValidateCreditor(s string) error {
	s = stripSpaces(s)
	if len(s) != 8 || !isDigits(s) || s[0] != '8' {
		return netbank.Errorf(netbank.EINVALID, "Kreditornummer skal være 8 cifre og starte med 8")
	}
	return nil
}

// ValidateGiroAccount checks a giro account number for girokort +01, +04
// and +15: 7 or 8 digits (RULE PAY-4). Spaces are ignored.
func ValidateGiroAccount(s string) error {
	s = stripSpaces(s)
	if (len(s) != 7 && len(s) != 8) || !isDigits(s) {
		return netbank.Errorf(netbank.EINVALID, "Gironummer skal være 7 eller 8 cifre")
	}
	return nil
}

// PaymentIDWithCheckDigit appends the modulus-10 (Luhn) check digit to
// payload, giving a valid payment id; it is meant for tests and demo data.
// A payload of 14 digits gives a +71 id, 15 digits a +04/+15/+75 id. It
// returns "" if payload is empty or not only digits.
func PaymentIDWithCheckDigit(payload string) string {
	d, err := LuhnCheckDigit(payload)
	if err != nil {
		return ""
	}
	return payload + string(rune(d))
}
