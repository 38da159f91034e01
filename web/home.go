package web

import "net/http"

// handleHome draws the start page: what the bank is, the way in ("Log på")
// and how to recognise fraud.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, "home", nil)
}
