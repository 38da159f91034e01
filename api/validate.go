package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// The validation endpoints answer 200 whether or not the input is valid:
// the outcome is the answer, not an error. Only a failure of the bank itself
// (an error that is not netbank.EINVALID) becomes an error answer.

// ibanResponse is the answer of GET /api/v1/validate/iban. The fields after
// Error are set only for a valid IBAN, and Reg, Account and Bank only for a
// Danish one (Bank is "" when the registration number is unknown).
type ibanResponse struct {
	Valid   bool    `json:"valid"`
	Error   string  `json:"error"`
	IBAN    string  `json:"iban,omitempty"`
	Country string  `json:"country,omitempty"`
	Reg     string  `json:"reg,omitempty"`
	Account string  `json:"account,omitempty"`
	Bank    *string `json:"bank,omitempty"`
}

// handleValidateIBAN answers GET /api/v1/validate/iban?value=… (RULE PAY-5):
// whether the IBAN is valid and, if not, why in Danish. A valid IBAN is given
// back normalised with its country, and a Danish one split into registration
// number and account number with the bank's name (RULE PAY-2).
func (s *Server) handleValidateIBAN(w http.ResponseWriter, r *http.Request) {
	value := r.URL.Query().Get("value")
	if err := dk.ValidateIBAN(value); err != nil {
		writeOutcome(w, err, ibanResponse{Error: netbank.ErrorMessageOf(err)})
		return
	}
	resp := ibanResponse{Valid: true, IBAN: dk.NormalizeIBAN(value)}
	resp.Country = resp.IBAN[:2] // ValidateIBAN checked the country code
	if resp.Country == "DK" {
		reg, account, err := dk.SplitDanishIBAN(resp.IBAN)
		if err != nil {
			WriteError(w, err) // cannot happen for a valid DK IBAN
			return
		}
		name, _ := dk.BankName(reg)
		resp.Reg, resp.Account, resp.Bank = reg, account, &name
	}
	WriteJSON(w, http.StatusOK, resp)
}

// slipResponse is the answer of GET /api/v1/validate/payment-slip. All
// fields are always present.
type slipResponse struct {
	Valid     bool   `json:"valid"`
	Type      string `json:"type"`
	PaymentID string `json:"payment_id"`
	Creditor  string `json:"creditor"`
	Error     string `json:"error"`
}

// slipTypes are the payment slip types the bank accepts (RULE PAY-4); an
// invalid code line of one of these types still reports its type.
var slipTypes = []string{"01", "04", "15", "71", "73", "75"}

// handleValidatePaymentSlip answers GET
// /api/v1/validate/payment-slip?code_line=… (RULE PAY-4): whether the code
// line of a payment slip is valid, check digits included, and what it says.
// For +01, +04 and +15 the giro account is given as the creditor.
func (s *Server) handleValidatePaymentSlip(w http.ResponseWriter, r *http.Request) {
	line := r.URL.Query().Get("code_line")
	slip, err := dk.ParseCodeLine(line)
	if err != nil {
		raw, _ := rawQueryParam(r.URL.RawQuery, "code_line")
		if s2, ok := slipFromLiteralPlus(raw); ok {
			slip, err = s2, nil
		} else {
			typ := slipType(line)
			if typ == "" {
				// Perhaps the '+' before the type arrived as a space.
				if plain, perr := url.PathUnescape(raw); perr == nil {
					typ = slipType(plain)
				}
			}
			writeOutcome(w, err, slipResponse{Type: typ, Error: netbank.ErrorMessageOf(err)})
			return
		}
	}
	creditor := slip.Creditor
	if creditor == "" {
		creditor = slip.GiroAccount // +01, +04, +15
	}
	WriteJSON(w, http.StatusOK, slipResponse{
		Valid:     true,
		Type:      slip.Type,
		PaymentID: slip.PaymentID,
		Creditor:  creditor,
	})
}

// writeOutcome answers a validation that failed with err: the outcome
// (status 200) if err is a validation error, and an error answer otherwise.
func writeOutcome(w http.ResponseWriter, err error, outcome any) {
	if netbank.ErrorCodeOf(err) != netbank.EINVALID {
		WriteError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, outcome)
}

// slipType returns the type of a code line that ParseCodeLine refused, if it
// can still be recognised: the two digits after the first '+' (white space
// ignored), when they are a type the bank accepts; "" otherwise.
func slipType(line string) string {
	line = strings.Join(strings.Fields(line), "")
	_, rest, ok := strings.Cut(line, "+")
	if !ok || len(rest) < 2 {
		return ""
	}
	if t := rest[:2]; slices.Contains(slipTypes, t) {
		return t
	}
	return ""
}

// rawQueryParam returns the first value of key in the raw query string, still
// escaped, so that a literal '+' can be told from an encoded %2B.
func rawQueryParam(rawQuery, key string) (string, bool) {
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && k == key {
			return v, true
		}
	}
	return "", false
}

// maxLiteralPlus bounds the readings slipFromLiteralPlus tries (2^n).
const maxLiteralPlus = 6

// slipFromLiteralPlus reads a code line that a client put into a URL
// without encoding it; raw is the query value still escaped. In a query a
// literal '+' means a space, so such a line arrives with its plus signs
// turned into spaces and is refused. Here each literal '+' of raw may be
// either a plus or a space (an encoded %2B is always a plus); if exactly one
// reading gives a valid payment slip, that slip is returned.
func slipFromLiteralPlus(raw string) (dk.Slip, bool) {
	pieces := strings.Split(raw, "+")
	n := len(pieces) - 1
	if n == 0 || n > maxLiteralPlus {
		return dk.Slip{}, false
	}
	var slips []dk.Slip
	for mask := 0; mask < 1<<n; mask++ {
		var b strings.Builder
		for i, p := range pieces {
			if i > 0 {
				if mask&(1<<(i-1)) != 0 {
					b.WriteString("%2B")
				} else {
					b.WriteString("%20")
				}
			}
			b.WriteString(p)
		}
		line, err := url.PathUnescape(b.String())
		if err != nil {
			return dk.Slip{}, false
		}
		if slip, err := dk.ParseCodeLine(line); err == nil && !slices.Contains(slips, slip) {
			slips = append(slips, slip)
		}
	}
	if len(slips) != 1 {
		return dk.Slip{}, false
	}
	return slips[0], true
}
