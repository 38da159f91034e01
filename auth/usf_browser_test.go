package auth

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/internal/testkit/browser"
)

// bankCSP is the bank's Content-Security-Policy (web.ContentSecurityPolicy,
// copied so that auth's tests do not depend on the web package): usf.js must
// work without inline code.
const bankCSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// usfTestServer serves the test page, web/static/usf.js and the test driver
// under the bank's CSP.
func usfTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	files := map[string]struct{ path, ctype string }{
		"/":              {filepath.Join("testdata", "usf_test.html"), "text/html; charset=utf-8"},
		"/usf.js":        {filepath.Join("..", "web", "static", "usf.js"), "text/javascript; charset=utf-8"},
		"/usf_driver.js": {filepath.Join("testdata", "usf_driver.js"), "text/javascript; charset=utf-8"},
	}
	bodies := map[string][]byte{}
	for p, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		bodies[p] = b
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", bankCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		f, ok := files[r.URL.Path]
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		w.Write(bodies[r.URL.Path])
	}))
	t.Cleanup(ts.Close)
	return ts
}

// js returns v as a JavaScript literal (JSON is one).
func js(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// evalJS evaluates expr in the page, awaiting a promise, and decodes the
// result into T.
func evalJS[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// TestSignatureFileInBrowser proves that web/static/usf.js and this package
// read and write the same signature files and sign the same bytes, in a real
// Chromium under the bank's CSP.
func TestSignatureFileInBrowser(t *testing.T) {
	ts := usfTestServer(t)
	b := browser.New(t)
	ctx := b.Context()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if !evalJS[bool](t, ctx, `typeof NetbankUSF === "object" && document.documentElement.getAttribute("data-driver") === "ready"`) {
		t.Fatal("usf.js or the driver did not load")
	}

	// (a) RULE AUTH-3, AUTH-4: Chromium makes the key pair and the file; Go
	// reads the file, derives the same public key (with the code in another
	// case, RULE AUTH-2), and verifies Chromium's login signature.
	t.Run("browser creates, Go reads", func(t *testing.T) {
		const user, code = "99991234567", "Hemmelig2026"
		created := evalJS[struct {
			File      string `json:"file"`
			PublicKey string `json:"publicKey"`
		}](t, ctx, `NetbankUSF.create(`+js(t, user)+`, `+js(t, code)+`, `+js(t, MinIterations)+`)`)

		f, err := ParseSignatureFile([]byte(created.File))
		if err != nil {
			t.Fatalf("Go cannot parse the browser's file: %v\n%s", err, created.File)
		}
		if got := string(f.Marshal()); got != created.File {
			t.Errorf("Go writes the file differently:\ngo:      %s\nbrowser: %s", got, created.File)
		}
		if f.User() != "1234567" || f.Iterations() != MinIterations {
			t.Errorf("user %q, iterations %d", f.User(), f.Iterations())
		}
		pub := f.PrivateKey(strings.ToLower(code)).Public().(ed25519.PublicKey)
		if got := base64.StdEncoding.EncodeToString(pub); got != created.PublicKey {
			t.Fatalf("public key: Go %s, browser %s", got, created.PublicKey)
		}
		if got := evalJS[string](t, ctx, `NetbankUSF.fileName(`+js(t, user)+`)`); got != SignatureFileName(user) {
			t.Errorf("fileName = %q, want %q", got, SignatureFileName(user))
		}

		challenge := NewChallenge(rand.Reader)
		sig := evalJS[string](t, ctx, `NetbankUSF.signLogin(`+js(t, created.File)+`, `+js(t, strings.ToUpper(code))+`, `+js(t, challenge)+`)`)
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			t.Fatalf("signature %q: %v", sig, err)
		}
		if !Verify(pub, LoginMessage(challenge), raw) {
			t.Fatal("the browser's login signature does not verify in Go")
		}
		if Verify(pub, LoginMessage(challenge+"x"), raw) {
			t.Fatal("the login signature verifies for another challenge")
		}
	})

	// (b) RULE SIGN-1, SIGN-2: Go makes the file; Chromium derives the same
	// public key and signs a Danish document whose UTF-8 bytes Go hashes.
	t.Run("Go creates, browser signs", func(t *testing.T) {
		f, pub := MustSignatureFile(t)
		file := string(f.Marshal())
		if got := evalJS[string](t, ctx, `NetbankUSF.publicKey(`+js(t, file)+`, `+js(t, testCode)+`)`); got != base64.StdEncoding.EncodeToString(pub) {
			t.Fatalf("browser public key %s, Go %s", got, base64.StdEncoding.EncodeToString(pub))
		}
		doc := "Betaling\nFra: 1234 0001234567\nTil: 5678 7654321 Søren Ærø Åberg\nBeløb: 1.234,50 DKK\nTekst: Husleje marts – tak ☺\n"
		if got := evalJS[string](t, ctx, `NetbankUSF.checksum(`+js(t, doc)+`)`); got != Checksum([]byte(doc)) {
			t.Errorf("browser checksum %s, Go %s", got, Checksum([]byte(doc)))
		}
		sig := evalJS[string](t, ctx, `NetbankUSF.signDocument(`+js(t, file)+`, `+js(t, testCode)+`, `+js(t, doc)+`)`)
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			t.Fatal(err)
		}
		if !Verify(pub, DocumentMessage([]byte(doc)), raw) {
			t.Fatal("the browser's document signature does not verify in Go")
		}
		latin1 := strings.NewReplacer("ø", "\xf8", "Æ", "\xc6", "Å", "\xc5").Replace(doc)
		if Verify(pub, DocumentMessage([]byte(latin1)), raw) || Verify(pub, LoginMessage(Checksum([]byte(doc))), raw) {
			t.Fatal("the document signature verifies for other bytes")
		}
	})

	// The IV is the whole 128-bit initial counter block, incremented as one
	// big-endian number, as Go's cipher.NewCTR does: an IV whose low 64 bits
	// are all ones carries into the high half for the second block, which
	// a browser counting only 64 bits would get wrong.
	t.Run("counter carry", func(t *testing.T) {
		random := make([]byte, ed25519.SeedSize+16+16)
		for i := range 48 {
			random[i] = byte(i + 1)
		}
		for i := 56; i < 64; i++ {
			random[i] = 0xff
		}
		f, pub, err := NewSignatureFile(bytes.NewReader(random), testUser, testCode, MinIterations)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(f.iv); got != "AAAAAAAAAAD//////////w==" {
			t.Fatalf("iv %s", got)
		}
		if got := evalJS[string](t, ctx, `NetbankUSF.publicKey(`+js(t, string(f.Marshal()))+`, `+js(t, testCode)+`)`); got != base64.StdEncoding.EncodeToString(pub) {
			t.Fatalf("browser public key %s, Go %s", got, base64.StdEncoding.EncodeToString(pub))
		}
	})

	// (c) RULE AUTH-5: a wrong code gives another key without an error; the
	// bank's check is the only one.
	t.Run("wrong code", func(t *testing.T) {
		f, pub := MustSignatureFile(t)
		file := string(f.Marshal())
		const wrong = "Kode2026abd"
		if got := evalJS[string](t, ctx, `NetbankUSF.publicKey(`+js(t, file)+`, `+js(t, wrong)+`)`); got == base64.StdEncoding.EncodeToString(pub) {
			t.Fatal("a wrong code gives the right public key")
		}
		challenge := NewChallenge(rand.Reader)
		sig := evalJS[string](t, ctx, `NetbankUSF.signLogin(`+js(t, file)+`, `+js(t, wrong)+`, `+js(t, challenge)+`)`)
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(raw) != ed25519.SignatureSize {
			t.Fatalf("signature %q: %v", sig, err)
		}
		if Verify(pub, LoginMessage(challenge), raw) {
			t.Fatal("a signature made with a wrong code verifies")
		}
	})

	// (d) RULE AUTH-7: the device keeps the file in IndexedDB on request,
	// and forgets it again.
	t.Run("IndexedDB", func(t *testing.T) {
		f, _ := MustSignatureFile(t)
		file := string(f.Marshal())
		r := evalJS[struct {
			Before   *string `json:"before"`
			Loaded   *string `json:"loaded"`
			Other    *string `json:"other"`
			Again    *string `json:"again"`
			After    *string `json:"after"`
			StoreBad string  `json:"storeBad"`
			AfterBad *string `json:"afterBad"`
			BadUser  string  `json:"badUser"`
		}](t, ctx, `usfDriver.idbRoundTrip(`+js(t, testUser)+`, "99991234568", `+js(t, file)+`)`)
		if r.Before != nil || r.Other != nil || r.After != nil || r.AfterBad != nil {
			t.Errorf("load of an absent file gave a value: %+v", r)
		}
		if r.Loaded == nil || *r.Loaded != file || r.Again == nil || *r.Again != file {
			t.Errorf("loaded file differs from the stored one")
		}
		if r.StoreBad != msgInvalidSignatureFile {
			t.Errorf("store of a bad file: %q", r.StoreBad)
		}
		if r.BadUser != msgUserNumberInvalid {
			t.Errorf("load with a bad user number: %q", r.BadUser)
		}
	})

	// RULE AUTH-7: the file can be downloaded as NNNNNNN.usf and copied.
	t.Run("download", func(t *testing.T) {
		f, _ := MustSignatureFile(t)
		file := string(f.Marshal())
		dir := t.TempDir()
		if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior:     cdpbrowser.SetDownloadBehaviorBehaviorAllow,
			DownloadPath: dir,
		}); err != nil {
			t.Fatal(err)
		}
		name := evalJS[string](t, ctx, `NetbankUSF.download(`+js(t, testUser)+`, `+js(t, file)+`)`)
		if name != "1234567.usf" {
			t.Fatalf("download name %q", name)
		}
		path := filepath.Join(dir, name)
		var got []byte
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if b, err := os.ReadFile(path); err == nil && len(b) == len(file) {
				got = b
				break
			}
		}
		if !bytes.Equal(got, []byte(file)) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("downloaded %s = %q (dir has %v), want the file", path, got, entries)
		}
		if _, err := ParseSignatureFile(got); err != nil {
			t.Fatal(err)
		}
	})

	// RULE AUTH-2: the browser refuses the same codes with the same Danish
	// messages as Go, before it derives anything.
	t.Run("code rules", func(t *testing.T) {
		codes := make([]string, len(signatureCodeCases))
		for i, c := range signatureCodeCases {
			codes[i] = c.code
		}
		got := evalJS[[]string](t, ctx, `usfDriver.validateAll(`+js(t, codes)+`)`)
		for i, c := range signatureCodeCases {
			if got[i] != c.msg {
				t.Errorf("%s: browser %q, Go %q", c.name, got[i], c.msg)
			}
		}
		f, _ := MustSignatureFile(t)
		for _, call := range []string{
			`NetbankUSF.create("99991234567", "kort1", 100000)`,
			`NetbankUSF.signLogin(` + js(t, string(f.Marshal())) + `, "kort1", "c")`,
		} {
			if msg := evalJS[string](t, ctx, `usfDriver.errorOf(() => `+call+`)`); msg != msgCodeTooShort {
				t.Errorf("%s: rejected with %q, want %q", call, msg, msgCodeTooShort)
			}
		}
		if msg := evalJS[string](t, ctx, `usfDriver.errorOf(() => NetbankUSF.create("1234", "abcd1234", 100000))`); msg != msgUserNumberInvalid {
			t.Errorf("create with a bad user number: %q", msg)
		}
		if msg := evalJS[string](t, ctx, `usfDriver.errorOf(() => NetbankUSF.create("99991234567", "abcd1234", 99999))`); msg == "" {
			t.Error("create with too few iterations succeeded")
		}
	})

	// RULE AUTH-3: the browser refuses every file Go refuses, with the same
	// Danish message.
	t.Run("invalid files", func(t *testing.T) {
		files := invalidFiles(t)
		got := evalJS[map[string]string](t, ctx, `usfDriver.rejections(`+js(t, files)+`, `+js(t, testCode)+`)`)
		for name := range files {
			if got[name] != msgInvalidSignatureFile {
				t.Errorf("%s: browser says %q, want %q", name, got[name], msgInvalidSignatureFile)
			}
		}
	})

	b.RequireNoProblems(t)
}
