package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file with its fingerprinted name.
type asset struct {
	url   string // /static/app.1a2b3c4d.css
	ctype string
	etag  string
	body  []byte
}

// assets are the static files, by plain name ("app.css") and by
// fingerprinted file name ("app.1a2b3c4d.css").
type assets struct {
	byName map[string]*asset
	byFile map[string]*asset
}

// loadAssets reads web/static and names each file after the first 8 hex
// digits of its SHA-256, so a changed file gets a new URL and browsers can
// cache every URL forever.
func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byFile: map[string]*asset{}}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: read static: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			return nil, fmt.Errorf("web: read static %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:8]
		ext := path.Ext(name)
		file := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		x := &asset{url: "/static/" + file, ctype: ctype, etag: `"` + hash + `"`, body: body}
		a.byName[name] = x
		a.byFile[file] = x
	}
	return a, nil
}

// url returns the fingerprinted URL of the static file name.
func (a *assets) url(name string) (string, error) {
	x, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return x.url, nil
}

// serveStatic serves a fingerprinted static file, cacheable for a year: its
// URL changes whenever its content does. Unknown names (including stale
// fingerprints) get the 404 page, which is not cached.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	x, ok := s.assets.byFile[r.PathValue("file")]
	if !ok {
		s.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Del("Pragma")
	h.Del("Expires")
	h.Set("Content-Type", x.ctype)
	h.Set("ETag", x.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(x.body))
}
