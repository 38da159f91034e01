package api

import (
	"net/http"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// bankResponse is the answer of GET /api/v1/banks/{reg}.
type bankResponse struct {
	Reg  string `json:"reg"`
	Name string `json:"name"`
}

// handleBank answers GET /api/v1/banks/{reg} with the name of the bank that
// owns a registration number, so a client can show it while the user types
// an account number (RULE PAY-2).
func (s *Server) handleBank(w http.ResponseWriter, r *http.Request) {
	reg := strings.TrimSpace(r.PathValue("reg"))
	if err := dk.ValidReg(reg); err != nil {
		WriteError(w, err)
		return
	}
	name, ok := dk.BankName(reg)
	if !ok {
		WriteError(w, netbank.Errorf(netbank.ENOTFOUND, "Ukendt registreringsnummer %s", reg))
		return
	}
	WriteJSON(w, http.StatusOK, bankResponse{Reg: reg, Name: name})
}
