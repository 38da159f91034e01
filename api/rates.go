package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/pricing"
)

// ratesResponse is the answer of GET /api/v1/rates.
type ratesResponse struct {
	// Per is how many units of the currency a rate prices (100).
	Per int `json:"per"`
	// MarginBP is the margin of the customer rates, in basis points.
	MarginBP int        `json:"margin_bp"`
	Rates    []rateJSON `json:"rates"`
}

// rateJSON is one currency's rates: kroner per 100 units as exact decimal
// strings with four decimals ("746.1000").
type rateJSON struct {
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
	// Sell is what a customer pays for the currency (reference + margin),
	// Buy what a customer gets for it (reference − margin).
	Sell      string    `json:"sell"`
	Buy       string    `json:"buy"`
	Date      string    `json:"date"`
	UpdatedAt time.Time `json:"updated_at"`
	// Stale: older than the bank lets a rate quote; no conversion uses it.
	Stale bool `json:"stale"`
}

// decimalRate writes a rate (pricing.RateScale units) as a decimal string
// with a point: 7461000 is "746.1000".
func decimalRate(rate int64) string {
	s := strconv.FormatInt(rate, 10)
	for len(s) <= pricing.RateDecimals {
		s = "0" + s
	}
	return s[:len(s)-pricing.RateDecimals] + "." + s[len(s)-pricing.RateDecimals:]
}

// handleRates answers GET /api/v1/rates: the bank's current reference
// rates and the customer rates for selling and buying at the margin of the
// price list (RULE PAY-5), by currency. It needs no login: the rates are
// public.
func (s *Server) handleRates(w http.ResponseWriter, r *http.Request) {
	if s.pricing == nil {
		WriteError(w, netbank.Errorf(netbank.EUNAVAILABLE, "Valutakurserne er ikke tilgængelige lige nu"))
		return
	}
	board, err := s.pricing.RateBoard(r.Context())
	if err != nil {
		WriteError(w, err)
		return
	}
	resp := ratesResponse{Per: pricing.RateUnits, Rates: make([]rateJSON, 0, len(board))}
	for _, l := range board {
		resp.MarginBP = l.MarginBP
		resp.Rates = append(resp.Rates, rateJSON{Currency: l.Currency, Reference: decimalRate(l.Rate.Rate), Sell: decimalRate(l.Sell),
			Buy: decimalRate(l.Buy), Date: l.Date.Format(time.DateOnly), UpdatedAt: l.UpdatedAt.UTC(), Stale: l.Stale})
	}
	if len(board) == 0 {
		p, err := s.pricing.Price(r.Context(), pricing.KeyFXMarginBP)
		if err != nil {
			WriteError(w, err)
			return
		}
		resp.MarginBP = int(p.Amount)
	}
	WriteJSON(w, http.StatusOK, resp)
}
