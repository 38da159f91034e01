package web

import "slices"

// Routes returns every pattern registered on the server, built-in pages
// included, in registration order ("GET /netbank/konti/{id}", …). Tests
// walk it to prove that every route has an entry in the authorization
// matrix and the attack tests, so a new page cannot slip past them.
func (s *Server) Routes() []string {
	return slices.Clone(s.routes)
}
