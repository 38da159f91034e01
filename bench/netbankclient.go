package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/netbank/netbank/auth"
)

// NetbankClient is one customer's browser against the private net bank,
// speaking its HTML forms over HTTP: its own cookies, the CSRF token of the
// last page, no automatic redirects. It signs the login challenge with an
// Ed25519 key made here instead of in the browser's signature file, exactly
// as login.js does (AUTH-2..4), so load generators and system tests can log
// in without a browser.
type NetbankClient struct {
	base string
	http *http.Client
	csrf string
}

// NewNetbankClient returns a client of the net bank at base
// ("http://127.0.0.1:8080"). transport may be nil (the default transport).
func NewNetbankClient(base string, transport http.RoundTripper) *NetbankClient {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return &NetbankClient{base: strings.TrimRight(base, "/"), http: &http.Client{Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is an answer with its body read.
type Page struct {
	Status   int
	Location string
	Body     string
}

var (
	csrfRE      = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	challengeRE = regexp.MustCompile(`name="challenge_id" value="([^"]+)"[\s\S]*?data-challenge="([^"]+)"|data-challenge="([^"]+)"[\s\S]*?name="challenge_id" value="([^"]+)"`)
)

// Get fetches path.
func (c *NetbankClient) Get(ctx context.Context, path string) (Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return Page{}, err
	}
	return c.do(req)
}

// Post sends form with the CSRF token of the last page (fetching the login
// page first when there is none).
func (c *NetbankClient) Post(ctx context.Context, path string, form url.Values) (Page, error) {
	return c.post(ctx, path, form, false)
}

func (c *NetbankClient) post(ctx context.Context, path string, form url.Values, asJSON bool) (Page, error) {
	if c.csrf == "" {
		if _, err := c.Get(ctx, "/login"); err != nil {
			return Page{}, err
		}
	}
	body := url.Values{}
	for k, v := range form {
		body[k] = v
	}
	body.Set("csrf_token", c.csrf)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(body.Encode()))
	if err != nil {
		return Page{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if asJSON {
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Csrf-Token", c.csrf)
	}
	return c.do(req)
}

func (c *NetbankClient) do(req *http.Request) (Page, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Page{}, err
	}
	p := Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(b)}
	if m := csrfRE.FindStringSubmatch(p.Body); m != nil {
		c.csrf = m[1]
	}
	if p.Status >= 500 {
		return p, fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, p.Status)
	}
	return p, nil
}

// challenge reads the login challenge a signature form carries for login.js.
func challenge(p Page) (id, text string, err error) {
	m := challengeRE.FindStringSubmatch(p.Body)
	switch {
	case m == nil:
		return "", "", fmt.Errorf("no login challenge on the page (status %d)", p.Status)
	case m[1] != "":
		return m[1], m[2], nil
	default:
		return m[4], m[3], nil
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Enroll is the first login with the PIN code of the letter: it chooses a
// new key pair as the browser would and returns its private half, with
// the client logged in.
func (c *NetbankClient) Enroll(ctx context.Context, userNumber, pin string) (ed25519.PrivateKey, error) {
	if _, err := c.Post(ctx, "/login/private", url.Values{"user_number": {userNumber}}); err != nil {
		return nil, err
	}
	p, err := c.Post(ctx, "/login/private/pin", url.Values{"user_number": {userNumber}, "pin": {pin}})
	if err != nil {
		return nil, err
	}
	id, text, err := challenge(p)
	if err != nil {
		return nil, fmt.Errorf("after the PIN code: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	p, err = c.post(ctx, "/login/private/enroll", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"public_key": {b64(pub)}, "signature": {b64(ed25519.Sign(priv, auth.LoginMessage(text)))}}, true)
	if err != nil {
		return nil, err
	}
	var v struct {
		OK   bool   `json:"ok"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil || !v.OK {
		return nil, fmt.Errorf("enrolment refused: status %d: %.200s", p.Status, p.Body)
	}
	return priv, nil
}

// Login logs in with the user number and the key of the signature file and
// returns the overview the login leads to.
func (c *NetbankClient) Login(ctx context.Context, userNumber string, key ed25519.PrivateKey) (Page, error) {
	p, err := c.Post(ctx, "/login/private", url.Values{"user_number": {userNumber}})
	if err != nil {
		return p, err
	}
	id, text, err := challenge(p)
	if err != nil {
		return p, err
	}
	p, err = c.Post(ctx, "/login/private/signature", url.Values{"user_number": {userNumber}, "challenge_id": {id},
		"signature": {b64(ed25519.Sign(key, auth.LoginMessage(text)))}})
	if err != nil {
		return p, err
	}
	if p.Status != http.StatusSeeOther || p.Location != "/netbank" {
		return p, fmt.Errorf("login refused: status %d, location %q", p.Status, p.Location)
	}
	return c.Get(ctx, p.Location)
}

// Logout ends the session.
func (c *NetbankClient) Logout(ctx context.Context) error {
	_, err := c.Post(ctx, "/logout", nil)
	return err
}
