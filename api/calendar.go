package api

import (
	"net/http"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// calendarDay is one date of the calendar answer.
type calendarDay struct {
	Date    string `json:"date"`     // YYYY-MM-DD
	BankDay bool   `json:"bank_day"` // RULE CAL-1
	Reason  string `json:"reason"`   // "" for a bank day, else the Danish reason
}

// calendarResponse is the answer of GET /api/v1/calendar.
type calendarResponse struct {
	Days []calendarDay `json:"days"`
}

// handleCalendar answers GET /api/v1/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD
// with every date of the period, both ends included, and whether it is a
// bank day. The period may be at most calendar.MaxSpanYears long.
func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := dateParam(q.Get("from"), "from", "startdato")
	if err != nil {
		WriteError(w, err)
		return
	}
	to, err := dateParam(q.Get("to"), "to", "slutdato")
	if err != nil {
		WriteError(w, err)
		return
	}
	days, err := calendar.Days(from, to)
	if err != nil {
		WriteError(w, err)
		return
	}
	resp := calendarResponse{Days: make([]calendarDay, len(days))}
	for i, d := range days {
		resp.Days[i] = calendarDay{
			Date:    d.Date.Format(time.DateOnly),
			BankDay: d.BankDay,
			Reason:  d.Reason,
		}
	}
	WriteJSON(w, http.StatusOK, resp)
}

// dateParam parses the query parameter name (described to the user as what)
// as a YYYY-MM-DD date. Missing and malformed values are EINVALID errors
// that name the parameter.
func dateParam(v, name, what string) (time.Time, error) {
	if v == "" {
		return time.Time{}, netbank.Errorf(netbank.EINVALID,
			"Parameteren %s mangler: angiv %s i formatet ÅÅÅÅ-MM-DD, f.eks. 2026-05-14", name, what)
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return time.Time{}, netbank.Errorf(netbank.EINVALID, "Parameteren %s: %s", name, netbank.ErrorMessageOf(err))
	}
	return d, nil
}
