package app_test

// A demo bank served by App.Run on real ports, and the clients of its
// three doors as the outside world has them: a browser (cookies, CSRF
// tokens, the login script's requests), an API program with a bearer
// token, and a card terminal speaking ISO 8583 over TCP. The outage and
// brute-force tests drive the bank through these.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
)

// liveTime is Monday 23.11.2026 11.00 in Copenhagen: a bank day.
var liveTime = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// liveBank is the demo bank running with App.Run: HTTP on base, ISO 8583
// on cardAddr, on a clock the test moves.
type liveBank struct {
	t        *testing.T
	a        *app.App
	clock    *testkit.Clock
	base     string
	cardAddr string
	dataDir  string
	creds    demo.Credentials
	logs     *testkit.LogBuffer
	zpk      []byte
}

// startLiveBank seeds the demo bank on the database dsn ("" for SQLite)
// and runs it until the test ends. mods change the configuration first.
func startLiveBank(t *testing.T, dsn string, mods ...func(*app.Config)) *liveBank {
	t.Helper()
	logs := &testkit.LogBuffer{}
	clock := testkit.NewClock(liveTime)
	cfg := app.Config{Addr: freeAddr(t, "127.0.0.1"), DataDir: t.TempDir(), DB: dsn, Demo: true, Clock: clock,
		ISO8583Addr: "127.0.0.1:0", Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	for _, m := range mods {
		m(&cfg)
	}
	a := mustNew(t, cfg)
	r := startRun(t, a)
	b := &liveBank{t: t, a: a, clock: clock, base: "http://" + cfg.Addr, dataDir: cfg.DataDir, logs: logs}
	waitHealthy(t, r, http.DefaultClient, b.base+"/readyz")
	for deadline := time.Now().Add(10 * time.Second); b.cardAddr == ""; time.Sleep(10 * time.Millisecond) {
		if b.cardAddr = a.CardNetworkAddr(); b.cardAddr == "" && time.Now().After(deadline) {
			t.Fatal("the card network listener did not start")
		}
	}
	data, err := os.ReadFile(filepath.Join(cfg.DataDir, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &b.creds); err != nil {
		t.Fatal(err)
	}
	if b.zpk, err = cardsec.ParseKey(b.creds.ZPK); err != nil {
		t.Fatal(err)
	}
	return b
}

// ---- the browser ----

// browser is one browser: its own cookies, no automatic redirects.
type browser struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (b *liveBank) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return &browser{t: b.t, base: b.base, http: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer with its body read.
type page struct {
	status int
	header http.Header
	body   string
}

// text is the page's visible text, roughly.
func (p page) text() string {
	s := p.body
	if i := strings.Index(s, "<body"); i >= 0 {
		s = s[i:]
	}
	s = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

var csrfFieldRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *browser) do(req *http.Request) page {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if m := csrfFieldRE.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *browser) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form with the CSRF token of the last page (the login page's
// when there was none); asJSON sends it as the login script does: the
// token in a header, a JSON answer.
func (c *browser) post(path string, form url.Values, asJSON bool) page {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	v := url.Values{}
	for k, vs := range form {
		v[k] = vs
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(""))
	if err != nil {
		c.t.Fatal(err)
	}
	if asJSON {
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Csrf-Token", c.csrf)
	} else {
		v.Set("csrf_token", c.csrf)
	}
	req.Body = io.NopCloser(strings.NewReader(v.Encode()))
	req.ContentLength = int64(len(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// field reads the value of a hidden field or data attribute matched by re.
func field(t *testing.T, p page, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s on the page (status %d):\n%s", re, p.status, p.text())
	}
	return html.UnescapeString(m[1])
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// firstLogin logs in with the PIN letter and makes a signature key as
// login.js does (AUTH-2, AUTH-3); it returns the key.
func (c *browser) firstLogin(userNumber, pin string) ed25519.PrivateKey {
	c.t.Helper()
	c.post("/login/private", url.Values{"user_number": {userNumber}}, false)
	p := c.post("/login/private/pin", url.Values{"user_number": {userNumber}, "pin": {pin}}, false)
	id, challenge := field(c.t, p, `name="challenge_id" value="([^"]+)"`), field(c.t, p, `data-challenge="([^"]+)"`)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	p = c.post("/login/private/enroll", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"public_key": {b64(pub)}, "signature": {b64(ed25519.Sign(priv, auth.LoginMessage(challenge)))}}, true)
	if p.status != http.StatusOK || !strings.Contains(p.body, `"next":"/netbank"`) {
		c.t.Fatalf("enroll: %d %s", p.status, p.body)
	}
	return priv
}

// login logs in with the signature key (AUTH-4) and returns the answer to
// the signature: 303 to /netbank when it worked.
func (c *browser) login(userNumber string, key ed25519.PrivateKey) page {
	c.t.Helper()
	p := c.post("/login/private", url.Values{"user_number": {userNumber}}, false)
	if p.status != http.StatusOK {
		return p
	}
	id, challenge := field(c.t, p, `name="challenge_id" value="([^"]+)"`), field(c.t, p, `data-challenge="([^"]+)"`)
	return c.post("/login/private/signature", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"signature": {b64(ed25519.Sign(key, auth.LoginMessage(challenge)))}}, false)
}

// ---- the API program ----

// apiAnswer is a decoded JSON API answer.
type apiAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errorCode is the "code" of a JSON error answer ("" if it is none).
func (a apiAnswer) errorCode() string {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// api sends a JSON request with a bearer token.
func (b *liveBank) api(method, path, token string, body any, header ...string) apiAnswer {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			b.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := apiAnswer{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	if err := json.Unmarshal(data, &a.body); err != nil {
		b.t.Fatalf("%s %s: answer %d is not a JSON object: %s", method, path, resp.StatusCode, data)
	}
	return a
}

// customerToken is the demo customer key (the first private user's).
func (b *liveBank) customerToken() string {
	b.t.Helper()
	for _, tk := range b.creds.APITokens {
		if tk.Kind == "customer" {
			return tk.Token
		}
	}
	b.t.Fatal("demo.json has no customer token")
	return ""
}

// ---- the card terminal ----

// terminal is an acquirer's connection to the card network listener.
type terminal struct {
	t      *testing.T
	bank   *liveBank
	client *iso8583.Client
	id     string
	n      int
}

var copenhagen = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// terminal connects a terminal with its own id (8 characters), so its
// STANs never meet another terminal's.
func (b *liveBank) terminal(id string) *terminal {
	b.t.Helper()
	c, err := iso8583.Dial(context.Background(), b.cardAddr)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { _ = c.Close() })
	return &terminal{t: b.t, bank: b, client: c, id: id}
}

// purchase is a chip + PIN purchase (0100) of amount øre with card c at a
// Danish supermarket, the PIN typed being pin.
func (tm *terminal) purchase(c demo.Card, amount int64, pin string) iso8583.Request {
	tm.t.Helper()
	tm.n++
	now := tm.bank.clock.Now()
	block, err := cardsec.EncodePINBlock(pin, c.PAN, tm.bank.zpk)
	if err != nil {
		tm.t.Fatal(err)
	}
	return iso8583.Request{MTI: iso8583.MTIAuthorization, PAN: c.PAN, ProcessingCode: "000000", Amount: amount,
		TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", tm.n), LocalTime: now.In(copenhagen).Format("150405"),
		LocalDate: now.In(copenhagen).Format("0102"), Expiry: c.Expiry, MCC: "5411", POSEntryMode: "051", POSCondition: "00",
		RRN: fmt.Sprintf("%04s%08d", tm.id[:4], tm.n), TerminalID: tm.id, MerchantID: "MERCHANT0000001",
		Merchant: iso8583.Merchant{Name: "Netto Vesterbro", City: "Koebenhavn", Country: "DK"}, Currency: "208", PINBlock: block}
}

// send sends r and returns the field 39 of the answer; the answer must
// come within a minute (the listener answers by itself after its own
// deadline, so this only catches a bank that hangs).
func (tm *terminal) send(r iso8583.Request) string {
	tm.t.Helper()
	m, err := iso8583.BuildRequest(r)
	if err != nil {
		tm.t.Fatalf("build %s: %v", r.MTI, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := tm.client.Send(ctx, m)
	if err != nil {
		tm.t.Fatalf("send %s (STAN %s): no answer: %v", r.MTI, r.STAN, err)
	}
	resp, err := iso8583.ParseResponse(out)
	if err != nil {
		tm.t.Fatalf("answer to %s: %v", r.MTI, err)
	}
	return resp.Code
}

// signWithKey is a private user's proof for a signing object of the API:
// the checksum of the document and its signature with the signature key.
func signWithKey(signing map[string]any, key ed25519.PrivateKey) map[string]any {
	doc := signing["document"].(string)
	return map[string]any{"checksum": auth.Checksum([]byte(doc)),
		"signature": b64(ed25519.Sign(key, auth.DocumentMessage([]byte(doc))))}
}
