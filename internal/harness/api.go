package harness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/netbank/netbank/auth"
)

// API is a client of the bank's JSON API (/api/v1) with bearer keys
// (README "Using the API").
type API struct {
	base string
	http *http.Client
}

// NewAPI returns a client of the API at base through transport; with a
// Balancer as transport, base is BalancerURL.
func NewAPI(base string, transport http.RoundTripper) *API {
	return &API{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
}

// Answer is an answer of the API: status and decoded JSON body.
type Answer struct {
	Status int
	Body   map[string]any
	Raw    string
}

// Object is the object under key of the answer's body (nil if none).
func (a Answer) Object(key string) map[string]any {
	m, _ := a.Body[key].(map[string]any)
	return m
}

// ErrorCode is the code of an error answer ({"error":{"code":…}}).
func (a Answer) ErrorCode() string {
	e, _ := a.Body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// Do sends one request with the bearer token (none if "") and body as
// JSON (none if nil); header holds name, value pairs. An error means no
// answer was read (the instance is down, died mid-request, …); any answer
// is returned as it is, whatever its status.
func (c *API) Do(ctx context.Context, method, path, token string, body any, header ...string) (Answer, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return Answer{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return Answer{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Status: resp.StatusCode, Raw: string(data)}
	if err := json.Unmarshal(data, &a.Body); err != nil {
		return a, fmt.Errorf("%s %s: status %d, not a JSON object: %.200s", method, path, a.Status, data)
	}
	return a, nil
}

// CreatePayment is POST /api/v1/payments with the Idempotency-Key key:
// 201 with the payment and its signing object (200 for a retry).
func (c *API) CreatePayment(ctx context.Context, token, key string, body map[string]any) (Answer, error) {
	return c.Do(ctx, http.MethodPost, "/api/v1/payments", token, body, "Idempotency-Key", key)
}

// Sign is POST /api/v1/signatures/{request_id} with the proof of a
// private user: the checksum of the signing object's document and its
// signature with the key of the user's signature file (SIGN-1, SIGN-2).
// The same proof again repeats the answer (the action is idempotent).
func (c *API) Sign(ctx context.Context, token string, signing map[string]any, key ed25519.PrivateKey) (Answer, error) {
	id, _ := signing["request_id"].(string)
	doc, _ := signing["document"].(string)
	if id == "" || doc == "" {
		return Answer{}, fmt.Errorf("harness: no signing request in %v", signing)
	}
	sum := sha256.Sum256([]byte(doc))
	proof := map[string]any{"checksum": hex.EncodeToString(sum[:]),
		"signature": base64.StdEncoding.EncodeToString(ed25519.Sign(key, auth.DocumentMessage([]byte(doc))))}
	return c.Do(ctx, http.MethodPost, "/api/v1/signatures/"+id, token, proof)
}
