package api

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI document of this API (openapi.yaml), embedded in the
// binary and served at /api/v1/openapi.yaml. Every route in the route table
// is described in it, and TestOpenAPI checks that the two agree.
//
//go:embed openapi.yaml
var OpenAPI []byte

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(OpenAPI)
	}
}
